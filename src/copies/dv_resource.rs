//! A minimal typed DataVolume (`cdi.kubevirt.io/v1beta1`) for the watch layer: metadata plus
//! the spec and status kept as JSON, read by [`super::datavolume::DataVolumeCopy::from_json`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataVolume {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub spec: Value,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub status: Value,
}

impl k8s_openapi::Resource for DataVolume {
    const API_VERSION: &'static str = "cdi.kubevirt.io/v1beta1";
    const GROUP: &'static str = "cdi.kubevirt.io";
    const KIND: &'static str = "DataVolume";
    const VERSION: &'static str = "v1beta1";
    const URL_PATH_SEGMENT: &'static str = "datavolumes";
    type Scope = k8s_openapi::NamespaceResourceScope;
}

impl k8s_openapi::Metadata for DataVolume {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl DataVolume {
    /// The object as the JSON `DataVolumeCopy::from_json` reads (apiVersion/kind filled in).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "apiVersion".into(),
                Value::from(<Self as k8s_openapi::Resource>::API_VERSION),
            );
            o.insert("kind".into(), Value::from("DataVolume"));
        }
        v
    }
}

/// Drop what the pane never shows.
pub fn strip(dv: &mut DataVolume) {
    dv.metadata.managed_fields = None;
}
