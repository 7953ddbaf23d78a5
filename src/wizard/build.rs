//! Object builders with `hcp create cluster kubevirt` / `hcp create nodepool kubevirt` parity
//! (facts §3.1, §3.2): the same objects, names, labels and defaults, in `hcp`'s apply order.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use serde_json::{Value, json};

use super::more_options::{ImageContentSource, Networks};
use super::options::{self, ClassMapping, HostDevice, Toleration};
use super::secret::{REDACTED, Sensitive};
use super::validate::{InfraKubeconfig, Multiqueue, PullSecret, QosClass, SshPublicKey};

pub const HYPERSHIFT_API_VERSION: &str = "hypershift.openshift.io/v1beta1";
/// Label `hcp` puts on every Secret it creates for a cluster.
pub const SAFE_TO_DELETE_LABEL: &str = "hypershift.openshift.io/safe-to-delete-with-cluster";
/// Label `hcp` puts on every object it applies.
pub const AUTO_CREATED_LABEL: &str = "hypershift.openshift.io/auto-created-for-infra";

/// `hcp` defaults (facts §3.1).
pub mod defaults {
    pub const NAMESPACE: &str = "clusters";
    pub const MEMORY: &str = "4Gi";
    pub const CORES: u32 = 2;
    pub const ROOT_VOLUME_GI: u32 = 32;
    pub const ETCD_SIZE: &str = "8Gi";
    pub const CLUSTER_CIDR: &str = "10.132.0.0/14";
    pub const SERVICE_CIDR: &str = "172.31.0.0/16";
    pub const ARCH: &str = "amd64";
    /// `hcp create cluster` has no explicit default (Go zero value); the wizard suggests 2.
    pub const CLUSTER_NODE_POOL_REPLICAS: i32 = 0;
    /// `hcp create nodepool` default.
    pub const NODEPOOL_REPLICAS: i32 = 2;
}

/// The KubeVirt settings of a node pool (step 3 of the cluster wizard; the add-node-pool form).
#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolSettings {
    pub replicas: i32,
    pub memory: String,
    pub cores: u32,
    pub root_volume_gi: u32,
    pub root_volume_storage_class: Option<String>,
    /// e.g. `["ReadWriteMany"]` to make the root volume live-migratable; empty = provisioner
    /// default.
    pub root_volume_access_modes: Vec<String>,
    pub qos_class: QosClass,
    /// `<namespace>/<name>` of NetworkAttachmentDefinitions.
    pub additional_networks: Vec<String>,
    pub attach_default_network: bool,
    pub vm_node_selector: BTreeMap<String, String>,
    pub multiqueue: Multiqueue,
    /// `Filesystem` or `Block`; `None` = the storage profile's choice.
    pub root_volume_mode: Option<String>,
    /// `None` or `PVC` (`rootVolume.cacheStrategy.type`); `None` here = not written.
    pub root_volume_cache_strategy: Option<String>,
    pub host_devices: Vec<HostDevice>,
    /// `--arch` (amd64).
    pub arch: String,
    /// `--auto-repair`: `management.autoRepair`.
    pub auto_repair: bool,
    /// `--node-upgrade-type`: Replace (the KubeVirt default) or InPlace.
    pub upgrade_type: String,
    /// `--node-drain-timeout` / `--node-volume-detach-timeout`, in Go's `Duration.String()` form.
    pub node_drain_timeout: String,
    pub node_volume_detach_timeout: String,
    /// `--pausedUntil` (cluster only: `hcp` pauses the default node pool with the cluster).
    pub paused_until: Option<String>,
}

impl Default for NodePoolSettings {
    fn default() -> Self {
        NodePoolSettings {
            replicas: defaults::CLUSTER_NODE_POOL_REPLICAS,
            memory: defaults::MEMORY.into(),
            cores: defaults::CORES,
            root_volume_gi: defaults::ROOT_VOLUME_GI,
            root_volume_storage_class: None,
            root_volume_access_modes: Vec::new(),
            qos_class: QosClass::Burstable,
            additional_networks: Vec::new(),
            attach_default_network: true,
            vm_node_selector: BTreeMap::new(),
            multiqueue: Multiqueue::Enable,
            root_volume_mode: None,
            root_volume_cache_strategy: None,
            host_devices: Vec::new(),
            arch: defaults::ARCH.into(),
            auto_repair: false,
            upgrade_type: "Replace".into(),
            node_drain_timeout: "0s".into(),
            node_volume_detach_timeout: "0s".into(),
            paused_until: None,
        }
    }
}

