use serde_json::{Value, json};

use super::*;
use crate::fleet::util::{rows_json, table};

fn cond(t: &str, s: &str, msg: &str) -> Value {
    json!({"type": t, "status": s, "reason": "AsExpected", "message": msg,
           "lastTransitionTime": "2026-01-01T00:00:00Z"})
}

/// A KubeVirt NodePool like `hcp create nodepool kubevirt` makes (seed 002 §4.3.8.1).
pub(crate) fn np(
    name: &str,
    desired: i64,
    current: Option<i64>,
    version: Option<&str>,
    conds: Vec<Value>,
) -> Value {
    let mut p = json!({
        "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool",
        "metadata": {"name": name, "namespace": "clusters"},
        "spec": {"clusterName": "example", "replicas": desired,
                 "management": {"upgradeType": "Replace", "autoRepair": false},
                 "platform": {"type": "KubeVirt", "kubevirt": {
                     "compute": {"cores": 4, "memory": "6Gi"},
                     "rootVolume": {"type": "Persistent", "persistent": {"size": "16Gi"}}}}},
        "status": {"conditions": conds}
    });
    if let Some(c) = current {
        p["status"]["replicas"] = json!(c);
    }
    if let Some(v) = version {
        p["status"]["version"] = json!(v);
    }
    p
}

fn steady() -> Vec<Value> {
    vec![
        cond("AutoscalingEnabled", "False", ""),
        cond("AutorepairEnabled", "False", ""),
        cond("UpdatingVersion", "False", ""),
        cond("UpdatingConfig", "False", ""),
        cond("Ready", "True", ""),
    ]
}

#[test]
fn seed_002_node_pool_rows() {
    // NAME               CLUSTER   DESIRED NODES   CURRENT NODES   AUTOSCALING   AUTOREPAIR   VERSION   UPDATINGVERSION   UPDATINGCONFIG   MESSAGE
    // example            example   5               5               False         False        4.x.0
    // example-extra-cpu  example   2                               False         False                  True              True             Minimum availability requires 2 replicas, current 0 available
    let scaling = vec![
        cond("AutoscalingEnabled", "False", ""),
        cond("AutorepairEnabled", "False", ""),
        cond(
            "UpdatingVersion",
            "True",
            "Updating version in progress. Target version: 4.x.0",
        ),
        cond(
            "UpdatingConfig",
            "True",
            "Updating config in progress. Target config: abc",
        ),
        cond(
            "Ready",
            "False",
            "Minimum availability requires 2 replicas, current 0 available",
        ),
    ];
    let pools = [
        np("example-extra-cpu", 2, None, None, scaling),
        np("example", 5, Some(5), Some("4.x.0"), steady()),
    ];
    let rows = node_pool_rows(&pools);
    let (headers, cells) = table(&rows);
    assert_eq!(
        &headers[1..11],
        [
            "NAME",
            "CLUSTER",
            "DESIRED NODES",
            "CURRENT NODES",
            "AUTOSCALING",
            "AUTOREPAIR",
            "VERSION",
            "UPDATINGVERSION",
            "UPDATINGCONFIG",
            "MESSAGE"
        ]
    );
    assert_eq!(
        cells[0][1..11],
        [
            "example", "example", "5", "5", "False", "False", "4.x.0", "False", "False", ""
        ]
    );
    assert_eq!(
        cells[1][1..11],
        [
            "example-extra-cpu",
            "example",
            "2",
            "",
            "False",
            "False",
            "",
            "True",
            "True",
            "Minimum availability requires 2 replicas, current 0 available"
        ]
    );
    // Later the same pool: example-extra-cpu  example  2  2  False  False  4.x.0
    let done = NodePoolRow::new(&np(
        "example-extra-cpu",
        2,
        Some(2),
        Some("4.x.0"),
        steady(),
    ));
    assert_eq!(
        done.cells()[1..8],
        [
            "example-extra-cpu",
            "example",
            "2",
            "2",
            "False",
            "False",
            "4.x.0"
        ]
    );
}

