//! Pure core of the CSR pane: decoding node CSRs, named validation checks, the pane's row view model,
//! the "joining nodes" pipeline and the audit record.
//!
//! Nothing here talks to a terminal, a cluster or a file (the audit line is written by
//! `actions::audit`). The TUI pane is expected to be built as
//! `(CSR store snapshot, Node store, optional Machines, now) -> Validation -> CsrRow -> widgets`:
//!
//! - [`decode`]: PEM/base64 PKCS#10 -> [`decode::DecodedRequest`] (subject, SANs, key, signature).
//! - [`state`]: the CSR state machine (Pending / Approved / Denied / Failed, Issued) and the
//!   one-hour approval window.
//! - [`validation`]: what a validation produces ([`validation::Check`], [`validation::Validation`])
//!   and reads ([`validation::Inputs`]).
//! - [`checks`]: [`checks::validate`] runs the rules (`rules`) -> a [`checks::Validation`] with
//!   stable check ids.
//! - [`rows`]: [`rows::build_rows`], [`rows::table`], [`rows::rows_json`] for the pane and `get csrs`.
//! - [`details`]: [`details::CsrDetails`], the details view (fields and text lines).
//! - [`approval`]: bulk approval, override confirmation, approval condition, auto-approve policy.
//! - [`joining`]: client CSR -> serving CSR -> Node Ready pipeline per node.
//! - [`audit`]: the CSR fields of the audit-log record.
//!
//! Wiring sketch for the pane (all calls are pure):
//!
//! ```text
//! let inputs = checks::Inputs { nodes: &node_map, machines: machine_index.as_ref(), now };
//! let vals = checks::validate_all(&csrs, &mut decode_cache, &inputs);   // on store change
//! let rows = rows::build_rows(csrs.iter().zip(&vals), filter, now);      // CHECK/countdown cells
//! let (headers, cells) = rows::table(&rows);                             // or rows::rows_json
//! let det = details::CsrDetails::new(&csr, decode_cache.get(&csr).clone(), &val, now);
//! // approve: val.approvable() (no `never` check failed), then needs_override /
//! // needs_identity_confirmation -> the node name typed -> override_matches; at submit the
//! // write task (actions::csr_approve) re-reads the CSR, compares uid and spec, re-validates and
//! // checks approval::still_allowed before PUT /approval with the uid as a precondition.
//! let cond = approval::approval_condition(Decision::Approve, identity, Some(&val), now);
//! let details = audit::CsrAuditDetails::new(AuditAction::Approve, name, &val); // in the audit line
//! ```
//!
//! Machines may be `machine.openshift.io/v1beta1` or CAPI `cluster.x-k8s.io` Machines: only
//! `metadata.name`, `metadata.creationTimestamp`, `status.addresses[{type,address}]` and
//! `status.nodeRef.name` are read.

pub mod approval;
pub mod audit;
pub mod checks;
pub mod decode;
pub mod details;
pub mod joining;
pub mod machines;
pub mod prevalidate;
pub mod rows;
mod rules;
pub mod state;
pub mod validation;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;

/// Signer of kubelet client certificates (`KubeAPIServerClientKubeletSignerName`).
pub const SIGNER_CLIENT: &str = "kubernetes.io/kube-apiserver-client-kubelet";
/// Signer of kubelet serving certificates (`KubeletServingSignerName`).
pub const SIGNER_SERVING: &str = "kubernetes.io/kubelet-serving";
/// The user that requests a new node's first client certificate.
pub const NODE_BOOTSTRAPPER: &str =
    "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper";
/// Groups the API server records for [`NODE_BOOTSTRAPPER`].
pub const NODE_BOOTSTRAPPER_GROUPS: [&str; 3] = [
    "system:serviceaccounts:openshift-machine-config-operator",
    "system:serviceaccounts",
    "system:authenticated",
];
/// Prefix of node user names and node certificate CNs.
pub const NODE_USER_PREFIX: &str = "system:node:";
/// Organization of node certificates.
pub const NODES_GROUP: &str = "system:nodes";
/// Group every authenticated user has.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";

/// What a CSR is for, from its `spec.signerName`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CsrKind {
    /// A kubelet client certificate (bootstrap or renewal).
    Client,
    /// A kubelet serving certificate.
    Serving,
    /// Any other signer; never approvable by shiftdeck's node checks.
    Other(String),
}

