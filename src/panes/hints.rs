//! Where each object of a store snapshot was in the last one. A reflector's store hands out the
//! same `Arc` until an object changes, and its snapshot order is stable apart from shifts where
//! objects come or go (a hash map's bucket order). Matching the last snapshot's slots by position,
//! following such shifts, finds an unchanged object with one pointer comparison instead of
//! hashing its name: 20,000 hash lookups were most of an idle catch-up.

/// The slots of the last snapshot, by position, and the shift found so far.
#[derive(Debug, Default)]
pub struct Hints {
    last: Vec<usize>,
    next: Vec<usize>,
    shift: isize,
}

/// How far a shift is looked for around the expected position.
const REACH: isize = 2;

impl Hints {
    /// Start matching a new snapshot of `len` objects.
    pub fn begin(&mut self, len: usize) {
        self.last = std::mem::take(&mut self.next);
        self.next.clear();
        self.next.reserve(len);
        self.shift = 0;
    }

    /// The slot the object at `pos` held last time, if `holds(slot)` confirms it (the caller
    /// compares the `Arc` the slot holds with the object: the slot pins that `Arc`, so a match is
    /// never a new object at a reused address). Positions must be asked in order.
    pub fn find(&mut self, pos: usize, holds: impl Fn(usize) -> bool) -> Option<usize> {
        for d in std::iter::once(0).chain((1..=REACH).flat_map(|d| [-d, d])) {
            let j = pos as isize + self.shift + d;
            let Ok(j) = usize::try_from(j) else {
                continue;
            };
            if let Some(&slot) = self.last.get(j)
                && slot != usize::MAX
                && holds(slot)
            {
                self.shift += d;
                return Some(slot);
            }
        }
        None
    }

    /// Record the slot of the object at the next position (`usize::MAX`: none yet).
    pub fn record(&mut self, slot: usize) {
        self.next.push(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects are found across insertions and removals that shift positions, never matched
    /// to a wrong slot, and the rest are left to the caller.
    #[test]
    fn follows_shifts_and_never_matches_wrongly() {
        let mut h = Hints::default();
        // Slot i holds object i*10.
        let first: Vec<usize> = (0..20).map(|i| i * 10).collect();
        h.begin(first.len());
        for _ in &first {
            h.record(usize::MAX);
        }
        // Nothing recorded: nothing is found.
        h.begin(first.len());
        assert_eq!(h.find(0, |_| true), None);
        for (slot, _) in first.iter().enumerate() {
            h.record(slot);
        }
        // Two insertions and one removal.
        let mut second = first.clone();
        second.insert(3, 999);
        second.insert(10, 998);
        second.remove(15);
        h.begin(second.len());
        let mut found = 0;
        for (pos, obj) in second.iter().enumerate() {
            match h.find(pos, |slot| first[slot] == *obj) {
                Some(slot) => {
                    assert_eq!(first[slot], *obj);
                    found += 1;
                }
                None => assert!(*obj >= 998, "{obj} at {pos} should be found"),
            }
        }
        assert_eq!(found, 19);
        // A reversed snapshot (a rehash) matches only by confirmation, never wrongly.
        let mut h = Hints::default();
        h.begin(first.len());
        for (slot, _) in first.iter().enumerate() {
            h.record(slot);
        }
        h.begin(first.len());
        for (pos, obj) in first.iter().rev().enumerate() {
            if let Some(slot) = h.find(pos, |slot| first[slot] == *obj) {
                assert_eq!(first[slot], *obj);
            }
        }
    }
}
