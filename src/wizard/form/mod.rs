//! Form models for the wizards: the steps, their fields (label, help, kind, pick-list choices,
//! current text) and each field's error or warning, with no UI code.
//!
//! A UI keeps one [`ClusterForm`] or [`NodePoolForm`], shows [`ClusterForm::fields`] for the
//! current [`Step`], writes edits with `set`, lets the user advance when
//! [`ClusterForm::step_errors`] is empty, and on the review step shows
//! [`ClusterForm::plan`]'s redacted YAML. The CLI fills the same forms from flags, so both
//! paths share every validator and builder.
//!
//! Values are the text the user typed. Pick lists come from [`ClusterFacts`]; a form built with
//! [`ClusterFacts::default()`] (nothing known, e.g. `--dry-run` without a cluster) skips the
//! checks that need the cluster (uniqueness, existence of storage classes and networks).

use std::collections::BTreeMap;

use super::build::{
    self, ClusterSpec, ExternalInfra, NodePoolSettings, NodePoolSpec, Plan, defaults,
};
use super::duration;
use super::facts::ClusterFacts;
use super::more_options;
use super::options::{self, MappingKind};
use super::preflight::{self, Check, MIN_MULTIQUEUE_MTU};
use super::secret::Sensitive;
use super::validate::{self, Invalid, Multiqueue};

/// Every field of both wizards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldId {
    Name,
    Namespace,
    ReleaseImage,
    PullSecret,
    SshKey,
    BaseDomain,
    EtcdStorageClass,
    Replicas,
    Memory,
    Cores,
    RootVolumeSize,
    RootVolumeStorageClass,
    QosClass,
    AdditionalNetworks,
    AttachDefaultNetwork,
    VmNodeSelector,
    NetworkMultiqueue,
    InfraKubeconfig,
    InfraNamespace,
    /// Add-node-pool only: the HostedCluster.
    Cluster,
    ControlPlaneAvailability,
    InfraAvailability,
    /// `;`-separated `--toleration` values.
    Tolerations,
    /// `;`-separated `--infra-storage-class-mapping` values.
    StorageClassMappings,
    /// `;`-separated `--infra-volumesnapshot-class-mapping` values.
    SnapshotClassMappings,
    /// Comma-separated access modes.
    RootVolumeAccessModes,
    RootVolumeVolumeMode,
    RootVolumeCacheStrategy,
    /// `;`-separated `--host-device-name` values.
    HostDevices,
    Arch,
    AutoRepair,
    NodeUpgradeType,
    NodeDrainTimeout,
    NodeVolumeDetachTimeout,
    EtcdStorageSize,
    NetworkType,
    /// Comma-separated `--cluster-cidr` values (empty: the default).
    ClusterCidr,
    /// Comma-separated `--service-cidr` values (empty: the default).
    ServiceCidr,
    DefaultDual,
    ExternalDnsDomain,
    Fips,
    InfraId,
    /// `--node-selector` of the control-plane pods (not the VMs').
    ControlPlaneNodeSelector,
    /// `;`-separated `--labels` values.
    Labels,
    /// `;`-separated `--annotations` values.
    Annotations,
    OlmCatalogPlacement,
    OlmDisableDefaultSources,
    PausedUntil,
    /// Path of the `--additional-trust-bundle` PEM file.
    AdditionalTrustBundle,
    /// Path of the `--image-content-sources` YAML file.
    ImageContentSources,
}

