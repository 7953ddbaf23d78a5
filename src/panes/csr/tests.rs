//! View-model tests of the CSR pane and whole-screen snapshots (fixed clock) of the pane, the
//! joining view and the confirm dialog.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::model::CsrModel;
use crate::action::Action;
use crate::app::App;
use crate::csr::rows::HistoryFilter;
use crate::csr::testutil::{at, client_csr, issued, machine, node, serving_csr, with_condition};
use crate::gate::Verdict;
use crate::keymap::Keymap;
use crate::panes::filter::Filter;
use crate::theme::Theme;
use crate::watch::fleet::FleetMachine as Machine;
use crate::watch::{KindState, Stores, WatchMsg};

/// The clock of every test: 50 minutes after `t0`.
const NOW: i64 = 50 * 60;

fn csrs() -> Vec<CertificateSigningRequest> {
    vec![
        // Valid: a Machine vouches for arm-1.
        client_csr("csr-aaa", "arm-1", at(NOW - 120)),
        // No Machine for arm-2: fails `machine`; 10 minutes left (warning).
        client_csr("csr-bbb", "arm-2", at(0)),
        // Approved and issued long ago: history only.
        issued(with_condition(
            serving_csr("csr-ccc", "w1", &["w1", "10.0.0.5"], at(-7200)),
            "Approved",
            at(-7100),
        )),
        // Pending past the hour.
        client_csr("csr-ddd", "arm-3", at(-3 * 3600)),
    ]
}

fn nodes() -> Vec<Node> {
    vec![node(
        "w1",
        &[("Hostname", "w1"), ("InternalIP", "10.0.0.5")],
        Some((true, at(-7000))),
        at(-8000),
    )]
}

fn machines() -> Vec<Machine> {
    ["arm-1", "arm-3"]
        .iter()
        .map(|n| {
            serde_json::from_value(machine(
                n,
                &[("InternalDNS", n), ("InternalIP", "10.0.1.9")],
                None,
                at(NOW - 600),
            ))
            .unwrap()
        })
        .collect()
}

fn arcs<T: Clone>(v: &[T]) -> Vec<Arc<T>> {
    v.iter().cloned().map(Arc::new).collect()
}

fn model() -> CsrModel {
    let mut m = CsrModel::new();
    m.machines_installed = Some(true);
    assert!(m.apply(arcs(&csrs()), &arcs(&nodes()), &arcs(&machines()), at(NOW)));
    m
}

fn names(m: &CsrModel) -> Vec<String> {
    m.rows().map(|r| r.name.clone()).collect()
}

#[test]
fn pending_only_by_default_newest_first_history_a_toggle_away() {
    let mut m = model();
    assert_eq!(names(&m), ["csr-aaa", "csr-bbb", "csr-ddd"]);
    assert_eq!(m.pending_count(), 3);
    assert_eq!(m.total(), 4);
    let checks: Vec<String> = m.rows().map(|r| r.check.clone()).collect();
    assert_eq!(checks[0], "✓");
    assert_eq!(checks[1], "machine");
    m.history = HistoryFilter::All;
    m.rebuild_rows();
    assert_eq!(names(&m), ["csr-aaa", "csr-bbb", "csr-ddd", "csr-ccc"]);
}

#[test]
fn same_stores_do_not_recompute_and_selection_follows_the_row() {
    let mut m = model();
    assert!(!m.apply(arcs(&csrs()), &arcs(&nodes()), &arcs(&machines()), at(NOW)));
    m.move_by(1);
    assert_eq!(m.selected_row().unwrap().name, "csr-bbb");
    // A newer CSR arrives on top: the selection stays on csr-bbb.
    let mut more = csrs();
    more.push(client_csr("csr-eee", "arm-1", at(NOW - 10)));
    assert!(m.apply(arcs(&more), &arcs(&nodes()), &arcs(&machines()), at(NOW)));
    assert_eq!(names(&m)[0], "csr-eee");
    assert_eq!(m.selected_row().unwrap().name, "csr-bbb");
}

