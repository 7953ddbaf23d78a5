//! Validators and typed values for the `hcp` options beyond the basics: availability policies,
//! control-plane tolerations, KubeVirt CSI class mappings, root-volume access/volume modes and
//! cache strategy, and host devices. Same syntax and defaults as `hcp`, but where `hcp` silently
//! drops or panics on bad input these refuse it with a message.
//!
//! Repeatable flags whose values contain commas (`--toleration`, `--infra-storage-class-mapping`,
//! `--infra-volumesnapshot-class-mapping`, `--host-device-name`) are held in one form field as
//! entries separated by `;` (the CLI joins repeated flags that way; a wizard user types them).

use serde_json::{Value, json};

use super::validate::{Checked, Invalid};

/// Separator of the entries of a repeatable option in one form field.
pub const ENTRY_SEPARATOR: char = ';';

fn invalid<T>(msg: impl Into<String>) -> Checked<T> {
    Err(Invalid(msg.into()))
}

/// The entries of a `;`-separated field, trimmed, empty ones dropped.
pub fn entries(s: &str) -> impl Iterator<Item = &str> {
    s.split(ENTRY_SEPARATOR)
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// `spec.controllerAvailabilityPolicy` / `spec.infrastructureAvailabilityPolicy` values.
pub const AVAILABILITY_POLICIES: [&str; 2] = ["HighlyAvailable", "SingleReplica"];
/// `hcp create cluster`'s default `--control-plane-availability-policy`.
pub const DEFAULT_CONTROL_PLANE_AVAILABILITY: &str = "HighlyAvailable";

/// An availability policy; empty is `None` (`hcp` then leaves the field to the CRD default).
pub fn availability_policy(what: &str, s: &str) -> Checked<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match AVAILABILITY_POLICIES
        .iter()
        .find(|p| p.eq_ignore_ascii_case(s))
    {
        Some(p) => Ok(Some((*p).to_string())),
        None => invalid(format!(
            "{what} must be HighlyAvailable or SingleReplica, not {s:?}"
        )),
    }
}

/// A control-plane toleration (`--toleration key=..,value=..,operator=..,effect=..,tolerationSeconds=..`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Toleration {
    pub key: Option<String>,
    pub value: Option<String>,
    pub operator: Option<String>,
    pub effect: Option<String>,
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// The `corev1.Toleration` object (only the fields that were given, as `hcp` renders).
    pub fn to_json(&self) -> Value {
        let mut t = json!({});
        let fields = [
            ("key", &self.key),
            ("operator", &self.operator),
            ("value", &self.value),
            ("effect", &self.effect),
        ];
        for (name, v) in fields {
            if let Some(v) = v {
                t[name] = json!(v);
            }
        }
        if let Some(s) = self.toleration_seconds {
            t["tolerationSeconds"] = json!(s);
        }
        t
    }
}

