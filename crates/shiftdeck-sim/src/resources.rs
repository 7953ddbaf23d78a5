//! Every kind the simulated cluster serves: identity, scope, verbs, subresources, printer columns
//! and the profiles that have it. Discovery, routing, the Table printer and RBAC all read this.

use super::Profile;

/// A CRD-style printer column (`additionalPrinterColumns`). Built-in kinds (nodes, CSRs, ...) have
/// hand-written printers in `table.rs` instead, as the real API server does.
#[derive(Debug)]
pub struct PrinterColumn {
    pub name: &'static str,
    pub type_: &'static str,
    pub json_path: &'static str,
    pub priority: i32,
    pub description: &'static str,
}

/// `spec.replicas`-style paths for the `scale` subresource.
#[derive(Debug)]
pub struct ScalePaths {
    pub spec_replicas: &'static str,
    pub status_replicas: &'static str,
    pub label_selector: Option<&'static str>,
}

#[derive(Debug)]
pub struct ResourceDef {
    /// `plural` for the core group, `plural.group` otherwise: the store key and the
    /// GroupResource that error messages name.
    pub gr: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Subresources served, e.g. `status`, `scale`, `approval`.
    pub subresources: &'static [&'static str],
    /// Verbs of the main resource. Virtual kinds (reviews) only have `create`.
    pub verbs: &'static [&'static str],
    pub columns: &'static [PrinterColumn],
    pub scale: Option<ScalePaths>,
    /// Present as a CRD (listed by `customresourcedefinitions`) rather than built in.
    pub crd: bool,
    pub profiles: &'static [Profile],
}

impl ResourceDef {
    pub fn key(&self) -> &'static str {
        self.gr
    }

    pub fn group_resource(&self) -> &'static str {
        self.gr
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn group_or_core(&self) -> &'static str {
        if self.group.is_empty() {
            "core"
        } else {
            self.group
        }
    }

    pub fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.contains(&sub)
    }

    pub fn served_in(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }

    pub fn is_virtual(&self) -> bool {
        !self.verbs.contains(&"get")
    }
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE_ONLY: &[&str] = &["create"];
const ALL: &[Profile] = &[
    Profile::Hub,
    Profile::Azure,
    Profile::Microshift,
    Profile::Guest,
];
const OPENSHIFT: &[Profile] = &[Profile::Hub, Profile::Azure];
/// Kinds a hosted (guest) cluster has too: ClusterVersion, ClusterOperators, Infrastructure.
const OCP_CONFIG: &[Profile] = &[Profile::Hub, Profile::Azure, Profile::Guest];
const HUB: &[Profile] = &[Profile::Hub];
const NONE_COLS: &[PrinterColumn] = &[];

macro_rules! col {
    ($name:expr, $ty:expr, $path:expr) => {
        PrinterColumn {
            name: $name,
            type_: $ty,
            json_path: $path,
            priority: 0,
            description: $name,
        }
    };
    ($name:expr, $ty:expr, $path:expr, $prio:expr) => {
        PrinterColumn {
            name: $name,
            type_: $ty,
            json_path: $path,
            priority: $prio,
            description: $name,
        }
    };
}

#[allow(clippy::too_many_arguments)]
const fn def(
    gr: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    subresources: &'static [&'static str],
    profiles: &'static [Profile],
) -> ResourceDef {
    ResourceDef {
        gr,
        group,
        version,
        plural,
        singular,
        kind,
        namespaced,
        short_names,
        categories: &[],
        subresources,
        verbs: RW,
        columns: NONE_COLS,
        scale: None,
        crd: false,
        profiles,
    }
}

const HC_COLUMNS: &[PrinterColumn] = &[
    col!(
        "Version",
        "string",
        ".status.version.history[?(@.state==\"Completed\")].version"
    ),
    col!("KubeConfig", "string", ".status.kubeconfig.name"),
    col!(
        "Progress",
        "string",
        ".status.version.history[?(@.state!=\"\")].state"
    ),
    col!(
        "Available",
        "string",
        ".status.conditions[?(@.type==\"Available\")].status"
    ),
    col!(
        "Progressing",
        "string",
        ".status.conditions[?(@.type==\"Progressing\")].status"
    ),
    col!(
        "Message",
        "string",
        ".status.conditions[?(@.type==\"Available\")].message"
    ),
];

