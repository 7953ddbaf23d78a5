//! Builders shared by the scenarios and the controllers: deterministic names, conditions, and
//! realistic core objects (Namespace, Node, Pod, CSR, ...).

use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::clock::SimClock;
use crate::error::ApiError;
use crate::resources::by_key;
use crate::store::Store;

pub const KUBELET_VERSION: &str = "v1.31.6";
pub const OCP_VERSION: &str = "4.18.1";
pub const RHCOS_IMAGE: &str = "Red Hat Enterprise Linux CoreOS 418.94.202501221327-0 (Plow)";
pub const CRIO_VERSION: &str = "cri-o://1.31.5-3.rhaos4.18.git2e3a4a7.el9";
pub const KERNEL_RHCOS: &str = "5.14.0-427.50.1.el9_4.x86_64";
pub const MULTI_RELEASE_IMAGE: &str = "quay.io/openshift-release-dev/ocp-release@sha256:0a7e4c5f3d1b98e26f0c4d3a2b1e9f8c7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1";
pub const MULTI_RELEASE_TAG: &str = "quay.io/openshift-release-dev/ocp-release:4.18.1-multi";
pub const BOOTSTRAPPER: &str =
    "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper";

/// 64-bit FNV-1a of `seed` and `key`, finished with splitmix: stable across runs and platforms.
/// The Machine API's finalizer on every Machine.
pub const MACHINE_FINALIZER: &str = "machine.machine.openshift.io";
/// Cluster API's finalizer on every Machine (`MachineFinalizer` in cluster-api
/// `api/v1beta1/machine_types.go`).
pub const CAPI_MACHINE_FINALIZER: &str = "machine.cluster.x-k8s.io";

pub fn hash64(seed: u64, key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `len` characters from the alphabet the API server uses for generated names.
pub fn suffix(seed: u64, key: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut x = hash64(seed, key);
    let mut out = String::with_capacity(len);
    for i in 0..len {
        if i > 0 && i % 12 == 0 {
            x = hash64(x, key);
        }
        out.push(ALPHABET[(x % ALPHABET.len() as u64) as usize] as char);
        x /= ALPHABET.len() as u64;
    }
    out
}

/// A lowercase hex string of `len` characters (pod-template hashes, digests).
pub fn hex(seed: u64, key: &str, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut n = 0u64;
    while out.len() < len {
        out.push_str(&format!("{:016x}", hash64(seed ^ n, key)));
        n += 1;
    }
    out.truncate(len);
    out
}

pub fn rng(seed: u64, ctx: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(hash64(seed, ctx))
}

/// A Kubernetes-style condition (Node, Pod, VMI: with probe/heartbeat times).
pub fn condition(type_: &str, status: &str, reason: &str, message: &str, ts: &str) -> Value {
    json!({
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": ts,
    })
}

/// Set a condition in `obj.status.conditions`, keeping `lastTransitionTime` when the status
/// did not change.
pub fn set_condition(
    obj: &mut Value,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
) {
    let status_map = crate::store::ensure_object(obj, "status");
    let conds = status_map.entry("conditions").or_insert_with(|| json!([]));
    if !conds.is_array() {
        *conds = json!([]);
    }
    let Some(arr) = conds.as_array_mut() else {
        return;
    };
    if let Some(c) = arr
        .iter_mut()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
    {
        let same = c.get("status").and_then(Value::as_str) == Some(status);
        let ltt = if same {
            c.get("lastTransitionTime").cloned().unwrap_or(json!(now))
        } else {
            json!(now)
        };
        if let Some(m) = c.as_object_mut() {
            m.insert("status".into(), json!(status));
            m.insert("reason".into(), json!(reason));
            m.insert("message".into(), json!(message));
            m.insert("lastTransitionTime".into(), ltt);
        }
    } else {
        arr.push(condition(type_, status, reason, message, now));
    }
}

/// Set `obj.<path>` to `v`, creating (or replacing non-object) intermediate maps: never panics,
/// whatever shape a client gave the object.
pub fn set_in(obj: &mut Value, path: &[&str], v: Value) {
    let Some((last, parents)) = path.split_last() else {
        *obj = v;
        return;
    };
    let cur = obj_at(obj, parents);
    if !cur.is_object() {
        *cur = json!({});
    }
    if let Some(m) = cur.as_object_mut() {
        m.insert((*last).to_string(), v);
    }
}

fn obj_at<'a>(obj: &'a mut Value, path: &[&str]) -> &'a mut Value {
    let mut cur = obj;
    for p in path {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Some(m) = cur.as_object_mut() else {
            unreachable!("made an object above")
        };
        cur = m.entry((*p).to_string()).or_insert_with(|| json!({}));
    }
    cur
}