/// One `--toleration` value, parsed like `hcp` (option names and the operator and effect are
/// case-insensitive and normalised), plus the pod-level rules a control-plane pod would
/// otherwise fail on later.
pub fn toleration(s: &str) -> Checked<Toleration> {
    let mut t = Toleration::default();
    for kv in s.split(',') {
        let Some((k, v)) = kv.split_once('=') else {
            return invalid(format!(
                "toleration {s:?}: {kv:?} is not option=value (options: key, value, operator, effect, tolerationSeconds)"
            ));
        };
        let (k, v) = (k.trim(), v.trim());
        if v.contains('=') {
            return invalid(format!("toleration {s:?}: {kv:?} has more than one ="));
        }
        match k.to_ascii_lowercase().as_str() {
            "key" => t.key = Some(v.to_string()),
            "value" => t.value = Some(v.to_string()),
            "operator" => {
                t.operator = match v.to_ascii_lowercase().as_str() {
                    "" => None,
                    "exists" => Some("Exists".into()),
                    "equal" => Some("Equal".into()),
                    _ => {
                        return invalid(format!(
                            "toleration {s:?}: operator must be Exists or Equal, not {v:?}"
                        ));
                    }
                }
            }
            "effect" => {
                t.effect = match v.to_ascii_lowercase().as_str() {
                    "" => None,
                    "noschedule" => Some("NoSchedule".into()),
                    "prefernoschedule" => Some("PreferNoSchedule".into()),
                    "noexecute" => Some("NoExecute".into()),
                    _ => {
                        return invalid(format!(
                            "toleration {s:?}: effect must be NoSchedule, PreferNoSchedule or NoExecute, not {v:?}"
                        ));
                    }
                }
            }
            "tolerationseconds" => {
                t.toleration_seconds = Some(v.parse().map_err(|_| {
                    Invalid(format!(
                        "toleration {s:?}: tolerationSeconds must be a whole number of seconds, not {v:?}"
                    ))
                })?)
            }
            _ => {
                return invalid(format!(
                    "toleration {s:?}: unknown option {k:?} (options: key, value, operator, effect, tolerationSeconds)"
                ));
            }
        }
    }
    // The control-plane pods get these tolerations; the API server would refuse such pods.
    if t.operator.as_deref() == Some("Exists") && t.value.as_deref().is_some_and(|v| !v.is_empty())
    {
        return invalid(format!(
            "toleration {s:?}: a value must be empty when the operator is Exists"
        ));
    }
    if t.key.as_deref().is_none_or(str::is_empty) && t.operator.as_deref() != Some("Exists") {
        return invalid(format!(
            "toleration {s:?}: without a key the operator must be Exists (to tolerate every taint)"
        ));
    }
    if t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute") {
        return invalid(format!(
            "toleration {s:?}: tolerationSeconds only applies with effect=NoExecute"
        ));
    }
    Ok(t)
}

/// Every `;`-separated toleration of a field.
pub fn tolerations(s: &str) -> Checked<Vec<Toleration>> {
    entries(s).map(toleration).collect()
}

/// An infra-to-guest class mapping of the KubeVirt CSI driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassMapping {
    pub infra: String,
    pub guest: String,
    pub group: Option<String>,
}

/// Which class a mapping maps (for messages and field names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    StorageClass,
    VolumeSnapshotClass,
}

impl MappingKind {
    fn what(self) -> &'static str {
        match self {
            MappingKind::StorageClass => "storage class",
            MappingKind::VolumeSnapshotClass => "volume snapshot class",
        }
    }

    fn to_json(self, m: &ClassMapping) -> Value {
        let (infra, guest) = match self {
            MappingKind::StorageClass => ("infraStorageClassName", "guestStorageClassName"),
            MappingKind::VolumeSnapshotClass => (
                "infraVolumeSnapshotClassName",
                "guestVolumeSnapshotClassName",
            ),
        };
        let mut o = json!({(infra): m.infra, (guest): m.guest});
        if let Some(g) = &m.group {
            o["group"] = json!(g);
        }
        o
    }
}

/// `<infra class>/<guest class>[,group=<group>]`, as `--infra-storage-class-mapping` and
/// `--infra-volumesnapshot-class-mapping`. `hcp` ignores unknown options and panics on an
/// option without `=`; both are refused here.
pub fn class_mapping(kind: MappingKind, s: &str) -> Checked<ClassMapping> {
    let what = kind.what();
    let example = match kind {
        MappingKind::StorageClass => "ocs-storagecluster-ceph-rbd/ceph-rbd[,group=<group>]",
        MappingKind::VolumeSnapshotClass => "ocs-storagecluster-rbd-snap/rbd-snap[,group=<group>]",
    };
    let parts: Vec<&str> = s.split('/').collect();
    let [infra, rest] = parts[..] else {
        return invalid(format!(
            "infra {what} mapping {s:?} must be <infra {what}>/<guest {what}>, e.g. {example}"
        ));
    };
    let mut options = rest.split(',');
    let guest = options.next().unwrap_or_default().trim();
    let infra = infra.trim();
    if infra.is_empty() || guest.is_empty() {
        return invalid(format!(
            "infra {what} mapping {s:?} needs both an infra and a guest {what}, e.g. {example}"
        ));
    }
    let mut group = None;
    for opt in options {
        match opt.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("group") && !v.trim().is_empty() => {
                group = Some(v.trim().to_string());
            }
            _ => {
                return invalid(format!(
                    "infra {what} mapping {s:?}: the only option is group=<group name>, not {:?}",
                    opt.trim()
                ));
            }
        }
    }
    Ok(ClassMapping {
        infra: infra.to_string(),
        guest: guest.to_string(),
        group,
    })
}

