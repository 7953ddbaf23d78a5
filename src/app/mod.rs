//! Application state and `update(Action)`: the only place UI state changes. No I/O here: side
//! effects (switching context) are queued as `Effect`s for the event loop to carry out.

pub mod commands;
pub mod confirm;
pub mod copies;
pub mod doc;
mod flavor;
pub mod input;
pub mod layout;
mod migration;
pub mod scale;
pub mod wizards;
mod writes;

use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use k8s_openapi::jiff::Timestamp;
use ratatui::layout::Rect;

use self::commands::Parsed;
use self::doc::{DocMode, DocView};
use self::input::LineInput;
use crate::action::Action;
use crate::gate::{ActionGate, GatedAction, Verdict};
use crate::keymap::{KeyContext, Keymap};
use crate::overview::ClusterShape;
use crate::panes::Pane;
use crate::panes::health::HealthPane;
use crate::panes::nodes::NodesPane;
use crate::panes::overview::OverviewPane;
use crate::theme::Theme;
use crate::watch::cluster_info::ClusterInfo;
use crate::watch::{KindState, KindStates, Stores, WatchMsg};

/// How long a notice stays in the status bar.
const NOTICE: Duration = Duration::from_secs(6);
/// While a details view that needs a one-shot read is open, read again this often.
const REFETCH: Duration = Duration::from_secs(10);

/// Every pane, in tab order: the one place panes are registered.
pub fn panes() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(OverviewPane::default()),
        Box::new(NodesPane::default()),
        Box::new(crate::panes::csr::CsrPane::default()),
        Box::new(crate::panes::hosted::HostedPane::default()),
        Box::new(crate::panes::fleet::nodepools::NodePoolsPane::default()),
        Box::new(crate::panes::fleet::machinesets::MachineSetsPane::default()),
        Box::new(crate::panes::operators::OperatorsPane::default()),
        Box::new(HealthPane::default()),
        Box::new(crate::panes::readiness::ReadinessPane::default()),
        Box::new(crate::panes::copies::CopiesPane::default()),
        Box::new(crate::panes::maintenance::MaintenancePane::default()),
    ]
}

