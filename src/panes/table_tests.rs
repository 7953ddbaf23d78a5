use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::panes::nodes::fixtures::{NodeSpec, named_specs, node};
use crate::panes::nodes::model::NodeRow;

fn snap(specs: &[NodeSpec]) -> Vec<Arc<k8s_openapi::api::core::v1::Node>> {
    specs.iter().map(|s| Arc::new(node(s))).collect()
}

fn names(t: &LiveTable<NodeRow>) -> Vec<String> {
    (0..t.len())
        .filter_map(|i| t.visible(i))
        .map(|e| e.row.name.clone())
        .collect()
}

#[test]
fn flashes_after_the_first_snapshot_only_and_rederives_on_new_rv() {
    let t0 = Instant::now();
    let mut t = LiveTable::<NodeRow>::default();
    assert!(t.sync(
        &snap(&[NodeSpec {
            name: "a",
            ..Default::default()
        }]),
        t0
    ));
    assert!(!t.animating(), "the first snapshot does not flash");
    // Same rv: nothing to do.
    assert!(!t.sync(
        &snap(&[NodeSpec {
            name: "a",
            ..Default::default()
        }]),
        t0
    ));
    let s = snap(&[
        NodeSpec {
            name: "a",
            ready: Some("False"),
            rv: 2,
            ..Default::default()
        },
        NodeSpec {
            name: "b",
            ..Default::default()
        },
    ]);
    assert!(t.sync(&s, t0));
    assert_eq!(t.get("a").unwrap().flash.map(|f| f.0), Some(Flash::Changed));
    assert_eq!(t.get("a").unwrap().row.status(), "NotReady");
    assert_eq!(t.get("b").unwrap().flash.map(|f| f.0), Some(Flash::Added));
    // b goes: it lingers, then leaves.
    assert!(t.sync(
        &snap(&[NodeSpec {
            name: "a",
            ready: Some("False"),
            rv: 2,
            ..Default::default()
        }]),
        t0
    ));
    assert_eq!(names(&t), vec!["a", "b"]);
    assert_eq!(t.get("b").unwrap().flash.map(|f| f.0), Some(Flash::Deleted));
    assert_eq!(t.live_rows().count(), 1);
    assert!(t.tick(t0 + FLASH.max(LINGER) + Duration::from_millis(1)));
    assert_eq!(names(&t), vec!["a"]);
    assert!(!t.animating());
}

#[test]
fn selection_follows_the_object_through_sort_and_updates() {
    let t0 = Instant::now();
    let mut t = LiveTable::<NodeRow>::default();
    let specs = [
        NodeSpec {
            name: "c",
            ip: "10.0.0.1",
            ..Default::default()
        },
        NodeSpec {
            name: "a",
            ip: "10.0.0.3",
            ..Default::default()
        },
        NodeSpec {
            name: "b",
            ip: "10.0.0.2",
            ..Default::default()
        },
    ];
    t.sync(&snap(&specs), t0);
    let rows = Rect::new(0, 5, 80, 10);
    let keys = ['N', 'S', 'R', 'A', 'V', 'H', 'O', 'I', 'T'];
    assert!(t.handle(&Action::Bottom, rows, &keys));
    assert_eq!(t.selected_entry().unwrap().row.name, "c");
    assert!(t.handle(&Action::SortBy('I'), rows, &keys));
    assert_eq!(names(&t), vec!["c", "b", "a"]);
    assert_eq!(t.selected(), 0, "still on c");
    assert!(t.handle(&Action::SortBy('I'), rows, &keys));
    assert_eq!(names(&t), vec!["a", "b", "c"]);
    assert!(t.sort().descending);
    assert!(!t.handle(&Action::SortBy('Z'), rows, &keys));
    assert!(t.handle(&Action::ClickRow(6), rows, &keys));
    assert_eq!(t.selected_entry().unwrap().row.name, "b");
    assert!(
        !t.handle(&Action::ClickRow(2), rows, &keys),
        "clicks above the rows are ignored"
    );
    t.set_filter("a");
    assert_eq!(names(&t), vec!["a"]);
    assert_eq!(t.selected(), 0);
}

#[test]
fn offset_keeps_the_selection_in_view() {
    let mut t = LiveTable::<NodeRow>::default();
    let names: Vec<String> = (0..50).map(|i| format!("n{i:02}")).collect();
    let specs: Vec<NodeSpec> = names
        .iter()
        .map(|n| NodeSpec {
            name: n,
            ..Default::default()
        })
        .collect();
    t.sync(&snap(&specs), Instant::now());
    assert_eq!(t.offset(10), 0);
    t.select(25);
    assert_eq!(t.offset(10), 16);
    assert_eq!(t.offset(0), 0);
    t.move_by(1000);
    assert_eq!(t.selected(), 49);
    t.move_by(-1000);
    assert_eq!(t.selected(), 0);
}