/// Every `;`-separated mapping of a field.
pub fn class_mappings(kind: MappingKind, s: &str) -> Checked<Vec<ClassMapping>> {
    entries(s).map(|e| class_mapping(kind, e)).collect()
}

/// `spec.platform.kubevirt.storageDriver` for the mappings (`None` without any: the CRD default
/// `Default` driver then maps only the infra default class), as `hcp` writes it.
pub fn storage_driver(storage: &[ClassMapping], snapshots: &[ClassMapping]) -> Option<Value> {
    if storage.is_empty() && snapshots.is_empty() {
        return None;
    }
    let mut manual = json!({});
    if !storage.is_empty() {
        manual["storageClassMapping"] = storage
            .iter()
            .map(|m| MappingKind::StorageClass.to_json(m))
            .collect();
    }
    if !snapshots.is_empty() {
        manual["volumeSnapshotClassMapping"] = snapshots
            .iter()
            .map(|m| MappingKind::VolumeSnapshotClass.to_json(m))
            .collect();
    }
    Some(json!({"type": "Manual", "manual": manual}))
}

/// The access modes a root volume may ask for (the NodePool CRD's enum).
pub const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadWriteMany",
    "ReadOnly",
    "ReadWriteOncePod",
];

/// `--root-volume-access-modes`: comma-separated; empty leaves the choice to the storage
/// profile (the `hcp` default).
pub fn access_modes(s: &str) -> Checked<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for m in s.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let Some(known) = ACCESS_MODES.iter().find(|a| a.eq_ignore_ascii_case(m)) else {
            return invalid(format!(
                "unknown access mode {m:?}: use {}",
                ACCESS_MODES.join(", ")
            ));
        };
        if !out.iter().any(|o| o == known) {
            out.push((*known).to_string());
        }
    }
    Ok(out)
}

/// `--root-volume-volume-mode`: empty, Filesystem or Block.
pub fn volume_mode(s: &str) -> Checked<Option<String>> {
    one_of("root volume volume mode", s, &["Filesystem", "Block"])
}

/// `--root-volume-cache-strategy`: empty, None or PVC.
pub fn cache_strategy(s: &str) -> Checked<Option<String>> {
    one_of("root volume cache strategy", s, &["None", "PVC"])
}

fn one_of(what: &str, s: &str, allowed: &[&str]) -> Checked<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match allowed.iter().find(|a| a.eq_ignore_ascii_case(s)) {
        Some(a) => Ok(Some((*a).to_string())),
        None => invalid(format!(
            "{what} must be {} (or empty), not {s:?}",
            allowed.join(" or ")
        )),
    }
}

/// A PCI/mediated host device passed through to every VM of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDevice {
    pub name: String,
    pub count: u32,
}

/// `--host-device-name <device>,count:<n>`. `hcp` silently drops an entry without `count`
/// (its help says the count defaults to 1): refused here so no device is lost unnoticed.
pub fn host_device(s: &str) -> Checked<HostDevice> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let name = parts.first().copied().unwrap_or_default();
    if name.is_empty() {
        return invalid(format!(
            "host device {s:?} has no device name: write <device-name>,count:<n>"
        ));
    }
    let count = match parts[..] {
        [_] => {
            return invalid(format!(
                "host device {name:?} has no count: write {name},count:1 (hcp would silently leave this device out)"
            ));
        }
        [_, opt] => match opt.split_once(':') {
            Some(("count", n)) => n.trim().parse::<i64>().map_err(|_| {
                Invalid(format!(
                    "host device {s:?}: count must be a whole number, not {n:?}"
                ))
            })?,
            _ => {
                return invalid(format!(
                    "host device {s:?}: the only option is count:<n>, not {opt:?}"
                ));
            }
        },
        _ => {
            return invalid(format!(
                "host device {s:?} must be <device-name>,count:<n> (one option only)"
            ));
        }
    };
    match u32::try_from(count) {
        Ok(count) if count >= 1 => Ok(HostDevice {
            name: name.to_string(),
            count,
        }),
        _ => invalid(format!(
            "host device {name:?}: count must be 1 or more, not {count}"
        )),
    }
}

