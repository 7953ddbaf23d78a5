//! Deletes: finalizers keep an object Terminating (deletionTimestamp set, 202) until they are
//! removed; preconditions on uid and resourceVersion answer 409; dependents are collected
//! through ownerReferences (background and foreground) or orphaned; a Namespace takes its
//! contents with it; a finished DELETE of a custom resource answers a Status.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support::{MAPI, NS, eventually, put};

const NP: &str = "nodepools.hypershift.openshift.io";
const MS: &str = "machinesets.machine.openshift.io";
const NP_PATH: &str = "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools";

fn cm(name: &str, ns: &str, owner: Option<&Value>) -> Value {
    let mut o = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {"k": "v"}});
    if let Some(owner) = owner {
        o["metadata"]["ownerReferences"] = json!([{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}]);
    }
    o
}

#[tokio::test]
async fn finalizers_keep_an_object_terminating() {
    let k = Kube::start().await;
    k.ok(&[
        "patch",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
    ])
    .await;
    let (code, body) = k
        .raw(
            "DELETE",
            &format!("{NP_PATH}/np-fixed"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(code, 202, "{body}");
    assert!(body["metadata"]["deletionTimestamp"].is_string(), "{body}");
    let np = k
        .get(NP, Some(NS), "np-fixed")
        .expect("still there while the finalizer holds");
    assert!(np["metadata"]["deletionTimestamp"].is_string());
    let out = k
        .ok(&[
            "get",
            "nodepool",
            "np-fixed",
            "-n",
            NS,
            "-o",
            "jsonpath={.metadata.deletionTimestamp}",
        ])
        .await;
    assert!(!out.is_empty());
    // Clients cannot clear the deletionTimestamp.
    k.ok(&[
        "patch",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"metadata":{"deletionTimestamp":null,"labels":{"a":"b"}}}"#,
    ])
    .await;
    assert!(
        k.get(NP, Some(NS), "np-fixed").expect("np")["metadata"]["deletionTimestamp"].is_string()
    );
    // Removing the last finalizer lets it go.
    k.ok(&[
        "patch",
        "nodepool",
        "np-fixed",
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ])
    .await;
    assert!(k.get(NP, Some(NS), "np-fixed").is_none());
}

#[tokio::test]
async fn delete_preconditions_and_the_custom_resource_status() {
    let k = Kube::start().await;
    let body = r#"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}"#;
    let (code, st) = k
        .raw(
            "DELETE",
            &format!("{NP_PATH}/np-fixed"),
            "application/json",
            body,
        )
        .await;
    assert_eq!(code, 409, "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap_or("")
            .contains("Precondition failed: UID in precondition"),
        "{st}"
    );
    let body =
        r#"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"resourceVersion":"1"}}"#;
    let (code, st) = k
        .raw(
            "DELETE",
            &format!("{NP_PATH}/np-fixed"),
            "application/json",
            body,
        )
        .await;
    assert_eq!(code, 409, "{st}");
    assert!(k.get(NP, Some(NS), "np-fixed").is_some());
    // A MachineSet holds no finalizer (a NodePool holds HyperShift's: its DELETE is a 202).
    let ms = k.get(MS, Some(MAPI), "ms-arm64").expect("ms");
    let body = format!(
        r#"{{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{{"uid":{},"resourceVersion":{}}}}}"#,
        ms["metadata"]["uid"], ms["metadata"]["resourceVersion"]
    );
    let (code, st) = k
        .raw(
            "DELETE",
            "/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machinesets/ms-arm64",
            "application/json",
            &body,
        )
        .await;
    assert_eq!(code, 200, "{st}");
    assert_eq!(
        st["kind"],
        json!("Status"),
        "a custom resource's DELETE answers a Status: {st}"
    );
    assert_eq!(st["status"], json!("Success"));
    assert_eq!(st["details"]["name"], json!("ms-arm64"));
    assert!(k.get(MS, Some(MAPI), "ms-arm64").is_none());
    // A built-in kind answers with the object.
    let (code, body) = k
        .raw("DELETE", "/api/v1/nodes/worker-5", "application/json", "")
        .await;
    assert_eq!((code, body["kind"].clone()), (200, json!("Node")), "{body}");
}

#[tokio::test]
async fn owner_references_are_garbage_collected() {
    let k = Kube::start().await;
    let owner = put(&k.sim, "configmaps", cm("owner", "default", None));
    put(&k.sim, "configmaps", cm("child", "default", Some(&owner)));
    let child = k
        .get("configmaps", Some("default"), "child")
        .expect("child");
    put(
        &k.sim,
        "configmaps",
        cm("grandchild", "default", Some(&child)),
    );
    k.ok(&["delete", "configmap", "owner", "-n", "default"])
        .await;
    assert!(
        k.get("configmaps", Some("default"), "child").is_none(),
        "background GC"
    );
    assert!(
        k.get("configmaps", Some("default"), "grandchild").is_none(),
        "collected in turn"
    );

    let owner = put(&k.sim, "configmaps", cm("owner2", "default", None));
    put(&k.sim, "configmaps", cm("kept", "default", Some(&owner)));
    k.ok(&[
        "delete",
        "configmap",
        "owner2",
        "-n",
        "default",
        "--cascade=orphan",
    ])
    .await;
    let kept = k
        .get("configmaps", Some("default"), "kept")
        .expect("orphaned, not deleted");
    assert_eq!(kept["metadata"]["ownerReferences"], json!([]), "{kept}");

    let owner = put(&k.sim, "configmaps", cm("owner3", "default", None));
    put(&k.sim, "configmaps", cm("fg", "default", Some(&owner)));
    k.ok(&[
        "delete",
        "configmap",
        "owner3",
        "-n",
        "default",
        "--cascade=foreground",
    ])
    .await;
    assert!(k.get("configmaps", Some("default"), "fg").is_none());
    assert!(k.get("configmaps", Some("default"), "owner3").is_none());
}

#[tokio::test]
async fn deleting_a_namespace_removes_its_contents() {
    let k = Kube::start().await;
    k.ok(&["create", "namespace", "team-x"]).await;
    k.ok(&["create", "configmap", "a", "-n", "team-x"]).await;
    put(&k.sim, "configmaps", {
        let mut c = cm("held", "team-x", None);
        c["metadata"]["finalizers"] = json!(["example.com/hold"]);
        c
    });
    k.ok(&["delete", "namespace", "team-x", "--wait=false"])
        .await;
    let out = k.ok(&["get", "namespace", "team-x"]).await;
    assert!(out.contains("Terminating"), "{out}");
    let err = k
        .fails(&["create", "configmap", "late", "-n", "team-x"])
        .await;
    assert!(err.contains("because it is being terminated"), "{err}");
    let sim = &k.sim;
    assert!(
        eventually(10, || sim
            .store
            .get(
                shiftdeck_sim::resources::by_key("configmaps"),
                Some("team-x"),
                "a"
            )
            .is_none())
        .await,
        "contents deleted"
    );
    assert!(
        k.get("namespaces", None, "team-x").is_some(),
        "a finalizer inside holds the namespace"
    );
    k.ok(&[
        "patch",
        "configmap",
        "held",
        "-n",
        "team-x",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ])
    .await;
    assert!(
        eventually(10, || sim
            .store
            .get(
                shiftdeck_sim::resources::by_key("namespaces"),
                None,
                "team-x"
            )
            .is_none())
        .await,
        "the namespace goes once empty"
    );
}

/// The sim's controllers hold the finalizers the real ones do, and deleting takes time: a
/// HostedCluster (HyperShift's finalizer) takes its NodePools first, each Terminating until its
/// Machines are gone, and a Machine API Machine goes `Deleting`, takes its Node with it, then
/// drops its finalizer. The cluster's `CloudResourcesDestroyed` goes Unknown, then False
/// (`RemainingCloudResources`), then True (`CloudResourcesDestroyed`, "All guest resources
/// destroyed") before HyperShift's finalizer lets it go, as the hosted control plane reports it.
#[tokio::test]
async fn controllers_hold_finalizers_and_deletion_takes_time() {
    const HC: &str = "hostedclusters.hypershift.openshift.io";
    const MACHINES: &str = "machines.machine.openshift.io";
    const HS: &str = "hypershift.openshift.io/finalizer";
    let k = Kube::start().await;
    let holds = |key: &str, ns: &str, name: &str, f: &str| {
        k.get(key, Some(ns), name).is_some_and(|o| {
            o["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == f))
        })
    };
    assert!(
        eventually(10, || holds(HC, NS, "hc1", HS)
            && holds(NP, NS, "np-fixed", HS)
            && holds(NP, NS, "np-auto", HS))
        .await,
        "HyperShift's finalizer is added to clusters and pools"
    );
    // A Machine API machine backing worker-1.
    put(
        &k.sim,
        MACHINES,
        json!({"apiVersion": "machine.openshift.io/v1beta1", "kind": "Machine",
            "metadata": {"name": "ms-arm64-x1", "namespace": MAPI, "finalizers": ["machine.machine.openshift.io"]},
            "spec": {}, "status": {"phase": "Running", "nodeRef": {"kind": "Node", "name": "worker-1"}}}),
    );
    k.ok(&[
        "delete",
        "machine",
        "ms-arm64-x1",
        "-n",
        MAPI,
        "--wait=false",
    ])
    .await;
    // Every state the cluster passes through until it is gone, as a watch sees them.
    let (_, mut feed, _) = k.sim.store.watch_from(None).expect("a watch");
    let seen = tokio::spawn(async move {
        let mut states: Vec<(String, String, String)> = Vec::new();
        loop {
            let ev = match feed.recv().await {
                Ok(ev) => ev,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    panic!("the watch fell {n} events behind")
                }
                Err(_) => return states,
            };
            if ev.resource != HC || ev.object["metadata"]["name"] != json!("hc1") {
                continue;
            }
            if ev.kind == shiftdeck_sim::store::EventType::Deleted {
                states.push(("gone".into(), String::new(), String::new()));
                return states;
            }
            let cond = ev.object["status"]["conditions"]
                .as_array()
                .and_then(|cs| {
                    cs.iter()
                        .find(|c| c["type"] == json!("CloudResourcesDestroyed"))
                })
                .cloned()
                .unwrap_or(Value::Null);
            let text = |k: &str| cond[k].as_str().unwrap_or("").to_string();
            let state = (text("status"), text("reason"), text("message"));
            if states.last() != Some(&state) {
                states.push(state);
            }
        }
    });
    k.ok(&["delete", "hostedcluster", "hc1", "-n", NS, "--wait=false"])
        .await;
    let hc = k.get(HC, Some(NS), "hc1").expect("Terminating, not gone");
    assert!(hc["metadata"]["deletionTimestamp"].is_string(), "{hc}");
    assert!(
        eventually(10, || {
            let m = k.get(MACHINES, Some(MAPI), "ms-arm64-x1");
            let hc = k.get(HC, Some(NS), "hc1");
            m.is_some_and(|m| m["status"]["phase"] == json!("Deleting"))
                && hc.is_some_and(|h| {
                    h["status"]["conditions"].as_array().is_some_and(|cs| {
                        cs.iter().any(|c| {
                            c["type"] == json!("CloudResourcesDestroyed")
                                && c["status"] == json!("Unknown")
                        })
                    })
                })
        })
        .await,
        "the Machine turns Deleting and the cluster reports its teardown"
    );
    let out = k.ok(&["get", "machines", "-n", MAPI, "ms-arm64-x1"]).await;
    assert!(out.contains("Deleting"), "{out}");
    assert!(
        eventually(60, || k.get(MACHINES, Some(MAPI), "ms-arm64-x1").is_none()
            && k.get("nodes", None, "worker-1").is_none())
        .await,
        "the Machine goes, and its Node with it"
    );
    assert!(
        eventually(60, || k.get(NP, Some(NS), "np-fixed").is_none()
            && k.get(NP, Some(NS), "np-auto").is_none()
            && k.get(HC, Some(NS), "hc1").is_none())
        .await,
        "the pools, then the cluster, go"
    );
    let states = tokio::time::timeout(std::time::Duration::from_secs(10), seen)
        .await
        .expect("the watch saw the cluster go")
        .expect("the watch task");
    let statuses: Vec<&str> = states
        .iter()
        .map(|(s, _, _)| s.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        statuses,
        ["Unknown", "False", "True", "gone"],
        "CloudResourcesDestroyed along the teardown: {states:?}"
    );
    let done = &states[states.len() - 2];
    assert_eq!(
        (done.1.as_str(), done.2.as_str()),
        ("CloudResourcesDestroyed", "All guest resources destroyed")
    );
    assert_eq!(states[states.len() - 3].1, "RemainingCloudResources");
}

/// A NodePool of the hub scenario, with its KubeVirt machines (Cluster API Machines holding
/// Cluster API's `machine.cluster.x-k8s.io` finalizer): deleting it keeps it Terminating while
/// its Machines turn `Deleting` and their VMs are torn down; then it goes.
#[tokio::test]
async fn a_node_pool_goes_after_its_machines_and_vms() {
    use shiftdeck_sim::resources::by_key;
    const MACHINES: &str = "machines.cluster.x-k8s.io";
    const VMS: &str = "virtualmachines.kubevirt.io";
    let sim = shiftdeck_sim::start(shiftdeck_sim::SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let owner_of = |m: &Value| {
        m.pointer("/metadata/annotations/hypershift.openshift.io~1nodePool")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (machines, _) = sim.store.list(by_key(MACHINES), None);
    let pool = machines
        .iter()
        .find_map(|m| owner_of(m))
        .expect("a node pool with machines");
    let (pool_ns, pool_name) = pool.split_once('/').expect("ns/name");
    let mine: Vec<(String, String, String)> = machines
        .iter()
        .filter(|m| owner_of(m).as_deref() == Some(pool.as_str()))
        .map(|m| {
            let s = |p: &str| {
                m.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            (
                s("/metadata/namespace"),
                s("/metadata/name"),
                s("/spec/infrastructureRef/name"),
            )
        })
        .collect();
    assert!(!mine.is_empty());
    assert!(
        machines
            .iter()
            .filter(|m| owner_of(m).as_deref() == Some(pool.as_str()))
            .all(|m| m["metadata"]["finalizers"] == json!(["machine.cluster.x-k8s.io"])),
        "Cluster API's finalizer on every node-pool machine"
    );
    let auth = format!("Bearer {}", sim.token);
    let (code, body) = crate::sim_support::raw(
        sim.addr,
        "DELETE",
        &format!(
            "/apis/hypershift.openshift.io/v1beta1/namespaces/{pool_ns}/nodepools/{pool_name}"
        ),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(code, 202, "{body}");
    let get = |key: &str, ns: &str, name: &str| sim.store.get(by_key(key), Some(ns), name);
    assert!(
        eventually(20, || mine
            .iter()
            .all(|(ns, name, _)| get(MACHINES, ns, name)
                .is_some_and(|m| m["status"]["phase"] == json!("Deleting"))))
        .await,
        "the pool's machines turn Deleting"
    );
    assert!(
        get(NP, pool_ns, pool_name).is_some(),
        "the pool waits for them"
    );
    assert!(
        eventually(60, || get(NP, pool_ns, pool_name).is_none()).await,
        "the pool goes once its machines are gone"
    );
    for (ns, name, vm) in &mine {
        assert!(get(MACHINES, ns, name).is_none(), "{name}");
        assert!(get(VMS, ns, vm).is_none(), "{vm}");
    }
    sim.shutdown();
}

/// Namespace termination honours `spec.finalizers`: the namespace controller empties a deleted
/// Namespace and drops only its own `kubernetes` finalizer; one held by another finalizer stays
/// Terminating (a plain update cannot change `spec.finalizers`) until `PUT …/finalize` replaces
/// the list, and then it goes at once.
#[tokio::test]
async fn namespace_finalizers_hold_it_until_finalize() {
    let k = Kube::start().await;
    let ns = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "team-f"}, "spec": {"finalizers": ["example.com/cleanup"]}});
    let (ok, out, err) = k
        .run_in(&["create", "-f", "-"], Some(&ns.to_string()))
        .await;
    assert!(ok, "{out}\n{err}");
    let stored = k.get("namespaces", None, "team-f").expect("created");
    assert_eq!(
        stored["spec"]["finalizers"],
        json!(["example.com/cleanup", "kubernetes"])
    );
    k.ok(&["create", "configmap", "c1", "-n", "team-f"]).await;
    k.ok(&["delete", "namespace", "team-f", "--wait=false"])
        .await;
    assert!(
        eventually(20, || {
            k.get("configmaps", Some("team-f"), "c1").is_none()
                && k.get("namespaces", None, "team-f")
                    .is_some_and(|n| n["spec"]["finalizers"] == json!(["example.com/cleanup"]))
        })
        .await,
        "the contents go and the namespace controller drops its own finalizer"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let held = k.get("namespaces", None, "team-f").expect("still there");
    assert!(held["metadata"]["deletionTimestamp"].is_string(), "{held}");
    assert_eq!(held["status"]["phase"], json!("Terminating"));
    // A plain patch cannot drop it.
    k.ok(&[
        "patch",
        "namespace",
        "team-f",
        "--type=merge",
        "-p",
        r#"{"spec":{"finalizers":[]}}"#,
    ])
    .await;
    let held = k.get("namespaces", None, "team-f").expect("still there");
    assert_eq!(held["spec"]["finalizers"], json!(["example.com/cleanup"]));
    // The finalize subresource does; the Namespace then goes.
    let mut body = held.clone();
    body["spec"]["finalizers"] = json!([]);
    let (ok, out, err) = k
        .run_in(
            &[
                "replace",
                "--raw",
                "/api/v1/namespaces/team-f/finalize",
                "-f",
                "-",
            ],
            Some(&body.to_string()),
        )
        .await;
    assert!(ok, "{out}\n{err}");
    let answered: Value = serde_json::from_str(&out).expect("the Namespace in the answer");
    assert_eq!(answered["kind"], json!("Namespace"));
    assert!(k.get("namespaces", None, "team-f").is_none());
    // On a live Namespace it replaces the list (the `kubernetes` finalizer too), and a stale
    // resourceVersion is a conflict.
    k.ok(&["create", "namespace", "team-g"]).await;
    let live = k.get("namespaces", None, "team-g").expect("created");
    let mut body = live.clone();
    body["spec"]["finalizers"] = json!(["example.com/other"]);
    let (code, v) = k
        .raw(
            "PUT",
            "/api/v1/namespaces/team-g/finalize",
            "application/json",
            &body.to_string(),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["spec"]["finalizers"], json!(["example.com/other"]));
    assert_eq!(v["status"]["phase"], json!("Active"));
    let (code, v) = k
        .raw(
            "PUT",
            "/api/v1/namespaces/team-g/finalize",
            "application/json",
            &body.to_string(),
        )
        .await;
    assert_eq!(code, 409, "{v}");
    // GET is not served on it.
    let (code, _) = k
        .raw("GET", "/api/v1/namespaces/team-g/finalize", "", "")
        .await;
    assert_eq!(code, 405);
}
