//! The Node pools (`:np`) and MachineSets (`:ms`) panes: rows from the pure view models in
//! [`crate::fleet`], a scaling pipeline section under the node pool table, and the scale target
//! the app's scale actions work on.

pub mod condition_lines;
pub mod machinesets;
pub mod nodepools;
pub mod pipeline_view;
pub mod table;

use serde_json::Value;

/// What a scale action applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleKind {
    NodePool,
    MachineSet,
}

impl ScaleKind {
    pub fn noun(self) -> &'static str {
        match self {
            ScaleKind::NodePool => "node pool",
            ScaleKind::MachineSet => "MachineSet",
        }
    }
    pub fn group(self) -> &'static str {
        match self {
            ScaleKind::NodePool => "hypershift.openshift.io",
            ScaleKind::MachineSet => "machine.openshift.io",
        }
    }
    pub fn version(self) -> &'static str {
        "v1beta1"
    }
    pub fn kind(self) -> &'static str {
        match self {
            ScaleKind::NodePool => "NodePool",
            ScaleKind::MachineSet => "MachineSet",
        }
    }
    pub fn plural(self) -> &'static str {
        match self {
            ScaleKind::NodePool => "nodepools",
            ScaleKind::MachineSet => "machinesets",
        }
    }
}

/// The selected object of a scalable pane and the machines its plan may name.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleTarget {
    pub kind: ScaleKind,
    pub obj: Value,
    pub machines: Vec<Value>,
}

impl ScaleTarget {
    pub fn name(&self) -> &str {
        crate::fleet::util::name(&self.obj)
    }
    pub fn namespace(&self) -> &str {
        crate::fleet::util::namespace(&self.obj)
    }
}
