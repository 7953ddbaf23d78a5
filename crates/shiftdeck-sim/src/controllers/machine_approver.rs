//! HyperShift's per-hosted-cluster machine-approver: cluster-machine-approver running in the
//! control-plane namespace, reading the guest's CSRs and the control plane's Machines. It
//! approves kubelet CSRs that come from the cluster's own machines and leaves everything else
//! pending; it never denies. It only acts while its `machine-approver-*` pod is Ready, so a
//! crash-looping approver (fault `machine-approver=down`) leaves new nodes to the admin.
//! Rules: ../shared/reference/hypershift-kubevirt-facts.md §5.2–5.3.

use std::net::IpAddr;

use crate::time::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::pki::{self, CLIENT_SIGNER, SERVING_SIGNER};
use crate::resources::by_key;
use crate::scenario::csrs::CSR;
use crate::scenario::hypershift;
use crate::scenario::objects::{
    BOOTSTRAPPER, bootstrapper_groups, condition_status, name_of, set_pod_crash_looping, str_at,
};
use crate::store::Store;

/// HyperShift runs it against the control plane's Cluster API Machines
/// (`--apigroup=cluster.x-k8s.io`).
const MACHINES: &str = crate::scenario::kubevirt::POOL_MACHINES;
const POD_PREFIX: &str = "machine-approver-";
/// How long a CSR stays pending before the approver's next reconcile picks it up (sim time).
const RECONCILE_DELAY_SECS: i64 = 2;
const REASON: &str = "NodeCSRApprove";
const MESSAGE: &str = "This CSR was approved by the Node CSR Approver (cluster-machine-approver)";

/// One reconcile of the approver of hosted cluster `ns/name`. With `down`, its pod is kept
/// crash-looping and nothing is approved.
pub fn reconcile(hub: &Store, ns: &str, name: &str, guest: &Store, down: bool) {
    let cp = hypershift::cp_namespace(ns, name);
    if down {
        crash_pods(hub, &cp);
        return;
    }
    if !running(hub, &cp) {
        return;
    }
    let (machines, _) = hub.list(by_key(MACHINES), Some(&cp));
    let (csrs, _) = guest.list(by_key(CSR), None);
    let (nodes, _) = guest.list(by_key("nodes"), None);
    let now = guest.clock().now();
    if too_many_recent(&csrs, machines.len().max(nodes.len()), now) {
        return;
    }
    let node_exists = |n: &str| nodes.iter().any(|o| name_of(o) == n);
    for c in csrs.iter().filter(|c| pending(c)) {
        let old_enough = created(c).is_some_and(|t| {
            now.duration_since(t) >= SignedDuration::from_secs(RECONCILE_DELAY_SECS)
        });
        if old_enough && approvable(c, &machines, node_exists) {
            let _ = guest.mutate_retry(by_key(CSR), None, name_of(c), false, |o| {
                let ts = guest.clock().now_rfc3339();
                o["status"]["conditions"] = json!([{
                    "type": "Approved", "status": "True", "reason": REASON, "message": MESSAGE,
                    "lastUpdateTime": ts, "lastTransitionTime": ts
                }]);
                Ok(())
            });
        }
    }
}

