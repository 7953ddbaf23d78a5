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
    let index = machines.map(|m| crate::csr::machines::MachineIndex::new(m.to_vec()));
    let inputs = Inputs {
        nodes,
        machines: index.as_ref(),
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
    let machines = [
        machine("m1", &[("InternalIP", "10.0.0.1")], Some("w1"), t0()),
        machine("m2", &[("InternalDNS", "w2")], None, t0()),
        machine("m3", &[("InternalDNS", "w3")], None, t0()),
    ];
    let vs = validate_all(&csrs, &nodes, Some(&machines));
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
    // Skipped CSRs read oldest first, whatever order the caller keeps them in.
    assert_eq!(b.skipped, ["srv-unknown", "bad-client"]);
    let reversed = bulk_approvable(csrs.iter().zip(&vs).rev());
    assert_eq!(reversed, b);
    // Without the Machine API nothing vouches for any node: every one needs its name typed.
    let vs = validate_all(&csrs, &nodes, None);
    let b = bulk_approvable(csrs.iter().zip(&vs));
    assert!(b.items.is_empty(), "{b:?}");
    assert_eq!(b.skipped.len(), 5);
}

#[test]
fn override_rules() {
    let nodes = BTreeMap::new();
    let mut bad = client_csr("bad", "w1", t0());
    bad.spec.username = Some("mallory".into());
    let mut junk = client_csr("junk", "w1", t0());
    junk.spec.request.0 = b"junk".to_vec();
    let late = client_csr("late", "w1", at(3 * 3600));
    let csrs = [client_csr("ok", "w1", t0()), bad, junk, late];
    let vs = validate_all(&csrs, &nodes, None);
    assert!(!needs_override(&vs[0]));
    // Who asked is not a judgment call: never overridable.
    assert!(needs_override(&vs[1]));
    assert!(!override_allowed(&vs[1]));
    assert!(needs_override(&vs[2]));
    assert!(!override_allowed(&vs[2]));
    // A Machine outside the creation window is: the admin may know why.
    let machines = [machine("m1", &[("InternalDNS", "w1")], None, t0())];
    let v = validate_all(&csrs[3..], &nodes, Some(&machines));
    assert_eq!(v[0].failed_ids(), ["machine-window"]);
    assert!(override_allowed(&v[0]));

    // A valid new-node client CSR without the Machine API: identity confirmation, no override.
    assert!(needs_identity_confirmation(&vs[0]));
    assert!(!needs_identity_confirmation(&vs[1]));
    let machines = [machine("m1", &[("InternalDNS", "w1")], None, t0())];
    let with_machine = validate_all(&csrs[..1], &nodes, Some(&machines));
    assert!(!needs_identity_confirmation(&with_machine[0]));

    // Only the node name, exactly.
    assert!(override_matches("w1", Some("w1")));
    assert!(!override_matches("  approve \n", Some("w1")));
    assert!(!override_matches("approve", None));
    assert!(!override_matches("w1 ", Some("w1")));
    assert!(!override_matches("w2", Some("w1")));
    assert!(!override_matches("", Some("")));
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
    let late = client_csr("late", "w1", at(3 * 3600));
    let machines = [machine("m1", &[("InternalDNS", "w1")], Some("w1"), t0())];
    let vs = validate_all(std::slice::from_ref(&late), &nodes, Some(&machines));
    let c = approval_condition(Decision::Approve, "alice", Some(&vs[0]), at(1));
    assert_eq!(
        c["message"],
        "approved by alice via shiftdeck (override: failed checks: machine-noderef, machine-window)"
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
        machine("m1", &[("InternalIP", "10.0.0.1")], Some("w1"), t0()),
    ];
    let bad = serving_csr("srv-bad", "w1", &["10.9.9.9"], at(3));
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

    // Without the Machine API every new node's CSR waits for a human.
    let vs = validate_all(&csrs, &nodes, None);
    let d = auto_approve(csrs.iter().zip(&vs), AutoApprovePolicy::default());
    assert!(d.approve.is_empty(), "{d:?}");
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
fn renewals_are_never_automatic() {
    // cluster-machine-approver does not approve client renewals (kube-controller-manager's
    // csrapproving does): shiftdeck leaves them to a human who types the node name.
    let nodes: BTreeMap<String, Node> = [("w1".to_string(), worker("w1", "10.0.0.1"))].into();
    let mut renewal = client_csr("renew", "w1", t0());
    renewal.spec.username = Some("system:node:w1".into());
    renewal.spec.groups = Some(vec!["system:nodes".into(), "system:authenticated".into()]);
    let machines = [machine("m1", &[("InternalDNS", "w1")], Some("w1"), t0())];
    let vs = validate_all(std::slice::from_ref(&renewal), &nodes, Some(&machines));
    assert!(vs[0].renewal && vs[0].passed_all() && !vs[0].identity_confirmed());
    let d = auto_approve([(&renewal, &vs[0])], AutoApprovePolicy::default());
    assert!(d.approve.is_empty());
    assert!(needs_identity_confirmation(&vs[0]));
}

#[test]
fn still_allowed_at_submit() {
    let nodes = BTreeMap::new();
    let machines = [machine("m1", &[("InternalDNS", "w1")], None, t0())];
    let shown = validate_all(&[client_csr("a", "w1", at(5))], &nodes, Some(&machines));
    // Same verdict: fine.
    assert_eq!(still_allowed(&shown[0], &shown[0]), Ok(()));
    // The Machine got a nodeRef meanwhile: a check that passed now fails.
    let joined = [machine("m1", &[("InternalDNS", "w1")], Some("w1"), t0())];
    let fresh = validate_all(&[client_csr("a", "w1", at(5))], &nodes, Some(&joined));
    let err = still_allowed(&shown[0], &fresh[0]).unwrap_err();
    assert!(matches!(err, Changed::ChecksNowFail(_)), "{err}");
    assert!(err.to_string().contains("machine-noderef"), "{err}");
    // Now a never-class failure: refused whatever was overridden.
    let mut evil = client_csr("a", "w1", at(5));
    evil.spec.username = Some("system:admin".into());
    let fresh = validate_all(&[evil], &nodes, Some(&machines));
    let err = still_allowed(&shown[0], &fresh[0]).unwrap_err();
    assert!(matches!(err, Changed::NeverCheckFails { .. }), "{err}");
    assert!(err.to_string().contains("requestor"), "{err}");
}

#[test]
fn pending_limit_counts_recent_node_csrs() {
    let csrs: Vec<_> = (0..5)
        .map(|i| client_csr(&format!("c{i}"), &format!("w{i}"), at(i)))
        .chain([client_csr("old", "w9", at(-7200))])
        .collect();
    let vs = validate_all(&csrs, &BTreeMap::new(), None);
    let l = PendingLimit::count(csrs.iter().zip(&vs), 0, 0, at(600));
    assert_eq!((l.pending, l.max), (5, 100));
    assert!(!l.exceeded());
    let over = PendingLimit {
        pending: 103,
        max: 102,
    };
    assert!(over.exceeded());
    assert!(over.reason().contains("103"));
}
