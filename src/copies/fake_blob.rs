//! A tiny fake Azure blob endpoint for `shiftdeck demo`: copies progress slowly, over minutes.
//!
//! Serves, for one fake account on loopback (path style, like Azurite):
//! Get Blob Properties (`HEAD`/`GET`), Copy Blob (`PUT` with `x-ms-copy-source`), Abort Copy Blob
//! (`PUT ?comp=copy&copyid=` with `x-ms-copy-action: abort`) and Create Container. Requests must
//! carry [`FAKE_SAS`] (another `sig` answers 403 `AuthenticationFailed`). A copy of the seed's VHD
//! (17,179,869,696 bytes) is already running when the service starts, next to one that fails
//! after a fifth ([`DEMO_FAILING_BLOB`]). At speed 1 a 16 GiB copy
//! takes about eight minutes; `speed` multiplies that rate.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use k8s_openapi::jiff::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The fake account's name.
pub const FAKE_ACCOUNT: &str = "fakeaccount";
/// The only SAS the fake accepts (container-wide, never expiring). Its `sig` is not secret.
pub const FAKE_SAS: &str =
    "sv=2021-08-06&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=racwdl&sig=ZmFrZS1zaWduYXR1cmU%3D";
const FAKE_SIG: &str = "ZmFrZS1zaWduYXR1cmU=";
/// Container and blob of the copy running from the start.
pub const DEMO_CONTAINER: &str = "vhds";
pub const DEMO_BLOB: &str = "rhcos-415.92.202402201450-0-azure.aarch64.vhd";
/// A second copy that fails after a fifth of the VHD (to show a failure in the demo).
pub const DEMO_FAILING_BLOB: &str = "rhcos-414.92.202310210434-0-azure.aarch64.vhd";
/// Where the demo copy comes from (the seed's source URL shape).
pub const DEMO_SOURCE: &str =
    "https://rhcos.blob.core.windows.net/imagebucket/rhcos-415.92.202402201450-0-azure.aarch64.vhd";
/// Size of a copied VHD whose source is not in the fake account (the seed's VHD).
pub const VHD_BYTES: u64 = 17_179_869_696;
/// Bytes per second at speed 1 (16 GiB in about eight minutes).
pub const BASE_RATE: f64 = 36_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Success,
    Aborted,
    Failed,
}

#[derive(Debug, Clone)]
struct FakeCopy {
    id: String,
    source: String,
    total: u64,
    started: Instant,
    started_at: Timestamp,
    aborted: Option<(u64, Timestamp)>,
    /// Fails with this description once it reaches `fail_at` bytes.
    failure: Option<(u64, &'static str)>,
}

#[derive(Debug, Clone)]
struct FakeBlob {
    size: u64,
    copy: Option<FakeCopy>,
}

struct State {
    rate: f64,
    blobs: Mutex<HashMap<(String, String), FakeBlob>>,
}

impl State {
    /// `(status, bytes copied, completion time)` of a copy now.
    fn progress(&self, c: &FakeCopy) -> (Status, u64, Option<Timestamp>) {
        if let Some((done, at)) = c.aborted {
            return (Status::Aborted, done, Some(at));
        }
        let secs = c.started.elapsed().as_secs_f64();
        let done = ((secs * self.rate) as u64).min(c.total);
        if let Some((fail_at, _)) = c.failure
            && done >= fail_at
        {
            let took = Duration::from_secs_f64(fail_at as f64 / self.rate);
            let at = k8s_openapi::jiff::SignedDuration::try_from(took)
                .ok()
                .and_then(|d| c.started_at.checked_add(d).ok())
                .unwrap_or(c.started_at);
            return (Status::Failed, fail_at, Some(at));
        }
        if done >= c.total {
            let took = Duration::from_secs_f64(c.total as f64 / self.rate);
            let at = k8s_openapi::jiff::SignedDuration::try_from(took)
                .ok()
                .and_then(|d| c.started_at.checked_add(d).ok())
                .unwrap_or(c.started_at);
            (Status::Success, c.total, Some(at))
        } else {
            (Status::Pending, done, None)
        }
    }
}

/// Stops the service when dropped or on [`FakeBlobHandle::shutdown`].
#[derive(Debug)]
pub struct FakeBlobHandle {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl FakeBlobHandle {
    /// The blob URL of the copy already running (give it [`FAKE_SAS`]).
    pub fn demo_blob_url(&self) -> String {
        format!(
            "http://{}/{FAKE_ACCOUNT}/{DEMO_CONTAINER}/{DEMO_BLOB}",
            self.addr
        )
    }

