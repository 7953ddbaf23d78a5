//! `apiextensions.k8s.io/v1` CustomResourceDefinitions for the custom kinds a profile serves,
//! generated from the resource table (`resources::RESOURCES`), so `kubectl get crd` and
//! discovery always agree. The schema is a minimal one that keeps every field
//! (`x-kubernetes-preserve-unknown-fields`), as the sim stores objects as they come.

use serde_json::{Map, Value, json};

use super::objects::put_aged;
use crate::Profile;
use crate::error::ApiError;
use crate::resources::{self, ResourceDef};

pub const CRD: &str = "customresourcedefinitions.apiextensions.k8s.io";

/// The CRD object for one custom kind (`res.crd`), as the API server would return it.
pub fn crd_object(res: &ResourceDef, created: &str) -> Value {
    let mut names = Map::new();
    names.insert("plural".into(), json!(res.plural));
    names.insert("singular".into(), json!(res.singular));
    names.insert("kind".into(), json!(res.kind));
    names.insert("listKind".into(), json!(format!("{}List", res.kind)));
    if !res.short_names.is_empty() {
        names.insert("shortNames".into(), json!(res.short_names));
    }
    if !res.categories.is_empty() {
        names.insert("categories".into(), json!(res.categories));
    }
    let names = Value::Object(names);
    let mut version = Map::new();
    version.insert("name".into(), json!(res.version));
    version.insert("served".into(), json!(true));
    version.insert("storage".into(), json!(true));
    version.insert(
        "schema".into(),
        json!({"openAPIV3Schema": {
            "description": format!("{} is served by the shiftdeck simulated cluster.", res.kind),
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true
        }}),
    );
    let mut subresources = Map::new();
    if res.has_subresource("status") {
        subresources.insert("status".into(), json!({}));
    }
    if let Some(scale) = &res.scale {
        let mut s = Map::new();
        s.insert("specReplicasPath".into(), json!(scale.spec_replicas));
        s.insert("statusReplicasPath".into(), json!(scale.status_replicas));
        if let Some(sel) = scale.label_selector {
            s.insert("labelSelectorPath".into(), json!(sel));
        }
        subresources.insert("scale".into(), Value::Object(s));
    }
    if !subresources.is_empty() {
        version.insert("subresources".into(), Value::Object(subresources));
    }
    if !res.columns.is_empty() {
        let cols: Vec<Value> = res
            .columns
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("name".into(), json!(c.name));
                m.insert("type".into(), json!(c.type_));
                m.insert("jsonPath".into(), json!(c.json_path));
                m.insert("description".into(), json!(c.description));
                if c.priority != 0 {
                    m.insert("priority".into(), json!(c.priority));
                }
                Value::Object(m)
            })
            .collect();
        version.insert("additionalPrinterColumns".into(), json!(cols));
    }
    let condition = |type_: &str, reason: &str, message: &str| {
        json!({"type": type_, "status": "True", "reason": reason, "message": message,
               "lastTransitionTime": created})
    };
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": res.gr},
        "spec": {
            "group": res.group,
            "names": names,
            "scope": if res.namespaced { "Namespaced" } else { "Cluster" },
            "versions": [Value::Object(version)],
            "conversion": {"strategy": "None"},
        },
        "status": {
            "acceptedNames": names,
            "storedVersions": [res.version],
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found for the names"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
        },
    })
}

/// One CRD per custom kind the profile serves.
pub fn seed(store: &crate::store::Store, profile: Profile) -> Result<(), ApiError> {
    let crd = resources::by_key(CRD);
    if !crd.served_in(profile) {
        return Ok(());
    }
    let age = std::time::Duration::from_secs(90 * 86_400);
    let created = store.clock().ago_rfc3339(age);
    for res in resources::served(profile).filter(|r| r.crd) {
        put_aged(store, CRD, crd_object(res, &created), age)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crd_mirrors_the_resource_table() {
        let np = resources::by_key("nodepools.hypershift.openshift.io");
        let o = crd_object(np, "2025-01-01T00:00:00Z");
        assert_eq!(o["metadata"]["name"], "nodepools.hypershift.openshift.io");
        assert_eq!(o["spec"]["group"], "hypershift.openshift.io");
        assert_eq!(o["spec"]["scope"], "Namespaced");
        assert_eq!(o["spec"]["names"]["kind"], "NodePool");
        assert_eq!(o["spec"]["names"]["listKind"], "NodePoolList");
        assert_eq!(o["spec"]["names"]["shortNames"], json!(["np", "nps"]));
        let v = &o["spec"]["versions"][0];
        assert_eq!(v["name"], "v1beta1");
        assert_eq!(
            v["subresources"]["scale"]["labelSelectorPath"],
            ".status.selector"
        );
        assert_eq!(
            v["additionalPrinterColumns"][0]["jsonPath"],
            ".spec.clusterName"
        );
        let cv = crd_object(
            resources::by_key("clusterversions.config.openshift.io"),
            "2025-01-01T00:00:00Z",
        );
        assert_eq!(cv["spec"]["scope"], "Cluster");
        assert!(cv["spec"]["names"].get("shortNames").is_none());
    }
}
