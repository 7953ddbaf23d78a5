//! Controllers that make the simulated cluster live: they react to store events the way
//! OpenShift's own controllers would (CSRs, node pools, machine sets, hosted clusters, migrations).
//!
//! Every controller subscribes to the store's event feed (taken synchronously in `spawn`, so no
//! change made after `start` returns is missed), treats `Lagged` as "re-read everything", paces
//! itself with the sim clock and stops when `shutdown` is cancelled. Controllers that react to
//! clients always run; `opts.live` only gates spontaneous activity (arriving machines, churn).

pub mod churn;
pub mod csr;
pub mod finalizers;
pub mod guest;
pub mod guest_workloads;
pub mod hostedcluster;
pub mod machine_approver;
pub mod machineset;
pub mod metallb;
pub mod migration;
pub mod nodepool;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;

use super::store::{Store, StoredEvent};
use super::{Profile, SimOptions};

pub fn spawn(store: Arc<Store>, opts: SimOptions, shutdown: CancellationToken) {
    let Some(rx) = subscribe(&store) else {
        return;
    };
    let sub = |_: ()| rx.resubscribe();
    let seed = opts.seed;
    tokio::spawn(csr::run(
        store.clone(),
        opts.clone(),
        sub(()),
        shutdown.clone(),
    ));
    match opts.profile {
        Profile::Hub => {
            tokio::spawn(nodepool::run(
                store.clone(),
                seed,
                sub(()),
                shutdown.clone(),
            ));
            tokio::spawn(machineset::run(
                store.clone(),
                seed,
                sub(()),
                shutdown.clone(),
            ));
            tokio::spawn(hostedcluster::run(
                store.clone(),
                seed,
                sub(()),
                shutdown.clone(),
            ));
            tokio::spawn(migration::run(store.clone(), sub(()), shutdown.clone()));
            for kind in [finalizers::MAPI_MACHINES, finalizers::CAPI_MACHINES] {
                tokio::spawn(finalizers::run_machines(
                    store.clone(),
                    kind,
                    sub(()),
                    shutdown.clone(),
                ));
            }
            tokio::spawn(metallb::run(store.clone(), sub(()), shutdown.clone()));
            tokio::spawn(guest::run(
                store.clone(),
                opts.clone(),
                sub(()),
                shutdown.clone(),
            ));
            if opts.live {
                tokio::spawn(csr::arrivals(store.clone(), seed, shutdown.clone()));
                tokio::spawn(nodepool::scale_extra_cpu(store.clone(), shutdown.clone()));
            }
        }
        Profile::Azure => {
            tokio::spawn(machineset::run(
                store.clone(),
                seed,
                sub(()),
                shutdown.clone(),
            ));
            tokio::spawn(finalizers::run_machines(
                store.clone(),
                finalizers::MAPI_MACHINES,
                sub(()),
                shutdown.clone(),
            ));
        }
        Profile::Microshift | Profile::Guest => {}
    }
    if opts.live && churn::wanted(&opts) {
        tokio::spawn(churn::run(store, opts, shutdown));
    }
}

/// A live feed of every store change from now on.
pub fn subscribe(store: &Store) -> Option<broadcast::Receiver<Arc<StoredEvent>>> {
    store.watch_from(None).ok().map(|(_, rx, _)| rx)
}

/// What a controller loop gets next.
pub enum Next {
    Event(Arc<StoredEvent>),
    /// Events were lost: re-read the state.
    Resync,
    Stop,
}

pub async fn next(
    rx: &mut broadcast::Receiver<Arc<StoredEvent>>,
    shutdown: &CancellationToken,
) -> Next {
    tokio::select! {
        _ = shutdown.cancelled() => Next::Stop,
        r = rx.recv() => match r {
            Ok(ev) => Next::Event(ev),
            Err(RecvError::Lagged(_)) => Next::Resync,
            Err(RecvError::Closed) => Next::Stop,
        }
    }
}

/// Sleep `secs` of simulated time; false when shut down meanwhile.
pub async fn sim_sleep(store: &Store, secs: f64, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => false,
        _ = store.clock().sleep(Duration::from_secs_f64(secs.max(0.0))) => true,
    }
}