/// HostedCluster options beyond the basics (`hcp` flags with their defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOptions {
    /// `--control-plane-availability-policy` (hcp default HighlyAvailable).
    pub control_plane_availability: String,
    /// `--infra-availability-policy`; `None` leaves it to the CRD default (SingleReplica).
    pub infra_availability: Option<String>,
    /// `--toleration`: for the control-plane pods.
    pub tolerations: Vec<Toleration>,
    /// `--infra-storage-class-mapping`.
    pub storage_class_mappings: Vec<ClassMapping>,
    /// `--infra-volumesnapshot-class-mapping`.
    pub snapshot_class_mappings: Vec<ClassMapping>,
    /// `--etcd-storage-size` (8Gi).
    pub etcd_storage_size: String,
    /// `--network-type` (OVNKubernetes).
    pub network_type: String,
    /// `--cluster-cidr`, `--service-cidr`, `--default-dual`.
    pub networks: Networks,
    /// `--external-dns-domain`: the API server is then published through a Route.
    pub external_dns_domain: Option<String>,
    /// `--fips`.
    pub fips: bool,
    /// `--node-selector`: for the control-plane pods.
    pub node_selector: BTreeMap<String, String>,
    /// `--labels` / `--annotations` of the HostedCluster.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `--olm-catalog-placement` (management) and `--olm-disable-default-sources`.
    pub olm_catalog_placement: String,
    pub olm_disable_default_sources: bool,
    /// `--pausedUntil`: `true` or an RFC 3339 date.
    pub paused_until: Option<String>,
    /// `--additional-trust-bundle`: PEM CA certificates for the `user-ca-bundle` ConfigMap.
    pub additional_trust_bundle: Option<String>,
    /// `--image-content-sources`.
    pub image_content_sources: Vec<ImageContentSource>,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            control_plane_availability: options::DEFAULT_CONTROL_PLANE_AVAILABILITY.into(),
            infra_availability: None,
            tolerations: Vec::new(),
            storage_class_mappings: Vec::new(),
            snapshot_class_mappings: Vec::new(),
            etcd_storage_size: defaults::ETCD_SIZE.into(),
            network_type: "OVNKubernetes".into(),
            networks: Networks::default(),
            external_dns_domain: None,
            fips: false,
            node_selector: BTreeMap::new(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            olm_catalog_placement: "management".into(),
            olm_disable_default_sources: false,
            paused_until: None,
            additional_trust_bundle: None,
            image_content_sources: Vec::new(),
        }
    }
}

/// Name of the ConfigMap `hcp` creates for `--additional-trust-bundle` (one per namespace).
pub const TRUST_BUNDLE_CONFIGMAP: &str = "user-ca-bundle";

/// External infrastructure cluster for the VMs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalInfra {
    pub kubeconfig: InfraKubeconfig,
    pub namespace: String,
}

/// Everything `hcp create cluster kubevirt` needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    pub name: String,
    pub namespace: String,
    pub release_image: String,
    pub pull_secret: PullSecret,
    pub ssh_key: Option<SshPublicKey>,
    pub base_domain: Option<String>,
    pub etcd_storage_class: Option<String>,
    pub node_pool: NodePoolSettings,
    pub infra: Option<ExternalInfra>,
    pub options: ClusterOptions,
    /// `<name>-<5 random>`, as `infraid.New`.
    pub infra_id: String,
    /// 32 random bytes for the etcd encryption Secret.
    pub etcd_encryption_key: Sensitive,
}

/// `infraid.New`: the name (truncated to 21) + `-` + 5 random lower-case letters and digits.
pub fn new_infra_id(name: &str) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let suffix: String = (0..5)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    let base: String = name.chars().take(21).collect();
    format!("{}-{suffix}", base.trim_end_matches('-'))
}

/// Everything `hcp create nodepool kubevirt` needs, validated and resolved from the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolSpec {
    pub name: String,
    pub namespace: String,
    pub cluster_name: String,
    pub release_image: String,
    pub settings: NodePoolSettings,
}

/// One object of a plan.
#[derive(Clone, PartialEq)]
pub struct PlannedObject {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The object to send. Holds secret values for Secrets: never print it, use
    /// [`PlannedObject::redacted`].
    pub object: Value,
    /// Create only if it does not exist yet (the Namespace); never rolled back if it existed.
    pub if_missing: bool,
}

