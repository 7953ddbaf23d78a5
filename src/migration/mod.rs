//! Pure live-migration readiness models for KubeVirt node pools (facts §2.6, §4).
//!
//! - [`lm_message`]: parse `KubeVirtNodesLiveMigratable` into per-machine rows.
//! - [`storage`]: StorageClass/StorageProfile catalog (which classes offer ReadWriteMany).
//! - [`readiness`]: per node pool / hosted cluster readiness, cross-checks and remedies.
//! - [`maintenance`]: infra-node maintenance report (VMIs by cluster/pool, drained guest nodes, verdict).
//! - [`request`]: VirtualMachineInstanceMigration body, "migrate all" refusals, migration progress.

pub mod lm_message;
pub mod maintenance;
pub mod readiness;
pub mod request;
pub mod storage;
