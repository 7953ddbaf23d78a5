//! The live watch layer. Per kind one reflector task (the only writer) keeps a store the UI reads;
//! tasks report state changes and "something changed" notifications by message and never touch
//! UI state. To add a kind for a new pane: a `KindSpec` in `KINDS`, a field in `Stores` and one
//! `spawn_kind` line in `Watches::start`.

pub mod cluster_info;
pub mod dynamic;
pub mod fleet;
pub mod kind;
pub mod machine;
pub mod migration_kinds;
pub mod migration_memo;
pub mod overview_fetch;
pub mod overview_poll;
pub mod priority;
pub mod resilient;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use kube::Client;
use kube::runtime::reflector::{self, Store};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

pub use kind::{KindSpec, KindState};
pub use machine::Machine;

use crate::copies::dv_resource::DataVolume;

/// Every kind the UI watches. Later panes add theirs here (CRDs with `crd: true` are checked in
/// discovery first and reported `NotInstalled` when absent, e.g. HyperShift kinds on MicroShift).
pub const NODES: KindSpec = KindSpec {
    id: "nodes",
    group: "",
    version: "v1",
    plural: "nodes",
    crd: false,
};

pub const CSRS: KindSpec = KindSpec {
    id: "certificatesigningrequests",
    group: "certificates.k8s.io",
    version: "v1",
    plural: "certificatesigningrequests",
    crd: false,
};

/// OpenShift Machine API machines (absent on MicroShift, HyperShift guests, plain Kubernetes).
pub const MACHINES: KindSpec = KindSpec {
    id: "machines",
    group: "machine.openshift.io",
    version: "v1beta1",
    plural: "machines",
    crd: true,
};

pub const HOSTEDCLUSTERS: KindSpec = KindSpec {
    id: "hostedclusters",
    group: "hypershift.openshift.io",
    version: "v1beta1",
    plural: "hostedclusters",
    crd: true,
};

pub const NODEPOOLS: KindSpec = KindSpec {
    id: "nodepools",
    group: "hypershift.openshift.io",
    version: "v1beta1",
    plural: "nodepools",
    crd: true,
};

pub const CLUSTEROPERATORS: KindSpec = KindSpec {
    id: "clusteroperators",
    group: "config.openshift.io",
    version: "v1",
    plural: "clusteroperators",
    crd: true,
};

pub const KINDS: &[KindSpec] = &[
    NODES,
    CSRS,
    MACHINES,
    HOSTEDCLUSTERS,
    NODEPOOLS,
    CLUSTEROPERATORS,
    fleet::MACHINESETS,
    fleet::POOL_MACHINES,
    fleet::VMS,
    fleet::VMIS,
    fleet::DVS,
];
pub const DATAVOLUMES: KindSpec = KindSpec {
    id: "datavolumes",
    group: "cdi.kubevirt.io",
    version: "v1beta1",
    plural: "datavolumes",
    crd: true,
};

/// Readers of every watched kind. Cheap to clone.
#[derive(Clone)]
pub struct Stores {
    pub nodes: Store<Node>,
    pub fleet: fleet::FleetStores,
    pub csrs: Store<CertificateSigningRequest>,
    /// The first CSR list's requests, decoded and verified off the UI thread (see
    /// [`crate::csr::decode::Predecoded`]).
    pub csr_predecoded: Arc<crate::csr::decode::Predecoded>,
    /// Their validations, made ahead of the CSR pane as well.
    pub csr_prevalidated: Arc<crate::csr::prevalidate::Prevalidated>,
    /// Machine API Machines: the MachineSets pane's store (one watch for it, the CSR checks and
    /// the Overview).
    pub machines: Store<fleet::FleetMachine>,
    /// The overview poller's latest read (see [`overview_poll`]).
    pub overview: overview_poll::OverviewStore,
    /// Whether a shown pane reads the overview: the poller reads everything every
    /// [`overview_poll::POLL`] only then (set by the UI; `true` until it says otherwise).
    pub overview_wanted: Arc<tokio::sync::watch::Sender<bool>>,
    pub hostedclusters: Store<dynamic::HostedCluster>,
    pub nodepools: Store<dynamic::NodePool>,
    pub clusteroperators: Store<dynamic::ClusterOperator>,
    /// VMIs, migrations, PVCs, storage, NodePools, HostedClusters (live-migration views).
    pub migration: migration_kinds::MigrationStores,
    pub datavolumes: Store<DataVolume>,
    /// The connection the stores come from (`None` for hand-fed stores), for panes whose
    /// actions need a one-off read (e.g. the `coreos-bootimages` ConfigMap).
    pub client: Option<Client>,
}

