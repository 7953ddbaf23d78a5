//! Scale writes for node pools and MachineSets: the `scale` subresource (what `oc scale` does),
//! or a NodePool `spec.autoScaling` edit. Both are JSON patches pinned to the object shown: a
//! `test` of `metadata.uid` (a pool deleted and re-created under the same name is never the one
//! scaled) and of the value the admin saw (replicas `from`), so a count changed meanwhile is
//! refused rather than overwritten.

use kube::api::{ApiResource, DynamicObject, Patch, PatchParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::fleet::scale_target::ScaleKind;
use crate::gate::Access;
use crate::kube_conn::one_line;
use crate::scale_io::ScaleChange;

/// A scale or autoscaling edit of one object, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleWrite {
    pub kind: ScaleKind,
    pub namespace: String,
    pub name: String,
    /// `metadata.uid` of the object shown.
    pub uid: Option<String>,
    /// Whether the object shown had `spec.replicas` (an autoscaling edit removes it).
    pub had_replicas: bool,
    pub change: ScaleChange,
    pub origin: Origin,
}

impl ScaleWrite {
    /// `update <plural>/scale`, or `patch <plural>` for the autoscaling range.
    pub fn access(&self) -> Access {
        crate::scale_io::access(
            self.kind,
            &self.namespace,
            matches!(self.change, ScaleChange::Autoscaling { .. }),
        )
    }

    fn what(&self) -> String {
        format!("{} {}/{}", self.kind.noun(), self.namespace, self.name)
    }

    pub fn progress(&self) -> String {
        let what = self.what();
        match &self.change {
            ScaleChange::Replicas { from, to, .. } => format!("{what}: scaling {from} → {to}…"),
            ScaleChange::Autoscaling { min, max } => {
                format!("{what}: setting autoscaling min {min}, max {max}…")
            }
        }
    }

    /// The JSON patch: preconditions first, then the change.
    pub fn patch(&self) -> Value {
        let mut ops = Vec::new();
        if let Some(uid) = &self.uid {
            ops.push(json!({"op": "test", "path": "/metadata/uid", "value": uid}));
        }
        match &self.change {
            ScaleChange::Replicas { from, to, .. } => {
                ops.push(json!({"op": "test", "path": "/spec/replicas", "value": from}));
                ops.push(json!({"op": "replace", "path": "/spec/replicas", "value": to}));
            }
            ScaleChange::Autoscaling { min, max } => {
                // Replicas are owned by the autoscaler from now on (what the merge patch
                // `replicas: null` did).
                if self.had_replicas {
                    ops.push(json!({"op": "remove", "path": "/spec/replicas"}));
                }
                ops.push(json!({"op": "add", "path": "/spec/autoScaling",
                    "value": {"min": min, "max": max}}));
            }
        }
        Value::Array(ops)
    }
}

fn api(client: Client, w: &ScaleWrite) -> Api<DynamicObject> {
    let k = w.kind;
    let ar = ApiResource {
        group: k.group().into(),
        version: k.version().into(),
        api_version: format!("{}/{}", k.group(), k.version()),
        kind: k.kind().into(),
        plural: k.plural().into(),
    };
    Api::namespaced_with(client, &w.namespace, &ar)
}

/// Why a failed write failed, in words. A refused patch (422) is explained by reading the
/// object again: another uid or another count means a failed precondition (it changed).
async fn explain(api: &Api<DynamicObject>, w: &ScaleWrite, e: &kube::Error) -> String {
    let kube::Error::Api(s) = e else {
        return one_line(e);
    };
    if s.code != 422 {
        return one_line(e);
    }
    let changed = match api.get_opt(&w.name).await {
        Ok(Some(now)) => {
            let other_uid = w.uid.is_some() && now.metadata.uid != w.uid;
            let other_count = match &w.change {
                ScaleChange::Replicas { from, .. } => {
                    now.data.pointer("/spec/replicas").and_then(Value::as_i64) != Some(*from)
                }
                ScaleChange::Autoscaling { .. } => false,
            };
            other_uid || other_count
        }
        Ok(None) => true,
        Err(_) => false,
    };
    if changed {
        format!(
            "it changed since it was shown (deleted and re-created, or scaled by someone else): nothing done; look again ({})",
            s.message
        )
    } else {
        one_line(e)
    }
}