#[test]
fn text_filter_and_sort() {
    let mut m = model();
    m.filter = Filter::parse("arm-2");
    m.rebuild_rows();
    assert_eq!(names(&m), ["csr-bbb"]);
    m.filter = Filter::default();
    m.sort = Some((0, true));
    m.rebuild_rows();
    assert_eq!(names(&m), ["csr-ddd", "csr-bbb", "csr-aaa"]);
}

fn versioned(mut c: CertificateSigningRequest, rv: &str) -> CertificateSigningRequest {
    c.metadata.resource_version = Some(rv.into());
    c.metadata.uid = Some(format!(
        "uid-{}",
        c.metadata.name.clone().unwrap_or_default()
    ));
    c
}

/// Validations are kept for unchanged CSRs and redone when their CSR, their node or the Machines
/// move: each input change below flips exactly the verdicts it should.
#[test]
fn validations_follow_their_csr_their_node_and_the_machines() {
    validations_follow(false);
}

/// The same when the app says no CSR changed (`apply_deps`: only Nodes or Machines moved, the
/// CSRs are not looked at): the pending CSRs that read what moved are validated again.
#[test]
fn validations_follow_their_node_and_the_machines_without_the_csrs() {
    validations_follow(true);
}

fn validations_follow(deps_only: bool) {
    let apply_deps = |m: &mut CsrModel,
                      csrs: &[CertificateSigningRequest],
                      nodes: &[Node],
                      machines: &[Machine]| {
        if deps_only {
            m.apply_deps(&arcs(nodes), &arcs(machines), at(NOW))
        } else {
            m.apply(arcs(csrs), &arcs(nodes), &arcs(machines), at(NOW))
        }
    };
    let csrs: Vec<_> = csrs().into_iter().map(|c| versioned(c, "1")).collect();
    let mut m = CsrModel::new();
    m.machines_installed = Some(true);
    let mut nodes = nodes();
    let mut machines = machines();
    assert!(m.apply(arcs(&csrs), &arcs(&nodes), &arcs(&machines), at(NOW)));
    let failed = |m: &CsrModel, n: &str| m.get(n).unwrap().1.failed_ids();
    assert!(failed(&m, "csr-aaa").is_empty());
    assert_eq!(failed(&m, "csr-bbb"), ["machine"]);

    // arm-1 joins: its client CSR no longer asks for a new node; csr-bbb is untouched.
    nodes.push(node("arm-1", &[("Hostname", "arm-1")], None, at(NOW)));
    nodes.last_mut().unwrap().metadata.resource_version = Some("7".into());
    assert!(apply_deps(&mut m, &csrs, &nodes, &machines));
    assert!(failed(&m, "csr-aaa").contains(&"node-absent"));
    assert_eq!(failed(&m, "csr-bbb"), ["machine"]);

    // A Machine for arm-2 appears: csr-bbb passes.
    let mut arm2: Machine = serde_json::from_value(machine(
        "arm-2",
        &[("InternalDNS", "arm-2")],
        None,
        at(-600),
    ))
    .unwrap();
    arm2.metadata.resource_version = Some("3".into());
    machines.push(arm2);
    assert!(apply_deps(&mut m, &csrs, &nodes, &machines));
    assert!(
        failed(&m, "csr-bbb").is_empty(),
        "{:?}",
        failed(&m, "csr-bbb")
    );

    // arm-1's Machine changes (it got a nodeRef): csr-aaa is validated again against it, while
    // csr-bbb (another node's Machine) keeps its verdict.
    let mut arm1 = machines[0].clone();
    arm1.metadata.resource_version = Some("9".into());
    arm1.status.as_mut().unwrap()["nodeRef"] = serde_json::json!({"kind": "Node", "name": "other"});
    machines[0] = arm1;
    assert!(apply_deps(&mut m, &csrs, &nodes, &machines));
    assert!(
        failed(&m, "csr-aaa").contains(&"machine-noderef"),
        "{:?}",
        failed(&m, "csr-aaa")
    );
    assert!(failed(&m, "csr-bbb").is_empty());

    // csr-bbb is deleted and created again under the same name for another node (a request is
    // immutable: a new one is a new object, with a new uid).
    let mut changed = csrs.clone();
    changed[1] = versioned(client_csr("csr-bbb", "arm-9", at(0)), "2");
    changed[1].metadata.uid = Some("uid-csr-bbb-2".into());
    assert!(m.apply(arcs(&changed), &arcs(&nodes), &arcs(&machines), at(NOW)));
    assert_eq!(m.get("csr-bbb").unwrap().1.node.as_deref(), Some("arm-9"));
    assert_eq!(failed(&m, "csr-bbb"), ["machine"]);
}

