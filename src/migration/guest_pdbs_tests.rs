use serde_json::{Value, json};

use super::*;
use crate::migration::readiness::tests::vmi;

fn pod(ns: &str, name: &str, node: &str, labels: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"nodeName": node}, "status": {"phase": "Running"}})
}

fn pdb(ns: &str, name: &str, selector: Option<Value>, allowed: Option<i64>) -> Value {
    let mut p = json!({"metadata": {"name": name, "namespace": ns}, "spec": {"minAvailable": 1}});
    if let Some(s) = selector {
        p["spec"]["selector"] = s;
    }
    if let Some(a) = allowed {
        p["status"] = json!({"disruptionsAllowed": a});
    }
    p
}

fn drained() -> Vec<String> {
    vec!["user-np-a".into(), "user-np-b".into()]
}

fn verdicts(l: &[PdbCheck]) -> Vec<(String, PdbVerdict, usize)> {
    l.iter()
        .map(|c| (c.key(), c.verdict, c.on_drained))
        .collect()
}

#[test]
fn blocks_may_slow_and_fine() {
    let pods = vec![
        pod(
            "shop",
            "checkout-1",
            "user-np-a",
            json!({"app": "checkout"}),
        ),
        pod(
            "shop",
            "checkout-2",
            "user-np-c",
            json!({"app": "checkout"}),
        ),
        pod("shop", "cart-1", "user-np-a", json!({"app": "cart"})),
        pod("shop", "cart-2", "user-np-b", json!({"app": "cart"})),
        pod("shop", "cart-3", "user-np-b", json!({"app": "cart"})),
        pod("web", "front-1", "user-np-a", json!({"app": "front"})),
        // Same labels, other namespace: not selected by shop's PDBs.
        pod(
            "other",
            "checkout-x",
            "user-np-a",
            json!({"app": "checkout"}),
        ),
    ];
    let pdbs = vec![
        pdb(
            "shop",
            "checkout",
            Some(json!({"matchLabels": {"app": "checkout"}})),
            Some(0),
        ),
        pdb(
            "shop",
            "cart",
            Some(json!({"matchLabels": {"app": "cart"}})),
            Some(1),
        ),
        pdb(
            "web",
            "front",
            Some(json!({"matchLabels": {"app": "front"}})),
            Some(1),
        ),
        // Selects pods that are not on drained nodes only.
        pdb(
            "web",
            "idle",
            Some(json!({"matchLabels": {"app": "none"}})),
            Some(0),
        ),
    ];
    let l = check_pdbs(&pdbs, &pods, &drained());
    assert_eq!(
        verdicts(&l),
        [
            ("shop/checkout".to_string(), PdbVerdict::Blocks, 1),
            ("shop/cart".to_string(), PdbVerdict::MaySlow, 3),
            ("web/front".to_string(), PdbVerdict::Fine, 1),
            ("web/idle".to_string(), PdbVerdict::Fine, 0),
        ]
    );
    assert_eq!(
        l[0].describe(),
        "shop/checkout (0 disruption(s) allowed, 1 pod(s) on drained nodes)"
    );
    assert_eq!(l[0].to_json()["verdict"], "blocks");
    assert_eq!(l[0].to_json()["disruptionsAllowed"], 0);
}

#[test]
fn empty_selector_selects_the_namespace_missing_selects_none() {
    let pods = vec![
        pod("shop", "a", "user-np-a", json!({"app": "x"})),
        pod("shop", "b", "user-np-b", Value::Null),
        pod("web", "c", "user-np-a", json!({})),
    ];
    let all = vec![pdb("shop", "all", Some(json!({})), Some(0))];
    let l = check_pdbs(&all, &pods, &drained());
    assert_eq!(verdicts(&l), [("shop/all".into(), PdbVerdict::Blocks, 2)]);
    let none = vec![
        pdb("shop", "missing", None, Some(0)),
        pdb("shop", "null", Some(Value::Null), Some(0)),
    ];
    let l = check_pdbs(&none, &pods, &drained());
    assert!(
        l.iter()
            .all(|c| c.on_drained == 0 && c.verdict == PdbVerdict::Fine)
    );
}

