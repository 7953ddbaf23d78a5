//! MetalLB: LoadBalancer Services without an address get the lowest free one from an
//! IPAddressPool: the pool named by `metallb.universe.tf/address-pool`, else any pool with
//! `autoAssign` (default true). A Service asking for a pool that does not exist stays pending.

use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, next};
use crate::resources::by_key;
use crate::scenario::objects::{name_of, ns_of, str_at};
use crate::store::{Store, StoredEvent};

pub const POOLS: &str = "ipaddresspools.metallb.io";
const POOL_ANNOTATION: &str = "metallb.universe.tf/address-pool";

pub async fn run(
    store: Arc<Store>,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    assign_all(&store);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => assign_all(&store),
            Next::Event(ev) => {
                let pending_lb = ev.resource == "services" && is_pending_lb(&ev.object);
                if pending_lb || ev.resource == POOLS {
                    assign_all(&store);
                }
            }
        }
    }
}

fn is_pending_lb(svc: &Value) -> bool {
    str_at(svc, "/spec/type") == Some("LoadBalancer") && lb_ip(svc).is_none()
}

fn lb_ip(svc: &Value) -> Option<&str> {
    svc.pointer("/status/loadBalancer/ingress/0/ip")
        .and_then(Value::as_str)
}

/// Every IPv4 address of a pool entry: `a.b.c.d-a.b.c.e` or `a.b.c.d/nn`.
pub fn range(entry: &str) -> Vec<Ipv4Addr> {
    let entry = entry.trim();
    let (lo, hi) = if let Some((a, b)) = entry.split_once('-') {
        match (a.trim().parse::<Ipv4Addr>(), b.trim().parse::<Ipv4Addr>()) {
            (Ok(a), Ok(b)) => (u32::from(a), u32::from(b)),
            _ => return Vec::new(),
        }
    } else if let Some((a, bits)) = entry.split_once('/') {
        match (a.parse::<Ipv4Addr>(), bits.parse::<u32>()) {
            (Ok(a), Ok(bits)) if (8..=32).contains(&bits) => {
                let mask = if bits == 32 {
                    u32::MAX
                } else {
                    !(u32::MAX >> bits)
                };
                let base = u32::from(a) & mask;
                (base, base | !mask)
            }
            _ => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    // Bounded: a /8 pool must not make the sim allocate millions of addresses.
    (lo..=hi.min(lo.saturating_add(4096)))
        .map(Ipv4Addr::from)
        .collect()
}

fn assign_all(store: &Store) {
    let (services, _) = store.list(by_key("services"), None);
    let pending: Vec<&Arc<Value>> = services.iter().filter(|s| is_pending_lb(s)).collect();
    if pending.is_empty() {
        return;
    }
    let (pools, _) = store.list(by_key(POOLS), None);
    let mut used: HashSet<String> = services
        .iter()
        .filter_map(|s| lb_ip(s).map(str::to_string))
        .collect();
    for svc in pending {
        let wanted = str_at(
            svc,
            &format!(
                "/metadata/annotations/{}",
                POOL_ANNOTATION.replace('/', "~1")
            ),
        );
        let candidates = pools.iter().filter(|p| match wanted {
            Some(w) => name_of(p) == w,
            None => p
                .pointer("/spec/autoAssign")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        });
        let free = candidates
            .flat_map(|p| {
                p.pointer("/spec/addresses")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|a| a.as_str().map(range))
            .flatten()
            .map(|ip| ip.to_string())
            .find(|ip| !used.contains(ip));
        let Some(ip) = free else { continue };
        let res = store.mutate_retry(
            by_key("services"),
            Some(ns_of(svc)),
            name_of(svc),
            false,
            |o| {
                crate::scenario::objects::set_in(
                    o,
                    &["status", "loadBalancer"],
                    json!({"ingress": [{"ip": ip, "ipMode": "VIP"}]}),
                );
                Ok(())
            },
        );
        if res.is_ok() {
            used.insert(ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range("192.168.111.200-192.168.111.202").len(), 3);
        assert_eq!(range("10.0.0.0/30").len(), 4);
        assert!(range("garbage").is_empty());
        assert_eq!(range("10.0.0.0/8").len(), 4097);
    }
}
