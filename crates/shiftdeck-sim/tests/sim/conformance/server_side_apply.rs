//! Server-side apply: `managedFields` record each manager's fields (FieldsV1), apply patches as
//! `Apply` entries and other writes as `Update` entries; a second applier changing a field
//! another manager holds gets 409 "Apply failed with 1 conflict" with a FieldManagerConflict
//! cause, unless it forces; fields an applier stops applying and nobody else holds are removed;
//! associative lists (Service ports, by port and protocol) merge item by item.

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::sim_support::NS;

const NP: &str = "np-fixed";

fn np_yaml(replicas: u32) -> String {
    format!(
        "apiVersion: hypershift.openshift.io/v1beta1\nkind: NodePool\nmetadata:\n  name: {NP}\n  namespace: {NS}\nspec:\n  replicas: {replicas}\n"
    )
}

fn managers(obj: &Value) -> Vec<(String, String, Value)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["manager"].as_str().unwrap_or_default().to_string(),
                        e["operation"].as_str().unwrap_or_default().to_string(),
                        e["fieldsV1"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entry<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
    obj["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == json!(manager))
}

#[tokio::test]
async fn apply_records_managed_fields() {
    let k = Kube::start().await;
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: {NS}\n  labels:\n    team: a\ndata:\n  one: \"1\"\n"
    );
    let out = k
        .run_in(&["apply", "--server-side", "-f", "-"], Some(&cm))
        .await;
    assert!(out.0, "{out:?}");
    let obj = k.get("configmaps", Some(NS), "ssa").expect("created");
    let e = entry(&obj, "kubectl").expect("kubectl's entry");
    assert_eq!(e["operation"], json!("Apply"));
    assert_eq!(e["apiVersion"], json!("v1"));
    assert_eq!(e["fieldsType"], json!("FieldsV1"));
    assert_eq!(
        e["fieldsV1"],
        json!({"f:data": {"f:one": {}}, "f:metadata": {"f:labels": {"f:team": {}}}})
    );
    assert!(e["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    // Applying the same again changes nothing: no write, same resourceVersion and entry.
    let again = k
        .run_in(&["apply", "--server-side", "-f", "-"], Some(&cm))
        .await;
    assert!(again.0, "{again:?}");
    let same = k.get("configmaps", Some(NS), "ssa").expect("exists");
    assert_eq!(
        same["metadata"]["resourceVersion"],
        obj["metadata"]["resourceVersion"]
    );
    assert_eq!(
        same["metadata"]["managedFields"],
        obj["metadata"]["managedFields"]
    );
    // Another write through update or patch is an Update entry of its manager.
    k.ok(&["label", "configmap", "ssa", "-n", NS, "extra=x"])
        .await;
    let obj = k.get("configmaps", Some(NS), "ssa").expect("exists");
    let e = entry(&obj, "kubectl-label").expect("kubectl-label's entry");
    assert_eq!(e["operation"], json!("Update"));
    assert_eq!(
        e["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:extra": {}}}})
    );
    // kubectl hides them unless asked.
    let shown = k
        .ok(&[
            "get",
            "configmap",
            "ssa",
            "-n",
            NS,
            "-o",
            "yaml",
            "--show-managed-fields",
        ])
        .await;
    assert!(shown.contains("manager: kubectl-label"), "{shown}");
}

