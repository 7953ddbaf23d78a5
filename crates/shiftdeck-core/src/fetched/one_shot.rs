//! One-shot reads a pane asks the event loop for (details that need more than the watched
//! stores), and the guest cluster a pane can open. Panes stay pure: they describe the read, the
//! event loop performs it and hands the [`FetchResult`] back through the pane's `Documents::fetched`.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;
use serde_json::Value;

/// A one-shot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// List the pods and services of one namespace (e.g. a hosted control-plane namespace).
    Namespace { namespace: String },
    /// GET one Node, whole: the watch caches a lean copy (see `watch::kind::strip_node`), so
    /// its details and YAML views read the live object when opened.
    Node { name: String },
}

/// The result of a [`Fetch`].
#[derive(Debug, Clone, PartialEq)]
pub enum FetchResult {
    Namespace(NamespaceObjects),
    Node(FetchedNode),
}

/// The pods and services of a namespace; `managedFields` already stripped.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceObjects {
    pub namespace: String,
    pub pods: Vec<Value>,
    pub services: Vec<Value>,
    /// Why the list failed (one line), if it did.
    pub error: Option<String>,
}

/// One Node as the API server has it now (`managedFields` stripped), or why the GET failed
/// (one line).
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedNode {
    pub name: String,
    pub node: Result<Arc<Node>, String>,
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
