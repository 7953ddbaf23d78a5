//! Approving and denying CSRs through the `approval` subresource, with the audit record.
//!
//! Every decision is pinned to the object that was shown and checked: per CSR, read the fresh
//! object; refuse if its uid or spec differ from what the admin saw; for an approval, re-run the
//! checks on it (with the Node and Machines read now) and refuse if anything the admin did not
//! override fails; then PUT it to `/approval` carrying its uid (a UID precondition: a CSR
//! re-created under the same name is never the one approved) and resourceVersion (a 409 re-reads
//! and tries again). The condition and the audit record name the identity the API server knows
//! (SelfSubjectReview), and the audit record carries the uid and the checks at submit.

use std::collections::BTreeSet;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::PostParams;
use kube::{Api, Client};
use serde_json::Value;

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::csr::approval::{
    Decision, approval_condition, needs_typed_node_name, override_matches, still_allowed,
};
use crate::csr::audit::{AuditAction, CsrAuditDetails};
use crate::csr::checks::{Inputs, Validation, validate};
use crate::csr::state::{CsrState, csr_state};
use crate::gate::Access;
use crate::kube_conn::one_line;

/// Tries per CSR when the object keeps changing under us.
const CONFLICT_RETRIES: usize = 4;

/// One CSR to decide, pinned to the object the validation was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrItem {
    pub name: String,
    /// `metadata.uid` of the object shown: a different uid is a different CSR.
    pub uid: Option<String>,
    /// `spec` as shown (JSON): any change to what is asked refuses the decision.
    pub spec: Value,
    pub signer: String,
    pub validation: Validation,
}

impl CsrItem {
    /// Pins `csr` (as shown) with the validation the admin saw.
    pub fn pinned(csr: &CertificateSigningRequest, validation: &Validation) -> Self {
        CsrItem {
            name: csr.metadata.name.clone().unwrap_or_default(),
            uid: csr.metadata.uid.clone(),
            spec: serde_json::to_value(&csr.spec).unwrap_or(Value::Null),
            signer: csr.spec.signer_name.clone(),
            validation: validation.clone(),
        }
    }

    /// Why the fresh object is not the one that was shown, if it is not.
    fn changed(&self, fresh: &CertificateSigningRequest) -> Option<String> {
        if fresh.metadata.uid != self.uid {
            return Some(format!(
                "{} was deleted and re-created since you checked it (uid {} is now {}): nothing done; check the new one",
                self.name,
                self.uid.as_deref().unwrap_or("?"),
                fresh.metadata.uid.as_deref().unwrap_or("?"),
            ));
        }
        let spec = serde_json::to_value(&fresh.spec).unwrap_or(Value::Null);
        (spec != self.spec).then(|| {
            format!(
                "{}'s request changed since you checked it: nothing done; check it again",
                self.name
            )
        })
    }
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

    /// The status line while it runs.
    pub fn progress(&self) -> String {
        let verb = match self.decision {
            Decision::Approve => "approving",
            Decision::Deny => "denying",
        };
        match self.items.as_slice() {
            [one] => format!("{verb} {}…", one.name),
            many => format!("{verb} {} CSRs…", many.len()),
        }
    }

