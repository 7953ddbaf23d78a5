//! The app side of the one write pipeline: every write arrives here as a
//! [`ConfirmRequest`] (the confirm content and its [`WriteRequest`]), is checked once against
//! the gate (read-only, then the cached RBAC answers), parked while an answer is unknown (the
//! question goes out and the answer resumes it), shown in the one confirm dialog, and leaves as
//! `Effect::Write` when confirmed. Results come back as `TaskResult`s. No I/O here.

use crate::action::TaskResult;
use crate::actions::{
    ConfirmRequest, Origin, PaneKey, PaneRequest, WriteDetail, WriteKind, WriteRequest,
};
use crate::app::confirm::ConfirmDialog;
use crate::gate::{Access, Verdict};

use super::{App, Effect, Overlay};

/// The state of the one write pipeline.
#[derive(Default)]
pub(crate) struct Pipeline {
    /// The open confirm dialog, with its text field.
    pub(crate) confirm: Option<ConfirmDialog>,
    /// A write request waiting for RBAC answers (it goes on to its confirm when they come).
    pub(crate) parked: Option<Box<ConfirmRequest>>,
    /// RBAC questions sent and not answered yet (each is asked once).
    pub(crate) asking: Vec<Access>,
}

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
        let access = self.pane()?.writes()?.write_access();
        if access.is_empty() {
            return None;
        }
        match self.gate.check_write(&access) {
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
        let mut all: Vec<Access> = self
            .panes
            .iter()
            .filter_map(|p| p.writes())
            .flat_map(|w| w.write_access())
            .collect();
        // The actions that are not a pane's own: maintenance and the wizards' creates.
        all.extend([
            crate::migration::actions::patch_nodes(),
            crate::migration::actions::create_migrations(),
            crate::actions::create::create_access("hostedclusters"),
            crate::actions::create::create_access("nodepools"),
        ]);
        all.sort_by_key(Access::describe);
        all.dedup();
        self.pipeline.asking = all.clone();
        self.effects.push(Effect::CheckAccess(all));
    }

    /// The one gate of the pipeline, checked once per request: allowed opens the confirm
    /// dialog; denied says why; unknown parks the request and asks (the answer resumes it).
    pub fn request_write(&mut self, c: ConfirmRequest) {
        let access = c.write.access();
        match self.gate.check_write(&access) {
            Verdict::Allowed => self.open_confirm(c),
            Verdict::Denied(why) => {
                self.notify(format!("{}: {why}", disabled_prefix(&c.write)));
                self.write_dropped(&c.write);
            }
            Verdict::Ask => {
                let unknown: Vec<Access> = access
                    .into_iter()
                    .filter(|a| self.gate.check_write(std::slice::from_ref(a)) == Verdict::Ask)
                    .collect();
                if let Some(first) = unknown.first() {
                    self.notify(format!("checking permission to {}…", first.describe()));
                }
                // Each question goes out once (most were asked ahead, on connect).
                let ask: Vec<Access> = unknown
                    .into_iter()
                    .filter(|a| !self.pipeline.asking.contains(a))
                    .collect();
                if !ask.is_empty() {
                    self.pipeline.asking.extend(ask.iter().cloned());
                    self.effects.push(Effect::CheckAccess(ask));
                }
                // A newer request replaces an older parked one (the user moved on).
                if let Some(old) = self.pipeline.parked.replace(Box::new(c)) {
                    self.write_dropped(&old.write);
                }
            }
        }
    }

    fn open_confirm(&mut self, c: ConfirmRequest) {
        self.pipeline.confirm = Some(ConfirmDialog::new(c));
        self.overlay = Overlay::Confirm;
    }

    /// A parked request whose questions are now all answered goes on (or is refused).
    fn resume_parked(&mut self) -> bool {
        let Some(c) = self.pipeline.parked.take() else {
            return false;
        };
        match self.gate.check_write(&c.write.access()) {
            Verdict::Ask => {
                self.pipeline.parked = Some(c);
                false
            }
            Verdict::Allowed if self.overlay == Overlay::None && self.doc.is_none() => {
                self.notice = None;
                self.open_confirm(*c);
                true
            }
            // Something else took the screen meanwhile: do not pop a dialog over it.
            Verdict::Allowed => {
                self.notify("permission confirmed: press the key again");
                self.write_dropped(&c.write);
                true
            }
            Verdict::Denied(why) => {
                self.notify(format!("{}: {why}", disabled_prefix(&c.write)));
                self.write_dropped(&c.write);
                true
            }
        }
    }

    /// Write requests a pane's own keys or commands asked for go through the pipeline.
    pub(crate) fn take_pane_writes(&mut self) {
        let reqs = self
            .panes
            .get_mut(self.active)
            .and_then(|p| p.own_input())
            .map(|i| i.take_write_requests())
            .unwrap_or_default();
        for r in reqs {
            self.request_write(r);
        }
    }

    pub(crate) fn pane_key(&mut self, key: PaneKey) -> bool {
        if self.doc.is_some() || self.overlay != Overlay::None {
            return false;
        }
        let now = self.now;
        let Some(req) = self
            .panes
            .get_mut(self.active)
            .and_then(|p| p.writes_mut())
            .and_then(|w| w.pane_key(key, now))
        else {
            return true;
        };
        match req {
            PaneRequest::Notice(n) => self.notify(n),
            PaneRequest::Confirm(c) => self.request_write(*c),
        }
        true
    }

    /// `y` or Enter in the confirm dialog: run the write if the typed text (when asked for)
    /// fits.
    pub(crate) fn confirm_submit(&mut self) {
        let Some(d) = self.pipeline.confirm.as_mut() else {
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
        let Some(d) = self.pipeline.confirm.take() else {
            return;
        };
        self.overlay = Overlay::None;
        let mut write = d.req.write;
        // The cluster may have moved on while the dialog was open.
        if let Err(why) = self.still_valid(&mut write) {
            self.notify(why);
            self.write_dropped(&write);
            return;
        }
        write.set_origin(self.origin());
        self.notify(write.progress());
        self.effects.push(Effect::Write(write));
    }

    /// `n` or Esc in the confirm dialog.
    pub(crate) fn confirm_cancel(&mut self) {
        if let Some(d) = self.pipeline.confirm.take() {
            self.notify("cancelled");
            self.write_dropped(&d.req.write);
        }
        if self.overlay == Overlay::Confirm {
            self.overlay = Overlay::None;
        }
    }

    /// A request that will not run (cancelled, refused, replaced): the screen that asked for it
    /// gets its keys back.
    /// Esc while a request waits for its permission answer: it is cancelled, so the answer
    /// opens no dialog over whatever the user does next. Returns whether one was waiting.
    pub(crate) fn cancel_parked(&mut self) -> bool {
        let Some(c) = self.pipeline.parked.take() else {
            return false;
        };
        self.notify(format!("cancelled: {}", c.title));
        self.write_dropped(&c.write);
        true
    }

    fn write_dropped(&mut self, w: &WriteRequest) {
        if matches!(w, WriteRequest::Create(_)) {
            self.wizard_create_cancelled();
        }
    }

    /// Re-check a confirmed write against what the app knows now.
    fn still_valid(&mut self, write: &mut WriteRequest) -> Result<(), String> {
        match write {
            WriteRequest::Migrate(m) => self.recheck_migrations(m),
            WriteRequest::Csr(_)
            | WriteRequest::Scale(_)
            | WriteRequest::Cordon(_)
            | WriteRequest::Create(_)
            | WriteRequest::BlobCopy(_)
            | WriteRequest::BlobAbort(_) => Ok(()),
            // Shown in the Copies pane from now on, its progress pointed there.
            WriteRequest::Mirror(m) => match crate::panes::copies::find(&mut self.panes) {
                Some(p) => {
                    p.mirror_confirmed(m);
                    Ok(())
                }
                None => Err("nothing sent: the Copies pane is not there".into()),
            },
        }
    }

    /// `:autoapprove on|off`.
    pub(crate) fn set_autoapprove(&mut self, on: Option<bool>) {
        let Some(on) = on else {
            self.notify("usage: :autoapprove on|off");
            return;
        };
        if on {
            let access: Vec<Access> = self
                .panes
                .iter()
                .filter_map(|p| p.writes())
                .flat_map(|w| w.write_access())
                .collect();
            match self.gate.check_write(&access) {
                Verdict::Allowed => {}
                Verdict::Denied(why) => {
                    self.notify(format!("action disabled: {why}"));
                    return;
                }
                Verdict::Ask => {
                    // Turning it on is a setting, not a write: ask, and say so.
                    self.notify(
                        "checking permission to approve CSRs… run :autoapprove on once answered",
                    );
                    let ask: Vec<Access> = access
                        .into_iter()
                        .filter(|a| !self.pipeline.asking.contains(a))
                        .collect();
                    if !ask.is_empty() {
                        self.pipeline.asking.extend(ask.iter().cloned());
                        self.effects.push(Effect::CheckAccess(ask));
                    }
                    return;
                }
            }
        }
        self.autoapprove = on;
        for w in self.panes.iter_mut().filter_map(|p| p.writes_mut()) {
            let _ = w.pane_key(PaneKey::AutoApprove(on), self.now);
        }
        self.notify(if on {
            "auto-approve on: arriving CSRs that pass every check are approved (never failing ones)"
        } else {
            "auto-approve off"
        });
    }

    /// After a sync: writes panes want on their own (auto-approval), if still allowed. These
    /// skip the dialog (the admin confirmed the policy with `:autoapprove on`) but not the gate.
    pub(crate) fn collect_auto_writes(&mut self) {
        if !self.autoapprove {
            return;
        }
        let mut writes: Vec<WriteRequest> = Vec::new();
        for w in self.panes.iter_mut().filter_map(|p| p.writes_mut()) {
            writes.extend(w.take_auto_writes());
        }
        for mut w in writes {
            if self.gate.check_write(&w.access()) != Verdict::Allowed {
                self.notify("auto-approve skipped: no permission to approve (see status)");
                continue;
            }
            w.set_origin(self.origin());
            self.effects.push(Effect::Write(w));
        }
    }

    /// What tasks report back: write results, RBAC answers, guest PDB checks. Returns whether
    /// to redraw.
    pub fn on_task(&mut self, r: TaskResult) -> bool {
        let redraw = self.on_task_inner(r);
        self.catch_up_shown() || redraw
    }

    fn on_task_inner(&mut self, r: TaskResult) -> bool {
        match r {
            TaskResult::WriteDone { generation, report } => {
                // A cluster write's result belongs to its connection; blob copies outlive one.
                let external = matches!(
                    report.kind,
                    WriteKind::BlobCopy | WriteKind::BlobAbort | WriteKind::Mirror
                );
                if generation != self.conn.generation && !external {
                    return false;
                }
                if matches!(report.kind, WriteKind::Cordon | WriteKind::Migrate)
                    && let Some(m) = self.maint()
                {
                    m.log_result(report.ok, report.summary.clone());
                }
                match report.detail {
                    WriteDetail::Created {
                        target,
                        result,
                        audit_error,
                    } => self.wizard_created(&target, &result, audit_error),
                    WriteDetail::CopyStarted(result) => {
                        if let Some(p) = crate::panes::copies::find(&mut self.panes) {
                            p.copy_started(result);
                        }
                        self.notify(report.summary);
                    }
                    WriteDetail::BlobAborted { key, result } => {
                        if let Some(p) = crate::panes::copies::find(&mut self.panes) {
                            p.abort_done(&key, result);
                        }
                        self.notify(report.summary);
                    }
                    WriteDetail::None => {
                        if report.kind == WriteKind::Create {
                            // Not run (no connection): the wizard is editable again.
                            self.wizard_create_cancelled();
                        }
                        self.notify(report.summary)
                    }
                }
                true
            }
            TaskResult::AccessChecked {
                generation,
                access,
                verdict,
            } => {
                if generation != self.conn.generation {
                    return false;
                }
                self.pipeline.asking.retain(|a| *a != access);
                match verdict {
                    Ok(v) => self.gate.remember(access, v),
                    // Not an answer: refuse what waits for it (with why), ask again next time.
                    Err(e) => {
                        self.refresh_perms_failed(&access, &e);
                        self.wizard_access_failed(&access, &e);
                        if let Some(c) = self.pipeline.parked.take() {
                            if c.write.access().contains(&access) {
                                self.notify(format!(
                                    "{}: cannot check permission: {e}",
                                    disabled_prefix(&c.write)
                                ));
                                self.write_dropped(&c.write);
                            } else {
                                self.pipeline.parked = Some(c);
                            }
                        }
                        return true;
                    }
                }
                self.refresh_perms();
                self.wizard_gate_changed();
                self.resume_parked();
                true
            }
            TaskResult::GuestPdbs {
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
        }
    }
}

/// How a refusal of this write starts in the status bar.
fn disabled_prefix(w: &WriteRequest) -> &'static str {
    match w {
        WriteRequest::Scale(_) => "scaling disabled",
        WriteRequest::Create(_) => "cannot create",
        WriteRequest::Csr(_)
        | WriteRequest::Cordon(_)
        | WriteRequest::Migrate(_)
        | WriteRequest::BlobCopy(_)
        | WriteRequest::BlobAbort(_)
        | WriteRequest::Mirror(_) => "action disabled",
    }
}
