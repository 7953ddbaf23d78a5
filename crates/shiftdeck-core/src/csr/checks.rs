//! Named validation checks for node CSRs: cluster-machine-approver's rules (csr_check.go) and the
//! kubelet signers' own, stricter only where the README's rules table says why. A CSR shiftdeck
//! calls valid passes every check below.
//!
//! Check ids are stable (used in the CHECK column, the audit log, `get csrs` and tests). A failed
//! check of class `never` can never be approved; one of class `override` only by typing the node
//! name (see [`CheckClass`]):
//!
//! | id | class | kinds | what |
//! |---|---|---|---|
//! | `signer` | never | all | signer is the kubelet client or serving signer |
//! | `decode` | never | all | `spec.request` is a PEM PKCS#10 request |
//! | `signature` | never | all | the request's self-signature verifies |
//! | `requestor` | never | client, serving | who asked (bootstrapper / the node itself) |
//! | `groups` | never | client, serving | the requestor's exact groups |
//! | `subject-cn` | never | client, serving | CN is `system:node:<name>` |
//! | `subject-o` | never | client, serving | O is exactly `[system:nodes]` |
//! | `usages` | never | client, serving | key usages the approver and signer accept |
//! | `no-sans` | never | client | no SANs |
//! | `san-types` | never | serving | DNS/IP SANs only, at least one |
//! | `node-absent` | never | client (bootstrap) | no Node of that name exists yet |
//! | `node-exists` | override | client (renewal) | the renewing Node exists |
//! | `machine` | override | all (Machine API) | bootstrap: a Machine has the node name as InternalDNS; otherwise: a Machine's nodeRef is the node |
//! | `machine-noderef` | override | client (Machine API) | that Machine has no nodeRef yet |
//! | `machine-window` | override | client (Machine API) | CSR created in machine creation −10 s … +2 h |
//! | `sans-match` | override | serving (Machine API) | every SAN is one of that Machine's addresses |
//!
//! `validate` decodes the request and verifies its signature (the expensive part); the rules are
//! cheap. For a whole store use [`validate_all`] with a [`DecodeCache`] and re-run it when CSRs,
//! Nodes or Machines change rather than on every frame.

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;

use super::decode::{DecodeCache, DecodeError, DecodedRequest, decode_csr};
use super::rules::Ctx;
use super::{CsrKind, node_name_from};

// The outcome types live in `validation` (the rules build them too); kept reachable from here,
// where callers look for `validate`.
pub(crate) use super::validation::check;
pub use super::validation::{Check, CheckClass, Inputs, NodeLookup, Validation};

/// Decodes and validates one CSR.
pub fn validate(csr: &CertificateSigningRequest, inputs: &Inputs<'_>) -> Validation {
    validate_decoded(csr, &decode_csr(csr), inputs)
}

/// Validates many CSRs, decoding through `cache` (see [`DecodeCache`]).
pub fn validate_all(
    csrs: &[CertificateSigningRequest],
    cache: &mut DecodeCache,
    inputs: &Inputs<'_>,
) -> Vec<Validation> {
    csrs.iter()
        .map(|c| validate_decoded(c, cache.get(c), inputs))
        .collect()
}

/// Validates a CSR whose request was already decoded (so the details view can reuse the decode).
pub fn validate_decoded(
    csr: &CertificateSigningRequest,
    decoded: &Result<DecodedRequest, DecodeError>,
    inputs: &Inputs<'_>,
) -> Validation {
    let kind = CsrKind::of(csr);
    let username = csr.spec.username.as_deref().unwrap_or_default();
    let node = decoded
        .as_ref()
        .ok()
        .and_then(|d| d.common_name())
        .and_then(node_name_from)
        .or_else(|| node_name_from(username))
        .map(str::to_string);
    let mut checks = Vec::new();
    checks.push(match &kind {
        CsrKind::Other(s) => check(
            "signer",
            "Kubelet signer",
            false,
            format!(
                "signer {s} is not a kubelet client or serving signer; shiftdeck never approves it"
            ),
        ),
        k => check(
            "signer",
            "Kubelet signer",
            true,
            format!("{} ({})", csr.spec.signer_name, k.short()),
        ),
    });
    let d = match decoded {
        Ok(d) => {
            checks.push(check(
                "decode",
                "Request decodes",
                true,
                "spec.request is a PEM PKCS#10 certificate request",
            ));
            d
        }
        Err(e) => {
            checks.push(check("decode", "Request decodes", false, e.to_string()));
            return Validation {
                kind,
                node,
                checks,
                renewal: false,
            };
        }
    };
    checks.push(if d.signature_valid {
        check(
            "signature",
            "Self-signature",
            true,
            "signed by the key it asks a certificate for",
        )
    } else {
        check(
            "signature",
            "Self-signature",
            false,
            format!(
                "the request's signature does not verify: {}",
                d.signature_error
            ),
        )
    });
    let ctx = Ctx {
        csr,
        d,
        node: node.as_deref(),
        username,
        groups: csr.spec.groups.as_deref().unwrap_or_default(),
        inputs,
    };
    let renewal = kind == CsrKind::Client && ctx.is_renewal();
    match kind {
        CsrKind::Client => ctx.client(&mut checks),
        CsrKind::Serving => ctx.serving(&mut checks),
        CsrKind::Other(_) => {}
    }
    Validation {
        kind,
        node,
        checks,
        renewal,
    }
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
