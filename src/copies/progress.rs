//! The one progress model shared by DataVolume imports, Azure blob copies and image mirroring.
//!
//! Each source turns what it observes into a [`CopyItem`] (pure data). A [`CopyItem`] owns an
//! [`Estimator`] fed `(time, fraction)` samples; rate and ETA come from the recent samples only,
//! so a copy that speeds up or stalls shows it within a minute. [`CopyBook`] keeps the live copies
//! and a bounded history of finished ones.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// Where a copy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SourceKind {
    /// A CDI DataVolume import or clone.
    DataVolume,
    /// An Azure blob copy (`az storage blob copy start`).
    AzureBlob,
    /// One container image mirrored with skopeo.
    Image,
    /// A whole mirror job (n/m images).
    MirrorJob,
}

impl SourceKind {
    /// Short label used in tables.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::DataVolume => "datavolume",
            SourceKind::AzureBlob => "blob",
            SourceKind::Image => "image",
            SourceKind::MirrorJob => "mirror",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Life cycle of a copy. `Succeeded`, `Failed` and `Aborted` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CopyState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Aborted,
}

impl CopyState {
    /// True for `Succeeded`, `Failed` and `Aborted`.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CopyState::Succeeded | CopyState::Failed | CopyState::Aborted
        )
    }

    /// Label used in tables.
    pub fn label(self) -> &'static str {
        match self {
            CopyState::Pending => "Pending",
            CopyState::Running => "Running",
            CopyState::Succeeded => "Succeeded",
            CopyState::Failed => "Failed",
            CopyState::Aborted => "Aborted",
        }
    }
}

impl fmt::Display for CopyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Keeps recent `(time, fraction)` samples and derives a rate (fraction per second) and an ETA.
///
/// Only samples within `window` of the newest one are used, and at most `capacity` are kept.
/// A fraction that goes backwards (a restarted import) starts the estimate afresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimator {
    samples: VecDeque<(Timestamp, f64)>,
    capacity: usize,
    window: SignedDuration,
}

impl Default for Estimator {
    fn default() -> Self {
        Self::new(64, SignedDuration::from_secs(120))
    }
}

impl Estimator {
    /// An estimator keeping at most `capacity` samples (at least 2) no older than `window`.
    pub fn new(capacity: usize, window: SignedDuration) -> Self {
        Self {
            samples: VecDeque::new(),
            capacity: capacity.max(2),
            window,
        }
    }

    /// Record that the copy was at `fraction` (0.0..=1.0, clamped) at `at`.
    /// Samples older than the newest one are ignored; a repeated time replaces the fraction.
    pub fn push(&mut self, at: Timestamp, fraction: f64) {
        if !fraction.is_finite() {
            return;
        }
        let fraction = fraction.clamp(0.0, 1.0);
        if let Some(&(last_at, last_f)) = self.samples.back() {
            if at < last_at {
                return;
            }
            if fraction < last_f {
                self.samples.clear();
            } else if at == last_at {
                self.samples.pop_back();
            }
        }
        self.samples.push_back((at, fraction));
        while self.samples.len() > self.capacity {
            self.samples.pop_front();
        }
        while let (Some(&(first, _)), Some(&(last, _))) =
            (self.samples.front(), self.samples.back())
        {
            if last.duration_since(first) > self.window && self.samples.len() > 2 {
                self.samples.pop_front();
            } else {
                break;
            }
        }
    }

    /// Number of samples kept.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True when no sample was kept.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The newest fraction seen.
    pub fn last_fraction(&self) -> Option<f64> {
        self.samples.back().map(|&(_, f)| f)
    }

    /// Fraction per second over the kept samples; `None` with fewer than two samples or no
    /// elapsed time.
    pub fn rate(&self) -> Option<f64> {
        let (&(t0, f0), &(t1, f1)) = (self.samples.front()?, self.samples.back()?);
        let secs = seconds(t1.duration_since(t0));
        (secs > 0.0).then(|| (f1 - f0) / secs)
    }

