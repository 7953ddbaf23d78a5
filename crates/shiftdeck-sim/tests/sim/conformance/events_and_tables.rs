//! Event field selectors (`kubectl describe` and `kubectl events --for` select on
//! involvedObject.namespace/.uid/.apiVersion) and the server-side Table columns of the core
//! kinds, as the API server prints them.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support::{pod, put};

fn header(out: &str) -> String {
    out.lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn describe_and_events_for_show_an_objects_events() {
    let k = Kube::start().await;
    let node = k.get("nodes", None, "worker-0").expect("node");
    let now = shiftdeck_sim::time::rfc3339_secs(shiftdeck_sim::time::Timestamp::now());
    put(
        &k.sim,
        "events",
        json!({"apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "worker-0.1", "namespace": "default"},
        "involvedObject": {"kind": "Node", "name": "worker-0", "uid": node["metadata"]["uid"], "apiVersion": "v1"},
        "reason": "NodeNotSchedulable", "message": "Node worker-0 status is now: NodeNotSchedulable",
        "type": "Normal", "source": {"component": "kubelet", "host": "worker-0"},
        "firstTimestamp": now, "lastTimestamp": now, "count": 1}),
    );
    let out = k.ok(&["describe", "node", "worker-0"]).await;
    assert!(
        out.contains("NodeNotSchedulable"),
        "describe shows no events:\n{out}"
    );
    let out = k.ok(&["events", "-A", "--for", "node/worker-0"]).await;
    assert!(
        out.contains("Node worker-0 status is now: NodeNotSchedulable"),
        "{out}"
    );
    let out = k.ok(&["get", "events", "-n", "default"]).await;
    assert_eq!(header(&out), "LAST SEEN TYPE REASON OBJECT MESSAGE");
    assert!(out.contains("node/worker-0"), "{out}");
    let (code, l) = k
        .raw("GET", "/api/v1/events?fieldSelector=involvedObject.namespace%3D,involvedObject.apiVersion%3Dv1,source%3Dkubelet", "application/json", "")
        .await;
    assert_eq!(code, 200, "{l}");
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1), "{l}");
}

#[tokio::test]
async fn core_kinds_print_their_columns() {
    let k = Kube::start().await;
    k.ok(&[
        "create",
        "configmap",
        "c",
        "-n",
        "default",
        "--from-literal=a=1",
        "--from-literal=b=2",
    ])
    .await;
    put(
        &k.sim,
        "secrets",
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, "type": "Opaque", "data": {"pw": "aHVudGVyMg=="}}),
    );
    put(
        &k.sim,
        "services",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"type": "NodePort", "clusterIP": "172.30.0.10", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}}),
    );
    put(
        &k.sim,
        "persistentvolumeclaims",
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
        "spec": {"storageClassName": "lvms", "volumeName": "pv-1", "accessModes": ["ReadWriteOnce"]},
        "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"]}}),
    );
    put(
        &k.sim,
        "storageclasses.storage.k8s.io",
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "lvms", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "topolvm.io", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true}),
    );
    let mut p: Value = pod("web-1", "default", "worker-0");
    p["spec"]["readinessGates"] = json!([{"conditionType": "example.com/ready"}]);
    p["status"]["nominatedNodeName"] = json!("worker-1");
    put(&k.sim, "pods", p);

    let rows = |out: &str| {
        out.lines()
            .nth(1)
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let out = k.ok(&["get", "configmaps", "c", "-n", "default"]).await;
    assert_eq!(
        (header(&out), rows(&out)[..2].to_vec()),
        (
            "NAME DATA AGE".to_string(),
            vec!["c".to_string(), "2".to_string()]
        )
    );
    let out = k.ok(&["get", "secrets", "s", "-n", "default"]).await;
    assert_eq!(header(&out), "NAME TYPE DATA AGE");
    assert_eq!(rows(&out)[..3], ["s", "Opaque", "1"]);
    let out = k
        .ok(&["get", "services", "web", "-n", "default", "-o", "wide"])
        .await;
    assert_eq!(
        header(&out),
        "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR"
    );
    assert_eq!(
        rows(&out)[..5],
        ["web", "NodePort", "172.30.0.10", "<none>", "80:30080/TCP"]
    );
    assert_eq!(rows(&out)[6], "app=web");
    let out = k.ok(&["get", "pvc", "data", "-n", "default"]).await;
    assert_eq!(
        header(&out),
        "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE"
    );
    assert_eq!(
        rows(&out)[..6],
        ["data", "Bound", "pv-1", "10Gi", "RWO", "lvms"]
    );
    let out = k.ok(&["get", "storageclass"]).await;
    assert_eq!(
        header(&out),
        "NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE"
    );
    assert_eq!(
        rows(&out)[..6],
        [
            "lvms",
            "(default)",
            "topolvm.io",
            "Delete",
            "WaitForFirstConsumer",
            "true"
        ]
    );
    let out = k
        .ok(&["get", "pod", "web-1", "-n", "default", "-o", "wide"])
        .await;
    assert_eq!(
        header(&out),
        "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"
    );
    let r = rows(&out);
    assert_eq!(r[r.len() - 2..], ["worker-1", "0/1"], "{out}");
}
