//! Scale writes for node pools and MachineSets, run in a spawned task: the `scale` subresource
//! with a merge patch (what `oc scale nodepool` does), or a NodePool `spec.autoScaling` patch;
//! every attempt is appended to the audit log. The app only builds a [`ScaleJob`] and reads
//! the [`ScaleOutcome`] message that comes back.

use std::path::PathBuf;

use kube::api::{ApiResource, DynamicObject, Patch, PatchParams};
use kube::{Api, Client};
use serde::Serialize;
use serde_json::Value;

use crate::fleet::scale_target::ScaleKind;
use crate::gate::Access;
use crate::kube_conn::one_line;

/// Which scale key was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStep {
    Up,
    Down,
    Type,
}

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleChange {
    /// `spec.replicas` through the scale subresource.
    Replicas {
        from: i64,
        to: i64,
        likely_removed: Vec<String>,
    },
    /// NodePool `spec.autoScaling` min/max.
    Autoscaling { min: i64, max: i64 },
}

/// A confirmed scale write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleJob {
    pub generation: u64,
    pub kind: ScaleKind,
    pub namespace: String,
    pub name: String,
    pub change: ScaleChange,
    /// The merge patch body.
    pub body: Value,
    pub context: String,
    pub user: String,
    pub audit: Option<PathBuf>,
}

/// How a scale write ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOutcome {
    pub generation: u64,
    /// `node pool clusters/example-extra-cpu scaled 2 → 3` or the error.
    pub message: String,
    pub ok: bool,
}

/// The RBAC question for scaling (`update <plural>/scale`) or editing autoscaling
/// (`patch <plural>`) in `namespace`.
pub fn access(kind: ScaleKind, namespace: &str, autoscaling: bool) -> Access {
    Access {
        verb: if autoscaling { "patch" } else { "update" }.into(),
        group: kind.group().into(),
        resource: kind.plural().into(),
        subresource: (!autoscaling).then(|| "scale".to_string()),
        namespace: Some(namespace.to_string()).filter(|n| !n.is_empty()),
        name: None,
    }
}

/// One audit-log line for a scale action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleAudit {
    pub time: String,
    pub context: String,
    pub user: String,
    /// `scale` or `autoscaling`.
    pub action: &'static str,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub likely_removed: Vec<String>,
    /// `ok` or `error: <message>`.
    pub outcome: String,
}

impl ScaleAudit {
    pub fn new(job: &ScaleJob, time: String, outcome: &str) -> Self {
        let (action, from, to, min, max, likely) = match &job.change {
            ScaleChange::Replicas {
                from,
                to,
                likely_removed,
            } => (
                "scale",
                Some(*from),
                Some(*to),
                None,
                None,
                likely_removed.clone(),
            ),
            ScaleChange::Autoscaling { min, max } => (
                "autoscaling",
                None,
                None,
                Some(*min),
                Some(*max),
                Vec::new(),
            ),
        };
        ScaleAudit {
            time,
            context: job.context.clone(),
            user: job.user.clone(),
            action,
            kind: job.kind.kind(),
            namespace: job.namespace.clone(),
            name: job.name.clone(),
            from,
            to,
            min,
            max,
            likely_removed: likely,
            outcome: outcome.to_string(),
        }
    }
}

fn api(client: Client, job: &ScaleJob) -> Api<DynamicObject> {
    let k = job.kind;
    let ar = ApiResource {
        group: k.group().into(),
        version: k.version().into(),
        api_version: format!("{}/{}", k.group(), k.version()),
        kind: k.kind().into(),
        plural: k.plural().into(),
    };
    Api::namespaced_with(client, &job.namespace, &ar)
}

/// Run the write, append the audit record, and describe the result.
pub async fn run(client: Client, job: ScaleJob) -> ScaleOutcome {
    let api = api(client, &job);
    let pp = PatchParams::default();
    let res = match &job.change {
        ScaleChange::Replicas { .. } => api
            .patch_scale(&job.name, &pp, &Patch::Merge(&job.body))
            .await
            .map(|_| ()),
        ScaleChange::Autoscaling { .. } => api
            .patch(&job.name, &pp, &Patch::Merge(&job.body))
            .await
            .map(|_| ()),
    };
    let what = format!("{} {}/{}", job.kind.noun(), job.namespace, job.name);
    let (ok, message, outcome) = match (&res, &job.change) {
        (Ok(()), ScaleChange::Replicas { from, to, .. }) => {
            (true, format!("{what}: scaling {from} → {to}"), "ok".into())
        }
        (Ok(()), ScaleChange::Autoscaling { min, max }) => (
            true,
            format!("{what}: autoscaling set to min {min}, max {max}"),
            "ok".into(),
        ),
        (Err(e), _) => {
            let e = one_line(e);
            (
                false,
                format!("{what}: scale failed: {e}"),
                format!("error: {e}"),
            )
        }
    };
    if let Some(path) = &job.audit {
        let time = k8s_openapi::jiff::Timestamp::now().round(k8s_openapi::jiff::Unit::Second);
        let rec = ScaleAudit::new(
            &job,
            time.map(|t| t.to_string()).unwrap_or_default(),
            &outcome,
        );
        if let Err(e) = crate::csr::audit::append_json_line(path, &rec) {
            tracing::warn!(error = %e, "cannot write the audit log");
        }
    }
    ScaleOutcome {
        generation: job.generation,
        message,
        ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn audit_record_of_a_scale() {
        let job = ScaleJob {
            generation: 1,
            kind: ScaleKind::NodePool,
            namespace: "clusters".into(),
            name: "np".into(),
            change: ScaleChange::Replicas {
                from: 3,
                to: 2,
                likely_removed: vec!["np-abc".into()],
            },
            body: json!({"spec": {"replicas": 2}}),
            context: "hub".into(),
            user: "alice".into(),
            audit: None,
        };
        let v = serde_json::to_value(ScaleAudit::new(&job, "t".into(), "ok")).unwrap();
        assert_eq!(
            v,
            json!({"time": "t", "context": "hub", "user": "alice", "action": "scale",
                "kind": "NodePool", "namespace": "clusters", "name": "np", "from": 3, "to": 2,
                "likely_removed": ["np-abc"], "outcome": "ok"})
        );
        let a = access(ScaleKind::MachineSet, "openshift-machine-api", false);
        assert_eq!(a.describe(), "update machinesets/scale");
    }
}