pub fn condition_status<'a>(obj: &'a Value, type_: &str) -> Option<&'a str> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))?
        .get("status")?
        .as_str()
}

pub fn str_at<'a>(obj: &'a Value, ptr: &str) -> Option<&'a str> {
    obj.pointer(ptr).and_then(Value::as_str)
}

pub fn name_of(obj: &Value) -> &str {
    str_at(obj, "/metadata/name").unwrap_or_default()
}

pub fn ns_of(obj: &Value) -> &str {
    str_at(obj, "/metadata/namespace").unwrap_or_default()
}

pub fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("labels")?.get(key)?.as_str()
}

/// Create, ignoring "already exists" (seeding is idempotent per store).
pub fn put(store: &Store, key: &str, obj: Value) -> Result<(), ApiError> {
    match store.create(by_key(key), obj, false) {
        Ok(_) => Ok(()),
        Err(e) if e.code == 409 => Ok(()),
        Err(e) => Err(e),
    }
}

/// Create and pretend the object is `age` old. Nodes keep fresh heartbeats: their kubelets
/// are alive, only the objects are old.
pub fn put_aged(store: &Store, key: &str, mut obj: Value, age: Duration) -> Result<(), ApiError> {
    if key == "nodes" {
        set_heartbeats(&mut obj, &store.clock().now_rfc3339());
    }
    match store.create_backdated(by_key(key), obj, &store.clock().ago_rfc3339(age)) {
        Ok(_) => Ok(()),
        Err(e) if e.code == 409 => Ok(()),
        Err(e) => Err(e),
    }
}

/// Record a core/v1 Event about `involved` (a stored object), as its controller would.
/// Cluster-scoped objects' events go to `default`. Failures are ignored: events are best effort.
pub fn event(
    store: &Store,
    involved: &Value,
    type_: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    let ns = match str_at(involved, "/metadata/namespace") {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => "default".to_string(),
    };
    let name = name_of(involved);
    let now = store.clock().now_rfc3339();
    let ev = json!({
        "metadata": {"name": format!("{name}.{:016x}", hash64(store.current_rv(), reason)), "namespace": ns},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion").cloned().unwrap_or(Value::Null),
            "kind": involved.get("kind").cloned().unwrap_or(Value::Null),
            "name": name,
            "namespace": str_at(involved, "/metadata/namespace"),
            "uid": str_at(involved, "/metadata/uid"),
            "resourceVersion": str_at(involved, "/metadata/resourceVersion"),
        },
        "reason": reason,
        "message": message,
        "type": type_,
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    });
    let _ = store.create(by_key("events"), ev, false);
}

/// `event` for an object looked up by kind and name.
#[allow(clippy::too_many_arguments)]
pub fn event_for(
    store: &Store,
    key: &str,
    ns: Option<&str>,
    name: &str,
    type_: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    if let Some(o) = store.get(by_key(key), ns, name) {
        event(store, &o, type_, reason, message, component);
    }
}

