//! Boot images per architecture from ConfigMap `openshift-machine-config-operator/coreos-bootimages`
//! (key `stream`: CoreOS stream metadata JSON), the text a user copies (URLs and the seed's
//! commands), and an OSC 52 clipboard escape builder.
//!
//! Stream shape (only the parts read here):
//!
//! ```text
//! { "stream": "rhcos-4.18", "metadata": {"last-modified": ...},
//!   "architectures": { "<arch>": {
//!       "artifacts": { "metal": { "release": R, "formats": {
//!            "iso": {"disk": {"location": URL, "sha256": H}},
//!            "pxe": {"kernel": {..}, "initramfs": {..}, "rootfs": {..}} } } },
//!       "rhel-coreos-extensions": { "azure-disk": {"release": R, "url": URL} } } } }
//! ```
//!
//! Every missing architecture or field is reported (with its jq path), never an error.

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// Namespace and name of the ConfigMap.
pub const NAMESPACE: &str = "openshift-machine-config-operator";
pub const CONFIGMAP: &str = "coreos-bootimages";
/// Architectures a multi-arch fleet usually needs; reported when absent from the stream.
pub const EXPECTED_ARCHES: [&str; 2] = ["aarch64", "x86_64"];
/// The start of every command that reads the stream (seed 000/001).
pub const STREAM_COMMAND: &str = "oc -n openshift-machine-config-operator get configmap/coreos-bootimages -o jsonpath='{.data.stream}'";

/// Which artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// `rhel-coreos-extensions."azure-disk"` (url, release).
    AzureVhd,
    /// `artifacts.metal.formats.iso.disk`.
    MetalIso,
    /// `artifacts.metal.formats.pxe.kernel`.
    PxeKernel,
    /// `artifacts.metal.formats.pxe.initramfs`.
    PxeInitramfs,
    /// `artifacts.metal.formats.pxe.rootfs`.
    PxeRootfs,
}

impl ArtifactKind {
    pub const ALL: [ArtifactKind; 5] = [
        ArtifactKind::AzureVhd,
        ArtifactKind::MetalIso,
        ArtifactKind::PxeKernel,
        ArtifactKind::PxeInitramfs,
        ArtifactKind::PxeRootfs,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ArtifactKind::AzureVhd => "Azure VHD",
            ArtifactKind::MetalIso => "metal ISO",
            ArtifactKind::PxeKernel => "PXE kernel",
            ArtifactKind::PxeInitramfs => "PXE initramfs",
            ArtifactKind::PxeRootfs => "PXE rootfs",
        }
    }

    /// jq path of the URL (location) field for `arch`, as the seeds write it.
    pub fn url_path(self, arch: &str) -> String {
        match self {
            ArtifactKind::AzureVhd => {
                format!(".architectures.{arch}.\"rhel-coreos-extensions\".\"azure-disk\".url")
            }
            ArtifactKind::MetalIso => {
                format!(".architectures.{arch}.artifacts.metal.formats.iso.disk.location")
            }
            ArtifactKind::PxeKernel => {
                format!(".architectures.{arch}.artifacts.metal.formats.pxe.kernel.location")
            }
            ArtifactKind::PxeInitramfs => {
                format!(".architectures.{arch}.artifacts.metal.formats.pxe.initramfs.location")
            }
            ArtifactKind::PxeRootfs => {
                format!(".architectures.{arch}.artifacts.metal.formats.pxe.rootfs.location")
            }
        }
    }
}

/// One artifact of one architecture; `url == None` means the stream lacks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub kind: ArtifactKind,
    pub url: Option<String>,
    /// Absent for the Azure VHD (the stream carries none for `azure-disk`).
    pub sha256: Option<String>,
    pub release: Option<String>,
    /// jq path of the URL, for the "missing" message and the copy command.
    pub jq_path: String,
}

impl Artifact {
    /// `418.94.202501221327-0  https://...  sha256 abcd…` or `missing: <jq path>`.
    pub fn summary(&self) -> String {
        match &self.url {
            None => format!("missing: {}", self.jq_path),
            Some(url) => {
                let mut s = String::new();
                if let Some(r) = &self.release {
                    s.push_str(r);
                    s.push_str("  ");
                }
                s.push_str(url);
                if let Some(h) = &self.sha256 {
                    s.push_str("  sha256 ");
                    s.push_str(h);
                }
                s
            }
        }
    }

