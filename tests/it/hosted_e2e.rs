//! End to end against the in-process sim: the Hosted clusters pane on the hub, the details of a
//! Partial cluster, drilling into a guest cluster (its nodes and cluster operators) and back with
//! Esc, never showing the admin kubeconfig; and MicroShift's quiet "not installed".
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck_sim::options::Profile;
use shiftdeck_sim::{self as sim, ADMIN_TOKEN, SimOptions};
use tui_support::{Screen, command, filter, press};

const SCREEN: Screen = Screen {
    w: 170,
    h: 50,
    // Whatever is on screen, the guest's credentials (token, admin kubeconfig) never are.
    never: &[ADMIN_TOKEN, "certificate-authority-data"],
    wait: tui_support::WAIT,
};

fn open(kubeconfig_yaml: &str) -> Session {
    SCREEN.open(kubeconfig_yaml, tui_support::app(false))
}

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosted_clusters_details_and_guest_drill_down() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = open(&h.kubeconfig_yaml());
    command(&mut session, "hc");
    let s = wait_for(&mut session, "three hosted clusters", |s| {
        ["example", "user", "guest"]
            .iter()
            .all(|n| s.contains(&format!("clusters    {n} ")))
    })
    .await;
    assert!(s.contains("Completed") && s.contains("Partial"), "{s}");
    let guest_row = s
        .lines()
        .find(|l| l.contains("clusters    guest "))
        .unwrap();
    assert!(guest_row.contains("Partial"), "{s}");

    // Details of the Partial cluster explain why, once the control-plane services are read.
    filter(&mut session, "guest");
    press(&mut session, KeyCode::Char('d'));
    let s = wait_for(&mut session, "the Partial explanation", |s| {
        s.contains("Why Partial") && s.contains("address pool `guest-apps`")
    })
    .await;
    assert!(s.contains("Pods running"), "{s}");
    assert!(s.contains("*.apps.guest.hypershift.lab"), "{s}");
    press(&mut session, KeyCode::Esc);
    press(&mut session, KeyCode::Esc);

    // Wait until the sim serves example's guest API (its Secret then points at it).
    let deadline = Instant::now() + Duration::from_secs(120);
    while sim::controllers::guest::guest(&h.store, "clusters", "example").is_none() {
        assert!(
            Instant::now() < deadline,
            "the example guest API never started"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Enter drills down into the guest cluster (`o` does too).
    filter(&mut session, "example");
    press(&mut session, KeyCode::Enter);
    let s = wait_for(&mut session, "the guest's nodes", |s| {
        s.contains("hub › clusters/example") && s.contains("● live") && s.contains("Ready 2/2")
    })
    .await;
    assert!(!s.contains("master-0"), "hub nodes in the guest:\n{s}");
    command(&mut session, "co");
    let s = wait_for(&mut session, "the guest's cluster operators", |s| {
        s.contains("Cluster operators") && s.contains("kube-apiserver") && s.contains("● live")
    })
    .await;
    assert!(s.contains("hub › clusters/example"), "{s}");
    assert!(s.contains("AVAILABLE") && s.contains("DEGRADED"), "{s}");

    // Esc returns to the management cluster and its Hosted clusters pane.
    press(&mut session, KeyCode::Esc);
    let s = wait_for(&mut session, "the hub again", |s| {
        !s.contains("›") && s.contains("clusters    user ") && s.contains("● live")
    })
    .await;
    assert!(s.contains("ctx hub"), "{s}");
    h.shutdown();
}

/// Ready nodes of a guest (read from the sim's guest store).
fn guest_ready_nodes(g: &sim::controllers::guest::Guest) -> Vec<String> {
    g.store
        .list(sim::resources::by_key("nodes"), None)
        .0
        .into_iter()
        .filter(|n| {
            n.pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
        })
        .filter_map(|n| n.pointer("/metadata/name")?.as_str().map(str::to_string))
        .collect()
}

/// Issue 5's drill-down with issue 4's approvals: the new `example-extra-cpu` machines join the
/// guest cluster only through CSRs which, with the machine-approver down, are approved from the
/// guest's own CSR pane (client, then serving).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_csrs_are_approved_from_inside_the_guest() {
    // With the hosted cluster's machine-approver crash-looping, new nodes wait for the admin.
    let h = sim::start(SimOptions {
        speed: 50.0,
        faults: "machine-approver=down".parse().unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let g = loop {
        if let Some(g) = sim::controllers::guest::guest(&h.store, "clusters", "example") {
            break g;
        }
        assert!(
            Instant::now() < deadline,
            "the example guest API never started"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut session = open(&h.kubeconfig_yaml());
    command(&mut session, "hc");
    wait_for(&mut session, "the hosted clusters", |s| {
        s.contains("clusters    example ") && s.contains("● live")
    })
    .await;
    filter(&mut session, "example");
    press(&mut session, KeyCode::Enter);
    wait_for(&mut session, "the guest", |s| {
        s.contains("hub › clusters/example") && s.contains("● live")
    })
    .await;
    command(&mut session, "csr");
    let s = wait_for(&mut session, "a pending client CSR of a new machine", |s| {
        s.lines()
            .any(|l| l.contains("extra-cpu") && l.contains("client") && l.contains("Pending"))
    })
    .await;
    assert!(s.contains("hub › clusters/example"), "{s}");
    let before = guest_ready_nodes(&g).len();
    // Approve whatever passes every check until both new machines are Ready nodes.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if guest_ready_nodes(&g)
            .iter()
            .filter(|n| n.contains("extra-cpu"))
            .count()
            == 2
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new machines did not become Ready nodes: {:?}\n{}",
            guest_ready_nodes(&g),
            screen(&session.app)
        );
        let s = screen(&session.app);
        if s.lines()
            .any(|l| l.contains("extra-cpu") && l.contains("Pending"))
        {
            // The guest serves no Machine API: nothing but the request vouches for a new node,
            // so `A` leaves them to the admin, who approves each by typing its node name.
            filter(&mut session, "extra-cpu");
            press(&mut session, KeyCode::Char('a'));
            let s = screen(&session.app);
            let node = s
                .lines()
                .find_map(|l| l.split(") for node ").nth(1))
                .map(|rest| {
                    rest.split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('│')
                })
                .map(str::to_string);
            match node {
                Some(node) if s.contains("Type the node name") => {
                    assert!(
                        s.contains("no Machine vouches") || s.contains("Overriding"),
                        "{s}"
                    );
                    tui_support::type_text(&mut session, &node);
                    press(&mut session, KeyCode::Enter);
                }
                // RBAC answers may still be on their way, or a check fails for now.
                _ => press(&mut session, KeyCode::Esc),
            }
        }
        let _ = tokio::time::timeout(Duration::from_millis(300), session.next()).await;
    }
    assert!(guest_ready_nodes(&g).len() >= before + 2);
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn microshift_says_not_installed_quietly() {
    let h = sim::start(SimOptions {
        profile: Profile::Microshift,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = open(&h.kubeconfig_yaml());
    // Once shiftdeck knows it is MicroShift, the Hosted clusters pane is hidden from the tabs
    // (issue 9), and asking for it explains instead of showing an error.
    let s = wait_for(&mut session, "the MicroShift tabs", |s| {
        s.contains("MicroShift") && s.contains("Health") && !s.contains("Hosted clusters")
    })
    .await;
    assert!(!s.to_lowercase().contains("error"), "{s}");
    command(&mut session, "hc");
    let s = screen(&session.app);
    assert!(!s.to_lowercase().contains("error"), "{s}");
    assert!(
        !s.contains("reconnecting") && !s.contains("forbidden"),
        "{s}"
    );
    // Copies stays (image mirroring); DataVolumes not being served is said calmly.
    command(&mut session, "copy");
    let s = wait_for(&mut session, "the Copies pane", |s| {
        s.contains("DataVolumes: CDI not installed") && s.contains(":mirror FILE TARGET")
    })
    .await;
    assert!(!s.contains('⚠'), "{s}");
    // `o` outside a hosted cluster row does nothing.
    press(&mut session, KeyCode::Char('o'));
    assert!(
        !session
            .app
            .take_effects()
            .iter()
            .any(|e| matches!(e, shiftdeck::app::Effect::OpenGuest(_)))
    );
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_hostedclusters_lists_the_pane_rows() {
    use shiftdeck::get_hosted::hostedclusters;
    use shiftdeck::output::OutputFormat;
    let h = sim::start(SimOptions::default()).await.unwrap();
    let out = hostedclusters(h.client().await.unwrap(), &h.url, OutputFormat::Json)
        .await
        .unwrap();
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["NAME"].as_str().unwrap()).collect();
    assert_eq!(names, ["example", "guest", "user"]);
    assert_eq!(rows[0]["PROGRESS"], "Completed");
    assert_eq!(rows[1]["PROGRESS"], "Partial");
    let table = hostedclusters(h.client().await.unwrap(), &h.url, OutputFormat::Table)
        .await
        .unwrap();
    assert!(table.starts_with("NAMESPACE   NAME"), "{table}");
    h.shutdown();

    let m = sim::start(SimOptions {
        profile: Profile::Microshift,
        ..Default::default()
    })
    .await
    .unwrap();
    let err = hostedclusters(m.client().await.unwrap(), &m.url, OutputFormat::Table)
        .await
        .unwrap_err();
    assert!(
        matches!(err, shiftdeck::get::GetError::NotServed { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not installed"), "{err}");
    m.shutdown();
}

/// The viewer reads no Secrets (as OpenShift's `cluster-reader` / `view` roles): opening a
/// guest, which reads the admin kubeconfig Secret, fails with the API's 403 naming it, instead
/// of a pane breaking; the admin opens it.
#[tokio::test]
async fn a_viewer_cannot_open_a_guest_and_is_told_why() {
    use shiftdeck::fetched::GuestRef;
    let h = sim::start(SimOptions {
        live: false,
        user: sim::SimUser::Viewer,
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let (hcs, _) = h.store.list(
        shiftdeck_sim::resources::by_key("hostedclusters.hypershift.openshift.io"),
        None,
    );
    let hc = hcs
        .iter()
        .find(|hc| hc.pointer("/status/kubeconfig/name").is_some())
        .expect("a cluster with a kubeconfig");
    let s = |p: &str| {
        hc.pointer(p)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let guest = GuestRef {
        namespace: s("/metadata/namespace"),
        name: s("/metadata/name"),
        secret: s("/status/kubeconfig/name"),
    };
    let viewer = h.client().await.expect("viewer client");
    let err = match shiftdeck::guest::open(viewer, &guest).await {
        Ok(_) => panic!("the viewer read the admin kubeconfig"),
        Err(e) => e,
    };
    assert!(
        matches!(err, shiftdeck::guest::GuestError::ReadSecret { .. }),
        "{err}"
    );
    let err = err.to_string();
    assert!(
        err.contains(&format!(
            "secrets \"{}\" is forbidden: User \"viewer\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{}\"",
            guest.secret, guest.namespace
        )),
        "{err}"
    );
    h.shutdown();
}
