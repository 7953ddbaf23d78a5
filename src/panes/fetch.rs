//! One-shot reads a pane asks the event loop for (details that need more than the watched
//! stores), and the guest cluster a pane can open. Panes stay pure: they describe the read, the
//! event loop performs it and hands the result back through `Pane::fetched`.

use serde_json::Value;

/// List the pods and services of one namespace (e.g. a hosted control-plane namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub namespace: String,
}

/// The result of a [`Fetch`]; `managedFields` already stripped.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub namespace: String,
    pub pods: Vec<Value>,
    pub services: Vec<Value>,
    /// Why the list failed (one line), if it did.
    pub error: Option<String>,
}

/// A guest cluster to open: its HostedCluster and the admin kubeconfig Secret (same namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestRef {
    pub namespace: String,
    pub name: String,
    pub secret: String,
}

impl GuestRef {
    /// `clusters/example`, as the breadcrumb shows it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}
