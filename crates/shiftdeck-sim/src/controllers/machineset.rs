//! MachineSet controller: `spec.replicas` changes create Machines (Provisioning → Provisioned →
//! Running once their node joined through the CSR flow) or delete the newest ones (and their
//! Nodes); MachineSet status replicas/readyReplicas/availableReplicas follow the Nodes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, csr, next, sim_sleep};
use crate::resources::by_key;
use crate::scenario::objects::{
    self, condition_status, hash64, label, name_of, ns_of, str_at, suffix,
};
use crate::store::{Store, StoredEvent};

pub const MS: &str = "machinesets.machine.openshift.io";
const MACHINES: &str = "machines.machine.openshift.io";
const MS_LABEL: &str = "machine.openshift.io/cluster-api-machineset";

pub async fn run(
    store: Arc<Store>,
    seed: u64,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    reconcile_all(&store, seed, &shutdown);
    loop {
        let relevant = match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => true,
            Next::Event(ev) => match ev.resource {
                MS => true,
                MACHINES => label(&ev.object, MS_LABEL).is_some(),
                // Node readiness feeds readyReplicas; only nodes that belong to a machine matter.
                "nodes" => {
                    ev.kind != crate::store::EventType::Modified
                        || label(&ev.object, "machine.openshift.io/cluster-api-machineset")
                            .is_some()
                        || machine_owned(&store, name_of(&ev.object))
                }
                _ => false,
            },
        };
        if relevant {
            // Coalesce bursts (a scale of 10 is 10+ events) into one pass.
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            while let Ok(_ev) = rx.try_recv() {}
            reconcile_all(&store, seed, &shutdown);
        }
    }
}

fn machine_owned(store: &Store, node: &str) -> bool {
    store.count(by_key(MACHINES)) > 0
        && csr::machine_for(store, node).is_some_and(|m| label(&m, MS_LABEL).is_some())
}

fn reconcile_all(store: &Arc<Store>, seed: u64, shutdown: &CancellationToken) {
    let (sets, _) = store.list(by_key(MS), None);
    for ms in sets {
        reconcile(store, seed, &ms, shutdown);
    }
}

fn machine_ip(name: &str) -> String {
    let h = hash64(99, name);
    format!("10.0.{}.{}", 128 + h % 64, 4 + (h >> 8) % 250)
}

fn reconcile(store: &Arc<Store>, seed: u64, ms: &Value, shutdown: &CancellationToken) {
    let ns = ns_of(ms).to_string();
    let name = name_of(ms).to_string();
    let (all, _) = store.list(by_key(MACHINES), Some(&ns));
    let mut machines: Vec<Value> = all
        .iter()
        .filter(|m| label(m, MS_LABEL) == Some(name.as_str()))
        .map(|m| (**m).clone())
        .collect();
    let desired = ms
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(0) as usize;
    let now = store.clock().now_rfc3339();
    if machines.len() < desired {
        let mut attempt = 0u64;
        while machines.len() < desired && attempt < 10_000 {
            let mname = format!(
                "{name}-{}",
                suffix(seed, &format!("{ns}/{name}/{attempt}"), 5)
            );
            attempt += 1;
            if store.get(by_key(MACHINES), Some(&ns), &mname).is_some() {
                continue;
            }
            let m = new_machine(ms, &mname, &now);
            if let Ok(created) = store.create(by_key(MACHINES), m, false) {
                objects::event(
                    store,
                    &created,
                    "Normal",
                    "Create",
                    &format!("Created Machine {mname}"),
                    "machine-controller",
                );
                machines.push(created);
                tokio::spawn(provision(
                    store.clone(),
                    seed,
                    ns.clone(),
                    mname,
                    shutdown.clone(),
                ));
            }
        }
    } else if machines.len() > desired {
        machines.sort_by(|a, b| {
            let ka = (
                str_at(a, "/metadata/creationTimestamp").unwrap_or_default(),
                name_of(a),
            );
            let kb = (
                str_at(b, "/metadata/creationTimestamp").unwrap_or_default(),
                name_of(b),
            );
            kb.cmp(&ka)
        });
        let extra = machines.len() - desired;
        for m in machines.drain(..extra) {
            // Drain, delete the node, then the machine (the instance is deprovisioned).
            if let Some(node) = m.pointer("/status/nodeRef/name").and_then(Value::as_str) {
                let _ = store.delete(by_key("nodes"), None, node, false);
            }
            let _ = store.delete(by_key(MACHINES), Some(&ns), name_of(&m), false);
        }
    }
    let ready = machines
        .iter()
        .filter(|m| {
            m.pointer("/status/nodeRef/name")
                .and_then(Value::as_str)
                .and_then(|n| store.get(by_key("nodes"), None, n))
                .is_some_and(|n| condition_status(&n, "Ready") == Some("True"))
        })
        .count();
    let count = machines.len();
    let _ = store.mutate_retry(by_key(MS), Some(&ns), &name, false, |o| {
        let gen_ = o
            .pointer("/metadata/generation")
            .cloned()
            .unwrap_or(json!(1));
        let st = crate::store::ensure_object(o, "status");
        st.insert("replicas".into(), json!(count));
        st.insert("fullyLabeledReplicas".into(), json!(count));
        st.insert("readyReplicas".into(), json!(ready));
        st.insert("availableReplicas".into(), json!(ready));
        st.insert("observedGeneration".into(), gen_);
        Ok(())
    });
}

