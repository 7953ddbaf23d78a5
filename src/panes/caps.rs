//! Optional pane capabilities: what only some panes do (writes, scaling, one-shot reads for
//! their views, guest clusters, links, keys of their own, tracked copies, node maintenance).
//! A pane opts in by returning itself from the matching `Pane` accessor (`writes()`,
//! `scaling()`, ...); the default `None` means "not here", so the app asks the active pane for
//! a capability instead of downcasting it, and says the action does not apply when it is absent.

use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::action::Action;
use crate::actions::mirror::MirrorWrite;
use crate::actions::{ConfirmRequest, PaneKey, PaneRequest, WriteRequest};
use crate::copies::sas::BlobTarget;
use crate::fetched::{Fetch, FetchResult, GuestRef};
use crate::fleet::scale_target::ScaleTarget;
use crate::gate::{Access, ActionGate};
use crate::migration::guest_pdbs::{GuestPdbReport, GuestTarget};
use crate::migration::inputs::MigrationInputs;
use crate::overview::bootimages::CopyItem;

use super::copies::CopiesPane;
use super::maintenance::Perms;

/// A pane whose keys write (the CSR pane's approve / deny / approve-all, auto-approval).
pub trait Writes {
    /// A pane-specific key (`keymap::PANE_SCOPED`): what the app should do. Pure.
    fn pane_key(&mut self, key: PaneKey, now: Timestamp) -> Option<PaneRequest>;
    /// Writes the pane wants without a key press (auto-approval), taken after each sync.
    fn take_auto_writes(&mut self) -> Vec<WriteRequest>;
    /// The RBAC questions behind the pane's actions, so the app can say when they are disabled.
    fn write_access(&self) -> Vec<Access>;
}

/// A pane whose selected object can be scaled (`+`/`-`/`=`).
pub trait Scaling {
    /// The selected object, when it can be scaled.
    fn scale_target(&self) -> Option<ScaleTarget>;
}

/// A pane whose details or YAML views need a one-shot read beyond the watched store (the
/// whole Node, a hosted cluster's control-plane namespace).
pub trait Documents {
    /// The read the details of `key` need (performed by the event loop on opening them, and
    /// again now and then while they stay open).
    fn details_fetch(&self, key: &str) -> Option<Fetch>;
    /// The same for the YAML view of `key` (e.g. the whole object, when the cache holds a
    /// lean copy). Default: none.
    fn yaml_fetch(&self, _key: &str) -> Option<Fetch> {
        None
    }
    /// A details or YAML view of `key` was just opened (not switched between): forget what
    /// was read for an earlier one, so the view says its read is under way until it arrives.
    fn doc_opened(&mut self, _key: &str) {}
    /// A line for the top of the YAML view of `key`: where its read stands, when it matters.
    fn yaml_note(&self, _key: &str) -> Option<String> {
        None
    }
    /// The result of a read. Returns whether anything visible changed.
    fn fetched(&mut self, data: &FetchResult) -> bool;
}

/// A pane whose rows are clusters that can be opened as guests (Hosted clusters).
pub trait Guests {
    /// The guest cluster `key` can be opened as (`Err`: why this one cannot be opened).
    fn guest(&self, key: &str) -> Result<GuestRef, String>;
}

/// A pane of links and copyable text (the Overview): Enter follows a count's link, `y` copies.
pub trait Links {
    /// What a generic action means on the current selection when it differs.
    fn remap(&self, action: &Action) -> Option<Action>;
    /// What the copy key puts on the clipboard for the current selection.
    fn copy_item(&self) -> Option<CopyItem>;
    /// The palette commands of every pane shown, after that list changed (links to hidden
    /// panes are not offered).
    fn set_available(&mut self, commands: &[&'static str]);
}

/// A pane with keys, palette arguments and forms of its own (the Copies pane's `x`, `r`,
/// `:copy <url>` and its forms), whose writes the app then takes into the one pipeline.
pub trait OwnInput {
    /// The whole palette line when one of the pane's commands opened it (arguments included).
    fn pane_command(&mut self, line: &str, gate: &ActionGate);
    /// A key the keymap does not bind (or any key while `modal()`). Returns whether handled.
    fn raw_key(&mut self, key: &crossterm::event::KeyEvent, gate: &ActionGate) -> bool;
    /// Whether the pane shows a form or confirmation that takes every key.
    fn modal(&self) -> bool;
    /// Write requests the pane's keys or commands asked for (the app gates and confirms them),
    /// taken after each key and command.
    fn take_write_requests(&mut self) -> Vec<ConfirmRequest>;
}

/// The pane that tracks blob copies and mirror jobs (they outlive a connection).
pub trait Copies {
    /// Track this blob copy (polled in tasks; call inside a tokio runtime).
    fn track_blob(&mut self, url: &str, sas: &str);
    /// A mirror job was confirmed: show it from now on, its progress pointed here.
    fn mirror_confirmed(&mut self, w: &mut MirrorWrite);
    /// The result of starting a blob copy.
    fn copy_started(&mut self, result: Result<(BlobTarget, String), String>);
    /// The result of aborting the copy `key`.
    fn abort_done(&mut self, key: &str, result: Result<(), String>);
    /// The pane's whole state: handed to the new pane on a context switch, and inspected by
    /// tests.
    fn copies_pane(&mut self) -> &mut CopiesPane;
}

/// The pane that shows one infra node's maintenance report; the app turns its keys into
/// cordon / uncordon / live-migrate requests (`app::migration`).
pub trait Maintenance {
    /// Show `node` from now on.
    fn open(&mut self, node: &str);
    /// The node shown (None until opened from the Nodes pane).
    fn node(&self) -> Option<&str>;
    /// Permission of the node actions, as last known (the app keeps it current).
    fn perms_mut(&mut self) -> &mut Perms;
    /// The selected VMI object.
    fn selected_vmi(&self) -> Option<&Value>;
    /// What the report was built from (for planning and re-checking migrations).
    fn inputs(&self) -> &MigrationInputs;
    /// The result of one of this session's writes on the node.
    fn log_result(&mut self, ok: bool, summary: String);
    /// The guest PDB check to run now, if any (see `MaintenancePane::guest_pdb_request`).
    fn guest_pdb_request(
        &mut self,
        now: Instant,
        refresh_after: Option<Duration>,
    ) -> Option<(String, Vec<GuestTarget>)>;
    /// The result of a guest PDB check; whether it answered the latest request.
    fn guest_pdbs_checked(
        &mut self,
        node: &str,
        targets: &[GuestTarget],
        reports: Vec<GuestPdbReport>,
    ) -> bool;
}
