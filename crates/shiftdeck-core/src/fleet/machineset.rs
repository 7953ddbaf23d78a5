//! MachineSets table (`machine.openshift.io/v1beta1`): `oc get machinesets` parity (NAME, DESIRED,
//! CURRENT, READY, AVAILABLE, AGE; READY/AVAILABLE are blank when the API omits a zero) plus OS,
//! architecture and the set's machines.
//!
//! OS: Windows when the template label `machine.openshift.io/os-id` is `Windows` (that label, not the
//! name, identifies Windows MachineSets). ARCH: the `kubernetes.io/arch` labels of the machines'
//! nodes, else guessed from the provider spec (Azure image or `vmSize` with `p` feature letter, AWS
//! Graviton instance families like `m6g`/`c7g`, GCP `t2a`/`c4a`).

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::util::{TableRow, age, cell, i64_at, int_cell, label, name, namespace, str_at};

/// Template label naming the OS of a MachineSet's machines.
pub const OS_ID_LABEL: &str = "machine.openshift.io/os-id";
/// Label linking Machines to their MachineSet.
pub const MACHINESET_LABEL: &str = "machine.openshift.io/cluster-api-machineset";

/// One Machine of a MachineSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineItem {
    /// Machine name.
    pub name: String,
    /// `status.phase` (`Provisioning`, `Provisioned`, `Running`, `Deleting`, `Failed`).
    pub phase: String,
    /// `status.nodeRef.name`.
    pub node: Option<String>,
    /// The node's `kubernetes.io/arch`.
    pub arch: Option<String>,
}

/// One row of the MachineSets table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineSetRow {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.replicas`.
    pub desired: Option<i64>,
    /// `status.replicas`.
    pub current: Option<i64>,
    /// `status.readyReplicas`.
    pub ready: Option<i64>,
    /// `status.availableReplicas`.
    pub available: Option<i64>,
    /// kubectl-style age.
    pub age: String,
    /// `Windows` or `Linux`.
    pub os: String,
    /// `amd64`, `arm64`, several comma-joined, or empty when unknown.
    pub arch: String,
    /// The set's machines, by name.
    pub machines: Vec<MachineItem>,
}

/// Azure `vmSize` → architecture: `Standard_<family><vCPUs><features>_v<N>`; a `p` among the
/// lower-case feature letters means Ampere ARM (`Standard_D8ps_v5`, `Standard_E4pds_v5`).
pub fn azure_vm_size_arch(size: &str) -> Option<&'static str> {
    let rest = size.strip_prefix("Standard_")?;
    let head = rest.split('_').next()?;
    let after_digits = head.trim_start_matches(|c: char| c.is_ascii_uppercase());
    let features = after_digits.trim_start_matches(|c: char| c.is_ascii_digit());
    if after_digits.len() == features.len() {
        return None; // no vCPU count: not the usual pattern
    }
    Some(if features.contains('p') {
        "arm64"
    } else {
        "amd64"
    })
}

/// AWS instance type → architecture: Graviton families carry a `g` after the generation digit
/// (`m6g`, `c7gn`, `r6gd`, `t4g`, `im4gn`), and `a1` is arm64; `g4dn` (GPU) is not.
pub fn aws_instance_arch(instance: &str) -> Option<&'static str> {
    let family = instance.split('.').next()?.to_ascii_lowercase();
    if family == "a1" {
        return Some("arm64");
    }
    let digit = family.find(|c: char| c.is_ascii_digit())?;
    let suffix = family[digit..].trim_start_matches(|c: char| c.is_ascii_digit());
    Some(if suffix.contains('g') {
        "arm64"
    } else {
        "amd64"
    })
}

/// Guesses the architecture from `spec.template.spec.providerSpec.value`.
pub fn provider_arch(ms: &Value) -> Option<&'static str> {
    let pv = ms.pointer("/spec/template/spec/providerSpec/value")?;
    let s = |p: &str| str_at(pv, p);
    let image_text = [
        "/image/resourceID",
        "/image/sku",
        "/image/offer",
        "/image/id",
    ]
    .iter()
    .filter_map(|p| s(p))
    .collect::<Vec<_>>()
    .join(" ")
    .to_ascii_lowercase();
    if image_text.contains("arm64") || image_text.contains("aarch64") {
        return Some("arm64");
    }
    if let Some(a) = s("/vmSize").and_then(azure_vm_size_arch) {
        return Some(a);
    }
    if let Some(a) = s("/instanceType").and_then(aws_instance_arch) {
        return Some(a);
    }
    let gcp = s("/machineType")?;
    Some(if gcp.starts_with("t2a-") || gcp.starts_with("c4a-") {
        "arm64"
    } else {
        "amd64"
    })
}