/// Side effects the event loop performs for the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SwitchContext(String),
    /// Run a confirmed write of the one write pipeline in a task (`actions::run`); it reports
    /// back with `TaskResult::WriteDone`.
    Write(crate::actions::WriteRequest),
    /// Ask the API server these RBAC questions; answers come back as
    /// `TaskResult::AccessChecked`.
    CheckAccess(Vec<crate::gate::Access>),
    /// Put this text on the clipboard (the loop writes `osc52(text)` to the terminal).
    Copy(String),
    /// List what the details of a pane's object need (see `panes::Documents::details_fetch`).
    Fetch(crate::fetched::Fetch),
    /// Open a hosted cluster's guest API with its admin kubeconfig (kept in memory only).
    OpenGuest(crate::fetched::GuestRef),
    /// Go back from a guest cluster to the cluster it was opened from.
    LeaveGuest,
    /// Check the guest PodDisruptionBudgets of the hosted clusters whose guest nodes would be
    /// drained by maintenance of `node`; the result comes back as `TaskResult::GuestPdbs`.
    GuestPdbs {
        generation: u64,
        node: String,
        targets: Vec<crate::migration::guest_pdbs::GuestTarget>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette,
    Filter,
    /// Choosing a kubeconfig context: the list and the selected index.
    Contexts(usize),
    /// The scale dialog (`App::scale`) is open.
    Scale,
    /// The one confirm dialog (`App::confirm`) is open.
    Confirm,
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
    /// Guest clusters opened from hosted clusters, outermost first (`clusters/example`); the
    /// header shows them as a breadcrumb after the context and Esc goes back one level.
    pub nested: Vec<String>,
    /// The pane active when each guest was opened, by title (restored on the way back).
    nested_from: Vec<&'static str>,
    /// When the open details view last asked for its one-shot read.
    last_fetch: Option<Instant>,
    pub(crate) doc: Option<DocView>,
    pub(crate) overlay: Overlay,
    pub(crate) input: LineInput,
    pub(crate) notice: Option<(String, Instant)>,
    /// A config or theme problem found at start-up, shown until dismissed.
    pub(crate) startup_warning: Option<String>,
    pub(crate) size: Rect,
    pub(crate) now: Timestamp,
    pub(crate) instant: Instant,
    /// See [`App::set_clock_change_due`].
    clock_change_due: Option<Instant>,
    effects: Vec<Effect>,
    quit: bool,
    /// The scale entry dialog.
    pub(crate) scale: scale::ScaleState,
    /// The one write pipeline's state: the confirm dialog, a parked request, the RBAC
    /// questions under way.
    pub(crate) pipeline: writes::Pipeline,
    /// `:autoapprove on` for this session.
    pub autoapprove: bool,
    /// Local user named in approvals and the audit log (`$USER`).
    pub user: String,
    /// Audit log of cluster writes (JSON lines next to the log file).
    pub audit_path: Option<std::path::PathBuf>,
    /// The cluster's flavor and served APIs, once the overview poller has read them (panes are
    /// hidden by it).
    shape: Option<ClusterShape>,
    /// Panes this cluster cannot show, with why (their commands say so).
    hidden: Vec<flavor::HiddenPane>,
    /// The creation wizards and the preflight view, with their reads for the event loop.
    wizards: wizards::Wizards,
    /// An object just created (pane index, key): its row is selected once the watch delivers it.
    follow: Option<(usize, String)>,
    /// Titles of panes whose kinds changed while they were off screen: only the shown pane (and
    /// panes with background duties, `Pane::background`) follows the stores; the others catch
    /// up when shown.
    pub(crate) stale: std::collections::BTreeSet<&'static str>,
    /// Titles of panes ([`Pane::warm_ahead`]) that have not synced since their kinds' lists were
    /// complete: their first sync converts every object (10,000 DataVolumes for Copies), so
    /// [`App::warm_up`] does it while nobody types rather than on the key that first shows them.
    cold: std::collections::BTreeSet<&'static str>,
    /// When each warmed pane off screen was last caught up in a pause (see [`REFRESH`]).
    refreshed: std::collections::BTreeMap<&'static str, Instant>,
    /// When the last key or mouse event came (warm-ups wait for a pause).
    last_input: Instant,
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
            nested: Vec::new(),
            nested_from: Vec::new(),
            last_fetch: None,
            doc: None,
            overlay: Overlay::None,
            input: LineInput::default(),
            notice: None,
            startup_warning: None,
            size: Rect::new(0, 0, 80, 24),
            now: Timestamp::now(),
            instant: Instant::now(),
            clock_change_due: None,
            effects: Vec::new(),
            quit: false,
            scale: scale::ScaleState::default(),
            pipeline: writes::Pipeline::default(),
            autoapprove: false,
            user: crate::actions::audit::local_user(),
            audit_path: crate::actions::audit::default_path(),
            shape: None,
            hidden: Vec::new(),
            wizards: wizards::Wizards::default(),
            follow: None,
            stale: Default::default(),
            cold: Default::default(),
            refreshed: Default::default(),
            last_input: Instant::now(),
        }
        .with_links()
    }

    fn with_links(mut self) -> App {
        self.announce_panes();
        self
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

    /// When the last frame drawn reads differently with the clock alone (from
    /// [`crate::age::changes_of`] around its drawing; `None`: never).
    pub fn set_clock_change_due(&mut self, due: Option<Instant>) {
        self.clock_change_due = due;
    }

    /// See [`App::set_clock_change_due`].
    pub fn clock_change_due(&self) -> Option<Instant> {
        self.clock_change_due
    }

    /// When the screen next reads differently with the clock alone: the last frame's deadline
    /// or an open details view's, whichever comes first (the event loop wakes then).
    pub fn next_clock_change(&self) -> Option<Instant> {
        let doc = self.doc.as_ref().and_then(|d| d.changes_at);
        [self.clock_change_due, doc].into_iter().flatten().min()
    }

    /// Rebuild an open details view whose ages or countdowns read differently by now. Returns
    /// whether it did.
    pub fn refresh_doc_if_due(&mut self) -> bool {
        let due = self
            .doc
            .as_ref()
            .and_then(|d| d.changes_at)
            .is_some_and(|t| self.instant >= t);
        if due {
            self.refresh_doc();
        }
        due
    }

    /// Set the clocks used by the next update and render (tests inject fixed times).
    pub fn set_time(&mut self, now: Timestamp, instant: Instant) {
        self.now = now;
        self.instant = instant;
        for p in &mut self.panes {
            p.set_wall_clock(now);
        }
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
            Overlay::Palette | Overlay::Filter | Overlay::Confirm | Overlay::Scale => {
                KeyContext::Input
            }
            Overlay::Contexts(_) => KeyContext::Picker,
            Overlay::None if self.doc.is_some() => KeyContext::View,
            Overlay::None => KeyContext::Table,
        }
    }

    /// A key press: resolve it through the keymap and apply it. Returns whether to redraw.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        self.last_input = Instant::now();
        let redraw = self.handle_key_inner(key);
        self.catch_up_shown() || redraw
    }

    fn handle_key_inner(&mut self, key: &KeyEvent) -> bool {
        self.startup_warning = None;
        if self.overlay == Overlay::None
            && let Some(redraw) = self.wizard_key(key)
        {
            return redraw;
        }
        let pane = self.pane().map(|p| p.kind());
        // Resolved once; the action (if any) is applied below.
        let context = self.key_context();
        let resolved = self.keymap.resolve_in(key, context, pane);
        // Keys the keymap leaves unbound (or every key while the pane shows a form) go to the
        // pane itself (the Copies pane's `x`, `r` and forms).
        if context == KeyContext::Table
            && let Some(p) = self.panes.get_mut(self.active)
            && let Some(own) = p.own_input()
            && (own.modal() || resolved.is_none())
            && own.raw_key(key, &self.gate)
        {
            self.take_pane_writes();
            return true;
        }
        match resolved {
            Some(a) => self.update(a),
            None => false,
        }
    }

    pub fn handle_mouse(&mut self, m: &MouseEvent) -> bool {
        self.last_input = Instant::now();
        let redraw = self.handle_mouse_inner(m);
        self.catch_up_shown() || redraw
    }

    fn handle_mouse_inner(&mut self, m: &MouseEvent) -> bool {
        if self.wizard_open() {
            return false;
        }
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
        self.cold.clear();
        let title = self.pane().map(|p| p.title());
        // Tracked blob copies and mirror jobs are not the cluster's: they survive a reconnect.
        let mut old = std::mem::replace(&mut self.panes, panes());
        old.extend(self.hidden.drain(..).map(|h| h.pane));
        crate::panes::copies::carry_over(&mut old, &mut self.panes);
        for p in &mut self.panes {
            p.set_wall_clock(self.now);
        }
        self.active = title
            .and_then(|t| self.panes.iter().position(|p| p.title() == t))
            .unwrap_or(0);
        self.shape = None;
        self.announce_panes();
        self.doc = None;
        self.gate.forget_rbac();
        // No dialog, parked request or question of the old connection carries over.
        self.pipeline = writes::Pipeline::default();
        self.scale = scale::ScaleState::default();
        if self.overlay == Overlay::Scale {
            self.overlay = Overlay::None;
        }
        if self.overlay == Overlay::Confirm {
            self.overlay = Overlay::None;
        }
        if self.autoapprove {
            // Auto-approval was turned on for one cluster: never carry it to another.
            self.autoapprove = false;
            self.notify(
                "auto-approve is off for the new context (turn it on again with :autoapprove on)",
            );
        }
        self.prefetch_access();
        self.cold = self
            .panes
            .iter()
            .filter(|p| p.warm_ahead())
            .map(|p| p.title())
            .collect();
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
                let mut resync = false;
                for p in &mut self.panes {
                    if p.reads().contains(&kind) {
                        resync |= p.kind_state(kind, &state);
                    }
                }
                self.states.insert(kind, state);
                if resync {
                    self.sync_panes(|p| p.reads().contains(&kind), None);
                }
                true
            }
            WatchMsg::ClusterInfo { generation, info } if generation == self.conn.generation => {
                self.conn.info = info.merged_over(&self.conn.info);
                true
            }
            WatchMsg::Fetched { generation, data } if generation == self.conn.generation => {
                let mut changed = false;
                for d in self.panes.iter_mut().filter_map(|p| p.documents_mut()) {
                    changed |= d.fetched(&data);
                }
                if changed {
                    self.refresh_doc();
                }
                changed
            }
            _ => false,
        }
    }

    /// Every store may have changed: every pane re-derives rows where resourceVersions moved
    /// (on connect, and for tests and benchmarks that feed stores by hand).
    pub fn store_changed(&mut self) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let mut changed = false;
        for p in &mut self.panes {
            changed |= p.sync(stores, self.instant);
            if settled(&self.states, p.reads()) {
                self.cold.remove(p.title());
            }
        }
        self.stale.clear();
        if changed {
            self.refresh_doc();
            self.collect_auto_writes();
            self.request_guest_pdbs();
        }
        self.sync_panes(|_| false, None) || changed
    }

    /// These kinds' stores changed (coalesced): only the panes reading them catch up.
    pub fn kinds_changed(&mut self, kinds: &std::collections::BTreeSet<&'static str>) -> bool {
        self.sync_panes(|p| p.reads().iter().any(|k| kinds.contains(k)), Some(kinds))
    }

    /// Sync the `wanted` panes that are shown or follow the stores in the background (the
    /// others are marked stale). `kinds`: what changed since the last sync, when known.
    fn sync_panes(
        &mut self,
        wanted: impl Fn(&dyn Pane) -> bool,
        kinds: Option<&std::collections::BTreeSet<&'static str>>,
    ) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let mut changed = false;
        for (i, p) in self.panes.iter_mut().enumerate() {
            if wanted(p.as_ref()) {
                // A pane that was off screen (stale) catches up with everything.
                if i == self.active || p.background() {
                    changed |= match kinds {
                        Some(k) if !self.stale.contains(p.title()) => {
                            p.sync_changed(stores, self.instant, k)
                        }
                        _ => p.sync(stores, self.instant),
                    };
                    self.stale.remove(p.title());
                    if settled(&self.states, p.reads()) {
                        self.cold.remove(p.title());
                    }
                } else {
                    self.stale.insert(p.title());
                }
            }
        }
        changed |= self.apply_flavor();
        changed |= self.catch_up_shown();
        if let Some((i, key)) = &self.follow
            && let Some(p) = self.panes.get_mut(*i)
            && p.select_key(key)
        {
            self.follow = None;
            changed = true;
        }
        if changed {
            self.refresh_doc();
            self.collect_auto_writes();
            self.request_guest_pdbs();
        }
        changed
    }

    /// Sync the shown pane if its kinds changed while it was off screen. Returns whether it
    /// changed.
    pub(crate) fn catch_up_shown(&mut self) -> bool {
        let Some(stores) = &self.stores else {
            return false;
        };
        let Some(p) = self.panes.get_mut(self.active) else {
            return false;
        };
        // Every path that changes the shown pane ends here: the overview poller reads the whole
        // cluster every 20 s only while a pane that shows it is on screen.
        let wanted = p.reads().contains(&crate::watch::overview_poll::KIND);
        stores
            .overview_wanted
            .send_if_modified(|w| std::mem::replace(w, wanted) != wanted);
        if !self.stale.remove(p.title()) {
            return false;
        }
        let changed = p.sync(stores, self.instant);
        if settled(&self.states, p.reads()) {
            self.cold.remove(p.title());
        }
        if changed {
            self.refresh_doc();
            self.collect_auto_writes();
            self.request_guest_pdbs();
        }
        changed
    }

    fn refresh_doc(&mut self) {
        if let Some(doc) = &mut self.doc
            && let Some(p) = self.panes.get(doc.pane)
        {
            doc.refresh(p.as_ref(), &self.theme, self.now, self.instant);
        }
    }

    /// Titles of the panes whose first full sync is still ahead (see [`App::warm_up`]).
    pub fn cold_panes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.cold.iter().copied()
    }

    /// Whether every kind the shown pane reads has its complete list (until then its rows
    /// are still arriving page by page, and it catches up at frame rate, see `DATA_SYNC`).
    pub fn shown_settled(&self) -> bool {
        self.pane().is_none_or(|p| settled(&self.states, p.reads()))
    }

    /// Whether some pane off screen still has its first full sync ahead (see [`App::warm_up`]).
    pub fn has_cold_panes(&self) -> bool {
        !self.cold.is_empty() && self.stores.is_some()
    }

    /// Whether [`App::warm_up`] has something to do: a cold pane, or a warmed one off screen
    /// that fell behind the stores.
    pub fn wants_warm_up(&self) -> bool {
        self.has_cold_panes()
            || (self.stores.is_some()
                && self.panes.iter().enumerate().any(|(i, p)| {
                    i != self.active && p.warm_ahead() && self.stale.contains(p.title())
                }))
    }

    /// While nobody has typed for [`WARM_IDLE`], syncs one pane off screen whose kinds have
    /// complete lists but which has not synced since: its first sync (every DataVolume, CSR or
    /// NodePool made into rows, up to a few hundred ms at fleet scale) happens in a pause rather
    /// than on the key that first shows it. Later switches only catch up with what changed,
    /// and warmed panes off screen catch up every [`REFRESH`] too. Returns whether the screen
    /// changed.
    pub fn warm_up(&mut self, now: Instant) -> bool {
        if now.duration_since(self.last_input) < WARM_IDLE {
            return false;
        }
        let Some(stores) = &self.stores else {
            return false;
        };
        let states = &self.states;
        let cold = &self.cold;
        let cold_pane = self.panes.iter().position(|p| {
            cold.contains(p.title()) && settled(states, p.reads()) && p.warm_ready(stores)
        });
        if cold_pane.is_none() {
            // Not live yet, or hidden by the cluster's shape (a hidden pane catches up when it
            // comes back): forget the hidden ones.
            let panes = &self.panes;
            self.cold.retain(|t| panes.iter().any(|p| p.title() == *t));
        }
        // Warmed panes off screen catch up every REFRESH in a pause: a switch then catches up
        // with at most that much churn, and their models do not pin versions the stores
        // replaced long ago.
        let (stale, refreshed, active) = (&self.stale, &self.refreshed, self.active);
        let due = || {
            self.panes.iter().enumerate().position(|(i, p)| {
                i != active
                    && p.warm_ahead()
                    && !self.cold.contains(p.title())
                    && stale.contains(p.title())
                    && refreshed
                        .get(p.title())
                        .is_none_or(|t| now.duration_since(*t) >= REFRESH)
            })
        };
        let Some(i) = cold_pane.or_else(due) else {
            return false;
        };
        self.refreshed.insert(self.panes[i].title(), now);
        let p = &mut self.panes[i];
        self.cold.remove(p.title());
        self.stale.remove(p.title());
        let changed = p.sync(stores, self.instant);
        if changed {
            self.collect_auto_writes();
        }
        changed && i == self.active
    }

    /// Whether something on screen animates (the loop ticks faster while so).
    /// Between the 1 s ticks, while rows flash: ends the shown pane's flashes and the notice
    /// that are over. Returns whether anything changed (only then is a frame drawn; ages move
    /// on the 1 s tick).
    pub fn end_flashes(&mut self) -> bool {
        let mut changed = false;
        if self
            .notice
            .as_ref()
            .is_some_and(|(_, t)| self.instant.duration_since(*t) >= NOTICE)
        {
            self.notice = None;
            changed = true;
        }
        if let Some(p) = self.panes.get_mut(self.active) {
            changed |= p.tick(self.instant);
        }
        changed
    }

    pub fn animating(&self) -> bool {
        self.panes.get(self.active).is_some_and(|p| p.animating()) || self.notice.is_some()
    }

    pub fn pane(&self) -> Option<&dyn Pane> {
        self.panes.get(self.active).map(|p| p.as_ref())
    }

    /// The state of every watched kind, as last reported.
    pub fn kind_states(&self) -> &KindStates {
        &self.states
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
        let redraw = self.update_inner(action);
        self.catch_up_shown() || redraw
    }

    fn update_inner(&mut self, action: Action) -> bool {
        let body = layout::layout(self, self.size).body;
        let action = self.remap(action);
        match action {
            Action::Quit => self.quit = true,
            Action::Resize(w, h) => self.size = Rect::new(0, 0, w, h),
            // A tick redraws only what the clock changed: a notice that ended, a pane's
            // flashes or timers, or text of the last frame that reads differently by now (an
            // age, a countdown: see `crate::age::changes_of`).
            Action::Tick => {
                let mut changed = self.clock_change_due.is_some_and(|t| self.instant >= t);
                if self
                    .notice
                    .as_ref()
                    .is_some_and(|(_, t)| self.instant.duration_since(*t) >= NOTICE)
                {
                    self.notice = None;
                    changed = true;
                }
                for p in &mut self.panes {
                    changed |= p.tick(self.instant);
                }
                changed |= self.refresh_doc_if_due();
                self.refetch_details();
                self.request_guest_pdbs();
                return changed;
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
            Action::Migration(a) => return self.migration_action(a),
            Action::Input(key) if self.overlay == Overlay::Scale => self.scale_input(&key),
            Action::Scale(step) => return self.scale_key(step),
            Action::Input(key) if self.overlay == Overlay::Confirm => {
                match self.pipeline.confirm.as_ref().and_then(|d| d.yes_no(&key)) {
                    Some(true) => self.confirm_submit(),
                    Some(false) => self.confirm_cancel(),
                    None => {
                        if let Some(d) = &mut self.pipeline.confirm {
                            d.input(key);
                        }
                    }
                }
            }
            Action::Pane(key) => return self.pane_key(key),
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
            Action::Copy => self.copy_selected(),
            Action::OpenGuest => self.open_guest(),
            Action::DrillDown => self.drill_down(),
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
        if let Some(key) = key {
            self.show_doc(mode, key);
        }
    }

    /// Open the details or YAML view of `key` in the active pane, with the read it asks for.
    pub(crate) fn show_doc(&mut self, mode: DocMode, key: String) {
        // Switching between the details and YAML of one object keeps what was read for it.
        let fresh = self
            .doc
            .as_ref()
            .is_none_or(|d| d.pane != self.active || d.key != key);
        let mut doc = DocView::open(mode, self.active, key.clone());
        if let Some(p) = self.panes.get_mut(self.active) {
            if fresh && let Some(d) = p.documents_mut() {
                d.doc_opened(&key);
            }
            doc.refresh(p.as_ref(), &self.theme, self.now, self.instant);
            if let Some(f) = doc_fetch(p.as_ref(), mode, &key) {
                self.effects.push(Effect::Fetch(f));
                self.last_fetch = Some(self.instant);
            }
        }
        self.doc = Some(doc);
    }

    fn back(&mut self) {
        if self.overlay == Overlay::Scale {
            return self.scale_back();
        }
        if self.overlay == Overlay::Confirm {
            self.confirm_cancel();
        } else if self.overlay == Overlay::None && self.doc.is_none() && self.cancel_parked() {
            // A request waiting for its permission answer is what Esc cancels first.
        } else if self.overlay != Overlay::None {
            self.overlay = Overlay::None;
        } else if self.doc.is_none()
            && !self.nested.is_empty()
            && self.pane().is_none_or(|p| p.filter_text().is_empty())
        {
            // Esc on an unfiltered table inside a guest cluster goes back to its parent.
            self.notify("back to the management cluster…");
            self.effects.push(Effect::LeaveGuest);
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
            Overlay::Scale => self.scale_submit(),
            Overlay::Confirm => self.confirm_submit(),
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
                if let Some(own) = self.panes.get_mut(i).and_then(|p| p.own_input()) {
                    own.pane_command(cmd, &self.gate);
                }
                self.take_pane_writes();
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
            Parsed::AutoApprove(on) => self.set_autoapprove(on),
            Parsed::Preflight => match self.why_hidden(crate::overview::Pane::Preflight) {
                Some(why) => self.notify(format!("`:preflight` is unavailable here: {why}")),
                None => self.open_preflight(),
            },
            Parsed::CreateCluster => self.open_wizard(wizards::jobs::Target::Cluster),
            Parsed::AddNodePool => self.open_wizard(wizards::jobs::Target::NodePool),
            Parsed::Unknown(c) => match self.hidden_pane(&c) {
                Some(h) => {
                    let msg = format!("`:{c}` is unavailable here: {}", h.why);
                    self.notify(msg)
                }
                None => self.notify(format!("unknown command `:{c}` (`?` lists commands)")),
            },
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

    /// Keep an open details or YAML view's one-shot read fresh (control-plane pods come and go,
    /// a node's live object moves on).
    fn refetch_details(&mut self) {
        let Some(doc) = self.doc.as_ref() else {
            return;
        };
        if self
            .last_fetch
            .is_some_and(|t| self.instant.duration_since(t) < REFETCH)
        {
            return;
        }
        if let Some(f) = self
            .panes
            .get(doc.pane)
            .and_then(|p| doc_fetch(p.as_ref(), doc.mode, &doc.key))
        {
            self.effects.push(Effect::Fetch(f));
            self.last_fetch = Some(self.instant);
        }
    }

    /// Enter on a hosted cluster: into its guest cluster when it published an admin kubeconfig;
    /// otherwise its details, which say why it cannot be opened yet.
    fn drill_down(&mut self) {
        let key = self.pane().and_then(|p| p.selected_key());
        match key.and_then(|k| self.guest(&k)) {
            Some(Ok(_)) => self.open_guest(),
            Some(Err(why)) => {
                self.open_doc(&Action::Details);
                self.notify(why);
            }
            None => self.open_doc(&Action::Details),
        }
    }

    /// The guest cluster `key` of the active pane can be opened as (`None`: this pane has no
    /// guests; `Err`: why this one cannot be opened).
    fn guest(&self, key: &str) -> Option<Result<crate::fetched::GuestRef, String>> {
        Some(self.pane()?.guests()?.guest(key))
    }

    /// `o` on a hosted cluster (table or details): open its guest cluster.
    fn open_guest(&mut self) {
        let key = match &self.doc {
            Some(d) => Some(d.key.clone()),
            None => self.pane().and_then(|p| p.selected_key()),
        };
        let target = key.and_then(|k| self.guest(&k));
        match target {
            None => self.notify("o opens a guest cluster from the Hosted clusters pane (:hc)"),
            Some(Err(why)) => self.notify(why),
            Some(Ok(g)) => {
                self.notify(format!("opening guest cluster {}…", g.label()));
                self.effects.push(Effect::OpenGuest(g));
            }
        }
    }

    /// The guest cluster `label` is now shown (its watches started by `connected`).
    pub fn entered_guest(&mut self, label: &str) {
        self.nested.push(label.to_string());
        if let Some(title) = self.pane().map(|p| p.title()) {
            self.nested_from.push(title);
        }
        if let Some(i) = self
            .panes
            .iter()
            .position(|p| p.kind() == crate::watch::NODES.id)
        {
            self.active = i;
        }
    }

    /// Back on the parent of a guest cluster.
    pub fn left_guest(&mut self) {
        self.nested.pop();
        // What the guest could not show, its parent may: every pane back until the parent's
        // overview is read.
        self.show_every_pane();
        if let Some(i) = self
            .nested_from
            .pop()
            .and_then(|t| self.panes.iter().position(|p| p.title() == t))
        {
            self.active = i;
        }
    }
}

/// The one-shot read a view of `key` in `mode` needs from pane `p`.
fn doc_fetch(p: &dyn Pane, mode: DocMode, key: &str) -> Option<crate::fetched::Fetch> {
    let d = p.documents()?;
    match mode {
        DocMode::Details => d.details_fetch(key),
        DocMode::Yaml => d.yaml_fetch(key),
    }
}

/// How often [`App::warm_up`] catches a warmed pane off screen up with the stores.
pub const REFRESH: std::time::Duration = std::time::Duration::from_secs(20);

/// How long input must pause before [`App::warm_up`] syncs a pane off screen.
pub const WARM_IDLE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Whether every kind of `reads` has its complete list, or will not get one (not installed,
/// forbidden).
fn settled(states: &KindStates, reads: &[&str]) -> bool {
    reads.iter().all(|k| {
        matches!(
            states.get(k),
            Some(KindState::Live | KindState::NotInstalled | KindState::Forbidden(_))
        )
    })
}

#[cfg(test)]
mod tests;
