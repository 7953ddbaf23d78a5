//! Kubernetes protobuf responses (`application/vnd.kubernetes.protobuf`) for built-in kinds:
//! ConfigMap, Secret, Service, CertificateSigningRequest (`certificate approve|deny`),
//! SelfSubjectAccessReview and SelfSubjectReview written by hand here; Namespace, Pod, Node,
//! Event, PersistentVolumeClaim, PodDisruptionBudget, Eviction, StorageClass,
//! CustomResourceDefinition and Status from their field tables (`proto_codec`); lists of all of
//! them, and watch frames. Objects are encoded with the field numbers of the upstream
//! `generated.proto` and wrapped in the `k8s\0` + `runtime.Unknown` envelope. Other kinds answer
//! JSON (clients that ask for protobuf list JSON as their fallback).

use base64::Engine;
use serde_json::{Map, Value};

use super::proto_codec;

const MAGIC: &[u8] = b"k8s\0";

/// A protobuf message being written (also used for the OpenAPI v2 document).
#[derive(Default)]
pub(crate) struct Enc(pub Vec<u8>);

impl Enc {
    pub(crate) fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    pub(crate) fn key(&mut self, num: u64, wire: u64) {
        self.varint((num << 3) | wire);
    }
    pub(crate) fn bytes(&mut self, num: u64, b: &[u8]) {
        self.key(num, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    pub(crate) fn int(&mut self, num: u64, v: i64) {
        self.key(num, 0);
        // Negative int32/int64 values are sign-extended to ten bytes, as protobuf does.
        self.varint(v as u64);
    }
    pub(crate) fn message(&mut self, num: u64, build: impl FnOnce(&mut Enc)) {
        let mut inner = Enc::default();
        build(&mut inner);
        self.bytes(num, &inner.0);
    }
    /// A string field from `v[name]`, when present.
    fn str_of(&mut self, num: u64, v: &Value, name: &str) {
        if let Some(s) = v.get(name).and_then(Value::as_str) {
            self.bytes(num, s.as_bytes());
        }
    }
    fn int_of(&mut self, num: u64, v: &Value, name: &str) {
        if let Some(i) = v.get(name).and_then(Value::as_i64) {
            self.int(num, i);
        }
    }
    fn bool_of(&mut self, num: u64, v: &Value, name: &str) {
        if let Some(b) = v.get(name).and_then(Value::as_bool) {
            self.int(num, i64::from(b));
        }
    }
    fn strings_of(&mut self, num: u64, v: &Value, name: &str) {
        for s in v
            .get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            self.bytes(num, s.as_bytes());
        }
    }
    /// A `map<string, string>` (or `bytes` from base64 when `base64`) from `v[name]`.
    fn map_of(&mut self, num: u64, v: &Value, name: &str, base64: bool) {
        let Some(m) = v.get(name).and_then(Value::as_object) else {
            return;
        };
        for (k, val) in m {
            let s = val.as_str().unwrap_or_default();
            let value = if base64 {
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .unwrap_or_default()
            } else {
                s.as_bytes().to_vec()
            };
            self.message(num, |e| {
                e.bytes(1, k.as_bytes());
                e.bytes(2, &value);
            });
        }
    }
    fn each(&mut self, num: u64, v: &Value, name: &str, build: impl Fn(&mut Enc, &Value)) {
        for item in v.get(name).and_then(Value::as_array).into_iter().flatten() {
            self.message(num, |e| build(e, item));
        }
    }
    fn sub(&mut self, num: u64, v: &Value, name: &str, build: impl FnOnce(&mut Enc, &Value)) {
        if let Some(x) = v.get(name).filter(|x| x.is_object()) {
            self.message(num, |e| build(e, x));
        }
    }
}

/// `metav1.Time`: seconds = 1, nanos = 2.
fn time(e: &mut Enc, num: u64, v: &Value, name: &str) {
    let Some(t) = v
        .get(name)
        .and_then(Value::as_str)
        .and_then(crate::time::parse)
    else {
        return;
    };
    e.message(num, |m| {
        m.int(1, t.as_second());
        if t.subsec_nanosecond() > 0 {
            m.int(2, i64::from(t.subsec_nanosecond()));
        }
    });
}

fn object_meta(e: &mut Enc, m: &Value) {
    e.str_of(1, m, "name");
    e.str_of(2, m, "generateName");
    e.str_of(3, m, "namespace");
    e.str_of(5, m, "uid");
    e.str_of(6, m, "resourceVersion");
    e.int_of(7, m, "generation");
    time(e, 8, m, "creationTimestamp");
    time(e, 9, m, "deletionTimestamp");
    e.int_of(10, m, "deletionGracePeriodSeconds");
    e.map_of(11, m, "labels", false);
    e.map_of(12, m, "annotations", false);
    e.each(13, m, "ownerReferences", |o, r| {
        o.str_of(1, r, "kind");
        o.str_of(3, r, "name");
        o.str_of(4, r, "uid");
        o.str_of(5, r, "apiVersion");
        o.bool_of(6, r, "controller");
        o.bool_of(7, r, "blockOwnerDeletion");
    });
    e.strings_of(14, m, "finalizers");
    e.each(17, m, "managedFields", |o, f| {
        o.str_of(1, f, "manager");
        o.str_of(2, f, "operation");
        o.str_of(3, f, "apiVersion");
        time(o, 4, f, "time");
        o.str_of(6, f, "fieldsType");
        if let Some(raw) = f.get("fieldsV1") {
            let raw = serde_json::to_vec(raw).unwrap_or_default();
            o.message(7, |v1| v1.bytes(1, &raw));
        }
        o.str_of(8, f, "subresource");
    });
}

fn config_map(e: &mut Enc, o: &Value) {
    e.map_of(2, o, "data", false);
    e.map_of(3, o, "binaryData", true);
    e.bool_of(4, o, "immutable");
}

fn secret(e: &mut Enc, o: &Value) {
    e.map_of(2, o, "data", true);
    e.str_of(3, o, "type");
    e.map_of(4, o, "stringData", false);
    e.bool_of(5, o, "immutable");
}

/// `IntOrString`: type = 1 (0 int, 1 string), intVal = 2, strVal = 3.
fn int_or_string(e: &mut Enc, num: u64, v: &Value, name: &str) {
    match v.get(name) {
        Some(Value::Number(n)) => {
            let i = n.as_i64().unwrap_or_default();
            e.message(num, |m| {
                m.int(1, 0);
                m.int(2, i);
            });
        }
        Some(Value::String(s)) => e.message(num, |m| {
            m.int(1, 1);
            m.bytes(3, s.as_bytes());
        }),
        _ => {}
    }
}

fn service(e: &mut Enc, o: &Value) {
    e.sub(2, o, "spec", |s, v| {
        s.each(1, v, "ports", |p, x| {
            p.str_of(1, x, "name");
            p.str_of(2, x, "protocol");
            p.int_of(3, x, "port");
            int_or_string(p, 4, x, "targetPort");
            p.int_of(5, x, "nodePort");
            p.str_of(6, x, "appProtocol");
        });
        s.map_of(2, v, "selector", false);
        s.str_of(3, v, "clusterIP");
        s.str_of(4, v, "type");
        s.strings_of(5, v, "externalIPs");
        s.str_of(7, v, "sessionAffinity");
        s.str_of(10, v, "externalName");
        s.str_of(11, v, "externalTrafficPolicy");
        s.strings_of(18, v, "clusterIPs");
        s.strings_of(19, v, "ipFamilies");
        s.str_of(17, v, "ipFamilyPolicy");
        s.str_of(22, v, "internalTrafficPolicy");
    });
    e.sub(3, o, "status", |s, v| {
        s.sub(1, v, "loadBalancer", |_, _| {});
    });
}

/// certificates/v1 CertificateSigningRequest: spec = 2 (request = 1, username = 2, uid = 3,
/// groups = 4, usages = 5, extra = 6, signerName = 7, expirationSeconds = 8), status = 3
/// (conditions = 1: type 1, reason 2, message 3, lastUpdateTime 4, lastTransitionTime 5,
/// status 6; certificate = 2).
fn csr(e: &mut Enc, o: &Value) {
    let b64 = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    };
    e.sub(2, o, "spec", |s, v| {
        if let Some(req) = b64(v, "request") {
            s.bytes(1, &req);
        }
        s.str_of(2, v, "username");
        s.str_of(3, v, "uid");
        s.strings_of(4, v, "groups");
        s.strings_of(5, v, "usages");
        extra(s, 6, v);
        s.str_of(7, v, "signerName");
        s.int_of(8, v, "expirationSeconds");
    });
    e.sub(3, o, "status", |s, v| {
        s.each(1, v, "conditions", |c, x| {
            c.str_of(1, x, "type");
            c.str_of(2, x, "reason");
            c.str_of(3, x, "message");
            time(c, 4, x, "lastUpdateTime");
            time(c, 5, x, "lastTransitionTime");
            c.str_of(6, x, "status");
        });
        if let Some(cert) = b64(v, "certificate") {
            s.bytes(2, &cert);
        }
    });
}