#[test]
fn kubevirt_columns_and_badge() {
    let mut p = np("example-extra-cpu", 2, Some(2), Some("4.x.0"), steady());
    p["spec"]["platform"]["kubevirt"]["rootVolume"]["persistent"]["storageClass"] =
        json!("lvms-vg1");
    p["status"]["conditions"].as_array_mut().unwrap().push(json!({
        "type": "KubeVirtNodesLiveMigratable", "status": "False",
        "message": "2 of 2 machines are not live migratable\nMachine a: DisksNotLiveMigratable: m\nMachine b: DisksNotLiveMigratable: m\n"}));
    let row = NodePoolRow::new(&p);
    assert_eq!(
        row.cells()[11..],
        ["KubeVirt", "4", "6Gi", "16Gi", "lvms-vg1", "no 2/2"]
    );
    let j = rows_json(&[row]);
    assert_eq!(j[0]["LIVEMIGRATABLE"], "no 2/2");
    assert_eq!(j[0]["DESIRED NODES"], "2");
}

#[test]
fn non_kubevirt_and_empty_pools() {
    let p = json!({"metadata": {"name": "aws", "namespace": "clusters"},
                   "spec": {"clusterName": "c", "platform": {"type": "AWS"},
                            "autoScaling": {"min": 1, "max": 3}}});
    let row = NodePoolRow::new(&p);
    assert_eq!(row.kubevirt, None);
    assert_eq!(row.autoscaling_range, Some((1, 3)));
    assert_eq!(row.cells()[3], "");
    assert_eq!(row.cells()[11..], ["AWS", "", "", "", "", ""]);
}

#[test]
fn kubevirt_spec_reads_access_modes_and_host_devices() {
    let p = json!({"spec": {"platform": {"kubevirt": {
        "rootVolume": {"persistent": {"accessModes": ["ReadWriteMany"], "storageClass": "ceph"}},
        "hostDevices": [{"deviceName": "nvidia.com/GA102", "count": 1}]}}}});
    let kv = KubeVirtSpec::of(&p).unwrap();
    assert!(kv.root_rwx());
    assert_eq!(kv.host_devices, ["nvidia.com/GA102"]);
    assert_eq!(kv.cores, None);
}

#[test]
fn details_judge_conditions_and_show_scaling() {
    use crate::fleet::pipeline::PipelineInputs;
    let scaling = vec![
        cond("UpdatingVersion", "True", ""),
        cond(
            "Ready",
            "False",
            "Minimum availability requires 2 replicas, current 0 available",
        ),
    ];
    let p = np("example-extra-cpu", 2, None, None, scaling);
    let chain = PipelineInputs {
        machines: &[],
        vms: &[],
        dvs: &[],
        vmis: &[],
        nodes: &[],
    };
    let now = k8s_openapi::jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let d = NodePoolDetails::new(&p, &chain, now);
    assert_eq!(
        d.unhealthy().map(|c| c.type_.as_str()).collect::<Vec<_>>(),
        ["Ready"]
    );
    let s = d.scaling.unwrap();
    assert_eq!((s.desired, s.current, s.machines.len()), (2, 0, 0));
    let steady_pool = np("example", 5, Some(5), Some("4.x.0"), steady());
    assert!(
        NodePoolDetails::new(&steady_pool, &chain, now)
            .scaling
            .is_none()
    );
}

#[test]
fn a_deleting_pool_says_so_in_its_message() {
    let mut p = np(
        "going",
        2,
        Some(2),
        Some("4.18.1"),
        vec![cond("Ready", "True", "all good")],
    );
    assert_eq!(NodePoolRow::new(&p).message, "all good");
    p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    p["metadata"]["finalizers"] = json!(["hypershift.openshift.io/finalizer"]);
    let row = NodePoolRow::new(&p);
    assert_eq!(row.message, "Deleting: its machines are being torn down");
    assert_eq!(
        row.cells()[10],
        "Deleting: its machines are being torn down"
    );
}
