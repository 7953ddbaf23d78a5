use serde_json::{Value, json};

use super::*;

fn pool(replicas: Option<i64>, auto: Option<(i64, i64)>) -> Value {
    let mut p = json!({"metadata": {"name": "example", "namespace": "clusters"},
                       "spec": {"clusterName": "example", "platform": {"type": "KubeVirt"}}});
    if let Some(r) = replicas {
        p["spec"]["replicas"] = json!(r);
    }
    if let Some((min, max)) = auto {
        p["spec"]["autoScaling"] = json!({"min": min, "max": max});
    }
    p
}

fn machine(name: &str, created: &str, node: Option<&str>) -> Value {
    let mut m = json!({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine",
        "metadata": {"name": name, "namespace": "clusters-example", "creationTimestamp": created,
                     "annotations": {"hypershift.openshift.io/nodePool": "clusters/example"}},
        "status": {"phase": "Running"}});
    if let Some(n) = node {
        m["status"]["nodeRef"] = json!({"name": n});
    }
    m
}

#[test]
fn typed_numbers_and_steps() {
    assert_eq!(parse_replicas("5", 2), Ok(5));
    assert_eq!(parse_replicas(" 0 ", 2), Ok(0));
    assert_eq!(parse_replicas("+", 2), Ok(3));
    assert_eq!(parse_replicas("-", 2), Ok(1));
    assert_eq!(parse_replicas("+3", 2), Ok(5));
    assert_eq!(parse_replicas("-2", 2), Ok(0));
    assert_eq!(parse_replicas("500", 0), Ok(500));
}

#[test]
fn refusals_carry_messages() {
    assert_eq!(parse_replicas("", 2), Err(ScaleError::Empty));
    assert_eq!(
        parse_replicas("five", 2),
        Err(ScaleError::NotANumber("five".into()))
    );
    assert_eq!(
        parse_replicas("3.5", 2),
        Err(ScaleError::NotANumber("3.5".into()))
    );
    assert_eq!(
        parse_replicas("+-1", 2),
        Err(ScaleError::NotANumber("+-1".into()))
    );
    assert_eq!(parse_replicas("-", 0), Err(ScaleError::Negative(-1)));
    assert_eq!(parse_replicas("-3", 2), Err(ScaleError::Negative(-1)));
    assert_eq!(parse_replicas("501", 2), Err(ScaleError::TooMany(501)));
    assert_eq!(parse_replicas("+499", 2), Err(ScaleError::TooMany(501)));
    assert_eq!(
        parse_replicas("99999999999999999999999", 2),
        Err(ScaleError::TooMany(i64::MAX))
    );
    assert_eq!(
        parse_replicas("-3", 2).unwrap_err().to_string(),
        "cannot scale to -1: the number of nodes cannot be negative"
    );
    assert_eq!(
        parse_replicas("x", 2).unwrap_err().to_string(),
        "\"x\" is not a number: type a number of nodes, or +N / -N"
    );
}

#[test]
fn autoscaling_pool_is_refused_with_range() {
    let e = plan_scale(&pool(None, Some((1, 3))), "5", &[]).unwrap_err();
    assert_eq!(e, ScaleError::Autoscaling { min: 1, max: 3 });
    assert!(e.to_string().contains("edit the autoscaling min/max"));
}

#[test]
fn autoscaling_edit_validation() {
    assert_eq!(validate_autoscaling("KubeVirt", 1, 3), Ok(()));
    assert_eq!(
        validate_autoscaling("KubeVirt", 0, 3),
        Err(ScaleError::MinTooLow {
            min: 0,
            floor: 1,
            platform: "KubeVirt".into()
        })
    );
    assert_eq!(validate_autoscaling("AWS", 0, 3), Ok(()));
    assert_eq!(
        validate_autoscaling("KubeVirt", 4, 3),
        Err(ScaleError::MinAboveMax { min: 4, max: 3 })
    );
    assert_eq!(
        validate_autoscaling("AWS", 0, 0),
        Err(ScaleError::MaxTooLow(0))
    );
    assert_eq!(
        validate_autoscaling("KubeVirt", 1, 501),
        Err(ScaleError::TooMany(501))
    );
    assert_eq!(validate_autoscaling("KubeVirt", 2, 2), Ok(()));
    assert_eq!(
        autoscaling_patch(1, 3),
        json!({"spec": {"replicas": null, "autoScaling": {"min": 1, "max": 3}}})
    );
}

#[test]
fn scale_up_has_body_and_no_victims() {
    let plan = plan_scale(&pool(Some(2), None), "+3", &[]).unwrap();
    assert_eq!((plan.from, plan.to), (2, 5));
    assert_eq!(plan.body, json!({"spec": {"replicas": 5}}));
    assert!(plan.likely_removed.is_empty());
    // A pool without spec.replicas is treated as 0.
    assert_eq!(plan_scale(&pool(None, None), "+", &[]).unwrap().to, 1);
}