const NP_COLUMNS: &[PrinterColumn] = &[
    col!("Cluster", "string", ".spec.clusterName"),
    col!("Desired Nodes", "integer", ".spec.replicas"),
    col!("Current Nodes", "integer", ".status.replicas"),
    col!(
        "Autoscaling",
        "string",
        ".status.conditions[?(@.type==\"AutoscalingEnabled\")].status"
    ),
    col!(
        "Autorepair",
        "string",
        ".status.conditions[?(@.type==\"AutorepairEnabled\")].status"
    ),
    col!("Version", "string", ".status.version"),
    col!(
        "UpdatingVersion",
        "string",
        ".status.conditions[?(@.type==\"UpdatingVersion\")].status"
    ),
    col!(
        "UpdatingConfig",
        "string",
        ".status.conditions[?(@.type==\"UpdatingConfig\")].status"
    ),
    col!(
        "Message",
        "string",
        ".status.conditions[?(@.type==\"Ready\")].message"
    ),
];

const MS_COLUMNS: &[PrinterColumn] = &[
    col!("Desired", "integer", ".spec.replicas"),
    col!("Current", "integer", ".status.replicas"),
    col!("Ready", "integer", ".status.readyReplicas"),
    col!("Available", "string", ".status.availableReplicas"),
    col!("Age", "date", ".metadata.creationTimestamp"),
];

const MACHINE_COLUMNS: &[PrinterColumn] = &[
    col!("Phase", "string", ".status.phase"),
    col!(
        "Type",
        "string",
        ".metadata.labels['machine\\.openshift\\.io/instance-type']"
    ),
    col!(
        "Region",
        "string",
        ".metadata.labels['machine\\.openshift\\.io/region']"
    ),
    col!(
        "Zone",
        "string",
        ".metadata.labels['machine\\.openshift\\.io/zone']"
    ),
    col!("Age", "date", ".metadata.creationTimestamp"),
    col!("Node", "string", ".status.nodeRef.name", 1),
    col!("ProviderID", "string", ".spec.providerID", 1),
    col!(
        "State",
        "string",
        ".metadata.annotations['machine\\.openshift\\.io/instance-state']",
        1
    ),
];

/// The Cluster API Machine CRD's v1beta1 `additionalPrinterColumns` (kubernetes-sigs/cluster-api
/// `config/crd/bases/cluster.x-k8s.io_machines.yaml`).
const CAPI_MACHINE_COLUMNS: &[PrinterColumn] = &[
    col!("Cluster", "string", ".spec.clusterName"),
    col!("NodeName", "string", ".status.nodeRef.name"),
    col!("ProviderID", "string", ".spec.providerID"),
    col!("Phase", "string", ".status.phase"),
    col!("Age", "date", ".metadata.creationTimestamp"),
    col!("Version", "string", ".spec.version"),
];

const DV_COLUMNS: &[PrinterColumn] = &[
    col!("Phase", "string", ".status.phase"),
    col!("Progress", "string", ".status.progress"),
    col!("Restarts", "integer", ".status.restartCount"),
    col!("Age", "date", ".metadata.creationTimestamp"),
];

const VM_COLUMNS: &[PrinterColumn] = &[
    col!("Age", "date", ".metadata.creationTimestamp"),
    col!("Status", "string", ".status.printableStatus"),
    col!(
        "Ready",
        "string",
        ".status.conditions[?(@.type=='Ready')].status"
    ),
];

const VMI_COLUMNS: &[PrinterColumn] = &[
    col!("Age", "date", ".metadata.creationTimestamp"),
    col!("Phase", "string", ".status.phase"),
    col!("IP", "string", ".status.interfaces[0].ipAddress"),
    col!("NodeName", "string", ".status.nodeName"),
    col!(
        "Ready",
        "string",
        ".status.conditions[?(@.type=='Ready')].status"
    ),
    col!(
        "Live-Migratable",
        "string",
        ".status.conditions[?(@.type=='LiveMigratable')].status",
        1
    ),
    col!(
        "Paused",
        "string",
        ".status.conditions[?(@.type=='Paused')].status",
        1
    ),
];