#[test]
fn ticks_do_nothing_until_a_flash_or_lingering_row_is_due() {
    let t0 = Instant::now();
    let mut t = LiveTable::<NodeRow>::default();
    // A new version that shows differently (a version that shows the same does not flash).
    let a = |rv| NodeSpec {
        name: "a",
        rv,
        ready: Some(if rv > 1 { "False" } else { "True" }),
        ..Default::default()
    };
    let b = NodeSpec {
        name: "b",
        ..Default::default()
    };
    t.sync(&snap(&[a(1), b.clone()]), t0);
    assert!(!t.tick(t0 + LINGER * 2), "nothing flashes: ticks are free");
    // a changes, b goes.
    assert!(t.sync(&snap(&[a(2)]), t0));
    assert!(t.animating());
    assert!(!t.tick(t0 + FLASH - Duration::from_millis(1)));
    assert!(t.get("a").unwrap().flash.is_some());
    // The change's flash ends first; the deleted row still lingers.
    assert!(t.tick(t0 + FLASH));
    assert!(t.get("a").unwrap().flash.is_none());
    assert_eq!(names(&t), vec!["a", "b"]);
    assert!(t.animating());
    assert!(t.tick(t0 + LINGER));
    assert_eq!(names(&t), vec!["a"]);
    assert!(!t.animating());
}

/// Rows moved into place one by one (a few changed per sync) end in the same order as a table
/// that sorted everything afresh, through changes, additions, deletions, filters, sorts and
/// the lingering rows' removal; and the selection stays on its row.
#[test]
fn repositioning_changed_rows_matches_a_full_sort() {
    let statuses = [Some("True"), Some("False"), Some("Unknown"), None];
    let ips: Vec<String> = (0..40).map(|i| format!("10.0.{}.{}", i % 7, i)).collect();
    let names: Vec<String> = (0..300).map(|i| format!("node-{i:03}")).collect();
    // A small deterministic generator: the test must fail the same way every run.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut specs: Vec<NodeSpec> = names
        .iter()
        .enumerate()
        .map(|(i, n)| NodeSpec {
            name: n,
            ip: &ips[i % ips.len()],
            ready: statuses[i % 4],
            rv: 1,
            ..Default::default()
        })
        .collect();
    let t0 = Instant::now();
    let rows = Rect::new(0, 5, 80, 10);
    let keys = ['N', 'S', 'R', 'A', 'V', 'H', 'O', 'I', 'T'];
    let mut live = LiveTable::<NodeRow>::default();
    live.sync(&snap(&specs), t0);
    for step in 0..200u64 {
        let now = t0 + Duration::from_millis(step * 400);
        // A few rows change status or address; now and then one goes or comes back.
        for _ in 0..=next(4) {
            let i = next(specs.len() as u64) as usize;
            specs[i].ready = statuses[next(4) as usize];
            specs[i].ip = &ips[next(ips.len() as u64) as usize];
            specs[i].rv += 1;
        }
        let mut shown: Vec<NodeSpec> = specs.clone();
        if next(3) == 0 {
            shown.remove(next(shown.len() as u64) as usize);
        }
        match next(20) {
            0 => assert!(live.handle(&Action::SortBy(keys[next(9) as usize]), rows, &keys)),
            1 => live.set_filter(["", "node-1", "NotReady", "10.0.3"][next(4) as usize]),
            2 => live.select(next(live.len() as u64 + 1) as usize),
            _ => {}
        }
        let selected = live.selected_entry().map(|e| e.key.clone());
        live.sync(&snap(&shown), now);
        // The same table sorted afresh: same entries, same filter and sort.
        let mut fresh = LiveTable::<NodeRow> {
            entries: Vec::new(),
            ..Default::default()
        };
        fresh.filter = live.filter.clone();
        fresh.sort = live.sort;
        for e in &live.entries {
            fresh.entries.push(Entry {
                key: e.key.clone(),
                row: NodeRow::from_obj(&e.obj),
                obj: e.obj.clone(),
                flash: None,
                deleted_at: None,
            });
        }
        fresh.rebuild();
        assert_eq!(live.visible, fresh.visible, "step {step}");
        if let Some(k) = selected
            && live
                .get(&k)
                .is_some_and(|e| fresh.visible.iter().any(|i| fresh.entries[*i].key == e.key))
        {
            assert_eq!(
                live.selected_entry().map(|e| e.key.clone()),
                Some(k),
                "step {step}: the selection stays on its row"
            );
        }
    }
}

