//! The app side of the creation wizards and the preflight view: opening them from commands
//! (gated by `--read-only` and RBAC), routing keys to them while open, queueing their reads for
//! the event loop and applying the results. The create itself is a write request of the one
//! write pipeline (`app::writes`: gate, confirm dialog, executor `actions::create`).

pub mod jobs;
pub mod preflight;
pub mod wizard;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use crate::actions::create::CreateWrite;
use crate::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
use crate::gate::Verdict;
use crate::wizard::exec::{CreateError, CreateReport};
use crate::wizard::form::{ClusterForm, NodePoolForm};
use jobs::{Job, Msg, Target};
use preflight::PreflightView;
use wizard::{Request, Wizard};

use super::doc::DocMode;

/// The watched kind and key of a wizard's target (`HostedCluster clusters/example`).
fn created_object(target: &str) -> Option<(&'static str, &str)> {
    let (kind, key) = target.split_once(' ')?;
    let kind = match kind {
        "HostedCluster" => crate::watch::HOSTEDCLUSTERS.id,
        "NodePool" => crate::watch::NODEPOOLS.id,
        _ => return None,
    };
    (!key.is_empty()).then_some((kind, key))
}

#[cfg(test)]
mod created_tests {
    use super::created_object;
    use crate::watch::{HOSTEDCLUSTERS, NODEPOOLS};

    #[test]
    fn targets_name_the_pane_and_key_of_the_new_object() {
        assert_eq!(
            created_object("HostedCluster clusters/example"),
            Some((HOSTEDCLUSTERS.id, "clusters/example"))
        );
        assert_eq!(
            created_object("NodePool clusters/example-arm"),
            Some((NODEPOOLS.id, "clusters/example-arm"))
        );
        assert_eq!(created_object("HostedCluster"), None);
        assert_eq!(created_object("Secret clusters/x"), None);
    }
}

/// What the wizard area shows.
#[derive(Debug, Clone, Default)]
pub enum WizardState {
    #[default]
    Closed,
    /// Reading the facts (and waiting for the RBAC answer) for this wizard.
    Loading(Target),
    Open(Box<Wizard>),
}

/// The creation wizards' and the preflight view's state, owned by the app.
#[derive(Default)]
pub struct Wizards {
    /// The creation wizard (`:create`, `:addnodepool`).
    state: WizardState,
    /// The facts a loading wizard read, while its permission is not known yet.
    facts: Option<Box<crate::wizard::facts::ClusterFacts>>,
    /// The `:preflight` view, when open.
    preflight: Option<PreflightView>,
    /// Wizard I/O for the event loop.
    jobs: Vec<Job>,
}

