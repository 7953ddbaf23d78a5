//! Field sets as structured-merge-diff has them: each member is a path of elements `f:<field>`,
//! `k:<key fields as JSON>` (an item of an associative list) or `v:<value as JSON>` (an item of
//! a set), serialized as FieldsV1 (a tree where `{}` is a leaf member and `"."` marks an inner
//! node that is a member itself). The paths of an object are found by walking it along its
//! OpenAPI schema (`Walker`), which says which lists are associative and by which keys.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

pub type Path = Vec<String>;
pub type FieldSet = BTreeSet<Path>;

/// How a list merges.
pub enum ListKind {
    Atomic,
    Set,
    /// Associative by these key fields, each with the value it defaults to when omitted.
    Map(Vec<(String, Option<Value>)>),
}

/// Walks an OpenAPI v3 schema, resolving `$ref`s against its definitions. A missing schema
/// (unknown or preserve-unknown-fields parts) is walked as structured-merge-diff deduces it:
/// objects field by field, lists atomic.
#[derive(Clone, Copy)]
pub struct Walker<'a> {
    pub defs: &'a Map<String, Value>,
}

impl<'a> Walker<'a> {
    fn resolve(&self, s: Option<&'a Value>) -> Option<&'a Value> {
        let s = s?;
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            return self.resolve(self.defs.get(name));
        }
        match s.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 && s.get("properties").is_none() => {
                self.resolve(all.first())
            }
            _ => Some(s),
        }
    }

    /// The schema of field `name` of an object (a declared property or the map's values).
    pub fn field(&self, s: Option<&'a Value>, name: &str) -> Option<&'a Value> {
        let r = self.resolve(s)?;
        r.get("properties")
            .and_then(|p| p.get(name))
            .or_else(|| r.get("additionalProperties").filter(|a| a.is_object()))
    }

    pub fn items(&self, s: Option<&'a Value>) -> Option<&'a Value> {
        self.resolve(s)?.get("items")
    }

    pub fn list_kind(&self, s: Option<&'a Value>) -> ListKind {
        let Some(r) = s else {
            return ListKind::Atomic;
        };
        let ext = |k: &str| {
            r.get(k)
                .or_else(|| self.resolve(Some(r)).and_then(|x| x.get(k)))
        };
        match ext("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("set") => ListKind::Set,
            Some("map") => {
                let item = self.items(Some(r));
                let keys = ext("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|ks| {
                        ks.iter()
                            .filter_map(Value::as_str)
                            .map(|k| {
                                let default =
                                    self.field(item, k).and_then(|f| f.get("default")).cloned();
                                (k.to_string(), default)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ListKind::Map(keys)
            }
            _ => ListKind::Atomic,
        }
    }
}

/// The `k:` element of an associative list item, or None when it lacks a key without default.
pub fn key_element(item: &Value, keys: &[(String, Option<Value>)]) -> Option<String> {
    let mut sorted: Vec<&(String, Option<Value>)> = keys.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut m = Map::new();
    for (k, default) in sorted {
        let v = item.get(k).cloned().or_else(|| default.clone())?;
        m.insert(k.clone(), v);
    }
    Some(format!("k:{}", Value::Object(m)))
}

pub fn value_element(v: &Value) -> String {
    format!("v:{v}")
}

/// Every member path of `v` (walked along schema `s`) under `path`.
pub fn collect(w: Walker<'_>, v: &Value, s: Option<&Value>, path: &mut Path, out: &mut FieldSet) {
    match v {
        Value::Object(m) => {
            if m.is_empty() {
                if !path.is_empty() {
                    out.insert(path.clone());
                }
                return;
            }
            for (k, cv) in m {
                path.push(format!("f:{k}"));
                collect(w, cv, w.field(s, k), path, out);
                path.pop();
            }
        }
        Value::Array(items) => match w.list_kind(s) {
            ListKind::Map(keys) if !keys.is_empty() => {
                let item_schema = w.items(s);
                for item in items {
                    let Some(e) = key_element(item, &keys) else {
                        // An item without its key cannot be addressed: own the list whole.
                        out.insert(path.clone());
                        return;
                    };
                    path.push(e);
                    out.insert(path.clone());
                    if let Value::Object(im) = item {
                        for (k, cv) in im {
                            path.push(format!("f:{k}"));
                            collect(w, cv, w.field(item_schema, k), path, out);
                            path.pop();
                        }
                    }
                    path.pop();
                }
            }
            ListKind::Set => {
                for item in items {
                    path.push(value_element(item));
                    out.insert(path.clone());
                    path.pop();
                }
            }
            _ => {
                out.insert(path.clone());
            }
        },
        _ => {
            out.insert(path.clone());
        }
    }
}

/// Whether `p` is a leaf of `set`: no other member lies under it.
pub fn is_leaf(set: &FieldSet, p: &Path) -> bool {
    set.range(p.clone()..)
        .nth(1)
        .is_none_or(|next| !next.starts_with(p))
}

/// The value at `path` in `v`.
pub fn value_at<'v>(
    w: Walker<'_>,
    v: &'v Value,
    s: Option<&Value>,
    path: &[String],
) -> Option<&'v Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    if let Some(f) = first.strip_prefix("f:") {
        return value_at(w, v.get(f)?, w.field(s, f), rest);
    }
    let i = index_in(w, v, s, first)?;
    value_at(w, v.get(i)?, w.items(s), rest)
}

/// The index of list element `e` (`k:` or `v:`) in list `v`.
fn index_in(w: Walker<'_>, v: &Value, s: Option<&Value>, e: &str) -> Option<usize> {
    let items = v.as_array()?;
    if e.starts_with("v:") {
        return items.iter().position(|it| value_element(it) == e);
    }
    match w.list_kind(s) {
        ListKind::Map(keys) => items
            .iter()
            .position(|it| key_element(it, &keys).as_deref() == Some(e)),
        _ => None,
    }
}

/// Remove the member at `path` from `v` (a field, or a list item).
pub fn remove_at(w: Walker<'_>, v: &mut Value, s: Option<&Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if let Some(f) = first.strip_prefix("f:") {
        let Some(o) = v.as_object_mut() else { return };
        if rest.is_empty() {
            o.remove(f);
        } else if let Some(child) = o.get_mut(f) {
            remove_at(w, child, w.field(s, f), rest);
        }
        return;
    }
    let Some(i) = index_in(w, v, s, first) else {
        return;
    };
    let Some(items) = v.as_array_mut() else {
        return;
    };
    if rest.is_empty() {
        items.remove(i);
    } else if let Some(item) = items.get_mut(i) {
        remove_at(w, item, w.items(s), rest);
    }
}

