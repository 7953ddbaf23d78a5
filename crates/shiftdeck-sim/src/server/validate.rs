//! Object validation on create and update: type meta and namespace consistency (400), decoding
//! and unknown fields per `fieldValidation` (400 Strict, a warning for Warn), schema rules of
//! custom kinds (422 Invalid with field causes) and the update rules of built-in kinds.

use serde_json::Value;

use super::handler::Ctx;
use super::options::FieldValidation;
use crate::error::ApiError;
use crate::resources::ResourceDef;
use crate::schema::{self, check};

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
        let meta = crate::store::ensure_object(obj, "metadata");
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

fn cannot_handle(res: &ResourceDef, why: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{kind} in version \"{v}\" cannot be handled as a {kind}: {why}",
        kind = res.kind,
        v = res.version
    ))
}

/// Remove the field at a dotted path (with `[i]` list steps) from `obj`.
fn remove_path(obj: &mut Value, path: &str) {
    let mut steps: Vec<String> = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((k, rest)) => {
                steps.push(k.to_string());
                for idx in rest.split('[') {
                    steps.push(format!("#{}", idx.trim_end_matches(']')));
                }
            }
            None => steps.push(part.to_string()),
        }
    }
    let Some((last, parents)) = steps.split_last() else {
        return;
    };
    let mut cur = obj;
    for s in parents {
        let next = match s.strip_prefix('#') {
            Some(i) => i.parse::<usize>().ok().and_then(|i| cur.get_mut(i)),
            None => cur.get_mut(s.as_str()),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(m) = cur.as_object_mut() {
        m.remove(last);
    }
}

/// Decode, prune and validate `obj` (the whole object about to be stored) as the API server
/// would for a create or update; `old` is the stored object on update. Unknown fields are
/// refused (Strict), reported as warnings (Warn) or dropped silently (Ignore); fields the stored
/// object already had are not reported again.
pub fn admit(
    ctx: &Ctx,
    res: &ResourceDef,
    obj: &mut Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    if let Some(o) = obj.as_object_mut() {
        o.insert("apiVersion".into(), Value::String(res.api_version()));
        o.insert("kind".into(), Value::String(res.kind.to_string()));
    }
    let mut unknown = schema::builtin::metadata(obj).map_err(|e| cannot_handle(res, &e))?;
    let mut invalid: Vec<(String, String)> = Vec::new();
    if let Some(decoded) = schema::builtin::decode(res.gr, obj) {
        unknown.extend(decoded.map_err(|e| cannot_handle(res, &e))?);
    } else if let Some(ks) = schema::custom(res.gr) {
        let old_spec = old.and_then(|o| o.get("spec"));
        let known_top = ["apiVersion", "kind", "metadata", "spec", "status"];
        if let Some(map) = obj.as_object() {
            unknown.extend(
                map.keys()
                    .filter(|k| !known_top.contains(&k.as_str()))
                    .cloned(),
            );
        }
        let mut f = check::Findings::default();
        match obj.get_mut("spec") {
            Some(spec) if !spec.is_null() => {
                if let Some(m) = spec.as_object_mut() {
                    for (k, d) in ks.defaults {
                        m.entry(k.to_string()).or_insert_with(d);
                    }
                }
                check::check(&ks.spec, spec, old_spec, "spec", &mut f);
                if f.invalid.is_empty() {
                    for r in ks.rules.iter().filter(|r| (r.broken)(spec, old_spec)) {
                        f.invalid.push((
                            r.field.to_string(),
                            format!("Invalid value: \"object\": {}", r.message),
                        ));
                    }
                }
            }
            _ if ks.spec_required => f.invalid.push(("spec".into(), "Required value".into())),
            _ => {}
        }
        unknown.extend(f.unknown);
        invalid = f.invalid;
    }
    // `metadata` is checked on its own and again as part of a built-in kind: name each once.
    let mut seen = std::collections::HashSet::new();
    unknown.retain(|u| seen.insert(u.clone()));
    if let Some(old) = old {
        // Fields already stored were accepted before; only new ones are news.
        let mut cmp = old.clone();
        if let Ok(old_unknown) = admit_probe(res, &mut cmp) {
            unknown.retain(|u| !old_unknown.contains(u));
        }
    }
    for u in &unknown {
        remove_path(obj, u);
    }
    if !unknown.is_empty() {
        match ctx.opts.field_validation {
            FieldValidation::Strict => {
                let list: Vec<String> = unknown
                    .iter()
                    .map(|u| format!("unknown field {u:?}"))
                    .collect();
                return Err(cannot_handle(
                    res,
                    &format!("strict decoding error: {}", list.join(", ")),
                ));
            }
            FieldValidation::Warn => {
                for u in &unknown {
                    ctx.warn(format!("unknown field {u:?}"));
                }
            }
            FieldValidation::Ignore => {}
        }
    }
    invalid.extend(builtin_update_rules(res, obj, old));
    if !invalid.is_empty() {
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let causes: Vec<(&str, &str)> = invalid
            .iter()
            .map(|(f, m)| (f.as_str(), m.as_str()))
            .collect();
        return Err(ApiError::invalid(res, name, causes));
    }
    validate(res, obj)
}

/// The unknown field paths of a stored object (its own, not a request's).
fn admit_probe(res: &ResourceDef, obj: &mut Value) -> Result<Vec<String>, String> {
    let mut unknown = schema::builtin::metadata(obj)?;
    if let Some(d) = schema::builtin::decode(res.gr, obj) {
        unknown.extend(d?);
    } else if let Some(ks) = schema::custom(res.gr)
        && let Some(spec) = obj.get_mut("spec")
    {
        let mut f = check::Findings::default();
        check::check(&ks.spec, spec, None, "spec", &mut f);
        unknown.extend(f.unknown);
    }
    Ok(unknown)
}

/// Update rules of built-in kinds that a schema cannot say.
fn builtin_update_rules(
    res: &ResourceDef,
    obj: &mut Value,
    old: Option<&Value>,
) -> Vec<(String, String)> {
    let Some(old) = old else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match res.gr {
        "nodes" => {
            // podCIDR(s) and providerID may go from unset to set, never change after.
            for (field, msg) in [
                (
                    "podCIDR",
                    "node updates may not change podCIDR except from \"\" to valid",
                ),
                (
                    "podCIDRs",
                    "node updates may not change podCIDR except from \"\" to valid",
                ),
                (
                    "providerID",
                    "node updates may not change providerID except from \"\" to valid",
                ),
            ] {
                let was = old.pointer(&format!("/spec/{field}"));
                let now = obj.pointer(&format!("/spec/{field}"));
                let unset = match was {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.is_empty(),
                    Some(Value::Array(a)) => a.is_empty(),
                    _ => false,
                };
                if !unset && was != now {
                    let path = if field == "podCIDR" {
                        "spec.podCIDRs"
                    } else {
                        "spec.providerID"
                    };
                    if !out.iter().any(|(p, _): &(String, String)| p == path) {
                        out.push((path.to_string(), format!("Forbidden: {msg}")));
                    }
                }
            }
        }
        "namespaces" => {
            // The Namespace strategy: spec.finalizers change through `/finalize` only.
            let kept = old.pointer("/spec/finalizers").cloned();
            if let Some(o) = obj.as_object_mut() {
                let spec = o.entry("spec").or_insert_with(|| serde_json::json!({}));
                if let Some(spec) = spec.as_object_mut() {
                    match kept {
                        Some(f) => {
                            spec.insert("finalizers".into(), f);
                        }
                        None => {
                            spec.remove("finalizers");
                        }
                    }
                }
            }
        }
        "certificatesigningrequests.certificates.k8s.io" => {
            // The CSR strategy puts the stored spec back on every update: it cannot change.
            if let (Some(o), Some(spec)) = (obj.as_object_mut(), old.get("spec")) {
                o.insert("spec".into(), spec.clone());
            }
        }
        _ => {}
    }
    out
}