pub fn namespace(name: &str, labels: Value) -> Value {
    json!({
        "metadata": {
            "name": name,
            "labels": merge(json!({"kubernetes.io/metadata.name": name}), labels),
            "annotations": {
                "openshift.io/sa.scc.mcs": "s0:c26,c15",
                "openshift.io/sa.scc.supplemental-groups": "1000680000/10000",
                "openshift.io/sa.scc.uid-range": "1000680000/10000"
            }
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

/// Shallow-merge two JSON objects (`b` wins).
pub fn merge(a: Value, b: Value) -> Value {
    let mut out: Map<String, Value> = a.as_object().cloned().unwrap_or_default();
    if let Some(bm) = b.as_object() {
        for (k, v) in bm {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Everything needed to build a realistic Node.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub name: String,
    /// `amd64` or `arm64`.
    pub arch: &'static str,
    /// `linux` or `windows`.
    pub os: &'static str,
    pub roles: Vec<&'static str>,
    pub ip: String,
    pub ready: bool,
    pub cpu: u32,
    pub memory_gi: u32,
    pub os_image: String,
    pub kernel: String,
    pub runtime: String,
    pub kubelet: String,
    pub extra_labels: Value,
    pub annotations: Value,
    pub taints: Vec<Value>,
    pub provider_id: Option<String>,
}

impl NodeSpec {
    pub fn rhcos(name: &str, arch: &'static str, roles: Vec<&'static str>, ip: &str) -> NodeSpec {
        let kernel = if arch == "arm64" {
            KERNEL_RHCOS.replace("x86_64", "aarch64")
        } else {
            KERNEL_RHCOS.to_string()
        };
        NodeSpec {
            name: name.to_string(),
            arch,
            os: "linux",
            roles,
            ip: ip.to_string(),
            ready: true,
            cpu: 16,
            memory_gi: 64,
            os_image: RHCOS_IMAGE.to_string(),
            kernel,
            runtime: CRIO_VERSION.to_string(),
            kubelet: KUBELET_VERSION.to_string(),
            extra_labels: json!({}),
            annotations: json!({}),
            taints: Vec::new(),
            provider_id: None,
        }
    }
}

pub fn ready_conditions(ready: bool, ts: &str) -> Value {
    let (status, reason, message) = if ready {
        ("True", "KubeletReady", "kubelet is posting ready status")
    } else {
        (
            "False",
            "KubeletNotReady",
            "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no CNI configuration file in /etc/kubernetes/cni/net.d/. Has your network provider started?",
        )
    };
    let c = |t: &str, s: &str, r: &str, m: &str| {
        json!({"type": t, "status": s, "reason": r, "message": m,
               "lastHeartbeatTime": ts, "lastTransitionTime": ts})
    };
    json!([
        c(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        c(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        c(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        c("Ready", status, reason, message),
    ])
}

pub fn node(spec: &NodeSpec, ts: &str) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": spec.arch,
        "beta.kubernetes.io/os": spec.os,
        "kubernetes.io/arch": spec.arch,
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": spec.os,
    });
    if spec.os == "linux" && spec.os_image.contains("CoreOS") {
        labels["node.openshift.io/os_id"] = json!("rhcos");
    } else if spec.os == "linux" {
        labels["node.openshift.io/os_id"] = json!("rhel");
    } else {
        labels["node.openshift.io/os_id"] = json!("Windows");
    }
    for r in &spec.roles {
        labels[format!("node-role.kubernetes.io/{r}")] = json!("");
    }
    let labels = merge(labels, spec.extra_labels.clone());
    let alloc_cpu = format!("{}m", spec.cpu * 1000 - 500);
    let alloc_mem = format!("{}Ki", u64::from(spec.memory_gi) * 1024 * 1024 - 1_500_000);
    let annotations = merge(
        json!({
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            "machineconfiguration.openshift.io/currentConfig": format!("rendered-worker-{}", hex(7, &spec.name, 32)),
            "machineconfiguration.openshift.io/desiredConfig": format!("rendered-worker-{}", hex(7, &spec.name, 32)),
            "machineconfiguration.openshift.io/state": "Done",
            "k8s.ovn.org/node-primary-ifaddr": format!("{{\"ipv4\":\"{}/24\"}}", spec.ip),
        }),
        spec.annotations.clone(),
    );
    let mut spec_obj = json!({});
    if let Some(p) = &spec.provider_id {
        spec_obj["providerID"] = json!(p);
    }
    if !spec.taints.is_empty() {
        spec_obj["taints"] = json!(spec.taints);
    }
    if !spec.ready {
        let mut t = spec.taints.clone();
        t.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
        spec_obj["taints"] = json!(t);
    }
    let machine_id = hex(11, &spec.name, 32);
    json!({
        "metadata": {"name": spec.name, "labels": labels, "annotations": annotations},
        "spec": spec_obj,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": spec.ip},
                {"type": "Hostname", "address": spec.name}
            ],
            "allocatable": {
                "cpu": alloc_cpu, "ephemeral-storage": "115470533646",
                "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": alloc_mem, "pods": "250"
            },
            "capacity": {
                "cpu": spec.cpu.to_string(), "ephemeral-storage": "125293548Ki",
                "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": format!("{}Ki", u64::from(spec.memory_gi) * 1024 * 1024), "pods": "250"
            },
            "conditions": ready_conditions(spec.ready, ts),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": spec.arch,
                "bootID": format!("{}-{}-{}-{}-{}", &machine_id[0..8], &machine_id[8..12], &machine_id[12..16], &machine_id[16..20], hex(13, &spec.name, 12)),
                "containerRuntimeVersion": spec.runtime,
                "kernelVersion": spec.kernel,
                "kubeProxyVersion": spec.kubelet,
                "kubeletVersion": spec.kubelet,
                "machineID": machine_id,
                "operatingSystem": spec.os,
                "osImage": spec.os_image,
                "systemUUID": format!("{}-{}-{}-{}-{}", &machine_id[0..8], &machine_id[8..12], &machine_id[12..16], &machine_id[16..20], &machine_id[20..32])
            },
            "images": [
                {"names": [format!("quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{}", hex(3, &spec.name, 64))], "sizeBytes": 1_203_445_128u64},
                {"names": [format!("quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{}", hex(4, &spec.name, 64))], "sizeBytes": 587_221_994u64}
            ]
        }
    })
}

/// Set every Node condition's `lastHeartbeatTime`.
pub fn set_heartbeats(node: &mut Value, now: &str) {
    if let Some(arr) = node
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in arr.iter_mut().filter_map(Value::as_object_mut) {
            c.insert("lastHeartbeatTime".into(), json!(now));
        }
    }
}

/// Flip a Node's Ready condition (and the not-ready taint) in place.
pub fn set_node_ready(node: &mut Value, ready: bool, now: &str) {
    let (status, reason, message) = if ready {
        ("True", "KubeletReady", "kubelet is posting ready status")
    } else {
        ("False", "KubeletNotReady", "node is not ready")
    };
    set_condition(node, "Ready", status, reason, message, now);
    set_heartbeats(node, now);
    if ready
        && let Some(taints) = node
            .pointer_mut("/spec/taints")
            .and_then(Value::as_array_mut)
    {
        taints.retain(|t| {
            t.get("key").and_then(Value::as_str) != Some("node.kubernetes.io/not-ready")
        });
    }
}

/// A running Pod with `containers` (name, image) on `node`.
pub fn pod(
    ns: &str,
    name: &str,
    node: &str,
    ip: &str,
    containers: &[(&str, &str)],
    ready: bool,
    ts: &str,
) -> Value {
    let specs: Vec<Value> = containers
        .iter()
        .map(|(n, img)| json!({"name": n, "image": img, "resources": {"requests": {"cpu": "10m", "memory": "50Mi"}}}))
        .collect();
    let statuses: Vec<Value> = containers
        .iter()
        .map(|(n, img)| {
            let state = if ready {
                json!({"running": {"startedAt": ts}})
            } else {
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}})
            };
            json!({"name": n, "image": img, "imageID": img, "ready": ready, "started": ready,
                   "restartCount": if ready { 0 } else { 7 }, "state": state,
                   "containerID": format!("cri-o://{}", hex(5, &format!("{ns}/{name}/{n}"), 64))})
        })
        .collect();
    let rs = if ready { "True" } else { "False" };
    json!({
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name.rsplitn(3, '-').last().unwrap_or(name)}},
        "spec": {"nodeName": node, "containers": specs, "restartPolicy": "Always", "schedulerName": "default-scheduler"},
        "status": {
            "phase": "Running",
            "hostIP": "192.168.111.20",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "qosClass": "Burstable",
            "startTime": ts,
            "conditions": [
                {"type": "Initialized", "status": "True", "lastTransitionTime": ts},
                {"type": "Ready", "status": rs, "lastTransitionTime": ts},
                {"type": "ContainersReady", "status": rs, "lastTransitionTime": ts},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts}
            ],
            "containerStatuses": statuses
        }
    })
}

