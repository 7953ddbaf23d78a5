//! Non-UI core of the cluster Overview (issue 9): identity and multi-arch readiness, counts that
//! link to panes, boot images per architecture, MicroShift detection with greenboot-style health,
//! and Windows (WMCO) health.
//!
//! Two layers:
//!
//! - **Pure**: [`OverviewModel::build`] turns [`OverviewInputs`] (plain data: typed core kinds,
//!   `serde_json::Value` for OpenShift CRDs, each wrapped in [`Fetched`]) into a model with
//!   render-ready rows and lines. No I/O; unit-testable from JSON.
//! - **Fetch** (cluster I/O, so not here): [`crate::watch::overview_fetch::gather`] reads everything once through a `kube::Client`, using
//!   discovery to skip kinds the cluster does not serve (absent is a state, not an error;
//!   403 is a per-item `Forbidden` state).
//!
//! Wiring sketch for the Overview pane:
//!
//! ```text
//! let inputs = watch::overview_fetch::gather(&client).await;      // or built from reflector stores
//! let model = OverviewModel::build(&inputs);                 // on change, not per frame
//! model.identity_lines(); model.counts; model.boot_images_lines(); model.health.table();
//! model.panes                                                // tabs to show for this cluster
//! // copy: clipboard bytes = bootimages::osc52(&item.text) written to the terminal
//! ```
//!
//! Item states are [`crate::fetched::Fetched`]. Modules: [`flavor`] (OpenShift/MicroShift/Kubernetes, panes),
//! [`identity`] (version, platform, payload), [`nodes`], [`counts`], [`bootimages`],
//! [`health`] (greenboot checks), [`windows`] (WMCO). `shiftdeck get health` / `get overview` print
//! through [`crate::get_overview`].

pub mod bootimages;
pub mod counts;
pub mod flavor;
pub mod health;
pub mod identity;
pub mod nodes;
pub mod windows;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::csr::decode::DecodeCache;

pub use crate::fetched::{Fetched, Presence};
pub use bootimages::{BootImages, osc52};
pub use counts::CountRow;
pub use flavor::{ClusterFlavor, ClusterShape, Pane, ServedApis};
pub use health::{ApiHealth, HealthReport};
pub use identity::{Identity, Payload};
pub use nodes::{NodeGroup, NodeSummary, NodeSummaryRef};
pub use windows::{WmcoHealth, WmcoInputs};

/// Everything the overview reads. `Default` is "nothing served", handy in tests.
#[derive(Clone, Debug)]
pub struct OverviewInputs {
    /// ClusterVersion `version` (`config.openshift.io/v1`).
    pub cluster_version: Fetched<Value>,
    /// Infrastructure `cluster`.
    pub infrastructure: Fetched<Value>,
    /// Network `cluster` (`config.openshift.io/v1`).
    pub network: Fetched<Value>,
    /// ConfigMap `kube-public/microshift-version`.
    pub microshift_version: Fetched<Value>,
    /// ConfigMap `openshift-machine-config-operator/coreos-bootimages`.
    pub bootimages: Fetched<Value>,
    /// Shared with the live store: the overview reads them, never changes them.
    pub nodes: Fetched<Vec<std::sync::Arc<Node>>>,
    /// Shared with the live store when it is watched.
    pub csrs: Fetched<Vec<std::sync::Arc<CertificateSigningRequest>>>,
    /// `machine.openshift.io/v1beta1` Machines (for the CSR checks).
    pub machines: Fetched<crate::csr::machines::MachineIndex>,
    pub hosted_clusters: Fetched<Vec<Value>>,
    pub node_pools: Fetched<Vec<Value>>,
    /// DataVolume counts by phase (not the objects).
    pub data_volumes: Fetched<counts::DvCounts>,
    /// Whether `kubevirt.io` VirtualMachineInstances are served (discovery only: nothing is
    /// listed; `Present(())` when served).
    pub kubevirt: Fetched<()>,
    /// The HCP-on-KubeVirt preflight checks ([`crate::wizard::preflight::run`]) as of this
    /// read; `None` when not run (not OpenShift).
    pub preflight: Option<Vec<crate::wizard::preflight::Check>>,
    /// `/readyz`.
    pub api_health: Fetched<ApiHealth>,
    /// All namespace names.
    pub namespaces: Fetched<Vec<String>>,
    /// Pods of the core namespaces ([`health::CORE_NAMESPACES`]).
    pub core_pods: Fetched<Vec<Pod>>,
    /// Some Running pod anywhere (see [`health::HealthInputs::any_running`]).
    pub any_running_pod: Fetched<Option<String>>,
    pub wmco: WmcoInputs,
    pub now: Timestamp,
}

