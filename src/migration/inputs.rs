//! The objects the live-migration views read, taken once from the watch stores (UI) or from one
//! list per kind (`shiftdeck get readiness`), with the derived views built from them. Filling
//! them is I/O, so `from_lists` lives in `watch::migration_kinds` and the panes' store reads in
//! `watch::migration_memo`.

use serde_json::Value;

use super::maintenance::MaintenanceReport;
use super::readiness::{ClusterReadiness, ReadinessInputs, ReadinessRow, readiness_rows};
use super::request::MigrationProgress;
use super::storage::StorageCatalog;
use crate::fleet::util::{name, namespace, str_at};

/// One snapshot of every live-migration kind.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MigrationInputs {
    pub vmis: Vec<Value>,
    pub migrations: Vec<Value>,
    pub pvcs: Vec<Value>,
    pub storage_classes: Vec<Value>,
    pub storage_profiles: Vec<Value>,
    pub node_pools: Vec<Value>,
    pub hosted_clusters: Vec<Value>,
}

impl MigrationInputs {
    /// The storage catalog.
    pub fn storage(&self) -> StorageCatalog {
        StorageCatalog::new(&self.storage_classes, &self.storage_profiles)
    }

    /// One row per KubeVirt node pool, sorted by pool.
    pub fn readiness_rows(&self) -> Vec<ReadinessRow> {
        self.readiness_rows_of(&self.node_pools)
    }

    /// The rows of some of the node pools (the others' VMIs, PVCs and storage as here).
    pub fn readiness_rows_of<'p>(
        &self,
        pools: impl IntoIterator<Item = &'p Value>,
    ) -> Vec<ReadinessRow> {
        let storage = self.storage();
        let inp = ReadinessInputs {
            vmis: &self.vmis,
            pvcs: &self.pvcs,
            storage: &storage,
        };
        readiness_rows(pools, &inp)
    }

    /// Per hosted cluster (with KubeVirt pools), sorted by `namespace/name`.
    pub fn clusters(&self) -> Vec<ClusterReadiness> {
        let storage = self.storage();
        let inp = ReadinessInputs {
            vmis: &self.vmis,
            pvcs: &self.pvcs,
            storage: &storage,
        };
        let mut v: Vec<ClusterReadiness> = self
            .hosted_clusters
            .iter()
            .map(|hc| ClusterReadiness::new(hc, &self.node_pools, &inp))
            .filter(|c| !c.pools.is_empty())
            .collect();
        v.sort_by(|a, b| a.cluster.cmp(&b.cluster));
        v
    }

    /// The maintenance report of an infra node.
    pub fn maintenance(&self, node: &str) -> MaintenanceReport {
        MaintenanceReport::new(node, &self.vmis, &self.hosted_clusters)
    }

    /// Migrations concerning `node`: leaving it (source node), or not yet scheduled for a VMI that
    /// still runs there. Oldest first.
    pub fn migrations_from(&self, node: &str) -> Vec<MigrationProgress> {
        let mut v: Vec<(&str, MigrationProgress)> = self
            .migrations
            .iter()
            .filter(|m| {
                let p = MigrationProgress::of(m);
                match &p.source {
                    Some(s) => s == node,
                    None => self.vmis.iter().any(|v| {
                        name(v) == p.vmi
                            && namespace(v) == namespace(m)
                            && str_at(v, "/status/nodeName") == Some(node)
                    }),
                }
            })
            .map(|m| {
                (
                    str_at(m, "/metadata/creationTimestamp").unwrap_or(""),
                    MigrationProgress::of(m),
                )
            })
            .collect();
        v.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        v.into_iter().map(|(_, p)| p).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::migration::readiness::tests::vmi;

    fn vmim(name: &str, vmi: &str, created: &str, source: Option<&str>, phase: &str) -> Value {
        let mut m = json!({"metadata": {"name": name, "namespace": "clusters-user",
                                        "creationTimestamp": created},
                           "spec": {"vmiName": vmi}, "status": {"phase": phase}});
        if let Some(s) = source {
            m["status"]["migrationState"] = json!({"sourceNode": s, "targetNode": "infra-9"});
        }
        m
    }

    #[test]
    fn migrations_from_a_node_oldest_first_including_unscheduled_ones() {
        let inp = MigrationInputs {
            vmis: vec![
                vmi("a", "p", "infra-1", true),
                vmi("b", "p", "infra-2", true),
            ],
            migrations: vec![
                vmim("m3", "a", "2026-01-01T00:00:03Z", None, ""),
                vmim(
                    "m1",
                    "x",
                    "2026-01-01T00:00:01Z",
                    Some("infra-1"),
                    "Succeeded",
                ),
                vmim("m2", "b", "2026-01-01T00:00:02Z", None, "Pending"),
                vmim("m0", "y", "2026-01-01T00:00:00Z", Some("infra-2"), "Failed"),
            ],
            ..Default::default()
        };
        let names: Vec<String> = inp
            .migrations_from("infra-1")
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["m1", "m3"]);
        let lines: Vec<String> = inp
            .migrations_from("infra-1")
            .iter()
            .map(MigrationProgress::line)
            .collect();
        assert_eq!(lines, ["x: infra-1 → infra-9 Succeeded", "a: ? Pending"]);
    }

    #[test]
    fn from_lists_routes_by_kind_and_maintenance_uses_hosted_clusters() {
        use crate::watch::NODES;
        use crate::watch::migration_kinds::{HOSTED_CLUSTERS, VMIS};
        let inp = MigrationInputs::from_lists(vec![
            (VMIS, vec![vmi("user-np-a", "user-np", "infra-1", false)]),
            (
                HOSTED_CLUSTERS,
                vec![json!({"metadata": {"name": "user", "namespace": "clusters"}})],
            ),
            (NODES, vec![json!({})]),
        ]);
        assert_eq!(inp.vmis.len(), 1);
        assert_eq!(inp.hosted_clusters.len(), 1);
        let rep = inp.maintenance("infra-1");
        assert_eq!(rep.drained_guest_nodes(), ["user-np-a"]);
        assert!(
            rep.verdict()
                .starts_with("1 VMs will restart: user-np-a (user/user-np")
        );
    }

    #[test]
    fn migrate_all_dialog_lists_refused_vmis() {
        let vmis = vec![
            vmi("a", "p", "infra-1", true),
            vmi("b", "p", "infra-1", false),
        ];
        let plan = crate::migration::request::plan_migrate_all("infra-1", &vmis, &[]);
        let l = crate::migration::actions::migrate_all_lines("infra-1", &plan);
        assert_eq!(l[0], "Live-migrate 1 VMI(s) off infra-1:");
        assert_eq!(l[1], "  ✓ clusters-user/a");
        assert_eq!(
            l[2],
            "Not migrated (1), they stay and restart if the node is drained:"
        );
        assert!(l[3].starts_with("  ✗ b cannot live-migrate (DisksNotLiveMigratable)"));
    }
}