/// A new version that shows the same (a heartbeat) neither flashes nor counts as a change,
/// unless it is the selected row (its details read the object); a change off screen is a
/// change of rows but not of what the viewport shows.
#[test]
fn heartbeats_and_changes_off_screen_draw_nothing() {
    let names: Vec<String> = (0..100).map(|i| format!("node-{i:03}")).collect();
    let mut specs = named_specs(&names);
    let t0 = Instant::now();
    let mut t = LiveTable::<NodeRow>::default();
    let mut objs = snap(&specs);
    assert!(t.sync(&objs, t0));
    // A render with 10 rows: node-000..node-009 are on screen.
    assert_eq!(t.offset(10), 0);
    let bump = |specs: &mut Vec<NodeSpec>, objs: &mut Vec<_>, i: usize, ready| {
        specs[i].rv += 1;
        specs[i].ready = ready;
        objs[i] = Arc::new(node(&specs[i]));
    };
    // Heartbeat of an off-selection row: nothing to draw, no flash.
    bump(&mut specs, &mut objs, 5, Some("True"));
    assert!(!t.sync(&objs, t0));
    assert!(t.get("node-005").unwrap().flash.is_none());
    assert_eq!(
        t.get("node-005").unwrap().obj.metadata.resource_version,
        objs[5].metadata.resource_version,
        "the entry holds the newest object"
    );
    // Heartbeat of the selected row: its details may show it.
    bump(&mut specs, &mut objs, 0, Some("True"));
    assert!(t.sync(&objs, t0));
    assert!(t.shown_changed());
    // A real change off screen: rows changed, the viewport did not.
    bump(&mut specs, &mut objs, 90, Some("False"));
    assert!(t.sync(&objs, t0));
    assert!(!t.shown_changed());
    assert_eq!(t.get("node-090").unwrap().row.status(), "NotReady");
    // Its flash ending is not drawn either.
    let later = t0 + FLASH + Duration::from_millis(1);
    assert!(t.tick(later));
    assert!(!t.shown_changed());
    // A change on screen is.
    bump(&mut specs, &mut objs, 3, Some("False"));
    assert!(t.sync(&objs, later));
    assert!(t.shown_changed());
    // A row deleted off screen lingers there: the viewport shows the same (the Nodes pane's
    // summary says the count changed, see `node_summary_changes_are_drawn`).
    objs.remove(95);
    assert!(t.sync(&objs, later));
    assert!(!t.shown_changed());
    // When it goes for good, the number of rows passing the filter changes.
    let gone = later + LINGER + Duration::from_millis(1);
    assert!(t.tick(gone));
    assert!(t.shown_changed());
}

/// The store hands out the same `Arc` for an unchanged object and may reorder its snapshot
/// (a rehash): position hints must never match the wrong entry.
#[test]
fn position_hints_survive_reordering_and_removals() {
    let names: Vec<String> = (0..60).map(|i| format!("node-{i:02}")).collect();
    let statuses = [Some("True"), Some("False"), Some("Unknown")];
    let mut specs = named_specs(&names);
    let mut objs = snap(&specs);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let t0 = Instant::now();
    let mut t = LiveTable::<NodeRow>::default();
    t.sync(&objs, t0);
    for step in 0..300u64 {
        let now = t0 + Duration::from_millis(step * 1000);
        let i = next(specs.len() as u64) as usize;
        specs[i].rv += 1;
        specs[i].ready = statuses[next(3) as usize];
        objs[i] = Arc::new(node(&specs[i]));
        let mut shown: Vec<_> = objs.clone();
        if next(2) == 0 {
            // Rotate: every position now holds another object.
            let k = next(shown.len() as u64) as usize;
            shown.rotate_left(k);
        }
        if next(4) == 0 {
            shown.remove(next(shown.len() as u64) as usize);
        }
        t.sync(&shown, now);
        for o in &shown {
            let name = o.metadata.name.clone().unwrap_or_default();
            let e = t.get(&name).expect("every object has its entry");
            assert!(
                Arc::ptr_eq(&e.obj, o),
                "step {step}: {name} holds its newest object"
            );
            assert_eq!(e.row, NodeRow::from_obj(o), "step {step}: {name}");
            assert!(e.deleted_at.is_none(), "step {step}: {name} is not deleted");
        }
        assert_eq!(t.live_rows().count(), shown.len(), "step {step}");
    }
}
