use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use serde_json::Value;

use super::*;
use crate::csr::SIGNER_CLIENT;
use crate::csr::testutil::*;
use crate::csr::validation::fmt_signed;

fn nodes(list: Vec<Node>) -> BTreeMap<String, Node> {
    list.into_iter()
        .map(|n| (n.metadata.name.clone().unwrap(), n))
        .collect()
}

fn run(
    c: &CertificateSigningRequest,
    n: &BTreeMap<String, Node>,
    machines: Option<&[Value]>,
) -> Validation {
    let index = machines.map(|m| crate::csr::machines::MachineIndex::new(m.to_vec()));
    validate(
        c,
        &Inputs {
            nodes: n,
            machines: index.as_ref(),
            now: at(60),
        },
    )
}

fn get<'a>(v: &'a Validation, id: &str) -> &'a Check {
    v.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {v:#?}"))
}

fn assert_only_failure(v: &Validation, id: &str) {
    assert_eq!(v.failed_ids(), vec![id], "{v:#?}");
    assert_eq!(v.first_failure().map(|c| c.id), Some(id));
    assert!(!v.passed_all());
}

fn worker_node() -> Node {
    node(
        "worker-1",
        &[
            ("InternalIP", "10.0.0.5"),
            ("Hostname", "worker-1"),
            ("InternalDNS", "worker-1.example.internal"),
        ],
        Some((true, t0())),
        t0(),
    )
}

#[test]
fn valid_client_without_machine_api() {
    let c = client_csr("csr-a", "worker-1", t0());
    let v = run(&c, &nodes(vec![]), None);
    assert!(v.passed_all(), "{v:#?}");
    assert_eq!(v.kind, CsrKind::Client);
    assert_eq!(v.node.as_deref(), Some("worker-1"));
    let ids: Vec<_> = v.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "signer",
            "decode",
            "signature",
            "requestor",
            "groups",
            "subject-cn",
            "subject-o",
            "usages",
            "no-sans",
            "node-absent"
        ]
    );
    assert_eq!(v.summary(), "all 10 checks passed");
    assert!(v.first_failure().is_none());
}

#[test]
fn valid_client_with_machine_in_window() {
    let c = client_csr("csr-a", "worker-1", at(600));
    let m = [machine(
        "m1",
        &[("InternalDNS", "Worker-1."), ("InternalIP", "10.0.0.5")],
        None,
        t0(),
    )];
    let v = run(&c, &nodes(vec![]), Some(&m));
    assert!(v.passed_all(), "{v:#?}");
    assert!(get(&v, "machine-window").reason.contains("+10m0s"));
    // A Hostname address does not: the approver finds the Machine by InternalDNS only.
    let m = [machine("m1", &[("Hostname", "worker-1")], None, t0())];
    assert_only_failure(&run(&c, &nodes(vec![]), Some(&m)), "machine");
}

#[test]
fn client_machine_absent_with_noderef_or_outside_window() {
    let c = client_csr("csr-a", "worker-1", at(600));
    let none: [Value; 0] = [];
    let v = run(&c, &nodes(vec![]), Some(&none));
    assert_only_failure(&v, "machine");
    // ExternalDNS is not how a Machine claims a node name.
    let m = [machine("m1", &[("ExternalDNS", "worker-1")], None, t0())];
    assert_only_failure(&run(&c, &nodes(vec![]), Some(&m)), "machine");

    let m = [machine(
        "m1",
        &[("InternalDNS", "worker-1")],
        Some("worker-1"),
        t0(),
    )];
    assert_only_failure(&run(&c, &nodes(vec![]), Some(&m)), "machine-noderef");

    let late = client_csr("csr-b", "worker-1", at(3 * 3600));
    let m = [machine("m1", &[("InternalDNS", "worker-1")], None, t0())];
    let v = run(&late, &nodes(vec![]), Some(&m));
    assert_only_failure(&v, "machine-window");
    assert!(
        get(&v, "machine-window").reason.contains("+3h0m0s"),
        "{v:#?}"
    );

    let early = client_csr("csr-c", "worker-1", at(-11));
    assert_only_failure(&run(&early, &nodes(vec![]), Some(&m)), "machine-window");
    let just_before = client_csr("csr-d", "worker-1", at(-9));
    assert!(run(&just_before, &nodes(vec![]), Some(&m)).passed_all());
}

#[test]
fn client_node_already_exists() {
    let c = client_csr("csr-a", "worker-1", t0());
    let v = run(&c, &nodes(vec![worker_node()]), None);
    assert_only_failure(&v, "node-absent");
    assert!(v.first_failure().unwrap().reason.contains("already exists"));
}

