//! The CSR pane's view model: store snapshots -> validations (on store change only, with a
//! decode cache) -> rows (history filter, text filter, sort) -> the selection. Pure apart from
//! the snapshots it is handed; ages and countdowns are redrawn from the render clock.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash, Hasher};

// 20,000 CSRs: SipHash over their names was a visible share of a sync.
use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;

use crate::csr::approval::{AutoApprovePolicy, PendingLimit, auto_approve};
use crate::csr::checks::{Inputs, NodeLookup, Validation, validate_decoded};
use crate::csr::decode::DecodeCache;
use crate::csr::machines::MachineIndex;
use crate::csr::name;
use crate::csr::prevalidate::Prevalidated;
use crate::csr::rows::{CsrRow, HistoryFilter};
use crate::csr::state::{CsrState, csr_state};
use crate::panes::filter::Filter;
use crate::watch::fleet::FleetMachine as Machine;

/// Columns: header and Shift+letter sort key (`A` and `J` are pane keys, so AGE sorts with `G`).
pub const COLUMNS: [(&str, char); 8] = [
    ("NAME", 'N'),
    ("AGE", 'G'),
    ("KIND", 'K'),
    ("REQUESTOR", 'R'),
    ("NODE", 'O'),
    ("CONDITION", 'C'),
    ("CHECK", 'H'),
    ("DEADLINE", 'E'),
];

/// Nodes by name, sharing the store's objects.
pub struct NodeIndex(pub std::collections::HashMap<String, Arc<Node>>);

impl NodeLookup for NodeIndex {
    fn node(&self, name: &str) -> Option<&Node> {
        self.0.get(name).map(Arc::as_ref)
    }
}

fn fingerprint<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    for (n, rv) in items {
        n.hash(&mut h);
        rv.hash(&mut h);
    }
    h.finish()
}

/// The inputs of one validation: the CSR's, its node's and the Machines' versions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ValDeps {
    /// [`MachineIndex::stamp_for`] the CSR's node (`None` without Machines): a Machine change
    /// re-validates only the CSRs whose node it concerns.
    machines: Option<u64>,
    csr_uid: Option<String>,
    csr_rv: Option<String>,
    /// The resourceVersion of the Node the CSR names (empty if it has none); `None` while no such
    /// Node exists. Validations do not read the clock (deadlines are the rows'), so time alone
    /// never invalidates one.
    node_rv: Option<String>,
    /// Approved, denied or failed: its row keeps a summary (see `Validation::into_row_summary`) made when
    /// the CSR last changed, and Node or Machine changes do not redo it.
    decided: bool,
}

/// One CSR with what is derived from it.
struct Entry {
    csr: Arc<CertificateSigningRequest>,
    /// The last `apply` that found it in the store (what none found was deleted).
    seen: u64,
    val: Validation,
    /// What `val` read besides the CSR: re-validated only when it moved.
    deps: ValDeps,
    row: CsrRow,
}

