//! Just enough Kubernetes protobuf decoding for the request bodies kubectl's typed clients send
//! (`application/vnd.kubernetes.protobuf`): SelfSubjectAccessReview (`auth can-i`),
//! SelfSubjectRulesReview (`auth can-i --list`),
//! CertificateSigningRequest (`certificate approve|deny`), ConfigMap and Secret
//! (`create configmap|secret`) and Service (`create service`); Namespace (`create namespace`,
//! `finalize`), Eviction (`drain`), Pod (`debug`), Node, Event, PersistentVolumeClaim,
//! PodDisruptionBudget (`create poddisruptionbudget`), StorageClass and
//! CustomResourceDefinition through their field tables (`proto_codec`). Other kinds answer 415.
//! Bodies become the JSON the rest of the server works with; `proto_encode` writes responses.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::proto_codec;
use crate::error::ApiError;

const MAGIC: &[u8] = b"k8s\0";

fn bad(why: &str) -> ApiError {
    ApiError::bad_request(format!("malformed protobuf body: {why}"))
}

/// One decoded field: its number and either a varint or a byte slice.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ApiError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or_else(|| bad("truncated varint"))?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(bad("varint too long"))
}

fn fields(buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, ApiError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let f = match wire {
            0 => Field::Varint(varint(buf, &mut pos)?),
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| bad("length"))?;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len());
                let end = end.ok_or_else(|| bad("truncated field"))?;
                let s = &buf[pos..end];
                pos = end;
                Field::Bytes(s)
            }
            1 => {
                pos += 8;
                Field::Varint(0)
            }
            5 => {
                pos += 4;
                Field::Varint(0)
            }
            _ => return Err(bad("unsupported wire type")),
        };
        out.push((num, f));
    }
    Ok(out)
}

fn string(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

/// Decode a message whose string fields are named by `names` (number → JSON name).
fn strings(buf: &[u8], names: &[(u64, &str)]) -> Result<Map<String, Value>, ApiError> {
    let mut m = Map::new();
    for (num, f) in fields(buf)? {
        // Empty strings are left out, as the JSON encoding (`omitempty`) does.
        if let (Some((_, name)), Field::Bytes(b)) = (names.iter().find(|(n, _)| *n == num), f)
            && !b.is_empty()
        {
            m.insert((*name).to_string(), string(b));
        }
    }
    Ok(m)
}

/// A protobuf `map<string, string|bytes>` field entry (key = 1, value = 2).
fn map_entry(buf: &[u8], bytes_as_base64: bool) -> Result<(String, Value), ApiError> {
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Bytes(b)) => k = String::from_utf8_lossy(b).into_owned(),
            (2, Field::Bytes(b)) if bytes_as_base64 => {
                v = Value::String(base64::engine::general_purpose::STANDARD.encode(b));
            }
            (2, Field::Bytes(b)) => v = string(b),
            _ => {}
        }
    }
    Ok((k, v))
}

fn insert_entry(
    obj: &mut Map<String, Value>,
    field: &str,
    buf: &[u8],
    base64: bool,
) -> Result<(), ApiError> {
    let (k, v) = map_entry(buf, base64)?;
    if let Some(m) = obj
        .entry(field.to_string())
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        m.insert(k, v);
    }
    Ok(())
}

fn object_meta(buf: &[u8]) -> Result<Value, ApiError> {
    let mut m = strings(
        buf,
        &[
            (1, "name"),
            (2, "generateName"),
            (3, "namespace"),
            (5, "uid"),
            (6, "resourceVersion"),
        ],
    )?;
    for (num, f) in fields(buf)? {
        match (num, f) {
            (7, Field::Varint(g)) => {
                m.insert("generation".into(), json!(g));
            }
            (11, Field::Bytes(b)) => insert_entry(&mut m, "labels", b, false)?,
            (12, Field::Bytes(b)) => insert_entry(&mut m, "annotations", b, false)?,
            _ => {}
        }
    }
    Ok(Value::Object(m))
}

