use std::collections::BTreeMap;

use super::*;
use crate::csr::checks::{Inputs, validate};
use crate::csr::testutil::*;

fn approved(c: CertificateSigningRequest, t: i64) -> CertificateSigningRequest {
    issued(with_condition(c, "Approved", at(t)))
}

fn run(csrs: &[CertificateSigningRequest], nodes: &[Node], now: Timestamp) -> Vec<JoiningNode> {
    let map: BTreeMap<String, Node> = BTreeMap::new();
    let inputs = Inputs {
        nodes: &map,
        machines: None,
        now,
    };
    let vs: Vec<_> = csrs.iter().map(|c| validate(c, &inputs)).collect();
    joining_nodes(csrs.iter().zip(&vs), nodes, now)
}

#[test]
fn stages_and_stuck_first_ordering() {
    let csrs = vec![
        client_csr("c-disc", "n-disc", at(100)),
        with_condition(
            client_csr("c-denied", "n-denied", at(140)),
            "Denied",
            at(150),
        ),
        approved(client_csr("c-pserv", "n-pserv", at(100)), 200),
        approved(client_csr("c-appr", "n-appr", at(100)), 300),
        serving_csr("s-appr", "n-appr", &[], at(500)),
        approved(client_csr("c-join", "n-join", at(100)), 300),
        approved(serving_csr("s-join", "n-join", &[], at(550)), 600),
        approved(client_csr("c-ready", "n-ready", at(100)), 160),
        approved(serving_csr("s-ready", "n-ready", &[], at(400)), 420),
    ];
    let nodes = vec![
        node("n-pserv", &[], Some((false, at(250))), at(250)),
        node("n-appr", &[], Some((true, at(400))), at(350)),
        node("n-join", &[], Some((false, at(350))), at(350)),
        node("n-ready", &[], Some((true, at(700))), at(300)),
    ];
    let now = at(3000);
    let j = run(&csrs, &nodes, now);
    let got: Vec<_> = j
        .iter()
        .map(|n| (n.node.as_str(), n.stage.label()))
        .collect();
    assert_eq!(
        got,
        [
            ("n-disc", "Discovered"),
            ("n-denied", "Denied"),
            ("n-pserv", "Pending serving CSR"),
            ("n-appr", "Approval required"),
            ("n-join", "Joining"),
            ("n-ready", "Ready"),
        ]
    );
    let disc = &j[0];
    assert_eq!(disc.in_stage, SignedDuration::from_secs(2900));
    assert_eq!(
        disc.client.duration(now),
        Some(SignedDuration::from_secs(2900))
    );
    assert_eq!(disc.serving_csr, None);
    let join = &j[4];
    assert_eq!(join.since, Some(at(600)));
    assert_eq!(
        join.serving.duration(now),
        Some(SignedDuration::from_secs(50))
    );
    let ready = &j[5];
    assert_eq!(ready.client_csr.as_deref(), Some("c-ready"));
    assert_eq!(ready.serving_csr.as_deref(), Some("s-ready"));
    assert_eq!(
        ready.client.duration(now),
        Some(SignedDuration::from_secs(60))
    );
    assert_eq!(
        ready.serving.duration(now),
        Some(SignedDuration::from_secs(20))
    );
    assert_eq!(
        ready.ready,
        Step {
            started: Some(at(420)),
            finished: Some(at(700))
        }
    );
    assert_eq!(
        ready.ready.duration(now),
        Some(SignedDuration::from_secs(280))
    );
}

#[test]
fn newest_csr_wins_and_old_nodes_are_not_joining() {
    let csrs = vec![
        with_condition(client_csr("c-old", "n1", at(0)), "Denied", at(5)),
        client_csr("c-new", "n1", at(100)),
        // A long-running node renewing its serving certificate.
        serving_csr("s-renew", "old-node", &[], at(100)),
        // Client renewal by a node itself.
        {
            let mut c = client_csr("c-renew", "n2", at(100));
            c.spec.username = Some("system:node:n2".into());
            c
        },
        // Outside the window.
        client_csr("c-ancient", "n3", at(-2 * 86400)),
        // Other signers never appear.
        {
            let mut c = client_csr("c-other", "n4", at(100));
            c.spec.signer_name = "example.com/x".into();
            c
        },
    ];
    let nodes = vec![node(
        "old-node",
        &[],
        Some((true, at(-5 * 86400))),
        at(-5 * 86400),
    )];
    let j = run(&csrs, &nodes, at(200));
    assert_eq!(j.len(), 1, "{j:#?}");
    assert_eq!(j[0].node, "n1");
    assert_eq!(j[0].stage, JoinStage::Discovered);
    assert_eq!(j[0].client_csr.as_deref(), Some("c-new"));
}

#[test]
fn failed_and_pending_serving_on_ready_node() {
    let csrs = vec![
        approved(client_csr("c1", "n1", at(0)), 10),
        with_condition(
            approved(serving_csr("s1", "n1", &[], at(20)), 30),
            "Failed",
            at(31),
        ),
    ];
    let nodes = vec![node("n1", &[], Some((false, at(15))), at(15))];
    let j = run(&csrs, &nodes, at(100));
    assert_eq!(j[0].stage, JoinStage::Failed);
    assert_eq!(j[0].since, Some(at(31)));
    // The node went Ready but its serving CSR is pending: approval still required.
    let csrs = vec![
        approved(client_csr("c1", "n1", at(0)), 10),
        serving_csr("s1", "n1", &[], at(20)),
    ];
    let nodes = vec![node("n1", &[], Some((true, at(18))), at(15))];
    let j = run(&csrs, &nodes, at(100));
    assert_eq!(j[0].stage, JoinStage::ApprovalRequired);
    assert_eq!(j[0].in_stage, SignedDuration::from_secs(80));
}