#[tokio::test]
async fn a_second_applier_conflicts_until_it_forces() {
    let k = Kube::start().await;
    let apply = |mgr: &'static str, replicas: u32, force: bool| {
        let yaml = np_yaml(replicas);
        let k = &k;
        async move {
            let mut args = vec!["apply", "--server-side", "--field-manager", mgr, "-f", "-"];
            if force {
                args.push("--force-conflicts");
            }
            k.run_in(&args, Some(&yaml)).await
        }
    };
    // The fixture was never written through the API: its fields are `before-first-apply`'s,
    // so the first apply that changes one conflicts with that manager.
    let (ok, _, err) = apply("mgr", 3, false).await;
    assert!(!ok);
    assert!(
        err.contains("Apply failed with 1 conflict: conflict with \"before-first-apply\" using hypershift.openshift.io/v1beta1: .spec.replicas"),
        "{err}"
    );
    let (ok, _, err) = apply("mgr", 3, true).await;
    assert!(ok, "{err}");
    // The same value from another applier: shared, no conflict.
    let (ok, _, err) = apply("other", 3, false).await;
    assert!(ok, "{err}");
    let (ok, _, err) = apply("third", 5, false).await;
    assert!(!ok);
    assert!(
        err.contains("Apply failed with 2 conflicts: conflicts with \"mgr\":\n- .spec.replicas\nconflicts with \"other\":\n- .spec.replicas"),
        "{err}"
    );
    // Raw: one holder left after `other` steps back, so the single-conflict form.
    let (ok, _, err) = apply("other", 3, false).await;
    assert!(ok, "{err}");
    let (code, st) = k
        .raw(
            "PATCH",
            &format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools/{NP}?fieldManager=third"),
            "application/apply-patch+yaml",
            &np_yaml(5),
        )
        .await;
    assert_eq!(code, 409, "{st}");
    assert_eq!(st["kind"], json!("Status"));
    assert_eq!(st["reason"], json!("Conflict"));
    let msg = st["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Apply failed with ") && msg.contains(".spec.replicas"),
        "{msg}"
    );
    let causes = st["details"]["causes"].as_array().expect("causes");
    assert!(
        causes
            .iter()
            .all(|c| c["reason"] == json!("FieldManagerConflict")
                && c["field"] == json!(".spec.replicas"))
    );
    assert!(
        causes
            .iter()
            .any(|c| c["message"] == json!("conflict with \"mgr\""))
    );
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    assert_eq!(np["spec"]["replicas"], json!(3));
    // Forcing takes the field over.
    let (ok, _, err) = apply("third", 5, true).await;
    assert!(ok, "{err}");
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    assert_eq!(np["spec"]["replicas"], json!(5));
    let held: Vec<String> = managers(&np)
        .into_iter()
        .filter(|(_, _, f)| f.pointer("/f:spec/f:replicas").is_some())
        .map(|(m, _, _)| m)
        .collect();
    assert_eq!(held, vec!["third".to_string()]);
}

