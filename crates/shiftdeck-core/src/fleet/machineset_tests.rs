use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::*;
use crate::fleet::util::{rows_json, table};

fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

const INFRA: &str = "agl030519-vplxk";

/// An AWS MachineSet as in seed 004; `ready` is omitted when 0, like the API does.
fn ms(name: &str, replicas: i64, ready: i64, age_min: i64, windows: bool) -> Value {
    let mut labels = json!({
        "machine.openshift.io/cluster-api-cluster": INFRA,
        "machine.openshift.io/cluster-api-machine-role": "worker",
        "machine.openshift.io/cluster-api-machine-type": "worker",
        "machine.openshift.io/cluster-api-machineset": name});
    if windows {
        labels["machine.openshift.io/os-id"] = json!("Windows");
    }
    let mut status = json!({"replicas": replicas, "observedGeneration": 1});
    if ready > 0 {
        status["readyReplicas"] = json!(ready);
        status["availableReplicas"] = json!(ready);
        status["fullyLabeledReplicas"] = json!(ready);
    }
    json!({
        "apiVersion": "machine.openshift.io/v1beta1", "kind": "MachineSet",
        "metadata": {"name": name, "namespace": "openshift-machine-api",
                     "creationTimestamp": (now() - SignedDuration::from_mins(age_min)).to_string()},
        "spec": {"replicas": replicas, "template": {"metadata": {"labels": labels},
                 "spec": {"providerSpec": {"value": {"instanceType": if windows { "m5a.large" } else { "m6i.xlarge" }}}}}},
        "status": status
    })
}

fn seed_sets() -> Vec<Value> {
    let mut v = vec![ms(
        &format!("{INFRA}-windows-worker-us-east-1a"),
        1,
        1,
        11,
        true,
    )];
    for z in ["a", "b", "c"] {
        v.push(ms(&format!("{INFRA}-worker-us-east-1{z}"), 1, 1, 55, false));
    }
    for z in ["d", "e", "f"] {
        v.push(ms(&format!("{INFRA}-worker-us-east-1{z}"), 0, 0, 55, false));
    }
    v
}

#[test]
fn seed_004_table() {
    // NAME                                      DESIRED   CURRENT   READY   AVAILABLE   AGE
    // agl030519-vplxk-windows-worker-us-east-1a    1         1         1       1        11m
    // agl030519-vplxk-worker-us-east-1a            1         1         1       1        55m
    // agl030519-vplxk-worker-us-east-1d            0         0                          55m
    let rows = machine_set_rows(&seed_sets(), &[], &[], now());
    let (headers, cells) = table(&rows);
    assert_eq!(
        &headers[..6],
        ["NAME", "DESIRED", "CURRENT", "READY", "AVAILABLE", "AGE"]
    );
    let first6: Vec<Vec<&str>> = cells
        .iter()
        .map(|c| c[..6].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        first6,
        [
            [
                "agl030519-vplxk-windows-worker-us-east-1a",
                "1",
                "1",
                "1",
                "1",
                "11m"
            ],
            [
                "agl030519-vplxk-worker-us-east-1a",
                "1",
                "1",
                "1",
                "1",
                "55m"
            ],
            [
                "agl030519-vplxk-worker-us-east-1b",
                "1",
                "1",
                "1",
                "1",
                "55m"
            ],
            [
                "agl030519-vplxk-worker-us-east-1c",
                "1",
                "1",
                "1",
                "1",
                "55m"
            ],
            ["agl030519-vplxk-worker-us-east-1d", "0", "0", "", "", "55m"],
            ["agl030519-vplxk-worker-us-east-1e", "0", "0", "", "", "55m"],
            ["agl030519-vplxk-worker-us-east-1f", "0", "0", "", "", "55m"],
        ]
    );
    assert_eq!(
        (cells[0][6].as_str(), cells[0][7].as_str()),
        ("Windows", "amd64")
    );
    assert_eq!(cells[1][6], "Linux");
    assert_eq!(rows_json(&rows)[0]["OS"], "Windows");
}

#[test]
fn windows_is_the_label_not_the_name() {
    let mut s = ms("winnotreally", 1, 1, 1, false);
    assert!(!is_windows(&s));
    s["spec"]["template"]["metadata"]["labels"][OS_ID_LABEL] = json!("Windows");
    assert!(is_windows(&s));
}

