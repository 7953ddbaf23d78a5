//! Dry run: only `dryRun=All` exists (anything else is refused with 422 naming the options kind,
//! before anything is written), and a dry run writes nothing for any verb, including an Eviction
//! whose dryRun travels in the body's DeleteOptions.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support::{NS, pod, put};

const NP: &str = "nodepools.hypershift.openshift.io";
const NP_PATH: &str = "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools";

/// The resourceVersions of every object the dry runs touch (the sim's controllers keep writing
/// other objects, so the global version is no witness).
fn rvs(k: &Kube) -> Vec<Option<Value>> {
    let mut keys: Vec<(&str, Option<&str>, String)> = vec![
        (NP, Some(NS), "np-fixed".into()),
        ("nodes", None, "worker-0".into()),
        ("nodes", None, "worker-1".into()),
        ("configmaps", Some("default"), "c1".into()),
    ];
    for i in 0..3 {
        keys.push((
            "certificatesigningrequests.certificates.k8s.io",
            None,
            format!("csr-{i}"),
        ));
    }
    for i in 0..5 {
        keys.push(("pods", Some("default"), format!("web-{i}")));
    }
    keys.iter()
        .map(|(key, ns, name)| {
            // The NodePool controller keeps writing status; its spec and metadata are the witness.
            k.get(key, *ns, name).map(|o| match *key {
                NP => json!([
                    o["spec"],
                    o["metadata"]["labels"],
                    o["metadata"]["annotations"],
                    o["metadata"]["deletionTimestamp"]
                ]),
                _ => o["metadata"]["resourceVersion"].clone(),
            })
        })
        .collect()
}

#[tokio::test]
async fn an_unknown_dry_run_value_is_refused_and_writes_nothing() {
    let k = Kube::start().await;
    for (method, path, ct, body, kind) in [
        (
            "DELETE",
            format!("{NP_PATH}/np-fixed?dryRun=Bogus"),
            "application/json",
            "",
            "DeleteOptions",
        ),
        (
            "PATCH",
            format!("{NP_PATH}/np-fixed?dryRun=Bogus"),
            "application/merge-patch+json",
            r#"{"spec":{"replicas":7}}"#,
            "PatchOptions",
        ),
        (
            "POST",
            "/api/v1/namespaces/default/configmaps?dryRun=All&dryRun=Bogus".to_string(),
            "application/json",
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#,
            "CreateOptions",
        ),
    ] {
        let (code, st) = k.raw(method, &path, ct, body).await;
        assert_eq!(code, 422, "{method} {path}: {st}");
        assert_eq!(st["reason"], json!("Invalid"), "{st}");
        let msg = st["message"].as_str().unwrap_or("");
        assert!(
            msg.starts_with(&format!(
                "{kind}.meta.k8s.io \"\" is invalid: dryRun: Unsupported value"
            )),
            "{msg}"
        );
    }
    let np = k
        .get(NP, Some(NS), "np-fixed")
        .expect("the NodePool is still there");
    assert_eq!(np["spec"]["replicas"], json!(2));
    assert!(k.get("configmaps", Some("default"), "c").is_none());
}

#[tokio::test]
async fn server_dry_run_writes_nothing_for_any_verb() {
    let k = Kube::start().await;
    let before = rvs(&k);
    k.ok(&[
        "delete",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--dry-run=server",
    ])
    .await;
    k.ok(&[
        "scale",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--replicas=5",
        "--dry-run=server",
    ])
    .await;
    k.ok(&["label", "node", "worker-0", "a=b", "--dry-run=server"])
        .await;
    k.ok(&[
        "annotate",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "x=y",
        "--dry-run=server",
    ])
    .await;
    k.ok(&[
        "create",
        "configmap",
        "c1",
        "-n",
        "default",
        "--dry-run=server",
    ])
    .await;
    k.ok(&["delete", "csr", "--all", "--dry-run=server"]).await;
    k.ok(&["cordon", "worker-1", "--dry-run=server"]).await;
    // Subresources by hand: status, scale and CSR approval, each with dryRun=All.
    for (method, path, ct, body) in [
        (
            "PATCH",
            format!("{NP_PATH}/np-fixed/status?dryRun=All"),
            "application/merge-patch+json",
            r#"{"status":{"replicas":9}}"#,
        ),
        (
            "PATCH",
            format!("{NP_PATH}/np-fixed/scale?dryRun=All"),
            "application/merge-patch+json",
            r#"{"spec":{"replicas":9}}"#,
        ),
        (
            "PATCH",
            "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-0/approval?dryRun=All"
                .to_string(),
            "application/merge-patch+json",
            r#"{"status":{"conditions":[{"type":"Approved","status":"True","reason":"T","message":"m"}]}}"#,
        ),
    ] {
        let (code, body) = k.raw(method, &path, ct, body).await;
        assert_eq!(code, 200, "{path}: {body}");
    }
    assert_eq!(rvs(&k), before, "a dry run changed an object");
    assert!(k.get(NP, Some(NS), "np-fixed").is_some());
    assert!(k.get("configmaps", Some("default"), "c1").is_none());
}

#[tokio::test]
async fn drain_with_server_dry_run_evicts_nothing() {
    let k = Kube::start().await;
    for i in 0..5 {
        put(
            &k.sim,
            "pods",
            pod(&format!("web-{i}"), "default", "worker-0"),
        );
    }
    let before = rvs(&k);
    let out = k
        .ok(&["drain", "worker-0", "--dry-run=server", "--timeout=30s"])
        .await;
    assert!(out.contains("evicted") || out.contains("drained"), "{out}");
    for i in 0..5 {
        assert!(
            k.get("pods", Some("default"), &format!("web-{i}"))
                .is_some(),
            "web-{i} was evicted by a dry run"
        );
    }
    assert_eq!(rvs(&k), before, "the dry run wrote");
    assert_eq!(
        k.get("nodes", None, "worker-0").expect("node")["spec"]["unschedulable"],
        json!(null)
    );

    // The Eviction's own DeleteOptions carry the dry run (the query has none).
    let eviction = r#"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-0","namespace":"default"},"deleteOptions":{"dryRun":["All"]}}"#;
    let (code, st) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/pods/web-0/eviction",
            "application/json",
            eviction,
        )
        .await;
    assert_eq!(code, 201, "{st}");
    assert!(
        k.get("pods", Some("default"), "web-0").is_some(),
        "evicted by a dry run"
    );
    let bogus = eviction.replace("[\"All\"]", "[\"Bogus\"]");
    let (code, st) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/pods/web-0/eviction",
            "application/json",
            &bogus,
        )
        .await;
    assert_eq!(code, 422, "{st}");
    assert!(k.get("pods", Some("default"), "web-0").is_some());
    // And a real eviction deletes.
    let real = eviction.replace(",\"deleteOptions\":{\"dryRun\":[\"All\"]}", "");
    let (code, st) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/pods/web-0/eviction",
            "application/json",
            &real,
        )
        .await;
    assert_eq!(code, 201, "{st}");
    assert!(k.get("pods", Some("default"), "web-0").is_none());
}
