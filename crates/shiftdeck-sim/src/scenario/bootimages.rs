//! The `openshift-machine-config-operator/coreos-bootimages` ConfigMap that every OpenShift
//! cluster carries (the installer writes it; the machine-config operator keeps it current): the
//! CoreOS stream metadata with boot images per architecture for every platform (Azure VHD,
//! metal ISO/PXE...). Seeded into the hub and Azure profiles alike.

use serde_json::{Value, json};

use super::objects::{self, OCP_VERSION, put};
use crate::error::ApiError;
use crate::store::Store;

/// The RHCOS build of the stream.
pub const RHCOS_RELEASE: &str = "418.94.202501221327-0";

/// CoreOS stream metadata as the installer embeds it in `coreos-bootimages`.
pub fn coreos_stream() -> Value {
    let arch = |a: &str, azure_arch: &str| {
        let base = format!(
            "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/{RHCOS_RELEASE}/{a}"
        );
        json!({
            "artifacts": {
                "metal": {
                    "release": RHCOS_RELEASE,
                    "formats": {
                        "iso": {"disk": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-live.{a}.iso"), "sha256": objects::hex(1, &format!("iso/{a}"), 64)}},
                        "pxe": {
                            "kernel": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-live-kernel-{a}"), "sha256": objects::hex(2, &format!("k/{a}"), 64)},
                            "initramfs": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-live-initramfs.{a}.img"), "sha256": objects::hex(3, &format!("i/{a}"), 64)},
                            "rootfs": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-live-rootfs.{a}.img"), "sha256": objects::hex(4, &format!("r/{a}"), 64)}
                        },
                        "raw.gz": {"disk": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-metal.{a}.raw.gz"), "sha256": objects::hex(5, &format!("raw/{a}"), 64)}}
                    }
                },
                "azure": {
                    "release": RHCOS_RELEASE,
                    "formats": {"vhd.gz": {"disk": {"location": format!("{base}/rhcos-{RHCOS_RELEASE}-azure.{a}.vhd.gz"), "sha256": objects::hex(6, &format!("vhd/{a}"), 64)}}}
                }
            },
            "images": {"azure": {"release": RHCOS_RELEASE, "url": format!("https://rhcos.blob.core.windows.net/imagebucket/rhcos-{RHCOS_RELEASE}-azure.{a}.vhd")}},
            "rhel-coreos-extensions": {
                "azure-disk": {"release": RHCOS_RELEASE, "url": format!("https://rhcos.blob.core.windows.net/imagebucket/rhcos-{RHCOS_RELEASE}-azure.{a}.vhd")},
                "marketplace": {"azure": {"no-purchase-plan": {"hyperVGen2": {"publisher": "azureopenshift", "offer": "aro4", "sku": format!("418-v2-{azure_arch}"), "version": "418.94.20250122"}}}}
            }
        })
    };
    json!({
        "stream": "rhcos-4.18",
        "metadata": {"last-modified": "2025-01-23T10:12:40Z", "generator": "plume cosa2stream 0.18.0+dirty"},
        "architectures": {"aarch64": arch("aarch64", "arm64"), "x86_64": arch("x86_64", "x64")}
    })
}

/// Puts the ConfigMap (key `stream`, as the installer writes it).
pub fn seed(store: &Store) -> Result<(), ApiError> {
    put(
        store,
        "configmaps",
        json!({
            "metadata": {"name": "coreos-bootimages", "namespace": "openshift-machine-config-operator",
                         "labels": {"coreos-bootimages.openshift.io/generated": "true"}},
            "data": {"releaseVersion": OCP_VERSION, "stream": coreos_stream().to_string()}
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_has_the_paths_admins_query() {
        let s = coreos_stream();
        assert_eq!(
            s["architectures"]["aarch64"]["rhel-coreos-extensions"]["azure-disk"]["url"],
            "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"
        );
        assert_eq!(
            s["architectures"]["aarch64"]["rhel-coreos-extensions"]["azure-disk"]["release"],
            RHCOS_RELEASE
        );
        let iso = s["architectures"]["x86_64"]["artifacts"]["metal"]["formats"]["iso"]["disk"]["location"]
            .as_str()
            .unwrap();
        assert!(iso.ends_with("-live.x86_64.iso"));
    }
}
