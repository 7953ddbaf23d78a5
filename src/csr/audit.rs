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
    /// Who acted, as the API server knows them (SelfSubjectReview), the name written into the
    /// CSR's condition; `unknown (…)` when the server could not say.
    pub user: String,
    /// The local login (`$USER`), for context only: anyone can set it.
    #[serde(default)]
    pub local_user: String,
    /// Approve, deny or auto-approve.
    pub action: AuditAction,
    /// CSR name.
    pub csr: String,
    /// The CSR's uid: the one object the decision was for.
    #[serde(default)]
    pub uid: Option<String>,
    /// Node from the CN.
    pub node: Option<String>,
    /// `client`, `serving` or the short signer.
    pub kind: String,
    /// Checks summary at submit (re-run on the fresh object): `all 10 checks passed` /
    /// `failed: machine`.
    pub checks: String,
    /// Ids of the checks failed at submit.
    pub failed_checks: Vec<String>,
    /// Approved despite failed checks (or without a Machine vouching for the node) because the
    /// admin typed the node name.
    #[serde(rename = "override")]
    pub overridden: bool,
    /// What happened, e.g. `approved`, `denied`, `refused: …`, `error: <message>`.
    pub outcome: String,
}

/// Who acted, for [`AuditRecord::new`].
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The API server's name for us.
    pub identity: &'a str,
    /// `$USER`.
    pub local_user: &'a str,
    /// kubeconfig context.
    pub context: &'a str,
}

impl AuditRecord {
    /// Builds a record from the validation the decision was based on (the one at submit).
    pub fn new(
        now: Timestamp,
        actor: Actor<'_>,
        action: AuditAction,
        csr: &str,
        uid: Option<&str>,
        validation: &Validation,
        outcome: &str,
    ) -> Self {
        let failed_checks: Vec<String> = validation
            .failed_ids()
            .into_iter()
            .map(str::to_string)
            .collect();
        let overridden = action == AuditAction::Approve
            && (!failed_checks.is_empty() || !validation.identity_confirmed());
        Self {
            time: rfc3339_seconds(now),
            context: actor.context.to_string(),
            user: actor.identity.to_string(),
            local_user: actor.local_user.to_string(),
            action,
            csr: csr.to_string(),
            uid: uid.map(str::to_string),
            node: validation.node.clone(),
            kind: validation.kind.short(),
            checks: validation.summary(),
            overridden,
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
/// `$XDG_STATE_HOME/shiftdeck/audit.jsonl`: the one log every audited action appends to.
pub fn default_path() -> Option<std::path::PathBuf> {
    crate::logging::log_dir().map(|d| d.join("audit.jsonl"))
}

/// The local account running shiftdeck (`$USER`, else `$LOGNAME`), recorded beside the API
/// identity.
pub fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn append_audit(path: &Path, record: &AuditRecord) -> io::Result<()> {
    append_json_line(path, record)
}

/// Append one JSON line (any serialisable record) to an audit log: the directory is created,
/// the file is private (0600) and opened in append mode.
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

    fn actor<'a>(context: &'a str, identity: &'a str) -> Actor<'a> {
        Actor {
            identity,
            local_user: "me",
            context,
        }
    }

    #[test]
    fn audit_line_format() {
        let v = validation(&client_csr("csr-1", "w1", t0()));
        let r = AuditRecord::new(
            at(1),
            actor("prod", "alice"),
            AuditAction::Approve,
            "csr-1",
            Some("u-1"),
            &v,
            "approved",
        );
        // No Machine API: the admin confirmed the identity by typing the node name.
        assert_eq!(
            r.to_line().unwrap(),
            concat!(
                r#"{"time":"2026-11-24T12:00:01Z","context":"prod","user":"alice","local_user":"me","#,
                r#""action":"approve","csr":"csr-1","uid":"u-1","node":"w1","kind":"client","#,
                r#""checks":"all 10 checks passed","failed_checks":[],"override":true,"outcome":"approved"}"#,
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
            actor("ctx", "bob"),
            AuditAction::Approve,
            "csr-2",
            None,
            &v,
            "approved",
        );
        assert!(approve.overridden);
        assert_eq!(approve.failed_checks, ["requestor"]);
        assert_eq!(approve.checks, "failed: requestor");
        let deny = AuditRecord::new(
            t0(),
            actor("ctx", "bob"),
            AuditAction::Deny,
            "csr-2",
            None,
            &v,
            "denied",
        );
        assert!(!deny.overridden);
        let auto = AuditRecord::new(
            t0(),
            actor("ctx", "bob"),
            AuditAction::AutoApprove,
            "csr-2",
            None,
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
