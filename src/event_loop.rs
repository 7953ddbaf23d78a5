//! The event loop: one `select!` over terminal events, coalesced store changes, watch messages,
//! connection results and a slow clock; redraw on change at most ~30 frames/s. `Session` is the
//! terminal-free part (connections, watches, messages) so tests drive the real app without a tty.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use k8s_openapi::jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use crate::action::TaskResult;
use crate::app::{App, Effect};
use crate::kube_conn::{Connection, Source};
use crate::watch::{Changes, Reporter, WatchMsg, Watches};

/// At most this often a frame is drawn.
pub const FRAME: Duration = Duration::from_millis(33);
/// Views catch up with changed stores at most this often (a live list a human reads; k9s
/// refreshes every 2 s). Each catch-up re-derives the changed rows and may draw a frame: at
/// 250 ms that was half of an idle Nodes pane's CPU with 5,000 nodes churning, and at 500 ms
/// the CSR pane's catch-ups kept it above 3 % of a core. Keys are answered at once. While the
/// shown pane's lists are still arriving, it catches up every frame.
pub const DATA_SYNC: Duration = Duration::from_secs(1);
/// ...and spend at most 1/SYNC_SHARE of the time doing so.
pub const SYNC_SHARE: u32 = 40;
/// The slow clock: notices, pane timers, re-reads of an open details view. Ages and countdowns
/// are drawn again at their own deadlines (see `crate::age::changes_of`).
pub const TICK: Duration = Duration::from_secs(1);
/// Added to such a deadline: the wall and monotonic clocks may drift apart a little (NTP slews
/// the wall clock), and a frame drawn just before the change would show the old text.
const CLOCK_SLACK: Duration = Duration::from_millis(5);
/// While rows flash, tick this often so flashes end on time (a frame is drawn only when one
/// ended).
pub const FAST_TICK: Duration = Duration::from_millis(500);
/// How often a pane off screen may get its first full sync while input pauses (one per tick,
/// see `App::warm_up`).
pub const WARM_TICK: Duration = Duration::from_millis(700);

type ConnResult = (u64, String, Result<Connection, String>);
type GuestResult = (
    u64,
    crate::fetched::GuestRef,
    Result<(Source, Connection), crate::guest::GuestError>,
);

/// The app plus everything that talks to the cluster for it.
pub struct Session {
    pub app: App,
    source: Source,
    watches: Option<Watches>,
    generation: u64,
    watch_tx: mpsc::UnboundedSender<WatchMsg>,
    watch_rx: mpsc::UnboundedReceiver<WatchMsg>,
    conn_tx: mpsc::UnboundedSender<ConnResult>,
    conn_rx: mpsc::UnboundedReceiver<ConnResult>,
    changed: Arc<Changes>,
    /// Views catch up with the stores at most once per frame: syncing faster than we draw
    /// is wasted work under an event flood (the changes accumulate meanwhile, nothing is lost).
    next_sync: tokio::time::Instant,
    /// After a failed connect: when to try again, and which context.
    retry: Option<(tokio::time::Instant, Option<String>)>,
    /// The current connection's client, for writes and RBAC questions.
    client: Option<kube::Client>,
    /// Results of write and RBAC tasks (never user intents).
    act_tx: mpsc::UnboundedSender<TaskResult>,
    act_rx: mpsc::UnboundedReceiver<TaskResult>,
    /// Escape sequences for the terminal itself (OSC 52 clipboard), written after a frame.
    terminal_writes: Vec<String>,
    /// Where each opened guest cluster came from: (source, context), outermost first.
    parents: Vec<(Source, Option<String>)>,
    guest_tx: mpsc::UnboundedSender<GuestResult>,
    guest_rx: mpsc::UnboundedReceiver<GuestResult>,
    /// The wizards' I/O (facts, dry run, create) on the current connection.
    pub jobs: crate::app::wizards::jobs::Jobs,
}

/// How long to wait before connecting again after building a client failed.
pub const CONNECT_RETRY: Duration = Duration::from_secs(5);

impl Session {
    pub fn new(mut app: App, source: Source) -> Session {
        app.contexts = source.contexts();
        let (watch_tx, watch_rx) = mpsc::unbounded_channel();
        let (conn_tx, conn_rx) = mpsc::unbounded_channel();
        let (act_tx, act_rx) = mpsc::unbounded_channel();
        let (guest_tx, guest_rx) = mpsc::unbounded_channel();
        Session {
            client: None,
            act_tx,
            act_rx,
            parents: Vec::new(),
            guest_tx,
            guest_rx,
            app,
            source,
            watches: None,
            generation: 0,
            watch_tx,
            watch_rx,
            conn_tx,
            conn_rx,
            changed: Arc::new(Changes::default()),
            next_sync: tokio::time::Instant::now(),
            retry: None,
            terminal_writes: Vec::new(),
            jobs: Default::default(),
        }
    }

