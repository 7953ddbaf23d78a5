//! Watch streams: newline-delimited JSON events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR), or
//! length-prefixed protobuf `WatchEvent`s for protobuf clients of built-in kinds, replaying state or history first, filtered by namespace, selectors and name, cut by
//! `timeoutSeconds`, `watch-drop` faults, restarts and shutdown.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::format::{self, Format};
use super::handler::Ctx;
use super::http::Resp;
use super::proto_encode;
use super::route::ResRoute;
use super::select::Selector;
use super::{Shared, lock};
use crate::error::ApiError;
use crate::resources::ResourceDef;
use crate::store::{EventType, StoredEvent};

/// How often watches that asked for bookmarks get one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);
/// Default watch length when the client sets no timeoutSeconds.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
const CACHE_CAP: usize = 4096;
/// Longest watch the sim keeps open, whatever timeoutSeconds asks for.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Coalesce ready events into chunks of about this size.
const CHUNK: usize = 128 * 1024;

/// Serialized event lines (full-object format) shared by all watchers, keyed by rv: each event
/// is serialized once however many watchers receive it.
#[derive(Default)]
pub(crate) struct EventCache {
    inner: Mutex<(HashMap<u64, Bytes>, VecDeque<u64>)>,
}

impl EventCache {
    fn line(&self, ev: &StoredEvent) -> Bytes {
        if let Some(b) = lock(&self.inner).0.get(&ev.rv) {
            return b.clone();
        }
        let b = event_line(ev.kind.as_str(), &ev.object);
        let mut g = lock(&self.inner);
        let (map, order) = &mut *g;
        if map.insert(ev.rv, b.clone()).is_none() {
            order.push_back(ev.rv);
        }
        while order.len() > CACHE_CAP {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
        b
    }
}

fn event_line(kind: &str, obj: &Value) -> Bytes {
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(b"{\"type\":\"");
    buf.extend_from_slice(kind.as_bytes());
    buf.extend_from_slice(b"\",\"object\":");
    let _ = serde_json::to_writer(&mut buf, obj);
    buf.extend_from_slice(b"}\n");
    Bytes::from(buf)
}

fn key_of(o: &Value) -> (String, String) {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

struct Watch {
    shared: Arc<Shared>,
    res: &'static ResourceDef,
    ns: Option<String>,
    name: Option<String>,
    sel: Selector,
    format: Format,
    bookmarks: bool,
    /// Protobuf frames (`proto_encode::watch_frame`) instead of JSON lines.
    protobuf: bool,
    /// Keys currently inside the selection, when there is a selection to leave or enter.
    tracked: Option<HashSet<(String, String)>>,
    /// Highest rv this watch has seen (sent or filtered out): what bookmarks report.
    last_rv: u64,
    buf: Vec<u8>,
}

enum Start {
    Initial {
        items: Vec<Arc<Value>>,
        rv: u64,
        rx: broadcast::Receiver<Arc<StoredEvent>>,
        end_bookmark: bool,
    },
    Resume {
        backlog: Vec<Arc<StoredEvent>>,
        rx: broadcast::Receiver<Arc<StoredEvent>>,
        rv: u64,
    },
    Expired(u64),
    /// From a resourceVersion the server has not reached yet.
    TooLarge(u64),
}

pub(crate) fn start(ctx: &Ctx, rr: &ResRoute) -> Result<Resp, ApiError> {
    let q = &ctx.query;
    let sel = Selector::parse(rr.res, q.get("labelSelector"), q.get("fieldSelector"))?;
    let timeout = q
        .u64("timeoutSeconds")?
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
        .min(MAX_TIMEOUT);
    let from = match q.get("resourceVersion") {
        None | Some("0") => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("invalid resourceVersion parameter: {v:?}"))
        })?),
    };
    let send_initial = q.flag("sendInitialEvents");
    let store = &ctx.shared.store;
    let start = if from.is_none() || send_initial {
        // Subscribe first, then list: events the list already reflects are skipped by rv.
        let rx = match store.watch_from(None) {
            Ok((_, rx, _)) => rx,
            Err(e) => {
                return Err(ApiError::expired(format!(
                    "too old resource version ({})",
                    e.oldest
                )));
            }
        };
        let (items, rv) = store.list(rr.res, rr.ns.as_deref());
        Start::Initial {
            items,
            rv,
            rx,
            end_bookmark: send_initial,
        }
    } else if from.is_some_and(|f| f > store.current_rv()) {
        Start::TooLarge(from.unwrap_or(0))
    } else {
        let from = from.unwrap_or(0);
        match store.watch_from(Some(from)) {
            Ok((backlog, rx, _)) => Start::Resume {
                backlog,
                rx,
                rv: from,
            },
            Err(e) => Start::Expired(e.oldest.max(from)),
        }
    };
    let selective = !sel.is_empty() || rr.name.is_some();
    let w = Watch {
        shared: ctx.shared.clone(),
        res: rr.res,
        ns: rr.ns.clone(),
        name: rr.name.clone(),
        sel,
        format: ctx.format,
        bookmarks: q.flag("allowWatchBookmarks"),
        protobuf: ctx.protobuf,
        tracked: selective.then(HashSet::new),
        last_rv: 0,
        buf: Vec::new(),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let drop_token = ctx.shared.faults.watch_token();
    tokio::spawn(w.run(start, tx, timeout, drop_token));
    let body = BodyExt::boxed(StreamBody::new(
        ReceiverStream::new(rx).map(|b| Ok(Frame::data(b))),
    ));
    let mut resp = Response::new(body);
    let content_type = if ctx.protobuf {
        "application/vnd.kubernetes.protobuf;stream=watch"
    } else {
        "application/json"
    };
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    Ok(resp)
}

