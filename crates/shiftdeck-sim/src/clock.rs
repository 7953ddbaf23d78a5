//! Simulated time: scenario timings are written in real-cluster seconds and run `speed` times
//! faster, so a demo shows a 6-minute disk import in a minute at `--speed 6`.

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Clone, Debug)]
pub struct SimClock {
    speed: f64,
    started: Instant,
    started_wall: DateTime<Utc>,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            speed: speed.max(0.001),
            started: Instant::now(),
            started_wall: Utc::now(),
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
    pub fn now(&self) -> DateTime<Utc> {
        self.started_wall + (self.started.elapsed())
    }

    pub fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// A timestamp `ago` before now, for objects a scenario pretends are old.
    pub fn ago_rfc3339(&self, ago: Duration) -> String {
        let t = self.now() - chrono::Duration::from_std(ago).unwrap_or_default();
        t.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}
