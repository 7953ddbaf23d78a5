use super::*;
use crate::panes::nodes::fixtures::{NodeSpec, node, node_json};
use k8s_openapi::jiff::SignedDuration;
use serde_json::json;

fn t0() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

#[test]
fn derives_a_ready_worker() {
    let r = NodeRow::from_node(&node(&NodeSpec::default()));
    assert_eq!(r.name, "worker-0");
    assert_eq!(r.status(), "Ready");
    assert_eq!(r.roles, "worker");
    assert_eq!(r.version, "v1.31.6");
    assert_eq!((r.arch.as_str(), r.os.as_str()), ("amd64", "linux"));
    assert_eq!(r.internal_ip, "10.0.0.10");
    assert_eq!(r.taints, 0);
    assert_eq!(r.cell(3, t0() + SignedDuration::from_hours(24 * 5)), "5d");
}

#[test]
fn a_deleting_node_reads_terminating() {
    let mut j = node_json(&NodeSpec {
        unschedulable: true,
        ..Default::default()
    });
    j["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    j["metadata"]["finalizers"] = json!(["example.com/hold"]);
    let r = NodeRow::from_node(&serde_json::from_value(j).expect("node"));
    assert!(r.deleting);
    assert_eq!(r.status(), "Ready,SchedulingDisabled,Terminating");
}

#[test]
fn derives_status_variants() {
    let cordoned = NodeRow::from_node(&node(&NodeSpec {
        unschedulable: true,
        ..Default::default()
    }));
    assert_eq!(cordoned.status(), "Ready,SchedulingDisabled");
    let not_ready = NodeRow::from_node(&node(&NodeSpec {
        ready: Some("False"),
        ..Default::default()
    }));
    assert_eq!(not_ready.status(), "NotReady");
    let unknown = NodeRow::from_node(&node(&NodeSpec {
        ready: Some("Unknown"),
        unschedulable: true,
        ..Default::default()
    }));
    assert_eq!(unknown.status(), "Unknown,SchedulingDisabled");
    let no_cond = NodeRow::from_node(&node(&NodeSpec {
        ready: None,
        ..Default::default()
    }));
    assert_eq!(no_cond.status(), "Unknown");
}

#[test]
fn derives_windows_arm_and_roles() {
    let w = NodeRow::from_node(&node(&NodeSpec {
        name: "win-0",
        os: "windows",
        roles: &["worker"],
        ..Default::default()
    }));
    assert_eq!(w.os, "windows 10.0.20348");
    assert_eq!(w.os_family(), "windows");
    let m = NodeRow::from_node(&node(&NodeSpec {
        roles: &["master", "control-plane"],
        arch: "arm64",
        taints: 2,
        ..Default::default()
    }));
    assert_eq!(m.roles, "control-plane,master");
    assert_eq!(m.arch, "arm64");
    assert_eq!(m.cell(8, t0()), "2");
    let none = NodeRow::from_node(&node(&NodeSpec {
        roles: &[],
        ..Default::default()
    }));
    assert_eq!(none.roles, "<none>");
}

#[test]
fn survives_missing_and_odd_fields() {
    let bare: Node = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "bare"}}),
    )
    .unwrap();
    let r = NodeRow::from_node(&bare);
    assert_eq!(r.status(), "Unknown");
    assert_eq!(r.roles, "<none>");
    assert_eq!(r.version, "<unknown>");
    assert_eq!(r.arch, "<unknown>");
    assert_eq!(r.internal_ip, "<none>");
    assert_eq!(r.cell(3, t0()), "<unknown>");
    // Arch/OS fall back to nodeInfo when labels are missing; an empty role label suffix is ignored.
    let mut j = node_json(&NodeSpec::default());
    j["metadata"]["labels"] =
        json!({"node-role.kubernetes.io/": "", "node-role.kubernetes.io/infra": ""});
    j["status"]["conditions"] = json!([{"type": "Ready", "status": "Maybe"}]);
    let r = NodeRow::from_node(&serde_json::from_value(j).unwrap());
    assert_eq!(
        (r.arch.as_str(), r.os.as_str(), r.roles.as_str()),
        ("amd64", "linux", "infra")
    );
    assert_eq!(r.status(), "Unknown");
    // A malformed object does not deserialise at all; the watcher reports it instead of us panicking.
    assert!(serde_json::from_value::<Node>(json!({"metadata": {"name": 5}})).is_err());
}

