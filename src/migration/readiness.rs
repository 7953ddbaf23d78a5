//! Live-migration readiness per node pool and per hosted cluster: the `KubeVirtNodesLiveMigratable`
//! rows cross-checked with each VMI's `LiveMigratable` condition, its root volume PVC and the
//! storage capabilities, with a concrete remedy in words.
//!
//! Note (facts §2.6): the NodePool condition lists *all* KubevirtMachines of the control-plane
//! namespace, not only the pool's. When the pool's VMIs are known, rows are limited to them.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::storage::{RWX, StorageCatalog};
use crate::fleet::lm_message::{LmMachine, LmState};
use crate::fleet::nodepool::KubeVirtSpec;
use crate::fleet::util::{
    TableRow, arr_at, cell, condition, i64_at, label, name, namespace, str_at,
};

/// VMI label naming its NodePool (`hyperv1.NodePoolNameLabel`).
pub const NODEPOOL_NAME_LABEL: &str = "hypershift.openshift.io/nodepool-name";

/// A VMI's `LiveMigratable` condition: `(status == True, reason, message)`.
pub fn vmi_live_migratable(vmi: &Value) -> Option<(bool, String, String)> {
    let c = condition(vmi, "LiveMigratable")?;
    let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some((f("status") == "True", f("reason"), f("message")))
}

/// The root disk claim of a VMI: the `rhcos` volume's DataVolume / PVC name, else `<vmi>-rhcos`.
pub fn root_claim(vmi: &Value) -> String {
    arr_at(vmi, "/spec/volumes")
        .iter()
        .find(|v| v.get("name").and_then(Value::as_str) == Some("rhcos"))
        .and_then(|v| {
            str_at(v, "/dataVolume/name").or_else(|| str_at(v, "/persistentVolumeClaim/claimName"))
        })
        .map_or_else(|| format!("{}-rhcos", name(vmi)), str::to_string)
}

/// The namespace where a pool's VMs live: the external infra namespace when set, else the
/// control-plane namespace `<ns>-<clusterName>`.
pub fn vm_namespace(pool: &Value) -> String {
    str_at(pool, "/status/platform/kubeVirt/credentials/infraNamespace")
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{}-{}",
                namespace(pool),
                str_at(pool, "/spec/clusterName")
                    .unwrap_or("")
                    .replace('.', "-")
            )
        })
}

/// The VMIs by namespace and pool label and the PVCs by namespace and name, indexed once for a
/// set of pools: matching each pool against every VMI and PVC was 1,000 × 2,300 comparisons
/// per catch-up at fleet scale.
struct Lookup<'a> {
    vmis: HashMap<(&'a str, &'a str), Vec<&'a Value>>,
    pvcs: HashMap<(&'a str, &'a str), &'a Value>,
}

impl<'a> Lookup<'a> {
    fn new(inp: &ReadinessInputs<'a>) -> Self {
        let mut vmis: HashMap<(&str, &str), Vec<&Value>> = HashMap::new();
        for v in inp.vmis {
            if let Some(pool) = label(v, NODEPOOL_NAME_LABEL) {
                vmis.entry((namespace(v), pool)).or_default().push(v);
            }
        }
        let mut pvcs = HashMap::new();
        for p in inp.pvcs {
            // The first of duplicates, as a linear search would find.
            pvcs.entry((namespace(p), name(p))).or_insert(p);
        }
        Lookup { vmis, pvcs }
    }

    /// The VMIs of a pool (label [`NODEPOOL_NAME_LABEL`] in [`vm_namespace`]), in input order.
    fn vmis_of(&self, pool: &Value) -> Vec<&'a Value> {
        let ns = vm_namespace(pool);
        self.vmis
            .get(&(ns.as_str(), name(pool)))
            .cloned()
            .unwrap_or_default()
    }

    fn pvc(&self, ns: &str, pvc: &str) -> Option<&'a Value> {
        self.pvcs.get(&(ns, pvc)).copied()
    }
}

