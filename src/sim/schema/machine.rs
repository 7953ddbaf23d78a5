//! The Machine API's MachineSet (machine.openshift.io/v1beta1), as its CRD in OpenShift 4.18's
//! Default feature set declares `spec`: types, enums, required fields, the lifecycle hook name
//! and owner lengths, and the `replicas` default. `providerSpec.value` is preserved as sent
//! (`x-kubernetes-preserve-unknown-fields`), as on a real cluster. Not carried yet: the OpenAPI
//! `pattern` on lifecycle hook names.
//!
//! Machines are not validated: the sim keeps HyperShift's node-pool machines (Cluster API
//! `Machine`s on a real cluster, with `spec.infrastructureRef`) in the same group, and a Machine
//! API schema would prune their Cluster API fields.

use serde_json::{Value, json};

use super::node::{
    KindSchema, Node, Prop, array, boolean, integer, map, object, opaque, prop, string,
};

static STRING: Node = string();

static OWNER_REF: Node = object(&[
    prop("apiVersion", string()),
    prop("blockOwnerDeletion", boolean()),
    prop("controller", boolean()),
    prop("kind", string()),
    prop("name", string()),
    prop("uid", string()),
])
.req(&["apiVersion", "kind", "name", "uid"]);

/// The ObjectMeta subset the CRD declares for templates and the Node's metadata.
static META: [Prop; 6] = [
    prop("annotations", map(&STRING)),
    prop("generateName", string()),
    prop("labels", map(&STRING)),
    prop("name", string()),
    prop("namespace", string()),
    prop("ownerReferences", array(&OWNER_REF)),
];

static HOOK: Node = object(&[
    // The CRD also has an OpenAPI `pattern` on the name, which the schema language does not
    // carry yet: only its lengths are checked.
    prop("name", string().len(Some(3), Some(256))),
    prop("owner", string().len(Some(3), Some(512))),
])
.req(&["name", "owner"]);

static TAINT: Node = object(&[
    prop("effect", string()),
    prop("key", string()),
    prop("timeAdded", string()),
    prop("value", string()),
])
.req(&["effect", "key"]);

static MATCH_EXPRESSION: Node = object(&[
    prop("key", string()),
    prop("operator", string()),
    prop("values", array(&STRING)),
])
.req(&["key", "operator"]);

/// A Machine's `spec` (a MachineSet's `spec.template.spec`).
static MACHINE_SPEC: [Prop; 5] = [
    prop(
        "lifecycleHooks",
        object(&[
            prop("preDrain", array(&HOOK)),
            prop("preTerminate", array(&HOOK)),
        ]),
    ),
    prop("metadata", object(&META)),
    prop("providerID", string()),
    prop("providerSpec", object(&[prop("value", opaque())])),
    prop("taints", array(&TAINT)),
];

pub static MACHINESET: KindSchema = KindSchema {
    kind: "MachineSet",
    spec_required: false,
    rules: &[],
    defaults: &[("replicas", replicas_default)],
    spec: object(&[
        prop(
            "deletePolicy",
            string().one_of(&["Random", "Newest", "Oldest"]),
        ),
        prop("minReadySeconds", integer()),
        prop("replicas", integer()),
        prop(
            "selector",
            object(&[
                prop("matchExpressions", array(&MATCH_EXPRESSION)),
                prop("matchLabels", map(&STRING)),
            ]),
        ),
        prop(
            "template",
            object(&[
                prop("metadata", object(&META)),
                prop("spec", object(&MACHINE_SPEC)),
            ]),
        ),
    ]),
};

fn replicas_default() -> Value {
    json!(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::schema::check::{Findings, check};

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
}
