//! Hosted clusters table: `oc get hostedclusters -A` parity plus platform, node-pool count and
//! guest node counts, and the admin-kubeconfig Secret helper.
//!
//! Printer-column semantics (facts §1.5): server-side table conversion keeps the first JSONPath match,
//! so VERSION is the version of the first (newest) `Completed` history entry and PROGRESS is the state
//! of the first history entry with a non-empty state.

use std::fmt;

use base64::Engine as _;
use serde_json::Value;

use super::util::{TableRow, arr_at, cell, condition_field, i64_at, name, namespace, str_at};

/// One row of the hosted clusters table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedClusterRow {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// Newest `Completed` version (empty when none).
    pub version: String,
    /// `status.kubeconfig.name`.
    pub kubeconfig: String,
    /// `Completed` / `Partial` (empty when no history).
    pub progress: String,
    /// `Available` condition status.
    pub available: String,
    /// `Progressing` condition status.
    pub progressing: String,
    /// `Available` condition message.
    pub message: String,
    /// `spec.platform.type`.
    pub platform: String,
    /// Number of node pools whose `spec.clusterName` is this cluster (same namespace).
    pub node_pools: usize,
    /// Guest nodes ready, summed over the node pools (see [`pool_ready_nodes`]).
    pub nodes_ready: i64,
    /// Guest nodes desired, summed over the node pools (see [`pool_desired_nodes`]).
    pub nodes_desired: i64,
    /// Node pools with a negative count (counted as 0; see [`malformed_counts`]).
    pub malformed_pools: usize,
    /// Why the node pools could not be read (`forbidden`, `unknown`): then the pool and node
    /// counts say so instead of a false 0.
    pub pools_unreadable: Option<String>,
    /// `CP Version` column of recent CRDs (newest `Completed` of `status.controlPlaneVersion`);
    /// not in [`HostedClusterRow::HEADERS`], for panes that want it.
    pub cp_version: String,
    /// `CP Progress` (wide): `status.controlPlaneVersion.history[0].state`.
    pub cp_progress: String,
    /// `DP Progress` (wide): `status.version.history[0].state`.
    pub dp_progress: String,
}

/// The version of the first `status.version.history` entry with state `Completed`.
pub fn completed_version(hc: &Value) -> Option<&str> {
    first_completed(hc, "/status/version/history")
}

fn first_completed<'a>(hc: &'a Value, history: &str) -> Option<&'a str> {
    arr_at(hc, history)
        .iter()
        .find(|h| h.get("state").and_then(Value::as_str) == Some("Completed"))
        .and_then(|h| h.get("version"))
        .and_then(Value::as_str)
}

/// The state of the first `status.version.history` entry whose state is non-empty.
pub fn progress(hc: &Value) -> Option<&str> {
    arr_at(hc, "/status/version/history")
        .iter()
        .filter_map(|h| h.get("state").and_then(Value::as_str))
        .find(|s| !s.is_empty())
}

/// The node pools of a hosted cluster: same namespace, `spec.clusterName` = its name.
pub fn pools_of<'a>(hc: &Value, pools: &'a [Value]) -> Vec<&'a Value> {
    pools
        .iter()
        .filter(|p| {
            namespace(p) == namespace(hc) && str_at(p, "/spec/clusterName") == Some(name(hc))
        })
        .collect()
}

/// The fields of a NodePool that a [`HostedClusterRow`] reads besides its name and namespace.
pub const POOL_ROW_FIELDS: &[&str] = &[
    "/spec/clusterName",
    "/spec/replicas",
    "/status/replicas",
    "/status/nodesInfo/nodeVersions",
];

/// Desired nodes of a pool: `spec.replicas`; with autoscaling (no replicas) the current
/// `status.replicas`, since the autoscaler owns the number.
/// A negative count is malformed: it counts as 0 (see [`malformed_counts`]).
pub fn pool_desired_nodes(pool: &Value) -> i64 {
    i64_at(pool, "/spec/replicas")
        .or_else(|| i64_at(pool, "/status/replicas"))
        .unwrap_or(0)
        .max(0)
}

