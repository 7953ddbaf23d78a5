//! Infra-node maintenance report: which hosted-cluster VMs run on an infra node, which of them can
//! live-migrate, which guest nodes would be drained (and their VMs restarted) instead, and a verdict.
//!
//! With `evictionStrategy: External`, draining an infra node makes CAPK drain the guest node of each
//! non-migratable VMI and then delete the VMI, so it restarts elsewhere (facts §4.1).

use std::collections::BTreeMap;

use serde_json::Value;

use super::readiness::{NODEPOOL_NAME_LABEL, vmi_live_migratable};
use crate::fleet::hosted_details::control_plane_namespace;
use crate::fleet::util::{TableRow, arr_at, cell, label, name, namespace, str_at};

/// One VMI on the infra node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmiOnNode {
    /// VMI name (= VM = guest node name).
    pub name: String,
    /// VMI namespace.
    pub namespace: String,
    /// Hosted cluster (name, or the best guess).
    pub cluster: String,
    /// Node pool (or `(unknown)`).
    pub pool: String,
    /// `LiveMigratable` condition (None when missing).
    pub migratable: Option<bool>,
    /// Reason when not migratable.
    pub reason: String,
    /// Message when not migratable.
    pub message: String,
}

impl VmiOnNode {
    /// Whether it will restart instead of migrating (missing condition counts as restart).
    pub fn will_restart(&self) -> bool {
        self.migratable != Some(true)
    }

    /// The guest node drained before the restart (CAPK names nodes after the VM).
    pub fn guest_node(&self) -> &str {
        &self.name
    }
}

/// Which hosted cluster a VMI belongs to: a HostedCluster whose control-plane namespace or external
/// infra namespace is the VMI's namespace, or whose `spec.infraID` is the VMI's
/// `cluster.x-k8s.io/cluster-name` / `hypershift.openshift.io/infra-id` label; else the namespace
/// without its `clusters-` prefix.
pub fn owning_cluster(vmi: &Value, hcs: &[Value]) -> String {
    let ns = namespace(vmi);
    let infra = label(vmi, "hypershift.openshift.io/infra-id")
        .or_else(|| label(vmi, "cluster.x-k8s.io/cluster-name"));
    hcs.iter()
        .find(|hc| {
            control_plane_namespace(hc) == ns
                || str_at(hc, "/spec/platform/kubevirt/credentials/infraNamespace") == Some(ns)
                || (infra.is_some() && str_at(hc, "/spec/infraID") == infra)
        })
        .map(|hc| name(hc).to_string())
        .unwrap_or_else(|| ns.strip_prefix("clusters-").unwrap_or(ns).to_string())
}

fn pool_label(o: &Value) -> Option<&str> {
    label(o, NODEPOOL_NAME_LABEL).or_else(|| label(o, "hypershift.openshift.io/nodePool"))
}

/// The node pool of a VMI: label `hypershift.openshift.io/nodepool-name`, else
/// `hypershift.openshift.io/nodePool`, else the same labels on its owning VirtualMachine (found in
/// `vms` by owner reference, or by name), else `(unknown)`.
pub fn owning_pool(vmi: &Value, vms: &[Value]) -> String {
    let owner = arr_at(vmi, "/metadata/ownerReferences")
        .iter()
        .find(|o| o.get("kind").and_then(Value::as_str) == Some("VirtualMachine"))
        .and_then(|o| o.get("name").and_then(Value::as_str))
        .unwrap_or_else(|| name(vmi));
    let vm = vms
        .iter()
        .find(|v| name(v) == owner && namespace(v) == namespace(vmi));
    pool_label(vmi)
        .or_else(|| vm.and_then(pool_label))
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_else(|| "(unknown)".into())
}

/// The report for one infra node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceReport {
    /// Infra node name.
    pub node: String,
    /// VMIs grouped by (hosted cluster, node pool), each group sorted by name.
    pub groups: BTreeMap<(String, String), Vec<VmiOnNode>>,
}

impl MaintenanceReport {
    /// Builds the report from all VMIs (only those with `status.nodeName == node` are kept) and
    /// the HostedClusters (to name owners; may be empty).
    pub fn new(node: &str, vmis: &[Value], hcs: &[Value]) -> Self {
        Self::with_vms(node, vmis, &[], hcs)
    }

