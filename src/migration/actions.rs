//! Maintenance actions on the infra cluster: cordon/uncordon a node and create
//! VirtualMachineInstanceMigrations. The UI only builds [`MigWrite`]s; [`spawn_write`] and
//! [`spawn_access`] run them in tasks that report back with [`MigAction`] messages and append
//! every write to the audit log.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Node;
use kube::api::{DynamicObject, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use crate::action::Action;
use crate::fleet::util::{namespace, str_at};
use crate::gate::{Access, Verdict};
use crate::kube_conn::one_line;
use crate::watch::migration_kinds::{VMIMS, api_resource};

/// Maintenance keys and the task results, handled by `App`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigAction {
    /// Open the maintenance report of the selected node (Nodes pane).
    Maintenance,
    /// Cordon the node (confirm first).
    Cordon,
    /// Uncordon the node (confirm first).
    Uncordon,
    /// Live-migrate the selected VMI (confirm first).
    MigrateSelected,
    /// Live-migrate every migratable VMI off the node (confirm first).
    MigrateAll,
    /// The confirm dialog was answered.
    Confirm(bool),
    /// A write finished.
    Done {
        generation: u64,
        ok: bool,
        text: String,
    },
    /// The guest PDB check of a node's drained guest nodes finished.
    GuestPdbs {
        generation: u64,
        node: String,
        targets: Vec<super::guest_pdbs::GuestTarget>,
        reports: Vec<super::guest_pdbs::GuestPdbReport>,
    },
    /// An RBAC question was answered.
    Access {
        generation: u64,
        access: Access,
        verdict: Verdict,
    },
}

/// A cluster write the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigWrite {
    /// Set (`true`) or clear `spec.unschedulable`, what `oc adm cordon` / `uncordon` do.
    Cordon { node: String, unschedulable: bool },
    /// Create these VirtualMachineInstanceMigration bodies (never for refused VMIs).
    Migrate { node: String, bodies: Vec<Value> },
}

/// Who writes, where, and the audit log path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriteCtx {
    pub generation: u64,
    pub context: String,
    pub user: String,
    pub audit: Option<PathBuf>,
}

/// `patch nodes` (cordon/uncordon).
pub fn patch_nodes() -> Access {
    Access {
        verb: "patch".into(),
        group: String::new(),
        resource: "nodes".into(),
        subresource: None,
        namespace: None,
        name: None,
    }
}

/// `create virtualmachineinstancemigrations.kubevirt.io` (any namespace).
pub fn create_migrations() -> Access {
    Access {
        verb: "create".into(),
        group: "kubevirt.io".into(),
        resource: "virtualmachineinstancemigrations".into(),
        subresource: None,
        namespace: None,
        name: None,
    }
}

/// One audit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigAudit {
    pub time: String,
    pub context: String,
    pub user: String,
    /// `cordon`, `uncordon` or `live-migrate`.
    pub action: String,
    pub node: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<String>,
    pub outcome: String,
}

fn audit(
    ctx: &WriteCtx,
    action: &str,
    node: &str,
    vmi: Option<String>,
    mig: Option<String>,
    outcome: &str,
) {
    let Some(path) = &ctx.audit else {
        return;
    };
    let rec = MigAudit {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        context: ctx.context.clone(),
        user: ctx.user.clone(),
        action: action.into(),
        node: node.into(),
        vmi,
        migration: mig,
        outcome: outcome.into(),
    };
    if let Err(e) = crate::csr::audit::append_json_line(path, &rec) {
        tracing::warn!(error = %e, "cannot write the audit log");
    }
}

/// Run a write in a task; the result comes back as `MigAction::Done`.
pub fn spawn_write(client: Client, write: MigWrite, ctx: WriteCtx, tx: UnboundedSender<Action>) {
    tokio::spawn(async move {
        let (ok, text) = run_write(&client, &write, &ctx).await;
        let _ = tx.send(Action::Migration(MigAction::Done {
            generation: ctx.generation,
            ok,
            text,
        }));
    });
}

/// Run the write; `(ok, text for the user)`.
pub async fn run_write(client: &Client, write: &MigWrite, ctx: &WriteCtx) -> (bool, String) {
    match write {
        MigWrite::Cordon {
            node,
            unschedulable,
        } => {
            let verb = if *unschedulable { "cordon" } else { "uncordon" };
            let api: Api<Node> = Api::all(client.clone());
            let value = if *unschedulable {
                json!(true)
            } else {
                Value::Null
            };
            let patch = json!({"spec": {"unschedulable": value}});
            let r = api
                .patch(node, &PatchParams::default(), &Patch::Merge(&patch))
                .await;
            let (ok, text) = match r {
                Ok(_) => (true, format!("{node} {verb}ed")),
                Err(e) => (false, format!("cannot {verb} {node}: {}", one_line(&e))),
            };
            audit(ctx, verb, node, None, None, if ok { "ok" } else { &text });
            (ok, text)
        }
        MigWrite::Migrate { node, bodies } => {
            let ar = api_resource(&VMIMS);
            let (mut created, mut errors) = (Vec::new(), Vec::new());
            for body in bodies {
                let vmi = str_at(body, "/spec/vmiName").unwrap_or("").to_string();
                let api: Api<DynamicObject> =
                    Api::namespaced_with(client.clone(), namespace(body), &ar);
                let res = match serde_json::from_value::<DynamicObject>(body.clone()) {
                    Ok(obj) => api
                        .create(&PostParams::default(), &obj)
                        .await
                        .map_err(|e| one_line(&e)),
                    Err(e) => Err(e.to_string()),
                };
                match res {
                    Ok(o) => {
                        let m = o.metadata.name.unwrap_or_default();
                        audit(
                            ctx,
                            "live-migrate",
                            node,
                            Some(vmi.clone()),
                            Some(m),
                            "created",
                        );
                        created.push(vmi);
                    }
                    Err(e) => {
                        audit(ctx, "live-migrate", node, Some(vmi.clone()), None, &e);
                        errors.push(format!("{vmi}: {e}"));
                    }
                }
            }
            let mut text = format!("requested {} live migration(s) off {node}", created.len());
            if !errors.is_empty() {
                text.push_str(&format!("; failed: {}", errors.join("; ")));
            }
            (errors.is_empty(), text)
        }
    }
}

/// Ask the API server these RBAC questions in a task; each answer comes back as
/// `MigAction::Access`.
pub fn spawn_access(
    client: Client,
    generation: u64,
    accesses: Vec<Access>,
    tx: UnboundedSender<Action>,
) {
    tokio::spawn(async move {
        for access in accesses {
            let verdict = crate::gate::review_verdict(&client, &access)
                .await
                .unwrap_or_else(|e| Verdict::Denied(format!("cannot check permission: {e}")));
            let _ = tx.send(Action::Migration(MigAction::Access {
                generation,
                access,
                verdict,
            }));
        }
    });
}

/// The dialog text of "migrate all": what will be migrated and what is refused (and why).
pub fn migrate_all_lines(node: &str, plan: &super::request::MigratePlan) -> Vec<String> {
    let mut l = vec![format!(
        "Live-migrate {} VMI(s) off {node}:",
        plan.requests.len()
    )];
    for b in &plan.requests {
        l.push(format!(
            "  ✓ {}/{}",
            namespace(b),
            str_at(b, "/spec/vmiName").unwrap_or("")
        ));
    }
    if !plan.refused.is_empty() {
        l.push(format!(
            "Not migrated ({}), they stay and restart if the node is drained:",
            plan.refused.len()
        ));
        for r in &plan.refused {
            l.push(format!("  ✗ {r}"));
        }
    }
    l
}
