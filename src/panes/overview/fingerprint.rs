//! What the Overview shows of the live nodes (summary and WMCO version), as a count and an
//! order-independent sum of per-node hashes (names are unique), so heartbeats that move only
//! `resourceVersion` do not rebuild the model. Each node's hash is kept by position: the store
//! hands out the same `Arc` until a node changes, so an unchanged node costs a pointer and a
//! resourceVersion comparison instead of its labels and conditions (5,000 of them, every
//! catch-up, had been 40 % of the pane's catch-up with the sim churning).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;

use crate::overview::NodeSummaryRef;
use crate::overview::windows::VERSION_ANNOTATION;

#[derive(Debug, Default)]
pub struct NodeFingerprint {
    /// The last snapshot's nodes by position.
    last: Vec<Seen>,
    /// Hashes computed by the last call (tests read it).
    computed: usize,
}

#[derive(Debug)]
struct Seen {
    /// The node's address: compared, never dereferenced.
    addr: usize,
    /// Confirms the address: a freed one may hold another object later, never one with the
    /// same resourceVersion but other content. A node without one never matches (`""` is no
    /// `Some`), so it is hashed every time.
    rv: String,
    hash: u64,
}

impl NodeFingerprint {
    /// The fingerprint of `nodes`.
    pub fn of(&mut self, nodes: &[Arc<Node>]) -> (usize, u64) {
        let mut last = std::mem::take(&mut self.last);
        let mut next = Vec::with_capacity(nodes.len());
        self.computed = 0;
        let mut sum = 0u64;
        for (i, n) in nodes.iter().enumerate() {
            let addr = Arc::as_ptr(n) as usize;
            let rv = n.metadata.resource_version.as_deref();
            let seen = last
                .get_mut(i)
                .filter(|s| s.addr == addr && rv == Some(s.rv.as_str()))
                .map(|s| Seen {
                    addr,
                    rv: std::mem::take(&mut s.rv),
                    hash: s.hash,
                })
                .unwrap_or_else(|| {
                    self.computed += 1;
                    Seen {
                        addr,
                        rv: rv.unwrap_or_default().to_string(),
                        hash: node_hash(n),
                    }
                });
            sum = sum.wrapping_add(seen.hash);
            next.push(seen);
        }
        self.last = next;
        (nodes.len(), sum)
    }
}

fn node_hash(n: &Node) -> u64 {
    let version = n
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(VERSION_ANNOTATION));
    let mut h = DefaultHasher::new();
    (NodeSummaryRef::of(n), version).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, rv: &str, ready: &str, arch: &str) -> Arc<Node> {
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": name, "resourceVersion": rv,
                    "labels": {"kubernetes.io/arch": arch}},
                "status": {"conditions": [{"type": "Ready", "status": ready}]}
            }))
            .unwrap(),
        )
    }

    /// Unchanged nodes are not hashed again; a heartbeat keeps the fingerprint, a readiness or
    /// label change moves it, wherever the node sits, and order does not matter.
    #[test]
    fn follows_what_is_shown_and_hashes_only_changed_nodes() {
        let mut f = NodeFingerprint::default();
        let a = node("a", "1", "True", "amd64");
        let b = node("b", "2", "True", "arm64");
        let first = f.of(&[a.clone(), b.clone()]);
        assert_eq!(f.computed, 2);
        assert_eq!(f.of(&[a.clone(), b.clone()]), first);
        assert_eq!(f.computed, 0);
        let beat = node("b", "3", "True", "arm64");
        assert_eq!(f.of(&[a.clone(), beat.clone()]), first, "heartbeat");
        assert_eq!(f.computed, 1);
        let down = node("b", "4", "False", "arm64");
        assert_ne!(f.of(&[a.clone(), down.clone()]), first, "not ready");
        let moved = node("b", "5", "True", "amd64");
        assert_ne!(f.of(&[a.clone(), moved]), first, "other arch");
        assert_eq!(f.of(&[beat.clone(), a.clone()]), first, "order");
        assert_eq!(f.of(std::slice::from_ref(&a)).0, 1);
    }
}
