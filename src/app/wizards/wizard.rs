//! The keyboard-driven creation wizards (Create hosted cluster, Add node pool, both KubeVirt)
//! as a pure state machine over the `wizard::form` models. Keys go in, [`Request`]s for the
//! event loop come out ([`jobs`] carries them out); nothing here does I/O. [`view`] draws it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

use crate::wizard::build::Plan;
use crate::wizard::exec::{CreateError, CreateReport, DryRunReport};
use crate::wizard::form::{ClusterForm, Field, FieldKind, NodePoolForm, Step};

/// Which wizard.
#[derive(Debug, Clone)]
pub enum Form {
    Cluster(Box<ClusterForm>),
    NodePool(Box<NodePoolForm>),
}

/// What the wizard is doing besides editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Editing,
    /// Esc after typing: "discard? y/n".
    ConfirmCancel,
    DryRunning,
    /// Create pressed on the review page: the write is in the one write pipeline (gate,
    /// confirm dialog, executor) until its result comes back.
    Creating,
}

/// What the wizard asks the event loop to do.
#[derive(Debug, Clone)]
pub enum Request {
    Close,
    DryRun(Box<Plan>),
    Create(Box<Plan>),
}

#[derive(Debug, Clone)]
pub struct Wizard {
    pub form: Form,
    /// Index into [`Wizard::pages`].
    pub page: usize,
    /// Index of the focused field on the page.
    pub focus: usize,
    /// Which choice of a multi-pick field the cursor is on.
    pub choice: usize,
    /// Editor of the focused field's text (single line).
    pub editor: TextArea<'static>,
    pub phase: Phase,
    /// Why Enter did not advance (listed until the next edit).
    pub blocked: Vec<String>,
    /// Review page: the plan shown, dry-run and created with the same objects.
    pub plan: Option<Plan>,
    pub scroll: usize,
    pub dry_run: Option<DryRunReport>,
    /// The failed create's explanation (with the rollback's outcome).
    pub failure: Option<String>,
    /// Something was typed or changed (Esc asks before discarding).
    pub dirty: bool,
}

impl Wizard {
    pub fn cluster(form: ClusterForm) -> Wizard {
        Wizard::new(Form::Cluster(Box::new(form)))
    }

    pub fn nodepool(form: NodePoolForm) -> Wizard {
        Wizard::new(Form::NodePool(Box::new(form)))
    }

    fn new(form: Form) -> Wizard {
        let mut w = Wizard {
            form,
            page: 0,
            focus: 0,
            choice: 0,
            editor: TextArea::default(),
            phase: Phase::Editing,
            blocked: Vec::new(),
            plan: None,
            scroll: 0,
            dry_run: None,
            failure: None,
            dirty: false,
        };
        w.load_editor();
        w
    }

