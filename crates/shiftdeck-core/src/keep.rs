//! Deserialize only the named parts of a JSON value, in one pass: everything else is skipped
//! without being built. Cached kinds at hub scale (10,000 DataVolumes churning) paid for a whole
//! tree, its text, and a second parse to drop what no pane reads.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// What to keep of a value.
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    /// All of it.
    All,
    /// Of an object, these keys, each with what to keep of its value; of an array, the same for
    /// every element; a scalar is kept as it is.
    Keys(&'static [(&'static str, Keep)]),
}

impl Keep {
    /// The value `d` holds, with only what `self` names.
    pub fn deserialize<'de, D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        DeserializeSeed::deserialize(self, d)
    }
}

impl<'de> DeserializeSeed<'de> for Keep {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self {
            Keep::All => serde::Deserialize::deserialize(d),
            Keep::Keys(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Keep {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Keep::Keys(keys) = self else {
            return Ok(Value::Null);
        };
        let mut out = Map::new();
        while let Some(found) = map.next_key_seed(KeyIn(keys))? {
            match found.and_then(|i| keys.get(i)) {
                Some((name, keep)) => {
                    let v = map.next_value_seed(*keep)?;
                    out.insert((*name).to_string(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        DeserializeSeed::deserialize(self, d)
    }
}

/// Which of the kept keys a map key is, without allocating it.
struct KeyIn(&'static [(&'static str, Keep)]);

impl<'de> DeserializeSeed<'de> for KeyIn {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|(name, _)| *name == v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: Keep = Keep::Keys(&[
        ("source", Keep::All),
        (
            "storage",
            Keep::Keys(&[("resources", Keep::Keys(&[("requests", Keep::All)]))]),
        ),
        (
            "conditions",
            Keep::Keys(&[("type", Keep::All), ("status", Keep::All)]),
        ),
    ]);

    fn kept(v: &Value, keep: Keep) -> Value {
        keep.deserialize(&mut serde_json::Deserializer::from_str(&v.to_string()))
            .unwrap()
    }

    /// What is kept equals the whole value's parts; what is not named is gone; arrays apply
    /// the element's keys to each element; a scalar where an object was expected stays.
    #[test]
    fn keeps_exactly_what_is_named() {
        let v = json!({
            "source": {"http": {"url": "https://h/i.qcow2", "secretRef": "s"}},
            "storage": {"accessModes": ["RWX"], "resources": {"requests": {"storage": "32Gi"},
                "limits": {"storage": "40Gi"}}},
            "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "t"},
                {"type": "Running", "status": "False", "message": "m"}, "odd", 3, null],
            "preallocation": true,
            "escaped\"key": 1
        });
        assert_eq!(
            kept(&v, SPEC),
            json!({
                "source": {"http": {"url": "https://h/i.qcow2", "secretRef": "s"}},
                "storage": {"resources": {"requests": {"storage": "32Gi"}}},
                "conditions": [{"type": "Ready", "status": "True"},
                    {"type": "Running", "status": "False"}, "odd", 3, null]
            })
        );
        assert_eq!(kept(&json!("text"), SPEC), json!("text"));
        assert_eq!(kept(&json!(null), SPEC), json!(null));
        assert_eq!(kept(&json!({"other": 1}), SPEC), json!({}));
        assert_eq!(
            kept(&json!({"a": [1, {"b": 2}]}), Keep::All),
            json!({"a": [1, {"b": 2}]})
        );
        // Large and negative numbers and floats survive.
        let n = json!({"source": [u64::MAX, -5, 1.5]});
        assert_eq!(kept(&n, SPEC), n);
    }

    /// Malformed JSON is an error, not a partial value.
    #[test]
    fn malformed_json_is_an_error() {
        let r = SPEC.deserialize(&mut serde_json::Deserializer::from_str(r#"{"source": {"#));
        assert!(r.is_err());
    }
}
