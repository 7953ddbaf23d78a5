//! Watched kinds of the Node pools and MachineSets panes: HyperShift NodePools, Cluster API
//! Machines (the node pools' machines), Machine API MachineSets and Machines, KubeVirt
//! VirtualMachines/VirtualMachineInstances and CDI DataVolumes. All are optional APIs
//! (`crd: true`: absent → "not installed", quietly).
//!
//! Each is a small typed struct holding `metadata`, `spec` and `status` as JSON (the pure view
//! models in [`crate::fleet`] read `serde_json::Value`); the strip functions drop managedFields,
//! the last-applied annotation and whatever the panes never read.

use std::borrow::Cow;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::runtime::reflector::{self, Store};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{KindSpec, Reporter, kind};

macro_rules! fleet_kind {
    ($(#[$doc:meta])* $ty:ident, $group:literal, $version:literal, $kind:literal, $plural:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $ty {
            #[serde(default)]
            pub metadata: ObjectMeta,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub spec: Option<Value>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub status: Option<Value>,
        }

        impl kube::Resource for $ty {
            type DynamicType = ();
            type Scope = NamespaceResourceScope;
            fn kind(_: &()) -> Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }

        impl $ty {
            /// The object as the view models read it (`apiVersion` and `kind` included).
            pub fn to_value(&self) -> Value {
                let v = serde_json::to_value(self).unwrap_or(Value::Null);
                super::dynamic::with_type_meta(v, concat!($group, "/", $version), $kind)
            }
        }
    };
}

fleet_kind!(
    /// `hypershift.openshift.io/v1beta1` NodePool.
    NodePool, "hypershift.openshift.io", "v1beta1", "NodePool", "nodepools"
);
fleet_kind!(
    /// `machine.openshift.io/v1beta1` MachineSet.
    MachineSet, "machine.openshift.io", "v1beta1", "MachineSet", "machinesets"
);
fleet_kind!(
    /// `machine.openshift.io/v1beta1` Machine (the Machine API: MachineSets' machines).
    FleetMachine, "machine.openshift.io", "v1beta1", "Machine", "machines"
);
fleet_kind!(
    /// `cluster.x-k8s.io/v1beta1` Machine (Cluster API): the machines HyperShift creates per
    /// NodePool replica in each hosted cluster's control-plane namespace.
    PoolMachine, "cluster.x-k8s.io", "v1beta1", "Machine", "machines"
);
fleet_kind!(
    /// `kubevirt.io/v1` VirtualMachine.
    VirtualMachine, "kubevirt.io", "v1", "VirtualMachine", "virtualmachines"
);
fleet_kind!(
    /// `kubevirt.io/v1` VirtualMachineInstance.
    VirtualMachineInstance, "kubevirt.io", "v1", "VirtualMachineInstance", "virtualmachineinstances"
);
fleet_kind!(
    /// `cdi.kubevirt.io/v1beta1` DataVolume.
    DataVolume, "cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes"
);

const fn spec(
    id: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
) -> KindSpec {
    KindSpec {
        id,
        group,
        version,
        plural,
        crd: true,
    }
}

pub const NODEPOOLS: KindSpec = spec(
    "nodepools",
    "hypershift.openshift.io",
    "v1beta1",
    "nodepools",
);
pub const MACHINESETS: KindSpec = spec(
    "machinesets",
    "machine.openshift.io",
    "v1beta1",
    "machinesets",
);
pub const FLEET_MACHINES: KindSpec =
    spec("machines", "machine.openshift.io", "v1beta1", "machines");
/// Cluster API Machines, absent where Cluster API is not installed (no HyperShift).
pub const POOL_MACHINES: KindSpec = spec(
    "machines.cluster.x-k8s.io",
    "cluster.x-k8s.io",
    "v1beta1",
    "machines",
);
pub const VMS: KindSpec = spec("virtualmachines", "kubevirt.io", "v1", "virtualmachines");
pub const VMIS: KindSpec = spec(
    "virtualmachineinstances",
    "kubevirt.io",
    "v1",
    "virtualmachineinstances",
);
pub const DVS: KindSpec = spec("datavolumes", "cdi.kubevirt.io", "v1beta1", "datavolumes");

