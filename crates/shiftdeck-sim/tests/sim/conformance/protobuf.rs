//! Protobuf for the built-in kinds beyond those of `content_negotiation`: Pods, Nodes, Events,
//! PersistentVolumeClaims, PodDisruptionBudgets, StorageClasses and CustomResourceDefinitions
//! (objects, lists and watch streams) are answered as the API server answers a protobuf client,
//! and their protobuf request bodies are taken. Every body is decoded with `k8s-pb` (prost types
//! generated from the upstream `generated.proto`, not the sim's tables), and re-encoding it must
//! give back as many bytes (a field k8s-pb did not recognise would be dropped). Real clients:
//! kubectl's typed clients (`describe`, `events`, `drain`, `debug`), which prefer protobuf.

use std::time::Duration;

use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use prost::Message;
use serde_json::{Value, json};
use shiftdeck_sim::resources::by_key;

use crate::conformance::content_negotiation::raw;
use crate::conformance::kubectl::Kube;
use crate::sim_support::{self, NS};

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// The `runtime.Unknown` inside a `k8s\0` envelope: (apiVersion, kind, raw message).
fn unwrap(body: &[u8]) -> (String, String, Vec<u8>) {
    let rest = body
        .strip_prefix(b"k8s\0")
        .expect("the k8s protobuf envelope");
    let u = Unknown::decode(rest).expect("a runtime.Unknown");
    assert_eq!(u.encoded_len(), rest.len(), "envelope fields k8s-pb lacks");
    let tm = u.type_meta.unwrap_or_default();
    (
        tm.api_version.unwrap_or_default(),
        tm.kind.unwrap_or_default(),
        u.raw.unwrap_or_default(),
    )
}

/// Decode `raw` as `M`, insisting that k8s-pb understood every byte. `empty_map_values` counts
/// map entries with an empty value (a label `node-role.kubernetes.io/worker: ""`): the API
/// server writes their value field, prost leaves it out on re-encoding (2 bytes each).
fn decode_all<M: Message + Default>(raw: &[u8], empty_map_values: usize) -> M {
    let m = M::decode(raw).expect("k8s-pb decodes the message");
    assert_eq!(
        m.encoded_len() + 2 * empty_map_values,
        raw.len(),
        "the sim wrote fields k8s-pb does not know (wrong number or wire type): {}",
        std::any::type_name::<M>()
    );
    m
}

/// Empty label and annotation values of an object or of a list's items.
fn empty_meta_values(v: &Value) -> usize {
    let items: Vec<&Value> = match v["items"].as_array() {
        Some(a) => a.iter().collect(),
        None => vec![v],
    };
    items
        .iter()
        .flat_map(|o| ["labels", "annotations"].map(|m| &o["metadata"][m]))
        .filter_map(Value::as_object)
        .flat_map(|m| m.values())
        .filter(|v| v.as_str() == Some(""))
        .count()
}

/// GET `path` accepting protobuf only: (apiVersion, kind, raw message, empty map values of the
/// same object read as JSON).
async fn get_pb(k: &Kube, path: &str) -> (String, String, Vec<u8>, usize) {
    let (code, head, body) = raw(k, "GET", path, &[("Accept", PROTOBUF)], b"").await;
    assert_eq!(
        code,
        200,
        "{path}: {head}\n{}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        head.contains(&format!("content-type: {PROTOBUF}")),
        "{head}"
    );
    let (_, json) = k.raw("GET", path, "", "").await;
    let (av, kind, raw) = unwrap(&body);
    (av, kind, raw, empty_meta_values(&json))
}

fn put(k: &Kube, key: &str, obj: Value) {
    k.sim
        .store
        .create(by_key(key), obj, false)
        .expect("fixture object");
}

