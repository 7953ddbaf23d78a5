//! Details view model: everything about one CSR as fields, plus plain text lines a view can render.

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::Timestamp;

use super::checks::{Check, Validation};
use super::decode::{DecodeError, DecodedRequest};
use super::rows::format_age;
use super::state::{Countdown, CsrState, condition_label, csr_state};
use super::{CsrKind, created, display_safe, name};

/// One status condition, with who/why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionLine {
    /// `Approved`, `Denied`, `Failed`.
    pub type_: String,
    /// `True` / `False`.
    pub status: String,
    /// Machine-readable reason, e.g. `NodeCSRApprove`.
    pub reason: String,
    /// Who/why in words, e.g. "approved by alice via shiftdeck".
    pub message: String,
    /// `lastUpdateTime`, else `lastTransitionTime`.
    pub at: Option<Timestamp>,
}

/// Everything the details view shows about one CSR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrDetails {
    /// `metadata.name`.
    pub name: String,
    /// Age as in the table.
    pub age: String,
    /// `spec.signerName`.
    pub signer: String,
    /// Kind from the signer.
    pub kind: CsrKind,
    /// `spec.username`.
    pub username: String,
    /// `spec.groups`.
    pub groups: Vec<String>,
    /// `spec.usages`.
    pub usages: Vec<String>,
    /// `spec.expirationSeconds`.
    pub expiration_seconds: Option<i32>,
    /// The decoded request, or why it could not be decoded.
    pub request: Result<DecodedRequest, DecodeError>,
    /// CONDITION label (`Approved,Issued`).
    pub condition: String,
    /// State from the conditions.
    pub state: CsrState,
    /// Countdown for pending CSRs.
    pub countdown: Option<Countdown>,
    /// Every check with pass/fail and reason.
    pub checks: Vec<Check>,
    /// Whether every check passed.
    pub valid: bool,
    /// Status conditions.
    pub conditions: Vec<ConditionLine>,
}