    /// Time left at the current rate, counted from the newest sample; `None` when the rate is
    /// unknown or zero. Zero once the fraction reached 1.
    pub fn eta(&self) -> Option<SignedDuration> {
        let f = self.last_fraction()?;
        if f >= 1.0 {
            return Some(SignedDuration::ZERO);
        }
        let rate = self.rate()?;
        if rate <= 0.0 {
            return None;
        }
        let secs = (1.0 - f) / rate;
        if secs > 3.0e8 {
            return None;
        }
        Some(SignedDuration::from_millis((secs * 1000.0).round() as i64))
    }

    /// Rate (fraction per second) between each pair of consecutive samples, oldest first: the
    /// data for a sparkline.
    pub fn interval_rates(&self) -> Vec<f64> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .filter_map(|(&(t0, f0), &(t1, f1))| {
                let secs = seconds(t1.duration_since(t0));
                (secs > 0.0).then(|| (f1 - f0) / secs)
            })
            .collect()
    }
}

fn seconds(d: SignedDuration) -> f64 {
    d.as_millis() as f64 / 1000.0
}

/// One copy of any kind, as every view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyItem {
    /// What kind of copy this is.
    pub kind: SourceKind,
    /// Stable key, unique within a kind (e.g. `ns/name`, the redacted blob URL, the image ref).
    pub key: String,
    /// What the user reads as the name.
    pub name: String,
    /// Where the copy goes or who owns it (owner of a DataVolume, destination of a blob/image).
    pub detail: String,
    pub state: CopyState,
    /// 0.0..=1.0 when known.
    pub fraction: Option<f64>,
    pub bytes_done: Option<u64>,
    pub bytes_total: Option<u64>,
    /// Bytes per second when the size is known.
    pub rate_bytes: Option<f64>,
    /// Fraction per second (always available once two samples were seen).
    pub rate_fraction: Option<f64>,
    pub eta: Option<SignedDuration>,
    pub started: Option<Timestamp>,
    pub finished: Option<Timestamp>,
    /// Failure reason or status text, already free of secrets.
    pub message: Option<String>,
    #[serde(skip)]
    pub estimator: Estimator,
}

impl CopyItem {
    /// A pending copy with nothing observed yet.
    pub fn new(kind: SourceKind, key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind,
            key: key.into(),
            name: name.into(),
            detail: String::new(),
            state: CopyState::Pending,
            fraction: None,
            bytes_done: None,
            bytes_total: None,
            rate_bytes: None,
            rate_fraction: None,
            eta: None,
            started: None,
            finished: None,
            message: None,
            estimator: Estimator::default(),
        }
    }

    /// Feed a progress observation taken at `at`. `fraction` wins over bytes when both are given;
    /// otherwise the fraction is `done/total`. Updates rate and ETA from the estimator.
    pub fn observe(
        &mut self,
        at: Timestamp,
        fraction: Option<f64>,
        bytes_done: Option<u64>,
        bytes_total: Option<u64>,
    ) {
        if bytes_total.is_some() {
            self.bytes_total = bytes_total;
        }
        let fraction = fraction.or_else(|| match (bytes_done, self.bytes_total) {
            (Some(d), Some(t)) if t > 0 => Some(d as f64 / t as f64),
            (Some(_), Some(0)) => Some(1.0),
            _ => None,
        });
        self.bytes_done = bytes_done.or_else(|| {
            let (f, t) = (fraction?, self.bytes_total?);
            Some((f.clamp(0.0, 1.0) * t as f64).round() as u64)
        });
        if let Some(f) = fraction {
            let f = f.clamp(0.0, 1.0);
            self.fraction = Some(f);
            self.estimator.push(at, f);
        }
        self.rate_fraction = self.estimator.rate();
        self.rate_bytes = match (self.rate_fraction, self.bytes_total) {
            (Some(r), Some(t)) => Some(r * t as f64),
            _ => None,
        };
        self.eta = if self.state.is_final() {
            None
        } else {
            self.estimator.eta()
        };
    }

    /// Time since the copy started, up to its finish (or `now` while it runs).
    pub fn elapsed(&self, now: Timestamp) -> Option<SignedDuration> {
        let start = self.started?;
        let end = self.finished.unwrap_or(now);
        Some(end.duration_since(start).max(SignedDuration::ZERO))
    }

    /// Recent rates scaled to 0..=100 of the highest one: ready for a ratatui `Sparkline`.
    pub fn sparkline(&self) -> Vec<u64> {
        let rates = self.estimator.interval_rates();
        let max = rates.iter().copied().fold(0.0_f64, f64::max);
        rates
            .iter()
            .map(|r| {
                if max > 0.0 {
                    ((r.max(0.0) / max) * 100.0).round() as u64
                } else {
                    0
                }
            })
            .collect()
    }
}