/// Pods with embedded structs (volume sources, probe handlers, key selectors), quantities,
/// int-or-strings and times; an Event, a PVC, a PDB, a StorageClass and a CRD.
fn seed(k: &Kube) {
    put(k, "pods", sim_support::pod("web-1", NS, "worker-0"));
    put(
        k,
        "pods",
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "rich", "namespace": NS, "labels": {"app": "rich"},
                         "annotations": {"a": "1"}, "finalizers": ["example.com/hold"]},
            "spec": {"nodeName": "worker-1", "terminationGracePeriodSeconds": 45,
                "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}},
                            {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}],
                "containers": [{"name": "app", "image": "registry.example.com/app:2",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "tok", "key": "t"}}}],
                    "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
                    "volumeMounts": [{"name": "scratch", "mountPath": "/tmp"}]}],
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Running", "podIP": "10.128.0.9", "podIPs": [{"ip": "10.128.0.9"}],
                       "startTime": "2026-01-02T03:04:05Z",
                       "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-02T03:04:09Z"}]}}),
    );
    put(
        k,
        "events",
        json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "rich.1", "namespace": NS},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "rich", "namespace": NS},
            "reason": "Pulled", "message": "image pulled", "type": "Normal", "count": 3,
            "firstTimestamp": "2026-01-02T03:04:05Z", "lastTimestamp": "2026-01-02T03:05:05Z",
            "eventTime": "2026-01-02T03:04:05.123456Z", "reportingComponent": "kubelet",
            "reportingInstance": "worker-1", "action": "Pull",
            "source": {"component": "kubelet", "host": "worker-1"}}),
    );
    put(
        k,
        "persistentvolumeclaims",
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": NS},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast",
                     "resources": {"requests": {"storage": "10Gi"}}, "volumeMode": "Filesystem"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"]}}),
    );
    put(
        k,
        "poddisruptionbudgets.policy",
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {"maxUnavailable": "25%", "selector": {"matchLabels": {"app": "web"}}}}),
    );
    put(
        k,
        "storageclasses.storage.k8s.io",
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "kubernetes.io/no-provisioner", "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true,
            "parameters": {"type": "ssd"}}),
    );
    put(
        k,
        "customresourcedefinitions.apiextensions.k8s.io",
        shiftdeck_sim::scenario::crds::crd_object(
            by_key("nodepools.hypershift.openshift.io"),
            "2026-01-02T03:04:05Z",
        ),
    );
}

