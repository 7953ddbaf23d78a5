//! Authorization as a real OpenShift API server does it: the viewer (bound to `cluster-reader`)
//! reads every served kind but Secrets; a 403 names the object in the real message form;
//! SelfSubjectAccessReview answers for kinds the server does not serve as RBAC does (the
//! admin's `system:masters` allows everything, the viewer gets a bare "no");
//! SelfSubjectRulesReview serves `kubectl auth can-i --list` (kubectl v1.32 and v1.37).

use serde_json::{Value, json};

use crate::conformance::kubectl::Kube;
use crate::conformance::python;
use crate::sim_support::{self, NS, put};

fn with_secret() -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1", "namespace": "default"},
        "data": {"k": "dg=="}})
}

#[tokio::test]
async fn the_viewer_reads_no_secrets_and_a_403_names_the_object() {
    let k = Kube::start().await;
    put(&k.sim, "secrets", with_secret());
    let refused = [
        (
            vec!["get", "secrets", "-n", "default"],
            "secrets is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"",
        ),
        (
            vec!["get", "secret", "s1", "-n", "default"],
            "secrets \"s1\" is forbidden: User \"viewer\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"",
        ),
        (
            vec!["delete", "node", "worker-0"],
            "nodes \"worker-0\" is forbidden: User \"viewer\" cannot delete resource \"nodes\" in API group \"\" at the cluster scope",
        ),
        (
            vec!["scale", "nodepool/np-fixed", "-n", NS, "--replicas=3"],
            "nodepools.hypershift.openshift.io \"np-fixed\" is forbidden: User \"viewer\" cannot patch resource \"nodepools/scale\" in API group \"hypershift.openshift.io\" in the namespace \"clusters\"",
        ),
        // A list narrowed to one name by field selector names it too (the request info does).
        (
            vec![
                "get",
                "secrets",
                "-n",
                "default",
                "--field-selector",
                "metadata.name=s1",
            ],
            "secrets \"s1\" is forbidden: User \"viewer\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"",
        ),
    ];
    for (args, message) in refused {
        let (ok, out, err) = k.run_as_viewer(&args).await;
        assert!(!ok, "{args:?}: {out}");
        assert_eq!(
            err.trim(),
            format!("Error from server (Forbidden): {message}"),
            "{args:?}"
        );
    }
    let (ok, out, err) = k.run_as_viewer(&["get", "nodes", "-o", "name"]).await;
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 6, "{out}");
    let (ok, out, _) = k.run_as_viewer(&["auth", "can-i", "get", "secrets"]).await;
    assert!(!ok);
    assert_eq!(out.trim(), "no");
    // The admin reads them.
    k.ok(&["get", "secret", "s1", "-n", "default"]).await;
}

#[tokio::test]
async fn the_python_client_sees_the_viewers_403_and_rules() {
    let k = Kube::start().await;
    put(&k.sim, "secrets", with_secret());
    let seen = python::run_script("auth.py", &k.viewer_kubeconfig()).await;
    let secret = &seen["secret"];
    assert_eq!(secret["code"], json!(403), "{secret}");
    assert_eq!(secret["status"]["reason"], json!("Forbidden"));
    assert_eq!(
        secret["status"]["details"],
        json!({"name": "s1", "kind": "secrets"}),
        "{secret}"
    );
    assert_eq!(seen["secrets"]["code"], json!(403));
    assert_eq!(seen["nodes"].as_array().map(Vec::len), Some(6), "{seen}");
    assert_eq!(seen["ssar_allowed"], json!(false));
    assert_eq!(
        seen["ssar_reason"],
        Value::Null,
        "a denial says nothing: {seen}"
    );
    assert_eq!(seen["ssar_denied"], Value::Null, "{seen}");
    let readable: Vec<&str> = seen["readable"]
        .as_array()
        .expect("readable")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for kind in ["nodes", "pods/log", "nodepools.hypershift.openshift.io"] {
        assert!(readable.contains(&kind), "{kind} missing: {readable:?}");
    }
    assert!(
        !readable.iter().any(|r| r.starts_with("secrets")),
        "{readable:?}"
    );
    assert_eq!(seen["incomplete"], json!(false));
}