/// Everything derived from the stores, recomputed only for what changed: with 20,000 CSRs a
/// catch-up costs the CSRs, Nodes and Machines that moved, not a pass that rebuilds every row.
#[derive(Default)]
pub struct CsrModel {
    /// CSRs by slot. A slot keeps its CSR until it is deleted (then it is reused), so `order`
    /// and `visible` stay valid while others come and go.
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// Name -> slot.
    index: HashMap<String, usize>,
    /// How many CSRs name each node (for the joining view's Nodes).
    named: HashMap<String, usize>,
    /// Nodes named by some CSR (for the joining view).
    pub nodes: Vec<Arc<Node>>,
    /// `Some(false)` once the Machine API is known to be absent.
    pub machines_installed: Option<bool>,
    /// The Machines the validations read, rebuilt when they change (`None`: no Machine API, or
    /// not known yet and none seen).
    machine_index: Option<MachineIndex>,
    cache: DecodeCache,
    /// Validations made ahead of the pane (the watch layer fills it once the lists are in).
    prevalidated: Option<Arc<Prevalidated>>,
    /// Fingerprints of the Nodes and of the Machines the last `apply` saw.
    stamps: Option<(u64, u64)>,
    /// Counts `apply` calls, for `Entry::seen`.
    generation: u64,
    /// The slot each position of the last CSR snapshot matched: the store's order is stable,
    /// so an unchanged CSR is found by one pointer comparison instead of hashing its name
    /// (20,000 lookups per catch-up otherwise).
    hints: crate::panes::hints::Hints,
    /// Whether the last `apply` changed only the Nodes the joining view reads.
    nodes_only: bool,
    /// Slots in the default order: pending first, newest first, then by name.
    order: Vec<usize>,
    /// Slots shown with the current history filter, text filter and sort.
    visible: Vec<usize>,
    pub history: HistoryFilter,
    pub filter: Filter,
    /// Column and direction; `None` is the default order.
    pub sort: Option<(usize, bool)>,
    pub selected: usize,
    // Auto-approval bookkeeping.
    /// Names seen in a complete list (arrivals are names not in here).
    known: HashSet<String>,
    /// Whether the CSR list is complete (before that nothing counts as an arrival).
    pub live: bool,
    /// The list just became complete: the next `apply` takes every CSR as known.
    prime: bool,
    pub auto: bool,
    /// cluster-machine-approver's pending-CSR brake, counted on every store change.
    pub limit: PendingLimit,
    /// Pending CSRs that arrived while auto-approval was on.
    auto_candidates: HashSet<String>,
    auto_submitted: HashSet<String>,
}

/// Above this share of moved rows, `order` is sorted afresh rather than patched row by row.
const PATCH_SHARE: usize = 64;

/// The default order: pending first, newest first, then by name.
fn default_cmp(a: &CsrRow, b: &CsrRow) -> Ordering {
    (a.state != CsrState::Pending)
        .cmp(&(b.state != CsrState::Pending))
        .then_with(|| b.created.cmp(&a.created))
        .then_with(|| a.name.cmp(&b.name))
}

impl CsrModel {
    pub fn new() -> Self {
        CsrModel {
            history: HistoryFilter::PendingOnly,
            ..Default::default()
        }
    }

    /// Take requests decoded ahead of time from `p` (the watch layer fills it once the CSR list
    /// is complete).
    pub fn use_predecoded(&mut self, p: Arc<crate::csr::decode::Predecoded>) {
        self.cache.use_predecoded(p);
    }

    /// Take validations made ahead of time from `p`, while what they read still holds.
    pub fn use_prevalidated(&mut self, p: Arc<Prevalidated>) {
        self.prevalidated = Some(p);
    }

    fn entry(&self, slot: usize) -> Option<&Entry> {
        self.entries.get(slot).and_then(Option::as_ref)
    }

