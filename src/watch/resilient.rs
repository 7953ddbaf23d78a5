//! The list-then-watch stream of one kind, made for flaky servers. It yields kube-runtime's
//! `watcher::Event`s (so the reflector `Writer` applies them as before) plus what the UI needs to
//! say where the kind stands. Where it differs from kube-runtime's `watcher`:
//! - a failed list page is retried by its continue token with backoff, instead of restarting
//!   the whole list (20,000 CSRs at a 5 % error rate never finished that way);
//! - a watch that starts again after a failure says so ([`Step::Resumed`]): quiet kinds no
//!   longer stay "reconnecting" until one of their objects changes;
//! - after the server could not be reached, the kind is listed again rather than resumed from
//!   its resourceVersion: the server that answers may be another one, with other objects;
//! - a rejected token (401) stops the stream: retrying cannot fix it, the user must act.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use kube::api::{ListParams, WatchEvent, WatchParams};
use kube::runtime::watcher;
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

/// Objects per list page: what client-go's reflector and kube-runtime use.
pub const PAGE: u32 = 500;

/// Seconds a watch asks the server to keep it open; it is then resumed without an error.
const WATCH_TIMEOUT: u32 = 290;

/// One thing the stream reports.
#[derive(Debug)]
pub enum Step<K> {
    /// For the store: `Init`, `InitApply`, `InitDone`, `Apply`, `Delete`.
    Event(watcher::Event<K>),
    /// A watch runs again after a failure: the kind is live.
    Resumed,
    /// A request failed; the stream retries after `retry_in` (none after a 401).
    Failed(Failure),
}

/// A failed list page or watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// HTTP status, when the server answered.
    pub code: Option<u16>,
    /// One line, for the header and the log.
    pub message: String,
    /// The next try waits this long; `None` when the stream stopped (401).
    pub retry_in: Option<Duration>,
}

/// Exponential backoff with jitter: 0.5 s doubling to 15 s, reset by a success.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(15);

    fn next(&mut self) -> Duration {
        let base = Self::FIRST
            .saturating_mul(1 << self.failures.min(5))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        // ±20 % so many kinds (or many clients) do not retry in step.
        base.mul_f64(0.8 + 0.4 * rand::random::<f64>())
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

enum Phase<K> {
    /// Listing: the next page's continue token, and whether `Init` went out for this list.
    List {
        token: Option<String>,
        started: bool,
    },
    /// Start a watch from `rv`.
    Watch { rv: String },
    Watching {
        rv: String,
        events: BoxStream<'static, kube::Result<WatchEvent<K>>>,
    },
    /// Stopped (401) until a new connection.
    Stopped,
}

struct Machine<K: Resource + Clone> {
    api: Api<K>,
    page: u32,
    phase: Phase<K>,
    out: VecDeque<Step<K>>,
    backoff: Backoff,
    wait: Option<Duration>,
    /// A request failed since the last watch started.
    failed: bool,
    /// The server could not be reached since the last list: list again before watching.
    unreachable: bool,
}

/// The stream for `api`, listing `page` objects at a time.
pub fn stream<K>(api: Api<K>, page: u32) -> impl Stream<Item = Step<K>> + Send
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let m = Machine {
        api,
        page,
        phase: Phase::List {
            token: None,
            started: false,
        },
        out: VecDeque::new(),
        backoff: Backoff::default(),
        wait: None,
        failed: false,
        unreachable: false,
    };
    futures::stream::unfold(m, |mut m| async move {
        let step = m.next().await?;
        Some((step, m))
    })
}

