//! Overview count rows, each linking to the pane that shows the items.

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::flavor::{Pane, str_at};
use super::nodes::{NodeGroup, NodeSummary};
use crate::csr::checks::{self, Inputs, NodeLookup};
use crate::csr::decode::DecodeCache;
use crate::csr::state::{CsrState, csr_state};
use crate::fetched::Fetched;
use crate::wizard::preflight::{self, Check, Status};

/// One count on the overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub label: &'static str,
    /// The number, or the state (`forbidden`, `not run`) when it cannot be counted.
    pub value: String,
    /// Break-down, e.g. `amd64/linux 9 (9 ready), arm64/linux 2 (2 ready)`.
    pub detail: String,
    /// The pane that lists the items; see [`Pane::id`].
    pub pane: Pane,
    /// Something needs the admin's attention (not ready nodes, failing CSRs, ...).
    pub attention: bool,
}

fn unavailable<T>(label: &'static str, f: &Fetched<T>, pane: Pane) -> CountRow {
    CountRow {
        label,
        value: match f {
            Fetched::Forbidden(_) => "forbidden".to_string(),
            Fetched::Failed(_) => "error".to_string(),
            _ => "-".to_string(),
        },
        detail: f.state_label(),
        pane,
        attention: matches!(f, Fetched::Failed(_)),
    }
}

/// `Nodes  11 (10 ready)  amd64/linux 9 (9 ready), arm64/linux 2 (1 ready)`.
pub fn nodes_row(nodes: &Fetched<Vec<NodeSummary>>, groups: &[NodeGroup]) -> CountRow {
    let Some(list) = nodes.get() else {
        return unavailable("Nodes", nodes, Pane::Nodes);
    };
    let ready = list.iter().filter(|n| n.ready).count();
    let detail = groups
        .iter()
        .map(|g| format!("{}/{} {} ({} ready)", g.arch, g.os, g.total, g.ready))
        .collect::<Vec<_>>()
        .join(", ");
    CountRow {
        label: "Nodes",
        value: format!("{} ({ready} ready)", list.len()),
        detail,
        pane: Pane::Nodes,
        attention: ready < list.len(),
    }
}

/// Pending CSRs and how many fail shiftdeck's checks ([`crate::csr::checks::validate_all`]).
/// `cache` keeps decoded requests between builds (pass the same one each time).
pub fn csr_row(
    csrs: &Fetched<Vec<std::sync::Arc<CertificateSigningRequest>>>,
    nodes: &dyn NodeLookup,
    machines: Option<&crate::csr::machines::MachineIndex>,
    now: Timestamp,
    cache: &mut DecodeCache,
) -> CountRow {
    let Some(all) = csrs.get() else {
        return unavailable("Pending CSRs", csrs, Pane::Csr);
    };
    let pending: Vec<CertificateSigningRequest> = all
        .iter()
        .filter(|c| csr_state(c) == CsrState::Pending)
        .map(|c| c.as_ref().clone())
        .collect();
    let inputs = Inputs {
        nodes,
        machines,
        now,
    };
    let failing = checks::validate_all(&pending, cache, &inputs)
        .iter()
        .filter(|v| !v.passed_all())
        .count();
    cache.retain_live(all);
    CountRow {
        label: "Pending CSRs",
        value: pending.len().to_string(),
        detail: format!("{failing} of {} fail the checks", pending.len()),
        pane: Pane::Csr,
        attention: !pending.is_empty(),
    }
}

/// HostedCluster progress: `status.version.history[0].state` (Completed / Partial), else
/// `Unknown`.
pub fn hc_progress(hc: &Value) -> String {
    hc.pointer("/status/version/history/0/state")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("Unknown")
        .to_string()
}

pub fn hosted_clusters_row(hcs: &Fetched<Vec<Value>>) -> CountRow {
    let Some(list) = hcs.get() else {
        return unavailable("Hosted clusters", hcs, Pane::HostedClusters);
    };
    let mut by: std::collections::BTreeMap<String, usize> = Default::default();
    for hc in list {
        *by.entry(hc_progress(hc)).or_default() += 1;
    }
    let not_done = list.len() - by.get("Completed").copied().unwrap_or(0);
    CountRow {
        label: "Hosted clusters",
        value: list.len().to_string(),
        detail: by
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        pane: Pane::HostedClusters,
        attention: not_done > 0,
    }
}

/// NodePools whose `spec.replicas` differs from `status.replicas` (autoscaled pools without
/// `spec.replicas` are not counted).
pub fn node_pools_row(nps: &Fetched<Vec<Value>>) -> CountRow {
    let Some(list) = nps.get() else {
        return unavailable("Node pools scaling", nps, Pane::NodePools);
    };
    let scaling: Vec<String> = list
        .iter()
        .filter_map(|np| {
            let desired = np.pointer("/spec/replicas").and_then(Value::as_i64)?;
            let current = np
                .pointer("/status/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            (desired != current).then(|| {
                format!(
                    "{} {current}/{desired}",
                    str_at(np, "/metadata/name").unwrap_or_default()
                )
            })
        })
        .collect();
    CountRow {
        label: "Node pools scaling",
        value: scaling.len().to_string(),
        detail: if scaling.is_empty() {
            format!("{} pools, all at their desired size", list.len())
        } else {
            scaling.join(", ")
        },
        pane: Pane::NodePools,
        attention: false,
    }
}

