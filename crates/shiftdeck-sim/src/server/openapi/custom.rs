//! Schemas of the custom kinds: the modelled ones (HyperShift, Machine API, CDI, KubeVirt) from
//! the sim's own structural schemas (`crate::schema`) with their descriptions, every other
//! kind a structural object whose `spec` and `status` keep unknown fields (the sim does not know
//! their shape, and stores them as sent).

use serde_json::{Map, Value, json};

use crate::resources::ResourceDef;
use crate::schema::{self, node::Immutable, node::Node, node::Ty};

/// The definition name the API server gives a custom kind: the reversed group, then version
/// and kind (`io.openshift.hypershift.v1beta1.NodePool`).
pub fn definition_name(res: &ResourceDef) -> String {
    let mut group: Vec<&str> = res.group.split('.').collect();
    group.reverse();
    format!("{}.{}.{}", group.join("."), res.version, res.kind)
}

/// The schema of custom kind `res`, referring to ObjectMeta at `meta_ref` (with a sibling
/// description in Swagger 2.0, `v2`, wrapped in `allOf` in OpenAPI 3.0).
pub fn kind_schema(res: &ResourceDef, meta_ref: &str, v2: bool) -> Value {
    let known = schema::custom(res.gr);
    let spec = match known {
        Some(k) => {
            let mut s = node(&k.spec);
            if let Some(o) = s.as_object_mut() {
                o.entry("description")
                    .or_insert_with(|| json!(format!("The desired state of the {}.", res.kind)));
            }
            s
        }
        None => unknown(&format!(
            "The desired state of the {}; the sim does not model its fields.",
            res.kind
        )),
    };
    let status = unknown(&format!(
        "The observed state of the {}, written by its controller through the status subresource.",
        res.kind
    ));
    let mut props = Map::new();
    props.insert(
        "apiVersion".into(),
        json!({"type": "string", "description": "The versioned schema of this representation of the object."}),
    );
    props.insert(
        "kind".into(),
        json!({"type": "string", "description": "The REST resource this object represents, in CamelCase."}),
    );
    let meta = if v2 {
        json!({"$ref": meta_ref, "description": "Standard object metadata."})
    } else {
        json!({"allOf": [{"$ref": meta_ref}], "description": "Standard object metadata."})
    };
    props.insert("metadata".into(), meta);
    props.insert("spec".into(), spec);
    props.insert("status".into(), status);
    let description = match known {
        Some(k) => k.doc.to_string(),
        None => format!(
            "{} ({}/{}); the sim does not model its fields.",
            res.kind, res.group, res.version
        ),
    };
    let mut s = json!({
        "type": "object",
        "description": description,
        "properties": props,
        "x-kubernetes-group-version-kind": [{"group": res.group, "kind": res.kind, "version": res.version}],
    });
    if known.is_some_and(|k| k.spec_required)
        && let Some(o) = s.as_object_mut()
    {
        o.insert("required".into(), json!(["spec"]));
    }
    s
}

fn unknown(description: &str) -> Value {
    json!({"type": "object", "description": description, "x-kubernetes-preserve-unknown-fields": true})
}

/// One node of the sim's schema language as an OpenAPI v3 schema.
fn node(n: &Node) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!(n.type_name()));
    match &n.ty {
        Ty::Object(props) => {
            let p: Map<String, Value> = props
                .iter()
                .map(|p| (p.name.to_string(), node(&p.node)))
                .collect();
            s.insert("properties".into(), Value::Object(p));
        }
        Ty::Map(v) => {
            s.insert("additionalProperties".into(), node(v));
        }
        Ty::Array(i) => {
            s.insert("items".into(), node(i));
        }
        Ty::Opaque => {
            s.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
        Ty::String | Ty::Integer | Ty::Boolean => {}
    }
    if !n.required.is_empty() {
        s.insert("required".into(), json!(n.required));
    }
    if !n.enum_.is_empty() {
        s.insert("enum".into(), json!(n.enum_));
    }
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            s.insert(k.into(), v);
        }
    };
    put("minimum", n.minimum.map(Value::from));
    put("maximum", n.maximum.map(Value::from));
    put("minLength", n.min_length.map(Value::from));
    put("maxLength", n.max_length.map(Value::from));
    put("maxItems", n.max_items.map(Value::from));
    put("maxProperties", n.max_properties.map(Value::from));
    put("pattern", n.pattern.map(Value::from));
    put("format", n.format.map(Value::from));
    put("description", n.description.map(Value::from));
    let mut rules = Vec::new();
    if let Some((kind, message)) = n.immutable {
        let rule = match kind {
            Immutable::Always => "self == oldSelf",
            Immutable::OnceSet => "oldSelf == '' || self == oldSelf",
        };
        rules.push(json!({"rule": rule, "message": message}));
    }
    if let Some((re, message, empty_ok)) = n.matches {
        let quoted = re.replace('\\', "\\\\").replace('\'', "\\'");
        let rule = if empty_ok {
            format!("self == '' || self.matches('{quoted}')")
        } else {
            format!("self.matches('{quoted}')")
        };
        rules.push(json!({"rule": rule, "message": message}));
    }
    if !rules.is_empty() {
        s.insert("x-kubernetes-validations".into(), Value::Array(rules));
    }
    Value::Object(s)
}