impl Stores {
    /// Stores with their writers, for tests and benchmarks that feed watch events by hand
    /// (`Writer::apply_watcher_event`).
    pub fn with_writers() -> (Stores, Writers) {
        let (overview_writer, overview) = overview_poll::channel();
        let datavolumes: reflector::store::Writer<DataVolume> = Default::default();
        let nodepools: reflector::store::Writer<dynamic::NodePool> = Default::default();
        let hostedclusters: reflector::store::Writer<dynamic::HostedCluster> = Default::default();
        let (migration, migration_writers) = migration_kinds::MigrationStores::with_writers(
            nodepools.as_reader(),
            hostedclusters.as_reader(),
        );
        let (fleet_stores, fleet) =
            fleet::FleetStores::with_writers(nodepools.as_reader(), datavolumes.as_reader());
        let w = Writers {
            datavolumes,
            nodepools,
            fleet,
            nodes: Default::default(),
            csrs: Default::default(),
            hostedclusters,
            clusteroperators: Default::default(),
            overview: overview_writer,
            migration: migration_writers,
        };
        let machines = fleet_stores.machines.clone();
        let stores = Stores {
            datavolumes: w.datavolumes.as_reader(),
            client: None,
            fleet: fleet_stores,
            nodes: w.nodes.as_reader(),
            csrs: w.csrs.as_reader(),
            csr_predecoded: Default::default(),
            csr_prevalidated: Default::default(),
            machines,
            hostedclusters: w.hostedclusters.as_reader(),
            nodepools: w.nodepools.as_reader(),
            clusteroperators: w.clusteroperators.as_reader(),
            overview,
            overview_wanted: Arc::new(tokio::sync::watch::channel(true).0),
            migration,
        };
        (stores, w)
    }
}

/// The writers matching `Stores`, one per kind.
pub struct Writers {
    pub nodes: reflector::store::Writer<Node>,
    pub fleet: fleet::FleetWriters,
    pub csrs: reflector::store::Writer<CertificateSigningRequest>,
    pub overview: overview_poll::OverviewWriter,
    pub hostedclusters: reflector::store::Writer<dynamic::HostedCluster>,
    pub nodepools: reflector::store::Writer<dynamic::NodePool>,
    pub clusteroperators: reflector::store::Writer<dynamic::ClusterOperator>,
    pub migration: migration_kinds::MigrationWriters,
    pub datavolumes: reflector::store::Writer<DataVolume>,
}

/// State of every kind, as last reported.
pub type KindStates = BTreeMap<&'static str, KindState>;

/// Messages from the watch layer to the UI. `generation` identifies the connection they belong
/// to, so messages from a previous context are ignored after a switch.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchMsg {
    State {
        generation: u64,
        kind: &'static str,
        state: KindState,
    },
    ClusterInfo {
        generation: u64,
        info: cluster_info::ClusterInfo,
    },
    /// The result of a pane's one-shot read (`Effect::Fetch`).
    Fetched {
        generation: u64,
        data: crate::fetched::FetchResult,
    },
    /// The server rejected the credentials (401): the watches stop until the user acts.
    AuthFailed { generation: u64, error: String },
}

/// The channel ends the watch tasks report through.
#[derive(Clone)]
pub struct Reporter {
    pub generation: u64,
    pub tx: mpsc::UnboundedSender<WatchMsg>,
    /// Coalesced "a store changed" signal: many changes, one wake-up.
    pub changed: Arc<Changes>,
    /// Which kinds list first (set by [`Watches::start`]).
    pub priority: priority::Priority,
}

/// Which kinds' stores changed since the UI last looked, with one wake-up for many changes.
#[derive(Debug, Default)]
pub struct Changes {
    notify: Notify,
    kinds: Mutex<BTreeSet<&'static str>>,
}

impl Changes {
    /// Mark `kind` changed and wake the UI (if it is not awake already).
    pub fn touch(&self, kind: &'static str) {
        self.kinds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(kind);
        self.notify.notify_one();
    }

