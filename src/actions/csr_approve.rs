//! Approving and denying CSRs through the `approval` subresource, with the audit record.
//!
//! Per CSR: read the fresh object; if it is gone or no longer pending, say so calmly; otherwise
//! add the condition from `csr::approval::approval_condition` and PUT it to `/approval` with the
//! object's resourceVersion. A 409 conflict re-reads and tries again.

use std::collections::BTreeSet;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;
use kube::api::PostParams;
use kube::{Api, Client};
use serde_json::Value;

use super::{Origin, WriteReport};
use crate::csr::approval::{Decision, approval_condition, override_matches};
use crate::csr::audit::{AuditAction, AuditRecord, append_audit};
use crate::csr::checks::Validation;
use crate::csr::rows::{CsrState, csr_state};
use crate::gate::Access;
use crate::kube_conn::one_line;

/// Tries per CSR when the object keeps changing under us.
const CONFLICT_RETRIES: usize = 4;

/// One CSR to decide, with the validation the decision is based on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrItem {
    pub name: String,
    pub signer: String,
    pub validation: Validation,
}

/// Approve or deny CSRs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrWrite {
    pub decision: Decision,
    pub items: Vec<CsrItem>,
    /// Done by the auto-approver rather than by hand.
    pub auto: bool,
    /// Who asks (filled in by the app).
    pub origin: Origin,
}

impl CsrWrite {
    /// `update certificatesigningrequests/approval`, plus `approve signers/<name>` per signer
    /// (the API server checks both).
    pub fn access(&self) -> Vec<Access> {
        let signers: BTreeSet<&str> = self.items.iter().map(|i| i.signer.as_str()).collect();
        let mut out = vec![approval_access()];
        out.extend(signers.into_iter().map(signer_access));
        out
    }

    /// A single approval of a CSR failing a check (or whose node identity nothing confirms)
    /// needs the node name or `approve` typed; everything else confirms with Enter.
    pub fn accepts(&self, typed: &str) -> bool {
        match (self.decision, self.items.as_slice()) {
            (Decision::Approve, [one]) => override_matches(typed, one.validation.node.as_deref()),
            _ => true,
        }
    }
}

/// `update certificatesigningrequests/approval`.
pub fn approval_access() -> Access {
    Access {
        verb: "update".into(),
        group: "certificates.k8s.io".into(),
        resource: "certificatesigningrequests".into(),
        subresource: Some("approval".into()),
        namespace: None,
        name: None,
    }
}

/// `approve signers/<signer>`.
pub fn signer_access(signer: &str) -> Access {
    Access {
        verb: "approve".into(),
        group: "certificates.k8s.io".into(),
        resource: "signers".into(),
        subresource: None,
        namespace: None,
        name: Some(signer.to_string()),
    }
}

/// What happened to one CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Someone decided first: the state it is in now.
    AlreadyDecided(CsrState),
    Gone,
    Error(String),
}

impl Outcome {
    pub fn text(&self, decision: Decision) -> String {
        match self {
            Outcome::Done => match decision {
                Decision::Approve => "approved".into(),
                Decision::Deny => "denied".into(),
            },
            Outcome::AlreadyDecided(s) => format!("already {}", format!("{s:?}").to_lowercase()),
            Outcome::Gone => "deleted meanwhile".into(),
            Outcome::Error(e) => format!("error: {e}"),
        }
    }
}

/// The fresh object with `condition` added to its conditions, for PUT `/approval`.
pub fn with_condition(fresh: &CertificateSigningRequest, condition: Value) -> Value {
    let mut obj = serde_json::to_value(fresh).unwrap_or(Value::Null);
    if let Some(o) = obj.as_object_mut() {
        let status = o
            .entry("status")
            .or_insert_with(|| Value::Object(Default::default()));
        if !status.is_object() {
            *status = Value::Object(Default::default());
        }
        if let Some(s) = status.as_object_mut() {
            let conds = s
                .entry("conditions")
                .or_insert_with(|| Value::Array(Vec::new()));
            match conds.as_array_mut() {
                Some(a) => a.push(condition),
                None => *conds = Value::Array(vec![condition]),
            }
        }
    }
    obj
}

async fn decide_one(
    api: &Api<CertificateSigningRequest>,
    item: &CsrItem,
    decision: Decision,
    user: &str,
) -> Outcome {
    for _ in 0..CONFLICT_RETRIES {
        let fresh = match api.get_opt(&item.name).await {
            Ok(Some(c)) => c,
            Ok(None) => return Outcome::Gone,
            Err(e) => return Outcome::Error(one_line(&e)),
        };
        match csr_state(&fresh) {
            CsrState::Pending => {}
            s => return Outcome::AlreadyDecided(s),
        }
        let overridden = (decision == Decision::Approve).then_some(&item.validation);
        let cond = approval_condition(decision, user, overridden, Timestamp::now());
        let body = with_condition(&fresh, cond);
        match api
            .replace_subresource("approval", &item.name, &PostParams::default(), &body)
            .await
        {
            Ok(_) => return Outcome::Done,
            Err(kube::Error::Api(s)) if s.code == 409 => {
                tracing::info!(csr = %item.name, "approval conflict, retrying on the fresh object");
            }
            Err(kube::Error::Api(s)) if s.code == 404 => return Outcome::Gone,
            Err(e) => return Outcome::Error(one_line(&e)),
        }
    }
    Outcome::Error("the CSR kept changing (conflict); try again".into())
}

