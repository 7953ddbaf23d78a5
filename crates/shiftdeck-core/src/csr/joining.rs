//! "Joining nodes": per node name, the pipeline client CSR -> serving CSR -> Node Ready, with
//! timestamps, time spent at each step and a console-like stage label.
//!
//! Stages, in pipeline order (a kubelet registers its Node with the client certificate, may become
//! Ready, and then asks for its serving certificate, so a pending serving CSR wins over Ready):
//! - `Discovered`: the client CSR is pending and no Node exists (known only from its CSR);
//! - `Pending serving CSR`: the client CSR is approved, no serving CSR yet;
//! - `Approval required`: the serving CSR is pending;
//! - `Joining`: the serving CSR is approved, the Node is missing or not Ready;
//! - `Ready`: the Node is Ready and nothing is pending;
//! - `Denied` / `Failed`: the newest client or serving CSR was denied / failed and the Node is not Ready.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::checks::Validation;
use super::state::{CsrState, csr_state};
use super::{CsrKind, NODE_USER_PREFIX, created, name};

/// Only nodes with a node CSR created this recently, and whose Node (if any) was created this
/// recently, are "joining" (older ones are renewals of long-running nodes).
pub const JOINING_WINDOW: SignedDuration = SignedDuration::from_secs(24 * 3600);

/// Where a node is in the join pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JoinStage {
    /// Client CSR pending, no Node yet.
    Discovered,
    /// Client CSR approved, waiting for the serving CSR.
    PendingServingCsr,
    /// Serving CSR pending.
    ApprovalRequired,
    /// Serving CSR approved, Node not Ready yet.
    Joining,
    /// Node Ready.
    Ready,
    /// Newest node CSR denied.
    Denied,
    /// Newest node CSR failed.
    Failed,
}

impl JoinStage {
    /// Console-like label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Discovered => "Discovered",
            Self::PendingServingCsr => "Pending serving CSR",
            Self::ApprovalRequired => "Approval required",
            Self::Joining => "Joining",
            Self::Ready => "Ready",
            Self::Denied => "Denied",
            Self::Failed => "Failed",
        }
    }
}

/// One step of the pipeline: when it started and (if done) finished.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// Start (CSR creation; for Ready: serving approval or Node creation).
    pub started: Option<Timestamp>,
    /// End (approval time; Ready transition time).
    pub finished: Option<Timestamp>,
}

impl Step {
    /// Time spent: `finished - started`, or `now - started` while in progress.
    pub fn duration(&self, now: Timestamp) -> Option<SignedDuration> {
        let s = self.started?;
        Some(
            self.finished
                .unwrap_or(now)
                .duration_since(s)
                .max(SignedDuration::ZERO),
        )
    }
}

/// The pipeline of one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoiningNode {
    /// Node name (from the CSR CN / requestor).
    pub node: String,
    /// Current stage.
    pub stage: JoinStage,
    /// Newest client CSR name.
    pub client_csr: Option<String>,
    /// Client CSR: created -> approved.
    pub client: Step,
    /// Newest serving CSR name.
    pub serving_csr: Option<String>,
    /// Serving CSR: created -> approved.
    pub serving: Step,
    /// Node: created (or serving approval, whichever is later) -> Ready.
    pub ready: Step,
    /// When the current stage began.
    pub since: Option<Timestamp>,
    /// Time spent in the current stage so far.
    pub in_stage: SignedDuration,
}