/// Where a finished copy sorts: those without a finish time first (the last recorded first),
/// then newest first, equal finish times by kind and key (so the order does not depend on which
/// watch delivered first).
type FinishedAt = (Option<Reverse<Timestamp>>, Reverse<u64>, SourceKind, String);

/// Live copies keyed by `(kind, key)` plus the most recent finished ones, newest first.
///
/// Every finished copy is kept, only the newest `history_cap` are shown: when one of those
/// starts again (a DataVolume re-imported), the next newest takes its place, so the history
/// shows as many finished copies as there are, up to the cap, whatever came and went before.
#[derive(Debug, Clone, Default)]
pub struct CopyBook {
    live: BTreeMap<(SourceKind, String), CopyItem>,
    finished: BTreeMap<FinishedAt, CopyItem>,
    /// `(kind, key)` -> its place in `finished`.
    finished_index: HashMap<(SourceKind, String), FinishedAt>,
    /// Counts finished copies recorded without a finish time, to order them.
    recorded: u64,
    history_cap: usize,
}

impl CopyBook {
    /// A book showing at most `history_cap` finished copies.
    pub fn new(history_cap: usize) -> Self {
        Self {
            history_cap,
            ..Self::default()
        }
    }

    /// The live copy with this kind and key, to update it with its previous samples.
    pub fn get(&self, kind: SourceKind, key: &str) -> Option<&CopyItem> {
        self.live.get(&(kind, key.to_string()))
    }

    /// Insert or replace a copy. A copy in a final state moves to the history (replacing an
    /// older entry with the same key); one that is live again leaves it.
    pub fn upsert(&mut self, item: CopyItem) {
        let k = (item.kind, item.key.clone());
        if let Some(at) = self.finished_index.remove(&k) {
            self.finished.remove(&at);
        }
        if item.state.is_final() {
            self.live.remove(&k);
            self.recorded += 1;
            let seq = if item.finished.is_some() {
                0
            } else {
                self.recorded
            };
            let at = (
                item.finished.map(Reverse),
                Reverse(seq),
                item.kind,
                item.key.clone(),
            );
            self.finished_index.insert(k, at.clone());
            self.finished.insert(at, item);
        } else {
            self.live.insert(k, item);
        }
    }

    /// Forget a live copy (its object was deleted) without recording it.
    pub fn remove(&mut self, kind: SourceKind, key: &str) -> Option<CopyItem> {
        self.live.remove(&(kind, key.to_string()))
    }

    /// Forget a copy, live or finished, without recording it (its object left the model).
    pub fn forget(&mut self, kind: SourceKind, key: &str) {
        let k = (kind, key.to_string());
        self.live.remove(&k);
        if let Some(at) = self.finished_index.remove(&k) {
            self.finished.remove(&at);
        }
    }

    /// Every finished copy kept, newest first (not only the shown ones).
    pub fn finished(&self) -> impl Iterator<Item = &CopyItem> {
        self.finished.values()
    }

    /// Live copies, ordered by kind then key.
    pub fn live(&self) -> impl Iterator<Item = &CopyItem> {
        self.live.values()
    }

    /// Finished copies, newest first, at most `history_cap`.
    pub fn history(&self) -> impl Iterator<Item = &CopyItem> {
        self.finished.values().take(self.history_cap)
    }

    /// Live copies followed by the history: the order of the pane and of `get copies`.
    pub fn all(&self) -> Vec<&CopyItem> {
        self.live().chain(self.history()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).expect("valid time")
    }

    #[test]
    fn estimator_rate_and_eta_from_linear_progress() {
        let mut e = Estimator::default();
        e.push(t(0), 0.0);
        assert_eq!(e.rate(), None);
        e.push(t(10), 0.1);
        e.push(t(20), 0.2);
        let r = e.rate().expect("rate");
        assert!((r - 0.01).abs() < 1e-9, "{r}");
        assert_eq!(e.eta(), Some(SignedDuration::from_secs(80)));
        assert_eq!(e.interval_rates().len(), 2);
    }

