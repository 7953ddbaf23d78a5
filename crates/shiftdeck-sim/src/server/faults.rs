//! Fault injection (`--faults`): watch drops, history expiry, random 500s and added latency.
//! Restarts live in the accept loop (`mod.rs`) and `forbid=` in `auth`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio_util::sync::CancellationToken;

use super::{Shared, lock};
use crate::SimOptions;

pub(crate) struct FaultState {
    rng: Mutex<ChaCha8Rng>,
    /// Cancelled (and replaced) on every `watch-drop` tick; watches hold the current one.
    watch_drop: Mutex<CancellationToken>,
}

impl FaultState {
    pub fn new(opts: &SimOptions) -> Self {
        FaultState {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5EED_FA17)),
            watch_drop: Mutex::new(CancellationToken::new()),
        }
    }

    /// Whether this request draws an injected 500.
    pub fn roll_error(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.rng).random::<f64>() < rate
    }

    pub fn watch_token(&self) -> CancellationToken {
        lock(&self.watch_drop).clone()
    }

    fn drop_watches(&self) {
        let old = std::mem::take(&mut *lock(&self.watch_drop));
        old.cancel();
    }
}

fn every(shared: &Arc<Shared>, period: Option<Duration>, f: impl Fn(&Shared) + Send + 'static) {
    let Some(period) = period.filter(|p| !p.is_zero()) else {
        return;
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tokio::select! {
                () = shared.shutdown.cancelled() => return,
                _ = tick.tick() => f(&shared),
            }
        }
    });
}

pub(crate) fn spawn_tickers(shared: &Arc<Shared>) {
    let f = &shared.opts.faults;
    every(shared, f.watch_drop, |s| s.faults.drop_watches());
    every(shared, f.expire_watches, |s| s.store.expire_history());
}