    /// Start connecting to `context` (default: current) in a task; `next` picks up the result.
    pub fn connect(&mut self, context: Option<String>) {
        self.retry = None;
        self.generation += 1;
        let generation = self.generation;
        let source = self.source.clone();
        let tx = self.conn_tx.clone();
        let label = context
            .clone()
            .or_else(|| source.current_context())
            .unwrap_or_default();
        tokio::spawn(async move {
            let r = source
                .connect(context.as_deref())
                .await
                .map_err(|e| e.to_string());
            let _ = tx.send((generation, label, r));
        });
    }

    fn on_connection(&mut self, generation: u64, label: String, r: Result<Connection, String>) {
        if generation != self.generation {
            return;
        }
        match r {
            Ok(c) => {
                tracing::info!(context = %c.context, server = %c.server, "connected");
                let reporter = Reporter {
                    generation,
                    tx: self.watch_tx.clone(),
                    changed: self.changed.clone(),
                    priority: Default::default(),
                };
                // The shown pane's kinds (and the nodes most panes read) list first.
                let mut first: Vec<&'static str> = self
                    .app
                    .pane()
                    .map(|p| p.reads().to_vec())
                    .unwrap_or_default();
                first.push(crate::watch::NODES.id);
                self.client = Some(c.client.clone());
                self.jobs.set_client(c.client.clone());
                let watches = Watches::start(c.client, reporter, &first);
                self.app
                    .connected(generation, &c.context, &c.server, watches.stores.clone());
                // Replacing the old watches drops (and so cancels) them.
                self.watches = Some(watches);
            }
            Err(e) => {
                tracing::warn!(error = %e, "connect failed");
                let secs = CONNECT_RETRY.as_secs();
                self.app
                    .connect_failed(&label, format!("retrying in {secs}s: {e}"));
                self.retry = Some((tokio::time::Instant::now() + CONNECT_RETRY, Some(label)));
            }
        }
    }

    /// A message from the watch layer. A rejected token stops this connection's watches: they
    /// would only be rejected again. The last data stays on screen; `:ctx` connects anew.
    fn on_watch(&mut self, m: WatchMsg) -> bool {
        match m {
            WatchMsg::AuthFailed { generation, error } => {
                if generation != self.generation || self.watches.is_none() {
                    return false;
                }
                tracing::warn!(%error, "credentials rejected: watches stopped");
                if let Some(w) = self.watches.take() {
                    w.stop();
                }
                let context = self.app.conn.context.clone();
                self.app.connect_failed(
                    &context,
                    format!("{error} · not retrying: :ctx to reconnect"),
                );
                true
            }
            m => self.app.on_watch(m),
        }
    }

    /// Carry out what the app asked for.
    pub fn run_effects(&mut self) {
        for e in self.app.take_effects() {
            match e {
                Effect::Write(req) => self.spawn_write(req),
                Effect::CheckAccess(list) => self.spawn_access_checks(list),
                Effect::Copy(text) => self.terminal_writes.push(crate::overview::osc52(&text)),
                Effect::SwitchContext(name) => {
                    // A context of the kubeconfig: leave any guest clusters first.
                    if let Some((root, _)) = self.parents.drain(..).next() {
                        self.source = root;
                        while !self.app.nested.is_empty() {
                            self.app.left_guest();
                        }
                    }
                    // Read the file again: after `oc login` (token rejected) it has the new token.
                    match self.source.reloaded() {
                        Some(Ok(source)) => {
                            self.app.contexts = source.contexts();
                            self.source = source;
                        }
                        Some(Err(e)) => tracing::warn!(error = %e, "kubeconfig not re-read"),
                        None => {}
                    }
                    self.connect(Some(name));
                }
                Effect::Fetch(f) => {
                    if let Some(client) = self.client.clone() {
                        let tx = self.watch_tx.clone();
                        let generation = self.generation;
                        tokio::spawn(async move {
                            let data = crate::fetch_io::fetch(client, f).await;
                            let _ = tx.send(WatchMsg::Fetched { generation, data });
                        });
                    }
                }
                Effect::OpenGuest(g) => {
                    if let Some(client) = self.client.clone() {
                        let tx = self.guest_tx.clone();
                        let generation = self.generation;
                        tokio::spawn(async move {
                            let r = crate::guest::open(client, &g).await;
                            let _ = tx.send((generation, g, r));
                        });
                    }
                }
                Effect::GuestPdbs {
                    generation,
                    node,
                    targets,
                } => {
                    if let Some(client) = self.client.clone() {
                        let tx = self.act_tx.clone();
                        tokio::spawn(async move {
                            let reports = crate::guest::guest_pdbs(client, targets.clone()).await;
                            let _ = tx.send(TaskResult::GuestPdbs {
                                generation,
                                node,
                                targets,
                                reports,
                            });
                        });
                    }
                }
                Effect::LeaveGuest => {
                    if let Some((source, context)) = self.parents.pop() {
                        self.source = source;
                        self.app.left_guest();
                        self.connect(context);
                    }
                }
            }
        }
        for job in self.app.take_jobs() {
            self.jobs.spawn(job);
        }
    }

