//! What a scale action works on: the kind (NodePool or MachineSet, with its API coordinates) and
//! the selected object with the machines its plan may name. Filled by the Node pools and
//! MachineSets panes, read by the scale dialog and the scale writes.

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
        super::util::name(&self.obj)
    }
    pub fn namespace(&self) -> &str {
        super::util::namespace(&self.obj)
    }
}
