//! The Machine API's MachineSet and Machine (machine.openshift.io/v1beta1), as their CRDs in
//! OpenShift 4.18's Default feature set declare `spec`: types, enums, required fields, the
//! lifecycle hook name pattern and lengths, the taint `timeAdded` date-time format and the
//! MachineSet `replicas` default. `providerSpec.value` is preserved as sent
//! (`x-kubernetes-preserve-unknown-fields`), as on a real cluster.
//!
//! Facts from openshift/api `machine/v1beta1/zz_generated.crd-manifests/
//! 0000_10_machine-api_01_machines-Default.crd.yaml` and `..._machinesets-Default.crd.yaml` (the
//! Machine's `spec` is the MachineSet's `spec.template.spec`).
//!
//! HyperShift's node-pool machines are Cluster API Machines (`cluster.x-k8s.io`, see
//! [`super::capi`]): their fields (`bootstrap`, `clusterName`, `infrastructureRef`, `version`)
//! are unknown here, refused under `fieldValidation=Strict` as the real Machine API does.

use serde_json::{Value, json};

use super::node::{
    KindSchema, Node, Prop, array, boolean, integer, map, object, opaque, prop, string,
};

static STRING: Node = string();

/// The lifecycle hook name pattern: a CamelCase word, optionally with a DNS-subdomain prefix.
const HOOK_NAME_RE: &str = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";

static OWNER_REF: Node = object(&[
    prop("apiVersion", string().doc("The API version of the owner.")),
    prop(
        "blockOwnerDeletion",
        boolean().doc("When true and the owner is deleted in the foreground, the owner stays until this object is gone. False when unset."),
    ),
    prop("controller", boolean().doc("True when the owner is this object's managing controller; at most one owner may be.")),
    prop("kind", string().doc("The kind of the owner.")),
    prop("name", string().doc("The name of the owner.")),
    prop("uid", string().doc("The UID of the owner.")),
])
.req(&["apiVersion", "kind", "name", "uid"])
.doc("A reference to an owner of the object (in the same namespace, or cluster-scoped).");

/// The ObjectMeta subset the CRD declares for templates and the Node's metadata.
static META: [Prop; 6] = [
    prop(
        "annotations",
        map(&STRING).doc("Annotations to put on the object: free-form string keys and values."),
    ),
    prop(
        "generateName",
        string().doc("A prefix the server completes with a random suffix when no name is given."),
    ),
    prop(
        "labels",
        map(&STRING).doc("Labels to put on the object, for selection and grouping."),
    ),
    prop(
        "name",
        string().doc("The object's name, unique within its namespace."),
    ),
    prop(
        "namespace",
        string().doc("The object's namespace (a DNS label)."),
    ),
    prop(
        "ownerReferences",
        array(&OWNER_REF).doc(
            "The objects this one belongs to; it is garbage-collected once all of them are gone.",
        ),
    ),
];

static HOOK: Node = object(&[
    prop(
        "name",
        string()
            .len(Some(3), Some(256))
            .pattern(HOOK_NAME_RE)
            .doc("A unique name for the hook, 3 to 256 characters: a CamelCase word, optionally prefixed by a DNS subdomain and '/' (foo.example.com/MyHook)."),
    ),
    prop(
        "owner",
        string()
            .len(Some(3), Some(512))
            .doc("Who holds the hook (a controller such as clusteroperator/etcd, or an administrator), 3 to 512 characters."),
    ),
])
.req(&["name", "owner"])
.doc("A lifecycle hook: while present, the machine does not move past that point of its lifecycle.");

static TAINT: Node = object(&[
    prop("effect", string().doc("What the taint does to pods that do not tolerate it: NoSchedule, PreferNoSchedule or NoExecute. Required.")),
    prop("key", string().doc("The taint key. Required.")),
    prop("timeAdded", string().date_time().doc("When the taint was added (RFC 3339); written only for NoExecute taints.")),
    prop("value", string().doc("The taint value that goes with the key.")),
])
.req(&["effect", "key"])
.doc("A taint for the machine's Node.");

static MATCH_EXPRESSION: Node = object(&[
    prop(
        "key",
        string().doc("The label key the requirement is about."),
    ),
    prop(
        "operator",
        string().doc("How the key relates to the values: In, NotIn, Exists or DoesNotExist."),
    ),
    prop(
        "values",
        array(&STRING)
            .doc("The values for In and NotIn (non-empty); empty for Exists and DoesNotExist."),
    ),
])
.req(&["key", "operator"])
.doc("A label requirement: a key, an operator and values.");

static HOOK_LISTS: [Prop; 2] = [
        prop(
            "preDrain",
            array(&HOOK).doc("Hooks that keep the machine from being drained, and so from everything after (termination too); a list keyed by name."),
        ),
        prop(
            "preTerminate",
            array(&HOOK).doc("Hooks that keep the machine's instance from being terminated, once it has been drained; a list keyed by name."),
        ),
];

