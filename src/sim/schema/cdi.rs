//! CDI's DataVolume (cdi.kubevirt.io/v1beta1), as its CRD declares it: `spec` required; every
//! `spec` field with its type, the `contentType` enum and the required fields of each source
//! (`http.url`, `registry` none, `pvc.name`/`namespace`, `sourceRef.kind`/`name`, …). The
//! PersistentVolumeClaim-shaped `pvc` and `storage` blocks are opaque objects (type-checked, kept
//! as sent). Reference: the DataVolumeSpec schema KubeVirt embeds for `dataVolumeTemplates`,
//! generated from the same CDI Go type.

use super::node::{KindSchema, Node, Prop, array, boolean, object, opaque, prop, string};

static STRING: Node = string();

static CHECKPOINT: Node =
    object(&[prop("current", string()), prop("previous", string())]).req(&["current", "previous"]);

/// DataVolumeSpec's properties: also the `spec` of a VirtualMachine's `dataVolumeTemplates`.
pub static DATAVOLUME_SPEC: [Prop; 9] = [
    prop("checkpoints", array(&CHECKPOINT)),
    prop("contentType", string().one_of(&["kubevirt", "archive"])),
    prop("finalCheckpoint", boolean()),
    prop("preallocation", boolean()),
    prop("priorityClassName", string()),
    prop("pvc", opaque()),
    prop(
        "source",
        object(&[
            prop("blank", opaque()),
            prop(
                "gcs",
                object(&[prop("secretRef", string()), prop("url", string())]).req(&["url"]),
            ),
            prop(
                "http",
                object(&[
                    prop("certConfigMap", string()),
                    prop("extraHeaders", array(&STRING)),
                    prop("secretExtraHeaders", array(&STRING)),
                    prop("secretRef", string()),
                    prop("url", string()),
                ])
                .req(&["url"]),
            ),
            prop(
                "imageio",
                object(&[
                    prop("certConfigMap", string()),
                    prop("diskId", string()),
                    prop("insecureSkipVerify", boolean()),
                    prop("secretRef", string()),
                    prop("url", string()),
                ])
                .req(&["diskId", "url"]),
            ),
            prop(
                "pvc",
                object(&[prop("name", string()), prop("namespace", string())])
                    .req(&["name", "namespace"]),
            ),
            prop(
                "registry",
                object(&[
                    prop("certConfigMap", string()),
                    prop("imageStream", string()),
                    prop("platform", object(&[prop("architecture", string())])),
                    prop("pullMethod", string()),
                    prop("secretRef", string()),
                    prop("url", string()),
                ]),
            ),
            prop(
                "s3",
                object(&[
                    prop("certConfigMap", string()),
                    prop("secretRef", string()),
                    prop("url", string()),
                ])
                .req(&["url"]),
            ),
            prop(
                "snapshot",
                object(&[prop("name", string()), prop("namespace", string())])
                    .req(&["name", "namespace"]),
            ),
            prop("upload", opaque()),
            prop(
                "vddk",
                object(&[
                    prop("backingFile", string()),
                    prop("extraArgs", string()),
                    prop("initImageURL", string()),
                    prop("secretRef", string()),
                    prop("thumbprint", string()),
                    prop("url", string()),
                    prop("uuid", string()),
                ]),
            ),
        ]),
    ),
    prop(
        "sourceRef",
        object(&[
            prop("kind", string()),
            prop("name", string()),
            prop("namespace", string()),
        ])
        .req(&["kind", "name"]),
    ),
    prop("storage", opaque()),
];

pub static DATAVOLUME: KindSchema = KindSchema {
    kind: "DataVolume",
    spec_required: true,
    rules: &[],
    defaults: &[],
    spec: object(&DATAVOLUME_SPEC),
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sim::schema::check::{Findings, check};

    #[test]
    fn the_sims_import_passes_and_bad_sources_do_not() {
        let mut ok = json!({"source": {"registry": {"url": "docker://quay.io/x@sha256:1", "pullMethod": "node"}},
            "storage": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "32Gi"}}}});
        let mut f = Findings::default();
        check(&DATAVOLUME.spec, &mut ok, None, "spec", &mut f);
        assert!(f.invalid.is_empty() && f.unknown.is_empty(), "{f:?}");
        let mut bad = json!({"contentType": "iso", "source": {"http": {}, "pvc": {"name": "a"}},
            "sourceRef": {"name": "x"}, "storage": "32Gi"});
        let mut f = Findings::default();
        check(&DATAVOLUME.spec, &mut bad, None, "spec", &mut f);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        for want in [
            "spec.contentType",
            "spec.source.http.url",
            "spec.source.pvc.namespace",
            "spec.sourceRef.kind",
            "spec.storage",
        ] {
            assert!(fields.contains(&want), "{want} not in {f:?}");
        }
    }
}
