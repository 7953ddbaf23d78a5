//! Untyped objects of one statically known kind, for CRDs the UI reads through the pure `fleet`
//! view models (which take `serde_json::Value`): `metadata` typed, everything else kept as JSON.
//! Unlike `DynamicObject` the kind is a type parameter, so reflectors and `Api::all` work with
//! `DynamicType = ()` like the k8s-openapi types.

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::compact::CompactJson;

/// A kind known at compile time.
pub trait DynKind: Clone + Debug + Default + Send + Sync + 'static {
    const GROUP: &'static str;
    const VERSION: &'static str;
    const KIND: &'static str;
    const PLURAL: &'static str;
    /// A JSON pointer to the one string field views group these objects by (a NodePool's
    /// `spec.clusterName`), read out when the object is decoded so grouping parses nothing.
    const GROUP_BY: Option<&'static str> = None;
    /// `NamespaceResourceScope` or `ClusterResourceScope`.
    type Scope;
}

/// An object of kind `M`: typed metadata, the rest (apiVersion, kind, spec, status) kept as
/// JSON text: a hub caches 1,000 NodePools, and as `Value` trees they took 30 KB each.
#[derive(Clone, Debug, Default)]
pub struct Dyn<M: DynKind> {
    pub metadata: ObjectMeta,
    /// Every top-level field but `metadata`, as a JSON object's text.
    rest: CompactJson,
    /// The string at `M::GROUP_BY`.
    group_key: Option<Box<str>>,
    _kind: PhantomData<M>,
}

/// The wire form: what the API server sends.
#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl<'de, M: DynKind> Deserialize<'de> for Dyn<M> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Wire { metadata, rest } = Wire::deserialize(d)?;
        let rest = Value::Object(rest);
        let group_key = M::GROUP_BY
            .and_then(|p| rest.pointer(p))
            .and_then(Value::as_str)
            .map(Box::from);
        Ok(Dyn {
            metadata,
            rest: CompactJson::from_value(&rest),
            group_key,
            _kind: PhantomData,
        })
    }
}

impl<M: DynKind> Serialize for Dyn<M> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<M: DynKind> Dyn<M> {
    /// The whole object as JSON, as the `fleet` view models take it (parsed from the cached
    /// text: call it for the objects a view shows or changed, not for all on every sync).
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "metadata".into(),
            serde_json::to_value(&self.metadata).unwrap_or(Value::Null),
        );
        if let Value::Object(rest) = self.rest.value() {
            m.extend(rest.into_iter().filter(|(k, _)| k != "metadata"));
        }
        with_type_meta(
            Value::Object(m),
            &format!("{}/{}", M::GROUP, M::VERSION),
            M::KIND,
        )
    }

    /// The object with only its name and namespace of the metadata and the values at
    /// `pointers` of the rest (see [`CompactJson::narrow`]): for rows that read a few fields.
    pub fn narrow_value(&self, pointers: &[&str]) -> Value {
        let mut v = self.rest.narrow(pointers);
        if !v.is_object() {
            v = Value::Object(Map::new());
        }
        let mut meta = Map::new();
        for (k, x) in [
            ("name", &self.metadata.name),
            ("namespace", &self.metadata.namespace),
        ] {
            if let Some(x) = x {
                meta.insert(k.into(), Value::String(x.clone()));
            }
        }
        if let Value::Object(m) = &mut v {
            m.insert("metadata".into(), Value::Object(meta));
        }
        v
    }

    /// From JSON (tests and fixtures); `None` when `metadata` does not parse.
    pub fn from_value(v: Value) -> Option<Self> {
        serde_json::from_value(v).ok()
    }

    /// The string at [`DynKind::GROUP_BY`], if the object has one.
    pub fn group_key(&self) -> Option<&str> {
        self.group_key.as_deref()
    }
}

