//! The create-hosted-cluster (KubeVirt) wizard form.

use super::*;
use crate::wizard::build::ClusterOptions;
use crate::wizard::more_options;

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
            (FieldId::EtcdStorageSize, defaults::ETCD_SIZE.to_string()),
            (
                FieldId::NetworkType,
                more_options::NETWORK_TYPES[0].to_string(),
            ),
            (FieldId::DefaultDual, "false".to_string()),
            (FieldId::Fips, "false".to_string()),
            (FieldId::OlmCatalogPlacement, "management".to_string()),
            (FieldId::OlmDisableDefaultSources, "false".to_string()),
        ];
        if let Some(img) = facts
            .cluster_image_sets
            .get()
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
                        .get()
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
            EtcdStorageSize => (
                "etcd storage size",
                "Size of each etcd member's volume, a Kubernetes quantity (8Gi, the hcp default). It cannot be changed later.".into(),
                FieldKind::Text,
                true,
            ),
            NetworkType => (
                "Network type",
                "The hosted cluster's network plugin: OVNKubernetes (the hcp default), OpenShiftSDN, Calico, or Other (you install a CNI yourself).".into(),
                FieldKind::Pick {
                    choices: more_options::NETWORK_TYPES
                        .iter()
                        .enumerate()
                        .map(|(i, t)| choice(t, t, if i == 0 { "hcp default" } else { "" }))
                        .collect(),
                    free_text: false,
                },
                true,
            ),
            ClusterCidr => (
                "Cluster network CIDR",
                format!(
                    "Pod network of the hosted cluster, address/prefix; one IPv4 and one IPv6, comma-separated, for dual stack. Empty: {} (the hcp default).",
                    more_options::DEFAULT_CLUSTER_CIDR
                ),
                FieldKind::Text,
                false,
            ),
            ServiceCidr => (
                "Service network CIDR",
                format!(
                    "Service network of the hosted cluster, address/prefix (comma-separated for dual stack); must not overlap the cluster network. Empty: {} (the hcp default).",
                    more_options::DEFAULT_SERVICE_CIDR
                ),
                FieldKind::Text,
                false,
            ),
            DefaultDual => (
                "Default dual stack",
                format!(
                    "true: dual-stack defaults for both networks ({}, {} and {}, {}); then leave both CIDR fields empty.",
                    more_options::DEFAULT_CLUSTER_CIDR,
                    more_options::DEFAULT_IPV6_CLUSTER_CIDR,
                    more_options::DEFAULT_SERVICE_CIDR,
                    more_options::DEFAULT_IPV6_SERVICE_CIDR
                ),
                FieldKind::Toggle,
                true,
            ),
            ExternalDnsDomain => (
                "External DNS domain",
                "Optional: a domain served by external-dns on the management cluster. As hcp does on KubeVirt, the API server is then published through a Route instead of a LoadBalancer service.".into(),
                FieldKind::Text,
                false,
            ),
            Fips => (
                "FIPS",
                "true: the nodes run in FIPS mode (the ignition server expects FIPS nodes). Cannot be changed later.".into(),
                FieldKind::Toggle,
                true,
            ),
            InfraId => (
                "Infra ID",
                "Empty (recommended): <name>-<5 random characters>, as hcp generates. Otherwise a DNS label of up to 63 characters, unique on the management cluster; it cannot be changed later.".into(),
                FieldKind::Text,
                false,
            ),
            ControlPlaneNodeSelector => (
                "Control plane node selector",
                "Run the control-plane pods only on management nodes with these labels: key=value[,key2=value2] (at most 20).".into(),
                FieldKind::Text,
                false,
            ),
            Labels => (
                "Labels",
                "Labels of the HostedCluster, key=value; separate several with ;.".into(),
                FieldKind::Text,
                false,
            ),
            Annotations => (
                "Annotations",
                "Annotations of the HostedCluster, key=value (the value may hold spaces, commas and =); separate several with ;.".into(),
                FieldKind::Text,
                false,
            ),
            OlmCatalogPlacement => (
                "OLM catalog placement",
                "Where the OLM catalog pods run: management (the hcp default) or guest. Cannot be changed later.".into(),
                FieldKind::Pick {
                    choices: vec![
                        choice("management", "management", "hcp default"),
                        choice("guest", "guest", "in the hosted cluster"),
                    ],
                    free_text: false,
                },
                true,
            ),
            OlmDisableDefaultSources => (
                "Disable default OLM sources",
                "true: the hosted cluster starts without the default catalog sources (disconnected installs bring their own).".into(),
                FieldKind::Toggle,
                true,
            ),
            PausedUntil => (
                "Paused until",
                "Optional: true pauses reconciliation of the cluster and its default node pool until the field is removed; an RFC 3339 date (2026-12-24T18:00:00Z) pauses until then.".into(),
                FieldKind::Text,
                false,
            ),
            AdditionalTrustBundle => (
                "Additional trust bundle file",
                "Optional path to PEM CA certificates (e.g. a mirror registry's CA). They go into the ConfigMap user-ca-bundle of the namespace, shown in the review; the create stops if that ConfigMap already exists.".into(),
                FieldKind::Path,
                false,
            ),
            ImageContentSources => (
                "Image content sources file",
                "Optional path to a YAML list of mirrors for disconnected installs: - source: quay.io/openshift-release-dev/ocp-release, mirrors: [mirror.example.com:5000/ocp/release].".into(),
                FieldKind::Path,
                false,
            ),
            _ => ("", String::new(), FieldKind::Text, false),
        }
    }

    fn networks(&self) -> Result<more_options::Networks, Invalid> {
        use FieldId::*;
        let dual = validate::boolean("default dual stack", self.value(DefaultDual))?;
        more_options::networks(self.value(ClusterCidr), self.value(ServiceCidr), dual)
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
                    .get()
                    .and_then(|l| l.iter().find(|h| h.name == name))
                {
                    return Err(Invalid(format!(
                        "hostedcluster {}/{} already exists: hosted cluster names must be unique across the management cluster",
                        hc.namespace, hc.name
                    )));
                }
                if f.managed_clusters.get().is_some_and(|l| l.contains(&name)) {
                    return Err(Invalid(format!(
                        "a managed cluster named {name} exists: the multicluster engine needs hosted cluster names that differ from managed cluster names"
                    )));
                }
                let ns = self.value(Namespace);
                if f
                    .node_pools
                    .get()
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
                if f.managed_clusters.get().is_some_and(|l| l.contains(&ns)) {
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
            EtcdStorageSize => more_options::etcd_storage_size(v).map(|_| None),
            NetworkType => more_options::network_type(v).map(|_| None),
            ClusterCidr => more_options::cidrs("the cluster network", v).map(|_| None),
            ServiceCidr => {
                more_options::cidrs("the service network", v)?;
                let dual = validate::boolean("default dual stack", self.value(DefaultDual))?;
                if dual
                    || more_options::cidrs("the cluster network", self.value(ClusterCidr)).is_err()
                {
                    return Ok(None);
                }
                self.networks().map(|_| None)
            }
            DefaultDual => {
                if validate::boolean("default dual stack", v)? {
                    self.networks()?;
                }
                Ok(None)
            }
            ExternalDnsDomain => more_options::external_dns_domain(v).map(|_| None),
            Fips => validate::boolean("FIPS", v).map(|_| None),
            InfraId => more_options::infra_id(v).map(|_| None),
            ControlPlaneNodeSelector => {
                let sel = validate::node_selector(v)?;
                if sel.len() > 20 {
                    return Err(Invalid(format!(
                        "the control plane node selector has {} entries; the API allows at most 20",
                        sel.len()
                    )));
                }
                Ok(None)
            }
            Labels => more_options::labels(v).map(|_| None),
            Annotations => more_options::annotations(v).map(|_| None),
            OlmCatalogPlacement => more_options::olm_catalog_placement(v).map(|_| None),
            OlmDisableDefaultSources => {
                validate::boolean("disable default OLM sources", v).map(|_| None)
            }
            PausedUntil => more_options::paused_until(v).map(|_| None),
            AdditionalTrustBundle | ImageContentSources => self.core.file(id),
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
            for s in Step::WITH_FIELDS {
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
            let networks = self.networks().map_err(|e| {
                let dual = self.value(DefaultDual).trim().eq_ignore_ascii_case("true");
                (if dual { DefaultDual } else { ServiceCidr }, e)
            })?;
            let infra_id = more_options::infra_id(self.value(InfraId)).map_err(at(InfraId))?;
            let paused_until =
                more_options::paused_until(self.value(PausedUntil)).map_err(at(PausedUntil))?;
            let mut node_pool = self.core.node_settings().map_err(at(Replicas))?;
            node_pool.paused_until = paused_until.clone();
            Ok(ClusterSpec {
                infra_id: infra_id.unwrap_or_else(|| build::new_infra_id(&name)),
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
                node_pool,
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
                    etcd_storage_size: more_options::etcd_storage_size(self.value(EtcdStorageSize))
                        .map_err(at(EtcdStorageSize))?,
                    network_type: more_options::network_type(self.value(NetworkType))
                        .map_err(at(NetworkType))?,
                    networks,
                    external_dns_domain: more_options::external_dns_domain(
                        self.value(ExternalDnsDomain),
                    )
                    .map_err(at(ExternalDnsDomain))?,
                    fips: validate::boolean("FIPS", self.value(Fips)).map_err(at(Fips))?,
                    node_selector: validate::node_selector(self.value(ControlPlaneNodeSelector))
                        .map_err(at(ControlPlaneNodeSelector))?,
                    labels: more_options::labels(self.value(Labels)).map_err(at(Labels))?,
                    annotations: more_options::annotations(self.value(Annotations))
                        .map_err(at(Annotations))?,
                    olm_catalog_placement: more_options::olm_catalog_placement(
                        self.value(OlmCatalogPlacement),
                    )
                    .map_err(at(OlmCatalogPlacement))?,
                    olm_disable_default_sources: validate::boolean(
                        "disable default OLM sources",
                        self.value(OlmDisableDefaultSources),
                    )
                    .map_err(at(OlmDisableDefaultSources))?,
                    paused_until,
                    additional_trust_bundle: more_options::trust_bundle_file(
                        self.value(AdditionalTrustBundle),
                    )
                    .map_err(at(AdditionalTrustBundle))?
                    .map(|b| b.pem),
                    image_content_sources: more_options::image_content_sources_file(
                        self.value(ImageContentSources),
                    )
                    .map_err(at(ImageContentSources))?,
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
