//! HostedCluster controller: a client-created HostedCluster gets its control-plane namespace
//! `<ns>-<name>`, pods and services, conditions progressing over a few simulated minutes,
//! `status.version.history[0]` Partial → Completed, the `<name>-admin-kubeconfig` Secret and
//! `status.controlPlaneEndpoint`. Clusters on a custom base domain stay Partial (no apps LB/DNS).
//! It holds HyperShift's finalizer: a deleted cluster deletes its NodePools and waits for them,
//! then its control plane, then lets go.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, next, sim_sleep};
use crate::resources::by_key;
use crate::scenario::hub::infra_nodes;
use crate::scenario::hypershift::{self, HcPhase};
use crate::scenario::objects::{self, name_of, ns_of, str_at};
use crate::store::{EventType, Store, StoredEvent, is_deleting};

use super::finalizers;

pub const HC: &str = "hostedclusters.hypershift.openshift.io";

pub async fn run(
    store: Arc<Store>,
    seed: u64,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut started: HashSet<String> = HashSet::new();
    let mut finishing: HashSet<String> = HashSet::new();
    let mut deleting: HashSet<String> = HashSet::new();
    let scan = |started: &mut HashSet<String>,
                finishing: &mut HashSet<String>,
                deleting: &mut HashSet<String>| {
        let (items, _) = store.list(by_key(HC), None);
        for hc in items {
            if hold_or_delete(&store, &hc, deleting, &shutdown) {
                continue;
            }
            consider(&store, seed, &hc, started, &shutdown);
            consider_apps(&store, &hc, finishing, &shutdown);
        }
    };
    scan(&mut started, &mut finishing, &mut deleting);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => scan(&mut started, &mut finishing, &mut deleting),
            Next::Event(ev) => {
                if ev.resource == HC && ev.kind == EventType::Deleted {
                    cleanup(&store, ns_of(&ev.object), name_of(&ev.object));
                    deleting.remove(&format!("{}/{}", ns_of(&ev.object), name_of(&ev.object)));
                } else if ev.resource == HC {
                    if hold_or_delete(&store, &ev.object, &mut deleting, &shutdown) {
                        continue;
                    }
                    consider(&store, seed, &ev.object, &mut started, &shutdown);
                    consider_apps(&store, &ev.object, &mut finishing, &shutdown);
                } else if ev.resource == "services" && name_of(&ev.object).ends_with("-apps") {
                    // `<name>-apps` in `<ns>-<name>`: find its HostedCluster.
                    let svc_ns = ns_of(&ev.object).to_string();
                    let (items, _) = store.list(by_key(HC), None);
                    for hc in items {
                        if hypershift::cp_namespace(ns_of(&hc), name_of(&hc)) == svc_ns {
                            consider_apps(&store, &hc, &mut finishing, &shutdown);
                        }
                    }
                }
            }
        }
    }
}

/// HyperShift's finalizer on a live HostedCluster (added when missing); on a deleting one, the
/// teardown (once). True when the cluster is deleting (nothing else to reconcile).
fn hold_or_delete(
    store: &Arc<Store>,
    hc: &Value,
    deleting: &mut HashSet<String>,
    shutdown: &CancellationToken,
) -> bool {
    let (ns, name) = (ns_of(hc), name_of(hc));
    if !is_deleting(hc) {
        if !finalizers::has_finalizer(hc, finalizers::HYPERSHIFT_FINALIZER) {
            finalizers::ensure(
                store,
                by_key(HC),
                Some(ns),
                name,
                finalizers::HYPERSHIFT_FINALIZER,
            );
        }
        return false;
    }
    if deleting.insert(format!("{ns}/{name}")) {
        tokio::spawn(tear_down(
            store.clone(),
            ns.to_string(),
            name.to_string(),
            shutdown.clone(),
        ));
    }
    true
}

