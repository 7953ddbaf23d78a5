//! The app side of infra-node maintenance: opening the Maintenance pane on the selected node,
//! the permissions it shows, and turning cordon / uncordon / live-migrate keys into write
//! requests of the one pipeline (`app::writes`: gate, confirm, executor). No I/O.

use super::{App, Effect};
use crate::actions::node::{CordonWrite, MigrateWrite};
use crate::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
use crate::fleet::util::{name, namespace, str_at};
use crate::gate::{Access, Verdict};
use crate::migration::actions::{MigAction, create_migrations, migrate_all_lines, patch_nodes};
use crate::migration::request::{check_migratable, migration_body, plan_migrate_all};
use crate::panes::Maintenance;
use crate::panes::maintenance::Perms;

fn plain(lines: Vec<String>) -> Vec<ConfirmLine> {
    lines
        .into_iter()
        .map(|l| ConfirmLine::new(Tone::Plain, l))
        .collect()
}

impl App {
    /// Handle a maintenance key. Returns whether to redraw.
    pub(crate) fn migration_action(&mut self, a: MigAction) -> bool {
        match a {
            MigAction::Maintenance => self.open_maintenance(),
            MigAction::Cordon => self.ask_cordon(true),
            MigAction::Uncordon => self.ask_cordon(false),
            MigAction::MigrateSelected => self.ask_migrate_selected(),
            MigAction::MigrateAll => self.ask_migrate_all(),
        }
    }

    fn maint_index(&self) -> Option<usize> {
        self.panes
            .iter()
            .position(|p| p.commands().first() == Some(&"maintenance"))
    }

    /// The Maintenance pane, through its capability.
    pub(crate) fn maint(&mut self) -> Option<&mut dyn Maintenance> {
        let i = self.maint_index()?;
        self.panes.get_mut(i)?.maintenance()
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
        let node = self.maint().and_then(|m| m.node().map(str::to_string));
        if node.is_none() {
            self.notify("no node chosen: select a node in the Nodes pane and press m");
        }
        node
    }

    fn verdict(&self, a: Access) -> Verdict {
        self.gate.check_write(&[a])
    }

    /// Push the known verdicts to the Maintenance pane and ask the API server about unknown
    /// ones (once per question).
    pub(crate) fn refresh_perms(&mut self) {
        let perms = Perms {
            cordon: self.verdict(patch_nodes()),
            migrate: self.verdict(create_migrations()),
        };
        let ask: Vec<Access> = [
            (perms.cordon == Verdict::Ask).then(patch_nodes),
            (perms.migrate == Verdict::Ask).then(create_migrations),
        ]
        .into_iter()
        .flatten()
        .filter(|a| !self.pipeline.asking.contains(a))
        .collect();
        let Some(m) = self.maint() else {
            return;
        };
        *m.perms_mut() = perms;
        if !ask.is_empty() && m.node().is_some() {
            self.pipeline.asking.extend(ask.iter().cloned());
            self.effects.push(Effect::CheckAccess(ask));
        }
    }

    /// A failed review is not an answer: show it in the pane, ask again next time.
    pub(crate) fn refresh_perms_failed(&mut self, access: &Access, error: &str) {
        let cordon = *access == patch_nodes();
        let migrate = *access == create_migrations();
        if let Some(m) = self.maint() {
            let v = Verdict::Denied(format!("cannot check permission: {error}"));
            if cordon {
                m.perms_mut().cordon = v;
            } else if migrate {
                m.perms_mut().migrate = v;
            }
        }
    }

    /// The node `name` as the watch shows it: (uid, has a spec).
    fn shown_node(&self, node: &str) -> (Option<String>, bool) {
        let Some(stores) = &self.stores else {
            return (None, true);
        };
        match stores
            .nodes
            .get(&kube::runtime::reflector::ObjectRef::new(node))
        {
            Some(n) => (n.metadata.uid.clone(), n.spec.is_some()),
            None => (None, true),
        }
    }

    fn ask_cordon(&mut self, on: bool) -> bool {
        let Some(node) = self.target_node() else {
            return true;
        };
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
        let (uid, has_spec) = self.shown_node(&node);
        self.request_write(ConfirmRequest {
            title: format!("{verb} {node}?"),
            lines: plain(lines),
            prompt: None,
            write: WriteRequest::Cordon(CordonWrite {
                node,
                uid,
                has_spec,
                unschedulable: on,
                origin: Origin::default(),
            }),
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
        let Some(m) = self.maint() else {
            return false;
        };
        let (Some(node), Some(vmi)) = (m.node().map(str::to_string), m.selected_vmi().cloned())
        else {
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
        self.request_write(ConfirmRequest {
            title: format!("live-migrate {key}?"),
            lines: plain(vec![
                format!("Live-migrate VMI {key} off {node}"),
                "(creates a VirtualMachineInstanceMigration; KubeVirt picks the target node)."
                    .into(),
            ]),
            prompt: None,
            write: WriteRequest::Migrate(MigrateWrite {
                node,
                bodies: vec![body],
                origin: Origin::default(),
            }),
        });
        true
    }

    fn ask_migrate_all(&mut self) -> bool {
        let Some(node) = self.target_node() else {
            return true;
        };
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
        self.request_write(ConfirmRequest {
            title: format!("migrate all migratable VMIs off {node}?"),
            lines: plain(lines),
            prompt: None,
            write: WriteRequest::Migrate(MigrateWrite {
                node,
                bodies: plan.requests,
                origin: Origin::default(),
            }),
        });
        true
    }

    /// At confirm time: the cluster may have moved on while the dialog was open, so every VMI
    /// is checked again and one that is no longer migratable is never sent.
    pub(crate) fn recheck_migrations(&mut self, w: &mut MigrateWrite) -> Result<(), String> {
        if let Some(m) = self.maint() {
            let inp = m.inputs();
            w.bodies.retain(|b| {
                inp.vmis
                    .iter()
                    .find(|v| {
                        namespace(v) == namespace(b) && Some(name(v)) == str_at(b, "/spec/vmiName")
                    })
                    .is_some_and(|v| check_migratable(v, &inp.migrations).is_ok())
            });
        }
        if w.bodies.is_empty() {
            return Err(
                "nothing sent: the VMIs are no longer migratable (or already migrating)".into(),
            );
        }
        Ok(())
    }
}
