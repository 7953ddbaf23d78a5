//! Remembers scalings across snapshots so that a finished one stays visible for a while with its
//! total time. Pure: fed NodePool (or MachineSet) snapshots and `now`; no clock of its own.

use std::collections::BTreeMap;

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::util::{i64_at, name, namespace};

/// A scaling seen in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveScaling {
    /// Replicas when first seen (`status.replicas`).
    pub from: i64,
    /// Latest desired replicas.
    pub to: i64,
    /// When shiftdeck first saw desired ≠ current.
    pub since: Timestamp,
}

/// A scaling that finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinishedScaling {
    /// `<namespace>/<name>`.
    pub key: String,
    /// Replicas before.
    pub from: i64,
    /// Replicas after.
    pub to: i64,
    /// First seen.
    pub started: Timestamp,
    /// First snapshot with desired = current.
    pub finished: Timestamp,
}

impl FinishedScaling {
    /// Total observed time.
    pub fn total(&self) -> SignedDuration {
        self.finished.duration_since(self.started)
    }
}

/// The tracker. Keys are `<namespace>/<name>`.
#[derive(Clone, Debug)]
pub struct ScalingTracker {
    active: BTreeMap<String, ActiveScaling>,
    finished: Vec<FinishedScaling>,
    keep: SignedDuration,
}

impl ScalingTracker {
    /// A tracker that keeps finished scalings visible for `keep`.
    pub fn new(keep: SignedDuration) -> Self {
        ScalingTracker {
            active: BTreeMap::new(),
            finished: Vec::new(),
            keep,
        }
    }

    /// Feeds a full snapshot of objects with `spec.replicas` / `status.replicas` (NodePools or
    /// MachineSets). Objects without `spec.replicas` (autoscaled) are not tracked. Objects that
    /// disappeared are forgotten.
    pub fn observe(&mut self, objects: &[Value], now: Timestamp) {
        let counts = objects.iter().filter_map(|o| {
            let desired = i64_at(o, "/spec/replicas")?;
            let current = i64_at(o, "/status/replicas").unwrap_or(0);
            Some((format!("{}/{}", namespace(o), name(o)), desired, current))
        });
        self.observe_counts(counts, now);
    }

    /// [`observe`](Self::observe) from `(<namespace>/<name>, desired, current)` of every tracked
    /// object, for views that read the counts once per resourceVersion.
    pub fn observe_counts(
        &mut self,
        counts: impl IntoIterator<Item = (String, i64, i64)>,
        now: Timestamp,
    ) {
        let mut seen = std::collections::HashSet::new();
        for (key, desired, current) in counts {
            seen.insert(key.clone());
            match (self.active.get_mut(&key), desired == current) {
                (None, false) => {
                    self.active.insert(
                        key,
                        ActiveScaling {
                            from: current,
                            to: desired,
                            since: now,
                        },
                    );
                }
                (Some(a), false) => a.to = desired,
                (Some(_), true) => {
                    if let Some(a) = self.active.remove(&key) {
                        self.finished.retain(|f| f.key != key);
                        self.finished.push(FinishedScaling {
                            key,
                            from: a.from,
                            to: desired,
                            started: a.since,
                            finished: now,
                        });
                    }
                }
                (None, true) => {}
            }
        }
        self.active.retain(|k, _| seen.contains(k));
        let keep = self.keep;
        self.finished
            .retain(|f| now.duration_since(f.finished) <= keep);
    }

    /// The scaling in progress for `<namespace>/<name>`.
    pub fn active(&self, key: &str) -> Option<&ActiveScaling> {
        self.active.get(key)
    }

    /// All scalings in progress, by key.
    pub fn all_active(&self) -> impl Iterator<Item = (&String, &ActiveScaling)> {
        self.active.iter()
    }

    /// Finished scalings still within the keep window at `now`, newest first.
    pub fn recently_finished(&self, now: Timestamp) -> Vec<&FinishedScaling> {
        let mut v: Vec<_> = self
            .finished
            .iter()
            .filter(|f| now.duration_since(f.finished) <= self.keep)
            .collect();
        v.sort_by_key(|f| std::cmp::Reverse(f.finished));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn np(desired: i64, current: i64) -> Value {
        json!({"metadata": {"name": "example", "namespace": "clusters"},
               "spec": {"replicas": desired}, "status": {"replicas": current}})
    }

    fn t(min: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + min * 60).unwrap()
    }

    #[test]
    fn tracks_a_scaling_until_done_and_keeps_it_a_while() {
        let mut tr = ScalingTracker::new(SignedDuration::from_mins(10));
        tr.observe(&[np(2, 2)], t(0));
        assert!(tr.active("clusters/example").is_none());
        tr.observe(&[np(5, 2)], t(1));
        tr.observe(&[np(5, 3)], t(3));
        tr.observe(&[np(6, 4)], t(5));
        let a = tr.active("clusters/example").unwrap();
        assert_eq!((a.from, a.to, a.since), (2, 6, t(1)));
        tr.observe(&[np(6, 6)], t(9));
        assert!(tr.active("clusters/example").is_none());
        let f = tr.recently_finished(t(12));
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].from, f[0].to, f[0].total()),
            (2, 6, SignedDuration::from_mins(8))
        );
        assert!(tr.recently_finished(t(20)).is_empty());
        tr.observe(&[np(6, 6)], t(20));
        assert!(tr.finished.is_empty());
    }

    #[test]
    fn deleted_and_autoscaled_objects_are_dropped() {
        let mut tr = ScalingTracker::new(SignedDuration::from_mins(10));
        tr.observe(&[np(3, 1)], t(0));
        assert_eq!(tr.all_active().count(), 1);
        tr.observe(&[], t(1));
        assert_eq!(tr.all_active().count(), 0);
        let auto = json!({"metadata": {"name": "a", "namespace": "c"}, "status": {"replicas": 1}});
        tr.observe(&[auto], t(2));
        assert_eq!(tr.all_active().count(), 0);
    }
}
