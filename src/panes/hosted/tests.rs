use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::fixtures::{guest_control_plane, hosted_cluster, node_pool};
use super::*;
use crate::output::OutputFormat;
use crate::panes::table::Flash;
use crate::watch::dynamic::{HostedCluster, NodePool};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn hcs() -> Vec<Arc<HostedCluster>> {
    ["example", "guest"]
        .iter()
        .map(|n| Arc::new(HostedCluster::from_value(hosted_cluster(n, *n == "guest")).unwrap()))
        .collect()
}

fn pools(example_ready: i64) -> Vec<Arc<NodePool>> {
    [
        node_pool("example", "example", 2, example_ready),
        node_pool("example-extra", "example", 0, 0),
        node_pool("guest", "guest", 2, 0),
    ]
    .into_iter()
    .map(|p| Arc::new(NodePool::from_value(p).unwrap()))
    .collect()
}

fn pane() -> HostedPane {
    let mut p = HostedPane::default();
    p.table
        .sync(&model::items(&hcs(), &pools(2)), Instant::now());
    p
}

fn text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn rows_count_each_clusters_own_pools() {
    let p = pane();
    let rows: Vec<Vec<String>> = p.rows().map(HcRow::cells).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "example");
    assert_eq!(rows[0][2], "4.18.5");
    assert_eq!(rows[0][4], "Completed");
    assert_eq!(&rows[0][9..], ["2", "2/2"]);
    assert_eq!(rows[1][1], "guest");
    assert_eq!(rows[1][2], "");
    assert_eq!(rows[1][4], "Partial");
    assert_eq!(&rows[1][9..], ["1", "0/2"]);
}

#[test]
fn a_pool_change_rederives_and_flashes_its_cluster_only() {
    let mut p = pane();
    let t = Instant::now();
    let mut changed = pools(1);
    let mut v = changed[0].to_value();
    v["metadata"]["resourceVersion"] = Value::from("201");
    changed[0] = Arc::new(NodePool::from_value(v).unwrap());
    assert!(p.table.sync(&model::items(&hcs(), &changed), t));
    let e = p.table.get("clusters/example").unwrap();
    assert_eq!(e.row.row.nodes_ready, 1);
    assert_eq!(e.flash.map(|f| f.0), Some(Flash::Changed));
    assert!(p.table.get("clusters/guest").unwrap().flash.is_none());
}

#[test]
fn filter_by_name_and_label_and_sort_by_nodes() {
    let mut p = pane();
    p.set_filter("gue");
    assert_eq!(p.rows().count(), 1);
    p.set_filter("cluster.open-cluster-management.io/clusterset=default");
    assert_eq!(p.rows().count(), 2);
    p.set_filter("");
    p.table.sort_by(10);
    assert_eq!(p.rows().next().unwrap().row.name, "guest");
}

