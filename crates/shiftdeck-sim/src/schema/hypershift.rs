//! HyperShift's NodePool and HostedCluster (hypershift.openshift.io/v1beta1), as their CRDs
//! declare them: every `spec` field with its type, required fields, enums, bounds and the
//! immutability and pattern rules. Platform-specific blocks and deep configuration the sim does
//! not look into are opaque objects (type-checked, kept as sent).

use serde_json::{Value, json};

use super::node::{
    KindSchema, Node, Prop, Rule, array, boolean, integer, map, object, opaque, prop, string,
};

const IMAGE_RE: &str = r"^(\w+\S+)$";
const IMAGE_MSG: &str = "Image must start with a word character (letters, digits, or underscores) and contain no white spaces";
const DNS1123_LABEL_RE: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const PAUSED_RE: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*$|^(true|false|True|False)$";
const PAUSED_MSG: &str =
    "PausedUntil must be a date in RFC3339 format or 'True', 'true', 'False' or 'false'";
const DOMAIN_RE: &str = r"^(?:(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}|[a-zA-Z0-9-]+)$";
const PLATFORMS: &[&str] = &[
    "AWS", "Azure", "IBMCloud", "KubeVirt", "Agent", "PowerVS", "None",
];
const TAINT_KEY_RE: &str = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
const TAINT_VALUE_RE: &str = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

static STRING: Node = string();
static MIRROR: Node = string().len(None, Some(255));

static RELEASE: [Prop; 1] = [prop(
    "image",
    string()
        .len(Some(1), Some(253))
        .matches(IMAGE_RE, IMAGE_MSG)
        .doc("The release payload image (a pull spec such as quay.io/openshift-release-dev/ocp-release:4.18.1-multi), 1 to 253 characters. Required."),
)];

const fn release() -> Node {
    object(&RELEASE).req(&["image"])
}

static LOCAL_REF: [Prop; 1] = [prop(
    "name",
    string().doc("The name of the object, in the same namespace."),
)];

/// A `LocalObjectReference`: `{name}`.
const fn local_ref() -> Node {
    object(&LOCAL_REF)
}

