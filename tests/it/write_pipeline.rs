//! The one write pipeline, action by action, against the simulated hub. For every cluster write
//! (approve, deny, bulk approve, auto-approve, scale, autoscaling edit, cordon, uncordon,
//! live-migrate, migrate all, create): read-only mode disables it with its reason, an RBAC denial
//! disables it with its reason, a request made before the RBAC answer is known is parked (not
//! dropped) and opens its confirm dialog when the answer comes, nothing is written before the
//! confirm, the executor really writes to the sim, one audit record per object appears, and the
//! result message reaches the status bar. Then the pinning: a write for an object that changed
//! since it was shown is refused and changes nothing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use kube::api::{ApiResource, DynamicObject, ListParams};
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use shiftdeck::action::{Action, TaskResult};
use shiftdeck::actions::csr_approve::{CsrItem, CsrWrite};
use shiftdeck::actions::node::{CordonWrite, MigrateWrite};
use shiftdeck::actions::scale::ScaleWrite;
use shiftdeck::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
use shiftdeck::app::{App, Effect};
use shiftdeck::csr::approval::Decision;
use shiftdeck::fleet::scale_target::ScaleKind;
use shiftdeck::fleet::util::str_at;
use shiftdeck::gate::{READ_ONLY_REASON, Verdict};
use shiftdeck::keymap::Keymap;
use shiftdeck::migration::inputs::MigrationInputs;
use shiftdeck::migration::request::{check_migratable, migration_body, plan_migrate_all};
use shiftdeck::scale_io::ScaleChange;
use shiftdeck::theme::Theme;
use shiftdeck::watch::migration_kinds::{WATCHED_KINDS, list_all};
use shiftdeck::watch::{Stores, WatchMsg};
use shiftdeck_sim::{self as sim, SimOptions};

const INFRA_NODE: &str = "worker-5";

