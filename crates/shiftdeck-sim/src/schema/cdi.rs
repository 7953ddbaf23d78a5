//! CDI's DataVolume (cdi.kubevirt.io/v1beta1), as its CRD declares it: `spec` required; every
//! `spec` field with its type, the `contentType` enum and the required fields of each source
//! (`http.url`, `registry` none, `pvc.name`/`namespace`, `sourceRef.kind`/`name`, …). The
//! PersistentVolumeClaim-shaped `pvc` and `storage` blocks are opaque objects (type-checked, kept
//! as sent). Reference: the DataVolumeSpec schema KubeVirt embeds for `dataVolumeTemplates`,
//! generated from the same CDI Go type.

use super::node::{KindSchema, Node, Prop, array, boolean, object, opaque, prop, string};

static STRING: Node = string();

static CHECKPOINT: Node = object(&[
    prop(
        "current",
        string().doc("The snapshot to copy in this stage. Required."),
    ),
    prop(
        "previous",
        string().doc("The snapshot of the stage before (empty for the first). Required."),
    ),
])
.req(&["current", "previous"])
.doc("One stage of a multi-stage import.");

/// DataVolumeSpec's properties: also the `spec` of a VirtualMachine's `dataVolumeTemplates`.
pub static DATAVOLUME_SPEC: [Prop; 9] = [
    prop("checkpoints", array(&CHECKPOINT)
.doc("For multi-stage (warm) imports: the snapshot pairs to copy, in order.")),
    prop("contentType", string().one_of(&["kubevirt", "archive"])
.doc("What the imported data is: kubevirt (a VM disk image, the default) or archive (a tar archive unpacked into the volume).")),
    prop("finalCheckpoint", boolean()
.doc("True when the last checkpoint of a multi-stage import has been given.")),
    prop("preallocation", boolean()
.doc("When true, the volume's whole size is allocated up front.")),
    prop("priorityClassName", string()
.doc("The PriorityClass of the importer, cloner or upload pod.")),
    prop("pvc", opaque()
.doc("The PersistentVolumeClaim to create, given in full as a PVC spec (access modes, size, storage class). Either this or storage.")),
    prop(
        "source",
        object(&[
            prop("blank", opaque()
.doc("An empty volume, with nothing imported.")),
            prop(
                "gcs",
                object(&[prop("secretRef", string()
.doc("A Secret with the credentials to read the object.")), prop("url", string()
.doc("The object's URL (gs:// or https://storage.googleapis.com/...). Required."))]).req(&["url"])
.doc("An image in Google Cloud Storage."),
            ),
            prop(
                "http",
                object(&[
                    prop("certConfigMap", string()
.doc("A ConfigMap with the CA certificates the server's TLS certificate is checked against.")),
                    prop("extraHeaders", array(&STRING)
.doc("Extra HTTP headers to send, as 'Name: value' strings.")),
                    prop("secretExtraHeaders", array(&STRING)
.doc("Names of Secrets holding further HTTP headers to send (for headers that carry credentials).")),
                    prop("secretRef", string()
.doc("A Secret with the accessKeyId and secretKey for basic authentication.")),
                    prop("url", string()
.doc("The image's URL. Required.")),
                ])
                .req(&["url"])
.doc("An image downloaded over HTTP(S)."),
            ),
            prop(
                "imageio",
                object(&[
                    prop("certConfigMap", string()
.doc("A ConfigMap with the engine's CA certificate.")),
                    prop("diskId", string()
.doc("The ID of the disk in the engine. Required.")),
                    prop("insecureSkipVerify", boolean()
.doc("When true, the engine's TLS certificate is not checked.")),
                    prop("secretRef", string()
.doc("A Secret with the engine's credentials.")),
                    prop("url", string()
.doc("The engine's API URL. Required.")),
                ])
                .req(&["diskId", "url"])
.doc("A disk of an oVirt / RHV engine, read through its imageio service."),
            ),
            prop(
                "pvc",
                object(&[prop("name", string()
.doc("The name of the PVC to clone. Required.")), prop("namespace", string()
.doc("The namespace of the PVC to clone. Required."))])
                    .req(&["name", "namespace"])
.doc("A clone of an existing PersistentVolumeClaim."),
            ),
            prop(
                "registry",
                object(&[
                    prop("certConfigMap", string()
.doc("A ConfigMap with the CA certificates the registry's TLS certificate is checked against.")),
                    prop("imageStream", string()
.doc("An OpenShift ImageStream to import from, instead of url.")),
                    prop("platform", object(&[prop("architecture", string().doc("The CPU architecture whose image to take (amd64, arm64, ...)."))])
.doc("Which platform's image to take from a multi-architecture image.")),
                    prop("pullMethod", string()
.doc("How the image is fetched: pod (by CDI's importer, the default) or node (by the node's container runtime, which caches it).")),
                    prop("secretRef", string()
.doc("A Secret with the registry's credentials.")),
                    prop("url", string()
.doc("The image reference (docker://registry/repo:tag or @sha256:digest). Either this or imageStream.")),
                ])
.doc("A disk image from a container registry (a containerDisk-style image)."),
            ),
            prop(
                "s3",
                object(&[
                    prop("certConfigMap", string()
.doc("A ConfigMap with the CA certificates the endpoint's TLS certificate is checked against.")),
                    prop("secretRef", string()
.doc("A Secret with the accessKeyId and secretKey.")),
                    prop("url", string()
.doc("The object's URL. Required.")),
                ])
                .req(&["url"])
.doc("An image in an S3-compatible object store."),
            ),
            prop(
                "snapshot",
                object(&[prop("name", string()
.doc("The name of the VolumeSnapshot. Required.")), prop("namespace", string()
.doc("The namespace of the VolumeSnapshot. Required."))])
                    .req(&["name", "namespace"])
.doc("A volume restored from a VolumeSnapshot."),
            ),
            prop("upload", opaque()
.doc("Content uploaded by a client through CDI's upload proxy (virtctl image-upload).")),
            prop(
                "vddk",
                object(&[
                    prop("backingFile", string()
.doc("The path of the disk's backing file in the datastore.")),
                    prop("extraArgs", string()
.doc("A ConfigMap with extra options passed to the VDDK library.")),
                    prop("initImageURL", string()
.doc("The image that provides the VDDK library.")),
                    prop("secretRef", string()
.doc("A Secret with the vCenter or ESXi credentials.")),
                    prop("thumbprint", string()
.doc("The SHA-1 thumbprint of the server's certificate.")),
                    prop("url", string()
.doc("The vCenter or ESXi URL.")),
                    prop("uuid", string()
.doc("The UUID of the VM.")),
                ])
.doc("A disk of a VMware vSphere VM, read with VMware's VDDK."),
            ),
        ])
.doc("Where the volume's content comes from; exactly one source is given. Either this or sourceRef."),
    ),
    prop(
        "sourceRef",
        object(&[
            prop("kind", string()
.doc("The kind of the source: DataSource. Required.")),
            prop("name", string()
.doc("The name of the DataSource. Required.")),
            prop("namespace", string()
.doc("The namespace of the DataSource; the DataVolume's own when unset.")),
        ])
        .req(&["kind", "name"])
.doc("A DataSource (a named, managed boot source) to take the content from, instead of source."),
    ),
    prop("storage", opaque()
.doc("The storage the volume needs (size, access modes, volume mode, storage class); what is left out is filled in from the storage class's profile. Either this or pvc.")),
];

pub static DATAVOLUME: KindSchema = KindSchema {
    kind: "DataVolume",
    doc: "A DataVolume is a PersistentVolumeClaim together with how CDI fills it: imported from a URL or registry, cloned, uploaded or left blank.",
    spec_required: true,
    rules: &[],
    defaults: &[],
    spec: object(&DATAVOLUME_SPEC)
        .doc("The desired state of the DataVolume: where its content comes from and the storage it gets."),
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::check::{Findings, check};

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
