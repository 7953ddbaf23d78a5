//! The add-node-pool (KubeVirt) form.

use super::*;

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

    fn cluster(&self) -> Option<&crate::wizard::facts::HostedClusterInfo> {
        let ns = self.value(FieldId::Namespace);
        let name = self.value(FieldId::Cluster);
        self.core
            .facts
            .hosted_clusters
            .get()?
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
                        .get()
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
                if facts.hosted_clusters.get().is_some() {
                    let Some(hc) = self.cluster() else {
                        return Err(Invalid(format!("hostedcluster {ns}/{name} does not exist")));
                    };
                    if hc.platform != "KubeVirt" {
                        return Err(Invalid(format!(
                            "NodePool platform type KubeVirt must be HostedCluster type {}",
                            hc.platform
                        )));
                    }
                    let arch = crate::wizard::more_options::arch(self.value(Arch))
                        .unwrap_or_else(|_| crate::wizard::more_options::DEFAULT_ARCH.into());
                    if let Some(payload) = hc
                        .payload_arch
                        .as_deref()
                        .filter(|p| !crate::wizard::more_options::payload_supports(p, &arch))
                    {
                        return Err(Invalid(format!(
                            "the hosted cluster's release payload is {payload}: a node pool of {arch} needs a Multi or {} payload",
                            arch.to_ascii_uppercase()
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
                    .get()
                    .is_some_and(|l| l.iter().any(|n| n.namespace == ns && n.name == name))
                {
                    return Err(Invalid(format!("NodePool {ns}/{name} already exists")));
                }
                Ok(None)
            }
            ReleaseImage => {
                if v.trim().is_empty() {
                    if facts.hosted_clusters.get().is_none() {
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
