//! A live table of one kind, shared by every pane: rows derived once per resourceVersion from the
//! reflector's snapshot, flashes for added/changed/deleted rows (deleted rows linger a moment), and
//! the filtered + sorted index, recomputed only when the store, filter or sort change.

use kube::Resource;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::ResourceExt;
use ratatui::layout::Rect;

use super::filter::Filter;
use crate::action::Action;

/// How long a changed row stays highlighted.
pub const FLASH: Duration = Duration::from_millis(2500);
/// How long a deleted row lingers before it goes.
pub const LINGER: Duration = Duration::from_millis(3000);
/// Up to this many changed rows (or 1/64 of the table, if more) are moved into place one by
/// one; more are sorted afresh.
const REPOSITION_MAX: usize = 32;

/// A pane's row type: how to derive it from an object, filter and sort it.
pub trait RowModel: Sized + PartialEq {
    type Obj: kube::Resource + ResourceExt;
    fn from_obj(obj: &Self::Obj) -> Self;
    /// Whether the row passes `filter`; `obj` is the object it was derived from, so rows need not
    /// copy what only filtering reads (labels).
    fn matches(&self, obj: &Self::Obj, filter: &Filter) -> bool;
    fn compare(a: &Self, b: &Self, col: usize) -> Ordering;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Added,
    Changed,
    Deleted,
}

pub struct Entry<R: RowModel> {
    pub key: String,
    pub row: R,
    /// The object the row was derived from (its resourceVersion says when to derive again).
    pub obj: Arc<R::Obj>,
    pub flash: Option<(Flash, Instant)>,
    pub deleted_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub descending: bool,
}

pub struct LiveTable<R: RowModel> {
    entries: Vec<Entry<R>>,
    by_key: HashMap<String, usize, foldhash::fast::RandomState>,
    visible: Vec<usize>,
    filter: Filter,
    sort: Sort,
    selected: usize,
    /// Whether the first snapshot was taken: rows only flash after that.
    primed: bool,
    /// Scratch for `sync`, kept so a sync of thousands of rows does not allocate it anew.
    seen: Vec<bool>,
    /// When the next flash or lingering row ends (`None`: none is on). Ticks come many times a
    /// second while rows flash; only this tells them whether to walk thousands of entries.
    next_due: Option<Instant>,
    /// Scratch for `sync`: entries whose row was derived anew (changed or added) this sync.
    dirty: Vec<usize>,
    /// The entry each position of the last snapshot matched (see `hints`): an unchanged
    /// object is found by one pointer comparison instead of hashing its name (hashing 5,000
    /// names was most of a Nodes catch-up).
    hints: super::hints::Hints,
    /// Rows in the viewport at the last render (`offset`), 0 before any: a change outside it
    /// draws nothing new.
    viewport: std::cell::Cell<usize>,
    /// Whether the last `sync` or `tick` changed what the viewport shows.
    shown: bool,
}

/// What a viewport row shows besides the row itself: which entry, and its flash.
type WindowRow = (usize, Option<Flash>, bool);

impl<R: RowModel> Default for LiveTable<R> {
    fn default() -> Self {
        LiveTable {
            entries: Vec::new(),
            by_key: HashMap::default(),
            visible: Vec::new(),
            filter: Filter::default(),
            sort: Sort {
                col: 0,
                descending: false,
            },
            selected: 0,
            primed: false,
            seen: Vec::new(),
            next_due: None,
            dirty: Vec::new(),
            hints: Default::default(),
            viewport: std::cell::Cell::new(0),
            shown: false,
        }
    }
}

fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}

fn key_of<K: ResourceExt>(o: &K) -> String {
    match o.namespace() {
        Some(ns) => format!("{ns}/{}", o.name_any()),
        None => o.name_any(),
    }
}

