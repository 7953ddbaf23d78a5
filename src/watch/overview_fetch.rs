//! The Overview's fetch layer: one async [`gather`] that reads everything [`crate::overview`] needs.
//!
//! Discovery (for the OpenShift groups only) decides which kinds exist: a kind the cluster does
//! not serve becomes [`Fetched::NotServed`] without a request, a missing object `NotFound`, a 403
//! `Forbidden` for that item alone. Secrets are read metadata-only (`Api::get_metadata_opt`) and
//! even that metadata is dropped at once: only their existence is kept.

use futures::future::join_all;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, Pod, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use kube::discovery::{ApiResource, Discovery};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::fetched::Fetched;
use crate::overview::health::{ApiHealth, CORE_NAMESPACES};
use crate::overview::windows::{CLOUD_PRIVATE_KEY, WINDOWS_USER_DATA, WMCO_NAMESPACE, WmcoInputs};
use crate::overview::{OverviewInputs, bootimages};

/// API groups whose kinds the overview may read.
pub const GROUPS: [&str; 6] = [
    "config.openshift.io",
    "machine.openshift.io",
    "hypershift.openshift.io",
    "cdi.kubevirt.io",
    "kubevirt.io",
    "operators.coreos.com",
];

/// Maps a kube error to a per-item state.
pub fn state_of_error<T>(e: &kube::Error) -> Fetched<T> {
    match e {
        kube::Error::Api(s) if s.code == 404 => Fetched::NotFound,
        kube::Error::Api(s) if s.code == 403 => Fetched::Forbidden(s.message.clone()),
        other => Fetched::Failed(other.to_string()),
    }
}

fn from_result<T>(r: Result<T, kube::Error>) -> Fetched<T> {
    match r {
        Ok(v) => Fetched::Present(v),
        Err(e) => state_of_error(&e),
    }
}

fn from_opt<T>(r: Result<Option<T>, kube::Error>) -> Fetched<T> {
    match r {
        Ok(Some(v)) => Fetched::Present(v),
        Ok(None) => Fetched::NotFound,
        Err(e) => state_of_error(&e),
    }
}

/// Which OpenShift kinds the cluster serves (from discovery).
pub struct Served {
    discovery: Result<Discovery, String>,
}

impl Served {
    /// Runs discovery for [`GROUPS`].
    pub async fn discover(client: &Client) -> Self {
        Served {
            discovery: Discovery::new(client.clone())
                .filter(&GROUPS)
                .run()
                .await
                .map_err(|e| e.to_string()),
        }
    }

    /// The resource for `group`/`kind` at the group's preferred version; `Err` carries the
    /// state to report instead (`NotServed`, or `Failed` when discovery itself failed).
    pub fn resource<T>(&self, group: &str, kind: &str) -> Result<ApiResource, Fetched<T>> {
        let d = self
            .discovery
            .as_ref()
            .map_err(|e| Fetched::Failed(format!("discovery: {e}")))?;
        d.get(group)
            .and_then(|g| g.recommended_kind(kind))
            .map(|(ar, _)| ar)
            .ok_or(Fetched::NotServed)
    }

    /// Whether `group`/`kind` is served, as a state (`Present(())` when it is).
    pub fn kind(&self, group: &str, kind: &str) -> Fetched<()> {
        match self.resource::<()>(group, kind) {
            Ok(_) => Fetched::Present(()),
            Err(state) => state,
        }
    }
}

/// The HCP-on-KubeVirt preflight checks, on OpenShift only (the same reads and checks as
/// `:preflight`); `None` elsewhere or when discovery failed.
async fn preflight(
    client: &Client,
    served: &Served,
) -> Option<Vec<crate::wizard::preflight::Check>> {
    served
        .resource::<()>("config.openshift.io", "ClusterVersion")
        .ok()?;
    let facts = crate::wizard::facts::fetch_preflight(client).await;
    Some(crate::wizard::preflight::run(&facts))
}

