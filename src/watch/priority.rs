//! Which watches list first: the kinds the shown pane reads start at once, every other kind
//! waits until those have their complete lists (or [`WAIT`] passed), so the pane's first rows
//! do not queue behind tens of MB of other kinds on a big cluster.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

/// The longest the other kinds wait for the first ones.
pub const WAIT: Duration = Duration::from_secs(3);

/// Shared by every watch task of one connection. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Priority {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    first: BTreeSet<&'static str>,
    pending: Mutex<BTreeSet<&'static str>>,
    open: watch::Sender<bool>,
    /// Every kind settled so far (for tasks that wait for one kind's complete list).
    settled: watch::Sender<BTreeSet<String>>,
}

impl Default for Priority {
    /// No priority: every kind starts at once.
    fn default() -> Self {
        Priority::new(&[])
    }
}

impl Priority {
    /// `first` start at once; the others once each of `first` has settled.
    pub fn new(first: &[&'static str]) -> Self {
        let first: BTreeSet<&'static str> = first.iter().copied().collect();
        let (open, _) = watch::channel(first.is_empty());
        Priority {
            inner: Arc::new(Inner {
                pending: Mutex::new(first.clone()),
                first,
                open,
                settled: watch::channel(BTreeSet::new()).0,
            }),
        }
    }

    /// Wait until `kind` may start (at once for a first kind).
    pub async fn wait_turn(&self, kind: &str) {
        if self.inner.first.contains(kind) {
            return;
        }
        let mut rx = self.inner.open.subscribe();
        let _ = rx.wait_for(|open| *open).await;
    }

    /// `kind` has its complete list, or will not get one (not installed, forbidden).
    pub fn settled(&self, kind: &str) {
        self.inner
            .settled
            .send_if_modified(|s| s.insert(kind.to_string()));
        let mut pending = self.inner.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.remove(kind) && pending.is_empty() {
            self.open();
        }
    }

    /// Wait until `kind` has settled (its first complete list, or none to come).
    pub async fn wait_settled(&self, kind: &str) {
        let mut rx = self.inner.settled.subscribe();
        let _ = rx.wait_for(|s| s.contains(kind)).await;
    }

    /// Let every kind start.
    pub fn open(&self) {
        self.inner.open.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn others_wait_for_the_first_kinds() {
        let p = Priority::new(&["nodes", "csrs"]);
        // A first kind never waits.
        p.wait_turn("nodes").await;
        let other = tokio::spawn({
            let p = p.clone();
            async move { p.wait_turn("datavolumes").await }
        });
        p.settled("nodes");
        tokio::task::yield_now().await;
        assert!(!other.is_finished());
        p.settled("csrs");
        // Waiting for a kind that has settled returns at once.
        tokio::time::timeout(Duration::from_secs(1), p.wait_settled("csrs"))
            .await
            .expect("settled");
        tokio::time::timeout(Duration::from_secs(5), other)
            .await
            .expect("opened")
            .expect("task");
        // No priority: nobody waits.
        Priority::default().wait_turn("anything").await;
    }
}
