//! Pure view models for the Hosted clusters, Node pools and MachineSets panes.
//!
//! Nothing here does terminal or network I/O: every function takes `serde_json::Value` objects as
//! a reflector store would hold them (all status fields optional) plus `now` where time matters.
//!
//! - [`util`]: field access, first-match conditions, durations, [`util::TableRow`] tables and JSON.
//! - [`conditions`]: condition polarity per type for HostedCluster and NodePool.
//! - [`hosted`]: `get hostedclusters` rows; admin kubeconfig Secret helper (redacted newtype).
//! - [`hosted_details`]: details view (conditions, history, control-plane pods, endpoints, apps
//!   ingress, why `Partial`).
//! - [`nodepool`]: `get nodepools` rows with KubeVirt sizing and the live-migratable badge.
//! - [`lm_message`]: parse `KubeVirtNodesLiveMigratable` into per-machine rows (the badge and
//!   the migration readiness both read it).
//! - [`machineset`]: `get machinesets` rows with OS (Windows label), ARCH and machines.
//! - [`scale`]: scale input parsing/validation, autoscaling refusal and min/max checks, scale bodies.
//! - [`scale_target`]: what a scale action works on (kind, object, machines).
//! - [`pipeline`]: per-machine scaling pipeline (Machine → VM → disk → VMI → Node) with stuck detection.
//! - [`tracker`]: keeps recently finished scalings visible with their total time.
//!
//! Wiring sketch for the panes and `shiftdeck get` (all calls are pure; `api.*` is the caller's I/O):
//!
//! ```text
//! // Hosted clusters pane / `get hostedclusters`
//! let rows = hosted::hosted_cluster_rows(&hcs, &node_pools);
//! let (headers, cells) = util::table(&rows);              // or util::rows_json(&rows) for -o json
//! let det = hosted_details::HostedClusterDetails::new(&hc, &node_pools, &pods, &services);
//! if let Some(r) = hosted::kubeconfig_ref(&hc) {           // Secret r.namespace/r.secret
//!     let kc = hosted::admin_kubeconfig(&hc, &api.get_secret(&r)?)?; // kc.expose() only when used
//! }
//! // Node pools pane / `get nodepools`
//! let rows = nodepool::node_pool_rows(&node_pools);
//! let chain = pipeline::PipelineInputs { machines: &capi_machines, vms: &vms, dvs: &dvs, vmis: &vmis, nodes: &guest_nodes };
//! let det = nodepool::NodePoolDetails::new(&pool, &chain, now);   // det.scaling: per-machine steps
//! tracker.observe(&node_pools, now);                               // on every store change
//! let done = tracker.recently_finished(now);                       // "scaled 2→5 in 9m"
//! // Scale action
//! match scale::plan_scale(&pool, &typed, &capi_machines) {
//!     Ok(plan) => api.patch_scale(name, &Patch::Merge(plan.body)),  // confirm plan.likely_removed first
//!     Err(scale::ScaleError::Autoscaling { .. }) => /* offer min/max: */ scale::validate_autoscaling(..),
//!     Err(e) => show(e.to_string()),
//! }
//! // MachineSets pane / `get machinesets`
//! let rows = machineset::machine_set_rows(&machinesets, &machines, &nodes, now);
//! let plan = scale::plan_machineset_scale(&ms, &typed, &machines)?;
//! ```
//!
//! Live-migration readiness lives in shiftdeck's `migration` module.

pub mod conditions;
pub mod hosted;
pub mod hosted_details;
pub mod lm_message;
pub mod machineset;
pub mod nodepool;
pub mod pipeline;
pub mod scale;
pub mod scale_target;
pub mod tracker;
pub mod util;

#[cfg(test)]
mod parity_tests;
