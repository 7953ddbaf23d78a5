//! CDI `cdi.kubevirt.io/v1beta1` DataVolume imports and clones, read from the object's JSON.
//!
//! The watch belongs to the caller; this module only turns one DataVolume (a `serde_json::Value`,
//! e.g. from a `DynamicObject`) into [`DataVolumeCopy`] and then into a [`CopyItem`], keeping the
//! previous item's samples so rate and ETA follow successive `status.progress` updates.

use std::fmt;

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::dv_resource::DataVolume;
use super::progress::{CopyItem, CopyState, SourceKind};

/// Label HyperShift puts on the boot image cache DataVolume.
pub const BOOT_IMAGE_ROLE_LABEL: &str = "hypershift.openshift.io/kubevirt-boot-image-role";
/// Name prefix (generateName) of the boot image cache DataVolume.
pub const BOOT_IMAGE_CACHE_PREFIX: &str = "kv-boot-image-cache-";
const NODEPOOL_NAME_LABEL: &str = "hypershift.openshift.io/nodepool-name";
const NODEPOOL_UID_LABEL: &str = "hypershift.openshift.io/nodepool-uid";
const INFRA_ID_LABEL: &str = "hypershift.openshift.io/infra-id";

/// Who a DataVolume belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DvOwner {
    /// Owning KubeVirt VirtualMachine (ownerReference kind `VirtualMachine`).
    pub vm: Option<String>,
    /// NodePool, from an ownerReference or the `nodepool-name` label.
    pub nodepool: Option<String>,
    /// NodePool UID from the boot image cache's label.
    pub nodepool_uid: Option<String>,
    /// HostedCluster from an ownerReference, or its infra ID from the label.
    pub hosted_cluster: Option<String>,
    /// The NodePool's boot image cache (`kv-boot-image-cache-*`).
    pub boot_image_cache: bool,
    /// Any other controlling owner, as `Kind/name`.
    pub other: Option<String>,
}

impl fmt::Display for DvOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.boot_image_cache {
            parts.push("boot image cache".to_string());
        }
        if let Some(v) = &self.vm {
            parts.push(format!("vm/{v}"));
        }
        match (&self.nodepool, &self.nodepool_uid) {
            (Some(n), _) => parts.push(format!("nodepool/{n}")),
            (None, Some(u)) => parts.push(format!("nodepool uid {u}")),
            _ => {}
        }
        if let Some(h) = &self.hosted_cluster {
            parts.push(format!("cluster/{h}"));
        }
        if let Some(o) = &self.other {
            parts.push(o.clone());
        }
        if parts.is_empty() {
            f.write_str("-")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// `status.progress`: `"N/A"` (or absent) until known, then a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DvProgress {
    Unknown,
    /// 0.0..=1.0
    Fraction(f64),
}

impl DvProgress {
    /// Parse `"45.30%"`, `"100.0%"`, `"N/A"`; anything unparsable is `Unknown`.
    pub fn parse(s: Option<&str>) -> Self {
        let Some(s) = s.map(str::trim) else {
            return DvProgress::Unknown;
        };
        match s.strip_suffix('%').map(str::trim).map(str::parse::<f64>) {
            Some(Ok(p)) if p.is_finite() && p >= 0.0 => DvProgress::Fraction((p / 100.0).min(1.0)),
            _ => DvProgress::Unknown,
        }
    }
}

/// What one DataVolume says about its copy.
#[derive(Debug, Clone, PartialEq)]
pub struct DataVolumeCopy {
    pub namespace: String,
    pub name: String,
    pub owner: DvOwner,
    /// `status.phase` as written (empty when unset).
    pub phase: String,
    pub progress: DvProgress,
    /// Requested size in bytes (`spec.storage` or `spec.pvc` `resources.requests.storage`).
    pub size: Option<u64>,
    /// What is copied: `http <url>`, `registry <url>`, `pvc ns/name`, `upload`, `blank`, ...
    pub source: String,
    pub restart_count: u64,
    pub created: Option<Timestamp>,
    /// When `Ready` turned true (the copy finished), if known.
    pub ready_since: Option<Timestamp>,
    /// Why the copy is failing or failed: from a `Running`/`Ready` condition with a message,
    /// present when the phase is `Failed`, the import restarted, or `Running` is false with an
    /// error reason.
    pub failure: Option<String>,
}