/// ConfigMap (data = 2, binaryData = 3, immutable = 4) and Secret
/// (data = 2, type = 3, stringData = 4, immutable = 5).
fn simple(kind: &str, buf: &[u8]) -> Result<Value, ApiError> {
    let mut obj = Map::new();
    for (num, f) in fields(buf)? {
        match (kind, num, f) {
            (_, 1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            ("ConfigMap", 2, Field::Bytes(b)) => insert_entry(&mut obj, "data", b, false)?,
            ("ConfigMap", 3, Field::Bytes(b)) => insert_entry(&mut obj, "binaryData", b, true)?,
            ("ConfigMap", 4, Field::Varint(v)) | ("Secret", 5, Field::Varint(v)) => {
                obj.insert("immutable".into(), json!(v != 0));
            }
            ("Secret", 2, Field::Bytes(b)) => insert_entry(&mut obj, "data", b, true)?,
            ("Secret", 3, Field::Bytes(b)) => {
                obj.insert("type".into(), string(b));
            }
            ("Secret", 4, Field::Bytes(b)) => insert_entry(&mut obj, "stringData", b, false)?,
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

/// SelfSubjectRulesReview: metadata (1) and spec (2), whose only field is `namespace` (1).
fn ssrr(buf: &[u8]) -> Result<Value, ApiError> {
    let mut obj = Map::new();
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            (2, Field::Bytes(spec)) => {
                obj.insert(
                    "spec".into(),
                    Value::Object(strings(spec, &[(1, "namespace")])?),
                );
            }
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

fn ssar(buf: &[u8]) -> Result<Value, ApiError> {
    let mut obj = Map::new();
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            (2, Field::Bytes(spec)) => {
                let mut s = Map::new();
                for (n, f) in fields(spec)? {
                    match (n, f) {
                        (1, Field::Bytes(b)) => {
                            let ra = strings(
                                b,
                                &[
                                    (1, "namespace"),
                                    (2, "verb"),
                                    (3, "group"),
                                    (4, "version"),
                                    (5, "resource"),
                                    (6, "subresource"),
                                    (7, "name"),
                                ],
                            )?;
                            s.insert("resourceAttributes".into(), Value::Object(ra));
                        }
                        (2, Field::Bytes(b)) => {
                            let na = strings(b, &[(1, "path"), (2, "verb")])?;
                            s.insert("nonResourceAttributes".into(), Value::Object(na));
                        }
                        _ => {}
                    }
                }
                obj.insert("spec".into(), Value::Object(s));
            }
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

fn csr(buf: &[u8]) -> Result<Value, ApiError> {
    let mut obj = Map::new();
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            (3, Field::Bytes(status)) => {
                let mut conds = Vec::new();
                for (n, f) in fields(status)? {
                    if let (1, Field::Bytes(c)) = (n, f) {
                        let m = strings(
                            c,
                            &[(1, "type"), (2, "reason"), (3, "message"), (6, "status")],
                        )?;
                        conds.push(Value::Object(m));
                    }
                }
                obj.insert("status".into(), json!({"conditions": conds}));
            }
            // The spec is immutable and never taken from an update: skip it.
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

/// `IntOrString` (type = 1: 0 int, 1 string; intVal = 2; strVal = 3).
fn int_or_string(buf: &[u8]) -> Result<Value, ApiError> {
    let (mut is_str, mut i, mut s) = (false, 0i64, Value::String(String::new()));
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Varint(t)) => is_str = t == 1,
            // int32, sign-extended to 64 bits on the wire.
            (2, Field::Varint(v)) => i = i64::from(v as i32),
            (3, Field::Bytes(b)) => s = string(b),
            _ => {}
        }
    }
    Ok(if is_str { s } else { json!(i) })
}

/// A string field as JSON encodes it: empty strings are left out (`omitempty`).
fn put_str(m: &mut Map<String, Value>, name: &str, b: &[u8]) {
    if !b.is_empty() {
        m.insert(name.into(), string(b));
    }
}

fn push_str(m: &mut Map<String, Value>, name: &str, b: &[u8]) {
    if let Some(a) = m.entry(name).or_insert_with(|| json!([])).as_array_mut() {
        a.push(string(b));
    }
}

/// core/v1 Service: metadata = 1, spec = 2 (ports = 1, selector = 2, clusterIP = 3, type = 4,
/// externalIPs = 5, sessionAffinity = 7, externalName = 10, externalTrafficPolicy = 11,
/// ipFamilyPolicy = 17, clusterIPs = 18, ipFamilies = 19, internalTrafficPolicy = 22).
fn service(buf: &[u8]) -> Result<Value, ApiError> {
    let mut obj = Map::new();
    for (num, f) in fields(buf)? {
        match (num, f) {
            (1, Field::Bytes(b)) => {
                obj.insert("metadata".into(), object_meta(b)?);
            }
            (2, Field::Bytes(b)) => {
                let mut spec = Map::new();
                for (n, f) in fields(b)? {
                    match (n, f) {
                        (1, Field::Bytes(p)) => {
                            let port = service_port(p)?;
                            if let Some(a) = spec
                                .entry("ports")
                                .or_insert_with(|| json!([]))
                                .as_array_mut()
                            {
                                a.push(port);
                            }
                        }
                        (2, Field::Bytes(e)) => insert_entry(&mut spec, "selector", e, false)?,
                        (3, Field::Bytes(v)) => put_str(&mut spec, "clusterIP", v),
                        (4, Field::Bytes(v)) => put_str(&mut spec, "type", v),
                        (5, Field::Bytes(v)) => push_str(&mut spec, "externalIPs", v),
                        (7, Field::Bytes(v)) => put_str(&mut spec, "sessionAffinity", v),
                        (10, Field::Bytes(v)) => put_str(&mut spec, "externalName", v),
                        (11, Field::Bytes(v)) => put_str(&mut spec, "externalTrafficPolicy", v),
                        (17, Field::Bytes(v)) => put_str(&mut spec, "ipFamilyPolicy", v),
                        (18, Field::Bytes(v)) => push_str(&mut spec, "clusterIPs", v),
                        (19, Field::Bytes(v)) => push_str(&mut spec, "ipFamilies", v),
                        (22, Field::Bytes(v)) => put_str(&mut spec, "internalTrafficPolicy", v),
                        _ => {}
                    }
                }
                obj.insert("spec".into(), Value::Object(spec));
            }
            // The status belongs to the server.
            _ => {}
        }
    }
    Ok(Value::Object(obj))
}

/// ServicePort: name = 1, protocol = 2, port = 3, targetPort = 4, nodePort = 5, appProtocol = 6.
fn service_port(buf: &[u8]) -> Result<Value, ApiError> {
    let mut p = Map::new();
    for (n, f) in fields(buf)? {
        match (n, f) {
            (1, Field::Bytes(v)) => put_str(&mut p, "name", v),
            (2, Field::Bytes(v)) => put_str(&mut p, "protocol", v),
            (3, Field::Varint(v)) => {
                p.insert("port".into(), json!(v as i32));
            }
            (4, Field::Bytes(v)) => {
                p.insert("targetPort".into(), int_or_string(v)?);
            }
            (5, Field::Varint(v)) if v != 0 => {
                p.insert("nodePort".into(), json!(v as i32));
            }
            (6, Field::Bytes(v)) => put_str(&mut p, "appProtocol", v),
            _ => {}
        }
    }
    Ok(Value::Object(p))
}

/// Decode a `k8s\0`-enveloped protobuf body into JSON, for the kinds above.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| bad("missing k8s envelope"))?;
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (num, f) in fields(rest)? {
        match (num, f) {
            (1, Field::Bytes(tm)) => {
                let m = strings(tm, &[(1, "apiVersion"), (2, "kind")])?;
                let get = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                api_version = get("apiVersion");
                kind = get("kind");
            }
            (2, Field::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let mut obj = match kind.as_str() {
        "SelfSubjectAccessReview" => ssar(raw)?,
        // `kubectl auth whoami`: the review has nothing to decode (its spec is empty).
        "SelfSubjectReview" => serde_json::json!({}),
        "SelfSubjectRulesReview" => ssrr(raw)?,
        "CertificateSigningRequest" => csr(raw)?,
        "ConfigMap" | "Secret" => simple(&kind, raw)?,
        "Service" => service(raw)?,
        other if proto_codec::message_of(other).is_some() => {
            let msg = proto_codec::message_of(other).ok_or_else(|| bad("kind"))?;
            Value::Object(proto_codec::decode(raw, msg).map_err(|why| bad(&why))?)
        }
        other => {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "the sim decodes protobuf only for SelfSubjectAccessReview, SelfSubjectReview, SelfSubjectRulesReview, CertificateSigningRequest, Namespace, ConfigMap, Secret, Eviction, Service, Pod, Node, Event, PersistentVolumeClaim, PodDisruptionBudget, StorageClass and CustomResourceDefinition, not {other:?}; send JSON"
                ),
            ));
        }
    };
    if let Some(o) = obj.as_object_mut() {
        o.insert("apiVersion".into(), Value::String(api_version));
        o.insert("kind".into(), Value::String(kind));
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_an_approval() {
        let cond = [ld(1, b"Approved"), ld(2, b"KubectlApprove"), ld(6, b"True")].concat();
        let status = ld(1, &cond);
        let meta = [ld(1, b"csr-1"), ld(6, b"1005")].concat();
        let raw = [ld(1, &meta), ld(3, &status)].concat();
        let tm = [
            ld(1, b"certificates.k8s.io/v1"),
            ld(2, b"CertificateSigningRequest"),
        ]
        .concat();
        let body = [MAGIC.to_vec(), ld(1, &tm), ld(2, &raw)].concat();
        let v = decode(&body).expect("decodes");
        assert_eq!(v["metadata"]["name"], json!("csr-1"));
        assert_eq!(v["metadata"]["resourceVersion"], json!("1005"));
        assert_eq!(v["status"]["conditions"][0]["type"], json!("Approved"));
        assert_eq!(v["status"]["conditions"][0]["status"], json!("True"));
        assert!(decode(b"k8s\0\x0a\xff").is_err());

        let entry = [ld(1, b"a"), ld(2, b"b")].concat();
        let label = [ld(1, b"team"), ld(2, b"x")].concat();
        let meta = [ld(1, b"c1"), ld(3, b"ns"), ld(11, &label)].concat();
        let raw = [ld(1, &meta), ld(2, &entry)].concat();
        let tm = [ld(1, b"v1"), ld(2, b"ConfigMap")].concat();
        let v = decode(&[MAGIC.to_vec(), ld(1, &tm), ld(2, &raw)].concat()).expect("decodes");
        assert_eq!(v["data"], json!({"a": "b"}));
        assert_eq!(v["metadata"]["labels"], json!({"team": "x"}));
        let tm = [ld(1, b"apps/v1"), ld(2, b"Deployment")].concat();
        let e =
            decode(&[MAGIC.to_vec(), ld(1, &tm), ld(2, b"")].concat()).expect_err("unsupported");
        assert_eq!(e.code, 415);
        assert!(decode(b"nope").is_err());
    }

    fn varint_field(num: u64, v: u8) -> Vec<u8> {
        vec![(num << 3) as u8, v]
    }

    #[test]
    fn decodes_a_pod_disruption_budget() {
        let min = [varint_field(1, 0), varint_field(2, 2)].concat();
        let max = [varint_field(1, 1), ld(3, b"50%")].concat();
        let labels = [ld(1, b"app"), ld(2, b"web")].concat();
        let expr = [ld(1, b"tier"), ld(2, b"In"), ld(3, b"a"), ld(3, b"b")].concat();
        let sel = [ld(1, &labels), ld(2, &expr)].concat();
        let spec = [ld(1, &min), ld(2, &sel), ld(3, &max)].concat();
        let meta = [ld(1, b"web"), ld(3, b"shop")].concat();
        let raw = [ld(1, &meta), ld(2, &spec)].concat();
        let tm = [ld(1, b"policy/v1"), ld(2, b"PodDisruptionBudget")].concat();
        let v = decode(&[MAGIC.to_vec(), ld(1, &tm), ld(2, &raw)].concat()).expect("decodes");
        assert_eq!(v["apiVersion"], "policy/v1");
        assert_eq!(v["metadata"]["namespace"], "shop");
        assert_eq!(
            v["spec"],
            json!({"minAvailable": 2, "maxUnavailable": "50%",
                   "selector": {"matchLabels": {"app": "web"},
                                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}})
        );
        // An empty selector stays `{}` (it selects every pod of the namespace).
        let raw = [ld(1, &meta), ld(2, &ld(2, b""))].concat();
        let v = decode(&[MAGIC.to_vec(), ld(1, &tm), ld(2, &raw)].concat()).expect("decodes");
        assert_eq!(v["spec"]["selector"], json!({}));
    }
}
