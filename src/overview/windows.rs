//! Windows nodes and WMCO health (seed 004): the operator's CSV phase, Subscription channel and
//! approval, a pending InstallPlan, presence (never contents) of the two Secrets, operator pods,
//! and how many Windows nodes WMCO has configured at its current version.

use k8s_openapi::api::core::v1::{Node, Pod};
use serde::Serialize;
use serde_json::Value;

use super::flavor::str_at;
use super::nodes::is_windows;
use crate::fetched::{Fetched, Presence};

pub const WMCO_NAMESPACE: &str = "openshift-windows-machine-config-operator";
pub const WMCO_PACKAGE: &str = "windows-machine-config-operator";
/// Node annotation WMCO sets to its version once it has configured the node.
pub const VERSION_ANNOTATION: &str = "windowsmachineconfig.openshift.io/version";
/// Secret names (namespace, name). Only their existence is ever read.
pub const CLOUD_PRIVATE_KEY: (&str, &str) = (WMCO_NAMESPACE, "cloud-private-key");
pub const WINDOWS_USER_DATA: (&str, &str) = ("openshift-machine-api", "windows-user-data");
/// Shown with upgrade progress.
pub const ONE_AT_A_TIME_NOTE: &str =
    "WMCO replaces one Windows machine at a time; the others keep running the old version";

/// What the WMCO view reads. Secrets are metadata-only reads: `Fetched<()>`.
#[derive(Clone, Debug, Default)]
pub struct WmcoInputs {
    /// CSVs in the WMCO namespace.
    pub csvs: Fetched<Vec<Value>>,
    pub subscriptions: Fetched<Vec<Value>>,
    pub install_plans: Fetched<Vec<Value>>,
    pub cloud_private_key: Fetched<()>,
    pub windows_user_data: Fetched<()>,
    /// Pods in the WMCO namespace.
    pub pods: Fetched<Vec<Pod>>,
}

/// One operator pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperatorPod {
    pub name: String,
    pub phase: String,
    pub ready: bool,
}

/// The WMCO view model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WmcoHealth {
    /// A WMCO CSV or Subscription exists.
    pub installed: bool,
    pub csv_name: Option<String>,
    /// CSV `spec.version`, e.g. `10.18.1`.
    pub version: Option<String>,
    /// CSV `status.phase`; healthy when `Succeeded`.
    pub csv_phase: Option<String>,
    pub channel: Option<String>,
    /// `Automatic` or `Manual`.
    pub install_plan_approval: Option<String>,
    /// InstallPlans with `spec.approved: false` (waiting for a human).
    pub pending_install_plans: Vec<String>,
    pub cloud_private_key: Presence,
    pub windows_user_data: Presence,
    /// `None` when the pods could not be read.
    pub operator_pods: Option<Vec<OperatorPod>>,
    pub windows_nodes: usize,
    /// Windows nodes whose version annotation matches the CSV version.
    pub nodes_on_version: usize,
    /// Windows nodes not on the version, with their annotation (`none` if not configured yet).
    pub nodes_behind: Vec<(String, String)>,
    /// Read problems, e.g. `subscriptions: forbidden`.
    pub notes: Vec<String>,
}

/// Whether a node's WMCO version annotation (`10.18.1-a1b2c3d-1`) is the CSV version (`10.18.1`).
pub fn on_version(annotation: &str, csv_version: &str) -> bool {
    annotation == csv_version
        || annotation
            .strip_prefix(csv_version)
            .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('+'))
}

fn is_wmco(v: &Value) -> bool {
    str_at(v, "/metadata/name").is_some_and(|n| n.starts_with(WMCO_PACKAGE))
        || str_at(v, "/spec/name").is_some_and(|n| n == WMCO_PACKAGE)
}

