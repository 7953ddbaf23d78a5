//! The details view of a CSR: `csr::details::CsrDetails` lines (decoded request, spec, every
//! check with pass/fail and reason, conditions), styled.

use std::sync::Arc;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

use crate::csr::checks::Validation;
use crate::csr::decode::decode_csr;
use crate::csr::details::CsrDetails;

/// Styled details lines. Decoding here is fine: it runs when the view opens or the object
/// changes, not per frame.
pub fn lines(
    csr: &Arc<CertificateSigningRequest>,
    v: &Validation,
    now: Timestamp,
) -> Vec<Line<'static>> {
    let d = CsrDetails::new(csr, decode_csr(csr), v, now);
    d.lines()
        .into_iter()
        .map(|l| {
            let t = l.trim_start();
            let style = if t.starts_with('✓') {
                Style::default().fg(Color::Green)
            } else if t.starts_with('✗') || t.contains("INVALID") || t.starts_with("cannot decode")
            {
                Style::default().fg(Color::Red)
            } else if !l.starts_with(' ') && l.ends_with(':') || l.starts_with("Checks:") {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            Line::styled(l, style)
        })
        .collect()
}