/// Whether the MachineSet makes Windows machines.
pub fn is_windows(ms: &Value) -> bool {
    ms.pointer("/spec/template/metadata/labels")
        .and_then(|l| l.get(OS_ID_LABEL))
        .and_then(Value::as_str)
        == Some("Windows")
}

/// The Machines of a MachineSet: same namespace, and the set label or an owner reference to it.
pub fn machines_of_set<'a>(ms: &Value, machines: &'a [Value]) -> Vec<&'a Value> {
    machines
        .iter()
        .filter(|m| namespace(m) == namespace(ms))
        .filter(|m| {
            label(m, MACHINESET_LABEL) == Some(name(ms))
                || super::util::arr_at(m, "/metadata/ownerReferences")
                    .iter()
                    .any(|o| {
                        o.get("kind").and_then(Value::as_str) == Some("MachineSet")
                            && o.get("name").and_then(Value::as_str) == Some(name(ms))
                    })
        })
        .collect()
}

impl MachineSetRow {
    /// Builds the row from a MachineSet, all Machines and all Nodes.
    pub fn new(ms: &Value, machines: &[Value], nodes: &[Value], now: Timestamp) -> Self {
        let mut items: Vec<MachineItem> = machines_of_set(ms, machines)
            .into_iter()
            .map(|m| {
                let node = str_at(m, "/status/nodeRef/name").map(str::to_string);
                let arch = node
                    .as_deref()
                    .and_then(|n| nodes.iter().find(|x| name(x) == n))
                    .and_then(|n| label(n, "kubernetes.io/arch"))
                    .map(str::to_string);
                MachineItem {
                    name: name(m).to_string(),
                    phase: if super::util::is_deleting(m) {
                        "Deleting".to_string()
                    } else {
                        str_at(m, "/status/phase").unwrap_or("").to_string()
                    },
                    node,
                    arch,
                }
            })
            .collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        let mut archs: Vec<&str> = items.iter().filter_map(|m| m.arch.as_deref()).collect();
        archs.sort_unstable();
        archs.dedup();
        let arch = if archs.is_empty() {
            provider_arch(ms).unwrap_or("").to_string()
        } else {
            archs.join(",")
        };
        MachineSetRow {
            namespace: namespace(ms).to_string(),
            name: name(ms).to_string(),
            desired: i64_at(ms, "/spec/replicas"),
            current: i64_at(ms, "/status/replicas"),
            ready: i64_at(ms, "/status/readyReplicas"),
            available: i64_at(ms, "/status/availableReplicas"),
            age: age(ms, now),
            os: if is_windows(ms) { "Windows" } else { "Linux" }.to_string(),
            arch,
            machines: items,
        }
    }
}

/// Rows for all MachineSets, sorted by namespace then name (as `oc get` does).
pub fn machine_set_rows(
    sets: &[Value],
    machines: &[Value],
    nodes: &[Value],
    now: Timestamp,
) -> Vec<MachineSetRow> {
    let mut rows: Vec<_> = sets
        .iter()
        .map(|s| MachineSetRow::new(s, machines, nodes, now))
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    rows
}

impl TableRow for MachineSetRow {
    const HEADERS: &'static [&'static str] = &[
        "NAME",
        "DESIRED",
        "CURRENT",
        "READY",
        "AVAILABLE",
        "AGE",
        "OS",
        "ARCH",
        "MACHINES",
    ];
    fn cells(&self) -> Vec<String> {
        let machines = self
            .machines
            .iter()
            .map(|m| match &m.node {
                Some(n) if *n != m.name => format!("{} {} {n}", m.name, m.phase),
                _ => format!("{} {}", m.name, m.phase),
            })
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            cell(&self.name),
            int_cell(self.desired),
            int_cell(self.current),
            int_cell(self.ready),
            int_cell(self.available),
            cell(&self.age),
            cell(&self.os),
            cell(&self.arch),
            cell(&machines),
        ]
    }
}

#[cfg(test)]
#[path = "machineset_tests.rs"]
mod tests;