/// Every kind of this module, for `watch::KINDS`.
pub const FLEET_KINDS: [KindSpec; 7] = [
    NODEPOOLS,
    MACHINESETS,
    FLEET_MACHINES,
    POOL_MACHINES,
    VMS,
    VMIS,
    DVS,
];

fn strip_meta(m: &mut ObjectMeta) {
    m.managed_fields = None;
    if let Some(a) = m.annotations.as_mut() {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

fn keep_keys(v: &mut Option<Value>, keep: &[&str]) {
    if let Some(Value::Object(m)) = v.as_mut() {
        m.retain(|k, _| keep.contains(&k.as_str()));
    }
}

pub fn strip_nodepool(o: &mut NodePool) {
    strip_meta(&mut o.metadata);
}
pub fn strip_machineset(o: &mut MachineSet) {
    // The template stays: OS comes from its labels, ARCH from its providerSpec.
    strip_meta(&mut o.metadata);
}
pub fn strip_machine(o: &mut FleetMachine) {
    strip_meta(&mut o.metadata);
}
pub fn strip_pool_machine(o: &mut PoolMachine) {
    strip_meta(&mut o.metadata);
}
/// VMs: only status (printableStatus) and metadata are read.
pub fn strip_vm(o: &mut VirtualMachine) {
    strip_meta(&mut o.metadata);
    o.spec = None;
}
/// VMIs: phase, nodeName, conditions and phase transition times are read.
pub fn strip_vmi(o: &mut VirtualMachineInstance) {
    strip_meta(&mut o.metadata);
    o.spec = None;
    keep_keys(
        &mut o.status,
        &[
            "phase",
            "nodeName",
            "conditions",
            "phaseTransitionTimestamps",
        ],
    );
}
/// DataVolumes: phase, progress, restartCount and conditions.
pub fn strip_dv(o: &mut DataVolume) {
    strip_meta(&mut o.metadata);
    o.spec = None;
}

/// Readers of the fleet kinds (NodePools and DataVolumes shared with other panes' watches).
#[derive(Clone)]
pub struct FleetStores {
    /// The Hosted clusters pane's NodePool store, shared: one watch of NodePools for both.
    pub nodepools: Store<super::dynamic::NodePool>,
    pub machinesets: Store<MachineSet>,
    /// Machine API Machines (the MachineSets pane, the CSR checks, the Overview).
    pub machines: Store<FleetMachine>,
    /// Cluster API Machines (the Node pools pane: pipelines, scale plans, guest nodes).
    pub pool_machines: Store<PoolMachine>,
    pub vms: Store<VirtualMachine>,
    pub vmis: Store<VirtualMachineInstance>,
    /// The Copies pane's DataVolume store, shared: one watch of DataVolumes, not two.
    pub dvs: Store<crate::copies::dv_resource::DataVolume>,
}

/// The writers matching [`FleetStores`].
pub struct FleetWriters {
    pub machinesets: reflector::store::Writer<MachineSet>,
    pub machines: reflector::store::Writer<FleetMachine>,
    pub pool_machines: reflector::store::Writer<PoolMachine>,
    pub vms: reflector::store::Writer<VirtualMachine>,
    pub vmis: reflector::store::Writer<VirtualMachineInstance>,
}

impl FleetStores {
    /// Fresh stores and writers; DataVolumes come from `dvs` (the Copies pane's store).
    pub fn with_writers(
        nodepools: Store<super::dynamic::NodePool>,
        dvs: Store<crate::copies::dv_resource::DataVolume>,
    ) -> (FleetStores, FleetWriters) {
        let w = FleetWriters {
            machinesets: Default::default(),
            machines: Default::default(),
            pool_machines: Default::default(),
            vms: Default::default(),
            vmis: Default::default(),
        };
        (
            FleetStores {
                nodepools,
                machinesets: w.machinesets.as_reader(),
                machines: w.machines.as_reader(),
                pool_machines: w.pool_machines.as_reader(),
                vms: w.vms.as_reader(),
                vmis: w.vmis.as_reader(),
                dvs,
            },
            w,
        )
    }
}

/// Start one reflector per fleet kind, each the only writer of its store.
pub fn spawn(w: FleetWriters, client: &Client, reporter: &Reporter, cancel: &CancellationToken) {
    {
        let c = || client.clone();
        let r = || reporter.clone();
        let x = || cancel.clone();
        // NodePools: the Hosted clusters pane's watch (`watch::NODEPOOLS`) feeds both.
        kind::spawn_kind(c(), MACHINESETS, w.machinesets, strip_machineset, r(), x());
        kind::spawn_kind(c(), FLEET_MACHINES, w.machines, strip_machine, r(), x());
        kind::spawn_kind(
            c(),
            POOL_MACHINES,
            w.pool_machines,
            strip_pool_machine,
            r(),
            x(),
        );
        kind::spawn_kind(c(), VMS, w.vms, strip_vm, r(), x());
        kind::spawn_kind(c(), VMIS, w.vmis, strip_vmi, r(), x());
        // DataVolumes: the Copies pane's watch (`watch::DATAVOLUMES`) feeds both.
    }
}

/// Bring `prev` (the values from the last call) up to date with the store: only objects whose
/// resourceVersion changed are serialised again, so one change among a thousand pools costs one
/// conversion, not a thousand. Sorted by namespace/name. Returns whether anything changed.
pub fn refresh<K>(prev: &mut Vec<Value>, store: &Store<K>, f: fn(&K) -> Value) -> bool
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    refresh_where(prev, store, f, |_| true)
}

/// [`refresh`] for the objects `keep` accepts only (a pane that needs a few of 10,000).
pub fn refresh_where<K>(
    prev: &mut Vec<Value>,
    store: &Store<K>,
    f: fn(&K) -> Value,
    keep: impl Fn(&K) -> bool,
) -> bool
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    use crate::fleet::util::{name, namespace};
    let before = prev.len();
    let mut converted = false;
    let mut old: std::collections::HashMap<(String, String), Value> = prev
        .drain(..)
        .map(|v| ((namespace(&v).to_string(), name(&v).to_string()), v))
        .collect();
    let mut out: Vec<Value> = store
        .state()
        .iter()
        .filter(|o| keep(o))
        .map(|o| {
            let meta = o.meta();
            let key = (
                meta.namespace.clone().unwrap_or_default(),
                meta.name.clone().unwrap_or_default(),
            );
            match old.remove(&key) {
                Some(v) if holds_version(&v, meta) => v,
                _ => {
                    converted = true;
                    f(o)
                }
            }
        })
        .collect();
    out.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    let changed = converted || before != out.len();
    *prev = out;
    changed
}