    fn live_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().flatten()
    }

    /// Whether the next `apply` must see the CSRs (the first complete list is not in yet).
    pub fn priming(&self) -> bool {
        self.prime || self.index.is_empty()
    }

    /// Catch up with the stores. Returns whether anything changed.
    pub fn apply(
        &mut self,
        csrs: Vec<Arc<CertificateSigningRequest>>,
        nodes: &[Arc<Node>],
        machines: &[Arc<Machine>],
        now: Timestamp,
    ) -> bool {
        self.catch_up(Some(csrs), nodes, machines, now)
    }

    /// [`CsrModel::apply`] when no CSR changed since the last one (only Nodes or Machines
    /// moved): the CSRs are not looked at, only the pending ones that read what moved.
    pub fn apply_deps(
        &mut self,
        nodes: &[Arc<Node>],
        machines: &[Arc<Machine>],
        now: Timestamp,
    ) -> bool {
        self.catch_up(None, nodes, machines, now)
    }

    /// Whether the last `apply` changed only the Nodes the joining view reads (the table
    /// shows nothing of them).
    pub fn only_nodes_changed(&self) -> bool {
        self.nodes_only
    }

    fn catch_up(
        &mut self,
        csrs: Option<Vec<Arc<CertificateSigningRequest>>>,
        nodes: &[Arc<Node>],
        machines: &[Arc<Machine>],
        now: Timestamp,
    ) -> bool {
        self.nodes_only = false;
        let machines_stamp = fingerprint(
            machines
                .iter()
                .map(|m| {
                    (
                        m.metadata.name.as_deref().unwrap_or_default(),
                        m.metadata.resource_version.as_deref(),
                    )
                })
                .chain(std::iter::once((
                    "",
                    self.machines_installed.map(|b| if b { "m" } else { "-" }),
                ))),
        );
        let nodes_stamp = fingerprint(nodes.iter().map(|n| {
            (
                n.metadata.name.as_deref().unwrap_or_default(),
                n.metadata.resource_version.as_deref(),
            )
        }));
        let previous = self.stamps.replace((nodes_stamp, machines_stamp));
        let machines_moved = previous.is_none_or(|(_, m)| m != machines_stamp);
        // Nodes only matter to the validations: with no CSRs they change nothing.
        let nodes_moved = previous.is_none_or(|(n, _)| n != nodes_stamp) && !self.index.is_empty();

        // Which CSRs changed: the store hands out the same `Arc` for an object it did not
        // replace; after a re-list (every `Arc` new) the uid and resourceVersion decide.
        self.generation += 1;
        let generation = self.generation;
        let mut changed: Vec<Arc<CertificateSigningRequest>> = Vec::new();
        let mut found = 0usize;
        // Without CSRs (none changed) every entry stays as it is.
        let look = csrs.is_some() || self.prime;
        let csrs = csrs.unwrap_or_default();
        if look {
            self.hints.begin(csrs.len());
        }
        for (pos, c) in csrs.into_iter().enumerate() {
            let entries = &self.entries;
            if let Some(s) = self.hints.find(pos, |s| {
                entries
                    .get(s)
                    .and_then(Option::as_ref)
                    .is_some_and(|e| Arc::ptr_eq(&e.csr, &c) && e.seen != generation)
            }) && let Some(Some(e)) = self.entries.get_mut(s)
            {
                e.seen = generation;
                found += 1;
                self.hints.record(s);
                continue;
            }
            let Some((s, e)) = self.index.get(name(&c)).and_then(|s| {
                self.entries
                    .get_mut(*s)
                    .and_then(Option::as_mut)
                    .map(|e| (*s, e))
            }) else {
                // A new CSR: its slot is not known yet (the next catch-up looks it up).
                self.hints.record(usize::MAX);
                changed.push(c);
                continue;
            };
            self.hints.record(s);
            found += 1;
            e.seen = generation;
            if Arc::ptr_eq(&e.csr, &c) {
                continue;
            }
            // Objects made by hand may have no resourceVersion: like any list, the same uid
            // and version are the same object.
            if e.deps.csr_uid == c.metadata.uid && e.deps.csr_rv == c.metadata.resource_version {
                e.csr = c;
            } else {
                changed.push(c);
            }
        }
        // Names the store no longer has (a pass over the slots only when some went).
        let deleted: Vec<usize> = if !look || found == self.index.len() {
            Vec::new()
        } else {
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.as_ref().is_some_and(|e| e.seen != generation))
                .map(|(s, _)| s)
                .collect()
        };
        if changed.is_empty()
            && deleted.is_empty()
            && !nodes_moved
            && !machines_moved
            && !self.prime
        {
            return false;
        }

        if machines_moved {
            self.machine_index = match self.machines_installed {
                Some(false) => None,
                // Unknown yet: machines in the store prove the API exists; none means we cannot
                // tell.
                None if machines.is_empty() => None,
                _ => Some(MachineIndex::new(
                    machines.iter().map(|m| m.to_value()).collect(),
                )),
            };
        }
        let node_index: HashMap<&str, &Node> = nodes
            .iter()
            .filter_map(|n| Some((n.metadata.name.as_deref()?, n.as_ref())))
            .collect();
        let mut moved: HashSet<usize> = HashSet::default();
        for s in &deleted {
            if let Some(e) = self.entries.get_mut(*s).and_then(Option::take) {
                self.index.remove(name(&e.csr));
                self.cache.forget(&e.csr);
                unname(&mut self.named, e.val.node.as_deref());
                self.free.push(*s);
                moved.insert(*s);
            }
        }
        let arrived: Vec<String> = changed
            .iter()
            .filter(|c| !self.index.contains_key(name(c)))
            .map(|c| name(c).to_string())
            .collect();
        let new_count = arrived.len().saturating_sub(self.free.len());
        for c in changed {
            let slot = match self.index.get(name(&c)) {
                Some(s) => *s,
                None => {
                    let s = match self.free.pop() {
                        Some(s) => s,
                        None => {
                            // Grow by an eighth, not double: 20,000 entries of ~450 B each
                            // would otherwise reserve 9 MB for the next arrival.
                            if self.entries.len() == self.entries.capacity() {
                                let more = (self.entries.len() / 8).max(64);
                                self.entries.reserve_exact(more.max(new_count));
                            }
                            self.entries.push(None);
                            self.entries.len() - 1
                        }
                    };
                    self.index.insert(name(&c).to_string(), s);
                    s
                }
            };
            if let Some(old) = self.entries.get_mut(slot).and_then(Option::take) {
                unname(&mut self.named, old.val.node.as_deref());
                if old.csr.metadata.uid != c.metadata.uid {
                    self.cache.forget(&old.csr);
                }
            }
            let e = self.validate(c, &node_index, generation, now);
            if let Some(n) = &e.val.node {
                *self.named.entry(n.clone()).or_default() += 1;
            }
            if let Some(place) = self.entries.get_mut(slot) {
                *place = Some(e);
            }
            moved.insert(slot);
        }
        // Pending CSRs whose Node or nearby Machines moved are validated again; decided ones
        // keep their summary. Pending ones lead the default order: no pass over 20,000 slots.
        if nodes_moved || machines_moved {
            let machine_index = self.machine_index.as_ref();
            let entries = &self.entries;
            // Slots re-derived or emptied above sit where their old rows sorted: skip them.
            let stale: Vec<usize> = self
                .order
                .iter()
                .filter(|s| !moved.contains(s))
                .filter_map(|&s| Some((s, entries.get(s)?.as_ref()?)))
                .take_while(|(_, e)| e.row.state == CsrState::Pending)
                .filter(|(_, e)| {
                    let node = e.val.node.as_deref();
                    !e.deps.decided
                        && (e.deps.node_rv.as_deref() != node_rv(&node_index, node)
                            || (machines_moved
                                && e.deps.machines != machine_index.map(|ix| ix.stamp_for(node))))
                })
                .map(|(s, _)| s)
                .collect();
            for s in stale {
                if let Some(old) = self.entries.get_mut(s).and_then(Option::take) {
                    let e = self.validate(old.csr, &node_index, generation, now);
                    if let Some(place) = self.entries.get_mut(s) {
                        *place = Some(e);
                    }
                    moved.insert(s);
                }
            }
        }
        let before = std::mem::take(&mut self.nodes);
        self.nodes = nodes
            .iter()
            .filter(|n| {
                n.metadata
                    .name
                    .as_deref()
                    .is_some_and(|x| self.named.contains_key(x))
            })
            .cloned()
            .collect();
        let nodes_changed = before.len() != self.nodes.len()
            || before
                .iter()
                .zip(&self.nodes)
                .any(|(a, b)| !Arc::ptr_eq(a, b));
        drop(before);
        self.track_arrivals(arrived);
        self.reorder(&moved);
        let limit = self.limit;
        self.limit = PendingLimit::count(
            self.pending_slots().map(|e| (e.csr.as_ref(), &e.val)),
            machines.len(),
            nodes.len(),
            now,
        );
        if moved.is_empty() && deleted.is_empty() {
            // Nothing re-derived: the rows stand; the joining view reads the Nodes.
            self.nodes_only = nodes_changed && limit == self.limit;
            return nodes_changed || limit != self.limit;
        }
        self.rebuild_rows();
        true
    }

    /// Pending entries: the head of the default order.
    fn pending_slots(&self) -> impl Iterator<Item = &Entry> {
        self.order
            .iter()
            .filter_map(|&s| self.entries.get(s)?.as_ref())
            .take_while(|e| e.row.state == CsrState::Pending)
    }

    /// `csr`'s entry: its validation made ahead while what that read still holds, else made
    /// now (decoding once).
    fn validate(
        &mut self,
        csr: Arc<CertificateSigningRequest>,
        nodes: &HashMap<&str, &Node>,
        generation: u64,
        now: Timestamp,
    ) -> Entry {
        let decided = csr_state(&csr) != CsrState::Pending;
        let machine_index = self.machine_index.as_ref();
        let machine_dep = |node: Option<&str>| machine_index.map(|ix| ix.stamp_for(node));
        let ahead = self.prevalidated.as_ref().and_then(|p| {
            let p = p.take(&csr)?;
            let node = p.validation.node.as_deref();
            (decided
                || (p.node_rv.as_deref() == node_rv(nodes, node)
                    && p.machines == machine_dep(node)))
            .then_some(p.validation)
        });
        let val = match ahead {
            Some(v) => v,
            None => {
                let inputs = Inputs {
                    nodes,
                    machines: machine_index,
                    now,
                };
                validate_decoded(&csr, self.cache.get(&csr), &inputs)
            }
        };
        let val = if decided {
            self.cache.forget(&csr);
            val.into_row_summary()
        } else {
            val
        };
        let node = val.node.as_deref();
        let deps = ValDeps {
            decided,
            csr_uid: csr.metadata.uid.clone(),
            csr_rv: csr.metadata.resource_version.clone(),
            node_rv: node_rv(nodes, node).map(str::to_string),
            machines: machine_dep(node),
        };
        let row = CsrRow::new(&csr, &val, now);
        Entry {
            csr,
            seen: generation,
            val,
            deps,
            row,
        }
    }

    fn track_arrivals(&mut self, arrived: Vec<String>) {
        if self.prime {
            // The store holds the complete list now: none of it is arriving.
            self.known = self.index.keys().cloned().collect();
            self.prime = false;
            return;
        }
        if !self.live {
            return;
        }
        for n in arrived {
            if self.known.insert(n.clone())
                && self.auto
                && self
                    .get(&n)
                    .is_some_and(|(c, _)| csr_state(c) == CsrState::Pending)
            {
                self.auto_candidates.insert(n);
            }
        }
    }

    /// Puts the `moved` slots (changed, new or deleted) in their place in the default order:
    /// one by one when they are few, by sorting afresh otherwise.
    fn reorder(&mut self, moved: &HashSet<usize>) {
        if moved.is_empty() {
            return;
        }
        let entries = &self.entries;
        let row = |s: usize| entries.get(s).and_then(Option::as_ref).map(|e| &e.row);
        let cmp = |a: usize, b: usize| match (row(a), row(b)) {
            (Some(a), Some(b)) => default_cmp(a, b),
            _ => Ordering::Equal,
        };
        if moved.len() * PATCH_SHARE > self.order.len() {
            let mut order: Vec<usize> = (0..entries.len()).filter(|s| row(*s).is_some()).collect();
            order.sort_unstable_by(|a, b| cmp(*a, *b));
            self.order = order;
            return;
        }
        self.order.retain(|s| !moved.contains(s));
        for s in moved {
            if row(*s).is_some() {
                let at = self
                    .order
                    .partition_point(|x| cmp(*x, *s) == Ordering::Less);
                self.order.insert(at, *s);
            }
        }
    }

    /// Which rows show, in which order (after a store, filter, history or sort change). Rows
    /// themselves are only rebuilt for CSRs that changed; ages and countdowns are drawn from the
    /// render clock.
    pub fn rebuild_rows(&mut self) {
        let selected = self.selected_row().map(|r| r.name.clone());
        let entries = &self.entries;
        let row = |s: &usize| entries.get(*s).and_then(Option::as_ref).map(|e| &e.row);
        let no_labels = BTreeMap::new();
        let pending_only = self.history == HistoryFilter::PendingOnly;
        // Pending rows come first in the default order: the pending view is its head.
        let mut visible: Vec<usize> = self
            .order
            .iter()
            .take_while(|s| !pending_only || row(s).is_some_and(|r| r.state == CsrState::Pending))
            .copied()
            .filter(|s| {
                self.filter.is_empty()
                    || row(s).is_some_and(|r| {
                        self.filter.matches(
                            &format!("{} {} {} {}", r.name, r.node, r.requestor, r.kind.short()),
                            &no_labels,
                        )
                    })
            })
            .collect();
        if let Some((col, desc)) = self.sort {
            visible.sort_by(|a, b| {
                let o = match (row(a), row(b)) {
                    (Some(a), Some(b)) => compare(a, b, col),
                    _ => Ordering::Equal,
                };
                if desc { o.reverse() } else { o }
            });
        }
        self.visible = visible;
        self.selected = selected
            .and_then(|n| {
                self.visible
                    .iter()
                    .position(|s| row(s).is_some_and(|r| r.name == n))
            })
            .unwrap_or(self.selected)
            .min(self.visible.len().saturating_sub(1));
    }

    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    pub fn row(&self, n: usize) -> Option<&CsrRow> {
        self.visible
            .get(n)
            .and_then(|s| self.entry(*s))
            .map(|e| &e.row)
    }

    /// Visible rows in display order.
    pub fn rows(&self) -> impl Iterator<Item = &CsrRow> {
        self.visible
            .iter()
            .filter_map(|s| self.entry(*s))
            .map(|e| &e.row)
    }

    pub fn selected_row(&self) -> Option<&CsrRow> {
        self.row(self.selected)
    }

    pub fn pending_count(&self) -> usize {
        self.live_entries()
            .filter(|e| e.row.state == CsrState::Pending)
            .count()
    }

    pub fn total(&self) -> usize {
        self.index.len()
    }

    /// The CSR and its validation by name.
    pub fn get(&self, name: &str) -> Option<(&Arc<CertificateSigningRequest>, &Validation)> {
        let e = self.entry(*self.index.get(name)?)?;
        Some((&e.csr, &e.val))
    }

    /// Every check of `csr` as of now: the validation of a decided CSR is kept as a summary
    /// (see `Validation::into_row_summary`), so its details view validates afresh (one decode).
    pub fn validate_now(&self, csr: &CertificateSigningRequest, now: Timestamp) -> Validation {
        let decoded = crate::csr::decode::decode_csr(csr);
        let username = csr.spec.username.as_deref().unwrap_or_default();
        let node = decoded
            .as_ref()
            .ok()
            .and_then(|d| d.common_name())
            .and_then(crate::csr::node_name_from)
            .or_else(|| crate::csr::node_name_from(username));
        let index: HashMap<&str, &Node> = self
            .nodes
            .iter()
            .filter_map(|n| Some((n.metadata.name.as_deref()?, n.as_ref())))
            .filter(|(n, _)| Some(*n) == node)
            .collect();
        let inputs = Inputs {
            nodes: &index,
            machines: self.machine_index.as_ref(),
            now,
        };
        validate_decoded(csr, &decoded, &inputs)
    }

    /// Every CSR with its validation.
    pub fn pairs(&self) -> impl Iterator<Item = (&CertificateSigningRequest, &Validation)> {
        self.live_entries().map(|e| (e.csr.as_ref(), &e.val))
    }

    pub fn decoded(
        &mut self,
        csr: &CertificateSigningRequest,
    ) -> Result<crate::csr::decode::DecodedRequest, crate::csr::decode::DecodeError> {
        self.cache.get(csr).clone()
    }

    pub fn move_by(&mut self, delta: i64) {
        let max = self.visible.len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, max.max(0)) as usize;
    }

    pub fn select(&mut self, n: usize) {
        self.selected = n.min(self.visible.len().saturating_sub(1));
    }

    /// First visible row for a viewport of `height` rows that keeps the selection in view.
    pub fn offset(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        (self.selected + 1).saturating_sub(height)
    }

    /// Turn auto-approval on or off. Only CSRs arriving while it is on are considered.
    pub fn set_auto(&mut self, on: bool) {
        self.auto = on;
        if !on {
            self.auto_candidates.clear();
        }
    }

    /// The CSR list is complete (or no longer): arrivals count from the next `apply` on, which
    /// takes the then complete store as already known.
    pub fn set_live(&mut self, live: bool) {
        if live && !self.live {
            self.prime = true;
        }
        self.live = live;
    }

    /// Arrived-while-on CSRs that now pass every check and were not sent yet, client first.
    /// Marks them sent. Failing ones stay candidates (a Node may appear later); nothing failing
    /// is ever returned.
    pub fn take_auto_approvals(&mut self) -> Vec<String> {
        if !self.auto || self.auto_candidates.is_empty() {
            return Vec::new();
        }
        if self.limit.exceeded() {
            tracing::warn!(reason = %self.limit.reason(), "auto-approve holds every CSR");
            return Vec::new();
        }
        let pending: Vec<(&CertificateSigningRequest, &Validation)> = self
            .pairs()
            .filter(|(c, _)| {
                let n = name(c);
                self.auto_candidates.contains(n) && !self.auto_submitted.contains(n)
            })
            .collect();
        let decision = auto_approve(pending, AutoApprovePolicy::default());
        for (n, why) in &decision.held {
            tracing::debug!(csr = %n, reason = %why, "auto-approve holds");
        }
        let names: Vec<String> = decision.approve.into_iter().map(|i| i.name).collect();
        for n in &names {
            self.auto_submitted.insert(n.clone());
            self.auto_candidates.remove(n);
        }
        // Candidates no longer pending are done with.
        let still: HashSet<String> = self
            .auto_candidates
            .iter()
            .filter(|n| {
                self.get(n)
                    .is_some_and(|(c, _)| csr_state(c) == CsrState::Pending)
            })
            .cloned()
            .collect();
        self.auto_candidates = still;
        names
    }
}

