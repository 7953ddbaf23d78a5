//! Pure live-migration readiness models for KubeVirt node pools (facts §2.6, §4).
//!
//! - [`storage`]: StorageClass/StorageProfile catalog (which classes offer ReadWriteMany).
//! - [`readiness`]: per node pool / hosted cluster readiness, cross-checks and remedies.
//! - [`maintenance`]: infra-node maintenance report (VMIs by cluster/pool, drained guest nodes, verdict).
//! - [`guest_pdbs`]: guest PodDisruptionBudgets that could block draining those guest nodes.
//! - [`request`]: VirtualMachineInstanceMigration body, "migrate all" refusals, migration progress.
//! - [`inputs`]: one snapshot of every kind above (from the watch stores or one list per kind).
//! - [`actions`]: the maintenance keys and their RBAC questions (the writes run in the one write
//!   pipeline, `actions::node`).
//!
//! Inputs are the management (infra) cluster's objects as `serde_json::Value`: NodePools and
//! HostedClusters, VMIs (`kubevirt.io/v1`), PVCs, StorageClasses and CDI StorageProfiles, and
//! VirtualMachineInstanceMigrations. Wiring sketch (pure except `api.*`):
//!
//! ```text
//! let storage = storage::StorageCatalog::new(&storage_classes, &storage_profiles);
//! let inp = readiness::ReadinessInputs { vmis: &vmis, pvcs: &pvcs, storage: &storage };
//! let rows = readiness::readiness_rows(&node_pools, &inp);            // `get readiness`
//! let hc = readiness::ClusterReadiness::new(&hc, &node_pools, &inp);  // hc.summary()
//! let rep = maintenance::MaintenanceReport::new(&node, &vmis, &hcs);  // `get readiness --node`
//! println!("{}", rep.verdict());                                      // rep.rows() for the table
//! let plan = request::plan_migrate_all(&node, &vmis, &migrations);    // plan.refused shown
//! for body in plan.requests { api.create_vmim(&body) }                // POST in the VMI namespace
//! let p = request::MigrationProgress::of(&vmim);                      // p.line()
//! ```

pub mod actions;
pub mod guest_pdbs;
pub mod inputs;
pub mod maintenance;
pub mod readiness;
pub mod request;
pub mod storage;
