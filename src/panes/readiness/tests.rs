use std::collections::BTreeSet;

use kube::runtime::watcher::Event;
use serde_json::{Value, json};

use super::*;
use crate::migration::readiness::tests::{pool, vmi};
use crate::watch::dynamic::NodePool;

fn versioned(mut p: Value, ns: &str, rv: u64) -> NodePool {
    p["metadata"]["namespace"] = json!(ns);
    p["metadata"]["resourceVersion"] = json!(rv.to_string());
    NodePool::from_value(p).expect("a NodePool")
}

const NOT_MIGRATABLE: &str = "1 of 1 machines are not live migratable\n\
Machine user-np-a: DisksNotLiveMigratable: user-np-a is not a live migratable machine: PVC is not shared\n";

/// Pool `i` at version `v`: KubeVirt or not, migratable or not, replicas moving.
fn pool_at(i: usize, v: u64) -> NodePool {
    let (status, msg) = if (i + v as usize).is_multiple_of(3) {
        ("False", NOT_MIGRATABLE)
    } else {
        ("True", "")
    };
    let mut p = pool(&format!("np-{i:02}"), status, msg);
    p["status"]["replicas"] = json!((i as u64 + v) % 5);
    if (i + v as usize).is_multiple_of(7) {
        p["spec"]["platform"] = json!({"type": "AWS"});
    }
    let ns = if i.is_multiple_of(2) {
        "clusters"
    } else {
        "clusters-b"
    };
    versioned(p, ns, v * 100 + i as u64)
}

#[test]
fn rows_made_again_for_the_changed_pools_are_the_rows_of_a_full_rebuild() {
    let (stores, mut w) = Stores::with_writers();
    let mut vmis = w.migration.writers.remove(0);
    for (n, pool) in [("user-np-a", "np-00"), ("user-np-b", "np-03")] {
        let mut o: kube::api::DynamicObject =
            serde_json::from_value(vmi(n, pool, "infra-1", n.ends_with('b'))).expect("a VMI");
        o.metadata.resource_version = Some("1".into());
        vmis.apply_watcher_event(&Event::Apply(o));
    }
    for i in 0..20 {
        w.nodepools
            .apply_watcher_event(&Event::Apply(pool_at(i, 1)));
    }
    let mut pane = ReadinessPane::default();
    let now = Instant::now();
    assert!(pane.sync(&stores, now));
    let pools_changed = BTreeSet::from([NODE_POOLS.id]);
    for step in 2..12u64 {
        // Some pools move, one goes, one comes back.
        for i in (step as usize % 4..20).step_by(4) {
            w.nodepools
                .apply_watcher_event(&Event::Apply(pool_at(i, step)));
        }
        let gone = pool_at(step as usize % 20, step);
        w.nodepools.apply_watcher_event(&Event::Delete(gone));
        w.nodepools
            .apply_watcher_event(&Event::Apply(pool_at((step as usize + 9) % 20, step)));
        pane.sync_changed(&stores, now, &pools_changed);

        let mut fresh = ReadinessPane::default();
        fresh.sync(&stores, now);
        assert_eq!(pane.rows, fresh.rows, "step {step}");
        assert!(!pane.rows.is_empty());
    }
    assert!(
        !pane.sync_changed(&stores, now, &pools_changed),
        "nothing moved"
    );
}

/// Only the table lines on screen are built: paging through 60 pools in 3 clusters still shows
/// every pool and every cluster's total line, and the selected pool is always on screen.
#[test]
fn paging_down_shows_every_pool_and_cluster_line() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let (stores, mut w) = Stores::with_writers();
    for i in 0..60 {
        let mut p = pool(&format!("np-{i:02}"), "True", "");
        p["spec"]["clusterName"] = json!(format!("c{}", i / 20));
        w.nodepools
            .apply_watcher_event(&Event::Apply(versioned(p, "clusters", 1)));
    }
    let mut pane = ReadinessPane::default();
    pane.sync(&stores, Instant::now());
    let (theme, state) = (
        crate::theme::Theme::default(),
        crate::watch::KindState::Live,
    );
    let ctx = RenderCtx {
        theme: &theme,
        now: Timestamp::UNIX_EPOCH,
        instant: Instant::now(),
        state: &state,
    };
    let area = Rect::new(0, 0, 120, 20);
    let mut term = Terminal::new(TestBackend::new(120, 20)).expect("terminal");
    let (mut pools, mut clusters) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..12 {
        term.draw(|f| view::render(&pane, f, area, &ctx))
            .expect("draw");
        let screen = term.backend().to_string();
        let selected = pane.selected_key().expect("a selection");
        assert!(
            screen.contains(&format!("  {selected} ")),
            "{selected} not on screen"
        );
        assert!(screen.contains("60 KubeVirt node pool(s)"));
        pools.extend((0..60).filter(|i| screen.contains(&format!("clusters/np-{i:02} "))));
        clusters.extend((0..3).filter(|c| screen.contains(&format!("c{c} (hosted cluster)"))));
        pane.handle(&Action::PageDown, area);
    }
    let missing: Vec<usize> = (0..60).filter(|i| !pools.contains(i)).collect();
    assert!(missing.is_empty(), "never on screen: {missing:?}");
    assert_eq!(clusters.len(), 3);
}
