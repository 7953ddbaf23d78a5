//! The Overview's slow poller: [`super::overview_fetch::gather`] every [`POLL`] for everything
//! the overview shows that no reflector watches (ClusterVersion, boot images, health, WMCO...).
//! The task owns the writer (a `tokio::sync::watch` sender); the UI reads the latest snapshot in
//! `Pane::sync`, woken by `Changes::touch("overview")`. Rendering never waits for it.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{KindState, Reporter};
use crate::overview::{Fetched, OverviewInputs};

/// The kind id the overview and health panes read and report their state under.
pub const KIND: &str = "overview";

/// How often everything is read again.
pub const POLL: Duration = Duration::from_secs(20);
/// How soon to read again after the cluster could not be reached.
pub const RETRY: Duration = Duration::from_secs(5);

/// The latest gathered inputs; `None` until the first read completes.
pub type OverviewStore = watch::Receiver<Option<Arc<OverviewInputs>>>;
/// The writer of [`OverviewStore`].
pub type OverviewWriter = watch::Sender<Option<Arc<OverviewInputs>>>;

/// A store with its writer (empty).
pub fn channel() -> (OverviewWriter, OverviewStore) {
    watch::channel(None)
}

/// Puts `inputs` in the store (tests and the poller).
pub fn publish(writer: &OverviewWriter, inputs: OverviewInputs) {
    writer.send_replace(Some(Arc::new(inputs)));
}

pub fn spawn(
    client: Client,
    writer: OverviewWriter,
    reporter: Reporter,
    cancel: CancellationToken,
    live: super::Stores,
) {
    tokio::spawn(async move {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = reporter.priority.wait_turn(KIND) => {}
        }
        let mut failures = 0u32;
        loop {
            let inputs = tokio::select! {
                _ = cancel.cancelled() => return,
                i = super::overview_fetch::gather_with(&client, Some(&live)) => i,
            };
            // Nodes and CSRs are always served: failing to list them means the cluster is
            // unreachable (the nodes may come from the live store, the CSRs never do).
            let failure = match (&inputs.nodes, &inputs.csrs) {
                (Fetched::Failed(e), _) | (_, Fetched::Failed(e)) => Some(e.clone()),
                _ => None,
            };
            let (state, wait) = match failure {
                Some(error) => {
                    failures += 1;
                    (
                        KindState::Reconnecting {
                            attempt: failures,
                            error,
                        },
                        RETRY,
                    )
                }
                None => {
                    failures = 0;
                    (KindState::Live, POLL)
                }
            };
            publish(&writer, inputs);
            reporter.state(KIND, state);
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}
