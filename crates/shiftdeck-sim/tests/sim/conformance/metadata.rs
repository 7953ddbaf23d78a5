//! Metadata as the real registry strategies write it: `metadata.generation` only on kinds whose
//! strategy keeps one (custom resources, PodDisruptionBudgets; not Nodes, Namespaces,
//! ConfigMaps or Events); a new Namespace is Active, carries the `kubernetes` finalizer and the
//! `kubernetes.io/metadata.name` label (put back if removed); `/version` is the Kubernetes of
//! OpenShift 4.18 (v1.31), and every Node's kubelet agrees with it.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::conformance::python;
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

/// A kubelet reports the Kubernetes of the cluster it is part of: every Node's
/// `status.nodeInfo.kubeletVersion` (and `kubeProxyVersion`) has the major.minor of `/version`,
/// in the test fixture set and in every profile's scenario.
#[tokio::test]
async fn node_kubelet_versions_agree_with_version() {
    use shiftdeck_sim::{Profile, SimOptions};
    let minor_of = |v: &str| -> String { v.split('.').take(2).collect::<Vec<_>>().join(".") };
    let k = Kube::start().await;
    let version = get_json(&k, &["version"]).await;
    let server = minor_of(
        version["serverVersion"]["gitVersion"]
            .as_str()
            .unwrap_or(""),
    );
    assert_eq!(server, "v1.31");
    let nodes = get_json(&k, &["get", "nodes"]).await;
    let check = |nodes: &Value, server: &str, what: &str| {
        let items = nodes["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{what}: no nodes");
        for n in items {
            let info = &n["status"]["nodeInfo"];
            for field in ["kubeletVersion", "kubeProxyVersion"] {
                let v = info[field].as_str().unwrap_or("");
                assert!(
                    v.is_empty() && field == "kubeProxyVersion" || minor_of(v) == server,
                    "{what}: node {} has {field} {v:?}, the server is {server}",
                    n["metadata"]["name"]
                );
            }
        }
    };
    check(&nodes, &server, "fixture");
    for profile in [Profile::Hub, Profile::Azure, Profile::Microshift] {
        let sim = shiftdeck_sim::start(SimOptions {
            live: false,
            profile,
            ..Default::default()
        })
        .await
        .expect("sim starts");
        let auth = format!("Bearer {}", sim.token);
        let headers = [("Authorization", auth.as_str())];
        let (code, v) = crate::sim_support::raw(sim.addr, "GET", "/version", &headers, b"").await;
        assert_eq!(code, 200, "{v}");
        let server = minor_of(v["gitVersion"].as_str().unwrap_or(""));
        let (code, nodes) =
            crate::sim_support::raw(sim.addr, "GET", "/api/v1/nodes", &headers, b"").await;
        assert_eq!(code, 200, "{nodes}");
        check(&nodes, &server, &format!("{profile:?}"));
        sim.shutdown();
    }
}