    /// Like [`MaintenanceReport::new`], also reading node pools from the VirtualMachines that own
    /// unlabeled VMIs.
    pub fn with_vms(node: &str, vmis: &[Value], vms: &[Value], hcs: &[Value]) -> Self {
        let mut groups: BTreeMap<(String, String), Vec<VmiOnNode>> = BTreeMap::new();
        for v in vmis
            .iter()
            .filter(|v| str_at(v, "/status/nodeName") == Some(node))
        {
            let lm = vmi_live_migratable(v);
            let (ok, reason, message) = match lm {
                Some((true, _, _)) => (Some(true), String::new(), String::new()),
                Some((false, r, m)) => (Some(false), r, m),
                None => (None, "NoLiveMigratableCondition".into(), String::new()),
            };
            let entry = VmiOnNode {
                name: name(v).to_string(),
                namespace: namespace(v).to_string(),
                cluster: owning_cluster(v, hcs),
                pool: owning_pool(v, vms),
                migratable: ok,
                reason,
                message,
            };
            groups
                .entry((entry.cluster.clone(), entry.pool.clone()))
                .or_default()
                .push(entry);
        }
        for g in groups.values_mut() {
            g.sort_by(|a, b| a.name.cmp(&b.name));
        }
        MaintenanceReport {
            node: node.to_string(),
            groups,
        }
    }

    /// All VMIs, grouped order.
    pub fn vmis(&self) -> impl Iterator<Item = &VmiOnNode> {
        self.groups.values().flatten()
    }

    /// Guest nodes that would be drained (their VMs restart), sorted.
    pub fn drained_guest_nodes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .vmis()
            .filter(|v| v.will_restart())
            .map(VmiOnNode::guest_node)
            .collect();
        v.sort_unstable();
        v
    }

    /// Whether every VM can live-migrate.
    pub fn safe(&self) -> bool {
        self.vmis().all(|v| !v.will_restart())
    }

    /// The verdict in words.
    pub fn verdict(&self) -> String {
        let total = self.vmis().count();
        if total == 0 {
            return format!("safe: no hosted-cluster VMs run on {}", self.node);
        }
        if self.safe() {
            return format!("safe: all {total} VMs can live-migrate");
        }
        let restart: Vec<String> = self
            .vmis()
            .filter(|v| v.will_restart())
            .map(|v| format!("{} ({}/{}: {})", v.name, v.cluster, v.pool, v.reason))
            .collect();
        format!(
            "{} VMs will restart: {}; their guest nodes are drained first",
            restart.len(),
            restart.join(", ")
        )
    }

    /// Table rows for `shiftdeck get readiness --node NAME`.
    pub fn rows(&self) -> Vec<MaintenanceRow> {
        self.vmis().cloned().map(MaintenanceRow).collect()
    }
}

/// One VMI row of the maintenance table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceRow(pub VmiOnNode);

impl TableRow for MaintenanceRow {
    const HEADERS: &'static [&'static str] = &[
        "CLUSTER",
        "NODEPOOL",
        "VMI",
        "MIGRATABLE",
        "REASON",
        "DRAINED GUEST NODE",
    ];
    fn cells(&self) -> Vec<String> {
        let v = &self.0;
        vec![
            cell(&v.cluster),
            cell(&v.pool),
            cell(&v.name),
            match v.migratable {
                Some(true) => "yes",
                Some(false) => "no",
                None => "unknown",
            }
            .to_string(),
            cell(&v.reason),
            if v.will_restart() {
                cell(v.guest_node())
            } else {
                String::new()
            },
        ]
    }
}

/// Whether a VMI has a migration under way (`status.migrationState` without completed/failed).
pub fn migrating(vmi: &Value) -> bool {
    vmi.pointer("/status/migrationState").is_some_and(|m| {
        m.get("completed").and_then(Value::as_bool) != Some(true)
            && m.get("failed").and_then(Value::as_bool) != Some(true)
    })
}

/// Infra nodes hosting at least one VMI, sorted (to offer in a node picker).
pub fn infra_nodes(vmis: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = vmis
        .iter()
        .filter_map(|v| str_at(v, "/status/nodeName"))
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Interfaces' IPs of a VMI (handy in the details panel).
pub fn vmi_ips(vmi: &Value) -> Vec<String> {
    arr_at(vmi, "/status/interfaces")
        .iter()
        .filter_map(|i| i.get("ipAddress").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
#[path = "maintenance_tests.rs"]
mod tests;
