//! The CSR pane's view model: store snapshots -> validations (on store change only, with a
//! decode cache) -> rows (history filter, text filter, sort) -> the selection. Pure apart from
//! the snapshots it is handed; ages and countdowns are redrawn from the render clock.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash, Hasher};

// 20,000 CSRs: SipHash over their names was a visible share of a sync.
use foldhash::{HashMap, HashMapExt, HashSet};
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

/// Wall clock as the CSR core wants it: whole seconds.
pub fn to_ts(now: Timestamp) -> Timestamp {
    Timestamp::from_second(now.as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
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

/// Everything derived from the stores, recomputed only when they change.
#[derive(Default)]
pub struct CsrModel {
    /// CSRs sorted by name, with their validations (same index).
    pub csrs: Vec<Arc<CertificateSigningRequest>>,
    pub vals: Vec<Validation>,
    /// What each validation read besides its CSR (same index): re-validated only when it moved.
    deps: Vec<ValDeps>,
    index: HashMap<String, usize>,
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
    /// Fingerprints of what the last `apply` saw: CSRs and nodes, and the Machines (which every
    /// validation reads).
    stamp: Option<(u64, u64)>,
    /// One row per CSR (same index as `csrs`), rebuilt only for CSRs that changed.
    rows: Vec<CsrRow>,
    /// Indices into `rows` in the default order: pending first, newest first, then by name.
    order: Vec<usize>,
    /// Indices into `rows` shown with the current history filter, text filter and sort.
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

    /// Catch up with the stores. Returns whether anything changed.
    pub fn apply(
        &mut self,
        csrs: Vec<Arc<CertificateSigningRequest>>,
        nodes: &[Arc<Node>],
        machines: &[Arc<Machine>],
        now: Timestamp,
    ) -> bool {
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
        // Nodes only matter to the validations: with no CSRs they change nothing.
        let stamped_nodes = if csrs.is_empty() { &[][..] } else { nodes };
        let stamp = fingerprint(
            csrs.iter()
                .map(|c| (name(c), c.metadata.resource_version.as_deref()))
                .chain(stamped_nodes.iter().map(|n| {
                    (
                        n.metadata.name.as_deref().unwrap_or_default(),
                        n.metadata.resource_version.as_deref(),
                    )
                })),
        );
        let previous = self.stamp.replace((stamp, machines_stamp));
        if previous == Some((stamp, machines_stamp)) && !self.prime {
            return false;
        }
        let mut csrs = csrs;
        csrs.sort_unstable_by(|a, b| name(a).cmp(name(b)));
        // Only validations look nodes up: with no CSRs there is nothing to index.
        let index: HashMap<&str, &Node> = if csrs.is_empty() {
            HashMap::new()
        } else {
            nodes
                .iter()
                .filter_map(|n| Some((n.metadata.name.as_deref()?, n.as_ref())))
                .collect()
        };
        // Validations (and rows) of unchanged CSRs whose node and Machines did not move are kept:
        // with 20,000 CSRs one change re-validates one, not all.
        let machines_moved = previous.is_none_or(|(_, m)| m != machines_stamp);
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
        let machine_index = self.machine_index.take();
        let machine_dep = |node: Option<&str>| machine_index.as_ref().map(|ix| ix.stamp_for(node));
        let mut old: Vec<Option<(Validation, ValDeps, CsrRow)>> = {
            let vals = std::mem::take(&mut self.vals);
            let deps = std::mem::take(&mut self.deps);
            let rows = std::mem::take(&mut self.rows);
            vals.into_iter()
                .zip(deps)
                .zip(rows)
                .map(|((v, d), r)| Some((v, d, r)))
                .collect()
        };
        let node_rv = |n: Option<&str>| {
            n.and_then(|n| index.get(n))
                .map(|n| n.metadata.resource_version.as_deref().unwrap_or_default())
        };
        let mut vals = Vec::with_capacity(csrs.len());
        let mut deps = Vec::with_capacity(csrs.len());
        let mut rows = Vec::with_capacity(csrs.len());
        for c in &csrs {
            let decided = csr_state(c) != CsrState::Pending;
            // Without a resourceVersion nothing says the CSR is unchanged.
            let reuse = self
                .index
                .get(name(c))
                .and_then(|i| old.get_mut(*i))
                .and_then(Option::take)
                .filter(|(v, d, _)| {
                    d.csr_rv.is_some()
                        && d.csr_uid == c.metadata.uid
                        && d.csr_rv == c.metadata.resource_version
                        && (d.decided
                            || (d.node_rv.as_deref() == node_rv(v.node.as_deref())
                                && (!machines_moved
                                    || d.machines == machine_dep(v.node.as_deref()))))
                });
            let ahead = || {
                let p = self.prevalidated.as_ref()?.take(c)?;
                let node = p.validation.node.as_deref();
                (decided
                    || (p.node_rv.as_deref() == node_rv(node) && p.machines == machine_dep(node)))
                .then_some(p.validation)
            };
            let (v, d, r) = match reuse {
                Some(vdr) => vdr,
                None => {
                    let inputs = Inputs {
                        nodes: &index,
                        machines: machine_index.as_ref(),
                        now,
                    };
                    let v = match ahead() {
                        Some(v) => v,
                        None => validate_decoded(c, self.cache.get(c), &inputs),
                    };
                    let v = if decided {
                        self.cache.forget(c);
                        v.into_row_summary()
                    } else {
                        v
                    };
                    let d = ValDeps {
                        decided,
                        csr_uid: c.metadata.uid.clone(),
                        csr_rv: c.metadata.resource_version.clone(),
                        node_rv: node_rv(v.node.as_deref()).map(str::to_string),
                        machines: machine_dep(v.node.as_deref()),
                    };
                    let r = CsrRow::new(c, &v, now);
                    (v, d, r)
                }
            };
            vals.push(v);
            deps.push(d);
            rows.push(r);
        }
        // The same names in the same order (the usual case: a CSR changed): the index and the
        // decode cache stay as they are.
        let same_names = csrs.len() == self.csrs.len()
            && csrs
                .iter()
                .zip(&self.csrs)
                .all(|(a, b)| name(a) == name(b) && a.metadata.uid == b.metadata.uid);
        if !same_names {
            self.cache.retain_live(&csrs);
            self.index = csrs
                .iter()
                .enumerate()
                .map(|(i, c)| (name(c).to_string(), i))
                .collect();
        }
        self.machine_index = machine_index;
        self.vals = vals;
        self.deps = deps;
        self.rows = rows;
        let wanted: HashSet<&str> = self.vals.iter().filter_map(|v| v.node.as_deref()).collect();
        self.nodes = nodes
            .iter()
            .filter(|n| {
                n.metadata
                    .name
                    .as_deref()
                    .is_some_and(|x| wanted.contains(x))
            })
            .cloned()
            .collect();
        self.csrs = csrs;
        self.limit = PendingLimit::count(self.pairs(), machines.len(), nodes.len(), now);
        self.track_arrivals();
        self.sort_default();
        self.rebuild_rows();
        true
    }

    fn track_arrivals(&mut self) {
        if self.prime {
            // The store holds the complete list now: none of it is arriving.
            self.known = self.csrs.iter().map(|c| name(c).to_string()).collect();
            self.prime = false;
            return;
        }
        if !self.live {
            return;
        }
        for c in &self.csrs {
            let n = name(c);
            if !self.known.contains(n) {
                self.known.insert(n.to_string());
                if self.auto && csr_state(c) == CsrState::Pending {
                    self.auto_candidates.insert(n.to_string());
                }
            }
        }
    }

    /// The default order (pending first, newest first, then by name) of `rows`.
    fn sort_default(&mut self) {
        let rows = &self.rows;
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(0..rows.len());
        // Rows are by name already: the index breaks ties like the name would.
        order.sort_unstable_by(|a, b| {
            let (ra, rb) = (&rows[*a], &rows[*b]);
            (ra.state != CsrState::Pending)
                .cmp(&(rb.state != CsrState::Pending))
                .then_with(|| rb.created.cmp(&ra.created))
                .then_with(|| a.cmp(b))
        });
        self.order = order;
    }

    /// Which rows show, in which order (after a store, filter, history or sort change). Rows
    /// themselves are only rebuilt for CSRs that changed; ages and countdowns are drawn from the
    /// render clock.
    pub fn rebuild_rows(&mut self) {
        let selected = self.selected_row().map(|r| r.name.clone());
        let rows = &self.rows;
        let no_labels = BTreeMap::new();
        let mut visible: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|i| {
                let r = &rows[*i];
                (self.history == HistoryFilter::All || r.state == CsrState::Pending)
                    && (self.filter.is_empty()
                        || self.filter.matches(
                            &format!("{} {} {} {}", r.name, r.node, r.requestor, r.kind.short()),
                            &no_labels,
                        ))
            })
            .collect();
        if let Some((col, desc)) = self.sort {
            visible.sort_by(|a, b| {
                let o = compare(&rows[*a], &rows[*b], col);
                if desc { o.reverse() } else { o }
            });
        }
        self.visible = visible;
        self.selected = selected
            .and_then(|n| self.visible.iter().position(|i| self.rows[*i].name == n))
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
        self.visible.get(n).and_then(|i| self.rows.get(*i))
    }

    /// Visible rows in display order.
    pub fn rows(&self) -> impl Iterator<Item = &CsrRow> {
        self.visible.iter().filter_map(|i| self.rows.get(*i))
    }

    pub fn selected_row(&self) -> Option<&CsrRow> {
        self.row(self.selected)
    }

    pub fn pending_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.state == CsrState::Pending)
            .count()
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// The CSR and its validation by name.
    pub fn get(&self, name: &str) -> Option<(&Arc<CertificateSigningRequest>, &Validation)> {
        let i = *self.index.get(name)?;
        Some((self.csrs.get(i)?, self.vals.get(i)?))
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
        self.csrs.iter().map(Arc::as_ref).zip(&self.vals)
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