/// A raw SelfSubjectAccessReview with `token`; its status.
async fn review(k: &Kube, token: &str, attrs: Value) -> Value {
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": attrs});
    let auth = format!("Bearer {token}");
    let (code, v) = sim_support::raw(
        k.sim.addr,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(code, 201, "{v}");
    v["status"].clone()
}

#[tokio::test]
async fn access_reviews_answer_for_kinds_not_served_as_rbac_does() {
    use shiftdeck_sim::{ADMIN_TOKEN, VIEWER_TOKEN};
    let k = Kube::start().await;
    let widgets = json!({"resourceAttributes": {"verb": "get", "group": "example.com",
        "resource": "widgets", "namespace": "default"}});
    // system:masters: the SystemMasters authorizer allows before RBAC, with no reason.
    assert_eq!(
        review(&k, ADMIN_TOKEN, widgets.clone()).await,
        json!({"allowed": true})
    );
    assert_eq!(
        review(&k, VIEWER_TOKEN, widgets).await,
        json!({"allowed": false})
    );
    let nodes = json!({"resourceAttributes": {"verb": "list", "resource": "nodes"}});
    assert_eq!(
        review(&k, VIEWER_TOKEN, nodes).await,
        json!({"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding \"viewer\" of ClusterRole \"cluster-reader\" to User \"viewer\""})
    );
    let metrics = json!({"nonResourceAttributes": {"verb": "get", "path": "/metrics"}});
    assert_eq!(
        review(&k, VIEWER_TOKEN, metrics).await,
        json!({"allowed": false})
    );
    let healthz = json!({"nonResourceAttributes": {"verb": "get", "path": "/healthz"}});
    assert_eq!(
        review(&k, VIEWER_TOKEN, healthz).await["allowed"],
        json!(true)
    );
    // kubectl warns that the kind is not served, then prints the answer.
    let (ok, out, err) = k
        .run(&["auth", "can-i", "get", "widgets.example.com"])
        .await;
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "yes");
    assert!(
        err.contains("the server doesn't have a resource type 'widgets' in group 'example.com'"),
        "{err}"
    );
    let (ok, out, _) = k
        .run_as_viewer(&["auth", "can-i", "get", "widgets.example.com"])
        .await;
    assert!(!ok);
    assert_eq!(out.trim(), "no");
}

/// `(resources, verbs)` of each row of `kubectl auth can-i --list`.
fn can_i_rows(out: &str) -> Vec<(String, String)> {
    out.lines()
        .skip(1)
        .filter_map(|l| {
            let resource = l.split_whitespace().next()?.to_string();
            let verbs = l.rsplit_once('[').map(|(_, v)| v.trim_end_matches(']'))?;
            Some((resource, verbs.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn can_i_list_is_served_to_both_kubectls() {
    let k = Kube::start().await;
    let viewer = k.viewer_kubeconfig();
    let pypi_admin = python::kubectl_run(&k, &k.kubeconfig, &["auth", "can-i", "--list"]).await;
    let pypi_viewer =
        python::kubectl_run(&k, &viewer, &["auth", "can-i", "--list", "-n", NS]).await;
    let admin = k.run(&["auth", "can-i", "--list"]).await;
    let view = k
        .run_as_viewer(&["auth", "can-i", "--list", "-n", NS])
        .await;
    for (who, (ok, out, err)) in [
        ("kubectl admin", &admin),
        ("PyPI kubectl admin", &pypi_admin),
    ] {
        assert!(ok, "{who}: {err}");
        let rows = can_i_rows(out);
        assert!(
            rows.contains(&("*.*".to_string(), "*".to_string())),
            "{who}: {out}"
        );
        assert!(out.contains("[*]"), "{who}: {out}");
    }
    for (who, (ok, out, err)) in [
        ("kubectl viewer", &view),
        ("PyPI kubectl viewer", &pypi_viewer),
    ] {
        assert!(ok, "{who}: {err}");
        let rows = can_i_rows(out);
        let verbs_of = |r: &str| rows.iter().find(|(n, _)| n == r).map(|(_, v)| v.as_str());
        assert_eq!(verbs_of("nodes"), Some("get list watch"), "{who}: {out}");
        assert_eq!(
            verbs_of("nodepools.hypershift.openshift.io"),
            Some("get list watch"),
            "{who}: {out}"
        );
        assert_eq!(
            verbs_of("selfsubjectrulesreviews.authorization.k8s.io"),
            Some("create"),
            "{who}: {out}"
        );
        assert!(
            !rows.iter().any(|(n, _)| n.starts_with("secrets")),
            "{who}: {out}"
        );
        assert!(out.contains("[/healthz]"), "{who}: {out}");
    }
}
