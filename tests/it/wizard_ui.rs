//! The creation wizards in the TUI without a cluster: the key-handling state machine (field
//! focus, step gating, cancel confirmation) and whole-screen snapshots of every step through
//! the real App, over hand-built hub facts and a fixed clock.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::{Action, TaskResult};
use shiftdeck::actions::{WriteDetail, WriteKind, WriteReport, WriteRequest};
use shiftdeck::app::wizards::WizardState;
use shiftdeck::app::wizards::jobs::{Job, Msg, Target};
use shiftdeck::app::wizards::wizard::{Phase, Request, Wizard};
use shiftdeck::app::{App, Effect};
use shiftdeck::keymap::Keymap;
use shiftdeck::theme::Theme;
use shiftdeck::wizard::facts::{
    ClusterFacts, CsvInfo, Fetched, HostedClusterInfo, ImageSetInfo, IngressInfo, NetworkInfo,
    NodePoolInfo, StorageClassInfo, StorageProfileInfo,
};
use shiftdeck::wizard::form::{ClusterForm, FieldId, NodePoolForm};

fn good() -> ClusterFacts {
    let sc = |name: &str, d: bool| StorageClassInfo {
        name: name.into(),
        is_default: d,
        provisioner: "p".into(),
    };
    let sp = |name: &str, modes: &[&str]| StorageProfileInfo {
        name: name.into(),
        access_modes: modes.iter().map(|m| m.to_string()).collect(),
    };
    ClusterFacts {
        openshift_version: Fetched::Present(Some("4.18.1".into())),
        csvs: Fetched::Present(vec![CsvInfo {
            namespace: "openshift-cnv".into(),
            name: "kubevirt-hyperconverged-operator.v4.18.3".into(),
            version: "4.18.3".into(),
            phase: "Succeeded".into(),
        }]),
        ingress: Fetched::Present(Some(IngressInfo {
            wildcard_policy: Some("WildcardsAllowed".into()),
            domain: Some("apps.hub.example.com".into()),
        })),
        storage_classes: Fetched::Present(vec![sc("ceph-rbd", true), sc("lvms-vg1", false)]),
        storage_profiles: Fetched::Present(vec![
            sp("ceph-rbd", &["ReadWriteMany", "ReadWriteOnce"]),
            sp("lvms-vg1", &["ReadWriteOnce"]),
        ]),
        network: Fetched::Present(Some(NetworkInfo {
            network_type: Some("OVNKubernetes".into()),
            mtu: Some(9000),
        })),
        metallbs: Fetched::Present(vec!["metallb".into()]),
        ip_address_pools: Fetched::Present(vec!["metallb-system/metallb".into()]),
        managed_clusters: Fetched::Present(vec!["local-cluster".into(), "spoke1".into()]),
        hypershift_resources: Fetched::Present(vec![
            "hostedclusters".into(),
            "hostedclusters/status".into(),
            "nodepools".into(),
        ]),
        cluster_image_sets: Fetched::Present(vec![
            ImageSetInfo {
                name: "img4.17.12".into(),
                release_image: "quay.io/ocp-release:4.17.12-multi".into(),
            },
            ImageSetInfo {
                name: "img4.18.1".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
            },
        ]),
        network_attachments: Fetched::Present(vec!["clusters/vlan-100".into()]),
        hosted_clusters: Fetched::Present(vec![
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "example".into(),
                platform: "KubeVirt".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
                payload_arch: Some("Multi".into()),
            },
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "s390".into(),
                platform: "KubeVirt".into(),
                release_image: "quay.io/ocp-release:4.18.1-s390x".into(),
                payload_arch: Some("S390X".into()),
            },
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "aws1".into(),
                platform: "AWS".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
                payload_arch: None,
            },
        ]),
        node_pools: Fetched::Present(vec![NodePoolInfo {
            namespace: "clusters".into(),
            name: "example".into(),
            cluster_name: "example".into(),
        }]),
    }
}

const PULL_SECRET: &str = r#"{"auths":{"quay.io":{"auth":"dXNlcjpzM2NyM3QtcHVsbA=="}}}"#;