/// JSON of an object, without `metadata.managedFields`.
fn to_json<T: serde::Serialize>(o: T) -> Fetched<Value> {
    match serde_json::to_value(o) {
        Ok(mut v) => {
            if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("managedFields");
            }
            Fetched::Present(v)
        }
        Err(e) => Fetched::Failed(e.to_string()),
    }
}

fn json_of<T: serde::Serialize>(f: Fetched<T>) -> Fetched<Value> {
    match f {
        Fetched::Present(o) => to_json(o),
        Fetched::NotServed => Fetched::NotServed,
        Fetched::NotFound => Fetched::NotFound,
        Fetched::Forbidden(m) => Fetched::Forbidden(m),
        Fetched::Failed(e) => Fetched::Failed(e),
    }
}

/// Gets one cluster-scoped custom object as JSON.
pub async fn get_custom(
    client: &Client,
    served: &Served,
    group: &str,
    kind: &str,
    name: &str,
) -> Fetched<Value> {
    let ar = match served.resource(group, kind) {
        Ok(ar) => ar,
        Err(f) => return f,
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    json_of(from_opt(api.get_opt(name).await))
}

/// Lists custom objects (all namespaces, or one) as JSON.
pub async fn list_custom(
    client: &Client,
    served: &Served,
    group: &str,
    kind: &str,
    namespace: Option<&str>,
) -> Fetched<Vec<Value>> {
    let ar = match served.resource(group, kind) {
        Ok(ar) => ar,
        Err(f) => return f,
    };
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    match api.list(&ListParams::default()).await {
        Ok(list) => {
            let mut out = Vec::with_capacity(list.items.len());
            for o in list.items {
                match to_json(o) {
                    Fetched::Present(v) => out.push(v),
                    other => return other.map(|_| Vec::new()),
                }
            }
            Fetched::Present(out)
        }
        Err(e) => state_of_error(&e),
    }
}

async fn list_typed<K>(api: Api<K>) -> Fetched<Vec<K>>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    from_result(api.list(&ListParams::default()).await.map(|l| l.items))
}

async fn configmap_json(client: &Client, ns: &str, name: &str) -> Fetched<Value> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    json_of(from_opt(api.get_opt(name).await))
}

/// Whether a Secret exists. Metadata-only read; the metadata is dropped here.
pub async fn secret_exists(client: &Client, ns: &str, name: &str) -> Fetched<()> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    from_opt(api.get_metadata_opt(name).await).map(drop)
}

/// `GET /readyz`: `ok` is healthy; an error status with a body is unhealthy, not a fetch failure.
pub async fn api_health(client: &Client) -> Fetched<ApiHealth> {
    let req = match hyper::Request::get("/readyz").body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return Fetched::Failed(e.to_string()),
    };
    match client.request_text(req).await {
        Ok(body) => Fetched::Present(ApiHealth {
            ok: body.trim() == "ok",
            body: body.trim().to_string(),
        }),
        Err(kube::Error::Api(s)) if s.code == 403 => Fetched::Forbidden(s.message),
        Err(kube::Error::Api(s)) if s.code >= 500 => Fetched::Present(ApiHealth {
            ok: false,
            body: format!("{} {}", s.code, s.message),
        }),
        Err(e) => Fetched::Failed(e.to_string()),
    }
}

async fn core_pods(client: &Client, namespaces: &Fetched<Vec<String>>) -> Fetched<Vec<Pod>> {
    let wanted: Vec<&str> = match namespaces {
        Fetched::Present(all) => CORE_NAMESPACES
            .iter()
            .copied()
            .filter(|c| all.iter().any(|n| n == c))
            .collect(),
        _ => CORE_NAMESPACES.to_vec(),
    };
    let lists = join_all(wanted.iter().map(|ns| {
        let api: Api<Pod> = Api::namespaced(client.clone(), ns);
        list_typed(api)
    }))
    .await;
    let mut pods = Vec::new();
    for l in lists {
        match l {
            Fetched::Present(p) => pods.extend(p),
            // A namespace that vanished in between has no pods.
            Fetched::NotFound => {}
            other => return other,
        }
    }
    Fetched::Present(pods)
}

