//! Paging and list resourceVersions: a continue token reads the first page's snapshot; no
//! remainingItemCount with selectors; resourceVersionMatch rules (422), Exact versions (410 when
//! no longer kept), versions the server has not reached (504), and a watch from one is refused.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support::put;

fn cm(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default", "labels": {"app": "x"}}})
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn continue_tokens_read_a_snapshot() {
    let k = Kube::start().await;
    for n in ["a", "b", "c", "d"] {
        put(&k.sim, "configmaps", cm(n));
    }
    let (code, p1) = k
        .raw("GET", &format!("{CMS}?limit=2"), "application/json", "")
        .await;
    assert_eq!(code, 200, "{p1}");
    assert_eq!(names(&p1), ["a", "b"]);
    assert_eq!(p1["metadata"]["remainingItemCount"], json!(2));
    let token = p1["metadata"]["continue"]
        .as_str()
        .expect("continue")
        .to_string();
    // Between the pages: one created after the cut, one deleted.
    put(&k.sim, "configmaps", cm("bb"));
    k.ok(&["delete", "configmap", "d", "-n", "default"]).await;
    let (code, p2) = k
        .raw(
            "GET",
            &format!("{CMS}?limit=5&continue={token}"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(code, 200, "{p2}");
    assert_eq!(
        names(&p2),
        ["c", "d"],
        "page 2 must come from page 1's snapshot"
    );
    assert_eq!(
        p2["metadata"]["resourceVersion"],
        p1["metadata"]["resourceVersion"]
    );

    // With a selector the server does not count what is left.
    let (_, sel) = k
        .raw(
            "GET",
            &format!("{CMS}?limit=1&labelSelector=app%3Dx"),
            "application/json",
            "",
        )
        .await;
    assert!(sel["metadata"]["continue"].is_string(), "{sel}");
    assert!(sel["metadata"].get("remainingItemCount").is_none(), "{sel}");
    // kubectl pages through it all the same.
    let out = k
        .ok(&[
            "get",
            "configmaps",
            "-n",
            "default",
            "--chunk-size=1",
            "-o",
            "name",
        ])
        .await;
    assert_eq!(out.lines().count(), 4, "{out}");
}

#[tokio::test]
async fn list_resource_versions() {
    let k = Kube::start().await;
    put(&k.sim, "configmaps", cm("a"));
    let (_, l) = k.raw("GET", CMS, "application/json", "").await;
    let rv: u64 = l["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("rv");
    put(&k.sim, "configmaps", cm("b"));
    // Exact: the list as it was.
    let (code, exact) = k
        .raw(
            "GET",
            &format!("{CMS}?resourceVersion={rv}&resourceVersionMatch=Exact"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(code, 200, "{exact}");
    assert_eq!(names(&exact), ["a"]);
    assert_eq!(exact["metadata"]["resourceVersion"], json!(rv.to_string()));
    // NotOlderThan: the newest.
    let (code, newer) = k
        .raw(
            "GET",
            &format!("{CMS}?resourceVersion={rv}&resourceVersionMatch=NotOlderThan"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(
        (code, names(&newer)),
        (200, vec!["a".to_string(), "b".to_string()])
    );
    // Too old for Exact.
    let (code, st) = k
        .raw(
            "GET",
            &format!("{CMS}?resourceVersion=5&resourceVersionMatch=Exact"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(
        (code, st["reason"].clone()),
        (410, json!("Expired")),
        "{st}"
    );
    // Not reached yet.
    let (code, st) = k
        .raw(
            "GET",
            &format!("{CMS}?resourceVersion=99999999"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(code, 504, "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("Too large resource version: 99999999"),
        "{st}"
    );
    // Forbidden combinations.
    for q in [
        "resourceVersionMatch=Exact",
        "resourceVersion=0&resourceVersionMatch=Exact",
        "resourceVersion=1&resourceVersionMatch=Sometimes",
        "resourceVersion=1&resourceVersionMatch=NotOlderThan&continue=abc",
    ] {
        let (code, st) = k
            .raw("GET", &format!("{CMS}?{q}"), "application/json", "")
            .await;
        assert_eq!(code, 422, "{q}: {st}");
    }
}

#[tokio::test]
async fn a_watch_from_a_version_never_issued_is_refused() {
    let k = Kube::start().await;
    let (code, body) = k
        .raw(
            "GET",
            &format!("{CMS}?watch=true&resourceVersion=99999999&timeoutSeconds=10"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(code, 200);
    let text = match &body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    assert!(
        text.contains("\"ERROR\"") && text.contains("Too large resource version"),
        "{text}"
    );
    assert!(text.contains("504"), "{text}");
}
