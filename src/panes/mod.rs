//! Panes: one module per resource view. Each pane is (store snapshot, filter, sort) -> rows ->
//! widgets, behind the `Pane` trait so the app, palette, tabs and help treat them alike.
//!
//! Adding a pane (e.g. CSRs):
//! 1. `watch/mod.rs`: a `KindSpec` (with `crd: true` for optional APIs, so clusters without them
//!    show "not installed" instead of errors), a field in `Stores`/`Writers`, and one
//!    `kind::spawn_kind(..)` line in `Watches::start` with a strip function.
//! 2. `panes/<name>/`: `model.rs` (pure row type implementing `table::RowModel`, columns with
//!    Shift+letter sort keys), `view.rs` (rendering), `details.rs`; a struct implementing `Pane`
//!    whose `commands()` are its palette commands (`csr`), `reads()` the kinds it reads.
//! 3. `app::panes()`: add the pane. Tabs, palette, help, filter, sort, YAML
//!    (redacted), flashes and change tracking come with it.
//! 4. What only some panes do is an optional capability (`caps`: `Writes`, `Scaling`,
//!    `Documents`, `Guests`, `Links`, `OwnInput`, `Copies`, `Maintenance`): implement it and
//!    return the pane from its `Pane` accessor. Writes go through the app's one write pipeline
//!    (`app::writes`: gate, confirm, executor, audit).
//! 5. Panes for kinds a cluster cannot have are hidden by `Pane::hidden_because` (default: by
//!    the pane's commands, see `overview::ClusterShape::why_hidden_commands`: `hc`, `np`,
//!    `machinesets`, `copy`... disappear on MicroShift, and `hc`, `np`, `readiness`,
//!    `maintenance` wherever discovery says HyperShift or KubeVirt kinds are not served).

/// `Pane::sync` and `Pane::sync_changed` for a pane whose inherent
/// `sync_kinds(stores, changed: Option<&BTreeSet<&str>>)` catches up with only the kinds that
/// changed (all of them when `None`).
macro_rules! sync_by_kinds {
    () => {
        fn sync(&mut self, stores: &$crate::watch::Stores, _now: std::time::Instant) -> bool {
            self.sync_kinds(stores, None)
        }
        fn sync_changed(
            &mut self,
            stores: &$crate::watch::Stores,
            _now: std::time::Instant,
            changed: &std::collections::BTreeSet<&'static str>,
        ) -> bool {
            self.sync_kinds(stores, Some(changed))
        }
    };
}

pub mod caps;
pub mod cells;
pub mod copies;
pub mod csr;
pub mod filter;
pub mod fleet;
pub mod health;
pub mod hints;
pub mod hosted;
pub mod maintenance;
pub mod nodes;
pub mod operators;
pub mod overview;
pub mod readiness;
pub mod table;

use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub use self::caps::{Copies, Documents, Guests, Links, Maintenance, OwnInput, Scaling, Writes};
use crate::action::Action;
use crate::overview::ClusterShape;
use crate::theme::Theme;
use crate::watch::{KindState, Stores};

/// What a pane may read while rendering. Times are injected so rendering is pure and testable.
pub struct RenderCtx<'a> {
    pub theme: &'a Theme,
    /// Wall clock for ages.
    pub now: Timestamp,
    /// Monotonic clock for flashes.
    pub instant: Instant,
    /// The state of the pane's kind.
    pub state: &'a KindState,
}

/// What every pane is: identity, syncing with the stores, keys, filter, selection, rendering
/// and details. What only some panes do is an optional capability (`caps`), reached through the
/// accessors at the end, which answer `None` unless the pane opts in.
pub trait Pane {
    // Identity.

