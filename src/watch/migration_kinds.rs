//! Untyped watches (`DynamicObject`) for the kinds the live-migration views read: VMIs and their
//! migrations, PVCs, StorageClasses and CDI StorageProfiles. The readiness models work on
//! `serde_json::Value`, so a typed struct per kind would buy nothing. NodePools and
//! HostedClusters, which they read too, come from the Hosted clusters pane's stores: one watch
//! per kind, not two.

use kube::api::{ApiResource, DynamicObject};
use kube::runtime::reflector::Store;
use kube::runtime::reflector::store::Writer;
use kube::{Api, Client};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::dynamic::{HostedCluster, NodePool};
use super::kind::installed;
use super::{KindSpec, Reporter};
use crate::fleet::lm_message::LM_CONDITION;
use crate::kube_conn::one_line;
use crate::migration::inputs::MigrationInputs;

const fn spec(id: &'static str, group: &'static str, version: &'static str, crd: bool) -> KindSpec {
    KindSpec {
        id,
        group,
        version,
        plural: id,
        crd,
    }
}

pub const VMIS: KindSpec = spec("virtualmachineinstances", "kubevirt.io", "v1", true);
pub const VMIMS: KindSpec = spec(
    "virtualmachineinstancemigrations",
    "kubevirt.io",
    "v1",
    true,
);
pub const PVCS: KindSpec = spec("persistentvolumeclaims", "", "v1", false);
pub const STORAGE_CLASSES: KindSpec = spec("storageclasses", "storage.k8s.io", "v1", false);
pub const STORAGE_PROFILES: KindSpec = spec("storageprofiles", "cdi.kubevirt.io", "v1beta1", true);
pub const NODE_POOLS: KindSpec = spec("nodepools", "hypershift.openshift.io", "v1beta1", true);
pub const HOSTED_CLUSTERS: KindSpec =
    spec("hostedclusters", "hypershift.openshift.io", "v1beta1", true);

/// The kinds watched here, in [`MigrationStores::stores`] order.
pub const WATCHED_KINDS: [KindSpec; 5] = [VMIS, VMIMS, PVCS, STORAGE_CLASSES, STORAGE_PROFILES];

/// Every kind the live-migration views read: the watched ones, then NodePools and
/// HostedClusters (shared stores).
pub const MIGRATION_KINDS: [KindSpec; 7] = [
    VMIS,
    VMIMS,
    PVCS,
    STORAGE_CLASSES,
    STORAGE_PROFILES,
    NODE_POOLS,
    HOSTED_CLUSTERS,
];

/// What the Maintenance pane reads (its `Pane::reads` besides nodes): no NodePools, the
/// biggest of them.
pub const MAINTENANCE_KINDS: [KindSpec; 3] = [VMIS, VMIMS, HOSTED_CLUSTERS];

/// What the Readiness pane reads (its `Pane::reads`): no HostedClusters or migrations.
pub const READINESS_KINDS: [KindSpec; 5] =
    [VMIS, PVCS, STORAGE_CLASSES, STORAGE_PROFILES, NODE_POOLS];

/// The `ApiResource` of a spec (kind is informational for watches; the plural routes).
pub fn api_resource(s: &KindSpec) -> ApiResource {
    ApiResource {
        group: s.group.into(),
        version: s.version.into(),
        api_version: s.group_version(),
        kind: String::new(),
        plural: s.plural.into(),
    }
}

/// What the live-migration views (Readiness, Maintenance) read of a NodePool besides its name
/// and namespace: whole pools as JSON trees took 30 KB each, 30 MB per pane at 1,000 pools.
/// Of the conditions, [`narrow_pool`] keeps only `KubeVirtNodesLiveMigratable`.
pub const POOL_FIELDS: &[&str] = &[
    "/spec/clusterName",
    "/spec/platform",
    "/spec/replicas",
    "/status/replicas",
    "/status/platform",
    "/status/conditions",
];

/// ...and of a HostedCluster (which cluster owns a VMI, its guest kubeconfig's Secret).
pub const CLUSTER_FIELDS: &[&str] = &["/spec/infraID", "/spec/platform", "/status/kubeconfig"];

/// A NodePool as the live-migration views read it: [`POOL_FIELDS`], and of its conditions
/// (about 17 on a HyperShift pool, 80 % of the narrowed tree) only the one they read.
pub fn narrow_pool(pool: &NodePool) -> Value {
    let mut v = pool.narrow_value(POOL_FIELDS);
    if let Some(Value::Array(conds)) = v.pointer_mut("/status/conditions") {
        conds.retain(|c| c.get("type").and_then(Value::as_str) == Some(LM_CONDITION));
    }
    v
}

