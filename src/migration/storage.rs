//! Storage capabilities on the infra cluster: which StorageClasses can give ReadWriteMany volumes,
//! from CDI StorageProfiles (`cdi.kubevirt.io/v1beta1`, cluster-scoped, named after the class;
//! `status.claimPropertySets[].accessModes`, overridden by `spec.claimPropertySets`).

use serde_json::Value;

use crate::fleet::util::{annotation, arr_at, name, str_at};

/// Access mode needed on every VMI volume for live migration.
pub const RWX: &str = "ReadWriteMany";

/// One storage class and what its profile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassInfo {
    /// StorageClass name.
    pub name: String,
    /// `provisioner` of the StorageClass (empty when only a profile was seen).
    pub provisioner: String,
    /// Whether a StorageClass object exists.
    pub exists: bool,
    /// Access modes from the profile (`None` when there is no profile).
    pub access_modes: Option<Vec<String>>,
    /// `storageclass.kubernetes.io/is-default-class`.
    pub default: bool,
    /// `storageclass.kubevirt.io/is-default-virt-class`.
    pub default_virt: bool,
}

impl ClassInfo {
    /// `Some(true)` when the profile lists ReadWriteMany, `Some(false)` when it does not, `None`
    /// without a profile.
    pub fn rwx(&self) -> Option<bool> {
        self.access_modes
            .as_ref()
            .map(|m| m.iter().any(|a| a == RWX))
    }
}

/// All classes known from StorageClasses and StorageProfiles, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageCatalog {
    /// The classes.
    pub classes: Vec<ClassInfo>,
}

fn profile_modes(p: &Value) -> Vec<String> {
    let sets = if arr_at(p, "/spec/claimPropertySets").is_empty() {
        arr_at(p, "/status/claimPropertySets")
    } else {
        arr_at(p, "/spec/claimPropertySets")
    };
    let mut modes: Vec<String> = sets
        .iter()
        .flat_map(|s| arr_at(s, "/accessModes"))
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    modes.sort();
    modes.dedup();
    modes
}

impl StorageCatalog {
    /// Builds the catalog from StorageClass and StorageProfile objects.
    pub fn new(classes: &[Value], profiles: &[Value]) -> Self {
        let mut out: Vec<ClassInfo> = classes
            .iter()
            .map(|c| ClassInfo {
                name: name(c).to_string(),
                provisioner: str_at(c, "/provisioner").unwrap_or("").to_string(),
                exists: true,
                access_modes: None,
                default: annotation(c, "storageclass.kubernetes.io/is-default-class")
                    == Some("true"),
                default_virt: annotation(c, "storageclass.kubevirt.io/is-default-virt-class")
                    == Some("true"),
            })
            .collect();
        for p in profiles {
            let class = str_at(p, "/status/storageClass").unwrap_or_else(|| name(p));
            let modes = profile_modes(p);
            match out.iter_mut().find(|c| c.name == class) {
                Some(c) => c.access_modes = Some(modes),
                None => out.push(ClassInfo {
                    name: class.to_string(),
                    provisioner: str_at(p, "/status/provisioner").unwrap_or("").to_string(),
                    exists: false,
                    access_modes: Some(modes),
                    default: false,
                    default_virt: false,
                }),
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        StorageCatalog { classes: out }
    }

    /// A class by name.
    pub fn get(&self, class: &str) -> Option<&ClassInfo> {
        self.classes.iter().find(|c| c.name == class)
    }

    /// The class a claim without `storageClassName` gets: the virt default, else the default.
    pub fn default_class(&self) -> Option<&ClassInfo> {
        self.classes
            .iter()
            .find(|c| c.exists && c.default_virt)
            .or_else(|| self.classes.iter().find(|c| c.exists && c.default))
    }

    /// Existing classes whose profile offers ReadWriteMany.
    pub fn rwx_classes(&self) -> impl Iterator<Item = &ClassInfo> {
        self.classes
            .iter()
            .filter(|c| c.exists && c.rwx() == Some(true))
    }

    /// The RWX class to recommend: the virt default, then the default, then one made for
    /// virtualization (`...-virtualization`), then a Ceph RBD class, then the first by name.
    pub fn pick_rwx(&self) -> Option<&ClassInfo> {
        let rwx: Vec<&ClassInfo> = self.rwx_classes().collect();
        rwx.iter()
            .find(|c| c.default_virt)
            .or_else(|| rwx.iter().find(|c| c.default))
            .or_else(|| rwx.iter().find(|c| c.name.ends_with("-virtualization")))
            .or_else(|| rwx.iter().find(|c| c.name.contains("ceph-rbd")))
            .or_else(|| rwx.first())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn sc(name: &str, default: bool) -> Value {
        let mut c = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                           "metadata": {"name": name, "annotations": {}}, "provisioner": "p"});
        if default {
            c["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] =
                json!("true");
        }
        c
    }

    pub(crate) fn profile(name: &str, modes: &[&str]) -> Value {
        json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile",
               "metadata": {"name": name},
               "status": {"storageClass": name, "claimPropertySets": [
                   {"accessModes": modes, "volumeMode": "Block"},
                   {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}]}})
    }

    #[test]
    fn rwx_from_profiles() {
        let cat = StorageCatalog::new(
            &[
                sc("lvms-vg1", true),
                sc("ocs-storagecluster-ceph-rbd", false),
                sc("no-profile", false),
            ],
            &[
                profile("lvms-vg1", &["ReadWriteOnce"]),
                profile("ocs-storagecluster-ceph-rbd", &["ReadWriteMany"]),
                profile("gone", &["ReadWriteMany"]),
            ],
        );
        assert_eq!(cat.get("lvms-vg1").unwrap().rwx(), Some(false));
        assert_eq!(
            cat.get("ocs-storagecluster-ceph-rbd").unwrap().rwx(),
            Some(true)
        );
        assert_eq!(cat.get("no-profile").unwrap().rwx(), None);
        assert!(!cat.get("gone").unwrap().exists);
        assert_eq!(cat.default_class().unwrap().name, "lvms-vg1");
        assert_eq!(cat.pick_rwx().unwrap().name, "ocs-storagecluster-ceph-rbd");
    }

    #[test]
    fn pick_prefers_virtualization_class_and_spec_overrides() {
        let mut virt = profile(
            "ocs-storagecluster-ceph-rbd-virtualization",
            &["ReadWriteMany"],
        );
        virt["spec"] = json!({"claimPropertySets": [{"accessModes": ["ReadWriteMany"]}]});
        let mut overridden = profile("aaa-nfs", &["ReadWriteMany"]);
        overridden["spec"] = json!({"claimPropertySets": [{"accessModes": ["ReadWriteOnce"]}]});
        let cat = StorageCatalog::new(
            &[
                sc("aaa-nfs", false),
                sc("ocs-storagecluster-ceph-rbd", false),
                sc("ocs-storagecluster-ceph-rbd-virtualization", false),
                sc("zzz", false),
            ],
            &[
                profile("ocs-storagecluster-ceph-rbd", &["ReadWriteMany"]),
                virt,
                overridden,
                profile("zzz", &["ReadWriteMany"]),
            ],
        );
        assert_eq!(cat.get("aaa-nfs").unwrap().rwx(), Some(false));
        assert_eq!(
            cat.pick_rwx().unwrap().name,
            "ocs-storagecluster-ceph-rbd-virtualization"
        );
        assert!(StorageCatalog::default().pick_rwx().is_none());
    }
}
