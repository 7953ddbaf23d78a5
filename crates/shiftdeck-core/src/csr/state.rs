//! The CSR state machine, as the API server records it in conditions: Pending until Approved or
//! Denied, then Issued (a certificate) or Failed (the signer gave up); and the one-hour window in
//! which a new machine's CSRs must be approved. Pure domain: used by the checks, the approve
//! action, the joining pipeline, the pane and `get csrs` alike.

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

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

/// What a cache keeps in place of an issued certificate (see [`forget_certificate`]): one NUL
/// byte, which no PEM certificate is, so [`is_issued`] still holds.
pub const CERTIFICATE_NOT_KEPT: &[u8] = b"\0";

/// Replaces an issued certificate with [`CERTIFICATE_NOT_KEPT`]: nothing reads an issued
/// certificate but [`is_issued`], and at a fleet's 19,000 issued CSRs they were 12 MB of cache.
pub fn forget_certificate(csr: &mut CertificateSigningRequest) {
    if let Some(c) = csr.status.as_mut().and_then(|s| s.certificate.as_mut())
        && !c.0.is_empty()
    {
        c.0 = CERTIFICATE_NOT_KEPT.to_vec();
    }
}

/// Whether the certificate [`forget_certificate`] replaced is `bytes`.
pub fn certificate_forgotten(bytes: &[u8]) -> bool {
    bytes == CERTIFICATE_NOT_KEPT
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
            // Its label shows whole seconds: the next one starts when this one's fraction is
            // spent (a frame drawing it is drawn again then).
            crate::age::note_change_in_ms(i64::from(left.subsec_millis()) + 1);
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

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