fn new_machine(ms: &Value, name: &str, ts: &str) -> Value {
    let mut labels = ms
        .pointer("/spec/template/metadata/labels")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    labels[MS_LABEL] = json!(name_of(ms));
    let mut annotations = json!({"machine.openshift.io/instance-state": "Creating"});
    if let Some(caps) =
        ms.pointer("/metadata/annotations/capacity.cluster-autoscaler.kubernetes.io~1labels")
    {
        annotations["capacity.cluster-autoscaler.kubernetes.io/labels"] = caps.clone();
    }
    let spec = ms
        .pointer("/spec/template/spec")
        .cloned()
        .unwrap_or_else(|| json!({}));
    json!({
        "metadata": {
            "name": name, "namespace": ns_of(ms), "labels": labels, "annotations": annotations,
            "ownerReferences": [{"apiVersion": "machine.openshift.io/v1beta1", "kind": "MachineSet", "name": name_of(ms), "controller": true, "blockOwnerDeletion": true, "uid": str_at(ms, "/metadata/uid").unwrap_or_default()}],
            "finalizers": ["machine.machine.openshift.io"]
        },
        "spec": spec,
        "status": {"phase": "Provisioning", "lastUpdated": ts}
    })
}

/// The cloud creates the instance, it boots, and its kubelet starts the CSR flow.
async fn provision(
    store: Arc<Store>,
    seed: u64,
    ns: String,
    name: String,
    shutdown: CancellationToken,
) {
    if !sim_sleep(&store, 40.0, &shutdown).await {
        return;
    }
    let ip = machine_ip(&name);
    let now = store.clock().now_rfc3339();
    let region = |m: &Value| {
        str_at(m, "/spec/providerSpec/value/location")
            .map(str::to_string)
            .unwrap_or_default()
    };
    let res = store.mutate_retry(by_key(MACHINES), Some(&ns), &name, false, |m| {
        let provider = if str_at(m, "/spec/providerSpec/value/kind") == Some("AzureMachineProviderSpec") {
            format!("azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{}/providers/Microsoft.Compute/virtualMachines/{name}", str_at(m, "/spec/providerSpec/value/resourceGroup").unwrap_or("rg"))
        } else {
            format!("baremetalhost:///openshift-machine-api/{name}/{}", crate::scenario::hypershift::uuid(3, &name))
        };
        objects::set_in(m, &["spec", "providerID"], json!(provider));
        let r = region(m);
        if !r.is_empty() {
            objects::set_in(m, &["metadata", "labels", "machine.openshift.io/region"], json!(r));
        }
        objects::set_in(m, &["metadata", "annotations", "machine.openshift.io/instance-state"], json!("Running"));
        objects::set_in(m, &["status", "phase"], json!("Provisioned"));
        objects::set_in(m, &["status", "lastUpdated"], json!(now));
        objects::set_in(m, &["status", "addresses"], json!([
            {"type": "InternalIP", "address": ip},
            {"type": "Hostname", "address": name},
            {"type": "InternalDNS", "address": name}
        ]));
        Ok(())
    });
    if res.is_err() {
        return;
    }
    // First boot: ignition, pivot, reboot, then the kubelet asks for its client certificate.
    if !sim_sleep(&store, 60.0, &shutdown).await {
        return;
    }
    if store.get(by_key(MACHINES), Some(&ns), &name).is_none() {
        return;
    }
    csr::client_phase(store, seed, name, shutdown).await;
}
