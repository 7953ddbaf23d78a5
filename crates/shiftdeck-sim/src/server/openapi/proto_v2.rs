//! The `/openapi/v2` document in the gnostic protobuf form
//! (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, message `openapi.v2.Document`),
//! which is the only form kubectl asks for (`kubectl explain --output plaintext-openapiv2`).
//! Field numbers are those of gnostic's `OpenAPIv2.proto`; vendor extensions, defaults and enum
//! values travel as YAML text (`Any.yaml`), as gnostic writes them.

use serde_json::Value;

use crate::server::proto_encode::Enc;

fn string(e: &mut Enc, num: u64, v: Option<&Value>) {
    if let Some(s) = v.and_then(Value::as_str) {
        e.bytes(num, s.as_bytes());
    }
}

fn double(e: &mut Enc, num: u64, v: Option<&Value>) {
    if let Some(f) = v.and_then(Value::as_f64) {
        e.key(num, 1);
        e.0.extend_from_slice(&f.to_le_bytes());
    }
}

fn int(e: &mut Enc, num: u64, v: Option<&Value>) {
    if let Some(i) = v.and_then(Value::as_i64) {
        e.int(num, i);
    }
}

fn boolean(e: &mut Enc, num: u64, v: Option<&Value>) {
    if let Some(b) = v.and_then(Value::as_bool) {
        e.int(num, i64::from(b));
    }
}

/// `Any` carrying `v` as YAML (field 2).
fn any(e: &mut Enc, num: u64, v: &Value) {
    let yaml = serde_yaml::to_string(v).unwrap_or_default();
    e.message(num, |a| a.bytes(2, yaml.as_bytes()));
}

/// `NamedAny` vendor extensions (`x-…` keys) of `obj` as field `num`.
fn extensions(e: &mut Enc, num: u64, obj: &Value) {
    for (k, v) in obj.as_object().into_iter().flatten() {
        if k.starts_with("x-") {
            e.message(num, |n| {
                n.bytes(1, k.as_bytes());
                any(n, 2, v);
            });
        }
    }
}

/// `openapi.v2.Schema`.
fn schema(e: &mut Enc, s: &Value) {
    string(e, 1, s.get("$ref"));
    string(e, 2, s.get("format"));
    string(e, 3, s.get("title"));
    string(e, 4, s.get("description"));
    if let Some(d) = s.get("default") {
        any(e, 5, d);
    }
    double(e, 7, s.get("maximum"));
    double(e, 9, s.get("minimum"));
    int(e, 11, s.get("maxLength"));
    int(e, 12, s.get("minLength"));
    string(e, 13, s.get("pattern"));
    int(e, 14, s.get("maxItems"));
    int(e, 15, s.get("minItems"));
    boolean(e, 16, s.get("uniqueItems"));
    int(e, 17, s.get("maxProperties"));
    int(e, 18, s.get("minProperties"));
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        string(e, 19, Some(r));
    }
    for v in s
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        any(e, 20, v);
    }
    match s.get("additionalProperties") {
        Some(Value::Bool(b)) => e.message(21, |a| a.int(2, i64::from(*b))),
        Some(a @ Value::Object(_)) => e.message(21, |m| m.message(1, |x| schema(x, a))),
        _ => {}
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        e.message(22, |ti| ti.bytes(1, t.as_bytes()));
    }
    if let Some(items) = s.get("items").filter(|i| i.is_object()) {
        e.message(23, |ii| ii.message(1, |x| schema(x, items)));
    }
    for sub in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        e.message(24, |x| schema(x, sub));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        e.message(25, |p| {
            for (name, ps) in props {
                p.message(1, |n| {
                    n.bytes(1, name.as_bytes());
                    n.message(2, |x| schema(x, ps));
                });
            }
        });
    }
    boolean(e, 27, s.get("readOnly"));
    extensions(e, 31, s);
}

/// `openapi.v2.Operation`: operationId, query parameters, responses, extensions.
fn operation(e: &mut Enc, op: &Value) {
    string(e, 5, op.get("operationId"));
    for p in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // ParametersItem.parameter → Parameter.non_body_parameter → query_parameter_sub_schema.
        e.message(8, |pi| {
            pi.message(1, |param| {
                param.message(2, |nb| {
                    nb.message(3, |q| {
                        string(q, 2, p.get("in"));
                        string(q, 4, p.get("name"));
                        string(q, 6, p.get("type"));
                        boolean(q, 20, p.get("uniqueItems"));
                    });
                });
            });
        });
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        e.message(9, |rs| {
            for (code, r) in responses {
                rs.message(1, |named| {
                    named.bytes(1, code.as_bytes());
                    named.message(2, |rv| {
                        rv.message(1, |resp| {
                            string(resp, 1, r.get("description"));
                            if let Some(sc) = r.get("schema") {
                                resp.message(2, |si| si.message(1, |x| schema(x, sc)));
                            }
                        });
                    });
                });
            }
        });
    }
    extensions(e, 13, op);
}

/// The gnostic `Document` of a Swagger 2.0 JSON document.
pub fn encode(doc: &Value) -> Vec<u8> {
    let mut e = Enc::default();
    string(&mut e, 1, doc.get("swagger"));
    if let Some(info) = doc.get("info") {
        e.message(2, |i| {
            string(i, 1, info.get("title"));
            string(i, 2, info.get("version"));
        });
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        e.message(8, |ps| {
            for (path, item) in paths {
                ps.message(2, |named| {
                    named.bytes(1, path.as_bytes());
                    named.message(2, |pi| {
                        for (verb, num) in [
                            ("get", 2),
                            ("put", 3),
                            ("post", 4),
                            ("delete", 5),
                            ("patch", 8),
                        ] {
                            if let Some(op) = item.get(verb) {
                                pi.message(num, |o| operation(o, op));
                            }
                        }
                    });
                });
            }
        });
    }
    if let Some(defs) = doc.get("definitions").and_then(Value::as_object) {
        e.message(9, |d| {
            for (name, s) in defs {
                d.message(1, |n| {
                    n.bytes(1, name.as_bytes());
                    n.message(2, |x| schema(x, s));
                });
            }
        });
    }
    e.0
}