impl<R: RowModel> LiveTable<R> {
    /// Bring the table up to date with a store snapshot. Rows are only re-derived for objects whose
    /// resourceVersion changed. Returns whether anything shown changed: a new version whose row
    /// and labels are the same changes nothing on screen (unless its row is selected, whose
    /// details read the object).
    pub fn sync(&mut self, snapshot: &[Arc<R::Obj>], now: Instant) -> bool {
        let flash = self.primed;
        self.primed = true;
        let mut changed = false;
        let mut seen = std::mem::take(&mut self.seen);
        seen.clear();
        seen.resize(self.entries.len(), false);
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.clear();
        let selected = self.visible.get(self.selected).copied();
        let window_before = self.window();
        let visible_before = self.visible.len();
        let mut selected_touched = false;
        self.hints.begin(snapshot.len());
        for (pos, obj) in snapshot.iter().enumerate() {
            let entries = &self.entries;
            if let Some(i) = self.hints.find(pos, |i| {
                entries
                    .get(i)
                    .is_some_and(|e| Arc::ptr_eq(&e.obj, obj) && e.deleted_at.is_none())
            }) {
                seen[i] = true;
                self.hints.record(i);
                continue;
            }
            // Cluster-scoped keys are the name: look them up without allocating.
            let meta = obj.meta();
            let found = match (&meta.namespace, &meta.name) {
                (None, Some(name)) => self.by_key.get(name.as_str()).copied(),
                _ => self.by_key.get(&key_of(obj.as_ref())).copied(),
            };
            let rv = meta.resource_version.as_deref();
            match found {
                Some(i) => {
                    seen[i] = true;
                    self.hints.record(i);
                    let e = &mut self.entries[i];
                    // The store hands out the same Arc until the object changes.
                    let same =
                        Arc::ptr_eq(&e.obj, obj) || e.obj.meta().resource_version.as_deref() == rv;
                    if same && e.deleted_at.is_none() {
                        continue;
                    }
                    let row = R::from_obj(obj);
                    // A new version that shows the same (a heartbeat) neither flashes nor
                    // moves; the filter may read labels, so those must be equal too.
                    if e.deleted_at.is_none()
                        && row == e.row
                        && e.obj.meta().labels == obj.meta().labels
                    {
                        e.obj = obj.clone();
                        // Details of the selected row read the object.
                        selected_touched |= selected == Some(i);
                        continue;
                    }
                    e.row = row;
                    e.obj = obj.clone();
                    e.flash = flash.then_some((
                        if e.deleted_at.is_some() {
                            Flash::Added
                        } else {
                            Flash::Changed
                        },
                        now,
                    ));
                    e.deleted_at = None;
                    changed = true;
                    dirty.push(i);
                    if flash {
                        self.next_due = earliest(self.next_due, now + FLASH);
                    }
                }
                None => {
                    let key = key_of(obj.as_ref());
                    dirty.push(self.entries.len());
                    self.hints.record(self.entries.len());
                    self.by_key.insert(key.clone(), self.entries.len());
                    self.entries.push(Entry {
                        key,
                        row: R::from_obj(obj),
                        obj: obj.clone(),
                        flash: flash.then_some((Flash::Added, now)),
                        deleted_at: None,
                    });
                    seen.push(true);
                    changed = true;
                    if flash {
                        self.next_due = earliest(self.next_due, now + FLASH);
                    }
                }
            }
        }
        for (e, was_seen) in self.entries.iter_mut().zip(&seen) {
            if !was_seen && e.deleted_at.is_none() {
                e.deleted_at = Some(now);
                e.flash = Some((Flash::Deleted, now));
                changed = true;
                self.next_due = earliest(self.next_due, now + LINGER);
            }
        }
        self.seen = seen;
        // Taken before rows go: removals shift the indexes the selection is held by.
        let selected_key = self.selected_entry().map(|e| e.key.clone());
        let before = self.entries.len();
        if !flash {
            // Nothing lingers from before the first snapshot.
            self.entries.retain(|e| e.deleted_at.is_none());
        }
        let (expired, removed) = self.expire_due(now);
        let removed = removed || before != self.entries.len();
        // A few changed rows move to their new places; a row marked deleted keeps its place (it
        // lingers, and neither filter nor order read that mark). Removed rows shift every
        // entry's index, and many changed rows are cheaper to sort afresh.
        if removed || !flash || dirty.len() > REPOSITION_MAX.max(self.entries.len() / 64) {
            self.rebuild_keeping(selected_key);
        } else if !dirty.is_empty() {
            self.reposition(&dirty);
        }
        let window_after = self.window();
        self.shown = selected_touched
            || ((changed || expired)
                && match (window_before, window_after) {
                    (Some(b), Some(a)) => {
                        removed
                            || b != a
                            || visible_before != self.visible.len()
                            || a.iter().any(|(i, _, _)| dirty.contains(i))
                    }
                    _ => true,
                });
        self.dirty = dirty;
        changed || expired || selected_touched
    }

