//! Steady background churn for `--scale` clusters, so watchers of big lists see a realistic
//! trickle of events:
//! - node heartbeats, a few per second;
//! - new pending kubelet CSRs (client CSRs of machines joining, serving CSRs of kubelets
//!   rotating their certificate);
//! - scaled hosted clusters starting and finishing upgrades (version history Partial ↔
//!   Completed, `Progressing` transitions);
//! - scaled node pools moving like an autoscaler drives them (desired within `autoScaling`,
//!   `status.replicas` and the `Ready`/`AllMachinesReady` conditions catching up);
//! - scaled DataVolume imports making progress, finishing, failing and being retried.
//!
//! Rates are in simulated time, so `--speed` scales them; which object changes and how comes
//! from one seeded generator per kind, so a `--seed` replays the same sequence. Each step is
//! one get and one update, and steps per tick are capped, so churn stays cheap at any scale.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::SimOptions;
use crate::resources::by_key;
use crate::scenario::csrs::{self, BadCsr};
use crate::scenario::hypershift::{self, HcPhase};
use crate::scenario::kubevirt::PoolInfo;
use crate::scenario::objects::{self, set_condition, str_at};
use crate::scenario::scale::{
    SCALE_DV_NS, scale_dv_name, scale_hc_name, scale_node_ip, scale_node_name, scale_nodepool,
    scale_pool_clusters, scale_pool_machines,
};
use crate::store::Store;

const HC: &str = "hostedclusters.hypershift.openshift.io";
const NP: &str = "nodepools.hypershift.openshift.io";
const DV: &str = "datavolumes.cdi.kubevirt.io";
const SCALE_HC_NS: &str = "clusters-scale";

/// Wall-clock pace of the churn loop.
const TICK: Duration = Duration::from_millis(100);
/// At most this many changes per kind per tick (200 a second), whatever the speed.
const MAX_STEPS_PER_TICK: u64 = 20;
/// Churn posts at most this many CSRs in a run, so a long fast demo stays bounded.
const MAX_NEW_CSRS: u64 = 2_000;

/// The kinds churn changes, besides node heartbeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChurnKind {
    Csrs,
    HostedClusters,
    NodePools,
    DataVolumes,
}

/// Churn state: one seeded generator per kind and what the simulated autoscaler aims at.
pub struct Churn {
    seed: u64,
    scale: crate::Scale,
    rngs: HashMap<ChurnKind, ChaCha8Rng>,
    csrs_posted: u64,
    /// Scaled pool index → (desired replicas, available replicas).
    pools: HashMap<usize, (i64, i64)>,
}

impl Churn {
    pub fn new(opts: &SimOptions) -> Churn {
        let served = |key: &str| by_key(key).served_in(opts.profile);
        let mut scale = opts.scale.clone();
        if !served(HC) {
            scale.hostedclusters = 0;
            scale.nodepools = 0;
        }
        if !served(DV) {
            scale.datavolumes = 0;
        }
        let rngs = [
            ChurnKind::Csrs,
            ChurnKind::HostedClusters,
            ChurnKind::NodePools,
            ChurnKind::DataVolumes,
        ]
        .into_iter()
        .map(|k| (k, objects::rng(opts.seed, &format!("churn/{k:?}"))))
        .collect();
        Churn {
            seed: opts.seed,
            scale,
            rngs,
            csrs_posted: 0,
            pools: HashMap::new(),
        }
    }

    /// Changes per simulated second for `kind` (0 when that kind is not scaled).
    pub fn rate(&self, kind: ChurnKind) -> f64 {
        let sc = &self.scale;
        match kind {
            // A machine joins or a kubelet rotates its certificate every ~20 s.
            ChurnKind::Csrs if sc.csrs > 0 => 0.05,
            // Each cluster starts or finishes an upgrade about every half hour.
            ChurnKind::HostedClusters if sc.hostedclusters > 0 => {
                (sc.hostedclusters as f64 / 1800.0).clamp(0.05, 2.0)
            }
            // Each pool moves about every 10 minutes.
            ChurnKind::NodePools if sc.nodepools > 0 => {
                (sc.nodepools as f64 / 600.0).clamp(0.1, 5.0)
            }
            // CDI reports import progress every few seconds per import.
            ChurnKind::DataVolumes if sc.datavolumes > 0 => {
                (sc.datavolumes as f64 / 100.0).clamp(0.5, 20.0)
            }
            _ => 0.0,
        }
    }

    fn rng(&mut self, kind: ChurnKind) -> &mut ChaCha8Rng {
        self.rngs
            .entry(kind)
            .or_insert_with(|| objects::rng(0, "churn"))
    }

    /// One change of `kind`. Objects that clients deleted or broke are skipped.
    pub fn step(&mut self, store: &Store, kind: ChurnKind) {
        match kind {
            ChurnKind::Csrs => self.step_csr(store),
            ChurnKind::HostedClusters => self.step_hc(store),
            ChurnKind::NodePools => self.step_np(store),
            ChurnKind::DataVolumes => self.step_dv(store),
        }
    }