/// `set` as FieldsV1 JSON.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    #[derive(Default)]
    struct Node {
        member: bool,
        children: std::collections::BTreeMap<String, Node>,
    }
    fn render(n: &Node) -> Value {
        let mut m = Map::new();
        if n.member && !n.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, c) in &n.children {
            m.insert(k.clone(), render(c));
        }
        Value::Object(m)
    }
    let mut root = Node::default();
    for p in set {
        let mut n = &mut root;
        for e in p {
            n = n.children.entry(e.clone()).or_default();
        }
        n.member = true;
    }
    render(&root)
}

/// FieldsV1 JSON as a set.
pub fn from_fields_v1(v: &Value) -> FieldSet {
    fn walk(v: &Value, path: &mut Path, out: &mut FieldSet) {
        let Some(m) = v.as_object() else { return };
        if m.is_empty() {
            if !path.is_empty() {
                out.insert(path.clone());
            }
            return;
        }
        for (k, c) in m {
            if k == "." {
                out.insert(path.clone());
                continue;
            }
            path.push(k.clone());
            walk(c, path, out);
            path.pop();
        }
    }
    let mut out = FieldSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// A path as the API server prints it in conflicts: `.spec.replicas`,
/// `.spec.containers[name="web"].image`, `.metadata.finalizers[="x"]`.
pub fn path_string(p: &Path) -> String {
    let mut s = String::new();
    for e in p {
        if let Some(f) = e.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = e.strip_prefix("k:") {
            let fields: Vec<String> = serde_json::from_str::<Map<String, Value>>(k)
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            s.push_str(&format!("[{}]", fields.join(",")));
        } else if let Some(v) = e.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_and_round_trips_fields_v1() {
        let defs: Map<String, Value> = serde_json::from_value(json!({
            "Spec": {"type": "object", "properties": {
                "containers": {"type": "array", "items": {"$ref": "#/components/schemas/C"},
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "args": {"type": "array", "items": {"type": "string"}}}},
            "C": {"type": "object", "properties": {"name": {"type": "string"}, "image": {"type": "string"}}}
        }))
        .expect("defs");
        let w = Walker { defs: &defs };
        let root = json!({"properties": {"spec": {"$ref": "#/components/schemas/Spec"}}});
        let obj = json!({"spec": {"containers": [{"name": "web", "image": "a"}],
            "finalizers": ["x"], "args": ["1", "2"], "empty": {}}});
        let mut set = FieldSet::new();
        collect(w, &obj, Some(&root), &mut Vec::new(), &mut set);
        let v1 = to_fields_v1(&set);
        assert_eq!(
            v1,
            json!({"f:spec": {"f:args": {}, "f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}},
                "f:empty": {}, "f:finalizers": {"v:\"x\"": {}}}})
        );
        assert_eq!(from_fields_v1(&v1), set);
        let image: Path = vec![
            "f:spec".into(),
            "f:containers".into(),
            "k:{\"name\":\"web\"}".into(),
            "f:image".into(),
        ];
        assert_eq!(path_string(&image), ".spec.containers[name=\"web\"].image");
        assert_eq!(value_at(w, &obj, Some(&root), &image), Some(&json!("a")));
        let item = image[..3].to_vec();
        assert!(!is_leaf(&set, &item) && is_leaf(&set, &image));
        let mut o = obj.clone();
        remove_at(w, &mut o, Some(&root), &item);
        assert_eq!(o["spec"]["containers"], json!([]));
    }
}
