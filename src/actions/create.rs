//! Creating a hosted cluster or node pool from a wizard's plan: the objects in the plan's fixed
//! order, and on the first failure the rollback of everything this run created
//! (`wizard::exec::execute`). Nothing exists yet to pin to; what is pinned is the plan that was
//! reviewed (the same objects the dry run sent). One audit line per create, rollback included.

use kube::Client;

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::gate::Access;
use crate::wizard::build::{Plan, defaults};
use crate::wizard::exec;

/// Create the reviewed plan of a wizard.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateWrite {
    pub plan: Box<Plan>,
    /// `HostedCluster ns/name` or `NodePool ns/name`: the main object.
    pub target: String,
    pub origin: Origin,
}

impl Eq for CreateWrite {}

/// `create <resource>` in the wizards' namespace: what the wizard asks before it opens.
pub fn create_access(resource: &str) -> Access {
    Access {
        verb: "create".into(),
        group: "hypershift.openshift.io".into(),
        resource: resource.into(),
        subresource: None,
        namespace: Some(defaults::NAMESPACE.into()),
        name: None,
    }
}

impl CreateWrite {
    pub fn access(&self) -> Access {
        if self.target.starts_with("NodePool") {
            create_access("nodepools")
        } else {
            create_access("hostedclusters")
        }
    }

    pub fn progress(&self) -> String {
        format!("creating {}…", self.target)
    }

    fn object(&self) -> AuditTarget {
        let (kind, key) = self.target.split_once(' ').unwrap_or((&self.target, ""));
        let (ns, name) = key.split_once('/').unwrap_or(("", key));
        AuditTarget::new(kind, Some(ns), name, None)
    }
}

/// Create (with rollback on failure), audit, report. The wizard reads the detail.
pub async fn run(client: Client, w: CreateWrite) -> WriteReport {
    let result = exec::execute(&client, &w.plan).await;
    let (ok, outcome, summary) = match &result {
        Ok(r) => {
            let created: Vec<String> = r.created.iter().map(ToString::to_string).collect();
            (
                true,
                format!("created: {}", created.join(", ")),
                format!("created {}", w.target),
            )
        }
        Err(e) => (
            false,
            format!("failed: {}", e.explanation),
            format!("{}: {}", w.target, e.explanation),
        ),
    };
    let rolled_back: Vec<String> = match &result {
        Err(e) => e.rolled_back.iter().map(ToString::to_string).collect(),
        Ok(_) => Vec::new(),
    };
    let mut entry = AuditEntry::new(&w.origin.context, "create", w.object(), &outcome);
    if !rolled_back.is_empty() {
        entry = entry.with("rolled_back", rolled_back);
    }
    entry.user = w.origin.user.clone();
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[entry]).await;
    WriteReport {
        kind: WriteKind::Create,
        ok,
        summary,
        outcomes: vec![(w.target.clone(), outcome)],
        detail: WriteDetail::Created {
            target: w.target.clone(),
            result,
            audit_error: audit_error.clone(),
        },
    }
    .with_audit_error(audit_error)
}