impl fmt::Debug for PlannedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlannedObject")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("object", &self.redacted())
            .finish()
    }
}

impl PlannedObject {
    fn new(object: Value, if_missing: bool) -> Self {
        let s = |p: &str| object.pointer(p).and_then(Value::as_str).map(String::from);
        PlannedObject {
            kind: s("/kind").unwrap_or_default(),
            name: s("/metadata/name").unwrap_or_default(),
            namespace: s("/metadata/namespace"),
            object,
            if_missing,
        }
    }

    /// `Kind ns/name` for messages.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    pub fn is_secret(&self) -> bool {
        self.kind == "Secret"
    }

    /// The object with every Secret value replaced by `<redacted>`.
    pub fn redacted(&self) -> Value {
        let mut o = self.object.clone();
        if self.is_secret() {
            for field in ["data", "stringData"] {
                if let Some(m) = o.get_mut(field).and_then(Value::as_object_mut) {
                    for v in m.values_mut() {
                        *v = Value::String(REDACTED.into());
                    }
                }
            }
        }
        o
    }
}

/// The objects a wizard run creates, in creation order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub objects: Vec<PlannedObject>,
}

impl Plan {
    /// Multi-document YAML with secrets redacted.
    pub fn to_yaml_redacted(&self) -> Result<String, serde_yaml::Error> {
        let mut out = String::new();
        for o in &self.objects {
            out.push_str("---\n");
            out.push_str(&serde_yaml::to_string(&o.redacted())?);
        }
        Ok(out)
    }

    /// One `(title, YAML)` per object, secrets redacted: what the review step shows.
    pub fn review(&self) -> Vec<(String, String)> {
        self.objects
            .iter()
            .map(|o| {
                let title = if o.if_missing {
                    format!("{} (created only if missing)", o.describe())
                } else {
                    o.describe()
                };
                let yaml = serde_yaml::to_string(&o.redacted())
                    .unwrap_or_else(|e| format!("# cannot render: {e}\n"));
                (title, yaml)
            })
            .collect()
    }

    /// A `v1/List` with secrets redacted.
    pub fn to_json_redacted(&self) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": self.objects.iter().map(PlannedObject::redacted).collect::<Vec<_>>(),
        })
    }

    pub fn find(&self, kind: &str) -> Option<&PlannedObject> {
        self.objects.iter().find(|o| o.kind == kind)
    }

    pub fn find_mut(&mut self, kind: &str) -> Option<&mut PlannedObject> {
        self.objects.iter_mut().find(|o| o.kind == kind)
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn secret(ns: &str, name: &str, type_: Option<&str>, data: Value, infra_id: &str) -> Value {
    let mut s = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {SAFE_TO_DELETE_LABEL: "true", AUTO_CREATED_LABEL: infra_id},
        },
        "data": data,
    });
    if let Some(t) = type_ {
        s["type"] = json!(t);
    }
    s
}

/// The KubeVirt NodePool platform block (`hcp` renders only what was set).
fn kubevirt_nodepool_platform(s: &NodePoolSettings) -> Value {
    let mut persistent = json!({"size": format!("{}Gi", s.root_volume_gi)});
    if let Some(sc) = &s.root_volume_storage_class {
        persistent["storageClass"] = json!(sc);
    }
    if !s.root_volume_access_modes.is_empty() {
        persistent["accessModes"] = json!(s.root_volume_access_modes);
    }
    if let Some(mode) = &s.root_volume_mode {
        persistent["volumeMode"] = json!(mode);
    }
    let mut root_volume = json!({"type": "Persistent", "persistent": persistent});
    if let Some(strategy) = &s.root_volume_cache_strategy {
        root_volume["cacheStrategy"] = json!({"type": strategy});
    }
    let mut compute = json!({"memory": s.memory, "cores": s.cores});
    if s.qos_class == QosClass::Guaranteed {
        compute["qosClass"] = json!("Guaranteed");
    }
    let mut kv = json!({
        "rootVolume": root_volume,
        "compute": compute,
        "attachDefaultNetwork": s.attach_default_network,
    });
    if s.multiqueue == Multiqueue::Enable {
        kv["networkInterfaceMultiqueue"] = json!("Enable");
    }
    if !s.additional_networks.is_empty() {
        kv["additionalNetworks"] = s
            .additional_networks
            .iter()
            .map(|n| json!({"name": n}))
            .collect();
    }
    if !s.vm_node_selector.is_empty() {
        kv["nodeSelector"] = json!(s.vm_node_selector);
    }
    if !s.host_devices.is_empty() {
        kv["hostDevices"] = s
            .host_devices
            .iter()
            .map(|d| json!({"deviceName": d.name, "count": d.count}))
            .collect();
    }
    kv
}