/// Turn a running pod into a crash-looping one (containers waiting in CrashLoopBackOff).
pub fn set_pod_crash_looping(pod: &mut Value, ts: &str) {
    if let Some(conds) = pod
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in conds.iter_mut() {
            if matches!(c["type"].as_str(), Some("Ready" | "ContainersReady")) {
                c["status"] = json!("False");
                c["lastTransitionTime"] = json!(ts);
            }
        }
    }
    if let Some(statuses) = pod
        .pointer_mut("/status/containerStatuses")
        .and_then(Value::as_array_mut)
    {
        for c in statuses.iter_mut() {
            c["ready"] = json!(false);
            c["started"] = json!(false);
            c["restartCount"] = json!(7);
            c["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}});
        }
    }
}

/// Usages a kubelet asks for.
pub fn usages(kind: crate::pki::CsrKind) -> Value {
    match kind {
        crate::pki::CsrKind::Client => json!(["digital signature", "client auth"]),
        crate::pki::CsrKind::Serving => {
            json!(["digital signature", "server auth", "key encipherment"])
        }
    }
}

/// A CertificateSigningRequest object (pending) posted by `username` with `groups`.
pub fn csr_object(
    name: &str,
    request_b64: &str,
    signer: &str,
    username: &str,
    groups: &[&str],
    usages: Value,
) -> Value {
    json!({
        "metadata": {"name": name},
        "spec": {
            "request": request_b64,
            "signerName": signer,
            "usages": usages,
            "username": username,
            "groups": groups,
            "uid": super::hypershift::uuid(3, username),
        },
        "status": {}
    })
}