/// `namespace/name` of one Running pod anywhere (`fieldSelector=status.phase=Running&limit=1`).
pub async fn any_running_pod(client: &Client) -> Fetched<Option<String>> {
    let api: Api<Pod> = Api::all(client.clone());
    let lp = ListParams::default()
        .fields("status.phase=Running")
        .limit(1);
    from_result(api.list(&lp).await).map(|l| {
        l.items.first().map(|p| {
            format!(
                "{}/{}",
                p.metadata.namespace.as_deref().unwrap_or_default(),
                p.metadata.name.as_deref().unwrap_or_default()
            )
        })
    })
}

/// What the health checks read (see [`crate::overview::health::HealthInputs`]).
#[derive(Clone, Debug, Default)]
pub struct HealthData {
    pub api: Fetched<ApiHealth>,
    pub namespaces: Fetched<Vec<String>>,
    pub core_pods: Fetched<Vec<Pod>>,
    pub any_running: Fetched<Option<String>>,
}

/// Reads everything the health checks need (also used by `shiftdeck get health`).
pub async fn gather_health(client: &Client) -> HealthData {
    let namespaces = list_typed(Api::<Namespace>::all(client.clone()))
        .await
        .map(|ns| {
            ns.into_iter()
                .filter_map(|n| n.metadata.name)
                .collect::<Vec<_>>()
        });
    let (api, core_pods, any_running) = futures::join!(
        api_health(client),
        core_pods(client, &namespaces),
        any_running_pod(client)
    );
    HealthData {
        api,
        namespaces,
        core_pods,
        any_running,
    }
}

/// Whether the cluster is MicroShift/OpenShift: ClusterVersion `version` and ConfigMap
/// `kube-public/microshift-version` (for [`crate::overview::ClusterFlavor::detect`]).
pub async fn gather_flavor(client: &Client, served: &Served) -> (Fetched<Value>, Fetched<Value>) {
    futures::join!(
        get_custom(
            client,
            served,
            "config.openshift.io",
            "ClusterVersion",
            "version"
        ),
        configmap_json(client, "kube-public", "microshift-version"),
    )
}

async fn gather_wmco(client: &Client, served: &Served) -> WmcoInputs {
    let ns = Some(WMCO_NAMESPACE);
    let g = "operators.coreos.com";
    let (csvs, subscriptions, install_plans, cloud_private_key, windows_user_data, pods) = futures::join!(
        list_custom(client, served, g, "ClusterServiceVersion", ns),
        list_custom(client, served, g, "Subscription", ns),
        list_custom(client, served, g, "InstallPlan", ns),
        secret_exists(client, CLOUD_PRIVATE_KEY.0, CLOUD_PRIVATE_KEY.1),
        secret_exists(client, WINDOWS_USER_DATA.0, WINDOWS_USER_DATA.1),
        list_typed(Api::<Pod>::namespaced(client.clone(), WMCO_NAMESPACE)),
    );
    WmcoInputs {
        csvs,
        subscriptions,
        install_plans,
        cloud_private_key,
        windows_user_data,
        pods,
    }
}

/// The DataVolume counts the Overview shows, from the live store when it holds a complete list
/// (nothing kept but three numbers), else listed.
async fn dv_counts(
    client: &Client,
    served: &Served,
    live: Option<&super::Stores>,
) -> Fetched<crate::overview::counts::DvCounts> {
    custom_from_store(
        client,
        served,
        ("cdi.kubevirt.io", "DataVolume"),
        live.map(|s| &s.datavolumes),
        |d| {
            d.status
                .value()
                .get("phase")
                .and_then(Value::as_str)
                .map(str::to_string)
        },
        |v| crate::fleet::util::str_at(&v, "/status/phase").map(str::to_string),
    )
    .await
    .map(|phases| crate::overview::counts::DvCounts::of_phases(phases.iter().map(Option::as_deref)))
}

