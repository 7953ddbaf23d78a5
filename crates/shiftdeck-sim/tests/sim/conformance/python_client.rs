//! The official Python client against the sim, for the points the kubectl and raw-HTTP modules
//! check too: list paging, watch, 409 on a stale update, dry run, 422/400 validation and
//! deletes held by finalizers. A second client library built from the OpenAPI spec, with its
//! own (de)serialisation, catches what kube-rs and kubectl happen to tolerate.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::conformance::python::{kubectl_run, run_script};

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn python_lists_page_by_page_from_a_snapshot() {
    let k = Kube::start().await;
    let seen = run_script("paging.py", &k.kubeconfig).await;
    let pages: Vec<Vec<String>> = seen["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(names)
        .collect();
    assert_eq!(
        pages,
        [
            vec!["page-0", "page-1"],
            vec!["page-2", "page-3"],
            vec!["page-4"]
        ],
        "{seen}"
    );
    // Five items and a limit of 2: three remain after the first page.
    assert_eq!(seen["first_remaining"], json!(3), "{seen}");
    assert_eq!(names(&seen["selected_names"]), ["page-0", "page-1"]);
    assert_eq!(seen["selected_has_continue"], json!(true), "{seen}");
    assert_eq!(seen["selected_remaining"], Value::Null, "{seen}");
}

#[tokio::test]
async fn python_watches_from_a_resource_version() {
    let k = Kube::start().await;
    let seen = run_script("watch.py", &k.kubeconfig).await;
    assert_eq!(
        seen["events"],
        json!([
            ["ADDED", "watched", "1"],
            ["MODIFIED", "watched", "2"],
            ["DELETED", "watched", "2"]
        ]),
        "{seen}"
    );
    assert_eq!(
        seen["nodepool_events"],
        json!([["MODIFIED", "np-fixed", "yes"]]),
        "{seen}"
    );
}

#[tokio::test]
async fn python_stale_updates_conflict() {
    let k = Kube::start().await;
    let seen = run_script("conflict.py", &k.kubeconfig).await;
    for kind in ["configmap", "nodepool"] {
        let c = &seen[kind];
        assert_eq!(c["code"], json!(409), "{kind}: {c}");
        assert_eq!(c["status"]["reason"], json!("Conflict"), "{kind}: {c}");
        let msg = c["status"]["message"].as_str().unwrap_or_default();
        assert!(
            msg.contains("the object has been modified; please apply your changes to the latest version and try again"),
            "{kind}: {msg}"
        );
    }
    assert_eq!(seen["configmap_stored"], json!({"v": "fresh"}));
    assert_eq!(seen["nodepool_replicas"], json!(3));
}

#[tokio::test]
async fn python_dry_runs_change_nothing() {
    let k = Kube::start().await;
    let seen = run_script("dry_run.py", &k.kubeconfig).await;
    assert_eq!(seen["created_name"], json!("dry"));
    assert_eq!(seen["after_create"]["code"], json!(404), "{seen}");
    assert_eq!(
        seen["patched_replicas"],
        json!(9),
        "the dry run answers the patched object"
    );
    assert_eq!(seen["deleted_code"], json!(202), "{seen}");
    assert_eq!(seen["deleted_kind"], json!("NodePool"), "{seen}");
    assert_eq!(seen["deleted_marked"], json!(true), "{seen}");
    assert_eq!(
        seen["stored_marked"],
        json!(false),
        "the dry delete stored: {seen}"
    );
    assert_eq!(seen["replicas_before"], seen["replicas_after"], "{seen}");
    assert_eq!(seen["rv_before"], seen["rv_after"], "{seen}");
    assert_eq!(seen["bogus"]["code"], json!(422), "{seen}");
    assert_eq!(
        seen["bogus"]["status"]["reason"],
        json!("Invalid"),
        "{seen}"
    );
    assert_eq!(seen["still_there"], json!("np-fixed"));
}

#[tokio::test]
async fn python_invalid_objects_are_refused() {
    let k = Kube::start().await;
    let seen = run_script("validation.py", &k.kubeconfig).await;
    let invalid = &seen["invalid"];
    assert_eq!(invalid["code"], json!(422), "{invalid}");
    assert_eq!(invalid["status"]["reason"], json!("Invalid"), "{invalid}");
    let causes = invalid["status"]["details"]["causes"]
        .as_array()
        .expect("causes");
    assert!(
        causes.iter().any(|c| c["field"] == json!("spec.replicas")),
        "{invalid}"
    );
    assert_eq!(seen["pool_stored"], json!(404));
    let strict = &seen["strict"];
    assert_eq!(strict["code"], json!(400), "{strict}");
    assert!(
        strict["status"]["message"].as_str().is_some_and(
            |m| m.contains("strict decoding error") && m.contains("unknown field \"bogus\"")
        ),
        "{strict}"
    );
    assert_eq!(seen["cm_stored"], json!(404));
}

#[tokio::test]
async fn python_deletes_wait_for_finalizers() {
    let k = Kube::start().await;
    let seen = run_script("finalizers.py", &k.kubeconfig).await;
    assert_eq!(seen["cm_delete"], json!(202), "{seen}");
    assert_eq!(seen["cm_delete_timestamp"], json!(true), "{seen}");
    assert_eq!(seen["cm_held_finalizers"], json!(["example.com/hold"]));
    assert_eq!(seen["cm_held_timestamp"], json!(true));
    assert_eq!(seen["cm_gone"], json!(404));
    assert_eq!(seen["np_delete"], json!(202), "{seen}");
    assert_eq!(seen["np_held_timestamp"], json!(true), "{seen}");
    assert!(
        names(&seen["np_held_finalizers"]).contains(&"example.com/hold".to_string()),
        "{seen}"
    );
    assert_eq!(seen["np_gone"], json!(404), "{seen}");
}

#[tokio::test]
async fn pypi_kubectl_pages_and_reads_custom_resources() {
    let k = Kube::start().await;
    let (ok, out, err) = kubectl_run(
        &k,
        &k.kubeconfig,
        &[
            "get",
            "nodepools",
            "-n",
            "clusters",
            "--chunk-size=1",
            "-o",
            "name",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "nodepool.hypershift.openshift.io/np-auto",
            "nodepool.hypershift.openshift.io/np-fixed"
        ]
    );
}
