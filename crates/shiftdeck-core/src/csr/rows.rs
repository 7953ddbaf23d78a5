//! Row view model of the CSR pane, shared with `shiftdeck get csrs`. The state a row shows comes
//! from the domain ([`super::state`]); its names stay reachable from here for older callers.
//!
//! `(CSR, Validation)` pairs -> [`build_rows`] (filter + default order) -> [`CsrRow::cells`] under
//! [`HEADERS`], or [`rows_json`] keyed by header.

use super::state::{CsrState, csr_state};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Map, Value};

use super::checks::Validation;
use super::state::{Countdown, condition_label};
use super::{CsrKind, created, display_safe, name};

/// Column headers, in order.
pub const HEADERS: [&str; 8] = [
    "NAME",
    "AGE",
    "KIND",
    "REQUESTOR",
    "NODE",
    "CONDITION",
    "CHECK",
    "DEADLINE",
];

/// kubectl's age (see [`crate::age`]); `<unknown>` without a timestamp.
pub fn format_age(created: Option<Timestamp>, now: Timestamp) -> String {
    crate::age::since_ts(created, now)
}

/// Which CSRs the pane lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HistoryFilter {
    /// Every CSR.
    #[default]
    All,
    /// Only pending CSRs.
    PendingOnly,
}

/// One row of the pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrRow {
    /// `metadata.name`.
    pub name: String,
    /// AGE cell.
    pub age: String,
    /// Kind (the KIND cell is `kind.short()`).
    pub kind: CsrKind,
    /// `spec.username`.
    pub requestor: String,
    /// Node from the CN (empty when none).
    pub node: String,
    /// State from the conditions.
    pub state: CsrState,
    /// CONDITION cell.
    pub condition: String,
    /// CHECK cell: `✓` or the first failed check's id.
    pub check: String,
    /// Whether every check passed.
    pub valid: bool,
    /// Countdown, for pending CSRs with a creation time.
    pub countdown: Option<Countdown>,
    /// Creation time (for sorting).
    pub created: Option<Timestamp>,
}

impl CsrRow {
    /// Builds the row for one CSR and its validation.
    pub fn new(csr: &CertificateSigningRequest, v: &Validation, now: Timestamp) -> Self {
        let state = csr_state(csr);
        let created = created(csr);
        Self {
            name: name(csr).to_string(),
            age: format_age(created, now),
            kind: v.kind.clone(),
            requestor: csr.spec.username.clone().unwrap_or_default(),
            node: v.node.clone().unwrap_or_default(),
            state,
            condition: condition_label(csr),
            check: v
                .first_failure()
                .map_or_else(|| "✓".to_string(), |c| c.id.to_string()),
            valid: v.passed_all(),
            countdown: match (state, created) {
                (CsrState::Pending, Some(c)) => Some(Countdown::new(c, now)),
                _ => None,
            },
            created,
        }
    }

    /// The cells under [`HEADERS`], made terminal-safe with [`display_safe`].
    pub fn cells(&self) -> Vec<String> {
        let cells = [
            self.name.clone(),
            self.age.clone(),
            self.kind.short(),
            self.requestor.clone(),
            self.node.clone(),
            self.condition.clone(),
            self.check.clone(),
            self.countdown.map(|c| c.label()).unwrap_or_default(),
        ];
        cells.iter().map(|c| display_safe(c)).collect()
    }
}

/// Rows after `filter`, in the default order: pending first, then newest first, then by name.
pub fn build_rows<'a>(
    items: impl IntoIterator<Item = (&'a CertificateSigningRequest, &'a Validation)>,
    filter: HistoryFilter,
    now: Timestamp,
) -> Vec<CsrRow> {
    let mut rows: Vec<CsrRow> = items
        .into_iter()
        .filter(|(c, _)| filter == HistoryFilter::All || csr_state(c) == CsrState::Pending)
        .map(|(c, v)| CsrRow::new(c, v, now))
        .collect();
    sort_rows(&mut rows);
    rows
}

/// Default order: pending first, newest first (unknown creation time last), then by name.
pub fn sort_rows(rows: &mut [CsrRow]) {
    rows.sort_by(|a, b| {
        (a.state != CsrState::Pending)
            .cmp(&(b.state != CsrState::Pending))
            .then_with(|| b.created.cmp(&a.created))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// Headers and cells, for a plain table.
pub fn table(rows: &[CsrRow]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    (HEADERS.to_vec(), rows.iter().map(CsrRow::cells).collect())
}

/// Rows as a JSON array of objects keyed by header (`{"NAME": ..., "AGE": ...}`).
pub fn rows_json(rows: &[CsrRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let obj: Map<String, Value> = HEADERS
                    .iter()
                    .zip(r.cells())
                    .map(|(h, c)| ((*h).to_string(), Value::String(c)))
                    .collect();
                Value::Object(obj)
            })
            .collect(),
    )
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