impl Watch {
    /// Like the watch cache: wait up to 3 s for the store to reach `from`, then start there.
    async fn wait_for(&self, from: u64) -> Option<Start> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while self.shared.store.current_rv() < from {
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(match self.shared.store.watch_from(Some(from)) {
            Ok((backlog, rx, _)) => Start::Resume {
                backlog,
                rx,
                rv: from,
            },
            Err(e) => Start::Expired(e.oldest.max(from)),
        })
    }

    fn wanted(&self, ev: &StoredEvent) -> bool {
        ev.resource == self.res.key()
            && self
                .ns
                .as_deref()
                .is_none_or(|ns| ev.namespace.as_deref() == Some(ns))
    }

    fn selected(&self, o: &Value) -> bool {
        self.name
            .as_deref()
            .is_none_or(|n| o.pointer("/metadata/name").and_then(Value::as_str) == Some(n))
            && self.sel.matches(o)
    }

    /// One event in this watch's encoding. An object protobuf cannot carry (a field its table
    /// lacks) becomes an ERROR event rather than a frame the client would misread.
    fn event(&self, kind: &str, obj: &Value) -> Bytes {
        if !self.protobuf {
            return event_line(kind, obj);
        }
        let frame = proto_encode::watch_frame(kind, obj).or_else(|| {
            let e = ApiError::internal(format!(
                "the simulated cluster cannot write this {} in protobuf; watch it as JSON",
                self.res.kind
            ));
            proto_encode::watch_frame("ERROR", &e.to_status())
        });
        Bytes::from(frame.unwrap_or_default())
    }

    fn push_line(&mut self, kind: EventType, obj: &Value) {
        let line = match self.format {
            Format::Object => self.event(kind.as_str(), obj),
            f => event_line(
                kind.as_str(),
                &format::render_one(self.res, obj, f, self.last_rv),
            ),
        };
        self.buf.extend_from_slice(&line);
    }

    /// Queue what `ev` means for this watch (maybe nothing).
    fn on_event(&mut self, ev: &StoredEvent) {
        self.last_rv = self.last_rv.max(ev.rv);
        if !self.wanted(ev) {
            return;
        }
        let obj = ev.object.as_ref();
        let Some(tracked) = self.tracked.as_mut() else {
            if self.format == Format::Object && !self.protobuf {
                let line = self.shared.events.line(ev);
                self.buf.extend_from_slice(&line);
            } else {
                self.push_line(ev.kind, obj);
            }
            return;
        };
        let key = key_of(obj);
        let was = tracked.contains(&key);
        let emit = if ev.kind == EventType::Deleted {
            tracked.remove(&key);
            was.then_some(EventType::Deleted)
        } else if self.name.as_deref().is_none_or(|n| key.1 == n) && self.sel.matches(obj) {
            tracked.insert(key);
            Some(if was {
                EventType::Modified
            } else {
                EventType::Added
            })
        } else if was {
            // Left the selection: the client sees it go.
            tracked.remove(&key);
            Some(EventType::Deleted)
        } else {
            None
        };
        if let Some(kind) = emit {
            self.push_line(kind, obj);
        }
    }

