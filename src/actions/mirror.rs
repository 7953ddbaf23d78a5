//! Mirroring images with skopeo (`:mirror FILE TARGET`, and `r` to retry the failed ones): a
//! write outside the cluster (no RBAC question; only read-only mode disables it). The executor
//! runs the job to its end, streaming each event to the Copies pane through the request's
//! progress sink, and audits one record per job (images, target, outcome, failed images).

use std::sync::Arc;

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::copies::mirror::{MirrorEvent, MirrorJob, MirrorStatus};

/// Where a running job's events go (the Copies pane's channel); set when the write is
/// confirmed.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(MirrorEvent) + Send + Sync>>);

impl Progress {
    pub fn new(f: impl Fn(MirrorEvent) + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(f)))
    }

    fn send(&self, ev: MirrorEvent) {
        if let Some(f) = &self.0 {
            f(ev);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(set)"
        } else {
            "Progress(none)"
        })
    }
}

/// Mirror (or retry) images of a job.
#[derive(Debug, Clone)]
pub struct MirrorWrite {
    pub job: MirrorJob,
    /// The images to copy: all of them, or the failed ones on a retry.
    pub indices: Vec<usize>,
    /// A retry of failed images (`r`).
    pub retry: bool,
    /// The Copies pane's job number (set when confirmed).
    pub job_no: Option<usize>,
    pub progress: Progress,
    pub origin: Origin,
}

/// Two requests are the same write when they copy the same images to the same place.
impl PartialEq for MirrorWrite {
    fn eq(&self, o: &Self) -> bool {
        self.indices == o.indices
            && self.retry == o.retry
            && self.job_no == o.job_no
            && self.job.target().to_string() == o.job.target().to_string()
            && self.job.plan().len() == o.job.plan().len()
            && self
                .job
                .plan()
                .iter()
                .zip(o.job.plan())
                .all(|(a, b)| a.source == b.source && a.destination == b.destination)
    }
}

impl Eq for MirrorWrite {}

impl MirrorWrite {
    pub fn progress_text(&self) -> String {
        format!(
            "{} {} image(s) to {}…",
            if self.retry { "retrying" } else { "mirroring" },
            self.indices.len(),
            self.job.target()
        )
    }

    /// The confirm dialog's lines: what is copied where.
    pub fn confirm_lines(&self) -> Vec<String> {
        let mut l = vec![format!(
            "Copy {} image(s) with skopeo to {}:",
            self.indices.len(),
            crate::redact::in_text(&self.job.target().to_string())
        )];
        for i in self.indices.iter().take(12) {
            if let Some(p) = self.job.plan().get(*i) {
                l.push(format!("  {} → {}", p.reference, p.destination));
            }
        }
        if self.indices.len() > 12 {
            l.push(format!("  … and {} more", self.indices.len() - 12));
        }
        l.push("Existing tags at the destination are overwritten.".into());
        l
    }
}

/// Run the images to their end, forwarding events; audit the job; report its summary.
pub async fn run(w: MirrorWrite) -> WriteReport {
    let mut status = MirrorStatus::new(&w.job);
    status.reset(&w.indices);
    let (mut rx, handle) = w.job.spawn(w.indices.clone());
    while let Some(ev) = rx.recv().await {
        status.apply(&ev);
        w.progress.send(ev);
    }
    let _ = handle.await;
    let failed: Vec<String> = status
        .failed_indices()
        .into_iter()
        .filter_map(|i| w.job.plan().get(i).map(|p| p.reference.clone()))
        .collect();
    let summary = status.summary();
    let target = crate::redact::in_text(&w.job.target().to_string());
    let object = AuditTarget::new("ImageMirror", None, &target, None);
    let mut rec = AuditEntry::new(
        &w.origin.context,
        if w.retry { "mirror-retry" } else { "mirror" },
        object,
        &summary,
    )
    .with("images", w.indices.len());
    if !failed.is_empty() {
        rec = rec.with("failed_images", &failed);
    }
    rec.user = w.origin.user.clone();
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[rec]).await;
    WriteReport {
        kind: WriteKind::Mirror,
        ok: failed.is_empty(),
        summary,
        outcomes: failed
            .into_iter()
            .map(|f| (f, "failed".to_string()))
            .collect(),
        detail: WriteDetail::None,
    }
    .with_audit_error(audit_error)
}