/// A pull-secret file at a fixed path (shown in snapshots as `[PULL_SECRET]`).
/// Written once per test binary (tests run in parallel and read it while typing).
fn pull_secret_file() -> String {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let p =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wizard-ui-pull-secret.json");
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, PULL_SECRET).unwrap();
        // Atomic: a concurrently running test binary never reads a half-written file.
        std::fs::rename(&tmp, &p).unwrap();
        p.to_string_lossy().into_owned()
    })
    .clone()
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn send(w: &mut Wizard, c: KeyCode) -> Option<Request> {
    w.key(&key(c))
}

fn type_into(w: &mut Wizard, s: &str) {
    for c in s.chars() {
        assert!(send(w, KeyCode::Char(c)).is_none());
    }
}

fn focused_id(w: &Wizard) -> FieldId {
    w.focused().unwrap().id
}

#[test]
fn tab_moves_focus_and_wraps_typing_edits_the_focused_field() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    assert!(w.is_preflight());
    send(&mut w, KeyCode::Enter);
    assert_eq!(w.page, 1, "all checks pass: Enter continues");
    assert_eq!(focused_id(&w), FieldId::Name);
    type_into(&mut w, "demo");
    assert_eq!(w.focused().unwrap().value, "demo");
    send(&mut w, KeyCode::Backspace);
    assert_eq!(w.focused().unwrap().value, "dem");
    send(&mut w, KeyCode::Tab);
    assert_eq!(focused_id(&w), FieldId::Namespace);
    assert_eq!(w.focused().unwrap().value, "clusters");
    send(&mut w, KeyCode::BackTab);
    send(&mut w, KeyCode::BackTab);
    assert_eq!(focused_id(&w), FieldId::Tolerations, "wraps around");
    for _ in 0..4 {
        send(&mut w, KeyCode::BackTab);
    }
    assert_eq!(focused_id(&w), FieldId::EtcdStorageClass);
    // A pick list cycles through the storage classes with ←/→.
    send(&mut w, KeyCode::Right);
    assert_eq!(w.focused().unwrap().value, "ceph-rbd");
    send(&mut w, KeyCode::Right);
    assert_eq!(w.focused().unwrap().value, "lvms-vg1");
    send(&mut w, KeyCode::Right);
    assert_eq!(w.focused().unwrap().value, "ceph-rbd");
}

#[test]
fn enter_is_blocked_with_the_errors_listed_until_they_are_fixed() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    send(&mut w, KeyCode::Enter);
    send(&mut w, KeyCode::Enter);
    assert_eq!(w.page, 1, "name and pull secret are missing");
    assert!(
        w.blocked.iter().any(|b| b.starts_with("Name:")),
        "{:?}",
        w.blocked
    );
    assert!(w.blocked.iter().any(|b| b.starts_with("Pull secret file:")));
    type_into(&mut w, "example");
    assert!(w.blocked.is_empty(), "an edit clears the list");
    assert!(
        w.focused()
            .unwrap()
            .error
            .unwrap()
            .contains("already exists")
    );
    for _ in 0.."example".len() {
        send(&mut w, KeyCode::Backspace);
    }
    type_into(&mut w, "demo");
    send(&mut w, KeyCode::Tab);
    send(&mut w, KeyCode::Tab);
    send(&mut w, KeyCode::Tab);
    assert_eq!(focused_id(&w), FieldId::PullSecret);
    type_into(&mut w, &pull_secret_file());
    assert_eq!(w.focused().unwrap().error, None);
    send(&mut w, KeyCode::Enter);
    assert_eq!(w.page, 2, "{:?}", w.blocked);
    // Default node pool: a toggle flips with Space.
    while focused_id(&w) != FieldId::AttachDefaultNetwork {
        send(&mut w, KeyCode::Tab);
    }
    send(&mut w, KeyCode::Char(' '));
    assert_eq!(w.focused().unwrap().value, "false");
    send(&mut w, KeyCode::Enter);
    assert_eq!(w.page, 2, "no default network needs an additional network");
    send(&mut w, KeyCode::Char(' '));
    for _ in 0..4 {
        send(&mut w, KeyCode::Enter);
    }
    assert!(w.is_review());
    assert!(
        w.review_lines()
            .iter()
            .any(|l| l == "# HostedCluster clusters/demo")
    );
    assert!(
        !w.review_lines()
            .iter()
            .any(|l| l.contains("dXNlcjpzM2NyM3QtcHVsbA")),
        "the pull secret is redacted"
    );
    // Ctrl-B goes back a step.
    w.key(&KeyEvent::new(KeyCode::Char('b'), KeyModifiers::CONTROL));
    assert_eq!(w.page, 5);
}