/// What the Overview's count rows read of a HostedCluster (`counts::hosted_clusters_row`).
const HC_FIELDS: &[&str] = &[
    "/metadata/name",
    "/metadata/namespace",
    "/status/version/history/0/state",
];
/// ...and of a NodePool (`counts::node_pools_row`).
const NP_FIELDS: &[&str] = &[
    "/metadata/name",
    "/metadata/namespace",
    "/spec/replicas",
    "/status/replicas",
];

/// Only the fields at `pointers` of `v` (arrays become objects keyed by index, which JSON
/// pointers read the same way): the snapshot the Overview keeps held 1,000 whole NodePools and
/// 200 HostedClusters as JSON trees, tens of MB, for a handful of numbers.
fn narrow(v: &Value, pointers: &[&str]) -> Value {
    let mut out = Value::Object(Default::default());
    for p in pointers {
        let Some(found) = v.pointer(p) else {
            continue;
        };
        let mut at = &mut out;
        let parts: Vec<String> = p
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        for (i, part) in parts.iter().enumerate() {
            let Value::Object(m) = at else {
                break;
            };
            let next = if i + 1 == parts.len() {
                found.clone()
            } else {
                Value::Object(Default::default())
            };
            at = m.entry(part.clone()).or_insert(next);
        }
    }
    out
}

/// Reads every overview input once. Never fails as a whole: each item carries its own state.
pub async fn gather(client: &Client) -> OverviewInputs {
    gather_with(client, None).await
}

/// How long the poller waits for a live store before listing the kind itself.
const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// The objects of a live store once it holds a complete list (waiting up to [`STORE_WAIT`] for
/// the first one); `None` when it has none by then.
async fn from_store<K, T>(
    store: &kube::runtime::reflector::Store<K>,
    f: impl Fn(&std::sync::Arc<K>) -> T,
) -> Option<Vec<T>>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    tokio::time::timeout(STORE_WAIT, store.wait_until_ready())
        .await
        .ok()?
        .ok()?;
    Some(store.state().iter().map(f).collect())
}

/// A served custom kind from its live store (each object read by `f`), else listed (each read
/// by `listed`); not served: no request at all.
async fn custom_from_store<K, T>(
    client: &Client,
    served: &Served,
    (group, kind): (&str, &str),
    store: Option<&kube::runtime::reflector::Store<K>>,
    f: impl Fn(&std::sync::Arc<K>) -> T,
    listed: impl Fn(Value) -> T,
) -> Fetched<Vec<T>>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    if matches!(served.kind(group, kind), Fetched::Present(()))
        && let Some(store) = store
        && let Some(v) = from_store(store, f).await
    {
        return Fetched::Present(v);
    }
    list_custom(client, served, group, kind, None)
        .await
        .map(|v| v.into_iter().map(listed).collect())
}

