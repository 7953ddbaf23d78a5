//! OpenShift's node join flow (facts §5): the signer issues approved CSRs; an issued kubelet
//! client certificate brings the Node object (NotReady), whose kubelet then posts its serving
//! CSR; an issued serving certificate makes the node Ready. Kubelets whose CSRs linger for an
//! hour post new ones (the old ones stay, as on a real cluster). On the hub, bare-metal ARM64
//! machines keep arriving when `live`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use rand::Rng;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Next, next, sim_sleep, subscribe};
use crate::SimOptions;
use crate::pki::{self, CLIENT_SIGNER, SERVING_SIGNER};
use crate::resources::by_key;
use crate::scenario::csrs::{self, BadCsr, CSR};
use crate::scenario::hub;
use crate::scenario::objects::{self, BOOTSTRAPPER, NodeSpec, label, name_of, str_at};
use crate::store::{EventType, Store, StoredEvent};

const MACHINES: &str = "machines.machine.openshift.io";
/// Kubelets post a new CSR when theirs has not been answered within this long.
const REPOST_AFTER: f64 = 3600.0;
/// At most this many machines arrive on their own (keeps long fast demos bounded).
const MAX_ARRIVALS: usize = 60;

fn has_condition(csr: &Value, t: &str) -> bool {
    csr.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|c| c.get("type").and_then(Value::as_str) == Some(t))
        })
}

fn is_approved(csr: &Value) -> bool {
    has_condition(csr, "Approved") && !has_condition(csr, "Denied") && !has_condition(csr, "Failed")
}

fn has_certificate(csr: &Value) -> bool {
    str_at(csr, "/status/certificate").is_some_and(|c| !c.is_empty())
}

pub fn is_pending(csr: &Value) -> bool {
    !has_condition(csr, "Approved")
        && !has_condition(csr, "Denied")
        && !has_condition(csr, "Failed")
}

/// The node a kubelet CSR is for, when it is a well-formed kubelet CSR of `signer`.
fn node_of(csr: &Value) -> Option<String> {
    let parsed = pki::parse_request(str_at(csr, "/spec/request")?)?;
    let cn = parsed.common_name?;
    let node = cn.strip_prefix("system:node:")?;
    if !parsed.organizations.iter().any(|o| o == "system:nodes") {
        return None;
    }
    Some(node.to_string())
}

pub async fn run(
    store: Arc<Store>,
    opts: SimOptions,
    mut rx: broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let seed = opts.seed;
    // Pick up kubelets that were already waiting when the sim started.
    resume_kubelets(&store, seed, &shutdown);
    sign_all(&store, seed, &shutdown);
    loop {
        match next(&mut rx, &shutdown).await {
            Next::Stop => return,
            Next::Resync => sign_all(&store, seed, &shutdown),
            Next::Event(ev) => {
                if ev.resource == CSR && ev.kind != EventType::Deleted {
                    handle(&store, seed, &ev.object, &shutdown);
                }
            }
        }
    }
}

fn sign_all(store: &Arc<Store>, seed: u64, shutdown: &CancellationToken) {
    let (items, _) = store.list(by_key(CSR), None);
    for csr in items {
        handle(store, seed, &csr, shutdown);
    }
}

/// Signers kube-controller-manager issues certificates for.
const KCM_SIGNERS: &[&str] = &[
    CLIENT_SIGNER,
    SERVING_SIGNER,
    "kubernetes.io/kube-apiserver-client",
];