const VMIM_COLUMNS: &[PrinterColumn] = &[
    col!("Phase", "string", ".status.phase"),
    col!("VMI", "string", ".spec.vmiName"),
];

const CV_COLUMNS: &[PrinterColumn] = &[
    col!(
        "Version",
        "string",
        ".status.history[?(@.state==\"Completed\")].version"
    ),
    col!(
        "Available",
        "string",
        ".status.conditions[?(@.type==\"Available\")].status"
    ),
    col!(
        "Progressing",
        "string",
        ".status.conditions[?(@.type==\"Progressing\")].status"
    ),
    col!(
        "Since",
        "date",
        ".status.conditions[?(@.type==\"Progressing\")].lastTransitionTime"
    ),
    col!(
        "Status",
        "string",
        ".status.conditions[?(@.type==\"Progressing\")].message"
    ),
];

const MC_COLUMNS: &[PrinterColumn] = &[
    col!("Hub Accepted", "boolean", ".spec.hubAcceptsClient"),
    col!(
        "Managed Cluster URLs",
        "string",
        ".spec.managedClusterClientConfigs[*].url"
    ),
    col!(
        "Joined",
        "string",
        ".status.conditions[?(@.type==\"ManagedClusterJoined\")].status"
    ),
    col!(
        "Available",
        "string",
        ".status.conditions[?(@.type==\"ManagedClusterConditionAvailable\")].status"
    ),
    col!("Age", "date", ".metadata.creationTimestamp"),
];

const CSV_COLUMNS: &[PrinterColumn] = &[
    col!("Display", "string", ".spec.displayName"),
    col!("Version", "string", ".spec.version"),
    col!("Replaces", "string", ".spec.replaces"),
    col!("Phase", "string", ".status.phase"),
];

const SUB_COLUMNS: &[PrinterColumn] = &[
    col!("Package", "string", ".spec.name"),
    col!("Source", "string", ".spec.source"),
    col!("Channel", "string", ".spec.channel"),
];

const IP_COLUMNS: &[PrinterColumn] = &[
    col!("CSV", "string", ".spec.clusterServiceVersionNames[0]"),
    col!("Approval", "string", ".spec.approval"),
    col!("Approved", "boolean", ".spec.approved"),
];

const CIS_COLUMNS: &[PrinterColumn] = &[
    col!("Visible", "string", ".metadata.labels.visible"),
    col!("Release", "string", ".spec.releaseImage"),
];

const SP_COLUMNS: &[PrinterColumn] = &[];

const CO_COLUMNS: &[PrinterColumn] = &[
    col!(
        "Version",
        "string",
        ".status.versions[?(@.name==\"operator\")].version"
    ),
    col!(
        "Available",
        "string",
        ".status.conditions[?(@.type==\"Available\")].status"
    ),
    col!(
        "Progressing",
        "string",
        ".status.conditions[?(@.type==\"Progressing\")].status"
    ),
    col!(
        "Degraded",
        "string",
        ".status.conditions[?(@.type==\"Degraded\")].status"
    ),
    col!(
        "Since",
        "date",
        ".status.conditions[?(@.type==\"Available\")].lastTransitionTime"
    ),
    col!(
        "Message",
        "string",
        ".status.conditions[?(@.type==\"Degraded\")].message",
        1
    ),
];

const ST: &[&str] = &["status"];
const NO_SUB: &[&str] = &[];

const fn crd(mut d: ResourceDef, columns: &'static [PrinterColumn]) -> ResourceDef {
    d.crd = true;
    d.columns = columns;
    d
}

const fn with_scale(mut d: ResourceDef, label_selector: Option<&'static str>) -> ResourceDef {
    d.scale = Some(ScalePaths {
        spec_replicas: ".spec.replicas",
        status_replicas: ".status.replicas",
        label_selector,
    });
    d
}

const fn with_scale_paths(
    mut d: ResourceDef,
    spec_replicas: &'static str,
    status_replicas: &'static str,
    label_selector: Option<&'static str>,
) -> ResourceDef {
    d.scale = Some(ScalePaths {
        spec_replicas,
        status_replicas,
        label_selector,
    });
    d
}

