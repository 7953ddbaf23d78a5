//! Content negotiation: built-in kinds answer protobuf to clients that prefer it (kubectl's
//! typed clients: `create namespace|configmap|secret|service`, `auth can-i`) and take protobuf
//! request bodies; custom kinds answer JSON when protobuf is listed with JSON, 406 when nothing
//! acceptable is listed (decided before the request is carried out); YAML is served for
//! objects; bodies over 128 KiB are gzipped when the client accepts gzip.

use std::io::Read;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::conformance::kubectl::Kube;
use crate::sim_support::{self, NS};

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// A raw request; (status code, lowercased head, body bytes).
pub(crate) async fn raw(
    k: &Kube,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut s = sim_support::tls_connect(k.sim.addr).await;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n",
        k.sim.addr,
        k.sim.token,
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.expect("write");
    s.write_all(body).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out)).await;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, head, out[split + 4..].to_vec())
}

#[tokio::test]
async fn kubectl_typed_clients_talk_protobuf() {
    let k = Kube::start().await;
    let (ok, out, err) = k
        .run_current_in(
            &[
                "create",
                "service",
                "clusterip",
                "web",
                "-n",
                NS,
                "--tcp=80:8080",
                "-v=8",
            ],
            None,
        )
        .await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("service/web created"), "{out}");
    // The body went out as protobuf and the answer came back as protobuf.
    assert!(
        err.matches(&format!("Content-Type: {PROTOBUF}")).count() >= 2,
        "{err}"
    );
    let svc = k.get("services", Some(NS), "web").expect("created");
    assert_eq!(
        svc["spec"]["ports"],
        json!([{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}])
    );
    assert_eq!(svc["spec"]["selector"], json!({"app": "web"}));
    assert_eq!(svc["spec"]["type"], json!("ClusterIP"));
    assert!(svc["metadata"].get("generateName").is_none(), "{svc}");
    for args in [
        vec!["create", "namespace", "pb-ns"],
        vec![
            "create",
            "configmap",
            "pb-cm",
            "-n",
            NS,
            "--from-literal=a=b",
        ],
        vec![
            "create",
            "secret",
            "generic",
            "pb-secret",
            "-n",
            NS,
            "--from-literal=x=y",
        ],
    ] {
        let (ok, out, err) = k.run_current_in(&args, None).await;
        assert!(ok && out.contains("created"), "{out}\n{err}");
    }
    let (ok, out, err) = k
        .run_current_in(&["auth", "can-i", "get", "pods"], None)
        .await;
    assert!(ok && out.trim() == "yes", "{out}\n{err}");
    // `certificate approve` reads the CSR in protobuf and writes its approval in protobuf.
    let (ok, out, err) = k
        .run_current_in(&["certificate", "approve", "csr-0", "-v=8"], None)
        .await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("csr-0 approved"), "{out}");
    assert!(
        err.matches(&format!("Content-Type: {PROTOBUF}")).count() >= 3,
        "{err}"
    );
    let csr = k
        .get(
            "certificatesigningrequests.certificates.k8s.io",
            None,
            "csr-0",
        )
        .expect("csr");
    let approved = csr["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == json!("Approved") && c["status"] == json!("True"));
    assert!(approved, "{csr}");
    // Lists of those kinds too: ListMeta, then the items.
    let (code, head, body) = raw(
        &k,
        "GET",
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        &[("Accept", PROTOBUF)],
        b"",
    )
    .await;
    assert_eq!(code, 200, "{head}");
    assert!(
        head.contains(&format!("content-type: {PROTOBUF}")),
        "{head}"
    );
    assert!(body.windows(13).any(|w| w == b"ConfigMapList"));
    assert!(body.windows(5).any(|w| w == b"pb-cm"));
    // A raw read asking for protobuf only: the `k8s\0` envelope with the object in it.
    let (code, head, body) = raw(
        &k,
        "GET",
        &format!("/api/v1/namespaces/{NS}/configmaps/pb-cm"),
        &[("Accept", PROTOBUF)],
        b"",
    )
    .await;
    assert_eq!(code, 200, "{head}");
    assert!(
        head.contains(&format!("content-type: {PROTOBUF}")),
        "{head}"
    );
    assert!(body.starts_with(b"k8s\0"));
    assert!(body.windows(5).any(|w| w == b"pb-cm"));
}

