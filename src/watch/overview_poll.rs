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
/// How often everything is read while no shown pane reads the overview: often enough for the
/// cluster's shape (which panes it can have) to follow CRDs being installed, rare enough that
/// turning 20,000 cached objects into the overview's inputs costs nothing measurable. Showing
/// the Overview or Health pane reads at once.
pub const HIDDEN_POLL: Duration = Duration::from_secs(120);
/// A read this recent is not repeated when the overview is shown again.
pub const FRESH: Duration = Duration::from_secs(2);

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
        let mut wanted = live.overview_wanted.subscribe();
        loop {
            let started = tokio::time::Instant::now();
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
                _ = next_read(&mut wanted, started, wait, HIDDEN_POLL) => {}
            }
        }
    });
}

/// Waits until the next read is due: `wait` after `started` while the overview is shown (or
/// after a failure: `wait` shorter than [`POLL`]), `hidden` after it while it is not; as soon
/// as it is shown again when the last read is older than [`FRESH`].
async fn next_read(
    wanted: &mut watch::Receiver<bool>,
    started: tokio::time::Instant,
    wait: Duration,
    hidden: Duration,
) {
    loop {
        let shown = *wanted.borrow_and_update();
        let due = if shown || wait < POLL {
            started + wait
        } else {
            started + hidden
        };
        tokio::select! {
            _ = tokio::time::sleep_until(due) => return,
            changed = wanted.changed() => {
                if changed.is_err() {
                    // The UI is gone: keep the plain cadence.
                    tokio::time::sleep_until(started + wait).await;
                    return;
                }
                if *wanted.borrow() && started.elapsed() >= FRESH {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn reads_rarely_while_hidden_and_at_once_when_shown() {
        // Shown all along: the plain cadence.
        let (_tx, mut rx) = watch::channel(true);
        let started = Instant::now() - POLL + 200 * MS;
        next_read(&mut rx, started, POLL, 100 * MS).await;
        assert!(started.elapsed() >= POLL, "{:?}", started.elapsed());
        // Hidden: the hidden cadence, not POLL.
        let (tx, mut rx) = watch::channel(false);
        let started = Instant::now();
        next_read(&mut rx, started, POLL, 300 * MS).await;
        let took = started.elapsed();
        assert!(took >= 300 * MS && took < POLL, "{took:?}");
        // Hidden, then shown after FRESH: at once, long before the hidden cadence.
        let started = Instant::now() - FRESH;
        let shown = tokio::spawn(async move {
            next_read(&mut rx, started, POLL, POLL * 10).await;
            Instant::now()
        });
        tokio::time::sleep(50 * MS).await;
        let at = Instant::now();
        tx.send_replace(true);
        let read_at = tokio::time::timeout(POLL, shown)
            .await
            .expect("read when shown")
            .expect("task");
        assert!(read_at >= at);
        // A failure retries at its own pace even while hidden.
        let (_tx, mut rx) = watch::channel(false);
        let started = Instant::now();
        next_read(&mut rx, started, 200 * MS, POLL * 10).await;
        assert!(started.elapsed() < POLL);
    }
}