const fn virtual_kind(mut d: ResourceDef) -> ResourceDef {
    d.verbs = CREATE_ONLY;
    d
}

const fn cats(mut d: ResourceDef, categories: &'static [&'static str]) -> ResourceDef {
    d.categories = categories;
    d
}

/// Every kind, in discovery order.
pub static RESOURCES: &[ResourceDef] = &[
    // core/v1
    def(
        "namespaces",
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        &["status", "finalize"],
        ALL,
    ),
    def(
        "nodes",
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        ST,
        ALL,
    ),
    cats(
        def(
            "pods",
            "",
            "v1",
            "pods",
            "pod",
            "Pod",
            true,
            &["po"],
            &["status", "log", "eviction"],
            ALL,
        ),
        &["all"],
    ),
    cats(
        def(
            "services",
            "",
            "v1",
            "services",
            "service",
            "Service",
            true,
            &["svc"],
            ST,
            ALL,
        ),
        &["all"],
    ),
    def(
        "secrets",
        "",
        "v1",
        "secrets",
        "secret",
        "Secret",
        true,
        &[],
        NO_SUB,
        ALL,
    ),
    def(
        "configmaps",
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        NO_SUB,
        ALL,
    ),
    def(
        "persistentvolumeclaims",
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
        ST,
        ALL,
    ),
    def(
        "events",
        "",
        "v1",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        NO_SUB,
        ALL,
    ),
    // policy/v1
    def(
        "poddisruptionbudgets.policy",
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        &["pdb"],
        ST,
        ALL,
    ),
    // certificates.k8s.io/v1
    def(
        "certificatesigningrequests.certificates.k8s.io",
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        "certificatesigningrequest",
        "CertificateSigningRequest",
        false,
        &["csr"],
        &["approval", "status"],
        ALL,
    ),
    // storage.k8s.io/v1
    def(
        "storageclasses.storage.k8s.io",
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "storageclass",
        "StorageClass",
        false,
        &["sc"],
        NO_SUB,
        ALL,
    ),
    // apiextensions.k8s.io/v1
    def(
        "customresourcedefinitions.apiextensions.k8s.io",
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
        ST,
        ALL,
    ),
    // authentication.k8s.io/v1: `kubectl auth whoami`, and the approver's name in CSR conditions.
    virtual_kind(def(
        "selfsubjectreviews.authentication.k8s.io",
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        &[],
        NO_SUB,
        ALL,
    )),
    // authorization.k8s.io/v1
    virtual_kind(def(
        "selfsubjectaccessreviews.authorization.k8s.io",
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        false,
        &[],
        NO_SUB,
        ALL,
    )),
    // `kubectl auth can-i --list`.
    virtual_kind(def(
        "selfsubjectrulesreviews.authorization.k8s.io",
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        false,
        &[],
        NO_SUB,
        ALL,
    )),
    // hypershift.openshift.io/v1beta1
    crd(
        def(
            "hostedclusters.hypershift.openshift.io",
            "hypershift.openshift.io",
            "v1beta1",
            "hostedclusters",
            "hostedcluster",
            "HostedCluster",
            true,
            &["hc", "hcs"],
            ST,
            HUB,
        ),
        HC_COLUMNS,
    ),
    crd(
        with_scale(
            def(
                "nodepools.hypershift.openshift.io",
                "hypershift.openshift.io",
                "v1beta1",
                "nodepools",
                "nodepool",
                "NodePool",
                true,
                &["np", "nps"],
                &["scale", "status"],
                HUB,
            ),
            Some(".status.selector"),
        ),
        NP_COLUMNS,
    ),
    // machine.openshift.io/v1beta1
    crd(
        with_scale(
            def(
                "machinesets.machine.openshift.io",
                "machine.openshift.io",
                "v1beta1",
                "machinesets",
                "machineset",
                "MachineSet",
                true,
                &[],
                &["scale", "status"],
                OPENSHIFT,
            ),
            Some(".status.labelSelector"),
        ),
        MS_COLUMNS,
    ),
    crd(
        def(
            "machines.machine.openshift.io",
            "machine.openshift.io",
            "v1beta1",
            "machines",
            "machine",
            "Machine",
            true,
            &[],
            ST,
            OPENSHIFT,
        ),
        MACHINE_COLUMNS,
    ),
    // cluster.x-k8s.io/v1beta1: HyperShift's node-pool machines (Cluster API) in each hosted
    // cluster's control-plane namespace. After the Machine API group, so a bare `machines`
    // still names machine.openshift.io for kubectl here.
    crd(
        cats(
            def(
                "machines.cluster.x-k8s.io",
                "cluster.x-k8s.io",
                "v1beta1",
                "machines",
                "machine",
                "Machine",
                true,
                &["ma"],
                ST,
                HUB,
            ),
            &["cluster-api"],
        ),
        CAPI_MACHINE_COLUMNS,
    ),
    // config.openshift.io/v1
    crd(
        def(
            "clusterversions.config.openshift.io",
            "config.openshift.io",
            "v1",
            "clusterversions",
            "clusterversion",
            "ClusterVersion",
            false,
            &[],
            ST,
            OCP_CONFIG,
        ),
        CV_COLUMNS,
    ),
    crd(
        def(
            "clusteroperators.config.openshift.io",
            "config.openshift.io",
            "v1",
            "clusteroperators",
            "clusteroperator",
            "ClusterOperator",
            false,
            &["co"],
            ST,
            OCP_CONFIG,
        ),
        CO_COLUMNS,
    ),
    crd(
        def(
            "infrastructures.config.openshift.io",
            "config.openshift.io",
            "v1",
            "infrastructures",
            "infrastructure",
            "Infrastructure",
            false,
            &[],
            ST,
            OCP_CONFIG,
        ),
        NONE_COLS,
    ),
    crd(
        def(
            "networks.config.openshift.io",
            "config.openshift.io",
            "v1",
            "networks",
            "network",
            "Network",
            false,
            &[],
            ST,
            OCP_CONFIG,
        ),
        NONE_COLS,
    ),
    // operator.openshift.io/v1
    crd(
        // As the real CRD: replicas scale the router deployment.
        with_scale_paths(
            def(
                "ingresscontrollers.operator.openshift.io",
                "operator.openshift.io",
                "v1",
                "ingresscontrollers",
                "ingresscontroller",
                "IngressController",
                true,
                &[],
                &["scale", "status"],
                OPENSHIFT,
            ),
            ".spec.replicas",
            ".status.availableReplicas",
            Some(".status.selector"),
        ),
        NONE_COLS,
    ),
    // kubevirt.io/v1
    crd(
        def(
            "virtualmachines.kubevirt.io",
            "kubevirt.io",
            "v1",
            "virtualmachines",
            "virtualmachine",
            "VirtualMachine",
            true,
            &["vm", "vms"],
            ST,
            HUB,
        ),
        VM_COLUMNS,
    ),
    crd(
        def(
            "virtualmachineinstances.kubevirt.io",
            "kubevirt.io",
            "v1",
            "virtualmachineinstances",
            "virtualmachineinstance",
            "VirtualMachineInstance",
            true,
            &["vmi", "vmis"],
            ST,
            HUB,
        ),
        VMI_COLUMNS,
    ),
    crd(
        def(
            "virtualmachineinstancemigrations.kubevirt.io",
            "kubevirt.io",
            "v1",
            "virtualmachineinstancemigrations",
            "virtualmachineinstancemigration",
            "VirtualMachineInstanceMigration",
            true,
            &["vmim", "vmims"],
            ST,
            HUB,
        ),
        VMIM_COLUMNS,
    ),
    // cdi.kubevirt.io/v1beta1
    crd(
        def(
            "datavolumes.cdi.kubevirt.io",
            "cdi.kubevirt.io",
            "v1beta1",
            "datavolumes",
            "datavolume",
            "DataVolume",
            true,
            &["dv", "dvs"],
            ST,
            HUB,
        ),
        DV_COLUMNS,
    ),
    crd(
        def(
            "storageprofiles.cdi.kubevirt.io",
            "cdi.kubevirt.io",
            "v1beta1",
            "storageprofiles",
            "storageprofile",
            "StorageProfile",
            false,
            &[],
            ST,
            HUB,
        ),
        SP_COLUMNS,
    ),
    // k8s.cni.cncf.io/v1
    crd(
        def(
            "network-attachment-definitions.k8s.cni.cncf.io",
            "k8s.cni.cncf.io",
            "v1",
            "network-attachment-definitions",
            "network-attachment-definition",
            "NetworkAttachmentDefinition",
            true,
            &["net-attach-def"],
            NO_SUB,
            HUB,
        ),
        NONE_COLS,
    ),
    // cluster.open-cluster-management.io/v1
    crd(
        def(
            "managedclusters.cluster.open-cluster-management.io",
            "cluster.open-cluster-management.io",
            "v1",
            "managedclusters",
            "managedcluster",
            "ManagedCluster",
            false,
            &["mcl", "mcls"],
            ST,
            HUB,
        ),
        MC_COLUMNS,
    ),
    // operators.coreos.com
    crd(
        def(
            "clusterserviceversions.operators.coreos.com",
            "operators.coreos.com",
            "v1alpha1",
            "clusterserviceversions",
            "clusterserviceversion",
            "ClusterServiceVersion",
            true,
            &["csv", "csvs"],
            ST,
            OPENSHIFT,
        ),
        CSV_COLUMNS,
    ),
    crd(
        def(
            "subscriptions.operators.coreos.com",
            "operators.coreos.com",
            "v1alpha1",
            "subscriptions",
            "subscription",
            "Subscription",
            true,
            &["sub", "subs"],
            ST,
            OPENSHIFT,
        ),
        SUB_COLUMNS,
    ),
    crd(
        def(
            "installplans.operators.coreos.com",
            "operators.coreos.com",
            "v1alpha1",
            "installplans",
            "installplan",
            "InstallPlan",
            true,
            &["ip"],
            ST,
            OPENSHIFT,
        ),
        IP_COLUMNS,
    ),
    // metallb.io/v1beta1
    crd(
        def(
            "metallbs.metallb.io",
            "metallb.io",
            "v1beta1",
            "metallbs",
            "metallb",
            "MetalLB",
            true,
            &[],
            ST,
            HUB,
        ),
        NONE_COLS,
    ),
    crd(
        def(
            "ipaddresspools.metallb.io",
            "metallb.io",
            "v1beta1",
            "ipaddresspools",
            "ipaddresspool",
            "IPAddressPool",
            true,
            &[],
            ST,
            HUB,
        ),
        NONE_COLS,
    ),
    // hive.openshift.io/v1
    crd(
        def(
            "clusterimagesets.hive.openshift.io",
            "hive.openshift.io",
            "v1",
            "clusterimagesets",
            "clusterimageset",
            "ClusterImageSet",
            false,
            &["imgset"],
            ST,
            HUB,
        ),
        CIS_COLUMNS,
    ),
];