impl FieldId {
    /// The `hcp`/`shiftdeck create` flag that sets this field.
    pub fn flag(self) -> &'static str {
        use FieldId::*;
        match self {
            Name => "--name",
            Namespace => "--namespace",
            ReleaseImage => "--release-image",
            PullSecret => "--pull-secret",
            SshKey => "--ssh-key",
            BaseDomain => "--base-domain",
            EtcdStorageClass => "--etcd-storage-class",
            Replicas => "--node-pool-replicas / --replicas",
            Memory => "--memory",
            Cores => "--cores",
            RootVolumeSize => "--root-volume-size",
            RootVolumeStorageClass => "--root-volume-storage-class",
            QosClass => "--qos-class",
            AdditionalNetworks => "--additional-network",
            AttachDefaultNetwork => "--attach-default-network",
            VmNodeSelector => "--vm-node-selector",
            NetworkMultiqueue => "--network-multiqueue",
            InfraKubeconfig => "--infra-kubeconfig-file",
            InfraNamespace => "--infra-namespace",
            Cluster => "--cluster-name",
            ControlPlaneAvailability => "--control-plane-availability-policy",
            InfraAvailability => "--infra-availability-policy",
            Tolerations => "--toleration",
            StorageClassMappings => "--infra-storage-class-mapping",
            SnapshotClassMappings => "--infra-volumesnapshot-class-mapping",
            RootVolumeAccessModes => "--root-volume-access-modes",
            RootVolumeVolumeMode => "--root-volume-volume-mode",
            RootVolumeCacheStrategy => "--root-volume-cache-strategy",
            HostDevices => "--host-device-name",
            Arch => "--arch",
            AutoRepair => "--auto-repair",
            NodeUpgradeType => "--node-upgrade-type",
            NodeDrainTimeout => "--node-drain-timeout",
            NodeVolumeDetachTimeout => "--node-volume-detach-timeout",
            EtcdStorageSize => "--etcd-storage-size",
            NetworkType => "--network-type",
            ClusterCidr => "--cluster-cidr",
            ServiceCidr => "--service-cidr",
            DefaultDual => "--default-dual",
            ExternalDnsDomain => "--external-dns-domain",
            Fips => "--fips",
            InfraId => "--infra-id",
            ControlPlaneNodeSelector => "--node-selector",
            Labels => "--labels",
            Annotations => "--annotations",
            OlmCatalogPlacement => "--olm-catalog-placement",
            OlmDisableDefaultSources => "--olm-disable-default-sources",
            PausedUntil => "--pausedUntil",
            AdditionalTrustBundle => "--additional-trust-bundle",
            ImageContentSources => "--image-content-sources",
        }
    }
}

/// The steps of the create-cluster wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Preflight,
    Cluster,
    NodePool,
    Networking,
    ExternalInfra,
    Advanced,
    Review,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Preflight,
        Step::Cluster,
        Step::NodePool,
        Step::Networking,
        Step::ExternalInfra,
        Step::Advanced,
        Step::Review,
    ];

    /// The steps whose fields the review checks.
    pub const WITH_FIELDS: [Step; 5] = [
        Step::Cluster,
        Step::NodePool,
        Step::Networking,
        Step::ExternalInfra,
        Step::Advanced,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Preflight => "Preflight",
            Step::Cluster => "Cluster",
            Step::NodePool => "Default node pool",
            Step::Networking => "Networking (optional)",
            Step::ExternalInfra => "Storage mapping, external infrastructure (optional)",
            Step::Advanced => "Security, metadata, OLM, disconnected (optional)",
            Step::Review => "Review and create",
        }
    }

    pub fn fields(self) -> &'static [FieldId] {
        use FieldId::*;
        match self {
            Step::Preflight | Step::Review => &[],
            Step::Cluster => &[
                Name,
                Namespace,
                ReleaseImage,
                PullSecret,
                SshKey,
                BaseDomain,
                EtcdStorageClass,
                EtcdStorageSize,
                ControlPlaneAvailability,
                InfraAvailability,
                Tolerations,
            ],
            Step::NodePool => NODE_FIELDS,
            Step::Networking => &[
                NetworkType,
                ClusterCidr,
                ServiceCidr,
                DefaultDual,
                ExternalDnsDomain,
            ],
            Step::Advanced => &[
                Fips,
                InfraId,
                ControlPlaneNodeSelector,
                Labels,
                Annotations,
                OlmCatalogPlacement,
                OlmDisableDefaultSources,
                PausedUntil,
                AdditionalTrustBundle,
                ImageContentSources,
            ],
            Step::ExternalInfra => &[
                StorageClassMappings,
                SnapshotClassMappings,
                InfraKubeconfig,
                InfraNamespace,
            ],
        }
    }
}

