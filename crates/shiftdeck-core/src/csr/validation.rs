//! What a CSR validation produces and reads: named [`Check`]s with their [`CheckClass`], the
//! [`Validation`] of one CSR, and the [`Inputs`] (Nodes, Machines, now) the rules look at. The
//! rules ([`super::rules`]) fill it; [`super::checks::validate`] runs them.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::CsrKind;
use super::machines::MachineIndex;

/// Looks Nodes up by name (implemented for maps by name and `Vec<Node>`).
pub trait NodeLookup {
    /// The Node called `name`, if it exists.
    fn node(&self, name: &str) -> Option<&Node>;
}

/// Nodes borrowed from a store snapshot, by name (the CSR pane and the validations made ahead).
impl<S: std::hash::BuildHasher> NodeLookup for HashMap<&str, &Node, S> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.get(name).copied()
    }
}

impl NodeLookup for BTreeMap<String, Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.get(name)
    }
}

impl NodeLookup for HashMap<String, Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.get(name)
    }
}

impl NodeLookup for Vec<std::sync::Arc<Node>> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
            .map(|n| n.as_ref())
    }
}

impl NodeLookup for Vec<Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
    }
}

/// Everything the checks look at besides the CSR.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// Nodes by name.
    pub nodes: &'a dyn NodeLookup,
    /// `machine.openshift.io/v1beta1` Machines; `None` when the cluster has no Machine API (the
    /// Machine checks are then left out and the admin must confirm the node's identity).
    pub machines: Option<&'a MachineIndex>,
    /// The current time (for countdowns and policies built on the validation).
    pub now: Timestamp,
}

/// What a failed check means for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckClass {
    /// The request must never be signed: no override exists.
    Never,
    /// A matter of human judgment (no Machine API, a Machine outside the creation window, …):
    /// approvable only by typing the node name.
    Override,
}

impl CheckClass {
    /// The class of a check id (one table, so a check cannot change class by accident).
    pub fn of(id: &str) -> Self {
        match id {
            "node-exists" | "machine" | "machine-noderef" | "machine-window" | "sans-match"
            | "pending-limit" => CheckClass::Override,
            _ => CheckClass::Never,
        }
    }
}

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable short id, e.g. `groups`.
    pub id: &'static str,
    /// Human title, e.g. "Requestor groups".
    pub title: &'static str,
    /// Whether the check passed.
    pub passed: bool,
    /// Plain-words reason, for passing and failing checks alike.
    pub reason: String,
    /// What a failure means for approval.
    pub class: CheckClass,
}

/// The outcome of all checks for one CSR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// What the CSR is for.
    #[serde(serialize_with = "ser_kind")]
    pub kind: CsrKind,
    /// Node name from the CN (or, failing that, from a `system:node:` requestor).
    pub node: Option<String>,
    /// Checks in display order.
    pub checks: Vec<Check>,
    /// A client CSR requested by `system:node:<name>` for that same node (certificate renewal).
    pub renewal: bool,
}

fn ser_kind<S: serde::Serializer>(k: &CsrKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&k.short())
}

impl Validation {
    /// True when there is at least one check and every check passed.
    pub fn passed_all(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    /// What a decided (approved, denied, failed) CSR's row needs and nothing more: kind, node,
    /// renewal and one check, the first failed one or, when all passed, the first, so that
    /// [`Validation::passed_all`] and [`Validation::first_failure`] answer as before. At a
    /// fleet's 19,000 decided CSRs the full checks with their reasons were 30 MB; their details
    /// view validates afresh.
    pub fn into_row_summary(mut self) -> Validation {
        let keep = self
            .checks
            .iter()
            .position(|c| !c.passed)
            .or((!self.checks.is_empty()).then_some(0));
        self.checks = match keep {
            Some(i) => vec![self.checks.swap_remove(i)],
            None => Vec::new(),
        };
        self.checks.shrink_to_fit();
        self.node = self.node.map(|mut n| {
            n.shrink_to_fit();
            n
        });
        self
    }

    /// The first failed check, in display order.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.passed)
    }

    /// Ids of the failed checks, in display order.
    pub fn failed_ids(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id)
            .collect()
    }

    /// Whether the node's identity is confirmed by something other than the CSR's own claims:
    /// for a new node's client CSR, a passing `machine` check (Machine API); for a serving CSR, a Machine whose
    /// nodeRef is the node has every SAN. Without it a human must confirm the identity by typing
    /// the node name (see `approval::needs_identity_confirmation`).
    pub fn identity_confirmed(&self) -> bool {
        let passed = |id: &str| self.checks.iter().any(|c| c.id == id && c.passed);
        match self.kind {
            // A renewal is kube-controller-manager's to approve (selfnodeclient), not
            // cluster-machine-approver's: by hand here, with the node name typed.
            CsrKind::Client => !self.renewal && passed("machine"),
            CsrKind::Serving => passed("machine") && passed("sans-match"),
            CsrKind::Other(_) => false,
        }
    }

    /// Failed checks that nothing may override.
    pub fn never_failures(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| !c.passed && c.class == CheckClass::Never)
    }

    /// Whether a human may approve at all (typing the node name where checks failed): a node name
    /// is known and no `never` check failed.
    pub fn approvable(&self) -> bool {
        self.node.is_some() && self.never_failures().next().is_none()
    }

    /// One-line summary: `all 12 checks passed` or `failed: groups, usages`.
    pub fn summary(&self) -> String {
        if self.passed_all() {
            format!("all {} checks passed", self.checks.len())
        } else {
            format!("failed: {}", self.failed_ids().join(", "))
        }
    }
}

pub(crate) fn check(
    id: &'static str,
    title: &'static str,
    passed: bool,
    reason: impl Into<String>,
) -> Check {
    Check {
        id,
        title,
        passed,
        reason: reason.into(),
        class: CheckClass::of(id),
    }
}

/// `+1h2m3s` / `-5s` style.
pub(crate) fn fmt_signed(d: SignedDuration) -> String {
    let s = d.as_secs();
    let sign = if s < 0 { "-" } else { "+" };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, (a / 60) % 60, a % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{sign}{m}m{sec}s")
    } else {
        format!("{sign}{sec}s")
    }
}