pub static NODEPOOL: KindSchema = KindSchema {
    kind: "NodePool",
    doc: "A NodePool is a set of worker nodes of one HostedCluster, alike in platform, release and configuration, scaled as a unit.",
    defaults: &[],
    spec_required: false,
    spec: object(&[
        prop(
            "arch",
            string()
                .one_of(&["arm64", "amd64", "ppc64le", "s390x"])
                .immutable("Arch is immutable")
.doc("The CPU architecture of the pool's nodes: arm64, amd64, ppc64le or s390x. Defaults to amd64; cannot be changed, nor removed once set. arm64 is for AWS, Azure, Agent and None platforms, s390x for KubeVirt."),
        ),
        prop(
            "autoScaling",
            object(&[
                prop("max", integer().min(1)
.doc("The most nodes the autoscaler may run in the pool; at least 1 and not below min.")),
                prop("min", integer().min(0)
.doc("The fewest nodes the autoscaler keeps in the pool; at least 0 (0, scale from zero, only on AWS and Azure).")),
            ])
            .req(&["max", "min"])
.doc("Lets the cluster autoscaler size the pool between min and max nodes. Cannot be set together with replicas."),
        ),
        prop(
            "clusterName",
            string()
                .len(Some(1), Some(253))
                .immutable("ClusterName is immutable")
                .matches(
                    DNS1123_LABEL_RE,
                    "clusterName must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character, and be between 1 and 253 characters",
                )
.doc("The name of the HostedCluster, in the same namespace, the pool's nodes join. A lowercase DNS label of 1 to 253 characters; cannot be changed. Until that HostedCluster exists, the pool is not reconciled."),
        ),
        prop("config", array(&local_ref()).max_items(10)
.doc("Up to 10 ConfigMaps in the pool's namespace, each holding serialized MachineConfig objects added to the nodes' ignition configuration. Changing them rolls the pool's nodes.")),
        prop(
            "management",
            object(&[
                prop("autoRepair", boolean()
.doc("When true, nodes found unhealthy are replaced (through a MachineHealthCheck). False when unset.")),
                prop("inPlace", opaque()
.doc("Settings of in-place upgrades (maxUnavailable); only with upgradeType InPlace.")),
                prop("replace", opaque()
.doc("Settings of replace upgrades: the strategy (RollingUpdate or OnDelete) and the rolling update's maxSurge and maxUnavailable.")),
                prop(
                    "upgradeType",
                    string()
                        .one_of(&["Replace", "InPlace"])
                        .immutable("UpgradeType is immutable")
.doc("How nodes move to a new release or configuration: Replace (new nodes replace old ones) or InPlace (nodes are updated where they run). Cannot be changed."),
                ),
            ])
            .req(&["upgradeType"])
.doc("How the pool's nodes are upgraded and repaired."),
        ),
        prop("nodeDrainTimeout", string()
.doc("How long to keep trying to drain a node before it is removed anyway, as a duration (5m, 1h). 0 or unset waits for ever.")),
        prop("nodeLabels", map(&STRING)
.doc("Labels put on the pool's Nodes, once, when they are created.")),
        prop("nodeVolumeDetachTimeout", string()
.doc("How long to wait for a node's volumes to detach before it is removed anyway, as a duration. 0 or unset waits for ever.")),
        prop(
            "pausedUntil",
            string().len(Some(1), Some(35)).matches(PAUSED_RE, PAUSED_MSG)
.doc("Pauses the NodePool controller: 'true' until set back to 'false', or an RFC 3339 date until which changes are not acted on."),
        ),
        prop(
            "platform",
            object(&[
                prop("agent", opaque()
.doc("Settings of Agent-platform pools (the agent label selector).")),
                prop("aws", opaque()
.doc("Settings of AWS pools: instance type, subnet, AMI, root volume and so on.")),
                prop("azure", opaque()
.doc("Settings of Azure pools: VM size, image, disk and subnet.")),
                prop("ibmcloud", opaque()
.doc("Settings of IBM Cloud pools.")),
                prop("kubevirt", opaque()
.doc("Settings of KubeVirt pools: the VMs' cores, memory, root volume and networks.")),
                prop("powervs", opaque()
.doc("Settings of PowerVS pools.")),
                prop(
                    "type",
                    string()
                        .one_of(PLATFORMS)
                        .len(None, Some(100))
                        .immutable("Type is immutable")
.doc("The platform: AWS, Azure, IBMCloud, KubeVirt, Agent, PowerVS or None. Required; cannot be changed."),
                ),
            ])
            .req(&["type"])
.doc("The infrastructure the pool's nodes run on, and that platform's settings."),
        ),
        prop("release", release()
.doc("The OpenShift release the pool's nodes run; it decides their ignition and kubelet version. Changing it upgrades the pool.")),
        prop("replicas", integer()
.doc("How many nodes the pool should have. The controller treats unset as 0. Cannot be set together with autoScaling.")),
        prop(
            "taints",
            array(
                &object(&[
                    prop(
                        "effect",
                        string().one_of(&["NoSchedule", "PreferNoSchedule", "NoExecute"])
.doc("What the taint does to pods that do not tolerate it: NoSchedule, PreferNoSchedule or NoExecute. Required."),
                    ),
                    prop(
                        "key",
                        string().len(Some(1), Some(253)).matches(
                            TAINT_KEY_RE,
                            "key must be a qualified name with an optional subdomain prefix e.g. example.com/MyName",
                        )
.doc("The taint key: a qualified name with an optional DNS-subdomain prefix. Required."),
                    ),
                    prop(
                        "value",
                        string().len(None, Some(253)).matches(
                            TAINT_VALUE_RE,
                            "Value must start and end with alphanumeric characters and can only contain '-', '_', '.' in the middle",
                        )
.doc("The taint value: up to 253 characters, alphanumeric at both ends."),
                    ),
                ])
                .req(&["effect", "key"]),
            )
            .max_items(50)
.doc("Up to 50 taints put on the pool's Nodes, once, when they are created."),
        ),
        prop("tuningConfig", array(&local_ref()).max_items(10)
.doc("Up to 10 ConfigMaps in the pool's namespace, each holding a serialized Tuned or PerformanceProfile for the pool's nodes.")),
    ])
    .req(&["clusterName", "management", "platform", "release"])
    .doc("The desired state of the NodePool: the cluster it belongs to, its platform, release, size and node settings."),
    rules: &[
        Rule {
            field: "spec",
            message: "Arch is required once set",
            broken: |s, old| {
                old.is_some_and(|o| o.get("arch").is_some()) && s.get("arch").is_none()
                    },
        },
        Rule {
            field: "spec",
            message: "Both replicas or autoScaling should not be set",
            broken: |s, _| {
                s.get("replicas").is_some() && s.get("autoScaling").is_some()
                    },
        },
        Rule {
            field: "spec",
            message: "Setting Arch to arm64 is only supported for AWS, Azure, Agent, GCP and None",
            broken: |s, _| {
                let p = |k: &str| s.pointer(&format!("/platform/{k}")).is_some();
                let ty = s.pointer("/platform/type").and_then(Value::as_str);
                arch(s) == "arm64"
                    && !(p("aws") || p("azure") || p("agent") || matches!(ty, Some("GCP" | "None")))
                },
        },
        Rule {
            field: "spec",
            message: "s390x is only supported on KubeVirt platform",
            broken: |s, _| {
                arch(s) == "s390x" && s.pointer("/platform/kubevirt").is_none()
                    },
        },
        Rule {
            field: "spec",
            message: "Scale-from-zero (autoScaling.min=0) is currently only supported for AWS and Azure platforms",
            broken: |s, _| {
                let min = s.pointer("/autoScaling/min").and_then(Value::as_i64);
                let ty = s.pointer("/platform/type").and_then(Value::as_str);
                min == Some(0) && !matches!(ty, Some("AWS" | "Azure"))
                    },
        },
        Rule {
            field: "spec.autoScaling",
            message: "max must be equal or greater than min",
            broken: |s, _| {
                let n = |k: &str| s.pointer(&format!("/autoScaling/{k}")).and_then(Value::as_i64);
                matches!((n("max"), n("min")), (Some(max), Some(min)) if max < min)
                    },
        },
        Rule {
            field: "spec.management",
            message: "The 'inPlace' field can only be set when 'upgradeType' is 'InPlace'",
            broken: |s, _| {
                s.pointer("/management/inPlace").is_some()
                    && s.pointer("/management/upgradeType").and_then(Value::as_str)
                        != Some("InPlace")
                },
        },
    ],
};