#[test]
fn machine_api_absent_means_no_machine_checks() {
    let mut m = CsrModel::new();
    m.machines_installed = Some(false);
    m.apply(arcs(&csrs()), &arcs(&nodes()), &[], at(NOW));
    let (_, v) = m.get("csr-bbb").unwrap();
    assert!(v.passed_all(), "{v:?}");
    assert!(!v.identity_confirmed());
}

#[test]
fn auto_approval_only_takes_arrivals_passing_every_check_once() {
    // Auto-approval turned on while the list is still loading (the model has seen nothing).
    let mut m = CsrModel::new();
    m.machines_installed = Some(true);
    m.set_auto(true);
    m.apply(Vec::new(), &[], &[], at(NOW));
    assert!(m.take_auto_approvals().is_empty());
    // The list completes; the app re-syncs right after the state message.
    m.set_live(true);
    m.apply(arcs(&csrs()), &arcs(&nodes()), &arcs(&machines()), at(NOW));
    assert!(
        m.take_auto_approvals().is_empty(),
        "the backlog is left alone"
    );
    // Even when the state message comes after the store already synced.
    let mut late = model();
    late.set_auto(true);
    late.set_live(true);
    late.apply(arcs(&csrs()), &arcs(&nodes()), &arcs(&machines()), at(NOW));
    assert!(late.take_auto_approvals().is_empty());
    let mut more = csrs();
    more.push(client_csr("csr-new-ok", "arm-3", at(NOW - 5)));
    more.push(client_csr("csr-new-bad", "arm-9", at(NOW - 5)));
    m.apply(arcs(&more), &arcs(&nodes()), &arcs(&machines()), at(NOW));
    assert_eq!(m.take_auto_approvals(), ["csr-new-ok"]);
    assert!(m.take_auto_approvals().is_empty(), "never twice");
    // The failing one stays held; off clears the candidates.
    m.set_auto(false);
    assert!(m.take_auto_approvals().is_empty());
}

// Whole-screen snapshots through the App, with a fixed clock.

fn wall_now() -> k8s_openapi::jiff::Timestamp {
    at(NOW)
}

fn app() -> App {
    app_with(csrs(), machines())
}

