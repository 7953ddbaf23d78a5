use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;

use super::*;
use crate::csr::checks::{Inputs, validate};
use crate::csr::testutil::*;

fn validated(csrs: &[CertificateSigningRequest]) -> Vec<Validation> {
    let nodes: BTreeMap<String, Node> = BTreeMap::new();
    let inputs = Inputs {
        nodes: &nodes,
        machines: None,
        now: t0(),
    };
    csrs.iter().map(|c| validate(c, &inputs)).collect()
}

#[test]
fn ages() {
    assert_eq!(format_age(Some(t0()), at(45)), "45s");
    // kubectl's rules, as every other pane (crate::age).
    assert_eq!(format_age(Some(t0()), at(185)), "3m5s");
    assert_eq!(format_age(Some(t0()), at(7500)), "125m");
    assert_eq!(format_age(Some(t0()), at(11_100)), "3h5m");
    assert_eq!(format_age(Some(t0()), at(40000)), "11h");
    assert_eq!(format_age(Some(t0()), at(3 * 86400)), "3d");
    assert_eq!(format_age(Some(at(1)), t0()), "0s");
    assert_eq!(format_age(Some(at(10)), t0()), "<invalid>");
    assert_eq!(format_age(None, t0()), "<unknown>");
}

#[test]
fn rows_sort_pending_first_newest_first_and_filter() {
    let csrs = vec![
        issued(with_condition(
            client_csr("old-approved", "w1", at(0)),
            "Approved",
            at(5),
        )),
        client_csr("pending-old", "w2", at(100)),
        with_condition(client_csr("new-denied", "w3", at(900)), "Denied", at(901)),
        client_csr("pending-new", "w4", at(500)),
    ];
    let vs = validated(&csrs);
    let rows = build_rows(csrs.iter().zip(&vs), HistoryFilter::All, at(1000));
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["pending-new", "pending-old", "new-denied", "old-approved"]
    );
    let rows = build_rows(csrs.iter().zip(&vs), HistoryFilter::PendingOnly, at(1000));
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["pending-new", "pending-old"]);
}

#[test]
fn cells_and_json_share_headers() {
    let mut bad = client_csr("bad", "w2", at(0));
    bad.spec.username = Some("system:admin".into());
    let csrs = vec![
        client_csr("good", "w1", at(0)),
        bad,
        issued(with_condition(
            serving_csr("srv", "w1", &[], at(0)),
            "Approved",
            at(1),
        )),
    ];
    let vs = validated(&csrs);
    let rows = build_rows(csrs.iter().zip(&vs), HistoryFilter::All, at(3000));
    let (headers, cells) = table(&rows);
    assert_eq!(headers, HEADERS);
    assert_eq!(
        cells[0],
        [
            "bad",
            "50m",
            "client",
            "system:admin",
            "w2",
            "Pending",
            "requestor",
            "10m00s left"
        ]
    );
    assert_eq!(cells[1][0], "good");
    assert_eq!(cells[1][6], "✓");
    assert!(rows[1].valid && rows[1].countdown.is_some_and(|c| c.is_warning()));
    // Not pending: no countdown. A serving CSR without SANs fails san-types.
    assert_eq!(
        cells[2][2..],
        [
            "serving",
            "system:node:w1",
            "w1",
            "Approved,Issued",
            "san-types",
            ""
        ]
    );
    let json = rows_json(&rows);
    assert_eq!(json[0]["CHECK"], "requestor");
    assert_eq!(json[2]["CONDITION"], "Approved,Issued");
    assert_eq!(json[1].as_object().unwrap().len(), HEADERS.len());
}

#[test]
fn cells_escape_terminal_control_characters() {
    let mut c = client_csr("evil", "w1", at(0));
    c.spec.username = Some("mallory\u{1b}]0;pwned\u{7}".into());
    let vs = validated(std::slice::from_ref(&c));
    let rows = build_rows([(&c, &vs[0])], HistoryFilter::All, at(10));
    assert_eq!(rows[0].requestor, "mallory\u{1b}]0;pwned\u{7}");
    let cells = rows[0].cells();
    assert_eq!(cells[3], "mallory\\u{1b}]0;pwned\\u{7}");
    assert!(!cells.iter().any(|c| c.chars().any(char::is_control)));
}
