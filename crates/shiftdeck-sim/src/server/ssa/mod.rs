//! Field ownership (`metadata.managedFields`) and server-side apply. Every write through the API
//! records which manager set which fields: apply patches as an `Apply` entry holding exactly the
//! fields applied, other writes (create, update, patches) as an `Update` entry holding the fields
//! they changed, taken away from whoever held them. An apply that would change a field another
//! manager holds is refused with 409 (`force=true` takes the field over); fields an applier
//! stops applying, and that nobody else holds, are removed; the fields of an object without
//! managed fields are `before-first-apply`'s at its first apply. Lists merge as the kind's schema
//! says (`openapi::kind_schema`): associative lists by key, sets by value, others atomic.

pub mod fieldset;
mod merge;

use serde_json::{Map, Value, json};

use super::openapi;
use crate::error::ApiError;
use crate::resources::ResourceDef;
use fieldset::{FieldSet, Path, Walker};

/// Metadata fields that belong to the server, never to a manager.
const SERVER_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Who writes: the manager's name and the subresource written (None: the main resource).
pub struct Writer<'a> {
    pub manager: &'a str,
    pub subresource: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    apply: bool,
    api_version: String,
    time: String,
    subresource: Option<String>,
    fields: FieldSet,
}

impl Entry {
    fn parse(v: &Value) -> Option<Entry> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Entry {
            manager: s("manager").unwrap_or_default(),
            apply: s("operation").as_deref() == Some("Apply"),
            api_version: s("apiVersion").unwrap_or_default(),
            time: s("time").unwrap_or_default(),
            subresource: s("subresource"),
            fields: fieldset::from_fields_v1(v.get("fieldsV1")?),
        })
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        let op = if self.apply { "Apply" } else { "Update" };
        m.insert("operation".into(), json!(op));
        m.insert("apiVersion".into(), json!(self.api_version));
        m.insert("time".into(), json!(self.time));
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), fieldset::to_fields_v1(&self.fields));
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), json!(s));
        }
        Value::Object(m)
    }

    fn is(&self, w: &Writer<'_>, apply: bool) -> bool {
        self.manager == w.manager
            && self.apply == apply
            && self.subresource.as_deref() == w.subresource
    }

    /// How a conflict names this manager (as the API server's conflict error does).
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if !self.apply {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

fn entries(obj: &Value) -> Vec<Entry> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Entry::parse).collect())
        .unwrap_or_default()
}

fn store_entries(obj: &mut Value, list: Vec<Entry>) {
    let list: Vec<Value> = list
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| e.to_value())
        .collect();
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        if list.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(list));
        }
    }
}

fn now() -> String {
    crate::time::rfc3339_secs(crate::time::Timestamp::now())
}

/// The fields of `obj` a manager can own through `w`: not the server's metadata, not
/// apiVersion/kind; only `status` through the status subresource, and no `status` through the
/// main resource of a kind that has one.
fn tracked(
    res: &ResourceDef,
    schema: &openapi::KindSchema,
    obj: &Value,
    w: &Writer<'_>,
) -> FieldSet {
    let walker = Walker { defs: &schema.defs };
    let mut set = FieldSet::new();
    fieldset::collect(walker, obj, Some(&schema.root), &mut Vec::new(), &mut set);
    set.retain(|p| {
        let first = p.first().map(String::as_str);
        match first {
            Some("f:apiVersion" | "f:kind") => return false,
            Some("f:metadata") => {
                let field = p.get(1).and_then(|f| f.strip_prefix("f:"));
                if field.is_some_and(|f| SERVER_META.contains(&f)) || p.len() == 1 {
                    return false;
                }
            }
            _ => {}
        }
        match w.subresource {
            Some("status") => first == Some("f:status"),
            Some(_) => true,
            None => !(first == Some("f:status") && res.has_subresource("status")),
        }
    });
    set
}

fn leaf_changed(
    schema: &openapi::KindSchema,
    old: &Value,
    new: &Value,
    set: &FieldSet,
    p: &Path,
) -> bool {
    let walker = Walker { defs: &schema.defs };
    let root = Some(&schema.root);
    let (o, n) = (
        fieldset::value_at(walker, old, root, p),
        fieldset::value_at(walker, new, root, p),
    );
    if fieldset::is_leaf(set, p) {
        o != n
    } else {
        o.is_none() != n.is_none()
    }
}