/// Whether `v`, converted earlier, is of the object version `meta` describes (an object without
/// a resourceVersion is converted again every time).
fn holds_version(v: &Value, meta: &ObjectMeta) -> bool {
    meta.resource_version.is_some()
        && v.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            == meta.resource_version.as_deref()
}

/// [`refresh`] for the objects at `refs` (namespace, name), each looked up in the store rather
/// than found among all of them. `None` when one is not in the store (the caller then decides,
/// say, to search every namespace); `prev` is then left as it was.
pub fn refresh_named<K>(
    prev: &mut Vec<Value>,
    store: &Store<K>,
    f: fn(&K) -> Value,
    refs: &[(String, String)],
) -> Option<bool>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    use crate::fleet::util::{name, namespace};
    let mut objects = refs
        .iter()
        .map(|(ns, n)| {
            let r = kube::runtime::reflector::ObjectRef::<K>::new(n);
            store.get(&if ns.is_empty() { r } else { r.within(ns) })
        })
        .collect::<Option<Vec<_>>>()?;
    // In `refresh`'s order, each object once.
    let key = |o: &K| {
        let m = o.meta();
        (
            m.namespace.clone().unwrap_or_default(),
            m.name.clone().unwrap_or_default(),
        )
    };
    objects.sort_by_cached_key(|o| key(o));
    objects.dedup_by(|a, b| std::sync::Arc::ptr_eq(a, b));
    let before = prev.len();
    let mut converted = false;
    let out: Vec<Value> = objects
        .iter()
        .map(|o| {
            let meta = o.meta();
            let (ns, n) = (
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
            );
            // Taken, not cloned: `prev` is replaced below.
            match prev
                .iter()
                .position(|v| namespace(v) == ns && name(v) == n && holds_version(v, meta))
            {
                Some(i) => prev.swap_remove(i),
                None => {
                    converted = true;
                    f(o)
                }
            }
        })
        .collect();
    let changed = converted || before != out.len();
    *prev = out;
    Some(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Looked up by name, converted again only when their resourceVersion moved; a missing one
    /// leaves `prev` alone and says so, and the answer matches a search of every object.
    #[test]
    fn named_objects_are_looked_up_and_converted_only_when_they_change() {
        use k8s_openapi::api::core::v1::ConfigMap;
        use kube::runtime::watcher::Event;
        let cm = |ns: &str, n: &str, rv: &str| -> ConfigMap {
            serde_json::from_value(json!({"metadata":
                {"name": n, "namespace": ns, "resourceVersion": rv}}))
            .unwrap()
        };
        let to_value = |c: &ConfigMap| serde_json::to_value(c).unwrap();
        let (store, mut w) = kube::runtime::reflector::store::<ConfigMap>();
        w.apply_watcher_event(&Event::Init);
        for c in [cm("a", "x", "1"), cm("a", "y", "2"), cm("b", "x", "3")] {
            w.apply_watcher_event(&Event::InitApply(c));
        }
        w.apply_watcher_event(&Event::InitDone);
        let refs = |r: &[(&str, &str)]| -> Vec<(String, String)> {
            r.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let mut prev = Vec::new();
        let wanted = refs(&[("b", "x"), ("a", "x"), ("a", "x")]);
        assert_eq!(
            refresh_named(&mut prev, &store, to_value, &wanted),
            Some(true)
        );
        let mut scanned = Vec::new();
        refresh_where(&mut scanned, &store, to_value, |c| {
            c.metadata.name.as_deref() == Some("x")
        });
        assert_eq!(prev, scanned, "same objects, same order");
        assert_eq!(
            refresh_named(&mut prev, &store, to_value, &wanted),
            Some(false)
        );
        w.apply_watcher_event(&Event::Apply(cm("a", "x", "9")));
        assert_eq!(
            refresh_named(&mut prev, &store, to_value, &wanted),
            Some(true)
        );
        assert_eq!(prev[0]["metadata"]["resourceVersion"], "9");
        let kept = prev.clone();
        let missing = refs(&[("a", "x"), ("c", "x")]);
        assert_eq!(refresh_named(&mut prev, &store, to_value, &missing), None);
        assert_eq!(prev, kept);
        assert_eq!(
            refresh_named(&mut prev, &store, to_value, &refs(&[("a", "x")])),
            Some(true),
            "one fewer"
        );
    }

    #[test]
    fn strips_what_is_not_shown_and_keeps_what_is() {
        let mut vmi: VirtualMachineInstance = serde_json::from_value(json!({
            "metadata": {"name": "v", "namespace": "ns", "managedFields": [{"manager": "x"}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "a": "b"}},
            "spec": {"domain": {"cpu": {"cores": 4}}},
            "status": {"phase": "Running", "nodeName": "infra-1", "interfaces": [{"ip": "1.2.3.4"}]}
        }))
        .unwrap();
        strip_vmi(&mut vmi);
        let v = vmi.to_value();
        assert!(v["metadata"].get("managedFields").is_none());
        assert_eq!(v["metadata"]["annotations"], json!({"a": "b"}));
        assert!(v.get("spec").is_none());
        assert_eq!(
            v["status"],
            json!({"phase": "Running", "nodeName": "infra-1"})
        );
        assert_eq!(v["apiVersion"], "kubevirt.io/v1");
        assert_eq!(v["kind"], "VirtualMachineInstance");
    }

    #[test]
    fn the_yaml_view_starts_with_api_version_and_kind() {
        let ms: MachineSet = serde_json::from_value(
            json!({"metadata": {"name": "w", "namespace": "openshift-machine-api"},
                "spec": {"replicas": 2}}),
        )
        .unwrap();
        let v = ms.to_value();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
        assert_eq!(v["apiVersion"], "machine.openshift.io/v1beta1");
        assert_eq!(v["kind"], "MachineSet");
    }
}