fn app_with(csrs: Vec<CertificateSigningRequest>, machines: Vec<Machine>) -> App {
    let (stores, mut w): (Stores, _) = Stores::with_writers();
    w.csrs.apply_watcher_event(&Event::Init);
    for c in csrs {
        w.csrs.apply_watcher_event(&Event::InitApply(c));
    }
    w.csrs.apply_watcher_event(&Event::InitDone);
    w.nodes.apply_watcher_event(&Event::Init);
    for n in nodes() {
        w.nodes.apply_watcher_event(&Event::InitApply(n));
    }
    w.nodes.apply_watcher_event(&Event::InitDone);
    w.fleet.machines.apply_watcher_event(&Event::Init);
    for m in machines {
        w.fleet.machines.apply_watcher_event(&Event::InitApply(m));
    }
    w.fleet.machines.apply_watcher_event(&Event::InitDone);
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(wall_now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    for kind in ["nodes", "certificatesigningrequests", "machines"] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    app.update(Action::Command("csr".into()));
    app
}

fn allow_writes(app: &mut App) {
    let access = app.pane().unwrap().writes().unwrap().write_access();
    for access in access {
        app.on_task(crate::action::TaskResult::AccessChecked {
            generation: 1,
            access,
            verdict: Ok(Verdict::Allowed),
        });
    }
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn key(app: &mut App, c: char) {
    app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

#[test]
fn csr_pane_snapshot() {
    let mut app = app();
    let s = screen(&mut app, 150, 12);
    assert!(s.contains("CSRs — pending only"), "{s}");
    insta::assert_snapshot!("csr_pane", s);
    key(&mut app, 'h');
    let s = screen(&mut app, 150, 12);
    assert!(
        s.contains("CSRs — all") && s.contains("Approved,Issued"),
        "{s}"
    );
    insta::assert_snapshot!("csr_pane_history", s);
    key(&mut app, 'J');
    insta::assert_snapshot!("csr_joining", screen(&mut app, 150, 12));
    key(&mut app, 'J');
    // Details of the selected (failing) CSR: every check with its reason.
    key(&mut app, 'j');
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let s = screen(&mut app, 150, 50);
    assert!(
        s.contains("csr-bbb — details")
            && s.contains("Subject CN: system:node:arm-2")
            && s.contains("Checks: FAILED")
            && s.contains("✗ Machine [machine]"),
        "{s}"
    );
    key(&mut app, 'y');
    let s = screen(&mut app, 150, 50);
    assert!(
        s.contains("kind: CertificateSigningRequest") || s.contains("signerName"),
        "{s}"
    );
}

#[test]
fn confirm_dialog_snapshots() {
    let mut app = app();
    // Before the RBAC answers are in, `a` says it is checking, and writes nothing.
    key(&mut app, 'a');
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("checking permission to update certificatesigningrequests/approval"),
        "{s}"
    );
    assert!(!s.contains("Approve csr-aaa"), "{s}");
    assert!(
        !app.take_effects()
            .iter()
            .any(|e| matches!(e, crate::app::Effect::Write(_)))
    );
    // The press is not dropped: when the answers come, its confirm dialog opens.
    allow_writes(&mut app);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Approve csr-aaa"), "{s}");
    app.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    key(&mut app, 'j');
    key(&mut app, 'a');
    for c in "arm-9".chars() {
        key(&mut app, c);
    }
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("does not confirm"), "{s}");
    insta::assert_snapshot!("confirm_override", s);
    app.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    key(&mut app, 'A');
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Skipped (2 failing a check or without a"), "{s}");
    insta::assert_snapshot!("confirm_bulk", s);
    // Enter queues exactly one write with the one passing CSR.
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let writes: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            crate::app::Effect::Write(crate::actions::WriteRequest::Csr(w)) => Some(w),
            _ => None,
        })
        .collect();
    assert_eq!(writes.len(), 1);
    let w = &writes[0];
    assert_eq!(
        w.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["csr-aaa"]
    );
    assert_eq!(w.origin.context, "hub");
}

/// The approve dialog never runs off the screen: on a 45-row and even a 24-row terminal the
/// prompt, the confirm line and the field stay visible, and the checks scroll with ↑/↓/PgDn.
#[test]
fn approve_dialog_fits_small_terminals_and_scrolls() {
    let mut app = app();
    allow_writes(&mut app);
    key(&mut app, 'j');
    key(&mut app, 'a');
    for c in "arm-2".chars() {
        key(&mut app, c);
    }
    for (w, h) in [(80, 45), (80, 24)] {
        let s = screen(&mut app, w, h);
        assert!(
            s.contains("enter confirm"),
            "{w}x{h}: confirm line cut off:\n{s}"
        );
        assert!(s.contains("Type the node name"), "{w}x{h}:\n{s}");
        assert!(s.contains("│arm-2"), "{w}x{h}: the field is cut off:\n{s}");
    }
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("scroll: lines 1–"), "{s}");
    assert!(
        !s.contains("✗ Machine"),
        "the last check should be below the fold:\n{s}"
    );
    insta::assert_snapshot!("confirm_approve_80x24_top", s);
    let page = |app: &mut App| {
        app.handle_key(&KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
    };
    page(&mut app);
    page(&mut app);
    page(&mut app);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("✗ Machine"), "scrolled to the end:\n{s}");
    assert!(s.contains("│arm-2"), "typing kept: {s}");
    insta::assert_snapshot!("confirm_approve_80x24_end", s);
    app.handle_key(&KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
    let up = screen(&mut app, 80, 24);
    assert_ne!(up, s, "↑ scrolls back");
    // Enter still confirms with the typed name: one approval write.
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let writes = app
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, crate::app::Effect::Write(_)))
        .count();
    assert_eq!(writes, 1);
}