/// The count fields of a pool that hold a negative number (a broken controller or a hand-edited
/// status), as `field=value`: they are summed as 0 and the totals say so, rather than silently
/// lowering a cluster's node count.
pub fn malformed_counts(pool: &Value) -> Vec<String> {
    let mut out: Vec<String> = ["/spec/replicas", "/status/replicas"]
        .iter()
        .filter_map(|p| i64_at(pool, p).filter(|n| *n < 0).map(|n| (p, n)))
        .map(|(p, n)| format!("{}={n}", p.trim_start_matches('/').replace('/', ".")))
        .collect();
    if arr_at(pool, "/status/nodesInfo/nodeVersions")
        .iter()
        .any(|i| {
            i.get("readyNodeCount")
                .and_then(Value::as_i64)
                .is_some_and(|n| n < 0)
        })
    {
        out.push("status.nodesInfo.readyNodeCount<0".into());
    }
    out
}

/// Ready nodes of a pool: the sum of `status.nodesInfo.nodeVersions[].readyNodeCount` when the
/// management cluster reports it, else `status.replicas` (available machines).
pub fn pool_ready_nodes(pool: &Value) -> i64 {
    let infos = arr_at(pool, "/status/nodesInfo/nodeVersions");
    if infos.is_empty() {
        i64_at(pool, "/status/replicas").unwrap_or(0).max(0)
    } else {
        infos
            .iter()
            .filter_map(|i| i.get("readyNodeCount").and_then(Value::as_i64))
            .map(|n| n.max(0))
            .sum()
    }
}

impl HostedClusterRow {
    /// The NODEPOOLS cell: the count, or why it is not known.
    pub fn pools_cell(&self) -> String {
        match &self.pools_unreadable {
            Some(why) => why.clone(),
            None => self.node_pools.to_string(),
        }
    }

    /// The NODES cell: ready/desired, or why it is not known.
    pub fn nodes_cell(&self) -> String {
        match &self.pools_unreadable {
            Some(why) => why.clone(),
            None if self.malformed_pools > 0 => format!(
                "{}/{} ({} pool{} malformed)",
                self.nodes_ready,
                self.nodes_desired,
                self.malformed_pools,
                if self.malformed_pools == 1 { "" } else { "s" }
            ),
            None => format!("{}/{}", self.nodes_ready, self.nodes_desired),
        }
    }

    /// Builds the row from a HostedCluster and all node pools (any namespace; filtered here).
    pub fn new(hc: &Value, pools: &[Value]) -> Self {
        let mine = pools_of(hc, pools);
        let s = |x: Option<&str>| x.unwrap_or("").to_string();
        HostedClusterRow {
            namespace: namespace(hc).to_string(),
            name: name(hc).to_string(),
            version: s(completed_version(hc)),
            kubeconfig: s(str_at(hc, "/status/kubeconfig/name")),
            // A deleting cluster's rollout no longer matters: say it is going.
            progress: if super::util::is_deleting(hc) {
                "Deleting".to_string()
            } else {
                s(progress(hc))
            },
            available: s(condition_field(hc, "Available", "status")),
            progressing: s(condition_field(hc, "Progressing", "status")),
            message: s(condition_field(hc, "Available", "message")),
            platform: s(str_at(hc, "/spec/platform/type")),
            node_pools: mine.len(),
            nodes_ready: mine.iter().map(|p| pool_ready_nodes(p)).sum(),
            nodes_desired: mine.iter().map(|p| pool_desired_nodes(p)).sum(),
            malformed_pools: mine
                .iter()
                .filter(|p| !malformed_counts(p).is_empty())
                .count(),
            pools_unreadable: None,
            cp_version: s(first_completed(hc, "/status/controlPlaneVersion/history")),
            cp_progress: s(str_at(hc, "/status/controlPlaneVersion/history/0/state")),
            dp_progress: s(str_at(hc, "/status/version/history/0/state")),
        }
    }
}

/// Rows for all hosted clusters, sorted by namespace then name.
pub fn hosted_cluster_rows(hcs: &[Value], pools: &[Value]) -> Vec<HostedClusterRow> {
    let mut rows: Vec<_> = hcs
        .iter()
        .map(|h| HostedClusterRow::new(h, pools))
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    rows
}

