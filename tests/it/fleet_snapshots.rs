//! Whole-screen snapshots of the Node pools pane (with a scaling pipeline: a finished machine,
//! one importing its disk, one stuck) and the MachineSets pane, plus the scale confirm dialog,
//! from fixed objects and a fixed "now".
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use shiftdeck::app::App;
use shiftdeck::gate::{Access, Verdict};
use shiftdeck::keymap::Keymap;
use shiftdeck::theme::Theme;
use shiftdeck::watch::{KindState, Stores, WatchMsg};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn ts(ago_secs: i64) -> String {
    (now() - SignedDuration::from_secs(ago_secs))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn feed<K>(w: &mut Writer<K>, objs: Vec<Value>)
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned,
{
    w.apply_watcher_event(&Event::Init);
    for o in objs {
        w.apply_watcher_event(&Event::InitApply(serde_json::from_value(o).unwrap()));
    }
    w.apply_watcher_event(&Event::InitDone);
}

fn meta(name: &str, ns: &str, created_ago: i64) -> Value {
    json!({"name": name, "namespace": ns, "creationTimestamp": ts(created_ago), "uid": name})
}

fn pool(name: &str, replicas: i64, current: i64, cores: i64) -> Value {
    json!({
        "metadata": meta(name, "clusters", 86_400),
        "spec": {"clusterName": "example", "replicas": replicas,
            "management": {"autoRepair": false},
            "platform": {"type": "KubeVirt", "kubevirt": {
                "compute": {"cores": cores, "memory": "8Gi"},
                "rootVolume": {"type": "Persistent", "persistent": {"size": "32Gi",
                    "storageClass": "ocs-storagecluster-ceph-rbd", "accessModes": ["ReadWriteMany"]}}}}},
        "status": {"replicas": current, "version": "4.18.1", "conditions": [
            {"type": "AutoscalingEnabled", "status": "False", "lastTransitionTime": ts(86_400)},
            {"type": "AutorepairEnabled", "status": "False", "lastTransitionTime": ts(86_400)},
            {"type": "UpdatingVersion", "status": "False", "lastTransitionTime": ts(86_400)},
            {"type": "UpdatingConfig", "status": "False", "lastTransitionTime": ts(86_400)},
            {"type": "Ready", "status": if replicas == current { "True" } else { "False" },
             "message": if replicas == current { "" } else { "Minimum availability requires 3 replicas, current 1 available" },
             "lastTransitionTime": ts(600)},
            {"type": "AllMachinesReady", "status": if replicas == current { "True" } else { "False" },
             "reason": if replicas == current { "AsExpected" } else { "WaitingForAvailableMachinesMinimum" },
             "message": if replicas == current { "" } else { "Machine example-extra-cpu-bbbbb is not ready\nMachine example-extra-cpu-ccccc is not ready\n" },
             "lastTransitionTime": ts(600)}]}
    })
}

const NS: &str = "clusters-example";

fn machine(name: &str, created: i64, healthy_at: Option<i64>) -> Value {
    let mut status =
        json!({"phase": if healthy_at.is_some() { "Running" } else { "Provisioning" }});
    if let Some(h) = healthy_at {
        status["nodeRef"] = json!({"kind": "Node", "name": name});
        status["conditions"] =
            json!([{"type": "NodeHealthy", "status": "True", "lastTransitionTime": ts(h)}]);
    }
    json!({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine",
        "metadata": {"name": name, "namespace": NS, "creationTimestamp": ts(created),
            "annotations": {"hypershift.openshift.io/nodePool": "clusters/example-extra-cpu"}},
        "spec": {"infrastructureRef": {"name": name}}, "status": status})
}

fn vm(name: &str, created: i64, status: &str) -> Value {
    json!({"metadata": meta(name, NS, created), "status": {"printableStatus": status}})
}

fn dv(vm: &str, phase: &str, progress: &str, restarts: i64, ready_at: Option<i64>) -> Value {
    let mut s = json!({"phase": phase, "progress": progress, "restartCount": restarts});
    if let Some(r) = ready_at {
        s["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": ts(r)}]);
    }
    json!({"metadata": meta(&format!("{vm}-rhcos"), NS, 0), "status": s})
}

fn vmi(name: &str, running_at: i64, node: &str) -> Value {
    json!({"metadata": meta(name, NS, running_at + 10), "status": {"phase": "Running", "nodeName": node,
        "phaseTransitionTimestamps": [{"phase": "Running", "phaseTransitionTimestamp": ts(running_at)}]}})
}