/// `v` with `apiVersion` and `kind` first, as kubectl prints an object: list items may come
/// without them, and the YAML view should read like `kubectl get -o yaml`.
pub fn with_type_meta(v: Value, api_version: &str, kind: &str) -> Value {
    let Value::Object(rest) = v else {
        return v;
    };
    let mut m = Map::with_capacity(rest.len() + 2);
    m.insert("apiVersion".into(), Value::String(api_version.into()));
    m.insert("kind".into(), Value::String(kind.into()));
    for (k, val) in rest {
        if k != "apiVersion" && k != "kind" {
            m.insert(k, val);
        }
    }
    Value::Object(m)
}

/// Drop `managedFields` before caching.
pub fn strip_dyn<M: DynKind>(o: &mut Dyn<M>) {
    o.metadata.managed_fields = None;
}

impl<M: DynKind> Resource for Dyn<M> {
    type DynamicType = ();
    type Scope = M::Scope;

    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(M::KIND)
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(M::GROUP)
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(M::VERSION)
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(M::PLURAL)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// `hypershift.openshift.io/v1beta1` HostedCluster.
#[derive(Clone, Debug, Default)]
pub struct HostedClusterKind;
impl DynKind for HostedClusterKind {
    const GROUP: &'static str = "hypershift.openshift.io";
    const VERSION: &'static str = "v1beta1";
    const KIND: &'static str = "HostedCluster";
    const PLURAL: &'static str = "hostedclusters";
    type Scope = k8s_openapi::NamespaceResourceScope;
}

/// `hypershift.openshift.io/v1beta1` NodePool.
#[derive(Clone, Debug, Default)]
pub struct NodePoolKind;
impl DynKind for NodePoolKind {
    const GROUP: &'static str = "hypershift.openshift.io";
    const VERSION: &'static str = "v1beta1";
    const KIND: &'static str = "NodePool";
    const PLURAL: &'static str = "nodepools";
    const GROUP_BY: Option<&'static str> = Some("/spec/clusterName");
    type Scope = k8s_openapi::NamespaceResourceScope;
}

/// `config.openshift.io/v1` ClusterOperator.
#[derive(Clone, Debug, Default)]
pub struct ClusterOperatorKind;
impl DynKind for ClusterOperatorKind {
    const GROUP: &'static str = "config.openshift.io";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "ClusterOperator";
    const PLURAL: &'static str = "clusteroperators";
    type Scope = k8s_openapi::ClusterResourceScope;
}

pub type HostedCluster = Dyn<HostedClusterKind>;
pub type NodePool = Dyn<NodePoolKind>;
pub type ClusterOperator = Dyn<ClusterOperatorKind>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_node_pool_keeps_its_cluster_name_out_of_the_text() {
        let v = json!({"metadata": {"name": "p", "namespace": "clusters", "resourceVersion": "3"},
            "spec": {"clusterName": "guest", "replicas": 2}, "status": {"replicas": 1}});
        let p = NodePool::from_value(v).unwrap();
        assert_eq!(p.group_key(), Some("guest"));
        let back = p.to_value();
        assert_eq!(back["spec"]["replicas"], 2);
        assert_eq!(back["status"]["replicas"], 1);
        assert_eq!(back["kind"], "NodePool");
        // Re-serialised as the API server sent it (the YAML view and `get -o json`).
        let again: NodePool = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(again.to_value(), back);
    }

    #[test]
    fn round_trips_and_strips_managed_fields() {
        let v = json!({"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster",
            "metadata": {"name": "a", "namespace": "clusters", "resourceVersion": "7",
                         "managedFields": [{"manager": "x"}]},
            "status": {"version": {"history": [{"state": "Completed"}]}}});
        let mut o = HostedCluster::from_value(v).unwrap();
        strip_dyn(&mut o);
        let back = o.to_value();
        assert_eq!(
            back["status"]["version"]["history"][0]["state"],
            "Completed"
        );
        assert_eq!(back["metadata"]["name"], "a");
        assert!(back["metadata"].get("managedFields").is_none());
        // As kubectl prints it: apiVersion and kind first, once each.
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        assert_eq!(keys[..3], ["apiVersion", "kind", "metadata"]);
        assert_eq!(HostedCluster::plural(&()), "hostedclusters");
        assert_eq!(o.group_key(), None);
        assert_eq!(
            HostedCluster::api_version(&()),
            "hypershift.openshift.io/v1beta1"
        );
    }
}
