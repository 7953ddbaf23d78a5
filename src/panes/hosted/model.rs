//! Pure rows of the Hosted clusters pane: one item per HostedCluster carrying its node pools (so
//! node counts change, and flash, when a pool changes), rows from `fleet::hosted`, sort and filter.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use serde_json::Value;

use crate::fleet::hosted::HostedClusterRow;
use crate::fleet::util::TableRow;
use crate::panes::filter::Filter;
use crate::watch::dynamic::{HostedCluster, NodePool};

/// Headers and their Shift+letter sort keys (`oc get hostedclusters -A` plus three).
pub const COLUMNS: &[(&str, char)] = &[
    ("NAMESPACE", 'E'),
    ("NAME", 'N'),
    ("VERSION", 'V'),
    ("KUBECONFIG", 'K'),
    ("PROGRESS", 'R'),
    ("AVAILABLE", 'A'),
    ("PROGRESSING", 'G'),
    ("MESSAGE", 'M'),
    ("PLATFORM", 'L'),
    ("NODEPOOLS", 'O'),
    ("NODES", 'D'),
];

/// A HostedCluster with the node pools of the same cluster, shared with the watch stores (no
/// copies: at hub scale those were 34 MiB). Its resourceVersion combines theirs, so the live
/// table re-derives the row when either changes.
#[derive(Clone, Debug)]
pub struct HcItem {
    metadata: ObjectMeta,
    pub hc: Arc<HostedCluster>,
    pub pools: Vec<Arc<NodePool>>,
    /// Why the node pools could not be read (see [`ItemCache::pools_unreadable`]).
    pub pools_unreadable: Option<String>,
    /// Its row, made by [`items_cached`] from what it had cached (`None`: made from the
    /// objects when asked).
    row: Option<HostedClusterRow>,
}

impl HcItem {
    pub fn new(hc: Arc<HostedCluster>, pools: Vec<Arc<NodePool>>) -> HcItem {
        HcItem::with_pools_unreadable(hc, pools, None)
    }

    /// An item whose pools are unreadable (`forbidden`, `unknown`) when `why` is set; the
    /// reason is part of its resourceVersion so rows change with it.
    pub fn with_pools_unreadable(
        hc: Arc<HostedCluster>,
        pools: Vec<Arc<NodePool>>,
        why: Option<String>,
    ) -> HcItem {
        let mut metadata = hc.metadata.clone();
        let mut rv = metadata.resource_version.clone().unwrap_or_default();
        for p in &pools {
            rv.push('+');
            rv.push_str(p.metadata.resource_version.as_deref().unwrap_or(""));
        }
        if let Some(why) = &why {
            rv.push_str("+!");
            rv.push_str(why);
        }
        metadata.resource_version = Some(rv);
        metadata.managed_fields = None;
        HcItem {
            metadata,
            hc,
            pools,
            pools_unreadable: why,
            row: None,
        }
    }

    /// The HostedCluster as JSON, as the `fleet` view models read it.
    pub fn hc_value(&self) -> Value {
        self.hc.to_value()
    }

    /// Its node pools as JSON.
    pub fn pool_values(&self) -> Vec<Value> {
        self.pools.iter().map(|p| p.to_value()).collect()
    }
}

impl Resource for HcItem {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;
    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("HostedCluster")
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("hypershift.openshift.io")
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("v1beta1")
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed("hostedclusters")
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// Items from the last sync by `namespace/name`, with the resourceVersions they were built from.
#[derive(Default)]
pub struct ItemCache {
    items: HashMap<String, (String, Arc<HcItem>)>,
    /// Each cluster's row without its pools, by `namespace/name`, with the resourceVersion it
    /// was read from: a pool changing does not parse its cluster again.
    bases: HashMap<String, (String, HostedClusterRow)>,
    /// Each pool's counts by `namespace/name`, with its resourceVersion.
    counts: HashMap<String, (String, PoolCounts)>,
    /// Why node pools cannot be read now (`forbidden`, `unknown`): every item carries it, so
    /// counts read "forbidden" rather than 0.
    pools_unreadable: Option<String>,
}

impl ItemCache {
    /// Set why node pools cannot be read (`None`: they can). Returns whether it changed.
    pub fn set_pools_unreadable(&mut self, why: Option<String>) -> bool {
        if self.pools_unreadable == why {
            return false;
        }
        self.pools_unreadable = why;
        self.items.clear();
        true
    }

