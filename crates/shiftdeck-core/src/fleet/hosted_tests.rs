use serde_json::{Value, json};

use super::*;
use crate::fleet::util::{rows_json, table};

/// A HostedCluster as the operator reports it; `history` newest first.
pub(crate) fn hc(name: &str, history: Value, available: &str, progressing: &str) -> Value {
    json!({
        "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster",
        "metadata": {"name": name, "namespace": "clusters"},
        "spec": {"platform": {"type": "KubeVirt"}, "dns": {"baseDomain": "hypershift.lab"},
                 "release": {"image": "quay.io/openshift-release-dev/ocp-release:4.x.0-x86_64"}},
        "status": {
            "kubeconfig": {"name": format!("{name}-admin-kubeconfig")},
            "version": {"history": history},
            "conditions": [
                {"type": "Available", "status": available, "reason": "AsExpected",
                 "message": "The hosted control plane is available"},
                {"type": "Progressing", "status": progressing, "reason": "AsExpected",
                 "message": "HostedCluster is at expected version"}
            ]
        }
    })
}

fn pool(name: &str, cluster: &str, desired: i64, current: Option<i64>) -> Value {
    let mut p = json!({
        "metadata": {"name": name, "namespace": "clusters"},
        "spec": {"clusterName": cluster, "replicas": desired, "platform": {"type": "KubeVirt"}},
        "status": {}
    });
    if let Some(c) = current {
        p["status"]["replicas"] = json!(c);
    }
    p
}

const EXPECTED: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "VERSION",
    "KUBECONFIG",
    "PROGRESS",
    "AVAILABLE",
    "PROGRESSING",
    "MESSAGE",
];

#[test]
fn seed_002_completed_row() {
    // `oc get --namespace clusters hostedclusters` (seed 002, §4.3.9):
    // clusters    example   4.12.2    example-admin-kubeconfig   Completed   True   False   The hosted control plane is available
    let h = hc(
        "example",
        json!([{"state": "Completed", "version": "4.12.2", "startedTime": "2026-01-01T00:00:00Z",
                "completionTime": "2026-01-01T00:20:00Z"}]),
        "True",
        "False",
    );
    let pools = [
        pool("example", "example", 5, Some(5)),
        pool("example-extra-cpu", "example", 2, None),
    ];
    let rows = hosted_cluster_rows(&[h], &pools);
    let (headers, cells) = table(&rows);
    assert_eq!(&headers[..8], EXPECTED);
    assert_eq!(
        cells[0],
        [
            "clusters",
            "example",
            "4.12.2",
            "example-admin-kubeconfig",
            "Completed",
            "True",
            "False",
            "The hosted control plane is available",
            "KubeVirt",
            "2",
            "5/7"
        ]
    );
}

#[test]
fn seed_002_partial_row_has_empty_version() {
    // example         example-admin-kubeconfig   Partial    True   False   The hosted control plane is available
    let h = hc(
        "example",
        json!([{"state": "Partial", "version": "", "startedTime": "2026-01-01T00:00:00Z",
                "completionTime": null}]),
        "True",
        "False",
    );
    let row = HostedClusterRow::new(&h, &[]);
    assert_eq!(row.version, "");
    assert_eq!(row.progress, "Partial");
    assert_eq!(
        row.cells()[1..8],
        [
            "example",
            "",
            "example-admin-kubeconfig",
            "Partial",
            "True",
            "False",
            "The hosted control plane is available"
        ]
    );
    assert_eq!(row.cells()[10], "0/0");
}

#[test]
fn version_is_first_completed_and_progress_first_non_empty() {
    // Upgrade in progress: newest entry Partial, the previous one Completed.
    let h = hc(
        "up",
        json!([
            {"state": "", "version": "bogus"},
            {"state": "Partial", "version": "4.18.2"},
            {"state": "Completed", "version": "4.18.1"},
            {"state": "Completed", "version": "4.17.9"}
        ]),
        "True",
        "True",
    );
    assert_eq!(completed_version(&h), Some("4.18.1"));
    assert_eq!(progress(&h), Some("Partial"));
    let row = HostedClusterRow::new(&h, &[]);
    assert_eq!(
        (
            row.version.as_str(),
            row.progress.as_str(),
            row.dp_progress.as_str()
        ),
        ("4.18.1", "Partial", "")
    );
    assert_eq!(row.cp_version, "");
    let mut h = h;
    h["status"]["controlPlaneVersion"] = json!({"history": [
        {"state": "Partial", "version": "4.18.2"}, {"state": "Completed", "version": "4.18.1"}]});
    let row = HostedClusterRow::new(&h, &[]);
    assert_eq!(
        (row.cp_version.as_str(), row.cp_progress.as_str()),
        ("4.18.1", "Partial")
    );
}

#[test]
fn missing_status_gives_empty_cells() {
    let h = json!({"metadata": {"name": "new", "namespace": "clusters"}});
    let row = HostedClusterRow::new(&h, &[]);
    assert_eq!(
        row.cells(),
        ["clusters", "new", "", "", "", "", "", "", "", "0", "0/0"]
    );
}