const NODE_FIELDS: &[FieldId] = &[
    FieldId::Replicas,
    FieldId::Memory,
    FieldId::Cores,
    FieldId::RootVolumeSize,
    FieldId::RootVolumeStorageClass,
    FieldId::RootVolumeAccessModes,
    FieldId::RootVolumeVolumeMode,
    FieldId::RootVolumeCacheStrategy,
    FieldId::QosClass,
    FieldId::AdditionalNetworks,
    FieldId::AttachDefaultNetwork,
    FieldId::VmNodeSelector,
    FieldId::NetworkMultiqueue,
    FieldId::HostDevices,
    FieldId::Arch,
    FieldId::AutoRepair,
    FieldId::NodeUpgradeType,
    FieldId::NodeDrainTimeout,
    FieldId::NodeVolumeDetachTimeout,
];

/// How a field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// A file path; the file is read when validated.
    Path,
    Number,
    /// true/false.
    Toggle,
    /// One of `choices`; `free_text` allows typing a value not in the list.
    Pick {
        choices: Vec<Choice>,
        free_text: bool,
    },
    /// Several of `choices`, stored comma-separated.
    MultiPick {
        choices: Vec<Choice>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// e.g. "default", "RWX: live-migratable".
    pub note: String,
}

/// One field as a UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: FieldId,
    pub label: &'static str,
    pub help: String,
    pub kind: FieldKind,
    pub required: bool,
    pub value: String,
    /// Why the value is rejected (blocks advancing).
    pub error: Option<String>,
    /// Advice that does not block.
    pub warning: Option<String>,
}

/// State shared by both forms.
#[derive(Debug, Clone)]
struct Core {
    facts: ClusterFacts,
    values: BTreeMap<FieldId, String>,
    /// Verdicts of the file fields, by the path they were read from: files are read when the
    /// path is set (or on `reread_files`), never while a UI asks for `fields`.
    files: BTreeMap<FieldId, (String, Verdict)>,
}

type Verdict = Result<Option<String>, Invalid>;

/// Fields whose value is a file path that is read to validate it.
const FILE_FIELDS: [FieldId; 5] = [
    FieldId::PullSecret,
    FieldId::SshKey,
    FieldId::InfraKubeconfig,
    FieldId::AdditionalTrustBundle,
    FieldId::ImageContentSources,
];

fn read_verdict(id: FieldId, path: &str) -> Verdict {
    match id {
        FieldId::PullSecret => validate::pull_secret_file(path).map(|ps| {
            (!ps.registries.iter().any(|r| r.contains("quay.io"))).then(|| {
                format!(
                    "the pull secret has no credentials for quay.io (it has: {}): the OpenShift release images come from quay.io/openshift-release-dev",
                    ps.registries.join(", ")
                )
            })
        }),
        FieldId::SshKey => validate::ssh_key_file(path).map(|_| None),
        FieldId::InfraKubeconfig if path.trim().is_empty() => Ok(None),
        FieldId::InfraKubeconfig => validate::infra_kubeconfig_file(path).map(|_| None),
        FieldId::AdditionalTrustBundle => more_options::trust_bundle_file(path)
            .map(|b| b.map(|b| format!("{} CA certificate(s) for the user-ca-bundle ConfigMap (shown in the review)", b.certificates))),
        FieldId::ImageContentSources => more_options::image_content_sources_file(path)
            .map(|l| (!l.is_empty()).then(|| format!("{} mirrored source(s)", l.len()))),
        _ => Ok(None),
    }
}

fn choice(value: &str, label: &str, note: &str) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
        note: note.into(),
    }
}

/// The highest `x.y.z` in a string, for ordering release images.
fn version_key(s: &str) -> (u32, u32, u32) {
    let mut best = (0, 0, 0);
    let digits: Vec<&str> = s.split(|c: char| !c.is_ascii_digit() && c != '.').collect();
    for d in digits {
        let p: Vec<u32> = d.split('.').filter_map(|x| x.parse().ok()).collect();
        if p.len() >= 3 && (p[0], p[1], p[2]) > best {
            best = (p[0], p[1], p[2]);
        }
    }
    best
}

impl Core {
    fn new(facts: ClusterFacts, defaults: &[(FieldId, String)]) -> Self {
        let mut core = Core {
            facts,
            values: defaults.iter().cloned().collect(),
            files: BTreeMap::new(),
        };
        core.reread_files();
        core
    }

