//! The Nodes pane's details and YAML views over a lean cached node: the whole object is
//! fetched when a view opens, and the view says so until it arrives.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;

use super::NodesPane;
use super::details::LOADING;
use super::fixtures::{NodeSpec, named_specs, node};
use crate::fetched::{Fetch, FetchResult, FetchedNode};
use crate::panes::{Documents, Pane};
use crate::watch::kind::strip_node;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap_or_default()
}

fn whole() -> k8s_openapi::api::core::v1::Node {
    node(&NodeSpec {
        name: "worker-0",
        ..Default::default()
    })
}

/// A pane whose store holds the lean copy of `worker-0`.
fn pane() -> NodesPane {
    let mut lean = whole();
    strip_node(&mut lean);
    let mut p = NodesPane::default();
    p.view.apply(&[Arc::new(lean)], Instant::now());
    p
}

fn text(p: &NodesPane) -> String {
    p.details("worker-0", now())
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn got(node: Result<Arc<k8s_openapi::api::core::v1::Node>, String>) -> FetchResult {
    FetchResult::Node(FetchedNode {
        name: "worker-0".into(),
        node,
    })
}

#[test]
fn details_show_the_loading_note_until_the_whole_node_arrives() {
    let mut p = pane();
    let want = Some(Fetch::Node {
        name: "worker-0".into(),
    });
    assert_eq!(p.details_fetch("worker-0"), want);
    assert_eq!(p.yaml_fetch("worker-0"), want);
    p.doc_opened("worker-0");
    let before = text(&p);
    assert!(before.starts_with(LOADING), "{before}");
    assert!(
        before.contains("InternalIP") && before.contains("Kubelet"),
        "{before}"
    );
    assert!(
        !before.contains("Kernel") && !before.contains("7500m"),
        "{before}"
    );
    assert_eq!(p.yaml_note("worker-0").as_deref(), Some(LOADING));

    assert!(p.fetched(&got(Ok(Arc::new(whole())))));
    let after = text(&p);
    assert!(!after.contains(LOADING), "{after}");
    assert!(
        after.contains("Kernel") && after.contains("5.14.0"),
        "{after}"
    );
    assert!(after.contains("7500m") && after.contains("32Gi"), "{after}");
    assert_eq!(p.yaml_note("worker-0"), None);
    let yaml = p.object_json("worker-0").unwrap_or_default();
    assert_eq!(yaml["status"]["nodeInfo"]["kernelVersion"], "5.14.0");

    // Opening the view again starts over: the note shows until the new read arrives.
    p.doc_opened("worker-0");
    assert!(text(&p).starts_with(LOADING));
}

#[test]
fn a_failed_get_says_why_and_reads_for_other_views_are_dropped() {
    let mut p = pane();
    p.doc_opened("worker-0");
    // A read for another node (a view since replaced) changes nothing.
    assert!(!p.fetched(&FetchResult::Node(FetchedNode {
        name: "worker-9".into(),
        node: Ok(Arc::new(whole())),
    })));
    assert!(p.fetched(&got(Err("cannot read node worker-0: forbidden".into()))));
    let t = text(&p);
    assert!(
        t.starts_with("cannot read node worker-0: forbidden (showing what is cached)"),
        "{t}"
    );
    assert!(t.contains("InternalIP"), "{t}");
    let note = p.yaml_note("worker-0").unwrap_or_default();
    assert!(note.contains("forbidden"), "{note}");
    // Once a read succeeds the error goes.
    assert!(p.fetched(&got(Ok(Arc::new(whole())))));
    assert!(text(&p).starts_with("  Name"));
}

/// Off screen, a change is drawn only when the summary moves: a node going or turning
/// NotReady changes the counts; a new address of a node below the viewport changes nothing
/// shown.
#[test]
fn node_summary_changes_are_drawn() {
    let names: Vec<String> = (0..100).map(|i| format!("node-{i:03}")).collect();
    let mut specs = named_specs(&names);
    let mut objs: Vec<_> = specs.iter().map(|s| Arc::new(node(s))).collect();
    let t0 = Instant::now();
    let mut v = super::NodesView::default();
    assert!(v.apply(&objs, t0));
    v.table.offset(10);
    specs[90].ip = "10.9.9.9";
    specs[90].rv += 1;
    objs[90] = Arc::new(node(&specs[90]));
    assert!(!v.apply(&objs, t0), "a new address below the viewport");
    specs[91].ready = Some("False");
    specs[91].rv += 1;
    objs[91] = Arc::new(node(&specs[91]));
    assert!(v.apply(&objs, t0), "one more NotReady node");
    assert_eq!(v.summary.ready, 99);
    objs.remove(95);
    assert!(v.apply(&objs, t0), "one node fewer");
    assert_eq!(v.summary.total, 99);
}
