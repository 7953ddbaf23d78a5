//! `/openapi/v2` (one Swagger 2.0 document) and `/openapi/v3` (an index, then one OpenAPI 3.0
//! document per group version) with the schema of every kind the profile serves: built-in kinds
//! from the k8s-openapi types (`builtin`), custom kinds from the sim's own schemas (`custom`).
//! Each kind's schema carries `x-kubernetes-group-version-kind`, and each kind's paths carry an
//! operation naming the kind (how `kubectl explain` finds the schema of a resource) with the
//! `fieldValidation` parameter (how kubectl learns the server validates, so it sends
//! `fieldValidation=Strict` and skips its own checks). Documents are built once per profile and
//! addressed by their SHA-512, as the API server does.

mod builtin;
mod custom;
mod proto_v2;
pub mod serve;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::Profile;
use crate::resources::{self, ResourceDef};

const V3_REFS: &str = "/components/schemas";
const V2_REFS: &str = "/definitions";

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

fn gvk(res: &ResourceDef) -> Value {
    json!({"group": res.group, "version": res.version, "kind": res.kind})
}

/// Definitions for `kinds` (with everything they reference), refs rooted at `refs`; the
/// definition name of each kind, in order.
fn definitions(kinds: &[&'static ResourceDef], refs: &str) -> (Map<String, Value>, Vec<String>) {
    let mut generator = SchemaSettings::openapi3()
        .with(|s| {
            s.definitions_path = refs.to_string().into();
            s.meta_schema = None;
            if refs == V2_REFS {
                // Swagger 2.0 keeps a description beside a `$ref`, as the API server's does.
                s.transforms
                    .retain(|t| !t.is::<schemars::transform::RemoveRefSiblings>());
            }
        })
        .into_generator();
    let mut names = Vec::new();
    let mut customs = Vec::new();
    for r in kinds {
        match builtin::register(&mut generator, r.gr) {
            Some(name) => names.push(name),
            None => {
                names.push(custom::definition_name(r));
                customs.push(*r);
            }
        }
    }
    let meta = (!customs.is_empty()).then(|| builtin::register_object_meta(&mut generator));
    let mut defs = generator.take_definitions(true);
    builtin::annotate(&mut defs);
    for (name, r) in names.iter().zip(kinds) {
        if r.crd {
            let meta_ref = format!("#{refs}/{}", meta.as_deref().unwrap_or_default());
            defs.insert(
                name.clone(),
                custom::kind_schema(r, &meta_ref, refs == V2_REFS),
            );
        } else if let Some(o) = defs.get_mut(name).and_then(Value::as_object_mut) {
            o.insert("x-kubernetes-group-version-kind".into(), json!([gvk(r)]));
        }
    }
    (defs, names)
}

/// The operations of one kind: GET and PATCH of an object (POST of the collection for the
/// create-only reviews), each naming the kind. `v2` writes Swagger 2.0 parameters and
/// responses, otherwise OpenAPI 3.0.
fn kind_paths(r: &ResourceDef, def: &str, v2: bool, paths: &mut Map<String, Value>) {
    let base = format!("/{}", gv_path(r.group, r.version));
    let collection = if r.namespaced {
        format!("{base}/namespaces/{{namespace}}/{}", r.plural)
    } else {
        format!("{base}/{}", r.plural)
    };
    let param = |name: &str| {
        if v2 {
            json!({"name": name, "in": "query", "type": "string", "uniqueItems": true})
        } else {
            json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}})
        }
    };
    let ok = if v2 {
        json!({"200": {"description": "OK", "schema": {"$ref": format!("#{V2_REFS}/{def}")}}})
    } else {
        json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#{V3_REFS}/{def}")}}}}})
    };
    let op = |verb: &str, action: &str, params: Vec<Value>| {
        json!({
            "operationId": format!("{verb}{}", r.kind),
            "x-kubernetes-group-version-kind": gvk(r),
            "x-kubernetes-action": action,
            "parameters": params,
            "responses": ok,
        })
    };
    let writes = || {
        vec![
            param("dryRun"),
            param("fieldManager"),
            param("fieldValidation"),
        ]
    };
    if r.is_virtual() {
        paths.insert(collection, json!({"post": op("create", "post", writes())}));
        return;
    }
    let mut patch_params = writes();
    patch_params.push(param("force"));
    paths.insert(
        format!("{collection}/{{name}}"),
        json!({
            "get": op("read", "get", vec![]),
            "patch": op("patch", "patch", patch_params),
        }),
    );
}

fn info() -> Value {
    let version = super::discovery::version()
        .get("gitVersion")
        .cloned()
        .unwrap_or(Value::Null);
    json!({"title": "Kubernetes", "version": version})
}