/// Readers of the live-migration kinds: the watched ones in [`WATCHED_KINDS`] order, and the
/// shared NodePool and HostedCluster stores.
#[derive(Clone)]
pub struct MigrationStores {
    pub stores: Vec<Store<DynamicObject>>,
    pub nodepools: Store<NodePool>,
    pub hostedclusters: Store<HostedCluster>,
}

/// The writers of the watched kinds.
pub struct MigrationWriters {
    pub writers: Vec<Writer<DynamicObject>>,
}

impl MigrationStores {
    /// Fresh stores and writers of the watched kinds, reading NodePools and HostedClusters from
    /// the given (shared) stores.
    pub fn with_writers(
        nodepools: Store<NodePool>,
        hostedclusters: Store<HostedCluster>,
    ) -> (MigrationStores, MigrationWriters) {
        let writers: Vec<Writer<DynamicObject>> = WATCHED_KINDS
            .iter()
            .map(|s| Writer::new(api_resource(s)))
            .collect();
        (
            MigrationStores {
                stores: writers.iter().map(Writer::as_reader).collect(),
                nodepools,
                hostedclusters,
            },
            MigrationWriters { writers },
        )
    }
}

/// Start one reflector per live-migration kind.
pub fn spawn_all(
    client: &Client,
    writers: MigrationWriters,
    reporter: &Reporter,
    cancel: &CancellationToken,
) {
    for (spec, writer) in WATCHED_KINDS.into_iter().zip(writers.writers) {
        let (client, reporter, cancel) = (client.clone(), reporter.clone(), cancel.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = run(client, spec, writer, &reporter) => {}
            }
        });
    }
}

/// Drop managedFields and the last-applied annotation.
pub fn strip(o: &mut DynamicObject) {
    o.metadata.managed_fields = None;
    if let Some(a) = o.metadata.annotations.as_mut() {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

async fn run(client: Client, spec: KindSpec, writer: Writer<DynamicObject>, reporter: &Reporter) {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &api_resource(&spec));
    super::kind::run_watch(client, spec, api, writer, strip, reporter).await;
}

/// List every live-migration kind once (for `shiftdeck get readiness`); absent APIs give empty
/// lists, other errors fail.
pub async fn list_all(client: &Client) -> Result<Vec<(KindSpec, Vec<Value>)>, String> {
    let mut out = Vec::new();
    for spec in MIGRATION_KINDS {
        let items = if installed(client, &spec).await.map_err(|e| one_line(&e))? {
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &api_resource(&spec));
            api.list(&Default::default())
                .await
                .map_err(|e| format!("cannot list {}: {}", spec.id, one_line(&e)))?
                .items
                .into_iter()
                .map(|mut o| {
                    strip(&mut o);
                    serde_json::to_value(o).unwrap_or(Value::Null)
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push((spec, items));
    }
    Ok(out)
}

/// Filling the live-migration model from what the watch holds (the model itself stays pure).
impl MigrationInputs {
    /// From lists keyed by kind (unknown kinds are ignored).
    pub fn from_lists(lists: Vec<(KindSpec, Vec<Value>)>) -> Self {
        let mut m = MigrationInputs::default();
        for (spec, items) in lists {
            if let Some(slot) = m.list_mut(spec.id) {
                *slot = items;
            }
        }
        m
    }

    /// The list of one kind (by `KindSpec::id`), `None` for a kind the views do not read.
    pub fn list(&self, id: &str) -> Option<&Vec<Value>> {
        let i = MIGRATION_KINDS.iter().position(|k| k.id == id)?;
        // In MIGRATION_KINDS order.
        let lists = [
            &self.vmis,
            &self.migrations,
            &self.pvcs,
            &self.storage_classes,
            &self.storage_profiles,
            &self.node_pools,
            &self.hosted_clusters,
        ];
        lists.into_iter().nth(i)
    }

    /// [`MigrationInputs::list`], to fill.
    pub fn list_mut(&mut self, id: &str) -> Option<&mut Vec<Value>> {
        let i = MIGRATION_KINDS.iter().position(|k| k.id == id)?;
        let lists = [
            &mut self.vmis,
            &mut self.migrations,
            &mut self.pvcs,
            &mut self.storage_classes,
            &mut self.storage_profiles,
            &mut self.node_pools,
            &mut self.hosted_clusters,
        ];
        lists.into_iter().nth(i)
    }
}
