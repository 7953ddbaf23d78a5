//! Cluster API's Machine (cluster.x-k8s.io/v1beta1): the kind HyperShift creates per NodePool
//! replica in a hosted cluster's control-plane namespace. Its `spec` as the CRD declares it:
//! `bootstrap`, `clusterName` and `infrastructureRef` required, the lengths, the readiness gate
//! pattern, enum and item count; the object references are closed objects of strings.
//!
//! Facts from kubernetes-sigs/cluster-api `config/crd/bases/cluster.x-k8s.io_machines.yaml`
//! (commit 048876a93234941418a0388d63e9d8592d62c39e), version `v1beta1`.

use super::node::{KindSchema, Node, Prop, array, object, prop, string};

/// The condition type pattern of a readiness gate: a CamelCase word, optionally prefixed by a
/// DNS subdomain and '/'.
pub const CONDITION_TYPE_RE: &str = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";

/// `corev1.ObjectReference`, as `configRef` and `infrastructureRef` declare it.
static OBJECT_REF: [Prop; 7] = [
    prop("apiVersion", string().doc("API version of the referent.")),
    prop(
        "fieldPath",
        string().doc("The part of the referent meant, as a JSON/Go field access (spec.containers[2]); empty for the whole object."),
    ),
    prop("kind", string().doc("Kind of the referent.")),
    prop("name", string().doc("Name of the referent.")),
    prop("namespace", string().doc("Namespace of the referent.")),
    prop(
        "resourceVersion",
        string().doc("The resourceVersion of the referent this reference is pinned to, if any."),
    ),
    prop("uid", string().doc("UID of the referent.")),
];

static READINESS_GATE: Node = object(&[
    prop(
        "conditionType",
        string()
            .len(Some(1), Some(316))
            .pattern(CONDITION_TYPE_RE)
            .doc("A condition type of the Machine's conditions to wait for; a missing condition counts as unknown."),
    ),
    prop(
        "polarity",
        string()
            .one_of(&["Positive", "Negative"])
            .doc("Whether the condition is good when True (Positive, the default) or when False (Negative)."),
    ),
])
.req(&["conditionType"])
.doc("A Machine condition that must be good for the Machine to count as ready.");

pub static MACHINE: KindSchema = KindSchema {
    kind: "Machine",
    doc: "A Cluster API Machine: one host of a workload cluster, made from a bootstrap configuration and an infrastructure provider's machine (HyperShift creates one per NodePool replica, backed by a KubevirtMachine on KubeVirt).",
    spec_required: false,
    rules: &[],
    defaults: &[],
    spec: object(&[
        prop(
            "bootstrap",
            object(&[
                prop(
                    "configRef",
                    object(&OBJECT_REF).doc("The bootstrap provider's object that holds the configuration; optional when dataSecretName is set directly."),
                ),
                prop(
                    "dataSecretName",
                    string()
                        .len(Some(0), Some(253))
                        .doc("The Secret that holds the bootstrap data (ignition); the Machine stays Pending while unset."),
                ),
            ])
            .doc("Where the machine's bootstrap data comes from."),
        ),
        prop(
            "clusterName",
            string()
                .len(Some(1), Some(63))
                .doc("The name of the Cluster this machine belongs to (HyperShift: the hosted cluster's infrastructure ID)."),
        ),
        prop(
            "failureDomain",
            string()
                .len(Some(1), Some(256))
                .doc("The failure domain to create the machine in; a key of the Cluster's failure domains."),
        ),
        prop(
            "infrastructureRef",
            object(&OBJECT_REF).doc("The infrastructure provider's machine object (a KubevirtMachine) that backs this machine. Required."),
        ),
        prop(
            "nodeDeletionTimeout",
            string().doc("How long to keep trying to delete the Node once the Machine is deleting; 0 retries forever. 10s when unset."),
        ),
        prop(
            "nodeDrainTimeout",
            string().doc("How long draining the Node may take in total; 0 (the default) means no limit."),
        ),
        prop(
            "nodeVolumeDetachTimeout",
            string().doc("How long to wait for the Node's volumes to detach; 0 (the default) means no limit."),
        ),
        prop(
            "providerID",
            string()
                .len(Some(1), Some(512))
                .doc("The machine's ID at the infrastructure provider; it must equal the providerID of its Node."),
        ),
        prop(
            "readinessGates",
            array(&READINESS_GATE)
                .max_items(32)
                .doc("Extra conditions the Machine's Ready condition waits for; a list keyed by conditionType."),
        ),
        prop(
            "version",
            string()
                .len(Some(1), Some(256))
                .doc("The Kubernetes (HyperShift: OpenShift) version the machine should run."),
        ),
    ])
    .req(&["bootstrap", "clusterName", "infrastructureRef"])
    .doc("The desired state of the Machine: its cluster, bootstrap data, infrastructure machine and version."),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::check::{Findings, check};
    use serde_json::{Value, json};

    fn findings(mut spec: Value) -> (Findings, Value) {
        let mut f = Findings::default();
        check(&MACHINE.spec, &mut spec, None, "spec", &mut f);
        (f, spec)
    }

    #[test]
    fn a_hypershift_node_pool_machine_passes_untouched() {
        let spec = json!({"clusterName": "hc1-x7k2p", "providerID": "kubevirt://vm-1", "version": "4.18.1",
            "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha1", "kind": "KubevirtMachine", "name": "vm-1", "namespace": "clusters-hc1"},
            "bootstrap": {"dataSecretName": "user-data-np-1"},
            "nodeDrainTimeout": "0s",
            "readinessGates": [{"conditionType": "example.com/Ready", "polarity": "Negative"}]});
        let (f, pruned) = findings(spec.clone());
        assert!(f.unknown.is_empty() && f.invalid.is_empty(), "{f:?}");
        assert_eq!(pruned, spec);
    }

    #[test]
    fn required_lengths_enum_pattern_and_closed_references() {
        let (f, _) = findings(json!({"clusterName": "", "providerID": "",
            "infrastructureRef": {"kind": "KubevirtMachine", "extra": 1},
            "readinessGates": [{"conditionType": "not a type!", "polarity": "Sideways"}, {}],
            "providerSpec": {"value": {}}}));
        let mut fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "spec.bootstrap",
                "spec.clusterName",
                "spec.providerID",
                "spec.readinessGates[0].conditionType",
                "spec.readinessGates[0].polarity",
                "spec.readinessGates[1].conditionType",
            ],
            "{f:?}"
        );
        let mut unknown = f.unknown.clone();
        unknown.sort();
        assert_eq!(
            unknown,
            ["spec.infrastructureRef.extra", "spec.providerSpec"]
        );
    }

    #[test]
    fn machine_api_fields_are_not_cluster_api_fields() {
        let (f, _) = findings(
            json!({"clusterName": "c", "bootstrap": {}, "infrastructureRef": {},
            "lifecycleHooks": {}, "taints": []}),
        );
        assert!(f.invalid.is_empty(), "{f:?}");
        let mut unknown = f.unknown.clone();
        unknown.sort();
        assert_eq!(unknown, ["spec.lifecycleHooks", "spec.taints"]);
    }
}
