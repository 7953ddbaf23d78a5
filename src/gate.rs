//! The gate of the one write pipeline (`actions`): `--read-only` first, then RBAC
//! (SelfSubjectAccessReview answers, asked ahead of time by tasks and cached here), with the
//! reason shown when an action is disabled. [`ActionGate::check_write`] is the one check every
//! write request goes through; it never does I/O.

use std::collections::HashMap;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    SubjectAccessReviewStatus,
};
use kube::api::PostParams;
use kube::{Api, Client};

use crate::kube_conn::one_line;

/// An action the user asked for, described enough to decide whether it may run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GatedAction {
    /// Switch the kubeconfig context (changes nothing on any cluster).
    SwitchContext(String),
    /// A write to the cluster, e.g. cordon: `patch nodes/worker-0`.
    ClusterWrite(Access),
    /// A write outside the cluster (e.g. an Azure blob copy): only read-only mode disables it.
    External(String),
}

/// The RBAC question for a cluster write.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Access {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl Access {
    pub fn describe(&self) -> String {
        let sub = self
            .subresource
            .as_deref()
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        let name = self
            .name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        format!("{} {}{sub}{name}", self.verb, self.resource)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Disabled, with the reason to show.
    Denied(String),
    /// Not decided without asking the API server (RBAC not cached yet).
    Ask,
}

pub const READ_ONLY_REASON: &str = "read-only mode (--read-only): actions are disabled";

#[derive(Debug, Default)]
pub struct ActionGate {
    read_only: bool,
    rbac: HashMap<Access, Verdict>,
}

impl ActionGate {
    pub fn new(read_only: bool) -> Self {
        ActionGate {
            read_only,
            rbac: HashMap::new(),
        }
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Decide without I/O: read-only and cached RBAC answers. `Ask` means call `check`.
    pub fn check_local(&self, action: &GatedAction) -> Verdict {
        match action {
            GatedAction::SwitchContext(_) => Verdict::Allowed,
            GatedAction::ClusterWrite(_) if self.read_only => {
                Verdict::Denied(READ_ONLY_REASON.into())
            }
            GatedAction::ClusterWrite(a) => self.rbac.get(a).cloned().unwrap_or(Verdict::Ask),
            GatedAction::External(_) if self.read_only => Verdict::Denied(READ_ONLY_REASON.into()),
            GatedAction::External(_) => Verdict::Allowed,
        }
    }

    /// Decide, asking the API server with a SelfSubjectAccessReview when needed; the answer is
    /// cached (cleared on context switch with `forget_rbac`).
    pub async fn check(&mut self, client: &Client, action: &GatedAction) -> Verdict {
        match self.check_local(action) {
            Verdict::Ask => {}
            v => return v,
        }
        let GatedAction::ClusterWrite(access) = action else {
            return Verdict::Allowed;
        };
        let v = match review(client, access).await {
            Ok(status) => verdict_from_review(access, &status),
            // Not cached: a transient failure should not disable the action for good.
            Err(e) => return Verdict::Denied(format!("cannot check permission: {e}")),
        };
        self.rbac.insert(access.clone(), v.clone());
        v
    }

    pub fn forget_rbac(&mut self) {
        self.rbac.clear();
    }

    /// Cache an answer obtained elsewhere (a task running [`review_verdict`]).
    pub fn remember(&mut self, access: Access, verdict: Verdict) {
        if verdict != Verdict::Ask {
            self.rbac.insert(access, verdict);
        }
    }

    /// The verdict for a write needing these permissions (none: a write outside the cluster,
    /// which only read-only mode disables): read-only first, then the first cached denial, then
    /// any unanswered question (`Ask`), else allowed.
    pub fn check_write(&self, accesses: &[Access]) -> Verdict {
        if self.read_only {
            return Verdict::Denied(READ_ONLY_REASON.into());
        }
        let verdicts: Vec<Verdict> = accesses
            .iter()
            .map(|a| self.check_local(&GatedAction::ClusterWrite(a.clone())))
            .collect();
        if let Some(d) = verdicts.iter().find(|v| matches!(v, Verdict::Denied(_))) {
            return d.clone();
        }
        if verdicts.contains(&Verdict::Ask) {
            return Verdict::Ask;
        }
        Verdict::Allowed
    }
}

/// Why the API server gave no access answer (not a "no": the action is asked about again).
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("{}", one_line(.0))]
    Api(#[from] kube::Error),
    #[error("the API server returned no review status")]
    NoStatus,
}

