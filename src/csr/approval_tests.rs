use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use serde_json::{Value, json};

use super::*;
use crate::csr::checks::{Inputs, validate};
use crate::csr::testutil::*;

fn worker(name: &str, ip: &str) -> Node {
    node(
        name,
        &[("InternalIP", ip), ("Hostname", name)],
        Some((true, t0())),
        t0(),
    )
}

fn validate_all(
    csrs: &[CertificateSigningRequest],
    nodes: &BTreeMap<String, Node>,
    machines: Option<&[Value]>,
) -> Vec<Validation> {
    let inputs = Inputs {
        nodes,
        machines,
        now: at(600),
    };
    csrs.iter().map(|c| validate(c, &inputs)).collect()
}

#[test]
fn bulk_orders_client_first_and_skips_invalid() {
    let nodes: BTreeMap<String, Node> = [("w1".to_string(), worker("w1", "10.0.0.1"))].into();
    let mut bad = client_csr("bad-client", "w9", at(10));
    bad.spec.groups = Some(vec![]);
    let csrs = vec![
        serving_csr("srv-w1", "w1", &["10.0.0.1"], at(5)),
        client_csr("client-new", "w3", at(20)),
        bad,
        client_csr("client-old", "w2", at(1)),
        issued(with_condition(
            client_csr("done", "w4", at(0)),
            "Approved",
            at(1),
        )),
        serving_csr("srv-unknown", "w7", &["10.0.0.7"], at(2)),
    ];
    let vs = validate_all(&csrs, &nodes, None);
    let b = bulk_approvable(csrs.iter().zip(&vs));
    let names: Vec<_> = b.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["client-old", "client-new", "srv-w1"]);
    assert_eq!((b.clients, b.serving), (2, 1));
    assert_eq!(
        b.per_node,
        BTreeMap::from([
            ("w1".to_string(), 1),
            ("w2".to_string(), 1),
            ("w3".to_string(), 1)
        ])
    );
    assert_eq!(b.skipped, ["bad-client", "srv-unknown"]);
}

#[test]
fn override_rules() {
    let nodes = BTreeMap::new();
    let mut bad = client_csr("bad", "w1", t0());
    bad.spec.username = Some("mallory".into());
    let mut junk = client_csr("junk", "w1", t0());
    junk.spec.request.0 = b"junk".to_vec();
    let csrs = [client_csr("ok", "w1", t0()), bad, junk];
    let vs = validate_all(&csrs, &nodes, None);
    assert!(!needs_override(&vs[0]));
    assert!(needs_override(&vs[1]));
    assert!(override_allowed(&vs[1]));
    assert!(needs_override(&vs[2]));
    assert!(!override_allowed(&vs[2]));

    // A valid new-node client CSR without the Machine API: identity confirmation, no override.
    assert!(needs_identity_confirmation(&vs[0]));
    assert!(!needs_identity_confirmation(&vs[1]));
    let machines = [machine("m1", &[("InternalDNS", "w1")], None, t0())];
    let with_machine = validate_all(&csrs[..1], &nodes, Some(&machines));
    assert!(!needs_identity_confirmation(&with_machine[0]));

    assert!(override_matches("w1", Some("w1")));
    assert!(override_matches("  approve \n", Some("w1")));
    assert!(override_matches("approve", None));
    assert!(!override_matches("w2", Some("w1")));
    assert!(!override_matches("", Some("")));
    assert!(!override_matches("Approve", None));
}

