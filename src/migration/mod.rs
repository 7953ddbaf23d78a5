//! Pure live-migration readiness models for KubeVirt node pools (facts §2.6, §4).
//!
//! - [`lm_message`]: parse `KubeVirtNodesLiveMigratable` into per-machine rows.

pub mod lm_message;