#[test]
fn ages_like_kubectl() {
    let now = t0();
    assert_eq!(age(now - SignedDuration::from_secs(45), now), "45s");
    assert_eq!(age(now - SignedDuration::from_secs(119), now), "119s");
    assert_eq!(age(now - SignedDuration::from_mins(12), now), "12m");
    assert_eq!(age(now - SignedDuration::from_hours(3), now), "3h");
    assert_eq!(age(now - SignedDuration::from_hours(47), now), "47h");
    assert_eq!(age(now - SignedDuration::from_hours(24 * 5), now), "5d");
    assert_eq!(
        age(now - SignedDuration::from_hours(24 * 800), now),
        "2y70d"
    );
    assert_eq!(age(now - SignedDuration::from_mins(150), now), "150m");
    assert_eq!(age(now - SignedDuration::from_mins(185), now), "3h5m");
    assert_eq!(age(now + SignedDuration::from_secs(1), now), "0s");
    assert_eq!(age(now + SignedDuration::from_secs(30), now), "<invalid>");
}

#[test]
fn summary_counts_platforms_and_readiness() {
    let nodes = [
        node(&NodeSpec {
            name: "a",
            ..Default::default()
        }),
        node(&NodeSpec {
            name: "b",
            arch: "arm64",
            ..Default::default()
        }),
        node(&NodeSpec {
            name: "c",
            arch: "arm64",
            ready: Some("False"),
            ..Default::default()
        }),
        node(&NodeSpec {
            name: "w",
            os: "windows",
            unschedulable: true,
            ..Default::default()
        }),
    ];
    let rows: Vec<NodeRow> = nodes.iter().map(NodeRow::from_node).collect();
    let s = Summary::from_rows(&rows);
    assert_eq!(s.platforms_text(), "amd64 1 · arm64 2 · windows 1");
    assert_eq!(
        s.readiness_text(),
        "Ready 3/4 · NotReady 1 · SchedulingDisabled 1"
    );
}

#[test]
fn filters_and_sorts() {
    let nodes: Vec<Node> = [
        NodeSpec {
            name: "worker-b",
            arch: "arm64",
            ip: "10.0.0.9",
            created: t0() - SignedDuration::from_hours(1),
            ..Default::default()
        },
        NodeSpec {
            name: "worker-a",
            ip: "10.0.0.10",
            created: t0() - SignedDuration::from_hours(5),
            ..Default::default()
        },
        NodeSpec {
            name: "master-0",
            roles: &["master"],
            ip: "10.0.0.2",
            ready: Some("False"),
            ..Default::default()
        },
    ]
    .iter()
    .map(node)
    .collect();
    let rows: Vec<NodeRow> = nodes.iter().map(NodeRow::from_node).collect();
    let f = Filter::parse("kubernetes.io/arch=arm64");
    let names: Vec<&str> = rows
        .iter()
        .zip(&nodes)
        .filter(|(r, n)| r.matches(n, &f))
        .map(|(r, _)| r.name.as_str())
        .collect();
    assert_eq!(names, vec!["worker-b"]);
    let f = Filter::parse("worker");
    let matching = rows.iter().zip(&nodes).filter(|(r, n)| r.matches(n, &f));
    assert_eq!(matching.count(), 2);

    let sorted = |col: usize| {
        let mut v: Vec<&NodeRow> = rows.iter().collect();
        v.sort_by(|a, b| compare(a, b, col));
        v.iter().map(|r| r.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(sorted(0), vec!["master-0", "worker-a", "worker-b"]);
    assert_eq!(sorted(1), vec!["worker-a", "worker-b", "master-0"]);
    // IPs sort numerically, not as text.
    assert_eq!(sorted(7), vec!["master-0", "worker-b", "worker-a"]);
    // Youngest first.
    assert_eq!(sorted(3), vec!["master-0", "worker-b", "worker-a"]);
}
