//! Finalizers the real controllers hold, and the teardown they do before letting go. The
//! Machine API's `machine.machine.openshift.io` finalizer and Cluster API's
//! `machine.cluster.x-k8s.io` one: a deleted Machine turns `Deleting`, its instance is torn down
//! (a Cluster API node-pool machine's KubeVirt VM chain, a Machine API machine's Node) after a
//! few simulated seconds, then the finalizer goes and so does the Machine. HyperShift's
//! `hypershift.openshift.io/finalizer` on NodePools and HostedClusters is handled by their
//! controllers (nodepool.rs, hostedcluster.rs) with the helpers here.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, next, sim_sleep};
use crate::resources::{ResourceDef, by_key};
use crate::scenario::objects::{name_of, ns_of, str_at};
use crate::store::{Store, StoredEvent, is_deleting};

pub use crate::scenario::objects::{CAPI_MACHINE_FINALIZER, MACHINE_FINALIZER};

/// HyperShift's finalizer on HostedClusters and NodePools.
pub const HYPERSHIFT_FINALIZER: &str = "hypershift.openshift.io/finalizer";

/// A Machine kind whose deletion the sim's machine controllers carry out.
#[derive(Clone, Copy, Debug)]
pub struct MachineKind {
    /// The store key.
    pub key: &'static str,
    pub finalizer: &'static str,
}

/// Machine API Machines (MachineSets' and the hub's own hosts): their Node goes.
pub const MAPI_MACHINES: MachineKind = MachineKind {
    key: "machines.machine.openshift.io",
    finalizer: MACHINE_FINALIZER,
};
/// Cluster API Machines (HyperShift node pools): their KubeVirt VM chain goes.
pub const CAPI_MACHINES: MachineKind = MachineKind {
    key: crate::scenario::kubevirt::POOL_MACHINES,
    finalizer: CAPI_MACHINE_FINALIZER,
};
/// Simulated seconds an instance takes to shut down and be deleted.
pub const INSTANCE_TEARDOWN_SECS: f64 = 6.0;

pub fn has_finalizer(o: &Value, f: &str) -> bool {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(f)))
}

/// Add finalizer `f` to a live object that lacks it, as a controller does on first reconcile.
pub fn ensure(store: &Store, res: &ResourceDef, ns: Option<&str>, name: &str, f: &str) {
    let _ = store.mutate_retry(res, ns, name, false, |o| {
        if is_deleting(o) || has_finalizer(o, f) {
            return Ok(());
        }
        let meta = crate::store::ensure_object(o, "metadata");
        let list = meta.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(a) = list.as_array_mut() {
            a.push(json!(f));
        }
        Ok(())
    });
}

/// Remove finalizer `f`; the store deletes the object when it was the last one on a deleting
/// object.
pub fn release(store: &Store, res: &ResourceDef, ns: Option<&str>, name: &str, f: &str) {
    let _ = store.mutate_retry(res, ns, name, false, |o| {
        if let Some(a) = o
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        {
            a.retain(|x| x.as_str() != Some(f));
        }
        Ok(())
    });
}

/// A Machine controller's deletion: one teardown per deleting Machine of `kind` that holds its
/// finalizer.
pub async fn run_machines(
    store: Arc<Store>,
    kind: MachineKind,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut tearing: HashSet<(String, String)> = HashSet::new();
    let consider = |o: &Value, tearing: &mut HashSet<(String, String)>| {
        if !is_deleting(o) || !has_finalizer(o, kind.finalizer) {
            return;
        }
        let key = (ns_of(o).to_string(), name_of(o).to_string());
        if tearing.insert(key.clone()) {
            tokio::spawn(teardown_machine(store.clone(), kind, key, shutdown.clone()));
        }
    };
    let scan = |tearing: &mut HashSet<(String, String)>| {
        let (items, _) = store.list(by_key(kind.key), None);
        for m in items {
            consider(&m, tearing);
        }
    };
    scan(&mut tearing);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => scan(&mut tearing),
            Next::Event(ev) if ev.resource == kind.key => consider(&ev.object, &mut tearing),
            Next::Event(_) => {}
        }
        tearing.retain(|(ns, name)| store.get(by_key(kind.key), Some(ns), name).is_some());
    }
}

async fn teardown_machine(
    store: Arc<Store>,
    kind: MachineKind,
    key: (String, String),
    shutdown: CancellationToken,
) {
    let (ns, name) = (key.0.as_str(), key.1.as_str());
    let res = by_key(kind.key);
    let now = store.clock().now_rfc3339();
    let _ = store.mutate_retry(res, Some(ns), name, false, |m| {
        let status = crate::store::ensure_object(m, "status");
        status.insert("phase".into(), json!("Deleting"));
        status.insert("lastUpdated".into(), json!(now));
        Ok(())
    });
    if !sim_sleep(&store, INSTANCE_TEARDOWN_SECS, &shutdown).await {
        return;
    }
    let Some(m) = store.get(res, Some(ns), name) else {
        return;
    };
    if kind.key == CAPI_MACHINES.key {
        // A NodePool's KubeVirt machine: its VM, VMI, DataVolume, PVC and launcher pods.
        if let Some(vm) = str_at(&m, "/spec/infrastructureRef/name") {
            super::nodepool::delete_vm_chain(&store, ns, vm);
        }
    } else if let Some(node) = str_at(&m, "/status/nodeRef/name") {
        // A Machine API machine: the cloud instance goes, and with it its Node.
        let _ = store.delete(by_key("nodes"), None, node, false);
    }
    release(&store, res, Some(ns), name, kind.finalizer);
}
