//! JSON kept as its text, for cached objects whose `serde_json::Value` trees would take several
//! times the bytes (DataVolumes, NodePools, HostedClusters at hub scale).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// JSON kept as its text. A `serde_json::Value` tree takes several times the bytes of its text
/// (measured: 8.5 KB per stripped DataVolume as trees, 2.5 KB as text; 30 KB per NodePool);
/// readers parse the few they look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactJson(Option<Box<str>>);

impl CompactJson {
    pub fn from_value(v: &Value) -> Self {
        if v.is_null() {
            return CompactJson(None);
        }
        CompactJson(serde_json::to_string(v).ok().map(String::into_boxed_str))
    }

    /// The JSON (`Null` when absent).
    pub fn value(&self) -> Value {
        self.0
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    }

    /// Deserialize only what `keep` names (see [`crate::keep`]): one pass, the rest skipped.
    pub fn deserialize_kept<'de, D: Deserializer<'de>>(
        d: D,
        keep: crate::keep::Keep,
    ) -> Result<Self, D::Error> {
        Ok(CompactJson::from_value(&keep.deserialize(d)?))
    }

    pub fn is_null(&self) -> bool {
        self.0.is_none()
    }

    /// Only the values at these JSON pointers (`/spec/replicas`), in an object of the same
    /// shape; `Null` when none is there. Everything else is skipped without being built, so
    /// reading a few fields of a 5 KB NodePool costs a scan, not a tree (a full parse was most
    /// of the Hosted clusters pane's catch-up).
    pub fn narrow(&self, pointers: &[&str]) -> Value {
        let Some(text) = self.0.as_deref() else {
            return Value::Null;
        };
        let mut out = Value::Null;
        for p in pointers {
            let path: Vec<String> = p
                .split('/')
                .skip(1)
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect();
            let mut de = serde_json::Deserializer::from_str(text);
            let Ok(Some(found)) = serde::de::DeserializeSeed::deserialize(At(&path), &mut de)
            else {
                continue;
            };
            put(&mut out, &path, found);
        }
        out
    }
}

/// Places `v` at `path` in `out`, making the objects on the way (array indices as object keys
/// would change the shape: a path through an array keeps only its leaf's array).
fn put(out: &mut Value, path: &[String], v: Value) {
    let Some((first, rest)) = path.split_first() else {
        *out = v;
        return;
    };
    if !out.is_object() {
        *out = Value::Object(Default::default());
    }
    if let Value::Object(m) = out {
        put(m.entry(first.clone()).or_insert(Value::Null), rest, v);
    }
}

/// Finds the value at a path while deserializing, skipping the rest unbuilt.
struct At<'p>(&'p [String]);

impl<'de> serde::de::DeserializeSeed<'de> for At<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        if self.0.is_empty() {
            return Value::deserialize(d).map(Some);
        }
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for At<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(hit) = map.next_key_seed(KeyIs(&self.0[0]))? {
            if hit && found.is_none() {
                found = map.next_value_seed(At(&self.0[1..]))?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let want: Option<usize> = self.0[0].parse().ok();
        let mut found = None;
        let mut i = 0usize;
        loop {
            if Some(i) == want {
                match seq.next_element_seed(At(&self.0[1..]))? {
                    Some(v) => found = v,
                    None => break,
                }
            } else if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(found)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Whether a map key is this one, without allocating it.
struct KeyIs<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

impl Serialize for CompactJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for CompactJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(CompactJson::from_value(&Value::deserialize(d)?))
    }
}

#[cfg(test)]
mod narrow_tests {
    use super::*;
    use serde_json::json;

    /// What `narrow` keeps reads like the whole object at those pointers, and nothing else
    /// is kept.
    #[test]
    fn narrow_keeps_exactly_the_pointers() {
        let full = json!({
            "spec": {"clusterName": "a", "replicas": 3, "platform": {"type": "KubeVirt"},
                "a/b": 1},
            "status": {"replicas": 2, "conditions": [{"type": "Ready"}],
                "nodesInfo": {"nodeVersions": [{"readyNodeCount": 2}, {"readyNodeCount": -1}]}},
            "list": [10, {"x": [1, 2]}, 30]
        });
        let c = CompactJson::from_value(&full);
        let ptrs = [
            "/spec/clusterName",
            "/spec/replicas",
            "/status/nodesInfo/nodeVersions",
            "/missing/field",
            "/spec/a~1b",
            "/list/1/x",
        ];
        let n = c.narrow(&ptrs);
        for p in &ptrs[..3] {
            assert_eq!(n.pointer(p), full.pointer(p), "{p}");
        }
        assert_eq!(n.pointer("/spec/a~1b"), Some(&json!(1)));
        assert_eq!(n.pointer("/missing/field"), None);
        assert_eq!(n.pointer("/spec/platform"), None);
        assert_eq!(n.pointer("/status/conditions"), None);
        assert_eq!(n["list"]["1"]["x"], json!([1, 2]));
        // A scalar where an object is expected finds nothing and is no error.
        let odd = CompactJson::from_value(&json!({"spec": "text", "status": [1]}));
        assert_eq!(
            odd.narrow(&["/spec/replicas", "/status/replicas"]),
            Value::Null
        );
        assert_eq!(CompactJson::default().narrow(&["/spec"]), Value::Null);
    }
}
