//! The app side of cluster writes: pane keys that lead to a write, the gate (read-only, then
//! RBAC answers cached from tasks), the confirm dialog, auto-approval, and the reports coming
//! back. No I/O: writes and RBAC questions leave as `Effect`s.

use crate::action::Action;
use crate::actions::{Origin, PaneKey, PaneRequest, WriteRequest};
use crate::gate::{Access, Verdict};
use crate::ui::confirm::ConfirmDialog;

use super::{App, Effect, Overlay};

impl App {
    /// Who writes, where, and where the audit record goes.
    pub fn origin(&self) -> Origin {
        Origin {
            user: self.user.clone(),
            context: self.conn.context.clone(),
            audit: self.audit_path.clone(),
        }
    }

    /// Why the active pane's actions are disabled, if they are (for the status bar).
    pub fn actions_disabled(&self) -> Option<String> {
        let access = self.pane()?.write_access();
        if access.is_empty() {
            return None;
        }
        match self.gate.check_all_local(&access) {
            Verdict::Denied(why) => Some(why),
            _ => None,
        }
    }

    /// Ask the API server about every pane's write permissions (after connecting), so a
    /// disabled action says why before it is tried.
    pub(crate) fn prefetch_access(&mut self) {
        if self.gate.read_only() {
            return;
        }
        let mut all: Vec<Access> = self.panes.iter().flat_map(|p| p.write_access()).collect();
        all.sort_by_key(Access::describe);
        all.dedup();
        if !all.is_empty() {
            self.effects.push(Effect::CheckAccess(all));
        }
    }

    /// `Allowed`, or a notice saying why not (and, when unknown, the question goes out).
    fn gate_writes(&mut self, access: Vec<Access>) -> bool {
        match self.gate.check_all_local(&access) {
            Verdict::Allowed => true,
            Verdict::Denied(why) => {
                self.notify(format!("action disabled: {why}"));
                false
            }
            Verdict::Ask => {
                self.notify("checking permissions with the API server… try again in a moment");
                self.effects.push(Effect::CheckAccess(access));
                false
            }
        }
    }

    pub(crate) fn pane_key(&mut self, key: PaneKey) -> bool {
        if self.doc.is_some() || self.overlay != Overlay::None {
            return false;
        }
        let writes = matches!(key, PaneKey::Approve | PaneKey::Deny | PaneKey::ApproveAll);
        if writes {
            let access = self.pane().map(|p| p.write_access()).unwrap_or_default();
            if !self.gate_writes(access) {
                return true;
            }
        }
        let now = self.now;
        let Some(req) = self
            .panes
            .get_mut(self.active)
            .and_then(|p| p.pane_key(key, now))
        else {
            return true;
        };
        match req {
            PaneRequest::Notice(n) => self.notify(n),
            PaneRequest::Confirm(c) => {
                // Other signers need their own `approve signers/<name>`.
                if self.gate_writes(c.write.access()) {
                    self.confirm = Some(ConfirmDialog::new(*c));
                    self.overlay = Overlay::Confirm;
                }
            }
        }
        true
    }

    /// Enter in the confirm dialog: run the write if the typed text (when asked for) fits.
    pub(crate) fn confirm_submit(&mut self) {
        let Some(d) = self.confirm.as_mut() else {
            self.overlay = Overlay::None;
            return;
        };
        if d.has_prompt() && !d.req.write.accepts(&d.typed()) {
            d.error = Some(format!(
                "`{}` does not confirm: type exactly what is asked, or esc to cancel",
                d.typed().trim()
            ));
            self.overlay = Overlay::Confirm;
            return;
        }
        let Some(d) = self.confirm.take() else {
            return;
        };
        self.overlay = Overlay::None;
        let mut write = d.req.write;
        write.set_origin(self.origin());
        self.notify(format!("{}…", d.req.title));
        self.effects.push(Effect::Write(write));
    }

    /// `:autoapprove on|off`.
    pub(crate) fn set_autoapprove(&mut self, on: Option<bool>) {
        let Some(on) = on else {
            self.notify("usage: :autoapprove on|off");
            return;
        };
        if on {
            let access: Vec<Access> = self.panes.iter().flat_map(|p| p.write_access()).collect();
            if !self.gate_writes(access) {
                return;
            }
        }
        self.autoapprove = on;
        for p in &mut self.panes {
            let _ = p.pane_key(PaneKey::AutoApprove(on), self.now);
        }
        self.notify(if on {
            "auto-approve on: arriving CSRs that pass every check are approved (never failing ones)"
        } else {
            "auto-approve off"
        });
    }

    /// After a sync: writes panes want on their own (auto-approval), if still allowed.
    pub(crate) fn collect_auto_writes(&mut self) {
        if !self.autoapprove {
            return;
        }
        let mut writes: Vec<WriteRequest> = Vec::new();
        for p in &mut self.panes {
            writes.extend(p.take_auto_writes());
        }
        for mut w in writes {
            if self.gate.check_all_local(&w.access()) != Verdict::Allowed {
                self.notify("auto-approve skipped: no permission to approve (see status)");
                continue;
            }
            w.set_origin(self.origin());
            self.effects.push(Effect::Write(w));
        }
    }

    /// Results coming back from tasks.
    pub(crate) fn on_result(&mut self, action: Action) {
        match action {
            Action::WriteDone(r) => self.notify(r.summary),
            Action::AccessChecked {
                generation,
                access,
                verdict,
            } if generation == self.conn.generation => self.gate.remember(access, verdict),
            _ => {}
        }
    }
}
