//! A single-node MicroShift edge cluster (seed 003): RHEL 9.4 host, the pods of a MicroShift
//! install (DNS, router, OVN-Kubernetes, service CA, LVMS/TopoLVM, snapshot controller),
//! `kube-public/microshift-version`, and the `topolvm-provisioner` StorageClass.

use std::time::Duration;

use serde_json::json;

use super::objects::{self, NodeSpec, hex, put, put_aged, suffix};
use crate::SimOptions;
use crate::error::ApiError;
use crate::store::Store;

pub const NODE: &str = "edge-01.example.com";
pub const VERSION: &str = "4.18.1";
pub const IP: &str = "192.168.122.10";

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let s = opts.seed;
    let age = Duration::from_secs(21 * 86_400);
    let ts = store.clock().ago_rfc3339(age);
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "openshift-dns",
        "openshift-ingress",
        "openshift-ovn-kubernetes",
        "openshift-service-ca",
        "openshift-storage",
        "openshift-infra",
    ] {
        put_aged(store, "namespaces", objects::namespace(ns, json!({})), age)?;
    }
    let mut n = NodeSpec::rhcos(NODE, "amd64", vec!["control-plane", "master", "worker"], IP);
    n.os_image = "Red Hat Enterprise Linux 9.4 (Plow)".to_string();
    n.kernel = "5.14.0-427.50.1.el9_4.x86_64".to_string();
    n.runtime = "cri-o://1.31.5-3.rhaos4.18.git2e3a4a7.el9".to_string();
    n.cpu = 4;
    n.memory_gi = 16;
    n.extra_labels = json!({"node.openshift.io/os_id": "rhel", "topology.topolvm.io/node": NODE});
    let mut node = objects::node(&n, &ts);
    node["metadata"]["labels"]["node.openshift.io/os_id"] = json!("rhel");
    put_aged(store, "nodes", node, age)?;
    put(
        store,
        "configmaps",
        json!({
            "metadata": {"name": "microshift-version", "namespace": "kube-public"},
            "data": {"version": VERSION, "major": "4", "minor": "18", "patch": "1"}
        }),
    )?;
    put(
        store,
        "storageclasses.storage.k8s.io",
        json!({
            "metadata": {"name": "topolvm-provisioner", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "topolvm.io",
            "parameters": {"csi.storage.k8s.io/fstype": "xfs"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true
        }),
    )?;
    let img = |c: &str| {
        format!(
            "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{}",
            hex(s, c, 64)
        )
    };
    // (namespace, base name, daemonset?, containers)
    let pods: &[(&str, &str, bool, &[&str])] = &[
        (
            "openshift-dns",
            "dns-default",
            true,
            &["dns", "kube-rbac-proxy"],
        ),
        (
            "openshift-dns",
            "node-resolver",
            true,
            &["dns-node-resolver"],
        ),
        ("openshift-ingress", "router-default", false, &["router"]),
        (
            "openshift-ovn-kubernetes",
            "ovnkube-master",
            true,
            &["northd", "nbdb", "sbdb", "ovnkube-master"],
        ),
        (
            "openshift-ovn-kubernetes",
            "ovnkube-node",
            true,
            &["ovn-controller", "ovnkube-node"],
        ),
        (
            "openshift-service-ca",
            "service-ca",
            false,
            &["service-ca-controller"],
        ),
        ("openshift-storage", "lvms-operator", false, &["manager"]),
        (
            "openshift-storage",
            "topolvm-controller",
            false,
            &[
                "topolvm-controller",
                "csi-provisioner",
                "csi-resizer",
                "liveness-probe",
            ],
        ),
        (
            "openshift-storage",
            "topolvm-node",
            true,
            &["lvmd", "topolvm-node", "csi-registrar", "liveness-probe"],
        ),
        (
            "kube-system",
            "csi-snapshot-controller",
            false,
            &["snapshot-controller"],
        ),
        ("kube-system", "csi-snapshot-webhook", false, &["webhook"]),
    ];
    for (i, (ns, base, ds, containers)) in pods.iter().enumerate() {
        let name = if *ds {
            format!("{base}-{}", suffix(s, base, 5))
        } else {
            format!(
                "{base}-{}-{}",
                hex(s, &format!("rs/{base}"), 10),
                suffix(s, base, 5)
            )
        };
        let cs: Vec<(&str, String)> = containers.iter().map(|c| (*c, img(c))).collect();
        let cs_ref: Vec<(&str, &str)> = cs.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let host_net = ns.contains("ovn") || *base == "node-resolver";
        let ip = if host_net {
            IP.to_string()
        } else {
            format!("10.42.0.{}", 5 + i)
        };
        let mut p = objects::pod(ns, &name, NODE, &ip, &cs_ref, true, &ts);
        p["metadata"]["labels"] = json!({"app": base});
        p["status"]["hostIP"] = json!(IP);
        p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": if *ds { "DaemonSet" } else { "ReplicaSet" }, "name": base, "controller": true, "uid": crate::scenario::hypershift::uuid(s, base)}]);
        put_aged(store, "pods", p, age)?;
    }
    Ok(())
}