/// History: the Node (and the Machine's nodeRef) that an approved bootstrap CSR let in are what
/// approval was for, so an approved CSR does not show them as failures; a denied one still does.
#[test]
fn approved_client_csr_is_not_failed_by_the_node_it_let_join() {
    let approved = issued(with_condition(
        client_csr("csr-a", "worker-1", t0()),
        "Approved",
        at(5),
    ));
    let v = run(&approved, &nodes(vec![worker_node()]), None);
    assert!(v.passed_all(), "{v:#?}");
    let joined = [machine(
        "m1",
        &[("InternalDNS", "worker-1")],
        Some("worker-1"),
        t0(),
    )];
    let v = run(&approved, &nodes(vec![worker_node()]), Some(&joined));
    assert!(v.passed_all(), "{v:#?}");
    let pending = client_csr("csr-c", "worker-1", t0());
    let v = run(&pending, &nodes(vec![]), Some(&joined));
    assert_only_failure(&v, "machine-noderef");
    let denied = with_condition(client_csr("csr-b", "worker-1", t0()), "Denied", at(5));
    let v = run(&denied, &nodes(vec![worker_node()]), None);
    assert_only_failure(&v, "node-absent");
}

#[test]
fn client_renewal_by_node_itself() {
    let pem = request_pem(
        "system:node:worker-1",
        &["system:nodes"],
        &[],
        &rcgen::PKCS_ECDSA_P384_SHA384,
    );
    let c = csr(
        "csr-r",
        SIGNER_CLIENT,
        "system:node:worker-1",
        &["system:nodes", "system:authenticated"],
        &["digital signature", "key encipherment", "client auth"],
        pem.as_bytes(),
        t0(),
    );
    let n = nodes(vec![worker_node()]);
    let v = run(&c, &n, None);
    assert!(v.passed_all(), "{v:#?}");
    assert!(get(&v, "requestor").reason.contains("renewal"));
    // With the Machine API the Machine must already point at the node.
    let m = [machine(
        "m1",
        &[("InternalDNS", "worker-1")],
        Some("worker-1"),
        at(-86400),
    )];
    assert!(run(&c, &n, Some(&m)).passed_all());
    let m = [machine(
        "m1",
        &[("InternalDNS", "worker-1")],
        None,
        at(-86400),
    )];
    assert_only_failure(&run(&c, &n, Some(&m)), "machine");
    // A renewal for a node that does not exist fails (a judgment call: overridable).
    let v = run(&c, &nodes(vec![]), None);
    assert_only_failure(&v, "node-exists");
    assert_eq!(v.checks.last().map(|c| c.class), Some(CheckClass::Override));
    // The node's own credentials carry exactly two groups.
    let mut extra = c.clone();
    extra.spec.groups = Some(vec![
        "system:nodes".into(),
        "system:authenticated".into(),
        "system:masters".into(),
    ]);
    assert_only_failure(&run(&extra, &n, None), "groups");
    // Another node cannot renew worker-1's certificate.
    let mut other = c.clone();
    other.spec.username = Some("system:node:worker-2".into());
    let v = run(&other, &n, None);
    assert_eq!(v.first_failure().unwrap().id, "requestor");
}

#[test]
fn client_wrong_requestor_and_groups() {
    let mut c = client_csr("csr-a", "worker-1", t0());
    c.spec.username = Some("system:admin".into());
    let v = run(&c, &nodes(vec![]), None);
    assert_only_failure(&v, "requestor");
    assert!(v.first_failure().unwrap().reason.contains("system:admin"));

    let mut c = client_csr("csr-a", "worker-1", t0());
    c.spec.groups = Some(vec!["system:authenticated".into()]);
    let v = run(&c, &nodes(vec![]), None);
    assert_only_failure(&v, "groups");
    assert!(
        v.first_failure()
            .unwrap()
            .reason
            .contains("system:serviceaccounts")
    );
}