#[test]
fn a_down_machine_approver_says_new_nodes_need_approval() {
    let mut p = pane();
    let (mut pods, services) = guest_control_plane();
    pods.push(serde_json::json!({"metadata": {"name": "machine-approver-86f16b5152-4l2q6", "namespace": "clusters-guest"},
        "status": {"phase": "Running", "containerStatuses": [{"name": "machine-approver-controller", "ready": false,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}));
    assert!(p.fetched(&FetchResult::Namespace(NamespaceObjects {
        namespace: "clusters-guest".into(),
        pods,
        services,
        error: None,
    })));
    let s = text(&p.details("clusters/guest", now()).unwrap());
    let at = s
        .find("machine-approver-86f16b5152-4l2q6  Running  CrashLoopBackOff")
        .expect(&s);
    assert!(
        s[at..].contains("→ new nodes' CSRs are not approved: approve them in the guest"),
        "{s}"
    );
    // A component without a known impact gets no arrow line.
    let ingress = s.find("ingress-operator-5f6d-q8w9").expect(&s);
    let next = s[ingress..].lines().nth(1).unwrap_or_default();
    assert!(!next.contains('→'), "{s}");
}

#[test]
fn details_explain_partial_once_services_are_read() {
    let mut p = pane();
    let key = "clusters/guest";
    assert_eq!(
        p.details_fetch(key),
        Some(Fetch::Namespace {
            namespace: "clusters-guest".into()
        })
    );
    let before = text(&p.details(key, now()).unwrap());
    assert!(before.contains("Why Partial"), "{before}");
    assert!(before.contains("reading pods and services…"), "{before}");
    assert!(!before.contains("waiting for ingress"), "{before}");

    let (pods, services) = guest_control_plane();
    assert!(p.fetched(&FetchResult::Namespace(NamespaceObjects {
        namespace: "clusters-guest".into(),
        pods,
        services,
        error: None,
    })));
    let after = text(&p.details(key, now()).unwrap());
    assert!(after.contains("address pool `guest-apps`"), "{after}");
    assert!(after.contains("*.apps.guest.hypershift.lab"), "{after}");
    assert!(after.contains("Pods running            3/4"), "{after}");
    assert!(
        after.contains("ingress-operator-5f6d-q8w9  Running  CrashLoopBackOff"),
        "{after}"
    );
    assert!(after.contains("ClusterVersionSucceeding"), "{after}");
    assert!(after.contains("https://192.168.111.203:6443"), "{after}");

    let example = text(&p.details("clusters/example", now()).unwrap());
    assert!(!example.contains("Why Partial"), "{example}");
    assert!(example.contains("4.17.12"), "{example}");
}

#[test]
fn conditions_are_coloured_by_polarity() {
    let p = pane();
    let lines = p.details("clusters/guest", now()).unwrap();
    let color_of = |ty: &str| {
        lines
            .iter()
            .find(|l| l.spans.iter().any(|s| s.content.trim() == ty))
            .map(|l| l.spans[0].style.fg)
    };
    assert_eq!(color_of("Degraded"), Some(Some(Color::Green)));
    assert_eq!(color_of("ClusterVersionSucceeding"), Some(Some(Color::Red)));
    assert_eq!(color_of("Progressing"), Some(Some(Color::Cyan)));
}

#[test]
fn guest_needs_a_published_kubeconfig() {
    let p = pane();
    assert_eq!(
        p.guest("clusters/example"),
        Ok(GuestRef {
            namespace: "clusters".into(),
            name: "example".into(),
            secret: "example-admin-kubeconfig".into(),
        })
    );
    let mut hc = hosted_cluster("new", true);
    hc["status"]["kubeconfig"] = Value::Null;
    let mut p2 = HostedPane::default();
    let hcs = vec![Arc::new(HostedCluster::from_value(hc).unwrap())];
    p2.table.sync(&model::items(&hcs, &[]), Instant::now());
    let err = p2.guest("clusters/new").unwrap_err();
    assert!(err.contains("not published"), "{err}");
}

#[test]
fn wraps_long_explanations_at_spaces() {
    assert_eq!(details::wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    assert_eq!(details::wrap("toolongword x", 4), vec!["toolongword", "x"]);
    assert_eq!(details::wrap("", 4), vec![""]);
}

#[test]
fn get_prints_the_pane_rows() {
    let t = crate::get_hosted::format_rows(&hcs(), &pools(2), OutputFormat::Table);
    let lines: Vec<&str> = t.lines().collect();
    assert!(
        lines[0].starts_with("NAMESPACE   NAME      VERSION   KUBECONFIG"),
        "{t}"
    );
    assert!(
        lines[1].contains("example-admin-kubeconfig   Completed"),
        "{t}"
    );
    assert!(lines[2].ends_with("KubeVirt   1           0/2"), "{t}");
    let j = crate::get_hosted::format_rows(&hcs(), &pools(2), OutputFormat::Json);
    let parsed: Vec<serde_json::Map<String, Value>> = serde_json::from_str(&j).unwrap();
    assert_eq!(parsed[1]["PROGRESS"], "Partial");
    assert_eq!(parsed[0]["NODES"], "2/2");
    let keys: Vec<&String> = parsed[0].keys().collect();
    assert_eq!(keys, COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>());
}

#[test]
fn item_cache_rebuilds_only_the_cluster_whose_pool_changed() {
    let mut cache = model::ItemCache::default();
    let first = model::items_cached(&mut cache, &hcs(), &pools(2));
    let again = model::items_cached(&mut cache, &hcs(), &pools(2));
    assert_eq!(first.len(), again.len());
    assert!(first.iter().zip(&again).all(|(a, b)| Arc::ptr_eq(a, b)));
    // A pool of "example" moves to a new resourceVersion: only "example" is rebuilt.
    let mut changed = pools(2);
    let i = changed
        .iter()
        .position(|p| p.metadata.name.as_deref() == Some("example"))
        .unwrap();
    let mut p = (*changed[i]).clone();
    p.metadata.resource_version = Some("999".into());
    changed[i] = Arc::new(p);
    let third = model::items_cached(&mut cache, &hcs(), &changed);
    for (a, b) in again.iter().zip(&third) {
        let is_example = a.hc.metadata.name.as_deref() == Some("example");
        assert_eq!(Arc::ptr_eq(a, b), !is_example, "{:?}", a.hc.metadata.name);
    }
    // Same rows as the uncached build.
    let fresh = model::items(&hcs(), &changed);
    assert_eq!(
        third.iter().map(|i| i.pools.len()).collect::<Vec<_>>(),
        fresh.iter().map(|i| i.pools.len()).collect::<Vec<_>>()
    );
}

#[test]
fn forbidden_or_unknown_node_pools_are_never_counted_as_zero() {
    let mut p = HostedPane::default();
    // Node pools forbidden: the store stays empty, and the counts say why instead of 0.
    let forbidden = KindState::Forbidden("nodepools is forbidden".into());
    assert!(p.kind_state(NODEPOOLS.id, &forbidden));
    p.table.sync(
        &model::items_cached(&mut p.cache, &hcs(), &[]),
        Instant::now(),
    );
    let rows: Vec<Vec<String>> = p.rows().map(HcRow::cells).collect();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!((r[9].as_str(), r[10].as_str()), ("forbidden", "forbidden"));
    }
    let key = p.selected_key().unwrap();
    let d = text(&p.details(&key, now()).unwrap());
    assert!(d.contains("forbidden") && !d.contains("0/0"), "{d}");
    // Before the first list nothing is known either.
    assert!(p.kind_state(NODEPOOLS.id, &KindState::Loading));
    p.table.sync(
        &model::items_cached(&mut p.cache, &hcs(), &[]),
        Instant::now(),
    );
    assert!(p.rows().all(|r| r.cells()[9] == "unknown"));
    // Once listed, real counts; a reconnect keeps them.
    assert!(p.kind_state(NODEPOOLS.id, &KindState::Live));
    p.table.sync(
        &model::items_cached(&mut p.cache, &hcs(), &pools(1)),
        Instant::now(),
    );
    let reconnecting = KindState::Reconnecting {
        attempt: 1,
        error: "connection refused".into(),
    };
    assert!(!p.kind_state(NODEPOOLS.id, &reconnecting));
    let cells: Vec<Vec<String>> = p.rows().map(HcRow::cells).collect();
    assert_eq!((cells[0][9].as_str(), cells[0][10].as_str()), ("2", "1/2"));
}

/// Rows read the pools narrowed to `POOL_ROW_FIELDS`: the same cells as from whole pools,
/// for autoscaled, negative and nodesInfo-reporting pools too.
#[test]
fn rows_from_narrowed_pools_equal_rows_from_whole_pools() {
    let mut odd = node_pool("auto", "example", 0, 3);
    odd["spec"].as_object_mut().unwrap().remove("replicas");
    odd["status"]["nodesInfo"] = serde_json::json!({"nodeVersions": [
        {"version": "4.18.1", "readyNodeCount": 2}, {"version": "4.18.0", "readyNodeCount": -1}]});
    let mut negative = node_pool("neg", "example", -2, 1);
    negative["status"]["conditions"] = serde_json::json!([{"type": "Ready", "status": "True"}]);
    let mut all = pools(1);
    all.extend(
        [odd, negative]
            .into_iter()
            .map(|p| Arc::new(NodePool::from_value(p).unwrap())),
    );
    let mut cache = model::ItemCache::default();
    let whole: Vec<Value> = all.iter().map(|p| p.to_value()).collect();
    for hc in hcs() {
        let expected = crate::fleet::hosted::HostedClusterRow::new(&hc.to_value(), &whole);
        let item = model::HcItem::new(hc.clone(), all.clone());
        assert_eq!(model::HcRow::from_item(&item).row, expected);
    }
    // The same from the cache of cluster rows and pool counts, before and after a pool moves.
    for round in 0..2 {
        let items = model::items_cached(&mut cache, &hcs(), &all);
        let whole: Vec<Value> = all.iter().map(|p| p.to_value()).collect();
        for (hc, item) in hcs().iter().zip(&items) {
            let expected = crate::fleet::hosted::HostedClusterRow::new(&hc.to_value(), &whole);
            assert_eq!(model::HcRow::from_item(item).row, expected, "round {round}");
        }
        let mut moved = node_pool("example", "example", 5, 4);
        moved["metadata"]["resourceVersion"] = serde_json::json!("201");
        all[0] = Arc::new(NodePool::from_value(moved).unwrap());
    }
    let items = model::items_cached(&mut cache, &hcs(), &all);
    assert_eq!(
        model::HcRow::from_item(&items[0]).row.nodes_desired,
        5 + 3,
        "example, example-extra, auto, neg"
    );
}