/// What the Overview keeps of the DataVolumes: counts by phase. A snapshot of 10,000 of them
/// as JSON trees, even cut to their phase, held about 20 MB, and a pane could pin an old one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DvCounts {
    pub total: usize,
    /// `status.phase` not `Succeeded`.
    pub in_flight: usize,
    pub failed: usize,
}

impl DvCounts {
    /// Counts of the given phases (`None`: no phase yet, which is in flight).
    pub fn of_phases<'a>(phases: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut c = DvCounts::default();
        for p in phases {
            c.total += 1;
            c.in_flight += usize::from(p != Some("Succeeded"));
            c.failed += usize::from(p == Some("Failed"));
        }
        c
    }

    /// Counts of listed DataVolume objects.
    pub fn of_values(list: &[Value]) -> Self {
        let phases: Vec<Option<String>> = list.iter().map(|d| str_at(d, "/status/phase")).collect();
        Self::of_phases(phases.iter().map(Option::as_deref))
    }
}

/// DataVolumes whose `status.phase` is not `Succeeded`.
pub fn copies_row(dvs: &Fetched<DvCounts>) -> CountRow {
    let Some(c) = dvs.get() else {
        return unavailable("Copies in flight", dvs, Pane::Copy);
    };
    CountRow {
        label: "Copies in flight",
        value: c.in_flight.to_string(),
        detail: format!("{} DataVolumes, {} failed", c.total, c.failed),
        pane: Pane::Copy,
        attention: c.failed > 0,
    }
}

/// Failures of the HCP-on-KubeVirt preflight ([`crate::wizard::preflight::run`], the same checks
/// `:preflight` and `shiftdeck get preflight` show), naming the failing checks. They need the
/// admin's attention only on a cluster that hosts control planes (serves HyperShift); elsewhere
/// they say what is missing before it could. `None`: not run (not OpenShift).
pub fn preflight_row(checks: Option<&[Check]>, hosts_control_planes: bool) -> CountRow {
    let Some(checks) = checks else {
        return CountRow {
            label: "Preflight failures",
            value: "-".to_string(),
            detail: "not run".to_string(),
            pane: Pane::Preflight,
            attention: false,
        };
    };
    let failing = preflight::blocking(checks);
    let warnings = checks.iter().filter(|c| c.status == Status::Warn).count();
    let detail = if failing.is_empty() {
        format!(
            "all {} HCP-on-KubeVirt checks pass, {warnings} warning(s)",
            checks.len()
        )
    } else if hosts_control_planes {
        let ids: Vec<&str> = failing.iter().map(|c| c.id).collect();
        format!(
            "{} of {} HCP-on-KubeVirt checks fail: {}",
            failing.len(),
            checks.len(),
            ids.join(", ")
        )
    } else {
        format!(
            "HyperShift not installed; {} of {} HCP-on-KubeVirt checks unmet",
            failing.len(),
            checks.len()
        )
    };
    CountRow {
        label: "Preflight failures",
        value: failing.len().to_string(),
        detail,
        pane: Pane::Preflight,
        attention: hosts_control_planes && !failing.is_empty(),
    }
}

#[cfg(test)]
mod dv_counts_tests {
    use super::*;

    /// The Copies row counts what is not Succeeded (no phase yet included) and the failures,
    /// the same from phases read off the store as from listed objects.
    #[test]
    fn copies_row_from_counts() {
        let listed: Vec<Value> = [
            Some("Succeeded"),
            Some("Failed"),
            None,
            Some("ImportInProgress"),
            Some("Succeeded"),
        ]
        .iter()
        .map(|p| match p {
            Some(p) => serde_json::json!({"metadata": {"name": "d"}, "status": {"phase": p}}),
            None => serde_json::json!({"metadata": {"name": "d"}}),
        })
        .collect();
        let c = DvCounts::of_values(&listed);
        assert_eq!(
            c,
            DvCounts {
                total: 5,
                in_flight: 3,
                failed: 1
            }
        );
        assert_eq!(
            DvCounts::of_phases([
                Some("Succeeded"),
                Some("Failed"),
                None,
                Some("ImportInProgress"),
                Some("Succeeded")
            ]),
            c
        );
        let row = copies_row(&Fetched::Present(c));
        assert_eq!(row.value, "3");
        assert_eq!(row.detail, "5 DataVolumes, 1 failed");
        assert!(row.attention);
        assert_eq!(
            copies_row(&Fetched::<DvCounts>::NotServed).value,
            copies_row(&Fetched::<Vec<Value>>::NotServed.map(|v| DvCounts::of_values(&v))).value
        );
    }
}