/// `map<string, ExtraValue>` (ExtraValue: items = 1) from `v.extra`.
fn extra(e: &mut Enc, num: u64, v: &Value) {
    for (k, vals) in v
        .get("extra")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        e.message(num, |entry| {
            entry.bytes(1, k.as_bytes());
            let list = Value::Object(Map::from_iter([("items".into(), vals.clone())]));
            entry.message(2, |ev| ev.strings_of(1, &list, "items"));
        });
    }
}

fn self_subject_access_review(e: &mut Enc, o: &Value) {
    e.sub(2, o, "spec", |s, v| {
        s.sub(1, v, "resourceAttributes", |r, a| {
            for (i, k) in [
                "namespace",
                "verb",
                "group",
                "version",
                "resource",
                "subresource",
                "name",
            ]
            .iter()
            .enumerate()
            {
                r.str_of(i as u64 + 1, a, k);
            }
        });
        s.sub(2, v, "nonResourceAttributes", |r, a| {
            r.str_of(1, a, "path");
            r.str_of(2, a, "verb");
        });
    });
    e.sub(3, o, "status", |s, v| {
        s.bool_of(1, v, "allowed");
        s.str_of(2, v, "reason");
        s.str_of(3, v, "evaluationError");
        s.bool_of(4, v, "denied");
    });
}