impl Default for OverviewInputs {
    fn default() -> Self {
        OverviewInputs {
            cluster_version: Fetched::NotServed,
            infrastructure: Fetched::NotServed,
            network: Fetched::NotServed,
            microshift_version: Fetched::NotServed,
            bootimages: Fetched::NotServed,
            nodes: Fetched::NotServed,
            csrs: Fetched::NotServed,
            machines: Fetched::NotServed,
            hosted_clusters: Fetched::NotServed,
            node_pools: Fetched::NotServed,
            data_volumes: Fetched::NotServed,
            kubevirt: Fetched::NotServed,
            preflight: None,
            api_health: Fetched::NotServed,
            namespaces: Fetched::NotServed,
            core_pods: Fetched::NotServed,
            any_running_pod: Fetched::NotServed,
            wmco: WmcoInputs::default(),
            now: Timestamp::UNIX_EPOCH,
        }
    }
}

/// The overview, ready to render.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OverviewModel {
    pub flavor: ClusterFlavor,
    /// Panes to show: the flavor's panes minus those whose kinds this cluster does not serve
    /// ([`ClusterShape::panes`]), and Windows only with WMCO or Windows nodes.
    pub panes: Vec<Pane>,
    /// Only meaningful on OpenShift.
    pub identity: Identity,
    pub payload: Payload,
    pub nodes: Vec<NodeSummary>,
    pub node_groups: Vec<NodeGroup>,
    pub counts: Vec<CountRow>,
    /// Parsed boot images, or why there are none.
    pub boot_images: Result<BootImages, String>,
    pub health: HealthReport,
    /// `None` when the cluster has neither WMCO nor Windows nodes.
    pub windows: Option<WmcoHealth>,
}

impl OverviewModel {
    /// Builds the model. Pure. Decodes the pending CSRs afresh; a caller that rebuilds often
    /// should keep a cache and use [`OverviewModel::build_with_cache`].
    pub fn build(inputs: &OverviewInputs) -> Self {
        Self::build_with_cache(inputs, &mut DecodeCache::new())
    }

