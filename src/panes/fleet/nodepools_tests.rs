//! The Node pools pane follows only the kinds that moved, and still ends where a full sync
//! ends.

use std::collections::BTreeSet;
use std::time::Instant;

use kube::runtime::watcher::Event;
use serde_json::json;

use super::NodePoolsPane;
use crate::panes::Pane;
use crate::watch::Stores;
use crate::watch::dynamic::NodePool;

fn pool(name: &str, rv: &str, desired: i64, current: i64) -> NodePool {
    serde_json::from_value(json!({
        "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool",
        "metadata": {"name": name, "namespace": "clusters", "resourceVersion": rv,
            "uid": format!("uid-{name}")},
        "spec": {"clusterName": "hc1", "replicas": desired, "platform": {"type": "KubeVirt"},
            "release": {"image": "quay.io/openshift-release-dev/ocp-release:4.18.1-x86_64"}},
        "status": {"replicas": current, "version": "4.18.1"}
    }))
    .expect("a NodePool")
}

fn counts(p: &NodePoolsPane) -> Vec<(String, Option<i64>, Option<i64>)> {
    p.rows()
        .into_iter()
        .map(|r| (r.name, r.desired, r.current))
        .collect()
}

#[test]
fn follows_only_the_kinds_that_moved_and_ends_like_a_full_sync() {
    let (stores, mut w): (Stores, _) = Stores::with_writers();
    w.nodepools.apply_watcher_event(&Event::Init);
    w.nodepools
        .apply_watcher_event(&Event::InitApply(pool("a", "1", 2, 2)));
    w.nodepools
        .apply_watcher_event(&Event::InitApply(pool("b", "1", 3, 3)));
    w.nodepools.apply_watcher_event(&Event::InitDone);
    let mut p = NodePoolsPane::default();
    let now = Instant::now();
    assert!(p.sync(&stores, now));
    assert_eq!(
        counts(&p),
        [
            ("a".to_string(), Some(2), Some(2)),
            ("b".to_string(), Some(3), Some(3))
        ]
    );
    // Nothing moved: nothing to draw.
    assert!(!p.sync(&stores, now));
    // b scales; the app says only DataVolumes moved: pools are not looked at.
    w.nodepools
        .apply_watcher_event(&Event::Apply(pool("b", "2", 5, 3)));
    let dvs: BTreeSet<&'static str> = [crate::watch::fleet::DVS.id].into();
    assert!(!p.sync_changed(&stores, now, &dvs));
    assert_eq!(counts(&p)[1], ("b".to_string(), Some(3), Some(3)));
    // Pools moved: the row follows, and ends as a full sync of a fresh pane does.
    let pools: BTreeSet<&'static str> = [crate::watch::fleet::NODEPOOLS.id].into();
    assert!(p.sync_changed(&stores, now, &pools));
    assert_eq!(counts(&p)[1], ("b".to_string(), Some(5), Some(3)));
    let mut fresh = NodePoolsPane::default();
    fresh.sync(&stores, now);
    assert_eq!(counts(&fresh), counts(&p));
    // A pool that goes is gone from the rows.
    w.nodepools
        .apply_watcher_event(&Event::Delete(pool("a", "2", 2, 2)));
    assert!(p.sync_changed(&stores, now, &pools));
    assert_eq!(counts(&p).len(), 1);
}