#[tokio::test]
async fn custom_kinds_fall_back_to_json_or_refuse() {
    let k = Kube::start().await;
    let path = format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools");
    let (code, head, body) = raw(
        &k,
        "GET",
        &path,
        &[("Accept", &format!("{PROTOBUF}, application/json"))],
        b"",
    )
    .await;
    assert_eq!(code, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    let list: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(list["kind"], json!("NodePoolList"));
    let (code, _, body) = raw(&k, "GET", &path, &[("Accept", PROTOBUF)], b"").await;
    assert_eq!(code, 406);
    let st: Value = serde_json::from_slice(&body).expect("status");
    assert_eq!(st["reason"], json!("NotAcceptable"));
    assert_eq!(
        st["message"],
        json!("only the following media types are accepted: application/json, application/yaml")
    );
    // Built-in kinds name protobuf among what they offer.
    let (code, _, body) = raw(&k, "GET", "/api/v1/nodes", &[("Accept", "text/html")], b"").await;
    assert_eq!(code, 406);
    let st: Value = serde_json::from_slice(&body).expect("status");
    assert_eq!(
        st["message"],
        json!(
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf"
        )
    );
    // Refused before acting: the create did not happen.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "not-made"}})
        .to_string();
    let (code, _, _) = raw(
        &k,
        "POST",
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        &[
            ("Accept", "text/html"),
            ("Content-Type", "application/json"),
        ],
        cm.as_bytes(),
    )
    .await;
    assert_eq!(code, 406);
    assert!(k.get("configmaps", Some(NS), "not-made").is_none());
}

#[tokio::test]
async fn objects_are_served_as_yaml() {
    let k = Kube::start().await;
    let path = format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools/np-fixed");
    let (code, head, body) = raw(&k, "GET", &path, &[("Accept", "application/yaml")], b"").await;
    assert_eq!(code, 200);
    assert!(head.contains("content-type: application/yaml"), "{head}");
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.starts_with("apiVersion: hypershift.openshift.io/v1beta1\n"),
        "{text}"
    );
    let v: Value = serde_yaml::from_str(&text).expect("yaml");
    assert_eq!(v["metadata"]["name"], json!("np-fixed"));
    assert_eq!(v["spec"]["replicas"], json!(2));
    // A watch cannot be YAML.
    let (code, _, _) = raw(
        &k,
        "GET",
        &format!("{path}?watch=true"),
        &[("Accept", "application/yaml")],
        b"",
    )
    .await;
    assert_eq!(code, 406);
}

#[tokio::test]
async fn large_bodies_are_gzipped_when_accepted() {
    let k = Kube::start().await;
    let big = "x".repeat(200 * 1024);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"blob": big}}).to_string();
    let (code, _, _) = raw(
        &k,
        "POST",
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        &[("Content-Type", "application/json")],
        cm.as_bytes(),
    )
    .await;
    assert_eq!(code, 201);
    let path = format!("/api/v1/namespaces/{NS}/configmaps/big");
    let (code, head, body) = raw(&k, "GET", &path, &[("Accept-Encoding", "gzip")], b"").await;
    assert_eq!(code, 200);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(body.len() < 64 * 1024, "{} bytes", body.len());
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .expect("gzip");
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["data"]["blob"].as_str().map(str::len), Some(200 * 1024));
    // Small bodies, or clients that do not ask, get it plain.
    let (_, head, _) = raw(&k, "GET", &path, &[], b"").await;
    assert!(!head.contains("content-encoding"), "{head}");
    let (_, head, _) = raw(
        &k,
        "GET",
        &format!("/api/v1/namespaces/{NS}/configmaps/pb-none"),
        &[("Accept-Encoding", "gzip")],
        b"",
    )
    .await;
    assert!(!head.contains("content-encoding"), "{head}");
    // kubectl asks for gzip and reads the compressed list.
    let out = k
        .ok(&[
            "get",
            "configmap",
            "big",
            "-n",
            NS,
            "-o",
            "jsonpath={.metadata.name}",
        ])
        .await;
    assert_eq!(out, "big");
}
