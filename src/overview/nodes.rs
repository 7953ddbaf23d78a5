//! Node summaries for the overview: architecture, OS, readiness, Windows "no metrics".

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use serde::Serialize;

/// One node as the overview sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeSummary {
    pub name: String,
    /// `kubernetes.io/arch` label, else `status.nodeInfo.architecture`.
    pub arch: String,
    /// `kubernetes.io/os` label, else `status.nodeInfo.operatingSystem`.
    pub os: String,
    pub ready: bool,
    pub control_plane: bool,
    /// Windows nodes report no metrics: views show "no metrics" instead of an error.
    pub no_metrics: bool,
}

fn label<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    n.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(key))
        .map(String::as_str)
}

/// Whether the node runs Windows (`kubernetes.io/os=windows`).
pub fn is_windows(n: &Node) -> bool {
    label(n, "kubernetes.io/os").is_some_and(|o| o.eq_ignore_ascii_case("windows"))
        || n.status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .is_some_and(|i| i.operating_system.eq_ignore_ascii_case("windows"))
}

/// Whether the node's `Ready` condition is `True`.
pub fn is_ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// [`NodeSummary`] borrowed from its node: hashing or comparing it allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeSummaryRef<'a> {
    pub name: &'a str,
    pub arch: &'a str,
    pub os: &'a str,
    pub ready: bool,
    pub control_plane: bool,
    pub no_metrics: bool,
}

impl<'a> NodeSummaryRef<'a> {
    pub fn of(n: &'a Node) -> Self {
        let info = n.status.as_ref().and_then(|s| s.node_info.as_ref());
        let arch = label(n, "kubernetes.io/arch")
            .or_else(|| info.map(|i| i.architecture.as_str()))
            .filter(|s| !s.is_empty())
            .unwrap_or("unknown");
        let os = label(n, "kubernetes.io/os")
            .or_else(|| info.map(|i| i.operating_system.as_str()))
            .filter(|s| !s.is_empty())
            .unwrap_or("unknown");
        NodeSummaryRef {
            name: n.metadata.name.as_deref().unwrap_or_default(),
            arch,
            os,
            ready: is_ready(n),
            control_plane: label(n, "node-role.kubernetes.io/control-plane").is_some()
                || label(n, "node-role.kubernetes.io/master").is_some(),
            no_metrics: is_windows(n),
        }
    }

    pub fn to_summary(self) -> NodeSummary {
        NodeSummary {
            name: self.name.to_string(),
            arch: self.arch.to_string(),
            os: self.os.to_string(),
            ready: self.ready,
            control_plane: self.control_plane,
            no_metrics: self.no_metrics,
        }
    }
}

impl NodeSummary {
    pub fn of(n: &Node) -> Self {
        NodeSummaryRef::of(n).to_summary()
    }
}

/// Nodes of one (arch, os).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeGroup {
    pub arch: String,
    pub os: String,
    pub total: usize,
    pub ready: usize,
}

/// Groups nodes by (arch, os), sorted.
pub fn group(nodes: &[NodeSummary]) -> Vec<NodeGroup> {
    let mut m: BTreeMap<(String, String), NodeGroup> = BTreeMap::new();
    for n in nodes {
        let g = m
            .entry((n.arch.clone(), n.os.clone()))
            .or_insert_with(|| NodeGroup {
                arch: n.arch.clone(),
                os: n.os.clone(),
                ..NodeGroup::default()
            });
        g.total += 1;
        if n.ready {
            g.ready += 1;
        }
    }
    m.into_values().collect()
}

/// The architecture of the control-plane nodes when they all agree.
pub fn control_plane_arch(nodes: &[NodeSummary]) -> Option<String> {
    let mut arches = nodes.iter().filter(|n| n.control_plane).map(|n| &n.arch);
    let first = arches.next()?;
    arches.all(|a| a == first).then(|| first.clone())
}
