//! The one write pipeline. Every action that changes something (approve, deny, bulk approve,
//! auto-approve, scale, autoscaling edit, cordon, uncordon, live-migrate, migrate all, create
//! with rollback, blob copy, blob abort, mirror, mirror retry) is a
//! [`WriteRequest`]:
//!
//! 1. a pane or dialog builds it (pure) inside a [`ConfirmRequest`], the one confirm model;
//! 2. the app checks it once against the gate (`gate::ActionGate`: read-only first, then the
//!    cached RBAC answers of [`WriteRequest::access`]); an unknown answer parks the request and
//!    asks, and the answer resumes it (no key press is dropped);
//! 3. the one confirm dialog (`ui::confirm`) shows it; nothing is written before the user
//!    confirms;
//! 4. the event loop runs [`run`], the one executor entry, in a task; each executor pins the
//!    write to the object that was shown (uid / resourceVersion preconditions);
//! 5. every executor appends its records through [`audit`], the one audit writer (a dedicated
//!    thread), before it reports;
//! 6. the result comes back as one message, `TaskResult::WriteDone(WriteReport)`.
//!
//! Adding an action = one variant here, its `access`/`target`, and its executor module.

pub mod audit;
pub mod copy;
pub mod create;
pub mod csr_approve;
pub mod mirror;
pub mod node;
pub mod scale;

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

/// The one confirm model: the content of the confirm dialog and the write it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRequest {
    pub title: String,
    /// Body lines (already terminal-safe; never a secret).
    pub lines: Vec<ConfirmLine>,
    /// When set, the user must type something the write accepts ([`WriteRequest::accepts`])
    /// before Enter confirms; this is the prompt. Without it, `y`/Enter confirm, `n`/Esc cancel.
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

/// A write to run in a task: one variant per action family, each with its executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRequest {
    /// Approve / deny / bulk approve / auto-approve CSRs.
    Csr(csr_approve::CsrWrite),
    /// Scale a node pool or MachineSet, or edit a node pool's autoscaling range.
    Scale(scale::ScaleWrite),
    /// Cordon or uncordon a node.
    Cordon(node::CordonWrite),
    /// Live-migrate VMIs off a node (one, or all migratable ones).
    Migrate(node::MigrateWrite),
    /// Create a wizard's reviewed plan (rolled back if any step fails).
    Create(create::CreateWrite),
    /// Start an Azure blob copy (outside the cluster).
    BlobCopy(copy::BlobCopyWrite),
    /// Abort a pending Azure blob copy (outside the cluster).
    BlobAbort(copy::BlobAbortWrite),
    /// Mirror images with skopeo, or retry the failed ones (outside the cluster).
    Mirror(mirror::MirrorWrite),
}

/// Which action a report is about (the app routes some results, e.g. to the Maintenance log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Csr,
    Scale,
    Cordon,
    Migrate,
    Create,
    BlobCopy,
    BlobAbort,
    Mirror,
}

impl WriteRequest {
    /// The RBAC questions this write needs answered "allowed" (none: only read-only mode
    /// disables it).
    pub fn access(&self) -> Vec<Access> {
        match self {
            WriteRequest::Csr(w) => w.access(),
            WriteRequest::Scale(w) => vec![w.access()],
            WriteRequest::Cordon(_) => vec![crate::migration::actions::patch_nodes()],
            WriteRequest::Migrate(_) => vec![crate::migration::actions::create_migrations()],
            WriteRequest::Create(w) => vec![w.access()],
            WriteRequest::BlobCopy(_) | WriteRequest::BlobAbort(_) | WriteRequest::Mirror(_) => {
                Vec::new()
            }
        }
    }

    /// Whether the text typed into the confirm dialog's prompt confirms the write.
    pub fn accepts(&self, typed: &str) -> bool {
        match self {
            WriteRequest::Csr(w) => w.accepts(typed),
            WriteRequest::Scale(_)
            | WriteRequest::Cordon(_)
            | WriteRequest::Migrate(_)
            | WriteRequest::Create(_)
            | WriteRequest::BlobCopy(_)
            | WriteRequest::BlobAbort(_)
            | WriteRequest::Mirror(_) => true,
        }
    }

