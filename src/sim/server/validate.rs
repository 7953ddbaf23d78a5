//! Object validation on create and update: type meta and namespace consistency (400) and the few
//! schema rules the sim enforces (422 Invalid with field causes).

use serde_json::Value;

use crate::sim::error::ApiError;
use crate::sim::resources::ResourceDef;

/// Check `obj` against the route it was sent to, filling in a missing namespace.
pub fn check_identity(
    res: &ResourceDef,
    route_ns: Option<&str>,
    obj: &mut Value,
) -> Result<(), ApiError> {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or(res.kind);
    let api_version = obj.get("apiVersion").and_then(Value::as_str);
    if kind != res.kind || api_version.is_some_and(|v| v != res.api_version()) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({})",
            api_version.unwrap_or(""),
            res.api_version()
        )));
    }
    if let Some(ns) = route_ns {
        let meta = crate::sim::store::ensure_object(obj, "metadata");
        match meta.get("namespace").and_then(Value::as_str) {
            None | Some("") => {
                meta.insert("namespace".into(), Value::String(ns.to_string()));
            }
            Some(other) if other != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            Some(_) => {}
        }
    } else if !res.namespaced
        && let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        m.remove("namespace");
    }
    Ok(())
}

fn missing(obj: &Value, ptr: &str) -> bool {
    match obj.pointer(ptr) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Schema rules of the kinds the sim cares about.
pub fn validate(res: &ResourceDef, obj: &Value) -> Result<(), ApiError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut causes: Vec<(&str, &str)> = Vec::new();
    match res.gr {
        "hostedclusters.hypershift.openshift.io" if missing(obj, "/spec/release/image") => {
            causes.push(("spec.release.image", "Required value"));
        }
        "nodepools.hypershift.openshift.io" => {
            if missing(obj, "/spec/clusterName") {
                causes.push(("spec.clusterName", "Required value"));
            }
            if obj.pointer("/spec/replicas").is_some_and(|r| !r.is_null())
                && obj
                    .pointer("/spec/autoScaling")
                    .is_some_and(|a| !a.is_null())
            {
                causes.push((
                    "spec",
                    "Invalid value: \"object\": only one of nodePool.Spec.Replicas or nodePool.Spec.AutoScaling can be set",
                ));
            }
            if obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .is_some_and(|r| r < 0)
            {
                causes.push((
                    "spec.replicas",
                    "Invalid value: must be greater than or equal to 0",
                ));
            }
        }
        "machinesets.machine.openshift.io"
            if obj
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .is_some_and(|r| r < 0) =>
        {
            causes.push((
                "spec.replicas",
                "Invalid value: must be greater than or equal to 0",
            ));
        }
        "certificatesigningrequests.certificates.k8s.io" => {
            if missing(obj, "/spec/request") {
                causes.push(("spec.request", "Required value"));
            }
            if missing(obj, "/spec/signerName") {
                causes.push(("spec.signerName", "Required value"));
            }
        }
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(res, name, causes))
    }
}
