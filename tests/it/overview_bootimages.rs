//! Boot images from a realistic `coreos-bootimages` stream, missing architectures and fields,
//! the copy texts and the OSC 52 builder.
#![allow(clippy::unwrap_used)]

use base64::Engine;
use serde_json::{Value, json};
use shiftdeck::overview::bootimages::{ArtifactKind, BootImages, BootImagesError, osc52};

/// Modeled on the real CoreOS stream metadata the installer embeds (rhcos-4.18): per-platform
/// `artifacts` with `release` and `formats`, per-cloud `images`, and `rhel-coreos-extensions`.
/// `aarch64` and `x86_64` are complete; `s390x` has only metal ISO and no PXE rootfs or Azure disk.
const STREAM: &str = r#"{
  "stream": "rhcos-4.18",
  "metadata": {"last-modified": "2025-01-23T10:12:40Z", "generator": "plume cosa2stream 0.18.0+dirty"},
  "architectures": {
    "aarch64": {
      "artifacts": {
        "aws": {"release": "418.94.202501221327-0", "formats": {"vmdk.gz": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-aws.aarch64.vmdk.gz", "sha256": "0f4b5a6c2b8cb0d3e1a9b9c7e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5", "uncompressed-sha256": "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"}}}},
        "azure": {"release": "418.94.202501221327-0", "formats": {"vhd.gz": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-azure.aarch64.vhd.gz", "sha256": "5d3c6b0e5e9f3a1b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b"}}}},
        "metal": {
          "release": "418.94.202501221327-0",
          "formats": {
            "4k.raw.gz": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-metal4k.aarch64.raw.gz", "sha256": "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"}},
            "iso": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-live.aarch64.iso", "sha256": "3c9e0f2d6a1b4c7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"}},
            "pxe": {
              "kernel": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-live-kernel-aarch64", "sha256": "b82b7491568dc7dfbe00d9b8a2f80ac0ece8a36b61d76b83a82c0ce63ad0de04"},
              "initramfs": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-live-initramfs.aarch64.img", "sha256": "699f2b3a5f82a1eefc112b9f9e33c22f138a0d2d05ae0a3e47d24d6d8b59e50d"},
              "rootfs": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-live-rootfs.aarch64.img", "sha256": "85158e49a4e9bacfeccee01ff66e237e261f75c53a3b48ff00e4ed1ba2b76d93"}
            },
            "raw.gz": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-metal.aarch64.raw.gz", "sha256": "44556677889900aabbccddeeff00112233445566778899aabbccddeeff001122"}}
          }
        }
      },
      "images": {
        "aws": {"regions": {"us-east-1": {"release": "418.94.202501221327-0", "image": "ami-0c8a4f5e1d2b3a4c5"}, "eu-west-1": {"release": "418.94.202501221327-0", "image": "ami-0a1b2c3d4e5f60718"}}},
        "gcp": {"release": "418.94.202501221327-0", "project": "rhcos-cloud", "name": "rhcos-418-94-202501221327-0-gcp-aarch64"}
      },
      "rhel-coreos-extensions": {
        "azure-disk": {"release": "418.94.202501221327-0", "url": "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"},
        "marketplace": {"azure": {"no-purchase-plan": {"hyperVGen2": {"publisher": "azureopenshift", "offer": "aro4", "sku": "418-v2-arm64", "version": "418.94.20250122"}}}}
      }
    },
    "s390x": {
      "artifacts": {
        "metal": {
          "release": "418.94.202501221327-0",
          "formats": {
            "iso": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/s390x/rhcos-418.94.202501221327-0-live.s390x.iso"}},
            "pxe": {
              "kernel": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/s390x/rhcos-418.94.202501221327-0-live-kernel-s390x", "sha256": "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"},
              "initramfs": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/s390x/rhcos-418.94.202501221327-0-live-initramfs.s390x.img", "sha256": "beef0000beef0000beef0000beef0000beef0000beef0000beef0000beef0000"}
            }
          }
        }
      },
      "images": {}
    },
    "x86_64": {
      "artifacts": {
        "azure": {"release": "418.94.202501221327-0", "formats": {"vhd.gz": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/x86_64/rhcos-418.94.202501221327-0-azure.x86_64.vhd.gz", "sha256": "d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3"}}}},
        "metal": {
          "release": "418.94.202501221327-0",
          "formats": {
            "iso": {"disk": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/x86_64/rhcos-418.94.202501221327-0-live.x86_64.iso", "sha256": "2f74a4047d40a521cfcf44a83afad156f85caaf57f8692e4899970684b9c69bc"}},
            "pxe": {
              "kernel": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/x86_64/rhcos-418.94.202501221327-0-live-kernel-x86_64", "sha256": "7bd89d786e777ee6aeec18586f8ca07072acd0f1d701690aedb2b04596fc6063"},
              "initramfs": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/x86_64/rhcos-418.94.202501221327-0-live-initramfs.x86_64.img", "sha256": "e7a67a5673436287f3e77f4627f7f8c958104d974ecc16c60df985fb43a2f6f1"},
              "rootfs": {"location": "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/x86_64/rhcos-418.94.202501221327-0-live-rootfs.x86_64.img", "sha256": "6e0f2bb8b963c5e1b571fc0e0647923d3461f608a0636d1fd889d8fe5d61b4a7"}
            }
          }
        }
      },
      "images": {"aws": {"regions": {"us-east-1": {"release": "418.94.202501221327-0", "image": "ami-0e1d2c3b4a5968778"}}}},
      "rhel-coreos-extensions": {
        "azure-disk": {"release": "418.94.202501221327-0", "url": "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.x86_64.vhd"}
      }
    }
  }
}"#;

const REL: &str = "418.94.202501221327-0";

#[test]
fn parses_every_architecture_and_artifact() {
    let b = BootImages::parse_stream(STREAM).unwrap();
    assert_eq!(b.stream.as_deref(), Some("rhcos-4.18"));
    assert_eq!(b.last_modified.as_deref(), Some("2025-01-23T10:12:40Z"));
    let arches: Vec<&str> = b.architectures.iter().map(|a| a.arch.as_str()).collect();
    assert_eq!(arches, ["aarch64", "s390x", "x86_64"]);
    assert!(b.missing_architectures.is_empty());

    let a = b.arch("aarch64").unwrap();
    assert_eq!(a.release.as_deref(), Some(REL));
    assert!(a.missing().is_empty(), "{:?}", a.missing());
    let vhd = a.artifact(ArtifactKind::AzureVhd).unwrap();
    assert_eq!(
        vhd.url.as_deref(),
        Some(
            "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"
        )
    );
    assert_eq!(vhd.release.as_deref(), Some(REL));
    assert_eq!(vhd.sha256, None);
    let iso = a.artifact(ArtifactKind::MetalIso).unwrap();
    assert!(iso.url.as_deref().unwrap().ends_with("-live.aarch64.iso"));
    assert_eq!(
        iso.sha256.as_deref(),
        Some("3c9e0f2d6a1b4c7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e")
    );
    let kernel = a.artifact(ArtifactKind::PxeKernel).unwrap();
    assert!(
        kernel
            .url
            .as_deref()
            .unwrap()
            .ends_with("live-kernel-aarch64")
    );
    let rootfs = a.artifact(ArtifactKind::PxeRootfs).unwrap();
    assert_eq!(
        rootfs.sha256.as_deref(),
        Some("85158e49a4e9bacfeccee01ff66e237e261f75c53a3b48ff00e4ed1ba2b76d93")
    );
    assert_eq!(
        a.azure_blob_name().as_deref(),
        Some("rhcos-418.94.202501221327-0-azure.aarch64.vhd")
    );

    let x = b.arch("x86_64").unwrap();
    assert!(x.missing().is_empty());
    assert!(
        x.artifact(ArtifactKind::PxeInitramfs)
            .unwrap()
            .url
            .as_deref()
            .unwrap()
            .ends_with("live-initramfs.x86_64.img")
    );
}

#[test]
fn missing_fields_are_reported_with_their_path() {
    let b = BootImages::parse_stream(STREAM).unwrap();
    let z = b.arch("s390x").unwrap();
    let missing = z.missing();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].contains("Azure VHD"));
    assert!(
        missing[0].contains(r#".architectures.s390x."rhel-coreos-extensions"."azure-disk".url"#)
    );
    assert!(missing[1].contains("PXE rootfs"));
    // Present without a checksum: URL kept, sha256 None.
    let iso = z.artifact(ArtifactKind::MetalIso).unwrap();
    assert!(iso.url.is_some());
    assert_eq!(iso.sha256, None);
    assert_eq!(z.azure_blob_name(), None);
    let lines = b.lines().join("\n");
    assert!(
        lines.contains("missing: .architectures.s390x.artifacts.metal.formats.pxe.rootfs.location")
    );
}

#[test]
fn missing_architectures_are_named() {
    let mut v: Value = serde_json::from_str(STREAM).unwrap();
    v["architectures"]
        .as_object_mut()
        .unwrap()
        .remove("aarch64");
    let b = BootImages::from_stream(&v).unwrap();
    assert_eq!(b.missing_architectures, ["aarch64"]);
    assert!(b.arch("aarch64").is_none());
    assert!(
        b.lines()
            .iter()
            .any(|l| l.contains("aarch64: not in the stream"))
    );

    // An architecture with nothing in it: every artifact says it is missing.
    let b = BootImages::from_stream(&json!({"architectures": {"ppc64le": {}}})).unwrap();
    let p = b.arch("ppc64le").unwrap();
    assert_eq!(p.missing().len(), 5);
    assert_eq!(p.release, None);
    assert_eq!(b.missing_architectures, ["aarch64", "x86_64"]);
    assert_eq!(b.stream, None);
}

#[test]
fn bad_documents_say_why() {
    assert!(matches!(
        BootImages::parse_stream("{not json"),
        Err(BootImagesError::InvalidJson(_))
    ));
    assert_eq!(
        BootImages::parse_stream(r#"{"stream": "x"}"#),
        Err(BootImagesError::NoArchitectures)
    );
    let cm =
        json!({"metadata": {"name": "coreos-bootimages"}, "data": {"releaseVersion": "4.18.1"}});
    assert_eq!(
        BootImages::from_configmap(&cm),
        Err(BootImagesError::NoStreamKey)
    );
    let cm = json!({"data": {"stream": STREAM}});
    assert_eq!(
        BootImages::from_configmap(&cm).unwrap().architectures.len(),
        3
    );
}

#[test]
fn copy_items_match_the_seed_commands() {
    let b = BootImages::parse_stream(STREAM).unwrap();
    let items = b.arch("aarch64").unwrap().copy_items();
    let find = |label: &str| {
        items
            .iter()
            .find(|i| i.label == label)
            .map(|i| i.text.clone())
            .unwrap()
    };
    assert_eq!(
        find("aarch64 Azure VHD URL"),
        "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"
    );
    // Seed 000, verbatim.
    assert_eq!(
        find("aarch64 Azure VHD URL command"),
        r#"oc -n openshift-machine-config-operator get configmap/coreos-bootimages -o jsonpath='{.data.stream}' | jq -r '.architectures.aarch64."rhel-coreos-extensions"."azure-disk".url'"#
    );
    assert_eq!(
        find("aarch64 Azure blob name command"),
        r#"BLOB_NAME=rhcos-$(oc -n openshift-machine-config-operator get configmap/coreos-bootimages -o jsonpath='{.data.stream}' | jq -r '.architectures.aarch64."rhel-coreos-extensions"."azure-disk".release')-azure.aarch64.vhd"#
    );
    // Seed 001, verbatim with <architecture> filled in.
    assert_eq!(
        find("aarch64 metal ISO URL command"),
        r#"oc -n openshift-machine-config-operator get configmap/coreos-bootimages -o jsonpath='{.data.stream}' | jq -r '.architectures.aarch64.artifacts.metal.formats.iso.disk.location'"#
    );
    let az = find("aarch64 az blob copy command");
    assert!(az.starts_with(
        "az storage blob copy start --account-name <storage-account> --sas-token \"<sas>\""
    ));
    assert!(az.contains("--source-uri \"https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd\""));
    assert!(az.contains("--destination-blob \"rhcos-418.94.202501221327-0-azure.aarch64.vhd\""));
    assert!(az.ends_with("--destination-container <container>"));
    assert!(find("aarch64 az blob copy status command").ends_with("| jq .properties.copy"));

    // Without the Azure disk the skeleton keeps placeholders rather than inventing values.
    let z = b.arch("s390x").unwrap().copy_items();
    let az = z
        .iter()
        .find(|i| i.label == "s390x az blob copy command")
        .unwrap();
    assert!(az.text.contains("--source-uri \"<vhd url>\""));
    assert!(az.text.contains("rhcos-<release>-azure.s390x.vhd"));
    assert!(!z.iter().any(|i| i.label == "s390x PXE rootfs URL"));
}

#[test]
fn osc52_wraps_base64_in_the_escape() {
    let url = "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd";
    let seq = osc52(url);
    assert!(seq.starts_with("\x1b]52;c;"));
    assert!(seq.ends_with('\x07'));
    let payload = &seq["\x1b]52;c;".len()..seq.len() - 1];
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    assert_eq!(decoded, url.as_bytes());
    assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    assert_eq!(osc52(""), "\x1b]52;c;\x07");
}
