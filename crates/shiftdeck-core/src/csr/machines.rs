//! Machines indexed the two ways the CSR checks look them up: by `status.nodeRef.name` and by an
//! `InternalDNS` address (case and one trailing dot aside, as cluster-machine-approver compares).
//! With 20,000 CSRs and 5,000 Machines a linear search per validation was 100 million compares.

// Looked up twice per CSR of 20,000: foldhash rather than SipHash.
use foldhash::{HashMap, HashMapExt};
use std::hash::BuildHasher;
use std::hash::{Hash, Hasher};

use serde_json::Value;

/// Machines as JSON (`machine.openshift.io` or CAPI) with their lookups.
#[derive(Debug, Clone, Default)]
pub struct MachineIndex {
    machines: Vec<Value>,
    by_node_ref: HashMap<String, usize>,
    by_internal_dns: HashMap<String, usize>,
}

/// The form both sides of an InternalDNS comparison take: one trailing dot gone, ASCII lowercase.
fn dns_key(s: &str) -> String {
    s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase()
}

impl MachineIndex {
    pub fn new(machines: Vec<Value>) -> Self {
        let mut by_node_ref = HashMap::new();
        let mut by_internal_dns = HashMap::new();
        for (i, m) in machines.iter().enumerate() {
            // The first match wins, as a search in list order would find it.
            if let Some(n) = node_ref(m) {
                by_node_ref.entry(n.to_string()).or_insert(i);
            }
            for (t, a) in addresses(m) {
                if t == "InternalDNS" {
                    by_internal_dns.entry(dns_key(a)).or_insert(i);
                }
            }
        }
        MachineIndex {
            machines,
            by_node_ref,
            by_internal_dns,
        }
    }

    /// The first Machine whose `status.nodeRef.name` is `node`.
    pub fn with_node_ref(&self, node: &str) -> Option<&Value> {
        self.by_node_ref
            .get(node)
            .and_then(|i| self.machines.get(*i))
    }

    /// The first Machine with an `InternalDNS` address equal to `node` (case and one trailing dot
    /// aside).
    pub fn with_internal_dns(&self, node: &str) -> Option<&Value> {
        let plain = !node.ends_with('.') && !node.bytes().any(|b| b.is_ascii_uppercase());
        let i = if plain {
            // Node names are lower case already: no key to build.
            self.by_internal_dns.get(node)
        } else {
            self.by_internal_dns.get(&dns_key(node))
        };
        i.and_then(|i| self.machines.get(*i))
    }

    pub fn len(&self) -> usize {
        self.machines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// A fingerprint of the Machines a validation of a CSR for `node` can read: a validation
    /// stays right while it does not change.
    pub fn stamp_for(&self, node: Option<&str>) -> u64 {
        // A fixed seed: stamps are compared across syncs (and with ones made on another thread).
        let mut h = foldhash::fast::FixedState::default().build_hasher();
        if let Some(n) = node {
            for m in [self.with_node_ref(n), self.with_internal_dns(n)] {
                m.map(|m| {
                    (
                        m.pointer("/metadata/uid").and_then(Value::as_str),
                        m.pointer("/metadata/resourceVersion")
                            .and_then(Value::as_str),
                        m.pointer("/metadata/name").and_then(Value::as_str),
                    )
                })
                .hash(&mut h);
            }
        }
        h.finish()
    }
}

/// `status.nodeRef.name`.
pub fn node_ref(m: &Value) -> Option<&str> {
    m.pointer("/status/nodeRef/name").and_then(Value::as_str)
}

/// `status.addresses` as (type, address) pairs.
pub fn addresses(m: &Value) -> Vec<(&str, &str)> {
    m.pointer("/status/addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| Some((x.get("type")?.as_str()?, x.get("address")?.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(name: &str, dns: &str, node_ref: Option<&str>, rv: &str) -> Value {
        let mut m = json!({"metadata": {"name": name, "resourceVersion": rv},
            "status": {"addresses": [{"type": "InternalDNS", "address": dns}]}});
        if let Some(n) = node_ref {
            m["status"]["nodeRef"] = json!({"kind": "Node", "name": n});
        }
        m
    }

    #[test]
    fn finds_what_a_search_in_list_order_finds() {
        let idx = MachineIndex::new(vec![
            machine("a", "Worker-1.Example.", None, "1"),
            machine("b", "worker-1.example", Some("worker-1.example"), "1"),
            machine("c", "worker-2", Some("worker-2"), "1"),
        ]);
        fn name(m: Option<&Value>) -> Option<&str> {
            m.and_then(|m| m["metadata"]["name"].as_str())
        }
        assert_eq!(name(idx.with_internal_dns("worker-1.example")), Some("a"));
        assert_eq!(name(idx.with_internal_dns("WORKER-1.example.")), Some("a"));
        // Only one trailing dot is ignored, as cluster-machine-approver's comparison does.
        assert_eq!(name(idx.with_internal_dns("worker-1.example..")), None);
        assert_eq!(name(idx.with_node_ref("worker-1.example")), Some("b"));
        // nodeRef compares exactly.
        assert_eq!(name(idx.with_node_ref("Worker-2")), None);
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn the_stamp_moves_only_with_the_machines_a_node_reads() {
        let before = MachineIndex::new(vec![
            machine("a", "w1", None, "1"),
            machine("b", "w2", Some("w2"), "1"),
        ]);
        let after = MachineIndex::new(vec![
            machine("a", "w1", None, "1"),
            machine("b", "w2", Some("w2"), "2"),
        ]);
        assert_eq!(before.stamp_for(Some("w1")), after.stamp_for(Some("w1")));
        assert_ne!(before.stamp_for(Some("w2")), after.stamp_for(Some("w2")));
    }
}