/// `spec.arch` with its schema default.
fn arch(spec: &Value) -> &str {
    spec.get("arch").and_then(Value::as_str).unwrap_or("amd64")
}

pub static HOSTEDCLUSTER: KindSchema = KindSchema {
    kind: "HostedCluster",
    doc: "A HostedCluster is an OpenShift cluster whose control plane runs as pods on this management cluster; its nodes come from NodePools.",
    defaults: &[
        ("etcd", || {
            json!({"managed": {"storage": {"persistentVolume": {"size": "8Gi"}, "type": "PersistentVolume"}},
                "managementType": "Managed"})
        }),
        ("networking", || {
            json!({"clusterNetwork": [{"cidr": "10.132.0.0/14"}], "networkType": "OVNKubernetes",
                "serviceNetwork": [{"cidr": "172.31.0.0/16"}]})
        }),
    ],
    spec_required: false,
    spec: object(&[
        prop("additionalTrustBundle", local_ref()
.doc("A ConfigMap (key ca-bundle.crt) of PEM certificates the cluster's components and nodes trust in addition to the system ones.")),
        prop("auditWebhook", local_ref()
.doc("A Secret (key webhook-kubeconfig) with a kubeconfig the API server sends audit events to.")),
        prop("autoNode", opaque()
.doc("Automatic node provisioning (Karpenter) settings, used instead of node pools when set.")),
        prop("autoscaling", opaque()
.doc("Cluster autoscaler settings shared by all the cluster's node pools.")),
        prop("capabilities", opaque().immutable("Capabilities is immutable. Changes might result in unpredictable and disruptive behavior.")
.doc("Optional components to leave out of the cluster, chosen at install time; cannot be changed afterwards.")),
        prop("channel", string().len(Some(1), Some(100))
.doc("The update channel the cluster follows (stable-4.18, fast-4.18, ...). 1 to 100 characters.")),
        prop(
            "clusterID",
            string()
                .len(Some(36), Some(36))
                .matches(
                    "[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}",
                    "clusterID must be an RFC4122 UUID value (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hexadecimal digits)",
                )
                .set_once("clusterID is immutable")
.doc("The cluster's unique ID, an RFC 4122 UUID; generated when unset and fixed once set."),
        ),
        prop("configuration", opaque()
.doc("Cluster-wide configuration of OpenShift components (APIServer, Authentication, FeatureGate, Image, Ingress, Network, OAuth, Proxy, Scheduler), as in the config.openshift.io kinds.")),
        prop("controlPlaneRelease", release()
.doc("A release for the control plane components only, when they should run another release than spec.release.")),
        prop(
            "controllerAvailabilityPolicy",
            string()
                .one_of(&["HighlyAvailable", "SingleReplica"])
                .immutable("ControllerAvailabilityPolicy is immutable")
.doc("Replicas of critical control plane components such as the API server: HighlyAvailable (the default) or SingleReplica. Cannot be changed."),
        ),
        prop(
            "dns",
            object(&[
                prop(
                    "baseDomain",
                    string()
                        .len(None, Some(253))
                        .matches_or_empty(
                            DOMAIN_RE,
                            "baseDomain must be a valid domain name (e.g., example, example.com, sub.example.com)",
                        )
                        .set_once("baseDomain is immutable")
.doc("The cluster's base domain (example.com): routes and the API get names under it. Required; may be set once, then fixed."),
                ),
                prop(
                    "baseDomainPrefix",
                    string()
                        .len(None, Some(253))
                        .matches_or_empty(
                            DOMAIN_RE,
                            "baseDomainPrefix must be a valid domain name (e.g., example, example.com, sub.example.com)",
                        )
                        .immutable("baseDomainPrefix is immutable")
.doc("A prefix put before baseDomain in the cluster's names; the cluster's name when unset. Cannot be changed."),
                ),
                prop(
                    "privateZoneID",
                    string()
                        .len(Some(1), Some(265))
                        .set_once("privateZoneID is immutable")
.doc("The private DNS zone records are created in; may be set once, then fixed."),
                ),
                prop(
                    "publicZoneID",
                    string()
                        .len(Some(1), Some(258))
                        .set_once("publicZoneID is immutable")
.doc("The public DNS zone records are created in; may be set once, then fixed."),
                ),
            ])
            .req(&["baseDomain"])
.doc("The DNS settings of the cluster's ingress."),
        ),
        prop("etcd", opaque()
.doc("How etcd is run: managed by HyperShift (the default, with an 8Gi persistent volume) or an unmanaged external cluster. The management type cannot be changed.")),
        prop("fips", boolean().immutable("fips is immutable")
.doc("When true, the cluster's nodes run in FIPS mode. Cannot be changed.")),
        prop(
            "imageContentSources",
            array(
                &object(&[
                    prop("mirrors", array(&MIRROR).max_items(255)),
                    prop("source", string().len(None, Some(255))),
                ])
                .req(&["source"]),
            )
            .max_items(255)
.doc("Up to 255 mirrors nodes pull images from instead of their source registries."),
        ),
        prop(
            "infraID",
            string()
                .len(Some(1), Some(253))
                .matches(
                    DNS1123_LABEL_RE,
                    "infraID must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character, and be between 1 and 253 characters",
                )
                .set_once("infraID is immutable")
.doc("The globally unique ID the cluster's cloud resources are named and tagged with: lowercase alphanumerics and '-', 1 to 253 characters; may be set once, then fixed."),
        ),
        prop(
            "infrastructureAvailabilityPolicy",
            string().one_of(&["HighlyAvailable", "SingleReplica"])
.doc("Replicas of infrastructure services running on the cluster's own nodes (ingress, ...): SingleReplica (the default) or HighlyAvailable."),
        ),
        prop(
            "issuerURL",
            string()
                .len(None, Some(255))
                .immutable("issuerURL is immutable")
.doc("The OIDC issuer put in ServiceAccount tokens; https://kubernetes.default.svc by default. Cannot be changed."),
        ),
        prop(
            "kubeAPIServerDNSName",
            string().len(None, Some(253)).matches_or_empty(
                DOMAIN_RE,
                "kubeAPIServerDNSName must be a valid URL name (e.g., api.example.com)",
            )
.doc("An extra DNS name for the API server; a kubeconfig using it is generated when set."),
        ),
        prop("labels", map(&STRING).max_props(20)
.doc("Up to 20 labels put on all the control plane's pods; changing them rolls those pods.")),
        prop("monitoring", opaque()
.doc("Monitoring settings of the hosted cluster.")),
        prop("networking", opaque()
.doc("The cluster's networks: by default OVNKubernetes with the cluster network 10.132.0.0/14 and the service network 172.31.0.0/16.")),
        prop("nodeSelector", map(&STRING)
.doc("Up to 20 labels the management cluster's nodes must have to run the control plane's pods.")),
        prop(
            "olmCatalogPlacement",
            string()
                .one_of(&["management", "guest"])
                .immutable("OLMCatalogPlacement is immutable")
.doc("Where OLM's catalog pods run: management (the default, in the control plane's namespace) or guest (on the cluster's own nodes). Cannot be changed."),
        ),
        prop("operatorConfiguration", opaque()
.doc("Settings of individual OpenShift operators of the cluster.")),
        prop(
            "pausedUntil",
            string().len(Some(4), Some(35)).matches(PAUSED_RE, PAUSED_MSG)
.doc("Pauses the HostedCluster controller: 'true' until set back to 'false', or an RFC 3339 date until which changes are not acted on."),
        ),
        prop(
            "platform",
            object(&[
                prop("agent", opaque()
.doc("Settings of Agent-platform clusters (the agent namespace).")),
                prop("aws", opaque()
.doc("Settings of AWS clusters: region, VPC, endpoint access, roles and so on.")),
                prop("azure", opaque()
.doc("Settings of Azure clusters: location, resource group, network and identities.")),
                prop("ibmcloud", opaque()
.doc("Settings of IBM Cloud clusters.")),
                prop("kubevirt", opaque()
.doc("Settings of KubeVirt clusters: base domain passthrough, storage and the infrastructure cluster's credentials.")),
                prop("powervs", opaque()
.doc("Settings of PowerVS clusters.")),
                prop(
                    "type",
                    string()
                        .one_of(PLATFORMS)
                        .len(None, Some(100))
                        .immutable("Type is immutable")
.doc("The platform: AWS, Azure, IBMCloud, KubeVirt, Agent, PowerVS or None. Required; cannot be changed."),
                ),
            ])
            .req(&["type"])
.doc("The infrastructure the cluster runs on, and that platform's settings."),
        ),
        prop("pullSecret", local_ref()
.doc("A Secret (key .dockerconfigjson) with the pull secret the cluster's components and nodes use. Required.")),
        prop("release", release()
.doc("The OpenShift release of the whole cluster (control plane and, by default, nodes). Changing it upgrades the control plane.")),
        prop("secretEncryption", opaque()
.doc("How Secrets are encrypted at rest in etcd: with a KMS provider or an AES-CBC key.")),
        prop("serviceAccountSigningKey", local_ref()
.doc("A Secret (key key) with the private key that signs ServiceAccount tokens; generated when unset.")),
        prop(
            "services",
            array(
                &object(&[
                    prop(
                        "service",
                        string().one_of(&[
                            "APIServer",
                            "OAuthServer",
                            "OIDC",
                            "Konnectivity",
                            "Ignition",
                            "OVNSbDb",
                        ]),
                    ),
                    prop("servicePublishingStrategy", opaque()),
                ])
                .req(&["service", "servicePublishingStrategy"]),
            )
            .max_items(6)
.doc("How each control plane service (APIServer, OAuthServer, Konnectivity, Ignition, and optionally OIDC and OVNSbDb) is published: LoadBalancer, NodePort, Route or None. At least 4 entries (3 on IBM Cloud), at most 6."),
        ),
        prop("sshKey", local_ref()
.doc("A Secret (key id_rsa.pub) with the SSH public keys put on the cluster's nodes.")),
        prop("tolerations", array(&opaque()).max_items(25)
.doc("Up to 25 tolerations added to the control plane's pods.")),
        prop("updateService", string()
.doc("The update service (Cincinnati) URL the cluster asks for updates; Red Hat's when unset.")),
    ])
    .req(&[
        "etcd",
        "networking",
        "platform",
        "pullSecret",
        "release",
        "services",
    ])
    .doc("The desired state of the HostedCluster: its release, platform, networks, DNS, how its control plane is published and run."),
    rules: &[
        Rule {
            field: "spec.issuerURL",
            message: "issuerURL must be a valid absolute URL",
            broken: |s, _| !url_ok(s.get("issuerURL")),
        },
        Rule {
            field: "spec.updateService",
            message: "updateService must be a valid absolute URL",
            broken: |s, _| !url_ok(s.get("updateService")),
        },
        Rule {
            field: "spec.nodeSelector",
            message: "nodeSelector map can have at most 20 entries",
            broken: |s, _| {
                s.get("nodeSelector")
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.len() > 20)
            },
        },
        Rule {
            field: "spec",
            message: "spec.services in body should have at least 4 items or 3 for IBMCloud",
            broken: |s, _| {
            let n = s.get("services").and_then(Value::as_array).map_or(0, Vec::len);
            let ibm = s.pointer("/platform/type").and_then(Value::as_str) == Some("IBMCloud");
            n < if ibm { 3 } else { 4 }
                },
        },
    ],
};

/// CEL `isURL`: absent, or an absolute URL.
fn url_ok(v: Option<&Value>) -> bool {
    match v.and_then(Value::as_str) {
        None => true,
        Some(u) => url::Url::parse(u).is_ok_and(|u| u.has_host() || u.scheme() == "file"),
    }
}
