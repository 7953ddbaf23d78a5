//! Merging an applied configuration into the live object, as structured-merge-diff does:
//! objects field by field, associative lists item by item (matched by their keys), sets as a
//! union, everything else (scalars, atomic lists) replaced by the applied value.

use serde_json::Value;

use super::fieldset::{ListKind, Walker, key_element};

/// `live` with `applied` merged in along schema `s`.
pub fn merge(w: Walker<'_>, live: &Value, applied: &Value, s: Option<&Value>) -> Value {
    match (live, applied) {
        (Value::Object(l), Value::Object(a)) => {
            let mut out = l.clone();
            for (k, av) in a {
                if av.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = match l.get(k) {
                    Some(lv) => merge(w, lv, av, w.field(s, k)),
                    None => av.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(a)) => match w.list_kind(s) {
            ListKind::Map(keys) if !keys.is_empty() => {
                let item_schema = w.items(s);
                let mut out = l.clone();
                for ai in a {
                    let Some(key) = key_element(ai, &keys) else {
                        return applied.clone();
                    };
                    match out
                        .iter()
                        .position(|li| key_element(li, &keys).as_deref() == Some(key.as_str()))
                    {
                        Some(i) => out[i] = merge(w, &out[i], ai, item_schema),
                        None => out.push(ai.clone()),
                    }
                }
                Value::Array(out)
            }
            ListKind::Set => {
                let mut out = l.clone();
                for ai in a {
                    if !out.contains(ai) {
                        out.push(ai.clone());
                    }
                }
                Value::Array(out)
            }
            _ => applied.clone(),
        },
        _ => applied.clone(),
    }
}
