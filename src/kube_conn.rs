//! Where the cluster is: kubeconfig loading (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`,
//! in-cluster), the list of contexts, and client building. Errors are typed ([`ConnError`]) and
//! each reads as one clear line.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Why there is no connection to build. Each variant's text is one line an admin can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("cannot read $KUBECONFIG ({paths}): {}", one_line(source))]
    ReadEnv {
        paths: String,
        source: kube::config::KubeconfigError,
    },
    #[error("no kubeconfig: pass --kubeconfig PATH, set $KUBECONFIG or create ~/.kube/config")]
    NoKubeconfig,
    #[error("kubeconfig {0} does not exist")]
    Missing(String),
    #[error("invalid kubeconfig {label}: {}", one_line(source))]
    Invalid {
        label: String,
        source: kube::config::KubeconfigError,
    },
    #[error("{label} has no current-context; pick one with --context ({})", available.join(", "))]
    NoCurrentContext {
        label: String,
        available: Vec<String>,
    },
    #[error(
        "unknown context `{want}` in {label} (available: {})",
        none_if_empty(available)
    )]
    UnknownContext {
        want: String,
        label: String,
        available: Vec<String>,
    },
    #[error("in-cluster config: {}", one_line(source))]
    InCluster {
        source: kube::config::InClusterError,
    },
    #[error("context `{context}` in {label}: {}", one_line(source))]
    Context {
        context: String,
        label: String,
        source: kube::config::KubeconfigError,
    },
    #[error("cannot build a client for {server}: {}", one_line(source))]
    Client { server: String, source: kube::Error },
}

fn none_if_empty(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Where connections come from: a kubeconfig (with its contexts) or the in-cluster service account.
#[derive(Clone, Debug)]
pub enum Source {
    Kubeconfig {
        kubeconfig: Box<Kubeconfig>,
        /// Shown in messages: the file, `$KUBECONFIG` or `demo`.
        label: String,
    },
    InCluster,
}

/// A built connection: which context and server, and the client.
#[derive(Clone)]
pub struct Connection {
    pub context: String,
    pub server: String,
    pub client: Client,
}

impl Source {
    /// `--kubeconfig PATH`, else `$KUBECONFIG`, else `~/.kube/config`, else in-cluster.
    pub fn discover(path: Option<&Path>) -> Result<Source, ConnError> {
        if let Some(p) = path {
            return Self::from_file(p);
        }
        if let Some(v) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            let kc = Kubeconfig::read().map_err(|source| ConnError::ReadEnv {
                paths: v.to_string_lossy().into_owned(),
                source,
            })?;
            return Ok(Source::Kubeconfig {
                kubeconfig: Box::new(kc),
                label: "$KUBECONFIG".into(),
            });
        }
        let default = dirs::home_dir().map(|h| h.join(".kube").join("config"));
        match default {
            Some(p) if p.exists() => Self::from_file(&p),
            _ if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => Ok(Source::InCluster),
            _ => Err(ConnError::NoKubeconfig),
        }
    }

    /// The same kubeconfig read again from its file (`--kubeconfig`, `~/.kube/config` or
    /// `$KUBECONFIG`), so a reconnect after `oc login` uses the new token; `None` for
    /// in-memory sources (demo, guest clusters) and in-cluster.
    pub fn reloaded(&self) -> Option<Result<Source, ConnError>> {
        let Source::Kubeconfig { label, .. } = self else {
            return None;
        };
        if label == "$KUBECONFIG" {
            return Some(
                Kubeconfig::read()
                    .map(|kc| Source::Kubeconfig {
                        kubeconfig: Box::new(kc),
                        label: label.clone(),
                    })
                    .map_err(|source| ConnError::ReadEnv {
                        paths: std::env::var("KUBECONFIG").unwrap_or_default(),
                        source,
                    }),
            );
        }
        let path = Path::new(label);
        path.is_file().then(|| Self::from_file(path))
    }

    pub fn from_file(path: &Path) -> Result<Source, ConnError> {
        let label = path.display().to_string();
        if !path.exists() {
            return Err(ConnError::Missing(label));
        }
        let kc = match Kubeconfig::read_from(path) {
            Ok(kc) => kc,
            Err(source) => return Err(ConnError::Invalid { label, source }),
        };
        Ok(Source::Kubeconfig {
            kubeconfig: Box::new(kc),
            label,
        })
    }

    pub fn from_yaml(yaml: &str, label: &str) -> Result<Source, ConnError> {
        let kc = Kubeconfig::from_yaml(yaml).map_err(|source| ConnError::Invalid {
            label: label.into(),
            source,
        })?;
        Ok(Source::Kubeconfig {
            kubeconfig: Box::new(kc),
            label: label.into(),
        })
    }

    /// Context names, in file order.
    pub fn contexts(&self) -> Vec<String> {
        match self {
            Source::Kubeconfig { kubeconfig, .. } => {
                kubeconfig.contexts.iter().map(|c| c.name.clone()).collect()
            }
            Source::InCluster => vec!["in-cluster".into()],
        }
    }

    pub fn current_context(&self) -> Option<String> {
        match self {
            Source::Kubeconfig { kubeconfig, .. } => kubeconfig.current_context.clone(),
            Source::InCluster => Some("in-cluster".into()),
        }
    }

    /// Check that `context` (or the current context) exists, before any I/O.
    pub fn resolve_context(&self, context: Option<&str>) -> Result<String, ConnError> {
        match self {
            Source::InCluster => Ok("in-cluster".into()),
            Source::Kubeconfig { kubeconfig, label } => {
                let names = self.contexts();
                let want = match context
                    .map(str::to_string)
                    .or_else(|| kubeconfig.current_context.clone())
                {
                    Some(c) => c,
                    None => {
                        return Err(ConnError::NoCurrentContext {
                            label: label.clone(),
                            available: names,
                        });
                    }
                };
                if names.contains(&want) {
                    Ok(want)
                } else {
                    Err(ConnError::UnknownContext {
                        want,
                        label: label.clone(),
                        available: names,
                    })
                }
            }
        }
    }

    /// Build a client for `context` (default: current). No request is made yet.
    pub async fn connect(&self, context: Option<&str>) -> Result<Connection, ConnError> {
        let context = self.resolve_context(context)?;
        let config = match self {
            Source::InCluster => {
                Config::incluster().map_err(|source| ConnError::InCluster { source })?
            }
            Source::Kubeconfig { kubeconfig, label } => {
                let opts = KubeConfigOptions {
                    context: Some(context.clone()),
                    ..Default::default()
                };
                match Config::from_custom_kubeconfig((**kubeconfig).clone(), &opts).await {
                    Ok(c) => c,
                    Err(source) => {
                        return Err(ConnError::Context {
                            context,
                            label: label.clone(),
                            source,
                        });
                    }
                }
            }
        };
        let server = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let client = match Client::try_from(config) {
            Ok(c) => c,
            Err(source) => return Err(ConnError::Client { server, source }),
        };
        Ok(Connection {
            context,
            server,
            client,
        })
    }
}