#[test]
fn every_size_renders_without_panicking() {
    let mut app = app();
    allow_writes(&mut app);
    for (w, h) in [(20, 5), (40, 8), (41, 9), (80, 12), (120, 30), (300, 80)] {
        screen(&mut app, w, h);
        key(&mut app, 'j');
        key(&mut app, 'a');
        for c in "ap".chars() {
            key(&mut app, c);
        }
        screen(&mut app, w, h);
        app.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        key(&mut app, 'J');
        screen(&mut app, w, h);
        key(&mut app, 'J');
    }
}

#[test]
fn long_requestors_keep_the_account_name() {
    use super::view::fit_requestor;
    let sa = "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper";
    assert_eq!(fit_requestor(sa, 80), sa);
    assert_eq!(
        fit_requestor(sa, 60),
        "sa:openshift-machine-config-operator:node-bootstrapper"
    );
    let fitted = fit_requestor(sa, 40);
    assert_eq!(fitted, "sa:openshift-machine-…:node-bootstrapper");
    assert_eq!(fitted.chars().count(), 40);
    // Too narrow for the name: plain truncation, never wider than asked.
    assert_eq!(fit_requestor(sa, 9), "sa:opens…");
    assert_eq!(
        fit_requestor("system:node:arm64-worker-1", 20),
        "syst…:arm64-worker-1"
    );
}

/// A serving CSR with 3,000 SANs: its checks run to hundreds of wrapped lines, yet the dialog's
/// input line and confirm line stay on screen, and what is typed lands in the field.
#[test]
fn approve_dialog_of_a_3000_san_csr_keeps_its_input_in_view() {
    let names: Vec<String> = (0..3000).map(|i| format!("san-{i}.example.com")).collect();
    let mut sans: Vec<&str> = vec!["w1", "10.0.0.5"];
    sans.extend(names.iter().map(String::as_str));
    let app_csrs = vec![serving_csr("csr-huge", "w1", &sans, at(NOW - 60))];
    // w1's Machine vouches for two of the SANs: the check names the 3,000 others.
    let w1: Machine = serde_json::from_value(machine(
        "w1-machine",
        &[("InternalDNS", "w1"), ("InternalIP", "10.0.0.5")],
        Some("w1"),
        at(-9000),
    ))
    .unwrap();
    let mut app = app_with(app_csrs, vec![w1]);
    allow_writes(&mut app);
    key(&mut app, 'a');
    for c in "w1".chars() {
        key(&mut app, c);
    }
    for (w, h) in [(100, 40), (80, 24)] {
        let s = screen(&mut app, w, h);
        assert!(
            s.contains("esc cancel"),
            "{w}x{h}: confirm line cut off:\n{s}"
        );
        assert!(s.contains("│w1"), "{w}x{h}: the field is cut off:\n{s}");
        assert!(
            s.contains("scroll: lines 1–"),
            "{w}x{h}: no scrolling:\n{s}"
        );
    }
}