/// The managed fields a client sent, when they replace the stored ones: the API server takes a
/// request's `managedFields` when they differ from the stored (`[{}]` clears them).
fn requested_entries(old: Option<&Value>, new: &Value) -> Option<Vec<Entry>> {
    let sent = new.pointer("/metadata/managedFields")?;
    let stored = old.and_then(|o| o.pointer("/metadata/managedFields"));
    if Some(sent) == stored {
        return None;
    }
    Some(
        sent.as_array()
            .map(|a| a.iter().filter_map(Entry::parse).collect())
            .unwrap_or_default(),
    )
}

/// Record a non-apply write of `new` (over `old`, None for a create) by `w` in
/// `new.metadata.managedFields`.
pub fn record_update(
    res: &'static ResourceDef,
    old: Option<&Value>,
    new: &mut Value,
    w: &Writer<'_>,
) {
    let schema = openapi::kind_schema(res);
    let mut list =
        requested_entries(old, new).unwrap_or_else(|| old.map(entries).unwrap_or_default());
    let empty = json!({});
    let old_v = old.unwrap_or(&empty);
    let old_set = tracked(res, &schema, old_v, w);
    let new_set = tracked(res, &schema, new, w);
    let changed: FieldSet = new_set
        .iter()
        .filter(|p| !old_set.contains(*p) || leaf_changed(&schema, old_v, new, &new_set, p))
        .cloned()
        .collect();
    let removed: FieldSet = old_set.difference(&new_set).cloned().collect();
    for e in &mut list {
        e.fields.retain(|p| !removed.contains(p));
        if !e.is(w, false) {
            e.fields.retain(|p| !changed.contains(p));
        }
    }
    if !changed.is_empty() {
        let api_version = res.api_version();
        match list
            .iter_mut()
            .find(|e| e.is(w, false) && e.api_version == api_version)
        {
            Some(e) => {
                e.fields.extend(changed);
                e.time = now();
            }
            None => list.push(Entry {
                manager: w.manager.to_string(),
                apply: false,
                api_version,
                time: now(),
                subresource: w.subresource.map(str::to_string),
                fields: changed,
            }),
        }
    }
    store_entries(new, list);
}

/// The object after `w` applies `applied` to `live` (None: the apply creates it), with its
/// managed fields; 409 on conflicts unless `force`.
pub fn apply(
    res: &'static ResourceDef,
    live: Option<&Value>,
    applied: &Value,
    w: &Writer<'_>,
    force: bool,
) -> Result<Value, ApiError> {
    if applied.pointer("/metadata/managedFields").is_some() {
        return Err(ApiError::bad_request("metadata.managedFields must be nil"));
    }
    let schema = openapi::kind_schema(res);
    let walker = Walker { defs: &schema.defs };
    let root = Some(&schema.root);
    let applied_set = tracked(res, &schema, applied, w);
    let Some(live) = live else {
        let mut obj = applied.clone();
        store_entries(
            &mut obj,
            vec![Entry {
                manager: w.manager.to_string(),
                apply: true,
                api_version: res.api_version(),
                time: now(),
                subresource: w.subresource.map(str::to_string),
                fields: applied_set,
            }],
        );
        return Ok(obj);
    };
    let mut list = entries(live);
    if list.is_empty() {
        // An object nobody has recorded fields for (the sim's fixtures and controllers write
        // the store directly): its existing fields belong to `before-first-apply`, as the API
        // server records them before the first apply, so that apply conflicts where it changes
        // them.
        list.push(Entry {
            manager: "before-first-apply".into(),
            apply: false,
            api_version: res.api_version(),
            time: now(),
            subresource: w.subresource.map(str::to_string),
            fields: tracked(res, &schema, live, w),
        });
    }
    let mut merged = merge::merge(walker, live, applied, root);
    // Conflicts: fields this apply changes that another manager holds.
    let mut conflicts: Vec<(String, Path)> = Vec::new();
    for e in list.iter_mut().filter(|e| !e.is(w, true)) {
        let hit: Vec<Path> = e
            .fields
            .intersection(&applied_set)
            .filter(|p| leaf_changed(&schema, live, &merged, &applied_set, p))
            .cloned()
            .collect();
        if force {
            e.fields.retain(|p| !hit.contains(p));
        }
        conflicts.extend(hit.into_iter().map(|p| (e.describe(), p)));
    }
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(&conflicts));
    }
    // Fields this manager stops applying and nobody else holds are removed.
    let previous = list
        .iter()
        .find(|e| e.is(w, true))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let held_by_others: FieldSet = list
        .iter()
        .filter(|e| !e.is(w, true))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let mut gone: Vec<&Path> = previous
        .iter()
        .filter(|p| !applied_set.contains(*p) && !held_by_others.contains(*p))
        .collect();
    gone.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in &gone {
        fieldset::remove_at(walker, &mut merged, root, p);
    }
    // A map left empty by the removal goes too, unless someone holds the map itself.
    for p in gone {
        for len in (1..p.len()).rev() {
            let parent = &p[..len];
            let empty = fieldset::value_at(walker, &merged, root, parent)
                .is_some_and(|v| v.as_object().is_some_and(|o| o.is_empty()));
            if !empty || held_by_others.contains(parent) || applied_set.contains(parent) {
                break;
            }
            fieldset::remove_at(walker, &mut merged, root, parent);
        }
    }
    list.retain(|e| !e.is(w, true));
    list.push(Entry {
        manager: w.manager.to_string(),
        apply: true,
        api_version: res.api_version(),
        time: now(),
        subresource: w.subresource.map(str::to_string),
        fields: applied_set,
    });
    // An apply that changes nothing, ownership included, leaves the object (and the entries'
    // times) as they were, so the write can be skipped as the API server skips it.
    if without_managed_fields(&merged) == without_managed_fields(live)
        && same_ownership(&list, &entries(live))
    {
        return Ok(live.clone());
    }
    store_entries(&mut merged, list);
    Ok(merged)
}

