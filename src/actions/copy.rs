//! Writes outside the cluster from the Copies pane: starting an Azure Copy Blob of a boot image
//! (source defaulting to the cluster's `coreos-bootimages` aarch64 VHD) and aborting a pending
//! copy. No RBAC question: only read-only mode disables them. The abort is pinned to the copy
//! shown (its copy id: Abort Copy Blob refuses another one). Audit records carry no SAS.

use kube::Client;

use super::audit::{AuditEntry, AuditTarget};
use super::{Origin, WriteDetail, WriteKind, WriteReport};
use crate::copies::azure::{BlobClient, BootImageCopy};
use crate::copies::sas::BlobTarget;
use crate::copies::start_copy::StartCopyRequest;

/// Per-request timeout of the blob client.
const BLOB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Start a boot image copy (`:blobcopy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobCopyWrite {
    pub req: StartCopyRequest,
    pub origin: Origin,
}

/// Abort the pending copy `copy_id` into `target` (`x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobAbortWrite {
    pub target: BlobTarget,
    pub copy_id: String,
    pub origin: Origin,
}

impl BlobCopyWrite {
    pub fn progress(&self) -> String {
        "starting the copy…".into()
    }
}

impl BlobAbortWrite {
    pub fn progress(&self) -> String {
        format!("aborting the copy into {}…", self.target.blob)
    }
}

fn record(origin: &Origin, action: &str, target: &str, source: &str, outcome: &str) -> AuditEntry {
    let target = crate::redact::in_text(target);
    let object = AuditTarget::new("Blob", None, &target, None);
    let mut e = AuditEntry::new(
        &origin.context,
        action,
        object,
        &crate::redact::in_text(outcome),
    )
    .with("source", crate::redact::in_text(source));
    e.user = origin.user.clone();
    e
}

/// The `coreos-bootimages` ConfigMap as JSON, if the cluster has it.
async fn bootimages(kube: &Client) -> Option<serde_json::Value> {
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(kube.clone(), "openshift-machine-config-operator");
    let cm = api.get_opt("coreos-bootimages").await.ok().flatten()?;
    serde_json::to_value(cm).ok()
}

/// Plan and start the copy: the destination and the equivalent `az` command, or why not.
async fn start_copy(
    client: &BlobClient,
    kube: Option<&Client>,
    req: &StartCopyRequest,
) -> Result<(BlobTarget, String), String> {
    let (container, sas) = (req.container.as_str(), req.sas.as_str());
    let source = Some(req.source.trim()).filter(|s| !s.is_empty());
    let cm = match (kube, source) {
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
    match BootImageCopy::plan(
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
    }
}

/// Start the copy, audit it, report (the Copies pane tracks the destination from the detail).
pub async fn run_start(kube: Option<Client>, w: BlobCopyWrite) -> WriteReport {
    let mut result = match BlobClient::new(BLOB_TIMEOUT) {
        Ok(client) => start_copy(&client, kube.as_ref(), &w.req).await,
        Err(e) => Err(format!("cannot create the blob client: {e}")),
    };
    let rec = match &result {
        Ok((dest, _)) => record(
            &w.origin,
            "start-blob-copy",
            &dest.url(),
            &w.req.source,
            "started",
        ),
        Err(e) => record(
            &w.origin,
            "start-blob-copy",
            &w.req.container,
            &w.req.source,
            &format!("failed: {e}"),
        ),
    };
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[rec]).await;
    if let (Some(e), Ok((_, cmd))) = (&audit_error, &mut result) {
        // The copy runs; say that it was not recorded.
        cmd.push_str(&format!(" (not audited: {e})"));
    }
    let (ok, summary) = match &result {
        Ok((_, az)) => (true, format!("started: {az}")),
        Err(e) => (false, e.clone()),
    };
    WriteReport {
        kind: WriteKind::BlobCopy,
        ok,
        summary: crate::redact::in_text(&summary),
        outcomes: Vec::new(),
        detail: WriteDetail::CopyStarted(result),
    }
}

/// Abort the copy, audit it, report (the Copies pane polls the blob again from the detail).
pub async fn run_abort(w: BlobAbortWrite) -> WriteReport {
    let result = match BlobClient::new(BLOB_TIMEOUT) {
        Ok(client) => client
            .abort_copy(&w.target, &w.copy_id)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(format!("cannot create the blob client: {e}")),
    };
    let outcome = match &result {
        Ok(()) => "aborted".to_string(),
        Err(e) => format!("failed: {e}"),
    };
    let rec = record(
        &w.origin,
        "abort-blob-copy",
        &w.target.url(),
        &w.copy_id,
        &outcome,
    );
    let audit_error = super::audit::append_opt(w.origin.audit.as_deref(), &[rec]).await;
    let name = &w.target.blob;
    let summary = match &result {
        Ok(()) => format!("aborted the copy into {name}"),
        Err(e) => format!("abort of {name} failed: {e}"),
    };
    WriteReport {
        kind: WriteKind::BlobAbort,
        ok: result.is_ok(),
        summary,
        outcomes: vec![(name.clone(), outcome)],
        detail: WriteDetail::BlobAborted {
            key: w.target.url(),
            result,
        },
    }
    .with_audit_error(audit_error)
}