#[test]
fn match_expressions_operators() {
    let pods = vec![
        pod("ns", "p1", "user-np-a", json!({"tier": "db", "zone": "a"})),
        pod("ns", "p2", "user-np-a", json!({"tier": "web"})),
        pod(
            "ns",
            "p3",
            "user-np-b",
            json!({"tier": "cache", "canary": "1"}),
        ),
        pod("ns", "p4", "user-np-b", json!({})),
    ];
    let sel = |exprs: Value| Some(json!({"matchExpressions": exprs}));
    let count = |exprs: Value| {
        let l = check_pdbs(&[pdb("ns", "p", sel(exprs), Some(9))], &pods, &drained());
        l[0].on_drained
    };
    assert_eq!(
        count(json!([{"key": "tier", "operator": "In", "values": ["db", "web"]}])),
        2
    );
    // NotIn also selects pods without the label.
    assert_eq!(
        count(json!([{"key": "tier", "operator": "NotIn", "values": ["db"]}])),
        3
    );
    assert_eq!(count(json!([{"key": "zone", "operator": "Exists"}])), 1);
    assert_eq!(
        count(json!([{"key": "canary", "operator": "DoesNotExist"}])),
        3
    );
    // Requirements are ANDed, with matchLabels too.
    let l = check_pdbs(
        &[pdb(
            "ns",
            "p",
            Some(json!({"matchLabels": {"tier": "db"},
                        "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]})),
            Some(1),
        )],
        &pods,
        &drained(),
    );
    assert_eq!(l[0].on_drained, 1);
}

#[test]
fn invalid_selectors_are_ignored_like_the_eviction_api_does() {
    let pods = vec![pod("ns", "p1", "user-np-a", json!({"app": "x"}))];
    for bad in [
        json!("app=x"),
        json!({"matchLabels": ["app", "x"]}),
        json!({"matchLabels": {"app": 1}}),
        json!({"matchExpressions": {"key": "app"}}),
        json!({"matchExpressions": [{"key": "app", "operator": "Like", "values": ["x"]}]}),
        json!({"matchExpressions": [{"key": "app", "operator": "In"}]}),
        json!({"matchExpressions": [{"key": "app", "operator": "In", "values": "x"}]}),
        json!({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}),
        json!({"matchExpressions": [{"operator": "Exists"}]}),
        json!({"matchExpressions": [null]}),
    ] {
        let l = check_pdbs(
            &[pdb("ns", "p", Some(bad.clone()), Some(0))],
            &pods,
            &drained(),
        );
        assert_eq!(l.len(), 1, "{bad}");
        assert_eq!(l[0].verdict, PdbVerdict::Fine, "{bad}");
        assert_eq!(l[0].on_drained, 0, "{bad}");
        assert!(
            l[0].note
                .as_deref()
                .is_some_and(|n| n.starts_with("invalid selector")),
            "{bad}: {:?}",
            l[0].note
        );
    }
}

#[test]
fn malformed_objects_do_not_panic() {
    let junk = vec![
        Value::Null,
        json!(42),
        json!("pdb"),
        json!({"metadata": "x"}),
        json!({"metadata": {"name": ""}}),
        json!({"metadata": {"name": 7, "namespace": ["a"]}}),
    ];
    assert!(check_pdbs(&junk, &junk, &drained()).is_empty());
    // A PDB without namespace or status, pods without nodes or labels.
    let pdbs = vec![json!({"metadata": {"name": "p"}, "spec": {"selector": {}},
                           "status": {"disruptionsAllowed": "many"}})];
    let pods = vec![
        json!({"metadata": {"name": "a"}, "spec": {"nodeName": "user-np-a"}}),
        json!({"metadata": {"name": "b"}, "spec": {}}),
        json!({"metadata": {"name": "c"}, "spec": {"nodeName": 3}}),
    ];
    let l = check_pdbs(&pdbs, &pods, &drained());
    assert_eq!(l[0].on_drained, 1);
    assert_eq!(l[0].disruptions_allowed, None);
    assert_eq!(l[0].verdict, PdbVerdict::Blocks);
    assert_eq!(
        l[0].note.as_deref(),
        Some("status not computed yet: evictions are refused")
    );
    assert!(l[0].describe().contains("status not computed"));
    // Negative counts are no allowance.
    let neg = vec![pdb("", "n", Some(json!({})), Some(-3))];
    assert_eq!(
        check_pdbs(&neg, &pods, &drained())[0].verdict,
        PdbVerdict::Blocks
    );
}

#[test]
fn terminal_pending_and_deleting_pods_ignore_pdbs() {
    let mut done = pod("ns", "done", "user-np-a", json!({}));
    done["status"]["phase"] = json!("Succeeded");
    let mut failed = pod("ns", "failed", "user-np-a", json!({}));
    failed["status"]["phase"] = json!("Failed");
    let mut pending = pod("ns", "pending", "user-np-a", json!({}));
    pending["status"]["phase"] = json!("Pending");
    let mut going = pod("ns", "going", "user-np-a", json!({}));
    going["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    let pods = vec![done, failed, pending, going];
    let l = check_pdbs(
        &[pdb("ns", "p", Some(json!({})), Some(0))],
        &pods,
        &drained(),
    );
    assert_eq!(l[0].on_drained, 0);
    assert_eq!(l[0].verdict, PdbVerdict::Fine);
}

#[test]
fn a_pod_selected_by_two_pdbs_blocks() {
    let pods = vec![pod("ns", "p1", "user-np-a", json!({"app": "x"}))];
    let pdbs = vec![
        pdb(
            "ns",
            "one",
            Some(json!({"matchLabels": {"app": "x"}})),
            Some(5),
        ),
        pdb("ns", "two", Some(json!({})), Some(5)),
    ];
    let l = check_pdbs(&pdbs, &pods, &drained());
    assert!(l.iter().all(|c| c.verdict == PdbVerdict::Blocks), "{l:?}");
    assert_eq!(
        l[0].note.as_deref(),
        Some("p1 selected by more than one PDB: evictions are refused")
    );
}

fn hc(name: &str, kubeconfig: bool) -> Value {
    let mut h = json!({"metadata": {"name": name, "namespace": "clusters"},
                       "spec": {"infraID": format!("{name}-x1b2c")}});
    if kubeconfig {
        h["status"] = json!({"kubeconfig": {"name": format!("{name}-admin-kubeconfig")}});
    }
    h
}

#[test]
fn targets_per_hosted_cluster_with_drained_nodes() {
    let vmis = vec![
        vmi("user-np-b", "user-np", "infra-1", false),
        vmi("user-np-a", "user-np", "infra-1", false),
        vmi("user-np-c", "user-np", "infra-1", true),
        vmi("user-np-d", "user-np", "infra-2", false),
    ];
    let rep = MaintenanceReport::new("infra-1", &vmis, &[hc("user", true)]);
    let t = targets(&rep, &[hc("user", true)]);
    assert_eq!(
        t,
        [GuestTarget {
            cluster: "clusters/user".into(),
            guest: Ok(GuestRef {
                namespace: "clusters".into(),
                name: "user".into(),
                secret: "user-admin-kubeconfig".into(),
            }),
            nodes: vec!["user-np-a".into(), "user-np-b".into()],
        }]
    );
    let t = targets(&rep, &[hc("user", false)]);
    assert_eq!(
        t[0].guest,
        Err("clusters/user has not published an admin kubeconfig (status.kubeconfig)".into())
    );
    let t = targets(&rep, &[]);
    assert_eq!(t[0].cluster, "user");
    assert!(t[0].guest.is_err());
    // Nothing drained: nothing to check.
    let safe = MaintenanceReport::new("infra-1", &vmis[2..3], &[]);
    assert!(targets(&safe, &[]).is_empty());
}

#[test]
fn report_lines_and_json() {
    let pods = vec![pod(
        "shop",
        "checkout-1",
        "user-np-a",
        json!({"app": "checkout"}),
    )];
    let pdbs = vec![
        pdb(
            "shop",
            "checkout",
            Some(json!({"matchLabels": {"app": "checkout"}})),
            Some(0),
        ),
        pdb(
            "openshift-ingress",
            "router-default",
            Some(json!({"matchLabels": {"r": "d"}})),
            Some(1),
        ),
    ];
    let nodes = vec!["user-np-a".to_string()];
    let checked = GuestPdbReport {
        cluster: "clusters/user".into(),
        nodes: nodes.clone(),
        result: GuestPdbs::Checked(check_pdbs(&pdbs, &pods, &nodes)),
    };
    assert_eq!(
        checked.line(),
        "clusters/user (user-np-a): blocks: shop/checkout (0 disruption(s) allowed, 1 pod(s) on drained nodes); 1 fine"
    );
    assert!(any_blocks(std::slice::from_ref(&checked)));
    let j = checked.to_json();
    assert_eq!(j["status"], "checked");
    assert_eq!(j["pdbs"][0]["name"], "checkout");
    assert_eq!(j["drainedNodes"][0], "user-np-a");
    let down = GuestPdbReport {
        cluster: "clusters/user".into(),
        nodes: nodes.clone(),
        result: GuestPdbs::Unreachable("connection refused".into()),
    };
    assert_eq!(
        down.line(),
        "clusters/user (user-np-a): not checked, guest unreachable: connection refused"
    );
    assert_eq!(down.to_json()["status"], "unreachable");
    assert_eq!(down.to_json()["reason"], "connection refused");
    assert!(!any_blocks(&[down]));
    let none = GuestPdbReport {
        cluster: "clusters/user".into(),
        nodes,
        result: GuestPdbs::Checked(Vec::new()),
    };
    assert_eq!(none.line(), "clusters/user (user-np-a): no PDBs");
}
