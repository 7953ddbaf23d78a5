//! Built-in kinds decoded as the API server decodes them, through the k8s-openapi types: a
//! value of the wrong type is a decode error, and a field the type does not have is an unknown
//! field (found by comparing the body with the typed value's own serialization).

use k8s_openapi::api::{certificates, core, policy, storage};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decode `obj` as `T`: the unknown field paths, or the decode error.
fn typed<T: DeserializeOwned + Serialize>(obj: &Value) -> Result<Vec<String>, String> {
    let t: T = serde_json::from_value(obj.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&t).map_err(|e| e.to_string())?;
    let mut unknown = Vec::new();
    diff(obj, &back, "", &mut unknown);
    Ok(unknown)
}

/// Keys of `sent` (not null) that `known` lacks, as dotted paths with `[i]` for list items.
fn diff(sent: &Value, known: &Value, path: &str, out: &mut Vec<String>) {
    match (sent, known) {
        (Value::Object(s), Value::Object(k)) => {
            for (key, v) in s {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match k.get(key) {
                    None if !v.is_null() => out.push(p),
                    Some(kv) => diff(v, kv, &p, out),
                    None => {}
                }
            }
        }
        (Value::Array(s), Value::Array(k)) => {
            for (i, (sv, kv)) in s.iter().zip(k).enumerate() {
                diff(sv, kv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Unknown fields of a built-in object, or its decode error; None for kinds not decoded here
/// (custom kinds and reviews).
pub fn decode(gr: &str, obj: &Value) -> Option<Result<Vec<String>, String>> {
    Some(match gr {
        "namespaces" => typed::<core::v1::Namespace>(obj),
        "nodes" => typed::<core::v1::Node>(obj),
        "pods" => typed::<core::v1::Pod>(obj),
        "services" => typed::<core::v1::Service>(obj),
        "secrets" => typed::<core::v1::Secret>(obj),
        "configmaps" => typed::<core::v1::ConfigMap>(obj),
        "persistentvolumeclaims" => typed::<core::v1::PersistentVolumeClaim>(obj),
        "events" => typed::<core::v1::Event>(obj),
        "poddisruptionbudgets.policy" => typed::<policy::v1::PodDisruptionBudget>(obj),
        "certificatesigningrequests.certificates.k8s.io" => {
            typed::<certificates::v1::CertificateSigningRequest>(obj)
        }
        "storageclasses.storage.k8s.io" => typed::<storage::v1::StorageClass>(obj),
        "customresourcedefinitions.apiextensions.k8s.io" => typed::<CustomResourceDefinition>(obj),
        _ => return None,
    })
}

/// Unknown fields of an object's `metadata` (custom kinds too), or its decode error.
pub fn metadata(obj: &Value) -> Result<Vec<String>, String> {
    match obj.get("metadata") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(m) => {
            typed::<ObjectMeta>(m).map(|u| u.into_iter().map(|p| format!("metadata.{p}")).collect())
        }
    }
}