/// Ask the API server (SelfSubjectAccessReview), without caching: for tasks that report the
/// answer back to the UI, which caches it with [`ActionGate::remember`].
pub async fn review_verdict(client: &Client, access: &Access) -> Result<Verdict, AccessError> {
    review(client, access)
        .await
        .map(|s| verdict_from_review(access, &s))
}

async fn review(client: &Client, a: &Access) -> Result<SubjectAccessReviewStatus, AccessError> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let ssar = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(a.verb.clone()),
                group: Some(a.group.clone()),
                resource: Some(a.resource.clone()),
                subresource: a.subresource.clone(),
                namespace: a.namespace.clone(),
                name: a.name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = api.create(&PostParams::default(), &ssar).await?;
    out.status.ok_or(AccessError::NoStatus)
}

/// Turn a review status into a verdict with a reason a user understands.
pub fn verdict_from_review(a: &Access, s: &SubjectAccessReviewStatus) -> Verdict {
    if s.allowed && s.denied != Some(true) {
        return Verdict::Allowed;
    }
    let why = s
        .reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .or(s.evaluation_error.as_deref())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Verdict::Denied(format!("RBAC: you may not {}{why}", a.describe()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cordon() -> GatedAction {
        GatedAction::ClusterWrite(Access {
            verb: "patch".into(),
            group: String::new(),
            resource: "nodes".into(),
            subresource: None,
            namespace: None,
            name: Some("worker-0".into()),
        })
    }

    #[test]
    fn read_only_denies_writes_with_a_reason_but_not_context_switches() {
        let g = ActionGate::new(true);
        assert_eq!(
            g.check_local(&cordon()),
            Verdict::Denied(READ_ONLY_REASON.into())
        );
        assert_eq!(
            g.check_local(&GatedAction::SwitchContext("x".into())),
            Verdict::Allowed
        );
        let g = ActionGate::new(false);
        assert_eq!(g.check_local(&cordon()), Verdict::Ask);
    }

    #[test]
    fn check_write_puts_read_only_first_even_without_rbac_questions() {
        let GatedAction::ClusterWrite(a) = cordon() else {
            unreachable!()
        };
        let ro = ActionGate::new(true);
        assert_eq!(
            ro.check_write(&[]),
            Verdict::Denied(READ_ONLY_REASON.into())
        );
        assert_eq!(
            ro.check_write(std::slice::from_ref(&a)),
            Verdict::Denied(READ_ONLY_REASON.into())
        );
        let mut g = ActionGate::new(false);
        assert_eq!(g.check_write(&[]), Verdict::Allowed);
        assert_eq!(g.check_write(std::slice::from_ref(&a)), Verdict::Ask);
        g.remember(a.clone(), Verdict::Denied("no".into()));
        assert_eq!(
            g.check_write(std::slice::from_ref(&a)),
            Verdict::Denied("no".into())
        );
        g.remember(a.clone(), Verdict::Allowed);
        assert_eq!(g.check_write(&[a]), Verdict::Allowed);
    }

    #[test]
    fn rbac_answers_become_verdicts() {
        let GatedAction::ClusterWrite(a) = cordon() else {
            unreachable!()
        };
        let allowed = SubjectAccessReviewStatus {
            allowed: true,
            ..Default::default()
        };
        assert_eq!(verdict_from_review(&a, &allowed), Verdict::Allowed);
        let denied = SubjectAccessReviewStatus {
            allowed: false,
            reason: Some("no RBAC policy matched".into()),
            ..Default::default()
        };
        assert_eq!(
            verdict_from_review(&a, &denied),
            Verdict::Denied(
                "RBAC: you may not patch nodes worker-0 (no RBAC policy matched)".into()
            )
        );
    }
}
