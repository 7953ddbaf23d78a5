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
use super::facts::ClusterFacts;
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
        }
    }
}

/// The steps of the create-cluster wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Preflight,
    Cluster,
    NodePool,
    ExternalInfra,
    Review,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Preflight,
        Step::Cluster,
        Step::NodePool,
        Step::ExternalInfra,
        Step::Review,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Preflight => "Preflight",
            Step::Cluster => "Cluster",
            Step::NodePool => "Default node pool",
            Step::ExternalInfra => "External infrastructure (optional)",
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
            ],
            Step::NodePool => NODE_FIELDS,
            Step::ExternalInfra => &[InfraKubeconfig, InfraNamespace],
        }
    }
}

const NODE_FIELDS: &[FieldId] = &[
    FieldId::Replicas,
    FieldId::Memory,
    FieldId::Cores,
    FieldId::RootVolumeSize,
    FieldId::RootVolumeStorageClass,
    FieldId::QosClass,
    FieldId::AdditionalNetworks,
    FieldId::AttachDefaultNetwork,
    FieldId::VmNodeSelector,
    FieldId::NetworkMultiqueue,
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
const FILE_FIELDS: [FieldId; 3] = [
    FieldId::PullSecret,
    FieldId::SshKey,
    FieldId::InfraKubeconfig,
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
            .got()
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

    fn storage_exists(&self, what: &str, name: &Option<String>) -> Result<(), Invalid> {
        if let (Some(n), Some(scs)) = (name, self.facts.storage_classes.got())
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
                        .got()
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
                let name = sc.or_else(|| {
                    self.facts
                        .storage_classes
                        .got()?
                        .iter()
                        .find(|s| s.is_default)
                        .map(|s| s.name.clone())
                });
                Ok(
                    match name.and_then(|n| self.facts.storage_class_rwx(&n).map(|r| (n, r))) {
                        Some((n, false)) => Some(format!(
                            "{n} has no ReadWriteMany access: the VMs will not be live-migratable"
                        )),
                        _ => None,
                    },
                )
            }
            QosClass => validate::qos_class(v).map(|_| None),
            AdditionalNetworks => {
                let nets = validate::additional_networks(v)?;
                if let Some(known) = self.facts.network_attachments.got() {
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
            root_volume_access_modes: Vec::new(),
            qos_class: validate::qos_class(self.v(QosClass))?,
            additional_networks: additional,
            attach_default_network: attach,
            vm_node_selector: validate::node_selector(self.v(VmNodeSelector))?,
            multiqueue: validate::multiqueue(self.v(NetworkMultiqueue))?,
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

/// The create-hosted-cluster (KubeVirt) wizard.
#[derive(Debug, Clone)]
pub struct ClusterForm {
    core: Core,
    /// Results of the preflight checks (step 1).
    pub preflight: Vec<Check>,
}

impl ClusterForm {
    /// A form over what was read from the cluster, with `hcp` defaults filled in and the release
    /// image preset to the newest ClusterImageSet.
    pub fn new(facts: ClusterFacts) -> Self {
        let preflight = preflight::run(&facts);
        Self::with_preflight(facts, preflight)
    }

    /// A form that knows nothing about a cluster (`--dry-run` without one): no preflight, no
    /// pick lists, no uniqueness checks; the release image must be typed.
    pub fn offline() -> Self {
        Self::with_preflight(ClusterFacts::default(), Vec::new())
    }

    fn with_preflight(facts: ClusterFacts, preflight: Vec<Check>) -> Self {
        let mut d = vec![(FieldId::Namespace, defaults::NAMESPACE.to_string())];
        if let Some(img) = facts
            .cluster_image_sets
            .got()
            .and_then(|s| s.iter().max_by_key(|i| version_key(&i.release_image)))
        {
            d.push((FieldId::ReleaseImage, img.release_image.clone()));
        }
        d.extend(Core::node_defaults(defaults::CLUSTER_NODE_POOL_REPLICAS));
        ClusterForm {
            core: Core::new(facts, &d),
            preflight,
        }
    }

    pub fn facts(&self) -> &ClusterFacts {
        &self.core.facts
    }

    pub fn value(&self, id: FieldId) -> &str {
        self.core.v(id)
    }

    /// Set a field's text. A file field's file is read (and checked) here, once per path.
    pub fn set(&mut self, id: FieldId, value: impl Into<String>) {
        self.core.set(id, value.into());
    }

    /// Read the files of the file fields again (after the user fixed one on disk).
    pub fn reread_files(&mut self) {
        self.core.reread_files();
    }

    /// True when a preflight check failed: step 1 does not let the user continue.
    pub fn preflight_blocks(&self) -> bool {
        !preflight::blocking(&self.preflight).is_empty()
    }

    /// The explanation shown with the base-domain field.
    pub fn base_domain_help(&self) -> String {
        let name = match self.value(FieldId::Name) {
            "" => "<name>",
            n => n,
        };
        let apps = self
            .facts()
            .apps_domain()
            .unwrap_or("<management apps domain>");
        format!(
            "Empty: the cluster's default ingress is *.apps.{name}.{apps} under the management cluster's wildcard route (needs wildcard routes allowed), and it becomes Completed on its own. A custom base domain such as hypershift.lab gives *.apps.{name}.<base domain>, but you must then create a LoadBalancer service for the cluster's ingress (MetalLB on bare metal) and a wildcard DNS record pointing at it; until then the cluster stays Partial."
        )
    }

    fn meta(&self, id: FieldId) -> (&'static str, String, FieldKind, bool) {
        use FieldId::*;
        if let Some(m) = self.core.node_field(id) {
            return m;
        }
        match id {
            Name => (
                "Name",
                "Hosted cluster name: a DNS-1123 label, unique among hosted and managed clusters, not \"clusters\".".into(),
                FieldKind::Text,
                true,
            ),
            Namespace => (
                "Namespace",
                "Namespace of the HostedCluster on the management cluster (default clusters); not a managed cluster's namespace. Created if missing.".into(),
                FieldKind::Text,
                true,
            ),
            ReleaseImage => (
                "Release image",
                "OpenShift release image of the hosted cluster: pick a ClusterImageSet or type a pull spec.".into(),
                FieldKind::Pick {
                    choices: self
                        .facts()
                        .cluster_image_sets
                        .got()
                        .into_iter()
                        .flatten()
                        .map(|i| choice(&i.release_image, &i.name, ""))
                        .collect(),
                    free_text: true,
                },
                true,
            ),
            PullSecret => (
                "Pull secret file",
                "Path to the pull secret (.dockerconfigjson JSON with \"auths\") for quay.io/openshift-release-dev. Its contents are never shown.".into(),
                FieldKind::Path,
                true,
            ),
            SshKey => (
                "SSH public key file",
                "Optional path to an SSH public key for the nodes (core user).".into(),
                FieldKind::Path,
                false,
            ),
            BaseDomain => ("Base domain", self.base_domain_help(), FieldKind::Text, false),
            EtcdStorageClass => (
                "etcd storage class",
                "Storage class for the control plane's etcd volumes (empty = cluster default); fast local storage (e.g. LVM) is recommended.".into(),
                FieldKind::Pick {
                    choices: self.core.storage_choices(),
                    free_text: true,
                },
                false,
            ),
            InfraKubeconfig => (
                "Infrastructure kubeconfig file",
                "Optional: kubeconfig of an external infrastructure cluster that runs the worker VMs. Give it together with the infra namespace, or neither.".into(),
                FieldKind::Path,
                false,
            ),
            InfraNamespace => (
                "Infrastructure namespace",
                "Namespace on the infrastructure cluster for the VMs, e.g. clusters-<name>.".into(),
                FieldKind::Text,
                false,
            ),
            _ => ("", String::new(), FieldKind::Text, false),
        }
    }

    /// Validate one field in the context of the others and the cluster: `Ok(Some(warning))`
    /// for advice, `Err` to block. Does no I/O (file fields use what `set` read).
    pub fn check(&self, id: FieldId) -> Result<Option<String>, Invalid> {
        use FieldId::*;
        let v = self.value(id);
        let f = self.facts();
        match id {
            Name => {
                let name = validate::cluster_name(v)?;
                if let Some(hc) = f
                    .hosted_clusters
                    .got()
                    .and_then(|l| l.iter().find(|h| h.name == name))
                {
                    return Err(Invalid(format!(
                        "hostedcluster {}/{} already exists: hosted cluster names must be unique across the management cluster",
                        hc.namespace, hc.name
                    )));
                }
                if f.managed_clusters.got().is_some_and(|l| l.contains(&name)) {
                    return Err(Invalid(format!(
                        "a managed cluster named {name} exists: the multicluster engine needs hosted cluster names that differ from managed cluster names"
                    )));
                }
                let ns = self.value(Namespace);
                if f
                    .node_pools
                    .got()
                    .is_some_and(|l| l.iter().any(|n| n.namespace == ns && n.name == name))
                {
                    return Err(Invalid(format!(
                        "NodePool {ns}/{name} already exists (the default node pool takes the cluster's name)"
                    )));
                }
                Ok(None)
            }
            Namespace => {
                let ns = validate::namespace(v)?;
                if f.managed_clusters.got().is_some_and(|l| l.contains(&ns)) {
                    return Err(Invalid(format!(
                        "{ns} is the namespace of managed cluster {ns}: hosted clusters cannot be created in a managed cluster's namespace"
                    )));
                }
                Ok(None)
            }
            ReleaseImage => validate::release_image(v).map(|_| None),
            PullSecret => self.core.file(PullSecret),
            SshKey => self.core.file(SshKey),
            BaseDomain => validate::base_domain(v).map(|d| {
                d.map(|_| {
                    "a custom base domain needs a LoadBalancer service and wildcard DNS for the cluster's ingress; until then the cluster stays Partial".to_string()
                })
            }),
            EtcdStorageClass => {
                let sc = validate::storage_class("etcd storage class", v)?;
                self.core.storage_exists("etcd", &sc)?;
                Ok(None)
            }
            InfraKubeconfig | InfraNamespace => {
                match validate::infra_pair(self.value(InfraKubeconfig), self.value(InfraNamespace))? {
                    Some(_) if id == InfraKubeconfig => self.core.file(InfraKubeconfig),
                    _ => Ok(None),
                }
            }
            _ => self.core.check_node(id),
        }
    }

    /// The fields of a step, each with its current value and verdict.
    pub fn fields(&self, step: Step) -> Vec<Field> {
        step.fields()
            .iter()
            .map(|&id| field(id, self.meta(id), self.value(id), self.check(id)))
            .collect()
    }

    /// Whether the user may leave `step` forward; `Err` holds the explanation to show (blocking
    /// preflight failures, or the first field error).
    pub fn can_advance(&self, step: Step) -> Result<(), String> {
        if step == Step::Preflight {
            return if self.preflight_blocks() {
                Err(preflight::summary(&self.preflight))
            } else {
                Ok(())
            };
        }
        match self.step_errors(step).into_iter().next() {
            Some((id, m)) => Err(format!("{}: {m}", self.meta(id).0)),
            None => Ok(()),
        }
    }

    /// Errors that keep the user on `step` (for the review step: those of every step). Blocking
    /// preflight failures are reported by [`ClusterForm::preflight_blocks`].
    pub fn step_errors(&self, step: Step) -> FieldErrors {
        let mut errs: FieldErrors = step
            .fields()
            .iter()
            .filter_map(|&id| self.check(id).err().map(|e| (id, e.0)))
            .collect();
        if step == Step::Review {
            for s in [Step::Cluster, Step::NodePool, Step::ExternalInfra] {
                errs.extend(self.step_errors(s));
            }
        }
        errs
    }

    /// The validated spec, with a fresh infra ID and etcd encryption key.
    pub fn spec(&self) -> Result<ClusterSpec, FieldErrors> {
        let errs = self.step_errors(Step::Review);
        if !errs.is_empty() {
            return Err(errs);
        }
        // Files are read again here: report a failure under the field it belongs to.
        let build = || -> Result<ClusterSpec, (FieldId, Invalid)> {
            use FieldId::*;
            let at = |id: FieldId| move |e: Invalid| (id, e);
            let name = validate::cluster_name(self.value(Name)).map_err(at(Name))?;
            let infra =
                match validate::infra_pair(self.value(InfraKubeconfig), self.value(InfraNamespace))
                    .map_err(at(InfraNamespace))?
                {
                    Some((path, ns)) => Some(ExternalInfra {
                        kubeconfig: validate::infra_kubeconfig_file(&path)
                            .map_err(at(InfraKubeconfig))?,
                        namespace: ns,
                    }),
                    None => None,
                };
            Ok(ClusterSpec {
                infra_id: build::new_infra_id(&name),
                name,
                namespace: validate::namespace(self.value(Namespace)).map_err(at(Namespace))?,
                release_image: validate::release_image(self.value(ReleaseImage))
                    .map_err(at(ReleaseImage))?,
                pull_secret: validate::pull_secret_file(self.value(PullSecret))
                    .map_err(at(PullSecret))?,
                ssh_key: validate::ssh_key_file(self.value(SshKey)).map_err(at(SshKey))?,
                base_domain: validate::base_domain(self.value(BaseDomain))
                    .map_err(at(BaseDomain))?,
                etcd_storage_class: validate::storage_class(
                    "etcd storage class",
                    self.value(EtcdStorageClass),
                )
                .map_err(at(EtcdStorageClass))?,
                node_pool: self.core.node_settings().map_err(at(Replicas))?,
                infra,
                etcd_encryption_key: Sensitive::random_key(),
            })
        };
        build().map_err(|(id, e)| vec![(id, e.0)])
    }

    /// The objects the review step shows and the executor creates.
    pub fn plan(&self) -> Result<Plan, FieldErrors> {
        self.spec().map(|s| build::build_cluster(&s))
    }
}

/// The add-node-pool (KubeVirt) form: cluster, name and the node-pool fields, with
/// `hcp create nodepool kubevirt` defaults (2 replicas).
#[derive(Debug, Clone)]
pub struct NodePoolForm {
    core: Core,
}

/// Fields of the add-node-pool form, in order.
pub const NODEPOOL_FORM_FIELDS: &[FieldId] = &[
    FieldId::Namespace,
    FieldId::Cluster,
    FieldId::Name,
    FieldId::ReleaseImage,
    FieldId::Replicas,
    FieldId::Memory,
    FieldId::Cores,
    FieldId::RootVolumeSize,
    FieldId::RootVolumeStorageClass,
    FieldId::QosClass,
    FieldId::AdditionalNetworks,
    FieldId::AttachDefaultNetwork,
    FieldId::VmNodeSelector,
    FieldId::NetworkMultiqueue,
];

impl NodePoolForm {
    pub fn new(facts: ClusterFacts) -> Self {
        let mut d = vec![(FieldId::Namespace, defaults::NAMESPACE.to_string())];
        d.extend(Core::node_defaults(defaults::NODEPOOL_REPLICAS));
        NodePoolForm {
            core: Core::new(facts, &d),
        }
    }

    pub fn value(&self, id: FieldId) -> &str {
        self.core.v(id)
    }

    pub fn set(&mut self, id: FieldId, value: impl Into<String>) {
        self.core.set(id, value.into());
    }

    fn cluster(&self) -> Option<&super::facts::HostedClusterInfo> {
        let ns = self.value(FieldId::Namespace);
        let name = self.value(FieldId::Cluster);
        self.core
            .facts
            .hosted_clusters
            .got()?
            .iter()
            .find(|h| h.namespace == ns && h.name == name)
    }

    fn meta(&self, id: FieldId) -> (&'static str, String, FieldKind, bool) {
        use FieldId::*;
        if let Some(m) = self.core.node_field(id) {
            return m;
        }
        let ns = self.value(Namespace);
        match id {
            Namespace => (
                "Namespace",
                "Namespace of the HostedCluster (default clusters).".into(),
                FieldKind::Text,
                true,
            ),
            Cluster => (
                "Hosted cluster",
                "The KubeVirt HostedCluster the node pool joins.".into(),
                FieldKind::Pick {
                    choices: self
                        .core
                        .facts
                        .hosted_clusters
                        .got()
                        .into_iter()
                        .flatten()
                        .filter(|h| h.namespace == ns)
                        .map(|h| choice(&h.name, &h.name, &h.platform))
                        .collect(),
                    free_text: true,
                },
                true,
            ),
            Name => (
                "Node pool name",
                "A DNS-1123 label, unique among the node pools of the namespace, e.g. <cluster>-extra-cpu.".into(),
                FieldKind::Text,
                true,
            ),
            ReleaseImage => (
                "Release image",
                "Empty: the hosted cluster's release image (recommended).".into(),
                FieldKind::Text,
                false,
            ),
            _ => ("", String::new(), FieldKind::Text, false),
        }
    }

    pub fn check(&self, id: FieldId) -> Result<Option<String>, Invalid> {
        use FieldId::*;
        let v = self.value(id);
        let facts = &self.core.facts;
        match id {
            Namespace => validate::namespace(v).map(|_| None),
            Cluster => {
                let name = validate::dns_label("the cluster name", v)?;
                let ns = self.value(Namespace);
                if facts.hosted_clusters.got().is_some() {
                    let Some(hc) = self.cluster() else {
                        return Err(Invalid(format!("hostedcluster {ns}/{name} does not exist")));
                    };
                    if hc.platform != "KubeVirt" {
                        return Err(Invalid(format!(
                            "NodePool platform type KubeVirt must be HostedCluster type {}",
                            hc.platform
                        )));
                    }
                    if let Some(arch) = hc
                        .payload_arch
                        .as_deref()
                        .filter(|a| !matches!(*a, "Multi" | "AMD64"))
                    {
                        return Err(Invalid(format!(
                            "the hosted cluster's release payload is {arch}: an amd64 node pool needs a Multi or AMD64 payload"
                        )));
                    }
                }
                Ok(None)
            }
            Name => {
                let name = validate::nodepool_name(v)?;
                let ns = self.value(Namespace);
                if facts
                    .node_pools
                    .got()
                    .is_some_and(|l| l.iter().any(|n| n.namespace == ns && n.name == name))
                {
                    return Err(Invalid(format!("NodePool {ns}/{name} already exists")));
                }
                Ok(None)
            }
            ReleaseImage => {
                if v.trim().is_empty() {
                    if facts.hosted_clusters.got().is_none() {
                        return Err(Invalid(
                            "a release image is required when the hosted cluster cannot be read"
                                .into(),
                        ));
                    }
                    return Ok(None);
                }
                let image = validate::release_image(v)?;
                let Some(hc) = self.cluster().filter(|hc| hc.release_image != image) else {
                    return Ok(None);
                };
                // Version skew (hcp: not newer than the control plane, at most n-3), when both
                // pull specs carry a version tag.
                let (np, cp) = (version_key(&image), version_key(&hc.release_image));
                if np != (0, 0, 0) && cp != (0, 0, 0) {
                    if np > cp {
                        return Err(Invalid(format!(
                            "the node pool release {}.{}.{} is newer than the control plane's {}.{}.{}",
                            np.0, np.1, np.2, cp.0, cp.1, cp.2
                        )));
                    }
                    if np.0 != cp.0 || cp.1 > np.1 + 3 {
                        return Err(Invalid(format!(
                            "the node pool release {}.{} is more than 3 minor versions older than the control plane's {}.{}",
                            np.0, np.1, cp.0, cp.1
                        )));
                    }
                }
                Ok(Some(format!(
                    "differs from the cluster's release {}: the node pool must not be newer than the control plane and at most 3 minor versions older",
                    hc.release_image
                )))
            }
            _ => self.core.check_node(id),
        }
    }

    pub fn fields(&self) -> Vec<Field> {
        NODEPOOL_FORM_FIELDS
            .iter()
            .map(|&id| field(id, self.meta(id), self.value(id), self.check(id)))
            .collect()
    }

    pub fn errors(&self) -> FieldErrors {
        NODEPOOL_FORM_FIELDS
            .iter()
            .filter_map(|&id| self.check(id).err().map(|e| (id, e.0)))
            .collect()
    }

    pub fn spec(&self) -> Result<NodePoolSpec, FieldErrors> {
        let errs = self.errors();
        if !errs.is_empty() {
            return Err(errs);
        }
        let build = || -> Result<NodePoolSpec, Invalid> {
            use FieldId::*;
            let release = match self.value(ReleaseImage).trim() {
                "" => self
                    .cluster()
                    .map(|c| c.release_image.clone())
                    .ok_or_else(|| Invalid("the hosted cluster has no release image".into()))?,
                v => validate::release_image(v)?,
            };
            Ok(NodePoolSpec {
                name: validate::nodepool_name(self.value(Name))?,
                namespace: validate::namespace(self.value(Namespace))?,
                cluster_name: validate::dns_label("the cluster name", self.value(Cluster))?,
                release_image: release,
                settings: self.core.node_settings()?,
            })
        };
        build().map_err(|e| vec![(FieldId::ReleaseImage, e.0)])
    }

    pub fn plan(&self) -> Result<Plan, FieldErrors> {
        self.spec().map(|s| build::build_nodepool(&s))
    }
}

/// Format field errors as lines `--flag: message` for the CLI.
pub fn describe_errors(errs: &FieldErrors) -> String {
    errs.iter()
        .map(|(id, m)| format!("  {}: {m}", id.flag()))
        .collect::<Vec<_>>()
        .join("\n")
}
