//! Posting node CSRs the way kubelets do (client first, serving once the client one is issued),
//! plus approved history. Used by the scenarios and the CSR/MachineSet controllers.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};

use super::objects::{
    self, BOOTSTRAPPER, bootstrapper_groups, csr_object, node_groups, suffix, usages,
};
use crate::error::ApiError;
use crate::pki::{self, CLIENT_SIGNER, CsrKind, SERVING_SIGNER};
use crate::resources::by_key;
use crate::store::Store;

pub const CSR: &str = "certificatesigningrequests.certificates.k8s.io";

/// Ways an arriving CSR can be wrong, so that approvers have something to refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadCsr {
    /// Client CSR posted by someone other than the node-bootstrapper.
    WrongRequestor,
    /// Client CSR whose CN names a node that is not the arriving machine.
    CnMismatch,
    /// Serving CSR whose IP SANs are not the node's addresses.
    WrongSans,
}

/// A free `csr-xxxxx` name, deterministic for (seed, key).
pub fn csr_name(store: &Store, seed: u64, key: &str) -> String {
    let res = by_key(CSR);
    for attempt in 0..1000u32 {
        let name = format!("csr-{}", suffix(seed, &format!("{key}/{attempt}"), 5));
        if store.get(res, None, &name).is_none() {
            return name;
        }
    }
    format!(
        "csr-{}",
        suffix(seed, &format!("{key}/{}", store.current_rv()), 8)
    )
}

/// Post a kubelet client CSR for `node` (pending). Returns the CSR name.
pub fn post_client(
    store: &Store,
    seed: u64,
    node: &str,
    bad: Option<BadCsr>,
) -> Result<String, ApiError> {
    let cn_node = match bad {
        Some(BadCsr::CnMismatch) => format!("{node}.rogue.example.net"),
        _ => node.to_string(),
    };
    let pem = pki::node_csr_pem(&cn_node, CsrKind::Client, &[], &[]).map_err(ApiError::internal)?;
    let (user, groups): (String, Vec<&str>) = match bad {
        Some(BadCsr::WrongRequestor) => (
            "system:serviceaccount:default:builder".to_string(),
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:default",
                "system:authenticated",
            ],
        ),
        _ => (BOOTSTRAPPER.to_string(), bootstrapper_groups().to_vec()),
    };
    let name = csr_name(store, seed, &format!("client/{node}"));
    let obj = csr_object(
        &name,
        &pki::b64(&pem),
        CLIENT_SIGNER,
        &user,
        &groups,
        usages(CsrKind::Client),
    );
    store.create(by_key(CSR), obj, false)?;
    Ok(name)
}

/// Post a kubelet serving CSR for `node` with its addresses as SANs.
pub fn post_serving(
    store: &Store,
    seed: u64,
    node: &str,
    ips: &[IpAddr],
    bad: Option<BadCsr>,
) -> Result<String, ApiError> {
    let ips: Vec<IpAddr> = match bad {
        Some(BadCsr::WrongSans) => vec![
            "203.0.113.77"
                .parse()
                .map_err(|_| ApiError::internal("ip"))?,
        ],
        _ => ips.to_vec(),
    };
    let pem = pki::node_csr_pem(node, CsrKind::Serving, &[node.to_string()], &ips)
        .map_err(ApiError::internal)?;
    let name = csr_name(store, seed, &format!("serving/{node}"));
    let obj = csr_object(
        &name,
        &pki::b64(&pem),
        SERVING_SIGNER,
        &format!("system:node:{node}"),
        &node_groups(),
        usages(CsrKind::Serving),
    );
    store.create(by_key(CSR), obj, false)?;
    Ok(name)
}

/// Reusable, pre-signed material for history CSRs (one real pair per kind and node name).
pub struct Issued {
    pub request: String,
    pub certificate: String,
}

pub fn issue(node: &str, kind: CsrKind, ips: &[IpAddr]) -> Result<Issued, ApiError> {
    let pem =
        pki::node_csr_pem(node, kind, &[node.to_string()], ips).map_err(ApiError::internal)?;
    let request = pki::b64(&pem);
    let us: Vec<String> = usages(kind)
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let certificate = pki::sign_request(&request, &us, None).map_err(ApiError::internal)?;
    Ok(Issued {
        request,
        certificate,
    })
}

/// An approved, issued CSR `age` old.
pub fn approved_object(name: &str, node: &str, kind: CsrKind, issued: &Issued, ts: &str) -> Value {
    let (signer, user, groups): (&str, String, Vec<&str>) = match kind {
        CsrKind::Client => (
            CLIENT_SIGNER,
            BOOTSTRAPPER.to_string(),
            bootstrapper_groups().to_vec(),
        ),
        CsrKind::Serving => (
            SERVING_SIGNER,
            format!("system:node:{node}"),
            node_groups().to_vec(),
        ),
    };
    let mut obj = csr_object(name, &issued.request, signer, &user, &groups, usages(kind));
    obj["status"] = json!({
        "conditions": [{
            "type": "Approved", "status": "True", "reason": "NodeCSRApprove",
            "message": "This CSR was approved by the Node CSR Approver (cluster-machine-approver)",
            "lastUpdateTime": ts, "lastTransitionTime": ts
        }],
        "certificate": issued.certificate,
    });
    obj
}

/// Approved client + serving CSRs for a node that joined `age` ago.
pub fn seed_history(
    store: &Store,
    seed: u64,
    node: &str,
    ip: &str,
    age: Duration,
) -> Result<(), ApiError> {
    let ips: Vec<IpAddr> = ip.parse().map(|i| vec![i]).unwrap_or_default();
    let ts = store.clock().ago_rfc3339(age);
    for kind in [CsrKind::Client, CsrKind::Serving] {
        let issued = issue(
            node,
            kind,
            if kind == CsrKind::Serving { &ips } else { &[] },
        )?;
        let key = if kind == CsrKind::Client {
            "hclient"
        } else {
            "hserving"
        };
        let name = csr_name(store, seed, &format!("{key}/{node}"));
        objects::put_aged(
            store,
            CSR,
            approved_object(&name, node, kind, &issued, &ts),
            age,
        )?;
    }
    Ok(())
}