/// One non-migratable (or disputed) machine, cross-checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineCheck {
    /// Machine / VM / VMI name.
    pub machine: String,
    /// Reason from the NodePool condition line, else from the VMI.
    pub reason: String,
    /// Message from the condition line, else from the VMI.
    pub message: String,
    /// The VMI's `LiveMigratable` (None when the VMI or its condition is missing).
    pub vmi_migratable: Option<bool>,
    /// Root PVC name.
    pub pvc: String,
    /// Root PVC `spec.accessModes` (empty when the PVC is unknown).
    pub pvc_access_modes: Vec<String>,
    /// Root PVC `spec.storageClassName`.
    pub storage_class: Option<String>,
    /// Whether that class can give RWX (from its StorageProfile).
    pub class_supports_rwx: Option<bool>,
    /// The NodePool condition and the VMI disagree (stale condition or new VMI).
    pub disputed: bool,
}

/// Readiness of one node pool.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolReadiness {
    /// `<namespace>/<name>`.
    pub pool: String,
    /// `spec.clusterName`.
    pub cluster: String,
    /// Machines counted.
    pub total: usize,
    /// Migratable among them.
    pub migratable: usize,
    /// Non-migratable machines (and disputed ones).
    pub machines: Vec<MachineCheck>,
    /// Reason → count, sorted by reason.
    pub reasons: BTreeMap<String, usize>,
    /// Concrete remedies, one per reason.
    pub remedies: Vec<String>,
    /// The condition message was truncated (some machines may be missing).
    pub truncated: bool,
}

impl PoolReadiness {
    /// `n/m`.
    pub fn ratio(&self) -> String {
        format!("{}/{}", self.migratable, self.total)
    }

    /// True when every counted VM can live-migrate.
    pub fn all_migratable(&self) -> bool {
        self.migratable == self.total
    }
}

/// Objects the readiness is computed from.
#[derive(Clone, Copy, Debug)]
pub struct ReadinessInputs<'a> {
    /// All VMIs (matched to pools by label and namespace).
    pub vmis: &'a [Value],
    /// All PVCs.
    pub pvcs: &'a [Value],
    /// Storage classes and profiles.
    pub storage: &'a StorageCatalog,
}

