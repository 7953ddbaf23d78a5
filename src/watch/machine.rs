//! A small typed Machine (`machine.openshift.io/v1beta1`) for the one-off lists of `get csrs` and
//! the approval re-check: only what the CSR checks read (name, creation time, `status.addresses`,
//! `status.nodeRef`). Everything else, `spec.providerSpec` included, is dropped on
//! deserialisation. The TUI's watch of Machines is the MachineSets pane's (`watch::fleet`);
//! [`machines_for_checks`] is that one-off list.

use std::borrow::Cow;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `machine.openshift.io/v1beta1` Machine, partially.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Only `addresses` and `nodeRef` are kept (see [`strip_machine`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

impl Resource for Machine {
    type DynamicType = ();
    type Scope = NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        "Machine".into()
    }
    fn group(_: &()) -> Cow<'_, str> {
        "machine.openshift.io".into()
    }
    fn version(_: &()) -> Cow<'_, str> {
        "v1beta1".into()
    }
    fn plural(_: &()) -> Cow<'_, str> {
        "machines".into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Machine {
    /// The shape the CSR checks read (`csr::checks::Inputs::machines`).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// managedFields, annotations and every status field but `addresses` and `nodeRef` go.
pub fn strip_machine(m: &mut Machine) {
    m.metadata.managed_fields = None;
    m.metadata.annotations = None;
    if let Some(Value::Object(s)) = m.status.as_mut() {
        s.retain(|k, _| k == "addresses" || k == "nodeRef");
    }
}

/// The Machines the CSR checks read (slimmed), or `None` when the cluster serves no Machine API.
pub async fn machines_for_checks(
    client: &kube::Client,
) -> Result<Option<crate::csr::machines::MachineIndex>, String> {
    match super::kind::installed(client, &super::MACHINES).await {
        Ok(true) => Ok(Some(crate::csr::machines::MachineIndex::new(
            kube::Api::<Machine>::all(client.clone())
                .list(&kube::api::ListParams::default())
                .await
                .map_err(|e| format!("cannot list machines: {}", crate::kube_conn::one_line(&e)))?
                .items
                .into_iter()
                .map(|mut m| {
                    strip_machine(&mut m);
                    m.to_value()
                })
                .collect(),
        ))),
        Ok(false) => Ok(None),
        Err(e) => Err(format!(
            "cannot discover machines: {}",
            crate::kube_conn::one_line(&e)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_what_the_checks_read() {
        let mut m: Machine = serde_json::from_value(json!({
            "apiVersion": "machine.openshift.io/v1beta1", "kind": "Machine",
            "metadata": {"name": "m0", "namespace": "openshift-machine-api",
                "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [{"manager": "x"}]},
            "spec": {"providerSpec": {"value": {"big": "blob"}}},
            "status": {"phase": "Running", "nodeRef": {"kind": "Node", "name": "w0"},
                "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}
        }))
        .unwrap();
        strip_machine(&mut m);
        let v = m.to_value();
        assert_eq!(v["metadata"]["name"], "m0");
        assert_eq!(v["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
        assert!(v["metadata"].get("managedFields").is_none());
        assert!(v.get("spec").is_none());
        assert_eq!(v["status"]["nodeRef"]["name"], "w0");
        assert_eq!(v["status"]["addresses"][0]["address"], "10.0.0.1");
        assert!(v["status"].get("phase").is_none());
    }
}