impl WmcoHealth {
    /// Builds the view from the inputs and all Nodes.
    pub fn build<N: std::borrow::Borrow<Node>>(inputs: &WmcoInputs, nodes: &[N]) -> Self {
        let mut notes = Vec::new();
        let mut list = |what: &str, f: &Fetched<Vec<Value>>| -> Vec<Value> {
            match f {
                Fetched::Present(v) => v.iter().filter(|o| is_wmco(o)).cloned().collect(),
                Fetched::NotServed => Vec::new(),
                other => {
                    notes.push(format!("{what}: {}", other.state_label()));
                    Vec::new()
                }
            }
        };
        let csvs = list("ClusterServiceVersions", &inputs.csvs);
        let subs = list("Subscriptions", &inputs.subscriptions);
        let plans: Vec<Value> = match &inputs.install_plans {
            Fetched::Present(v) => v.clone(),
            Fetched::NotServed => Vec::new(),
            other => {
                notes.push(format!("InstallPlans: {}", other.state_label()));
                Vec::new()
            }
        };
        let sub = subs.first();
        // Prefer the CSV the Subscription says is installed, else a Succeeded one, else any.
        let installed_csv = sub.and_then(|s| str_at(s, "/status/installedCSV"));
        let csv = csvs
            .iter()
            .find(|c| str_at(c, "/metadata/name") == installed_csv)
            .or_else(|| {
                csvs.iter()
                    .find(|c| str_at(c, "/status/phase").as_deref() == Some("Succeeded"))
            })
            .or_else(|| csvs.first());
        let version = csv.and_then(|c| str_at(c, "/spec/version"));
        let pending_install_plans = plans
            .iter()
            .filter(|p| p.pointer("/spec/approved").and_then(Value::as_bool) == Some(false))
            .filter(|p| {
                // Plans for WMCO, or with no CSV list to tell (the namespace is WMCO's own).
                p.pointer("/spec/clusterServiceVersionNames")
                    .and_then(Value::as_array)
                    .is_none_or(|names| {
                        names
                            .iter()
                            .any(|n| n.as_str().is_some_and(|n| n.starts_with(WMCO_PACKAGE)))
                    })
            })
            .filter_map(|p| str_at(p, "/metadata/name"))
            .collect();
        let operator_pods = match &inputs.pods {
            Fetched::Present(pods) => Some(
                pods.iter()
                    .map(|p| OperatorPod {
                        name: p.metadata.name.clone().unwrap_or_default(),
                        phase: p
                            .status
                            .as_ref()
                            .and_then(|s| s.phase.clone())
                            .unwrap_or_else(|| "Unknown".to_string()),
                        ready: super::health::pod_ready(p),
                    })
                    .collect(),
            ),
            Fetched::NotServed | Fetched::NotFound => Some(Vec::new()),
            other => {
                notes.push(format!("operator pods: {}", other.state_label()));
                None
            }
        };
        let windows: Vec<&Node> = nodes
            .iter()
            .map(|n| n.borrow())
            .filter(|n| is_windows(n))
            .collect();
        let mut nodes_on_version = 0;
        let mut nodes_behind = Vec::new();
        for n in &windows {
            let ann = n
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(VERSION_ANNOTATION))
                .cloned();
            let ok = matches!((&ann, &version), (Some(a), Some(v)) if on_version(a, v));
            if ok {
                nodes_on_version += 1;
            } else {
                nodes_behind.push((
                    n.metadata.name.clone().unwrap_or_default(),
                    ann.unwrap_or_else(|| "none".to_string()),
                ));
            }
        }
        WmcoHealth {
            installed: csv.is_some() || sub.is_some(),
            csv_name: csv.and_then(|c| str_at(c, "/metadata/name")),
            version,
            csv_phase: csv.and_then(|c| str_at(c, "/status/phase")),
            channel: sub.and_then(|s| str_at(s, "/spec/channel")),
            install_plan_approval: sub.and_then(|s| str_at(s, "/spec/installPlanApproval")),
            pending_install_plans,
            cloud_private_key: Presence::of(&inputs.cloud_private_key),
            windows_user_data: Presence::of(&inputs.windows_user_data),
            operator_pods,
            windows_nodes: windows.len(),
            nodes_on_version,
            nodes_behind,
            notes,
        }
    }

    /// Healthy: CSV Succeeded, both Secrets present, no pending InstallPlan, and at least one
    /// operator pod, all of them ready.
    pub fn healthy(&self) -> bool {
        self.csv_phase.as_deref() == Some("Succeeded")
            && self.cloud_private_key == Presence::Present
            && self.windows_user_data == Presence::Present
            && self.pending_install_plans.is_empty()
            && self
                .operator_pods
                .as_ref()
                .is_some_and(|p| !p.is_empty() && p.iter().all(|p| p.ready))
    }

    /// `n/m` Windows nodes on the WMCO version, with the one-at-a-time note while not all are.
    pub fn upgrade_progress(&self) -> String {
        let base = format!(
            "{}/{} Windows nodes on WMCO {}",
            self.nodes_on_version,
            self.windows_nodes,
            self.version.as_deref().unwrap_or("(version unknown)")
        );
        if self.nodes_on_version < self.windows_nodes {
            format!("{base}; {ONE_AT_A_TIME_NOTE}")
        } else {
            base
        }
    }

    /// Lines a view renders.
    pub fn lines(&self) -> Vec<String> {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_string());
        if !self.installed {
            let mut v = vec![format!(
                "WMCO: not installed ({} Windows nodes)",
                self.windows_nodes
            )];
            v.extend(self.notes.iter().map(|n| format!("  note: {n}")));
            return v;
        }
        let mut out = vec![
            format!(
                "WMCO {}: {}",
                or(&self.version),
                if self.healthy() {
                    "healthy"
                } else {
                    "needs attention"
                }
            ),
            format!("  CSV {} phase {}", or(&self.csv_name), or(&self.csv_phase)),
            format!(
                "  Subscription channel {}, installPlanApproval {}",
                or(&self.channel),
                or(&self.install_plan_approval)
            ),
        ];
        if self.pending_install_plans.is_empty() {
            out.push("  InstallPlans: none waiting for approval".to_string());
        } else {
            out.push(format!(
                "  InstallPlans waiting for approval: {}",
                self.pending_install_plans.join(", ")
            ));
        }
        out.push(format!(
            "  Secret {}/{}: {}",
            CLOUD_PRIVATE_KEY.0,
            CLOUD_PRIVATE_KEY.1,
            self.cloud_private_key.label()
        ));
        out.push(format!(
            "  Secret {}/{}: {}",
            WINDOWS_USER_DATA.0,
            WINDOWS_USER_DATA.1,
            self.windows_user_data.label()
        ));
        out.push(match &self.operator_pods {
            None => "  Operator pods: unknown".to_string(),
            Some(p) if p.is_empty() => "  Operator pods: none found".to_string(),
            Some(p) => format!(
                "  Operator pods: {}",
                p.iter()
                    .map(|p| format!(
                        "{} {}{}",
                        p.name,
                        p.phase,
                        if p.ready { "" } else { " (not ready)" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        out.push(format!("  {}", self.upgrade_progress()));
        for (n, v) in &self.nodes_behind {
            out.push(format!("    {n}: at {v}"));
        }
        out.extend(self.notes.iter().map(|n| format!("  note: {n}")));
        out
    }
}
