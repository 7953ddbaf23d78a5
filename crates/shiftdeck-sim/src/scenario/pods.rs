//! Pods placed the way their Deployments and DaemonSets place them, shared by the profiles that
//! run operators and platform components on several nodes (hub, Azure): names
//! `<set>-<replicaset hash>-<suffix>` or `<set>-<suffix>`, owner references, host and pod IPs.

use std::time::Duration;

use serde_json::json;

use super::hypershift;
use super::objects::{self, hex, put_aged};
use crate::error::ApiError;
use crate::store::Store;

/// Where a set's pods run.
pub enum RunOn {
    /// A DaemonSet: one pod on each of these nodes (host network: the pod IP is the node's).
    EachOf(Vec<String>),
    /// A Deployment: one replica on each of these nodes, in order.
    Replicas(Vec<String>),
}

/// One Deployment or DaemonSet.
pub struct PodSet<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub run_on: RunOn,
    pub containers: &'a [&'a str],
}

/// The cluster's nodes in a fixed order, each with its host IP (pod IPs derive from the index).
pub struct Nodes<'a> {
    pub all: &'a [(String, String)],
}

impl Nodes<'_> {
    fn index(&self, node: &str) -> usize {
        self.all.iter().position(|(n, _)| n == node).unwrap_or(0)
    }

    fn host_ip(&self, node: &str) -> String {
        self.all
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, ip)| ip.clone())
            .unwrap_or_default()
    }
}

/// Puts every pod of `sets`, running and ready, started `age` ago. `image` names a container's
/// image.
pub fn seed_sets(
    store: &Store,
    s: u64,
    nodes: &Nodes,
    sets: &[PodSet],
    image: &dyn Fn(&str) -> String,
    age: Duration,
) -> Result<(), ApiError> {
    let ts = store.clock().ago_rfc3339(age);
    for set in sets {
        let (ns, name) = (set.namespace, set.name);
        let (daemon, on) = match &set.run_on {
            RunOn::EachOf(n) => (true, n),
            RunOn::Replicas(n) => (false, n),
        };
        let rs = hex(s, &format!("{ns}/{name}"), 10);
        for (i, node) in on.iter().enumerate() {
            let sfx = objects::suffix(s, &format!("{ns}/{name}/{i}"), 5);
            let pod_name = if daemon {
                format!("{name}-{sfx}")
            } else {
                format!("{name}-{rs}-{sfx}")
            };
            let cs: Vec<(&str, String)> = set.containers.iter().map(|c| (*c, image(c))).collect();
            let cs_ref: Vec<(&str, &str)> = cs.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let idx = nodes.index(node);
            let host_ip = nodes.host_ip(node);
            let ip = if daemon {
                host_ip.clone()
            } else {
                format!("10.128.{}.{}", 2 + idx, 10 + i)
            };
            let mut p = objects::pod(ns, &pod_name, node, &ip, &cs_ref, true, &ts);
            p["status"]["hostIP"] = json!(host_ip);
            p["metadata"]["labels"] = json!({"app": name, "app.kubernetes.io/component": name});
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": if daemon { "DaemonSet" } else { "ReplicaSet" },
                "name": if daemon { name.to_string() } else { format!("{name}-{rs}") }, "controller": true, "uid": hypershift::uuid(s, &format!("{ns}/{name}"))}]);
            put_aged(store, "pods", p, age)?;
        }
    }
    Ok(())
}