pub fn bootstrapper_groups() -> [&'static str; 3] {
    [
        "system:serviceaccounts",
        "system:serviceaccounts:openshift-machine-config-operator",
        "system:authenticated",
    ]
}

pub fn node_groups() -> [&'static str; 2] {
    ["system:nodes", "system:authenticated"]
}

/// The Approved condition as written by an admin (`oc adm certificate approve`).
pub fn approved_condition(ts: &str) -> Value {
    json!({
        "type": "Approved",
        "status": "True",
        "reason": "KubectlApprove",
        "message": "This CSR was approved by kubectl certificate approve.",
        "lastUpdateTime": ts,
        "lastTransitionTime": ts,
    })
}

pub fn now(clock: &SimClock) -> String {
    clock.now_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_stable_and_seeded() {
        assert_eq!(suffix(1, "example", 5), suffix(1, "example", 5));
        assert_ne!(suffix(1, "example", 5), suffix(2, "example", 5));
        assert_eq!(suffix(1, "x", 20).len(), 20);
        assert!(suffix(9, "a", 5).chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn set_condition_keeps_transition_time_when_unchanged() {
        let mut o = json!({});
        set_condition(&mut o, "Ready", "True", "A", "m", "t1");
        set_condition(&mut o, "Ready", "True", "A", "m2", "t2");
        assert_eq!(o["status"]["conditions"][0]["lastTransitionTime"], "t1");
        set_condition(&mut o, "Ready", "False", "B", "m3", "t3");
        assert_eq!(o["status"]["conditions"][0]["lastTransitionTime"], "t3");
        assert_eq!(condition_status(&o, "Ready"), Some("False"));
    }

    #[test]
    fn node_has_expected_labels() {
        let n = node(
            &NodeSpec::rhcos("w1", "arm64", vec!["worker"], "10.0.0.1"),
            "t",
        );
        assert_eq!(n["metadata"]["labels"]["kubernetes.io/arch"], "arm64");
        assert_eq!(n["metadata"]["labels"]["node.openshift.io/os_id"], "rhcos");
        assert_eq!(n["status"]["nodeInfo"]["kubeletVersion"], KUBELET_VERSION);
        assert!(serde_json::to_string(&n).unwrap().len() > 2500);
    }
}
