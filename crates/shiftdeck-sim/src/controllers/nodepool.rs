//! NodePool controller: `spec.replicas` changes create or delete the KubeVirt chain of each
//! replica (Machine → VirtualMachine → DataVolume import → VMI → node) with realistic step
//! timings, and keep the NodePool status and conditions true. Pools with `spec.autoScaling`
//! are not scaled. One worker per pool, woken by events; scale-down removes the newest machines.
//! The pool holds HyperShift's finalizer: deleting it deletes its Machines first (see
//! `finalizers`), then lets the pool go.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use super::{Next, next, sim_sleep};
use crate::error::ApiError;
use crate::resources::by_key;
use crate::scenario::hub::pick_infra_node;
use crate::scenario::hypershift;
use crate::scenario::kubevirt::{self, ChainNames, PoolInfo};
use crate::scenario::objects::{label, name_of, ns_of, str_at};
use crate::store::{EventType, Store, StoredEvent, is_deleting};

use super::finalizers;

pub const NP: &str = "nodepools.hypershift.openshift.io";
pub const HC: &str = "hostedclusters.hypershift.openshift.io";
const MACHINES: &str = crate::scenario::kubevirt::POOL_MACHINES;
const VMS: &str = "virtualmachines.kubevirt.io";
const VMIS: &str = "virtualmachineinstances.kubevirt.io";
const DVS: &str = "datavolumes.cdi.kubevirt.io";
const PVCS: &str = "persistentvolumeclaims";
const SEQ: &str = "sim.shiftdeck.io/machine-index";
const POOL_LABEL: &str = "hypershift.openshift.io/nodepool-name";

type Key = (String, String);

pub async fn run(
    store: Arc<Store>,
    seed: u64,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut workers: HashMap<Key, Arc<Notify>> = HashMap::new();
    let ensure_all = |workers: &mut HashMap<Key, Arc<Notify>>| {
        let (pools, _) = store.list(by_key(NP), None);
        for np in pools {
            let key = (ns_of(&np).to_string(), name_of(&np).to_string());
            ensure_worker(&store, seed, workers, key, &shutdown).notify_one();
        }
        for n in workers.values() {
            n.notify_one();
        }
    };
    ensure_all(&mut workers);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => ensure_all(&mut workers),
            Next::Event(ev) => match ev.resource {
                NP => {
                    let key = (
                        ns_of(&ev.object).to_string(),
                        name_of(&ev.object).to_string(),
                    );
                    ensure_worker(&store, seed, &mut workers, key, &shutdown).notify_one();
                }
                MACHINES | VMIS | VMS => {
                    if let Some(pool) = label(&ev.object, POOL_LABEL) {
                        for ((_, name), n) in &workers {
                            if name == pool {
                                n.notify_one();
                            }
                        }
                    }
                }
                HC if ev.kind == EventType::Added => ensure_all(&mut workers),
                _ => {}
            },
        }
        workers.retain(|_, n| Arc::strong_count(n) > 1);
    }
}

fn ensure_worker(
    store: &Arc<Store>,
    seed: u64,
    workers: &mut HashMap<Key, Arc<Notify>>,
    key: Key,
    shutdown: &CancellationToken,
) -> Arc<Notify> {
    workers
        .entry(key.clone())
        .or_insert_with(|| {
            let notify = Arc::new(Notify::new());
            tokio::spawn(worker(
                store.clone(),
                seed,
                key,
                notify.clone(),
                shutdown.clone(),
            ));
            notify
        })
        .clone()
}

async fn worker(
    store: Arc<Store>,
    seed: u64,
    key: Key,
    notify: Arc<Notify>,
    shutdown: CancellationToken,
) {
    loop {
        if !reconcile(&store, seed, &key, &shutdown) {
            return;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = notify.notified() => {}
        }
    }
}

