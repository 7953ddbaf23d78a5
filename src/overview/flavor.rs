//! Which kind of cluster this is ([`ClusterFlavor`]) and which panes make sense on it ([`Pane`]).

use serde::Serialize;
use serde_json::Value;

use crate::fetched::Fetched;

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

    pub fn is_microshift(&self) -> bool {
        matches!(self, ClusterFlavor::MicroShift { .. })
    }

    /// `OpenShift`, `MicroShift`, `Kubernetes` (without the version).
    pub fn name(&self) -> &'static str {
        match self {
            ClusterFlavor::OpenShift { .. } => "OpenShift",
            ClusterFlavor::MicroShift { .. } => "MicroShift",
            ClusterFlavor::Kubernetes => "Kubernetes",
        }
    }

    /// Panes that can make sense on this flavor, in tab order. MicroShift has no HyperShift,
    /// Machine API, ClusterOperators or KubeVirt, so those panes are left out (Copies stays for
    /// its image mirroring); OpenShift gets
    /// every pane ([`ClusterShape`] further drops panes whose kinds the cluster does not serve).
    pub fn panes(&self) -> Vec<Pane> {
        match self {
            ClusterFlavor::OpenShift { .. } => Pane::ALL.to_vec(),
            // Copies stays: mirroring release images with skopeo is a MicroShift workflow.
            ClusterFlavor::MicroShift { .. } => vec![
                Pane::Overview,
                Pane::Nodes,
                Pane::Csr,
                Pane::Copy,
                Pane::Health,
            ],
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

/// Which optional APIs the API server serves, from discovery (a kind whose read failed for
/// another reason counts as served, so no pane is hidden by mistake).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ServedApis {
    /// `hypershift.openshift.io` HostedClusters.
    pub hosted_clusters: bool,
    /// `hypershift.openshift.io` NodePools.
    pub node_pools: bool,
    /// `machine.openshift.io` Machines (the Machine API).
    pub machines: bool,
    /// `kubevirt.io` VirtualMachineInstances (OpenShift Virtualization).
    pub kubevirt: bool,
}

impl ServedApis {
    pub fn of(inputs: &super::OverviewInputs) -> Self {
        ServedApis {
            hosted_clusters: inputs.hosted_clusters.is_served(),
            node_pools: inputs.node_pools.is_served(),
            machines: inputs.machines.is_served(),
            kubevirt: inputs.kubevirt.is_served(),
        }
    }

    /// Everything served (a hub with MCE/HyperShift and OpenShift Virtualization).
    pub fn all() -> Self {
        ServedApis {
            hosted_clusters: true,
            node_pools: true,
            machines: true,
            kubevirt: true,
        }
    }
}

/// What decides which panes a cluster gets: its flavor, and which optional APIs it serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterShape {
    pub flavor: ClusterFlavor,
    pub apis: ServedApis,
}

/// Why a pane is hidden when the API server does not serve the kind it lists.
fn not_served(what: &str, why: &str) -> Option<String> {
    Some(format!("the API server does not serve {what} ({why})"))
}

const HYPERSHIFT_HC: &str = "hypershift.openshift.io HostedClusters";
const HYPERSHIFT_NP: &str = "hypershift.openshift.io NodePools";
const NO_HYPERSHIFT: &str = "HyperShift is not installed";
const KUBEVIRT: &str = "kubevirt.io VirtualMachineInstances";
const NO_KUBEVIRT: &str = "OpenShift Virtualization is not installed";

impl ClusterShape {
    /// The shape of the cluster an overview snapshot was read from.
    pub fn of(inputs: &super::OverviewInputs) -> Self {
        ClusterShape {
            flavor: ClusterFlavor::detect(&inputs.cluster_version, &inputs.microshift_version),
            apis: ServedApis::of(inputs),
        }
    }

