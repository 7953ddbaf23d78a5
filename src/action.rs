//! What the user asked (`Action`, applied by `App::update`) and what tasks report back
//! (`TaskResult`, applied by `App::on_task`): two message types, so a key can never be
//! confused with a write's result. Key handlers (the keymap) only produce actions; they never
//! do I/O.

use crossterm::event::KeyEvent;

use crate::actions::{PaneKey, WriteReport};
use crate::gate::{Access, Verdict};
use crate::migration::actions::MigAction;

/// Everything a user (or the event loop) can ask the UI to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Move the selection by this many rows (negative: up).
    Move(i32),
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Select a row of the current table by its screen row (mouse click).
    ClickRow(u16),
    /// Open the details view of the selected object.
    Details,
    /// Open the YAML view of the selected object.
    Yaml,
    /// Close the topmost overlay or view.
    Back,
    OpenPalette,
    OpenFilter,
    ToggleHelp,
    /// Sort by the column with this sort key letter (press again to reverse).
    SortBy(char),
    /// Sort by the next column.
    SortNext,
    /// Confirm the text input (palette command or filter).
    Submit,
    /// Complete the palette command.
    Complete,
    /// A key typed into the palette or filter input.
    Input(KeyEvent),
    /// Run a palette command, e.g. `nodes`, `ctx`, `ctx hub`, `q`.
    Command(String),
    /// Switch to the kubeconfig context with this name.
    SwitchContext(String),
    /// Clear the filter of the current pane.
    ClearFilter,
    /// The terminal now has this size (columns, rows).
    Resize(u16, u16),
    /// The slow clock: ages, countdowns, flashes and notices move on.
    Tick,
    /// Infra-node maintenance and live migration keys.
    Migration(crate::migration::actions::MigAction),
    /// Scale the selected node pool / MachineSet: one up, one down, or type a number.
    Scale(crate::scale_io::ScaleStep),
    /// A pane-specific key (approve, deny, ...), handled by the active pane.
    Pane(PaneKey),
    /// Copy the selected URL or command to the clipboard (OSC 52).
    Copy,
    /// Open the selected hosted cluster's guest cluster (Esc comes back).
    OpenGuest,
    /// Enter on a hosted cluster: its guest cluster, or its details when it cannot be opened.
    DrillDown,
}

/// What a task reports back to the app (never a user intent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskResult {
    /// A write of the one write pipeline finished, on the connection `generation`.
    WriteDone {
        generation: u64,
        report: WriteReport,
    },
    /// An RBAC question was answered for the connection `generation`. `Err`: the review itself
    /// failed (shown, never cached: the next key asks again).
    AccessChecked {
        generation: u64,
        access: Access,
        verdict: Result<Verdict, String>,
    },
    /// The guest PDB check of a node's drained guest nodes finished.
    GuestPdbs {
        generation: u64,
        node: String,
        targets: Vec<crate::migration::guest_pdbs::GuestTarget>,
        reports: Vec<crate::migration::guest_pdbs::GuestPdbReport>,
    },
}

/// Names of the bindable actions, as used in the config file's `[keys]` table.
pub const BINDABLE: &[(&str, &str)] = &[
    ("quit", "Quit shiftdeck"),
    ("up", "Move up"),
    ("down", "Move down"),
    ("page_up", "Page up"),
    ("page_down", "Page down"),
    ("top", "Go to the first row"),
    ("bottom", "Go to the last row"),
    ("details", "Details of the selected object"),
    ("yaml", "YAML of the selected object"),
    ("back", "Back / close"),
    ("palette", "Command palette"),
    ("filter", "Filter rows (text or key=value)"),
    ("help", "Toggle this help"),
    ("sort_next", "Sort by the next column"),
    ("clear_filter", "Clear the filter"),
    (
        "maintenance",
        "Nodes: maintenance readiness of the selected node",
    ),
    ("cordon", "Nodes/Maintenance: cordon the node"),
    ("uncordon", "Nodes/Maintenance: uncordon the node"),
    ("live_migrate", "Maintenance: live-migrate the selected VMI"),
    ("migrate_all", "Maintenance: migrate all migratable VMIs"),
    ("scale_up", "Node pools/MachineSets: scale up by one"),
    ("scale_down", "Node pools/MachineSets: scale down by one"),
    ("scale_to", "Node pools/MachineSets: set the node count"),
    ("csr_approve", "CSRs: approve the selected CSR"),
    ("csr_deny", "CSRs: deny the selected CSR"),
    ("csr_approve_all", "CSRs: approve all passing every check"),
    ("csr_history", "CSRs: pending only / all"),
    ("csr_joining", "CSRs: joining nodes view"),
    ("copy", "Copy the selected URL or command (OSC 52)"),
    ("open_guest", "Open the guest cluster of a hosted cluster"),
    ("hc_drill_down", "Hosted clusters: into the guest cluster"),
];

impl Action {
    /// The action bound under `name` in the config file, if it is a bindable name.
    pub fn from_name(name: &str) -> Option<Action> {
        Some(match name {
            "quit" => Action::Quit,
            "up" => Action::Move(-1),
            "down" => Action::Move(1),
            "page_up" => Action::PageUp,
            "page_down" => Action::PageDown,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "details" => Action::Details,
            "yaml" => Action::Yaml,
            "back" => Action::Back,
            "palette" => Action::OpenPalette,
            "filter" => Action::OpenFilter,
            "help" => Action::ToggleHelp,
            "sort_next" => Action::SortNext,
            "clear_filter" => Action::ClearFilter,
            "maintenance" => Action::Migration(MigAction::Maintenance),
            "cordon" => Action::Migration(MigAction::Cordon),
            "uncordon" => Action::Migration(MigAction::Uncordon),
            "live_migrate" => Action::Migration(MigAction::MigrateSelected),
            "migrate_all" => Action::Migration(MigAction::MigrateAll),
            "scale_up" => Action::Scale(crate::scale_io::ScaleStep::Up),
            "scale_down" => Action::Scale(crate::scale_io::ScaleStep::Down),
            "scale_to" => Action::Scale(crate::scale_io::ScaleStep::Type),
            "csr_approve" => Action::Pane(PaneKey::Approve),
            "csr_deny" => Action::Pane(PaneKey::Deny),
            "csr_approve_all" => Action::Pane(PaneKey::ApproveAll),
            "csr_history" => Action::Pane(PaneKey::ToggleHistory),
            "csr_joining" => Action::Pane(PaneKey::Joining),
            "copy" => Action::Copy,
            "open_guest" => Action::OpenGuest,
            "hc_drill_down" => Action::DrillDown,
            _ => return None,
        })
    }
}
