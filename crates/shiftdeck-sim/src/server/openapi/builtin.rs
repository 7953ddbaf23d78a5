//! Schemas of the built-in kinds from the k8s-openapi types: their `schemars` impls carry the
//! upstream descriptions, types, formats and required fields. The list semantics the API server
//! declares on them (`x-kubernetes-list-type`, map keys, patch merge keys) are not in those
//! impls, so the ones the sim's writes depend on are added here from `LISTS`.

use k8s_openapi::api::{authentication, authorization, certificates, core, policy, storage};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

fn add<T: JsonSchema>(generator: &mut SchemaGenerator) -> String {
    generator.subschema_for::<T>();
    T::schema_name().into_owned()
}

/// Register the schema of built-in kind `gr` (and everything it references) with `generator`;
/// its definition name, or None for a custom kind.
pub fn register(generator: &mut SchemaGenerator, gr: &str) -> Option<String> {
    Some(match gr {
        "namespaces" => add::<core::v1::Namespace>(generator),
        "nodes" => add::<core::v1::Node>(generator),
        "pods" => add::<core::v1::Pod>(generator),
        "services" => add::<core::v1::Service>(generator),
        "secrets" => add::<core::v1::Secret>(generator),
        "configmaps" => add::<core::v1::ConfigMap>(generator),
        "persistentvolumeclaims" => add::<core::v1::PersistentVolumeClaim>(generator),
        "events" => add::<core::v1::Event>(generator),
        "poddisruptionbudgets.policy" => add::<policy::v1::PodDisruptionBudget>(generator),
        "certificatesigningrequests.certificates.k8s.io" => {
            add::<certificates::v1::CertificateSigningRequest>(generator)
        }
        "storageclasses.storage.k8s.io" => add::<storage::v1::StorageClass>(generator),
        "customresourcedefinitions.apiextensions.k8s.io" => {
            add::<CustomResourceDefinition>(generator)
        }
        "selfsubjectreviews.authentication.k8s.io" => {
            add::<authentication::v1::SelfSubjectReview>(generator)
        }
        "selfsubjectaccessreviews.authorization.k8s.io" => {
            add::<authorization::v1::SelfSubjectAccessReview>(generator)
        }
        _ => return None,
    })
}

/// ObjectMeta, which every custom kind's schema references.
pub fn register_object_meta(generator: &mut SchemaGenerator) -> String {
    add::<ObjectMeta>(generator)
}

/// How a list property is merged: by key fields (`map`) or as a set of scalars.
enum ListType {
    Map(&'static [&'static str]),
    Set,
}

/// (definition name, property, list type): the associative lists of the built-in types the
/// sim serves, as their Go types declare them (`+listType`, `+listMapKey`, `+patchMergeKey`).
const LISTS: &[(&str, &str, ListType)] = &[
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "ownerReferences",
        ListType::Map(&["uid"]),
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "finalizers",
        ListType::Set,
    ),
    (
        "io.k8s.api.core.v1.NodeStatus",
        "addresses",
        ListType::Map(&["type"]),
    ),
    (
        "io.k8s.api.core.v1.NodeStatus",
        "conditions",
        ListType::Map(&["type"]),
    ),
    (
        "io.k8s.api.core.v1.PodStatus",
        "conditions",
        ListType::Map(&["type"]),
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "containers",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "initContainers",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "ephemeralContainers",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "volumes",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "imagePullSecrets",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.Container",
        "ports",
        ListType::Map(&["containerPort", "protocol"]),
    ),
    (
        "io.k8s.api.core.v1.Container",
        "env",
        ListType::Map(&["name"]),
    ),
    (
        "io.k8s.api.core.v1.Container",
        "volumeMounts",
        ListType::Map(&["mountPath"]),
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ports",
        ListType::Map(&["port", "protocol"]),
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimStatus",
        "conditions",
        ListType::Map(&["type"]),
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetStatus",
        "conditions",
        ListType::Map(&["type"]),
    ),
    (
        "io.k8s.api.certificates.v1.CertificateSigningRequestStatus",
        "conditions",
        ListType::Map(&["type"]),
    ),
];

/// Map keys whose value the API server defaults, so an item may omit them.
const KEY_DEFAULTS: &[(&str, &str, &str)] = &[
    ("io.k8s.api.core.v1.ContainerPort", "protocol", "TCP"),
    ("io.k8s.api.core.v1.ServicePort", "protocol", "TCP"),
];

/// Add the list extensions of `LISTS` and the key defaults to `defs`.
pub fn annotate(defs: &mut Map<String, Value>) {
    for (def, prop, lt) in LISTS {
        let Some(p) = defs
            .get_mut(*def)
            .and_then(|d| d.pointer_mut(&format!("/properties/{prop}")))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        match lt {
            ListType::Map(keys) => {
                p.insert("x-kubernetes-list-type".into(), json!("map"));
                p.insert("x-kubernetes-list-map-keys".into(), json!(keys));
                p.insert("x-kubernetes-patch-merge-key".into(), json!(keys[0]));
                p.insert("x-kubernetes-patch-strategy".into(), json!("merge"));
            }
            ListType::Set => {
                p.insert("x-kubernetes-list-type".into(), json!("set"));
                p.insert("x-kubernetes-patch-strategy".into(), json!("merge"));
            }
        }
    }
    for (def, prop, default) in KEY_DEFAULTS {
        if let Some(p) = defs
            .get_mut(*def)
            .and_then(|d| d.pointer_mut(&format!("/properties/{prop}")))
            .and_then(Value::as_object_mut)
        {
            p.insert("default".into(), json!(default));
        }
    }
}
