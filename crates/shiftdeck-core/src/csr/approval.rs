//! Approval decisions: bulk approval, override confirmation, the approval condition and the
//! auto-approve policy. Pure: the caller sends the condition through the `approval` subresource.

use std::collections::BTreeMap;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::checks::Validation;
use super::state::{CsrState, csr_state};
use super::{CsrKind, created, name};

/// One CSR to approve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkItem {
    /// CSR name.
    pub name: String,
    /// Client or serving.
    pub kind: CsrKind,
    /// Node from the CN.
    pub node: Option<String>,
}

/// What a bulk approval would do, for the confirm dialog.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkApproval {
    /// CSRs to approve, in order: client first, then serving; oldest first within a kind.
    pub items: Vec<BulkItem>,
    /// Number of client CSRs in `items`.
    pub clients: usize,
    /// Number of serving CSRs in `items`.
    pub serving: usize,
    /// CSRs per node name in `items`.
    pub per_node: BTreeMap<String, usize>,
    /// Pending CSRs left out because a check failed, oldest first (then by name), so the list
    /// reads the same whatever order the caller keeps its CSRs in.
    pub skipped: Vec<String>,
}

/// Pending CSRs that pass every check and whose node identity a Machine confirms (see
/// [`Validation::identity_confirmed`]), client first then serving (oldest first
/// within a kind), with counts per kind and per node. The other pending CSRs are listed in
/// `skipped` (they need a human, one at a time); CSRs that are not pending are ignored.
pub fn bulk_approvable<'a>(
    items: impl IntoIterator<Item = (&'a CertificateSigningRequest, &'a Validation)>,
) -> BulkApproval {
    let mut ok: Vec<(&CertificateSigningRequest, &Validation)> = Vec::new();
    let mut skipped: Vec<&CertificateSigningRequest> = Vec::new();
    let mut out = BulkApproval::default();
    for (c, v) in items {
        if csr_state(c) != CsrState::Pending {
            continue;
        }
        if v.passed_all() && v.identity_confirmed() && v.kind.approval_rank() < 2 {
            ok.push((c, v));
        } else {
            skipped.push(c);
        }
    }
    skipped.sort_by(|a, b| {
        created(a)
            .cmp(&created(b))
            .then_with(|| name(a).cmp(name(b)))
    });
    out.skipped = skipped.into_iter().map(|c| name(c).to_string()).collect();
    ok.sort_by(|(a, va), (b, vb)| {
        va.kind
            .approval_rank()
            .cmp(&vb.kind.approval_rank())
            .then_with(|| created(a).cmp(&created(b)))
            .then_with(|| name(a).cmp(name(b)))
    });
    for (c, v) in ok {
        match v.kind {
            CsrKind::Client => out.clients += 1,
            _ => out.serving += 1,
        }
        if let Some(n) = &v.node {
            *out.per_node.entry(n.clone()).or_default() += 1;
        }
        out.items.push(BulkItem {
            name: name(c).to_string(),
            kind: v.kind.clone(),
            node: v.node.clone(),
        });
    }
    out
}

/// Whether approving needs an explicit override (some check failed).
pub fn needs_override(v: &Validation) -> bool {
    !v.passed_all()
}

/// Whether approving a CSR that passes every check should still ask the admin to confirm the
/// node's identity (type the node name, checked with [`override_matches`]): nothing but the CSR
/// vouches for the node (no Machine API), as on a UPI cluster or inside a hosted cluster.
pub fn needs_identity_confirmation(v: &Validation) -> bool {
    v.passed_all() && !v.identity_confirmed()
}

/// Whether approving needs the node name typed: a failed overridable check, or nothing but the
/// request vouching for the node.
pub fn needs_typed_node_name(v: &Validation) -> bool {
    needs_override(v) || needs_identity_confirmation(v)
}

