//! End to end: infra-node maintenance against the simulated hub (speed 50), the real App and
//! Session driven with keys: open the report with `m` on a node, cordon through the confirm
//! dialog, migrate all migratable VMIs (the `user-np` ones on RWO storage are refused and stay),
//! follow the migrations to Succeeded; a viewer sees the actions disabled with the reason.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use serde_json::Value;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck::fleet::util::{label, name, str_at};
use shiftdeck::migration::inputs::MigrationInputs;
use shiftdeck::watch::migration_kinds::list_all;
use shiftdeck_sim::{self as sim, SimOptions, SimUser};
use tui_support::{Screen, command, press};

const SCREEN: Screen = Screen {
    w: 160,
    h: 50,
    never: &[],
    wait: tui_support::WAIT,
};
const POOL: &str = "hypershift.openshift.io/nodepool-name";

fn open(kubeconfig_yaml: &str, read_only: bool) -> Session {
    SCREEN.open(kubeconfig_yaml, tui_support::app(read_only))
}

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

/// Select `node` in the Nodes pane by moving down from the top.
async fn select_node(session: &mut Session, node: &str) {
    // The TUI opens on the Overview; go to the Nodes pane first. Once in a CI run the selection
    // never reached the node (the list was presumably still filling): try again after driving the
    // session, and say what was on screen if it still does not.
    for _ in 0..3 {
        command(session, "nodes");
        // The row itself, not a name that contains it (`arm64-worker-0` is not `worker-0`): the
        // list may still be filling.
        wait_for(session, "the node's row", |s| {
            s.lines()
                .any(|l| l.trim_start_matches('"').split_whitespace().next() == Some(node))
        })
        .await;
        press(session, KeyCode::Char('g'));
        for _ in 0..200 {
            if session.app.pane().and_then(|p| p.selected_key()).as_deref() == Some(node) {
                return;
            }
            press(session, KeyCode::Char('j'));
        }
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), session.next()).await;
    }
    panic!(
        "cannot select {node}: pane {:?}, selected {:?}\n{}",
        session.app.pane().map(|p| p.title()),
        session.app.pane().and_then(|p| p.selected_key()),
        screen(&session.app)
    );
}

async fn inputs(h: &sim::SimHandle) -> MigrationInputs {
    MigrationInputs::from_lists(list_all(&h.client().await.unwrap()).await.unwrap())
}