#[tokio::test]
async fn built_in_kinds_are_served_as_protobuf_that_k8s_pb_reads() {
    let k = Kube::start().await;
    seed(&k);

    let (av, kind, raw, empty) = get_pb(&k, &format!("/api/v1/namespaces/{NS}/pods/rich")).await;
    assert_eq!((av.as_str(), kind.as_str()), ("v1", "Pod"));
    let pod: core::Pod = decode_all(&raw, empty);
    let meta = pod.metadata.clone().unwrap_or_default();
    assert_eq!(meta.name.as_deref(), Some("rich"));
    assert_eq!(meta.finalizers, vec!["example.com/hold".to_string()]);
    assert!(
        meta.creation_timestamp
            .is_some_and(|t| t.seconds.unwrap_or(0) > 0)
    );
    let spec = pod.spec.clone().unwrap_or_default();
    assert_eq!(spec.node_name.as_deref(), Some("worker-1"));
    assert_eq!(spec.termination_grace_period_seconds, Some(45));
    // Embedded Go structs: Volume.VolumeSource, Probe.ProbeHandler, LocalObjectReference.
    let vs = spec.volumes[0].volume_source.clone().unwrap_or_default();
    let size = vs
        .empty_dir
        .and_then(|e| e.size_limit)
        .and_then(|q| q.string);
    assert_eq!(size.as_deref(), Some("1Gi"));
    let cm = spec.volumes[1]
        .volume_source
        .clone()
        .unwrap_or_default()
        .config_map;
    assert_eq!(cm.clone().and_then(|c| c.default_mode), Some(420));
    let cm_name = cm
        .and_then(|c| c.local_object_reference)
        .and_then(|r| r.name);
    assert_eq!(cm_name.as_deref(), Some("cfg"));
    let c = &spec.containers[0];
    let probe = c.readiness_probe.clone().unwrap_or_default();
    let get = probe.handler.and_then(|h| h.http_get).unwrap_or_default();
    assert_eq!(get.path.as_deref(), Some("/healthz"));
    let port = get.port.unwrap_or_default();
    assert_eq!(
        (port.r#type, port.str_val.as_deref()),
        (Some(1), Some("http"))
    );
    let secret = c.env[0]
        .value_from
        .clone()
        .and_then(|v| v.secret_key_ref)
        .unwrap_or_default();
    assert_eq!(secret.key.as_deref(), Some("t"));
    assert_eq!(
        secret
            .local_object_reference
            .and_then(|r| r.name)
            .as_deref(),
        Some("tok")
    );
    let requests = c.resources.clone().unwrap_or_default().requests;
    assert_eq!(requests["cpu"].string.as_deref(), Some("250m"));
    assert_eq!(spec.tolerations[0].toleration_seconds, Some(300));
    let status = pod.status.clone().unwrap_or_default();
    assert_eq!(status.phase.as_deref(), Some("Running"));
    assert_eq!(status.pod_ips[0].ip.as_deref(), Some("10.128.0.9"));

    // The list, against its JSON form.
    let (_, kind, raw, empty) = get_pb(&k, &format!("/api/v1/namespaces/{NS}/pods")).await;
    assert_eq!(kind, "PodList");
    let list: core::PodList = decode_all(&raw, empty);
    let (_, json_list) = k
        .raw("GET", &format!("/api/v1/namespaces/{NS}/pods"), "", "")
        .await;
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    };
    let pb_names: Vec<String> = list
        .items
        .iter()
        .filter_map(|p| p.metadata.as_ref().and_then(|m| m.name.clone()))
        .collect();
    assert_eq!(pb_names, names(&json_list));
    assert_eq!(
        list.metadata.and_then(|m| m.resource_version),
        json_list["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string)
    );
    let web = list
        .items
        .iter()
        .find(|p| p.metadata.as_ref().and_then(|m| m.name.as_deref()) == Some("web-1"));
    let cs = web
        .and_then(|p| p.status.clone())
        .map(|s| s.container_statuses)
        .unwrap_or_default();
    assert_eq!(cs[0].restart_count, Some(2));
    assert_eq!(cs[0].ready, Some(true));

    let (_, kind, raw, empty) = get_pb(&k, "/api/v1/nodes/worker-0").await;
    assert_eq!(kind, "Node");
    let node: core::Node = decode_all(&raw, empty);
    let ns = node.status.unwrap_or_default();
    let want = k.get("nodes", None, "worker-0").expect("node");
    assert_eq!(
        ns.node_info.unwrap_or_default().kubelet_version.as_deref(),
        want["status"]["nodeInfo"]["kubeletVersion"].as_str()
    );
    assert_eq!(ns.capacity["cpu"].string.as_deref(), Some("16"));
    assert_eq!(ns.conditions.len(), 2);
    let (_, kind, raw, empty) = get_pb(&k, "/api/v1/nodes").await;
    assert_eq!(kind, "NodeList");
    assert_eq!(decode_all::<core::NodeList>(&raw, empty).items.len(), 6);

    let (_, kind, raw, empty) = get_pb(&k, &format!("/api/v1/namespaces/{NS}/events")).await;
    assert_eq!(kind, "EventList");
    let events: core::EventList = decode_all(&raw, empty);
    let ev = events
        .items
        .iter()
        .find(|e| e.metadata.as_ref().and_then(|m| m.name.as_deref()) == Some("rich.1"))
        .expect("the event");
    assert_eq!(ev.reason.as_deref(), Some("Pulled"));
    assert_eq!(ev.count, Some(3));
    let et = ev.event_time.unwrap_or_default();
    assert_eq!(et.nanos, Some(123_456_000));
    assert_eq!(
        ev.involved_object
            .clone()
            .unwrap_or_default()
            .name
            .as_deref(),
        Some("rich")
    );

    let (_, kind, raw, empty) = get_pb(
        &k,
        &format!("/api/v1/namespaces/{NS}/persistentvolumeclaims/data"),
    )
    .await;
    assert_eq!(kind, "PersistentVolumeClaim");
    let pvc: core::PersistentVolumeClaim = decode_all(&raw, empty);
    let pvc_spec = pvc.spec.unwrap_or_default();
    assert_eq!(pvc_spec.storage_class_name.as_deref(), Some("fast"));
    assert_eq!(
        pvc_spec.resources.unwrap_or_default().requests["storage"]
            .string
            .as_deref(),
        Some("10Gi")
    );

    let (av, kind, raw, empty) = get_pb(
        &k,
        &format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/web"),
    )
    .await;
    assert_eq!(
        (av.as_str(), kind.as_str()),
        ("policy/v1", "PodDisruptionBudget")
    );
    let pdb: k8s_pb::api::policy::v1::PodDisruptionBudget = decode_all(&raw, empty);
    let max = pdb
        .spec
        .unwrap_or_default()
        .max_unavailable
        .unwrap_or_default();
    assert_eq!(max.str_val.as_deref(), Some("25%"));

    let (_, kind, raw, empty) = get_pb(&k, "/apis/storage.k8s.io/v1/storageclasses/fast").await;
    assert_eq!(kind, "StorageClass");
    let sc: k8s_pb::api::storage::v1::StorageClass = decode_all(&raw, empty);
    assert_eq!(
        sc.provisioner.as_deref(),
        Some("kubernetes.io/no-provisioner")
    );
    assert_eq!(sc.allow_volume_expansion, Some(true));
    assert_eq!(sc.parameters["type"], "ssd");

    let (_, kind, raw, empty) = get_pb(
        &k,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.hypershift.openshift.io",
    )
    .await;
    assert_eq!(kind, "CustomResourceDefinition");
    use k8s_pb::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiext;
    let crd: apiext::CustomResourceDefinition = decode_all(&raw, empty);
    let crd_spec = crd.spec.unwrap_or_default();
    assert_eq!(crd_spec.group.as_deref(), Some("hypershift.openshift.io"));
    let v = &crd_spec.versions[0];
    let schema = v
        .schema
        .clone()
        .and_then(|s| s.open_apiv3_schema)
        .unwrap_or_default();
    assert_eq!(schema.x_kubernetes_preserve_unknown_fields, Some(true));
    assert_eq!(
        v.subresources
            .clone()
            .and_then(|s| s.scale)
            .and_then(|s| s.label_selector_path)
            .as_deref(),
        Some(".status.selector")
    );
}

/// The body of a chunked HTTP/1.1 response, de-chunked.
fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..start + size]);
        b = &b[start + size + 2..];
    }
    out
}