#[test]
fn client_wrong_cn_and_missing_o() {
    let pem = request_pem(
        "worker-1",
        &["system:nodes"],
        &[],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let c = csr(
        "csr-a",
        SIGNER_CLIENT,
        crate::csr::NODE_BOOTSTRAPPER,
        &crate::csr::NODE_BOOTSTRAPPER_GROUPS,
        &["digital signature", "client auth"],
        pem.as_bytes(),
        t0(),
    );
    let v = run(&c, &nodes(vec![]), None);
    assert_eq!(v.node, None);
    assert_eq!(v.failed_ids(), vec!["subject-cn", "node-absent"]);

    let pem = request_pem(
        "system:node:worker-1",
        &[],
        &[],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let mut c2 = c.clone();
    c2.spec.request.0 = pem.into_bytes();
    assert_only_failure(&run(&c2, &nodes(vec![]), None), "subject-o");

    let pem = request_pem(
        "system:node:worker-1",
        &["system:nodes", "system:masters"],
        &[],
        &rcgen::PKCS_ED25519,
    );
    c2.spec.request.0 = pem.into_bytes();
    assert_only_failure(&run(&c2, &nodes(vec![]), None), "subject-o");
}

#[test]
fn client_with_sans_is_rejected() {
    let pem = request_pem(
        "system:node:worker-1",
        &["system:nodes"],
        &["worker-1", "10.0.0.5"],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let mut c = client_csr("csr-a", "worker-1", t0());
    c.spec.request.0 = pem.into_bytes();
    let v = run(&c, &nodes(vec![]), None);
    assert_only_failure(&v, "no-sans");
    assert!(
        v.first_failure()
            .unwrap()
            .reason
            .contains("worker-1, 10.0.0.5")
    );
}

#[test]
fn client_wrong_usages() {
    for usages in [
        vec!["digital signature", "client auth", "server auth"],
        vec!["client auth"],
        vec![],
    ] {
        let mut c = client_csr("csr-a", "worker-1", t0());
        c.spec.usages = Some(usages.iter().map(|s| s.to_string()).collect());
        assert_only_failure(&run(&c, &nodes(vec![]), None), "usages");
    }
}

#[test]
fn valid_serving_and_machine_addresses() {
    let c = serving_csr(
        "csr-s",
        "worker-1",
        &["worker-1", "worker-1.example.internal", "10.0.0.5"],
        t0(),
    );
    let m = [machine(
        "m1",
        &[
            ("InternalIP", "10.0.0.5"),
            ("Hostname", "worker-1"),
            ("InternalDNS", "Worker-1.example.internal."),
        ],
        Some("worker-1"),
        t0(),
    )];
    // The Node need not exist yet: the Machine's nodeRef names it.
    let v = run(&c, &nodes(vec![]), Some(&m));
    assert!(v.passed_all(), "{v:#?}");
    assert!(v.identity_confirmed());
    assert_eq!(v.kind, CsrKind::Serving);
    assert_eq!(v.node.as_deref(), Some("worker-1"));
    // Another node's Machine vouches for nothing.
    let other = [machine(
        "m1",
        &[("InternalIP", "10.0.0.5")],
        Some("worker-2"),
        t0(),
    )];
    assert_only_failure(&run(&c, &nodes(vec![]), Some(&other)), "machine");
}

#[test]
fn serving_sans_only_from_the_machine() {
    // The Node's status.addresses are the kubelet's own claims: never evidence.
    let c = serving_csr("csr-s", "worker-1", &["worker-1", "10.0.0.6"], t0());
    let n = nodes(vec![node(
        "worker-1",
        &[("InternalIP", "10.0.0.6"), ("Hostname", "worker-1")],
        Some((true, t0())),
        t0(),
    )]);
    let m = [machine(
        "m1",
        &[("InternalIP", "10.0.0.5"), ("Hostname", "worker-1")],
        Some("worker-1"),
        t0(),
    )];
    let v = run(&c, &n, Some(&m));
    assert_only_failure(&v, "sans-match");
    assert_eq!(
        v.first_failure().unwrap().reason,
        "not among Machine m1's addresses: 10.0.0.6"
    );
    assert_eq!(v.first_failure().unwrap().class, CheckClass::Override);
    // Without the Machine API the checks pass but nothing confirms the node: a human types it.
    let v = run(&c, &n, None);
    assert!(v.passed_all(), "{v:#?}");
    assert!(!v.identity_confirmed());
    // An IP written as a DNS name does not match an IP address entry.
    let c = serving_csr("csr-s", "worker-1", &["10.0.0.5.nip.io", "fd00::1"], t0());
    assert_only_failure(&run(&c, &n, Some(&m)), "sans-match");
}

#[test]
fn serving_requires_node_requestor_groups_usages() {
    let n = nodes(vec![worker_node()]);
    let m = [machine(
        "m1",
        &[("InternalIP", "10.0.0.5")],
        Some("worker-1"),
        t0(),
    )];
    let run_m = |c: &CertificateSigningRequest| run(c, &n, Some(&m));
    let c = serving_csr("csr-s", "worker-1", &["10.0.0.5"], t0());
    assert!(run_m(&c).passed_all());

    let mut w = c.clone();
    w.spec.username = Some("system:node:worker-2".into());
    assert_only_failure(&run_m(&w), "requestor");
    w.spec.username = Some(crate::csr::NODE_BOOTSTRAPPER.into());
    assert_only_failure(&run_m(&w), "requestor");

    let mut w = c.clone();
    w.spec.groups = Some(vec!["system:authenticated".into()]);
    assert_only_failure(&run_m(&w), "groups");
    w.spec.groups = Some(vec![
        "system:nodes".into(),
        "system:authenticated".into(),
        "system:masters".into(),
    ]);
    assert_only_failure(&run_m(&w), "groups");

    let mut w = c.clone();
    for bad in [
        vec!["digital signature", "client auth"],
        vec!["digital signature", "server auth", "cert sign"],
        vec![
            "digital signature",
            "key encipherment",
            "server auth",
            "client auth",
        ],
    ] {
        w.spec.usages = Some(bad.iter().map(|u| u.to_string()).collect());
        let v = run_m(&w);
        assert_only_failure(&v, "usages");
        assert_eq!(v.first_failure().unwrap().class, CheckClass::Never);
    }
    for good in [
        vec!["key encipherment", "digital signature", "server auth"],
        // cluster-machine-approver's usage rule accepts a third usage such as client auth.
        vec!["digital signature", "server auth", "client auth"],
    ] {
        w.spec.usages = Some(good.iter().map(|u| u.to_string()).collect());
        assert!(run_m(&w).passed_all(), "{good:?}");
    }
}

#[test]
fn serving_san_types() {
    let m = [machine(
        "m1",
        &[("InternalIP", "10.0.0.5")],
        Some("worker-1"),
        t0(),
    )];
    let c = serving_csr("csr-s", "worker-1", &[], t0());
    let v = run(&c, &nodes(vec![]), Some(&m));
    assert_eq!(v.first_failure().map(|c| c.id), Some("san-types"));
    assert!(!v.approvable());
}

#[test]
fn serving_wrong_o() {
    let pem = request_pem(
        "system:node:worker-1",
        &["system:masters"],
        &["10.0.0.5"],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let mut c = serving_csr("csr-s", "worker-1", &[], t0());
    c.spec.request.0 = pem.into_bytes();
    assert_only_failure(&run(&c, &nodes(vec![worker_node()]), None), "subject-o");
    // One extra organisation is not "system:nodes": never approvable.
    let pem = request_pem(
        "system:node:worker-1",
        &["system:nodes", "system:masters"],
        &["10.0.0.5"],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    c.spec.request.0 = pem.into_bytes();
    let v = run(&c, &nodes(vec![worker_node()]), None);
    assert_only_failure(&v, "subject-o");
    assert!(!v.approvable());
}

#[test]
fn other_signers_never_valid() {
    let pem = request_pem(
        "system:node:worker-1",
        &["system:nodes"],
        &[],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    for signer in [
        "kubernetes.io/kube-apiserver-client",
        "example.com/anything",
        "kubernetes.io/legacy-unknown",
    ] {
        let c = csr(
            "csr-o",
            signer,
            "system:admin",
            &[],
            &["client auth"],
            pem.as_bytes(),
            t0(),
        );
        let v = run(&c, &nodes(vec![]), None);
        assert!(!v.passed_all());
        assert_eq!(v.first_failure().unwrap().id, "signer");
        assert!(matches!(v.kind, CsrKind::Other(_)));
        // Decoding still runs so the details view can show the request.
        assert!(get(&v, "decode").passed);
    }
}

#[test]
fn malformed_requests_never_valid() {
    let cases: [&[u8]; 3] = [
        b"garbage",
        b"-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n",
    ];
    for (bytes, word) in cases
        .iter()
        .zip(["not PEM", "CERTIFICATE, not", "not a PKCS#10"])
    {
        let mut c = client_csr("csr-a", "worker-1", t0());
        c.spec.request.0 = bytes.to_vec();
        let v = run(&c, &nodes(vec![]), None);
        assert_only_failure(&v, "decode");
        assert!(v.first_failure().unwrap().reason.contains(word), "{v:#?}");
        assert_eq!(v.checks.len(), 2);
    }
    // Malformed base64 as found in raw JSON.
    let d = crate::csr::decode::decode_base64("!!!");
    let c = client_csr("csr-a", "worker-1", t0());
    let v = validate_decoded(
        &c,
        &d,
        &Inputs {
            nodes: &nodes(vec![]),
            machines: None,
            now: t0(),
        },
    );
    assert_only_failure(&v, "decode");
    assert!(v.first_failure().unwrap().reason.contains("base64"));
}

#[test]
fn bad_signature_never_valid() {
    let c = client_csr("csr-a", "worker-1", t0());
    let block = pem::parse(&c.spec.request.0).unwrap();
    let mut der = block.contents().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let mut t = c.clone();
    t.spec.request.0 = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der)).into_bytes();
    assert_only_failure(&run(&t, &nodes(vec![]), None), "signature");
}

#[test]
fn rsa_request_and_slice_lookup() {
    let c = csr(
        "csr-rsa",
        SIGNER_CLIENT,
        "system:node:rsa-node",
        &["system:nodes", "system:authenticated"],
        &["digital signature", "key encipherment", "client auth"],
        crate::csr::testutil::RSA_CSR_PEM.as_bytes(),
        t0(),
    );
    let list = vec![node("rsa-node", &[], None, t0())];
    let v = validate(
        &c,
        &Inputs {
            nodes: &list,
            machines: None,
            now: t0(),
        },
    );
    assert!(v.passed_all(), "{v:#?}");
}

#[test]
fn signed_durations() {
    use k8s_openapi::jiff::SignedDuration;
    assert_eq!(fmt_signed(SignedDuration::from_secs(-5)), "-5s");
    assert_eq!(fmt_signed(SignedDuration::from_secs(125)), "+2m5s");
    assert_eq!(fmt_signed(SignedDuration::from_secs(3723)), "+1h2m3s");
}

#[test]
fn invalid_node_name_in_cn_and_duplicate_usages() {
    let pem = request_pem(
        "system:node:Worker_1\u{1b}[2J",
        &["system:nodes"],
        &[],
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let mut c = client_csr("csr-a", "worker-1", t0());
    c.spec.request.0 = pem.into_bytes();
    let v = run(&c, &nodes(vec![]), None);
    assert_only_failure(&v, "subject-cn");
    assert!(
        v.first_failure()
            .unwrap()
            .reason
            .contains("not a valid node name")
    );

    // Usages are a set, as for the signer (the API server refuses duplicates on create anyway).
    let mut c = client_csr("csr-a", "worker-1", t0());
    c.spec.usages = Some(vec![
        "client auth".into(),
        "client auth".into(),
        "digital signature".into(),
    ]);
    assert!(run(&c, &nodes(vec![]), None).passed_all());
}

#[test]
fn validate_all_uses_the_cache() {
    let csrs = vec![
        client_csr("a", "worker-1", t0()),
        client_csr("b", "w2", t0()),
    ];
    let mut cache = crate::csr::decode::DecodeCache::new();
    let n = nodes(vec![]);
    let inputs = Inputs {
        nodes: &n,
        machines: None,
        now: t0(),
    };
    let first = validate_all(&csrs, &mut cache, &inputs);
    assert_eq!(cache.len(), 2);
    assert!(first.iter().all(Validation::passed_all));
    // Nodes changed: same cache, new verdict.
    let n = nodes(vec![worker_node()]);
    let inputs = Inputs {
        nodes: &n,
        machines: None,
        now: t0(),
    };
    let again = validate_all(&csrs, &mut cache, &inputs);
    assert_eq!(again[0].first_failure().map(|c| c.id), Some("node-absent"));
    assert!(again[1].passed_all());
}

#[test]
fn a_row_summary_answers_like_the_full_validation() {
    let full = |passes: &[bool]| Validation {
        kind: CsrKind::Client,
        node: Some("n1".into()),
        checks: passes
            .iter()
            .enumerate()
            .map(|(i, p)| check(["a", "b", "c"][i], "title", *p, format!("reason {i}")))
            .collect(),
        renewal: false,
    };
    for passes in [
        &[true, true, true][..],
        &[true, false, false],
        &[false, true, true],
        &[],
    ] {
        let v = full(passes);
        let s = v.clone().into_row_summary();
        assert_eq!(s.passed_all(), v.passed_all(), "{passes:?}");
        assert_eq!(s.first_failure(), v.first_failure(), "{passes:?}");
        assert_eq!((s.kind, s.node, s.renewal), (v.kind, v.node, v.renewal));
        assert!(s.checks.len() <= 1);
    }
}
