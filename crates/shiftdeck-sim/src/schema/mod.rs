//! Object schemas the sim validates writes against, as a real API server does: custom kinds
//! through structural schemas written here in the project's own form (types, required fields,
//! enums, bounds, immutability and pattern rules — the facts of the real CRDs, checked field by
//! field against them in `tests/sim_conformance`), built-in kinds through the k8s-openapi types.
//!
//! `node` is the schema language, `check` walks an object against it, `builtin` decodes built-in
//! kinds, `hypershift` holds the HyperShift kinds, `machine` the Machine API's MachineSet and
//! Machine, `capi` Cluster API's Machine (HyperShift's node-pool machines), `cdi` CDI's DataVolume, `kubevirt` KubeVirt's VirtualMachine and
//! VirtualMachineInstance.

pub mod builtin;
pub mod capi;
pub mod cdi;
pub mod check;
pub mod hypershift;
pub mod kubevirt;
pub mod machine;
pub mod node;

use node::KindSchema;

/// The structural schema of a custom kind, when the sim models one.
pub fn custom(gr: &str) -> Option<&'static KindSchema> {
    match gr {
        "nodepools.hypershift.openshift.io" => Some(&hypershift::NODEPOOL),
        "hostedclusters.hypershift.openshift.io" => Some(&hypershift::HOSTEDCLUSTER),
        "machinesets.machine.openshift.io" => Some(&machine::MACHINESET),
        "machines.machine.openshift.io" => Some(&machine::MACHINE),
        "machines.cluster.x-k8s.io" => Some(&capi::MACHINE),
        "datavolumes.cdi.kubevirt.io" => Some(&cdi::DATAVOLUME),
        "virtualmachines.kubevirt.io" => Some(&kubevirt::VIRTUALMACHINE),
        "virtualmachineinstances.kubevirt.io" => Some(&kubevirt::VIRTUALMACHINEINSTANCE),
        _ => None,
    }
}