    /// Whether the last `sync` or `tick` changed what the last rendered viewport shows: its
    /// rows, their order or flashes, or how many rows pass the filter. Panes whose other parts
    /// do not move need no frame otherwise (5,000 churning nodes change rows off screen every
    /// catch-up).
    pub fn shown_changed(&self) -> bool {
        self.shown
    }

    /// The viewport's rows as of now, `None` before the first render.
    fn window(&self) -> Option<Vec<WindowRow>> {
        let height = self.viewport.get();
        if height == 0 {
            return None;
        }
        let offset = (self.selected + 1).saturating_sub(height);
        Some(
            self.visible
                .iter()
                .skip(offset)
                .take(height)
                .map(|&i| {
                    let e = &self.entries[i];
                    (i, e.flash.map(|f| f.0), e.deleted_at.is_some())
                })
                .collect(),
        )
    }

    /// Drop flashes and lingering rows that are over. Returns whether anything changed.
    pub fn tick(&mut self, now: Instant) -> bool {
        if self.next_due.is_none_or(|due| now < due) {
            self.shown = false;
            return false;
        }
        let selected_key = self.selected_entry().map(|e| e.key.clone());
        let window_before = self.window();
        let (changed, removed) = self.expire_due(now);
        // An ended flash changes a row's colour, not the order: re-filter and re-sort only when a
        // row went.
        if removed {
            self.rebuild_keeping(selected_key);
        }
        self.shown =
            changed && (removed || window_before.is_none() || window_before != self.window());
        changed
    }

    /// Ends the flashes and lingering rows that are over. Returns whether anything changed and
    /// whether rows went (the index then needs a rebuild).
    fn expire_due(&mut self, now: Instant) -> (bool, bool) {
        if self.next_due.is_none_or(|due| now < due) {
            return (false, false);
        }
        let before = self.entries.len();
        self.entries
            .retain(|e| e.deleted_at.is_none_or(|t| now.duration_since(t) < LINGER));
        let removed = before != self.entries.len();
        let mut changed = removed;
        let mut next_due = None;
        for e in &mut self.entries {
            if let Some(t) = e.deleted_at {
                next_due = earliest(next_due, t + LINGER);
            } else if let Some((_, t)) = e.flash {
                if now.duration_since(t) >= FLASH {
                    e.flash = None;
                    changed = true;
                } else {
                    next_due = earliest(next_due, t + FLASH);
                }
            }
        }
        self.next_due = next_due;
        (changed, removed)
    }

    /// Whether any flash or lingering row is still on (the loop ticks faster while so).
    pub fn animating(&self) -> bool {
        self.next_due.is_some()
    }

    fn rebuild(&mut self) {
        let selected_key = self.selected_entry().map(|e| e.key.clone());
        self.rebuild_keeping(selected_key);
    }