fn vmis_on<'a>(inp: &'a MigrationInputs, node: &str, pool: &str) -> Vec<&'a Value> {
    inp.vmis
        .iter()
        .filter(|v| str_at(v, "/status/nodeName") == Some(node) && label(v, POOL) == Some(pool))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cordon_and_migrate_all_off_an_infra_node() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    // The infra node with the most `example` VMIs, preferring one that also runs `user-np`.
    let inp = inputs(&h).await;
    let mut nodes: Vec<String> = shiftdeck::migration::maintenance::infra_nodes(&inp.vmis);
    nodes.sort_by_key(|n| {
        (
            vmis_on(&inp, n, "user-np").is_empty(),
            std::cmp::Reverse(vmis_on(&inp, n, "example").len()),
        )
    });
    let node = nodes
        .into_iter()
        .find(|n| !vmis_on(&inp, n, "example").is_empty())
        .expect("an infra node running example VMIs");
    let examples: Vec<String> = vmis_on(&inp, &node, "example")
        .iter()
        .map(|v| name(v).to_string())
        .collect();
    let stuck: Vec<String> = vmis_on(&inp, &node, "user-np")
        .iter()
        .map(|v| name(v).to_string())
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut session = open(&h.kubeconfig_yaml(), false);
    session.app.audit_path = Some(audit.clone());
    select_node(&mut session, &node).await;
    press(&mut session, KeyCode::Char('m'));
    let s = wait_for(&mut session, "the maintenance report", |s| {
        s.contains(&format!("Node {node}"))
            && examples.iter().all(|e| s.contains(e.as_str()))
            && !s.contains("checking permissions")
    })
    .await;
    if stuck.is_empty() {
        assert!(!s.contains("Guest PDBs of"), "{s}");
        assert!(s.contains("Verdict: safe: all"), "{s}");
    } else {
        assert!(s.contains("VMs will restart"), "{s}");
        assert!(s.contains("DisksNotLiveMigratable"), "{s}");
        // Their guest nodes' PDBs were checked in the user guest.
        let s = wait_for(&mut session, "the guest PDB check", |s| {
            s.contains("Guest PDBs of clusters/user (")
        })
        .await;
        assert!(!flat(&s).contains("not checked"), "{s}");
    }

    // Cordon through the confirm dialog.
    press(&mut session, KeyCode::Char('c'));
    let s = screen(&session.app);
    assert!(s.contains(&format!("cordon {node}?")), "{s}");
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "SchedulingDisabled in the report", |s| {
        s.contains("SchedulingDisabled")
    })
    .await;
    command(&mut session, "nodes");
    wait_for(&mut session, "the cordoned node in the Nodes pane", |s| {
        s.lines().any(|l| {
            l.trim_start_matches('"').starts_with(&format!("{node} "))
                && l.contains("Ready,SchedulingDisabled")
        })
    })
    .await;
    command(&mut session, "maint");

    // Migrate all: the dialog lists refused VMIs; confirm.
    press(&mut session, KeyCode::Char('M'));
    let s = screen(&session.app);
    assert!(s.contains("migrate all migratable VMIs off"), "{s}");
    for e in &examples {
        assert!(s.contains(&format!("✓ clusters-example/{e}")), "{s}");
    }
    for u in &stuck {
        assert!(
            s.contains("Not migrated") && s.contains(&format!("✗ {u} cannot live-migrate")),
            "{s}"
        );
    }
    press(&mut session, KeyCode::Enter);
    let s = wait_for(&mut session, "every example migration Succeeded", |s| {
        examples.iter().all(|e| {
            s.lines()
                .any(|l| l.contains(&format!("{e}: {node} → ")) && l.contains("Succeeded"))
        })
    })
    .await;
    assert!(s.contains(&format!("Migrations from {node}:")), "{s}");

    // The cluster agrees: example VMIs moved, user-np VMIs stayed and got no migration.
    let after = inputs(&h).await;
    for e in &examples {
        let v = after.vmis.iter().find(|v| name(v) == e).unwrap();
        assert_ne!(
            str_at(v, "/status/nodeName"),
            Some(node.as_str()),
            "{e} still on {node}"
        );
    }
    for u in &stuck {
        let v = after.vmis.iter().find(|v| name(v) == u).unwrap();
        assert_eq!(str_at(v, "/status/nodeName"), Some(node.as_str()));
        assert!(
            !after
                .migrations
                .iter()
                .any(|m| str_at(m, "/spec/vmiName") == Some(u.as_str())),
            "a migration was created for non-migratable {u}"
        );
    }
    // Audited.
    let log = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["action"], "cordon");
    assert_eq!(lines[0]["node"], node.as_str());
    let migrated: Vec<&str> = lines
        .iter()
        .filter(|l| l["action"] == "live-migrate")
        .map(|l| l["vmi"].as_str().unwrap())
        .collect();
    for e in &examples {
        assert!(migrated.contains(&e.as_str()), "{log}");
    }
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_and_read_only_see_actions_disabled_with_the_reason() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        user: SimUser::Viewer,
        ..Default::default()
    })
    .await
    .unwrap();
    let inp = inputs(&h).await;
    let node = shiftdeck::migration::maintenance::infra_nodes(&inp.vmis)
        .into_iter()
        .next()
        .unwrap();
    let mut session = open(&h.kubeconfig_yaml(), false);
    select_node(&mut session, &node).await;
    press(&mut session, KeyCode::Char('m'));
    wait_for(&mut session, "the RBAC reason", |s| {
        s.contains("disabled: RBAC: you may not patch nodes")
            && s.contains("RBAC: you may not create virtualmachineinstancemigrations")
    })
    .await;
    press(&mut session, KeyCode::Char('c'));
    let s = screen(&session.app);
    assert!(!s.contains(&format!("cordon {node}?")), "{s}");
    assert!(s.contains("RBAC: you may not patch nodes"), "{s}");
    press(&mut session, KeyCode::Char('M'));
    let s = screen(&session.app);
    assert!(!s.contains("migrate all migratable VMIs off"), "{s}");

    let mut ro = open(&h.kubeconfig_yaml(), true);
    select_node(&mut ro, &node).await;
    press(&mut ro, KeyCode::Char('m'));
    wait_for(&mut ro, "the read-only reason", |s| {
        s.contains("disabled: read-only mode")
    })
    .await;
    press(&mut ro, KeyCode::Char('u'));
    assert!(!screen(&ro.app).contains(&format!("uncordon {node}?")));
    h.shutdown();
}

