//! Shared helpers for the sim tests: start a still sim, seed realistic objects straight into
//! its store, and speak raw HTTP/1.1 over TLS when a test needs full control of the bytes.

use std::net::SocketAddr;
use std::time::Duration;

use crate::resources::by_key;
use crate::{SimHandle, SimOptions, SimUser};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const NS: &str = "clusters";
pub const MAPI: &str = "openshift-machine-api";

pub async fn start_sim(faults: &str, user: SimUser) -> SimHandle {
    let opts = SimOptions {
        live: false,
        user,
        faults: faults.parse().expect("valid faults"),
        ..Default::default()
    };
    let h = crate::start(opts).await.expect("sim starts");
    wipe(&h);
    h
}

/// The kubectl to run: the first on PATH, else `/usr/bin/kubectl`. Tests that need it fail
/// (never skip) without it; `needed_by` says which.
pub fn kubectl_bin(needed_by: &str) -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("kubectl"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([std::path::PathBuf::from("/usr/bin/kubectl")])
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("kubectl not found on PATH or at /usr/bin/kubectl: {needed_by} need kubectl installed")
        })
}

/// Remove everything the profile's scenario seeded, so a test starts from an empty cluster and
/// seeds exactly the objects it asserts on.
pub fn wipe(h: &SimHandle) {
    for res in crate::resources::served(h.profile) {
        let (objs, _) = h.store.list(res, None);
        for o in objs {
            let ns = o.pointer("/metadata/namespace").and_then(Value::as_str);
            let name = o
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let _ = h.store.delete(res, ns, name, false);
        }
    }
}

pub fn node(name: &str, arch: &str, ready: bool) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/arch": arch, "kubernetes.io/os": "linux", "kubernetes.io/hostname": name,
            "node-role.kubernetes.io/worker": ""}},
        "spec": {"providerID": format!("kubevirt://{name}")},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                {"type": "Ready", "status": if ready { "True" } else { "False" }, "reason": "KubeletReady"}
            ],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.10"}, {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "16", "memory": "65536Mi", "pods": "250"},
            // Every field NodeSystemInfo requires (clients built from the OpenAPI spec refuse
            // a node without them).
            "nodeInfo": {"machineID": format!("{:0>32}", name.len()), "systemUUID": format!("00000000-0000-0000-0000-{:0>12}", name.len()),
                "bootID": format!("b0000000-0000-0000-0000-{:0>12}", name.len()), "kubeProxyVersion": "v1.31.6",
                "kubeletVersion": "v1.31.6", "osImage": "Red Hat Enterprise Linux CoreOS 418",
                "kernelVersion": "5.14.0-427.el9.x86_64", "containerRuntimeVersion": "cri-o://1.31.5",
                "architecture": arch, "operatingSystem": "linux"}
        }
    })
}

pub fn nodepool(name: &str, replicas: Option<i64>) -> Value {
    let mut spec = json!({"clusterName": "hc1", "release": {"image": "quay.io/ocp-release:4.18.1-multi"},
        "management": {"upgradeType": "Replace"}, "platform": {"type": "KubeVirt"}});
    match replicas {
        Some(r) => spec["replicas"] = json!(r),
        None => spec["autoScaling"] = json!({"min": 1, "max": 5}),
    }
    json!({"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool",
        "metadata": {"name": name, "namespace": NS}, "spec": spec,
        "status": {"replicas": 1, "version": "4.18.1",
            "conditions": [{"type": "Ready", "status": "True", "message": "all good"},
                {"type": "AutoscalingEnabled", "status": if replicas.is_some() { "False" } else { "True" }}]}})
}

pub fn machineset(name: &str, replicas: i64) -> Value {
    json!({"apiVersion": "machine.openshift.io/v1beta1", "kind": "MachineSet",
        "metadata": {"name": name, "namespace": MAPI},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"machine.openshift.io/cluster-api-machineset": name}}},
        "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
            "labelSelector": format!("machine.openshift.io/cluster-api-machineset={name}")}})
}

/// A pending kubelet client CSR carrying a real PKCS#10 request, so the sim's signer issues a
/// certificate once it is approved (a malformed request would be marked Failed).
pub fn csr(name: &str) -> Value {
    use crate::pki;
    let pem = pki::node_csr_pem(name, pki::CsrKind::Client, &[], &[]).expect("CSR");
    let request = pki::b64(&pem);
    json!({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {"request": request, "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
            "usages": ["digital signature", "client auth"], "username": "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper"}})
}

pub fn hostedcluster(name: &str) -> Value {
    json!({"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"release": {"image": "quay.io/ocp-release:4.18.1-multi"}, "platform": {"type": "KubeVirt"}},
        "status": {"version": {"history": [{"state": "Completed", "version": "4.18.1"}]},
            "kubeconfig": {"name": format!("{name}-admin-kubeconfig")},
            "conditions": [{"type": "Available", "status": "True", "message": "The hosted control plane is available"},
                {"type": "Progressing", "status": "False"}]}})
}

pub fn put(h: &SimHandle, key: &str, obj: Value) -> Value {
    h.store
        .create(by_key(key), obj, false)
        .expect("seed object")
}

/// Namespaces, nodes, node pools (one autoscaled), machine sets, CSRs and a hosted cluster.
pub fn seed(h: &SimHandle) {
    for ns in [NS, MAPI, "default"] {
        put(
            h,
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
    }
    for i in 0..6 {
        let arch = if i % 2 == 0 { "amd64" } else { "arm64" };
        put(h, "nodes", node(&format!("worker-{i}"), arch, i != 5));
    }
    put(
        h,
        "hostedclusters.hypershift.openshift.io",
        hostedcluster("hc1"),
    );
    put(
        h,
        "nodepools.hypershift.openshift.io",
        nodepool("np-fixed", Some(2)),
    );
    put(
        h,
        "nodepools.hypershift.openshift.io",
        nodepool("np-auto", None),
    );
    put(
        h,
        "machinesets.machine.openshift.io",
        machineset("ms-arm64", 1),
    );
    for i in 0..3 {
        put(
            h,
            "certificatesigningrequests.certificates.k8s.io",
            csr(&format!("csr-{i}")),
        );
    }
}

/// A TLS connection to a sim, verified against the sim CA for the address's IP.
pub async fn tls_connect(
    addr: SocketAddr,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let cfg = crate::tls::shared()
        .expect("sim tls")
        .client_config()
        .expect("client config");
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let name = tokio_rustls::rustls::pki_types::ServerName::IpAddress(addr.ip().into());
    tokio_rustls::TlsConnector::from(cfg)
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the sim")
}

/// A raw HTTP/1.1 exchange over TLS (Connection: close): status code and body as JSON (or a
/// string). No credentials unless `headers` carries an Authorization header.
pub async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let mut s = tls_connect(addr).await;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.expect("write head");
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let v = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()));
    (code, v)
}

/// Poll `f` until it is true or `secs` pass.
pub async fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    f()
}

/// A running pod owned by a ReplicaSet, bound to `node`.
pub fn pod(name: &str, ns: &str, node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": "web"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "6f1c9a0e-0000-4000-8000-000000000001", "controller": true}]},
        "spec": {"nodeName": node, "containers": [{"name": "web", "image": "registry.example.com/web:1"}]},
        "status": {"phase": "Running", "podIP": "10.128.0.7",
            "containerStatuses": [{"name": "web", "ready": true, "restartCount": 2, "image": "registry.example.com/web:1", "imageID": "", "started": true}]}})
}
