//! The fleet view models over a live simulated scale-up: the pipeline walks Machine → VM → disk →
//! VMI → Node in order on the objects the sim's NodePool controller writes, and the tracker
//! reports the finished scaling.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;
use serde_json::{Value, json};
use shiftdeck::fleet::pipeline::{PipelineInputs, Stage, scaling_progress};
use shiftdeck::fleet::tracker::ScalingTracker;
use shiftdeck::sim::controllers::guest::guest;
use shiftdeck::sim::resources::by_key;
use shiftdeck::sim::store::Store;
use shiftdeck::sim::{Profile, SimOptions};

const NP: &str = "nodepools.hypershift.openshift.io";

fn list(store: &Store, key: &str) -> Vec<Value> {
    store
        .list(by_key(key), None)
        .0
        .into_iter()
        .map(|v| (*v).clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_up_pipeline_and_tracker() {
    let opts = SimOptions {
        profile: Profile::Hub,
        live: false,
        speed: 200.0,
        seed: 7,
        ..SimOptions::default()
    };
    let h = shiftdeck::sim::start(opts).await.expect("sim starts");
    let s = h.store.clone();
    let pool = "example-extra-cpu";
    let mut tracker = ScalingTracker::new(ChronoDuration::minutes(30));
    tracker.observe(&list(&s, NP), s.clock().now());
    s.mutate(by_key(NP), Some("clusters"), pool, true, |o| {
        o["spec"]["replicas"] = json!(1);
        Ok(())
    })
    .expect("scale");

    let mut seen: Vec<Stage> = Vec::new();
    let mut stuck = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = s.clock().now();
        let pools = list(&s, NP);
        tracker.observe(&pools, now);
        let np = pools
            .iter()
            .find(|p| p["metadata"]["name"] == pool)
            .expect("pool");
        let guest_nodes = guest(&s, "clusters", "example")
            .map(|g| list(&g.store, "nodes"))
            .unwrap_or_default();
        let (machines, vms, dvs, vmis) = (
            list(&s, "machines.machine.openshift.io"),
            list(&s, "virtualmachines.kubevirt.io"),
            list(&s, "datavolumes.cdi.kubevirt.io"),
            list(&s, "virtualmachineinstances.kubevirt.io"),
        );
        let chain = PipelineInputs {
            machines: &machines,
            vms: &vms,
            dvs: &dvs,
            vmis: &vmis,
            nodes: &guest_nodes,
        };
        match scaling_progress(np, &chain, now) {
            Some(p) => {
                for m in &p.machines {
                    let st = m.current().unwrap_or(Stage::NodeReady);
                    if seen.last() != Some(&st) {
                        seen.push(st);
                    }
                    stuck.extend(m.problems.iter().cloned());
                }
            }
            None if tracker.active("clusters/example-extra-cpu").is_none() && !seen.is_empty() => {
                break;
            }
            None => {}
        }
        assert!(
            Instant::now() < deadline,
            "scaling did not finish; stages seen {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("stages seen: {seen:?}");
    // Stages only move forward.
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert!(
        seen.contains(&Stage::RootDisk) || seen.contains(&Stage::VmiRunning),
        "{seen:?}"
    );
    assert!(stuck.is_empty(), "{stuck:?}");
    let done = tracker.recently_finished(s.clock().now());
    assert_eq!(done.len(), 1);
    assert_eq!(
        (done[0].key.as_str(), done[0].from, done[0].to),
        ("clusters/example-extra-cpu", 0, 1)
    );
    assert!(done[0].total() > ChronoDuration::zero());
    h.shutdown();
}