impl TableRow for HostedClusterRow {
    const HEADERS: &'static [&'static str] = &[
        "NAMESPACE",
        "NAME",
        "VERSION",
        "KUBECONFIG",
        "PROGRESS",
        "AVAILABLE",
        "PROGRESSING",
        "MESSAGE",
        "PLATFORM",
        "NODEPOOLS",
        "NODES",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            cell(&self.namespace),
            cell(&self.name),
            cell(&self.version),
            cell(&self.kubeconfig),
            cell(&self.progress),
            cell(&self.available),
            cell(&self.progressing),
            cell(&self.message),
            cell(&self.platform),
            self.pools_cell(),
            self.nodes_cell(),
        ]
    }
}

/// Data key of the admin kubeconfig Secret.
pub const KUBECONFIG_KEY: &str = "kubeconfig";

/// Where a hosted cluster's admin kubeconfig lives: Secret `status.kubeconfig.name` in the
/// HostedCluster's namespace, key [`KUBECONFIG_KEY`] (facts §1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeconfigRef {
    /// Namespace of the Secret (the HostedCluster's).
    pub namespace: String,
    /// Secret name (usually `<name>-admin-kubeconfig`).
    pub secret: String,
    /// Data key.
    pub key: &'static str,
}

/// The admin kubeconfig Secret reference, `None` until the operator publishes it.
pub fn kubeconfig_ref(hc: &Value) -> Option<KubeconfigRef> {
    let secret = str_at(hc, "/status/kubeconfig/name").filter(|s| !s.is_empty())?;
    Some(KubeconfigRef {
        namespace: namespace(hc).to_string(),
        secret: secret.to_string(),
        key: KUBECONFIG_KEY,
    })
}

/// A decoded admin kubeconfig. It has no `Display`, and its `Debug` shows only the length, so it
/// cannot leak into logs or panels by accident; call [`AdminKubeconfig::expose`] to use it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminKubeconfig(String);

impl AdminKubeconfig {
    /// The kubeconfig YAML. Only for handing to a kube client or writing a 0600 file.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminKubeconfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AdminKubeconfig(<redacted, {} bytes>)", self.0.len())
    }
}

/// Why the admin kubeconfig could not be read. Messages never contain Secret data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KubeconfigError {
    /// `status.kubeconfig` not set yet.
    #[error("the hosted cluster has not published an admin kubeconfig yet (status.kubeconfig)")]
    NotPublished,
    /// The Secret object given does not match the reference.
    #[error("secret {0} is not the admin kubeconfig secret {1}")]
    WrongSecret(String, String),
    /// No `data.kubeconfig` key.
    #[error("secret {0} has no data key \"kubeconfig\"")]
    KeyMissing(String),
    /// The value is not base64.
    #[error("secret {0} key \"kubeconfig\" is not valid base64")]
    NotBase64(String),
    /// The decoded bytes are not UTF-8.
    #[error("secret {0} key \"kubeconfig\" is not UTF-8 text")]
    NotUtf8(String),
}

/// Extracts and decodes the admin kubeconfig from the Secret named by the HostedCluster.
pub fn admin_kubeconfig(hc: &Value, secret: &Value) -> Result<AdminKubeconfig, KubeconfigError> {
    let r = kubeconfig_ref(hc).ok_or(KubeconfigError::NotPublished)?;
    let want = format!("{}/{}", r.namespace, r.secret);
    let got = format!("{}/{}", namespace(secret), name(secret));
    if want != got {
        return Err(KubeconfigError::WrongSecret(got, want));
    }
    let b64 = secret
        .get("data")
        .and_then(|d| d.get(KUBECONFIG_KEY))
        .and_then(Value::as_str)
        .ok_or_else(|| KubeconfigError::KeyMissing(want.clone()))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| KubeconfigError::NotBase64(want.clone()))?;
    String::from_utf8(bytes)
        .map(AdminKubeconfig)
        .map_err(|_| KubeconfigError::NotUtf8(want))
}

#[cfg(test)]
#[path = "hosted_tests.rs"]
pub(crate) mod tests;
