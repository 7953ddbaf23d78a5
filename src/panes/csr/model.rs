//! The CSR pane's view model: store snapshots -> validations (on store change only, with a
//! decode cache) -> rows (history filter, text filter, sort) -> the selection. Pure apart from
//! the snapshots it is handed; ages and countdowns are redrawn from the render clock.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::csr::approval::{AutoApprovePolicy, auto_approve};
use crate::csr::checks::{Inputs, NodeLookup, Validation, validate_decoded};
use crate::csr::decode::DecodeCache;
use crate::csr::name;
use crate::csr::rows::{CsrRow, CsrState, HistoryFilter, build_rows, csr_state};
use crate::panes::filter::Filter;
use crate::watch::Machine;

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
pub struct NodeIndex(pub HashMap<String, Arc<Node>>);

impl NodeLookup for NodeIndex {
    fn node(&self, name: &str) -> Option<&Node> {
        self.0.get(name).map(Arc::as_ref)
    }
}

/// Nodes by name, borrowed from the snapshot (no name copies per sync).
struct NodeRefs<'a>(HashMap<&'a str, &'a Node>);

impl NodeLookup for NodeRefs<'_> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.0.get(name).copied()
    }
}

/// Wall clock as the CSR core wants it.
pub fn to_ts(now: chrono::DateTime<chrono::Utc>) -> Timestamp {
    Timestamp::from_second(now.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn fingerprint<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (n, rv) in items {
        n.hash(&mut h);
        rv.hash(&mut h);
    }
    h.finish()
}

/// Everything derived from the stores, recomputed only when they change.
#[derive(Default)]
pub struct CsrModel {
    /// CSRs sorted by name, with their validations (same index).
    pub csrs: Vec<Arc<CertificateSigningRequest>>,
    pub vals: Vec<Validation>,
    index: HashMap<String, usize>,
    /// Nodes named by some CSR (for the joining view).
    pub nodes: Vec<Node>,
    /// `Some(false)` once the Machine API is known to be absent.
    pub machines_installed: Option<bool>,
    cache: DecodeCache,
    stamp: Option<u64>,
    /// All rows in the default order (pending first, newest first), built with `built_at`.
    rows: Vec<CsrRow>,
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

    /// Catch up with the stores. Returns whether anything changed.
    pub fn apply(
        &mut self,
        csrs: Vec<Arc<CertificateSigningRequest>>,
        nodes: &[Arc<Node>],
        machines: &[Arc<Machine>],
        now: Timestamp,
    ) -> bool {
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
                }))
                .chain(machines.iter().map(|m| {
                    (
                        m.metadata.name.as_deref().unwrap_or_default(),
                        m.metadata.resource_version.as_deref(),
                    )
                }))
                .chain(std::iter::once((
                    "",
                    self.machines_installed.map(|b| if b { "m" } else { "-" }),
                ))),
        );
        if self.stamp == Some(stamp) && !self.prime {
            return false;
        }
        self.stamp = Some(stamp);
        let mut csrs = csrs;
        csrs.sort_by(|a, b| name(a).cmp(name(b)));
        // Only validations look nodes up: with no CSRs there is nothing to index.
        let index = NodeRefs(if csrs.is_empty() {
            HashMap::new()
        } else {
            nodes
                .iter()
                .filter_map(|n| Some((n.metadata.name.as_deref()?, n.as_ref())))
                .collect()
        });
        let machine_values: Option<Vec<Value>> = match self.machines_installed {
            Some(false) => None,
            // Unknown yet: machines in the store prove the API exists; none means we cannot tell.
            None if machines.is_empty() => None,
            _ => Some(machines.iter().map(|m| m.to_value()).collect()),
        };
        let inputs = Inputs {
            nodes: &index,
            machines: machine_values.as_deref(),
            now,
        };
        self.vals = csrs
            .iter()
            .map(|c| validate_decoded(c, self.cache.get(c), &inputs))
            .collect();
        // The cache keys on name and uid only: shells are enough to say what is live.
        let shells: Vec<CertificateSigningRequest> = csrs
            .iter()
            .map(|c| CertificateSigningRequest {
                metadata: ObjectMeta {
                    name: c.metadata.name.clone(),
                    uid: c.metadata.uid.clone(),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect();
        self.cache.retain_live(&shells);
        self.index = csrs
            .iter()
            .enumerate()
            .map(|(i, c)| (name(c).to_string(), i))
            .collect();
        let wanted: HashSet<&str> = self.vals.iter().filter_map(|v| v.node.as_deref()).collect();
        self.nodes = nodes
            .iter()
            .filter(|n| {
                n.metadata
                    .name
                    .as_deref()
                    .is_some_and(|x| wanted.contains(x))
            })
            .map(|n| (**n).clone())
            .collect();
        self.csrs = csrs;
        self.track_arrivals();
        self.rebuild_rows(now);
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

    /// Rebuild rows (after a store, filter or sort change).
    pub fn rebuild_rows(&mut self, now: Timestamp) {
        let selected = self.selected_row().map(|r| r.name.clone());
        self.rows = build_rows(
            self.csrs.iter().map(Arc::as_ref).zip(&self.vals),
            HistoryFilter::All,
            now,
        );
        let rows = &self.rows;
        let mut visible: Vec<usize> = (0..rows.len())
            .filter(|i| {
                let r = &rows[*i];
                (self.history == HistoryFilter::All || r.state == CsrState::Pending)
                    && self.filter.matches(
                        &format!("{} {} {} {}", r.name, r.node, r.requestor, r.kind.short()),
                        &BTreeMap::new(),
                    )
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
