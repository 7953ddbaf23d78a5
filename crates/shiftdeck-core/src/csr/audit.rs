//! What the audit log says about a CSR decision beyond the common record
//! (`actions::audit::AuditEntry`): the action, the node, the kind and the checks at submit, and
//! whether the admin overrode failed checks. Pure: the line is written by the one audit writer.

use serde::{Deserialize, Serialize};

use super::checks::Validation;

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// An admin approved.
    Approve,
    /// An admin denied.
    Deny,
    /// The auto-approve policy approved.
    AutoApprove,
}

impl AuditAction {
    /// The `action` field of the audit line.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Approve => "approve",
            AuditAction::Deny => "deny",
            AuditAction::AutoApprove => "auto-approve",
        }
    }
}

/// The CSR-specific fields of an audit line (flattened into it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsrAuditDetails {
    /// CSR name.
    pub csr: String,
    /// Node from the CN.
    pub node: Option<String>,
    /// `client`, `serving` or the short signer.
    pub kind: String,
    /// Checks summary at submit (re-run on the fresh object): `all 10 checks passed` /
    /// `failed: machine`.
    pub checks: String,
    /// Ids of the checks failed at submit.
    pub failed_checks: Vec<String>,
    /// Approved despite failed checks (or without a Machine vouching for the node) because the
    /// admin typed the node name.
    #[serde(rename = "override")]
    pub overridden: bool,
}

impl CsrAuditDetails {
    /// From the validation the decision was based on (the one at submit).
    pub fn new(action: AuditAction, csr: &str, validation: &Validation) -> Self {
        let failed_checks: Vec<String> = validation
            .failed_ids()
            .into_iter()
            .map(str::to_string)
            .collect();
        let overridden = action == AuditAction::Approve
            && (!failed_checks.is_empty() || !validation.identity_confirmed());
        CsrAuditDetails {
            csr: csr.to_string(),
            node: validation.node.clone(),
            kind: validation.kind.short(),
            checks: validation.summary(),
            overridden,
            failed_checks,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::api::core::v1::Node;

    use super::*;
    use crate::csr::checks::{Inputs, validate};
    use crate::csr::testutil::*;

    fn validation(c: &k8s_openapi::api::certificates::v1::CertificateSigningRequest) -> Validation {
        let nodes: BTreeMap<String, Node> = BTreeMap::new();
        validate(
            c,
            &Inputs {
                nodes: &nodes,
                machines: None,
                now: t0(),
            },
        )
    }

    #[test]
    fn details_format() {
        let v = validation(&client_csr("csr-1", "w1", t0()));
        let d = CsrAuditDetails::new(AuditAction::Approve, "csr-1", &v);
        // No Machine API: the admin confirmed the identity by typing the node name.
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            concat!(
                r#"{"csr":"csr-1","node":"w1","kind":"client","#,
                r#""checks":"all 10 checks passed","failed_checks":[],"override":true}"#,
            )
        );
    }

    #[test]
    fn override_flag() {
        let mut c = client_csr("csr-2", "w2", t0());
        c.spec.username = Some("mallory".into());
        let v = validation(&c);
        let approve = CsrAuditDetails::new(AuditAction::Approve, "csr-2", &v);
        assert!(approve.overridden);
        assert_eq!(approve.failed_checks, ["requestor"]);
        assert_eq!(approve.checks, "failed: requestor");
        assert!(!CsrAuditDetails::new(AuditAction::Deny, "csr-2", &v).overridden);
        assert!(!CsrAuditDetails::new(AuditAction::AutoApprove, "csr-2", &v).overridden);
        assert_eq!(AuditAction::AutoApprove.as_str(), "auto-approve");
    }
}