/// Decide every CSR in order and append one audit record each.
pub async fn run(client: Client, w: CsrWrite) -> WriteReport {
    let api: Api<CertificateSigningRequest> = Api::all(client);
    let action = match (w.decision, w.auto) {
        (Decision::Deny, _) => AuditAction::Deny,
        (Decision::Approve, true) => AuditAction::AutoApprove,
        (Decision::Approve, false) => AuditAction::Approve,
    };
    let mut outcomes = Vec::new();
    let mut done = 0;
    let mut audit_error = None;
    for item in &w.items {
        let outcome = decide_one(&api, item, w.decision, &w.origin.user).await;
        if outcome == Outcome::Done {
            done += 1;
        }
        let text = outcome.text(w.decision);
        tracing::info!(csr = %item.name, outcome = %text, ?action, "CSR decision");
        if let Some(path) = &w.origin.audit {
            let rec = AuditRecord::new(
                Timestamp::now(),
                &w.origin.context,
                &w.origin.user,
                action,
                &item.name,
                &item.validation,
                &text,
            );
            if let Err(e) = append_audit(path, &rec) {
                tracing::warn!(error = %e, path = %path.display(), "cannot write the audit log");
                audit_error = Some(format!("audit log {}: {e}", path.display()));
            }
        }
        outcomes.push((item.name.clone(), text));
    }
    let verb = match (w.decision, w.auto) {
        (Decision::Deny, _) => "denied",
        (Decision::Approve, true) => "auto-approved",
        (Decision::Approve, false) => "approved",
    };
    let mut summary = match outcomes.as_slice() {
        [(name, text)] => format!("{name}: {text}"),
        _ => {
            let others: Vec<String> = outcomes
                .iter()
                .filter(|(_, t)| !matches!(t.as_str(), "approved" | "denied"))
                .map(|(n, t)| format!("{n} {t}"))
                .collect();
            let mut s = format!("{verb} {done} of {} CSRs", outcomes.len());
            if !others.is_empty() {
                s.push_str(&format!(" ({})", others.join("; ")));
            }
            s
        }
    };
    if w.auto && outcomes.len() == 1 {
        summary = format!("auto-approve: {summary}");
    }
    if let Some(e) = audit_error {
        summary.push_str(&format!(" — {e}"));
    }
    WriteReport { summary, outcomes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::CsrKind;
    use crate::csr::checks::Check;
    use serde_json::json;

    fn item(node: Option<&str>, passed: bool) -> CsrItem {
        CsrItem {
            name: "csr-1".into(),
            signer: crate::csr::SIGNER_CLIENT.into(),
            validation: Validation {
                kind: CsrKind::Client,
                node: node.map(str::to_string),
                checks: vec![Check {
                    id: "requestor",
                    title: "Requestor",
                    passed,
                    reason: "x".into(),
                }],
                renewal: false,
            },
        }
    }

    #[test]
    fn single_approval_accepts_the_node_name_or_approve() {
        let w = CsrWrite {
            decision: Decision::Approve,
            items: vec![item(Some("arm-1"), false)],
            auto: false,
            origin: Origin::default(),
        };
        assert!(w.accepts("arm-1"));
        assert!(w.accepts(" approve "));
        assert!(!w.accepts("arm-2"));
        assert!(!w.accepts(""));
        let deny = CsrWrite {
            decision: Decision::Deny,
            ..w.clone()
        };
        assert!(deny.accepts(""));
    }

    #[test]
    fn access_asks_for_the_subresource_and_each_signer_once() {
        let mut serving = item(None, true);
        serving.signer = crate::csr::SIGNER_SERVING.into();
        let w = CsrWrite {
            decision: Decision::Approve,
            items: vec![item(None, true), item(None, true), serving],
            auto: false,
            origin: Origin::default(),
        };
        let a: Vec<String> = w.access().iter().map(Access::describe).collect();
        assert_eq!(
            a,
            vec![
                "update certificatesigningrequests/approval",
                "approve signers kubernetes.io/kube-apiserver-client-kubelet",
                "approve signers kubernetes.io/kubelet-serving",
            ]
        );
    }

    #[test]
    fn condition_is_appended_to_existing_ones() {
        let c: CertificateSigningRequest = serde_json::from_value(json!({
            "metadata": {"name": "csr-1", "resourceVersion": "7"},
            "spec": {"request": "", "signerName": "x"},
            "status": {"conditions": [{"type": "Other", "status": "True"}]}
        }))
        .unwrap();
        let v = with_condition(&c, json!({"type": "Approved", "status": "True"}));
        assert_eq!(v["metadata"]["resourceVersion"], "7");
        let conds = v["status"]["conditions"].as_array().unwrap();
        assert_eq!(conds.len(), 2);
        assert_eq!(conds[1]["type"], "Approved");
        let bare: CertificateSigningRequest = serde_json::from_value(json!({
            "metadata": {"name": "csr-2"}, "spec": {"request": "", "signerName": "x"}
        }))
        .unwrap();
        let v = with_condition(&bare, json!({"type": "Denied"}));
        assert_eq!(v["status"]["conditions"][0]["type"], "Denied");
    }

    #[test]
    fn outcomes_read_calmly() {
        assert_eq!(Outcome::Done.text(Decision::Deny), "denied");
        assert_eq!(
            Outcome::AlreadyDecided(CsrState::Approved).text(Decision::Approve),
            "already approved"
        );
        assert_eq!(Outcome::Gone.text(Decision::Approve), "deleted meanwhile");
    }
}