    /// A single approval of a CSR failing a check (or whose node identity nothing confirms)
    /// needs the node name typed exactly; everything else confirms with Enter.
    pub fn accepts(&self, typed: &str) -> bool {
        match (self.decision, self.items.as_slice()) {
            (Decision::Approve, [one]) if needs_typed_node_name(&one.validation) => {
                override_matches(typed, one.validation.node.as_deref())
            }
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
    /// Not the object that was checked, or it no longer passes: nothing written.
    Refused(String),
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
            Outcome::Refused(why) => format!("refused: {why}"),
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

/// What the checks read besides the CSR, read once per write run.
struct Recheck {
    nodes: Api<Node>,
    /// `None` when the cluster serves no Machine API.
    machines: Option<crate::csr::machines::MachineIndex>,
}

impl Recheck {
    /// The checks on the fresh object, with its Node read now.
    async fn validate(
        &self,
        fresh: &CertificateSigningRequest,
        node: Option<&str>,
    ) -> Result<Validation, String> {
        let nodes: Vec<Node> = match node {
            Some(n) => match self.nodes.get_opt(n).await {
                Ok(found) => found.into_iter().collect(),
                Err(e) => return Err(format!("cannot read Node {n}: {}", one_line(&e))),
            },
            None => Vec::new(),
        };
        // A block, so the (not Send) lookup is gone before the await below.
        let first = {
            let inputs = Inputs {
                nodes: &nodes,
                machines: self.machines.as_ref(),
                now: Timestamp::now(),
            };
            validate(fresh, &inputs)
        };
        // The node named by the fresh request may differ from the one shown.
        match first.node.clone() {
            Some(n) if Some(n.as_str()) != node => {
                Box::pin(self.validate(fresh, Some(n.as_str()))).await
            }
            _ => Ok(first),
        }
    }
}

/// The decision for one CSR and the validation at submit (for the audit record).
async fn decide_one(
    api: &Api<CertificateSigningRequest>,
    recheck: Option<&Recheck>,
    item: &CsrItem,
    decision: Decision,
    user: &str,
) -> (Outcome, Validation) {
    let mut at_submit = item.validation.clone();
    for _ in 0..CONFLICT_RETRIES {
        let fresh = match api.get_opt(&item.name).await {
            Ok(Some(c)) => c,
            Ok(None) => return (Outcome::Gone, at_submit),
            Err(e) => return (Outcome::Error(one_line(&e)), at_submit),
        };
        if let Some(why) = item.changed(&fresh) {
            return (Outcome::Refused(why.to_string()), at_submit);
        }
        match csr_state(&fresh) {
            CsrState::Pending => {}
            s => return (Outcome::AlreadyDecided(s), at_submit),
        }
        if let Some(rc) = recheck {
            at_submit = match rc.validate(&fresh, item.validation.node.as_deref()).await {
                Ok(v) => v,
                Err(e) => return (Outcome::Error(e), at_submit),
            };
            if let Err(why) = still_allowed(&item.validation, &at_submit) {
                return (Outcome::Refused(why.to_string()), at_submit);
            }
        }
        let overridden = (decision == Decision::Approve).then_some(&at_submit);
        let cond = approval_condition(decision, user, overridden, Timestamp::now());
        // The body carries the fresh uid and resourceVersion: the server refuses it (409) for
        // any other incarnation or version of the CSR.
        let body = with_condition(&fresh, cond);
        match api
            .replace_subresource("approval", &item.name, &PostParams::default(), &body)
            .await
        {
            Ok(_) => return (Outcome::Done, at_submit),
            Err(kube::Error::Api(s)) if s.code == 409 => {
                tracing::info!(csr = %item.name, "approval conflict, retrying on the fresh object");
            }
            Err(kube::Error::Api(s)) if s.code == 404 => return (Outcome::Gone, at_submit),
            Err(e) => return (Outcome::Error(one_line(&e)), at_submit),
        }
    }
    (
        Outcome::Error("the CSR kept changing (conflict); try again".into()),
        at_submit,
    )
}

/// Who we are to the API server (`kubectl auth whoami`).
pub async fn whoami(client: &Client) -> Result<String, String> {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    let review = api
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .map_err(|e| one_line(&e))?;
    review
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| "the API server did not say".to_string())
}

/// Decide every CSR in order and append one audit record each.
pub async fn run(client: Client, w: CsrWrite) -> WriteReport {
    let api: Api<CertificateSigningRequest> = Api::all(client.clone());
    let action = match (w.decision, w.auto) {
        (Decision::Deny, _) => AuditAction::Deny,
        (Decision::Approve, true) => AuditAction::AutoApprove,
        (Decision::Approve, false) => AuditAction::Approve,
    };
    let identity = match whoami(&client).await {
        Ok(name) => name,
        Err(e) => {
            tracing::warn!(error = %e, "SelfSubjectReview failed; the approver is recorded as unknown");
            format!("unknown ({e})")
        }
    };
    let recheck = if w.decision == Decision::Approve {
        match crate::watch::machine::machines_for_checks(&client).await {
            Ok(machines) => Some(Recheck {
                nodes: Api::all(client.clone()),
                machines,
            }),
            Err(e) => {
                let text = format!("error: cannot re-check before approving: {e}");
                let outcomes: Vec<(String, String)> = w
                    .items
                    .iter()
                    .map(|i| (i.name.clone(), text.clone()))
                    .collect();
                return WriteReport {
                    kind: WriteKind::Csr,
                    ok: false,
                    summary: format!("nothing approved: cannot re-check the CSRs: {e}"),
                    outcomes,

                    detail: WriteDetail::None,
                };
            }
        }
    } else {
        None
    };
    let mut outcomes = Vec::new();
    let mut records = Vec::new();
    let mut done = 0;
    for item in &w.items {
        let (outcome, at_submit) =
            decide_one(&api, recheck.as_ref(), item, w.decision, &identity).await;
        if outcome == Outcome::Done {
            done += 1;
        }
        let text = outcome.text(w.decision);
        tracing::info!(csr = %item.name, outcome = %text, ?action, "CSR decision");
        let target = AuditTarget::new(
            "CertificateSigningRequest",
            None,
            &item.name,
            item.uid.as_deref(),
        );
        let mut entry = AuditEntry::new(&w.origin.context, action.as_str(), target, &text)
            .with_fields(CsrAuditDetails::new(action, &item.name, &at_submit));
        // The identity the API server knows, the one named in the condition.
        entry.user = identity.clone();
        entry.local_user = w.origin.user.clone();
        records.push(entry);
        outcomes.push((item.name.clone(), text));
    }
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &records).await;
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
    WriteReport {
        kind: WriteKind::Csr,
        ok: done == outcomes.len(),
        summary,
        outcomes,

        detail: WriteDetail::None,
    }
    .with_audit_error(audit_error)
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
            uid: Some("u-1".into()),
            spec: Value::Null,
            signer: crate::csr::SIGNER_CLIENT.into(),
            validation: Validation {
                kind: CsrKind::Client,
                node: node.map(str::to_string),
                checks: vec![Check {
                    id: "machine",
                    title: "Machine",
                    passed,
                    reason: "x".into(),
                    class: crate::csr::checks::CheckClass::Override,
                }],
                renewal: false,
            },
        }
    }

    #[test]
    fn single_approval_accepts_only_the_node_name() {
        let w = CsrWrite {
            decision: Decision::Approve,
            items: vec![item(Some("arm-1"), false)],
            auto: false,
            origin: Origin::default(),
        };
        assert!(w.accepts("arm-1"));
        assert!(!w.accepts("approve"));
        assert!(!w.accepts(" arm-1"));
        assert!(!w.accepts("arm-2"));
        assert!(!w.accepts(""));
        // A passing CSR whose Machine vouches for it confirms with Enter.
        let ok = CsrWrite {
            items: vec![item(Some("arm-1"), true)],
            ..w.clone()
        };
        assert!(ok.accepts(""));
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
        assert_eq!(
            Outcome::Refused("x changed".into()).text(Decision::Approve),
            "refused: x changed"
        );
    }
}
