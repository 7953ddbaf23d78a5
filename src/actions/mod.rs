//! Cluster writes a pane asks for, and how they come back. Panes turn a key into a
//! [`PaneRequest`] (pure); the app gates it (`gate::ActionGate`), may show a confirm dialog, then
//! hands the [`WriteRequest`] to the event loop as an effect. The loop runs it in a spawned task
//! ([`run`]) and the result returns as `Action::WriteDone(WriteReport)`.

pub mod csr_approve;

use kube::Client;

use crate::gate::Access;

/// Pane-specific keys and modes (bound in `keymap::PANE_SCOPED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneKey {
    /// Approve the selected object (CSR).
    Approve,
    /// Deny the selected object (CSR).
    Deny,
    /// Approve everything that passes every check.
    ApproveAll,
    /// Toggle pending-only / all history.
    ToggleHistory,
    /// Toggle the joining-nodes view.
    Joining,
    /// Session auto-approval on or off (`:autoapprove on|off`).
    AutoApprove(bool),
}

/// What a pane wants the app to do about a [`PaneKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneRequest {
    /// Tell the user something (nothing to do).
    Notice(String),
    /// Ask first, then run the write.
    Confirm(Box<ConfirmRequest>),
}

/// The content of a confirm dialog and the write it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRequest {
    pub title: String,
    /// Body lines (already terminal-safe).
    pub lines: Vec<ConfirmLine>,
    /// When set, the user must type something the write accepts ([`WriteRequest::accepts`])
    /// before Enter confirms; this is the prompt.
    pub prompt: Option<String>,
    pub write: WriteRequest,
}

/// A body line with a tone for colouring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmLine {
    pub text: String,
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Bad,
    Muted,
}

impl ConfirmLine {
    pub fn new(tone: Tone, text: impl Into<String>) -> Self {
        ConfirmLine {
            text: text.into(),
            tone,
        }
    }
}

/// A write to run in a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRequest {
    Csr(csr_approve::CsrWrite),
}

impl WriteRequest {
    /// The RBAC questions this write needs answered "allowed".
    pub fn access(&self) -> Vec<Access> {
        match self {
            WriteRequest::Csr(w) => w.access(),
        }
    }

    /// Whether the text typed into the confirm dialog's prompt confirms the write.
    pub fn accepts(&self, typed: &str) -> bool {
        match self {
            WriteRequest::Csr(w) => w.accepts(typed),
        }
    }

    /// Who asks and where the audit record goes (filled in by the app).
    pub fn set_origin(&mut self, origin: Origin) {
        match self {
            WriteRequest::Csr(w) => w.origin = origin,
        }
    }
}

/// Who runs a write, on which cluster, and where it is audited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// Local user (`$USER`).
    pub user: String,
    /// kubeconfig context.
    pub context: String,
    /// Audit log (JSON lines); `None` when there is no state directory.
    pub audit: Option<std::path::PathBuf>,
}

/// What happened, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// One line for the status bar.
    pub summary: String,
    /// Per object: (name, outcome text).
    pub outcomes: Vec<(String, String)>,
}

/// Run a write against the cluster. Never panics; every failure ends up in the report.
pub async fn run(client: Client, req: WriteRequest) -> WriteReport {
    match req {
        WriteRequest::Csr(w) => csr_approve::run(client, w).await,
    }
}