/// Whether an override may be offered at all: never when a check of class `never` failed (the
/// signer, the request itself, who asked, the subject, the usages, a bootstrap for an existing
/// node) or no node name is known to type.
pub fn override_allowed(v: &Validation) -> bool {
    v.approvable()
}

/// Whether the text typed in the override prompt confirms it: exactly the node name.
pub fn override_matches(typed: &str, node: Option<&str>) -> bool {
    node.is_some_and(|n| !n.is_empty() && typed == n)
}

/// What changed between the validation the admin confirmed and the one at submit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Changed {
    /// A check that must never fail now fails (never overridable).
    #[error("check {id} now fails: {reason}")]
    NeverCheckFails { id: String, reason: String },
    #[error("checks that passed now fail: {}", .0.join(", "))]
    ChecksNowFail(Vec<String>),
    #[error("nothing confirms the node's identity any more")]
    IdentityLost,
    #[error("the node it is for changed")]
    NodeChanged,
}

/// Whether the validation of the fresh object at submit still allows what the admin confirmed
/// against `pinned`: nothing `never` failed, no check failed that had passed when the admin
/// looked, and the identity is still confirmed if it was. `Err` says what changed.
pub fn still_allowed(pinned: &Validation, fresh: &Validation) -> Result<(), Changed> {
    if let Some(c) = fresh.never_failures().next() {
        return Err(Changed::NeverCheckFails {
            id: c.id.to_string(),
            reason: c.reason.clone(),
        });
    }
    let before = pinned.failed_ids();
    let new: Vec<String> = fresh
        .failed_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .map(str::to_string)
        .collect();
    if !new.is_empty() {
        return Err(Changed::ChecksNowFail(new));
    }
    if pinned.identity_confirmed() && !fresh.identity_confirmed() {
        return Err(Changed::IdentityLost);
    }
    if fresh.node != pinned.node {
        return Err(Changed::NodeChanged);
    }
    Ok(())
}

/// cluster-machine-approver's brake: when more node CSRs created in the last hour are pending
/// than `max(machines, nodes) + 100`, it approves nothing (a CSR storm is an attack or a loop).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PendingLimit {
    /// Node CSRs (bootstrapper or `system:node:` requests) pending and created in the last hour.
    pub pending: usize,
    /// `max(machines, nodes) + 100`.
    pub max: usize,
}

impl PendingLimit {
    /// Counts like `recentlyPendingNodeCSRs` (multus CSRs excepted there too: their CN is
    /// `system:multus:…`, so they are not `system:node:` subjects here).
    pub fn count<'a>(
        csrs: impl IntoIterator<Item = (&'a CertificateSigningRequest, &'a Validation)>,
        machines: usize,
        nodes: usize,
        now: Timestamp,
    ) -> Self {
        let hour = k8s_openapi::jiff::SignedDuration::from_secs(3600);
        let skew = k8s_openapi::jiff::SignedDuration::from_secs(10);
        let pending = csrs
            .into_iter()
            .filter(|(c, v)| {
                csr_state(c) == CsrState::Pending
                    && created(c).is_some_and(|t| t > now - hour && t < now + skew)
                    && v.node.is_some()
                    && matches!(v.kind, CsrKind::Client | CsrKind::Serving)
            })
            .count();
        PendingLimit {
            pending,
            max: machines.max(nodes) + 100,
        }
    }

    /// Over the limit: bulk and automatic approval stop; single approvals need the node name.
    pub fn exceeded(&self) -> bool {
        self.pending > self.max
    }

    /// The words for the dialog and the status bar.
    pub fn reason(&self) -> String {
        format!(
            "{} node CSRs pending from the last hour, more than max(Machines, Nodes) + 100 = {}: \
             cluster-machine-approver stops approving; check each one",
            self.pending, self.max
        )
    }
}

/// Approve or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Condition `Approved`.
    Approve,
    /// Condition `Denied`.
    Deny,
}