    fn set(&mut self, id: FieldId, value: String) {
        self.values.insert(id, value);
        if FILE_FIELDS.contains(&id) && self.files.get(&id).is_none_or(|(p, _)| p != self.v(id)) {
            let path = self.v(id).to_string();
            self.files
                .insert(id, (path.clone(), read_verdict(id, &path)));
        }
    }

    fn reread_files(&mut self) {
        for id in FILE_FIELDS {
            let path = self.v(id).to_string();
            self.files
                .insert(id, (path.clone(), read_verdict(id, &path)));
        }
    }

    /// The cached verdict of a file field.
    fn file(&self, id: FieldId) -> Verdict {
        match self.files.get(&id) {
            Some((p, v)) if p == self.v(id) => v.clone(),
            _ => read_verdict(id, self.v(id)),
        }
    }

    fn v(&self, id: FieldId) -> &str {
        self.values.get(&id).map(String::as_str).unwrap_or("")
    }

    fn storage_choices(&self) -> Vec<Choice> {
        self.facts
            .storage_classes
            .get()
            .into_iter()
            .flatten()
            .map(|sc| {
                let mut notes = Vec::new();
                if sc.is_default {
                    notes.push("default");
                }
                match self.facts.storage_class_rwx(&sc.name) {
                    Some(true) => notes.push("RWX: live-migratable"),
                    Some(false) => notes.push("RWO only: not live-migratable"),
                    None => {}
                }
                choice(&sc.name, &sc.name, &notes.join(", "))
            })
            .collect()
    }

    /// The storage class the root volumes get: the chosen one, else the cluster default.
    fn root_storage_class(&self) -> Option<String> {
        validate::storage_class("", self.v(FieldId::RootVolumeStorageClass))
            .ok()
            .flatten()
            .or_else(|| {
                self.facts
                    .storage_classes
                    .get()?
                    .iter()
                    .find(|s| s.is_default)
                    .map(|s| s.name.clone())
            })
    }

    fn access_mode_choices(&self) -> Vec<Choice> {
        let rwx = self
            .root_storage_class()
            .and_then(|n| self.facts.storage_class_rwx(&n).map(|r| (n, r)));
        options::ACCESS_MODES
            .iter()
            .map(|m| {
                let note = match (*m, &rwx) {
                    ("ReadWriteMany", Some((n, false))) => format!("{n} cannot give RWX"),
                    ("ReadWriteMany", _) => "live-migratable".to_string(),
                    _ => String::new(),
                };
                choice(m, m, &note)
            })
            .collect()
    }

    /// Validate the class mappings of a field; the infra classes are checked against the
    /// management cluster's storage classes unless the VMs run on an external infra cluster.
    fn check_mappings(
        &self,
        kind: MappingKind,
        v: &str,
        external_infra: bool,
    ) -> Result<Option<String>, Invalid> {
        let mappings = options::class_mappings(kind, v)?;
        if kind != MappingKind::StorageClass || external_infra {
            return Ok(None);
        }
        let mut warnings = Vec::new();
        for m in &mappings {
            self.storage_exists("mapping", &Some(m.infra.clone()))?;
            if self.facts.storage_class_rwx(&m.infra) == Some(false) {
                warnings.push(format!(
                    "{} has no ReadWriteMany access: KubeVirt CSI maps only RWX infra storage classes",
                    m.infra
                ));
            }
        }
        Ok((!warnings.is_empty()).then(|| warnings.join("; ")))
    }

    fn storage_exists(&self, what: &str, name: &Option<String>) -> Result<(), Invalid> {
        if let (Some(n), Some(scs)) = (name, self.facts.storage_classes.get())
            && !scs.iter().any(|s| &s.name == n)
        {
            let known: Vec<&str> = scs.iter().map(|s| s.name.as_str()).collect();
            return Err(Invalid(format!(
                "there is no storage class {n} on the cluster for the {what} (available: {})",
                known.join(", ")
            )));
        }
        Ok(())
    }