/// A deleting HostedCluster, as HyperShift's `delete` does it: `CloudResourcesDestroyed`
/// Unknown while its NodePools are deleted (each tears its machines down) and waited for; then
/// the hosted control plane's cleanup, bubbled up from it: False `RemainingCloudResources`
/// ("Remaining resources: …", what the hosted cluster config operator still has to remove),
/// then True `CloudResourcesDestroyed` ("All guest resources destroyed"); then the control plane
/// namespace and secrets, then the finalizer.
async fn tear_down(store: Arc<Store>, ns: String, name: String, shutdown: CancellationToken) {
    let hc_res = by_key(HC);
    let np_res = by_key(crate::controllers::nodepool::NP);
    set_destroyed(&store, &ns, &name, "Unknown", "StatusUnknown", "");
    loop {
        let (pools, _) = store.list(np_res, Some(&ns));
        let mine: Vec<_> = pools
            .iter()
            .filter(|np| str_at(np, "/spec/clusterName") == Some(name.as_str()))
            .collect();
        if mine.is_empty() {
            break;
        }
        for np in mine {
            if !is_deleting(np) {
                let _ = store.mark_deleting(np_res, Some(&ns), name_of(np), None, None);
            }
        }
        if !sim_sleep(&store, 1.0, &shutdown).await {
            return;
        }
    }
    // The control plane's own shutdown: the guest's cloud resources go first.
    set_destroyed(
        &store,
        &ns,
        &name,
        "False",
        "RemainingCloudResources",
        "Remaining resources: image-registry,ingress-controllers,loadbalancers,persistent-volumes,volume-snapshots",
    );
    if !sim_sleep(&store, finalizers::INSTANCE_TEARDOWN_SECS, &shutdown).await {
        return;
    }
    set_destroyed(
        &store,
        &ns,
        &name,
        "True",
        "CloudResourcesDestroyed",
        "All guest resources destroyed",
    );
    if !sim_sleep(&store, 1.0, &shutdown).await {
        return;
    }
    cleanup(&store, &ns, &name);
    finalizers::release(
        &store,
        hc_res,
        Some(&ns),
        &name,
        finalizers::HYPERSHIFT_FINALIZER,
    );
}

/// The HostedCluster's `CloudResourcesDestroyed` condition.
fn set_destroyed(store: &Store, ns: &str, name: &str, status: &str, reason: &str, message: &str) {
    let now = store.clock().now_rfc3339();
    let _ = store.mutate_retry(by_key(HC), Some(ns), name, false, |o| {
        objects::set_condition(o, "CloudResourcesDestroyed", status, reason, message, &now);
        Ok(())
    });
}

/// A deleted HostedCluster takes its NodePools, control-plane namespace and secrets with it.
pub fn cleanup(store: &Store, ns: &str, name: &str) {
    let (pools, _) = store.list(by_key(crate::controllers::nodepool::NP), Some(ns));
    for np in pools {
        if str_at(&np, "/spec/clusterName") == Some(name) {
            let _ = store.delete(
                by_key(crate::controllers::nodepool::NP),
                Some(ns),
                name_of(&np),
                false,
            );
        }
    }
    let cp = hypershift::cp_namespace(ns, name);
    for res in crate::resources::RESOURCES
        .iter()
        .filter(|r| r.namespaced && !r.is_virtual())
    {
        let (items, _) = store.list(res, Some(&cp));
        for o in items {
            let _ = store.delete(res, Some(&cp), name_of(&o), false);
        }
    }
    let _ = store.delete(by_key("namespaces"), None, &cp, false);
    for suffix in ["admin-kubeconfig", "kubeadmin-password"] {
        let _ = store.delete(
            by_key("secrets"),
            Some(ns),
            &format!("{name}-{suffix}"),
            false,
        );
    }
}

/// Start provisioning a HostedCluster nobody has reconciled yet (no `status.version`).
fn consider(
    store: &Arc<Store>,
    seed: u64,
    hc: &Value,
    started: &mut HashSet<String>,
    shutdown: &CancellationToken,
) {
    if hc.pointer("/status/version").is_some_and(|v| !v.is_null()) {
        return;
    }
    let uid = str_at(hc, "/metadata/uid").unwrap_or_default().to_string();
    if !started.insert(uid) {
        return;
    }
    tokio::spawn(provision(
        store.clone(),
        seed,
        ns_of(hc).to_string(),
        name_of(hc).to_string(),
        shutdown.clone(),
    ));
}

/// Whether the cluster's `<name>-apps` load balancer has an address (custom base domains).
fn apps_ready(store: &Store, ns: &str, name: &str) -> bool {
    let cp = hypershift::cp_namespace(ns, name);
    store
        .get(by_key("services"), Some(&cp), &format!("{name}-apps"))
        .is_some_and(|s| hypershift::apps_lb_ip(&s).is_some())
}