/// The condition to add through the `approval` subresource:
/// `{type, status: "True", reason: ShiftdeckApprove|ShiftdeckDeny, message, lastUpdateTime}`.
/// `message` is `"<approved|denied> by <user> via shiftdeck"`, plus
/// `" (override: failed checks: a, b)"` when `overridden` has failed checks.
pub fn approval_condition(
    decision: Decision,
    user: &str,
    overridden: Option<&Validation>,
    now: Timestamp,
) -> Value {
    let (type_, reason, verb) = match decision {
        Decision::Approve => ("Approved", "ShiftdeckApprove", "approved"),
        Decision::Deny => ("Denied", "ShiftdeckDeny", "denied"),
    };
    let mut message = format!("{verb} by {user} via shiftdeck");
    if let Some(v) = overridden.filter(|v| needs_override(v)) {
        message.push_str(&format!(
            " (override: failed checks: {})",
            v.failed_ids().join(", ")
        ));
    }
    json!({
        "type": type_,
        "status": "True",
        "reason": reason,
        "message": message,
        "lastUpdateTime": rfc3339_seconds(now),
    })
}

/// A JSON merge patch for the `approval` subresource: the CSR's existing conditions plus
/// `condition` (merge patches replace arrays, so the existing ones are kept explicitly).
pub fn approval_patch(csr: &CertificateSigningRequest, condition: Value) -> Value {
    let mut conditions: Vec<Value> = csr
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(|cs| {
            cs.iter()
                .filter_map(|c| serde_json::to_value(c).ok())
                .collect()
        })
        .unwrap_or_default();
    conditions.push(condition);
    json!({ "status": { "conditions": conditions } })
}

/// RFC 3339 in whole seconds, as the API server writes it.
pub fn rfc3339_seconds(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}

/// Limits for [`auto_approve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoApprovePolicy {
    /// If more CSRs than this qualify in one pass, approve none (like cluster-machine-approver's
    /// "too many recent pending CSRs" guard) and leave them to a human.
    pub max_batch: usize,
}

impl Default for AutoApprovePolicy {
    fn default() -> Self {
        Self { max_batch: 100 }
    }
}

/// What the auto-approver does with newly pending CSRs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AutoDecision {
    /// Approve now, in this order (client before serving).
    pub approve: Vec<BulkItem>,
    /// Left for a human: `(csr name, reason)`.
    pub held: Vec<(String, String)>,
}

/// Decides which newly pending CSRs to approve now: only those passing every check whose node
/// identity is confirmed ([`Validation::identity_confirmed`]: without the Machine API a new
/// node's client CSR always waits for a human), client before serving; never anything failing.
pub fn auto_approve<'a>(
    newly_pending: impl IntoIterator<Item = (&'a CertificateSigningRequest, &'a Validation)>,
    policy: AutoApprovePolicy,
) -> AutoDecision {
    let mut held = Vec::new();
    let mut eligible = Vec::new();
    for (c, v) in newly_pending {
        if csr_state(c) != CsrState::Pending {
            continue;
        }
        if !v.passed_all() {
            let why = v.first_failure().map_or_else(String::new, |f| {
                format!("check {} failed: {}", f.id, f.reason)
            });
            held.push((name(c).to_string(), why));
        } else if !v.identity_confirmed() {
            held.push((
                name(c).to_string(),
                "node identity not confirmed by a Machine: approve by hand".to_string(),
            ));
        } else {
            eligible.push((c, v));
        }
    }
    let bulk = bulk_approvable(eligible);
    if bulk.items.len() > policy.max_batch {
        let why = format!(
            "too many CSRs at once ({} > {}): approve by hand",
            bulk.items.len(),
            policy.max_batch
        );
        held.extend(bulk.items.into_iter().map(|i| (i.name, why.clone())));
        return AutoDecision {
            approve: Vec::new(),
            held,
        };
    }
    AutoDecision {
        approve: bulk.items,
        held,
    }
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;
