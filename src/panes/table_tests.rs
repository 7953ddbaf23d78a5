use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::panes::nodes::fixtures::{NodeSpec, node};
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
    let a = |rv| NodeSpec {
        name: "a",
        rv,
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