fn nodepool_object(
    name: &str,
    ns: &str,
    cluster: &str,
    release: &str,
    s: &NodePoolSettings,
    labels: Value,
) -> Value {
    let mut metadata = json!({"name": name, "namespace": ns});
    if labels.as_object().is_some_and(|l| !l.is_empty()) {
        metadata["labels"] = labels;
    }
    let mut np = json!({
        "apiVersion": HYPERSHIFT_API_VERSION,
        "kind": "NodePool",
        "metadata": metadata,
        "spec": {
            "clusterName": cluster,
            "replicas": s.replicas,
            "release": {"image": release},
            "arch": s.arch,
            "management": {"upgradeType": s.upgrade_type, "autoRepair": s.auto_repair},
            "nodeDrainTimeout": s.node_drain_timeout,
            "nodeVolumeDetachTimeout": s.node_volume_detach_timeout,
            "platform": {"type": "KubeVirt", "kubevirt": kubevirt_nodepool_platform(s)},
        }
    });
    if let Some(p) = &s.paused_until {
        np["spec"]["pausedUntil"] = json!(p);
    }
    np
}

/// The objects `hcp create cluster kubevirt` creates, in its order: Namespace, pull-secret,
/// SSH key, infra credentials, etcd encryption key, HostedCluster, NodePool.
pub fn build_cluster(spec: &ClusterSpec) -> Plan {
    let (ns, name, id) = (&spec.namespace, &spec.name, &spec.infra_id);
    let mut objects = vec![PlannedObject::new(
        json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {AUTO_CREATED_LABEL: id}},
        }),
        true,
    )];
    let opts = &spec.options;
    if let Some(pem) = &opts.additional_trust_bundle {
        // Not a Secret: CA certificates are public, and `hcp` stores them in a ConfigMap.
        objects.push(PlannedObject::new(
            json!({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": TRUST_BUNDLE_CONFIGMAP, "namespace": ns, "labels": {AUTO_CREATED_LABEL: id}},
                "data": {"ca-bundle.crt": pem},
            }),
            false,
        ));
    }
    let pull = format!("{name}-pull-secret");
    objects.push(PlannedObject::new(
        secret(
            ns,
            &pull,
            None,
            json!({".dockerconfigjson": b64(spec.pull_secret.contents.expose())}),
            id,
        ),
        false,
    ));
    if let Some(k) = &spec.ssh_key {
        objects.push(PlannedObject::new(
            secret(
                ns,
                &format!("{name}-ssh-key"),
                None,
                json!({"id_rsa.pub": b64(k.key.as_bytes())}),
                id,
            ),
            false,
        ));
    }
    if let Some(infra) = &spec.infra {
        objects.push(PlannedObject::new(
            secret(
                ns,
                &format!("{name}-infra-credentials"),
                Some("Opaque"),
                json!({"kubeconfig": b64(infra.kubeconfig.contents.expose())}),
                id,
            ),
            false,
        ));
    }
    let etcd_key = format!("{name}-etcd-encryption-key");
    objects.push(PlannedObject::new(
        secret(
            ns,
            &etcd_key,
            Some("Opaque"),
            json!({"key": b64(spec.etcd_encryption_key.expose())}),
            id,
        ),
        false,
    ));

    let mut pv = json!({"size": opts.etcd_storage_size});
    if let Some(sc) = &spec.etcd_storage_class {
        pv["storageClassName"] = json!(sc);
    }
    let mut kubevirt = json!({});
    if spec.base_domain.is_none() {
        kubevirt["baseDomainPassthrough"] = json!(true);
    }
    if let Some(driver) =
        options::storage_driver(&opts.storage_class_mappings, &opts.snapshot_class_mappings)
    {
        kubevirt["storageDriver"] = driver;
    }
    if let Some(infra) = &spec.infra {
        kubevirt["credentials"] = json!({
            "infraKubeConfigSecret": {"name": format!("{name}-infra-credentials"), "key": "kubeconfig"},
            "infraNamespace": infra.namespace,
        });
    }
    let ssh_key = match &spec.ssh_key {
        Some(_) => json!({"name": format!("{name}-ssh-key")}),
        None => json!({}),
    };
    let route = |svc: &str| json!({"service": svc, "servicePublishingStrategy": {"type": "Route"}});
    // With an external DNS domain `hcp` publishes the API server through a Route too (on
    // KubeVirt it writes no hostnames: the routes take the management cluster's ingress domain).
    let api_server = if opts.external_dns_domain.is_some() {
        route("APIServer")
    } else {
        json!({"service": "APIServer", "servicePublishingStrategy": {"type": "LoadBalancer"}})
    };
    let mut labels = json!(opts.labels);
    labels[AUTO_CREATED_LABEL] = json!(id);
    let mut metadata = json!({"name": name, "namespace": ns, "labels": labels});
    if !opts.annotations.is_empty() {
        metadata["annotations"] = json!(opts.annotations);
    }
    let cidrs = |v: &[String]| v.iter().map(|c| json!({"cidr": c})).collect::<Vec<_>>();
    let mut hc = json!({
        "apiVersion": HYPERSHIFT_API_VERSION,
        "kind": "HostedCluster",
        "metadata": metadata,
        "spec": {
            "release": {"image": spec.release_image},
            "pullSecret": {"name": pull},
            "sshKey": ssh_key,
            "infraID": id,
            "dns": {"baseDomain": spec.base_domain.clone().unwrap_or_default()},
            "networking": {
                "networkType": opts.network_type,
                "clusterNetwork": cidrs(&opts.networks.cluster),
                "serviceNetwork": cidrs(&opts.networks.service),
            },
            "controllerAvailabilityPolicy": opts.control_plane_availability,
            "olmCatalogPlacement": opts.olm_catalog_placement,
            "fips": opts.fips,
            "etcd": {"managementType": "Managed", "managed": {"storage": {"type": "PersistentVolume", "persistentVolume": pv}}},
            "services": [
                api_server,
                route("Ignition"),
                route("Konnectivity"),
                route("OAuthServer"),
            ],
            "platform": {"type": "KubeVirt", "kubevirt": kubevirt},
            "secretEncryption": {"type": "aescbc", "aescbc": {"activeKey": {"name": etcd_key}}},
            "configuration": {},
        }
    });
    if let Some(p) = &opts.infra_availability {
        hc["spec"]["infrastructureAvailabilityPolicy"] = json!(p);
    }
    if !opts.tolerations.is_empty() {
        hc["spec"]["tolerations"] = opts.tolerations.iter().map(Toleration::to_json).collect();
    }
    if !opts.node_selector.is_empty() {
        hc["spec"]["nodeSelector"] = json!(opts.node_selector);
    }
    if opts.olm_disable_default_sources {
        hc["spec"]["configuration"]["operatorhub"] = json!({"disableAllDefaultSources": true});
    }
    if let Some(p) = &opts.paused_until {
        hc["spec"]["pausedUntil"] = json!(p);
    }
    if opts.additional_trust_bundle.is_some() {
        hc["spec"]["additionalTrustBundle"] = json!({"name": TRUST_BUNDLE_CONFIGMAP});
    }
    if !opts.image_content_sources.is_empty() {
        hc["spec"]["imageContentSources"] = opts
            .image_content_sources
            .iter()
            .map(ImageContentSource::to_json)
            .collect();
    }
    objects.push(PlannedObject::new(hc, false));
    if spec.node_pool.replicas >= 0 {
        // `hcp` pauses the default node pool together with the cluster.
        let pool = NodePoolSettings {
            paused_until: opts.paused_until.clone(),
            ..spec.node_pool.clone()
        };
        objects.push(PlannedObject::new(
            nodepool_object(
                name,
                ns,
                name,
                &spec.release_image,
                &pool,
                json!({AUTO_CREATED_LABEL: id}),
            ),
            false,
        ));
    }
    Plan { objects }
}

/// The one NodePool `hcp create nodepool kubevirt` creates.
pub fn build_nodepool(spec: &NodePoolSpec) -> Plan {
    Plan {
        objects: vec![PlannedObject::new(
            nodepool_object(
                &spec.name,
                &spec.namespace,
                &spec.cluster_name,
                &spec.release_image,
                &spec.settings,
                json!({}),
            ),
            false,
        )],
    }
}
