use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;

const NS: &str = "clusters-example";

fn ts(min: i64) -> String {
    t(min).to_string()
}

fn t(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).unwrap()
}

fn meta(name: &str, created_min: i64) -> Value {
    json!({"name": name, "namespace": NS, "creationTimestamp": ts(created_min),
           "annotations": {"hypershift.openshift.io/nodePool": "clusters/example"}})
}

fn machine(name: &str, at: i64) -> Value {
    json!({"metadata": meta(name, at), "spec": {"infrastructureRef": {"name": name}},
           "status": {"phase": "Provisioning"}})
}

fn vm(name: &str, at: i64) -> Value {
    json!({"metadata": meta(name, at), "status": {"printableStatus": "Provisioning"}})
}

fn dv(vm: &str, phase: &str, progress: &str, done_at: Option<i64>) -> Value {
    let mut d = json!({"metadata": meta(&format!("{vm}-rhcos"), 0),
                       "status": {"phase": phase, "progress": progress, "restartCount": 0}});
    if let Some(m) = done_at {
        d["status"]["conditions"] =
            json!([{"type": "Ready", "status": "True", "lastTransitionTime": ts(m)}]);
    }
    d
}

fn vmi(name: &str, phase: &str, running_at: Option<i64>) -> Value {
    let mut v =
        json!({"metadata": meta(name, 0), "status": {"phase": phase, "nodeName": "infra-1"}});
    if let Some(m) = running_at {
        v["status"]["phaseTransitionTimestamps"] = json!([
            {"phase": "Scheduling", "phaseTransitionTimestamp": ts(m - 1)},
            {"phase": "Running", "phaseTransitionTimestamp": ts(m)}]);
    }
    v
}

fn node(name: &str, ready_at: Option<i64>) -> Value {
    let c = match ready_at {
        Some(m) => json!({"type": "Ready", "status": "True", "lastTransitionTime": ts(m)}),
        None => json!({"type": "Ready", "status": "False", "lastTransitionTime": ts(0)}),
    };
    json!({"metadata": {"name": name}, "status": {"conditions": [c]}})
}

fn pool(desired: i64, current: i64) -> Value {
    json!({"metadata": {"name": "example", "namespace": "clusters"},
           "spec": {"clusterName": "example", "replicas": desired}, "status": {"replicas": current}})
}

struct World {
    machines: Vec<Value>,
    vms: Vec<Value>,
    dvs: Vec<Value>,
    vmis: Vec<Value>,
    nodes: Vec<Value>,
}

impl World {
    fn inputs(&self) -> PipelineInputs<'_> {
        PipelineInputs {
            machines: &self.machines,
            vms: &self.vms,
            dvs: &self.dvs,
            vmis: &self.vmis,
            nodes: &self.nodes,
        }
    }
}

/// `a` finished in 10 minutes; `b` importing its disk; `c` only has a Machine.
fn world() -> World {
    World {
        machines: vec![
            machine("example-a", 0),
            machine("example-b", 0),
            machine("example-c", 0),
        ],
        vms: vec![vm("example-a", 1), vm("example-b", 1)],
        dvs: vec![
            dv("example-a", "Succeeded", "100.0%", Some(4)),
            dv("example-b", "ImportInProgress", "45.30%", None),
        ],
        vmis: vec![vmi("example-a", "Running", Some(6))],
        nodes: vec![node("example-a", Some(10))],
    }
}

#[test]
fn stages_and_step_times() {
    let w = world();
    let a = machine_pipeline(&w.machines[0], &w.inputs());
    assert!(a.finished());
    let d: Vec<_> = a
        .step_durations()
        .into_iter()
        .map(|(s, d)| (s, d.map(|d| d.as_mins())))
        .collect();
    assert_eq!(
        d,
        [
            (Stage::Machine, Some(0)),
            (Stage::VirtualMachine, Some(1)),
            (Stage::RootDisk, Some(3)),
            (Stage::VmiRunning, Some(2)),
            (Stage::NodeReady, Some(4)),
        ]
    );
    assert_eq!(a.total(), Some(SignedDuration::from_mins(10)));
    assert_eq!(a.infra_node.as_deref(), Some("infra-1"));
    assert_eq!(a.steps[3].detail, "on infra-1");

    let b = machine_pipeline(&w.machines[1], &w.inputs());
    assert_eq!(b.current(), Some(Stage::RootDisk));
    assert_eq!(b.disk_percent, Some(45.3));
    assert_eq!(b.steps[2].detail, "ImportInProgress 45.3%");
    assert_eq!(b.waiting_for(t(3)), Some(SignedDuration::from_mins(2)));

    let c = machine_pipeline(&w.machines[2], &w.inputs());
    assert_eq!(c.current(), Some(Stage::VirtualMachine));
    assert!(!c.stuck());
}

