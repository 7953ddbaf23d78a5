//! Node pools table: `oc get nodepools -A` parity (facts §2.4) plus platform, KubeVirt sizing and
//! the live-migratable badge.

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::conditions::{ConditionView, Health, Owner, condition_views};
use super::pipeline::{PipelineInputs, ScalingProgress, scaling_progress};

use super::lm_message::LmState;
use super::util::{
    TableRow, arr_at, cell, condition_field, i64_at, int_cell, name, namespace, str_at,
};

/// KubeVirt sizing of a node pool (`spec.platform.kubevirt`); fields are as written, `None` when
/// absent (the CRD defaults are 2 cores, 8Gi, 32Gi).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeVirtSpec {
    /// `compute.cores`.
    pub cores: Option<i64>,
    /// `compute.memory` quantity.
    pub memory: Option<String>,
    /// `rootVolume.persistent.size` quantity.
    pub root_size: Option<String>,
    /// `rootVolume.persistent.storageClass`.
    pub storage_class: Option<String>,
    /// `rootVolume.persistent.accessModes`.
    pub access_modes: Vec<String>,
    /// `hostDevices[].deviceName`.
    pub host_devices: Vec<String>,
}

impl KubeVirtSpec {
    /// Reads `spec.platform.kubevirt`; `None` when the pool is not KubeVirt.
    pub fn of(pool: &Value) -> Option<Self> {
        let kv = pool.pointer("/spec/platform/kubevirt")?;
        let s = |p: &str| str_at(kv, p).map(str::to_string);
        let strings = |p: &str, field: Option<&str>| {
            arr_at(kv, p)
                .iter()
                .filter_map(|v| match field {
                    Some(f) => v.get(f).and_then(Value::as_str),
                    None => v.as_str(),
                })
                .map(str::to_string)
                .collect()
        };
        Some(KubeVirtSpec {
            cores: i64_at(kv, "/compute/cores"),
            memory: s("/compute/memory"),
            root_size: s("/rootVolume/persistent/size"),
            storage_class: s("/rootVolume/persistent/storageClass"),
            access_modes: strings("/rootVolume/persistent/accessModes", None),
            host_devices: strings("/hostDevices", Some("deviceName")),
        })
    }

    /// Whether the root volume asks for `ReadWriteMany`.
    pub fn root_rwx(&self) -> bool {
        self.access_modes.iter().any(|m| m == "ReadWriteMany")
    }
}

/// One row of the node pools table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePoolRow {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.clusterName`.
    pub cluster: String,
    /// `spec.replicas` (absent with autoscaling).
    pub desired: Option<i64>,
    /// `status.replicas`.
    pub current: Option<i64>,
    /// `AutoscalingEnabled` status.
    pub autoscaling: String,
    /// `AutorepairEnabled` status.
    pub autorepair: String,
    /// `status.version`.
    pub version: String,
    /// `UpdatingVersion` status.
    pub updating_version: String,
    /// `UpdatingConfig` status.
    pub updating_config: String,
    /// `Ready` message.
    pub message: String,
    /// `spec.platform.type`.
    pub platform: String,
    /// KubeVirt sizing (None for other platforms).
    pub kubevirt: Option<KubeVirtSpec>,
    /// `KubeVirtNodesLiveMigratable`.
    pub live_migratable: LmState,
    /// `spec.autoScaling.{min,max}`.
    pub autoscaling_range: Option<(i64, i64)>,
}

impl NodePoolRow {
    /// Builds the row from a NodePool.
    pub fn new(pool: &Value) -> Self {
        let s = |x: Option<&str>| x.unwrap_or("").to_string();
        let c = |t: &str, f: &str| s(condition_field(pool, t, f));
        NodePoolRow {
            namespace: namespace(pool).to_string(),
            name: name(pool).to_string(),
            cluster: s(str_at(pool, "/spec/clusterName")),
            desired: i64_at(pool, "/spec/replicas"),
            current: i64_at(pool, "/status/replicas"),
            autoscaling: c("AutoscalingEnabled", "status"),
            autorepair: c("AutorepairEnabled", "status"),
            version: s(str_at(pool, "/status/version")),
            updating_version: c("UpdatingVersion", "status"),
            updating_config: c("UpdatingConfig", "status"),
            // HyperShift tears a deleting pool's machines down before it goes: say so.
            message: if super::util::is_deleting(pool) {
                "Deleting: its machines are being torn down".to_string()
            } else {
                c("Ready", "message")
            },
            platform: s(str_at(pool, "/spec/platform/type")),
            kubevirt: KubeVirtSpec::of(pool),
            live_migratable: LmState::of(pool),
            autoscaling_range: i64_at(pool, "/spec/autoScaling/min")
                .zip(i64_at(pool, "/spec/autoScaling/max")),
        }
    }
}

/// Rows for all node pools, sorted by namespace, cluster, name.
pub fn node_pool_rows(pools: &[Value]) -> Vec<NodePoolRow> {
    let mut rows: Vec<_> = pools.iter().map(NodePoolRow::new).collect();
    rows.sort_by(|a, b| {
        (&a.namespace, &a.cluster, &a.name).cmp(&(&b.namespace, &b.cluster, &b.name))
    });
    rows
}

impl TableRow for NodePoolRow {
    const HEADERS: &'static [&'static str] = &[
        "NAMESPACE",
        "NAME",
        "CLUSTER",
        "DESIRED NODES",
        "CURRENT NODES",
        "AUTOSCALING",
        "AUTOREPAIR",
        "VERSION",
        "UPDATINGVERSION",
        "UPDATINGCONFIG",
        "MESSAGE",
        "PLATFORM",
        "CORES",
        "MEMORY",
        "ROOT VOLUME",
        "STORAGECLASS",
        "LIVEMIGRATABLE",
    ];
    fn cells(&self) -> Vec<String> {
        let kv = self.kubevirt.clone().unwrap_or_default();
        vec![
            cell(&self.namespace),
            cell(&self.name),
            cell(&self.cluster),
            int_cell(self.desired),
            int_cell(self.current),
            cell(&self.autoscaling),
            cell(&self.autorepair),
            cell(&self.version),
            cell(&self.updating_version),
            cell(&self.updating_config),
            cell(&self.message),
            cell(&self.platform),
            int_cell(kv.cores),
            cell(kv.memory.as_deref().unwrap_or("")),
            cell(kv.root_size.as_deref().unwrap_or("")),
            cell(kv.storage_class.as_deref().unwrap_or("")),
            self.live_migratable.badge(),
        ]
    }
}

/// Everything the node pool details view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodePoolDetails {
    /// The table row.
    pub row: NodePoolRow,
    /// Conditions judged with the NodePool polarity table.
    pub conditions: Vec<ConditionView>,
    /// The scaling in progress (desired ≠ current), with per-machine pipelines.
    pub scaling: Option<ScalingProgress>,
}

impl NodePoolDetails {
    /// Builds the details from a NodePool, the KubeVirt chain objects and `now`.
    pub fn new(pool: &Value, chain: &PipelineInputs<'_>, now: Timestamp) -> Self {
        NodePoolDetails {
            row: NodePoolRow::new(pool),
            conditions: condition_views(Owner::NodePool, pool),
            scaling: scaling_progress(pool, chain, now),
        }
    }

    /// The conditions that need attention.
    pub fn unhealthy(&self) -> impl Iterator<Item = &ConditionView> {
        self.conditions
            .iter()
            .filter(|c| c.health == Health::Unhealthy)
    }
}

#[cfg(test)]
#[path = "nodepool_tests.rs"]
mod tests;