/// What the sim must show after the write.
enum Expect {
    CsrCondition(Vec<String>, &'static str),
    Replicas(String, i64),
    AutoScaling(String, i64, i64),
    Unschedulable(bool),
    Migration(String),
    NodePool(String),
}

struct Case {
    /// The action, as its audit records name it.
    action: &'static str,
    confirm: ConfirmRequest,
    /// How many audit records (one per object).
    records: usize,
    expect: Expect,
}

fn screen(app: &mut App) -> String {
    app.update(Action::Resize(200, 50));
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn enter(app: &mut App) {
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

fn writes(fx: &[Effect]) -> Vec<WriteRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Write(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn nodepools() -> ApiResource {
    ApiResource {
        group: "hypershift.openshift.io".into(),
        version: "v1beta1".into(),
        api_version: "hypershift.openshift.io/v1beta1".into(),
        kind: "NodePool".into(),
        plural: "nodepools".into(),
    }
}

/// An app connected to stores fed from the sim's lists (nodes and the migration kinds), with
/// the Maintenance pane open on the infra node, as after `m` on it.
fn fed_app(
    nodes: &[Node],
    lists: &[(shiftdeck::watch::KindSpec, Vec<Value>)],
    read_only: bool,
    audit: &Path,
) -> App {
    let (stores, mut writers) = Stores::with_writers();
    writers.nodes.apply_watcher_event(&Event::Init);
    for n in nodes {
        writers
            .nodes
            .apply_watcher_event(&Event::InitApply(n.clone()));
    }
    writers.nodes.apply_watcher_event(&Event::InitDone);
    for (spec, items) in lists {
        if let Some(i) = WATCHED_KINDS.iter().position(|k| k.id == spec.id) {
            let w = &mut writers.migration.writers[i];
            w.apply_watcher_event(&Event::Init);
            for v in items {
                let o: DynamicObject = serde_json::from_value(v.clone()).unwrap();
                w.apply_watcher_event(&Event::InitApply(o));
            }
            w.apply_watcher_event(&Event::InitDone);
        }
    }
    let mut app = App::new(Keymap::default(), Theme::default(), read_only);
    app.audit_path = Some(audit.to_path_buf());
    app.set_time(k8s_openapi::jiff::Timestamp::now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    for kind in ["nodes"]
        .into_iter()
        .chain(WATCHED_KINDS.iter().map(|k| k.id))
    {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: shiftdeck::watch::KindState::Live,
        });
    }
    app.update(Action::Command("nodes".into()));
    for _ in 0..60 {
        if app.pane().and_then(|p| p.selected_key()).as_deref() == Some(INFRA_NODE) {
            break;
        }
        app.handle_key(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    }
    app.handle_key(&KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE));
    app
}

/// A pending kubelet client CSR for `node` (a made-up machine), posted by the node-bootstrapper
/// (put into the sim's store: the API would record the test's own user as the requestor).
async fn new_csr(
    h: &sim::SimHandle,
    client: &kube::Client,
    node: &str,
) -> CertificateSigningRequest {
    use shiftdeck_sim::scenario::objects::{BOOTSTRAPPER, bootstrapper_groups, csr_object, put};
    let pem = shiftdeck_sim::pki::node_csr_pem(node, shiftdeck_sim::pki::CsrKind::Client, &[], &[])
        .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(pem);
    let name = format!("csr-{node}");
    let obj = csr_object(
        &name,
        &b64,
        shiftdeck::csr::SIGNER_CLIENT,
        BOOTSTRAPPER,
        &bootstrapper_groups(),
        json!(["digital signature", "client auth"]),
    );
    put(
        &h.store,
        "certificatesigningrequests.certificates.k8s.io",
        obj,
    )
    .unwrap();
    kube::Api::<CertificateSigningRequest>::all(client.clone())
        .get(&name)
        .await
        .unwrap()
}

/// Pin `csr` with the validation the pane would show (same Nodes and Machines as the executor
/// reads when it checks again at submit).
async fn pinned(client: &kube::Client, csr: &CertificateSigningRequest) -> CsrItem {
    let machines = shiftdeck::watch::machine::machines_for_checks(client)
        .await
        .unwrap();
    let nodes: Vec<Node> = Vec::new();
    let v = shiftdeck::csr::checks::validate(
        csr,
        &shiftdeck::csr::checks::Inputs {
            nodes: &nodes,
            machines: machines.as_ref(),
            now: k8s_openapi::jiff::Timestamp::now(),
        },
    );
    CsrItem::pinned(csr, &v)
}

fn confirm(title: &str, write: WriteRequest) -> ConfirmRequest {
    ConfirmRequest {
        title: title.into(),
        lines: vec![ConfirmLine::new(
            Tone::Plain,
            format!("{title} (pipeline test)"),
        )],
        prompt: None,
        write,
    }
}

async fn csr_cases(h: &sim::SimHandle, client: &kube::Client) -> Vec<Case> {
    let mut out = Vec::new();
    for (action, decision, auto, nodes) in [
        ("approve", Decision::Approve, false, vec!["pipe-a"]),
        ("deny", Decision::Deny, false, vec!["pipe-d"]),
        (
            "approve",
            Decision::Approve,
            false,
            vec!["pipe-b1", "pipe-b2"],
        ),
        ("auto-approve", Decision::Approve, true, vec!["pipe-auto"]),
    ] {
        let mut items = Vec::new();
        for n in &nodes {
            let c = new_csr(h, client, n).await;
            items.push(pinned(client, &c).await);
        }
        let names: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        let cond = if decision == Decision::Approve {
            "Approved"
        } else {
            "Denied"
        };
        out.push(Case {
            action,
            records: items.len(),
            confirm: confirm(
                &format!("{action} {}", names.join(" ")),
                WriteRequest::Csr(CsrWrite {
                    decision,
                    items,
                    auto,
                    origin: Origin::default(),
                }),
            ),
            expect: Expect::CsrCondition(names, cond),
        });
    }
    out
}

async fn scale_cases(client: &kube::Client) -> Vec<Case> {
    let api: kube::Api<DynamicObject> =
        kube::Api::namespaced_with(client.clone(), "clusters", &nodepools());
    let pools = api.list(&ListParams::default()).await.unwrap().items;
    let by_name = |n: &str| {
        pools
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(n))
            .unwrap()
            .clone()
    };
    let extra = by_name("example-extra-cpu");
    let from = extra.data["spec"]["replicas"].as_i64().unwrap();
    let scale = ScaleWrite {
        kind: ScaleKind::NodePool,
        namespace: "clusters".into(),
        name: "example-extra-cpu".into(),
        uid: extra.metadata.uid.clone(),
        had_replicas: true,
        change: ScaleChange::Replicas {
            from,
            to: from + 1,
            likely_removed: Vec::new(),
        },
        origin: Origin::default(),
    };
    let user = by_name("user-np");
    let autoscaling = ScaleWrite {
        name: "user-np".into(),
        uid: user.metadata.uid.clone(),
        had_replicas: user.data["spec"].get("replicas").is_some(),
        change: ScaleChange::Autoscaling { min: 2, max: 5 },
        ..scale.clone()
    };
    vec![
        Case {
            action: "scale",
            records: 1,
            confirm: confirm("Scale example-extra-cpu", WriteRequest::Scale(scale)),
            expect: Expect::Replicas("example-extra-cpu".into(), from + 1),
        },
        Case {
            action: "autoscaling",
            records: 1,
            confirm: confirm("Autoscale user-np", WriteRequest::Scale(autoscaling)),
            expect: Expect::AutoScaling("user-np".into(), 2, 5),
        },
    ]
}

fn node_cases(node: &Node, inputs: &MigrationInputs) -> Vec<Case> {
    let cordon = |on: bool| CordonWrite {
        node: INFRA_NODE.into(),
        uid: node.metadata.uid.clone(),
        has_spec: node.spec.is_some(),
        unschedulable: on,
        origin: Origin::default(),
    };
    let all = plan_migrate_all(INFRA_NODE, &inputs.vmis, &inputs.migrations);
    assert!(
        !all.requests.is_empty(),
        "nothing migratable on {INFRA_NODE}"
    );
    let all_vmi = str_at(&all.requests[0], "/spec/vmiName")
        .unwrap()
        .to_string();
    // One migratable VMI elsewhere, for the single live migration.
    let one = inputs
        .vmis
        .iter()
        .find(|v| {
            str_at(v, "/status/nodeName") != Some(INFRA_NODE)
                && check_migratable(v, &inputs.migrations).is_ok()
        })
        .expect("a migratable VMI on another node");
    let one_vmi = str_at(one, "/metadata/name").unwrap().to_string();
    let one_node = str_at(one, "/status/nodeName").unwrap().to_string();
    vec![
        Case {
            action: "cordon",
            records: 1,
            confirm: confirm("cordon worker-5?", WriteRequest::Cordon(cordon(true))),
            expect: Expect::Unschedulable(true),
        },
        Case {
            action: "uncordon",
            records: 1,
            confirm: confirm("uncordon worker-5?", WriteRequest::Cordon(cordon(false))),
            expect: Expect::Unschedulable(false),
        },
        Case {
            action: "live-migrate",
            records: 1,
            confirm: confirm(
                &format!("live-migrate {one_vmi}?"),
                WriteRequest::Migrate(MigrateWrite {
                    node: one_node,
                    bodies: vec![migration_body(one)],
                    origin: Origin::default(),
                }),
            ),
            expect: Expect::Migration(one_vmi),
        },
        Case {
            action: "live-migrate",
            records: all.requests.len(),
            confirm: confirm(
                "migrate all migratable VMIs off worker-5?",
                WriteRequest::Migrate(MigrateWrite {
                    node: INFRA_NODE.into(),
                    bodies: all.requests.clone(),
                    origin: Origin::default(),
                }),
            ),
            expect: Expect::Migration(all_vmi),
        },
    ]
}

/// The `:addnodepool` wizard's plan for a new pool of the example cluster.
fn create_case() -> Case {
    use shiftdeck::wizard::build::{NodePoolSettings, NodePoolSpec, build_nodepool};
    use shiftdeck::wizard::validate;
    let plan = build_nodepool(&NodePoolSpec {
        name: validate::nodepool_name("pipe-extra").unwrap(),
        namespace: "clusters".into(),
        cluster_name: "example".into(),
        release_image: "quay.io/openshift-release-dev/ocp-release:4.18.1-multi".into(),
        settings: NodePoolSettings {
            replicas: validate::replicas("1").unwrap(),
            ..NodePoolSettings::default()
        },
    });
    Case {
        action: "create",
        records: 1,
        confirm: confirm(
            "Create NodePool clusters/pipe-extra on the cluster now?",
            WriteRequest::Create(shiftdeck::actions::create::CreateWrite {
                plan: Box::new(plan),
                target: "NodePool clusters/pipe-extra".into(),
                origin: Origin::default(),
            }),
        ),
        expect: Expect::NodePool("pipe-extra".into()),
    }
}

async fn check_cluster(client: &kube::Client, expect: &Expect) {
    match expect {
        Expect::CsrCondition(names, cond) => {
            let api = kube::Api::<CertificateSigningRequest>::all(client.clone());
            for n in names {
                let c = api.get(n).await.unwrap();
                let types: Vec<String> = c
                    .status
                    .and_then(|s| s.conditions)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| c.type_)
                    .collect();
                assert!(types.iter().any(|t| t == cond), "{n}: {types:?}");
            }
        }
        Expect::Replicas(name, n) => {
            let api: kube::Api<DynamicObject> =
                kube::Api::namespaced_with(client.clone(), "clusters", &nodepools());
            let p = api.get(name).await.unwrap();
            assert_eq!(p.data["spec"]["replicas"], json!(n));
        }
        Expect::AutoScaling(name, min, max) => {
            let api: kube::Api<DynamicObject> =
                kube::Api::namespaced_with(client.clone(), "clusters", &nodepools());
            let p = api.get(name).await.unwrap();
            assert_eq!(
                p.data["spec"]["autoScaling"],
                json!({"min": min, "max": max})
            );
            assert!(p.data["spec"].get("replicas").is_none(), "{}", p.data);
        }
        Expect::Unschedulable(on) => {
            let n = kube::Api::<Node>::all(client.clone())
                .get(INFRA_NODE)
                .await
                .unwrap();
            assert_eq!(n.spec.and_then(|s| s.unschedulable).unwrap_or(false), *on);
        }
        Expect::NodePool(name) => {
            let api: kube::Api<DynamicObject> =
                kube::Api::namespaced_with(client.clone(), "clusters", &nodepools());
            assert!(
                api.get_opt(name).await.unwrap().is_some(),
                "no NodePool {name}"
            );
        }
        Expect::Migration(vmi) => {
            let lists = list_all(client).await.unwrap();
            let inputs = MigrationInputs::from_lists(lists);
            assert!(
                inputs
                    .migrations
                    .iter()
                    .any(|m| str_at(m, "/spec/vmiName") == Some(vmi.as_str())),
                "no migration for {vmi}"
            );
        }
    }
}

/// Every action through gate, park, confirm, executor, audit and result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_goes_through_the_one_pipeline() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audit: PathBuf = dir.path().join("audit.jsonl");
    let nodes = kube::Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    let lists = list_all(&client).await.unwrap();
    let inputs = MigrationInputs::from_lists(lists.clone());
    let infra = nodes
        .iter()
        .find(|n| n.metadata.name.as_deref() == Some(INFRA_NODE))
        .unwrap()
        .clone();