    /// [`OverviewModel::build`], decoding CSRs through `cache` (see [`DecodeCache`]).
    pub fn build_with_cache(inputs: &OverviewInputs, cache: &mut DecodeCache) -> Self {
        let shape = ClusterShape::of(inputs);
        let flavor = shape.flavor.clone();
        let no_nodes = Vec::new();
        let node_list: &Vec<std::sync::Arc<Node>> = inputs.nodes.get().unwrap_or(&no_nodes);
        let summaries = inputs
            .nodes
            .as_ref()
            .map(|ns| ns.iter().map(|n| NodeSummary::of(n)).collect::<Vec<_>>());
        let nodes: Vec<NodeSummary> = summaries.get().cloned().unwrap_or_default();
        let node_groups = nodes::group(&nodes);
        let identity = Identity::build(
            &inputs.cluster_version,
            &inputs.infrastructure,
            &inputs.network,
        );
        let payload = identity::payload(
            &inputs.cluster_version,
            nodes::control_plane_arch(&nodes).as_deref(),
        );
        let microshift = flavor.is_microshift();
        let mut counts = vec![
            counts::nodes_row(&summaries, &node_groups),
            counts::csr_row(
                &inputs.csrs,
                node_list,
                inputs.machines.get(),
                inputs.now,
                cache,
            ),
        ];
        if !microshift {
            if inputs.hosted_clusters.is_served() {
                counts.push(counts::hosted_clusters_row(&inputs.hosted_clusters));
            }
            if inputs.node_pools.is_served() {
                counts.push(counts::node_pools_row(&inputs.node_pools));
            }
            if inputs.data_volumes.is_served() {
                counts.push(counts::copies_row(&inputs.data_volumes));
            }
            counts.push(counts::preflight_row(
                inputs.preflight.as_deref(),
                inputs.hosted_clusters.is_served(),
            ));
        }
        let boot_images = match &inputs.bootimages {
            Fetched::Present(cm) => BootImages::from_configmap(cm).map_err(|e| e.to_string()),
            other => Err(format!(
                "ConfigMap {}/{}: {}",
                bootimages::NAMESPACE,
                bootimages::CONFIGMAP,
                other.state_label()
            )),
        };
        let health = health::evaluate(&health::HealthInputs {
            api: &inputs.api_health,
            namespaces: &inputs.namespaces,
            pods: &inputs.core_pods,
            any_running: &inputs.any_running_pod,
            expect_pods: microshift,
        });
        let wmco = WmcoHealth::build(&inputs.wmco, node_list);
        let windows = (wmco.installed || wmco.windows_nodes > 0).then_some(wmco);
        let panes = shape
            .panes()
            .into_iter()
            .filter(|p| *p != Pane::Windows || windows.is_some())
            .collect();
        OverviewModel {
            flavor,
            panes,
            identity,
            payload,
            nodes,
            node_groups,
            counts,
            boot_images,
            health,
            windows,
        }
    }

    /// Identity lines: flavor, identity fields (OpenShift), payload and its next step.
    pub fn identity_lines(&self) -> Vec<String> {
        let mut out = vec![format!("Cluster: {}", self.flavor.label())];
        if let ClusterFlavor::OpenShift { .. } = self.flavor {
            for (k, v) in self.identity.fields() {
                out.push(format!("{k}: {v}"));
            }
            out.push(format!("Payload: {}", self.payload.summary()));
            if let Some(step) = self.payload.next_step() {
                out.push(format!("Next step: {step}"));
            }
            out.extend(self.identity.notes.iter().map(|n| format!("note: {n}")));
        }
        out
    }

    /// Boot image lines, or one line saying why there are none.
    pub fn boot_images_lines(&self) -> Vec<String> {
        match &self.boot_images {
            Ok(b) => b.lines(),
            Err(e) => vec![format!("Boot images: {e}")],
        }
    }

    /// The whole overview as text lines (used by `get overview -o table`).
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.identity_lines();
        out.push(String::new());
        let rows: Vec<Vec<String>> = self
            .counts
            .iter()
            .map(|c| {
                vec![
                    c.label.to_string(),
                    c.value.clone(),
                    c.detail.clone(),
                    format!("[{}]", c.pane.id()),
                ]
            })
            .collect();
        out.extend(
            health::format_table(&["COUNT", "VALUE", "DETAIL", "PANE"], &rows)
                .lines()
                .map(str::to_string),
        );
        if self.nodes.iter().any(|n| n.no_metrics) {
            out.push("Windows nodes: no metrics (not available for Windows)".to_string());
        }
        if !self.flavor.is_microshift() {
            out.push(String::new());
            out.extend(self.boot_images_lines());
        }
        if let Some(w) = &self.windows {
            out.push(String::new());
            out.extend(w.lines());
        }
        out.push(String::new());
        out.push(format!(
            "Health: {}",
            if self.health.healthy {
                "all checks pass"
            } else {
                "some checks fail"
            }
        ));
        for c in self.health.failures() {
            out.push(format!(
                "  FAIL {}{}: {}",
                c.title,
                c.namespace
                    .as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default(),
                c.detail
            ));
        }
        out.push(format!(
            "Panes: {}",
            self.panes
                .iter()
                .map(|p| p.id())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        out
    }
}