impl App {
    /// Jobs for the event loop (facts, dry run, create).
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.wizards.jobs)
    }

    pub fn wizard(&self) -> &WizardState {
        &self.wizards.state
    }

    /// Whether a wizard (or its loading notice) covers the screen.
    pub fn wizard_open(&self) -> bool {
        !matches!(self.wizards.state, WizardState::Closed)
    }

    pub fn preflight_view(&self) -> Option<&PreflightView> {
        self.wizards.preflight.as_ref()
    }

    /// `:preflight`: open the view and read the cluster afresh.
    pub(crate) fn open_preflight(&mut self) {
        self.wizards.preflight = Some(PreflightView::default());
        self.wizards.jobs.push(Job::Facts(Target::Preflight));
    }

    /// `:create` / `:addnodepool`: refused with the reason in read-only mode or when RBAC said
    /// no; otherwise the facts are read (and the permission asked, if not known yet), and the
    /// wizard opens when both are in. The gate is the app's one gate; the job only reads.
    pub(crate) fn open_wizard(&mut self, target: Target) {
        if let Some(a) = jobs::access(target) {
            match self.gate.check_write(std::slice::from_ref(&a)) {
                Verdict::Denied(why) => {
                    self.notify(format!("cannot create: {why}"));
                    return;
                }
                Verdict::Ask if !self.pipeline.asking.contains(&a) => {
                    self.pipeline.asking.push(a.clone());
                    self.effects.push(super::Effect::CheckAccess(vec![a]));
                }
                _ => {}
            }
        }
        self.wizards.facts = None;
        self.wizards.state = WizardState::Loading(target);
        self.wizards.jobs.push(Job::Facts(target));
    }

    /// A loading wizard opens once its facts are read and the gate allows the create; it closes
    /// with the reason when the gate refuses (the answer may come before or after the facts).
    pub(crate) fn wizard_gate_changed(&mut self) -> bool {
        let WizardState::Loading(target) = self.wizards.state else {
            return false;
        };
        let Some(a) = jobs::access(target) else {
            return false;
        };
        match self.gate.check_write(&[a]) {
            Verdict::Denied(why) => {
                self.wizards.state = WizardState::Closed;
                self.wizards.facts = None;
                self.notify(format!("cannot create: {why}"));
                true
            }
            Verdict::Ask => false,
            Verdict::Allowed => {
                let Some(facts) = self.wizards.facts.take() else {
                    return false;
                };
                let w = match target {
                    Target::NodePool => Wizard::nodepool(NodePoolForm::new(*facts)),
                    _ => Wizard::cluster(ClusterForm::new(*facts)),
                };
                self.wizards.state = WizardState::Open(Box::new(w));
                true
            }
        }
    }

    /// The permission of a loading wizard could not be checked: it closes, saying why.
    pub(crate) fn wizard_access_failed(&mut self, access: &crate::gate::Access, error: &str) {
        if let WizardState::Loading(t) = self.wizards.state
            && jobs::access(t).as_ref() == Some(access)
        {
            self.wizards.state = WizardState::Closed;
            self.wizards.facts = None;
            self.notify(format!("cannot create: cannot check permission: {error}"));
        }
    }

    /// Keys while the preflight view or a wizard is open. `None`: not taken, use the keymap.
    pub(crate) fn wizard_key(&mut self, key: &KeyEvent) -> Option<bool> {
        // Ctrl-C still quits from anywhere.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return None;
        }
        match &mut self.wizards.state {
            WizardState::Open(w) => {
                let req = w.key(key);
                if let Some(r) = req {
                    self.wizard_request(r);
                }
                return Some(true);
            }
            WizardState::Loading(_) => {
                if key.code == KeyCode::Esc {
                    self.wizards.state = WizardState::Closed;
                }
                return Some(true);
            }
            WizardState::Closed => {}
        }
        let view = self.wizards.preflight.as_mut()?;
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => self.wizards.preflight = None,
            KeyCode::Down | KeyCode::Char('j') => view.scroll_by(1),
            KeyCode::Up | KeyCode::Char('k') => view.scroll_by(-1),
            KeyCode::PageDown => view.scroll_by(20),
            KeyCode::PageUp => view.scroll_by(-20),
            KeyCode::Char(':') => return None,
            _ => {}
        }
        Some(true)
    }

    fn wizard_request(&mut self, r: Request) {
        match r {
            Request::Close => self.wizards.state = WizardState::Closed,
            Request::DryRun(plan) => self.wizards.jobs.push(Job::DryRun(plan)),
            Request::Create(plan) => {
                let target = match &self.wizards.state {
                    WizardState::Open(w) => w.target(),
                    _ => String::new(),
                };
                let mut lines = vec![ConfirmLine::new(
                    Tone::Plain,
                    format!("Creates {} object(s), in this order:", plan.objects.len()),
                )];
                // Names only: the review page showed the YAML (secrets redacted).
                lines.extend(plan.objects.iter().map(|o| {
                    let ns = o
                        .namespace
                        .as_deref()
                        .map(|n| format!("{n}/"))
                        .unwrap_or_default();
                    ConfirmLine::new(Tone::Plain, format!("  {} {ns}{}", o.kind, o.name))
                }));
                lines.push(ConfirmLine::new(
                    Tone::Muted,
                    "If a step fails, everything this run created is deleted again (rollback).",
                ));
                self.request_write(ConfirmRequest {
                    title: format!("Create {target} on the cluster now?"),
                    lines,
                    prompt: None,
                    write: WriteRequest::Create(CreateWrite {
                        plan,
                        target,
                        origin: Origin::default(),
                    }),
                });
                // Not confirmed (refused, or waiting for the answer): back to the review until
                // the dialog confirms.
                if self.pipeline.confirm.is_none() && self.pipeline.parked.is_none() {
                    self.wizard_create_cancelled();
                }
            }
        }
    }

    /// The create did not go ahead (cancelled or refused): the wizard is editable again.
    pub(crate) fn wizard_create_cancelled(&mut self) {
        if let WizardState::Open(w) = &mut self.wizards.state {
            w.create_cancelled();
        }
    }

    /// The result of a create (the one write pipeline's report detail).
    pub(crate) fn wizard_created(
        &mut self,
        target: &str,
        result: &Result<CreateReport, CreateError>,
        audit_error: Option<String>,
    ) {
        let ok = result.is_ok();
        if let WizardState::Open(w) = &mut self.wizards.state {
            w.create_done(result);
        }
        if ok {
            self.wizards.state = WizardState::Closed;
            let mut text = format!("created {target}");
            if let Some(e) = audit_error {
                text.push_str(&format!(" (not recorded: {e})"));
            }
            self.notify(text);
            self.follow_created(target);
        } else if let Some(e) = audit_error {
            self.notify(format!("not recorded: {e}"));
        } else {
            self.notice = None;
        }
    }

    /// After a create: the pane of the new object, its row selected once the watch delivers it,
    /// and its details open so the admin watches it progress.
    fn follow_created(&mut self, target: &str) {
        let Some((kind, key)) = created_object(target) else {
            return;
        };
        let Some(i) = self.panes.iter().position(|p| p.kind() == kind) else {
            return;
        };
        self.active = i;
        self.wizards.preflight = None;
        if let Some(p) = self.panes.get_mut(i)
            && !p.select_key(key)
        {
            self.follow = Some((i, key.to_string()));
        }
        self.show_doc(DocMode::Details, key.to_string());
    }

    /// A job's result.
    pub fn on_wizard_msg(&mut self, m: Msg) -> bool {
        match m {
            Msg::Facts {
                target: Target::Preflight,
                facts,
                ..
            } => {
                if let Some(v) = &mut self.wizards.preflight {
                    v.checks = Some(crate::wizard::preflight::run(&facts));
                }
            }
            Msg::Facts {
                target,
                facts,
                denied,
            } => {
                if !matches!(self.wizards.state, WizardState::Loading(t) if t == target) {
                    return false;
                }
                if let Some(why) = denied {
                    self.wizards.state = WizardState::Closed;
                    self.notify(format!("cannot create: {why}"));
                    return true;
                }
                self.wizards.facts = Some(facts);
                self.wizard_gate_changed();
            }
            Msg::DryRun(report) => {
                if let WizardState::Open(w) = &mut self.wizards.state {
                    w.dry_run_done(report);
                }
            }
        }
        true
    }
}