#[tokio::test]
async fn an_update_manager_is_named_with_its_version() {
    let k = Kube::start().await;
    k.ok(&[
        "patch",
        "nodepool",
        NP,
        "-n",
        NS,
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":4}}"#,
    ])
    .await;
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    let e = entry(&np, "kubectl-patch").expect("kubectl-patch's entry");
    assert_eq!(e["operation"], json!("Update"));
    assert_eq!(e["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    let yaml = np_yaml(6);
    let (ok, _, err) = k
        .run_in(&["apply", "--server-side", "-f", "-"], Some(&yaml))
        .await;
    assert!(!ok);
    assert!(
        err.contains("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using hypershift.openshift.io/v1beta1: .spec.replicas"),
        "{err}"
    );
    // force is for apply patches only.
    let (code, _) = k
        .raw(
            "PATCH",
            &format!(
                "/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools/{NP}?force=true"
            ),
            "application/merge-patch+json",
            r#"{"spec":{"replicas":4}}"#,
        )
        .await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn fields_no_longer_applied_are_removed() {
    let k = Kube::start().await;
    // No `labels` key at all when there are none (an empty map applied is a field held).
    let cm = |labels: &str, data: &str| {
        let labels = if labels.is_empty() {
            String::new()
        } else {
            format!("  labels: {{{labels}}}\n")
        };
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prune\n  namespace: {NS}\n{labels}data: {{{data}}}\n"
        )
    };
    let run = |mgr: &'static str, body: String| {
        let k = &k;
        async move {
            let (ok, _, err) = k
                .run_in(
                    &["apply", "--server-side", "--field-manager", mgr, "-f", "-"],
                    Some(&body),
                )
                .await;
            assert!(ok, "{err}");
        }
    };
    run("a", cm("x: '1', y: '2'", "k1: v1, k2: v2")).await;
    run("b", cm("", "k2: v2")).await;
    // `a` stops applying label y and data k2: y goes, k2 stays (b holds it).
    run("a", cm("x: '1'", "k1: v1")).await;
    let obj = k.get("configmaps", Some(NS), "prune").expect("exists");
    assert_eq!(obj["metadata"]["labels"], json!({"x": "1"}));
    assert_eq!(obj["data"], json!({"k1": "v1", "k2": "v2"}));
    // `a` stops applying every label: the emptied map goes too.
    run("a", cm("", "k1: v1")).await;
    let obj = k.get("configmaps", Some(NS), "prune").expect("exists");
    assert!(obj["metadata"].get("labels").is_none(), "{obj}");
}

#[tokio::test]
async fn associative_lists_merge_by_key() {
    let k = Kube::start().await;
    let svc = |ports: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: keyed\n  namespace: {NS}\nspec:\n  ports:\n{ports}"
        )
    };
    let run = |mgr: &'static str, body: String| {
        let k = &k;
        async move {
            let (ok, _, err) = k
                .run_in(
                    &["apply", "--server-side", "--field-manager", mgr, "-f", "-"],
                    Some(&body),
                )
                .await;
            assert!(ok, "{err}");
        }
    };
    run(
        "one",
        svc("  - {name: http, port: 80}\n  - {name: admin, port: 9000}\n"),
    )
    .await;
    run("two", svc("  - {name: https, port: 443}\n")).await;
    let obj = k.get("services", Some(NS), "keyed").expect("created");
    let ports: Vec<i64> = obj["spec"]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .filter_map(|p| p["port"].as_i64())
        .collect();
    assert_eq!(ports, vec![80, 9000, 443]);
    let two = entry(&obj, "two").expect("two's entry");
    assert_eq!(
        two["fieldsV1"],
        json!({"f:spec": {"f:ports": {"k:{\"port\":443,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}}}}})
    );
    // `one` drops its admin port: that item goes, the others stay.
    run("one", svc("  - {name: http, port: 80}\n")).await;
    let obj = k.get("services", Some(NS), "keyed").expect("exists");
    let names: Vec<&str> = obj["spec"]["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, vec!["http", "https"]);
}

#[tokio::test]
async fn scaling_takes_the_replicas_through_the_scale_subresource() {
    let k = Kube::start().await;
    let yaml = np_yaml(3);
    let (ok, _, err) = k
        .run_in(
            &[
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager",
                "mgr",
                "-f",
                "-",
            ],
            Some(&yaml),
        )
        .await;
    assert!(ok, "{err}");
    k.ok(&["scale", "nodepool", NP, "-n", NS, "--replicas=4"])
        .await;
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    // kubectl scale names no field manager: the User-Agent's first word is the manager.
    let e = entry(&np, "kubectl").expect("kubectl's entry");
    assert_eq!(e["operation"], json!("Update"));
    assert_eq!(e["subresource"], json!("scale"));
    assert_eq!(e["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    // The applier lost the field: applying its old value again conflicts.
    let (ok, _, err) = k
        .run_in(
            &[
                "apply",
                "--server-side",
                "--field-manager",
                "mgr",
                "-f",
                "-",
            ],
            Some(&yaml),
        )
        .await;
    assert!(!ok);
    assert!(
        err.contains("conflict with \"kubectl\" with subresource \"scale\" using hypershift.openshift.io/v1beta1: .spec.replicas"),
        "{err}"
    );
}

#[tokio::test]
async fn status_is_applied_through_its_subresource() {
    let k = Kube::start().await;
    let body = |replicas: u32| {
        format!(
            "apiVersion: hypershift.openshift.io/v1beta1\nkind: NodePool\nmetadata:\n  name: {NP}\n  namespace: {NS}\nstatus:\n  replicas: {replicas}\n"
        )
    };
    let yaml = body(9);
    let (ok, _, err) = k
        .run_current_in(
            &[
                "apply",
                "--server-side",
                "--force-conflicts",
                "--subresource=status",
                "--field-manager",
                "ctrl",
                "-f",
                "-",
            ],
            Some(&yaml),
        )
        .await;
    assert!(ok, "{err}");
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    assert_eq!(np["status"]["replicas"], json!(9));
    let e = entry(&np, "ctrl").expect("ctrl's entry");
    assert_eq!(e["operation"], json!("Apply"));
    assert_eq!(e["subresource"], json!("status"));
    assert_eq!(e["fieldsV1"], json!({"f:status": {"f:replicas": {}}}));
    // Another applier of the same status field conflicts with the status manager.
    let (code, st) = k
        .raw(
            "PATCH",
            &format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools/{NP}/status?fieldManager=other"),
            "application/apply-patch+yaml",
            &body(1),
        )
        .await;
    assert_eq!(code, 409, "{st}");
    assert_eq!(
        st["message"],
        json!(
            "Apply failed with 1 conflict: conflict with \"ctrl\" with subresource \"status\": .status.replicas"
        )
    );
    // Status applied through the main resource is ignored there, and owned by nobody.
    let (code, _) = k
        .raw(
            "PATCH",
            &format!("/apis/hypershift.openshift.io/v1beta1/namespaces/{NS}/nodepools/{NP}?fieldManager=other"),
            "application/apply-patch+yaml",
            &body(1),
        )
        .await;
    assert_eq!(code, 200);
    let np = k
        .get("nodepools.hypershift.openshift.io", Some(NS), NP)
        .expect("np");
    assert_eq!(np["status"]["replicas"], json!(9));
    assert!(entry(&np, "other").is_none(), "{np}");
}
