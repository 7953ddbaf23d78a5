//! KubeVirt's VirtualMachine and VirtualMachineInstance (kubevirt.io/v1), as their CRDs declare
//! `spec`.
//!
//! VirtualMachine: `template` required, `running` a boolean, `runStrategy` and
//! `updateVolumesStrategy` strings, `dataVolumeTemplates` a list whose items need a `spec` that
//! is CDI's DataVolumeSpec (checked as one). The VirtualMachineInstance template and the
//! instancetype and preference matchers are opaque objects (type-checked, kept as sent). The run
//! strategy's values and `running` / `runStrategy` exclusivity are KubeVirt's admission
//! webhook's, not the CRD's: not checked.
//!
//! VirtualMachineInstance: every `spec` field with its type; `domain` required, and
//! `domain.devices` within it; each network, volume and resource claim needs a `name`. The
//! domain, probes, affinity, DNS config, tolerations and the volume and network sources are
//! opaque objects. Enums are not carried: KubeVirt's CRD declares none on these fields (its
//! values are checked by the admission webhook). Facts from kubevirt/kubevirt
//! `api/openapi-spec/swagger.json` (`v1.VirtualMachineInstanceSpec`), generated from the same Go
//! types as the CRD's schema; it also lists fields newer than the KubeVirt 4.18 ships
//! (`resourceClaims`, `utilityVolumes`, `serviceAccountName`), which the sim accepts.

use super::cdi::DATAVOLUME_SPEC;
use super::node::{
    KindSchema, Node, Prop, array, boolean, integer, map, object, opaque, prop, string,
};

static STRING: Node = string();

static DATAVOLUME_TEMPLATE: Node = object(&[
    prop(
        "apiVersion",
        string().doc("The DataVolume's API version (cdi.kubevirt.io/v1beta1)."),
    ),
    prop("kind", string().doc("DataVolume.")),
    prop(
        "metadata",
        opaque().doc("The DataVolume's metadata; its name is what the VM's volumes refer to."),
    ),
    prop(
        "spec",
        object(&DATAVOLUME_SPEC)
            .doc("The DataVolume's spec: where its content comes from and the storage it gets."),
    ),
    prop(
        "status",
        opaque().doc("Status of a DataVolume made from this template; not set by clients."),
    ),
])
.req(&["spec"])
.doc("A DataVolume the VM owns: created with the VM, before it first starts, and deleted with it.");

pub static VIRTUALMACHINE: KindSchema = KindSchema {
    kind: "VirtualMachine",
    doc: "A VirtualMachine is a stateful virtual machine: it creates, restarts and stops its VirtualMachineInstance as its run strategy says, and owns its disks.",
    spec_required: true,
    rules: &[],
    defaults: &[],
    spec: object(&[
        prop(
            "dataVolumeTemplates",
            array(&DATAVOLUME_TEMPLATE).doc("DataVolumes created for the VM and tied to its lifetime."),
        ),
        prop(
            "instancetype",
            opaque().doc("A VirtualMachineInstancetype (or cluster-wide one) giving the VM its CPU, memory and other resources."),
        ),
        prop(
            "preference",
            opaque().doc("A VirtualMachinePreference (or cluster-wide one) giving preferred values for the VM's devices and features."),
        ),
        prop(
            "runStrategy",
            string().doc("When the VM should run: Always, RerunOnFailure, Once, Manual or Halted. Cannot be set together with running."),
        ),
        prop(
            "running",
            boolean().doc("Deprecated in favour of runStrategy: true keeps an instance running, false keeps it stopped."),
        ),
        prop(
            "template",
            opaque().doc("The VirtualMachineInstance the VM starts: its metadata and its spec (a VirtualMachineInstanceSpec)."),
        ),
        prop(
            "updateVolumesStrategy",
            string().doc("What a change of the VM's volumes does to a running instance: Replacement (applied at the next restart, the default) or Migration (the storage is live-migrated)."),
        ),
    ])
    .req(&["template"])
    .doc("The desired state of the VirtualMachine: the instance it runs, when, and the disks it owns."),
};

static NAMED: Node = opaque().req(&["name"]);