    /// A joining machine's client CSR (two in three) or a serving CSR of a scaled node
    /// rotating its certificate; both pending. Every 25th is one an approver must refuse.
    fn step_csr(&mut self, store: &Store) {
        if self.csrs_posted >= MAX_NEW_CSRS {
            return;
        }
        let k = self.csrs_posted;
        self.csrs_posted += 1;
        let existing = self.scale.nodes.max(self.scale.csrs.div_ceil(2)).max(1);
        let rotate = self.rng(ChurnKind::Csrs).random_range(0..3u32) == 0;
        let bad = (k % 25 == 24).then_some(BadCsr::CnMismatch);
        let seed = self.seed;
        let _ = if rotate {
            let i = self.rng(ChurnKind::Csrs).random_range(0..existing);
            let node = scale_node_name(i);
            let ips: Vec<std::net::IpAddr> = scale_node_ip(i).parse().into_iter().collect();
            let bad = bad.map(|_| BadCsr::WrongSans);
            csrs::post_serving(store, seed, &node, &ips, bad)
        } else {
            // New machines get the next free scaled node names.
            let node = scale_node_name(existing + k as usize);
            csrs::post_client(store, seed, &node, bad)
        };
    }

    /// A scaled cluster starts an upgrade (history Partial, Progressing) or finishes one.
    fn step_hc(&mut self, store: &Store) {
        let n = self.scale.hostedclusters;
        let i = self.rng(ChurnKind::HostedClusters).random_range(0..n);
        let now = store.clock().now_rfc3339();
        let _ = store.mutate(
            by_key(HC),
            Some(SCALE_HC_NS),
            &scale_hc_name(i),
            false,
            |hc| {
                let state = str_at(hc, "/status/version/history/0/state").unwrap_or_default();
                if state == "Completed" {
                    hypershift::set_hc_status(hc, HcPhase::Partial, &now, &now);
                    set_condition(
                        hc,
                        "Progressing",
                        "True",
                        "Progressing",
                        "HostedCluster is deploying, upgrading, or reconfiguring",
                        &now,
                    );
                } else {
                    let started = str_at(hc, "/status/version/history/0/startedTime")
                        .unwrap_or(&now)
                        .to_string();
                    hypershift::set_hc_status(hc, HcPhase::Completed, &now, &started);
                }
                Ok(())
            },
        );
    }