    /// Tab title, e.g. `Nodes`.
    fn title(&self) -> &'static str;
    /// Palette commands that open this pane; the first is the canonical one (`nodes`, `no`).
    fn commands(&self) -> &'static [&'static str];
    /// The watched kind (`KindSpec::id`) whose state this pane shows.
    fn kind(&self) -> &'static str;
    /// Every kind whose store the pane reads (it is synced when one of them changes).
    fn reads(&self) -> &'static [&'static str];
    /// Columns: (header, Shift+letter sort key).
    fn columns(&self) -> Vec<(&'static str, char)>;
    /// Whether the pane has content of its own when its kind is not installed (the header then
    /// shows the connection, and the pane says what is missing).
    fn works_without_kind(&self) -> bool {
        false
    }
    /// Why the pane is hidden on this cluster (from tabs and palette; its commands then say
    /// this), or `None` when it is shown. Default: by its commands (see
    /// `ClusterShape::why_hidden_commands`), so HyperShift, Machine API and KubeVirt panes
    /// disappear on MicroShift, and wherever discovery says their kinds are not served, without
    /// code of their own.
    fn hidden_because(&self, cluster: &ClusterShape) -> Option<String> {
        cluster.why_hidden_commands(self.commands())
    }

    // Sync and time.

    /// Catch up with the stores. Returns whether anything visible changed.
    fn sync(&mut self, stores: &Stores, now: Instant) -> bool;
    /// [`Pane::sync`] when only the `changed` kinds moved since this pane's last sync (a pane
    /// reading a big kind skips it while only a small one churns).
    fn sync_changed(
        &mut self,
        stores: &Stores,
        now: Instant,
        changed: &std::collections::BTreeSet<&'static str>,
    ) -> bool {
        let _ = changed;
        self.sync(stores, now)
    }
    /// Whether the pane must follow the stores while off screen (auto-approval): other panes
    /// are synced only while shown, and catch up when shown again.
    fn background(&self) -> bool {
        false
    }
    /// Whether the pane's first full sync is worth making ahead, while input pauses
    /// (`App::warm_up`): its first sync makes thousands of rows (tens to hundreds of ms at
    /// fleet scale) and its model is small. Other panes sync when first shown.
    fn warm_ahead(&self) -> bool {
        false
    }
    /// Whether what makes the first sync cheap is in place (the CSR pane waits for the
    /// validations made ahead, which would otherwise be made on the UI thread).
    fn warm_ready(&self, _stores: &Stores) -> bool {
        true
    }
    /// The state of a kind the pane reads changed (e.g. an optional API is not installed).
    /// Returns whether the pane must re-sync.
    fn kind_state(&mut self, _kind: &'static str, _state: &KindState) -> bool {
        false
    }
    /// Expire flashes. Returns whether anything visible changed.
    fn tick(&mut self, now: Instant) -> bool;
    /// The app's wall clock, before `sync`/`tick`, for panes that bake ages into their rows
    /// (so every pane ages objects by the same clock, which tests pin).
    fn set_wall_clock(&mut self, _now: Timestamp) {}
    /// Whether flashes are running (the loop then ticks fast enough to end them on time).
    fn animating(&self) -> bool;

    // Keys, filter, selection.

    /// Navigation and sorting. `area` is where the pane was last laid out.
    fn handle(&mut self, action: &Action, area: Rect) -> bool;
    fn set_filter(&mut self, text: &str);
    fn filter_text(&self) -> &str;
    /// Key of the selected object (name or namespace/name).
    fn selected_key(&self) -> Option<String>;
    /// Select the row of `key` (name or namespace/name); whether it is shown. Panes that are not
    /// a table of objects say no.
    fn select_key(&mut self, _key: &str) -> bool {
        false
    }

    // Rendering and details.

    /// The object as JSON (for the YAML view; the caller redacts).
    fn object_json(&self, key: &str) -> Option<serde_json::Value>;
    /// The details view of an object.
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>>;
    /// Draw the pane. Pure: no I/O, no locks.
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx);

    // Optional capabilities (default: the pane does not have them).

    /// Keys that write (approve, deny...), auto-writes and the RBAC questions behind them.
    fn writes(&self) -> Option<&dyn Writes> {
        None
    }
    fn writes_mut(&mut self) -> Option<&mut dyn Writes> {
        None
    }
    /// Scaling the selected object.
    fn scaling(&self) -> Option<&dyn Scaling> {
        None
    }
    /// One-shot reads for the details and YAML views.
    fn documents(&self) -> Option<&dyn Documents> {
        None
    }
    fn documents_mut(&mut self) -> Option<&mut dyn Documents> {
        None
    }
    /// Opening rows as guest clusters.
    fn guests(&self) -> Option<&dyn Guests> {
        None
    }
    /// Links to other panes and copyable text.
    fn links(&self) -> Option<&dyn Links> {
        None
    }
    fn links_mut(&mut self) -> Option<&mut dyn Links> {
        None
    }
    /// Keys, palette arguments and forms of its own.
    fn own_input(&mut self) -> Option<&mut dyn OwnInput> {
        None
    }
    /// Tracked blob copies and mirror jobs.
    fn copies(&mut self) -> Option<&mut dyn Copies> {
        None
    }
    /// A node's maintenance report.
    fn maintenance(&mut self) -> Option<&mut dyn Maintenance> {
        None
    }
}

/// The selection after a navigation action in a plain list of `n` rows shown in `area` (a page is
/// half its height); `None` when the action does not move it or there are no rows.
pub fn moved_selection(selected: usize, n: usize, action: &Action, area: Rect) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let page = i64::from(area.height.max(2) / 2);
    let cur = selected as i64;
    let next = match action {
        Action::Move(d) => cur + i64::from(*d),
        Action::PageUp => cur - page,
        Action::PageDown => cur + page,
        Action::Top => 0,
        Action::Bottom => n as i64 - 1,
        _ => return None,
    };
    Some(next.clamp(0, n as i64 - 1) as usize)
}