    fn bookmark(&mut self, initial_end: bool) {
        let (kind, api_version) = match self.format {
            Format::Metadata => (
                "PartialObjectMetadata".to_string(),
                "meta.k8s.io/v1".to_string(),
            ),
            _ => (self.res.kind.to_string(), self.res.api_version()),
        };
        let mut meta = json!({"resourceVersion": self.last_rv.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj = json!({"kind": kind, "apiVersion": api_version, "metadata": meta});
        let line = self.event("BOOKMARK", &obj);
        self.buf.extend_from_slice(&line);
    }

    fn error(&mut self, e: &ApiError) {
        let line = self.event("ERROR", &e.to_status());
        self.buf.extend_from_slice(&line);
    }

    async fn flush(&mut self, tx: &mpsc::Sender<Bytes>) -> bool {
        if self.buf.is_empty() {
            return true;
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        tx.send(chunk).await.is_ok()
    }

    async fn run(
        mut self,
        start: Start,
        tx: mpsc::Sender<Bytes>,
        timeout: Duration,
        drop_token: CancellationToken,
    ) {
        let start = match start {
            Start::TooLarge(from) => match self.wait_for(from).await {
                Some(s) => s,
                None => {
                    let current = self.shared.store.current_rv();
                    self.error(&super::paging::too_large(from, current));
                    let _ = self.flush(&tx).await;
                    return;
                }
            },
            other => other,
        };
        let mut rx = match start {
            Start::TooLarge(_) => return,
            Start::Expired(oldest) => {
                self.error(&ApiError::expired(format!(
                    "too old resource version: requested rv is older than {oldest}"
                )));
                let _ = self.flush(&tx).await;
                return;
            }
            Start::Initial {
                items,
                rv,
                rx,
                end_bookmark,
            } => {
                self.last_rv = rv;
                for o in &items {
                    if self.selected(o) {
                        if let Some(t) = self.tracked.as_mut() {
                            t.insert(key_of(o));
                        }
                        self.push_line(EventType::Added, o);
                    }
                    if self.buf.len() > CHUNK && !self.flush(&tx).await {
                        return;
                    }
                }
                if end_bookmark {
                    self.bookmark(true);
                }
                rx
            }
            Start::Resume { backlog, rx, rv } => {
                self.last_rv = rv;
                if let Some(t) = self.tracked.as_mut() {
                    let (items, _) = self.shared.store.list(self.res, self.ns.as_deref());
                    let sel = &self.sel;
                    let name = self.name.as_deref();
                    t.extend(
                        items
                            .iter()
                            .filter(|o| {
                                name.is_none_or(|n| {
                                    o.pointer("/metadata/name").and_then(Value::as_str) == Some(n)
                                }) && sel.matches(o)
                            })
                            .map(|o| key_of(o)),
                    );
                }
                for ev in &backlog {
                    self.on_event(ev);
                    if self.buf.len() > CHUNK && !self.flush(&tx).await {
                        return;
                    }
                }
                rx
            }
        };
        if !self.flush(&tx).await {
            return;
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark_tick =
            tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
        let shutdown = self.shared.shutdown.clone();
        loop {
            tokio::select! {
                () = &mut deadline => break,
                () = shutdown.cancelled() => break,
                () = drop_token.cancelled() => break,
                () = tx.closed() => return,
                _ = bookmark_tick.tick(), if self.bookmarks => self.bookmark(false),
                got = rx.recv() => match got {
                    Ok(ev) => {
                        if ev.rv > self.last_rv {
                            self.on_event(&ev);
                        }
                        // Take whatever else is ready now and send it as one chunk.
                        while self.buf.len() < CHUNK {
                            match rx.try_recv() {
                                Ok(ev) if ev.rv > self.last_rv => self.on_event(&ev),
                                Ok(_) => {}
                                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                                    self.error(&ApiError::expired("too old resource version: the watch fell behind"));
                                    let _ = self.flush(&tx).await;
                                    return;
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.error(&ApiError::expired("too old resource version: the watch fell behind"));
                        let _ = self.flush(&tx).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
            if !self.flush(&tx).await {
                return;
            }
        }
        let _ = self.flush(&tx).await;
    }
}