    /// The command that prints this artifact's URL from the cluster.
    pub fn command(&self) -> String {
        format!("{STREAM_COMMAND} | jq -r '{}'", self.jq_path)
    }
}

/// Boot images of one architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchBootImages {
    /// Stream architecture name (`aarch64`, `x86_64`, `ppc64le`, `s390x`).
    pub arch: String,
    /// `artifacts.metal.release`, else the Azure disk release.
    pub release: Option<String>,
    /// In [`ArtifactKind::ALL`] order.
    pub artifacts: Vec<Artifact>,
}

/// Text a user copies, with a label for the view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CopyItem {
    pub label: String,
    pub text: String,
}

impl ArchBootImages {
    pub fn artifact(&self, kind: ArtifactKind) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.kind == kind)
    }

    /// Pieces missing for this architecture, in plain words.
    pub fn missing(&self) -> Vec<String> {
        self.artifacts
            .iter()
            .filter(|a| a.url.is_none())
            .map(|a| format!("{} {}: missing ({})", self.arch, a.kind.label(), a.jq_path))
            .collect()
    }

    /// The Azure blob name the seed uses: `rhcos-<release>-azure.<arch>.vhd`.
    pub fn azure_blob_name(&self) -> Option<String> {
        let a = self.artifact(ArtifactKind::AzureVhd)?;
        a.release
            .as_ref()
            .map(|r| format!("rhcos-{r}-azure.{}.vhd", self.arch))
    }

    /// What the user may copy: each present URL and the command that prints it, plus for the
    /// Azure VHD the blob-name command, the `az storage blob copy start` skeleton (placeholders
    /// in `<...>`) and the copy-status command (seed 000).
    pub fn copy_items(&self) -> Vec<CopyItem> {
        let mut out = Vec::new();
        for a in &self.artifacts {
            if let Some(url) = &a.url {
                out.push(CopyItem {
                    label: format!("{} {} URL", self.arch, a.kind.label()),
                    text: url.clone(),
                });
            }
            out.push(CopyItem {
                label: format!("{} {} URL command", self.arch, a.kind.label()),
                text: a.command(),
            });
        }
        if let Some(vhd) = self.artifact(ArtifactKind::AzureVhd) {
            out.push(CopyItem {
                label: format!("{} Azure blob name command", self.arch),
                text: format!(
                    "BLOB_NAME=rhcos-$({STREAM_COMMAND} | jq -r '.architectures.{}.\"rhel-coreos-extensions\".\"azure-disk\".release')-azure.{}.vhd",
                    self.arch, self.arch
                ),
            });
            let source = vhd.url.clone().unwrap_or_else(|| "<vhd url>".to_string());
            let blob = self
                .azure_blob_name()
                .unwrap_or_else(|| format!("rhcos-<release>-azure.{}.vhd", self.arch));
            out.push(CopyItem {
                label: format!("{} az blob copy command", self.arch),
                text: format!(
                    "az storage blob copy start --account-name <storage-account> --sas-token \"<sas>\" --source-uri \"{source}\" --destination-blob \"{blob}\" --destination-container <container>"
                ),
            });
            out.push(CopyItem {
                label: format!("{} az blob copy status command", self.arch),
                text: format!(
                    "az storage blob show -c <container> -n \"{blob}\" --account-name <storage-account> | jq .properties.copy"
                ),
            });
        }
        out
    }
}

/// The parsed stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BootImages {
    /// `stream`, e.g. `rhcos-4.18`.
    pub stream: Option<String>,
    /// `metadata.last-modified`.
    pub last_modified: Option<String>,
    /// Architectures present, sorted by name.
    pub architectures: Vec<ArchBootImages>,
    /// [`EXPECTED_ARCHES`] not in the stream.
    pub missing_architectures: Vec<String>,
}

/// Why the boot images cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BootImagesError {
    #[error("ConfigMap {NAMESPACE}/{CONFIGMAP} has no data.stream key")]
    NoStreamKey,
    #[error("data.stream is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("data.stream has no architectures object")]
    NoArchitectures,
}

