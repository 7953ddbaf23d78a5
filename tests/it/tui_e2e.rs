//! End to end: the simulated cluster in-process over real HTTP, the real App and Session driven
//! with key events, and the screen read from a TestBackend as nodes join, change and leave.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use serde_json::json;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck::gate::{Access, ActionGate, GatedAction, Verdict};
use shiftdeck::panes::nodes::fixtures::{NodeSpec, node_json};
use shiftdeck_sim::{self as sim, SimOptions, SimUser};
use tui_support::{Screen, command, filter, press};

const SCREEN: Screen = Screen {
    w: 150,
    h: 60,
    never: &[],
    wait: Duration::from_secs(90),
};

/// The real app and session on a kubeconfig, connecting to its current context.
fn open(kubeconfig_yaml: &str) -> Session {
    let mut session = SCREEN.open(kubeconfig_yaml, tui_support::app(false));
    // The TUI opens on the Overview; these tests watch the Nodes pane.
    session.app.update(Action::Command("nodes".into()));
    session
}

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

fn nodes_def() -> &'static sim::resources::ResourceDef {
    sim::resources::find("", "nodes").unwrap()
}

fn add_node(h: &sim::SimHandle, spec: &NodeSpec) {
    h.store.create(nodes_def(), node_json(spec), false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_join_change_and_leave_on_screen() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = open(&h.kubeconfig_yaml());

    let s = wait_for(&mut session, "the watch to go live", |s| {
        s.contains("● live")
    })
    .await;
    assert!(s.contains("ctx hub") && s.contains(&h.url), "{s}");

    add_node(
        &h,
        &NodeSpec {
            name: "e2e-arm-0",
            arch: "arm64",
            ip: "10.9.0.1",
            ..Default::default()
        },
    );
    add_node(
        &h,
        &NodeSpec {
            name: "e2e-amd-0",
            ip: "10.9.0.2",
            ..Default::default()
        },
    );
    add_node(
        &h,
        &NodeSpec {
            name: "e2e-win-0",
            os: "windows",
            ip: "10.9.0.3",
            ..Default::default()
        },
    );
    let s = wait_for(&mut session, "the new nodes", |s| {
        s.contains("e2e-arm-0") && s.contains("e2e-amd-0") && s.contains("e2e-win-0")
    })
    .await;
    assert!(s.contains("windows 10.0.20348"), "{s}");

    // Name and label filter: only the e2e arm64 row stays (the scenario has arm64 nodes too).
    filter(&mut session, "e2e kubernetes.io/arch=arm64");
    let s = screen(&session.app);
    assert!(s.contains("e2e-arm-0") && !s.contains("e2e-amd-0"), "{s}");

    // The node turns NotReady and is cordoned in the cluster; the row follows.
    h.store
        .mutate_retry(nodes_def(), None, "e2e-arm-0", false, |o| {
            o["spec"]["unschedulable"] = json!(true);
            o["status"]["conditions"] =
                json!([{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]);
            Ok(())
        })
        .unwrap();
    wait_for(&mut session, "NotReady,SchedulingDisabled", |s| {
        s.contains("NotReady,SchedulingDisabled")
    })
    .await;

    // Details of the selected (only) row.
    press(&mut session, KeyCode::Enter);
    let s = screen(&session.app);
    assert!(
        s.contains("e2e-arm-0 — details")
            && s.contains("Conditions")
            && s.contains("KubeletNotReady"),
        "{s}"
    );
    press(&mut session, KeyCode::Char('y'));
    let s = screen(&session.app);
    assert!(
        s.contains("— yaml") && s.contains("kind: Node") && !s.contains("managedFields"),
        "{s}"
    );
    press(&mut session, KeyCode::Esc);
    press(&mut session, KeyCode::Esc); // clears the filter
    let s = screen(&session.app);
    assert!(s.contains("e2e-amd-0"), "{s}");

    // Deleted: lingers highlighted, then goes.
    h.store
        .delete(nodes_def(), None, "e2e-amd-0", false)
        .unwrap();
    wait_for(&mut session, "e2e-amd-0 to go", |s| {
        !s.contains("e2e-amd-0")
    })
    .await;

    // :q quits.
    command(&mut session, "q");
    assert!(session.app.should_quit());
    h.shutdown();
}

/// The watch caches lean nodes (no capacity, no kernel): Enter GETs the whole node and the
/// details show it once it arrives, with a note until then; the YAML view shows it whole too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_details_show_the_whole_object_from_a_live_get() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = open(&h.kubeconfig_yaml());
    wait_for(&mut session, "the watch to go live", |s| {
        s.contains("● live")
    })
    .await;
    add_node(
        &h,
        &NodeSpec {
            name: "e2e-full-0",
            arch: "arm64",
            ip: "10.9.1.1",
            ..Default::default()
        },
    );
    filter(&mut session, "e2e-full-0");
    wait_for(&mut session, "the new node", |s| s.contains("(1 shown)")).await;

    press(&mut session, KeyCode::Enter);
    let s = screen(&session.app);
    assert!(
        s.contains("e2e-full-0 — details") && s.contains("loading full object…"),
        "{s}"
    );
    assert!(!s.contains("5.14.0") && !s.contains("7500m"), "{s}");
    let s = wait_for(&mut session, "the whole node", |s| {
        s.contains("5.14.0") && !s.contains("loading full object…")
    })
    .await;
    assert!(
        s.contains("Kernel") && s.contains("cpu") && s.contains("7500m") && s.contains("Boot ID"),
        "{s}"
    );
    // A change in the cluster shows at the next periodic read of the open details.
    h.store
        .mutate_retry(nodes_def(), None, "e2e-full-0", false, |o| {
            o["status"]["nodeInfo"]["kernelVersion"] = json!("6.12.0-e2e");
            Ok(())
        })
        .unwrap();
    wait_for(&mut session, "the re-read node", |s| {
        s.contains("6.12.0-e2e")
    })
    .await;

    press(&mut session, KeyCode::Char('y'));
    let s = wait_for(&mut session, "the whole node's YAML", |s| {
        s.contains("— yaml") && s.contains("capacity:")
    })
    .await;
    assert!(
        !s.contains("managedFields") && !s.contains("# loading"),
        "{s}"
    );
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_shows_a_banner_and_keeps_retrying() {
    // A port nothing listens on: bind, note the port, drop the listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let yaml = sim::kubeconfig_yaml(&format!("http://127.0.0.1:{port}"), None, "t", "gone");
    let mut session = open(&yaml);
    let s = wait_for(&mut session, "the banner", |s| s.contains("(attempt")).await;
    assert!(s.contains("⚠ retrying http://127.0.0.1"), "{s}");
    assert!(s.contains("reconnecting #"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_gate_asks_rbac_and_honours_read_only() {
    let cordon = GatedAction::ClusterWrite(Access {
        verb: "patch".into(),
        group: String::new(),
        resource: "nodes".into(),
        subresource: None,
        namespace: None,
        name: Some("worker-0".into()),
    });
    let admin = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = admin.client().await.unwrap();
    assert_eq!(
        ActionGate::new(false).check(&client, &cordon).await,
        Verdict::Allowed
    );
    let ro = ActionGate::new(true).check(&client, &cordon).await;
    assert!(
        matches!(ro, Verdict::Denied(ref r) if r.contains("read-only")),
        "{ro:?}"
    );
    admin.shutdown();

    let viewer = sim::start(SimOptions {
        live: false,
        user: SimUser::Viewer,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = viewer.client().await.unwrap();
    let v = ActionGate::new(false).check(&client, &cordon).await;
    assert!(
        matches!(v, Verdict::Denied(ref r) if r.starts_with("RBAC: you may not patch nodes worker-0")),
        "{v:?}"
    );
    viewer.shutdown();
}

/// A kubeconfig with two contexts, one per sim.
/// The sim's CA as kubeconfig `certificate-authority-data`.
fn ca_data(h: &sim::SimHandle) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(&h.ca_pem)
}

fn two_context_kubeconfig(a: &sim::SimHandle, b: &sim::SimHandle) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: {}\n    certificate-authority-data: {}\n- name: b\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: first\n  context:\n    cluster: a\n    user: ua\n- name: second\n  context:\n    cluster: b\n    user: ub\ncurrent-context: first\nusers:\n- name: ua\n  user:\n    token: {}\n- name: ub\n  user:\n    token: {}\n",
        a.url,
        ca_data(a),
        b.url,
        ca_data(b),
        a.token,
        b.token
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_switches_clusters_live() {
    let a = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let b = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    add_node(
        &a,
        &NodeSpec {
            name: "only-on-first",
            ..Default::default()
        },
    );
    add_node(
        &b,
        &NodeSpec {
            name: "only-on-second",
            ..Default::default()
        },
    );
    let mut session = open(&two_context_kubeconfig(&a, &b));
    let s = wait_for(&mut session, "the first cluster", |s| {
        s.contains("only-on-first")
    })
    .await;
    assert!(s.contains("ctx first") && s.contains(&a.url), "{s}");

    command(&mut session, "ctx second");
    let s = wait_for(&mut session, "the second cluster", |s| {
        s.contains("only-on-second")
    })
    .await;
    assert!(
        s.contains("ctx second") && s.contains(&b.url) && !s.contains("only-on-first"),
        "{s}"
    );

    // Changes on the first cluster no longer reach the screen.
    add_node(
        &a,
        &NodeSpec {
            name: "late-on-first",
            ..Default::default()
        },
    );
    add_node(
        &b,
        &NodeSpec {
            name: "late-on-second",
            ..Default::default()
        },
    );
    let s = wait_for(&mut session, "the second cluster's new node", |s| {
        s.contains("late-on-second")
    })
    .await;
    assert!(!s.contains("late-on-first"), "{s}");
    a.shutdown();
    b.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_kinds_are_not_installed_on_microshift() {
    use shiftdeck::watch::KindSpec;
    use shiftdeck_sim::Profile;
    let hosted = KindSpec {
        id: "hostedclusters",
        group: "hypershift.openshift.io",
        version: "v1beta1",
        plural: "hostedclusters",
        crd: true,
    };
    let micro = sim::start(SimOptions {
        live: false,
        profile: Profile::Microshift,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = micro.client().await.unwrap();
    assert!(
        !shiftdeck::watch::kind::installed(&client, &hosted)
            .await
            .unwrap()
    );
    assert!(
        shiftdeck::watch::kind::installed(&client, &shiftdeck::watch::NODES)
            .await
            .unwrap()
    );
    micro.shutdown();
    let hub = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = hub.client().await.unwrap();
    assert!(
        shiftdeck::watch::kind::installed(&client, &hosted)
            .await
            .unwrap()
    );
    hub.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_kind_says_so() {
    let faults = sim::Faults {
        forbid: vec!["nodes".into()],
        ..Default::default()
    };
    let h = sim::start(SimOptions {
        live: false,
        faults,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = open(&h.kubeconfig_yaml());
    let s = wait_for(&mut session, "forbidden", |s| s.contains("● forbidden")).await;
    assert!(
        s.contains("⚠ Nodes: forbidden:") && s.contains("You may not list nodes"),
        "{s}"
    );
    h.shutdown();
}

/// Approve every pending node CSR (client and serving) through the API, as an admin would.
async fn approve_pending_node_csrs(client: &kube::Client) -> usize {
    use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
    use kube::api::{Api, ListParams, Patch, PatchParams};
    let api: Api<CertificateSigningRequest> = Api::all(client.clone());
    let Ok(list) = api.list(&ListParams::default()).await else {
        return 0;
    };
    let mut n = 0;
    for csr in list.items {
        let pending = csr
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_none_or(Vec::is_empty);
        let user = csr.spec.username.as_deref().unwrap_or_default();
        let nodeish = user.ends_with(":node-bootstrapper") || user.starts_with("system:node:");
        if !pending || !nodeish {
            continue;
        }
        let patch = json!({"status": {"conditions": [{"type": "Approved", "status": "True",
            "reason": "E2E", "message": "approved by the e2e test"}]}});
        let name = csr.metadata.name.unwrap_or_default();
        if api
            .patch_approval(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .is_ok()
        {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arriving_machine_joins_when_its_csrs_are_approved() {
    use k8s_openapi::api::core::v1::Node;
    use kube::api::{Api, ListParams};
    let h = sim::start(SimOptions {
        speed: 100.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let nodes: Api<Node> = Api::all(client.clone());
    let before: Vec<String> = nodes
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    let mut session = open(&h.kubeconfig_yaml());
    wait_for(&mut session, "the hub's nodes", |s| s.contains("master-0")).await;

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut joined: Option<String> = None;
    loop {
        approve_pending_node_csrs(&client).await;
        if joined.is_none() {
            let now: Vec<String> = nodes
                .list(&ListParams::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect();
            joined = now.into_iter().find(|n| !before.contains(n));
        }
        let s = screen(&session.app);
        if let Some(name) = &joined
            && s.lines()
                .any(|l| l.contains(name.as_str()) && l.contains(" Ready "))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no machine joined and became Ready; joined={joined:?}; screen:\n{s}"
        );
        tokio::select! {
            _ = session.next() => {}
            () = tokio::time::sleep(Duration::from_millis(300)) => {}
        }
    }
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_shows_version_and_platform() {
    use shiftdeck_sim::Profile;
    for (profile, want) in [
        (Profile::Hub, "· BareMetal"),
        (Profile::Azure, "· Azure"),
        (Profile::Microshift, "MicroShift "),
    ] {
        let h = sim::start(SimOptions {
            live: false,
            profile,
            ..Default::default()
        })
        .await
        .unwrap();
        let info = shiftdeck::watch::cluster_info::fetch(&h.client().await.unwrap()).await;
        let shown = [info.version.clone(), info.platform.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        assert!(
            info.version.is_some() && shown.contains(want),
            "{profile:?}: {info:?}"
        );
        h.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_connect_shows_a_banner_and_retries_until_it_works() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    add_node(
        &h,
        &NodeSpec {
            name: "after-retry",
            ..Default::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("client.crt"), dir.path().join("client.key"));
    let yaml = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: certs\n  context:\n    cluster: c\n    user: u\ncurrent-context: certs\nusers:\n- name: u\n  user:\n    token: {}\n    client-certificate: {}\n    client-key: {}\n",
        h.url,
        ca_data(&h),
        h.token,
        cert.display(),
        key.display()
    );
    let mut session = open(&yaml);
    let s = wait_for(&mut session, "the connect error", |s| {
        s.contains("● disconnected")
    })
    .await;
    assert!(
        s.contains("⚠ retrying in 5s: cannot build a client for https://127.0.0.1"),
        "{s}"
    );
    // The files appear (e.g. a credential helper caught up): the next retry connects.
    let ck = rcgen::generate_simple_self_signed(vec!["user".to_string()]).unwrap();
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let s = wait_for(&mut session, "the retry to connect", |s| {
        s.contains("after-retry") && s.contains("● live")
    })
    .await;
    assert!(s.contains("● live") && !s.contains("⚠"), "{s}");
    h.shutdown();
}
