//! Infra-node maintenance writes: cordon/uncordon a node (set or clear `spec.unschedulable`,
//! what `oc adm cordon` / `uncordon` do) as a JSON patch pinned to the node's uid, and creating
//! VirtualMachineInstanceMigrations (the bodies were checked against the VMIs when confirmed).

use k8s_openapi::api::core::v1::Node;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::{Value, json};

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::fleet::util::{namespace, str_at};
use crate::kube_conn::one_line;
use crate::watch::migration_kinds::{VMIMS, api_resource};

/// Set (`unschedulable: true`) or clear `spec.unschedulable` of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CordonWrite {
    pub node: String,
    /// `metadata.uid` of the node shown (`None`: not in the store yet, the write is not pinned).
    pub uid: Option<String>,
    /// Whether the node shown had a `spec` (a JSON patch cannot add under a missing parent).
    pub has_spec: bool,
    pub unschedulable: bool,
    pub origin: Origin,
}

impl CordonWrite {
    fn verb(&self) -> &'static str {
        if self.unschedulable {
            "cordon"
        } else {
            "uncordon"
        }
    }

    pub fn progress(&self) -> String {
        format!("{}ing {}…", self.verb(), self.node)
    }

    /// The JSON patch: the uid test, then the field.
    pub fn patch(&self) -> Value {
        let mut ops = Vec::new();
        if let Some(uid) = &self.uid {
            ops.push(json!({"op": "test", "path": "/metadata/uid", "value": uid}));
        }
        if self.has_spec {
            ops.push(
                json!({"op": "add", "path": "/spec/unschedulable", "value": self.unschedulable}),
            );
        } else {
            ops.push(
                json!({"op": "add", "path": "/spec", "value": {"unschedulable": self.unschedulable}}),
            );
        }
        Value::Array(ops)
    }
}

/// Create these VirtualMachineInstanceMigration bodies (never for refused VMIs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateWrite {
    pub node: String,
    pub bodies: Vec<Value>,
    pub origin: Origin,
}

impl MigrateWrite {
    pub fn progress(&self) -> String {
        format!(
            "requesting {} live migration(s) off {}…",
            self.bodies.len(),
            self.node
        )
    }
}

fn entry(origin: &Origin, action: &str, target: AuditTarget, outcome: &str) -> AuditEntry {
    let mut e = AuditEntry::new(&origin.context, action, target, outcome);
    e.user = origin.user.clone();
    e
}

/// A refused patch (422) with another uid on the node now means it was re-created.
async fn explain_node(api: &Api<Node>, w: &CordonWrite, e: &kube::Error) -> String {
    if let kube::Error::Api(s) = e
        && s.code == 422
        && w.uid.is_some()
        && let Ok(now) = api.get_opt(&w.node).await
        && now.as_ref().and_then(|n| n.metadata.uid.as_ref()) != w.uid.as_ref()
    {
        return format!(
            "{} was deleted and re-created since it was shown: nothing done ({})",
            w.node, s.message
        );
    }
    one_line(e)
}

/// Cordon or uncordon; one audit line.
pub async fn run_cordon(client: Client, w: CordonWrite) -> WriteReport {
    let verb = w.verb();
    let node = &w.node;
    let api: Api<Node> = Api::all(client);
    let r = match serde_json::from_value::<json_patch::Patch>(w.patch()) {
        Ok(p) => match api
            .patch(node, &PatchParams::default(), &Patch::Json::<()>(p))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(explain_node(&api, &w, &e).await),
        },
        Err(e) => Err(format!("cannot build the patch: {e}")),
    };
    let (ok, text) = match r {
        Ok(()) => (true, format!("{node} {verb}ed")),
        Err(e) => (false, format!("cannot {verb} {node}: {e}")),
    };
    let target = AuditTarget::new("Node", None, node, w.uid.as_deref());
    let rec = entry(&w.origin, verb, target, if ok { "ok" } else { &text }).with("node", node);
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[rec]).await;
    WriteReport {
        kind: WriteKind::Cordon,
        ok,
        summary: text.clone(),
        outcomes: vec![(node.clone(), text)],

        detail: WriteDetail::None,
    }
    .with_audit_error(audit_error)
}

/// Create the migrations in order; one audit line each.
pub async fn run_migrate(client: Client, w: MigrateWrite) -> WriteReport {
    let ar = api_resource(&VMIMS);
    let node = &w.node;
    let (mut created, mut errors, mut records, mut outcomes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for body in &w.bodies {
        let vmi = str_at(body, "/spec/vmiName").unwrap_or("").to_string();
        let ns = namespace(body).to_string();
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &ar);
        let res = match serde_json::from_value::<DynamicObject>(body.clone()) {
            Ok(obj) => api
                .create(&PostParams::default(), &obj)
                .await
                .map_err(|e| one_line(&e)),
            Err(e) => Err(e.to_string()),
        };
        let target = AuditTarget::new("VirtualMachineInstance", Some(&ns), &vmi, None);
        match res {
            Ok(o) => {
                let m = o.metadata.name.unwrap_or_default();
                records.push(
                    entry(&w.origin, "live-migrate", target, "created")
                        .with("node", node)
                        .with("vmi", &vmi)
                        .with("migration", &m),
                );
                outcomes.push((vmi.clone(), format!("created {m}")));
                created.push(vmi);
            }
            Err(e) => {
                records.push(
                    entry(&w.origin, "live-migrate", target, &e)
                        .with("node", node)
                        .with("vmi", &vmi),
                );
                outcomes.push((vmi.clone(), format!("error: {e}")));
                errors.push(format!("{vmi}: {e}"));
            }
        }
    }
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &records).await;
    let mut text = format!("requested {} live migration(s) off {node}", created.len());
    if !errors.is_empty() {
        text.push_str(&format!("; failed: {}", errors.join("; ")));
    }
    WriteReport {
        kind: WriteKind::Migrate,
        ok: errors.is_empty(),
        summary: text,
        outcomes,

        detail: WriteDetail::None,
    }
    .with_audit_error(audit_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cordon_is_pinned_to_the_node_uid() {
        let w = CordonWrite {
            node: "worker-5".into(),
            uid: Some("u-5".into()),
            has_spec: true,
            unschedulable: true,
            origin: Origin::default(),
        };
        assert_eq!(
            w.patch(),
            json!([
                {"op": "test", "path": "/metadata/uid", "value": "u-5"},
                {"op": "add", "path": "/spec/unschedulable", "value": true},
            ])
        );
        let un = CordonWrite {
            unschedulable: false,
            has_spec: false,
            ..w
        };
        assert_eq!(
            un.patch()[1],
            json!({"op": "add", "path": "/spec", "value": {"unschedulable": false}})
        );
        assert_eq!(un.progress(), "uncordoning worker-5…");
    }
}
