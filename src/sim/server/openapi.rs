//! A minimal OpenAPI v3 surface. kubectl (create/apply/replace with the default
//! `--validate=strict`) asks `/openapi/v3` whether each kind's PATCH takes `fieldValidation`;
//! when it does, kubectl leaves validation to the server and needs no schemas. So each group
//! version's document lists, per kind, one PATCH operation carrying the kind's
//! `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter. `/openapi/v2`
//! stays 404 (kubectl copes).

use serde_json::{Map, Value, json};

use crate::sim::Profile;
use crate::sim::resources;

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: where each group version's document lives.
pub fn root(profile: Profile) -> Value {
    let mut paths = Map::new();
    for r in resources::served(profile) {
        let p = gv_path(r.group, r.version);
        paths
            .entry(p.clone())
            .or_insert_with(|| json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=SIM")}));
    }
    json!({"paths": paths})
}

/// `/openapi/v3/<gv path>`, or `None` when the profile serves no such group version.
pub fn group_version(profile: Profile, path: &str) -> Option<Value> {
    let mut paths = Map::new();
    for r in resources::served(profile).filter(|r| gv_path(r.group, r.version) == path) {
        if r.is_virtual() {
            continue;
        }
        let url = if r.namespaced {
            format!("/{path}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("/{path}/{}/{{name}}", r.plural)
        };
        paths.insert(
            url,
            json!({"patch": {
                "operationId": format!("patch{}", r.kind),
                "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
                "x-kubernetes-action": "patch",
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                    {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                    {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}}
                ],
                "responses": {"200": {"description": "OK"}}
            }}),
        );
    }
    if paths.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.5"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