fn status_of(e: &kube::Error) -> Option<u16> {
    match e {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

impl<K> Machine<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    async fn next(&mut self) -> Option<Step<K>> {
        loop {
            if let Some(s) = self.out.pop_front() {
                return Some(s);
            }
            if let Some(d) = self.wait.take() {
                tokio::time::sleep(d).await;
            }
            match std::mem::replace(&mut self.phase, Phase::Stopped) {
                Phase::Stopped => return None,
                Phase::List { token, started } => self.list_page(token, started).await,
                Phase::Watch { rv } if self.unreachable => {
                    // What answers now may be another server: its objects, not our cache.
                    tracing::debug!(%rv, "listing again after the server was unreachable");
                    self.unreachable = false;
                    self.relist();
                }
                Phase::Watch { rv } => self.start_watch(rv).await,
                Phase::Watching { rv, events } => self.watch_event(rv, events).await,
            }
        }
    }

    fn relist(&mut self) {
        self.phase = Phase::List {
            token: None,
            started: false,
        };
    }

    /// Record a failure: the step for the UI, when to try again, and what comes next.
    fn fail(&mut self, e: &kube::Error, what: &str, then: Phase<K>) {
        let code = status_of(e);
        self.failed = true;
        if code.is_none() {
            self.unreachable = true;
        }
        let message = format!("{what}: {}", crate::kube_conn::one_line(e));
        if code == Some(401) {
            self.phase = Phase::Stopped;
            self.out.push_back(Step::Failed(Failure {
                code,
                message,
                retry_in: None,
            }));
            return;
        }
        let d = self.backoff.next();
        self.wait = Some(d);
        self.phase = then;
        self.out.push_back(Step::Failed(Failure {
            code,
            message,
            retry_in: Some(d),
        }));
    }

    async fn list_page(&mut self, token: Option<String>, started: bool) {
        if !started {
            // `Init` makes the writer start a fresh buffer; the old objects stay shown
            // until `InitDone` swaps the complete list in.
            self.out.push_back(Step::Event(watcher::Event::Init));
        }
        let mut lp = ListParams::default().limit(self.page);
        lp.continue_token = token.clone();
        match self.api.list(&lp).await {
            Ok(list) => {
                self.backoff.reset();
                let next = list.metadata.continue_.filter(|t| !t.is_empty());
                let rv = list.metadata.resource_version.filter(|v| !v.is_empty());
                self.out.extend(
                    list.items
                        .into_iter()
                        .map(|o| Step::Event(watcher::Event::InitApply(o))),
                );
                match (next, rv) {
                    (Some(t), _) => {
                        self.phase = Phase::List {
                            token: Some(t),
                            started: true,
                        }
                    }
                    (None, Some(rv)) => {
                        self.out.push_back(Step::Event(watcher::Event::InitDone));
                        self.unreachable = false;
                        self.phase = Phase::Watch { rv };
                    }
                    (None, None) => {
                        self.failed = true;
                        self.wait = Some(self.backoff.next());
                        self.relist();
                        self.out.push_back(Step::Failed(Failure {
                            code: None,
                            message: "the list had no resourceVersion".into(),
                            retry_in: self.wait,
                        }));
                    }
                }
            }
            // An expired or unknown continue token: that list cannot be finished.
            Err(e) if token.is_some() && matches!(status_of(&e), Some(400 | 410)) => {
                self.fail(
                    &e,
                    "list page",
                    Phase::List {
                        token: None,
                        started: false,
                    },
                );
            }
            // Anything else: this same page again, after the backoff.
            Err(e) => self.fail(
                &e,
                "list page",
                Phase::List {
                    token,
                    started: true,
                },
            ),
        }
    }

    async fn start_watch(&mut self, rv: String) {
        let wp = WatchParams::default().timeout(WATCH_TIMEOUT);
        match self.api.watch(&wp, &rv).await {
            Ok(events) => {
                self.backoff.reset();
                if std::mem::take(&mut self.failed) {
                    self.out.push_back(Step::Resumed);
                }
                self.phase = Phase::Watching {
                    rv,
                    events: events.boxed(),
                };
            }
            Err(e) if status_of(&e) == Some(410) => {
                self.fail(
                    &e,
                    "watch",
                    Phase::List {
                        token: None,
                        started: false,
                    },
                );
            }
            Err(e) => self.fail(&e, "watch", Phase::Watch { rv }),
        }
    }

    async fn watch_event(
        &mut self,
        rv: String,
        mut events: BoxStream<'static, kube::Result<WatchEvent<K>>>,
    ) {
        let rv_of = |o: &K, old: &str| {
            o.meta()
                .resource_version
                .clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| old.to_string())
        };
        match events.next().await {
            Some(Ok(WatchEvent::Added(o) | WatchEvent::Modified(o))) => {
                let rv = rv_of(&o, &rv);
                self.out.push_back(Step::Event(watcher::Event::Apply(o)));
                self.phase = Phase::Watching { rv, events };
            }
            Some(Ok(WatchEvent::Deleted(o))) => {
                let rv = rv_of(&o, &rv);
                self.out.push_back(Step::Event(watcher::Event::Delete(o)));
                self.phase = Phase::Watching { rv, events };
            }
            Some(Ok(WatchEvent::Bookmark(b))) => {
                self.phase = Phase::Watching {
                    rv: b.metadata.resource_version,
                    events,
                };
            }
            Some(Ok(WatchEvent::Error(s))) => {
                let e = kube::Error::Api(s);
                // 410 Gone: the history we would resume from is gone; list again.
                let then = if status_of(&e) == Some(410) {
                    Phase::List {
                        token: None,
                        started: false,
                    }
                } else {
                    Phase::Watch { rv }
                };
                self.fail(&e, "watch", then);
            }
            // The connection broke mid-watch.
            Some(Err(e)) => self.fail(&e, "watch", Phase::Watch { rv }),
            // The server ended the watch (its timeout, a drop): resume where we were.
            None => self.phase = Phase::Watch { rv },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_and_resets() {
        let mut b = Backoff::default();
        let first = b.next();
        assert!(first >= Duration::from_millis(400) && first <= Duration::from_millis(600));
        let second = b.next();
        assert!(second >= Duration::from_millis(800) && second <= Duration::from_millis(1200));
        for _ in 0..20 {
            assert!(b.next() <= Backoff::MAX.mul_f64(1.2));
        }
        b.reset();
        assert!(b.next() <= Duration::from_millis(600));
    }
}