/// The audit line of a scale write.
pub fn audit_entry(w: &ScaleWrite, outcome: &str) -> AuditEntry {
    let target = AuditTarget::new(w.kind.kind(), Some(&w.namespace), &w.name, w.uid.as_deref());
    let e = AuditEntry::new(&w.origin.context, "", target, outcome)
        .with("kind", w.kind.kind())
        .with("namespace", &w.namespace)
        .with("name", &w.name);
    let mut e = match &w.change {
        ScaleChange::Replicas {
            from,
            to,
            likely_removed,
        } => {
            let e = e.with("from", from).with("to", to);
            if likely_removed.is_empty() {
                e
            } else {
                e.with("likely_removed", likely_removed)
            }
        }
        ScaleChange::Autoscaling { min, max } => e.with("min", min).with("max", max),
    };
    e.action = match w.change {
        ScaleChange::Replicas { .. } => "scale",
        ScaleChange::Autoscaling { .. } => "autoscaling",
    }
    .into();
    e.user = w.origin.user.clone();
    e
}

/// Run the write, append the audit record, and describe the result.
pub async fn run(client: Client, w: ScaleWrite) -> WriteReport {
    let api = api(client, &w);
    let pp = PatchParams::default();
    let patch: json_patch::Patch = match serde_json::from_value(w.patch()) {
        Ok(p) => p,
        Err(e) => {
            return WriteReport {
                kind: WriteKind::Scale,
                ok: false,
                summary: format!("{}: cannot build the patch: {e}", w.what()),
                outcomes: Vec::new(),

                detail: WriteDetail::None,
            };
        }
    };
    let res = match &w.change {
        ScaleChange::Replicas { .. } => api
            .patch_scale(&w.name, &pp, &Patch::Json::<()>(patch))
            .await
            .map(|_| ()),
        ScaleChange::Autoscaling { .. } => api
            .patch(&w.name, &pp, &Patch::Json::<()>(patch))
            .await
            .map(|_| ()),
    };
    let what = w.what();
    let (ok, summary, outcome) = match (&res, &w.change) {
        (Ok(()), ScaleChange::Replicas { from, to, .. }) => {
            (true, format!("{what}: scaling {from} → {to}"), "ok".into())
        }
        (Ok(()), ScaleChange::Autoscaling { min, max }) => (
            true,
            format!("{what}: autoscaling set to min {min}, max {max}"),
            "ok".into(),
        ),
        (Err(e), _) => {
            let e = explain(&api, &w, e).await;
            (
                false,
                format!("{what}: scale failed: {e}"),
                format!("error: {e}"),
            )
        }
    };
    let entry = audit_entry(&w, &outcome);
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[entry]).await;
    WriteReport {
        kind: WriteKind::Scale,
        ok,
        summary,
        outcomes: vec![(w.name.clone(), outcome)],

        detail: WriteDetail::None,
    }
    .with_audit_error(audit_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(change: ScaleChange) -> ScaleWrite {
        ScaleWrite {
            kind: ScaleKind::NodePool,
            namespace: "clusters".into(),
            name: "np".into(),
            uid: Some("u-1".into()),
            had_replicas: true,
            change,
            origin: Origin {
                user: "alice".into(),
                context: "hub".into(),
                audit: None,
            },
        }
    }

    #[test]
    fn audit_record_of_a_scale() {
        let w = write(ScaleChange::Replicas {
            from: 3,
            to: 2,
            likely_removed: vec!["np-abc".into()],
        });
        let mut v = serde_json::to_value(audit_entry(&w, "ok")).unwrap();
        v["time"] = json!("t");
        v["local_user"] = json!("me");
        assert_eq!(
            v,
            json!({"time": "t", "context": "hub", "user": "alice", "local_user": "me",
                "action": "scale", "target": "NodePool clusters/np",
                "object": {"kind": "NodePool", "namespace": "clusters", "name": "np", "uid": "u-1"},
                "uid": "u-1", "kind": "NodePool", "namespace": "clusters", "name": "np",
                "from": 3, "to": 2, "likely_removed": ["np-abc"], "outcome": "ok"})
        );
        assert_eq!(w.access().describe(), "update nodepools/scale");
    }

    #[test]
    fn patches_are_pinned_to_the_object_and_the_value_shown() {
        let w = write(ScaleChange::Replicas {
            from: 3,
            to: 2,
            likely_removed: vec![],
        });
        assert_eq!(
            w.patch(),
            json!([
                {"op": "test", "path": "/metadata/uid", "value": "u-1"},
                {"op": "test", "path": "/spec/replicas", "value": 3},
                {"op": "replace", "path": "/spec/replicas", "value": 2},
            ])
        );
        let a = write(ScaleChange::Autoscaling { min: 1, max: 4 });
        assert_eq!(
            a.patch(),
            json!([
                {"op": "test", "path": "/metadata/uid", "value": "u-1"},
                {"op": "remove", "path": "/spec/replicas"},
                {"op": "add", "path": "/spec/autoScaling", "value": {"min": 1, "max": 4}},
            ])
        );
        assert_eq!(a.access().describe(), "patch nodepools");
    }
}
