//! Row view model of the CSR pane, shared with `shiftdeck get csrs`.
//!
//! `(CSR, Validation)` pairs -> [`build_rows`] (filter + default order) -> [`CsrRow::cells`] under
//! [`HEADERS`], or [`rows_json`] keyed by header.

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use super::checks::Validation;
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

/// Both node CSRs of a new machine must be approved within this time from creation.
pub const APPROVAL_WINDOW: SignedDuration = SignedDuration::from_secs(3600);
/// The countdown turns into a warning in the last 15 minutes of [`APPROVAL_WINDOW`].
pub const WARNING_WINDOW: SignedDuration = SignedDuration::from_secs(15 * 60);
/// Label of a pending CSR older than [`APPROVAL_WINDOW`].
pub const EXPIRED_LABEL: &str = "expired: certificates may have rotated";

/// The CSR's overall state from its conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CsrState {
    /// No Approved, Denied or Failed condition.
    Pending,
    /// Approved (and possibly issued).
    Approved,
    /// Denied.
    Denied,
    /// Approved but the signer failed.
    Failed,
}

/// `True` conditions of the given type (a missing status counts as True, like kubectl).
fn has_condition(csr: &CertificateSigningRequest, type_: &str) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.type_ == type_ && (c.status.is_empty() || c.status == "True"))
        })
}

/// Whether `status.certificate` is present and non-empty.
pub fn is_issued(csr: &CertificateSigningRequest) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.certificate.as_ref())
        .is_some_and(|c| !c.0.is_empty())
}

/// Overall state: Denied, then Failed, then Approved win over Pending.
pub fn csr_state(csr: &CertificateSigningRequest) -> CsrState {
    if has_condition(csr, "Denied") {
        CsrState::Denied
    } else if has_condition(csr, "Failed") {
        CsrState::Failed
    } else if has_condition(csr, "Approved") {
        CsrState::Approved
    } else {
        CsrState::Pending
    }
}

/// CONDITION cell like kubectl: `Pending`, `Approved`, `Denied`, `Failed`, `Approved,Issued`,
/// `Approved,Failed`.
pub fn condition_label(csr: &CertificateSigningRequest) -> String {
    let mut parts: Vec<&str> = ["Approved", "Denied", "Failed"]
        .into_iter()
        .filter(|t| has_condition(csr, t))
        .collect();
    if parts.is_empty() {
        parts.push("Pending");
    }
    if is_issued(csr) {
        parts.push("Issued");
    }
    parts.join(",")
}

/// Time left to approve a pending CSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Countdown {
    /// Time left until the 1-hour mark; `warning` in the last 15 minutes.
    Remaining {
        /// Whole seconds left (> 0).
        secs: i64,
        /// In the last 15 minutes.
        warning: bool,
    },
    /// Past the 1-hour mark.
    Expired,
}

impl Countdown {
    /// Countdown for a CSR created at `created`, seen at `now`.
    pub fn new(created: Timestamp, now: Timestamp) -> Self {
        let left = (created + APPROVAL_WINDOW).duration_since(now);
        if left <= SignedDuration::ZERO {
            Self::Expired
        } else {
            Self::Remaining {
                secs: left.as_secs().max(1),
                warning: left <= WARNING_WINDOW,
            }
        }
    }

    /// Whether to highlight (last 15 minutes or expired).
    pub fn is_warning(&self) -> bool {
        match self {
            Self::Remaining { warning, .. } => *warning,
            Self::Expired => true,
        }
    }

    /// `42m10s left`, `59s left` or [`EXPIRED_LABEL`].
    pub fn label(&self) -> String {
        match self {
            Self::Remaining { secs, .. } => {
                let (m, s) = (secs / 60, secs % 60);
                if m > 0 {
                    format!("{m}m{s:02}s left")
                } else {
                    format!("{s}s left")
                }
            }
            Self::Expired => EXPIRED_LABEL.to_string(),
        }
    }
}

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
