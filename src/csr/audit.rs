//! Audit log of CSR decisions: one JSON object per line. [`append_audit`] is the only I/O in
//! the CSR module.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::approval::rfc3339_seconds;
use super::checks::Validation;

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// An admin approved.
    Approve,
    /// An admin denied.
    Deny,
    /// The auto-approve policy approved.
    AutoApprove,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, whole seconds.
    pub time: String,
    /// kubeconfig context (cluster) the action went to.
    pub context: String,
    /// Local user who acted (or who runs the auto-approver).
    pub user: String,
    /// Approve, deny or auto-approve.
    pub action: AuditAction,
    /// CSR name.
    pub csr: String,
    /// Node from the CN.
    pub node: Option<String>,
    /// `client`, `serving` or the short signer.
    pub kind: String,
    /// Checks summary: `all 10 checks passed` / `failed: groups, usages`.
    pub checks: String,
    /// Ids of failed checks.
    pub failed_checks: Vec<String>,
    /// Approved despite failed checks.
    #[serde(rename = "override")]
    pub overridden: bool,
    /// What happened, e.g. `approved`, `denied`, `error: <message>`.
    pub outcome: String,
}

impl AuditRecord {
    /// Builds a record from the validation the decision was based on.
    pub fn new(
        now: Timestamp,
        context: &str,
        user: &str,
        action: AuditAction,
        csr: &str,
        validation: &Validation,
        outcome: &str,
    ) -> Self {
        let failed_checks: Vec<String> = validation
            .failed_ids()
            .into_iter()
            .map(str::to_string)
            .collect();
        Self {
            time: rfc3339_seconds(now),
            context: context.to_string(),
            user: user.to_string(),
            action,
            csr: csr.to_string(),
            node: validation.node.clone(),
            kind: validation.kind.short(),
            checks: validation.summary(),
            overridden: action != AuditAction::Deny && !failed_checks.is_empty(),
            failed_checks,
            outcome: outcome.to_string(),
        }
    }

    /// The record as one JSON line (with the trailing newline).
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string(self)?;
        s.push('\n');
        Ok(s)
    }
}

/// Appends `record` as one JSON line to `path`, creating the file (mode 0600 on Unix) and its
/// parent directories if needed. The line is written with a single `write_all` on an
/// append-mode file, so concurrent writers do not interleave within a line.
pub fn append_audit(path: &Path, record: &AuditRecord) -> io::Result<()> {
    append_json_line(path, record)
}

/// Appends any serializable record as one JSON line, like [`append_audit`] (other audited
/// actions, e.g. the creation wizards, share the file format and guarantees).
pub fn append_json_line<T: Serialize>(path: &Path, record: &T) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
    line.push('\n');
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(line.as_bytes())?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::api::core::v1::Node;

    use super::*;
    use crate::csr::checks::{Inputs, validate};
    use crate::csr::testutil::*;

    fn validation(c: &k8s_openapi::api::certificates::v1::CertificateSigningRequest) -> Validation {
        let nodes: BTreeMap<String, Node> = BTreeMap::new();
        validate(
            c,
            &Inputs {
                nodes: &nodes,
                machines: None,
                now: t0(),
            },
        )
    }

    #[test]
    fn audit_line_format() {
        let v = validation(&client_csr("csr-1", "w1", t0()));
        let r = AuditRecord::new(
            at(1),
            "prod",
            "alice",
            AuditAction::Approve,
            "csr-1",
            &v,
            "approved",
        );
        assert_eq!(
            r.to_line().unwrap(),
            concat!(
                r#"{"time":"2026-11-24T12:00:01Z","context":"prod","user":"alice","action":"approve","#,
                r#""csr":"csr-1","node":"w1","kind":"client","checks":"all 10 checks passed","#,
                r#""failed_checks":[],"override":false,"outcome":"approved"}"#,
                "\n"
            )
        );
    }

    #[test]
    fn override_flag_and_append() {
        let mut c = client_csr("csr-2", "w2", t0());
        c.spec.username = Some("mallory".into());
        let v = validation(&c);
        let approve = AuditRecord::new(
            t0(),
            "ctx",
            "bob",
            AuditAction::Approve,
            "csr-2",
            &v,
            "approved",
        );
        assert!(approve.overridden);
        assert_eq!(approve.failed_checks, ["requestor"]);
        assert_eq!(approve.checks, "failed: requestor");
        let deny = AuditRecord::new(t0(), "ctx", "bob", AuditAction::Deny, "csr-2", &v, "denied");
        assert!(!deny.overridden);
        let auto = AuditRecord::new(
            t0(),
            "ctx",
            "bob",
            AuditAction::AutoApprove,
            "csr-2",
            &v,
            "approved",
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/audit.jsonl");
        append_audit(&path, &approve).unwrap();
        append_audit(&path, &deny).unwrap();
        append_audit(&path, &auto).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(text.ends_with('\n'));
        let back: AuditRecord = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(back, approve);
        let v1: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(v1["action"], "deny");
        assert_eq!(v1["override"], false);
        let v2: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(v2["action"], "auto-approve");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
