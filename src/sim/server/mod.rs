//! The HTTP front of the sim: routing, verbs, watch streams, discovery, tables, auth and faults.
//! (Being written: see issue 2.)

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::SimOptions;
use super::store::Store;

/// Serve the Kubernetes API on `listener` until `shutdown` is cancelled.
pub fn serve(
    listener: TcpListener,
    store: Arc<Store>,
    opts: SimOptions,
    shutdown: CancellationToken,
) {
    let _ = (listener, store, opts, shutdown);
}