#[test]
fn arch_from_provider_spec() {
    assert_eq!(azure_vm_size_arch("Standard_D8ps_v5"), Some("arm64"));
    assert_eq!(azure_vm_size_arch("Standard_E4pds_v5"), Some("arm64"));
    assert_eq!(azure_vm_size_arch("Standard_D2s_v3"), Some("amd64"));
    assert_eq!(azure_vm_size_arch("Standard_DC4s_v3"), Some("amd64"));
    assert_eq!(azure_vm_size_arch("Basic_A1"), None);
    for arm in [
        "m6g.large",
        "c7g.xlarge",
        "t4g.medium",
        "r6gd.2xlarge",
        "c6gn.large",
        "im4gn.large",
        "a1.large",
    ] {
        assert_eq!(aws_instance_arch(arm), Some("arm64"), "{arm}");
    }
    for x86 in ["m5a.large", "m6i.xlarge", "g4dn.xlarge", "p4d.24xlarge"] {
        assert_eq!(aws_instance_arch(x86), Some("amd64"), "{x86}");
    }
    let azure =
        |pv: Value| json!({"spec": {"template": {"spec": {"providerSpec": {"value": pv}}}}});
    let gallery = azure(json!({"vmSize": "Standard_D4s_v3",
        "image": {"resourceID": "/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/rhcos-arm64/versions/1.0.0"}}));
    assert_eq!(provider_arch(&gallery), Some("arm64"));
    assert_eq!(
        provider_arch(&azure(json!({"vmSize": "Standard_D8ps_v5"}))),
        Some("arm64")
    );
    assert_eq!(
        provider_arch(&azure(json!({"machineType": "t2a-standard-4"}))),
        Some("arm64")
    );
    assert_eq!(provider_arch(&azure(json!({"something": 1}))), None);
    assert_eq!(provider_arch(&json!({})), None);
}

#[test]
fn machines_and_node_arch_win_over_provider_guess() {
    let set = ms("mixed", 2, 1, 5, false); // provider says m6i (amd64)
    let machine = |n: &str, phase: &str, node: Option<&str>| {
        let mut m = json!({"metadata": {"name": n, "namespace": "openshift-machine-api",
            "labels": {MACHINESET_LABEL: "mixed"}}, "status": {"phase": phase}});
        if let Some(node) = node {
            m["status"]["nodeRef"] = json!({"name": node});
        }
        m
    };
    let mut other_ns = machine("mixed-zzz", "Running", None);
    other_ns["metadata"]["namespace"] = json!("elsewhere");
    let machines = [
        machine("mixed-b", "Provisioning", None),
        machine("mixed-a", "Running", Some("ip-10-0-1-1")),
        other_ns,
    ];
    let nodes =
        [json!({"metadata": {"name": "ip-10-0-1-1", "labels": {"kubernetes.io/arch": "arm64"}}})];
    let row = MachineSetRow::new(&set, &machines, &nodes, now());
    assert_eq!(row.arch, "arm64");
    assert_eq!(row.machines.len(), 2);
    assert_eq!(row.machines[0].node.as_deref(), Some("ip-10-0-1-1"));
    assert_eq!(
        row.cells()[8],
        "mixed-a Running ip-10-0-1-1, mixed-b Provisioning"
    );
}

#[test]
fn empty_machineset_does_not_panic() {
    let row = MachineSetRow::new(&json!({}), &[], &[], now());
    assert_eq!(
        row.cells(),
        ["", "", "", "", "", "<unknown>", "Linux", "", ""]
    );
}

#[test]
fn a_deleting_machine_reads_deleting_before_its_phase_does() {
    let set = ms("mixed", 1, 1, 5, false);
    let m = json!({"metadata": {"name": "mixed-a", "namespace": "openshift-machine-api",
        "labels": {MACHINESET_LABEL: "mixed"}, "deletionTimestamp": "2026-01-01T00:00:00Z",
        "finalizers": ["machine.machine.openshift.io"]},
        "status": {"phase": "Running", "nodeRef": {"name": "ip-10-0-1-1"}}});
    let row = MachineSetRow::new(&set, &[m], &[], now());
    assert_eq!(row.cells()[8], "mixed-a Deleting ip-10-0-1-1");
}
