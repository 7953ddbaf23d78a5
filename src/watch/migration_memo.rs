//! The live-migration panes' inputs kept between syncs. An object is narrowed (or turned into
//! JSON) again only when its resourceVersion moved, and a sync that changed nothing the pane
//! reads builds nothing. At 1,000 NodePools with churn, narrowing every pool on every sync was
//! 40 % of the Readiness pane's CPU.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::KindSpec;
use super::migration_kinds::{
    CLUSTER_FIELDS, HOSTED_CLUSTERS, MigrationStores, NODE_POOLS, WATCHED_KINDS, narrow_pool,
};
use crate::migration::inputs::MigrationInputs;

/// One pane's live-migration inputs, with what each was read from.
#[derive(Default)]
pub struct MigrationMemo {
    inputs: MigrationInputs,
    /// Per kind read so far, each object's `namespace/name` and resourceVersion, in the order of
    /// its list in `inputs`.
    seen: BTreeMap<&'static str, Vec<(String, String)>>,
}

/// What a catch-up changed, as the views read it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MemoChanges {
    /// Per kind, the `namespace/name` of each object added, changed or removed.
    pub keys: BTreeMap<&'static str, BTreeSet<String>>,
    /// Kinds read for the first time (everything in them is new).
    pub first: BTreeSet<&'static str>,
}

impl MemoChanges {
    pub fn any(&self) -> bool {
        !self.keys.is_empty() || !self.first.is_empty()
    }

    /// The objects changed when they are all of kind `id` (and none is read for the first time).
    pub fn only_in(&self, id: &str) -> Option<&BTreeSet<String>> {
        if !self.first.is_empty() || self.keys.len() != 1 {
            return None;
        }
        self.keys.get(id)
    }
}

impl MigrationMemo {
    /// Catch up with the stores of `kinds`: what the pane reads that changed (on the first call,
    /// every kind). `changed`: the kinds that moved since the last call, when known; the others
    /// are not looked at.
    pub fn catch_up(
        &mut self,
        stores: &MigrationStores,
        kinds: &[KindSpec],
        changed: Option<&BTreeSet<&'static str>>,
    ) -> MemoChanges {
        let mut out = MemoChanges::default();
        for k in kinds {
            let known = self.seen.contains_key(k.id);
            if known && changed.is_some_and(|c| !c.contains(k.id)) {
                continue;
            }
            let Some(list) = self.inputs.list_mut(k.id) else {
                continue;
            };
            let seen = self.seen.entry(k.id).or_default();
            let keys = refresh(stores, k.id, seen, list);
            if !known {
                out.first.insert(k.id);
            } else if !keys.is_empty() {
                out.keys.insert(k.id, keys);
            }
        }
        out
    }

    /// The object of kind `id` at `namespace/name`, as of the last catch-up.
    pub fn get(&self, id: &str, key: &str) -> Option<&Value> {
        let seen = self.seen.get(id)?;
        let i = seen.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        self.inputs.list(id)?.get(i)
    }

    /// The inputs as of the last catch-up, each list sorted by `namespace/name`.
    pub fn inputs(&self) -> &MigrationInputs {
        &self.inputs
    }
}

/// Catch `list` up with the store of kind `id`. Returns the objects added, changed or removed as
/// the views read them.
fn refresh(
    stores: &MigrationStores,
    id: &str,
    seen: &mut Vec<(String, String)>,
    list: &mut Vec<Value>,
) -> BTreeSet<String> {
    if id == NODE_POOLS.id {
        return refresh_from(
            &stores.nodepools.state(),
            |o| &o.metadata,
            narrow_pool,
            seen,
            list,
        );
    }
    if id == HOSTED_CLUSTERS.id {
        return refresh_from(
            &stores.hostedclusters.state(),
            |o| &o.metadata,
            |o| o.narrow_value(CLUSTER_FIELDS),
            seen,
            list,
        );
    }
    let Some(store) = WATCHED_KINDS
        .iter()
        .position(|s| s.id == id)
        .and_then(|i| stores.stores.get(i))
    else {
        return BTreeSet::new();
    };
    refresh_from(
        &store.state(),
        |o| &o.metadata,
        |o| serde_json::to_value(o).unwrap_or(Value::Null),
        seen,
        list,
    )
}