/// What the kubelet signers check before issuing (`ValidateKubeletClientCSR` /
/// `ValidateKubeletServingCSR`): O exactly `system:nodes`, CN `system:node:<name>`, the usage
/// set exactly one the signer allows, no email or URI SANs, DNS/IP SANs only for serving.
pub fn validate_for_signer(signer: &str, request: &str, usages: &[String]) -> Result<(), String> {
    let Some(p) = pki::parse_request(request) else {
        return Err("unable to parse csr: no PEM certificate request".into());
    };
    let (required, optional): (&[&str], &str) = match signer {
        CLIENT_SIGNER => (&["digital signature", "client auth"], "key encipherment"),
        SERVING_SIGNER => (&["digital signature", "server auth"], "key encipherment"),
        _ => return Ok(()),
    };
    if p.organizations != ["system:nodes"] {
        return Err("subject organization is not system:nodes".into());
    }
    let set: std::collections::BTreeSet<&str> = usages.iter().map(String::as_str).collect();
    let exact: std::collections::BTreeSet<&str> = required.iter().copied().collect();
    let mut with_optional = exact.clone();
    with_optional.insert(optional);
    if set != exact && set != with_optional {
        let mut want: Vec<&str> = with_optional.into_iter().collect();
        want.sort_unstable();
        return Err(format!("usages did not match {want:?}"));
    }
    if !p
        .common_name
        .as_deref()
        .unwrap_or_default()
        .starts_with("system:node:")
    {
        return Err("subject common name does not begin with system:node:".into());
    }
    if !p.other_sans.is_empty() {
        return Err("email and URI subjectAltNames are not allowed".into());
    }
    let has_sans = !p.dns_names.is_empty() || !p.ip_addresses.is_empty();
    match (signer, has_sans) {
        (CLIENT_SIGNER, true) => Err("DNS, email and IP subjectAltNames are not allowed".into()),
        (SERVING_SIGNER, false) => Err("at least one DNS or IP subjectAltName is required".into()),
        _ => Ok(()),
    }
}

/// The signer: issue approved CSRs, then what the kubelet does with the certificate.
fn handle(store: &Arc<Store>, seed: u64, csr: &Value, shutdown: &CancellationToken) {
    if !is_approved(csr) || has_certificate(csr) {
        return;
    }
    let name = name_of(csr).to_string();
    let request = str_at(csr, "/spec/request").unwrap_or_default().to_string();
    let usages: Vec<String> = csr
        .pointer("/spec/usages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let exp = csr
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_u64);
    let now = store.clock().now_rfc3339();
    let signer = str_at(csr, "/spec/signerName").unwrap_or_default();
    if !KCM_SIGNERS.contains(&signer) {
        // Custom signers (e.g. HyperShift break-glass) are not the controller-manager's job.
        return;
    }
    let issued = validate_for_signer(signer, &request, &usages)
        .and_then(|()| pki::sign_request(&request, &usages, exp));
    let res = store.mutate_retry(by_key(CSR), None, &name, false, |o| {
        if has_certificate(o) || !is_approved(o) {
            return Err(crate::error::ApiError::conflict(by_key(CSR), "unchanged"));
        }
        let st = crate::store::ensure_object(o, "status");
        match &issued {
            Ok(cert) => {
                st.insert("certificate".into(), json!(cert));
            }
            Err(e) => {
                let conds = st.entry("conditions").or_insert_with(|| json!([]));
                if let Some(a) = conds.as_array_mut() {
                    a.push(json!({"type": "Failed", "status": "True", "reason": "SignerValidationFailure",
                                  "message": format!("invalid certificate request: {e}"),
                                  "lastUpdateTime": now, "lastTransitionTime": now}));
                }
            }
        }
        Ok(())
    });
    if res.is_err() || issued.is_err() {
        return;
    }
    let user = str_at(csr, "/spec/username").unwrap_or_default();
    let Some(node) = node_of(csr) else {
        return;
    };
    if signer == CLIENT_SIGNER && user == BOOTSTRAPPER {
        client_issued(store, seed, &node, shutdown);
    } else if signer == SERVING_SIGNER && user == format!("system:node:{node}") {
        let store = store.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            // The kubelet restarts its server with the new certificate; the node reports Ready.
            if sim_sleep(&store, 25.0, &shutdown).await {
                set_ready(&store, &node);
            }
        });
    }
}

/// The Machine a node belongs to (by InternalDNS/Hostname address or name).
pub fn machine_for(store: &Store, node: &str) -> Option<Value> {
    let (items, _) = store.list(by_key(MACHINES), None);
    let node_l = node.trim_end_matches('.').to_ascii_lowercase();
    items.into_iter().map(|m| (*m).clone()).find(|m| {
        name_of(m) == node
            || m.pointer("/status/addresses")
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter().any(|ad| {
                        matches!(
                            ad.get("type").and_then(Value::as_str),
                            Some("InternalDNS" | "Hostname")
                        ) && ad
                            .get("address")
                            .and_then(Value::as_str)
                            .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
                            == Some(node_l.clone())
                    })
                })
    })
}

