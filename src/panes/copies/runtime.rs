//! The I/O side of the Copies pane: one task per tracked blob copy (polling its properties), and
//! the progress of mirror jobs. Tasks report by [`CopyMsg`]; the pane folds the messages into its
//! book on `tick` (never while drawing). Starting and aborting a blob copy and mirroring are
//! writes of the one write pipeline (`actions::copy`, `actions::mirror`).

use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use tokio::sync::mpsc::UnboundedSender;

use crate::copies::azure::{BlobClient, BlobError, BlobProperties, CopyStatus};
use crate::copies::mirror::MirrorEvent;
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
        at: Timestamp,
    },
    Mirror {
        job: usize,
        event: MirrorEvent,
    },
    /// DataVolumes converted off the UI thread (a first sync's thousands), each with the
    /// resourceVersion it was converted from.
    DataVolumes {
        /// How many were sent (unconvertible ones are left out of `dvs`).
        sent: usize,
        dvs: Vec<(String, crate::copies::datavolume::DataVolumeCopy)>,
    },
}

/// Converts `dvs` on a blocking thread and sends them back as one [`CopyMsg::DataVolumes`].
/// Returns false (and converts nothing) without a runtime.
pub fn spawn_convert(
    tx: UnboundedSender<CopyMsg>,
    dvs: Vec<std::sync::Arc<crate::copies::dv_resource::DataVolume>>,
) -> bool {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    rt.spawn_blocking(move || {
        let sent = dvs.len();
        let out = dvs
            .iter()
            .filter_map(|o| {
                let rv = o.metadata.resource_version.clone().unwrap_or_default();
                crate::copies::datavolume::DataVolumeCopy::from_dv(o)
                    .ok()
                    .map(|d| (rv, d))
            })
            .collect();
        // The pane may be gone (a context switch): nothing to tell then.
        let _ = tx.send(CopyMsg::DataVolumes { sent, dvs: out });
    });
    true
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
                at: Timestamp::now(),
            };
            if tx.send(msg).is_err() || done {
                return;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    });
}