fn refresh_from<T>(
    objs: &[Arc<T>],
    meta: impl Fn(&T) -> &ObjectMeta,
    narrow: impl Fn(&T) -> Value,
    seen: &mut Vec<(String, String)>,
    list: &mut Vec<Value>,
) -> BTreeSet<String> {
    let mut old: HashMap<String, (String, Value)> = std::mem::take(seen)
        .into_iter()
        .zip(std::mem::take(list))
        .map(|((key, rv), v)| (key, (rv, v)))
        .collect();
    let mut changed = BTreeSet::new();
    let mut next: Vec<(String, String, Value)> = Vec::with_capacity(objs.len());
    for o in objs {
        let m = meta(o);
        let key = format!(
            "{}/{}",
            m.namespace.as_deref().unwrap_or(""),
            m.name.as_deref().unwrap_or("")
        );
        let rv = m.resource_version.clone().unwrap_or_default();
        let v = match old.remove(&key) {
            // An object without a resourceVersion is never taken as unchanged.
            Some((was, v)) if was == rv && !rv.is_empty() => v,
            Some((_, before)) => {
                let v = narrow(o);
                if v != before {
                    changed.insert(key.clone());
                }
                v
            }
            None => {
                changed.insert(key.clone());
                narrow(o)
            }
        };
        next.push((key, rv, v));
    }
    changed.extend(old.into_keys());
    next.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (key, rv, v) in next {
        seen.push((key, rv));
        list.push(v);
    }
    changed
}

#[cfg(test)]
mod tests {
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;
    use serde_json::json;

    use super::*;
    use crate::fleet::lm_message::LM_CONDITION;
    use crate::watch::dynamic::{HostedCluster, NodePool};
    use crate::watch::migration_kinds::{NODE_POOLS, READINESS_KINDS, VMIS};

    fn pool(name: &str, rv: &str, replicas: u32, other_condition: &str) -> NodePool {
        NodePool::from_value(json!({
            "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool",
            "metadata": {"name": name, "namespace": "clusters", "resourceVersion": rv,
                         "labels": {"churned": rv}},
            "spec": {"clusterName": "c", "replicas": replicas, "platform": {"type": "KubeVirt"}},
            "status": {"conditions": [
                {"type": LM_CONDITION, "status": "True"},
                {"type": "Ready", "status": other_condition}]}
        }))
        .expect("a NodePool")
    }

    struct Fixture {
        pools: Writer<NodePool>,
        vmis: Writer<kube::api::DynamicObject>,
        stores: MigrationStores,
    }

    fn fixture() -> Fixture {
        let pools = Writer::<NodePool>::default();
        let clusters = Writer::<HostedCluster>::default();
        let (stores, w) = MigrationStores::with_writers(pools.as_reader(), clusters.as_reader());
        let vmis = w.writers.into_iter().next().expect("the VMI writer");
        Fixture {
            pools,
            vmis,
            stores,
        }
    }

    fn changed(kind: &'static str, keys: &[&str]) -> MemoChanges {
        MemoChanges {
            keys: BTreeMap::from([(kind, keys.iter().map(|k| k.to_string()).collect())]),
            first: BTreeSet::new(),
        }
    }