impl CsrKind {
    /// Classifies a signer name.
    pub fn from_signer(signer: &str) -> Self {
        match signer {
            SIGNER_CLIENT => Self::Client,
            SIGNER_SERVING => Self::Serving,
            other => Self::Other(other.to_string()),
        }
    }

    /// Classifies a CSR by its signer.
    pub fn of(csr: &CertificateSigningRequest) -> Self {
        Self::from_signer(&csr.spec.signer_name)
    }

    /// Short label for the KIND column: `client`, `serving`, or the other signer shortened
    /// (`kubernetes.io/` dropped, e.g. `kube-apiserver-client`).
    pub fn short(&self) -> String {
        match self {
            Self::Client => "client".to_string(),
            Self::Serving => "serving".to_string(),
            Self::Other(s) => s.strip_prefix("kubernetes.io/").unwrap_or(s).to_string(),
        }
    }

    /// Order used when approving: client certificates first, then serving, then the rest.
    pub fn approval_rank(&self) -> u8 {
        match self {
            Self::Client => 0,
            Self::Serving => 1,
            Self::Other(_) => 2,
        }
    }
}

/// Node name from a certificate CN or user name `system:node:<name>`; `None` when the prefix is
/// missing or the name is empty.
pub fn node_name_from(subject: &str) -> Option<&str> {
    subject
        .strip_prefix(NODE_USER_PREFIX)
        .filter(|n| !n.is_empty())
}

/// Whether `name` is a valid Node name (a DNS-1123 subdomain: lower-case alphanumerics, `-` and
/// `.`, labels of 1..=63 characters starting and ending alphanumeric, at most 253 characters).
pub fn is_valid_node_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.starts_with(alnum)
                && label.ends_with(alnum)
                && label.chars().all(|c| alnum(c) || c == '-')
        })
}

/// Text from the cluster made safe to draw in a terminal: control characters (ESC, CR, ...) and
/// bidi controls are shown escaped (`\u{1b}`) so a crafted CSR cannot move the cursor, recolour
/// the screen or reorder what the admin reads.
pub fn display_safe(s: &str) -> String {
    crate::text::escape_unsafe(s).into_owned()
}

/// `metadata.creationTimestamp` of a CSR.
pub fn created(csr: &CertificateSigningRequest) -> Option<Timestamp> {
    csr.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// `metadata.name` of a CSR, or the empty string.
pub fn name(csr: &CertificateSigningRequest) -> &str {
    csr.metadata.name.as_deref().unwrap_or_default()
}

/// Parses an RFC 3339 timestamp as found in untyped objects (Machines).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

#[cfg(any(test, feature = "testkit"))]
pub mod testutil;

#[cfg(test)]
mod conformance_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_short_labels() {
        assert_eq!(CsrKind::from_signer(SIGNER_CLIENT).short(), "client");
        assert_eq!(CsrKind::from_signer(SIGNER_SERVING).short(), "serving");
        assert_eq!(
            CsrKind::from_signer("kubernetes.io/kube-apiserver-client").short(),
            "kube-apiserver-client"
        );
        assert_eq!(
            CsrKind::from_signer("example.com/signer").short(),
            "example.com/signer"
        );
    }

    #[test]
    fn valid_node_names() {
        for ok in ["worker-1", "a", "ip-10-0-1-2.ec2.internal", "0abc"] {
            assert!(is_valid_node_name(ok), "{ok}");
        }
        let long_label = "a".repeat(64);
        for bad in [
            "",
            "Worker",
            "-a",
            "a-",
            "a..b",
            "a_b",
            "a\x1b[2J",
            long_label.as_str(),
        ] {
            assert!(!is_valid_node_name(bad), "{bad}");
        }
        assert!(!is_valid_node_name(&"a.".repeat(127)));
    }

    #[test]
    fn display_safe_escapes_controls() {
        assert_eq!(display_safe("worker-1"), "worker-1");
        assert_eq!(display_safe("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\u{a}");
    }

    #[test]
    fn node_names() {
        assert_eq!(node_name_from("system:node:worker-1"), Some("worker-1"));
        assert_eq!(node_name_from("system:node:"), None);
        assert_eq!(node_name_from("worker-1"), None);
    }
}