/// Every `;`-separated host device of a field.
pub fn host_devices(s: &str) -> Checked<Vec<HostDevice>> {
    entries(s).map(host_device).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toleration_normalises_like_hcp() {
        let t = toleration("key=key1,value=value1,effect=noschedule").expect("valid");
        assert_eq!(
            t.to_json(),
            json!({"key": "key1", "value": "value1", "effect": "NoSchedule"})
        );
        let t = toleration("Key=k, operator=exists ,effect=NOEXECUTE,tolerationSeconds=300")
            .expect("valid");
        assert_eq!(
            t.to_json(),
            json!({"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
        );
        for (bad, why) in [
            ("key", "not option=value"),
            ("key=a,effect=sometimes", "effect must be"),
            ("key=a,operator=in", "operator must be"),
            ("key=a,color=red", "unknown option"),
            (
                "key=a,effect=NoExecute,tolerationSeconds=soon",
                "whole number",
            ),
            (
                "key=a,effect=NoSchedule,tolerationSeconds=5",
                "only applies",
            ),
            ("key=a,operator=Exists,value=b", "value must be empty"),
            ("effect=NoSchedule", "without a key"),
        ] {
            let e = toleration(bad).expect_err(bad).0;
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert_eq!(
            tolerations("key=a,effect=NoSchedule; key=b,effect=NoSchedule;")
                .expect("two")
                .len(),
            2
        );
    }

    #[test]
    fn class_mappings_take_a_group() {
        let m = class_mapping(MappingKind::StorageClass, "ceph-rbd/guest-rbd, group=g1")
            .expect("valid");
        assert_eq!(
            (m.infra.as_str(), m.guest.as_str(), m.group.as_deref()),
            ("ceph-rbd", "guest-rbd", Some("g1"))
        );
        assert_eq!(
            class_mapping(MappingKind::VolumeSnapshotClass, "a/b")
                .expect("valid")
                .group,
            None
        );
        for bad in ["nodash", "a/b/c", "/b", "a/", "a/b,grop=x", "a/b,group"] {
            assert!(
                class_mapping(MappingKind::StorageClass, bad).is_err(),
                "{bad}"
            );
        }
        assert_eq!(storage_driver(&[], &[]), None);
    }

    #[test]
    fn host_devices_need_a_count() {
        assert_eq!(
            host_device("nvidia-a100,count:2").expect("valid"),
            HostDevice {
                name: "nvidia-a100".into(),
                count: 2
            }
        );
        let e = host_device("nvidia-a100").expect_err("no count").0;
        assert!(e.contains("has no count: write nvidia-a100,count:1"), "{e}");
        for bad in [
            "gpu,count:0",
            "gpu,count:-1",
            "gpu,count:x",
            "gpu,size:2",
            "gpu,count:1,x",
            ",count:1",
        ] {
            assert!(host_device(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn modes_and_policies() {
        assert_eq!(
            access_modes("readwritemany, ReadWriteOnce,ReadWriteMany").expect("valid"),
            ["ReadWriteMany", "ReadWriteOnce"]
        );
        assert!(access_modes("RWX").is_err());
        assert_eq!(
            volume_mode("block").expect("valid").as_deref(),
            Some("Block")
        );
        assert!(volume_mode("raw").is_err());
        assert_eq!(cache_strategy("").expect("valid"), None);
        assert!(cache_strategy("disk").is_err());
        assert_eq!(
            availability_policy("x", "singlereplica")
                .expect("valid")
                .as_deref(),
            Some("SingleReplica")
        );
        assert!(availability_policy("x", "Triple").is_err());
    }
}