    fn on_guest(
        &mut self,
        generation: u64,
        g: &crate::fetched::GuestRef,
        r: Result<(Source, Connection), crate::guest::GuestError>,
    ) {
        if generation != self.generation {
            return;
        }
        match r {
            Ok((source, conn)) => {
                tracing::info!(guest = %g.label(), server = %conn.server, "opened guest cluster");
                let parent = std::mem::replace(&mut self.source, source);
                let root = self
                    .parents
                    .first()
                    .and_then(|p| p.1.clone())
                    .unwrap_or_else(|| self.app.conn.context.clone());
                // Guest kubeconfigs are reconnected through their current context.
                let context = self
                    .parents
                    .is_empty()
                    .then(|| self.app.conn.context.clone());
                self.parents.push((parent, context));
                self.generation += 1;
                let generation = self.generation;
                self.on_connection(
                    generation,
                    root.clone(),
                    Ok(Connection {
                        context: root,
                        ..conn
                    }),
                );
                self.app.entered_guest(&g.label());
            }
            Err(e) => {
                tracing::warn!(guest = %g.label(), error = %e, "cannot open guest cluster");
                self.app.notify(e.to_string());
            }
        }
    }

    /// Run a write of the one pipeline in a task (`actions::run`); its report comes back as
    /// `TaskResult::WriteDone` for this connection.
    fn spawn_write(&mut self, req: crate::actions::WriteRequest) {
        // Writes outside the cluster (blob copies) run without a connection; the executor
        // refuses cluster writes without one, and says so in the report.
        let client = self.client.clone();
        let tx = self.act_tx.clone();
        let generation = self.generation;
        tokio::spawn(async move {
            let report = crate::actions::run_opt(client, req).await;
            let _ = tx.send(TaskResult::WriteDone { generation, report });
        });
    }

    /// Ask RBAC questions in a task; answers (or why there is none) come back as
    /// `TaskResult::AccessChecked`.
    fn spawn_access_checks(&mut self, list: Vec<crate::gate::Access>) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.act_tx.clone();
        let generation = self.generation;
        tokio::spawn(async move {
            for access in list {
                let verdict = crate::gate::review_verdict(&client, &access)
                    .await
                    .map_err(|e| e.to_string());
                if let Err(e) = &verdict {
                    tracing::warn!(error = %e, access = %access.describe(), "cannot check permission");
                }
                let _ = tx.send(TaskResult::AccessChecked {
                    generation,
                    access,
                    verdict,
                });
            }
        });
    }

    /// Log the allocator's figures and store sizes (debug level only; see `memory_log`).
    pub fn log_memory(&self) {
        crate::memory_log::log(self.watches.as_ref().map(|w| &w.stores));
    }

    /// Escape sequences waiting to be written to the terminal (tests read them here).
    pub fn take_terminal_writes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.terminal_writes)
    }

    /// Wait for the next message from the cluster side and apply it. Cancel-safe. Returns
    /// whether the screen changed.
    pub async fn next(&mut self) -> bool {
        self.app.set_time(Timestamp::now(), Instant::now());
        let dirty = tokio::select! {
            // States before data, so a store swapped at InitDone never shows as "loading".
            biased;
            Some(m) = self.watch_rx.recv() => self.on_watch(m),
            Some((g, label, r)) = self.conn_rx.recv() => {
                self.on_connection(g, label, r);
                true
            }
            kinds = async {
                tokio::time::sleep_until(self.next_sync).await;
                self.changed.wait().await
            } => {
                let started = tokio::time::Instant::now();
                let dirty = self.app.kinds_changed(&kinds);
                // Views follow a churning cluster at most once a frame, and spend at most
                // 1/SYNC_SHARE of the time doing so: a pane whose sync costs 10 ms catches up
                // every 0.4 s. Keys are answered at once whatever this says.
                let cost = started.elapsed();
                // While the shown pane's lists still arrive, its first page of rows shows
                // at once (it waited up to a second for the next catch-up: 660 ms to the first
                // node rows at the fleet profile, where the page came in 45 ms).
                let floor = if self.app.shown_settled() { DATA_SYNC } else { FRAME };
                self.next_sync = tokio::time::Instant::now() + (cost * SYNC_SHARE).max(floor);
                dirty
            }
            Some((g, guest, r)) = self.guest_rx.recv() => {
                self.on_guest(g, &guest, r);
                true
            }
            Some(r) = self.act_rx.recv() => self.app.on_task(r),
            Some(m) = self.jobs.recv() => self.app.on_wizard_msg(m),
            () = sleep_until_retry(self.retry.as_ref().map(|r| r.0)), if self.retry.is_some() => {
                let context = self.retry.take().and_then(|r| r.1);
                self.connect(context);
                false
            }
        };
        self.run_effects();
        dirty
    }

    /// A terminal event. Returns whether to redraw.
    pub fn handle_event(&mut self, ev: &Event) -> bool {
        self.app.set_time(Timestamp::now(), Instant::now());
        let dirty = match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.app.handle_key(k),
            Event::Mouse(m) => self.app.handle_mouse(m),
            Event::Resize(w, h) => self.app.update(crate::action::Action::Resize(*w, *h)),
            _ => false,
        };
        self.run_effects();
        dirty
    }
}

