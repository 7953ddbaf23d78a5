//! Metadata as the real registry strategies write it: `metadata.generation` only on kinds whose
//! strategy keeps one (custom resources, PodDisruptionBudgets; not Nodes, Namespaces,
//! ConfigMaps or Events); a new Namespace is Active, carries the `kubernetes` finalizer and the
//! `kubernetes.io/metadata.name` label (put back if removed); `/version` is the Kubernetes of
//! OpenShift 4.18 (v1.31).

use serde_json::{Value, json};

use crate::kubectl::Kube;
use crate::python;
use crate::sim_support::{NS, eventually};

async fn get_json(k: &Kube, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let out = k.ok(&all).await;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[tokio::test]
async fn generation_only_on_kinds_that_have_one() {
    let k = Kube::start().await;
    k.ok(&[
        "create",
        "configmap",
        "c1",
        "-n",
        "default",
        "--from-literal=a=b",
    ])
    .await;
    k.ok(&["create", "namespace", "team-a"]).await;
    k.ok(&[
        "create",
        "poddisruptionbudget",
        "pdb1",
        "-n",
        "default",
        "--selector=app=x",
        "--min-available=1",
    ])
    .await;
    for (args, what) in [
        (vec!["get", "configmap", "c1", "-n", "default"], "ConfigMap"),
        (vec!["get", "namespace", "team-a"], "Namespace"),
        (vec!["get", "node", "worker-0"], "Node"),
    ] {
        let o = get_json(&k, &args).await;
        assert!(
            o["metadata"].get("generation").is_none(),
            "{what} has a generation: {o}"
        );
    }
    // Editing a ConfigMap or a Node does not make one appear.
    k.ok(&["label", "node", "worker-0", "x=y"]).await;
    k.ok(&[
        "patch",
        "configmap",
        "c1",
        "-n",
        "default",
        "-p",
        r#"{"data":{"a":"c"}}"#,
    ])
    .await;
    assert!(
        get_json(&k, &["get", "node", "worker-0"]).await["metadata"]
            .get("generation")
            .is_none()
    );
    assert!(
        get_json(&k, &["get", "configmap", "c1", "-n", "default"]).await["metadata"]
            .get("generation")
            .is_none()
    );
    // An Event (created raw: kubectl has no verb for it).
    let (code, ev) = k
        .raw(
            "POST",
            "/api/v1/namespaces/default/events",
            "application/json",
            r#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},"involvedObject":{"kind":"Node","name":"worker-0"},"reason":"Test","message":"m","type":"Normal"}"#,
        )
        .await;
    assert_eq!(code, 201, "{ev}");
    assert!(ev["metadata"].get("generation").is_none(), "{ev}");
    let pdb = get_json(&k, &["get", "pdb", "pdb1", "-n", "default"]).await;
    assert_eq!(pdb["metadata"]["generation"], json!(1), "{pdb}");
    let np = get_json(&k, &["get", "nodepool", "np-fixed", "-n", NS]).await;
    assert_eq!(np["metadata"]["generation"], json!(1));
    k.ok(&["scale", "nodepool/np-fixed", "-n", NS, "--replicas=4"])
        .await;
    let np = get_json(&k, &["get", "nodepool", "np-fixed", "-n", NS]).await;
    assert_eq!(
        np["metadata"]["generation"],
        json!(2),
        "a spec change bumps it"
    );
}

#[tokio::test]
async fn a_new_namespace_is_active_with_its_finalizer_and_name_label() {
    let k = Kube::start().await;
    k.ok(&["create", "namespace", "team-a"]).await;
    let ns = get_json(&k, &["get", "namespace", "team-a"]).await;
    assert_eq!(ns["status"], json!({"phase": "Active"}), "{ns}");
    assert_eq!(ns["spec"], json!({"finalizers": ["kubernetes"]}), "{ns}");
    assert_eq!(
        ns["metadata"]["labels"],
        json!({"kubernetes.io/metadata.name": "team-a"}),
        "{ns}"
    );
    let out = k
        .ok(&[
            "get",
            "namespaces",
            "-l",
            "kubernetes.io/metadata.name=team-a",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(out.trim(), "namespace/team-a");
    // The defaulter puts the label back; spec.finalizers only change through /finalize.
    k.ok(&[
        "label",
        "namespace",
        "team-a",
        "kubernetes.io/metadata.name-",
    ])
    .await;
    k.ok(&[
        "patch",
        "namespace",
        "team-a",
        "--type=merge",
        "-p",
        r#"{"spec":{"finalizers":[]}}"#,
    ])
    .await;
    let ns = get_json(&k, &["get", "namespace", "team-a"]).await;
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        json!("team-a")
    );
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
    // Deleting it: Terminating until the namespace controller drops the finalizer, then gone.
    k.ok(&["delete", "namespace", "team-a", "--wait=false"])
        .await;
    assert!(
        eventually(30, || k.get("namespaces", None, "team-a").is_none()).await,
        "the namespace never went"
    );
}

#[tokio::test]
async fn version_is_openshift_4_18s_kubernetes() {
    let k = Kube::start().await;
    let v = get_json(&k, &["version"]).await;
    let server = &v["serverVersion"];
    assert_eq!(server["major"], json!("1"), "{v}");
    assert_eq!(server["minor"], json!("31"), "{v}");
    assert_eq!(server["gitVersion"], json!("v1.31.6"), "{v}");
    // The PyPI kubectl (v1.37) reads it too, and warns about the skew as it would on 4.18.
    let (ok, out, err) = python::kubectl_run(&k, &k.kubeconfig, &["version", "-o", "json"]).await;
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["serverVersion"]["gitVersion"], json!("v1.31.6"));
    assert!(
        err.contains("exceeds the supported minor version skew"),
        "{err}"
    );
}