/// VirtualMachineInstanceSpec's properties.
pub static VMI_SPEC: [Prop; 23] = [
    prop(
        "accessCredentials",
        array(&opaque()).doc("SSH public keys or user passwords to inject into the guest, each from a Secret."),
    ),
    prop("affinity", opaque().doc("Scheduling affinity of the instance's virt-launcher pod (node, pod and pod anti-affinity), as a Pod's.")),
    prop(
        "architecture",
        string().doc("The guest's CPU architecture (amd64, arm64, s390x); KubeVirt's own architecture when unset."),
    ),
    prop("dnsConfig", opaque().doc("DNS options merged into the configuration chosen by dnsPolicy, as a Pod's.")),
    prop(
        "dnsPolicy",
        string().doc("How the instance's pod resolves names: ClusterFirst (the default), ClusterFirstWithHostNet, Default or None."),
    ),
    prop(
        "domain",
        opaque()
            .req(&["devices"])
            .doc("The virtual hardware: CPU, memory, firmware, machine type, features, and devices (disks, interfaces), which is required."),
    ),
    prop(
        "evictionStrategy",
        string().doc("What a node drain does to the instance: None, LiveMigrate, LiveMigrateIfPossible, or External (eviction is refused and status.evacuationNodeName set, for an outside controller such as the Cluster API KubeVirt provider to act on). The cluster-wide default when unset."),
    ),
    prop(
        "hostname",
        string().doc("The guest's hostname; the instance's name when unset (if DHCP or cloud-init set it)."),
    ),
    prop("livenessProbe", opaque().doc("A periodic check of the guest; the instance is stopped when it fails. Cannot be changed.")),
    prop(
        "networks",
        array(&NAMED).doc("The networks the guest's interfaces connect to (the pod network or a Multus network), each by a name the domain's interfaces use."),
    ),
    prop(
        "nodeSelector",
        map(&STRING).doc("Labels a node must have to run the instance."),
    ),
    prop(
        "priorityClassName",
        string().doc("The PriorityClass of the instance's pod; the default priority (or zero) when unset."),
    ),
    prop("readinessProbe", opaque().doc("A periodic check that takes the instance out of service endpoints while it fails. Cannot be changed.")),
    prop(
        "resourceClaims",
        array(&NAMED).doc("Dynamic resource allocation claims the pod needs before it starts, each by name (alpha)."),
    ),
    prop(
        "schedulerName",
        string().doc("The scheduler that places the instance's pod; the default scheduler when unset."),
    ),
    prop(
        "serviceAccountName",
        string().doc("The ServiceAccount the virt-launcher pod runs as (its token reaches the guest only through a serviceAccount volume)."),
    ),
    prop(
        "startStrategy",
        string().doc("Paused starts the guest paused; unset starts it running."),
    ),
    prop(
        "subdomain",
        string().doc("With hostname, gives the guest the fully qualified name <hostname>.<subdomain>.<namespace>.svc.<cluster domain>."),
    ),
    prop(
        "terminationGracePeriodSeconds",
        integer().doc("Seconds the guest gets to shut down once asked to stop, before it is forced off."),
    ),
    prop("tolerations", array(&opaque()).doc("Taints the instance's pod tolerates, as a Pod's tolerations.")),
    prop(
        "topologySpreadConstraints",
        array(&opaque()).doc("How instances spread across topology domains (zones, nodes), as a Pod's constraints."),
    ),
    prop(
        "utilityVolumes",
        array(&NAMED).doc("Volumes mounted into the virt-launcher pod without a disk in the guest, for operational tooling; each needs a name."),
    ),
    prop(
        "volumes",
        array(&NAMED).doc("The volumes the domain's disks use (a DataVolume, a PVC, a container disk, cloud-init data, ...), each by a name the disks refer to."),
    ),
];

pub static VIRTUALMACHINEINSTANCE: KindSchema = KindSchema {
    kind: "VirtualMachineInstance",
    doc: "A VirtualMachineInstance is one running virtual machine: a guest in a virt-launcher pod on a node. A VirtualMachine creates and replaces its instance.",
    // `spec` has no `omitempty` in KubeVirt's Go type, so its schema requires it.
    spec_required: true,
    rules: &[],
    defaults: &[],
    spec: object(&VMI_SPEC)
        .req(&["domain"])
        .doc("The desired state of the VirtualMachineInstance: its virtual hardware, networks, volumes and scheduling."),
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::check::{Findings, check};

    #[test]
    fn template_required_and_data_volume_templates_checked() {
        let mut f = Findings::default();
        let mut spec = json!({"running": "yes",
            "dataVolumeTemplates": [{"metadata": {"name": "d"}, "spec": {"source": {"http": {}}}}, {}]});
        check(&VIRTUALMACHINE.spec, &mut spec, None, "spec", &mut f);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "spec.template",
            "spec.running",
            "spec.dataVolumeTemplates[0].spec.source.http.url",
            "spec.dataVolumeTemplates[1].spec",
        ] {
            assert!(fields.contains(&want), "{want} not in {f:?}");
        }
    }

    #[test]
    fn vmi_domain_devices_and_names_required_types_checked() {
        let mut f = Findings::default();
        let mut spec = json!({"domain": {"cpu": {"cores": 2}},
            "networks": [{"pod": {}}], "volumes": [{"name": "rhcos", "dataVolume": {"name": "d"}}],
            "terminationGracePeriodSeconds": "30", "nodeSelector": {"a": 1}, "bogus": true});
        check(
            &VIRTUALMACHINEINSTANCE.spec,
            &mut spec,
            None,
            "spec",
            &mut f,
        );
        let mut fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "spec.domain.devices",
                "spec.networks[0].name",
                "spec.nodeSelector.a",
                "spec.terminationGracePeriodSeconds",
            ],
            "{f:?}"
        );
        assert_eq!(f.unknown, ["spec.bogus"]);
        let mut f = Findings::default();
        let mut spec = json!({"evictionStrategy": "External"});
        check(
            &VIRTUALMACHINEINSTANCE.spec,
            &mut spec,
            None,
            "spec",
            &mut f,
        );
        assert_eq!(
            f.invalid,
            [("spec.domain".to_string(), "Required value".to_string())]
        );
    }
}