fn str_field(v: Option<&Value>, key: &str) -> Option<String> {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl BootImages {
    /// Parses the ConfigMap object (reads `data.stream`).
    pub fn from_configmap(cm: &Value) -> Result<Self, BootImagesError> {
        let stream = cm
            .pointer("/data/stream")
            .and_then(Value::as_str)
            .ok_or(BootImagesError::NoStreamKey)?;
        Self::parse_stream(stream)
    }

    /// Parses the stream JSON text.
    pub fn parse_stream(text: &str) -> Result<Self, BootImagesError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| BootImagesError::InvalidJson(e.to_string()))?;
        Self::from_stream(&v)
    }

    /// Reads a parsed stream document.
    pub fn from_stream(v: &Value) -> Result<Self, BootImagesError> {
        let arches = v
            .get("architectures")
            .and_then(Value::as_object)
            .ok_or(BootImagesError::NoArchitectures)?;
        let mut architectures: Vec<ArchBootImages> = arches
            .iter()
            .map(|(arch, a)| arch_images(arch, a))
            .collect();
        architectures.sort_by(|a, b| a.arch.cmp(&b.arch));
        let missing_architectures = EXPECTED_ARCHES
            .iter()
            .filter(|e| !arches.contains_key(**e))
            .map(|e| e.to_string())
            .collect();
        Ok(BootImages {
            stream: str_field(Some(v), "stream"),
            last_modified: str_field(v.get("metadata"), "last-modified"),
            architectures,
            missing_architectures,
        })
    }

    pub fn arch(&self, arch: &str) -> Option<&ArchBootImages> {
        self.architectures.iter().find(|a| a.arch == arch)
    }

    /// Lines a view renders: a header, then per architecture one line per artifact, then the
    /// missing architectures.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "Boot images: stream {}{}",
            self.stream.as_deref().unwrap_or("unknown"),
            self.last_modified
                .as_deref()
                .map(|m| format!(" (modified {m})"))
                .unwrap_or_default()
        )];
        for a in &self.architectures {
            out.push(format!(
                "  {}: release {}",
                a.arch,
                a.release.as_deref().unwrap_or("unknown")
            ));
            for art in &a.artifacts {
                out.push(format!("    {:<14} {}", art.kind.label(), art.summary()));
            }
        }
        for m in &self.missing_architectures {
            out.push(format!("  {m}: not in the stream (no boot images for {m})"));
        }
        out
    }
}

fn arch_images(arch: &str, a: &Value) -> ArchBootImages {
    let metal = a.pointer("/artifacts/metal");
    let metal_release = str_field(metal, "release");
    let azure = a
        .get("rhel-coreos-extensions")
        .and_then(|e| e.get("azure-disk"));
    let azure_release = str_field(azure, "release");
    let formats = metal.and_then(|m| m.get("formats"));
    let file = |format: &str, name: &str| {
        formats
            .and_then(|f| f.get(format))
            .and_then(|f| f.get(name))
    };
    let metal_artifact = |kind: ArtifactKind, f: Option<&Value>| Artifact {
        kind,
        url: str_field(f, "location"),
        sha256: str_field(f, "sha256"),
        release: metal_release.clone(),
        jq_path: kind.url_path(arch),
    };
    let artifacts = vec![
        Artifact {
            kind: ArtifactKind::AzureVhd,
            url: str_field(azure, "url"),
            sha256: None,
            release: azure_release.clone(),
            jq_path: ArtifactKind::AzureVhd.url_path(arch),
        },
        metal_artifact(ArtifactKind::MetalIso, file("iso", "disk")),
        metal_artifact(ArtifactKind::PxeKernel, file("pxe", "kernel")),
        metal_artifact(ArtifactKind::PxeInitramfs, file("pxe", "initramfs")),
        metal_artifact(ArtifactKind::PxeRootfs, file("pxe", "rootfs")),
    ];
    ArchBootImages {
        arch: arch.to_string(),
        release: metal_release.or(azure_release),
        artifacts,
    }
}

/// The OSC 52 escape sequence that asks the terminal to put `text` on the clipboard:
/// `ESC ] 52 ; c ; <base64> BEL`.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}