fn check_machine(
    m: &LmMachine,
    vmi: Option<&Value>,
    ns: &str,
    inp: &ReadinessInputs<'_>,
    lookup: &Lookup<'_>,
) -> MachineCheck {
    let lm = vmi.and_then(vmi_live_migratable);
    let pvc_name = vmi.map_or_else(|| format!("{}-rhcos", m.machine), root_claim);
    let pvc = lookup.pvc(ns, &pvc_name);
    let storage_class = pvc
        .and_then(|p| str_at(p, "/spec/storageClassName"))
        .map(str::to_string);
    // A line cut by the message cap has an incomplete reason/message: take the VMI's.
    let (reason, message) = match (&lm, m.cut) {
        (Some((false, r, msg)), true) if !r.is_empty() => (r.clone(), msg.clone()),
        _ => (m.reason.clone(), m.message.clone()),
    };
    MachineCheck {
        machine: m.machine.clone(),
        reason,
        message,
        vmi_migratable: lm.as_ref().map(|l| l.0),
        pvc_access_modes: pvc
            .map(|p| {
                arr_at(p, "/spec/accessModes")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        class_supports_rwx: storage_class
            .as_deref()
            .and_then(|c| inp.storage.get(c))
            .and_then(|c| c.rwx()),
        storage_class,
        pvc: pvc_name,
        disputed: lm.is_some_and(|l| l.0),
    }
}

/// The remedy for one reason in a pool.
pub fn remedy(
    reason: &str,
    pool: &Value,
    checks: &[&MachineCheck],
    storage: &StorageCatalog,
) -> String {
    let kv = KubeVirtSpec::of(pool).unwrap_or_default();
    match reason {
        "DisksNotLiveMigratable" => {
            let class = checks
                .iter()
                .find_map(|c| c.storage_class.clone())
                .or(kv.storage_class.clone())
                .or_else(|| storage.default_class().map(|c| c.name.clone()));
            let class_txt = class.as_deref().map_or("the default class".to_string(), |c| format!("`{c}`"));
            let supports = class.as_deref().and_then(|c| storage.get(c)).and_then(|c| c.rwx());
            if supports == Some(true) {
                format!(
                    "root volumes use ReadWriteOnce on class {class_txt}, which offers ReadWriteMany: create a new node pool with \
                     root volume access mode ReadWriteMany on {class_txt} (also map the kubevirt-csi storage class to an RWX class), \
                     then move workloads and remove this pool"
                )
            } else if let Some(rwx) = storage.pick_rwx() {
                format!(
                    "root volumes use RWO class {class_txt}: create a new node pool with an RWX root volume storage class such as \
                     `{}` (access mode ReadWriteMany), then move workloads",
                    rwx.name
                )
            } else {
                format!(
                    "root volumes use RWO class {class_txt} and no storage class here offers {RWX}: install RWX-capable storage \
                     (e.g. OpenShift Data Foundation Ceph RBD), then create a new node pool on it and move workloads"
                )
            }
        }
        "HostDeviceNotLiveMigratable" => format!(
            "the pool passes host devices through ({}): these VMs cannot live-migrate; drain their guest nodes before infra \
             maintenance, or keep spare capacity in another pool",
            if kv.host_devices.is_empty() { "hostDevices".to_string() } else { kv.host_devices.join(", ") }
        ),
        "InterfaceNotLiveMigratable" => "a network interface cannot migrate: attach the default pod network with bridge \
             binding (HyperShift adds the allow-pod-bridge-network-live-migration annotation) or use migratable secondary networks"
            .to_string(),
        other => {
            let msg = checks.first().map(|c| c.message.as_str()).unwrap_or("");
            format!("KubeVirt reports {other}: {msg}").trim_end_matches([':', ' ']).to_string()
        }
    }
}

/// Readiness of one node pool.
pub fn pool_readiness(pool: &Value, inp: &ReadinessInputs<'_>) -> PoolReadiness {
    pool_readiness_in(pool, inp, &Lookup::new(inp))
}

fn pool_readiness_in(
    pool: &Value,
    inp: &ReadinessInputs<'_>,
    lookup: &Lookup<'_>,
) -> PoolReadiness {
    let ns = vm_namespace(pool);
    let vmis = lookup.vmis_of(pool);
    let state = LmState::of(pool);
    let (rows, truncated, header) = match &state {
        LmState::NotMigratable(r) => (
            r.machines.clone(),
            r.truncated,
            r.total.zip(r.not_migratable),
        ),
        _ => (Vec::new(), false, None),
    };
    let rows: Vec<LmMachine> = if vmis.is_empty() {
        rows
    } else {
        rows.into_iter()
            .filter(|m| vmis.iter().any(|v| name(v) == m.machine))
            .collect()
    };
    let mut machines: Vec<MachineCheck> = rows
        .iter()
        .map(|m| {
            check_machine(
                m,
                vmis.iter().find(|v| name(v) == m.machine).copied(),
                &ns,
                inp,
                lookup,
            )
        })
        .collect();
    // VMIs KubeVirt reports non-migratable that the condition does not list (yet).
    for v in &vmis {
        if let Some((false, reason, message)) = vmi_live_migratable(v)
            && !machines.iter().any(|m| m.machine == name(v))
        {
            let lm = LmMachine {
                machine: name(v).to_string(),
                known_reason: crate::fleet::lm_message::KNOWN_REASONS.contains(&reason.as_str()),
                cut: false,
                reason,
                message,
            };
            let mut c = check_machine(&lm, Some(v), &ns, inp, lookup);
            c.disputed = match &state {
                LmState::Migratable => true,
                LmState::NotMigratable(_) => !truncated,
                _ => false,
            };
            machines.push(c);
        }
    }
    machines.sort_by(|a, b| a.machine.cmp(&b.machine));
    let (total, migratable) = if vmis.is_empty() {
        match (&state, header) {
            (_, Some((m, n))) => (m as usize, (m.saturating_sub(n)) as usize),
            (LmState::Migratable, None) => {
                let r = i64_at(pool, "/status/replicas").unwrap_or(0).max(0) as usize;
                (r, r)
            }
            _ => (0, 0),
        }
    } else {
        let bad = vmis
            .iter()
            .filter(|v| {
                machines
                    .iter()
                    .any(|m| m.machine == name(v) && m.vmi_migratable != Some(true))
            })
            .count();
        (vmis.len(), vmis.len() - bad)
    };
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for m in machines.iter().filter(|m| m.vmi_migratable != Some(true)) {
        *reasons.entry(m.reason.clone()).or_default() += 1;
    }
    let remedies = reasons
        .keys()
        .map(|r| {
            let group: Vec<&MachineCheck> = machines.iter().filter(|m| &m.reason == r).collect();
            remedy(r, pool, &group, inp.storage)
        })
        .collect();
    PoolReadiness {
        pool: format!("{}/{}", namespace(pool), name(pool)),
        cluster: str_at(pool, "/spec/clusterName").unwrap_or("").to_string(),
        total,
        migratable,
        machines,
        reasons,
        remedies,
        truncated,
    }
}

/// Readiness of a hosted cluster: its pools' readiness summed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterReadiness {
    /// `<namespace>/<name>`.
    pub cluster: String,
    /// Sum over pools.
    pub total: usize,
    /// Sum over pools.
    pub migratable: usize,
    /// Reason → count over all pools.
    pub reasons: BTreeMap<String, usize>,
    /// Per pool.
    pub pools: Vec<PoolReadiness>,
}

impl ClusterReadiness {
    /// Builds it from a HostedCluster and all node pools.
    pub fn new(hc: &Value, pools: &[Value], inp: &ReadinessInputs<'_>) -> Self {
        let lookup = Lookup::new(inp);
        let pools: Vec<PoolReadiness> = crate::fleet::hosted::pools_of(hc, pools)
            .into_iter()
            .map(|p| pool_readiness_in(p, inp, &lookup))
            .collect();
        let mut reasons = BTreeMap::new();
        for (r, n) in pools.iter().flat_map(|p| &p.reasons) {
            *reasons.entry(r.clone()).or_default() += n;
        }
        ClusterReadiness {
            cluster: format!("{}/{}", namespace(hc), name(hc)),
            total: pools.iter().map(|p| p.total).sum(),
            migratable: pools.iter().map(|p| p.migratable).sum(),
            reasons,
            pools,
        }
    }

    /// Every pool's remedies, prefixed with the pool name.
    pub fn remedies(&self) -> Vec<String> {
        self.pools
            .iter()
            .flat_map(|p| p.remedies.iter().map(move |r| format!("{}: {r}", p.pool)))
            .collect()
    }

    /// Plain-words summary.
    pub fn summary(&self) -> String {
        if self.migratable == self.total {
            format!("all {} VMs can live-migrate", self.total)
        } else {
            let rs: Vec<String> = self
                .reasons
                .iter()
                .map(|(r, n)| format!("{r} ×{n}"))
                .collect();
            format!(
                "{}/{} VMs can live-migrate ({})",
                self.migratable,
                self.total,
                rs.join(", ")
            )
        }
    }
}

/// Rows for `shiftdeck get readiness`: one per KubeVirt node pool (other platforms skipped),
/// sorted by pool.
pub fn readiness_rows<'p>(
    pools: impl IntoIterator<Item = &'p Value>,
    inp: &ReadinessInputs<'_>,
) -> Vec<ReadinessRow> {
    let lookup = Lookup::new(inp);
    let mut rows: Vec<ReadinessRow> = pools
        .into_iter()
        .filter(|p| str_at(p, "/spec/platform/type") == Some("KubeVirt"))
        .map(|p| ReadinessRow(pool_readiness_in(p, inp, &lookup)))
        .collect();
    rows.sort_by(|a, b| a.0.pool.cmp(&b.0.pool));
    rows
}

/// `shiftdeck get readiness` row (one per node pool).
#[derive(Clone, Debug, PartialEq)]
pub struct ReadinessRow(pub PoolReadiness);

impl TableRow for ReadinessRow {
    const HEADERS: &'static [&'static str] =
        &["NODEPOOL", "CLUSTER", "MIGRATABLE", "REASONS", "REMEDY"];
    fn cells(&self) -> Vec<String> {
        let p = &self.0;
        let reasons: Vec<String> = p.reasons.iter().map(|(r, n)| format!("{r}×{n}")).collect();
        let mut ratio = p.ratio();
        if p.truncated {
            ratio.push_str(" (truncated)");
        }
        vec![
            cell(&p.pool),
            cell(&p.cluster),
            ratio,
            cell(&reasons.join(",")),
            cell(&p.remedies.join(" | ")),
        ]
    }
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
pub(crate) mod tests;
