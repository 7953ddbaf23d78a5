//! Discovery documents: `/api`, `/apis`, `/apis/<g>`, `/api/v1`, `/apis/<g>/<v>`, `/version`.

use std::net::SocketAddr;

use serde_json::{Value, json};

use crate::Profile;
use crate::resources::{self, ResourceDef};

/// The Kubernetes release OpenShift 4.18 ships (its kube-apiserver reports it on `/version`).
pub const GIT_VERSION: &str = "v1.31.6";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "31",
        "gitVersion": GIT_VERSION,
        "gitCommit": "9894294ef13a5b32803e3ca2c0d620a088cc84d1",
        "gitTreeState": "clean",
        "buildDate": "2025-02-19T09:00:00Z",
        "goVersion": "go1.22.12",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

pub fn core_versions(addr: SocketAddr) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr.to_string()}]
    })
}

fn groups_in_order(profile: Profile) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in resources::served(profile).filter(|r| !r.group.is_empty()) {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

fn group_doc(group: &str, versions: &[&str]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": vs,
        "preferredVersion": vs.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn group_list(profile: Profile) -> Value {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (g, v) in groups_in_order(profile) {
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, vs)) => vs.push(v),
            None => groups.push((g, vec![v])),
        }
    }
    let docs: Vec<Value> = groups.iter().map(|(g, vs)| group_doc(g, vs)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": docs})
}

pub fn group(profile: Profile, name: &str) -> Value {
    let vs: Vec<&str> = groups_in_order(profile)
        .into_iter()
        .filter(|(g, _)| *g == name)
        .map(|(_, v)| v)
        .collect();
    let mut doc = group_doc(name, &vs);
    if let Some(o) = doc.as_object_mut() {
        o.insert("kind".into(), json!("APIGroup"));
        o.insert("apiVersion".into(), json!("v1"));
    }
    doc
}

fn sub_entry(r: &ResourceDef, sub: &str) -> Value {
    let name = format!("{}/{sub}", r.plural);
    match sub {
        "scale" => json!({"name": name, "singularName": "", "namespaced": r.namespaced,
            "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}),
        "log" => {
            json!({"name": name, "singularName": "", "namespaced": r.namespaced, "kind": "Pod", "verbs": ["get"]})
        }
        "eviction" => json!({"name": name, "singularName": "", "namespaced": r.namespaced,
            "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]}),
        "finalize" => {
            json!({"name": name, "singularName": "", "namespaced": r.namespaced, "kind": r.kind, "verbs": ["update"]})
        }
        _ => {
            json!({"name": name, "singularName": "", "namespaced": r.namespaced, "kind": r.kind, "verbs": ["get", "patch", "update"]})
        }
    }
}

pub fn resource_list(profile: Profile, group: &str, version: &str) -> Value {
    let mut items = Vec::new();
    for r in resources::served(profile).filter(|r| r.group == group && r.version == version) {
        let mut e = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        if !r.short_names.is_empty() {
            e["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            e["categories"] = json!(r.categories);
        }
        if !r.is_virtual() {
            e["storageVersionHash"] = json!(format!("{:x}", r.gr.len() * 7919));
        }
        items.push(e);
        items.extend(r.subresources.iter().map(|s| sub_entry(r, s)));
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_lists_carry_subresources() {
        let doc = resource_list(Profile::Hub, "hypershift.openshift.io", "v1beta1");
        let find = |n: &str| {
            doc["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["name"] == n)
                .cloned()
        };
        let scale = find("nodepools/scale").expect("scale listed");
        assert_eq!(scale["group"], json!("autoscaling"));
        assert_eq!(scale["kind"], json!("Scale"));
        assert_eq!(
            find("nodepools").expect("listed")["shortNames"],
            json!(["np", "nps"])
        );
        assert!(find("hostedclusters/status").is_some());
        let groups = group_list(Profile::Microshift);
        assert!(!groups.to_string().contains("hypershift"));
    }
}