/// Validations made ahead (on the watch layer's blocking thread) are taken while their CSR, node
/// and Machines are unchanged, and redone when one moved: a Node that joined after they were made
/// turns csr-aaa's verdict, exactly as validating in the pane would.
#[test]
fn validations_made_ahead_are_used_only_while_what_they_read_holds() {
    use crate::csr::decode::Predecoded;
    use crate::csr::machines::MachineIndex;
    use crate::csr::prevalidate::Prevalidated;
    let csrs: Vec<_> = arcs(
        &csrs()
            .into_iter()
            .map(|c| versioned(c, "1"))
            .collect::<Vec<_>>(),
    );
    let machines = arcs(&machines());
    let index = MachineIndex::new(machines.iter().map(|m| m.to_value()).collect());
    let pre = Arc::new(Predecoded::default());
    pre.fill(&csrs);
    let ahead = Arc::new(Prevalidated::default());
    ahead.fill(&csrs, &arcs(&nodes()), Some(&index), &pre);
    assert_eq!(ahead.len(), csrs.len());

    // arm-1 joined since: csr-aaa's validation made ahead no longer holds.
    let mut nodes = nodes();
    nodes.push(node("arm-1", &[("Hostname", "arm-1")], None, at(NOW)));
    nodes.last_mut().unwrap().metadata.resource_version = Some("7".into());
    let mut m = CsrModel::new();
    m.machines_installed = Some(true);
    m.use_predecoded(pre);
    m.use_prevalidated(ahead.clone());
    assert!(m.apply(csrs.clone(), &arcs(&nodes), &machines, at(NOW)));
    assert!(ahead.is_empty(), "every one was taken");
    let mut fresh = CsrModel::new();
    fresh.machines_installed = Some(true);
    assert!(fresh.apply(csrs.clone(), &arcs(&nodes), &machines, at(NOW)));
    for c in &csrs {
        let name = c.metadata.name.as_deref().unwrap();
        assert_eq!(m.get(name).unwrap().1, fresh.get(name).unwrap().1, "{name}");
    }
    assert!(
        m.get("csr-aaa")
            .unwrap()
            .1
            .failed_ids()
            .contains(&"node-absent")
    );
}

/// A decided CSR keeps only what its row shows: the same row as its full validation would
/// give, no Node or Machine change redoes it, and its details still list every check.
#[test]
fn decided_csrs_keep_a_summary_and_their_details_every_check() {
    let csrs: Vec<_> = csrs().into_iter().map(|c| versioned(c, "1")).collect();
    let mut m = model();
    let full = crate::csr::checks::validate(
        &csrs[2],
        &crate::csr::checks::Inputs {
            nodes: &super::model::NodeIndex(
                nodes()
                    .into_iter()
                    .map(|n| (n.metadata.name.clone().unwrap(), Arc::new(n)))
                    .collect(),
            ),
            machines: Some(&crate::csr::machines::MachineIndex::new(
                machines().iter().map(|m| m.to_value()).collect(),
            )),
            now: at(NOW),
        },
    );
    assert!(full.checks.len() > 1);
    let (_, kept) = m.get("csr-ccc").unwrap();
    assert_eq!(kept.checks.len(), 1, "{kept:?}");
    assert_eq!(kept.passed_all(), full.passed_all());
    assert_eq!(
        kept.first_failure().map(|c| c.id),
        full.first_failure().map(|c| c.id)
    );
    assert_eq!(kept.node, full.node);
    // Its details validate afresh: every check is listed.
    let details = m.validate_now(m.get("csr-ccc").unwrap().0, at(NOW));
    assert_eq!(details.checks.len(), full.checks.len());

    // Its node changes: pending CSRs naming a node are redone, the decided one is not.
    m = CsrModel::new();
    m.machines_installed = Some(true);
    let mut ns = nodes();
    ns[0].metadata.resource_version = Some("1".into());
    assert!(m.apply(arcs(&csrs), &arcs(&ns), &arcs(&machines()), at(NOW)));
    let before = m.get("csr-ccc").unwrap().1.clone();
    ns[0].metadata.resource_version = Some("2".into());
    ns[0].status.as_mut().unwrap().addresses = None;
    assert!(m.apply(arcs(&csrs), &arcs(&ns), &arcs(&machines()), at(NOW)));
    assert_eq!(m.get("csr-ccc").unwrap().1, &before);
    // The history view shows it with its check cell.
    m.history = HistoryFilter::All;
    m.rebuild_rows();
    let row = m.rows().find(|r| r.name == "csr-ccc").unwrap();
    let want = full
        .first_failure()
        .map_or("✓".to_string(), |c| c.id.to_string());
    assert_eq!(row.check, want);
}

