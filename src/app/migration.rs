//! The app side of infra-node maintenance: opening the Maintenance pane on the selected node,
//! gating each action (read-only, then RBAC), the confirm dialog, and the task results. No I/O:
//! writes and RBAC questions leave as `Effect`s.

use super::{App, Effect, Overlay};
use crate::fleet::util::{name, namespace, str_at};
use crate::gate::{Access, GatedAction, Verdict};
use crate::migration::actions::{
    MigAction, MigWrite, WriteCtx, create_migrations, migrate_all_lines, patch_nodes,
};
use crate::migration::request::{check_migratable, migration_body, plan_migrate_all};
use crate::panes::maintenance::{Confirm, MaintenancePane, Perms};

impl App {
    /// Handle a maintenance key, confirm answer or task result. Returns whether to redraw.
    pub(crate) fn migration_action(&mut self, a: MigAction) -> bool {
        match a {
            MigAction::Maintenance => self.open_maintenance(),
            MigAction::Cordon => self.ask_cordon(true),
            MigAction::Uncordon => self.ask_cordon(false),
            MigAction::MigrateSelected => self.ask_migrate_selected(),
            MigAction::MigrateAll => self.ask_migrate_all(),
            MigAction::Confirm(yes) => self.answer(yes),
            MigAction::Done {
                generation,
                ok,
                text,
            } => {
                if generation != self.conn.generation {
                    return false;
                }
                if let Some(m) = self.maint() {
                    m.log.push((ok, text.clone()));
                }
                self.notify(text);
                true
            }
            MigAction::GuestPdbs {
                generation,
                node,
                targets,
                reports,
            } => {
                if generation != self.conn.generation {
                    return false;
                }
                self.maint()
                    .is_some_and(|m| m.guest_pdbs_checked(&node, &targets, reports))
            }
            MigAction::Access {
                generation,
                access,
                verdict,
            } => {
                if generation != self.conn.generation {
                    return false;
                }
                // A failed review is not an answer: show it, but ask again next time.
                if matches!(&verdict, Verdict::Denied(w) if w.starts_with("cannot check permission"))
                {
                    let cordon = access == patch_nodes();
                    if let Some(m) = self.maint() {
                        m.asked = false;
                        if cordon {
                            m.perms.cordon = verdict;
                        } else {
                            m.perms.migrate = verdict;
                        }
                    }
                    return true;
                }
                self.gate.remember(access, verdict);
                self.refresh_perms();
                true
            }
        }
    }

    fn maint_index(&self) -> Option<usize> {
        self.panes
            .iter()
            .position(|p| p.commands().first() == Some(&"maintenance"))
    }

    fn maint(&mut self) -> Option<&mut MaintenancePane> {
        let i = self.maint_index()?;
        self.panes
            .get_mut(i)?
            .as_any_mut()?
            .downcast_mut::<MaintenancePane>()
    }

    fn on_maintenance(&self) -> bool {
        self.maint_index() == Some(self.active)
    }

    fn open_maintenance(&mut self) -> bool {
        if self.on_maintenance() {
            return false;
        }
        if self.pane().map(|p| p.kind()) != Some("nodes") {
            self.notify("maintenance: select a node in the Nodes pane (:nodes) and press m");
            return true;
        }
        let Some(node) = self.pane().and_then(|p| p.selected_key()) else {
            self.notify("maintenance: no node selected");
            return true;
        };
        let Some(i) = self.maint_index() else {
            return false;
        };
        if let Some(m) = self.maint() {
            m.open(&node);
        }
        self.active = i;
        self.doc = None;
        self.refresh_perms();
        self.request_guest_pdbs();
        true
    }

    /// Ask for the guest PDB check when the drained guest nodes of the shown node changed, or
    /// (while the Maintenance pane is on screen) when the last answer is older than `REFETCH`.
    pub(crate) fn request_guest_pdbs(&mut self) {
        let generation = self.conn.generation;
        let now = self.instant;
        let refresh = self.on_maintenance().then_some(super::REFETCH);
        if let Some((node, targets)) = self.maint().and_then(|m| m.guest_pdb_request(now, refresh))
        {
            self.effects.push(Effect::GuestPdbs {
                generation,
                node,
                targets,
            });
        }
    }

    /// The node actions apply to: the Maintenance pane's, or the selected one in the Nodes pane
    /// (whose report is opened first, so the user sees what runs there before confirming).
    fn target_node(&mut self) -> Option<String> {
        if !self.on_maintenance() {
            self.open_maintenance();
        }
        if !self.on_maintenance() {
            return None;
        }
        let node = self.maint().and_then(|m| m.node.clone());
        if node.is_none() {
            self.notify("no node chosen: select a node in the Nodes pane and press m");
        }
        node
    }

    fn verdict(&self, a: Access) -> Verdict {
        self.gate.check_local(&GatedAction::ClusterWrite(a))
    }

    /// Push the known verdicts to the pane and ask the API server about unknown ones (once).
    pub(crate) fn refresh_perms(&mut self) {
        let perms = Perms {
            cordon: self.verdict(patch_nodes()),
            migrate: self.verdict(create_migrations()),
        };
        let mut ask = Vec::new();
        if perms.cordon == Verdict::Ask {
            ask.push(patch_nodes());
        }
        if perms.migrate == Verdict::Ask {
            ask.push(create_migrations());
        }
        let generation = self.conn.generation;
        let Some(m) = self.maint() else {
            return;
        };
        m.perms = perms;
        if !ask.is_empty() && !m.asked {
            m.asked = true;
            self.effects.push(Effect::MigrationAccess(generation, ask));
        }
    }