/// The resourceVersion of node `n` (empty if it has none); `None` while no such Node exists.
fn node_rv<'a>(nodes: &HashMap<&str, &'a Node>, n: Option<&str>) -> Option<&'a str> {
    n.and_then(|n| nodes.get(n))
        .map(|n| n.metadata.resource_version.as_deref().unwrap_or_default())
}

/// One CSR fewer names `node`.
fn unname(named: &mut HashMap<String, usize>, node: Option<&str>) {
    let Some(node) = node else {
        return;
    };
    if let Some(n) = named.get_mut(node) {
        *n -= 1;
        if *n == 0 {
            named.remove(node);
        }
    }
}

/// Column comparison for Shift+letter sorting (ties: default order by name).
pub fn compare(a: &CsrRow, b: &CsrRow, col: usize) -> Ordering {
    let o = match col {
        0 => a.name.cmp(&b.name),
        // Older first for AGE ascending, like kubectl's sort by creation.
        1 | 7 => a.created.cmp(&b.created),
        2 => a.kind.short().cmp(&b.kind.short()),
        3 => a.requestor.cmp(&b.requestor),
        4 => a.node.cmp(&b.node),
        5 => a.condition.cmp(&b.condition),
        _ => a.check.cmp(&b.check),
    };
    o.then_with(|| a.name.cmp(&b.name))
}
