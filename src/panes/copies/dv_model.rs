//! The Copies pane's view of the DataVolume store: one slot per DataVolume, matched to each new
//! snapshot by pointer (the store hands out the same `Arc` until an object changes, see
//! [`Hints`]), so a catch-up with 10,000 DataVolumes and a few moved hashes only the moved ones.
//! It also picks the finished DataVolumes the history shows: only those are kept as rows, the
//! rest stay the store's objects (a hub keeps thousands of finished imports).

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;

use crate::copies::dv_resource::DataVolume;
use crate::panes::hints::Hints;

/// One DataVolume of the store, as last seen. It holds no `Arc` of the store's object: the
/// pane is not synced while off screen, and every version the store replaced meanwhile would
/// stay alive (1 MiB a minute at the fleet profile, up to the whole store again).
#[derive(Debug)]
pub struct DvSlot {
    /// The object's address, for the quick match; confirmed by `version`, since a freed
    /// address can be reused.
    addr: usize,
    /// Its resourceVersion.
    version: Box<str>,
    /// Its index in the last snapshot (see [`DvModel::object`]).
    pos: usize,
    /// `namespace/name`, the row key.
    pub key: Arc<str>,
    /// The CDI phase as last converted (the STATE column shows it).
    pub phase: Box<str>,
    /// When it finished, while its last conversion was final: orders the history.
    pub finished: Option<Timestamp>,
    seen: u64,
}

/// What a catch-up found.
#[derive(Debug, Default)]
pub struct DvMoves {
    /// New DataVolumes and new versions, to convert.
    pub moved: Vec<Arc<DataVolume>>,
    /// Keys of DataVolumes the store no longer has.
    pub gone: Vec<Arc<str>>,
}

#[derive(Debug, Default)]
pub struct DvModel {
    slots: Vec<Option<DvSlot>>,
    free: Vec<usize>,
    index: HashMap<Arc<str>, usize>,
    hints: Hints,
    generation: u64,
    /// A change that can move the history (see [`DvModel::shown`]) since it was picked.
    pub history_moved: bool,
    /// The oldest finished DataVolume the last pick kept, when it kept as many as asked:
    /// finishes older than it cannot enter the history.
    floor: Option<(Timestamp, Arc<str>)>,
}

fn key_of(obj: &DataVolume) -> String {
    format!(
        "{}/{}",
        obj.metadata.namespace.as_deref().unwrap_or_default(),
        obj.metadata.name.as_deref().unwrap_or_default()
    )
}

fn rv(obj: &DataVolume) -> &str {
    obj.metadata.resource_version.as_deref().unwrap_or_default()
}