    let mut cases = csr_cases(&h, &client).await;
    cases.extend(scale_cases(&client).await);
    cases.extend(node_cases(&infra, &inputs));
    cases.push(create_case());
    assert_eq!(cases.len(), 11);

    for case in cases {
        let what = format!("{} ({})", case.action, case.confirm.title);
        let access = case.confirm.write.access();

        // Read-only: disabled with the reason, no dialog, nothing written.
        let mut ro = fed_app(&nodes, &lists, true, &audit);
        ro.take_effects();
        ro.request_write(case.confirm.clone());
        let s = screen(&mut ro);
        assert!(s.contains(READ_ONLY_REASON), "{what}: {s}");
        assert!(!s.contains(&case.confirm.title), "{what}: {s}");
        assert!(writes(&ro.take_effects()).is_empty(), "{what}");

        // RBAC denied: disabled with the API server's reason.
        let mut viewer = fed_app(&nodes, &lists, false, &audit);
        viewer.take_effects();
        for a in &access {
            viewer.on_task(TaskResult::AccessChecked {
                generation: 1,
                access: a.clone(),
                verdict: Ok(Verdict::Denied(format!(
                    "RBAC: you may not {} (test)",
                    a.describe()
                ))),
            });
        }
        viewer.request_write(case.confirm.clone());
        let s = screen(&mut viewer);
        assert!(s.contains(": RBAC: you may not"), "{what}: {s}");
        assert!(!s.contains(&case.confirm.title), "{what}: {s}");
        assert!(writes(&viewer.take_effects()).is_empty(), "{what}");

        // Unknown answer: the request is parked and its questions are out (asked ahead on
        // connect, or now); nothing is shown or written yet.
        let mut app = fed_app(&nodes, &lists, false, &audit);
        app.request_write(case.confirm.clone());
        let fx = app.take_effects();
        let asked: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::CheckAccess(l) => Some(l.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        for a in &access {
            assert!(asked.contains(a), "{what}: {} never asked", a.describe());
        }
        assert!(writes(&fx).is_empty(), "{what}");
        let s = screen(&mut app);
        assert!(s.contains("checking permission to"), "{what}: {s}");
        assert!(!s.contains(&case.confirm.title), "{what}: {s}");

        // The answers come: the parked request opens its confirm dialog; still nothing written.
        for a in &access {
            app.on_task(TaskResult::AccessChecked {
                generation: 1,
                access: a.clone(),
                verdict: Ok(Verdict::Allowed),
            });
        }
        let s = screen(&mut app);
        assert!(s.contains(&case.confirm.title), "{what}: no dialog\n{s}");
        assert!(s.contains("y/Enter: confirm"), "{what}: {s}");
        assert!(writes(&app.take_effects()).is_empty(), "{what}");

        // Confirmed: exactly one write, with who and where filled in.
        enter(&mut app);
        let w = writes(&app.take_effects());
        assert_eq!(w.len(), 1, "{what}");
        let before = audit_lines(&audit).len();

        // The executor writes to the sim, audits, and reports.
        let report = shiftdeck::actions::run(client.clone(), w[0].clone()).await;
        assert!(report.ok, "{what}: {}", report.summary);
        assert_eq!(report.kind, case.confirm.write.kind(), "{what}");
        check_cluster(&client, &case.expect).await;
        let lines = audit_lines(&audit);
        assert_eq!(lines.len(), before + case.records, "{what}");
        for r in &lines[before..] {
            assert_eq!(r["action"], case.action, "{what}: {r}");
            assert_eq!(r["context"], "hub", "{what}: {r}");
            for field in ["time", "user", "local_user", "target", "outcome"] {
                assert!(
                    r[field].as_str().is_some_and(|v| !v.is_empty()),
                    "{what}: no {field} in {r}"
                );
            }
            assert!(r["object"]["kind"].as_str().is_some(), "{what}: {r}");
            assert!(r["object"]["name"].as_str().is_some(), "{what}: {r}");
        }
        // The one result message reaches the status bar.
        assert!(app.on_task(TaskResult::WriteDone {
            generation: 1,
            report: report.clone(),
        }));
        let s = screen(&mut app);
        let first = report.summary.chars().take(40).collect::<String>();
        assert!(s.contains(&first), "{what}: {first:?} not shown\n{s}");
    }
    h.shutdown();
}

/// `:autoapprove on` (the confirmation of auto-approval) goes through the same gate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoapprove_is_gated_like_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut ro = fed_app(&[], &[], true, &audit);
    ro.update(Action::Command("autoapprove on".into()));
    let s = screen(&mut ro);
    assert!(s.contains(READ_ONLY_REASON), "{s}");
    assert!(!ro.autoapprove);
    let mut viewer = fed_app(&[], &[], false, &audit);
    let csr_access = [
        shiftdeck::actions::csr_approve::approval_access(),
        shiftdeck::actions::csr_approve::signer_access(shiftdeck::csr::SIGNER_CLIENT),
        shiftdeck::actions::csr_approve::signer_access(shiftdeck::csr::SIGNER_SERVING),
    ];
    for a in &csr_access {
        viewer.on_task(TaskResult::AccessChecked {
            generation: 1,
            access: a.clone(),
            verdict: Ok(Verdict::Denied("RBAC: you may not approve (test)".into())),
        });
    }
    viewer.update(Action::Command("autoapprove on".into()));
    let s = screen(&mut viewer);
    assert!(
        s.contains("action disabled: RBAC: you may not approve"),
        "{s}"
    );
    assert!(!viewer.autoapprove);
}

