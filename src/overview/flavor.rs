//! Which kind of cluster this is ([`ClusterFlavor`]) and which panes make sense on it ([`Pane`]).

use serde::Serialize;
use serde_json::Value;

use super::fetched::Fetched;

/// OpenShift, MicroShift or another Kubernetes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "flavor", rename_all = "lowercase")]
pub enum ClusterFlavor {
    /// The cluster serves ClusterVersion (`config.openshift.io`).
    OpenShift {
        version: Option<String>,
        channel: Option<String>,
    },
    /// No ClusterVersion kind, and ConfigMap `kube-public/microshift-version` exists.
    MicroShift { version: Option<String> },
    /// Neither.
    Kubernetes,
}

impl ClusterFlavor {
    /// Detects the flavor from ClusterVersion `version` and ConfigMap
    /// `kube-public/microshift-version`. A ClusterVersion kind that is served (present, forbidden
    /// or not found) means OpenShift. When reading it failed (discovery down, 5xx), the MicroShift
    /// ConfigMap decides, and failing that OpenShift is assumed so no pane is hidden by mistake.
    pub fn detect(cluster_version: &Fetched<Value>, microshift_version: &Fetched<Value>) -> Self {
        let failed = matches!(cluster_version, Fetched::Failed(_));
        if cluster_version.is_served() && !failed {
            let cv = cluster_version.get();
            return ClusterFlavor::OpenShift {
                version: cv.and_then(super::identity::cluster_version_string),
                channel: cv.and_then(|v| str_at(v, "/spec/channel")),
            };
        }
        if let Some(cm) = microshift_version.get() {
            return ClusterFlavor::MicroShift {
                version: str_at(cm, "/data/version"),
            };
        }
        if failed {
            return ClusterFlavor::OpenShift {
                version: None,
                channel: None,
            };
        }
        ClusterFlavor::Kubernetes
    }

    /// `OpenShift 4.18.1`, `MicroShift 4.18.1`, `Kubernetes`.
    pub fn label(&self) -> String {
        let with = |name: &str, v: &Option<String>| match v {
            Some(v) => format!("{name} {v}"),
            None => name.to_string(),
        };
        match self {
            ClusterFlavor::OpenShift { version, .. } => with("OpenShift", version),
            ClusterFlavor::MicroShift { version } => with("MicroShift", version),
            ClusterFlavor::Kubernetes => "Kubernetes".to_string(),
        }
    }

    /// Whether a pane with these palette commands belongs on this flavor: a pane any of whose
    /// commands names a [`Pane`] missing from [`ClusterFlavor::panes`] is hidden (HyperShift,
    /// Machine API and KubeVirt panes on MicroShift); panes the list does not know are kept.
    pub fn shows(&self, commands: &[&str]) -> bool {
        let panes = self.panes();
        commands
            .iter()
            .filter_map(|c| Pane::from_command(c))
            .all(|p| panes.contains(&p))
    }

    pub fn is_microshift(&self) -> bool {
        matches!(self, ClusterFlavor::MicroShift { .. })
    }

    /// Panes that can make sense on this flavor, in tab order. MicroShift has no HyperShift,
    /// Machine API or KubeVirt, so those panes are left out; OpenShift gets every pane (the model
    /// further drops panes whose kinds the cluster does not serve, see
    /// [`super::OverviewModel::panes`]).
    pub fn panes(&self) -> Vec<Pane> {
        match self {
            ClusterFlavor::OpenShift { .. } => Pane::ALL.to_vec(),
            ClusterFlavor::MicroShift { .. } => {
                vec![Pane::Overview, Pane::Nodes, Pane::Csr, Pane::Health]
            }
            ClusterFlavor::Kubernetes => vec![
                Pane::Overview,
                Pane::Nodes,
                Pane::Csr,
                Pane::Copy,
                Pane::Health,
            ],
        }
    }
}

/// A pane of the TUI that an overview row links to. Serializes as its [`Pane::id`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    Overview,
    Nodes,
    Csr,
    /// HyperShift HostedClusters.
    HostedClusters,
    /// HyperShift NodePools.
    NodePools,
    /// Machine API MachineSets.
    MachineSets,
    /// KubeVirt/CDI image copies (DataVolumes).
    Copy,
    /// Preflight checks (built elsewhere; its failures are an optional overview input).
    Preflight,
    /// Greenboot-style health checks.
    Health,
    /// Windows nodes and WMCO.
    Windows,
}

impl Pane {
    pub const ALL: [Pane; 10] = [
        Pane::Overview,
        Pane::Nodes,
        Pane::Csr,
        Pane::HostedClusters,
        Pane::NodePools,
        Pane::MachineSets,
        Pane::Copy,
        Pane::Preflight,
        Pane::Health,
        Pane::Windows,
    ];

    /// Stable id used for links and key bindings: `nodes`, `csr`, `hc`, `np`, `copy`, ...
    pub fn id(self) -> &'static str {
        match self {
            Pane::Overview => "overview",
            Pane::Nodes => "nodes",
            Pane::Csr => "csr",
            Pane::HostedClusters => "hc",
            Pane::NodePools => "np",
            Pane::MachineSets => "machinesets",
            Pane::Copy => "copy",
            Pane::Preflight => "preflight",
            Pane::Health => "health",
            Pane::Windows => "windows",
        }
    }

    /// The pane a palette command names, including the usual aliases (`hostedclusters`,
    /// `nodepools`, `ms`, `dv`...), so panes that land later are recognised by their commands.
    pub fn from_command(cmd: &str) -> Option<Pane> {
        Pane::from_id(cmd).or(match cmd {
            "ov" => Some(Pane::Overview),
            "no" | "node" => Some(Pane::Nodes),
            "csrs" | "certificatesigningrequests" => Some(Pane::Csr),
            "hostedclusters" | "hostedcluster" | "hcs" => Some(Pane::HostedClusters),
            "nodepools" | "nodepool" | "nps" => Some(Pane::NodePools),
            "machineset" | "ms" | "machines" | "machine" | "ma" => Some(Pane::MachineSets),
            "copies" | "datavolumes" | "datavolume" | "dv" | "dvs" => Some(Pane::Copy),
            "win" | "wmco" => Some(Pane::Windows),
            _ => None,
        })
    }

    /// The pane with that id.
    pub fn from_id(id: &str) -> Option<Pane> {
        Pane::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl Serialize for Pane {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

pub(crate) fn str_at(v: &Value, ptr: &str) -> Option<String> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