pub fn machine_ips(m: &Value) -> Vec<String> {
    m.pointer("/status/addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|ad| ad.get("type").and_then(Value::as_str) == Some("InternalIP"))
                .filter_map(|ad| {
                    ad.get("address")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn machine_arch(m: &Value) -> &'static str {
    let caps = m
        .pointer("/metadata/annotations/capacity.cluster-autoscaler.kubernetes.io~1labels")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if caps.contains("kubernetes.io/arch=arm64") || name_of(m).contains("arm64") {
        "arm64"
    } else {
        "amd64"
    }
}

/// An issued client certificate: the kubelet registers its Node (NotReady) and, a little
/// later, asks for its serving certificate.
fn client_issued(store: &Arc<Store>, seed: u64, node: &str, shutdown: &CancellationToken) {
    let Some(machine) = machine_for(store, node) else {
        return;
    };
    if store.get(by_key("nodes"), None, node).is_none() {
        let ips = machine_ips(&machine);
        let ip = ips
            .first()
            .cloned()
            .unwrap_or_else(|| "10.0.0.2".to_string());
        let windows = label(&machine, "machine.openshift.io/os-id") == Some("Windows");
        let mut spec = if windows {
            crate::scenario::azure::windows_node_spec(node, &ip)
        } else {
            let mut s = NodeSpec::rhcos(node, machine_arch(&machine), vec!["worker"], &ip);
            s.cpu = 8;
            s.memory_gi = 32;
            s
        };
        spec.ready = false;
        if let Some(extra) = machine.pointer("/spec/metadata/labels") {
            spec.extra_labels = objects::merge(spec.extra_labels.clone(), extra.clone());
        }
        spec.provider_id = str_at(&machine, "/spec/providerID").map(str::to_string);
        let now = store.clock().now_rfc3339();
        if let Ok(n) = store.create(by_key("nodes"), objects::node(&spec, &now), false) {
            objects::event(
                store,
                &n,
                "Normal",
                "RegisteredNode",
                &format!("Node {node} event: Registered Node {node} in Controller"),
                "node-controller",
            );
        }
    }
    let mname = name_of(&machine).to_string();
    let mns = objects::ns_of(&machine).to_string();
    let node_s = node.to_string();
    let _ = store.mutate_retry(by_key(MACHINES), Some(&mns), &mname, false, |m| {
        let st = crate::store::ensure_object(m, "status");
        st.insert("nodeRef".into(), json!({"kind": "Node", "name": node_s}));
        st.insert("phase".into(), json!("Running"));
        Ok(())
    });
    let store = store.clone();
    let shutdown = shutdown.clone();
    let node = node.to_string();
    tokio::spawn(serving_phase(store, seed, node, shutdown));
}

fn set_ready(store: &Store, node: &str) {
    let now = store.clock().now_rfc3339();
    if let Ok(n) = store.mutate_retry(by_key("nodes"), None, node, false, |n| {
        objects::set_node_ready(n, true, &now);
        Ok(())
    }) {
        objects::event(
            store,
            &n,
            "Normal",
            "NodeReady",
            &format!("Node {node} status is now: NodeReady"),
            "kubelet",
        );
    }
}

/// Which arrivals carry a CSR that must fail validation: every 5th, rotating the kinds.
pub fn arrival_bad(n: usize) -> Option<BadCsr> {
    if n % 5 != 4 {
        return None;
    }
    Some(match (n / 5) % 3 {
        0 => BadCsr::WrongRequestor,
        1 => BadCsr::CnMismatch,
        _ => BadCsr::WrongSans,
    })
}

fn arrival_index(node: &str) -> Option<usize> {
    node.strip_prefix("arm64-worker-")?.parse().ok()
}

/// Cheap checks first: parsing the request is the expensive part.
fn csr_for(c: &Value, node: &str, signer: &str) -> bool {
    if str_at(c, "/spec/signerName") != Some(signer) {
        return false;
    }
    if signer == SERVING_SIGNER
        && str_at(c, "/spec/username") != Some(&format!("system:node:{node}"))
    {
        return false;
    }
    node_of(c).as_deref() == Some(node)
}

/// What a node's kubelet has asked `signer` for so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KubeletCsrs {
    /// Any CSR at all (pending, issued, denied or failed).
    pub posted: bool,
    /// Waiting: not yet decided, or approved and not yet signed (a kubelet waits for both
    /// rather than asking again).
    pub pending: bool,
    pub issued: bool,
}

/// Every kubelet CSR of a cluster by (node, signer), parsing each request once.
pub fn kubelet_csr_index(store: &Store) -> HashMap<(String, &'static str), KubeletCsrs> {
    let (items, _) = store.list(by_key(CSR), None);
    let mut out: HashMap<(String, &'static str), KubeletCsrs> = HashMap::new();
    for c in &items {
        let signer = match str_at(c, "/spec/signerName") {
            Some(CLIENT_SIGNER) => CLIENT_SIGNER,
            Some(SERVING_SIGNER) => SERVING_SIGNER,
            _ => continue,
        };
        let Some(node) = node_of(c) else { continue };
        if signer == SERVING_SIGNER
            && str_at(c, "/spec/username") != Some(&format!("system:node:{node}"))
        {
            continue;
        }
        let e = out.entry((node, signer)).or_default();
        e.posted = true;
        e.pending |= is_pending(c) || (is_approved(c) && !has_certificate(c));
        e.issued |= has_certificate(c);
    }
    out
}

fn pending_for(store: &Store, node: &str, signer: &str) -> bool {
    let (items, _) = store.list(by_key(CSR), None);
    items
        .iter()
        .any(|c| is_pending(c) && csr_for(c, node, signer))
}

fn issued_for(store: &Store, node: &str, signer: &str) -> bool {
    let (items, _) = store.list(by_key(CSR), None);
    items
        .iter()
        .any(|c| has_certificate(c) && csr_for(c, node, signer))
}

/// Whether an event can change what a waiting kubelet waits for.
fn relevant(ev: &StoredEvent, node: &str) -> bool {
    match ev.resource {
        "nodes" => name_of(&ev.object) == node,
        CSR => has_certificate(&ev.object) && node_of(&ev.object).as_deref() == Some(node),
        _ => false,
    }
}

/// Wait until `done` holds, reposting a CSR with `post` every hour it does not.
async fn wait_reposting(
    store: &Arc<Store>,
    node: &str,
    shutdown: &CancellationToken,
    done: impl Fn(&Store) -> bool,
    post: impl Fn(&Store),
) {
    let Some(mut rx) = subscribe(store) else {
        return;
    };
    loop {
        if done(store) {
            return;
        }
        let timer = store
            .clock()
            .sleep(std::time::Duration::from_secs_f64(REPOST_AFTER));
        tokio::pin!(timer);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = &mut timer => { post(store); break; }
                r = rx.recv() => match r {
                    Err(broadcast::error::RecvError::Closed) => return,
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        if done(store) {
                            return;
                        }
                    }
                    Ok(ev) => {
                        if relevant(&ev, node) && done(store) {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// The kubelet of a machine that booted: post the client CSR (unless one is pending already)
/// and keep posting hourly until the Node exists.
pub async fn client_phase(store: Arc<Store>, seed: u64, node: String, shutdown: CancellationToken) {
    if store.get(by_key("nodes"), None, &node).is_none()
        && !pending_for(&store, &node, CLIENT_SIGNER)
    {
        let _ = csrs::post_client(&store, seed, &node, None);
    }
    let n1 = node.clone();
    wait_reposting(
        &store,
        &n1.clone(),
        &shutdown,
        move |s| s.get(by_key("nodes"), None, &n1).is_some(),
        |s| {
            let _ = csrs::post_client(s, seed, &node, None);
        },
    )
    .await;
}

/// After the client certificate: post the serving CSR with the node's addresses as SANs and
/// repost hourly until one is issued.
async fn serving_phase(store: Arc<Store>, seed: u64, node: String, shutdown: CancellationToken) {
    if !sim_sleep(&store, 20.0, &shutdown).await {
        return;
    }
    let bad = arrival_index(&node)
        .and_then(arrival_bad)
        .filter(|b| *b == BadCsr::WrongSans);
    let ips: Vec<IpAddr> = store
        .get(by_key("nodes"), None, &node)
        .and_then(|n| n.pointer("/status/addresses").cloned())
        .and_then(|a| a.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))
        .filter_map(|a| a.get("address").and_then(Value::as_str)?.parse().ok())
        .collect();
    if !pending_for(&store, &node, SERVING_SIGNER) && !issued_for(&store, &node, SERVING_SIGNER) {
        let _ = csrs::post_serving(&store, seed, &node, &ips, bad);
    }
    let n1 = node.clone();
    wait_reposting(
        &store,
        &n1.clone(),
        &shutdown,
        move |s| issued_for(s, &n1, SERVING_SIGNER) || s.get(by_key("nodes"), None, &n1).is_none(),
        |s| {
            let _ = csrs::post_serving(s, seed, &node, &ips, None);
        },
    )
    .await;
}

/// Kubelets already waiting at start: machines without a node that have a pending client CSR.
fn resume_kubelets(store: &Arc<Store>, seed: u64, shutdown: &CancellationToken) {
    let (items, _) = store.list(by_key(CSR), None);
    let mut seen = std::collections::HashSet::new();
    for c in items {
        if !is_pending(&c) || str_at(&c, "/spec/username") != Some(BOOTSTRAPPER) {
            continue;
        }
        let Some(node) = node_of(&c) else { continue };
        if store.get(by_key("nodes"), None, &node).is_some() || machine_for(store, &node).is_none()
        {
            continue;
        }
        if seen.insert(node.clone()) {
            tokio::spawn(client_phase(store.clone(), seed, node, shutdown.clone()));
        }
    }
}

/// Bare-metal ARM64 machines keep arriving (every 2-4 simulated minutes) and post client CSRs.
pub async fn arrivals(store: Arc<Store>, seed: u64, shutdown: CancellationToken) {
    let mut rng = objects::rng(seed, "arrivals");
    loop {
        let wait = rng.random_range(120.0..240.0);
        if !sim_sleep(&store, wait, &shutdown).await {
            return;
        }
        let (machines, _) = store.list(by_key(MACHINES), Some("openshift-machine-api"));
        let n = machines
            .iter()
            .filter_map(|m| arrival_index(name_of(m)))
            .max()
            .map_or(hub::FIRST_ARRIVAL, |m| m + 1);
        if n >= hub::FIRST_ARRIVAL + MAX_ARRIVALS {
            return;
        }
        let node = hub::arm_name(n);
        let _ = store.create(
            by_key(MACHINES),
            hub::bm_machine(&node, "worker", &hub::arm_ip(n), false),
            false,
        );
        if let Some(b @ (BadCsr::WrongRequestor | BadCsr::CnMismatch)) = arrival_bad(n) {
            let _ = csrs::post_client(&store, seed, &node, Some(b));
        }
        tokio::spawn(client_phase(store.clone(), seed, node, shutdown.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fifth_arrival_is_bad_with_rotating_kinds() {
        let bad: Vec<(usize, BadCsr)> = (0..30)
            .filter_map(|n| arrival_bad(n).map(|b| (n, b)))
            .collect();
        assert_eq!(
            bad,
            vec![
                (4, BadCsr::WrongRequestor),
                (9, BadCsr::CnMismatch),
                (14, BadCsr::WrongSans),
                (19, BadCsr::WrongRequestor),
                (24, BadCsr::CnMismatch),
                (29, BadCsr::WrongSans),
            ]
        );
        assert_eq!(arrival_index("arm64-worker-12"), Some(12));
        assert_eq!(arrival_index("worker-1"), None);
    }

    #[test]
    fn signer_validation() {
        let u = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let client = pki::b64(&pki::node_csr_pem("n1", pki::CsrKind::Client, &[], &[]).unwrap());
        assert!(
            validate_for_signer(
                CLIENT_SIGNER,
                &client,
                &u(&["digital signature", "client auth"])
            )
            .is_ok()
        );
        assert!(validate_for_signer(CLIENT_SIGNER, &client, &u(&["server auth"])).is_err());
        assert!(validate_for_signer(SERVING_SIGNER, &client, &u(&["server auth"])).is_err());
        let rogue = pki::b64(&pki::csr_pem("admin", Some("system:masters"), &[], &[]).unwrap());
        assert!(validate_for_signer(CLIENT_SIGNER, &rogue, &u(&["client auth"])).is_err());
        assert!(validate_for_signer(CLIENT_SIGNER, "bm90IGEgY3Ny", &[]).is_err());
    }

    #[test]
    fn malformed_csrs_are_ignored() {
        let garbage =
            json!({"metadata": {"name": "x"}, "spec": {"request": 42}, "status": "weird"});
        assert!(node_of(&garbage).is_none());
        assert!(!is_approved(&garbage));
        assert!(is_pending(&garbage));
    }
}