    /// Re-filter and re-sort every row, keeping the row of `selected_key` selected.
    fn rebuild_keeping(&mut self, selected_key: Option<String>) {
        // Indexes only move when entries are removed (additions keep the index up to date).
        if self.by_key.len() != self.entries.len() {
            self.by_key = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
        }
        let entries = &self.entries;
        // Refill the index in place: no new allocation per sync.
        let mut visible = std::mem::take(&mut self.visible);
        visible.clear();
        visible.extend((0..entries.len()).filter(|i| {
            let e = &entries[*i];
            e.row.matches(&e.obj, &self.filter)
        }));
        let sort = self.sort;
        // Unstable sort with the entry index as the last key: the order of a stable sort, without
        // the stable sort's scratch allocation.
        visible.sort_unstable_by(|a, b| {
            let o = R::compare(&entries[*a].row, &entries[*b].row, sort.col);
            if sort.descending { o.reverse() } else { o }.then(a.cmp(b))
        });
        self.visible = visible;
        if let Some(k) = selected_key
            && let Some(pos) = self.visible.iter().position(|i| self.entries[*i].key == k)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// The order of the index: the pane's column order, then the entry index (the order of a
    /// stable sort).
    fn order(&self, a: usize, b: usize) -> Ordering {
        let o = R::compare(&self.entries[a].row, &self.entries[b].row, self.sort.col);
        if self.sort.descending { o.reverse() } else { o }.then(a.cmp(&b))
    }

    /// Moves the rows of `dirty` entries to where they now sort (and in or out of the filter),
    /// leaving the others in place: a few rows changing in a table of thousands re-sorted all of
    /// them, which was most of an idle Nodes pane's CPU with the cluster churning.
    fn reposition(&mut self, dirty: &[usize]) {
        let selected = self.visible.get(self.selected).copied();
        let mut mark = std::mem::take(&mut self.seen);
        mark.clear();
        mark.resize(self.entries.len(), false);
        for &i in dirty {
            mark[i] = true;
        }
        let mut visible = std::mem::take(&mut self.visible);
        visible.retain(|i| !mark[*i]);
        for &i in dirty {
            let e = &self.entries[i];
            if e.row.matches(&e.obj, &self.filter) {
                let at = visible.partition_point(|&j| self.order(j, i) == Ordering::Less);
                visible.insert(at, i);
            }
        }
        self.visible = visible;
        self.seen = mark;
        if let Some(s) = selected
            && let Some(pos) = self.visible.iter().position(|i| *i == s)
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter = Filter::parse(text);
        self.selected = 0;
        self.rebuild();
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Sort by `col`; sorting by the current column again flips the direction.
    pub fn sort_by(&mut self, col: usize) {
        if self.sort.col == col {
            self.sort.descending = !self.sort.descending;
        } else {
            self.sort = Sort {
                col,
                descending: false,
            };
        }
        self.rebuild();
    }

    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Number of rows passing the filter.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// All entries, lingering deleted ones included (for summaries use `live_rows`).
    pub fn live_rows(&self) -> impl Iterator<Item = &R> {
        self.entries
            .iter()
            .filter(|e| e.deleted_at.is_none())
            .map(|e| &e.row)
    }

    /// The `n`-th visible entry in display order.
    pub fn visible(&self, n: usize) -> Option<&Entry<R>> {
        self.visible.get(n).and_then(|i| self.entries.get(*i))
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_entry(&self) -> Option<&Entry<R>> {
        self.visible(self.selected)
    }

    /// Entry by key (name, or namespace/name).
    pub fn get(&self, key: &str) -> Option<&Entry<R>> {
        self.by_key.get(key).and_then(|i| self.entries.get(*i))
    }

    /// Select the row of `key` if it passes the filter; whether it does.
    pub fn select_key(&mut self, key: &str) -> bool {
        let entries = &self.entries;
        match self.visible.iter().position(|i| entries[*i].key == key) {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }

    /// Move the selection by `delta`, clamped.
    pub fn move_by(&mut self, delta: i64) {
        let max = self.visible.len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, max.max(0)) as usize;
    }

    pub fn select(&mut self, n: usize) {
        self.selected = n.min(self.visible.len().saturating_sub(1));
    }

    /// Navigation, sorting and clicks, for a table whose rows are drawn in `rows` and whose
    /// column `i` sorts with Shift+`sort_keys[i]`. Returns whether anything changed.
    pub fn handle(&mut self, action: &Action, rows: Rect, sort_keys: &[char]) -> bool {
        let page = i64::from(rows.height.max(1));
        match action {
            Action::Move(d) => self.move_by(i64::from(*d)),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.select(0),
            Action::Bottom => self.select(usize::MAX),
            Action::SortBy(c) => match sort_keys.iter().position(|k| k == c) {
                Some(i) => self.sort_by(i),
                None => return false,
            },
            Action::SortNext => self.sort_by((self.sort.col + 1) % sort_keys.len().max(1)),
            Action::ClickRow(y) => {
                if *y < rows.y || *y >= rows.y + rows.height {
                    return false;
                }
                let offset = self.offset(usize::from(rows.height));
                self.select(offset + usize::from(*y - rows.y));
            }
            _ => return false,
        }
        true
    }

    /// First visible row for a viewport of `height` rows that keeps the selection in view.
    pub fn offset(&self, height: usize) -> usize {
        // Rendering asks this: remember the viewport for `shown_changed`.
        self.viewport.set(height);
        if height == 0 {
            return 0;
        }
        (self.selected + 1).saturating_sub(height)
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
