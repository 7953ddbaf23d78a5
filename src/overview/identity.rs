//! Cluster identity: version, channel, platform, infrastructure name, network type, and whether
//! the release payload is multi-arch (seed 001 §4.5.1).

use serde::Serialize;
use serde_json::Value;

use super::flavor::str_at;
use crate::fetched::Fetched;

/// The command that migrates a single-arch cluster to the multi payload.
pub const TO_MULTI_ARCH_COMMAND: &str = "oc adm upgrade --to-multi-arch";
/// The command that shows the payload's architecture (`release.openshift.io/architecture: multi`).
pub const RELEASE_INFO_COMMAND: &str = r#"oc adm release info -o jsonpath="{ .metadata.metadata}""#;

/// What the release payload supports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "payload", rename_all = "kebab-case")]
pub enum Payload {
    /// The multi payload: compute nodes of any supported architecture can join.
    Multi,
    /// A single-architecture payload (`arch` from the control-plane nodes when known).
    Single { arch: Option<String> },
    /// ClusterVersion could not be read (the reason says why).
    Unknown { reason: String },
}

impl Payload {
    pub fn is_multi(&self) -> bool {
        matches!(self, Payload::Multi)
    }

    /// One plain sentence for the overview.
    pub fn summary(&self) -> String {
        match self {
            Payload::Multi => {
                "multi-arch payload: compute nodes of other architectures can join".to_string()
            }
            Payload::Single { arch } => format!(
                "single-arch payload{}: compute nodes of another architecture cannot join",
                arch.as_deref()
                    .map(|a| format!(" ({a})"))
                    .unwrap_or_default()
            ),
            Payload::Unknown { reason } => format!("payload architecture unknown: {reason}"),
        }
    }

    /// The next step, only for a single-arch payload.
    pub fn next_step(&self) -> Option<String> {
        match self {
            Payload::Single { .. } => Some(format!(
                "Migrate to the multi payload first: `{TO_MULTI_ARCH_COMMAND}`; then \
                 `{RELEASE_INFO_COMMAND}` shows \"release.openshift.io/architecture\": \"multi\". \
                 Compute nodes of another architecture cannot join a single-arch payload."
            )),
            _ => None,
        }
    }
}

/// Identity fields of an OpenShift cluster; every field is optional so partial reads still show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Current version: the newest Completed history entry, else `status.desired.version`.
    pub version: Option<String>,
    /// Set while an update is in progress (desired differs from the completed version).
    pub updating_to: Option<String>,
    pub channel: Option<String>,
    pub cluster_id: Option<String>,
    /// `status.platformStatus.type`, else `status.platform`.
    pub platform: Option<String>,
    pub infrastructure_name: Option<String>,
    pub network_type: Option<String>,
    /// Why an item is not shown, e.g. `ClusterVersion: forbidden`.
    pub notes: Vec<String>,
}

/// Version shown for a ClusterVersion: newest Completed history entry, else desired.version.
pub fn cluster_version_string(cv: &Value) -> Option<String> {
    let history = cv.pointer("/status/history").and_then(Value::as_array);
    history
        .and_then(|h| {
            h.iter()
                .find(|e| e.get("state").and_then(Value::as_str) == Some("Completed"))
        })
        .and_then(|e| str_at(e, "/version"))
        .or_else(|| str_at(cv, "/status/desired/version"))
}

impl Identity {
    /// Builds the identity from ClusterVersion `version`, Infrastructure `cluster` and Network
    /// `cluster` (any of which may be absent or forbidden).
    pub fn build(cv: &Fetched<Value>, infra: &Fetched<Value>, network: &Fetched<Value>) -> Self {
        let mut id = Identity::default();
        for (what, f) in [
            ("ClusterVersion version", cv),
            ("Infrastructure cluster", infra),
            ("Network cluster", network),
        ] {
            if !f.is_present() {
                id.notes.push(format!("{what}: {}", f.state_label()));
            }
        }
        if let Some(cv) = cv.get() {
            id.version = cluster_version_string(cv);
            let desired = str_at(cv, "/status/desired/version");
            if desired.is_some() && desired != id.version {
                id.updating_to = desired;
            }
            id.channel = str_at(cv, "/spec/channel");
            id.cluster_id = str_at(cv, "/spec/clusterID");
        }
        if let Some(i) = infra.get() {
            id.platform =
                str_at(i, "/status/platformStatus/type").or_else(|| str_at(i, "/status/platform"));
            id.infrastructure_name = str_at(i, "/status/infrastructureName");
        }
        if let Some(n) = network.get() {
            id.network_type =
                str_at(n, "/status/networkType").or_else(|| str_at(n, "/spec/networkType"));
        }
        id
    }

    /// `(label, value)` pairs a view renders; absent values read `unknown`.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_string());
        let mut version = or(&self.version);
        if let Some(to) = &self.updating_to {
            version.push_str(&format!(" (updating to {to})"));
        }
        vec![
            ("Version", version),
            ("Channel", or(&self.channel)),
            ("Platform", or(&self.platform)),
            ("Infrastructure", or(&self.infrastructure_name)),
            ("Network", or(&self.network_type)),
        ]
    }
}

/// Detects a multi-arch payload from ClusterVersion: `status.desired.architecture == "Multi"`,
/// else the `ReleaseAccepted` condition's message (`architecture="Multi"`). A requested but
/// unfinished migration (`spec.desiredUpdate.architecture` only) does not count. `control_plane_arch` names the single arch when it is not multi.
pub fn payload(cv: &Fetched<Value>, control_plane_arch: Option<&str>) -> Payload {
    let Some(cv) = cv.get() else {
        return Payload::Unknown {
            reason: format!("ClusterVersion {}", cv.state_label()),
        };
    };
    let is_multi = |s: Option<String>| s.is_some_and(|a| a.eq_ignore_ascii_case("multi"));
    let from_condition = cv
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("ReleaseAccepted"))
        })
        .and_then(|c| c.get("message").and_then(Value::as_str))
        .is_some_and(|m| m.contains("architecture=\"Multi\""));
    if is_multi(str_at(cv, "/status/desired/architecture")) || from_condition {
        Payload::Multi
    } else {
        Payload::Single {
            arch: control_plane_arch.map(str::to_string),
        }
    }
}
