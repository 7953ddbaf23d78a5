//! Walk an object against a schema node the way the API server's structural schema handling
//! does: prune unknown fields and nulls (reporting the unknown ones), then validate types,
//! required fields, enums, bounds, patterns, formats and the immutability and CEL pattern rules
//! against the stored object.

use serde_json::Value;

use super::node::{Immutable, Node, Ty};

/// What a walk found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Paths of fields the schema does not declare (pruned from the object).
    pub unknown: Vec<String>,
    /// (field path, message) of every validation failure.
    pub invalid: Vec<(String, String)>,
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_ok(n: &Node, v: &Value) -> bool {
    match n.ty {
        Ty::String => v.is_string(),
        Ty::Integer => v.is_i64() || v.is_u64(),
        Ty::Boolean => v.is_boolean(),
        Ty::Object(_) | Ty::Map(_) | Ty::Opaque => v.is_object(),
        Ty::Array(_) => v.is_array(),
    }
}

/// Check `v` (pruned in place) at `path` against `n`; `old` is the stored value at that path.
pub fn check(n: &Node, v: &mut Value, old: Option<&Value>, path: &str, f: &mut Findings) {
    if !type_ok(n, v) {
        let t = json_type(v);
        f.invalid.push((
            path.to_string(),
            format!(
                "Invalid value: \"{t}\": {path} in body must be of type {}: \"{t}\"",
                n.type_name()
            ),
        ));
        return;
    }
    scalar_rules(n, v, old, path, f);
    match (&n.ty, v) {
        (Ty::Object(props), Value::Object(map)) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let declared = props.iter().find(|p| p.name == k);
                let is_null = map.get(&k).is_some_and(Value::is_null);
                match declared {
                    None => {
                        map.remove(&k);
                        if !is_null {
                            f.unknown.push(join(path, &k));
                        }
                    }
                    Some(_) if is_null => {
                        map.remove(&k);
                    }
                    Some(p) => {
                        let old_child = old.and_then(|o| o.get(&k));
                        if let Some(child) = map.get_mut(&k) {
                            check(&p.node, child, old_child, &join(path, &k), f);
                        }
                    }
                }
            }
            required(n, map, path, f);
            if let Some(max) = n.max_properties
                && map.len() > max
            {
                f.invalid.push((
                    path.to_string(),
                    format!("Too many: {}: must have at most {max} items", map.len()),
                ));
            }
        }
        (Ty::Map(values), Value::Object(map)) => {
            if let Some(max) = n.max_properties
                && map.len() > max
            {
                f.invalid.push((
                    path.to_string(),
                    format!("Too many: {}: must have at most {max} items", map.len()),
                ));
            }
            for (k, child) in map.iter_mut() {
                let old_child = old.and_then(|o| o.get(k));
                check(values, child, old_child, &join(path, k), f);
            }
        }
        (Ty::Array(items), Value::Array(list)) => {
            if let Some(max) = n.max_items
                && list.len() > max
            {
                f.invalid.push((
                    path.to_string(),
                    format!("Too many: {}: must have at most {max} items", list.len()),
                ));
            }
            for (i, child) in list.iter_mut().enumerate() {
                // List items are not matched to old ones: immutability rules inside lists are
                // not modelled (none of the modelled kinds has one).
                check(items, child, None, &format!("{path}[{i}]"), f);
            }
        }
        (Ty::Opaque, Value::Object(map)) => required(n, map, path, f),
        _ => {}
    }
}

fn required(n: &Node, map: &serde_json::Map<String, Value>, path: &str, f: &mut Findings) {
    for r in n.required {
        if !map.contains_key(*r) {
            f.invalid
                .push((join(path, r), "Required value".to_string()));
        }
    }
}

/// The `date-time` format as the API server's format checker reads it: RFC 3339, or the same
/// without a zone (ISO 8601 local time), fractions of a second allowed.
fn date_time(s: &str) -> bool {
    crate::time::parse(s).is_some()
        || k8s_openapi::jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S%.f", s).is_ok()
}

fn scalar_rules(n: &Node, v: &Value, old: Option<&Value>, path: &str, f: &mut Findings) {
    let mut bad = |m: String| f.invalid.push((path.to_string(), m));
    if let Value::String(s) = v {
        if !n.enum_.is_empty() && !n.enum_.contains(&s.as_str()) {
            let list: Vec<String> = n.enum_.iter().map(|e| format!("{e:?}")).collect();
            bad(format!(
                "Unsupported value: {s:?}: supported values: {}",
                list.join(", ")
            ));
        }
        let chars = s.chars().count();
        if let Some(min) = n.min_length
            && chars < min
        {
            bad(format!(
                "Invalid value: {s:?}: {path} in body should be at least {min} chars long"
            ));
        }
        if let Some(max) = n.max_length
            && chars > max
        {
            bad(format!(
                "Invalid value: {s:?}: {path} in body should be at most {max} chars long"
            ));
        }
        if let Some(re) = n.pattern
            && !regex::Regex::new(re).is_ok_and(|r| r.is_match(s))
        {
            bad(format!(
                "Invalid value: {s:?}: {path} in body should match '{re}'"
            ));
        }
        if n.format == Some("date-time") && !date_time(s) {
            bad(format!(
                "Invalid value: {s:?}: {path} in body must be of type date-time: {s:?}"
            ));
        }
        if let Some((re, message, empty_ok)) = n.matches
            && !(empty_ok && s.is_empty())
            && !regex::Regex::new(re).is_ok_and(|r| r.is_match(s))
        {
            bad(format!("Invalid value: \"string\": {message}"));
        }
    }
    if let Some(i) = v.as_i64() {
        if let Some(min) = n.minimum
            && i < min
        {
            bad(format!(
                "Invalid value: {i}: {path} in body should be greater than or equal to {min}"
            ));
        }
        if let Some(max) = n.maximum
            && i > max
        {
            bad(format!(
                "Invalid value: {i}: {path} in body should be less than or equal to {max}"
            ));
        }
    }
    if let (Some((how, message)), Some(old)) = (n.immutable, old) {
        let unset = old.as_str() == Some("");
        if old != v && !(how == Immutable::OnceSet && unset) {
            bad(format!("Invalid value: \"{}\": {message}", json_type(v)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::hypershift::NODEPOOL;
    use serde_json::json;

    fn run(spec: Value, old: Option<Value>) -> Findings {
        let mut f = Findings::default();
        let mut v = spec;
        check(&NODEPOOL.spec, &mut v, old.as_ref(), "spec", &mut f);
        f
    }

    #[test]
    fn types_required_enums_and_immutability() {
        let base = json!({"clusterName": "hc1", "release": {"image": "quay.io/r:1"},
            "management": {"upgradeType": "Replace"}, "platform": {"type": "KubeVirt"}, "replicas": 2});
        assert!(run(base.clone(), None).invalid.is_empty());
        let mut bad = base.clone();
        bad["replicas"] = json!("two");
        bad["arch"] = json!("x86");
        bad["bogus"] = json!(1);
        let f = run(bad, None);
        assert_eq!(f.unknown, ["spec.bogus"]);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(fields, ["spec.replicas", "spec.arch"], "{:?}", f.invalid);
        let mut moved = base.clone();
        moved["clusterName"] = json!("other");
        let f = run(moved, Some(base.clone()));
        assert_eq!(f.invalid.len(), 1);
        assert!(f.invalid[0].1.contains("ClusterName is immutable"));
        let f = run(json!({"platform": {}}), None);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        assert!(fields.contains(&"spec.clusterName") && fields.contains(&"spec.platform.type"));
    }
}