impl CsrDetails {
    /// Builds the details from a CSR, its decoded request and its validation.
    pub fn new(
        csr: &CertificateSigningRequest,
        request: Result<DecodedRequest, DecodeError>,
        validation: &Validation,
        now: Timestamp,
    ) -> Self {
        let spec = &csr.spec;
        let state = csr_state(csr);
        let conditions = csr
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .map(|cs| {
                cs.iter()
                    .map(|c| ConditionLine {
                        type_: c.type_.clone(),
                        status: c.status.clone(),
                        reason: c.reason.clone().unwrap_or_default(),
                        message: c.message.clone().unwrap_or_default(),
                        at: c
                            .last_update_time
                            .as_ref()
                            .or(c.last_transition_time.as_ref())
                            .map(|t| t.0),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            name: name(csr).to_string(),
            age: format_age(created(csr), now),
            signer: spec.signer_name.clone(),
            kind: validation.kind.clone(),
            username: spec.username.clone().unwrap_or_default(),
            groups: spec.groups.clone().unwrap_or_default(),
            usages: spec.usages.clone().unwrap_or_default(),
            expiration_seconds: spec.expiration_seconds,
            request,
            condition: condition_label(csr),
            state,
            countdown: match (state, created(csr)) {
                (CsrState::Pending, Some(c)) => Some(Countdown::new(c, now)),
                _ => None,
            },
            checks: validation.checks.clone(),
            valid: validation.passed_all(),
            conditions,
        }
    }

    /// Plain text lines, in display order (sections: summary, request, spec, checks, conditions),
    /// made terminal-safe with [`display_safe`] (the fields themselves are raw).
    pub fn lines(&self) -> Vec<String> {
        let mut l = vec![
            format!("Name:        {}", self.name),
            format!("Age:         {}", self.age),
            format!("Condition:   {}", self.condition),
        ];
        if let Some(c) = self.countdown {
            l.push(format!("Approve in:  {}", c.label()));
        }
        l.push(String::new());
        l.push("Request (PKCS#10):".to_string());
        match &self.request {
            Ok(d) => {
                l.push(format!("  Subject CN: {}", d.common_names.join(", ")));
                l.push(format!("  Subject O:  {}", d.organizations.join(", ")));
                l.push(format!("  DNS SANs:   {}", or_none(&d.dns_sans)));
                let ips: Vec<String> = d.ip_sans.iter().map(|i| i.to_string()).collect();
                l.push(format!("  IP SANs:    {}", or_none(&ips)));
                let other: Vec<String> = d.email_sans.iter().chain(&d.uri_sans).cloned().collect();
                if !other.is_empty() {
                    l.push(format!("  Other SANs: {}", other.join(", ")));
                }
                l.push(format!("  Key:        {}", d.key));
                l.push(format!(
                    "  Signature:  {}",
                    if d.signature_valid {
                        "valid"
                    } else {
                        "INVALID"
                    }
                ));
            }
            Err(e) => l.push(format!("  cannot decode: {e}")),
        }
        l.push(String::new());
        l.push(format!(
            "Signer:      {} ({})",
            self.signer,
            self.kind.short()
        ));
        l.push(format!("Usages:      {}", or_none(&self.usages)));
        l.push(format!("Username:    {}", self.username));
        l.push(format!("Groups:      {}", or_none(&self.groups)));
        l.push(format!(
            "Expiration:  {}",
            self.expiration_seconds
                .map_or_else(|| "signer default".to_string(), |s| format!("{s}s"))
        ));
        l.push(String::new());
        l.push(format!(
            "Checks: {}",
            if self.valid { "all passed" } else { "FAILED" }
        ));
        for c in &self.checks {
            let mark = if c.passed { "✓" } else { "✗" };
            l.push(format!("  {mark} {} [{}]: {}", c.title, c.id, c.reason));
        }
        if !self.conditions.is_empty() {
            l.push(String::new());
            l.push("Conditions:".to_string());
            for c in &self.conditions {
                let at = c.at.map(|t| t.to_string()).unwrap_or_default();
                l.push(format!(
                    "  {}={} {} {}: {}",
                    c.type_, c.status, at, c.reason, c.message
                ));
            }
        }
        l.iter().map(|x| display_safe(x)).collect()
    }
}

fn or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::api::core::v1::Node;

    use super::*;
    use crate::csr::checks::{Inputs, validate_decoded};
    use crate::csr::decode::decode_csr;
    use crate::csr::testutil::*;

    #[test]
    fn details_of_valid_serving_csr() {
        let c = serving_csr("csr-s", "w1", &["w1", "10.0.0.5"], t0());
        let nodes: BTreeMap<String, Node> = [(
            "w1".to_string(),
            node(
                "w1",
                &[("Hostname", "w1"), ("InternalIP", "10.0.0.5")],
                None,
                t0(),
            ),
        )]
        .into();
        let d = decode_csr(&c);
        let machines = [machine(
            "m1",
            &[("Hostname", "w1"), ("InternalIP", "10.0.0.5")],
            Some("w1"),
            t0(),
        )];
        let inputs = Inputs {
            nodes: &nodes,
            machines: Some(&crate::csr::machines::MachineIndex::new(machines.to_vec())),
            now: t0(),
        };
        let v = validate_decoded(&c, &d, &inputs);
        let det = CsrDetails::new(&c, d, &v, at(120));
        assert!(det.valid);
        let text = det.lines().join("\n");
        for want in [
            "Subject CN: system:node:w1",
            "Subject O:  system:nodes",
            "DNS SANs:   w1",
            "IP SANs:    10.0.0.5",
            "Key:        ECDSA P-256",
            "Signature:  valid",
            "Signer:      kubernetes.io/kubelet-serving (serving)",
            "Usages:      digital signature, server auth",
            "Groups:      system:nodes, system:authenticated",
            "Expiration:  signer default",
            "Approve in:  58m00s left",
            "✓ SANs are the Machine's addresses [sans-match]",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn details_of_undecodable_denied_csr() {
        let mut c = with_condition(client_csr("csr-x", "w1", t0()), "Denied", at(30));
        c.spec.request.0 = b"junk".to_vec();
        c.spec.expiration_seconds = Some(3600);
        let nodes: BTreeMap<String, Node> = BTreeMap::new();
        let d = decode_csr(&c);
        let inputs = Inputs {
            nodes: &nodes,
            machines: None,
            now: t0(),
        };
        let v = validate_decoded(&c, &d, &inputs);
        let det = CsrDetails::new(&c, d, &v, at(60));
        assert!(!det.valid);
        assert_eq!(det.countdown, None);
        assert_eq!(det.conditions.len(), 1);
        assert_eq!(det.conditions[0].message, "Denied by test");
        let text = det.lines().join("\n");
        assert!(text.contains("cannot decode: request is not PEM"), "{text}");
        assert!(text.contains("Expiration:  3600s"));
        assert!(text.contains("✗ Request decodes [decode]"));
        assert!(
            text.contains("Denied=True 2026-11-24T12:00:30Z Test: Denied by test"),
            "{text}"
        );
    }
}