#[test]
fn a_failing_preflight_blocks_step_one_with_the_explanation() {
    let mut f = good();
    f.ingress = Fetched::Present(Some(IngressInfo {
        wildcard_policy: None,
        domain: Some("apps.hub.example.com".into()),
    }));
    let mut w = Wizard::cluster(ClusterForm::new(f));
    send(&mut w, KeyCode::Enter);
    assert_eq!(w.page, 0);
    assert!(
        w.blocked
            .iter()
            .any(|b| b.contains("Creation is blocked") && b.contains("oc patch ingresscontroller")),
        "{:?}",
        w.blocked
    );
}

#[test]
fn esc_closes_at_once_when_untouched_and_asks_after_typing() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    assert!(matches!(send(&mut w, KeyCode::Esc), Some(Request::Close)));

    let mut w = Wizard::cluster(ClusterForm::new(good()));
    send(&mut w, KeyCode::Enter);
    type_into(&mut w, "x");
    assert!(send(&mut w, KeyCode::Esc).is_none());
    assert_eq!(w.phase, Phase::ConfirmCancel);
    assert!(send(&mut w, KeyCode::Char('n')).is_none());
    assert_eq!(w.phase, Phase::Editing);
    assert_eq!(w.focused().unwrap().value, "x", "kept what was typed");
    send(&mut w, KeyCode::Esc);
    assert!(matches!(
        send(&mut w, KeyCode::Char('y')),
        Some(Request::Close)
    ));
}

fn to_review(w: &mut Wizard) {
    w.key(&key(KeyCode::Enter));
    type_into(w, "demo");
    for _ in 0..3 {
        w.key(&key(KeyCode::Tab));
    }
    type_into(w, &pull_secret_file());
    for _ in 0..5 {
        w.key(&key(KeyCode::Enter));
    }
    assert!(w.is_review(), "{:?}", w.blocked);
}

#[test]
fn review_dry_run_then_create_needs_confirmation() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    to_review(&mut w);
    assert!(matches!(
        send(&mut w, KeyCode::Char('d')),
        Some(Request::DryRun(_))
    ));
    assert_eq!(w.phase, Phase::DryRunning);
    assert!(send(&mut w, KeyCode::Char('c')).is_none(), "busy");
    w.dry_run_done(shiftdeck::wizard::exec::DryRunReport { steps: Vec::new() });
    // `c` asks for the create; the app confirms it in the one confirm dialog (see
    // `wizard_screens`), and a cancel there gives the review back.
    assert!(matches!(
        send(&mut w, KeyCode::Char('c')),
        Some(Request::Create(_))
    ));
    assert_eq!(w.phase, Phase::Creating);
    assert!(send(&mut w, KeyCode::Char('c')).is_none(), "busy");
    w.create_cancelled();
    assert_eq!(w.phase, Phase::Editing);
    let Some(Request::Create(plan)) = send(&mut w, KeyCode::Enter) else {
        panic!("no create request");
    };
    assert_eq!(w.phase, Phase::Creating);
    let kinds: Vec<&str> = plan.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds.last(), Some(&"NodePool"));
    assert_eq!(w.target(), "HostedCluster clusters/demo");
}

