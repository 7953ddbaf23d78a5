//! The fleet and migration view models over a live simulated hub: during a scale-up the pipeline
//! walks Machine → VM → disk → VMI → Node in order on the objects the sim's controllers write and
//! the tracker reports the finished scaling; "migrate all" moves only migratable VMIs.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::SignedDuration;
use serde_json::{Value, json};
use shiftdeck::fleet::pipeline::{PipelineInputs, Stage, scaling_progress};
use shiftdeck::fleet::tracker::ScalingTracker;
use shiftdeck_sim::controllers::guest::guest;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::store::Store;
use shiftdeck_sim::{Profile, SimOptions};

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
    let h = shiftdeck_sim::start(opts).await.expect("sim starts");
    let s = h.store.clone();
    let pool = "example-extra-cpu";
    let mut tracker = ScalingTracker::new(SignedDuration::from_mins(30));
    tracker.observe(&list(&s, NP), s.clock().now());
    s.mutate_retry(by_key(NP), Some("clusters"), pool, true, |o| {
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
            list(&s, "machines.cluster.x-k8s.io"),
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
    assert!(done[0].total() > SignedDuration::ZERO);
    h.shutdown();
}

const VMIM: &str = "virtualmachineinstancemigrations.kubevirt.io";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_all_moves_migratable_vmis_and_refuses_the_rest() {
    use shiftdeck::migration::maintenance::{MaintenanceReport, infra_nodes};
    use shiftdeck::migration::request::{MigrationOutcome, MigrationProgress, plan_migrate_all};

    let opts = SimOptions {
        profile: Profile::Hub,
        live: false,
        speed: 200.0,
        seed: 7,
        ..SimOptions::default()
    };
    let h = shiftdeck_sim::start(opts).await.expect("sim starts");
    let s = h.store.clone();
    let vmis = list(&s, "virtualmachineinstances.kubevirt.io");
    let hcs = list(&s, "hostedclusters.hypershift.openshift.io");
    // The infra node with the most VMIs, some of them not migratable if possible.
    let node = infra_nodes(&vmis)
        .into_iter()
        .max_by_key(|n| {
            let r = MaintenanceReport::new(n, &vmis, &hcs);
            (r.drained_guest_nodes().len().min(1), r.vmis().count())
        })
        .expect("an infra node");
    let report = MaintenanceReport::new(&node, &vmis, &hcs);
    let plan = plan_migrate_all(&node, &vmis, &list(&s, VMIM));
    eprintln!(
        "{node}: {} to migrate, {} refused; {}",
        plan.requests.len(),
        plan.refused.len(),
        report.verdict()
    );
    assert_eq!(plan.refused.len(), report.drained_guest_nodes().len());
    assert!(!plan.requests.is_empty(), "{}", report.verdict());
    for body in &plan.requests {
        s.create(by_key(VMIM), body.clone(), false)
            .expect("create migration");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let progress = loop {
        let p: Vec<MigrationProgress> = list(&s, VMIM).iter().map(MigrationProgress::of).collect();
        if p.len() == plan.requests.len() && p.iter().all(MigrationProgress::finished) {
            break p;
        }
        assert!(
            Instant::now() < deadline,
            "migrations did not finish: {:?}",
            p.iter().map(|m| m.line()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for p in &progress {
        assert_eq!(p.outcome, MigrationOutcome::Succeeded, "{}", p.line());
        assert_eq!(p.source.as_deref(), Some(node.as_str()));
        assert!(p.target.as_deref().is_some_and(|t| t != node));
    }
    // Afterwards only the refused (non-migratable) VMIs remain on the node.
    let after = MaintenanceReport::new(
        &node,
        &list(&s, "virtualmachineinstances.kubevirt.io"),
        &hcs,
    );
    assert_eq!(after.vmis().count(), plan.refused.len());
    assert!(after.vmis().all(|v| v.will_restart()));
    h.shutdown();
}
