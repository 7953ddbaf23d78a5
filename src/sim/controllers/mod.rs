//! Controllers that make the simulated cluster live: they react to store events the way
//! OpenShift's own controllers would (CSRs, node pools, machine sets, hosted clusters, migrations).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::SimOptions;
use super::store::Store;

pub fn spawn(store: Arc<Store>, opts: SimOptions, shutdown: CancellationToken) {
    let _ = (store, opts, shutdown);
}