/// All kinds a profile serves.
pub fn served(profile: Profile) -> impl Iterator<Item = &'static ResourceDef> {
    RESOURCES.iter().filter(move |r| r.served_in(profile))
}

/// Look a kind up by group and plural.
pub fn find(group: &str, plural: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural)
}

/// Look a kind up by its store key (`ResourceDef::gr`), for code that names kinds directly.
pub fn by_key(gr: &str) -> &'static ResourceDef {
    RESOURCES
        .iter()
        .find(|r| r.gr == gr)
        .unwrap_or_else(|| panic!("unknown resource key {gr}: a typo in sim code"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_consistent() {
        let mut seen = std::collections::HashSet::new();
        for r in RESOURCES {
            assert!(seen.insert(r.gr), "duplicate {}", r.gr);
            let expected = if r.group.is_empty() {
                r.plural.to_string()
            } else {
                format!("{}.{}", r.plural, r.group)
            };
            assert_eq!(r.gr, expected);
        }
    }

    #[test]
    fn advertised_scale_subresources_have_paths() {
        for r in RESOURCES {
            assert_eq!(r.has_subresource("scale"), r.scale.is_some(), "{}", r.gr);
        }
    }

    #[test]
    fn microshift_has_no_openshift_fleet_kinds() {
        assert!(served(Profile::Microshift).all(|r| !r.crd));
        assert!(
            find("hypershift.openshift.io", "nodepools")
                .is_some_and(|r| r.has_subresource("scale"))
        );
    }
}