    /// Who asks and where the audit record goes (filled in by the app).
    pub fn set_origin(&mut self, origin: Origin) {
        match self {
            WriteRequest::Csr(w) => w.origin = origin,
            WriteRequest::Scale(w) => w.origin = origin,
            WriteRequest::Cordon(w) => w.origin = origin,
            WriteRequest::Migrate(w) => w.origin = origin,
            WriteRequest::Create(w) => w.origin = origin,
            WriteRequest::BlobCopy(w) => w.origin = origin,
            WriteRequest::BlobAbort(w) => w.origin = origin,
            WriteRequest::Mirror(w) => w.origin = origin,
        }
    }

    pub fn kind(&self) -> WriteKind {
        match self {
            WriteRequest::Csr(_) => WriteKind::Csr,
            WriteRequest::Scale(_) => WriteKind::Scale,
            WriteRequest::Cordon(_) => WriteKind::Cordon,
            WriteRequest::Migrate(_) => WriteKind::Migrate,
            WriteRequest::Create(_) => WriteKind::Create,
            WriteRequest::BlobCopy(_) => WriteKind::BlobCopy,
            WriteRequest::BlobAbort(_) => WriteKind::BlobAbort,
            WriteRequest::Mirror(_) => WriteKind::Mirror,
        }
    }

    /// What the status bar says while the write runs.
    pub fn progress(&self) -> String {
        match self {
            WriteRequest::Csr(w) => w.progress(),
            WriteRequest::Scale(w) => w.progress(),
            WriteRequest::Cordon(w) => w.progress(),
            WriteRequest::Migrate(w) => w.progress(),
            WriteRequest::Create(w) => w.progress(),
            WriteRequest::BlobCopy(w) => w.progress(),
            WriteRequest::BlobAbort(w) => w.progress(),
            WriteRequest::Mirror(w) => w.progress_text(),
        }
    }

    /// Whether it writes to the cluster (and so needs a connection); blob writes do not.
    pub fn needs_cluster(&self) -> bool {
        !matches!(
            self,
            WriteRequest::BlobCopy(_) | WriteRequest::BlobAbort(_) | WriteRequest::Mirror(_)
        )
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

/// What happened: the one result message of every write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Which action.
    pub kind: WriteKind,
    /// Everything asked was done.
    pub ok: bool,
    /// One line for the status bar.
    pub summary: String,
    /// Per object: (name, outcome text).
    pub outcomes: Vec<(String, String)>,
    /// What a screen needs beyond the summary (the wizard's create result).
    pub detail: WriteDetail,
}

/// Action-specific results for the screen that asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WriteDetail {
    #[default]
    None,
    /// A wizard create: its result (with the rollback) and whether it was audited.
    Created {
        target: String,
        result: Result<crate::wizard::exec::CreateReport, crate::wizard::exec::CreateError>,
        audit_error: Option<String>,
    },
    /// A started blob copy: the destination and the `az` command, or why not.
    CopyStarted(Result<(crate::copies::sas::BlobTarget, String), String>),
    /// An aborted blob copy (`key`: the destination URL, no SAS).
    BlobAborted {
        key: String,
        result: Result<(), String>,
    },
}

impl WriteReport {
    /// The summary with the audit failure appended, if the records could not be written.
    pub fn with_audit_error(mut self, err: Option<String>) -> Self {
        if let Some(e) = err {
            self.summary.push_str(&format!(" — {e}"));
        }
        self
    }
}

/// Run a write: the one executor entry. Never panics; every failure ends up in the report,
/// and the audit records are written before it returns.
pub async fn run(client: Client, req: WriteRequest) -> WriteReport {
    run_opt(Some(client), req).await
}

/// [`run`] where there may be no cluster connection (writes outside the cluster still run).
pub async fn run_opt(client: Option<Client>, req: WriteRequest) -> WriteReport {
    let kind = req.kind();
    match (client, req) {
        (c, WriteRequest::BlobCopy(w)) => copy::run_start(c, w).await,
        (_, WriteRequest::BlobAbort(w)) => copy::run_abort(w).await,
        (_, WriteRequest::Mirror(w)) => mirror::run(w).await,
        (Some(c), WriteRequest::Csr(w)) => csr_approve::run(c, w).await,
        (Some(c), WriteRequest::Scale(w)) => scale::run(c, w).await,
        (Some(c), WriteRequest::Cordon(w)) => node::run_cordon(c, w).await,
        (Some(c), WriteRequest::Migrate(w)) => node::run_migrate(c, w).await,
        (Some(c), WriteRequest::Create(w)) => create::run(c, w).await,
        (None, _) => WriteReport {
            kind,
            ok: false,
            summary: "not connected: nothing was written".into(),
            outcomes: Vec::new(),
            detail: WriteDetail::None,
        },
    }
}