    #[test]
    fn a_pool_is_read_again_only_when_what_the_views_read_changed() {
        let mut f = fixture();
        let mut memo = MigrationMemo::default();
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "1", 2, "True")));
        let first = memo.catch_up(&f.stores, &READINESS_KINDS, None);
        assert_eq!(first.first, READINESS_KINDS.iter().map(|k| k.id).collect());
        assert_eq!(first.only_in(NODE_POOLS.id), None);
        assert_eq!(memo.inputs().node_pools.len(), 1);
        assert!(!memo.catch_up(&f.stores, &READINESS_KINDS, None).any());

        // A new resourceVersion, but only a label and another condition moved.
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "2", 2, "False")));
        assert!(!memo.catch_up(&f.stores, &READINESS_KINDS, None).any());

        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "3", 3, "False")));
        f.pools
            .apply_watcher_event(&Event::Apply(pool("a-new", "4", 1, "True")));
        let c = memo.catch_up(&f.stores, &READINESS_KINDS, None);
        assert_eq!(
            c,
            changed(NODE_POOLS.id, &["clusters/a-new", "clusters/np"])
        );
        assert_eq!(
            c.only_in(NODE_POOLS.id).map(BTreeSet::len),
            Some(2),
            "only pools moved"
        );
        let i = memo.inputs();
        // Sorted by namespace/name.
        assert_eq!(i.node_pools[0]["metadata"]["name"], "a-new");
        assert_eq!(i.node_pools[1]["spec"]["replicas"], 3);
        assert_eq!(
            i.node_pools[1]["status"]["conditions"],
            json!([{"type": LM_CONDITION, "status": "True"}])
        );
        let np = memo.get(NODE_POOLS.id, "clusters/np");
        assert_eq!(np.map(|p| &p["spec"]["replicas"]), Some(&json!(3)));
        assert_eq!(memo.get(NODE_POOLS.id, "clusters/gone"), None);

        f.pools
            .apply_watcher_event(&Event::Delete(pool("np", "3", 3, "False")));
        let c = memo.catch_up(&f.stores, &READINESS_KINDS, None);
        assert_eq!(c, changed(NODE_POOLS.id, &["clusters/np"]));
        assert_eq!(memo.inputs().node_pools.len(), 1);
        assert_eq!(memo.get(NODE_POOLS.id, "clusters/np"), None);
    }

    #[test]
    fn kinds_not_named_as_changed_are_not_looked_at_and_keep_what_was_read() {
        let mut f = fixture();
        let mut memo = MigrationMemo::default();
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "1", 2, "True")));
        assert!(memo.catch_up(&f.stores, &READINESS_KINDS, None).any());

        let mut vmi = kube::api::DynamicObject::new(
            "vm-1",
            &crate::watch::migration_kinds::api_resource(&VMIS),
        )
        .within("clusters-c")
        .data(json!({"status": {"nodeName": "infra-1"}}));
        vmi.metadata.resource_version = Some("7".into());
        f.vmis.apply_watcher_event(&Event::Apply(vmi));
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "2", 5, "True")));
        let only_vmis = BTreeSet::from([VMIS.id]);
        let c = memo.catch_up(&f.stores, &READINESS_KINDS, Some(&only_vmis));
        assert_eq!(c, changed(VMIS.id, &["clusters-c/vm-1"]));
        assert_eq!(c.only_in(NODE_POOLS.id), None);
        assert_eq!(memo.inputs().vmis.len(), 1);
        // The pool's change waits for a sync that names NodePools.
        assert_eq!(memo.inputs().node_pools[0]["spec"]["replicas"], 2);
        let c = memo.catch_up(&f.stores, &READINESS_KINDS, None);
        assert_eq!(c, changed(NODE_POOLS.id, &["clusters/np"]));
        assert_eq!(memo.inputs().node_pools[0]["spec"]["replicas"], 5);
    }

    #[test]
    fn an_object_without_a_resource_version_is_always_read_again() {
        let mut f = fixture();
        let mut memo = MigrationMemo::default();
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "", 2, "True")));
        assert!(memo.catch_up(&f.stores, &READINESS_KINDS, None).any());
        f.pools
            .apply_watcher_event(&Event::Apply(pool("np", "", 4, "True")));
        let c = memo.catch_up(&f.stores, &READINESS_KINDS, None);
        assert_eq!(c, changed(NODE_POOLS.id, &["clusters/np"]));
        assert_eq!(memo.inputs().node_pools[0]["spec"]["replicas"], 4);
    }
}
