//! The I/O side of the Copies pane: one task per tracked blob copy (polling its properties),
//! one per abort, one per mirror job. Tasks report by [`CopyMsg`]; the pane folds the messages
//! into its book on `tick` (never while drawing).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use crate::copies::azure::{BlobClient, BlobError, BlobProperties, BootImageCopy, CopyStatus};
use crate::copies::mirror::{MirrorEvent, MirrorJob};
use crate::copies::sas::BlobTarget;

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

/// Plan (source defaulting to the cluster's aarch64 VHD) and start a boot image copy.
pub fn spawn_start_copy(
    tx: UnboundedSender<CopyMsg>,
    client: BlobClient,
    kube: Option<kube::Client>,
    container: String,
    sas: String,
    source: String,
) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        let source = Some(source.trim()).filter(|s| !s.is_empty());
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
) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    rt.spawn(async move {
        let result = client.abort_copy(&target, &copy_id).await;
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