#[test]
fn nodepool_wizard_picks_the_cluster_and_reaches_review() {
    let mut w = Wizard::nodepool(NodePoolForm::new(good()));
    assert_eq!(w.pages(), vec!["Node pool", "Review and create"]);
    send(&mut w, KeyCode::Tab);
    assert_eq!(focused_id(&w), FieldId::Cluster);
    send(&mut w, KeyCode::Right);
    assert_eq!(w.focused().unwrap().value, "example");
    send(&mut w, KeyCode::Tab);
    type_into(&mut w, "example-extra");
    send(&mut w, KeyCode::Enter);
    assert!(w.is_review(), "{:?}", w.blocked);
    assert_eq!(w.target(), "NodePool clusters/example-extra");
}

// ---- whole-screen snapshots through the real App ----

const W: u16 = 140;
const H: u16 = 40;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn app() -> App {
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.update(Action::Resize(W, H));
    app
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend()
        .to_string()
        // Padded to the path's length, so the snapshot does not depend on where the repo is.
        .replace(
            &pull_secret_file(),
            &format!(
                "{:<w$}",
                "[PULL_SECRET]",
                w = pull_secret_file().chars().count()
            ),
        )
}

fn press(app: &mut App, c: KeyCode) {
    app.handle_key(&key(c));
}

fn open_cluster_wizard(app: &mut App, facts: ClusterFacts) {
    app.update(Action::Command("create".into()));
    let jobs = app.take_jobs();
    assert!(
        matches!(jobs.as_slice(), [Job::Facts(Target::Cluster)]),
        "{jobs:?}"
    );
    assert!(matches!(
        app.wizard(),
        WizardState::Loading(Target::Cluster)
    ));
    app.on_wizard_msg(Msg::Facts {
        target: Target::Cluster,
        facts: Box::new(facts),
        denied: None,
    });
    // Still loading: the permission is not known yet; its answer opens the wizard.
    assert!(matches!(
        app.wizard(),
        WizardState::Loading(Target::Cluster)
    ));
    allow_create(app, "hostedclusters");
    assert!(matches!(app.wizard(), WizardState::Open(_)));
}

/// The RBAC answer for the create, as the access task reports it.
fn allow_create(app: &mut App, resource: &str) {
    app.on_task(TaskResult::AccessChecked {
        generation: 0,
        access: shiftdeck::actions::create::create_access(resource),
        verdict: Ok(shiftdeck::gate::Verdict::Allowed),
    });
}

