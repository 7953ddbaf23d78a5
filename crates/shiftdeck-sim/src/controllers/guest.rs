//! Guest clusters: every Available HostedCluster is served as its own simulated API (a nested
//! `sim::start` with `Profile::Guest`). Its Nodes mirror the hub: one per running VMI of the
//! cluster's NodePools (same names): new ones join through the guest's CSRs (approved by the
//! hosted cluster's machine-approver, see `machine_approver`), and the hub Machine's nodeRef
//! follows the guest Node. The `<name>-admin-kubeconfig` Secret is rewritten to point at the
//! guest's loopback URL.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::csr as csr_ctl;
use super::guest_workloads;
use super::machine_approver;
use super::{Next, next};
use crate::pki::{CLIENT_SIGNER, SERVING_SIGNER};
use crate::resources::by_key;
use crate::scenario::objects::{self, condition_status, label, name_of, ns_of, str_at};
use crate::scenario::{csrs, guest as guest_seed, hypershift, kubevirt};
use crate::store::Store;
use crate::store::StoredEvent;
use crate::{ADMIN_TOKEN, Profile, SimHandle, SimOptions};

const HC: &str = "hostedclusters.hypershift.openshift.io";
const VMIS: &str = "virtualmachineinstances.kubevirt.io";
const MACHINES: &str = crate::scenario::kubevirt::POOL_MACHINES;
/// Guest APIs served at most (each is a whole simulated cluster with its own port).
const MAX_GUESTS: usize = 16;

/// A running guest cluster.
#[derive(Clone)]
pub struct Guest {
    pub namespace: String,
    pub name: String,
    pub url: String,
    pub store: Arc<Store>,
}

type CsrIndex = HashMap<(String, &'static str), csr_ctl::KubeletCsrs>;
/// Guests per hub, keyed by the hub store's address. Each entry keeps a `Weak` to its hub: that
/// pins the allocation, so a later hub can never reuse the address and inherit a dead hub's guests
/// (a shut-down hub whose runtime ended before its cleanup ran).
type Registry = Mutex<HashMap<usize, (Weak<Store>, BTreeMap<(String, String), Guest>)>>;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Mutex::new(HashMap::new()))
}

fn hub_key(hub: &Arc<Store>) -> usize {
    Arc::as_ptr(hub) as usize
}

/// The guest clusters a hub currently serves, by (namespace, name).
pub fn guests(hub: &Arc<Store>) -> Vec<Guest> {
    let r = registry().lock().unwrap_or_else(|p| p.into_inner());
    r.get(&hub_key(hub))
        .map(|(_, m)| m.values().cloned().collect())
        .unwrap_or_default()
}

pub fn guest(hub: &Arc<Store>, namespace: &str, name: &str) -> Option<Guest> {
    guests(hub)
        .into_iter()
        .find(|g| g.namespace == namespace && g.name == name)
}