fn hub_app() -> App {
    let (stores, mut w) = Stores::with_writers();
    feed(
        &mut w.nodepools,
        vec![pool("example", 2, 2, 2), pool("example-extra-cpu", 3, 1, 6)],
    );
    let (a, b, c) = (
        "example-extra-cpu-aaaaa",
        "example-extra-cpu-bbbbb",
        "example-extra-cpu-ccccc",
    );
    feed(
        &mut w.fleet.pool_machines,
        vec![
            machine(a, 900, Some(500)),
            machine(b, 240, None),
            machine(c, 3_000, None),
        ],
    );
    feed(
        &mut w.fleet.vms,
        vec![
            vm(a, 890, "Running"),
            vm(b, 230, "Provisioning"),
            vm(c, 2_990, "Provisioning"),
        ],
    );
    feed(
        &mut w.datavolumes,
        vec![
            dv(a, "Succeeded", "100.0%", 0, Some(700)),
            dv(b, "ImportInProgress", "45.30%", 0, None),
            dv(c, "ImportInProgress", "3.00%", 3, None),
        ],
    );
    feed(&mut w.fleet.vmis, vec![vmi(a, 620, "worker-3")]);
    feed(
        &mut w.fleet.machinesets,
        vec![json!({
            "metadata": meta("hub-7x2kq-worker-0", "openshift-machine-api", 86_400 * 120),
            "spec": {"replicas": 2, "selector": {"matchLabels": {
                "machine.openshift.io/cluster-api-machineset": "hub-7x2kq-worker-0"}},
                "template": {"metadata": {"labels": {
                    "machine.openshift.io/cluster-api-machineset": "hub-7x2kq-worker-0"}}}},
            "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}
        })],
    );
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    for k in [
        "nodepools",
        "machinesets",
        "machines",
        "machines.cluster.x-k8s.io",
    ] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind: k,
            state: KindState::Live,
        });
    }
    app
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(shiftdeck::action::Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn key(app: &mut App, c: char) {
    app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn command(app: &mut App, cmd: &str) {
    key(app, ':');
    for c in cmd.chars() {
        key(app, c);
    }
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

#[test]
fn node_pools_pane_with_scaling_pipeline() {
    let mut app = hub_app();
    command(&mut app, "np");
    let s = screen(&mut app, 160, 24);
    assert!(s.contains("scaling up"), "{s}");
    assert!(s.contains("import restarted 3 times"), "{s}");
    insta::assert_snapshot!("node_pools_scaling", s);
}

/// Node pool details, Conditions: a reason longer than its column keeps a space before the
/// message, and each line of a multi-line message gets its own line.
#[test]
fn node_pool_details_conditions_keep_reason_and_message_lines_apart() {
    let mut app = hub_app();
    command(&mut app, "np");
    key(&mut app, 'j');
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let s = screen(&mut app, 160, 40);
    assert!(
        s.contains(
            "WaitingForAvailableMachinesMinimum Machine example-extra-cpu-bbbbb is not ready"
        ),
        "{s}"
    );
    assert!(
        s.contains("\"      Machine example-extra-cpu-ccccc is not ready"),
        "the second message line is not on its own line:\n{s}"
    );
    assert!(!s.contains("readyMachine"), "{s}");
    insta::assert_snapshot!("node_pool_details_conditions", s);
}

#[test]
fn machinesets_pane() {
    let mut app = hub_app();
    command(&mut app, "ms");
    insta::assert_snapshot!("machinesets", screen(&mut app, 120, 8));
}

#[test]
fn scale_down_confirm_names_likely_victims() {
    let mut app = hub_app();
    command(&mut app, "np");
    key(&mut app, 'j');
    // RBAC answered already (as the task would report it).
    app.on_task(shiftdeck::action::TaskResult::AccessChecked {
        generation: 1,
        access: Access {
            verb: "update".into(),
            group: "hypershift.openshift.io".into(),
            resource: "nodepools".into(),
            subresource: Some("scale".into()),
            namespace: Some("clusters".into()),
            name: None,
        },
        verdict: Ok(Verdict::Allowed),
    });
    key(&mut app, '-');
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("Scale from 3 to 2 nodes?"), "{s}");
    insta::assert_snapshot!("scale_down_confirm", s);
}

#[test]
fn read_only_disables_scale_keys_with_the_reason() {
    let (stores, mut w) = Stores::with_writers();
    feed(&mut w.nodepools, vec![pool("example", 2, 2, 2)]);
    let mut app = App::new(Keymap::default(), Theme::default(), true);
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    command(&mut app, "np");
    key(&mut app, '+');
    let s = screen(&mut app, 120, 10);
    assert!(s.contains("scaling disabled: read-only mode"), "{s}");
    assert!(!s.contains("Scale from"), "{s}");
    assert!(app.take_effects().is_empty());
}