#[test]
fn snapshot_every_step_of_the_cluster_wizard() {
    let mut app = app();
    open_cluster_wizard(&mut app, good());
    insta::assert_snapshot!("wizard_1_preflight", screen(&app));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("wizard_2_cluster_blocked", screen(&app));
    for c in "demo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    for c in pull_secret_file().chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    insta::assert_snapshot!("wizard_2_cluster_filled", screen(&app));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    insta::assert_snapshot!("wizard_3_nodepool", screen(&app));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("wizard_4_networking", screen(&app));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("wizard_5_external_infra", screen(&app));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("wizard_6_advanced", screen(&app));
    press(&mut app, KeyCode::Enter);
    let s = screen(&app);
    assert!(!s.contains("dXNlcjpzM2NyM3QtcHVsbA"), "{s}");
    // The infra ID and etcd key are random: mask them.
    let infra = regex::Regex::new(r"demo-[a-z0-9]{5}").unwrap();
    insta::assert_snapshot!(
        "wizard_7_review",
        infra.replace_all(&s, "demo-XXXXX").to_string()
    );
    press(&mut app, KeyCode::Char('c'));
    let s = screen(&app);
    assert!(
        s.contains("Create HostedCluster clusters/demo on the cluster now?"),
        "{s}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).contains("Discard this wizard"));
    press(&mut app, KeyCode::Char('y'));
    assert!(matches!(app.wizard(), WizardState::Closed));
}

fn screen_at(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

/// On 80x24 the step list wraps long titles instead of cutting them, and the focused field is
/// scrolled into view whatever its kind (pick lists and toggles too, not only text fields).
#[test]
fn wizard_is_usable_on_80x24() {
    let mut app = app();
    open_cluster_wizard(&mut app, good());
    press(&mut app, KeyCode::Enter);
    for c in "demo".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    for c in pull_secret_file().chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let s = screen_at(&mut app, 80, 24);
    let steps: Vec<&str> = s
        .lines()
        .map(|l| {
            l.trim_matches('"')
                .split('│')
                .nth(1)
                .unwrap_or_default()
                .trim()
        })
        .collect();
    for part in [
        "5. Storage mapping,",
        "external",
        "infrastructure",
        "(optional)",
    ] {
        assert!(
            steps.iter().any(|l| l.contains(part)),
            "step title part {part:?} missing:\n{s}"
        );
    }
    // Shift-Tab from the first field reaches the last one, a toggle-like pick far below.
    press(&mut app, KeyCode::BackTab);
    let s = screen_at(&mut app, 80, 24);
    assert!(s.contains("Volume detach timeout"), "{s}");
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    let s = screen_at(&mut app, 80, 24);
    assert!(s.contains("Upgrade type"), "{s}");
    assert!(s.contains("Esc cancel"), "the key hints are cut off:\n{s}");
    insta::assert_snapshot!("wizard_80x24_nodepool_scrolled", s);
}

#[test]
fn snapshot_preflight_view_with_failures() {
    let mut app = app();
    app.update(Action::Command("preflight".into()));
    assert!(matches!(
        app.take_jobs().as_slice(),
        [Job::Facts(Target::Preflight)]
    ));
    assert!(screen(&app).contains("Reading the management cluster"));
    let mut f = good();
    f.openshift_version = Fetched::Present(Some("4.13.9".into()));
    f.network = Fetched::Present(Some(NetworkInfo {
        network_type: Some("OVNKubernetes".into()),
        mtu: Some(1400),
    }));
    app.on_wizard_msg(Msg::Facts {
        target: Target::Preflight,
        facts: Box::new(f),
        denied: None,
    });
    insta::assert_snapshot!("preflight_view", screen(&app));
    press(&mut app, KeyCode::Esc);
    assert!(app.preflight_view().is_none());
}

#[test]
fn read_only_cannot_reach_create_and_says_why() {
    let mut app = App::new(Keymap::default(), Theme::default(), true);
    app.set_time(now(), Instant::now());
    app.update(Action::Resize(W, H));
    app.update(Action::Command("create".into()));
    assert!(app.take_jobs().is_empty());
    assert!(matches!(app.wizard(), WizardState::Closed));
    let s = screen(&app);
    assert!(s.contains("cannot create: read-only mode"), "{s}");
    // An RBAC refusal from the check closes the loading wizard with the reason.
    let mut app = self::app();
    app.update(Action::Command("addnodepool".into()));
    app.on_task(TaskResult::AccessChecked {
        generation: 0,
        access: shiftdeck::actions::create::create_access("nodepools"),
        verdict: Ok(shiftdeck::gate::Verdict::Denied(
            "RBAC: you may not create nodepools".into(),
        )),
    });
    assert!(matches!(app.wizard(), WizardState::Closed));
    assert!(screen(&app).contains("cannot create: RBAC: you may not create nodepools"));
}

#[test]
fn snapshot_blocked_preflight_step() {
    let mut app = app();
    let mut f = good();
    f.ingress = Fetched::Present(Some(IngressInfo {
        wildcard_policy: None,
        domain: Some("apps.hub.example.com".into()),
    }));
    open_cluster_wizard(&mut app, f);
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("wizard_1_preflight_blocked", screen(&app));
}

#[test]
fn snapshot_nodepool_review_with_dry_run_and_failed_create() {
    use shiftdeck::wizard::exec::{
        CreateError, DryRunOutcome, DryRunReport, DryRunStep, ObjectRef,
    };
    let mut app = app();
    app.update(Action::Command("addnodepool".into()));
    assert!(matches!(
        app.take_jobs().as_slice(),
        [Job::Facts(Target::NodePool)]
    ));
    allow_create(&mut app, "nodepools");
    app.on_wizard_msg(Msg::Facts {
        target: Target::NodePool,
        facts: Box::new(good()),
        denied: None,
    });
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    for c in "example-extra".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    for _ in 0..7 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Right);
    insta::assert_snapshot!("nodepool_1_fields", screen(&app));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(app.take_jobs().as_slice(), [Job::DryRun(_)]));
    let pool = ObjectRef {
        kind: "NodePool".into(),
        namespace: Some("clusters".into()),
        name: "example-extra".into(),
    };
    app.on_wizard_msg(Msg::DryRun(DryRunReport {
        steps: vec![DryRunStep {
            object: pool.clone(),
            outcome: DryRunOutcome::Accepted,
        }],
    }));
    // Enter on the review asks for the create: the one confirm dialog, then one write.
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app).contains("Create NodePool clusters/example-extra on the cluster now?"));
    press(&mut app, KeyCode::Char('y'));
    let fx: Vec<Effect> = app
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::Write(_)))
        .collect();
    let [Effect::Write(WriteRequest::Create(create))] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let target = create.target.clone();
    assert_eq!(target, "NodePool clusters/example-extra");
    let result = Err(CreateError {
        failed: pool.clone(),
        explanation: "creating NodePool clusters/example-extra: the server rejected it (409 AlreadyExists). Nothing else was created, so nothing was rolled back.".into(),
        rolled_back: Vec::new(),
        left_behind: Vec::new(),
        status: Some(409),
    });
    app.on_task(TaskResult::WriteDone {
        generation: 0,
        report: WriteReport {
            kind: WriteKind::Create,
            ok: false,
            summary: "failed".into(),
            outcomes: Vec::new(),
            detail: WriteDetail::Created {
                target: target.clone(),
                result,
                audit_error: None,
            },
        },
    });
    insta::assert_snapshot!("nodepool_2_review_failed", screen(&app));
    assert!(
        matches!(app.wizard(), WizardState::Open(_)),
        "stays open to retry or cancel"
    );
}