/// Builds the pipeline for recently joining nodes from CSRs with their validations (for the node
/// name and kind) and the Nodes, sorted so stuck ones come first: not Ready
/// before Ready, then longest in the current stage first, then by name.
pub fn joining_nodes<'a, N: std::borrow::Borrow<Node>>(
    csrs: impl IntoIterator<Item = (&'a CertificateSigningRequest, &'a Validation)>,
    nodes: &[N],
    now: Timestamp,
) -> Vec<JoiningNode> {
    let window_start = now - JOINING_WINDOW;
    let by_name: HashMap<&str, &Node> = nodes
        .iter()
        .map(|n| n.borrow())
        .filter_map(|n| Some((n.metadata.name.as_deref()?, n)))
        .collect();
    // Newest client and serving CSR per node.
    let mut per_node: BTreeMap<
        String,
        (
            Option<&CertificateSigningRequest>,
            Option<&CertificateSigningRequest>,
        ),
    > = BTreeMap::new();
    for (c, v) in csrs {
        let kind = v.kind.clone();
        if kind.approval_rank() > 1 || created(c).is_none_or(|t| t < window_start) {
            continue;
        }
        // Client renewals come from the node itself: not a join.
        let user = c.spec.username.as_deref().unwrap_or_default();
        if kind == CsrKind::Client && user.starts_with(NODE_USER_PREFIX) {
            continue;
        }
        let Some(node) = v.node.clone() else {
            continue;
        };
        let entry = per_node.entry(node).or_default();
        let slot = if kind == CsrKind::Client {
            &mut entry.0
        } else {
            &mut entry.1
        };
        if slot.is_none_or(|old| created(old) < created(c)) {
            *slot = Some(c);
        }
    }
    let mut out: Vec<JoiningNode> = per_node
        .into_iter()
        .filter(|(n, _)| {
            by_name.get(n.as_str()).is_none_or(|node| {
                node.metadata
                    .creation_timestamp
                    .as_ref()
                    .is_some_and(|t| t.0 >= window_start)
            })
        })
        .map(|(n, (c, s))| pipeline(n.clone(), c, s, by_name.get(n.as_str()).copied(), now))
        .collect();
    out.sort_by(|a, b| {
        (a.stage == JoinStage::Ready)
            .cmp(&(b.stage == JoinStage::Ready))
            .then_with(|| b.in_stage.cmp(&a.in_stage))
            .then_with(|| a.node.cmp(&b.node))
    });
    out
}

fn condition_time(c: &CertificateSigningRequest, type_: &str) -> Option<Timestamp> {
    c.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find_map(|x| {
            (x.type_ == type_)
                .then(|| {
                    x.last_update_time
                        .as_ref()
                        .or(x.last_transition_time.as_ref())
                        .map(|t| t.0)
                })
                .flatten()
        })
}

fn ready_since(n: &Node) -> Option<Timestamp> {
    let c = n
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(
        c.last_transition_time
            .as_ref()
            .map_or(Timestamp::UNIX_EPOCH, |t| t.0),
    )
}

fn step(c: Option<&CertificateSigningRequest>) -> Step {
    Step {
        started: c.and_then(created),
        finished: c.and_then(|c| condition_time(c, "Approved")),
    }
}

fn pipeline(
    node: String,
    client: Option<&CertificateSigningRequest>,
    serving: Option<&CertificateSigningRequest>,
    node_obj: Option<&Node>,
    now: Timestamp,
) -> JoiningNode {
    let (cs, ss) = (client.map(csr_state), serving.map(csr_state));
    let (client_step, serving_step) = (step(client), step(serving));
    let ready_at = node_obj.and_then(ready_since);
    let node_created = node_obj.and_then(|n| n.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let ready_step = Step {
        started: serving_step.finished.max(node_created),
        finished: ready_at,
    };
    let bad = |st: CsrState| [cs, ss].contains(&Some(st));
    let (stage, since) = if ready_at.is_none() && bad(CsrState::Denied) {
        let t = [client, serving]
            .into_iter()
            .flatten()
            .filter_map(|c| condition_time(c, "Denied"))
            .max();
        (JoinStage::Denied, t)
    } else if ready_at.is_none() && bad(CsrState::Failed) {
        let t = [client, serving]
            .into_iter()
            .flatten()
            .filter_map(|c| condition_time(c, "Failed"))
            .max();
        (JoinStage::Failed, t)
    } else if cs == Some(CsrState::Pending) && node_obj.is_none() {
        (JoinStage::Discovered, client_step.started)
    } else if ss == Some(CsrState::Pending) {
        (JoinStage::ApprovalRequired, serving_step.started)
    } else if ss.is_none() {
        (
            JoinStage::PendingServingCsr,
            client_step.finished.or(node_created),
        )
    } else if ready_at.is_none() {
        (JoinStage::Joining, ready_step.started)
    } else {
        (JoinStage::Ready, ready_at)
    };
    JoiningNode {
        node,
        stage,
        client_csr: client.map(|c| name(c).to_string()),
        client: client_step,
        serving_csr: serving.map(|c| name(c).to_string()),
        serving: serving_step,
        ready: ready_step,
        since,
        in_stage: since.map_or(SignedDuration::ZERO, |s| {
            now.duration_since(s).max(SignedDuration::ZERO)
        }),
    }
}

#[cfg(test)]
#[path = "joining_tests.rs"]
mod tests;