    /// `h`'s row with `pools` (its own), from what is cached where versions did not move.
    fn row(&mut self, h: &HostedCluster, pools: &[&Arc<NodePool>]) -> HostedClusterRow {
        let rv = |m: &ObjectMeta| m.resource_version.clone().unwrap_or_default();
        let hc_rv = rv(&h.metadata);
        let mut row = match self.bases.get(&ns_name(&h.metadata)) {
            Some((seen, base)) if *seen == hc_rv && h.metadata.resource_version.is_some() => {
                base.clone()
            }
            _ => {
                let base = HostedClusterRow::new(&h.to_value(), &[]);
                self.bases
                    .insert(ns_name(&h.metadata), (hc_rv, base.clone()));
                base
            }
        };
        row.node_pools = pools.len();
        for p in pools {
            let (k, prv) = (ns_name(&p.metadata), rv(&p.metadata));
            let c = match self.counts.get(&k) {
                Some((seen, c)) if *seen == prv && p.metadata.resource_version.is_some() => *c,
                _ => {
                    let c = PoolCounts::of(&p.narrow_value(crate::fleet::hosted::POOL_ROW_FIELDS));
                    self.counts.insert(k, (prv, c));
                    c
                }
            };
            row.nodes_ready += c.ready;
            row.nodes_desired += c.desired;
            row.malformed_pools += usize::from(c.malformed);
        }
        row
    }
}

/// `namespace/name`: the key of the item, base and count caches.
fn ns_name(m: &ObjectMeta) -> String {
    format!(
        "{}/{}",
        m.namespace.as_deref().unwrap_or_default(),
        m.name.as_deref().unwrap_or_default()
    )
}

/// What a pool adds to its cluster's row.
#[derive(Clone, Copy, Debug)]
struct PoolCounts {
    ready: i64,
    desired: i64,
    malformed: bool,
}

impl PoolCounts {
    fn of(pool: &Value) -> PoolCounts {
        use crate::fleet::hosted::{malformed_counts, pool_desired_nodes, pool_ready_nodes};
        PoolCounts {
            ready: pool_ready_nodes(pool),
            desired: pool_desired_nodes(pool),
            malformed: !malformed_counts(pool).is_empty(),
        }
    }
}

/// [`items`], reusing the items of clusters whose object and pools did not change: one pool
/// changing among a thousand re-serialises one cluster's objects, not all of them.
pub fn items_cached(
    cache: &mut ItemCache,
    hcs: &[Arc<HostedCluster>],
    pools: &[Arc<NodePool>],
) -> Vec<Arc<HcItem>> {
    let mut by_cluster: HashMap<(&str, &str), Vec<&Arc<NodePool>>> = HashMap::new();
    for p in pools {
        let ns = p.metadata.namespace.as_deref().unwrap_or_default();
        let cluster = p.group_key().unwrap_or_default();
        by_cluster.entry((ns, cluster)).or_default().push(p);
    }
    let mut next = HashMap::with_capacity(hcs.len());
    let out = hcs
        .iter()
        .map(|h| {
            let ns = h.metadata.namespace.as_deref().unwrap_or_default();
            let name = h.metadata.name.as_deref().unwrap_or_default();
            let mine = by_cluster
                .get(&(ns, name))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut stamp = h.metadata.resource_version.clone().unwrap_or_default();
            for p in mine {
                stamp.push('+');
                stamp.push_str(p.metadata.resource_version.as_deref().unwrap_or_default());
            }
            let key = format!("{ns}/{name}");
            let item = match cache.items.remove(&key) {
                Some((s, item)) if s == stamp => item,
                _ => {
                    let mut item = HcItem::with_pools_unreadable(
                        h.clone(),
                        mine.iter().map(|p| Arc::clone(p)).collect(),
                        cache.pools_unreadable.clone(),
                    );
                    item.row = Some(cache.row(h, mine));
                    Arc::new(item)
                }
            };
            next.insert(key, (stamp, item.clone()));
            item
        })
        .collect();
    cache.items = next;
    // Forget clusters and pools that went.
    let items = &cache.items;
    cache.bases.retain(|k, _| items.contains_key(k));
    if cache.counts.len() > pools.len() {
        let live: std::collections::HashSet<String> =
            pools.iter().map(|p| ns_name(&p.metadata)).collect();
        cache.counts.retain(|k, _| live.contains(k));
    }
    out
}

/// Items from store snapshots: each cluster with its pools.
pub fn items(hcs: &[Arc<HostedCluster>], pools: &[Arc<NodePool>]) -> Vec<Arc<HcItem>> {
    items_cached(&mut ItemCache::default(), hcs, pools)
}

/// One row: the `fleet` row plus labels for `key=value` filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HcRow {
    pub row: HostedClusterRow,
    pub labels: BTreeMap<String, String>,
}

impl HcRow {
    pub fn from_item(item: &HcItem) -> HcRow {
        let mut row = item.row.clone().unwrap_or_else(|| {
            let pools: Vec<Value> = item
                .pools
                .iter()
                .map(|p| p.narrow_value(crate::fleet::hosted::POOL_ROW_FIELDS))
                .collect();
            HostedClusterRow::new(&item.hc_value(), &pools)
        });
        row.pools_unreadable = item.pools_unreadable.clone();
        HcRow {
            row,
            labels: item.metadata.labels.clone().unwrap_or_default(),
        }
    }

    /// The cells, as `get hostedclusters` prints them.
    pub fn cells(&self) -> Vec<String> {
        self.row.cells()
    }

    /// Name or namespace substring, or label terms.
    pub fn matches(&self, filter: &Filter) -> bool {
        let key = format!("{}/{}", self.row.namespace, self.row.name);
        filter.matches(&key, &self.labels)
    }
}

/// Compare by column `col`; ties break on namespace then name.
pub fn compare(a: &HcRow, b: &HcRow, col: usize) -> Ordering {
    let (x, y) = (&a.row, &b.row);
    let primary = match col {
        0 => x.namespace.cmp(&y.namespace),
        1 => x.name.cmp(&y.name),
        2 => x.version.cmp(&y.version),
        3 => x.kubeconfig.cmp(&y.kubeconfig),
        4 => x.progress.cmp(&y.progress),
        5 => x.available.cmp(&y.available),
        6 => x.progressing.cmp(&y.progressing),
        7 => x.message.cmp(&y.message),
        8 => x.platform.cmp(&y.platform),
        9 => x.node_pools.cmp(&y.node_pools),
        10 => (x.nodes_ready, x.nodes_desired).cmp(&(y.nodes_ready, y.nodes_desired)),
        _ => Ordering::Equal,
    };
    primary.then_with(|| (&x.namespace, &x.name).cmp(&(&y.namespace, &y.name)))
}
