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
//! 4. Actions that write go through `gate::ActionGate` (read-only, then RBAC).
//! 5. Panes for kinds a cluster cannot have are hidden by `Pane::hidden_because` (default: by
//!    the pane's commands, see `overview::ClusterShape::why_hidden_commands`: `hc`, `np`,
//!    `machinesets`, `copy`... disappear on MicroShift, and `hc`, `np`, `readiness`,
//!    `maintenance` wherever discovery says HyperShift or KubeVirt kinds are not served).

pub mod cells;
pub mod copies;
pub mod csr;
pub mod filter;
pub mod fleet;
pub mod health;
pub mod hosted;
pub mod maintenance;
pub mod nodes;
pub mod operators;
pub mod overview;
pub mod readiness;
pub mod table;

use std::time::Instant;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::action::Action;
use crate::actions::{PaneKey, PaneRequest, WriteRequest};
use crate::gate::Access;
use crate::overview::ClusterShape;
use crate::overview::bootimages::CopyItem;
use crate::theme::Theme;
use crate::watch::{KindState, Stores};

/// What a pane may read while rendering. Times are injected so rendering is pure and testable.
pub struct RenderCtx<'a> {
    pub theme: &'a Theme,
    /// Wall clock for ages.
    pub now: DateTime<Utc>,
    /// Monotonic clock for flashes.
    pub instant: Instant,
    /// The state of the pane's kind.
    pub state: &'a KindState,
}

pub trait Pane {
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
    /// Catch up with the stores. Returns whether anything visible changed.
    fn sync(&mut self, stores: &Stores, now: Instant) -> bool;
    /// Whether the pane must follow the stores while off screen (auto-approval): other panes
    /// are synced only while shown, and catch up when shown again.
    fn background(&self) -> bool {
        false
    }
    /// Expire flashes. Returns whether anything visible changed.
    fn tick(&mut self, now: Instant) -> bool;
    /// The app's wall clock, before `sync`/`tick`, for panes that bake ages into their rows
    /// (so every pane ages objects by the same clock, which tests pin).
    fn set_wall_clock(&mut self, _now: DateTime<Utc>) {}
    /// Whether flashes are running (the loop then ticks fast enough to end them on time).
    fn animating(&self) -> bool;
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
    /// The object as JSON (for the YAML view; the caller redacts).
    fn object_json(&self, key: &str) -> Option<serde_json::Value>;
    /// The details view of an object.
    fn details(&self, key: &str, now: DateTime<Utc>) -> Option<Vec<Line<'static>>>;
    /// Draw the pane. Pure: no I/O, no locks.
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx);
    /// The concrete pane, for the app to hand it typed state (e.g. the maintenance node).
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
    /// The selected object when the pane can scale it (`+`/`-`/`=`).
    fn scale_target(&self) -> Option<crate::fleet::scale_target::ScaleTarget> {
        None
    }

    /// Whether the pane has content of its own when its kind is not installed (the header then
    /// shows the connection, and the pane says what is missing).
    fn works_without_kind(&self) -> bool {
        false
    }

    // Optional hooks for panes with actions (defaults: none).

    /// The state of a kind the pane reads changed (e.g. an optional API is not installed).
    /// Returns whether the pane must re-sync.
    fn kind_state(&mut self, _kind: &'static str, _state: &KindState) -> bool {
        false
    }
    /// A pane-specific key (`keymap::PANE_SCOPED`): what the app should do. Pure.
    fn pane_key(&mut self, _key: PaneKey, _now: DateTime<Utc>) -> Option<PaneRequest> {
        None
    }
    /// Writes the pane wants without a key press (auto-approval), taken after each sync.
    fn take_auto_writes(&mut self) -> Vec<WriteRequest> {
        Vec::new()
    }
    /// Write requests the pane's own keys or commands asked for (the app gates and confirms
    /// them in the one write pipeline), taken after each key and command.
    fn take_write_requests(&mut self) -> Vec<crate::actions::ConfirmRequest> {
        Vec::new()
    }
    /// The RBAC questions behind the pane's actions, so the app can say when they are disabled.
    fn write_access(&self) -> Vec<Access> {
        Vec::new()
    }
    /// Why the pane is hidden on this cluster (from tabs and palette; its commands then say
    /// this), or `None` when it is shown. Default: by its commands (see
    /// `ClusterShape::why_hidden_commands`), so HyperShift, Machine API and KubeVirt panes
    /// disappear on MicroShift, and wherever discovery says their kinds are not served, without
    /// code of their own.
    fn hidden_because(&self, cluster: &ClusterShape) -> Option<String> {
        cluster.why_hidden_commands(self.commands())
    }
    /// What a generic action means on the current selection when it differs (the Overview
    /// follows a count's link on Enter and copies on `y`). Default: nothing differs.
    fn remap(&self, _action: &Action) -> Option<Action> {
        None
    }
    /// What the copy key puts on the clipboard for the current selection.
    fn copy_item(&self) -> Option<CopyItem> {
        None
    }
    /// The palette commands of every pane shown, after that list changed (for links).
    fn set_available(&mut self, _commands: &[&'static str]) {}
    /// A one-shot read the details of `key` need (performed by the event loop on opening them,
    /// and again now and then while they stay open).
    fn details_fetch(&self, _key: &str) -> Option<crate::fetched::Fetch> {
        None
    }
    /// The same for the YAML view of `key` (e.g. the whole object, when the cache holds a lean
    /// copy).
    fn yaml_fetch(&self, _key: &str) -> Option<crate::fetched::Fetch> {
        None
    }
    /// A details or YAML view of `key` was just opened (not switched between): forget what was
    /// read for an earlier one, so the view says its read is under way until it arrives.
    fn doc_opened(&mut self, _key: &str) {}
    /// A line for the top of the YAML view of `key`: where its read stands, when it matters.
    fn yaml_note(&self, _key: &str) -> Option<String> {
        None
    }
    /// The result of a `details_fetch`. Returns whether anything visible changed.
    fn fetched(&mut self, _data: &crate::fetched::FetchResult) -> bool {
        false
    }
    /// The guest cluster `key` can be opened as (`None`: this pane has no guests; `Err`: why
    /// this one cannot be opened).
    fn guest(&self, _key: &str) -> Option<Result<crate::fetched::GuestRef, String>> {
        None
    }
    /// The whole palette line when one of `commands()` opened the pane (arguments included).
    fn pane_command(&mut self, _line: &str, _gate: &crate::gate::ActionGate) {}
    /// A key the keymap does not bind (or any key while `modal()`). Returns whether handled.
    fn raw_key(
        &mut self,
        _key: &crossterm::event::KeyEvent,
        _gate: &crate::gate::ActionGate,
    ) -> bool {
        false
    }
    /// Whether the pane shows a form or confirmation that takes every key.
    fn modal(&self) -> bool {
        false
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
