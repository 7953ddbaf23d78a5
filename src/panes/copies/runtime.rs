//! The I/O side of the Copies pane: one task per tracked blob copy (polling its properties),
//! one per abort, one per mirror job. Tasks report by [`CopyMsg`]; the pane folds the messages
//! into its book on `tick` (never while drawing).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use crate::actions::audit::{self, AuditEntry, AuditTarget};
use crate::copies::azure::{BlobClient, BlobError, BlobProperties, BootImageCopy, CopyStatus};
use crate::copies::mirror::{MirrorEvent, MirrorJob};
use crate::copies::sas::BlobTarget;
use crate::panes::copies::modal::StartCopyRequest;

/// How often a pending blob copy is polled.
pub const POLL_EVERY: Duration = Duration::from_secs(3);
/// Per-request timeout of the blob client.
pub const BLOB_TIMEOUT: Duration = Duration::from_secs(10);

/// What a copy task reports.
#[derive(Debug, Clone)]
pub enum CopyMsg {
    BlobPolled {
        key: String,
        result: Result<BlobProperties, BlobError>,
        at: DateTime<Utc>,
    },
    BlobAborted {
        key: String,
        result: Result<(), BlobError>,
    },
    Mirror {
        job: usize,
        event: MirrorEvent,
    },
    /// `:blobcopy` finished starting: the destination and the equivalent `az` command, or why not.
    CopyStarted(Result<(BlobTarget, String), String>),
}

/// The `coreos-bootimages` ConfigMap as JSON, if the cluster has it.
async fn bootimages(kube: &kube::Client) -> Option<serde_json::Value> {
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(kube.clone(), "openshift-machine-config-operator");
    let cm = api.get_opt("coreos-bootimages").await.ok().flatten()?;
    serde_json::to_value(cm).ok()
}

/// One started or aborted blob copy in the audit log (the one record shape). URLs carry no SAS
/// and no password.
pub struct CopyAudit;

impl CopyAudit {
    fn record(action: &'static str, target: &str, source: &str, outcome: &str) -> AuditEntry {
        let target = crate::redact::in_text(target);
        let object = AuditTarget::new("Blob", None, &target, None);
        AuditEntry::new("", action, object, &crate::redact::in_text(outcome))
            .with("source", crate::redact::in_text(source))
    }

    /// A `:blobcopy` and what came of it.
    pub fn start(
        req: &StartCopyRequest,
        result: &Result<(BlobTarget, String), String>,
    ) -> AuditEntry {
        match result {
            Ok((dest, _)) => Self::record("start-blob-copy", &dest.url(), &req.source, "started"),
            Err(e) => Self::record(
                "start-blob-copy",
                &req.container,
                &req.source,
                &format!("failed: {e}"),
            ),
        }
    }

    /// An abort of copy `copy_id` into `target`.
    pub fn abort(target: &BlobTarget, copy_id: &str, result: &Result<(), BlobError>) -> AuditEntry {
        let outcome = match result {
            Ok(()) => "aborted".to_string(),
            Err(e) => format!("failed: {e}"),
        };
        Self::record("abort-blob-copy", &target.url(), copy_id, &outcome)
    }
}

/// Plan (source defaulting to the cluster's aarch64 VHD) and start a boot image copy, then append
/// what happened to `audit` (off the async executor).
pub fn spawn_start_copy(
    tx: UnboundedSender<CopyMsg>,
    client: BlobClient,
    kube: Option<kube::Client>,
    req: StartCopyRequest,
    audit: Option<std::path::PathBuf>,
) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        let (container, sas) = (req.container.as_str(), req.sas.as_str());
        let source = Some(req.source.trim()).filter(|s| !s.is_empty());
        let cm = match (&kube, source) {
            (Some(k), None) => bootimages(k).await,
            _ => None,
        };
        // Without the ConfigMap, a given source names the destination blob after itself.
        let blob = match (&cm, source) {
            (None, Some(src)) => src
                .split('?')
                .next()
                .and_then(|p| p.rsplit('/').next())
                .filter(|b| !b.is_empty())
                .map(str::to_string),
            _ => None,
        };
        let result = match BootImageCopy::plan(
            container.trim(),
            sas.trim(),
            cm.as_ref(),
            source,
            blob.as_deref(),
        ) {
            Err(e) => Err(format!("cannot start the copy: {e}")),
            Ok(plan) => match client.start_copy(&plan.dest, &plan.source).await {
                Ok(_) => Ok((plan.dest.clone(), plan.az_command())),
                Err(e) => Err(format!("Copy Blob into {} failed: {e}", plan.dest.blob)),
            },
        };
        let mut result = result;
        if let Some(path) = audit {
            let written = audit::append(&path, &[CopyAudit::start(&req, &result)]).await;
            if let (Err(e), Ok((_, cmd))) = (written, &mut result) {
                // The copy runs; say that it was not recorded.
                cmd.push_str(&format!(" (not audited: {e})"));
            }
        }
        let _ = tx.send(CopyMsg::CopyStarted(result));
    });
}

/// Whether tasks can be spawned here (a tokio runtime is running).
pub fn can_spawn() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Poll `target` every [`POLL_EVERY`] until its copy is final (or the pane is gone).
pub fn spawn_poll(tx: UnboundedSender<CopyMsg>, client: BlobClient, target: BlobTarget) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        loop {
            let result = client.get_properties(&target).await;
            let done =
                matches!(&result, Ok(p) if p.copy.status.is_some_and(|s| s != CopyStatus::Pending));
            let msg = CopyMsg::BlobPolled {
                key: target.url(),
                result,
                at: Utc::now(),
            };
            if tx.send(msg).is_err() || done {
                return;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
}

/// Abort the copy `copy_id` into `target`, then poll until final again.
pub fn spawn_abort(
    tx: UnboundedSender<CopyMsg>,
    client: BlobClient,
    target: BlobTarget,
    copy_id: String,
    audit: Option<std::path::PathBuf>,
) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        let result = client.abort_copy(&target, &copy_id).await;
        if let Some(path) = audit
            && let Err(e) =
                audit::append(&path, &[CopyAudit::abort(&target, &copy_id, &result)]).await
        {
            tracing::warn!("{e}");
        }
        let ok = result.is_ok();
        let msg = CopyMsg::BlobAborted {
            key: target.url(),
            result,
        };
        if tx.send(msg).is_ok() && ok {
            spawn_poll(tx, client, target);
        }
    });
}

/// Run `indices` of mirror job number `job`, forwarding its events.
pub fn spawn_mirror(
    tx: UnboundedSender<CopyMsg>,
    job_no: usize,
    job: &MirrorJob,
    indices: Vec<usize>,
) {
    if !can_spawn() {
        return;
    }
    let (mut rx, _task) = job.spawn(indices);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if tx.send(CopyMsg::Mirror { job: job_no, event }).is_err() {
                return;
            }
        }
    });
}