#[test]
fn approval_condition_shape() {
    let c = approval_condition(Decision::Approve, "alice", None, at(1));
    assert_eq!(
        c,
        json!({
            "type": "Approved",
            "status": "True",
            "reason": "ShiftdeckApprove",
            "message": "approved by alice via shiftdeck",
            "lastUpdateTime": "2026-11-24T12:00:01Z",
        })
    );
    let nodes = BTreeMap::new();
    let mut bad = client_csr("bad", "w1", t0());
    bad.spec.username = Some("mallory".into());
    bad.spec.usages = Some(vec!["server auth".into()]);
    let vs = validate_all(std::slice::from_ref(&bad), &nodes, None);
    let c = approval_condition(Decision::Approve, "alice", Some(&vs[0]), at(1));
    assert_eq!(
        c["message"],
        "approved by alice via shiftdeck (override: failed checks: requestor, usages)"
    );
    let d = approval_condition(Decision::Deny, "bob", None, t0());
    assert_eq!(d["type"], "Denied");
    assert_eq!(d["reason"], "ShiftdeckDeny");
    assert_eq!(d["message"], "denied by bob via shiftdeck");
    // Sub-second precision is dropped.
    let t: k8s_openapi::jiff::Timestamp = "2026-11-24T12:00:01.75Z".parse().unwrap();
    assert_eq!(rfc3339_seconds(t), "2026-11-24T12:00:01Z");
}

#[test]
fn approval_patch_keeps_existing_conditions() {
    let c = client_csr("a", "w1", t0());
    let cond = approval_condition(Decision::Approve, "alice", None, t0());
    let p = approval_patch(&c, cond.clone());
    assert_eq!(p, json!({"status": {"conditions": [cond.clone()]}}));
    let failed = with_condition(c, "Failed", t0());
    let p = approval_patch(&failed, cond);
    let conds = p["status"]["conditions"].as_array().unwrap();
    assert_eq!(conds.len(), 2);
    assert_eq!(conds[0]["type"], "Failed");
    assert_eq!(conds[1]["type"], "Approved");
}

#[test]
fn auto_approve_policy() {
    let nodes: BTreeMap<String, Node> = [("w1".to_string(), worker("w1", "10.0.0.1"))].into();
    let machines = [
        machine("m2", &[("InternalDNS", "w2")], None, t0()),
        machine("m1", &[("InternalDNS", "w1")], Some("w1"), t0()),
    ];
    let mut bad = serving_csr("srv-bad", "w1", &["10.9.9.9"], at(3));
    bad.spec.groups = Some(vec!["system:nodes".into(), "system:authenticated".into()]);
    let csrs = vec![
        serving_csr("srv-w1", "w1", &["10.0.0.1"], at(1)),
        client_csr("client-w2", "w2", at(2)),
        bad,
    ];
    // With the Machine API the client CSR's node is vouched for by Machine m2.
    let vs = validate_all(&csrs, &nodes, Some(&machines));
    let d = auto_approve(csrs.iter().zip(&vs), AutoApprovePolicy::default());
    let names: Vec<_> = d.approve.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["client-w2", "srv-w1"]);
    assert_eq!(d.held.len(), 1);
    assert_eq!(d.held[0].0, "srv-bad");
    assert!(d.held[0].1.contains("sans-match"), "{:?}", d.held);

    // Without the Machine API a new node's client CSR waits for a human.
    let vs = validate_all(&csrs, &nodes, None);
    let d = auto_approve(csrs.iter().zip(&vs), AutoApprovePolicy::default());
    let names: Vec<_> = d.approve.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["srv-w1"]);
    assert!(
        d.held
            .iter()
            .any(|(n, why)| n == "client-w2" && why.contains("identity"))
    );

    // Too many at once: approve none.
    let vs = validate_all(&csrs, &nodes, Some(&machines));
    let d = auto_approve(csrs.iter().zip(&vs), AutoApprovePolicy { max_batch: 1 });
    assert!(d.approve.is_empty());
    assert_eq!(d.held.len(), 3);
}

#[test]
fn auto_approve_renewal_without_machine_api() {
    let nodes: BTreeMap<String, Node> = [("w1".to_string(), worker("w1", "10.0.0.1"))].into();
    let mut renewal = client_csr("renew", "w1", t0());
    renewal.spec.username = Some("system:node:w1".into());
    renewal.spec.groups = Some(vec!["system:nodes".into(), "system:authenticated".into()]);
    let vs = validate_all(std::slice::from_ref(&renewal), &nodes, None);
    assert!(vs[0].renewal && vs[0].identity_confirmed());
    let d = auto_approve([(&renewal, &vs[0])], AutoApprovePolicy::default());
    assert_eq!(d.approve.len(), 1);
}