/// [`gather`], taking every kind a reflector watches (Nodes, CSRs, Machines, HostedClusters,
/// NodePools, DataVolumes) from its live store once it holds a complete list: listing them
/// again every poll cost tens of MB a cycle at fleet scale, and a second copy in memory.
pub async fn gather_with(client: &Client, live: Option<&super::Stores>) -> OverviewInputs {
    // Nodes and CSRs a watch has stay in its store, which the Overview pane lays over this
    // snapshot: kept here they would pin versions the store has replaced until the next read.
    let nodes_list = async {
        // The watch is listing them right now: wait for it rather than list them twice.
        let from = match live {
            Some(s) => from_store(&s.nodes, |_| ()).await.filter(|n| !n.is_empty()),
            None => None,
        };
        match from {
            Some(_) => Fetched::Present(Vec::new()),
            None => list_typed(Api::<Node>::all(client.clone()))
                .await
                .map(|v| v.into_iter().map(std::sync::Arc::new).collect()),
        }
    };
    let csrs_list = async {
        let from = match live {
            Some(s) => from_store(&s.csrs, |_| ()).await,
            None => None,
        };
        match from {
            Some(_) => Fetched::Present(Vec::new()),
            None => list_typed(Api::<CertificateSigningRequest>::all(client.clone()))
                .await
                .map(|v| v.into_iter().map(std::sync::Arc::new).collect()),
        }
    };
    let served = Served::discover(client).await;
    let (
        (cluster_version, microshift_version),
        infrastructure,
        network,
        bootimages,
        nodes,
        csrs,
        machines,
        hosted_clusters,
        node_pools,
        data_volumes,
        health,
        wmco,
        preflight,
    ) = futures::join!(
        gather_flavor(client, &served),
        get_custom(
            client,
            &served,
            "config.openshift.io",
            "Infrastructure",
            "cluster"
        ),
        get_custom(client, &served, "config.openshift.io", "Network", "cluster"),
        configmap_json(client, bootimages::NAMESPACE, bootimages::CONFIGMAP),
        nodes_list,
        csrs_list,
        custom_from_store(
            client,
            &served,
            ("machine.openshift.io", "Machine"),
            live.map(|s| &s.machines),
            |m| serde_json::to_value(m.as_ref()).unwrap_or(Value::Null),
            |v| v,
        ),
        custom_from_store(
            client,
            &served,
            ("hypershift.openshift.io", "HostedCluster"),
            live.map(|s| &s.hostedclusters),
            |o| narrow(&o.to_value(), HC_FIELDS),
            |v| v,
        ),
        custom_from_store(
            client,
            &served,
            ("hypershift.openshift.io", "NodePool"),
            live.map(|s| &s.nodepools),
            |o| narrow(&o.to_value(), NP_FIELDS),
            |v| v,
        ),
        dv_counts(client, &served, live),
        gather_health(client),
        gather_wmco(client, &served),
        preflight(client, &served),
    );
    OverviewInputs {
        cluster_version,
        infrastructure,
        network,
        microshift_version,
        bootimages,
        nodes,
        csrs,
        machines: machines.map(crate::csr::machines::MachineIndex::new),
        hosted_clusters,
        node_pools,
        data_volumes,
        kubevirt: served.kind("kubevirt.io", "VirtualMachineInstance"),
        preflight,
        api_health: health.api,
        namespaces: health.namespaces,
        core_pods: health.core_pods,
        any_running_pod: health.any_running,
        wmco,
        now: k8s_openapi::jiff::Timestamp::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::counts::{hc_progress, hosted_clusters_row, node_pools_row};

    #[test]
    fn narrowed_objects_give_the_same_count_rows() {
        let hc = serde_json::json!({
            "metadata": {"name": "a", "namespace": "clusters", "labels": {"x": "y"}},
            "spec": {"release": {"image": "quay.io/x"}},
            "status": {"version": {"history": [{"state": "Partial"}, {"state": "Completed"}]}},
        });
        let np = |name: &str, want: i64, have: i64| {
            serde_json::json!({
                "metadata": {"name": name, "namespace": "clusters"},
                "spec": {"replicas": want, "platform": {"kubevirt": {}}},
                "status": {"replicas": have, "conditions": []},
            })
        };
        let nps = vec![np("p1", 2, 2), np("p2", 3, 1)];
        let narrowed_hc = narrow(&hc, HC_FIELDS);
        assert_eq!(hc_progress(&narrowed_hc), "Partial");
        assert!(narrowed_hc.get("spec").is_none());
        assert_eq!(
            hosted_clusters_row(&Fetched::Present(vec![narrowed_hc])),
            hosted_clusters_row(&Fetched::Present(vec![hc]))
        );
        let narrowed: Vec<Value> = nps.iter().map(|n| narrow(n, NP_FIELDS)).collect();
        assert_eq!(
            node_pools_row(&Fetched::Present(narrowed)),
            node_pools_row(&Fetched::Present(nps))
        );
        // Missing fields stay missing.
        assert_eq!(
            narrow(&serde_json::json!({}), HC_FIELDS),
            serde_json::json!({})
        );
    }
}