    /// Wake the UI without a store change (a message is waiting).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Wait for changes and take the set of changed kinds. Cancel-safe.
    pub async fn wait(&self) -> BTreeSet<&'static str> {
        self.notify.notified().await;
        std::mem::take(&mut *self.kinds.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Reporter {
    pub fn state(&self, kind: &'static str, state: KindState) {
        let _ = self.tx.send(WatchMsg::State {
            generation: self.generation,
            kind,
            state,
        });
        // A new state may come with a swapped store (InitDone) or an empty pane message.
        self.changed.touch(kind);
    }

    /// The token or certificate was rejected: retrying cannot help, so the session stops.
    pub fn auth_failed(&self, error: String) {
        let _ = self.tx.send(WatchMsg::AuthFailed {
            generation: self.generation,
            error,
        });
        self.changed.wake();
    }
}

/// Decode the first complete CSR list's requests on a blocking thread, once the watch has it
/// (the store is "ready" already at its first early rows, see `kind::EARLY_OBJECTS`); then,
/// once Nodes and Machines have their lists too (or after a while), validate them there.
async fn predecode_first_list(stores: Stores, priority: priority::Priority) {
    priority.wait_settled(CSRS.id).await;
    let csrs = stores.csrs.state();
    let pre = stores.csr_predecoded.clone();
    let csrs = match tokio::task::spawn_blocking(move || {
        pre.fill(&csrs);
        csrs
    })
    .await
    {
        Ok(csrs) => csrs,
        Err(_) => return,
    };
    // Validations read Nodes and Machines: made from partial lists they would only be redone.
    let inputs = async {
        priority.wait_settled(NODES.id).await;
        priority.wait_settled(MACHINES.id).await;
    };
    let _ = tokio::time::timeout(PREVALIDATE_WAIT, inputs).await;
    let (nodes, machines) = (stores.nodes.state(), stores.machines.state());
    let (pre, val) = (
        stores.csr_predecoded.clone(),
        stores.csr_prevalidated.clone(),
    );
    let _ = tokio::task::spawn_blocking(move || {
        let index = (!machines.is_empty()).then(|| {
            crate::csr::machines::MachineIndex::new(machines.iter().map(|m| m.to_value()).collect())
        });
        val.fill(&csrs, &nodes, index.as_ref(), &pre);
        // Decided CSRs are validated now: their decoded requests are not needed again.
        pre.forget(&csrs, |c| {
            crate::csr::state::csr_state(c) != crate::csr::state::CsrState::Pending
        });
    })
    .await;
}

/// How long validating ahead waits for the Nodes and Machines lists.
const PREVALIDATE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// The running watches of one connection. Dropping or `stop` ends them.
pub struct Watches {
    pub stores: Stores,
    cancel: CancellationToken,
}

impl Watches {
    /// Start one reflector per kind plus the cluster-info poller. The kinds in `first` (what
    /// the shown pane reads) list first; the others start once those are live.
    pub fn start(client: Client, mut reporter: Reporter, first: &[&'static str]) -> Watches {
        let cancel = CancellationToken::new();
        reporter.priority = priority::Priority::new(first);
        {
            let (p, cancel) = (reporter.priority.clone(), cancel.clone());
            tokio::spawn(async move {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(priority::WAIT) => p.open(),
                }
            });
        }
        let (mut stores, w) = Stores::with_writers();
        stores.client = Some(client.clone());
        // One reflector task per kind: (spec, writer, strip function).
        macro_rules! watch {
            ($spec:expr, $writer:expr, $strip:expr) => {
                kind::spawn_kind(
                    client.clone(),
                    $spec,
                    $writer,
                    $strip,
                    reporter.clone(),
                    cancel.clone(),
                )
            };
        }
        watch!(NODES, w.nodes, kind::strip_node);
        watch!(CSRS, w.csrs, kind::strip_csr);
        {
            let (stores, cancel, priority) =
                (stores.clone(), cancel.clone(), reporter.priority.clone());
            tokio::spawn(async move {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = predecode_first_list(stores, priority) => {}
                }
            });
        }
        watch!(HOSTEDCLUSTERS, w.hostedclusters, dynamic::strip_dyn);
        watch!(NODEPOOLS, w.nodepools, dynamic::strip_dyn);
        watch!(CLUSTEROPERATORS, w.clusteroperators, dynamic::strip_dyn);
        overview_poll::spawn(
            client.clone(),
            w.overview,
            reporter.clone(),
            cancel.clone(),
            stores.clone(),
        );
        migration_kinds::spawn_all(&client, w.migration, &reporter, &cancel);
        fleet::spawn(w.fleet, &client, &reporter, &cancel);
        watch!(
            DATAVOLUMES,
            w.datavolumes,
            crate::copies::dv_resource::strip
        );
        cluster_info::spawn(client, reporter, cancel.clone());
        Watches { stores, cancel }
    }

    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

impl Drop for Watches {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn changes_coalesce_into_one_wake_up_with_every_kind() {
        let c = Changes::default();
        c.touch("nodes");
        c.touch("nodes");
        c.touch("csrs");
        let kinds = c.wait().await;
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), vec!["csrs", "nodes"]);
        // Nothing pending now: a wake without a touch yields an empty set.
        c.wake();
        assert!(c.wait().await.is_empty());
    }
}