/// The screen's text as one line (wrapped lines joined by a space).
fn flat(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches('"').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Select the row of VMI `ns/name` in the Maintenance pane.
fn select_vmi(session: &mut Session, key: &str) {
    press(session, KeyCode::Char('g'));
    for _ in 0..50 {
        if session.app.pane().and_then(|p| p.selected_key()).as_deref() == Some(key) {
            return;
        }
        press(session, KeyCode::Char('j'));
    }
    panic!("cannot select {key}; screen:\n{}", screen(&session.app));
}

/// Open the maintenance report of `node` and wait until it and the permissions are shown.
async fn open_report(session: &mut Session, node: &str, vmis: &[String]) -> String {
    select_node(session, node).await;
    press(session, KeyCode::Char('m'));
    wait_for(session, "the maintenance report", |s| {
        s.contains(&format!("Node {node}"))
            && vmis.iter().all(|e| s.contains(e.as_str()))
            && !s.contains("checking permissions")
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_migrate_one_vmi_refuse_a_non_migratable_one_and_uncordon() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    // An infra node running both an `example` (RWX) and a `user-np` (RWO) VMI.
    let inp = inputs(&h).await;
    let node = shiftdeck::migration::maintenance::infra_nodes(&inp.vmis)
        .into_iter()
        .find(|n| {
            !vmis_on(&inp, n, "example").is_empty() && !vmis_on(&inp, n, "user-np").is_empty()
        })
        .expect("an infra node running example and user-np VMIs");
    let example = name(vmis_on(&inp, &node, "example")[0]).to_string();
    let stuck = name(vmis_on(&inp, &node, "user-np")[0]).to_string();

    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut session = open(&h.kubeconfig_yaml(), false);
    session.app.audit_path = Some(audit.clone());
    open_report(&mut session, &node, &[example.clone(), stuck.clone()]).await;

    // Cordon first, as before real maintenance.
    press(&mut session, KeyCode::Char('c'));
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "SchedulingDisabled", |s| {
        s.contains("SchedulingDisabled")
    })
    .await;

    // `l` on the non-migratable VMI: refused with the reason, no dialog, nothing created.
    select_vmi(&mut session, &format!("clusters-user/{stuck}"));
    press(&mut session, KeyCode::Char('l'));
    let s = screen(&session.app);
    assert!(
        s.contains(&format!(
            "not migrating: {stuck} cannot live-migrate (DisksNotLiveMigratable)"
        )),
        "{s}"
    );
    assert!(!s.contains("y/Enter: confirm"), "{s}");

    // `l` on the migratable VMI: the confirm dialog, then one migration followed to Succeeded.
    let key = format!("clusters-example/{example}");
    select_vmi(&mut session, &key);
    press(&mut session, KeyCode::Char('l'));
    let s = screen(&session.app);
    assert!(s.contains(&format!("live-migrate {key}?")), "{s}");
    assert!(
        s.contains(&format!("Live-migrate VMI {key} off {node}")),
        "{s}"
    );
    press(&mut session, KeyCode::Char('y'));
    let s = wait_for(&mut session, "the migration Succeeded", |s| {
        s.lines()
            .any(|l| l.contains(&format!("{example}: {node} → ")) && l.contains("Succeeded"))
    })
    .await;
    let line = s
        .lines()
        .find(|l| l.contains(&format!("{example}: {node} → ")))
        .unwrap();
    let target = line
        .split(&format!("{example}: {node} → "))
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_ne!(target, node, "{line}");
    assert!(s.contains(&format!("Migrations from {node}:")), "{s}");

    // The cluster agrees: one VMIM for the example VMI, Succeeded, source → target; the VMI
    // runs on the target; the non-migratable VMI got none and stayed.
    let after = inputs(&h).await;
    let migs: Vec<&Value> = after
        .migrations
        .iter()
        .filter(|m| str_at(m, "/spec/vmiName") == Some(example.as_str()))
        .collect();
    assert_eq!(migs.len(), 1, "{migs:?}");
    assert_eq!(str_at(migs[0], "/status/phase"), Some("Succeeded"));
    assert_eq!(
        str_at(migs[0], "/status/migrationState/sourceNode"),
        Some(node.as_str())
    );
    assert_eq!(
        str_at(migs[0], "/status/migrationState/targetNode"),
        Some(target.as_str())
    );
    let v = after.vmis.iter().find(|v| name(v) == example).unwrap();
    assert_eq!(str_at(v, "/status/nodeName"), Some(target.as_str()));
    assert!(
        !after
            .migrations
            .iter()
            .any(|m| str_at(m, "/spec/vmiName") == Some(stuck.as_str()))
    );
    let v = after.vmis.iter().find(|v| name(v) == stuck).unwrap();
    assert_eq!(str_at(v, "/status/nodeName"), Some(node.as_str()));

    // Uncordon through its dialog.
    press(&mut session, KeyCode::Char('u'));
    let s = screen(&session.app);
    assert!(s.contains(&format!("uncordon {node}?")), "{s}");
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "the node schedulable again", |s| {
        s.contains(&format!("Node {node} · Schedulable"))
    })
    .await;
    let n = kube::Api::<k8s_openapi::api::core::v1::Node>::all(h.client().await.unwrap())
        .get(&node)
        .await
        .unwrap();
    assert_ne!(n.spec.and_then(|s| s.unschedulable), Some(true));

    // Audited: cordon, the one migration, uncordon.
    let log = std::fs::read_to_string(&audit).unwrap();
    let actions: Vec<(String, String)> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|l| {
            (
                l["action"].as_str().unwrap_or_default().to_string(),
                l["vmi"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("cordon".to_string(), String::new()),
            ("live-migrate".to_string(), example.clone()),
            ("uncordon".to_string(), String::new()),
        ],
        "{log}"
    );
    h.shutdown();
}

/// Approve every pending CSR of a (guest) cluster, like `oc adm certificate approve`.
fn approve_pending_csrs(store: &sim::store::Store) {
    let csrs = sim::resources::by_key("certificatesigningrequests.certificates.k8s.io");
    for c in store.list(csrs, None).0 {
        if sim::controllers::csr::is_pending(&c) {
            let _ = store.mutate(csrs, None, name(&c), false, |o| {
                o["status"]["conditions"] = serde_json::json!([{
                    "type": "Approved", "status": "True", "reason": "KubectlApprove",
                    "message": "This CSR was approved by kubectl certificate approve."
                }]);
                Ok(())
            });
        }
    }
}

/// What the user guest looks like, for a failure message.
fn guest_state(h: &sim::SimHandle) -> String {
    let Some(g) = sim::controllers::guest::guest(&h.store, "clusters", "user") else {
        let hc = h.store.get(
            sim::resources::by_key("hostedclusters.hypershift.openshift.io"),
            Some("clusters"),
            "user",
        );
        return format!("no guest API; HostedCluster: {hc:?}");
    };
    let list = |key: &str, ns: Option<&str>| g.store.list(sim::resources::by_key(key), ns).0;
    let nodes: Vec<String> = list("nodes", None)
        .iter()
        .map(|n| {
            let ready = n
                .pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                .map(|c| c["status"].clone());
            format!("{} ready={ready:?}", name(n))
        })
        .collect();
    let pods: Vec<String> = list("pods", Some("shop"))
        .iter()
        .map(|p| format!("{} on {:?}", name(p), str_at(p, "/spec/nodeName")))
        .collect();
    let csrs: Vec<String> = list("certificatesigningrequests.certificates.k8s.io", None)
        .iter()
        .map(|c| format!("{} {:?}", name(c), c.pointer("/status/conditions/0/type")))
        .collect();
    let vmis: Vec<String> = h
        .store
        .list(
            sim::resources::by_key("virtualmachineinstances.kubevirt.io"),
            Some("clusters-user"),
        )
        .0
        .iter()
        .map(|v| format!("{} {:?}", name(v), str_at(v, "/status/phase")))
        .collect();
    format!("nodes {nodes:?}; shop pods {pods:?}; CSRs {csrs:?}; hub VMIs {vmis:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_names_the_blocking_guest_pdb_and_says_when_the_guest_is_unreachable() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    // The user guest's checkout pods: the infra node running one of their guest nodes' VMs.
    // Guest nodes whose VMs start after the guest API join through CSRs: approve them as an
    // admin would, so the pods have Ready nodes to run on however slow the machine is.
    let deadline = Instant::now() + Duration::from_secs(60);
    let checkout_nodes: Vec<String> = loop {
        if let Some(g) = sim::controllers::guest::guest(&h.store, "clusters", "user") {
            approve_pending_csrs(&g.store);
        }
        let nodes: Vec<String> = sim::controllers::guest::guest(&h.store, "clusters", "user")
            .map(|g| {
                g.store
                    .list(sim::resources::by_key("pods"), Some("shop"))
                    .0
                    .iter()
                    .filter(|p| label(p, "app") == Some("checkout"))
                    .filter_map(|p| str_at(p, "/spec/nodeName").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if nodes.len() == 2 {
            break nodes;
        }
        assert!(
            Instant::now() < deadline,
            "no checkout pods in the user guest: {}",
            guest_state(&h)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let inp = inputs(&h).await;
    let vmi = inp
        .vmis
        .iter()
        .find(|v| name(v) == checkout_nodes[0])
        .expect("the guest node's VMI");
    let node = str_at(vmi, "/status/nodeName").unwrap().to_string();
    let guest_node = checkout_nodes[0].clone();
    // Checkout pods on the guest nodes drained with this infra node (both may share one node).
    let drained: Vec<String> = vmis_on(&inp, &node, "user-np")
        .iter()
        .map(|v| name(v).to_string())
        .collect();
    let pods_there = checkout_nodes
        .iter()
        .filter(|n| drained.contains(n))
        .count();

    let mut session = open(&h.kubeconfig_yaml(), false);
    open_report(&mut session, &node, std::slice::from_ref(&guest_node)).await;
    let s = wait_for(&mut session, "the blocking guest PDB", |s| {
        s.contains("Guest PDBs of clusters/user (")
    })
    .await;
    let text = flat(&s);
    assert!(
        text.contains(&format!(
            "Guest PDBs of clusters/user ({}): blocks: shop/checkout (0 disruption(s) allowed, {pods_there} pod(s) on drained nodes)",
            drained.join(", ")
        )),
        "{s}"
    );

    // The admin kubeconfig now points at a port nobody listens on: a new report says the
    // guest is unreachable, with the reason, and never "no PDBs".
    let client = h.client().await.unwrap();
    let dead = sim::kubeconfig_yaml("https://127.0.0.1:1", None, "token", "user");
    kube::Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client.clone(), "clusters")
        .patch(
            "user-admin-kubeconfig",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(serde_json::json!({
                "data": {"kubeconfig": sim::pki::b64(&dead)}
            })),
        )
        .await
        .unwrap();
    let mut again = open(&h.kubeconfig_yaml(), false);
    open_report(&mut again, &node, std::slice::from_ref(&guest_node)).await;
    let s = wait_for(&mut again, "the unreachable guest", |s| {
        s.contains("Guest PDBs of clusters/user (")
    })
    .await;
    let text = flat(&s);
    assert!(
        text.contains(&format!(
            "Guest PDBs of clusters/user ({}): not checked, guest unreachable: cannot list PodDisruptionBudgets at https://127.0.0.1:1",
            drained.join(", ")
        )),
        "{s}"
    );
    assert!(!s.contains("no PDBs"), "{s}");
    assert!(!s.contains("token"), "{s}");
    // `get readiness --node` says the same in json.
    let out = shiftdeck::get_readiness::readiness(
        &client,
        Some(&node),
        shiftdeck::output::OutputFormat::Json,
    )
    .await
    .unwrap();
    let rep: Value = serde_json::from_str(&out).unwrap();
    let user = rep["guestPDBs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cluster"] == "clusters/user")
        .unwrap_or_else(|| panic!("{rep}"));
    assert_eq!(user["status"], "unreachable", "{rep}");
    assert!(
        user["reason"]
            .as_str()
            .unwrap()
            .contains("cannot list PodDisruptionBudgets"),
        "{rep}"
    );
    assert_eq!(user["pdbs"], serde_json::json!([]), "{rep}");
    h.shutdown();
}
