//! Whole-screen snapshots of the Readiness pane and an infra node's maintenance report (with the
//! "migrate all" confirm dialog), fed with the simulated hub's objects (deterministic with seed 1).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::{DynamicObject, ListParams};
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::{Action, TaskResult};
use shiftdeck::app::App;
use shiftdeck::gate::Verdict;
use shiftdeck::keymap::Keymap;
use shiftdeck::migration::actions::{create_migrations, patch_nodes};
use shiftdeck::theme::Theme;
use shiftdeck::watch::migration_kinds::{MIGRATION_KINDS, WATCHED_KINDS, list_all};
use shiftdeck::watch::{KindState, Stores, WatchMsg};
use shiftdeck_sim::{self as sim, SimOptions};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

/// The app connected to stores holding the hub's objects.
async fn hub_app() -> App {
    hub_app_with_writers().await.0
}

/// Like [`hub_app`], keeping the writers to change objects later.
async fn hub_app_with_writers() -> (App, shiftdeck::watch::Writers) {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let lists = list_all(&client).await.unwrap();
    let nodes = kube::Api::<Node>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    h.shutdown();
    let (stores, mut writers) = Stores::with_writers();
    writers.nodes.apply_watcher_event(&Event::Init);
    for n in nodes {
        writers.nodes.apply_watcher_event(&Event::InitApply(n));
    }
    writers.nodes.apply_watcher_event(&Event::InitDone);
    fn feed<K>(w: &mut kube::runtime::reflector::store::Writer<K>, items: Vec<serde_json::Value>)
    where
        K: kube::Resource + Clone + serde::de::DeserializeOwned,
        K::DynamicType: Clone + Eq + std::hash::Hash + Default,
    {
        w.apply_watcher_event(&Event::Init);
        for v in items {
            w.apply_watcher_event(&Event::InitApply(serde_json::from_value(v).unwrap()));
        }
        w.apply_watcher_event(&Event::InitDone);
    }
    for (spec, items) in lists {
        assert!(MIGRATION_KINDS.iter().any(|k| k.id == spec.id));
        // NodePools and HostedClusters are the Hosted clusters pane's stores (one watch each).
        match spec.id {
            "nodepools" => feed(&mut writers.nodepools, items),
            "hostedclusters" => feed(&mut writers.hostedclusters, items),
            id => {
                let i = WATCHED_KINDS.iter().position(|k| k.id == id).unwrap();
                let w: &mut kube::runtime::reflector::store::Writer<DynamicObject> =
                    &mut writers.migration.writers[i];
                w.apply_watcher_event(&Event::Init);
                for v in items {
                    let o: DynamicObject = serde_json::from_value(v).unwrap();
                    w.apply_watcher_event(&Event::InitApply(o));
                }
                w.apply_watcher_event(&Event::InitDone);
            }
        }
    }
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    for kind in ["nodes"]
        .into_iter()
        .chain(MIGRATION_KINDS.iter().map(|k| k.id))
    {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    (app, writers)
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn command(app: &mut App, cmd: &str) {
    key(app, KeyCode::Char(':'));
    for c in cmd.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_view() {
    let mut app = hub_app().await;
    command(&mut app, "lm");
    let s = screen(&mut app, 150, 18);
    assert!(s.contains("clusters/user-np"), "{s}");
    insta::assert_snapshot!(s);
    // The details of the non-migratable pool: machines with their root volumes.
    for _ in 0..5 {
        if app.pane().and_then(|p| p.selected_key()).as_deref() == Some("clusters/user-np") {
            break;
        }
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("readiness_user_np_details", screen(&mut app, 150, 24));
    // The YAML view shows the whole pool from the store, not the narrowed copy the rows read.
    let pool = app
        .pane()
        .and_then(|p| p.object_json("clusters/user-np"))
        .expect("the pool, from the store");
    assert_eq!(pool["metadata"]["name"], "user-np");
    assert!(pool["spec"].get("release").is_some(), "{pool}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_report_and_migrate_all_dialog() {
    let mut app = hub_app().await;
    command(&mut app, "nodes");
    for _ in 0..30 {
        if app.pane().and_then(|p| p.selected_key()).as_deref() == Some("worker-5") {
            break;
        }
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Char('m'));
    for access in [patch_nodes(), create_migrations()] {
        app.on_task(TaskResult::AccessChecked {
            generation: 1,
            access,
            verdict: Ok(Verdict::Allowed),
        });
    }
    insta::assert_snapshot!("maintenance_worker_5", screen(&mut app, 150, 16));
    // The guest PDB check answers: the blocking PDB is named, in the error colour.
    let targets = app
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            shiftdeck::app::Effect::GuestPdbs { targets, .. } => Some(targets),
            _ => None,
        })
        .unwrap();
    use shiftdeck::migration::guest_pdbs::{GuestPdbReport, GuestPdbs, PdbCheck, PdbVerdict};
    let reports = vec![GuestPdbReport {
        cluster: targets[0].cluster.clone(),
        nodes: targets[0].nodes.clone(),
        result: GuestPdbs::Checked(vec![PdbCheck {
            namespace: "shop".into(),
            name: "checkout".into(),
            disruptions_allowed: Some(0),
            on_drained: 1,
            note: None,
            verdict: PdbVerdict::Blocks,
        }]),
    }];
    // An answer to another node's check is dropped.
    assert!(!app.on_task(TaskResult::GuestPdbs {
        generation: 1,
        node: "worker-0".into(),
        targets: targets.clone(),
        reports: reports.clone(),
    }));
    assert!(app.on_task(TaskResult::GuestPdbs {
        generation: 1,
        node: "worker-5".into(),
        targets,
        reports,
    }));
    insta::assert_snapshot!("maintenance_worker_5_guest_pdbs", screen(&mut app, 150, 16));
    // Guest pods and PDBs change without any hub event: while the report is shown, the check is
    // asked again every 10 s, keeping the last answer on screen meanwhile.
    let pdb_asks = |app: &mut App| {
        app.take_effects()
            .iter()
            .filter(|e| matches!(e, shiftdeck::app::Effect::GuestPdbs { node, .. } if node == "worker-5"))
            .count()
    };
    let t0 = Instant::now();
    app.set_time(now(), t0 + std::time::Duration::from_secs(3));
    app.update(Action::Tick);
    assert_eq!(pdb_asks(&mut app), 0);
    app.set_time(now(), t0 + std::time::Duration::from_secs(11));
    app.update(Action::Tick);
    assert_eq!(pdb_asks(&mut app), 1);
    let s = screen(&mut app, 150, 16);
    assert!(
        s.contains("checkout") && !s.contains("checking guest PDBs…"),
        "{s}"
    );
    app.update(Action::Tick);
    assert_eq!(pdb_asks(&mut app), 0);
    // Opening the report again (m on the node) checks the guests again.
    command(&mut app, "nodes");
    key(&mut app, KeyCode::Char('m'));
    assert!(app.take_effects().iter().any(
        |e| matches!(e, shiftdeck::app::Effect::GuestPdbs { node, .. } if node == "worker-5")
    ));
    assert!(screen(&mut app, 150, 16).contains("checking guest PDBs…"));
    key(&mut app, KeyCode::Char('M'));
    insta::assert_snapshot!("maintenance_migrate_all_dialog", screen(&mut app, 150, 16));
    key(&mut app, KeyCode::Esc);
    assert!(!screen(&mut app, 150, 16).contains("y/Enter: confirm"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_go_through_gate_and_confirm_before_any_write() {
    use shiftdeck::actions::WriteRequest;
    use shiftdeck::actions::node::{CordonWrite, MigrateWrite};
    use shiftdeck::app::Effect;

    let (mut app, mut writers) = hub_app_with_writers().await;
    command(&mut app, "nodes");
    for _ in 0..30 {
        if app.pane().and_then(|p| p.selected_key()).as_deref() == Some("worker-5") {
            break;
        }
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Char('m'));
    // The effects since connecting.
    let fx = app.take_effects();
    // The guest PDB check of the one drained guest node (user-np-7bdzb, cluster clusters/user).
    let pdb_checks: Vec<&Effect> = fx
        .iter()
        .filter(|e| matches!(e, Effect::GuestPdbs { .. }))
        .collect();
    assert!(
        matches!(&pdb_checks[..], [Effect::GuestPdbs { generation: 1, node, targets }]
            if node == "worker-5" && targets.len() == 1
                && targets[0].cluster == "clusters/user"
                && targets[0].nodes == ["user-np-7bdzb"]
                && targets[0].guest.as_ref().is_ok_and(|g| g.secret == "user-admin-kubeconfig")),
        "{fx:?}"
    );
    // The RBAC questions of every action were asked ahead, once, on connect (opening the
    // report does not ask them again).
    let asked: Vec<&Effect> = fx
        .iter()
        .filter(|e| matches!(e, Effect::CheckAccess(_)))
        .collect();
    assert!(
        matches!(&asked[..], [Effect::CheckAccess(a)]
            if a.contains(&patch_nodes()) && a.contains(&create_migrations())),
        "{asked:?}"
    );
    // Unknown permission: `c` is parked (nothing written, no dialog yet) until the answer.
    key(&mut app, KeyCode::Char('c'));
    assert!(app.take_effects().is_empty());
    let s = screen(&mut app, 150, 16);
    assert!(s.contains("checking permission to patch nodes"), "{s}");
    assert!(!s.contains("cordon worker-5?"), "{s}");
    for access in [patch_nodes(), create_migrations()] {
        app.on_task(TaskResult::AccessChecked {
            generation: 1,
            access,
            verdict: Ok(Verdict::Allowed),
        });
    }
    // The press was not dropped: the answer opens its dialog; `n` cancels without a write.
    assert!(screen(&mut app, 150, 16).contains("cordon worker-5?"));
    key(&mut app, KeyCode::Char('n'));
    assert!(app.take_effects().is_empty());
    // `c` again and Enter writes, pinned to the node's uid.
    key(&mut app, KeyCode::Char('c'));
    assert!(screen(&mut app, 150, 16).contains("cordon worker-5?"));
    key(&mut app, KeyCode::Enter);
    let fx = app.take_effects();
    assert!(
        matches!(&fx[..], [Effect::Write(WriteRequest::Cordon(CordonWrite { node, unschedulable: true, uid: Some(_), origin, .. }))]
            if node == "worker-5" && origin.context == "hub"),
        "{fx:?}"
    );
    // Migrate all: only the migratable VMI is in the write.
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('y'));
    let fx = app.take_effects();
    let [Effect::Write(WriteRequest::Migrate(MigrateWrite { bodies, .. }))] = &fx[..] else {
        panic!("{fx:?}");
    };
    let vmis: Vec<&str> = bodies
        .iter()
        .map(|b| b["spec"]["vmiName"].as_str().unwrap())
        .collect();
    assert_eq!(vmis, ["example-7g9s4"]);
    // The VMI turns non-migratable while the dialog is open: confirming sends nothing.
    key(&mut app, KeyCode::Char('M'));
    let mut v = serde_json::to_value(
        app.pane()
            .and_then(|p| p.object_json("clusters-example/example-7g9s4"))
            .unwrap(),
    )
    .unwrap();
    v["status"]["conditions"] = serde_json::json!([{"type": "LiveMigratable", "status": "False",
        "reason": "DisksNotLiveMigratable", "message": "hotplugged RWO disk"}]);
    // As the API server would: every write moves the resourceVersion.
    v["metadata"]["resourceVersion"] = serde_json::json!("999999");
    writers.migration.writers[0].apply_watcher_event(&Event::Apply(
        serde_json::from_value::<DynamicObject>(v).unwrap(),
    ));
    app.store_changed();
    // Its guest node would now be drained too: the guest PDB check is asked again, for both.
    let fx = app.take_effects();
    assert!(
        matches!(&fx[..], [Effect::GuestPdbs { targets, .. }]
            if targets.iter().map(|t| t.cluster.as_str()).collect::<Vec<_>>() == ["clusters/example", "clusters/user"]),
        "{fx:?}"
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.take_effects().is_empty());
    assert!(screen(&mut app, 150, 16).contains("nothing sent"));
    // The selected non-migratable VMI is refused without a dialog.
    key(&mut app, KeyCode::Char('G'));
    key(&mut app, KeyCode::Char('l'));
    let s = screen(&mut app, 150, 16);
    assert!(
        s.contains("not migrating: user-np-7bdzb cannot live-migrate"),
        "{s}"
    );
    assert!(app.take_effects().is_empty());
    // A stale answer (other connection) changes nothing.
    assert!(!app.on_task(TaskResult::WriteDone {
        generation: 7,
        report: shiftdeck::actions::WriteReport {
            kind: shiftdeck::actions::WriteKind::Cordon,
            ok: true,
            summary: "x".into(),
            outcomes: Vec::new(),
            detail: Default::default(),
        },
    }));
}
