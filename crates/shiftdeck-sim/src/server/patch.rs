//! PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), a strategic merge patch
//! that merges known lists by key, and server-side apply built on the latter.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::resources::ResourceDef;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        match ct {
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchType::Apply),
            other => Err(ApiError::unsupported_media(other)),
        }
    }

    /// The patch type of a request to `res`: strategic merge patch needs Go struct tags, so the
    /// API server refuses it (415) for custom resources.
    pub fn for_resource(res: &ResourceDef, ct: &str) -> Result<Self, ApiError> {
        let pt = Self::from_content_type(ct)?;
        if pt == PatchType::Strategic && res.crd {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml ({ct})"
                ),
            ));
        }
        Ok(pt)
    }
}

fn bad_patch(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("error decoding patch: {e}"))
}

/// Parse a patch body of `pt`.
pub fn decode(pt: PatchType, body: &[u8]) -> Result<Value, ApiError> {
    let v: Value = match pt {
        PatchType::Apply => serde_yaml::from_slice(body).map_err(bad_patch)?,
        _ => serde_json::from_slice(body).map_err(bad_patch)?,
    };
    match (pt, &v) {
        (PatchType::Json, Value::Array(_)) => Ok(v),
        (PatchType::Json, _) => Err(bad_patch("a JSON patch must be an array of operations")),
        (_, Value::Object(_)) => Ok(v),
        _ => Err(bad_patch("the patch must be an object")),
    }
}

/// Apply `patch` (already decoded) to `doc`.
pub fn apply(pt: PatchType, doc: &mut Value, patch: &Value) -> Result<(), ApiError> {
    match pt {
        PatchType::Merge => {
            json_patch::merge(doc, patch);
            Ok(())
        }
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(bad_patch)?;
            json_patch::patch(doc, &p).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })
        }
        PatchType::Strategic | PatchType::Apply => {
            strategic_merge(doc, patch);
            Ok(())
        }
    }
}

/// The key list items are merged by, per list field name (the `patchMergeKey` of the
/// built-in types). Lists without a patch strategy, such as Node `spec.taints` and Pod
/// `tolerations`, are replaced whole.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "conditions" | "addresses" => "type",
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "containerStatuses"
        | "initContainerStatuses" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ownerReferences" => "uid",
        _ => return None,
    })
}

fn strategic_merge(doc: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *doc = patch.clone();
        return;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replaced = p.clone();
        replaced.remove("$patch");
        *doc = Value::Object(replaced);
        return;
    }
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(d) = doc else { return };
    for (k, v) in p {
        if k.starts_with('$') {
            // $setElementOrder/..., $retainKeys, $deleteFromPrimitiveList/...: ordering hints.
            continue;
        }
        if v.is_null() {
            d.remove(k);
            continue;
        }
        match (d.get_mut(k), v) {
            (Some(existing @ Value::Array(_)), Value::Array(items)) => match merge_key(k) {
                Some(key) if items.iter().all(Value::is_object) => {
                    merge_list(existing, items, key);
                }
                _ => *existing = Value::Array(items.iter().map(strip_directives).collect()),
            },
            (Some(existing @ Value::Object(_)), Value::Object(_)) => strategic_merge(existing, v),
            _ => {
                d.insert(k.clone(), strip_directives(v));
            }
        }
    }
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

fn merge_list(existing: &mut Value, items: &[Value], key: &str) {
    let Value::Array(list) = existing else { return };
    for item in items {
        let id = item.get(key);
        let pos = id.and_then(|id| list.iter().position(|e| e.get(key) == Some(id)));
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                list.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge(&mut list[i], item),
            (None, false) => list.push(strip_directives(item)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merges_lists_by_key() {
        let mut doc = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "A", "status": "True"}]},
            "spec": {"taints": [{"key": "k1", "effect": "NoSchedule"}], "list": [1, 2]}});
        let patch = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "B", "status": "True"}]},
            "spec": {"taints": [], "list": [3], "$setElementOrder/taints": []}});
        apply(PatchType::Strategic, &mut doc, &patch).expect("patches");
        assert_eq!(
            doc["status"]["conditions"].as_array().map(Vec::len),
            Some(3)
        );
        assert_eq!(doc["status"]["conditions"][0]["status"], json!("True"));
        assert_eq!(doc["spec"]["taints"], json!([]));
        assert_eq!(doc["spec"]["list"], json!([3]));
        assert!(doc["spec"].get("$setElementOrder/taints").is_none());
    }

    #[test]
    fn merge_and_json_patches() {
        let mut doc = json!({"a": {"b": 1, "c": 2}});
        apply(
            PatchType::Merge,
            &mut doc,
            &json!({"a": {"b": null, "d": 3}}),
        )
        .expect("merge");
        assert_eq!(doc, json!({"a": {"c": 2, "d": 3}}));
        let p = decode(
            PatchType::Json,
            br#"[{"op":"replace","path":"/a/c","value":5}]"#,
        )
        .expect("decodes");
        apply(PatchType::Json, &mut doc, &p).expect("json patch");
        assert_eq!(doc["a"]["c"], json!(5));
        let bad = decode(PatchType::Json, br#"[{"op":"remove","path":"/nope"}]"#).expect("decodes");
        assert_eq!(
            apply(PatchType::Json, &mut doc, &bad).map_err(|e| e.code),
            Err(422)
        );
        assert!(decode(PatchType::Merge, b"{nope").is_err());
    }
}
