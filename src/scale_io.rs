//! The scale actions' vocabulary: which key was pressed, what a scale write changes, and the
//! RBAC question it needs. The write itself is `actions::scale` (the one write pipeline).

use crate::fleet::scale_target::ScaleKind;
use crate::gate::Access;

/// Which scale key was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStep {
    Up,
    Down,
    Type,
}

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleChange {
    /// `spec.replicas` through the scale subresource.
    Replicas {
        from: i64,
        to: i64,
        likely_removed: Vec<String>,
    },
    /// NodePool `spec.autoScaling` min/max.
    Autoscaling { min: i64, max: i64 },
}

/// The RBAC question for scaling (`update <plural>/scale`) or editing autoscaling
/// (`patch <plural>`) in `namespace`.
pub fn access(kind: ScaleKind, namespace: &str, autoscaling: bool) -> Access {
    Access {
        verb: if autoscaling { "patch" } else { "update" }.into(),
        group: kind.group().into(),
        resource: kind.plural().into(),
        subresource: (!autoscaling).then(|| "scale".to_string()),
        namespace: Some(namespace.to_string()).filter(|n| !n.is_empty()),
        name: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_of_scale_and_autoscaling() {
        let a = access(ScaleKind::MachineSet, "openshift-machine-api", false);
        assert_eq!(a.describe(), "update machinesets/scale");
        let a = access(ScaleKind::NodePool, "clusters", true);
        assert_eq!(a.describe(), "patch nodepools");
    }
}