#[test]
fn same_namespace_objects_win() {
    let mut w = world();
    let mut decoy = vmi("example-b", "Failed", None);
    decoy["metadata"]["namespace"] = json!("elsewhere");
    w.vmis.insert(0, decoy);
    w.vmis.push(vmi("example-b", "Running", Some(9)));
    let b = machine_pipeline(&w.machines[1], &w.inputs());
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert!(b.steps[3].done);
}

#[test]
fn scale_down_lists_deleting_machines_first() {
    let mut w = world();
    w.machines[0]["metadata"]["deletionTimestamp"] = json!(ts(20));
    w.machines[0]["status"]["phase"] = json!("Deleting");
    let p = scaling_progress(&pool(2, 3), &w.inputs(), t(21)).unwrap();
    assert_eq!(p.machines[0].machine, "example-a");
    assert!(p.machines[0].deleting && p.machines[0].finished());
    assert!(!p.machines[1].deleting);
}

#[test]
fn progress_strings() {
    assert_eq!(parse_progress("45.30%"), Some(45.3));
    assert_eq!(parse_progress("100.0%"), Some(100.0));
    assert_eq!(parse_progress("N/A"), None);
    assert_eq!(parse_progress(""), None);
}

#[test]
fn slow_steps_are_flagged_against_peers_or_typical() {
    let w = world();
    // At minute 3: b has waited 2 minutes on its disk (limit 3 x 5m), c 3 minutes for its VM
    // (limit 3 x 1m, not exceeded yet): nothing is stuck.
    let p = scaling_progress(&pool(3, 1), &w.inputs(), t(3)).unwrap();
    assert!(p.machines.iter().all(|m| !m.stuck()), "{:?}", p.machines);
    // At minute 4 c has waited 4m for a VM its peers got in 1m: stuck; b is fine.
    let p = scaling_progress(&pool(3, 1), &w.inputs(), t(4)).unwrap();
    assert_eq!(p.machines[0].machine, "example-c");
    assert_eq!(
        p.machines[0].problems,
        ["waiting for VM for 4m (typically 60s)"]
    );
    assert!(!p.machines[1].stuck());
    // At minute 40: b waited 39m for the disk (> 15m), c waited 40m for its VM (> 3m).
    let p = scaling_progress(&pool(3, 1), &w.inputs(), t(40)).unwrap();
    let stuck: Vec<_> = p
        .machines
        .iter()
        .filter(|m| m.stuck())
        .map(|m| m.machine.as_str())
        .collect();
    assert_eq!(stuck, ["example-b", "example-c"]);
    assert!(
        p.machines[0].problems[0].starts_with("waiting for Disk for 39m"),
        "{:?}",
        p.machines[0].problems
    );
    assert_eq!(p.machines.last().unwrap().machine, "example-a");
    assert!((p.fraction() - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn hard_failures_are_problems_at_once() {
    let mut w = world();
    w.dvs[1]["status"]["phase"] = json!("Failed");
    w.dvs[1]["status"]["restartCount"] = json!(4);
    w.vmis.push(vmi("example-c", "Failed", None));
    w.vms.push(json!({"metadata": meta("example-c", 1), "status": {"printableStatus": "ErrorUnschedulable"}}));
    let b = machine_pipeline(&w.machines[1], &w.inputs());
    assert_eq!(
        b.problems,
        [
            "DataVolume example-b-rhcos failed",
            "DataVolume example-b-rhcos import restarted 4 times"
        ]
    );
    assert_eq!(b.steps[2].detail, "Failed 45.3% (4 restarts)");
    let c = machine_pipeline(&w.machines[2], &w.inputs());
    assert_eq!(
        c.problems,
        ["VM example-c is ErrorUnschedulable", "VMI example-c failed"]
    );
    // One restart is shown but not (yet) a problem.
    w.dvs[1]["status"]["phase"] = json!("ImportInProgress");
    w.dvs[1]["status"]["restartCount"] = json!(1);
    let b = machine_pipeline(&w.machines[1], &w.inputs());
    assert!(b.problems.is_empty());
    assert_eq!(b.steps[2].detail, "ImportInProgress 45.3% (1 restart)");
}

#[test]
fn no_progress_when_settled_or_autoscaled() {
    let w = world();
    assert!(scaling_progress(&pool(3, 3), &w.inputs(), t(1)).is_none());
    let auto = json!({"metadata": {"name": "example", "namespace": "clusters"}, "status": {"replicas": 1}});
    assert!(scaling_progress(&auto, &w.inputs(), t(1)).is_none());
}

#[test]
fn node_name_comes_from_node_ref_and_not_ready_is_shown() {
    let mut w = world();
    w.machines[1]["status"]["nodeRef"] = json!({"name": "guest-b"});
    w.nodes.push(node("guest-b", None));
    let b = machine_pipeline(&w.machines[1], &w.inputs());
    assert_eq!(b.node, "guest-b");
    assert_eq!(b.steps[4].detail, "NotReady");
}
