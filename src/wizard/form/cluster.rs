//! The create-hosted-cluster (KubeVirt) wizard form.

use super::*;
use crate::wizard::build::ClusterOptions;

/// A pick list of the two availability policies.
fn availability_pick(default_note: &str) -> FieldKind {
    FieldKind::Pick {
        choices: vec![
            choice("HighlyAvailable", "HighlyAvailable", default_note),
            choice("SingleReplica", "SingleReplica", "small hubs, labs"),
        ],
        free_text: false,
    }
}

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
        let mut d = vec![
            (FieldId::Namespace, defaults::NAMESPACE.to_string()),
            (
                FieldId::ControlPlaneAvailability,
                options::DEFAULT_CONTROL_PLANE_AVAILABILITY.to_string(),
            ),
        ];
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
                        .map(|i| choice(&i.release_image, &format!("(ClusterImageSet {})", i.name), ""))
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
            ControlPlaneAvailability => (
                "Control plane availability",
                "HighlyAvailable (the hcp default) runs 3 replicas of etcd, the API server and the other control-plane components, spread over management nodes; SingleReplica runs one of each, for small hubs and labs.".into(),
                availability_pick("hcp default"),
                true,
            ),
            InfraAvailability => (
                "Infrastructure availability",
                "Replicas of the guest cluster's infrastructure services (ingress, monitoring): HighlyAvailable or SingleReplica. Empty (the hcp default) leaves it to the API default, SingleReplica.".into(),
                {
                    let mut pick = availability_pick("");
                    if let FieldKind::Pick { choices, .. } = &mut pick {
                        choices.insert(0, choice("", "", "hcp default: the API's, SingleReplica"));
                    }
                    pick
                },
                false,
            ),
            Tolerations => (
                "Control plane tolerations",
                "Tolerations for the control-plane pods, e.g. key=node-role.kubernetes.io/infra,operator=Exists,effect=NoSchedule (options: key, value, operator, effect, tolerationSeconds); separate several with ;.".into(),
                FieldKind::Text,
                false,
            ),
            StorageClassMappings => (
                "Storage class mapping",
                "KubeVirt CSI: infra storage classes offered in the hosted cluster, as <infra class>/<guest class>[,group=<group>]; separate several with ;. Empty: only the infra default class is offered. The infra class must support ReadWriteMany.".into(),
                FieldKind::Text,
                false,
            ),
            SnapshotClassMappings => (
                "Volume snapshot class mapping",
                "KubeVirt CSI: infra VolumeSnapshotClasses offered in the hosted cluster, as <infra class>/<guest class>[,group=<group>] (the group ties it to storage classes of the same group); separate several with ;.".into(),
                FieldKind::Text,
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
            ControlPlaneAvailability => {
                match options::availability_policy("control plane availability", v)? {
                    Some(_) => Ok(None),
                    None => Err(Invalid(
                        "choose HighlyAvailable (the hcp default) or SingleReplica".into(),
                    )),
                }
            }
            InfraAvailability => {
                options::availability_policy("infrastructure availability", v).map(|_| None)
            }
            Tolerations => options::tolerations(v).map(|_| None),
            StorageClassMappings | SnapshotClassMappings => {
                let kind = if id == StorageClassMappings {
                    MappingKind::StorageClass
                } else {
                    MappingKind::VolumeSnapshotClass
                };
                let external = !self.value(InfraKubeconfig).trim().is_empty();
                self.core.check_mappings(kind, v, external)
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
                options: ClusterOptions {
                    control_plane_availability: options::availability_policy(
                        "control plane availability",
                        self.value(ControlPlaneAvailability),
                    )
                    .map_err(at(ControlPlaneAvailability))?
                    .unwrap_or_else(|| options::DEFAULT_CONTROL_PLANE_AVAILABILITY.into()),
                    infra_availability: options::availability_policy(
                        "infrastructure availability",
                        self.value(InfraAvailability),
                    )
                    .map_err(at(InfraAvailability))?,
                    tolerations: options::tolerations(self.value(Tolerations))
                        .map_err(at(Tolerations))?,
                    storage_class_mappings: options::class_mappings(
                        MappingKind::StorageClass,
                        self.value(StorageClassMappings),
                    )
                    .map_err(at(StorageClassMappings))?,
                    snapshot_class_mappings: options::class_mappings(
                        MappingKind::VolumeSnapshotClass,
                        self.value(SnapshotClassMappings),
                    )
                    .map_err(at(SnapshotClassMappings))?,
                },
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
