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

    pub fn is_null(&self) -> bool {
        self.0.is_none()
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
