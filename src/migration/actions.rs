//! Maintenance actions on the infra cluster: the keys (cordon/uncordon a node, live-migrate
//! one or all VMIs), the RBAC questions they need, and the text of the "migrate all" dialog.
//! The writes themselves run in the one write pipeline (`actions::node`).

use crate::fleet::util::{namespace, str_at};
use crate::gate::Access;

/// Maintenance keys, handled by `App` (their writes go through the one write pipeline,
/// `actions::WriteRequest::{Cordon, Migrate}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigAction {
    /// Open the maintenance report of the selected node (Nodes pane).
    Maintenance,
    /// Cordon the node (confirm first).
    Cordon,
    /// Uncordon the node (confirm first).
    Uncordon,
    /// Live-migrate the selected VMI (confirm first).
    MigrateSelected,
    /// Live-migrate every migratable VMI off the node (confirm first).
    MigrateAll,
}

/// `patch nodes` (cordon/uncordon).
pub fn patch_nodes() -> Access {
    Access {
        verb: "patch".into(),
        group: String::new(),
        resource: "nodes".into(),
        subresource: None,
        namespace: None,
        name: None,
    }
}

/// `create virtualmachineinstancemigrations.kubevirt.io` (any namespace).
pub fn create_migrations() -> Access {
    Access {
        verb: "create".into(),
        group: "kubevirt.io".into(),
        resource: "virtualmachineinstancemigrations".into(),
        subresource: None,
        namespace: None,
        name: None,
    }
}

/// The dialog text of "migrate all": what will be migrated and what is refused (and why).
pub fn migrate_all_lines(node: &str, plan: &super::request::MigratePlan) -> Vec<String> {
    let mut l = vec![format!(
        "Live-migrate {} VMI(s) off {node}:",
        plan.requests.len()
    )];
    for b in &plan.requests {
        l.push(format!(
            "  ✓ {}/{}",
            namespace(b),
            str_at(b, "/spec/vmiName").unwrap_or("")
        ));
    }
    if !plan.refused.is_empty() {
        l.push(format!(
            "Not migrated ({}), they stay and restart if the node is drained:",
            plan.refused.len()
        ));
        for r in &plan.refused {
            l.push(format!("  ✗ {r}"));
        }
    }
    l
}