    pub fn title(&self) -> &'static str {
        match self.form {
            Form::Cluster(_) => "Create hosted cluster (KubeVirt)",
            Form::NodePool(_) => "Add node pool (KubeVirt)",
        }
    }

    /// The step list shown on the left.
    pub fn pages(&self) -> Vec<&'static str> {
        match self.form {
            Form::Cluster(_) => Step::ALL.iter().map(|s| s.title()).collect(),
            Form::NodePool(_) => vec!["Node pool", "Review and create"],
        }
    }

    pub fn is_review(&self) -> bool {
        self.page + 1 == self.pages().len()
    }

    pub fn is_preflight(&self) -> bool {
        matches!(self.form, Form::Cluster(_)) && self.page == 0
    }

    /// The fields of the current page, with their verdicts.
    pub fn fields(&self) -> Vec<Field> {
        match &self.form {
            Form::Cluster(f) => Step::ALL
                .get(self.page)
                .map(|s| f.fields(*s))
                .unwrap_or_default(),
            Form::NodePool(f) if self.page == 0 => f.fields(),
            Form::NodePool(_) => Vec::new(),
        }
    }

    pub fn focused(&self) -> Option<Field> {
        self.fields().into_iter().nth(self.focus)
    }

    fn set(&mut self, field: &Field, value: String) {
        match &mut self.form {
            Form::Cluster(f) => f.set(field.id, value),
            Form::NodePool(f) => f.set(field.id, value),
        }
        self.dirty = true;
        self.blocked.clear();
    }

    /// Put the focused field's value into the editor.
    fn load_editor(&mut self) {
        let value = self.focused().map(|f| f.value).unwrap_or_default();
        let mut ed = TextArea::new(vec![value]);
        ed.move_cursor(tui_textarea::CursorMove::End);
        ed.set_placeholder_text("(empty)");
        self.editor = ed;
        self.choice = 0;
    }

    fn move_focus(&mut self, delta: i64) {
        let n = self.fields().len() as i64;
        if n == 0 {
            return;
        }
        self.focus = (self.focus as i64 + delta).rem_euclid(n) as usize;
        self.load_editor();
    }

    fn go_to(&mut self, page: usize) {
        self.page = page;
        self.focus = 0;
        self.scroll = 0;
        self.blocked.clear();
        self.load_editor();
        if self.is_review() {
            self.plan = match &self.form {
                Form::Cluster(f) => f.plan().ok(),
                Form::NodePool(f) => f.plan().ok(),
            };
            self.dry_run = None;
            self.failure = None;
        }
    }

    /// Why the current page cannot be left forward (empty: it can).
    pub fn page_errors(&self) -> Vec<String> {
        match &self.form {
            Form::Cluster(f) => {
                let Some(step) = Step::ALL.get(self.page) else {
                    return Vec::new();
                };
                if *step == Step::Preflight {
                    return f.can_advance(*step).err().into_iter().collect();
                }
                let fields = f.fields(*step);
                let label = |id| {
                    fields
                        .iter()
                        .find(|x| x.id == id)
                        .map_or("", |x: &Field| x.label)
                };
                f.step_errors(*step)
                    .into_iter()
                    .map(|(id, m)| format!("{}: {m}", label(id)))
                    .collect()
            }
            Form::NodePool(f) => {
                let fields = f.fields();
                f.errors()
                    .into_iter()
                    .map(|(id, m)| {
                        let l = fields.iter().find(|x| x.id == id).map_or("", |x| x.label);
                        format!("{l}: {m}")
                    })
                    .collect()
            }
        }
    }

    /// The review text: every object's YAML, secrets redacted.
    pub fn review_lines(&self) -> Vec<String> {
        match &self.plan {
            None => vec!["The form has errors; go back (Ctrl-B) and fix them.".into()],
            Some(p) => p
                .review()
                .into_iter()
                .flat_map(|(title, yaml)| {
                    std::iter::once(format!("# {title}"))
                        .chain(yaml.lines().map(str::to_string).collect::<Vec<_>>())
                        .chain(std::iter::once(String::new()))
                })
                .collect(),
        }
    }

    /// A key press. Returns what the event loop should do, if anything.
    pub fn key(&mut self, k: &KeyEvent) -> Option<Request> {
        match self.phase {
            Phase::Creating | Phase::DryRunning => None,
            Phase::ConfirmCancel => match k.code {
                KeyCode::Char('y') | KeyCode::Enter => Some(Request::Close),
                _ => {
                    self.phase = Phase::Editing;
                    None
                }
            },
            Phase::Editing => self.edit_key(k),
        }
    }

    fn edit_key(&mut self, k: &KeyEvent) -> Option<Request> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc if self.dirty => self.phase = Phase::ConfirmCancel,
            KeyCode::Esc => return Some(Request::Close),
            KeyCode::Char('b') if ctrl => {
                if self.page > 0 {
                    self.go_to(self.page - 1);
                }
            }
            KeyCode::Down | KeyCode::Char('j') if self.is_preflight() => {
                let max = match &self.form {
                    Form::Cluster(f) => f.preflight.len() * 4,
                    Form::NodePool(_) => 0,
                };
                self.scroll = (self.scroll + 1).min(max);
            }
            KeyCode::Up | KeyCode::Char('k') if self.is_preflight() => {
                self.scroll = self.scroll.saturating_sub(1);
            }
            KeyCode::Tab | KeyCode::Down if !self.is_review() => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up if !self.is_review() => self.move_focus(-1),
            KeyCode::Enter if !self.is_review() => {
                self.blocked = self.page_errors();
                if self.blocked.is_empty() {
                    self.go_to(self.page + 1);
                }
            }
            _ if self.is_review() => return self.review_key(k),
            _ => self.field_key(k),
        }
        None
    }

    fn review_key(&mut self, k: &KeyEvent) -> Option<Request> {
        let max = self.review_lines().len().saturating_sub(1);
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll = (self.scroll + 1).min(max),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = (self.scroll + 20).min(max),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(20),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::Char('d') => {
                if let Some(p) = &self.plan {
                    self.phase = Phase::DryRunning;
                    return Some(Request::DryRun(Box::new(p.clone())));
                }
            }
            KeyCode::Enter | KeyCode::Char('c') => {
                if let Some(p) = &self.plan {
                    self.phase = Phase::Creating;
                    self.failure = None;
                    return Some(Request::Create(Box::new(p.clone())));
                }
            }
            _ => {}
        }
        None
    }

    fn field_key(&mut self, k: &KeyEvent) {
        let Some(field) = self.focused() else {
            return;
        };
        match (&field.kind, k.code) {
            (FieldKind::Toggle, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                let next = if field.value.trim() == "true" {
                    "false"
                } else {
                    "true"
                };
                self.set(&field, next.into());
                self.load_editor();
            }
            (FieldKind::Toggle, _) => {}
            (FieldKind::Pick { choices, .. }, KeyCode::Left | KeyCode::Right)
                if !choices.is_empty() =>
            {
                let n = choices.len() as i64;
                let at = choices.iter().position(|c| c.value == field.value);
                let step = if k.code == KeyCode::Right { 1 } else { -1 };
                let next = match at {
                    Some(i) => (i as i64 + step).rem_euclid(n),
                    None if step > 0 => 0,
                    None => n - 1,
                } as usize;
                if let Some(c) = choices.get(next) {
                    let v = c.value.clone();
                    self.set(&field, v);
                    self.load_editor();
                }
            }
            (
                FieldKind::Pick {
                    free_text: false, ..
                },
                _,
            ) => {}
            (FieldKind::MultiPick { choices }, KeyCode::Left | KeyCode::Right)
                if !choices.is_empty() =>
            {
                let n = choices.len() as i64;
                let step = if k.code == KeyCode::Right { 1 } else { -1 };
                self.choice = (self.choice as i64 + step).rem_euclid(n) as usize;
            }
            (FieldKind::MultiPick { choices }, KeyCode::Char(' ')) if !choices.is_empty() => {
                if let Some(c) = choices.get(self.choice) {
                    let mut picked: Vec<String> = field
                        .value
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    match picked.iter().position(|p| *p == c.value) {
                        Some(i) => {
                            picked.remove(i);
                        }
                        None => picked.push(c.value.clone()),
                    }
                    let choice = self.choice;
                    self.set(&field, picked.join(","));
                    self.load_editor();
                    self.choice = choice;
                }
            }
            _ => {
                // Single line: Enter never reaches here (it advances), Ctrl-M/J are ignored.
                if matches!(k.code, KeyCode::Char('m' | 'j'))
                    && k.modifiers.contains(KeyModifiers::CONTROL)
                {
                    return;
                }
                if self.editor.input(*k) {
                    let text = self.editor.lines().join("");
                    self.set(&field, text);
                }
            }
        }
    }

    /// The server's dry-run answer.
    pub fn dry_run_done(&mut self, report: DryRunReport) {
        self.phase = Phase::Editing;
        self.dry_run = Some(report);
    }

    /// The create finished. `Ok` names what was created (the wizard then closes).
    /// The create was cancelled in the confirm dialog or refused by the gate: back to the
    /// review.
    pub fn create_cancelled(&mut self) {
        if self.phase == Phase::Creating {
            self.phase = Phase::Editing;
        }
    }

    pub fn create_done(&mut self, r: &Result<CreateReport, CreateError>) {
        self.phase = Phase::Editing;
        if let Err(e) = r {
            self.failure = Some(e.explanation.clone());
        }
    }

    /// `Kind ns/name` of the plan's main object (the HostedCluster or NodePool).
    pub fn target(&self) -> String {
        let kind = match self.form {
            Form::Cluster(_) => "HostedCluster",
            Form::NodePool(_) => "NodePool",
        };
        self.plan
            .as_ref()
            .and_then(|p| p.find(kind))
            .map(|o| format!("{kind} {}/{}", o.namespace.as_deref().unwrap_or(""), o.name))
            .unwrap_or_else(|| kind.to_string())
    }
}
