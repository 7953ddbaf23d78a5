//! End to end: the creation wizard in the real App and Session, driven with keys against the
//! in-process simulated hub: a cluster created through every step appears and completes; a
//! create that fails at the NodePool rolls back; a viewer cannot reach Create.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use crossterm::event::KeyCode;
use serde_json::json;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{self as sim, Profile, SimHandle, SimOptions, SimUser};
use tui_support::{Screen, command, press, type_text};

const PULL_SECRET: &str = r#"{"auths":{"quay.io":{"auth":"dXNlcjpzM2NyM3QtcHVsbA=="}}}"#;
const SECRET_B64: &str = "dXNlcjpzM2NyM3QtcHVsbA";
const SCREEN: Screen = Screen {
    w: 150,
    h: 50,
    // Every screen seen is checked for the pull secret's contents.
    never: &[SECRET_B64],
    wait: tui_support::WAIT,
};

async fn hub(user: SimUser) -> SimHandle {
    sim::start(SimOptions {
        profile: Profile::Hub,
        speed: 100.0,
        user,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn open(h: &SimHandle, audit: &std::path::Path) -> Session {
    let mut session = SCREEN.open(&h.kubeconfig_yaml(), tui_support::app(false));
    // Every write of the one pipeline is audited there (the create included).
    session.app.audit_path = Some(audit.to_path_buf());
    session
}

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

/// `:create`, through preflight, name and pull secret (defaults elsewhere), to the review.
async fn fill_to_review(session: &mut Session, name: &str, pull_secret: &str) {
    command(session, "create");
    wait_for(session, "the preflight step", |s| {
        s.contains("▶ 1. Preflight") && s.contains("you can continue")
    })
    .await;
    press(session, KeyCode::Enter);
    wait_for(session, "the cluster step", |s| s.contains("▶ 2. Cluster")).await;
    type_text(session, name);
    for _ in 0..3 {
        press(session, KeyCode::Tab);
    }
    type_text(session, pull_secret);
    press(session, KeyCode::Enter);
    let s = screen(&session.app);
    assert!(s.contains("▶ 3. Default node pool"), "{s}");
    // Networking, storage mapping / external infrastructure, and the security/metadata step
    // are optional: Enter passes each with hcp's defaults.
    for _ in 0..4 {
        press(session, KeyCode::Enter);
    }
    let s = screen(&session.app);
    assert!(s.contains("▶ 7. Review and create"), "{s}");
    assert!(
        s.contains(&format!("# Secret clusters/{name}-pull-secret")),
        "{s}"
    );
}

fn exists(h: &SimHandle, key: &str, name: &str) -> bool {
    h.store.get(by_key(key), Some("clusters"), name).is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_cluster_with_keys_then_a_failing_create_rolls_back() {
    let h = hub(SimUser::Admin).await;
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("pull-secret.json");
    std::fs::write(&ps, PULL_SECRET).unwrap();
    let ps = ps.to_string_lossy().into_owned();
    let audit = dir.path().join("audit.jsonl");
    let mut session = open(&h, &audit);
    wait_for(&mut session, "the watch to go live", |s| {
        s.contains("● live")
    })
    .await;

    // The preflight view.
    command(&mut session, "preflight");
    let s = wait_for(&mut session, "preflight results", |s| s.contains("PASS")).await;
    assert!(s.contains("WARN") && s.contains("1400"), "{s}");
    press(&mut session, KeyCode::Esc);

    fill_to_review(&mut session, "e2e1", &ps).await;
    press(&mut session, KeyCode::Char('d'));
    wait_for(&mut session, "the dry run", |s| {
        s.contains("Dry run: the server accepts every object")
    })
    .await;
    assert!(!exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        "e2e1"
    ));
    press(&mut session, KeyCode::Char('c'));
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "the create", |s| {
        s.contains("created HostedCluster clusters/e2e1")
    })
    .await;
    assert!(exists(&h, "nodepools.hypershift.openshift.io", "e2e1"));
    // The Hosted clusters pane opens on the new cluster's details and follows it to Completed.
    let s = wait_for(&mut session, "the new cluster's details", |s| {
        s.contains("Hosted clusters / clusters/e2e1 — details")
    })
    .await;
    assert!(!s.contains("deleted"), "{s}");
    let progress = |s: &str| {
        s.lines()
            .find(|l| l.contains("Progress  "))
            .map(str::to_string)
    };
    let s = wait_for(&mut session, "the cluster to complete on screen", |s| {
        progress(s).is_some_and(|l| l.contains("Completed"))
    })
    .await;
    assert!(
        s.contains("Hosted clusters / clusters/e2e1 — details"),
        "{s}"
    );
    // Back on the table, the new cluster's row is the selected one.
    press(&mut session, KeyCode::Esc);
    let s = wait_for(&mut session, "the table", |s| s.contains("NAMESPACE")).await;
    assert_eq!(
        session.app.pane().and_then(|p| p.selected_key()).as_deref(),
        Some("clusters/e2e1"),
        "{s}"
    );
    let log = std::fs::read_to_string(&audit).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(line["action"], "create");
    assert_eq!(line["target"], "HostedCluster clusters/e2e1");
    assert!(line["outcome"].as_str().unwrap().starts_with("created: "));
    assert!(!log.contains(SECRET_B64));

    // A NodePool that appears after the wizard read the cluster: only the server can refuse.
    fill_to_review(&mut session, "e2e2", &ps).await;
    h.store
        .create(
            by_key("nodepools.hypershift.openshift.io"),
            json!({
                "apiVersion": "hypershift.openshift.io/v1beta1",
                "kind": "NodePool",
                "metadata": {"name": "e2e2", "namespace": "clusters"},
                "spec": {"clusterName": "ghost", "replicas": 0, "management": {"upgradeType": "Replace"},
                         "platform": {"type": "KubeVirt"}, "release": {"image": "quay.io/x:4.18.1"}}
            }),
            false,
        )
        .unwrap();
    press(&mut session, KeyCode::Enter);
    press(&mut session, KeyCode::Char('y'));
    let s = wait_for(&mut session, "the rollback", |s| {
        s.contains("Create failed")
    })
    .await;
    assert!(
        s.contains("Rolled back") || s.contains("rolled back"),
        "{s}"
    );
    // The HostedCluster holds HyperShift's finalizer: Terminating for a few simulated seconds
    // while the operator tears it down, then gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while exists(&h, "hostedclusters.hypershift.openshift.io", "e2e2")
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        "e2e2"
    ));
    assert!(!exists(&h, "secrets", "e2e2-pull-secret"));
    assert!(!exists(&h, "secrets", "e2e2-etcd-encryption-key"));
    let log = std::fs::read_to_string(&audit).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["target"], "HostedCluster clusters/e2e2");
    assert!(last["outcome"].as_str().unwrap().starts_with("failed: "));

    // A node pool added with `:addnodepool` opens the Node pools pane on it.
    press(&mut session, KeyCode::Esc);
    press(&mut session, KeyCode::Char('y'));
    command(&mut session, "addnodepool");
    wait_for(&mut session, "the node pool wizard", |s| {
        s.contains("▶ 1. Node pool")
    })
    .await;
    press(&mut session, KeyCode::Tab);
    press(&mut session, KeyCode::Right);
    press(&mut session, KeyCode::Tab);
    type_text(&mut session, "e2e1-extra");
    press(&mut session, KeyCode::Enter);
    let s = screen(&session.app);
    assert!(s.contains("▶ 2. Review and create"), "{s}");
    press(&mut session, KeyCode::Char('c'));
    press(&mut session, KeyCode::Char('y'));
    let s = wait_for(&mut session, "the new pool's details", |s| {
        s.contains("Node pools / clusters/e2e1-extra — details")
    })
    .await;
    assert!(s.contains("created NodePool clusters/e2e1-extra"), "{s}");
    assert!(exists(
        &h,
        "nodepools.hypershift.openshift.io",
        "e2e1-extra"
    ));
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_reach_create() {
    let h = hub(SimUser::Viewer).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut session = open(&h, &audit);
    wait_for(&mut session, "the watch to go live", |s| {
        s.contains("● live")
    })
    .await;
    command(&mut session, "create");
    let s = wait_for(&mut session, "the refusal", |s| {
        s.contains("cannot create: RBAC")
    })
    .await;
    assert!(s.contains("create hostedclusters"), "{s}");
    assert!(!s.contains("▶ 1. Preflight"), "{s}");
    command(&mut session, "addnodepool");
    wait_for(&mut session, "the refusal", |s| {
        s.contains("cannot create: RBAC") && s.contains("nodepools")
    })
    .await;
    assert!(!audit.exists());
    h.shutdown();
}
