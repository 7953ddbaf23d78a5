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
//! - [`machineset`]: `get machinesets` rows with OS (Windows label), ARCH and machines.
//! - [`scale`]: scale input parsing/validation, autoscaling refusal and min/max checks, scale bodies.
//! - [`pipeline`]: per-machine scaling pipeline (Machine → VM → disk → VMI → Node) with stuck detection.
//! - [`tracker`]: keeps recently finished scalings visible with their total time.

pub mod conditions;
pub mod hosted;
pub mod hosted_details;
pub mod machineset;
pub mod nodepool;
pub mod pipeline;
pub mod scale;
pub mod tracker;
pub mod util;

#[cfg(test)]
mod parity_tests;