/// The executors pin each write to the object shown: a re-created object (other uid) or a
/// changed count is refused, nothing changes, and the refusal is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_for_a_changed_object_are_refused() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let origin = Origin {
        user: "tester".into(),
        context: "hub".into(),
        audit: Some(audit.clone()),
    };
    let api: kube::Api<DynamicObject> =
        kube::Api::namespaced_with(client.clone(), "clusters", &nodepools());
    let pool = api.get("example-extra-cpu").await.unwrap();
    let from = pool.data["spec"]["replicas"].as_i64().unwrap();
    let base = ScaleWrite {
        kind: ScaleKind::NodePool,
        namespace: "clusters".into(),
        name: "example-extra-cpu".into(),
        uid: pool.metadata.uid.clone(),
        had_replicas: true,
        change: ScaleChange::Replicas {
            from,
            to: from + 2,
            likely_removed: Vec::new(),
        },
        origin: origin.clone(),
    };
    for stale in [
        ScaleWrite {
            uid: Some("another-incarnation".into()),
            ..base.clone()
        },
        ScaleWrite {
            change: ScaleChange::Replicas {
                from: from + 7,
                to: from + 2,
                likely_removed: Vec::new(),
            },
            ..base.clone()
        },
    ] {
        let r = shiftdeck::actions::run(client.clone(), WriteRequest::Scale(stale)).await;
        assert!(!r.ok, "{}", r.summary);
        assert!(
            r.summary.contains("changed since it was shown"),
            "{}",
            r.summary
        );
    }
    let after = api.get("example-extra-cpu").await.unwrap();
    assert_eq!(after.data["spec"]["replicas"], json!(from));

    let cordon = CordonWrite {
        node: INFRA_NODE.into(),
        uid: Some("another-incarnation".into()),
        has_spec: true,
        unschedulable: true,
        origin,
    };
    let r = shiftdeck::actions::run(client.clone(), WriteRequest::Cordon(cordon)).await;
    assert!(!r.ok && r.summary.contains("re-created"), "{}", r.summary);
    let n = kube::Api::<Node>::all(client.clone())
        .get(INFRA_NODE)
        .await
        .unwrap();
    assert_ne!(n.spec.and_then(|s| s.unschedulable), Some(true));

    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l["outcome"].as_str().unwrap().contains("error")
                || l["outcome"].as_str().unwrap().starts_with("cannot cordon")),
        "{lines:?}"
    );
    h.shutdown();
}

