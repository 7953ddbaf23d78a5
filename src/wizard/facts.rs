//! What the wizards need to know about the management cluster, gathered once with a
//! `kube::Client`: the preflight inputs and the pick-list sources.
//!
//! Every item is a [`Fetched`]: a kind that is not served is [`Fetched::NotServed`] (not an
//! error), a 403 is [`Fetched::Forbidden`] ("cannot check", with the message), anything else
//! [`Fetched::Failed`].
//! The types are plain data so tests and UIs can build them by hand.

use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;

/// The one read-state type, shared with the Overview.
pub use crate::fetched::Fetched;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvInfo {
    pub namespace: String,
    pub name: String,
    pub version: String,
    pub phase: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngressInfo {
    pub wildcard_policy: Option<String>,
    /// `status.domain`, e.g. `apps.hub.example.com`.
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StorageClassInfo {
    pub name: String,
    pub is_default: bool,
    pub provisioner: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StorageProfileInfo {
    pub name: String,
    /// Access modes from `status.claimPropertySets`.
    pub access_modes: Vec<String>,
}

impl StorageProfileInfo {
    pub fn rwx(&self) -> bool {
        self.access_modes.iter().any(|m| m == "ReadWriteMany")
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkInfo {
    pub network_type: Option<String>,
    pub mtu: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImageSetInfo {
    pub name: String,
    pub release_image: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HostedClusterInfo {
    pub namespace: String,
    pub name: String,
    pub platform: String,
    pub release_image: String,
    /// `status.payloadArch` (`Multi`, `AMD64`, ...), if reported.
    pub payload_arch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodePoolInfo {
    pub namespace: String,
    pub name: String,
    pub cluster_name: String,
}

/// Everything the wizards read from the management cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterFacts {
    /// The current OpenShift version (`ClusterVersion/version`); `None` if it reports none.
    pub openshift_version: Fetched<Option<String>>,
    pub csvs: Fetched<Vec<CsvInfo>>,
    /// The `default` IngressController, `None` if missing.
    pub ingress: Fetched<Option<IngressInfo>>,
    pub storage_classes: Fetched<Vec<StorageClassInfo>>,
    pub storage_profiles: Fetched<Vec<StorageProfileInfo>>,
    /// `Network/cluster`, `None` if missing.
    pub network: Fetched<Option<NetworkInfo>>,
    pub metallbs: Fetched<Vec<String>>,
    pub ip_address_pools: Fetched<Vec<String>>,
    pub managed_clusters: Fetched<Vec<String>>,
    /// Resource plurals served by `hypershift.openshift.io/v1beta1`.
    pub hypershift_resources: Fetched<Vec<String>>,
    pub cluster_image_sets: Fetched<Vec<ImageSetInfo>>,
    /// `<namespace>/<name>` of NetworkAttachmentDefinitions.
    pub network_attachments: Fetched<Vec<String>>,
    pub hosted_clusters: Fetched<Vec<HostedClusterInfo>>,
    pub node_pools: Fetched<Vec<NodePoolInfo>>,
}

impl ClusterFacts {
    /// Whether a storage class supports RWX (per its StorageProfile), if known.
    pub fn storage_class_rwx(&self, name: &str) -> Option<bool> {
        self.storage_profiles
            .get()?
            .iter()
            .find(|p| p.name == name)
            .map(StorageProfileInfo::rwx)
    }

    pub fn apps_domain(&self) -> Option<&str> {
        self.ingress.get()?.as_ref()?.domain.as_deref()
    }

    pub fn mtu(&self) -> Option<u32> {
        self.network.get()?.as_ref()?.mtu
    }
}

pub fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// Classify a client error the way the wizard reports it.
pub fn classify<T>(e: kube::Error) -> Fetched<T> {
    match &e {
        kube::Error::Api(s) if s.code == 404 => Fetched::NotServed,
        kube::Error::Api(s) if s.code == 403 => {
            Fetched::Forbidden(format!("cannot check: forbidden ({})", s.message))
        }
        _ => Fetched::Failed(e.to_string()),
    }
}

async fn list(client: &Client, r: &ApiResource, ns: Option<&str>) -> Fetched<Vec<DynamicObject>> {
    let api: Api<DynamicObject> = match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, r),
        None => Api::all_with(client.clone(), r),
    };
    match api.list(&ListParams::default()).await {
        Ok(l) => Fetched::Present(l.items),
        Err(e) => classify(e),
    }
}

fn s(o: &DynamicObject, ptr: &str) -> Option<String> {
    o.data
        .pointer(ptr)
        .and_then(Value::as_str)
        .map(String::from)
}

fn name(o: &DynamicObject) -> String {
    o.metadata.name.clone().unwrap_or_default()
}

fn namespace(o: &DynamicObject) -> String {
    o.metadata.namespace.clone().unwrap_or_default()
}

fn openshift_version(items: Vec<DynamicObject>) -> Option<String> {
    let cv = items.into_iter().find(|o| name(o) == "version")?;
    let history = cv.data.pointer("/status/history").and_then(Value::as_array);
    history
        .and_then(|h| {
            h.iter()
                .find(|e| e.get("state").and_then(Value::as_str) == Some("Completed"))
                .and_then(|e| e.get("version").and_then(Value::as_str))
        })
        .map(String::from)
        .or_else(|| s(&cv, "/status/desired/version"))
}

/// Read everything the wizards need, concurrently: [`fetch_preflight`] and the pick-lists
/// (ClusterImageSets, NetworkAttachmentDefinitions, HostedClusters, NodePools). Never fails as a
/// whole.
pub async fn fetch(client: &Client) -> ClusterFacts {
    let cis = ar(
        "hive.openshift.io",
        "v1",
        "ClusterImageSet",
        "clusterimagesets",
    );
    let nad = ar(
        "k8s.cni.cncf.io",
        "v1",
        "NetworkAttachmentDefinition",
        "network-attachment-definitions",
    );
    let hc = ar(
        "hypershift.openshift.io",
        "v1beta1",
        "HostedCluster",
        "hostedclusters",
    );
    let np = ar(
        "hypershift.openshift.io",
        "v1beta1",
        "NodePool",
        "nodepools",
    );
    let (facts, ciss, nads, hcs, nps) = futures::join!(
        fetch_preflight(client),
        list(client, &cis, None),
        list(client, &nad, None),
        list(client, &hc, None),
        list(client, &np, None),
    );
    ClusterFacts {
        cluster_image_sets: ciss.map(|v| {
            v.iter()
                .map(|o| ImageSetInfo {
                    name: name(o),
                    release_image: s(o, "/spec/releaseImage").unwrap_or_default(),
                })
                .collect()
        }),
        network_attachments: nads.map(|v| {
            v.iter()
                .map(|o| format!("{}/{}", namespace(o), name(o)))
                .collect()
        }),
        hosted_clusters: hcs.map(|v| {
            v.iter()
                .map(|o| HostedClusterInfo {
                    namespace: namespace(o),
                    name: name(o),
                    platform: s(o, "/spec/platform/type").unwrap_or_default(),
                    release_image: s(o, "/spec/release/image").unwrap_or_default(),
                    payload_arch: s(o, "/status/payloadArch"),
                })
                .collect()
        }),
        node_pools: nps.map(|v| {
            v.iter()
                .map(|o| NodePoolInfo {
                    namespace: namespace(o),
                    name: name(o),
                    cluster_name: s(o, "/spec/clusterName").unwrap_or_default(),
                })
                .collect()
        }),
        ..facts
    }
}

/// Read only what [`super::preflight::run`] checks (also used by the overview's preflight
/// count), concurrently; the pick-list fields are left `NotServed` (not read). Never fails
/// as a whole.
pub async fn fetch_preflight(client: &Client) -> ClusterFacts {
    let cv = ar(
        "config.openshift.io",
        "v1",
        "ClusterVersion",
        "clusterversions",
    );
    let csv = ar(
        "operators.coreos.com",
        "v1alpha1",
        "ClusterServiceVersion",
        "clusterserviceversions",
    );
    let ic = ar(
        "operator.openshift.io",
        "v1",
        "IngressController",
        "ingresscontrollers",
    );
    let sc = ar("storage.k8s.io", "v1", "StorageClass", "storageclasses");
    let sp = ar(
        "cdi.kubevirt.io",
        "v1beta1",
        "StorageProfile",
        "storageprofiles",
    );
    let net = ar("config.openshift.io", "v1", "Network", "networks");
    let mlb = ar("metallb.io", "v1beta1", "MetalLB", "metallbs");
    let pool = ar("metallb.io", "v1beta1", "IPAddressPool", "ipaddresspools");
    let mc = ar(
        "cluster.open-cluster-management.io",
        "v1",
        "ManagedCluster",
        "managedclusters",
    );
    let (cv, csvs, ic, scs, sps, net, mlbs, pools) = futures::join!(
        list(client, &cv, None),
        list(client, &csv, None),
        list(client, &ic, Some("openshift-ingress-operator")),
        list(client, &sc, None),
        list(client, &sp, None),
        list(client, &net, None),
        list(client, &mlb, None),
        list(client, &pool, None),
    );
    let (mcs, hs_res) = futures::join!(list(client, &mc, None), async {
        match client
            .list_api_group_resources("hypershift.openshift.io/v1beta1")
            .await
        {
            Ok(l) => Fetched::Present(l.resources.into_iter().map(|r| r.name).collect()),
            Err(e) => classify(e),
        }
    },);
    ClusterFacts {
        openshift_version: cv.map(openshift_version),
        csvs: csvs.map(|v| {
            v.iter()
                .map(|o| CsvInfo {
                    namespace: namespace(o),
                    name: name(o),
                    version: s(o, "/spec/version").unwrap_or_default(),
                    phase: s(o, "/status/phase").unwrap_or_default(),
                })
                .collect()
        }),
        ingress: ic.map(|v| {
            v.iter()
                .find(|o| name(o) == "default")
                .map(|o| IngressInfo {
                    wildcard_policy: s(o, "/spec/routeAdmission/wildcardPolicy"),
                    domain: s(o, "/status/domain"),
                })
        }),
        storage_classes: scs.map(|v| {
            v.iter()
                .map(|o| {
                    let ann = o.metadata.annotations.clone().unwrap_or_default();
                    let is_default = [
                        "storageclass.kubernetes.io/is-default-class",
                        "storageclass.beta.kubernetes.io/is-default-class",
                    ]
                    .iter()
                    .any(|k| ann.get(*k).is_some_and(|v| v == "true"));
                    StorageClassInfo {
                        name: name(o),
                        is_default,
                        provisioner: s(o, "/provisioner").unwrap_or_default(),
                    }
                })
                .collect()
        }),
        storage_profiles: sps.map(|v| {
            v.iter()
                .map(|o| StorageProfileInfo {
                    name: name(o),
                    access_modes: o
                        .data
                        .pointer("/status/claimPropertySets")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|set| set.get("accessModes").and_then(Value::as_array))
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect(),
                })
                .collect()
        }),
        network: net.map(|v| {
            v.iter()
                .find(|o| name(o) == "cluster")
                .map(|o| NetworkInfo {
                    network_type: s(o, "/status/networkType").or_else(|| s(o, "/spec/networkType")),
                    mtu: o
                        .data
                        .pointer("/status/clusterNetworkMTU")
                        .and_then(Value::as_u64)
                        .and_then(|m| u32::try_from(m).ok()),
                })
        }),
        metallbs: mlbs.map(|v| v.iter().map(name).collect()),
        ip_address_pools: pools.map(|v| {
            v.iter()
                .map(|o| format!("{}/{}", namespace(o), name(o)))
                .collect()
        }),
        managed_clusters: mcs.map(|v| v.iter().map(name).collect()),
        hypershift_resources: hs_res,
        ..ClusterFacts::default()
    }
}