/// An error and its causes on one line, without repeating a cause already in its parent's text.
/// Causes an admin can act on come first in plain words (an untrusted certificate, a rejected
/// token, a refused connection), since TLS causes hide in the error's debug form.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let chain = chain_line(e);
    match plain_cause(e, &chain) {
        Some(plain) => format!("{plain} ({chain})"),
        None => chain,
    }
}

/// What went wrong, said so the admin knows what to do, when the error is one of the usual
/// connection problems.
fn plain_cause(e: &(dyn std::error::Error + 'static), chain: &str) -> Option<&'static str> {
    let status = std::iter::successors(Some(e), |e| e.source()).find_map(|e| {
        e.downcast_ref::<kube::Error>().and_then(|k| match k {
            kube::Error::Api(s) => Some(s.code),
            _ => None,
        })
    });
    if status == Some(401) {
        return Some("token rejected: log in again");
    }
    if status.is_some() {
        return None;
    }
    let dbg = format!("{e:?}");
    let has = |needle: &str| dbg.contains(needle) || chain.contains(needle);
    if has("UnknownIssuer") || has("BadSignature") || has("UnknownCA") {
        Some(
            "certificate not trusted: the server's certificate is not signed by a CA the kubeconfig trusts",
        )
    } else if has("NotValidForName") {
        Some("certificate not valid for this server's name")
    } else if has("Expired") && has("ertificate") {
        Some("server certificate expired")
    } else if has("Connection refused") || has("ConnectionRefused") {
        Some("connection refused: is the API server running at this address?")
    } else if has("dns error") || has("failed to lookup address") {
        Some("server name not found (DNS)")
    } else {
        None
    }
}

fn chain_line(e: &(dyn std::error::Error + 'static)) -> String {
    // kube's API errors print the whole Status struct in debug form: keep code, reason, message.
    if let Some(kube::Error::Api(s)) = e.downcast_ref::<kube::Error>() {
        return format!("{} {}: {}", s.code, s.reason, s.message).replace('\n', " ");
    }
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: https://a.example:6443\n- name: b\n  cluster:\n    server: https://b.example:6443\ncontexts:\n- name: hub\n  context:\n    cluster: a\n    user: u\n- name: edge\n  context:\n    cluster: b\n    user: u\ncurrent-context: hub\nusers:\n- name: u\n  user:\n    token: t\n";

    #[tokio::test]
    async fn lists_and_resolves_contexts() {
        let s = Source::from_yaml(TWO, "test").unwrap();
        assert_eq!(s.contexts(), vec!["hub", "edge"]);
        assert_eq!(s.resolve_context(None).unwrap(), "hub");
        let e = s.resolve_context(Some("nope")).unwrap_err();
        assert!(matches!(e, ConnError::UnknownContext { .. }));
        assert_eq!(
            e.to_string(),
            "unknown context `nope` in test (available: hub, edge)"
        );
        let c = s.connect(Some("edge")).await.unwrap();
        assert_eq!(c.server, "https://b.example:6443");
        assert_eq!(c.context, "edge");
    }

    #[tokio::test]
    async fn a_kubeconfig_file_is_read_again_for_a_reconnect() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kc");
        std::fs::write(&p, TWO).unwrap();
        let s = Source::from_file(&p).unwrap();
        // `oc login` rewrote the file: the reconnect sees what it wrote.
        std::fs::write(&p, TWO.replace("a.example", "relogged.example")).unwrap();
        let again = s.reloaded().unwrap().unwrap();
        let c = again.connect(Some("hub")).await.unwrap();
        assert_eq!(c.server, "https://relogged.example:6443");
        // In-memory kubeconfigs (demo, guest clusters) stay as they are.
        assert!(Source::from_yaml(TWO, "demo").unwrap().reloaded().is_none());
    }

    #[test]
    fn bad_kubeconfig_is_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kc");
        std::fs::write(&p, "clusters: [[[\n").unwrap();
        let e = Source::from_file(&p).unwrap_err().to_string();
        assert!(e.starts_with("invalid kubeconfig "), "{e}");
        assert!(!e.contains('\n'));
        let e = Source::from_file(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(e, ConnError::Missing(_)));
        assert!(e.to_string().ends_with("does not exist"), "{e}");
    }
}