    #[test]
    fn estimator_forgets_old_samples_and_restarts_on_regression() {
        let mut e = Estimator::new(64, SignedDuration::from_secs(30));
        e.push(t(0), 0.0);
        e.push(t(10), 0.5); // fast start
        e.push(t(40), 0.53);
        e.push(t(50), 0.55); // slow now
        // t(0) and t(10) fall out of the 30 s window: the rate is the slow recent one.
        assert_eq!(e.len(), 2);
        let r = e.rate().expect("rate");
        assert!((r - 0.002).abs() < 1e-9, "{r}");
        e.push(t(60), 0.1); // import restarted
        assert_eq!(e.len(), 1);
        assert_eq!(e.rate(), None);
        assert_eq!(e.eta(), None);
    }

    #[test]
    fn estimator_ignores_time_going_backwards_and_stalls() {
        let mut e = Estimator::default();
        e.push(t(10), 0.5);
        e.push(t(5), 0.6);
        assert_eq!(e.len(), 1);
        e.push(t(20), 0.5);
        assert_eq!(e.rate(), Some(0.0));
        assert_eq!(e.eta(), None, "a stalled copy has no ETA");
        e.push(t(20), f64::NAN);
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn copy_item_from_bytes_gets_fraction_rate_eta_and_sparkline() {
        let mut c = CopyItem::new(SourceKind::AzureBlob, "k", "n");
        c.observe(t(0), None, Some(0), Some(1000));
        c.observe(t(10), None, Some(100), None);
        c.observe(t(20), None, Some(300), None);
        assert_eq!(c.fraction, Some(0.3));
        assert_eq!(c.bytes_total, Some(1000));
        let rb = c.rate_bytes.expect("rate");
        assert!((rb - 15.0).abs() < 1e-9, "{rb}");
        assert_eq!(c.eta, Some(SignedDuration::from_millis(46_667)));
        assert_eq!(c.sparkline(), vec![50, 100]);
    }

    #[test]
    fn copy_item_from_fraction_derives_bytes() {
        let mut c = CopyItem::new(SourceKind::DataVolume, "ns/dv", "dv");
        c.bytes_total = Some(200);
        c.observe(t(0), Some(0.25), None, None);
        assert_eq!(c.bytes_done, Some(50));
        c.started = Some(t(0));
        assert_eq!(c.elapsed(t(30)), Some(SignedDuration::from_secs(30)));
        c.finished = Some(t(10));
        assert_eq!(c.elapsed(t(30)), Some(SignedDuration::from_secs(10)));
    }

    #[test]
    fn book_moves_finished_copies_to_history() {
        let mut b = CopyBook::new(2);
        let mut a = CopyItem::new(SourceKind::Image, "a", "a");
        b.upsert(a.clone());
        assert_eq!(b.live().count(), 1);
        a.state = CopyState::Succeeded;
        b.upsert(a.clone());
        assert_eq!(b.live().count(), 0);
        assert_eq!(b.history().count(), 1);
        for k in ["b", "c"] {
            let mut x = CopyItem::new(SourceKind::Image, k, k);
            x.state = CopyState::Failed;
            b.upsert(x);
        }
        let keys: Vec<_> = b.history().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["c", "b"], "newest first, capped");
        // retrying "b" takes it out of the history, and "a" (kept, past the cap) is shown again
        b.upsert(CopyItem::new(SourceKind::Image, "b", "b"));
        let keys: Vec<_> = b.all().iter().map(|h| h.key.clone()).collect();
        assert_eq!(keys, ["b", "c", "a"]);
    }

    #[test]
    fn history_orders_by_finish_time_then_key_whatever_the_arrival_order() {
        let done = |k: &str, at: i64| {
            let mut x = CopyItem::new(SourceKind::DataVolume, k, k);
            x.state = CopyState::Succeeded;
            x.finished = Some(t(at));
            x
        };
        for order in [["x", "y", "z"], ["z", "y", "x"], ["y", "z", "x"]] {
            let mut b = CopyBook::new(5);
            for k in order {
                b.upsert(done(k, if k == "z" { 20 } else { 10 }));
            }
            let keys: Vec<_> = b.history().map(|h| h.key.as_str()).collect();
            assert_eq!(keys, ["z", "x", "y"], "arrival {order:?}");
        }
    }
}