fn set_status(store: &Store, ns: &str, name: &str, phase: HcPhase, started: &str) -> bool {
    let now = store.clock().now_rfc3339();
    let apps = apps_ready(store, ns, name);
    store
        .mutate_retry(by_key(HC), Some(ns), name, false, |o| {
            hypershift::set_hc_status_apps(o, phase, &now, started, apps);
            Ok(())
        })
        .is_ok()
}

/// A custom-domain cluster stuck at Partial whose apps load balancer got an address: wildcard
/// DNS propagates, the console/ingress/authentication operators recover, the version completes.
fn consider_apps(
    store: &Arc<Store>,
    hc: &Value,
    finishing: &mut HashSet<String>,
    shutdown: &CancellationToken,
) {
    let (ns, name) = (ns_of(hc).to_string(), name_of(hc).to_string());
    if hypershift::custom_base_domain(hc).is_none()
        || str_at(hc, "/status/version/history/0/state") != Some("Partial")
        || hc.pointer("/status/kubeconfig").is_none()
        || !apps_ready(store, &ns, &name)
    {
        return;
    }
    let uid = str_at(hc, "/metadata/uid").unwrap_or_default().to_string();
    if !finishing.insert(uid) {
        return;
    }
    let started = str_at(hc, "/status/version/history/0/startedTime")
        .unwrap_or_default()
        .to_string();
    let store = store.clone();
    let shutdown = shutdown.clone();
    tokio::spawn(async move {
        if sim_sleep(&store, 90.0, &shutdown).await {
            set_status(&store, &ns, &name, HcPhase::Completed, &started);
        }
    });
}

async fn provision(
    store: Arc<Store>,
    seed: u64,
    ns: String,
    name: String,
    shutdown: CancellationToken,
) {
    let started = store.clock().now_rfc3339();
    let cp = hypershift::cp_namespace(&ns, &name);
    let _ = store.create(
        by_key("namespaces"),
        objects::namespace(
            &cp,
            json!({"hypershift.openshift.io/hosted-control-plane": "true"}),
        ),
        false,
    );
    // Fill what the operator defaults (infraID, clusterID) when the client left them out.
    let _ = store.mutate_retry(by_key(HC), Some(&ns), &name, true, |o| {
        if str_at(o, "/spec/infraID").is_none_or(str::is_empty) {
            objects::set_in(
                o,
                &["spec", "infraID"],
                json!(hypershift::infra_id(seed, &name)),
            );
        }
        if str_at(o, "/spec/clusterID").is_none_or(str::is_empty) {
            objects::set_in(
                o,
                &["spec", "clusterID"],
                json!(hypershift::uuid(seed, &format!("cluster/{name}"))),
            );
        }
        Ok(())
    });
    if !set_status(&store, &ns, &name, HcPhase::Progressing, &started) {
        return;
    }
    let pods = hypershift::control_plane_pods(seed, &cp, &infra_nodes(), false, &started);
    // etcd and the API server first, then the rest of the control plane.
    let (first, rest): (Vec<Value>, Vec<Value>) = pods.into_iter().partition(|p| {
        let n = name_of(p);
        n.starts_with("etcd-")
            || n.starts_with("kube-apiserver")
            || n.starts_with("control-plane-operator")
            || n.starts_with("cluster-api")
    });
    if !sim_sleep(&store, 20.0, &shutdown).await {
        return;
    }
    for p in first {
        let _ = store.create(by_key("pods"), p, false);
    }
    let api_ip = format!("192.168.111.{}", 200 + objects::hash64(seed, &name) % 20);
    for s in hypershift::control_plane_services(&cp, &name, &api_ip) {
        let _ = store.create(by_key("services"), s, false);
    }
    if !sim_sleep(&store, 60.0, &shutdown).await {
        return;
    }
    for p in rest {
        let _ = store.create(by_key("pods"), p, false);
    }
    let Some(hc) = store.get(by_key(HC), Some(&ns), &name) else {
        return;
    };
    // The control plane answers: kubeconfig published, version still Partial.
    let _ = store.create(
        by_key("secrets"),
        hypershift::kubeconfig_secret(&ns, &name, &hypershift::placeholder_kubeconfig(&hc)),
        false,
    );
    if !set_status(&store, &ns, &name, HcPhase::Partial, &started) {
        return;
    }
    // Cluster operators roll out inside the guest once workers joined.
    if !sim_sleep(&store, 120.0, &shutdown).await {
        return;
    }
    set_status(&store, &ns, &name, HcPhase::Completed, &started);
}
