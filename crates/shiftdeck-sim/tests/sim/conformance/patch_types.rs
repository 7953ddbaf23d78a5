//! Patch types: a strategic merge patch needs Go struct tags, so custom resources refuse it
//! (415); Node `spec.taints` has no patch strategy, so a strategic merge patch replaces it.

use serde_json::json;

use crate::conformance::kubectl::Kube;
use crate::sim_support::NS;

#[tokio::test]
async fn strategic_merge_patch_is_refused_on_custom_resources() {
    let k = Kube::start().await;
    let err = k
        .fails(&[
            "patch",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "--type=strategic",
            "-p",
            r#"{"spec":{"replicas":5}}"#,
        ])
        .await;
    assert!(
        err.contains("UnsupportedMediaType")
            || err.contains("unknown format")
            || err.contains("415"),
        "{err}"
    );
    let (code, st) = k
        .raw(
            "PATCH",
            "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools/np-fixed",
            "application/strategic-merge-patch+json",
            r#"{"spec":{"replicas":5}}"#,
        )
        .await;
    assert_eq!(code, 415, "{st}");
    assert_eq!(st["reason"], json!("UnsupportedMediaType"));
    // kubectl's default patch type is strategic; it names the refusal for a custom kind.
    let err = k
        .fails(&[
            "patch",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "-p",
            r#"{"spec":{"replicas":4}}"#,
        ])
        .await;
    assert!(
        err.contains("application/strategic-merge-patch+json is not supported"),
        "{err}"
    );
    // A merge patch works, and SMP on the scale subresource (autoscaling/v1 Scale, a built-in
    // type) is fine.
    k.ok(&[
        "patch",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":4}}"#,
    ])
    .await;
    let (code, st) = k
        .raw(
            "PATCH",
            "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools/np-fixed/scale",
            "application/strategic-merge-patch+json",
            r#"{"spec":{"replicas":5}}"#,
        )
        .await;
    assert_eq!(code, 200, "{st}");
}

#[tokio::test]
async fn node_taints_are_replaced_by_a_strategic_merge_patch() {
    let k = Kube::start().await;
    k.ok(&[
        "taint",
        "node",
        "worker-0",
        "a=1:NoSchedule",
        "b=2:NoExecute",
    ])
    .await;
    k.ok(&[
        "patch",
        "node",
        "worker-0",
        "-p",
        r#"{"spec":{"taints":[{"key":"c","value":"3","effect":"NoSchedule"}]}}"#,
    ])
    .await;
    let taints = k.get("nodes", None, "worker-0").expect("node")["spec"]["taints"].clone();
    assert_eq!(
        taints,
        json!([{"key":"c","value":"3","effect":"NoSchedule"}]),
        "merged by key instead of replaced"
    );
}
