//! The live watch layer. Per kind one reflector task (the only writer) keeps a store the UI reads;
//! tasks report state changes and "something changed" notifications by message and never touch
//! UI state. To add a kind for a new pane: a `KindSpec` in `KINDS`, a field in `Stores` and one
//! `spawn_kind` line in `Watches::start`.

pub mod cluster_info;
pub mod kind;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::Node;
use kube::Client;
use kube::runtime::reflector::{self, Store};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

pub use kind::{KindSpec, KindState};

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

pub const DATAVOLUMES: KindSpec = KindSpec {
    id: "datavolumes",
    group: "cdi.kubevirt.io",
    version: "v1beta1",
    plural: "datavolumes",
    crd: true,
};

pub const KINDS: &[KindSpec] = &[NODES, DATAVOLUMES];

/// Readers of every watched kind. Cheap to clone.
#[derive(Clone)]
pub struct Stores {
    pub nodes: Store<Node>,
    pub datavolumes: Store<DataVolume>,
    /// The connection the stores come from (`None` for hand-fed stores), for panes whose
    /// actions need a one-off read (e.g. the `coreos-bootimages` ConfigMap).
    pub client: Option<Client>,
}

impl Stores {
    /// Stores with their writers, for tests and benchmarks that feed watch events by hand
    /// (`Writer::apply_watcher_event`).
    pub fn with_writers() -> (Stores, Writers) {
        let nodes = reflector::store::Writer::default();
        let datavolumes = reflector::store::Writer::default();
        (
            Stores {
                nodes: nodes.as_reader(),
                datavolumes: datavolumes.as_reader(),
                client: None,
            },
            Writers { nodes, datavolumes },
        )
    }
}

/// The writers matching `Stores`, one per kind.
pub struct Writers {
    pub nodes: reflector::store::Writer<Node>,
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
}

/// The channel ends the watch tasks report through.
#[derive(Clone)]
pub struct Reporter {
    pub generation: u64,
    pub tx: mpsc::UnboundedSender<WatchMsg>,
    /// Coalesced "a store changed" signal: many changes, one wake-up.
    pub changed: Arc<Changes>,
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
}

/// The running watches of one connection. Dropping or `stop` ends them.
pub struct Watches {
    pub stores: Stores,
    cancel: CancellationToken,
}

impl Watches {
    /// Start one reflector per kind plus the cluster-info poller.
    pub fn start(client: Client, reporter: Reporter) -> Watches {
        let cancel = CancellationToken::new();
        let nodes = reflector::store::Writer::default();
        let datavolumes = reflector::store::Writer::default();
        let stores = Stores {
            nodes: nodes.as_reader(),
            datavolumes: datavolumes.as_reader(),
            client: Some(client.clone()),
        };
        kind::spawn_kind(
            client.clone(),
            NODES,
            nodes,
            kind::strip_node,
            reporter.clone(),
            cancel.clone(),
        );
        kind::spawn_kind(
            client.clone(),
            DATAVOLUMES,
            datavolumes,
            crate::copies::dv_resource::strip,
            reporter.clone(),
            cancel.clone(),
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