/// A pane off screen whose kinds are live gets its first full sync in a pause in typing, not
/// on the key that first shows it; never while keys come.
#[test]
fn panes_off_screen_warm_up_while_nobody_types() {
    let (stores, mut w): (Stores, _) = Stores::with_writers();
    w.csrs.apply_watcher_event(&Event::Init);
    for c in csrs() {
        w.csrs.apply_watcher_event(&Event::InitApply(c));
    }
    w.csrs.apply_watcher_event(&Event::InitDone);
    let ahead = stores.csr_prevalidated.clone();
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(wall_now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    let csr_pane = "CSRs";
    assert!(app.cold_panes().any(|t| t == csr_pane));
    // Not live yet: nothing to warm.
    assert!(!app.warm_up(Instant::now() + crate::app::WARM_IDLE));
    assert!(app.cold_panes().any(|t| t == csr_pane));
    for kind in ["nodes", "certificatesigningrequests", "machines"] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    // A key just came: no warm-up.
    key(&mut app, 'j');
    app.warm_up(Instant::now());
    assert!(app.cold_panes().any(|t| t == csr_pane));
    // Live, but the validations made ahead are not there yet: making them here would hold
    // the UI thread for seconds at fleet scale.
    for _ in 0..10 {
        app.warm_up(Instant::now() + crate::app::WARM_IDLE);
    }
    assert!(app.cold_panes().any(|t| t == csr_pane));
    ahead.fill(&[], &[], None, &crate::csr::decode::Predecoded::default());
    // A pause: one pane per call, the CSR pane among them.
    for _ in 0..40 {
        app.warm_up(Instant::now() + crate::app::WARM_IDLE);
    }
    assert!(!app.cold_panes().any(|t| t == csr_pane));
    // Shown now, its rows are there at once.
    app.update(Action::Command("csr".into()));
    let s = screen(&mut app, 160, 30);
    assert!(s.contains("csr-aaa"), "{s}");

    // Off screen again, it falls behind the stores and catches up in a pause every REFRESH,
    // not at every change.
    app.update(Action::Command("no".into()));
    let mut c = csrs()[0].clone();
    c.metadata.resource_version = Some("77".into());
    w.csrs.apply_watcher_event(&Event::Apply(c));
    app.kinds_changed(&std::collections::BTreeSet::from([
        "certificatesigningrequests",
    ]));
    assert!(app.stale.contains(csr_pane));
    assert!(app.wants_warm_up());
    let later = Instant::now() + crate::app::WARM_IDLE;
    app.warm_up(later);
    assert!(app.stale.contains(csr_pane), "refreshed too soon");
    for _ in 0..5 {
        app.warm_up(later + crate::app::REFRESH);
    }
    assert!(!app.stale.contains(csr_pane), "never refreshed");
}

/// The pending rows' ages and countdowns are drawn from the real clock, fractions included: a
/// frame drawn 300 ms into a second reads differently 700 ms later, not 1 ms later (rounding
/// the clock down to whole seconds made every countdown look due at once, and the pane was
/// drawn again every frame: 8 % of a core at fleet scale).
#[test]
fn a_frame_of_pending_csrs_is_due_again_at_the_next_second() {
    let mut app = app();
    let frac = k8s_openapi::jiff::SignedDuration::from_millis(300);
    app.set_time(wall_now() + frac, Instant::now());
    app.update(Action::Resize(150, 12));
    let mut t = Terminal::new(TestBackend::new(150, 12)).unwrap();
    let (drawn, wait) = crate::age::changes_of(|| t.draw(|f| crate::ui::render(&app, f)));
    assert!(drawn.is_ok());
    assert_eq!(wait, Some(std::time::Duration::from_millis(700)));
}
