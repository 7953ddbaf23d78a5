//! Conformance with cluster-machine-approver: its table-driven test cases (csr_check_test.go,
//! transcribed as facts into tests/data/cma_cases.json, requests regenerated here) and the
//! hand-made attacks. Every verdict agrees with the approver's, or is stricter for a reason the
//! README's rules table gives; never does shiftdeck approve without a human what it refuses.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::SignedDuration;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use serde_json::{Value, json};

use super::checks::{CheckClass, Inputs, validate};
use super::testutil::{csr, machine, node, t0};

/// Cases where shiftdeck is stricter than the approver on purpose, with the README rule (a row
/// of the rules table, matched verbatim) that says why.
const STRICTER: &[(&str, &str)] = &[
    ("extra-group", "a kubelet's credentials carry exactly these"),
    (
        "attack-serving-extra-o-masters",
        "O exactly `[system:nodes]`",
    ),
    (
        "extra-serving-no-sans",
        "DNS or IP SAN, no email or URI SAN",
    ),
    (
        "extra-serving-uri-and-email-sans",
        "DNS or IP SAN, no email or URI SAN",
    ),
    ("extra-bootstrap-uri-san", "No SANs on a client certificate"),
];

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Verdict {
    /// Passes every check and something other than the CSR vouches: `A` and auto-approve take it.
    Approve,
    /// Only a human, by typing the node name.
    Override,
    /// No override exists.
    Never,
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn request(r: &Value) -> Vec<u8> {
    if r.as_str() == Some("undecodable") {
        return b"-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n".to_vec();
    }
    let mut sans = Vec::new();
    for d in strs(r, "dns") {
        sans.push(SanType::DnsName(d.try_into().expect("dns san")));
    }
    for ip in strs(r, "ip") {
        sans.push(SanType::IpAddress(ip.parse().expect("ip san")));
    }
    for e in strs(r, "email") {
        sans.push(SanType::Rfc822Name(e.try_into().expect("email san")));
    }
    for u in strs(r, "uri") {
        sans.push(SanType::URI(u.try_into().expect("uri san")));
    }
    let mut params = CertificateParams::default();
    params.subject_alt_names = sans;
    let mut dn = DistinguishedName::new();
    for o in strs(r, "o") {
        dn.push(DnType::OrganizationName, o);
    }
    if let Some(cn) = r.get("cn").and_then(Value::as_str) {
        dn.push(DnType::CommonName, cn);
    }
    params.distinguished_name = dn;
    let key = KeyPair::generate().expect("key");
    params
        .serialize_request(&key)
        .expect("request")
        .pem()
        .expect("pem")
        .into_bytes()
}

fn offset(v: &Value) -> k8s_openapi::jiff::Timestamp {
    t0() + SignedDuration::from_secs(
        v.get("created_offset_s")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    )
}

fn verdict(case: &Value) -> (Verdict, super::checks::Validation) {
    let c = &case["csr"];
    let groups = strs(c, "groups");
    let usages = strs(c, "usages");
    let g: Vec<&str> = groups.iter().map(String::as_str).collect();
    let u: Vec<&str> = usages.iter().map(String::as_str).collect();
    let obj = csr(
        case["name"].as_str().unwrap_or("case"),
        c["signer"].as_str().unwrap_or_default(),
        c["username"].as_str().unwrap_or_default(),
        &g,
        &u,
        &request(&c["request"]),
        offset(c),
    );
    let status_addrs: Vec<(String, String)> = case
        .get("node_status_addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["type"].as_str().unwrap_or_default().to_string(),
                        x["address"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let addr_refs: Vec<(&str, &str)> = status_addrs
        .iter()
        .map(|(t, a)| (t.as_str(), a.as_str()))
        .collect();
    let nodes: BTreeMap<String, Node> = strs(case, "nodes")
        .into_iter()
        .map(|n| (n.clone(), node(&n, &addr_refs, None, t0())))
        .collect();
    let machines: Vec<Value> = case["machines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let addrs: Vec<(String, String)> = m["addresses"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    (
                        a["type"].as_str().unwrap_or_default().to_string(),
                        a["address"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let refs: Vec<(&str, &str)> = addrs
                .iter()
                .map(|(t, a)| (t.as_str(), a.as_str()))
                .collect();
            machine(
                m["name"].as_str().unwrap_or("m"),
                &refs,
                m["node_ref"].as_str(),
                offset(m),
            )
        })
        .collect();
    let machine_api = case["machine_api"].as_bool().unwrap_or(true);
    let v = validate(
        &obj,
        &Inputs {
            nodes: &nodes,
            machines: machine_api
                .then(|| crate::csr::machines::MachineIndex::new(machines.clone()))
                .as_ref(),
            now: t0(),
        },
    );
    let verdict = if v.passed_all() && v.identity_confirmed() {
        Verdict::Approve
    } else if v.approvable() {
        Verdict::Override
    } else {
        Verdict::Never
    };
    (verdict, v)
}

fn cases() -> Vec<Value> {
    serde_json::from_str(include_str!("../../tests/data/cma_cases.json")).expect("cases")
}

#[test]
fn every_approver_case_agrees_or_is_stricter_for_a_documented_reason() {
    let readme = include_str!("../../../../README.md");
    let mut report = Vec::new();
    let mut stricter_seen = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 50, "the transcribed table went missing");
    for case in &cases {
        let name = case["name"].as_str().unwrap_or_default();
        let approver = case["approver"].as_str().unwrap_or_default();
        let (ours, v) = verdict(case);
        let ok = match (approver, ours) {
            ("approve", Verdict::Approve) => true,
            ("approve", _) => match STRICTER.iter().find(|(n, _)| *n == name) {
                Some((_, rule)) => {
                    stricter_seen.push(name);
                    readme.contains(rule)
                }
                None => false,
            },
            // The approver refuses: shiftdeck never approves it without a human.
            ("refuse", Verdict::Approve) => false,
            ("refuse", _) => true,
            _ => false,
        };
        if !ok {
            report.push(format!(
                "{name} ({}): approver {approver}, shiftdeck {ours:?}: {}",
                case["upstream"].as_str().unwrap_or_default(),
                v.summary()
            ));
        }
    }
    assert!(report.is_empty(), "disagreements:\n{}", report.join("\n"));
    let mut listed: Vec<&str> = STRICTER.iter().map(|(n, _)| *n).collect();
    listed.sort_unstable();
    stricter_seen.sort_unstable();
    assert_eq!(listed, stricter_seen, "a STRICTER entry no case needs");
}

/// The nine cases of issue 13, each with the verdict it must get.
#[test]
fn the_reported_attacks_get_the_right_class() {
    let by_name = |n: &str| {
        cases()
            .into_iter()
            .find(|c| c["name"] == json!(n))
            .unwrap_or_else(|| panic!("no case {n}"))
    };
    let expect = [
        // 1. a non-kubelet signer for system:masters: never.
        ("attack-admin-client-cert", Verdict::Never, Some("signer")),
        // 3. one extra organisation: never.
        (
            "attack-serving-extra-o-masters",
            Verdict::Never,
            Some("subject-o"),
        ),
        // 4. a bootstrap CSR impersonating an existing node: never.
        (
            "attack-bootstrap-node-exists",
            Verdict::Never,
            Some("node-absent"),
        ),
        // 5. the bootstrapper with one extra group: never.
        (
            "attack-bootstrapper-extra-group",
            Verdict::Never,
            Some("groups"),
        ),
        // 6. an IP only the kubelet itself claims: overridable, never automatic.
        (
            "attack-serving-ip-only-on-node",
            Verdict::Override,
            Some("sans-match"),
        ),
        // 7. a Machine naming the node only as Hostname: overridable, never automatic.
        (
            "attack-bootstrap-hostname-only",
            Verdict::Override,
            Some("machine"),
        ),
        // 8. no Node yet but the Machine's nodeRef names it; a third usage the approver allows.
        (
            "attack-serving-node-absent-machine-noderef",
            Verdict::Approve,
            None,
        ),
        ("attack-serving-client-auth-usage", Verdict::Approve, None),
    ];
    for (name, want, failed) in expect {
        let (got, v) = verdict(&by_name(name));
        assert_eq!(got, want, "{name}: {v:#?}");
        if let Some(id) = failed {
            let c = v
                .checks
                .iter()
                .find(|c| c.id == id)
                .unwrap_or_else(|| panic!("{name}: no check {id}"));
            assert!(!c.passed, "{name}: {id} passed");
            let class = if want == Verdict::Never {
                CheckClass::Never
            } else {
                CheckClass::Override
            };
            assert_eq!(c.class, class, "{name}: {id}");
        }
    }
}
