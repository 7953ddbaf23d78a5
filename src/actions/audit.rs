//! The one audit writer: every write (cluster or not) appends one JSON line of the one record
//! shape, [`AuditEntry`], through a dedicated thread fed by a channel, so no file I/O ever runs
//! on the async executor. [`append`] waits (asynchronously) until the line is on disk, so the
//! result message of a write never overtakes its audit record.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc as std_mpsc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

/// The object a write was for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTarget {
    /// `CertificateSigningRequest`, `NodePool`, `Node`, `Blob`, ...
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// `metadata.uid` of the object shown, when there is one.
    pub uid: Option<String>,
}

impl AuditTarget {
    pub fn new(kind: &str, namespace: Option<&str>, name: &str, uid: Option<&str>) -> Self {
        AuditTarget {
            kind: kind.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.into(),
            uid: uid.map(str::to_string),
        }
    }

    /// `Kind ns/name` (or `Kind name`).
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// One audit-log line, the same shape for every action: when, who, where, what, on which object,
/// how it ended, and action-specific safe details (never a secret: SAS tokens and passwords are
/// redacted by the caller before they get here).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339, whole seconds.
    pub time: String,
    /// kubeconfig context (cluster) the action went to; empty for writes outside a cluster.
    pub context: String,
    /// Who acted as the API server knows them (SelfSubjectReview) when it was asked (CSR
    /// decisions, whose condition names it); otherwise the local login.
    pub user: String,
    /// The local login (`$USER`), for context only: anyone can set it.
    pub local_user: String,
    /// `approve`, `deny`, `auto-approve`, `scale`, `autoscaling`, `cordon`, `uncordon`,
    /// `live-migrate`, `create`, `start-blob-copy`, `abort-blob-copy`, `mirror`, ...
    pub action: String,
    /// `Kind ns/name` of [`AuditEntry::object`].
    pub target: String,
    /// The object the write was for.
    pub object: AuditTarget,
    /// `uid` of the object (also in `object`; kept at the top level for existing readers).
    #[serde(default)]
    pub uid: Option<String>,
    /// What happened, e.g. `ok`, `approved`, `refused: ...`, `error: ...`.
    pub outcome: String,
    /// Action-specific fields (from/to, node, vmi, checks, ...), flattened into the line.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl AuditEntry {
    /// A record stamped now, by the local user, with no details yet.
    pub fn new(context: &str, action: &str, object: AuditTarget, outcome: &str) -> Self {
        let local = local_user();
        AuditEntry {
            time: now_rfc3339(),
            context: context.into(),
            user: local.clone(),
            local_user: local,
            action: action.into(),
            target: object.label(),
            uid: object.uid.clone(),
            object,
            outcome: outcome.into(),
            details: Map::new(),
        }
    }

    /// Add a detail field (`null` values are left out).
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        let v = serde_json::to_value(value).unwrap_or(Value::Null);
        if !v.is_null() {
            self.details.insert(key.into(), v);
        }
        self
    }

    /// Add every field of `fields` (a struct or map) as details.
    pub fn with_fields(mut self, fields: impl Serialize) -> Self {
        if let Ok(Value::Object(m)) = serde_json::to_value(fields) {
            self.details
                .extend(m.into_iter().filter(|(_, v)| !v.is_null()));
        }
        self
    }

    /// The record as one JSON line (with the trailing newline).
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string(self)?;
        s.push('\n');
        Ok(s)
    }
}

/// Now, RFC 3339 with whole seconds (`2026-11-24T12:00:01Z`).
pub fn now_rfc3339() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The local account running shiftdeck (`$USER`, else `$LOGNAME`).
pub fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// `$XDG_STATE_HOME/shiftdeck/audit.jsonl`: the one log every audited action appends to.
pub fn default_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|d| d.join("audit.jsonl"))
}

/// Why an audit record was not written. The result message of the write says so.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit record: {0}")]
    Record(#[from] serde_json::Error),
    #[error("audit log: the writer thread is not running")]
    NoWriter,
    #[error("audit log: the writer thread has stopped")]
    Stopped,
    #[error("audit log {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

struct Job {
    path: PathBuf,
    lines: Vec<String>,
    done: oneshot::Sender<Result<(), AuditError>>,
}

/// The writer thread's inbox (started on first use; it lives as long as the process).
fn writer() -> Option<&'static std_mpsc::Sender<Job>> {
    static WRITER: OnceLock<Option<std_mpsc::Sender<Job>>> = OnceLock::new();
    WRITER
        .get_or_init(|| {
            let (tx, rx) = std_mpsc::channel::<Job>();
            let started = std::thread::Builder::new()
                .name("shiftdeck-audit".into())
                .spawn(move || {
                    for job in rx {
                        let r = append_lines(&job.path, &job.lines).map_err(|source| {
                            AuditError::Write {
                                path: job.path.clone(),
                                source,
                            }
                        });
                        let _ = job.done.send(r);
                    }
                });
            match started {
                Ok(_) => Some(tx),
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the audit writer thread");
                    None
                }
            }
        })
        .as_ref()
}

/// Append `entries` to `path` on the audit thread and wait until they are written. The error
/// (one line naming the file) is for the result message: a write that was not audited says so.
pub async fn append(path: &Path, entries: &[AuditEntry]) -> Result<(), AuditError> {
    let mut lines = Vec::with_capacity(entries.len());
    for e in entries {
        lines.push(e.to_line()?);
    }
    let Some(w) = writer() else {
        return Err(AuditError::NoWriter);
    };
    let (done, wait) = oneshot::channel();
    w.send(Job {
        path: path.to_path_buf(),
        lines,
        done,
    })
    .map_err(|_| AuditError::Stopped)?;
    let r = wait.await.unwrap_or(Err(AuditError::Stopped));
    if let Err(e) = &r {
        tracing::warn!(error = %e, "cannot write the audit log");
    }
    r
}

/// Append to `path` when there is one; `None` or the error text.
pub async fn append_opt(path: Option<&Path>, entries: &[AuditEntry]) -> Option<String> {
    append(path?, entries).await.err().map(|e| e.to_string())
}

/// The file side (audit thread only): the directory is created, the file is private (0600) and
/// opened in append mode; each line goes out in one `write_all`, so lines never interleave.
fn append_lines(path: &Path, lines: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    for l in lines {
        f.write_all(l.as_bytes())?;
    }
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_one_json_line_each_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.jsonl");
        let t = AuditTarget::new("NodePool", Some("clusters"), "np", Some("u-1"));
        let a = AuditEntry::new("hub", "scale", t.clone(), "ok")
            .with("from", 1)
            .with("to", 2)
            .with("vmi", None::<String>);
        let b = AuditEntry::new("hub", "autoscaling", t, "error: x");
        append(&path, std::slice::from_ref(&a)).await.unwrap();
        append(&path, &[b]).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["target"], "NodePool clusters/np");
        assert_eq!(lines[0]["object"]["uid"], "u-1");
        assert_eq!(lines[0]["uid"], "u-1");
        assert_eq!(lines[0]["from"], 1);
        assert_eq!(lines[0]["to"], 2);
        assert!(lines[0].get("vmi").is_none());
        assert_eq!(lines[1]["action"], "autoscaling");
        let back: AuditEntry = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(back, a);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn an_unwritable_log_is_reported_not_hidden() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let e = append(
            dir.path(),
            &[AuditEntry::new("c", "x", AuditTarget::default(), "ok")],
        )
        .await
        .unwrap_err();
        assert!(matches!(e, AuditError::Write { .. }), "{e}");
        assert!(e.to_string().starts_with("audit log "), "{e}");
    }
}