#[tokio::test]
async fn watches_stream_length_prefixed_watch_events() {
    let k = Kube::start().await;
    seed(&k);
    let store = k.sim.store.clone();
    let path = format!(
        "/api/v1/namespaces/{NS}/pods?watch=true&timeoutSeconds=3&allowWatchBookmarks=true"
    );
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let pods = by_key("pods");
        store
            .create(pods, sim_support::pod("late", NS, "worker-2"), false)
            .expect("create");
        store
            .delete(pods, Some(NS), "web-1", false)
            .expect("delete");
    });
    let (code, head, body) = raw(&k, "GET", &path, &[("Accept", PROTOBUF)], b"").await;
    writer.await.expect("writer");
    assert_eq!(code, 200, "{head}");
    assert!(
        head.contains(&format!("content-type: {PROTOBUF};stream=watch")),
        "{head}"
    );
    let mut stream = dechunk(&body);
    let mut seen = Vec::new();
    let mut rest = &stream[..];
    // Each frame: a 4-byte big-endian length, then a metav1.WatchEvent without an envelope.
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let frame = &rest[4..4 + len];
        rest = &rest[4 + len..];
        let ev: k8s_pb::apimachinery::pkg::apis::meta::v1::WatchEvent = decode_all(frame, 0);
        let obj = ev.object.and_then(|o| o.raw).unwrap_or_default();
        let (av, kind, raw) = unwrap(&obj);
        assert_eq!((av.as_str(), kind.as_str()), ("v1", "Pod"));
        let pod: core::Pod = decode_all(&raw, 0);
        let name = pod.metadata.and_then(|m| m.name).unwrap_or_default();
        seen.push((ev.r#type.unwrap_or_default(), name));
    }
    assert!(
        rest.is_empty(),
        "a trailing partial frame: {} bytes",
        rest.len()
    );
    stream.clear();
    for want in [
        ("ADDED", "rich"),
        ("ADDED", "web-1"),
        ("ADDED", "late"),
        ("DELETED", "web-1"),
    ] {
        assert!(
            seen.iter().any(|(t, n)| t == want.0 && n == want.1),
            "{want:?} not in {seen:?}"
        );
    }
    // A custom kind cannot be watched in protobuf alone.
    let (code, _, _) = raw(
        &k,
        "GET",
        &format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools?watch=true&timeoutSeconds=1"),
        &[("Accept", PROTOBUF)],
        b"",
    )
    .await;
    assert_eq!(code, 406);
}

