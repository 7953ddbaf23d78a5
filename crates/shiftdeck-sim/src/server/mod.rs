//! The HTTPS front of the sim: routing, verbs, watch streams, discovery, tables, auth and faults.
//!
//! One module per concern: `route` maps paths to kinds, `handler` dispatches verbs to `crud`,
//! `subresource` and `watch`; `format`/`table`/`jsonpath` render responses; `faults` injects
//! trouble on request.

mod auth;
mod crud;
mod deletion;
mod discovery;
mod faults;
mod format;
mod handler;
mod http;
mod jsonpath;
mod negotiate;
mod openapi;
mod options;
mod paging;
mod patch;
mod printers;
mod proto;
mod proto_codec;
mod proto_encode;
mod proto_tables;
mod query;
mod rbac;
mod route;
mod select;
pub(crate) mod ssa;
mod subresource;
mod table;
pub(crate) mod traffic;
mod validate;
mod watch;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::SimOptions;
use super::store::Store;

/// State every request handler shares.
pub(crate) struct Shared {
    pub store: Arc<Store>,
    pub opts: SimOptions,
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    pub faults: faults::FaultState,
    pub events: watch::EventCache,
    pub snapshots: paging::Snapshots,
    /// Requests and bytes served, for `GET /metrics`.
    pub traffic: Arc<traffic::Traffic>,
}

/// Serve the Kubernetes API over TLS on `listener` until `shutdown` is cancelled.
pub fn serve(
    listener: TcpListener,
    tls: TlsAcceptor,
    store: Arc<Store>,
    opts: SimOptions,
    shutdown: CancellationToken,
) {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let shared = Arc::new(Shared {
        store,
        faults: faults::FaultState::new(&opts),
        opts,
        addr,
        shutdown,
        events: watch::EventCache::default(),
        snapshots: paging::Snapshots::default(),
        traffic: Default::default(),
    });
    faults::spawn_tickers(&shared);
    tokio::spawn(accept_loop(listener, tls, shared));
}

async fn accept_loop(mut listener: TcpListener, tls: TlsAcceptor, shared: Arc<Shared>) {
    // A zero period would restart forever without ever accepting.
    let restart = shared
        .opts
        .faults
        .restart
        .map(|d| d.max(Duration::from_millis(100)));
    loop {
        // Every connection of this listener's lifetime dies with `generation`.
        let generation = shared.shutdown.child_token();
        let restart_at = restart.map(|d| tokio::time::Instant::now() + d);
        loop {
            tokio::select! {
                () = shared.shutdown.cancelled() => return,
                () = sleep_until(restart_at) => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(serve_connection(
                            stream,
                            tls.clone(),
                            shared.clone(),
                            generation.clone(),
                        ));
                    }
                    Err(e) => {
                        tracing::warn!("sim accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        tracing::info!("sim server restarting (fault injection)");
        generation.cancel();
        drop(listener);
        tokio::time::sleep(Duration::from_millis(300)).await;
        listener = match rebind(&shared).await {
            Some(l) => l,
            None => return,
        };
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn rebind(shared: &Shared) -> Option<TcpListener> {
    loop {
        match TcpListener::bind(shared.addr).await {
            Ok(l) => return Some(l),
            Err(e) => {
                tracing::warn!("sim re-bind of {} failed: {e}", shared.addr);
                tokio::select! {
                    () = shared.shutdown.cancelled() => return None,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            }
        }
    }
}

/// How long a client may take over the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

async fn serve_connection(
    stream: tokio::net::TcpStream,
    tls: TlsAcceptor,
    shared: Arc<Shared>,
    generation: CancellationToken,
) {
    let stream = traffic::Counted::new(stream, shared.traffic.clone());
    let stream = tokio::select! {
        () = generation.cancelled() => return,
        r = tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)) => match r {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!("sim TLS handshake failed: {e}");
                return;
            }
            Err(_) => {
                tracing::debug!("sim TLS handshake timed out");
                return;
            }
        },
    };
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(handler::handle(shared, req).await) }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), svc);
    tokio::select! {
        _ = conn => {}
        () = generation.cancelled() => {}
    }
}

/// A lock that shrugs off poisoning: a panicked holder must not take the server down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
