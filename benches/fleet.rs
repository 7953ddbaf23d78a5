//! Hosted clusters and node pools at scale (issue 5), a plain bench binary:
//! `cargo bench --bench fleet`.
//!
//! The simulated hub with 200 extra hosted clusters and 1,000 extra node pools
//! (`--scale hostedclusters=200,nodepools=1000`), read once through the kube client into the
//! stores. Then, with churn (one node pool's status changes before every sync):
//! 1. a sync of every pane after the change (p50/p95);
//! 2. one frame of the Hosted clusters pane and of the Node pools pane at 200×60 (p50/p95).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::keymap::Keymap;
use shiftdeck::theme::Theme;
use shiftdeck::watch::dynamic::{HostedCluster, NodePool};
use shiftdeck::watch::{KindState, Stores, WatchMsg};
use shiftdeck_sim::{self as sim, SimOptions};
use support::{frames, ms, percentile};

async fn list(client: &kube::Client, kind: &str) -> Vec<Value> {
    let gvk = GroupVersionKind::gvk("hypershift.openshift.io", "v1beta1", kind);
    let ar = ApiResource::from_gvk(&gvk);
    kube::Api::<DynamicObject>::all_with(client.clone(), &ar)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|o| serde_json::to_value(o).unwrap())
        .collect()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (hcs, pools) = rt.block_on(async {
        let h = sim::start(SimOptions {
            live: false,
            scale: "hostedclusters=200,nodepools=1000".parse().unwrap(),
            ..Default::default()
        })
        .await
        .unwrap();
        let client = h.client().await.unwrap();
        let hcs = list(&client, "HostedCluster").await;
        let pools = list(&client, "NodePool").await;
        h.shutdown();
        (hcs, pools)
    });
    let (stores, mut w) = Stores::with_writers();
    w.hostedclusters.apply_watcher_event(&Event::Init);
    for v in &hcs {
        let hc = HostedCluster::from_value(v.clone()).expect("a HostedCluster");
        w.hostedclusters.apply_watcher_event(&Event::InitApply(hc));
    }
    w.hostedclusters.apply_watcher_event(&Event::InitDone);
    w.nodepools.apply_watcher_event(&Event::Init);
    for v in &pools {
        let np = NodePool::from_value(v.clone()).expect("a NodePool");
        w.nodepools.apply_watcher_event(&Event::InitApply(np));
    }
    w.nodepools.apply_watcher_event(&Event::InitDone);

    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(Timestamp::now(), Instant::now());
    app.connected(1, "bench", "https://bench.example:6443", stores);
    for kind in ["hostedclusters", "nodepools"] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    app.store_changed();

    // Churn: one pool's status moves before every sync, as a scaling pool's does.
    let mut syncs = Vec::new();
    for i in 0..200usize {
        let mut v = pools[i * 37 % pools.len()].clone();
        v["metadata"]["resourceVersion"] = json!(format!("9{i}000000"));
        v["status"]["replicas"] = json!(i % 3);
        let np = NodePool::from_value(v.clone()).expect("a NodePool");
        w.nodepools.apply_watcher_event(&Event::Apply(np));
        app.set_time(Timestamp::now(), Instant::now());
        let t = Instant::now();
        app.store_changed();
        syncs.push(t.elapsed());
    }
    let s50 = percentile(&mut syncs, 0.5);
    let s95 = percentile(&mut syncs, 0.95);

    app.update(Action::Resize(200, 60));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    app.update(Action::Command("hc".into()));
    let (hc50, hc95) = frames(&mut app, &mut terminal, 300);
    app.update(Action::Command("np".into()));
    let (np50, np95) = frames(&mut app, &mut terminal, 300);
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("Node pools"),
        "the node pools pane:\n{screen}"
    );

    println!(
        "{} hosted clusters, {} node pools (200 and 1,000 from --scale):",
        hcs.len(),
        pools.len()
    );
    println!(
        "  sync of every pane after one node pool changed: p50 {:.2} ms, p95 {:.2} ms",
        ms(s50),
        ms(s95)
    );
    println!(
        "  render 200x60: Hosted clusters p50 {:.3} ms, p95 {:.3} ms; Node pools p50 {:.3} ms, p95 {:.3} ms",
        ms(hc50),
        ms(hc95),
        ms(np50),
        ms(np95)
    );
}