    /// Stop serving.
    pub fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Drop for FakeBlobHandle {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// The demo's tracked copies as `(blob URL, SAS)`: the running copy and the one that fails.
pub fn demo_tracked_copies(h: &FakeBlobHandle) -> Vec<(String, String)> {
    let failing = format!(
        "http://{}/{FAKE_ACCOUNT}/{DEMO_CONTAINER}/{DEMO_FAILING_BLOB}",
        h.addr
    );
    vec![
        (h.demo_blob_url(), FAKE_SAS.to_string()),
        (failing, FAKE_SAS.to_string()),
    ]
}

/// Start the fake on `127.0.0.1:<free port>`; returns the account endpoint
/// (`http://127.0.0.1:<port>/fakeaccount`) and the handle. `speed` (> 0) multiplies the copy rate.
pub async fn start_fake_blob_service(speed: f64) -> std::io::Result<(String, FakeBlobHandle)> {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut blobs = HashMap::new();
    blobs.insert(
        (DEMO_CONTAINER.to_string(), DEMO_BLOB.to_string()),
        FakeBlob {
            size: VHD_BYTES,
            copy: Some(FakeCopy {
                id: "1fd97630-03ca-489a-8c4e-cfe839c9627d".into(),
                source: DEMO_SOURCE.into(),
                total: VHD_BYTES,
                started: Instant::now(),
                started_at: Timestamp::now(),
                aborted: None,
                failure: None,
            }),
        },
    );
    blobs.insert(
        (DEMO_CONTAINER.to_string(), DEMO_FAILING_BLOB.to_string()),
        FakeBlob {
            size: VHD_BYTES,
            copy: Some(FakeCopy {
                id: "6c3f1d2e-9a7b-4c1e-8f00-5d2a7e9b0c11".into(),
                source: DEMO_SOURCE.replace("415.92.202402201450-0", "414.92.202310210434-0"),
                total: VHD_BYTES,
                started: Instant::now(),
                started_at: Timestamp::now(),
                aborted: None,
                failure: Some((
                    VHD_BYTES / 5,
                    "500 InternalError \"Copy failed when reading the source.\"",
                )),
            }),
        },
    );
    let state = Arc::new(State {
        rate: BASE_RATE * speed,
        blobs: Mutex::new(blobs),
    });
    let (stop, mut stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        // Connections live in this set, so stopping also closes kept-alive connections.
        let mut conns = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = state.clone();
                    conns.spawn(async move {
                        let svc = service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, Infallible>(handle(&state, req)) }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            }
        }
    });
    Ok((
        format!("http://{addr}/{FAKE_ACCOUNT}"),
        FakeBlobHandle {
            addr,
            stop: Some(stop),
        },
    ))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = code.parse() {
        r.headers_mut().insert("x-ms-error-code", v);
    }
    r
}

fn empty(status: StatusCode, headers: Vec<(&'static str, String)>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    for (k, v) in headers {
        if let Ok(v) = v.parse() {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

fn query_param(q: &str, key: &str) -> Option<String> {
    q.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let query = req.uri().query().unwrap_or_default().to_string();
    if query_param(&query, "sig").as_deref() != Some(FAKE_SIG) {
        return error(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed",
            "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
        );
    }
    let path: Vec<String> = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if path.first().map(String::as_str) != Some(FAKE_ACCOUNT) || path.len() < 2 {
        return error(StatusCode::BAD_REQUEST, "InvalidUri", "unknown account");
    }
    let container = path[1].clone();
    if path.len() == 2 || path[2..].iter().all(String::is_empty) {
        return if req.method() == Method::PUT && query.contains("restype=container") {
            empty(StatusCode::CREATED, vec![])
        } else {
            error(StatusCode::BAD_REQUEST, "InvalidUri", "not a blob")
        };
    }
    let key = (container, path[2..].join("/"));
    let Ok(mut blobs) = state.blobs.lock() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "poisoned",
        );
    };
    let header = |k: &str| {
        req.headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    match *req.method() {
        Method::HEAD | Method::GET => {
            let Some(b) = blobs.get(&key) else {
                return error(
                    StatusCode::NOT_FOUND,
                    "BlobNotFound",
                    "The specified blob does not exist.",
                );
            };
            let mut h = vec![
                ("content-length", b.size.to_string()),
                ("x-ms-blob-type", "PageBlob".to_string()),
            ];
            if let Some(c) = &b.copy {
                let (status, done, at) = state.progress(c);
                h.push(("x-ms-copy-id", c.id.clone()));
                h.push(("x-ms-copy-source", c.source.clone()));
                h.push(("x-ms-copy-progress", format!("{done}/{}", c.total)));
                h.push((
                    "x-ms-copy-status",
                    match status {
                        Status::Pending => "pending",
                        Status::Success => "success",
                        Status::Aborted => "aborted",
                        Status::Failed => "failed",
                    }
                    .to_string(),
                ));
                if let Some(at) = at {
                    h.push((
                        "x-ms-copy-completion-time",
                        at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string(),
                    ));
                }
                if status == Status::Aborted {
                    h.push(("x-ms-copy-status-description", "aborted by user".into()));
                }
                if let (Status::Failed, Some((_, why))) = (status, c.failure) {
                    h.push(("x-ms-copy-status-description", why.to_string()));
                }
            }
            empty(StatusCode::OK, h)
        }
        Method::PUT if query_param(&query, "comp").as_deref() == Some("copy") => {
            if header("x-ms-copy-action").as_deref() != Some("abort") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "MissingRequiredHeader",
                    "x-ms-copy-action",
                );
            }
            let Some(b) = blobs.get_mut(&key) else {
                return error(
                    StatusCode::NOT_FOUND,
                    "BlobNotFound",
                    "The specified blob does not exist.",
                );
            };
            let Some(c) = b.copy.as_mut() else {
                return error(
                    StatusCode::CONFLICT,
                    "NoPendingCopyOperation",
                    "There is currently no pending copy operation.",
                );
            };
            if query_param(&query, "copyid").as_deref() != Some(c.id.as_str()) {
                return error(
                    StatusCode::CONFLICT,
                    "CopyIdMismatch",
                    "The specified copy ID did not match the copy ID for the pending copy operation.",
                );
            }
            let (status, done, _) = state.progress(c);
            if status != Status::Pending {
                return error(
                    StatusCode::CONFLICT,
                    "NoPendingCopyOperation",
                    "There is currently no pending copy operation.",
                );
            }
            c.aborted = Some((done, Timestamp::now()));
            empty(StatusCode::NO_CONTENT, vec![])
        }
        Method::PUT => {
            let Some(source) = header("x-ms-copy-source") else {
                // Put Blob: store the size only.
                let size = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                blobs.insert(key, FakeBlob { size, copy: None });
                return empty(StatusCode::CREATED, vec![]);
            };
            let Ok(src) = url::Url::parse(&source) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidHeaderValue",
                    "x-ms-copy-source is not a URL",
                );
            };
            let local =
                src.path()
                    .trim_start_matches('/')
                    .split_once('/')
                    .and_then(|(acct, rest)| {
                        let (c, b) = rest.split_once('/')?;
                        (acct == FAKE_ACCOUNT)
                            .then(|| blobs.get(&(c.to_string(), b.to_string())).map(|b| b.size))
                    });
            let total = match local {
                Some(Some(size)) => size,
                Some(None) => {
                    return error(
                        StatusCode::NOT_FOUND,
                        "CannotVerifyCopySource",
                        "The specified blob does not exist.",
                    );
                }
                None => VHD_BYTES,
            };
            let id = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                rand::random::<u32>(),
                rand::random::<u16>(),
                rand::random::<u16>() & 0xfff,
                rand::random::<u16>() & 0xfff,
                rand::random::<u64>() & 0xffff_ffff_ffff
            );
            blobs.insert(
                key,
                FakeBlob {
                    size: total,
                    copy: Some(FakeCopy {
                        id: id.clone(),
                        source: crate::redact::in_text(&source),
                        total,
                        started: Instant::now(),
                        started_at: Timestamp::now(),
                        aborted: None,
                        failure: None,
                    }),
                },
            );
            empty(
                StatusCode::ACCEPTED,
                vec![("x-ms-copy-id", id), ("x-ms-copy-status", "pending".into())],
            )
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "UnsupportedHttpVerb",
            "unsupported",
        ),
    }
}
