//! Workloads inside a guest cluster: the pods of a few Deployments spread over the guest's Ready
//! nodes (rescheduled when their node goes), and the disruption controller's status of every
//! PodDisruptionBudget (`expectedPods`, `currentHealthy`, `desiredHealthy`,
//! `disruptionsAllowed`). Every guest runs the default router (PDB `maxUnavailable: 50%`, as the
//! ingress operator sets for two replicas); the `user` cluster also runs `shop/checkout`, two
//! replicas with PDB `minAvailable: 2`, which allows no disruption: it blocks draining any node
//! running a checkout pod.
//!
//! Simplifications: the PDB status controller reads `matchLabels` only (a selector with
//! `matchExpressions` selects nothing here), counts Running pods as healthy, and takes the
//! selected pods as the expected count for percentages.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::resources::by_key;
use crate::scenario::objects::{self, condition_status, name_of, ns_of, str_at};
use crate::store::Store;

const PODS: &str = "pods";
pub const PDBS: &str = "poddisruptionbudgets.policy";

/// A Deployment of the guest, as far as the simulation needs it.
pub struct Workload {
    pub namespace: &'static str,
    pub app: &'static str,
    pub replicas: usize,
    pub label: (&'static str, &'static str),
    pub image: &'static str,
}

const ROUTER: Workload = Workload {
    namespace: "openshift-ingress",
    app: "router-default",
    replicas: 2,
    label: (
        "ingresscontroller.operator.openshift.io/deployment-ingresscontroller",
        "default",
    ),
    image: "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:haproxy-router",
};

const CHECKOUT: Workload = Workload {
    namespace: "shop",
    app: "checkout",
    replicas: 2,
    label: ("app", "checkout"),
    image: "quay.io/example/checkout:1.4",
};

/// The workloads of guest cluster `cluster`.
pub fn workloads(cluster: &str) -> Vec<Workload> {
    if cluster == "user" {
        vec![ROUTER, CHECKOUT]
    } else {
        vec![ROUTER]
    }
}

/// The namespaces and PDBs seeded with the workloads (called once when the guest starts).
pub fn seed(guest: &Store, cluster: &str) {
    for w in workloads(cluster) {
        let _ = objects::put(
            guest,
            "namespaces",
            objects::namespace(w.namespace, json!({})),
        );
        let (k, v) = w.label;
        let spec = if w.app == "checkout" {
            json!({"minAvailable": 2, "selector": {"matchLabels": {k: v}}})
        } else {
            json!({"maxUnavailable": "50%", "selector": {"matchLabels": {k: v}}})
        };
        let _ = objects::put(
            guest,
            PDBS,
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                   "metadata": {"name": w.app, "namespace": w.namespace}, "spec": spec}),
        );
    }
}

fn suffix(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = seed;
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

fn pod(w: &Workload, cluster: &str, name: &str, node: &str, now: &str) -> Value {
    let (k, v) = w.label;
    let ip = format!(
        "10.{}.{}.{}",
        132 + objects::hash64(1, node) % 4,
        objects::hash64(2, node) % 250,
        2 + objects::hash64(3, name) % 250
    );
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": w.namespace,
                     "labels": {k: v, "pod-template-hash": suffix(objects::hash64(4, &format!("{cluster}/{}", w.app)), 10)},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{}-{}", w.app, suffix(objects::hash64(4, &format!("{cluster}/{}", w.app)), 10)), "uid": format!("{:016x}", objects::hash64(5, name)), "controller": true}]},
        "spec": {"nodeName": node, "containers": [{"name": w.app, "image": w.image}]},
        "status": {"phase": "Running", "podIP": ip, "hostIP": "", "startTime": now,
                   "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}],
                   "containerStatuses": [{"name": w.app, "ready": true, "restartCount": 0, "started": true, "image": w.image}]}
    })
}

/// Keep every workload's replicas running on Ready guest nodes, then recompute PDB status.
pub fn sync(guest: &Store, cluster: &str) {
    // The guest's node and CSR tasks both call this: one pass at a time, or two passes that
    // each see one replica missing create one each (a ReplicaSet controller is single-writer).
    static PASS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _pass = PASS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let nodes_res = by_key("nodes");
    let (nodes, _) = guest.list(nodes_res, None);
    let ready: Vec<String> = nodes
        .iter()
        .filter(|n| condition_status(n, "Ready") == Some("True"))
        .map(|n| name_of(n).to_string())
        .collect();
    let pods_res = by_key(PODS);
    let now = guest.clock().now_rfc3339();
    for w in workloads(cluster) {
        let (pods, _) = guest.list(pods_res, Some(w.namespace));
        let (k, v) = w.label;
        let mut mine: Vec<(String, String)> = pods
            .iter()
            .filter(|p| objects::label(p, k) == Some(v))
            .map(|p| {
                (
                    name_of(p).to_string(),
                    str_at(p, "/spec/nodeName").unwrap_or_default().to_string(),
                )
            })
            .collect();
        // Pods whose node went away are gone with it (the ReplicaSet makes new ones).
        mine.retain(|(pod, node)| {
            let keep = ready.contains(node);
            if !keep {
                let _ = guest.delete(pods_res, Some(w.namespace), pod, false);
            }
            keep
        });
        // More than wanted (say, created by a client): the surplus goes, as a ReplicaSet scales
        // down (last by name, so the outcome is deterministic).
        mine.sort();
        while mine.len() > w.replicas {
            if let Some((pod, _)) = mine.pop() {
                let _ = guest.delete(pods_res, Some(w.namespace), &pod, false);
            }
        }
        if ready.is_empty() {
            continue;
        }
        let start =
            (objects::hash64(6, &format!("{cluster}/{}", w.app)) % ready.len() as u64) as usize;
        let rs = suffix(objects::hash64(4, &format!("{cluster}/{}", w.app)), 10);
        let mut i = 0u64;
        while mine.len() < w.replicas {
            let used: BTreeSet<&str> = mine.iter().map(|(_, n)| n.as_str()).collect();
            let node = (0..ready.len())
                .map(|j| &ready[(start + mine.len() + j) % ready.len()])
                .find(|n| !used.contains(n.as_str()))
                .unwrap_or(&ready[(start + mine.len()) % ready.len()])
                .clone();
            let name = loop {
                let n = format!(
                    "{}-{rs}-{}",
                    w.app,
                    suffix(objects::hash64(i, &format!("{cluster}/{}", w.app)), 5)
                );
                i += 1;
                if guest.get(pods_res, Some(w.namespace), &n).is_none() {
                    break n;
                }
            };
            let _ = guest.create(pods_res, pod(&w, cluster, &name, &node, &now), false);
            mine.push((name, node));
        }
    }
    pdb_status(guest);
}