#[test]
fn nodes_count_only_own_pools_and_prefer_nodes_info() {
    let h = hc("a", json!([]), "True", "False");
    let mut p1 = pool("a-1", "a", 3, Some(3));
    p1["status"]["nodesInfo"] = json!({"nodeVersions": [
        {"ocpVersion": "4.18.1", "readyNodeCount": 1, "unreadyNodeCount": 1},
        {"ocpVersion": "4.18.2", "readyNodeCount": 1, "unreadyNodeCount": 0}]});
    let mut other_ns = pool("a-2", "a", 4, Some(4));
    other_ns["metadata"]["namespace"] = json!("elsewhere");
    let other_cluster = pool("b-1", "b", 9, Some(9));
    // Autoscaled pool: no spec.replicas, desired follows status.replicas.
    let mut auto = pool("a-auto", "a", 0, Some(2));
    auto["spec"].as_object_mut().unwrap().remove("replicas");
    let row = HostedClusterRow::new(&h, &[p1, other_ns, other_cluster, auto]);
    assert_eq!(row.node_pools, 2);
    assert_eq!((row.nodes_ready, row.nodes_desired), (4, 5));
}

#[test]
fn json_rows_are_keyed_by_header() {
    let h = hc(
        "example",
        json!([{"state": "Completed", "version": "4.x.0"}]),
        "True",
        "False",
    );
    let j = rows_json(&[HostedClusterRow::new(&h, &[])]);
    assert_eq!(j[0]["VERSION"], "4.x.0");
    assert_eq!(j[0]["PROGRESS"], "Completed");
    assert_eq!(j[0]["NODES"], "0/0");
}

fn secret(name: &str, data: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": "clusters"}, "data": data})
}

#[test]
fn kubeconfig_is_decoded_and_redacted() {
    let h = hc("example", json!([]), "True", "False");
    let r = kubeconfig_ref(&h).unwrap();
    assert_eq!(
        (r.namespace.as_str(), r.secret.as_str(), r.key),
        ("clusters", "example-admin-kubeconfig", "kubeconfig")
    );
    // base64("apiVersion: v1\nclusters: []\n")
    let s = secret(
        "example-admin-kubeconfig",
        json!({"kubeconfig": "YXBpVmVyc2lvbjogdjEKY2x1c3RlcnM6IFtdCg=="}),
    );
    let k = admin_kubeconfig(&h, &s).unwrap();
    assert_eq!(k.expose(), "apiVersion: v1\nclusters: []\n");
    let dbg = format!("{k:?}");
    assert!(!dbg.contains("apiVersion"), "{dbg}");
    assert_eq!(dbg, "AdminKubeconfig(<redacted, 28 bytes>)");
}

#[test]
fn kubeconfig_errors() {
    let h = hc("example", json!([]), "True", "False");
    let bare = json!({"metadata": {"name": "example", "namespace": "clusters"}});
    assert_eq!(
        admin_kubeconfig(&bare, &json!({})),
        Err(KubeconfigError::NotPublished)
    );
    let other = secret("other", json!({"kubeconfig": "eA=="}));
    assert!(matches!(
        admin_kubeconfig(&h, &other),
        Err(KubeconfigError::WrongSecret(..))
    ));
    let nokey = secret("example-admin-kubeconfig", json!({"value": "eA=="}));
    assert!(matches!(
        admin_kubeconfig(&h, &nokey),
        Err(KubeconfigError::KeyMissing(_))
    ));
    let bad = secret(
        "example-admin-kubeconfig",
        json!({"kubeconfig": "%%%not base64"}),
    );
    let e = admin_kubeconfig(&h, &bad).unwrap_err();
    assert!(matches!(e, KubeconfigError::NotBase64(_)));
    assert!(!e.to_string().contains("%%%"));
    let bin = secret("example-admin-kubeconfig", json!({"kubeconfig": "/w=="}));
    assert!(matches!(
        admin_kubeconfig(&h, &bin),
        Err(KubeconfigError::NotUtf8(_))
    ));
}

/// A pool reporting `status.replicas: -3` does not lower its cluster's totals: it counts as 0
/// and the NODES cell says a pool is malformed.
#[test]
fn negative_counts_are_clamped_and_flagged() {
    let h = hc("a", json!([]), "True", "False");
    let good = pool("a-1", "a", 2, Some(2));
    let bad = pool("a-2", "a", 1, Some(-3));
    let row = HostedClusterRow::new(&h, &[good.clone(), bad.clone()]);
    assert_eq!((row.nodes_ready, row.nodes_desired), (2, 3));
    assert_eq!(row.malformed_pools, 1);
    assert_eq!(row.nodes_cell(), "2/3 (1 pool malformed)");
    assert_eq!(malformed_counts(&bad), ["status.replicas=-3"]);
    assert!(malformed_counts(&good).is_empty());
    let fine = HostedClusterRow::new(&h, &[good]);
    assert_eq!(fine.nodes_cell(), "2/2");
}

#[test]
fn a_deleting_cluster_reads_deleting_in_progress() {
    let mut h = hc(
        "going",
        json!([{"state": "Completed", "version": "4.18.1"}]),
        "True",
        "False",
    );
    assert_eq!(HostedClusterRow::new(&h, &[]).progress, "Completed");
    h["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    h["metadata"]["finalizers"] = json!(["hypershift.openshift.io/finalizer"]);
    let row = HostedClusterRow::new(&h, &[]);
    assert_eq!(row.progress, "Deleting");
    assert_eq!(row.cells()[4], "Deleting");
}