#[test]
fn the_preflight_step_scrolls() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    send(&mut w, KeyCode::Down);
    send(&mut w, KeyCode::Down);
    send(&mut w, KeyCode::Up);
    assert_eq!((w.page, w.scroll), (0, 1));
    send(&mut w, KeyCode::Enter);
    assert_eq!((w.page, w.scroll), (1, 0));
}

#[test]
fn ctrl_c_still_quits_from_a_wizard() {
    let mut app = app();
    open_cluster_wizard(&mut app, good());
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.should_quit(), "q is not a quit key inside the wizard");
    app.handle_key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.should_quit());
}

#[test]
fn every_step_renders_at_any_size_without_panicking() {
    let mut app = app();
    open_cluster_wizard(&mut app, good());
    let ps = pull_secret_file();
    for step in 0..7 {
        for (w, h) in [(20, 5), (40, 8), (60, 12), (80, 24), (100, 30), (250, 80)] {
            app.update(Action::Resize(w, h));
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| shiftdeck::ui::render(&app, f)).unwrap();
        }
        app.update(Action::Resize(W, H));
        if step == 1 {
            for c in "demo".chars() {
                press(&mut app, KeyCode::Char(c));
            }
            for _ in 0..3 {
                press(&mut app, KeyCode::Tab);
            }
            for c in ps.chars() {
                press(&mut app, KeyCode::Char(c));
            }
        }
        press(&mut app, KeyCode::Enter);
    }
    match app.wizard() {
        WizardState::Open(w) => assert!(w.is_review()),
        _ => panic!("wizard closed"),
    }
}

#[tokio::test]
async fn without_a_connection_jobs_answer_not_connected() {
    let mut w = Wizard::cluster(ClusterForm::new(good()));
    to_review(&mut w);
    let plan = Box::new(w.plan.clone().unwrap());
    let mut jobs = shiftdeck::app::wizards::jobs::Jobs::default();
    jobs.spawn(Job::DryRun(plan.clone()));
    let Some(Msg::DryRun(r)) = jobs.recv().await else {
        panic!("no dry-run answer")
    };
    assert!(!r.ok(), "{r:?}");
    jobs.spawn(Job::Facts(Target::Cluster));
    let Some(Msg::Facts { denied, .. }) = jobs.recv().await else {
        panic!("no facts answer")
    };
    assert_eq!(denied.as_deref(), Some("not connected to a cluster"));
}