    fn node_field(&self, id: FieldId) -> Option<(&'static str, String, FieldKind, bool)> {
        use FieldId::*;
        Some(match id {
            Replicas => (
                "Replicas",
                "Number of worker VMs in the node pool (0 or more).".into(),
                FieldKind::Number,
                true,
            ),
            Memory => (
                "Memory",
                "Memory of each VM as a Kubernetes quantity, e.g. 6Gi or 8192Mi.".into(),
                FieldKind::Text,
                true,
            ),
            Cores => (
                "Cores",
                "CPU cores of each VM (1 or more).".into(),
                FieldKind::Number,
                true,
            ),
            RootVolumeSize => (
                "Root volume size (GiB)",
                format!(
                    "Size of each VM's root disk in GiB, at least {}.",
                    validate::MIN_ROOT_VOLUME_GI
                ),
                FieldKind::Number,
                true,
            ),
            RootVolumeStorageClass => (
                "Root volume storage class",
                "Storage class of the VM root disks (empty = cluster default). A ReadWriteMany (RWX) class lets the VMs live-migrate during management-cluster maintenance.".into(),
                FieldKind::Pick {
                    choices: self.storage_choices(),
                    free_text: true,
                },
                false,
            ),
            RootVolumeAccessModes => (
                "Root volume access modes",
                format!(
                    "Access modes of the root volume PVCs, comma-separated ({}). Empty (the hcp default) lets the storage profile choose. ReadWriteMany makes the workers live-migratable; the storage class must support it.",
                    options::ACCESS_MODES.join(", ")
                ),
                FieldKind::MultiPick {
                    choices: self.access_mode_choices(),
                },
                false,
            ),
            RootVolumeVolumeMode => (
                "Root volume volume mode",
                "Filesystem or Block (empty, the hcp default: the storage profile's choice). Block usually performs better and is what RWX block storage (e.g. Ceph RBD) offers.".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("", "", "hcp default: the storage profile's"),
                        choice("Filesystem", "Filesystem", ""),
                        choice("Block", "Block", ""),
                    ],
                    free_text: false,
                },
                false,
            ),
            RootVolumeCacheStrategy => (
                "Root volume cache strategy",
                "How the boot image is cached: None, or PVC to import it once into a PVC and clone it for each VM (QCOW images only). Empty, the hcp default, writes nothing (None).".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("", "", "hcp default: not set, None"),
                        choice("None", "None", ""),
                        choice("PVC", "PVC", "clone from a cached PVC"),
                    ],
                    free_text: false,
                },
                false,
            ),
            HostDevices => (
                "Host devices",
                "PCI or mediated devices to pass through to each VM, as <device-name>,count:<n>; separate several with ;. The device name is the one permitted in the HyperConverged's permittedHostDevices.".into(),
                FieldKind::Text,
                false,
            ),
            QosClass => (
                "QoS class",
                "Burstable shares CPUs with other workloads; Guaranteed gives the VMs dedicated CPU and memory (requests = limits).".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("Burstable", "Burstable", "default"),
                        choice("Guaranteed", "Guaranteed", "dedicated CPUs"),
                    ],
                    free_text: false,
                },
                true,
            ),
            AdditionalNetworks => (
                "Additional networks",
                "NetworkAttachmentDefinitions to attach to each VM, as <namespace>/<name> (or name:<namespace>/<name>), comma-separated.".into(),
                FieldKind::MultiPick {
                    choices: self
                        .facts
                        .network_attachments
                        .get()
                        .into_iter()
                        .flatten()
                        .map(|n| choice(n, &format!("name:{n}"), ""))
                        .collect(),
                },
                false,
            ),
            AttachDefaultNetwork => (
                "Attach default pod network",
                "false makes an additional network the VMs' default network; it then requires at least one additional network.".into(),
                FieldKind::Toggle,
                true,
            ),
            VmNodeSelector => (
                "VM node selector",
                "Schedule the VMs only on infrastructure nodes with these labels: key=value[,key2=value2].".into(),
                FieldKind::Text,
                false,
            ),
            NetworkMultiqueue => (
                "Network multiqueue",
                "Enable several queues per VM network interface. Only with a cluster MTU of 9000 or more.".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("Enable", "Enable", "hcp default"),
                        choice("Disable", "Disable", ""),
                    ],
                    free_text: false,
                },
                true,
            ),
            Arch => (
                "Architecture",
                "Processor architecture of the node pool's VMs (hcp default amd64). The hosted cluster's release payload must be Multi or of this architecture. arm64 is not supported on KubeVirt.".into(),
                FieldKind::Pick {
                    choices: more_options::KUBEVIRT_ARCHES
                        .iter()
                        .map(|a| choice(a, a, if *a == more_options::DEFAULT_ARCH { "hcp default" } else { "" }))
                        .collect(),
                    free_text: false,
                },
                true,
            ),
            AutoRepair => (
                "Auto repair",
                "true: machine health checks delete VMs whose node stays unready and create new ones (hcp default false).".into(),
                FieldKind::Toggle,
                true,
            ),
            NodeUpgradeType => (
                "Upgrade type",
                "Replace (the KubeVirt default) rolls out new VMs on upgrades and config changes; InPlace updates the existing nodes.".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("Replace", "Replace", "hcp default"),
                        choice("InPlace", "InPlace", "update nodes in place"),
                    ],
                    free_text: false,
                },
                true,
            ),
            NodeDrainTimeout => (
                "Node drain timeout",
                "How long a node's drain is retried before the VM is removed anyway, as a duration such as 30m or 1h (0s, the hcp default: no limit).".into(),
                FieldKind::Text,
                false,
            ),
            NodeVolumeDetachTimeout => (
                "Volume detach timeout",
                "How long volumes may take to detach from a removed node, as a duration such as 5m (0s, the hcp default: no limit).".into(),
                FieldKind::Text,
                false,
            ),
            _ => return None,
        })
    }

    /// Validate one node-pool field; `Ok(Some(warning))` for advice.
    fn check_node(&self, id: FieldId) -> Result<Option<String>, Invalid> {
        use FieldId::*;
        let v = self.v(id);
        match id {
            Replicas => validate::replicas(v).map(|_| None),
            Memory => validate::memory(v).map(|_| None),
            Cores => validate::cores(v).map(|_| None),
            RootVolumeSize => validate::root_volume_size(v).map(|_| None),
            RootVolumeStorageClass => {
                let sc = validate::storage_class("root volume storage class", v)?;
                self.storage_exists("root volumes", &sc)?;
                Ok(
                    match self
                        .root_storage_class()
                        .and_then(|n| self.facts.storage_class_rwx(&n).map(|r| (n, r)))
                    {
                        Some((n, false)) => Some(format!(
                            "{n} has no ReadWriteMany access: the VMs will not be live-migratable"
                        )),
                        _ => None,
                    },
                )
            }
            RootVolumeAccessModes => {
                let modes = options::access_modes(v)?;
                if !modes.iter().any(|m| m == "ReadWriteMany") {
                    return Ok(None);
                }
                Ok(match self.root_storage_class() {
                    Some(n) if self.facts.storage_class_rwx(&n) == Some(false) => Some(format!(
                        "{n} cannot give ReadWriteMany (its StorageProfile offers no RWX access mode): the root volumes will not provision; pick an RWX storage class"
                    )),
                    _ => None,
                })
            }
            RootVolumeVolumeMode => options::volume_mode(v).map(|_| None),
            RootVolumeCacheStrategy => options::cache_strategy(v).map(|_| None),
            HostDevices => options::host_devices(v).map(|_| None),
            QosClass => validate::qos_class(v).map(|_| None),
            AdditionalNetworks => {
                let nets = validate::additional_networks(v)?;
                if let Some(known) = self.facts.network_attachments.get() {
                    for n in &nets {
                        if !known.contains(n) {
                            return Err(Invalid(format!(
                                "there is no NetworkAttachmentDefinition {n} on the cluster"
                            )));
                        }
                    }
                }
                Ok(None)
            }
            AttachDefaultNetwork => {
                let attach = validate::boolean("attach default network", v)?;
                let nets =
                    validate::additional_networks(self.v(AdditionalNetworks)).unwrap_or_default();
                validate::attach_default_network(attach, &nets).map(|_| None)
            }
            VmNodeSelector => validate::node_selector(v).map(|_| None),
            Arch => more_options::arch(v).map(|_| None),
            AutoRepair => validate::boolean("auto repair", v).map(|_| None),
            NodeUpgradeType => more_options::upgrade_type(v).map(|_| None),
            NodeDrainTimeout => duration::normalise("the node drain timeout", v).map(|_| None),
            NodeVolumeDetachTimeout => {
                duration::normalise("the volume detach timeout", v).map(|_| None)
            }
            NetworkMultiqueue => {
                let mq = validate::multiqueue(v)?;
                Ok(match (mq, self.facts.mtu()) {
                    (Multiqueue::Enable, Some(m)) if m < MIN_MULTIQUEUE_MTU => Some(format!(
                        "the cluster network MTU is {m}: enable multiqueue only with an MTU of {MIN_MULTIQUEUE_MTU} or more"
                    )),
                    _ => None,
                })
            }
            _ => Ok(None),
        }
    }

    fn node_settings(&self) -> Result<NodePoolSettings, Invalid> {
        use FieldId::*;
        let additional = validate::additional_networks(self.v(AdditionalNetworks))?;
        let attach = validate::attach_default_network(
            validate::boolean("attach default network", self.v(AttachDefaultNetwork))?,
            &additional,
        )?;
        Ok(NodePoolSettings {
            replicas: validate::replicas(self.v(Replicas))?,
            memory: validate::memory(self.v(Memory))?,
            cores: validate::cores(self.v(Cores))?,
            root_volume_gi: validate::root_volume_size(self.v(RootVolumeSize))?,
            root_volume_storage_class: validate::storage_class(
                "root volume storage class",
                self.v(RootVolumeStorageClass),
            )?,
            root_volume_access_modes: options::access_modes(self.v(RootVolumeAccessModes))?,
            root_volume_mode: options::volume_mode(self.v(RootVolumeVolumeMode))?,
            root_volume_cache_strategy: options::cache_strategy(self.v(RootVolumeCacheStrategy))?,
            host_devices: options::host_devices(self.v(HostDevices))?,
            qos_class: validate::qos_class(self.v(QosClass))?,
            additional_networks: additional,
            attach_default_network: attach,
            vm_node_selector: validate::node_selector(self.v(VmNodeSelector))?,
            multiqueue: validate::multiqueue(self.v(NetworkMultiqueue))?,
            arch: more_options::arch(self.v(Arch))?,
            auto_repair: validate::boolean("auto repair", self.v(AutoRepair))?,
            upgrade_type: more_options::upgrade_type(self.v(NodeUpgradeType))?,
            node_drain_timeout: duration::normalise(
                "the node drain timeout",
                self.v(NodeDrainTimeout),
            )?,
            node_volume_detach_timeout: duration::normalise(
                "the volume detach timeout",
                self.v(NodeVolumeDetachTimeout),
            )?,
            paused_until: None,
        })
    }

    fn node_defaults(replicas: i32) -> Vec<(FieldId, String)> {
        use FieldId::*;
        vec![
            (Replicas, replicas.to_string()),
            (Memory, defaults::MEMORY.into()),
            (Cores, defaults::CORES.to_string()),
            (RootVolumeSize, defaults::ROOT_VOLUME_GI.to_string()),
            (QosClass, "Burstable".into()),
            (AttachDefaultNetwork, "true".into()),
            (NetworkMultiqueue, "Enable".into()),
            (Arch, more_options::DEFAULT_ARCH.into()),
            (AutoRepair, "false".into()),
            (NodeUpgradeType, "Replace".into()),
            (NodeDrainTimeout, "0s".into()),
            (NodeVolumeDetachTimeout, "0s".into()),
        ]
    }
}

fn field(
    id: FieldId,
    (label, help, kind, required): (&'static str, String, FieldKind, bool),
    value: &str,
    checked: Result<Option<String>, Invalid>,
) -> Field {
    let (error, warning) = match checked {
        Ok(w) => (None, w),
        Err(e) => (Some(e.0), None),
    };
    Field {
        id,
        label,
        help,
        kind,
        required,
        value: value.to_string(),
        error,
        warning,
    }
}

/// Errors of a list of fields.
pub type FieldErrors = Vec<(FieldId, String)>;

mod cluster;
mod nodepool;

pub use cluster::ClusterForm;
pub use nodepool::{NODEPOOL_FORM_FIELDS, NodePoolForm};

/// Format field errors as lines `--flag: message` for the CLI.
pub fn describe_errors(errs: &FieldErrors) -> String {
    errs.iter()
        .map(|(id, m)| format!("  {}: {m}", id.flag()))
        .collect::<Vec<_>>()
        .join("\n")
}