fn without_managed_fields(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

/// The same managers holding the same fields (times aside).
fn same_ownership(a: &[Entry], b: &[Entry]) -> bool {
    let key = |l: &[Entry]| {
        let mut k: Vec<(String, bool, String, Option<String>, FieldSet)> = l
            .iter()
            .filter(|e| !e.fields.is_empty())
            .map(|e| {
                (
                    e.manager.clone(),
                    e.apply,
                    e.api_version.clone(),
                    e.subresource.clone(),
                    e.fields.clone(),
                )
            })
            .collect();
        k.sort_by(|x, y| (&x.0, x.1, &x.3).cmp(&(&y.0, y.1, &y.3)));
        k
    };
    key(a) == key(b)
}

/// The API server's apply conflict: 409 Conflict with one `FieldManagerConflict` cause each.
fn conflict_error(conflicts: &[(String, Path)]) -> ApiError {
    let message = if let [(manager, path)] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {manager}: {}",
            fieldset::path_string(path)
        )
    } else {
        let mut by_manager: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for (m, p) in conflicts {
            by_manager
                .entry(m)
                .or_default()
                .push(fieldset::path_string(p));
        }
        let mut lines = Vec::new();
        for (m, paths) in by_manager {
            lines.push(format!("conflicts with {m}:"));
            lines.extend(paths.into_iter().map(|p| format!("- {p}")));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"),
                   "field": fieldset::path_string(p)})
        })
        .collect();
    let mut e = ApiError::new(409, "Conflict", message);
    e.details = Some(json!({"causes": causes}));
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::by_key;

    fn w(manager: &str) -> Writer<'_> {
        Writer {
            manager,
            subresource: None,
        }
    }

    fn cm(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "c", "namespace": "ns"}, "data": data})
    }

    #[test]
    fn applies_conflict_force_and_prune() {
        let res = by_key("configmaps");
        let live = apply(
            res,
            None,
            &cm(json!({"a": "1", "b": "2"})),
            &w("one"),
            false,
        )
        .expect("creates");
        assert_eq!(
            live["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        let e = apply(res, Some(&live), &cm(json!({"a": "x"})), &w("two"), false)
            .expect_err("conflicts");
        assert_eq!(e.code, 409);
        assert_eq!(
            e.message,
            "Apply failed with 1 conflict: conflict with \"one\": .data.a"
        );
        let forced =
            apply(res, Some(&live), &cm(json!({"a": "x"})), &w("two"), true).expect("forced");
        assert_eq!(forced["data"], json!({"a": "x", "b": "2"}));
        // `one` no longer holds a; dropping b from its config removes b.
        let pruned = apply(res, Some(&forced), &cm(json!({})), &w("one"), false).expect("applies");
        assert_eq!(pruned["data"], json!({"a": "x"}));
    }

    #[test]
    fn updates_take_changed_fields() {
        let res = by_key("configmaps");
        let live = apply(res, None, &cm(json!({"a": "1"})), &w("one"), false).expect("creates");
        let mut next = live.clone();
        next["data"]["a"] = json!("2");
        next["data"]["c"] = json!("3");
        record_update(res, Some(&live), &mut next, &w("editor"));
        let entries = next["metadata"]["managedFields"]
            .as_array()
            .expect("entries");
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["manager"], json!("editor"));
        assert_eq!(entries[0]["operation"], json!("Update"));
        assert_eq!(
            entries[0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:c": {}}})
        );
    }
}