const fn lifecycle_hooks() -> Node {
    object(&HOOK_LISTS)
    .doc("Hooks that pause the machine at set points of its lifecycle until whoever set them removes them.")
}

const fn node_meta() -> Node {
    object(&META)
        .doc("Labels, annotations, name prefix and owners to put on the Node this machine becomes.")
}

const fn provider_id() -> Node {
    string().doc("The machine's ID at the infrastructure provider; it must equal the providerID of its Node. Set by the machine controller; the cluster autoscaler matches machines to nodes by it.")
}

static PROVIDER_VALUE: [Prop; 1] = [prop(
    "value",
    opaque().doc("The provider's own configuration object (AWSMachineProviderConfig, AzureMachineProviderSpec, ...), kept as sent: the API server does not validate its fields."),
)];

const fn provider_spec() -> Node {
    object(&PROVIDER_VALUE)
        .doc("Provider-specific configuration used to create the machine's instance.")
}

const fn taints() -> Node {
    array(&TAINT).doc("Taints added to the machine's Node, on top of any others; the machine controller puts them back if they are removed, but never removes taints itself.")
}

/// A Machine's `spec` (a MachineSet's `spec.template.spec`).
static MACHINE_SPEC: [Prop; 5] = [
    prop("lifecycleHooks", lifecycle_hooks()),
    prop("metadata", node_meta()),
    prop("providerID", provider_id()),
    prop("providerSpec", provider_spec()),
    prop("taints", taints()),
];

pub static MACHINESET: KindSchema = KindSchema {
    kind: "MachineSet",
    doc: "A MachineSet keeps a number of Machines made from one template running (the Machine API's counterpart of a ReplicaSet).",
    spec_required: false,
    rules: &[],
    defaults: &[("replicas", replicas_default)],
    spec: object(&[
        prop(
            "deletePolicy",
            string()
                .one_of(&["Random", "Newest", "Oldest"])
                .doc("Which machines go first when the set scales down: Random, Newest or Oldest. Random when unset."),
        ),
        prop(
            "minReadySeconds",
            integer().doc("How long, in seconds, a new machine's Node must be ready before the machine counts as available. 0 when unset."),
        ),
        prop(
            "replicas",
            integer().doc("How many machines the set should have. Defaults to 1."),
        ),
        prop(
            "selector",
            object(&[
                prop("matchExpressions", array(&MATCH_EXPRESSION).doc("Label requirements, all of which must hold.")),
                prop("matchLabels", map(&STRING).doc("Labels that must all be present with these values.")),
            ])
            .doc("Which machines belong to the set; it must match the template's labels."),
        ),
        prop(
            "template",
            object(&[
                prop("metadata", object(&META).doc("Labels, annotations and owners given to every machine the set creates.")),
                prop("spec", object(&MACHINE_SPEC).doc("The spec of every machine the set creates.")),
            ])
            .doc("The Machine the set creates when it has too few."),
        ),
    ])
    .doc("The desired state of the MachineSet: how many machines, how they are selected and made."),
};

pub static MACHINE: KindSchema = KindSchema {
    kind: "Machine",
    doc: "A Machine is one host of the cluster as the Machine API manages it: the provider instance it creates and the Node that instance becomes.",
    spec_required: false,
    rules: &[],
    defaults: &[],
    spec: object(&MACHINE_SPEC)
    .doc("The desired state of the Machine: its provider configuration, the Node's metadata and taints, and its lifecycle hooks."),
};