/// Whether cluster-machine-approver would approve this pending CSR.
pub fn approvable(
    csr: &Value,
    machines: &[std::sync::Arc<Value>],
    node_exists: impl Fn(&str) -> bool,
) -> bool {
    let Some(parsed) = str_at(csr, "/spec/request").and_then(pki::parse_request) else {
        return false;
    };
    let Some(node) = parsed
        .common_name
        .as_deref()
        .and_then(|cn| cn.strip_prefix("system:node:"))
    else {
        return false;
    };
    let groups: Vec<&str> = csr
        .pointer("/spec/groups")
        .and_then(Value::as_array)
        .map(|g| g.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let machine = |node: &str| {
        machines.iter().find(|m| {
            addresses(m).iter().any(|(t, a)| {
                t == "InternalDNS" && a.trim_end_matches('.').eq_ignore_ascii_case(node)
            })
        })
    };
    match str_at(csr, "/spec/signerName") {
        Some(CLIENT_SIGNER) => {
            let mut want = bootstrapper_groups().to_vec();
            let mut have = groups.clone();
            want.sort_unstable();
            have.sort_unstable();
            parsed.organizations == ["system:nodes"]
                && parsed.dns_names.is_empty()
                && parsed.ip_addresses.is_empty()
                && str_at(csr, "/spec/username") == Some(BOOTSTRAPPER)
                && have == want
                && !node_exists(node)
                && machine(node).is_some_and(|m| m.pointer("/status/nodeRef").is_none())
        }
        Some(SERVING_SIGNER) => {
            let Some(m) = machine(node) else {
                return false;
            };
            let addrs = addresses(m);
            let dns_ok = parsed.dns_names.iter().all(|d| {
                addrs.iter().any(|(t, a)| {
                    matches!(t.as_str(), "InternalDNS" | "ExternalDNS" | "Hostname")
                        && a.eq_ignore_ascii_case(d)
                })
            });
            let ip_ok = parsed.ip_addresses.iter().all(|ip| {
                addrs.iter().any(|(t, a)| {
                    matches!(t.as_str(), "InternalIP" | "ExternalIP")
                        && a.parse::<IpAddr>().is_ok_and(|a| a == *ip)
                })
            });
            str_at(csr, "/spec/username") == Some(&format!("system:node:{node}"))
                && groups.contains(&"system:nodes")
                && groups.contains(&"system:authenticated")
                && parsed.organizations.iter().any(|o| o == "system:nodes")
                && dns_ok
                && ip_ok
        }
        _ => false,
    }
}

fn addresses(machine: &Value) -> Vec<(String, String)> {
    machine
        .pointer("/status/addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    Some((
                        str_at(x, "/type")?.to_string(),
                        str_at(x, "/address")?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pending(csr: &Value) -> bool {
    super::csr::is_pending(csr)
}

fn created(csr: &Value) -> Option<Timestamp> {
    str_at(csr, "/metadata/creationTimestamp").and_then(crate::time::parse)
}

/// The approver's brake: more recent kubelet CSRs than machines (or nodes) + 100 and it ignores
/// them all, so a CSR storm cannot get nodes approved.
fn too_many_recent(csrs: &[std::sync::Arc<Value>], known: usize, now: Timestamp) -> bool {
    let recent = csrs
        .iter()
        .filter(|c| {
            matches!(
                str_at(c, "/spec/signerName"),
                Some(CLIENT_SIGNER) | Some(SERVING_SIGNER)
            )
        })
        .filter(|c| {
            created(c).is_some_and(|t| {
                let age = now.duration_since(t);
                age < SignedDuration::from_hours(1) && age > SignedDuration::from_secs(-10)
            })
        })
        .count();
    recent > known + 100
}

fn approver_pods(hub: &Store, cp: &str) -> Vec<std::sync::Arc<Value>> {
    let (pods, _) = hub.list(by_key("pods"), Some(cp));
    pods.into_iter()
        .filter(|p| name_of(p).starts_with(POD_PREFIX))
        .collect()
}

fn running(hub: &Store, cp: &str) -> bool {
    approver_pods(hub, cp)
        .iter()
        .any(|p| condition_status(p, "Ready") == Some("True"))
}

/// The fault: the approver's pod crash-loops (what an admin sees in the control-plane pods).
fn crash_pods(hub: &Store, cp: &str) {
    for p in approver_pods(hub, cp) {
        if condition_status(&p, "Ready") != Some("True") {
            continue;
        }
        let ts = hub.clock().now_rfc3339();
        let _ = hub.mutate_retry(by_key("pods"), Some(cp), name_of(&p), false, |o| {
            set_pod_crash_looping(o, &ts);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pki::CsrKind;
    use crate::scenario::objects::{csr_object, node_groups, usages};

    fn request(node: &str, kind: CsrKind, ips: &[IpAddr]) -> String {
        let pem = pki::node_csr_pem(node, kind, &[node.to_string()], ips).expect("request");
        pki::b64(&pem)
    }

    fn client(node: &str, user: &str) -> Value {
        let groups = bootstrapper_groups();
        let req = request(node, CsrKind::Client, &[]);
        csr_object(
            "c",
            &req,
            CLIENT_SIGNER,
            user,
            &groups,
            usages(CsrKind::Client),
        )
    }

    fn serving(node: &str, ip: &str) -> Value {
        let ip: IpAddr = ip.parse().expect("ip");
        let req = request(node, CsrKind::Serving, &[ip]);
        let user = format!("system:node:{node}");
        csr_object(
            "s",
            &req,
            SERVING_SIGNER,
            &user,
            &node_groups(),
            usages(CsrKind::Serving),
        )
    }

    fn machine(vm: &str, node_ref: bool) -> Arc<Value> {
        let mut m = json!({"metadata": {"name": format!("m-{vm}")}, "status": {"addresses": [
            {"type": "Hostname", "address": vm},
            {"type": "InternalIP", "address": "10.128.0.7"},
            {"type": "InternalDNS", "address": vm}]}});
        if node_ref {
            m["status"]["nodeRef"] = json!({"name": vm});
        }
        Arc::new(m)
    }

    #[test]
    fn client_csr_of_a_machine_without_a_node_is_approved() {
        let ms = [machine("vm-a", false)];
        assert!(approvable(&client("vm-a", BOOTSTRAPPER), &ms, |_| false));
    }

    #[test]
    fn client_csr_is_left_pending_when_anything_is_off() {
        let ms = [machine("vm-a", false)];
        // Not the bootstrapper.
        assert!(!approvable(&client("vm-a", "system:admin"), &ms, |_| false));
        // The node already exists.
        assert!(!approvable(&client("vm-a", BOOTSTRAPPER), &ms, |_| true));
        // No machine of this cluster has that name.
        assert!(!approvable(&client("vm-b", BOOTSTRAPPER), &ms, |_| false));
        // The machine already has its node.
        let joined = [machine("vm-a", true)];
        assert!(!approvable(&client("vm-a", BOOTSTRAPPER), &joined, |_| {
            false
        }));
    }

    #[test]
    fn serving_csr_needs_sans_the_machine_has() {
        let ms = [machine("vm-a", true)];
        assert!(approvable(&serving("vm-a", "10.128.0.7"), &ms, |_| true));
        assert!(!approvable(&serving("vm-a", "10.9.9.9"), &ms, |_| true));
        assert!(!approvable(&serving("vm-b", "10.128.0.7"), &ms, |_| true));
    }

    #[test]
    fn a_csr_storm_stops_all_approvals() {
        let now = Timestamp::now();
        let mut c = client("vm-a", BOOTSTRAPPER);
        c["metadata"]["creationTimestamp"] = json!(crate::time::rfc3339_secs(now));
        let storm: Vec<Arc<Value>> = (0..103).map(|_| Arc::new(c.clone())).collect();
        assert!(too_many_recent(&storm, 2, now));
        assert!(!too_many_recent(&storm[..102], 2, now));
    }
}
