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
        .matches(IMAGE_RE, IMAGE_MSG),
)];

const fn release() -> Node {
    object(&RELEASE).req(&["image"])
}

static LOCAL_REF: [Prop; 1] = [prop("name", string())];

/// A `LocalObjectReference`: `{name}`.
const fn local_ref() -> Node {
    object(&LOCAL_REF)
}

pub static NODEPOOL: KindSchema = KindSchema {
    kind: "NodePool",
    defaults: &[],
    spec_required: false,
    spec: object(&[
        prop(
            "arch",
            string()
                .one_of(&["arm64", "amd64", "ppc64le", "s390x"])
                .immutable("Arch is immutable"),
        ),
        prop(
            "autoScaling",
            object(&[
                prop("max", integer().min(1)),
                prop("min", integer().min(0)),
            ])
            .req(&["max", "min"]),
        ),
        prop(
            "clusterName",
            string()
                .len(Some(1), Some(253))
                .immutable("ClusterName is immutable")
                .matches(
                    DNS1123_LABEL_RE,
                    "clusterName must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character, and be between 1 and 253 characters",
                ),
        ),
        prop("config", array(&local_ref()).max_items(10)),
        prop(
            "management",
            object(&[
                prop("autoRepair", boolean()),
                prop("inPlace", opaque()),
                prop("replace", opaque()),
                prop(
                    "upgradeType",
                    string()
                        .one_of(&["Replace", "InPlace"])
                        .immutable("UpgradeType is immutable"),
                ),
            ])
            .req(&["upgradeType"]),
        ),
        prop("nodeDrainTimeout", string()),
        prop("nodeLabels", map(&STRING)),
        prop("nodeVolumeDetachTimeout", string()),
        prop(
            "pausedUntil",
            string().len(Some(1), Some(35)).matches(PAUSED_RE, PAUSED_MSG),
        ),
        prop(
            "platform",
            object(&[
                prop("agent", opaque()),
                prop("aws", opaque()),
                prop("azure", opaque()),
                prop("ibmcloud", opaque()),
                prop("kubevirt", opaque()),
                prop("powervs", opaque()),
                prop(
                    "type",
                    string()
                        .one_of(PLATFORMS)
                        .len(None, Some(100))
                        .immutable("Type is immutable"),
                ),
            ])
            .req(&["type"]),
        ),
        prop("release", release()),
        prop("replicas", integer()),
        prop(
            "taints",
            array(
                &object(&[
                    prop(
                        "effect",
                        string().one_of(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
                    ),
                    prop(
                        "key",
                        string().len(Some(1), Some(253)).matches(
                            TAINT_KEY_RE,
                            "key must be a qualified name with an optional subdomain prefix e.g. example.com/MyName",
                        ),
                    ),
                    prop(
                        "value",
                        string().len(None, Some(253)).matches(
                            TAINT_VALUE_RE,
                            "Value must start and end with alphanumeric characters and can only contain '-', '_', '.' in the middle",
                        ),
                    ),
                ])
                .req(&["effect", "key"]),
            )
            .max_items(50),
        ),
        prop("tuningConfig", array(&local_ref()).max_items(10)),
    ])
    .req(&["clusterName", "management", "platform", "release"]),
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
        prop("additionalTrustBundle", local_ref()),
        prop("auditWebhook", local_ref()),
        prop("autoNode", opaque()),
        prop("autoscaling", opaque()),
        prop("capabilities", opaque().immutable("Capabilities is immutable. Changes might result in unpredictable and disruptive behavior.")),
        prop("channel", string().len(Some(1), Some(100))),
        prop(
            "clusterID",
            string()
                .len(Some(36), Some(36))
                .matches(
                    "[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}",
                    "clusterID must be an RFC4122 UUID value (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hexadecimal digits)",
                )
                .set_once("clusterID is immutable"),
        ),
        prop("configuration", opaque()),
        prop("controlPlaneRelease", release()),
        prop(
            "controllerAvailabilityPolicy",
            string()
                .one_of(&["HighlyAvailable", "SingleReplica"])
                .immutable("ControllerAvailabilityPolicy is immutable"),
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
                        .set_once("baseDomain is immutable"),
                ),
                prop(
                    "baseDomainPrefix",
                    string()
                        .len(None, Some(253))
                        .matches_or_empty(
                            DOMAIN_RE,
                            "baseDomainPrefix must be a valid domain name (e.g., example, example.com, sub.example.com)",
                        )
                        .immutable("baseDomainPrefix is immutable"),
                ),
                prop(
                    "privateZoneID",
                    string()
                        .len(Some(1), Some(265))
                        .set_once("privateZoneID is immutable"),
                ),
                prop(
                    "publicZoneID",
                    string()
                        .len(Some(1), Some(258))
                        .set_once("publicZoneID is immutable"),
                ),
            ])
            .req(&["baseDomain"]),
        ),
        prop("etcd", opaque()),
        prop("fips", boolean().immutable("fips is immutable")),
        prop(
            "imageContentSources",
            array(
                &object(&[
                    prop("mirrors", array(&MIRROR).max_items(255)),
                    prop("source", string().len(None, Some(255))),
                ])
                .req(&["source"]),
            )
            .max_items(255),
        ),
        prop(
            "infraID",
            string()
                .len(Some(1), Some(253))
                .matches(
                    DNS1123_LABEL_RE,
                    "infraID must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character, and be between 1 and 253 characters",
                )
                .set_once("infraID is immutable"),
        ),
        prop(
            "infrastructureAvailabilityPolicy",
            string().one_of(&["HighlyAvailable", "SingleReplica"]),
        ),
        prop(
            "issuerURL",
            string()
                .len(None, Some(255))
                .immutable("issuerURL is immutable"),
        ),
        prop(
            "kubeAPIServerDNSName",
            string().len(None, Some(253)).matches_or_empty(
                DOMAIN_RE,
                "kubeAPIServerDNSName must be a valid URL name (e.g., api.example.com)",
            ),
        ),
        prop("labels", map(&STRING).max_props(20)),
        prop("monitoring", opaque()),
        prop("networking", opaque()),
        prop("nodeSelector", map(&STRING)),
        prop(
            "olmCatalogPlacement",
            string()
                .one_of(&["management", "guest"])
                .immutable("OLMCatalogPlacement is immutable"),
        ),
        prop("operatorConfiguration", opaque()),
        prop(
            "pausedUntil",
            string().len(Some(4), Some(35)).matches(PAUSED_RE, PAUSED_MSG),
        ),
        prop(
            "platform",
            object(&[
                prop("agent", opaque()),
                prop("aws", opaque()),
                prop("azure", opaque()),
                prop("ibmcloud", opaque()),
                prop("kubevirt", opaque()),
                prop("powervs", opaque()),
                prop(
                    "type",
                    string()
                        .one_of(PLATFORMS)
                        .len(None, Some(100))
                        .immutable("Type is immutable"),
                ),
            ])
            .req(&["type"]),
        ),
        prop("pullSecret", local_ref()),
        prop("release", release()),
        prop("secretEncryption", opaque()),
        prop("serviceAccountSigningKey", local_ref()),
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
            .max_items(6),
        ),
        prop("sshKey", local_ref()),
        prop("tolerations", array(&opaque()).max_items(25)),
        prop("updateService", string()),
    ])
    .req(&[
        "etcd",
        "networking",
        "platform",
        "pullSecret",
        "release",
        "services",
    ]),
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