fn machines_of(store: &Store, pool: &PoolInfo) -> Vec<Value> {
    let (items, _) = store.list(by_key(MACHINES), Some(&pool.cp_namespace));
    items
        .into_iter()
        .filter(|m| label(m, POOL_LABEL) == Some(pool.name.as_str()))
        .map(|m| (*m).clone())
        .collect()
}

fn seq_of(m: &Value) -> u64 {
    str_at(
        m,
        &format!("/metadata/annotations/{}", SEQ.replace('/', "~1")),
    )
    .and_then(|s| s.parse().ok())
    .unwrap_or(0)
}

pub fn vm_of(m: &Value) -> String {
    str_at(m, "/spec/infrastructureRef/name")
        .unwrap_or_default()
        .to_string()
}

/// VMs/VMIs of the pool that no Machine references any more (a provisioning step that raced
/// with a scale-down) are deleted with the rest of their chain.
fn collect_orphans(store: &Store, pool: &PoolInfo, vms: &[String]) {
    let ns = &pool.cp_namespace;
    let mut orphans = std::collections::BTreeSet::new();
    for key in [VMS, VMIS] {
        let (items, _) = store.list(by_key(key), Some(ns));
        for o in items {
            if label(&o, POOL_LABEL) == Some(pool.name.as_str())
                && !vms.iter().any(|v| v == name_of(&o))
            {
                orphans.insert(name_of(&o).to_string());
            }
        }
    }
    for vm in orphans {
        delete_chain(store, ns, "", &vm);
    }
}

/// Names of the virt-launcher pods of `vm`.
pub fn launcher_pods(store: &Store, ns: &str, vm: &str) -> Vec<String> {
    let (pods, _) = store.list(by_key("pods"), Some(ns));
    pods.iter()
        .filter(|p| label(p, "vm.kubevirt.io/name") == Some(vm))
        .map(|p| name_of(p).to_string())
        .collect()
}

/// Delete one replica's whole chain.
pub fn delete_chain(store: &Store, ns: &str, machine: &str, vm: &str) {
    delete_vm_chain(store, ns, vm);
    let _ = store.delete(by_key(MACHINES), Some(ns), machine, false);
}

/// Delete the KubeVirt side of one replica: launcher pods, VMI, VM, DataVolume and PVC.
pub fn delete_vm_chain(store: &Store, ns: &str, vm: &str) {
    let dv = format!("{vm}-rhcos");
    for p in launcher_pods(store, ns, vm) {
        let _ = store.delete(by_key("pods"), Some(ns), &p, false);
    }
    let _ = store.delete(by_key(VMIS), Some(ns), vm, false);
    let _ = store.delete(by_key(VMS), Some(ns), vm, false);
    let _ = store.delete(by_key(DVS), Some(ns), &dv, false);
    let _ = store.delete(by_key(PVCS), Some(ns), &dv, false);
}

/// The pool's Machines, found by the owner annotation (works without its HostedCluster).
fn owned_machines(store: &Store, key: &Key) -> Vec<Arc<Value>> {
    let (items, _) = store.list(by_key(MACHINES), None);
    let owner = format!("{}/{}", key.0, key.1);
    items
        .into_iter()
        .filter(|m| {
            str_at(m, "/metadata/annotations/hypershift.openshift.io~1nodePool")
                == Some(owner.as_str())
        })
        .collect()
}

/// A deleting NodePool, as HyperShift tears it down: its Machines are deleted (the Machine
/// controller tears each instance down and drops its finalizer), and once none is left the
/// pool's finalizer goes, and with it the pool.
fn tear_down(store: &Store, key: &Key) {
    let machines = owned_machines(store, key);
    for m in &machines {
        if !is_deleting(m) {
            let _ = store.mark_deleting(by_key(MACHINES), Some(ns_of(m)), name_of(m), None, None);
        }
    }
    if machines.is_empty() {
        finalizers::release(
            store,
            by_key(NP),
            Some(&key.0),
            &key.1,
            finalizers::HYPERSHIFT_FINALIZER,
        );
    }
}