/// A PDB bound (`2` or `"50%"`) of `expected` pods, rounded up like the disruption controller.
fn bound(v: &Value, expected: i64) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let pct: i64 = s.strip_suffix('%')?.parse().ok()?;
            Some((pct * expected + 99) / 100)
        }
        _ => None,
    }
}

/// The disruption controller: write each PDB's status from the pods it selects (only when it
/// changed, so the write does not trigger itself).
pub fn pdb_status(guest: &Store) {
    let res = by_key(PDBS);
    let (pdbs, _) = guest.list(res, None);
    let (pods, _) = guest.list(by_key(PODS), None);
    for pdb in pdbs {
        let labels = pdb
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object);
        let has_selector = pdb.pointer("/spec/selector").is_some_and(Value::is_object);
        let selected: Vec<&Value> = pods
            .iter()
            .map(|p| &**p)
            .filter(|p| ns_of(p) == ns_of(&pdb) && has_selector)
            .filter(|p| {
                pdb.pointer("/spec/selector/matchExpressions").is_none()
                    && labels
                        .is_none_or(|m| m.iter().all(|(k, v)| objects::label(p, k) == v.as_str()))
            })
            .filter(|p| !matches!(str_at(p, "/status/phase"), Some("Succeeded" | "Failed")))
            .collect();
        let expected = selected.len() as i64;
        let healthy = selected
            .iter()
            .filter(|p| str_at(p, "/status/phase") == Some("Running"))
            .count() as i64;
        let desired = if let Some(min) = pdb.pointer("/spec/minAvailable") {
            bound(min, expected).unwrap_or(expected)
        } else if let Some(max) = pdb.pointer("/spec/maxUnavailable") {
            (expected - bound(max, expected).unwrap_or(0)).max(0)
        } else {
            expected
        };
        let generation = pdb
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let status = json!({
            "observedGeneration": generation,
            "disruptionsAllowed": (healthy - desired).max(0),
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
        });
        let same = [
            "observedGeneration",
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
        ]
        .iter()
        .all(|k| pdb.pointer(&format!("/status/{k}")) == status.get(*k));
        if !same {
            let _ = guest.mutate_retry(res, Some(ns_of(&pdb)), name_of(&pdb), false, |o| {
                for (k, v) in status.as_object().into_iter().flatten() {
                    o["status"][k] = v.clone();
                }
                Ok(())
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SimClock;
    use crate::scenario::kubevirt;

    fn guest_with_nodes(n: usize) -> Store {
        let g = Store::new(SimClock::new(1.0), 1024);
        seed(&g, "user");
        let now = g.clock().now_rfc3339();
        for i in 0..n {
            let node = kubevirt::guest_node("user-np", &format!("user-np-{i}"), true, &now);
            g.create(by_key("nodes"), node, false).expect("node");
        }
        g
    }

    fn checkout_nodes(g: &Store) -> Vec<String> {
        g.list(by_key(PODS), Some("shop"))
            .0
            .iter()
            .filter_map(|p| str_at(p, "/spec/nodeName").map(str::to_string))
            .collect()
    }

    #[test]
    fn replicas_spread_over_ready_nodes_and_surplus_goes() {
        let g = guest_with_nodes(3);
        sync(&g, "user");
        let nodes = checkout_nodes(&g);
        assert_eq!(nodes.len(), 2);
        assert_ne!(nodes[0], nodes[1]);
        // A third replica (two racing writers, or a client): the next pass deletes it.
        let now = g.clock().now_rfc3339();
        g.create(
            by_key(PODS),
            pod(&CHECKOUT, "user", "checkout-extra-zzzzz", "user-np-0", &now),
            false,
        )
        .expect("pod");
        assert_eq!(checkout_nodes(&g).len(), 3);
        sync(&g, "user");
        assert_eq!(checkout_nodes(&g).len(), 2);
    }

    #[test]
    fn concurrent_passes_make_no_extra_replicas() {
        let g = std::sync::Arc::new(guest_with_nodes(3));
        let passes: Vec<_> = (0..4)
            .map(|_| {
                let g = g.clone();
                std::thread::spawn(move || sync(&g, "user"))
            })
            .collect();
        for p in passes {
            p.join().expect("pass");
        }
        assert_eq!(checkout_nodes(&g).len(), 2);
    }
}