/// Writes outside the cluster (blob copy, abort; mirror is tested with skopeo in
/// `copies_mirror`) ask no RBAC question: read-only refuses them with the reason, otherwise
/// they go straight to the confirm dialog, and nothing is written before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_writes_are_gated_by_read_only_only() {
    use shiftdeck::actions::copy::{BlobAbortWrite, BlobCopyWrite};
    use shiftdeck::copies::sas::BlobTarget;
    use shiftdeck::panes::copies::modal::StartCopyRequest;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let sas = "sv=2021-08-06&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=racwdl&sig=c2VjcmV0";
    let target = BlobTarget::parse("http://127.0.0.1:1/acct/vhds/rhcos.vhd", Some(sas)).unwrap();
    for write in [
        WriteRequest::BlobCopy(BlobCopyWrite {
            req: StartCopyRequest {
                container: "http://127.0.0.1:1/acct/vhds".into(),
                sas: sas.into(),
                source: String::new(),
            },
            origin: Origin::default(),
        }),
        WriteRequest::BlobAbort(BlobAbortWrite {
            target: target.clone(),
            copy_id: "copy-1".into(),
            origin: Origin::default(),
        }),
    ] {
        assert!(write.access().is_empty());
        let c = confirm("Blob write", write);
        let mut ro = fed_app(&[], &[], true, &audit);
        ro.take_effects();
        ro.request_write(c.clone());
        let s = screen(&mut ro);
        assert!(s.contains(READ_ONLY_REASON), "{s}");
        assert!(writes(&ro.take_effects()).is_empty());
        let mut app = fed_app(&[], &[], false, &audit);
        app.take_effects();
        app.request_write(c.clone());
        let fx = app.take_effects();
        assert!(fx.is_empty(), "no question, no write: {fx:?}");
        let s = screen(&mut app);
        assert!(s.contains("Blob write"), "{s}");
        assert!(!s.contains("sig="), "{s}");
        enter(&mut app);
        let w = writes(&app.take_effects());
        assert_eq!(w.len(), 1);
        // Not even the debug form of the request shows the SAS signature.
        assert!(!format!("{w:?}").contains("c2VjcmV0"), "{w:?}");
    }
    assert!(!audit.exists(), "nothing ran");
}