fn group_version_doc(kinds: &[&'static ResourceDef]) -> Value {
    let (defs, names) = definitions(kinds, V3_REFS);
    let mut paths = Map::new();
    for (r, name) in kinds.iter().zip(&names) {
        kind_paths(r, name, false, &mut paths);
    }
    json!({"openapi": "3.0.0", "info": info(), "paths": paths, "components": {"schemas": defs}})
}

fn v2_doc(kinds: &[&'static ResourceDef]) -> Value {
    let (defs, names) = definitions(kinds, V2_REFS);
    let mut paths = Map::new();
    for (r, name) in kinds.iter().zip(&names) {
        kind_paths(r, name, true, &mut paths);
    }
    json!({"swagger": "2.0", "info": info(), "paths": paths, "definitions": defs})
}

/// A serialized document and the hash that addresses it.
pub struct Doc {
    pub body: Vec<u8>,
    pub hash: String,
}

impl Doc {
    fn new(v: &Value) -> Doc {
        let body = serde_json::to_vec(v).unwrap_or_default();
        let digest = ring::digest::digest(&ring::digest::SHA512, &body);
        let hash = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
        Doc { body, hash }
    }
}

/// Every document of one profile.
pub struct Docs {
    pub v2: Doc,
    /// `v2` in gnostic protobuf.
    pub v2_proto: Vec<u8>,
    /// By group-version path (`api/v1`, `apis/<group>/<version>`).
    pub v3: BTreeMap<String, Doc>,
}

fn build(profile: Profile) -> Docs {
    let served: Vec<&'static ResourceDef> = resources::served(profile).collect();
    let mut by_gv: BTreeMap<String, Vec<&'static ResourceDef>> = BTreeMap::new();
    for r in &served {
        by_gv
            .entry(gv_path(r.group, r.version))
            .or_default()
            .push(r);
    }
    let v2 = v2_doc(&served);
    Docs {
        v2_proto: proto_v2::encode(&v2),
        v2: Doc::new(&v2),
        v3: by_gv
            .into_iter()
            .map(|(gv, kinds)| (gv, Doc::new(&group_version_doc(&kinds))))
            .collect(),
    }
}

/// The documents of `profile`, built on first use.
pub fn docs(profile: Profile) -> Arc<Docs> {
    type Cache = Mutex<Vec<(Profile, Arc<Docs>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, d)) = super::lock(cache).iter().find(|(p, _)| *p == profile) {
        return d.clone();
    }
    // Built outside the lock: two first requests may both build; either result is the same.
    let built = Arc::new(build(profile));
    let mut guard = super::lock(cache);
    if let Some((_, d)) = guard.iter().find(|(p, _)| *p == profile) {
        return d.clone();
    }
    guard.push((profile, built.clone()));
    built
}

/// `/openapi/v3`: where each group version's document lives, with its hash.
pub fn root(docs: &Docs) -> Value {
    let paths: Map<String, Value> = docs
        .v3
        .iter()
        .map(|(gv, d)| {
            (
                gv.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={}", d.hash)}),
            )
        })
        .collect();
    json!({"paths": paths})
}

/// The schema of one kind with the definitions it references, for server-side apply.
pub struct KindSchema {
    pub root: Value,
    pub defs: Map<String, Value>,
}

/// The schema of `res` (built on first use).
pub fn kind_schema(res: &'static ResourceDef) -> Arc<KindSchema> {
    type Cache = Mutex<Vec<(&'static str, Arc<KindSchema>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, s)) = super::lock(cache).iter().find(|(gr, _)| *gr == res.gr) {
        return s.clone();
    }
    let (defs, names) = definitions(&[res], V3_REFS);
    let root = names
        .first()
        .and_then(|n| defs.get(n))
        .cloned()
        .unwrap_or(Value::Null);
    let built = Arc::new(KindSchema { root, defs });
    super::lock(cache).push((res.gr, built.clone()));
    built
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_carry_schemas_with_group_version_kinds() {
        let d = docs(Profile::Hub);
        let core = d.v3.get("api/v1").expect("core document");
        let v: Value = serde_json::from_slice(&core.body).expect("json");
        let node = &v["components"]["schemas"]["io.k8s.api.core.v1.Node"];
        assert_eq!(
            node["x-kubernetes-group-version-kind"],
            json!([{"group": "", "version": "v1", "kind": "Node"}])
        );
        assert!(node["properties"]["spec"]["allOf"][0]["$ref"].is_string());
        let spec = &v["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"];
        assert_eq!(
            spec["properties"]["containers"]["x-kubernetes-list-map-keys"],
            json!(["name"])
        );
        let hs =
            d.v3.get("apis/hypershift.openshift.io/v1beta1")
                .expect("hypershift document");
        let v: Value = serde_json::from_slice(&hs.body).expect("json");
        let np = &v["components"]["schemas"]["io.openshift.hypershift.v1beta1.NodePool"];
        assert_eq!(
            np["properties"]["spec"]["properties"]["replicas"]["type"],
            json!("integer")
        );
        assert!(
            v["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
                .is_object()
        );
        assert_eq!(hs.hash.len(), 128);
        let root = root(&d);
        assert!(
            root["paths"]["api/v1"]["serverRelativeURL"]
                .as_str()
                .is_some_and(|u| u.ends_with(&core.hash))
        );
    }
}