fn replicas_default() -> Value {
    json!(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::check::{Findings, check};

    fn findings(mut spec: Value) -> Findings {
        let mut f = Findings::default();
        check(&MACHINESET.spec, &mut spec, None, "spec", &mut f);
        f
    }

    #[test]
    fn a_real_machineset_spec_passes_untouched() {
        let spec = json!({"replicas": 2, "deletePolicy": "Oldest",
            "selector": {"matchLabels": {"machine.openshift.io/cluster-api-machineset": "w"}},
            "template": {"metadata": {"labels": {"machine.openshift.io/cluster-api-machineset": "w"}},
                "spec": {"metadata": {"labels": {"node-role.kubernetes.io/infra": ""}},
                    "lifecycleHooks": {"preDrain": [{"name": "EtcdQuorumOperator", "owner": "clusteroperator/etcd"}]},
                    "taints": [{"key": "node-role.kubernetes.io/infra", "effect": "NoSchedule"}],
                    "providerSpec": {"value": {"kind": "AWSMachineProviderConfig", "anything": {"goes": 1}}}}}});
        let mut pruned = spec.clone();
        let mut f = Findings::default();
        check(&MACHINESET.spec, &mut pruned, None, "spec", &mut f);
        assert!(f.unknown.is_empty() && f.invalid.is_empty(), "{f:?}");
        assert_eq!(pruned, spec, "providerSpec.value is kept as sent");
    }

    #[test]
    fn types_enums_required_and_lengths() {
        let f = findings(json!({"replicas": "two", "deletePolicy": "Bogus",
            "template": {"spec": {"taints": [{"key": "k"}],
                "lifecycleHooks": {"preTerminate": [{"name": "ab", "owner": "me!"}]}}},
            "bogus": true}));
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "spec.replicas",
            "spec.deletePolicy",
            "spec.template.spec.taints[0].effect",
            "spec.template.spec.lifecycleHooks.preTerminate[0].name",
        ] {
            assert!(fields.contains(&want), "{want} not in {f:?}");
        }
        assert_eq!(f.unknown, ["spec.bogus"]);
    }

    fn machine_findings(mut spec: Value) -> (Findings, Value) {
        let mut f = Findings::default();
        check(&MACHINE.spec, &mut spec, None, "spec", &mut f);
        (f, spec)
    }

    #[test]
    fn machine_api_machines_pass_untouched_and_cluster_api_fields_are_unknown() {
        let mapi = json!({"providerID": "azure:///subscriptions/s/virtualMachines/w-1",
            "metadata": {"labels": {"node-role.kubernetes.io/worker": ""}},
            "lifecycleHooks": {"preDrain": [{"name": "example.com/KeepMe", "owner": "admin"}]},
            "taints": [{"key": "k", "effect": "NoExecute", "timeAdded": "2025-01-02T03:04:05Z"}],
            "providerSpec": {"value": {"kind": "AzureMachineProviderSpec", "vmSize": "Standard_D4s_v5"}}});
        let (f, pruned) = machine_findings(mapi.clone());
        assert!(f.unknown.is_empty() && f.invalid.is_empty(), "{f:?}");
        assert_eq!(pruned, mapi);
        // A Cluster API Machine's spec sent to the Machine API: its own fields are pruned.
        let capi = json!({"clusterName": "hc1-x7k2p", "providerID": "kubevirt://vm-1", "version": "4.18.1",
            "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha1", "kind": "KubevirtMachine", "name": "vm-1"},
            "bootstrap": {"dataSecretName": "user-data-np-1"}});
        let (f, pruned) = machine_findings(capi);
        assert!(f.invalid.is_empty(), "{f:?}");
        let mut unknown = f.unknown.clone();
        unknown.sort();
        assert_eq!(
            unknown,
            [
                "spec.bootstrap",
                "spec.clusterName",
                "spec.infrastructureRef",
                "spec.version"
            ]
        );
        assert_eq!(pruned, json!({"providerID": "kubevirt://vm-1"}));
    }

    #[test]
    fn machine_types_required_pattern_and_format() {
        let (f, _) = machine_findings(json!({"providerID": 7,
            "lifecycleHooks": {"preDrain": [{"name": "no spaces!", "owner": "admin"}, {"owner": "x"}]},
            "taints": [{"key": "k", "effect": "NoSchedule", "timeAdded": "yesterday"}],
            "providerSpec": {"value": "not an object"}, "replicas": 1}));
        let mut fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "spec.lifecycleHooks.preDrain[0].name",
                "spec.lifecycleHooks.preDrain[1].name",
                "spec.lifecycleHooks.preDrain[1].owner",
                "spec.providerID",
                "spec.providerSpec.value",
                "spec.taints[0].timeAdded",
            ],
            "{f:?}"
        );
        assert_eq!(f.unknown, ["spec.replicas"]);
        let msg = |field: &str| {
            f.invalid
                .iter()
                .find(|(p, _)| p == field)
                .map(|(_, m)| m.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            msg("spec.lifecycleHooks.preDrain[0].name"),
            format!(
                "Invalid value: \"no spaces!\": spec.lifecycleHooks.preDrain[0].name in body should match '{HOOK_NAME_RE}'"
            )
        );
        assert_eq!(
            msg("spec.taints[0].timeAdded"),
            "Invalid value: \"yesterday\": spec.taints[0].timeAdded in body must be of type date-time: \"yesterday\""
        );
        assert_eq!(
            msg("spec.providerID"),
            "Invalid value: \"integer\": spec.providerID in body must be of type string: \"integer\""
        );
    }

    #[test]
    fn machine_spec_is_the_machinesets_template_spec() {
        let set = MACHINESET.paths();
        let from_template: Vec<String> = set
            .iter()
            .filter_map(|(p, _)| {
                p.strip_prefix("spec.template.spec")
                    .map(|r| format!("spec{r}"))
            })
            .collect();
        let machine: Vec<String> = MACHINE.paths().into_iter().map(|(p, _)| p).collect();
        assert_eq!(from_template, machine);
    }
}
