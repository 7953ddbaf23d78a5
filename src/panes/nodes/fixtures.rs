//! Real-looking Node objects for tests, snapshots and benchmarks (`sample_nodes(5000, ..)`).

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// How a sample node looks.
#[derive(Debug, Clone)]
pub struct NodeSpec<'a> {
    pub name: &'a str,
    pub roles: &'a [&'a str],
    pub arch: &'a str,
    pub os: &'a str,
    /// `True`, `False`, `Unknown`, or None for no Ready condition.
    pub ready: Option<&'a str>,
    pub unschedulable: bool,
    pub ip: &'a str,
    pub taints: usize,
    pub created: Timestamp,
    pub rv: u64,
}

impl Default for NodeSpec<'_> {
    fn default() -> Self {
        NodeSpec {
            name: "worker-0",
            roles: &["worker"],
            arch: "amd64",
            os: "linux",
            ready: Some("True"),
            unschedulable: false,
            ip: "10.0.0.10",
            taints: 0,
            created: Timestamp::from_second(1_700_000_000).unwrap_or_default(),
            rv: 1,
        }
    }
}

/// The JSON of a kubelet-registered node, with managedFields and images like a real one.
pub fn node_json(s: &NodeSpec) -> Value {
    let mut labels = serde_json::Map::new();
    labels.insert("kubernetes.io/arch".into(), json!(s.arch));
    labels.insert("kubernetes.io/os".into(), json!(s.os));
    labels.insert("kubernetes.io/hostname".into(), json!(s.name));
    labels.insert("beta.kubernetes.io/arch".into(), json!(s.arch));
    for r in s.roles {
        labels.insert(format!("node-role.kubernetes.io/{r}"), json!(""));
    }
    if s.os == "windows" {
        labels.insert(
            "node.kubernetes.io/windows-build".into(),
            json!("10.0.20348"),
        );
    }
    let taints: Vec<Value> = (0..s.taints)
        .map(|i| json!({"key": format!("example.com/taint-{i}"), "effect": "NoSchedule"}))
        .collect();
    let ts = s.created.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut conditions = vec![
        json!({"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "lastTransitionTime": ts, "lastHeartbeatTime": ts}),
    ];
    if let Some(r) = s.ready {
        conditions.push(json!({"type": "Ready", "status": r, "reason": if r == "True" {"KubeletReady"} else {"KubeletNotReady"}, "message": "kubelet is posting ready status", "lastTransitionTime": ts, "lastHeartbeatTime": ts}));
    }
    let (kubelet, image) = if s.os == "windows" {
        ("v1.31.6-dirty", "Windows Server 2022 Datacenter")
    } else {
        ("v1.31.6", "Red Hat Enterprise Linux CoreOS 9.6")
    };
    let mut spec = json!({"taints": taints});
    if s.unschedulable {
        spec["unschedulable"] = json!(true);
    }
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": s.name, "uid": format!("uid-{}", s.name), "resourceVersion": s.rv.to_string(),
            "creationTimestamp": ts, "labels": labels,
            "annotations": {"machine.openshift.io/machine": format!("openshift-machine-api/{}", s.name)},
            "managedFields": [{"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ts, "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}]
        },
        "spec": spec,
        "status": {
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": s.ip}, {"type": "Hostname", "address": s.name}],
            "capacity": {"cpu": "8", "memory": "32Gi", "pods": "250"},
            "allocatable": {"cpu": "7500m", "memory": "30Gi", "pods": "250"},
            "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "5.14.0",
                "osImage": image, "containerRuntimeVersion": "cri-o://1.31.6", "kubeletVersion": kubelet,
                "kubeProxyVersion": "", "operatingSystem": s.os, "architecture": s.arch},
            "images": [{"names": ["quay.io/openshift/example@sha256:0"], "sizeBytes": 1000}]
        }
    })
}

pub fn node(s: &NodeSpec) -> Node {
    serde_json::from_value(node_json(s)).unwrap_or_default()
}

/// `n` nodes: 3 masters, the rest a mix of amd64/arm64 workers and a Windows node every 10th,
/// one NotReady every 7th, one cordoned every 11th. Creation times step back by an hour.
pub fn sample_nodes(n: usize, newest: Timestamp) -> Vec<Node> {
    (0..n)
        .map(|i| {
            let name = if i < 3 {
                format!("master-{i}")
            } else {
                format!("worker-{}", i - 3)
            };
            let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
            let (arch, os) = match i {
                _ if i < 3 => ("amd64", "linux"),
                _ if i % 10 == 9 => ("amd64", "windows"),
                _ if i % 3 == 0 => ("arm64", "linux"),
                _ => ("amd64", "linux"),
            };
            let roles: &[&str] = if i < 3 {
                &["control-plane", "master"]
            } else {
                &["worker"]
            };
            node(&NodeSpec {
                name: &name,
                roles,
                arch,
                os,
                ready: Some(if i % 7 == 6 { "False" } else { "True" }),
                unschedulable: i % 11 == 10,
                ip: &ip,
                taints: usize::from(i < 3),
                created: newest - SignedDuration::from_hours(i64::try_from(n - i).unwrap_or(0)),
                rv: 1,
            })
        })
        .collect()
}

/// Default specs for these names (tests that change a few of many nodes).
pub fn named_specs(names: &[String]) -> Vec<NodeSpec<'_>> {
    names
        .iter()
        .map(|n| NodeSpec {
            name: n,
            ..Default::default()
        })
        .collect()
}