    /// Why `pane` is not shown on this cluster; `None` when it is. Decided by the flavor first
    /// (MicroShift has no HyperShift...), then by discovery: a pane whose kinds the API server
    /// does not serve is hidden rather than shown as an error.
    pub fn why_hidden(&self, pane: Pane) -> Option<String> {
        if !self.flavor.panes().contains(&pane) {
            return Some(format!("{} has no {}", self.flavor.name(), pane.needs()));
        }
        let a = &self.apis;
        match pane {
            Pane::HostedClusters if !a.hosted_clusters => not_served(HYPERSHIFT_HC, NO_HYPERSHIFT),
            Pane::NodePools if !a.node_pools => not_served(HYPERSHIFT_NP, NO_HYPERSHIFT),
            Pane::MachineSets if !a.machines => not_served(
                "machine.openshift.io Machines",
                "the Machine API is not enabled",
            ),
            // Live migration per hosted-cluster node pool: HyperShift on KubeVirt.
            Pane::Readiness if !a.node_pools => not_served(HYPERSHIFT_NP, NO_HYPERSHIFT),
            Pane::Readiness | Pane::Maintenance if !a.kubevirt => not_served(KUBEVIRT, NO_KUBEVIRT),
            _ => None,
        }
    }

    /// Why a TUI pane with these palette commands is hidden: the first command that names a
    /// hidden [`Pane`] decides; panes this list does not know are never hidden.
    pub fn why_hidden_commands(&self, commands: &[&str]) -> Option<String> {
        commands
            .iter()
            .filter_map(|c| Pane::from_command(c))
            .find_map(|p| self.why_hidden(p))
    }

    /// The panes shown, in tab order.
    pub fn panes(&self) -> Vec<Pane> {
        Pane::ALL
            .into_iter()
            .filter(|p| self.why_hidden(*p).is_none())
            .collect()
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
    /// ClusterOperators (OpenShift only).
    Operators,
    /// Greenboot-style health checks.
    Health,
    /// Live-migration readiness of KubeVirt node pools.
    Readiness,
    /// KubeVirt/CDI image copies (DataVolumes), Azure blob copies, mirror jobs.
    Copy,
    /// Infra-node maintenance: KubeVirt VMIs and their live migration.
    Maintenance,
    /// The HCP-on-KubeVirt preflight checks (`:preflight`).
    Preflight,
    /// Windows nodes and WMCO.
    Windows,
}

impl Pane {
    pub const ALL: [Pane; 13] = [
        Pane::Overview,
        Pane::Nodes,
        Pane::Csr,
        Pane::HostedClusters,
        Pane::NodePools,
        Pane::MachineSets,
        Pane::Operators,
        Pane::Health,
        Pane::Readiness,
        Pane::Copy,
        Pane::Maintenance,
        Pane::Preflight,
        Pane::Windows,
    ];

    /// What a pane needs from the cluster, in words (for why it is hidden).
    pub fn needs(self) -> &'static str {
        match self {
            Pane::HostedClusters | Pane::NodePools => "HyperShift",
            Pane::MachineSets => "Machine API",
            Pane::Operators => "ClusterOperators",
            Pane::Readiness | Pane::Maintenance | Pane::Copy => "KubeVirt",
            Pane::Preflight => "Hosted Control Planes",
            Pane::Windows => "Windows nodes",
            Pane::Overview | Pane::Nodes | Pane::Csr | Pane::Health => "such pane",
        }
    }

    /// Stable id used for links and key bindings: `nodes`, `csr`, `hc`, `np`, `copy`, ...
    pub fn id(self) -> &'static str {
        match self {
            Pane::Overview => "overview",
            Pane::Nodes => "nodes",
            Pane::Csr => "csr",
            Pane::HostedClusters => "hc",
            Pane::NodePools => "np",
            Pane::MachineSets => "machinesets",
            Pane::Operators => "co",
            Pane::Readiness => "readiness",
            Pane::Maintenance => "maintenance",
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
            "clusteroperators" | "clusteroperator" => Some(Pane::Operators),
            "lm" => Some(Pane::Readiness),
            "maint" => Some(Pane::Maintenance),
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