/// Why a JSON value is not a DataVolume we can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DvError {
    #[error("not a cdi.kubevirt.io DataVolume (kind {kind:?}, apiVersion {api_version:?})")]
    NotADataVolume { kind: String, api_version: String },
    #[error("DataVolume without metadata.name")]
    NoName,
}

impl DataVolumeCopy {
    /// Read a DataVolume object. Only `kind`, `apiVersion` group and `metadata.name` are required;
    /// every status field is optional.
    pub fn from_json(v: &Value) -> Result<Self, DvError> {
        check_kind(
            v["kind"].as_str().unwrap_or_default(),
            v["apiVersion"].as_str().unwrap_or_default(),
        )?;
        let meta = &v["metadata"];
        let name = meta["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or(DvError::NoName)?
            .to_string();
        let owners = meta["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["kind"].as_str()?, r["name"].as_str()?)));
        Ok(Self::from_parts(
            Ident {
                owner: owner(&name, |k| meta["labels"][k].as_str(), owners),
                namespace: meta["namespace"].as_str().unwrap_or_default().to_string(),
                name,
                created: time(&meta["creationTimestamp"]),
            },
            &v["spec"],
            &v["status"],
        ))
    }

    /// [`DataVolumeCopy::from_json`] of a cached DataVolume, its metadata read as it is typed:
    /// the Copies pane converts every changed DataVolume (200 a second on a churning hub), and
    /// writing the metadata out as JSON to read it back was half of each conversion.
    pub fn from_dv(dv: &DataVolume) -> Result<Self, DvError> {
        check_kind(&dv.kind, &dv.api_version)?;
        let m = &dv.metadata;
        let name = m
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .ok_or(DvError::NoName)?
            .to_string();
        let labels = m.labels.as_ref();
        let owners = m
            .owner_references
            .iter()
            .flatten()
            .map(|r| (r.kind.as_str(), r.name.as_str()));
        Ok(Self::from_parts(
            Ident {
                owner: owner(&name, |k| labels?.get(k).map(String::as_str), owners),
                namespace: m.namespace.clone().unwrap_or_default(),
                name,
                created: m.creation_timestamp.as_ref().map(|t| t.0),
            },
            &dv.spec.value(),
            &dv.status.value(),
        ))
    }

    fn from_parts(id: Ident, spec: &Value, status: &Value) -> Self {
        let phase = status["phase"].as_str().unwrap_or_default().to_string();
        let restart_count = status["restartCount"].as_u64().unwrap_or(0);
        let conditions: &[Value] = status["conditions"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let cond = |ty: &str| conditions.iter().find(|c| c["type"] == ty);
        let ready_since = cond("Ready")
            .filter(|c| c["status"] == "True")
            .and_then(|c| time(&c["lastTransitionTime"]));
        let failure = failure(&phase, restart_count, cond("Running"), cond("Ready"));
        Self {
            owner: id.owner,
            namespace: id.namespace,
            name: id.name,
            progress: DvProgress::parse(status["progress"].as_str()),
            size: size(spec),
            source: source(&spec["source"]),
            phase,
            restart_count,
            created: id.created,
            ready_since,
            failure,
        }
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The unified state for this phase.
    pub fn state(&self) -> CopyState {
        match self.phase.as_str() {
            "Succeeded" => CopyState::Succeeded,
            "Failed" => CopyState::Failed,
            p if p.ends_with("InProgress") || p == "UploadReady" => CopyState::Running,
            _ => CopyState::Pending,
        }
    }

    /// The copy as the pane shows it, observed at `now`. Pass the previous item for this
    /// DataVolume so the estimator keeps its samples.
    pub fn to_item(&self, previous: Option<&CopyItem>, now: Timestamp) -> CopyItem {
        let mut item = match previous {
            Some(p) if p.kind == SourceKind::DataVolume && p.key == self.key() => p.clone(),
            _ => CopyItem::new(SourceKind::DataVolume, self.key(), self.name.clone()),
        };
        item.name = self.name.clone();
        item.detail = self.owner.to_string();
        item.state = self.state();
        item.started = self.created;
        item.finished = if item.state.is_final() {
            self.ready_since.or(item.finished).or(Some(now))
        } else {
            None
        };
        let fraction = match self.progress {
            DvProgress::Fraction(f) => Some(f),
            DvProgress::Unknown if item.state == CopyState::Succeeded => Some(1.0),
            DvProgress::Unknown => None,
        };
        item.observe(now, fraction, None, self.size);
        let phase = if self.phase.is_empty() {
            "no phase yet"
        } else {
            &self.phase
        };
        item.message = Some(match &self.failure {
            Some(f) => format!("{phase}: {f}"),
            None if self.restart_count > 0 => {
                format!("{phase}, {} restarts", self.restart_count)
            }
            None => format!("{phase} {}", self.source),
        });
        item
    }
}

fn time(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Only a DataVolume (an empty kind or apiVersion passes: lists leave them out of items).
fn check_kind(kind: &str, api_version: &str) -> Result<(), DvError> {
    if (!kind.is_empty() && kind != "DataVolume")
        || (!api_version.is_empty() && !api_version.starts_with("cdi.kubevirt.io/"))
    {
        return Err(DvError::NotADataVolume {
            kind: kind.to_string(),
            api_version: api_version.to_string(),
        });
    }
    Ok(())
}

/// What a conversion reads of the metadata, from JSON or typed.
struct Ident {
    owner: DvOwner,
    namespace: String,
    name: String,
    created: Option<Timestamp>,
}

/// `label` looks a label up; `owners` are the ownerReferences' (kind, name).
fn owner<'a>(
    name: &str,
    label: impl Fn(&str) -> Option<&'a str>,
    owners: impl Iterator<Item = (&'a str, &'a str)>,
) -> DvOwner {
    let label = |k: &str| label(k).map(str::to_string);
    let mut o = DvOwner {
        boot_image_cache: name.starts_with(BOOT_IMAGE_CACHE_PREFIX)
            || label(BOOT_IMAGE_ROLE_LABEL).as_deref() == Some("kv-boot-image-cache"),
        nodepool: label(NODEPOOL_NAME_LABEL),
        nodepool_uid: label(NODEPOOL_UID_LABEL),
        hosted_cluster: label(INFRA_ID_LABEL),
        ..DvOwner::default()
    };
    for (kind, n) in owners {
        match kind {
            "VirtualMachine" => o.vm = Some(n.to_string()),
            "NodePool" => o.nodepool = Some(n.to_string()),
            "HostedCluster" => o.hosted_cluster = Some(n.to_string()),
            _ if o.other.is_none() => o.other = Some(format!("{kind}/{n}")),
            _ => {}
        }
    }
    o
}

fn size(spec: &Value) -> Option<u64> {
    ["storage", "pvc"]
        .iter()
        .find_map(|k| spec[*k]["resources"]["requests"]["storage"].as_str())
        .and_then(parse_quantity)
}

fn source(src: &Value) -> String {
    let Some(obj) = src.as_object() else {
        return String::new();
    };
    let Some((kind, body)) = obj.iter().next() else {
        return String::new();
    };
    match kind.as_str() {
        "pvc" | "snapshot" => format!(
            "{kind} {}/{}",
            body["namespace"].as_str().unwrap_or_default(),
            body["name"].as_str().unwrap_or_default()
        ),
        _ => match body["url"].as_str() {
            Some(u) => format!("{kind} {}", crate::redact::in_text(u)),
            None => kind.clone(),
        },
    }
}

fn failure(
    phase: &str,
    restarts: u64,
    running: Option<&Value>,
    ready: Option<&Value>,
) -> Option<String> {
    let msg = |c: Option<&Value>| {
        c.and_then(|c| c["message"].as_str())
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
    };
    let running_error = running.is_some_and(|c| {
        c["status"] == "False"
            && c["reason"]
                .as_str()
                .is_some_and(|r| r.contains("Error") || r.contains("Failed"))
    });
    if phase == "Failed" || restarts > 0 || running_error {
        let text = msg(running).or_else(|| msg(ready));
        let text = match (text, restarts) {
            (Some(t), 0) => t,
            (Some(t), n) => format!("{t} ({n} restarts)"),
            (None, 0) => "failed without a message".to_string(),
            (None, n) => format!("{n} restarts"),
        };
        return Some(text);
    }
    None
}

/// Parse a Kubernetes quantity such as `30Gi`, `500M`, `1.5Gi` or `1073741824` to bytes.
pub fn parse_quantity(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => {
            let exp: i32 = suffix.strip_prefix(['e', 'E'])?.parse().ok()?;
            10f64.powi(exp)
        }
    };
    let v = n * mult;
    (v.is_finite() && v >= 0.0 && v < u64::MAX as f64).then(|| v.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).expect("valid time")
    }

    fn vm_dv(progress: &str, phase: &str) -> Value {
        json!({
            "apiVersion": "cdi.kubevirt.io/v1beta1",
            "kind": "DataVolume",
            "metadata": {
                "name": "np1-abcde-rhcos", "namespace": "clusters-hc1",
                "creationTimestamp": "2023-11-14T22:13:20Z",
                "labels": {"hypershift.openshift.io/is-kubevirt-rhcos": "true",
                           "hypershift.openshift.io/nodepool-name": "np1",
                           "hypershift.openshift.io/infra-id": "hc1-x7z2"},
                "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                                     "name": "np1-abcde", "controller": true, "uid": "u"}]
            },
            "spec": {"source": {"registry": {"url": "docker://quay.io/rhcos@sha256:aa"}},
                     "storage": {"resources": {"requests": {"storage": "32Gi"}}}},
            "status": {"phase": phase, "progress": progress, "restartCount": 0}
        })
    }

    #[test]
    fn progress_strings() {
        assert_eq!(DvProgress::parse(Some("N/A")), DvProgress::Unknown);
        assert_eq!(DvProgress::parse(None), DvProgress::Unknown);
        match DvProgress::parse(Some("45.30%")) {
            DvProgress::Fraction(f) => assert!((f - 0.453).abs() < 1e-12, "{f}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(DvProgress::parse(Some("100.0%")), DvProgress::Fraction(1.0));
        assert_eq!(DvProgress::parse(Some("-3%")), DvProgress::Unknown);
        assert_eq!(DvProgress::parse(Some("abc%")), DvProgress::Unknown);
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("32Gi"), Some(34_359_738_368));
        assert_eq!(parse_quantity("10G"), Some(10_000_000_000));
        assert_eq!(parse_quantity("1.5Ki"), Some(1536));
        assert_eq!(parse_quantity("1024"), Some(1024));
        assert_eq!(parse_quantity("1e3"), Some(1000));
        assert_eq!(parse_quantity("12Xi"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn vm_import_in_progress_with_rate_and_eta() {
        let dv = DataVolumeCopy::from_json(&vm_dv("N/A", "ImportScheduled")).expect("dv");
        assert_eq!(dv.key(), "clusters-hc1/np1-abcde-rhcos");
        assert_eq!(dv.owner.vm.as_deref(), Some("np1-abcde"));
        assert_eq!(
            dv.owner.to_string(),
            "vm/np1-abcde nodepool/np1 cluster/hc1-x7z2"
        );
        assert_eq!(dv.size, Some(32 * 1024 * 1024 * 1024));
        assert_eq!(dv.source, "registry docker://quay.io/rhcos@sha256:aa");
        let item = dv.to_item(None, t(0));
        assert_eq!(item.state, CopyState::Pending);
        assert_eq!(item.fraction, None);

        let dv = DataVolumeCopy::from_json(&vm_dv("10.00%", "ImportInProgress")).expect("dv");
        let item = dv.to_item(Some(&item), t(10));
        let dv = DataVolumeCopy::from_json(&vm_dv("45.00%", "ImportInProgress")).expect("dv");
        let item = dv.to_item(Some(&item), t(80));
        assert_eq!(item.state, CopyState::Running);
        assert_eq!(item.fraction, Some(0.45));
        let r = item.rate_fraction.expect("rate");
        assert!((r - 0.005).abs() < 1e-9, "{r}");
        let eta = item.eta.expect("eta").as_secs();
        assert_eq!(eta, 110, "0.55 left at 0.5 %/s");
        assert!(item.rate_bytes.is_some());
        assert_eq!(item.elapsed(t(80)).map(|d| d.as_secs()), Some(80));
    }

    #[test]
    fn succeeded_goes_final_with_ready_time() {
        let mut v = vm_dv("100.0%", "Succeeded");
        v["status"]["conditions"] = json!([
            {"type": "Ready", "status": "True", "lastTransitionTime": "2023-11-14T22:20:00Z"}]);
        let dv = DataVolumeCopy::from_json(&v).expect("dv");
        let item = dv.to_item(None, t(9999));
        assert_eq!(item.state, CopyState::Succeeded);
        assert_eq!(item.fraction, Some(1.0));
        assert_eq!(item.eta, None);
        assert_eq!(item.elapsed(t(9999)).map(|d| d.as_secs()), Some(400));
    }

    #[test]
    fn failures_from_phase_restarts_and_conditions() {
        let mut v = vm_dv("12.00%", "ImportInProgress");
        v["status"]["restartCount"] = json!(3);
        v["status"]["conditions"] = json!([
            {"type": "Running", "status": "False", "reason": "Error",
             "message": "Unable to connect to http data source: expected status code 200, got 404"}]);
        let dv = DataVolumeCopy::from_json(&v).expect("dv");
        assert_eq!(
            dv.failure.as_deref(),
            Some(
                "Unable to connect to http data source: expected status code 200, got 404 (3 restarts)"
            )
        );
        let item = dv.to_item(None, t(0));
        assert_eq!(item.state, CopyState::Running);
        assert!(
            item.message
                .as_deref()
                .is_some_and(|m| m.starts_with("ImportInProgress: Unable"))
        );

        let mut v = vm_dv("N/A", "Failed");
        v["status"]["conditions"] = json!([]);
        let dv = DataVolumeCopy::from_json(&v).expect("dv");
        assert_eq!(dv.failure.as_deref(), Some("failed without a message"));
        assert_eq!(dv.to_item(None, t(0)).state, CopyState::Failed);
    }

    #[test]
    fn boot_image_cache_and_clone_source() {
        let v = json!({
            "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": {"name": "kv-boot-image-cache-8xk2p", "namespace": "clusters-hc1",
                         "labels": {"hypershift.openshift.io/nodepool-uid": "1234"}},
            "spec": {"source": {"pvc": {"namespace": "ns", "name": "golden"}},
                     "pvc": {"resources": {"requests": {"storage": "16Gi"}}}},
        });
        let dv = DataVolumeCopy::from_json(&v).expect("dv");
        assert!(dv.owner.boot_image_cache);
        assert_eq!(dv.owner.to_string(), "boot image cache nodepool uid 1234");
        assert_eq!(dv.source, "pvc ns/golden");
        assert_eq!(dv.size, Some(16 * 1024 * 1024 * 1024));
        let item = dv.to_item(None, t(0));
        assert_eq!(item.state, CopyState::Pending);
        assert_eq!(item.message.as_deref(), Some("no phase yet pvc ns/golden"));
    }

    #[test]
    fn rejects_other_objects_and_redacts_source_sas() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        assert!(matches!(
            DataVolumeCopy::from_json(&pod),
            Err(DvError::NotADataVolume { .. })
        ));
        let nameless = json!({"kind": "DataVolume", "metadata": {}});
        assert_eq!(DataVolumeCopy::from_json(&nameless), Err(DvError::NoName));
        let v = json!({"kind": "DataVolume", "metadata": {"name": "d"},
            "spec": {"source": {"http": {"url": "https://a.blob.core.windows.net/c/x.vhd?sv=2021-08-06&sig=SECRET"}}}});
        let dv = DataVolumeCopy::from_json(&v).expect("dv");
        assert!(!dv.source.contains("SECRET"), "{}", dv.source);
    }
}