#[test]
fn scale_down_names_newest_machines_first() {
    let mut marked = machine("example-old", "2026-01-01T00:00:00Z", Some("example-old"));
    marked["metadata"]["annotations"]["cluster.x-k8s.io/delete-machine"] = json!("yes");
    let mut foreign = machine("other-new", "2026-03-01T00:00:00Z", Some("other-new"));
    foreign["metadata"]["annotations"]["hypershift.openshift.io/nodePool"] =
        json!("clusters/other");
    let ms = vec![
        machine("example-a", "2026-01-02T00:00:00Z", Some("example-a")),
        machine("example-b", "2026-01-05T00:00:00Z", Some("example-b")),
        machine("example-c", "2026-01-04T00:00:00Z", None),
        marked,
        foreign,
    ];
    let plan = plan_scale(&pool(Some(4), None), "1", &ms).unwrap();
    assert_eq!(
        plan.likely_removed,
        ["example-old", "example-c", "example-b"]
    );
    let plan = plan_scale(&pool(Some(4), None), "-", &ms).unwrap();
    assert_eq!(plan.likely_removed, ["example-old"]);
}

fn ms_machine(name: &str, created: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "openshift-machine-api", "creationTimestamp": created,
                        "labels": {"machine.openshift.io/cluster-api-machineset": "win"}},
           "status": {"phase": "Running", "nodeRef": {"name": format!("node-{name}")}}})
}

fn machineset(replicas: i64, policy: Option<&str>, windows: bool) -> Value {
    let mut m = json!({"metadata": {"name": "win", "namespace": "openshift-machine-api", "annotations": {}},
                       "spec": {"replicas": replicas, "template": {"metadata": {"labels": {}}}}});
    if let Some(p) = policy {
        m["spec"]["deletePolicy"] = json!(p);
    }
    if windows {
        m["spec"]["template"]["metadata"]["labels"]["machine.openshift.io/os-id"] =
            json!("Windows");
    }
    m
}

#[test]
fn machineset_scale_follows_delete_policy() {
    let ms = [
        ms_machine("win-a", "2026-01-01T00:00:00Z"),
        ms_machine("win-b", "2026-01-03T00:00:00Z"),
        ms_machine("win-c", "2026-01-02T00:00:00Z"),
    ];
    let p = plan_machineset_scale(&machineset(3, Some("Oldest"), false), "1", &ms).unwrap();
    assert_eq!(p.likely_removed, ["node-win-a", "node-win-c"]);
    assert_eq!(
        p.note.as_deref(),
        Some("nodes are drained (pods evicted) before their machines are deleted")
    );
    let p = plan_machineset_scale(&machineset(3, Some("Newest"), false), "-", &ms).unwrap();
    assert_eq!(p.likely_removed, ["node-win-b"]);
    let p = plan_machineset_scale(&machineset(3, None, true), "-1", &ms).unwrap();
    assert_eq!(p.likely_removed, ["node-win-b"]);
    assert_eq!(
        p.note.as_deref(),
        Some(
            "deletePolicy Random: any machine may be removed; newest shown; Windows nodes are drained (pods evicted) before their machines are deleted"
        )
    );
    assert_eq!(p.body, json!({"spec": {"replicas": 2}}));
    let up = plan_machineset_scale(&machineset(3, None, true), "+2", &ms).unwrap();
    assert!(up.likely_removed.is_empty() && up.note.is_none());
}

#[test]
fn machineset_with_machine_autoscaler_is_refused() {
    let mut m = machineset(2, None, false);
    m["metadata"]["annotations"][MS_AUTOSCALER_MIN] = json!("1");
    m["metadata"]["annotations"][MS_AUTOSCALER_MAX] = json!("6");
    assert_eq!(
        plan_machineset_scale(&m, "4", &[]),
        Err(ScaleError::Autoscaling { min: 1, max: 6 })
    );
    assert_eq!(
        plan_machineset_scale(&machineset(2, None, false), "abc", &[]),
        Err(ScaleError::NotANumber("abc".into()))
    );
}

#[test]
fn machine_api_delete_annotation_counts() {
    let mut marked = ms_machine("win-a", "2026-01-01T00:00:00Z");
    marked["metadata"]["annotations"] = json!({"machine.openshift.io/delete-machine": "true"});
    let ms = [marked, ms_machine("win-b", "2026-01-03T00:00:00Z")];
    let p = plan_machineset_scale(&machineset(2, Some("Newest"), false), "1", &ms).unwrap();
    assert_eq!(p.likely_removed, ["node-win-a"]);
    let refs: Vec<&Value> = ms.iter().collect();
    assert_eq!(name(scale_down_order(&refs)[0]), "win-a");
}