impl DvModel {
    /// Match `snapshot` against the slots: unchanged objects by pointer, the rest by key. A
    /// new `Arc` with the resourceVersion already seen (a re-list) is taken without a move.
    pub fn catch_up(&mut self, snapshot: &[Arc<DataVolume>]) -> DvMoves {
        self.generation += 1;
        let generation = self.generation;
        let mut out = DvMoves::default();
        let mut found = 0usize;
        self.hints.begin(snapshot.len());
        for (pos, obj) in snapshot.iter().enumerate() {
            let slots = &self.slots;
            let addr = Arc::as_ptr(obj) as usize;
            if let Some(s) = self.hints.find(pos, |s| {
                slots.get(s).and_then(Option::as_ref).is_some_and(|e| {
                    e.addr == addr && e.seen != generation && *e.version == *rv(obj)
                })
            }) && let Some(Some(e)) = self.slots.get_mut(s)
            {
                e.seen = generation;
                e.pos = pos;
                found += 1;
                self.hints.record(s);
                continue;
            }
            let key = key_of(obj);
            match self.index.get(key.as_str()).copied() {
                Some(s)
                    if self
                        .slots
                        .get(s)
                        .is_some_and(|e| e.as_ref().is_some_and(|e| e.seen != generation)) =>
                {
                    self.hints.record(s);
                    found += 1;
                    if let Some(Some(e)) = self.slots.get_mut(s) {
                        e.seen = generation;
                        e.pos = pos;
                        e.addr = addr;
                        if *e.version != *rv(obj) || rv(obj).is_empty() {
                            out.moved.push(obj.clone());
                            e.version = rv(obj).into();
                        }
                    }
                }
                // Seen twice in one snapshot (a store never does that): the first one counts.
                Some(_) => self.hints.record(usize::MAX),
                None => {
                    let key: Arc<str> = key.into();
                    let slot = DvSlot {
                        addr,
                        version: rv(obj).into(),
                        pos,
                        key: key.clone(),
                        phase: Box::default(),
                        finished: None,
                        seen: generation,
                    };
                    let s = match self.free.pop() {
                        Some(s) => {
                            self.slots[s] = Some(slot);
                            s
                        }
                        None => {
                            self.slots.push(Some(slot));
                            self.slots.len() - 1
                        }
                    };
                    self.index.insert(key, s);
                    self.hints.record(s);
                    out.moved.push(obj.clone());
                }
            }
        }
        // A pass over the slots only when some went.
        if found < self.index.len() {
            let mut gone = Vec::new();
            for (s, e) in self.slots.iter_mut().enumerate() {
                if e.as_ref().is_some_and(|e| e.seen != generation)
                    && let Some(slot) = e.take()
                {
                    gone.push((s, slot));
                }
            }
            for (s, slot) in gone {
                self.index.remove(&slot.key);
                self.history_moved |= self.floor_allows(slot.finished, &slot.key);
                self.free.push(s);
                out.gone.push(slot.key);
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<&DvSlot> {
        self.index
            .get(key)
            .and_then(|s| self.slots.get(*s))
            .and_then(Option::as_ref)
    }

    /// The CDI phase of `key`, when converted and not empty.
    pub fn phase(&self, key: &str) -> Option<&str> {
        self.get(key).map(|e| &*e.phase).filter(|p| !p.is_empty())
    }

    /// Whether `key` is in the store at resourceVersion `version` (a conversion made off the
    /// UI thread is folded in only then).
    pub fn is_current(&self, key: &str, version: &str) -> bool {
        self.get(key).is_some_and(|e| &*e.version == version)
    }

    /// The object of `key` in `snapshot`, the one the last catch-up read.
    pub fn object<'a>(
        &self,
        key: &str,
        snapshot: &'a [Arc<DataVolume>],
    ) -> Option<&'a Arc<DataVolume>> {
        let e = self.get(key)?;
        snapshot.get(e.pos).filter(|o| key_of(o) == key)
    }

    /// Record what a conversion of `key` found.
    pub fn converted(&mut self, key: &str, phase: &str, finished: Option<Timestamp>) {
        let Some(e) = self
            .index
            .get(key)
            .copied()
            .and_then(|s| self.slots.get_mut(s))
            .and_then(Option::as_mut)
        else {
            return;
        };
        if *e.phase != *phase {
            e.phase = phase.into();
        }
        if e.finished != finished {
            let old = std::mem::replace(&mut e.finished, finished);
            let key = e.key.clone();
            self.history_moved |= self.floor_allows(old, &key) || self.floor_allows(finished, &key);
        }
    }

    /// Whether a DataVolume finished at `at` ranks among those the last pick kept (or could,
    /// when it kept fewer than asked).
    pub fn may_show(&self, at: Option<Timestamp>, key: &str) -> bool {
        self.floor_allows(at, key)
    }

    fn floor_allows(&self, at: Option<Timestamp>, key: &str) -> bool {
        let Some(at) = at else {
            return false;
        };
        match &self.floor {
            None => true,
            Some((t, k)) => at > *t || (at == *t && key <= &**k),
        }
    }

    /// The keys of the `n` newest finished DataVolumes, newest first, equal times by key (the
    /// history's order, `CopyBook`); later changes ranking below the last of them leave
    /// `history_moved` alone.
    pub fn pick_newest(&mut self, n: usize) -> Vec<Arc<str>> {
        let picked: Vec<(Timestamp, Arc<str>)> = self
            .newest_finished(n)
            .into_iter()
            .filter_map(|e| Some((e.finished?, e.key.clone())))
            .collect();
        self.floor = if picked.len() == n {
            picked.last().cloned()
        } else {
            None
        };
        self.history_moved = false;
        picked.into_iter().map(|(_, k)| k).collect()
    }

    /// The `n` newest finished DataVolumes, newest first, equal times by key.
    pub fn newest_finished(&self, n: usize) -> Vec<&DvSlot> {
        let mut done: Vec<&DvSlot> = self
            .slots
            .iter()
            .flatten()
            .filter(|e| e.finished.is_some())
            .collect();
        let order = |a: &&DvSlot, b: &&DvSlot| b.finished.cmp(&a.finished).then(a.key.cmp(&b.key));
        if done.len() > n && n > 0 {
            done.select_nth_unstable_by(n - 1, order);
            done.truncate(n);
        } else if n == 0 {
            done.clear();
        }
        done.sort_unstable_by(order);
        done
    }

    /// Every key, for forgetting them all.
    pub fn keys(&self) -> impl Iterator<Item = &Arc<str>> {
        self.index.keys()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dv(name: &str, version: &str) -> Arc<DataVolume> {
        let mut d = DataVolume::default();
        d.metadata.name = Some(name.into());
        d.metadata.namespace = Some("ns".into());
        d.metadata.resource_version = Some(version.into());
        Arc::new(d)
    }

    fn names(v: &[Arc<DataVolume>]) -> Vec<&str> {
        v.iter()
            .map(|d| d.metadata.name.as_deref().unwrap_or_default())
            .collect()
    }

    /// New objects and new versions move, the same `Arc` or a re-listed copy at the same
    /// version does not, deleted ones go; a rotated snapshot moves nothing.
    #[test]
    fn moves_only_what_changed() {
        let mut m = DvModel::default();
        let first: Vec<_> = (0..6).map(|i| dv(&format!("d{i}"), "1")).collect();
        let moves = m.catch_up(&first);
        assert_eq!(moves.moved.len(), 6);
        assert!(moves.gone.is_empty());
        assert!(m.catch_up(&first).moved.is_empty());
        let mut rotated = first.clone();
        rotated.rotate_left(2);
        assert!(m.catch_up(&rotated).moved.is_empty());
        // A re-list: new Arcs, same versions.
        let relisted: Vec<_> = (0..6).map(|i| dv(&format!("d{i}"), "1")).collect();
        assert!(m.catch_up(&relisted).moved.is_empty());
        let mut next = relisted.clone();
        next[3] = dv("d3", "2");
        next.remove(1);
        next.push(dv("d9", "1"));
        let moves = m.catch_up(&next);
        assert_eq!(names(&moves.moved), ["d3", "d9"]);
        assert_eq!(
            moves.gone.iter().map(|k| &**k).collect::<Vec<_>>(),
            ["ns/d1"]
        );
        assert_eq!(m.len(), 6);
        assert!(m.is_current("ns/d3", "2"));
        assert!(!m.is_current("ns/d1", "1"));
    }

    /// The model keeps no store object alive (an off-screen pane would pin every replaced
    /// version), and a new version at a freed version's address still moves.
    #[test]
    fn holds_no_object_and_an_address_reused_by_a_new_version_moves() {
        let mut m = DvModel::default();
        let first = vec![dv("d0", "1")];
        m.catch_up(&first);
        assert_eq!(Arc::strong_count(&first[0]), 1);
        assert_eq!(m.object("ns/d0", &first).map(|o| rv(o)), Some("1"));
        let addr = Arc::as_ptr(&first[0]) as usize;
        drop(first);
        // jemalloc hands the freed block to the next allocation of its size.
        let next = vec![dv("d0", "2")];
        let reused = Arc::as_ptr(&next[0]) as usize == addr;
        assert_eq!(
            names(&m.catch_up(&next).moved),
            ["d0"],
            "address reused: {reused}"
        );
        assert!(m.is_current("ns/d0", "2"));
    }

    /// The history takes the newest finished ones, ties by key, and notices when one leaves.
    #[test]
    fn newest_finished_in_history_order() {
        let mut m = DvModel::default();
        let all: Vec<_> = (0..5).map(|i| dv(&format!("d{i}"), "1")).collect();
        m.catch_up(&all);
        let at = |s: i64| Some(Timestamp::from_second(1_700_000_000 + s).expect("time"));
        m.converted("ns/d0", "Succeeded", at(10));
        m.converted("ns/d1", "Succeeded", at(30));
        m.converted("ns/d2", "Failed", at(30));
        m.converted("ns/d3", "ImportInProgress", None);
        m.converted("ns/d4", "Succeeded", at(20));
        assert!(m.history_moved);
        let keys = |m: &DvModel, n| {
            m.newest_finished(n)
                .iter()
                .map(|e| e.key.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&m, 3), ["ns/d1", "ns/d2", "ns/d4"]);
        assert_eq!(keys(&m, 10).len(), 4);
        assert!(keys(&m, 0).is_empty());
        // Once picked, only what ranks among the picked moves the history.
        assert_eq!(&*m.pick_newest(2)[1], "ns/d2");
        assert!(!m.history_moved);
        m.converted("ns/d0", "Succeeded", at(5));
        assert!(!m.history_moved, "older than the oldest shown");
        assert!(!m.may_show(at(5), "ns/d0"));
        m.converted("ns/d3", "Succeeded", at(30));
        assert!(!m.history_moved, "ties with the oldest shown, later key");
        m.converted("ns/d0", "Succeeded", at(30));
        assert!(m.history_moved, "ties with the oldest shown, earlier key");
        m.pick_newest(2);
        m.converted("ns/d1", "ImportInProgress", None);
        assert!(m.history_moved, "a shown one started again");
        m.pick_newest(2);
        m.catch_up(&all[..4]);
        assert!(!m.history_moved, "d4 was not shown");
        m.catch_up(&all[..3]);
        assert!(!m.history_moved, "d3 was not shown");
        m.catch_up(&all[1..3]);
        assert!(m.history_moved, "a shown one (d0) left");
        assert_eq!(m.phase("ns/d2"), Some("Failed"));
        assert_eq!(m.phase("ns/d0"), None);
    }
}