/// Returns false when the pool is gone (its worker ends).
fn reconcile(store: &Arc<Store>, seed: u64, key: &Key, shutdown: &CancellationToken) -> bool {
    let Some(np) = store.get(by_key(NP), Some(&key.0), &key.1) else {
        // Pool gone without its finalizer's teardown (removed by force): its machines go too.
        for m in owned_machines(store, key) {
            delete_chain(store, ns_of(&m), name_of(&m), &vm_of(&m));
        }
        return false;
    };
    if is_deleting(&np) {
        tear_down(store, key);
        return true;
    }
    if !finalizers::has_finalizer(&np, finalizers::HYPERSHIFT_FINALIZER) {
        finalizers::ensure(
            store,
            by_key(NP),
            Some(&key.0),
            &key.1,
            finalizers::HYPERSHIFT_FINALIZER,
        );
    }
    let cluster = str_at(&np, "/spec/clusterName")
        .unwrap_or_default()
        .to_string();
    let hc = store.get(by_key(HC), Some(&key.0), &cluster);
    let pool = PoolInfo::from_objects(&np, hc.as_deref());
    let now = store.clock().now_rfc3339();
    if hc.is_none()
        || store
            .get(by_key("namespaces"), None, &pool.cp_namespace)
            .is_none()
    {
        let msg = format!("HostedCluster {}/{} not found", key.0, cluster);
        let _ = store.mutate_retry(by_key(NP), Some(&key.0), &key.1, false, |o| {
            crate::scenario::objects::set_condition(o, "Ready", "False", "NotFound", &msg, &now);
            crate::store::ensure_object(o, "status")
                .entry("replicas")
                .or_insert(serde_json::json!(0));
            Ok(())
        });
        return true;
    }
    if pool.autoscaling {
        // The cluster autoscaler owns these pools; the sim does not simulate it.
        return true;
    }
    let mut machines = machines_of(store, &pool);
    {
        let desired = pool.replicas.max(0) as usize;
        if machines.len() < desired {
            let mut n = machines
                .iter()
                .map(seq_of)
                .max()
                .map_or(0, |m| m + 1)
                .max(machines.len() as u64);
            while machines.len() < desired {
                let names = loop {
                    let c = ChainNames::new(seed, &pool, n);
                    n += 1;
                    if store
                        .get(by_key(MACHINES), Some(&pool.cp_namespace), &c.machine)
                        .is_none()
                        && store
                            .get(by_key(VMS), Some(&pool.cp_namespace), &c.vm)
                            .is_none()
                    {
                        break c;
                    }
                };
                let mut m = kubevirt::machine(&pool, &names, "Pending", None, false, &now);
                m["metadata"]["annotations"][SEQ] = serde_json::json!((n - 1).to_string());
                match store.create(by_key(MACHINES), m, false) {
                    Ok(created) => {
                        machines.push(created);
                        tokio::spawn(provision(
                            store.clone(),
                            pool.clone(),
                            names,
                            shutdown.clone(),
                        ));
                    }
                    Err(_) => break,
                }
            }
        } else if machines.len() > desired {
            machines.sort_by(|a, b| {
                let ka = (
                    str_at(a, "/metadata/creationTimestamp").unwrap_or_default(),
                    seq_of(a),
                );
                let kb = (
                    str_at(b, "/metadata/creationTimestamp").unwrap_or_default(),
                    seq_of(b),
                );
                kb.cmp(&ka)
            });
            let extra = machines.len() - desired;
            for m in machines.drain(..extra) {
                delete_chain(store, &pool.cp_namespace, name_of(&m), &vm_of(&m));
            }
        }
    }
    let mut vms: Vec<String> = machines.iter().map(vm_of).collect();
    collect_orphans(store, &pool, &vms);
    vms.sort();
    let available = machines
        .iter()
        .filter(|m| m.pointer("/status/nodeRef/name").is_some())
        .count();
    let not_ready: Vec<String> = machines
        .iter()
        .filter(|m| m.pointer("/status/nodeRef/name").is_none())
        .map(|m| name_of(m).to_string())
        .collect();
    let _ = store.mutate_retry(by_key(NP), Some(&key.0), &key.1, false, |o| {
        hypershift::set_np_status_detail(o, &pool, &vms, available, &not_ready, &now);
        Ok(())
    });
    let (pools, _) = store.list(by_key(NP), Some(&key.0));
    let bad = hypershift::non_migratable_pools(&pools, &cluster);
    let _ = store.mutate_retry(by_key(HC), Some(&key.0), &cluster, false, |o| {
        hypershift::set_hc_lm_condition(o, &bad, &now);
        Ok(())
    });
    true
}