pub async fn run(
    store: Arc<Store>,
    opts: SimOptions,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut handles: HashMap<(String, String), SimHandle> = HashMap::new();
    loop {
        let started = start_available(&store, &opts, &mut handles, &shutdown).await;
        sync_all(&store, &handles, &started);
        // Wait for something relevant, then coalesce a burst of events into one pass.
        loop {
            match next(&mut rx, &shutdown).await {
                Next::Stop => {
                    for h in handles.values() {
                        h.shutdown();
                    }
                    registry()
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&hub_key(&store));
                    return;
                }
                Next::Resync => break,
                Next::Event(ev) => {
                    // Status-only scale clusters (and their churn) never have a guest API.
                    let scale = label(&ev.object, "sim.shiftdeck.io/scale").is_some();
                    if matches!(ev.resource, HC | VMIS | MACHINES) && !scale {
                        break;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        while rx.try_recv().is_ok() {}
    }
}

/// Start guest APIs for newly available clusters; returns the keys of those just started.
async fn start_available(
    store: &Arc<Store>,
    opts: &SimOptions,
    handles: &mut HashMap<(String, String), SimHandle>,
    shutdown: &CancellationToken,
) -> Vec<(String, String)> {
    let mut started = Vec::new();
    let (hcs, _) = store.list(by_key(HC), None);
    // Deleted hosted clusters stop being served.
    handles.retain(|key, h| {
        let keep = hcs
            .iter()
            .any(|hc| ns_of(hc) == key.0 && name_of(hc) == key.1);
        if !keep {
            h.shutdown();
            if let Some(m) = registry()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_mut(&hub_key(store))
            {
                m.1.remove(key);
            }
        }
        keep
    });
    for hc in hcs {
        let key = (ns_of(&hc).to_string(), name_of(&hc).to_string());
        if handles.contains_key(&key)
            || handles.len() >= MAX_GUESTS
            || label(&hc, "sim.shiftdeck.io/scale").is_some()
            || condition_status(&hc, "Available") != Some("True")
            || shutdown.is_cancelled()
        {
            continue;
        }
        let gopts = SimOptions {
            profile: Profile::Guest,
            live: opts.live,
            speed: opts.speed,
            seed: objects::hash64(opts.seed, &format!("guest/{}/{}", key.0, key.1)),
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            kubeconfig_out: None,
            scale: Default::default(),
            faults: Default::default(),
            user: opts.user,
        };
        let handle = match Box::pin(crate::start(gopts)).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!("guest cluster {}/{} failed to start: {e}", key.0, key.1);
                continue;
            }
        };
        guest_seed::customize(&handle.store, &key.0, &key.1, &handle.url);
        guest_workloads::seed(&handle.store, &key.1);
        let kubeconfig = crate::kubeconfig_yaml(
            &handle.url,
            Some(&crate::pki::b64(&handle.ca_pem)),
            ADMIN_TOKEN,
            &key.1,
        );
        let secret = hypershift::kubeconfig_secret(&key.0, &key.1, &kubeconfig);
        let sres = by_key("secrets");
        if store.create(sres, secret.clone(), false).is_err() {
            let data = secret["data"].clone();
            let _ = store.mutate_retry(
                sres,
                Some(&key.0),
                &format!("{}-admin-kubeconfig", key.1),
                false,
                |o| {
                    o["data"] = data.clone();
                    Ok(())
                },
            );
        }
        let g = Guest {
            namespace: key.0.clone(),
            name: key.1.clone(),
            url: handle.url.clone(),
            store: handle.store.clone(),
        };
        if shutdown.is_cancelled() {
            handle.shutdown();
            break;
        }
        {
            let mut r = registry().lock().unwrap_or_else(|p| p.into_inner());
            // Hubs gone without their cleanup running hold only dead guests.
            r.retain(|_, (hub, _)| hub.strong_count() > 0);
            r.entry(hub_key(store))
                .or_insert_with(|| (Arc::downgrade(store), BTreeMap::new()))
                .1
                .insert(key.clone(), g);
        }
        tokio::spawn(watch_guest_csrs(
            store.clone(),
            handle.store.clone(),
            key.clone(),
            opts.clone(),
            handle.cancellation(),
        ));
        started.push(key.clone());
        handles.insert(key, handle);
    }
    started
}

/// Kubelets of joining guest nodes react to their CSRs being answered in the guest API.
async fn watch_guest_csrs(
    hub: Arc<Store>,
    guest: Arc<Store>,
    key: (String, String),
    opts: SimOptions,
    shutdown: CancellationToken,
) {
    let Some(mut rx) = super::subscribe(&guest) else {
        return;
    };
    // The machine-approver reconciles on its own clock as well as on CSR events (it waits a
    // moment before approving, like the real one's queue).
    let period = Duration::from_secs_f64((1.0 / opts.speed.max(0.01)).clamp(0.05, 1.0));
    let mut approver = tokio::time::interval(period);
    approver.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let down = opts.faults.machine_approver_down;
    loop {
        let ev = tokio::select! {
            n = next(&mut rx, &shutdown) => n,
            _ = approver.tick() => {
                machine_approver::reconcile(&hub, &key.0, &key.1, &guest, down);
                continue;
            }
        };
        match ev {
            Next::Stop => return,
            Next::Resync => sync_nodes(&hub, &key.0, &key.1, &guest, true),
            Next::Event(ev) => {
                if ev.resource == csrs::CSR {
                    sync_nodes(&hub, &key.0, &key.1, &guest, true);
                } else if ev.resource == "nodes" {
                    guest_workloads::sync(&guest, &key.1);
                } else if ev.resource == "pods" || ev.resource == guest_workloads::PDBS {
                    guest_workloads::pdb_status(&guest);
                }
            }
        }
    }
}

fn sync_all(
    store: &Arc<Store>,
    handles: &HashMap<(String, String), SimHandle>,
    just_started: &[(String, String)],
) {
    for (key, h) in handles {
        // Nodes already there when the guest API starts were joined before it: they appear
        // with approved CSR history. Later ones join through the guest's CSRs.
        let join_via_csrs = !just_started.contains(key);
        sync_nodes(store, &key.0, &key.1, &h.store, join_via_csrs);
    }
}

/// The kubelet of a new guest node (its VMI just started running): post the client CSR; once
/// it is issued, register the Node (NotReady) and post the serving CSR. The guest's own CSR
/// signer makes the node Ready once the serving certificate is issued.
fn kubelet_join(guest: &Store, index: &CsrIndex, cluster: &str, pool: &str, vm: &str, now: &str) {
    let seed = objects::hash64(2, cluster);
    let of = |signer: &'static str| {
        index
            .get(&(vm.to_string(), signer))
            .copied()
            .unwrap_or_default()
    };
    let client = of(CLIENT_SIGNER);
    if !client.issued {
        if !client.pending {
            let _ = csrs::post_client(guest, seed, vm, None);
        }
        return;
    }
    let nodes = by_key("nodes");
    if guest.get(nodes, None, vm).is_none() {
        let _ = guest.create(nodes, kubevirt::guest_node(pool, vm, false, now), false);
    }
    let serving = of(SERVING_SIGNER);
    if !serving.pending && !serving.issued {
        let ips: Vec<std::net::IpAddr> = kubevirt::vm_ip(vm).parse().into_iter().collect();
        let _ = csrs::post_serving(guest, seed, vm, &ips, None);
    }
}