#[tokio::test]
async fn kubectl_typed_clients_read_and_write_these_kinds_in_protobuf() {
    let k = Kube::start().await;
    seed(&k);
    // `describe node` reads the Node, its Pods and its Events through typed clients.
    let (ok, out, err) = k
        .run_current_in(&["describe", "node", "worker-1", "-v=8"], None)
        .await;
    assert!(ok, "{out}\n{err}");
    let want = k.get("nodes", None, "worker-1").expect("node");
    let kubelet = want["status"]["nodeInfo"]["kubeletVersion"]
        .as_str()
        .expect("kubelet version");
    assert!(
        out.contains(&format!("Kubelet Version:            {kubelet}")),
        "{out}"
    );
    assert!(out.contains("rich"), "the node's pod is listed:\n{out}");
    assert!(out.contains("250m (1%)"), "its requests are summed:\n{out}");
    // The Node, the PodList and the EventLists came back as protobuf.
    assert!(
        err.matches(&format!("Content-Type: {PROTOBUF}")).count() >= 3,
        "{err}"
    );
    // `events` lists Events through the typed client.
    let (ok, out, err) = k.run_current_in(&["events", "-n", NS], None).await;
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("Pulled") && out.contains("image pulled"),
        "{out}"
    );
    // `debug node/…` creates a Pod with a protobuf body.
    let (ok, out, err) = k
        .run_current_in(
            &[
                "debug",
                "node/worker-2",
                "-n",
                NS,
                "--image=registry.example.com/tools:1",
                "-v=8",
            ],
            None,
        )
        .await;
    assert!(ok, "{out}\n{err}");
    // The Pod went out as protobuf and came back as protobuf.
    assert!(
        err.matches(&format!("Content-Type: {PROTOBUF}")).count() >= 2,
        "{err}"
    );
    let (pods, _) = k.sim.store.list(by_key("pods"), Some(NS));
    let debug = pods
        .iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("node-debugger-worker-2-"))
        })
        .unwrap_or_else(|| panic!("the debug pod was created:\n{out}\n{err}"));
    assert_eq!(debug["spec"]["nodeName"], json!("worker-2"));
    assert_eq!(debug["spec"]["hostPID"], json!(true));
    assert_eq!(
        debug["spec"]["containers"][0]["image"],
        json!("registry.example.com/tools:1")
    );
    let host = debug["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["hostPath"]["path"] == json!("/"));
    assert!(
        host.is_some(),
        "the host root volume (an embedded VolumeSource): {debug}"
    );
    // `drain` lists the node's pods, evicts them and waits for them to go, all in protobuf.
    let (ok, out, err) = k
        .run_current_in(
            &[
                "drain",
                "worker-0",
                "--ignore-daemonsets",
                "--delete-emptydir-data",
                "--timeout=60s",
                "-v=6",
            ],
            None,
        )
        .await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("evicting pod clusters/web-1"), "{out}");
    assert!(out.contains("node/worker-0 drained"), "{out}");
    assert!(k.get("pods", Some(NS), "web-1").is_none());
}
