//! Simulated time: scenario timings are written in real-cluster seconds and run `speed` times
//! faster, so a demo shows a 6-minute disk import in a minute at `--speed 6`.

use std::time::{Duration, Instant};

use crate::time::{self, Timestamp};

#[derive(Clone, Debug)]
pub struct SimClock {
    speed: f64,
    started: Instant,
    started_wall: Timestamp,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            speed: speed.max(0.001),
            started: Instant::now(),
            started_wall: Timestamp::now(),
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Wall-clock duration of `d` of simulated time.
    pub fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.speed)
    }

    /// Simulated time since the sim started (`speed` times the wall-clock time).
    pub fn sim_elapsed(&self) -> Duration {
        self.started.elapsed().mul_f64(self.speed)
    }

    /// Sleep for `d` of simulated time.
    pub async fn sleep(&self, d: Duration) {
        tokio::time::sleep(self.scaled(d)).await;
    }

    /// Simulated "now". Timestamps are real wall-clock time, because clients compute ages from
    /// their own clock; only the pace of scenario events is scaled.
    pub fn now(&self) -> Timestamp {
        time::SignedDuration::try_from(self.started.elapsed())
            .ok()
            .and_then(|d| self.started_wall.checked_add(d).ok())
            .unwrap_or_else(Timestamp::now)
    }

    pub fn now_rfc3339(&self) -> String {
        time::rfc3339_secs(self.now())
    }

    /// A timestamp `ago` before now, for objects a scenario pretends are old.
    pub fn ago_rfc3339(&self, ago: Duration) -> String {
        time::rfc3339_secs(time::before(self.now(), ago))
    }
}