/// Run until the user quits.
pub async fn run<B: Backend>(
    session: &mut Session,
    terminal: &mut Terminal<B>,
) -> color_eyre::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    session
        .app
        .update(crate::action::Action::Resize(size.width, size.height));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut warm = tokio::time::interval(WARM_TICK);
    warm.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut fast = tokio::time::interval(FAST_TICK);
    fast.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut memory = tokio::time::interval(crate::memory_log::every());
    memory.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    loop {
        let wait = FRAME.saturating_sub(last_draw.elapsed());
        if dirty && wait.is_zero() {
            // The wall clock first: the deadline below, counted from the later monotonic
            // reading, then cannot fall a hair before the text changes (a wasted draw).
            let wall = Timestamp::now();
            let drawn_at = Instant::now();
            session.app.set_time(wall, drawn_at);
            let (drawn, wait) =
                crate::age::changes_of(|| terminal.draw(|f| crate::ui::render(&session.app, f)));
            drawn?;
            session
                .app
                .set_clock_change_due(wait.map(|w| drawn_at + w + CLOCK_SLACK));
            dirty = false;
            last_draw = Instant::now();
        }
        write_to_terminal(&session.take_terminal_writes())?;
        if session.app.should_quit() {
            return Ok(());
        }
        let due = session
            .app
            .next_clock_change()
            .map(tokio::time::Instant::from_std);
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => dirty |= session.handle_event(&ev),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            d = session.next() => dirty |= d,
            _ = tick.tick() => {
                session.app.set_time(Timestamp::now(), Instant::now());
                dirty |= session.app.update(crate::action::Action::Tick);
                session.run_effects();
            }
            _ = warm.tick(), if session.app.wants_warm_up() => {
                dirty |= session.app.warm_up(Instant::now());
            }
            _ = fast.tick(), if session.app.animating() => {
                session.app.set_time(Timestamp::now(), Instant::now());
                dirty |= session.app.end_flashes();
            }
            _ = memory.tick() => session.log_memory(),
            // The last frame or an open details view reads differently now (an age, a
            // countdown): draw it again at that moment, not at the next tick, which could be
            // up to a second later. The draw sets the frame's next deadline and the refresh
            // the view's, so this does not fire again at once.
            () = sleep_until_retry(due), if due.is_some() && !dirty => {
                session.app.set_time(Timestamp::now(), Instant::now());
                session.app.refresh_doc_if_due();
                dirty = true;
            }
            () = tokio::time::sleep(wait), if dirty => {}
        }
    }
}

/// Writes escape sequences (OSC 52) straight to the terminal, between frames.
fn write_to_terminal(writes: &[String]) -> std::io::Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for w in writes {
        out.write_all(w.as_bytes())?;
    }
    out.flush()
}

async fn sleep_until_retry(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}