/// Make the guest's Nodes match the running VMIs of the cluster's NodePools. With
/// `join_via_csrs`, nodes that are not there yet join through pending CSRs in the guest
/// (client, then serving) instead of appearing at once.
pub fn sync_nodes(hub: &Store, ns: &str, name: &str, guest: &Store, join_via_csrs: bool) {
    // Called from the hub watcher and from each guest's CSR watcher: one pass at a time, or two
    // passes that both see no CSR for a new node post two (a kubelet posts one).
    static PASS: Mutex<()> = Mutex::new(());
    let _pass = PASS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cp = hypershift::cp_namespace(ns, name);
    let (vmis, _) = hub.list(by_key(VMIS), Some(&cp));
    let (machines, _) = hub.list(by_key(MACHINES), Some(&cp));
    // A node that did not join through CSRs is Ready once its machine is provisioned (has
    // addresses); the hub's Machine then takes its nodeRef from that Node.
    let ready_vms: std::collections::HashSet<String> = machines
        .iter()
        .filter(|m| m.pointer("/status/addresses").is_some())
        .map(|m| {
            str_at(m, "/spec/infrastructureRef/name")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut want: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for v in &vmis {
        if str_at(v, "/status/phase") != Some("Running") {
            continue;
        }
        let vm = name_of(v).to_string();
        let pool = label(v, "hypershift.openshift.io/nodepool-name")
            .unwrap_or_default()
            .to_string();
        let ready = ready_vms.contains(&vm);
        want.insert(vm, (pool, ready));
    }
    let nodes = by_key("nodes");
    let (have, _) = guest.list(nodes, None);
    let now = guest.clock().now_rfc3339();
    for n in &have {
        if !want.contains_key(name_of(n)) {
            let _ = guest.delete(nodes, None, name_of(n), false);
        }
    }
    let index = csr_ctl::kubelet_csr_index(guest);
    for (vm, (pool, ready)) in want {
        // A node whose kubelet has posted CSRs here: it and the guest's signer own the node.
        let csr_joined = index
            .get(&(vm.clone(), CLIENT_SIGNER))
            .is_some_and(|c| c.posted);
        if csr_joined || (join_via_csrs && guest.get(nodes, None, &vm).is_none()) {
            kubelet_join(guest, &index, name, &pool, &vm, &now);
            continue;
        }
        match guest.get(nodes, None, &vm) {
            None => {
                let _ = guest.create(nodes, kubevirt::guest_node(&pool, &vm, ready, &now), false);
                if ready {
                    let _ = csrs::seed_history(
                        guest,
                        objects::hash64(1, name),
                        &vm,
                        &kubevirt::vm_ip(&vm),
                        Duration::from_secs(60),
                    );
                }
            }
            Some(existing) => {
                let is_ready = condition_status(&existing, "Ready") == Some("True");
                if is_ready != ready {
                    let _ = guest.mutate_retry(nodes, None, &vm, false, |o| {
                        objects::set_node_ready(o, ready, &now);
                        Ok(())
                    });
                    if ready {
                        let _ = csrs::seed_history(
                            guest,
                            objects::hash64(1, name),
                            &vm,
                            &kubevirt::vm_ip(&vm),
                            Duration::from_secs(60),
                        );
                    }
                }
            }
        }
    }
    guest_workloads::sync(guest, name);
}
