//! Application state and `update(Action)`: the only place UI state changes. No I/O here: side
//! effects (switching context) are queued as `Effect`s for the event loop to carry out.

pub mod commands;
pub mod copies;
pub mod doc;
pub mod input;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::commands::Parsed;
use self::doc::{DocMode, DocView};
use self::input::LineInput;
use crate::action::Action;
use crate::gate::{ActionGate, GatedAction, Verdict};
use crate::keymap::{KeyContext, Keymap};
use crate::panes::Pane;
use crate::panes::nodes::NodesPane;
use crate::theme::Theme;
use crate::watch::cluster_info::ClusterInfo;
use crate::watch::{KindState, KindStates, Stores, WatchMsg};

/// How long a notice stays in the status bar.
const NOTICE: Duration = Duration::from_secs(6);

/// Every pane, in tab order: the one place panes are registered.
pub fn panes() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(NodesPane::default()),
        Box::new(crate::panes::copies::CopiesPane::default()),
    ]
}

/// Side effects the event loop performs for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SwitchContext(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette,
    Filter,
    /// Choosing a kubeconfig context: the list and the selected index.
    Contexts(usize),
}

/// The cluster the UI shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnInfo {
    pub context: String,
    pub server: String,
    pub info: ClusterInfo,
    /// Why connecting failed, if it did (shown in the banner).
    pub error: Option<String>,
    pub generation: u64,
}

pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub gate: ActionGate,
    pub(crate) panes: Vec<Box<dyn Pane>>,
    pub(crate) active: usize,
    pub(crate) stores: Option<Stores>,
    pub(crate) states: KindStates,
    pub conn: ConnInfo,
    pub contexts: Vec<String>,
    pub(crate) doc: Option<DocView>,
    pub(crate) overlay: Overlay,
    pub(crate) input: LineInput,
    pub(crate) notice: Option<(String, Instant)>,
    /// A config or theme problem found at start-up, shown until dismissed.
    pub(crate) startup_warning: Option<String>,
    pub(crate) size: Rect,
    pub(crate) now: DateTime<Utc>,
    pub(crate) instant: Instant,
    effects: Vec<Effect>,
    quit: bool,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, read_only: bool) -> App {
        App {
            keymap,
            theme,
            gate: ActionGate::new(read_only),
            panes: panes(),
            active: 0,
            stores: None,
            states: KindStates::new(),
            conn: ConnInfo::default(),
            contexts: Vec::new(),
            doc: None,
            overlay: Overlay::None,
            input: LineInput::default(),
            notice: None,
            startup_warning: None,
            size: Rect::new(0, 0, 80, 24),
            now: Utc::now(),
            instant: Instant::now(),
            effects: Vec::new(),
            quit: false,
        }
    }

    /// The app from a loaded config (and the warning from loading it), `--theme` (which wins over
    /// the config's theme) and `--read-only`. Config and theme problems become a start-up banner
    /// and the defaults are used: never a refusal to start.
    pub fn configured(
        cfg: &crate::config::Config,
        mut warning: Option<String>,
        theme_flag: Option<&str>,
        read_only: bool,
    ) -> App {
        let theme = match theme_flag.or(cfg.theme.as_deref()) {
            None => Theme::default(),
            Some(n) => Theme::load(n).unwrap_or_else(|e| {
                warning = Some(format!("{e} (using the default theme)"));
                Theme::default()
            }),
        };
        let mut app = App::new(Keymap::new(&cfg.keys), theme, read_only);
        app.startup_warning = warning;
        app
    }

    pub fn startup_warning(&self) -> Option<&str> {
        self.startup_warning.as_deref()
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Set the clocks used by the next update and render (tests inject fixed times).
    pub fn set_time(&mut self, now: DateTime<Utc>, instant: Instant) {
        self.now = now;
        self.instant = instant;
    }

    pub fn set_startup_warning(&mut self, w: Option<String>) {
        self.startup_warning = w;
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Which bindings apply now.
    pub fn key_context(&self) -> KeyContext {
        match self.overlay {
            Overlay::Help => KeyContext::Help,
            Overlay::Palette | Overlay::Filter => KeyContext::Input,
            Overlay::Contexts(_) => KeyContext::Picker,
            Overlay::None if self.doc.is_some() => KeyContext::View,
            Overlay::None => KeyContext::Table,
        }
    }

    /// A key press: resolve it through the keymap and apply it. Returns whether to redraw.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        self.startup_warning = None;
        if self.key_context() == KeyContext::Table
            && let Some(p) = self.panes.get_mut(self.active)
            && (p.modal() || self.keymap.resolve(key, KeyContext::Table).is_none())
            && p.pane_key(key, &self.gate)
        {
            return true;
        }
        match self.keymap.resolve(key, self.key_context()) {
            Some(a) => self.update(a),
            None => false,
        }
    }

    pub fn handle_mouse(&mut self, m: &MouseEvent) -> bool {
        let action = match m.kind {
            MouseEventKind::ScrollUp => Action::Move(-3),
            MouseEventKind::ScrollDown => Action::Move(3),
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => Action::ClickRow(m.row),
            _ => return false,
        };
        self.update(action)
    }

    /// A new connection (context switch or first connect): new stores, fresh states.
    pub fn connected(&mut self, generation: u64, context: &str, server: &str, stores: Stores) {
        self.conn = ConnInfo {
            context: context.into(),
            server: server.into(),
            info: ClusterInfo::default(),
            error: None,
            generation,
        };
        self.states.clear();
        self.stores = Some(stores);
        let mut old = std::mem::replace(&mut self.panes, panes());
        crate::panes::copies::carry_over(&mut old, &mut self.panes);
        self.doc = None;
        self.gate.forget_rbac();
        self.store_changed();
    }

    /// Connecting failed (bad context, credentials...): keep showing why.
    pub fn connect_failed(&mut self, context: &str, error: String) {
        self.conn.context = context.into();
        self.conn.error = Some(error);
    }

    /// A message from the watch layer. Stale generations are ignored.
    pub fn on_watch(&mut self, msg: WatchMsg) -> bool {
        match msg {
            WatchMsg::State {
                generation,
                kind,
                state,
            } if generation == self.conn.generation => {
                self.states.insert(kind, state);
                true
            }
            WatchMsg::ClusterInfo { generation, info } if generation == self.conn.generation => {
                self.conn.info = info;
                true
            }
            _ => false,
        }
    }

    /// Every store may have changed: re-derive rows where resourceVersions moved.
    pub fn store_changed(&mut self) -> bool {
        self.sync_panes(|_| true)
    }

    /// These kinds' stores changed (coalesced): only the panes reading them catch up.
    pub fn kinds_changed(&mut self, kinds: &std::collections::BTreeSet<&'static str>) -> bool {
        self.sync_panes(|p| p.reads().iter().any(|k| kinds.contains(k)))
    }

    fn sync_panes(&mut self, wanted: impl Fn(&dyn Pane) -> bool) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let mut changed = false;
        for p in &mut self.panes {
            if wanted(p.as_ref()) {
                changed |= p.sync(stores, self.instant);
            }
        }
        if changed {
            self.refresh_doc();
        }
        changed
    }

    fn refresh_doc(&mut self) {
        if let Some(doc) = &mut self.doc
            && let Some(p) = self.panes.get(doc.pane)
        {
            doc.refresh(p.as_ref(), &self.theme, self.now);
        }
    }

    /// Whether something on screen animates (the loop ticks faster while so).
    pub fn animating(&self) -> bool {
        self.panes.get(self.active).is_some_and(|p| p.animating()) || self.notice.is_some()
    }

    pub fn pane(&self) -> Option<&dyn Pane> {
        self.panes.get(self.active).map(|p| p.as_ref())
    }

    pub fn pane_state(&self) -> &KindState {
        self.pane()
            .and_then(|p| self.states.get(p.kind()))
            .unwrap_or(&KindState::Loading)
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), self.instant));
    }

    /// Apply one action. Returns whether the screen needs a redraw.
    pub fn update(&mut self, action: Action) -> bool {
        let body = crate::ui::layout(self, self.size).body;
        match action {
            Action::Quit => self.quit = true,
            Action::Resize(w, h) => self.size = Rect::new(0, 0, w, h),
            // Ages move on, so a tick always redraws.
            Action::Tick => {
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|(_, t)| self.instant.duration_since(*t) >= NOTICE)
                {
                    self.notice = None;
                }
                for p in &mut self.panes {
                    p.tick(self.instant);
                }
            }
            Action::ToggleHelp => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                };
            }
            Action::OpenPalette => {
                self.input = LineInput::default();
                self.overlay = Overlay::Palette;
            }
            Action::OpenFilter => {
                let current = self
                    .pane()
                    .map(|p| p.filter_text().to_string())
                    .unwrap_or_default();
                self.input = LineInput::with_text(&current);
                self.overlay = Overlay::Filter;
            }
            Action::Input(key) => {
                let changed = self.input.key(&key);
                if changed && self.overlay == Overlay::Filter {
                    // Live filtering as you type.
                    let text = self.input.text().to_string();
                    if let Some(p) = self.panes.get_mut(self.active) {
                        p.set_filter(&text);
                    }
                }
            }
            Action::Complete => {
                if self.overlay == Overlay::Palette
                    && let Some(c) = commands::matching(&self.panes, self.input.text()).first()
                {
                    self.input = LineInput::with_text(&format!("{} ", c.name));
                }
            }
            Action::Submit => return self.submit(),
            Action::Back => self.back(),
            Action::ClearFilter => {
                if let Some(p) = self.panes.get_mut(self.active) {
                    p.set_filter("");
                }
            }
            Action::Command(cmd) => self.run_command(&cmd),
            Action::SwitchContext(name) => self.switch_context(name),
            Action::Details | Action::Yaml => self.open_doc(&action),
            Action::Move(_) | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom
                if self.overlay != Overlay::None || self.doc.is_some() =>
            {
                self.scroll(&action, body);
            }
            Action::Move(_)
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::SortBy(_)
            | Action::SortNext
            | Action::ClickRow(_) => {
                if self.doc.is_some() || self.overlay != Overlay::None {
                    return false;
                }
                if let Some(p) = self.panes.get_mut(self.active) {
                    return p.handle(&action, body);
                }
            }
        }
        true
    }

    fn scroll(&mut self, action: &Action, body: Rect) {
        let page = i64::from(body.height.max(2) - 1);
        let delta = match action {
            Action::Move(d) => i64::from(*d),
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => i64::MIN / 2,
            _ => i64::MAX / 2,
        };
        if let Overlay::Contexts(sel) = &mut self.overlay {
            let max = self.contexts.len().saturating_sub(1) as i64;
            *sel = (*sel as i64 + delta).clamp(0, max.max(0)) as usize;
        } else if let Some(doc) = &mut self.doc {
            doc.scroll_by(delta);
        }
    }

    fn open_doc(&mut self, action: &Action) {
        let mode = if *action == Action::Yaml {
            DocMode::Yaml
        } else {
            DocMode::Details
        };
        let key = match &self.doc {
            Some(d) => Some(d.key.clone()),
            None => self.pane().and_then(|p| p.selected_key()),
        };
        let Some(key) = key else {
            return;
        };
        let mut doc = DocView::open(mode, self.active, key);
        if let Some(p) = self.panes.get(self.active) {
            doc.refresh(p.as_ref(), &self.theme, self.now);
        }
        self.doc = Some(doc);
    }

    fn back(&mut self) {
        if self.overlay != Overlay::None {
            self.overlay = Overlay::None;
        } else if self.doc.take().is_none()
            && let Some(p) = self.panes.get_mut(self.active)
        {
            // Esc on the table clears the filter, like k9s.
            p.set_filter("");
        }
    }

    fn submit(&mut self) -> bool {
        match std::mem::replace(&mut self.overlay, Overlay::None) {
            Overlay::Palette => {
                let cmd = self.input.text().to_string();
                self.run_command(&cmd);
            }
            Overlay::Filter => {}
            Overlay::Contexts(sel) => {
                if let Some(name) = self.contexts.get(sel).cloned() {
                    self.switch_context(name);
                }
            }
            other => self.overlay = other,
        }
        true
    }

    fn run_command(&mut self, cmd: &str) {
        match commands::parse(&self.panes, cmd) {
            Parsed::Pane(i) => {
                self.active = i;
                self.doc = None;
                if let Some(p) = self.panes.get_mut(i) {
                    p.pane_command(cmd, &self.gate);
                }
            }
            Parsed::PickContext => {
                let sel = self
                    .contexts
                    .iter()
                    .position(|c| *c == self.conn.context)
                    .unwrap_or(0);
                self.overlay = Overlay::Contexts(sel);
            }
            Parsed::SwitchContext(name) => self.switch_context(name),
            Parsed::Quit => self.quit = true,
            Parsed::Help => self.overlay = Overlay::Help,
            Parsed::Unknown(c) => {
                self.notify(format!("unknown command `:{c}` (`?` lists commands)"))
            }
            Parsed::Empty => {}
        }
    }

    fn switch_context(&mut self, name: String) {
        if !self.contexts.contains(&name) {
            self.notify(format!("no context `{name}` (:ctx lists them)"));
            return;
        }
        match self
            .gate
            .check_local(&GatedAction::SwitchContext(name.clone()))
        {
            Verdict::Denied(why) => self.notify(why),
            _ => {
                self.notify(format!("switching to context {name}…"));
                self.effects.push(Effect::SwitchContext(name));
            }
        }
    }

    /// Draw everything. Pure: reads state only.
    pub fn render(&self, frame: &mut Frame) {
        crate::ui::render(self, frame);
    }
}

#[cfg(test)]
mod tests;