/// Walk one replica through provisioning. Stops as soon as its Machine is gone (scaled down).
async fn provision(
    store: Arc<Store>,
    pool: PoolInfo,
    names: ChainNames,
    shutdown: CancellationToken,
) {
    let ns = pool.cp_namespace.clone();
    let alive = |s: &Store| s.get(by_key(MACHINES), Some(&ns), &names.machine).is_some();
    let set_machine = |s: &Store, phase: &str, ip: Option<&str>, ready: bool| {
        let now = s.clock().now_rfc3339();
        let fresh = kubevirt::machine(&pool, &names, phase, ip, ready, &now);
        let _ = s.mutate_retry(by_key(MACHINES), Some(&ns), &names.machine, false, |m| {
            m["status"] = fresh["status"].clone();
            Ok(())
        });
    };
    let upd = |s: &Store, key: &str, name: &str, fresh: &Value| -> Result<Value, ApiError> {
        s.mutate_retry(by_key(key), Some(&ns), name, false, |o| {
            o["status"] = fresh["status"].clone();
            Ok(())
        })
    };
    let dv = names.dv();
    let steps = 8u32;
    macro_rules! step {
        ($secs:expr) => {
            if !sim_sleep(&store, $secs, &shutdown).await || !alive(&store) {
                return;
            }
        };
    }
    step!(4.0);
    set_machine(&store, "Provisioning", None, false);
    let now = store.clock().now_rfc3339();
    let _ = store.create(
        by_key(VMS),
        kubevirt::virtual_machine(&pool, &names.vm, "Provisioning", false, &now),
        false,
    );
    let _ = store.create(
        by_key(DVS),
        kubevirt::data_volume(&pool, &names.vm, "Pending", "N/A", &now),
        false,
    );
    let _ = store.create(
        by_key(PVCS),
        kubevirt::pvc(&pool, &names.vm, false, &now),
        false,
    );
    ev(
        &store,
        VMS,
        &ns,
        &names.vm,
        "Normal",
        "SuccessfulDataVolumeCreate",
        &format!("Created DataVolume {dv}"),
        "virtualmachine-controller",
    );
    step!(5.0);
    let now = store.clock().now_rfc3339();
    let _ = upd(
        &store,
        DVS,
        &dv,
        &kubevirt::data_volume(&pool, &names.vm, "ImportScheduled", "N/A", &now),
    );
    ev(
        &store,
        DVS,
        &ns,
        &dv,
        "Normal",
        "ImportScheduled",
        &format!("Import into {dv} scheduled"),
        "datavolume-import-controller",
    );
    let _ = upd(
        &store,
        PVCS,
        &dv,
        &kubevirt::pvc(&pool, &names.vm, true, &now),
    );
    step!(8.0);
    for i in 0..steps {
        let now = store.clock().now_rfc3339();
        let _ = upd(
            &store,
            DVS,
            &dv,
            &kubevirt::data_volume(
                &pool,
                &names.vm,
                "ImportInProgress",
                &kubevirt::progress(i, steps),
                &now,
            ),
        );
        step!(12.0);
    }
    let now = store.clock().now_rfc3339();
    let _ = upd(
        &store,
        DVS,
        &dv,
        &kubevirt::data_volume(&pool, &names.vm, "Succeeded", "100.0%", &now),
    );
    ev(
        &store,
        DVS,
        &ns,
        &dv,
        "Normal",
        "ImportSucceeded",
        &format!("Successfully imported into PVC {dv}"),
        "datavolume-import-controller",
    );
    let _ = upd(
        &store,
        VMS,
        &names.vm,
        &kubevirt::virtual_machine(&pool, &names.vm, "Starting", false, &now),
    );
    let _ = store.create(
        by_key(VMIS),
        kubevirt::vmi(&pool, &names.vm, "Scheduling", None, &now),
        false,
    );
    ev(
        &store,
        VMS,
        &ns,
        &names.vm,
        "Normal",
        "SuccessfulCreate",
        &format!(
            "Started the virtual machine by creating the new virtual machine instance {}",
            names.vm
        ),
        "virtualmachine-controller",
    );
    step!(5.0);
    let node = pick_infra_node(&names.vm);
    let now = store.clock().now_rfc3339();
    let scheduled = kubevirt::vmi(&pool, &names.vm, "Scheduled", Some(&node), &now);
    let _ = store.mutate_retry(by_key(VMIS), Some(&ns), &names.vm, false, |o| {
        o["status"] = scheduled["status"].clone();
        crate::scenario::objects::set_in(
            o,
            &["metadata", "labels"],
            scheduled["metadata"]["labels"].clone(),
        );
        Ok(())
    });
    let _ = store.create(
        by_key("pods"),
        kubevirt::launcher_pod(&pool, &names.vm, &node, "0", &now),
        false,
    );
    step!(10.0);
    let now = store.clock().now_rfc3339();
    let _ = upd(
        &store,
        VMIS,
        &names.vm,
        &kubevirt::vmi(&pool, &names.vm, "Running", Some(&node), &now),
    );
    ev(
        &store,
        VMIS,
        &ns,
        &names.vm,
        "Normal",
        "Started",
        "VirtualMachineInstance started.",
        "virt-handler",
    );
    let _ = upd(
        &store,
        VMS,
        &names.vm,
        &kubevirt::virtual_machine(&pool, &names.vm, "Running", true, &now),
    );
    let ip = kubevirt::vm_ip(&names.vm);
    set_machine(&store, "Provisioned", Some(&ip), false);
    // Ignition and first boot, then CAPI sets the nodeRef once the guest's Node is there. With a
    // guest API that Node joins through CSRs (approved by the hosted cluster's machine-approver,
    // or by an admin when it is down); without one (not Available yet) a timer stands in.
    if super::guest::guest(&store, &pool.namespace, &pool.cluster).is_none() {
        step!(45.0);
    }
    while let Some(g) = super::guest::guest(&store, &pool.namespace, &pool.cluster) {
        let node = g.store.get(by_key("nodes"), None, &names.vm);
        if node.is_some_and(|n| {
            crate::scenario::objects::condition_status(&n, "Ready") == Some("True")
        }) {
            break;
        }
        step!(2.0);
    }
    set_machine(&store, "Running", Some(&ip), true);
}

#[allow(clippy::too_many_arguments)]
fn ev(
    store: &Store,
    key: &str,
    ns: &str,
    name: &str,
    type_: &str,
    reason: &str,
    msg: &str,
    component: &str,
) {
    crate::scenario::objects::event_for(store, key, Some(ns), name, type_, reason, msg, component);
}

/// When live: shortly after start the `example-extra-cpu` pool is scaled 0 → 2 (seed 002).
pub async fn scale_extra_cpu(store: Arc<Store>, shutdown: CancellationToken) {
    if !sim_sleep(&store, 30.0, &shutdown).await {
        return;
    }
    let _ = store.mutate_retry(
        by_key(NP),
        Some("clusters"),
        "example-extra-cpu",
        true,
        |o| {
            if o.pointer("/spec/replicas").and_then(Value::as_i64) == Some(0) {
                crate::scenario::objects::set_in(o, &["spec", "replicas"], serde_json::json!(2));
            }
            Ok(())
        },
    );
}