    /// A scaled pool catches up one replica with what the autoscaler wants, or, when it has,
    /// the autoscaler wants something else within `spec.autoScaling`.
    fn step_np(&mut self, store: &Store) {
        let n = self.scale.nodepools;
        let i = self.rng(ChurnKind::NodePools).random_range(0..n);
        let (ns, clusters) = scale_pool_clusters(self.scale.hostedclusters);
        let (_, name) = scale_nodepool(i, &clusters);
        let res = by_key(NP);
        let Some(np) = store.get(res, Some(ns), &name) else {
            return;
        };
        let min = np
            .pointer("/spec/autoScaling/min")
            .and_then(Value::as_i64)
            .unwrap_or(1)
            .max(0);
        let max = np
            .pointer("/spec/autoScaling/max")
            .and_then(Value::as_i64)
            .unwrap_or(min)
            .max(min);
        let current = np
            .pointer("/status/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let (mut desired, mut available) = *self.pools.entry(i).or_insert((current, current));
        if available < desired {
            available += 1;
        } else if available > desired {
            available = desired;
        } else {
            let pick = self.rng(ChurnKind::NodePools).random_range(min..=max);
            desired = if pick != desired {
                pick
            } else if desired < max {
                desired + 1
            } else {
                (desired - 1).max(min)
            };
            available = available.min(desired);
        }
        self.pools.insert(i, (desired, available));
        let machines = scale_pool_machines(self.seed, &name, desired.max(0) as usize);
        let not_ready: Vec<String> = machines
            .iter()
            .skip(available.max(0) as usize)
            .cloned()
            .collect();
        let now = store.clock().now_rfc3339();
        let _ = store.mutate(res, Some(ns), &name, false, |o| {
            let mut pool = PoolInfo::from_objects(o, None);
            pool.replicas = desired;
            crate::scenario::nodepools::set_np_status_detail(
                o,
                &pool,
                &machines,
                available.max(0) as usize,
                &not_ready,
                &now,
            );
            Ok(())
        });
    }

    /// An import makes progress, finishes or fails; a failed one is retried; when the picks
    /// find nothing importing, a finished disk is imported again (its VM was re-provisioned).
    fn step_dv(&mut self, store: &Store) {
        let n = self.scale.datavolumes;
        let res = by_key(DV);
        let rng = self.rng(ChurnKind::DataVolumes);
        let mut picks = Vec::with_capacity(8);
        for _ in 0..8 {
            picks.push((rng.random_range(0..n), rng.random_range(2.0..15.0f64)));
        }
        let fails = rng.random_range(0..40u32) == 0;
        let now = store.clock().now_rfc3339();
        let phase_of = |i: usize| {
            store
                .get(res, Some(SCALE_DV_NS), &scale_dv_name(i))
                .and_then(|dv| str_at(&dv, "/status/phase").map(str::to_string))
        };
        let active = picks
            .iter()
            .copied()
            .find(|(i, _)| phase_of(*i).is_some_and(|p| p != "Succeeded"));
        let (i, step) = match active {
            Some(p) => p,
            None => picks[0],
        };
        let _ = store.mutate(res, Some(SCALE_DV_NS), &scale_dv_name(i), false, |dv| {
            let phase = str_at(dv, "/status/phase").unwrap_or_default().to_string();
            let progress = str_at(dv, "/status/progress")
                .and_then(|p| p.trim_end_matches('%').parse::<f64>().ok())
                .unwrap_or(0.0);
            let restarts = dv
                .pointer("/status/restartCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let (phase, progress, restarts) = match phase.as_str() {
                "ImportInProgress" if fails => ("Failed", "N/A".to_string(), restarts),
                "ImportInProgress" if progress + step >= 100.0 => {
                    ("Succeeded", "100.0%".to_string(), restarts)
                }
                "ImportInProgress" => (
                    "ImportInProgress",
                    format!("{:.2}%", progress + step),
                    restarts,
                ),
                "Failed" => ("ImportInProgress", "0.00%".to_string(), restarts + 1),
                "Succeeded" => ("ImportScheduled", "N/A".to_string(), 0),
                // ImportScheduled, or anything a client wrote.
                _ => ("ImportInProgress", format!("{step:.2}%"), restarts),
            };
            set_dv_status(dv, phase, &progress, restarts, &now);
            Ok(())
        });
    }
}

/// Phase, progress, restarts and the Bound/Ready/Running conditions of a DataVolume.
fn set_dv_status(dv: &mut Value, phase: &str, progress: &str, restarts: i64, now: &str) {
    let tf = |b: bool| if b { "True" } else { "False" };
    let want = [
        ("Bound", tf(phase != "ImportScheduled")),
        ("Ready", tf(phase == "Succeeded")),
        ("Running", tf(phase == "ImportInProgress")),
    ];
    let st = crate::store::ensure_object(dv, "status");
    st.insert("phase".into(), json!(phase));
    st.insert("progress".into(), json!(progress));
    st.insert("restartCount".into(), json!(restarts));
    if let Some(conds) = st.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conds.iter_mut().filter_map(Value::as_object_mut) {
            let t = c
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if let Some((_, s)) = want.iter().find(|(w, _)| *w == t) {
                if c.get("status").and_then(Value::as_str) != Some(s) {
                    c.insert("lastTransitionTime".into(), json!(now));
                }
                c.insert("status".into(), json!(s));
                c.insert("lastHeartbeatTime".into(), json!(now));
                if t == "Running" {
                    let reason = match phase {
                        "Succeeded" => "Completed",
                        "Failed" => "Error",
                        _ => "Pending",
                    };
                    c.insert("reason".into(), json!(reason));
                }
            }
        }
    }
}

/// Whether any kind is scaled (node heartbeats count).
pub fn wanted(opts: &SimOptions) -> bool {
    let s = &opts.scale;
    s.nodes + s.csrs + s.hostedclusters + s.nodepools + s.datavolumes > 0
}

pub async fn run(store: Arc<Store>, opts: SimOptions, shutdown: CancellationToken) {
    if opts.scale.nodes > 0 {
        tokio::spawn(heartbeats(
            store.clone(),
            opts.scale.nodes,
            shutdown.clone(),
        ));
    }
    let mut churn = Churn::new(&opts);
    let kinds = [
        ChurnKind::Csrs,
        ChurnKind::HostedClusters,
        ChurnKind::NodePools,
        ChurnKind::DataVolumes,
    ];
    let mut done: HashMap<ChurnKind, u64> = HashMap::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
        let t = store.clock().sim_elapsed().as_secs_f64();
        for kind in kinds {
            let due = (t * churn.rate(kind)) as u64;
            let d = done.entry(kind).or_insert(0);
            let steps = due.saturating_sub(*d).min(MAX_STEPS_PER_TICK);
            // Steps beyond the cap are dropped, not owed: the pace is capped, not the total.
            *d = due;
            for _ in 0..steps {
                churn.step(&store, kind);
            }
        }
    }
}

/// A few node heartbeats a second (wall-clock: it is background noise for big node lists).
async fn heartbeats(store: Arc<Store>, nodes: usize, shutdown: CancellationToken) {
    let mut i: usize = 0;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
        i = (i + 7919) % nodes;
        let name = scale_node_name(i);
        let now = store.clock().now_rfc3339();
        let _ = store.mutate(by_key("nodes"), None, &name, false, |n| {
            let ready = objects::condition_status(n, "Ready") == Some("True");
            objects::set_node_ready(n, ready, &now);
            Ok(())
        });
    }
}