fn self_subject_review(e: &mut Enc, o: &Value) {
    e.sub(2, o, "status", |s, v| {
        s.sub(1, v, "userInfo", |u, i| {
            u.str_of(1, i, "username");
            u.str_of(2, i, "uid");
            u.strings_of(3, i, "groups");
            extra(u, 4, i);
        });
    });
}

/// The body encoder of `kind`.
fn body_of(kind: &str) -> Option<fn(&mut Enc, &Value)> {
    Some(match kind {
        "ConfigMap" => config_map,
        "Secret" => secret,
        "Service" => service,
        "CertificateSigningRequest" => csr,
        "SelfSubjectAccessReview" => self_subject_access_review,
        "SelfSubjectReview" => self_subject_review,
        _ => return None,
    })
}

/// How the message of a kind is written: by one of the functions above, or from its field
/// table (`proto_codec`).
#[derive(Clone, Copy)]
enum Body {
    Hand(fn(&mut Enc, &Value)),
    Table(&'static proto_codec::Msg),
}

fn body(kind: &str) -> Option<Body> {
    body_of(kind)
        .map(Body::Hand)
        .or_else(|| proto_codec::message_of(kind).map(Body::Table))
}

/// One object's message (without envelope); Err names a field the table lacks.
fn object(e: &mut Enc, obj: &Value, body: Body) -> Result<(), String> {
    match body {
        Body::Hand(f) => {
            e.sub(1, obj, "metadata", object_meta);
            f(e, obj);
            Ok(())
        }
        Body::Table(m) => proto_codec::encode(e, obj, m, &["apiVersion", "kind"]),
    }
}

/// The protobuf body of `obj` (an object, or a `<Kind>List` of one), or None for a kind not
/// encoded here (or an object carrying a field its table does not know: logged, and the
/// caller answers JSON instead of dropping the field).
pub fn encode(obj: &Value) -> Option<Vec<u8>> {
    let kind = obj.get("kind").and_then(Value::as_str)?;
    let mut raw = Enc::default();
    let done = match kind.strip_suffix("List").and_then(body) {
        Some(item) => {
            // metav1.ListMeta: resourceVersion = 2, continue = 3, remainingItemCount = 4.
            raw.sub(1, obj, "metadata", |m, v| {
                m.str_of(2, v, "resourceVersion");
                m.str_of(3, v, "continue");
                m.int_of(4, v, "remainingItemCount");
            });
            obj.get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .try_for_each(|it| {
                    let mut e = Enc::default();
                    object(&mut e, it, item)?;
                    raw.bytes(2, &e.0);
                    Ok(())
                })
        }
        None => object(&mut raw, obj, body(kind)?),
    };
    if let Err(why) = done {
        tracing::warn!(kind, "cannot write protobuf ({why}); answering JSON");
        return None;
    }
    Some(envelope(obj, &raw.0))
}

/// `k8s\0` + `runtime.Unknown` (typeMeta = 1: apiVersion, kind; raw = 2) around a message.
fn envelope(obj: &Value, raw: &[u8]) -> Vec<u8> {
    let mut out = Enc(MAGIC.to_vec());
    out.message(1, |tm| {
        tm.str_of(1, obj, "apiVersion");
        tm.str_of(2, obj, "kind");
    });
    out.bytes(2, raw);
    out.0
}

/// Whether objects (and lists) of `kind` can be answered in protobuf.
pub fn encodes(kind: &str) -> bool {
    body(kind).is_some()
}

/// One watch event as the API server streams it to a protobuf client: a 4-byte big-endian
/// length, then a `metav1.WatchEvent` (type = 1, object = 2: a `runtime.RawExtension` whose
/// raw = 1 is the enveloped object), without an envelope of its own. None when the object
/// cannot be written in protobuf.
pub fn watch_frame(event_type: &str, obj: &Value) -> Option<Vec<u8>> {
    let object = encode(obj)?;
    let mut ev = Enc::default();
    ev.bytes(1, event_type.as_bytes());
    ev.message(2, |raw| raw.bytes(1, &object));
    let len = u32::try_from(ev.0.len()).ok()?;
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(&ev.0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_the_decoder() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "ns", "labels": {"a": "b"},
                         "creationTimestamp": "2026-01-02T03:04:05Z", "resourceVersion": "7"},
            "data": {"k": "v"}});
        let bytes = encode(&cm).expect("encodes");
        assert!(bytes.starts_with(MAGIC));
        let back = super::super::proto::decode(&bytes).expect("decodes");
        assert_eq!(back["metadata"]["name"], json!("c"));
        assert_eq!(back["metadata"]["labels"], json!({"a": "b"}));
        assert_eq!(back["metadata"]["resourceVersion"], json!("7"));
        assert_eq!(back["data"], json!({"k": "v"}));
        assert!(encode(&json!({"kind": "Deployment"})).is_none());
    }
}