    /// Whether the action is allowed now; otherwise says why (or that the check is under way).
    fn allowed(&mut self, a: Access) -> bool {
        match self.verdict(a.clone()) {
            Verdict::Allowed => true,
            Verdict::Denied(why) => {
                self.notify(format!("{}: {why}", a.describe()));
                false
            }
            Verdict::Ask => {
                self.notify(format!("checking permission to {}…", a.describe()));
                self.refresh_perms();
                false
            }
        }
    }

    fn open_confirm(&mut self, c: Confirm) {
        if let Some(m) = self.maint() {
            m.confirm = Some(c);
            self.overlay = Overlay::MigrationConfirm;
        }
    }

    fn ask_cordon(&mut self, on: bool) -> bool {
        let Some(node) = self.target_node() else {
            return true;
        };
        if !self.allowed(patch_nodes()) {
            return true;
        }
        let verb = if on { "cordon" } else { "uncordon" };
        let mut lines = vec![format!(
            "{} node {node}: spec.unschedulable={on} (what `oc adm {verb}` does).",
            if on { "Cordon" } else { "Uncordon" }
        )];
        if on {
            lines.push(
                "No new pods or VMs are scheduled there; running VMIs stay until migrated.".into(),
            );
        }
        self.open_confirm(Confirm {
            title: format!("{verb} {node}?"),
            lines,
            write: MigWrite::Cordon {
                node,
                unschedulable: on,
            },
        });
        true
    }

    fn ask_migrate_selected(&mut self) -> bool {
        if !self.on_maintenance() {
            self.notify(
                "live-migrate: open a node's maintenance report first (m on the Nodes pane)",
            );
            return true;
        }
        if !self.allowed(create_migrations()) {
            return true;
        }
        let Some(m) = self.maint() else {
            return false;
        };
        let (Some(node), Some(vmi)) = (m.node.clone(), m.selected_vmi().cloned()) else {
            self.notify("no VMI selected");
            return true;
        };
        if let Err(refusal) = check_migratable(&vmi, &m.inputs().migrations) {
            self.notify(format!("not migrating: {refusal}"));
            return true;
        }
        let body = migration_body(&vmi);
        let key = self
            .pane()
            .and_then(|p| p.selected_key())
            .unwrap_or_default();
        self.open_confirm(Confirm {
            title: format!("live-migrate {key}?"),
            lines: vec![
                format!("Live-migrate VMI {key} off {node}"),
                "(creates a VirtualMachineInstanceMigration; KubeVirt picks the target node)."
                    .into(),
            ],
            write: MigWrite::Migrate {
                node,
                bodies: vec![body],
            },
        });
        true
    }

    fn ask_migrate_all(&mut self) -> bool {
        let Some(node) = self.target_node() else {
            return true;
        };
        if !self.allowed(create_migrations()) {
            return true;
        }
        let Some(m) = self.maint() else {
            return false;
        };
        let plan = plan_migrate_all(&node, &m.inputs().vmis, &m.inputs().migrations);
        if plan.requests.is_empty() {
            let n = plan.refused.len();
            self.notify(format!(
                "nothing to migrate off {node}: {n} VMI(s) refused (non-migratable, not running or already migrating)"
            ));
            return true;
        }
        let lines = migrate_all_lines(&node, &plan);
        self.open_confirm(Confirm {
            title: format!("migrate all migratable VMIs off {node}?"),
            lines,
            write: MigWrite::Migrate {
                node,
                bodies: plan.requests,
            },
        });
        true
    }

    /// The confirm dialog was answered (y/Enter or n/Esc).
    pub(crate) fn answer(&mut self, yes: bool) -> bool {
        if self.overlay == Overlay::MigrationConfirm {
            self.overlay = Overlay::None;
        }
        let Some(mut c) = self.maint().and_then(|m| m.confirm.take()) else {
            return false;
        };
        if !yes {
            self.notify("cancelled");
            return true;
        }
        // The cluster may have moved on while the dialog was open: check every VMI again and
        // never send one that is no longer migratable.
        if let MigWrite::Migrate { bodies, .. } = &mut c.write
            && let Some(m) = self.maint()
        {
            let inp = m.inputs();
            bodies.retain(|b| {
                inp.vmis
                    .iter()
                    .find(|v| {
                        namespace(v) == namespace(b) && Some(name(v)) == str_at(b, "/spec/vmiName")
                    })
                    .is_some_and(|v| check_migratable(v, &inp.migrations).is_ok())
            });
            if bodies.is_empty() {
                self.notify(
                    "nothing sent: the VMIs are no longer migratable (or already migrating)",
                );
                return true;
            }
        }
        let access = match &c.write {
            MigWrite::Cordon { .. } => patch_nodes(),
            MigWrite::Migrate { .. } => create_migrations(),
        };
        if !self.allowed(access) {
            return true;
        }
        let what = match &c.write {
            MigWrite::Cordon {
                node,
                unschedulable: true,
            } => format!("cordoning {node}…"),
            MigWrite::Cordon { node, .. } => format!("uncordoning {node}…"),
            MigWrite::Migrate { node, bodies } => {
                format!("requesting {} live migration(s) off {node}…", bodies.len())
            }
        };
        self.notify(what);
        let ctx = WriteCtx {
            generation: self.conn.generation,
            context: self.conn.context.clone(),
            user: crate::csr::audit::local_user(),
            audit: self.audit_path.clone(),
        };
        self.effects.push(Effect::MigrationWrite(c.write, ctx));
        true
    }
}
