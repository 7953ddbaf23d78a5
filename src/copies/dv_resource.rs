//! A minimal typed DataVolume (`cdi.kubevirt.io/v1beta1`) for the watch layer: metadata plus
//! the spec and status kept as JSON text, read by [`super::datavolume::DataVolumeCopy::from_json`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::compact::CompactJson;
use crate::keep::Keep;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataVolume {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Only what [`SPEC_KEPT`] names, read so from the start (see [`strip`]).
    #[serde(
        default,
        skip_serializing_if = "CompactJson::is_null",
        deserialize_with = "spec_kept"
    )]
    pub spec: CompactJson,
    /// Only what [`STATUS_KEPT`] names.
    #[serde(
        default,
        skip_serializing_if = "CompactJson::is_null",
        deserialize_with = "status_kept"
    )]
    pub status: CompactJson,
}

/// What the Copies pane, the node pool pipeline and the Overview read of a DataVolume's spec
/// (see `DataVolumeCopy::from_json`): a hub may cache 10,000 DataVolumes, and each dropped field
/// is paid 10,000 times. Storage details other than the requested size go.
const SIZE: Keep = Keep::Keys(&[(
    "resources",
    Keep::Keys(&[("requests", Keep::Keys(&[("storage", Keep::All)]))]),
)]);
pub const SPEC_KEPT: Keep = Keep::Keys(&[("source", Keep::All), ("storage", SIZE), ("pvc", SIZE)]);
/// ...and of its status: the claim name and condition heartbeats go.
pub const STATUS_KEPT: Keep = Keep::Keys(&[
    ("phase", Keep::All),
    ("progress", Keep::All),
    ("restartCount", Keep::All),
    (
        "conditions",
        Keep::Keys(&[
            ("type", Keep::All),
            ("status", Keep::All),
            ("reason", Keep::All),
            ("message", Keep::All),
            ("lastTransitionTime", Keep::All),
        ]),
    ),
]);

fn spec_kept<'de, D: serde::Deserializer<'de>>(d: D) -> Result<CompactJson, D::Error> {
    CompactJson::deserialize_kept(d, SPEC_KEPT)
}

fn status_kept<'de, D: serde::Deserializer<'de>>(d: D) -> Result<CompactJson, D::Error> {
    CompactJson::deserialize_kept(d, STATUS_KEPT)
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
        // Built here rather than through `Serialize`, which would parse the spec and status text
        // and then copy the trees once more (the Copies pane converts 10,000 at its first sync).
        let mut v = self.to_json_without_metadata();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "metadata".into(),
                serde_json::to_value(&self.metadata).unwrap_or(Value::Null),
            );
        }
        v
    }

    fn to_json_without_metadata(&self) -> Value {
        let mut m = serde_json::Map::with_capacity(5);
        m.insert(
            "apiVersion".into(),
            <Self as k8s_openapi::Resource>::API_VERSION.into(),
        );
        m.insert("kind".into(), <Self as k8s_openapi::Resource>::KIND.into());
        for (field, text) in [("spec", &self.spec), ("status", &self.status)] {
            if !text.is_null() {
                m.insert(field.into(), text.value());
            }
        }
        Value::Object(m)
    }
}

/// Drop what no pane reads from the metadata (managed fields, annotations). The spec and
/// status were narrowed as they were read (`SPEC_KEPT`, `STATUS_KEPT`): one pass that skips the
/// rest, where a whole tree and a second parse to trim it were a fifth of an idle hub's CPU.
pub fn strip(dv: &mut DataVolume) {
    dv.metadata.managed_fields = None;
    dv.metadata.annotations = None;
}

#[cfg(test)]
mod strip_tests {
    use super::*;
    use crate::copies::datavolume::DataVolumeCopy;

    /// What the pane reads of the whole object is what it reads of the one kept.
    #[test]
    fn stripping_keeps_what_the_copy_row_reads() {
        let v = serde_json::json!({
            "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": {"name": "vm-1-rhcos", "namespace": "clusters-a", "uid": "u",
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "annotations": {"cdi.kubevirt.io/storage.import.endpoint": "docker://x"},
                "labels": {"hypershift.openshift.io/nodepool-name": "np"},
                "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                    "name": "vm-1", "uid": "v"}, {"apiVersion": "v1", "kind": "ConfigMap",
                    "name": "cm", "uid": "w"}]},
            "spec": {"source": {"http": {"url": "https://user:pw@h/img.qcow2"}},
                "storage": {"accessModes": ["ReadWriteMany"], "storageClassName": "x",
                    "resources": {"requests": {"storage": "32Gi"}}}},
            "status": {"phase": "ImportInProgress", "progress": "45.30%", "restartCount": 2,
                "claimName": "vm-1-rhcos",
                "conditions": [{"type": "Running", "status": "False", "reason": "Error",
                    "message": "boom", "lastHeartbeatTime": "2026-01-01T00:00:01Z",
                    "lastTransitionTime": "2026-01-01T00:00:01Z"},
                    {"type": "Ready", "status": "False", "lastHeartbeatTime": "2026-01-01T00:00:01Z",
                    "lastTransitionTime": "2026-01-01T00:00:01Z"}]}
        });
        let mut dv: DataVolume = serde_json::from_value(v.clone()).unwrap();
        let before = DataVolumeCopy::from_json(&v).unwrap();
        strip(&mut dv);
        let after = DataVolumeCopy::from_json(&dv.to_json()).unwrap();
        assert_eq!(before, after);
        // The pane's conversion of the typed object reads the same.
        assert_eq!(before, DataVolumeCopy::from_dv(&dv).unwrap());
        let json = dv.to_json();
        assert!(json["metadata"].get("annotations").is_none());
        assert!(json["status"].get("claimName").is_none());
        assert!(
            json["status"]["conditions"][0]
                .get("lastHeartbeatTime")
                .is_none()
        );
        assert_eq!(
            json["spec"]["storage"],
            serde_json::json!({"resources": {"requests": {"storage": "32Gi"}}})
        );
        // Read from text (as the watch reads it), the same is kept.
        let from_text: DataVolume = serde_json::from_str(&v.to_string()).unwrap();
        let mut from_text = from_text;
        strip(&mut from_text);
        assert_eq!(from_text, dv);
    }
}
