//! Table-driven Kubernetes protobuf for the built-in kinds whose field tables `proto_tables`
//! holds (Namespace, Pod, Node, Event, PersistentVolumeClaim, PodDisruptionBudget, Eviction,
//! StorageClass, CustomResourceDefinition, Status): JSON → the `generated.proto` message and back. Messages are
//! written in field-number order and map entries sorted by key, as the API server's gogo-protobuf
//! code does. A JSON field the table does not know is an error (the caller then answers JSON)
//! rather than a silent loss.

use base64::Engine;
use serde_json::{Map, Value};

use super::proto_encode::Enc;
use super::proto_tables as t;

/// A message: its fields in field-number order.
pub struct Msg(pub &'static [F]);

/// One field: number, JSON name (empty for an embedded struct), type, flags.
pub struct F(pub u64, pub &'static str, pub Ty, pub u8);

/// `repeated` (a JSON array).
pub const REPEATED: u8 = 1;
/// `map<string, …>` (a JSON object).
pub const MAP: u8 = 2;
/// Always present in the JSON form, even when zero (k8s-openapi: not an `Option`).
pub const REQUIRED: u8 = 4;
/// An embedded Go struct whose fields sit in the parent's JSON object.
pub const INLINE: u8 = 8;
/// A Go pointer field: a zero value on the wire was sent on purpose (`gracePeriodSeconds: 0`).
pub const POINTER: u8 = 16;

/// A field's type. Everything but `Sub` is a scalar or a message with its own JSON form.
pub enum Ty {
    Str,
    Bytes,
    Int,
    Bool,
    Double,
    Sub(&'static Msg),
    /// `metav1.Time` (RFC 3339, seconds) and `metav1.MicroTime` (microseconds).
    Time,
    MicroTime,
    /// `resource.Quantity`: one string field.
    Quantity,
    IntOrString,
    /// `runtime.RawExtension`, `apiextensions.JSON`, `metav1.FieldsV1`: JSON text in field 1.
    Raw,
    PropsOrArray,
    PropsOrBool,
    PropsOrStrings,
}

/// The table of a kind encoded here (`None` for the rest).
pub fn message_of(kind: &str) -> Option<&'static Msg> {
    Some(match kind {
        "Namespace" => &t::CORE_V1_NAMESPACE,
        "Pod" => &t::CORE_V1_POD,
        "Node" => &t::CORE_V1_NODE,
        "Event" => &t::CORE_V1_EVENT,
        "PersistentVolumeClaim" => &t::CORE_V1_PERSISTENT_VOLUME_CLAIM,
        "PodDisruptionBudget" => &t::POLICY_V1_POD_DISRUPTION_BUDGET,
        "Eviction" => &t::POLICY_V1_EVICTION,
        "StorageClass" => &t::STORAGE_V1_STORAGE_CLASS,
        "CustomResourceDefinition" => &t::APIEXTENSIONS_V1_CUSTOM_RESOURCE_DEFINITION,
        "Status" => &t::META_V1_STATUS,
        _ => return None,
    })
}

impl Msg {
    /// Whether `name` is a JSON field of this message (or of a struct embedded in it).
    fn knows(&self, name: &str) -> bool {
        self.0.iter().any(|f| match (&f.2, f.3 & INLINE != 0) {
            (Ty::Sub(m), true) => m.knows(name),
            _ => f.1 == name,
        })
    }
}

/// Write the fields of `msg` from the JSON object `v` into `e`. `skip` names JSON fields that
/// are not part of the message (`apiVersion`/`kind`: the envelope carries them).
pub fn encode(e: &mut Enc, v: &Value, msg: &Msg, skip: &[&str]) -> Result<(), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("expected an object, found {v}"))?;
    if let Some(k) = obj
        .keys()
        .find(|k| !skip.contains(&k.as_str()) && !msg.knows(k))
    {
        return Err(format!("field {k:?}"));
    }
    fields(e, obj, msg)
}

/// The fields of `msg` found in `obj` (which may hold others: an embedded struct's parent).
fn fields(e: &mut Enc, obj: &Map<String, Value>, msg: &Msg) -> Result<(), String> {
    for f in msg.0 {
        let F(num, name, ty, flags) = f;
        if flags & INLINE != 0 {
            if let Ty::Sub(m) = ty {
                let mut inner = Enc::default();
                fields(&mut inner, obj, m)?;
                e.bytes(*num, &inner.0);
            }
            continue;
        }
        let Some(x) = obj.get(*name).filter(|x| !x.is_null()) else {
            continue;
        };
        let within = |why: String| format!("{name}: {why}");
        if flags & MAP != 0 {
            let m = x
                .as_object()
                .ok_or_else(|| within("not an object".into()))?;
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let mut entry = Enc::default();
                entry.bytes(1, k.as_bytes());
                value(&mut entry, 2, &m[k], ty).map_err(within)?;
                e.bytes(*num, &entry.0);
            }
        } else if flags & REPEATED != 0 {
            let a = x.as_array().ok_or_else(|| within("not an array".into()))?;
            for item in a {
                value(e, *num, item, ty).map_err(within)?;
            }
        } else {
            value(e, *num, x, ty).map_err(within)?;
        }
    }
    Ok(())
}

/// One value of type `ty` as field `num`.
fn value(e: &mut Enc, num: u64, x: &Value, ty: &Ty) -> Result<(), String> {
    let text = |x: &Value| -> Result<String, String> {
        match x {
            Value::String(s) => Ok(s.clone()),
            // Quantities and durations written as JSON numbers (`pods: 250`).
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!("expected a string, found {other}")),
        }
    };
    match ty {
        Ty::Str => {
            let s = x
                .as_str()
                .ok_or_else(|| format!("expected a string, found {x}"))?;
            e.bytes(num, s.as_bytes());
        }
        Ty::Bytes => {
            let s = x
                .as_str()
                .ok_or_else(|| format!("expected base64, found {x}"))?;
            let b = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|err| format!("bad base64: {err}"))?;
            e.bytes(num, &b);
        }
        Ty::Int => {
            let i = x
                .as_i64()
                .ok_or_else(|| format!("expected an integer, found {x}"))?;
            e.int(num, i);
        }
        Ty::Bool => {
            let b = x
                .as_bool()
                .ok_or_else(|| format!("expected a boolean, found {x}"))?;
            e.int(num, i64::from(b));
        }
        Ty::Double => {
            let d = x
                .as_f64()
                .ok_or_else(|| format!("expected a number, found {x}"))?;
            e.key(num, 1);
            e.0.extend_from_slice(&d.to_le_bytes());
        }
        Ty::Sub(m) => {
            let mut inner = Enc::default();
            encode(&mut inner, x, m, &[])?;
            e.bytes(num, &inner.0);
        }
        Ty::Time | Ty::MicroTime => {
            let s = x
                .as_str()
                .ok_or_else(|| format!("expected a time, found {x}"))?;
            let t: crate::time::Timestamp =
                s.parse().map_err(|err| format!("bad time {s:?}: {err}"))?;
            e.message(num, |m| {
                m.int(1, t.as_second());
                m.int(2, i64::from(t.subsec_nanosecond()));
            });
        }
        Ty::Quantity => {
            let s = text(x)?;
            e.message(num, |m| m.bytes(1, s.as_bytes()));
        }
        Ty::IntOrString => match x {
            Value::Number(n) => {
                let i = n
                    .as_i64()
                    .ok_or_else(|| format!("expected an integer, found {n}"))?;
                e.message(num, |m| {
                    m.int(1, 0);
                    m.int(2, i);
                });
            }
            Value::String(s) => e.message(num, |m| {
                m.int(1, 1);
                m.bytes(3, s.as_bytes());
            }),
            other => return Err(format!("expected an int or a string, found {other}")),
        },
        Ty::Raw => {
            let raw = serde_json::to_vec(x).map_err(|err| err.to_string())?;
            e.message(num, |m| m.bytes(1, &raw));
        }
        Ty::PropsOrArray => {
            let mut inner = Enc::default();
            match x {
                Value::Array(a) => {
                    for s in a {
                        value(
                            &mut inner,
                            2,
                            s,
                            &Ty::Sub(&t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS),
                        )?;
                    }
                }
                s => value(
                    &mut inner,
                    1,
                    s,
                    &Ty::Sub(&t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS),
                )?,
            }
            e.bytes(num, &inner.0);
        }
        Ty::PropsOrBool => {
            let mut inner = Enc::default();
            match x {
                Value::Bool(b) => inner.int(1, i64::from(*b)),
                s => {
                    inner.int(1, 1);
                    value(
                        &mut inner,
                        2,
                        s,
                        &Ty::Sub(&t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS),
                    )?;
                }
            }
            e.bytes(num, &inner.0);
        }
        Ty::PropsOrStrings => {
            let mut inner = Enc::default();
            match x {
                Value::Array(a) => {
                    for s in a {
                        value(&mut inner, 2, s, &Ty::Str)?;
                    }
                }
                s => value(
                    &mut inner,
                    1,
                    s,
                    &Ty::Sub(&t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS),
                )?,
            }
            e.bytes(num, &inner.0);
        }
    }
    Ok(())
}

/// A field as read off the wire.
#[derive(Clone, Copy)]
pub enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32,
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint too long".into())
}

fn fixed<const N: usize>(buf: &[u8], pos: &mut usize) -> Result<[u8; N], String> {
    let end = pos.checked_add(N).filter(|e| *e <= buf.len());
    let end = end.ok_or("truncated fixed-width field")?;
    let mut out = [0u8; N];
    out.copy_from_slice(&buf[*pos..end]);
    *pos = end;
    Ok(out)
}

/// The fields of a message, in wire order.
pub fn wire_fields(buf: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let f = match key & 7 {
            0 => Wire::Varint(varint(buf, &mut pos)?),
            1 => Wire::Fixed64(u64::from_le_bytes(fixed::<8>(buf, &mut pos)?)),
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?).map_err(|_| "length")?;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len());
                let end = end.ok_or("truncated field")?;
                let s = &buf[pos..end];
                pos = end;
                Wire::Bytes(s)
            }
            5 => {
                fixed::<4>(buf, &mut pos)?;
                Wire::Fixed32
            }
            _ => return Err("unsupported wire type".into()),
        };
        out.push((key >> 3, f));
    }
    Ok(out)
}

/// Read a message of `msg` into a JSON object. Unknown field numbers are skipped (a newer
/// client's fields), zero scalars of optional fields left out (as `omitempty` does).
pub fn decode(buf: &[u8], msg: &Msg) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (num, w) in wire_fields(buf)? {
        let Some(F(_, name, ty, flags)) = msg.0.iter().find(|f| f.0 == num) else {
            continue;
        };
        if flags & INLINE != 0 {
            if let (Ty::Sub(m), Wire::Bytes(b)) = (ty, w) {
                out.extend(decode(b, m)?);
            }
            continue;
        }
        let within = |why: String| format!("{name}: {why}");
        if flags & MAP != 0 {
            let Wire::Bytes(entry) = w else {
                return Err(within("a map entry must be length-delimited".into()));
            };
            let (mut k, mut v) = (String::new(), None);
            for (n, ew) in wire_fields(entry)? {
                match (n, ew) {
                    (1, Wire::Bytes(b)) => k = String::from_utf8_lossy(b).into_owned(),
                    (2, ew) => v = Some(read(ew, ty).map_err(within)?),
                    _ => {}
                }
            }
            let v = v.unwrap_or_else(|| zero(ty));
            if let Some(m) = out
                .entry(name.to_string())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
            {
                m.insert(k, v);
            }
        } else if flags & REPEATED != 0 {
            let v = read(w, ty).map_err(within)?;
            if let Some(a) = out
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                a.push(v);
            }
        } else {
            let v = read(w, ty).map_err(within)?;
            // Go writes non-pointer scalars even when zero; their JSON leaves them out.
            let scalar = matches!(ty, Ty::Str | Ty::Int | Ty::Bool | Ty::Double);
            let is_zero = v.is_null()
                || scalar
                    && (matches!(&v, Value::String(s) if s.is_empty())
                        || v == Value::Bool(false)
                        || v.as_f64() == Some(0.0));
            if !is_zero || (!v.is_null() && flags & (REQUIRED | POINTER) != 0) {
                out.insert(name.to_string(), v);
            }
        }
    }
    Ok(out)
}

/// The JSON zero of a map value that was left off the wire.
fn zero(ty: &Ty) -> Value {
    match ty {
        Ty::Int => Value::from(0),
        Ty::Bool => Value::Bool(false),
        Ty::Sub(_) => Value::Object(Map::new()),
        _ => Value::String(String::new()),
    }
}

fn bytes_of<'a>(w: Wire<'a>) -> Result<&'a [u8], String> {
    match w {
        Wire::Bytes(b) => Ok(b),
        _ => Err("expected a length-delimited field".into()),
    }
}

/// Field `num` of a one-string message (`Quantity`).
fn string_field(b: &[u8], num: u64) -> Result<String, String> {
    Ok(wire_fields(b)?
        .into_iter()
        .find_map(|(n, w)| match (n, w) {
            (n, Wire::Bytes(s)) if n == num => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        })
        .unwrap_or_default())
}

fn read(w: Wire<'_>, ty: &Ty) -> Result<Value, String> {
    let props = &Ty::Sub(&t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS);
    Ok(match (ty, w) {
        (Ty::Str, Wire::Bytes(b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
        (Ty::Bytes, Wire::Bytes(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        // int32 and int64 alike: negative values are sign-extended to 64 bits.
        (Ty::Int, Wire::Varint(v)) => Value::from(v as i64),
        (Ty::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
        (Ty::Double, Wire::Fixed64(v)) => serde_json::Number::from_f64(f64::from_bits(v))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        (Ty::Sub(m), Wire::Bytes(b)) => Value::Object(decode(b, m)?),
        (Ty::Time | Ty::MicroTime, Wire::Bytes(b)) => {
            let (mut secs, mut nanos) = (0i64, 0u32);
            for (n, w) in wire_fields(b)? {
                match (n, w) {
                    (1, Wire::Varint(v)) => secs = v as i64,
                    (2, Wire::Varint(v)) => nanos = u32::try_from(v).unwrap_or(0),
                    _ => {}
                }
            }
            if (secs, nanos) == (0, 0) {
                // Go writes a zero (unset) `metav1.Time` as an empty message; JSON says null.
                return Ok(Value::Null);
            }
            let nanos = i32::try_from(nanos).map_err(|_| "nanos out of range")?;
            let t = crate::time::Timestamp::new(secs, nanos).map_err(|_| "time out of range")?;
            Value::String(if matches!(ty, Ty::MicroTime) {
                crate::time::rfc3339_micros(t)
            } else {
                crate::time::rfc3339_secs(t)
            })
        }
        (Ty::Quantity, Wire::Bytes(b)) => Value::String(string_field(b, 1)?),
        (Ty::IntOrString, Wire::Bytes(b)) => {
            let (mut is_str, mut i, mut s) = (false, 0i64, String::new());
            for (n, w) in wire_fields(b)? {
                match (n, w) {
                    (1, Wire::Varint(v)) => is_str = v == 1,
                    (2, Wire::Varint(v)) => i = i64::from(v as i32),
                    (3, Wire::Bytes(b)) => s = String::from_utf8_lossy(b).into_owned(),
                    _ => {}
                }
            }
            if is_str {
                Value::String(s)
            } else {
                Value::from(i)
            }
        }
        (Ty::Raw, Wire::Bytes(b)) => {
            let raw = wire_fields(b)?
                .into_iter()
                .find_map(|(n, w)| match (n, w) {
                    (1, Wire::Bytes(r)) => Some(r),
                    _ => None,
                })
                .unwrap_or_default();
            if raw.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(raw).map_err(|err| format!("raw JSON: {err}"))?
            }
        }
        (Ty::PropsOrArray, Wire::Bytes(b)) => {
            let (mut one, mut many) = (None, Vec::new());
            for (n, w) in wire_fields(b)? {
                match n {
                    1 => one = Some(read(w, props)?),
                    2 => many.push(read(w, props)?),
                    _ => {}
                }
            }
            one.unwrap_or(Value::Array(many))
        }
        (Ty::PropsOrBool, Wire::Bytes(b)) => {
            let (mut allows, mut schema) = (false, None);
            for (n, w) in wire_fields(b)? {
                match (n, w) {
                    (1, Wire::Varint(v)) => allows = v != 0,
                    (2, w) => schema = Some(read(w, props)?),
                    _ => {}
                }
            }
            schema.unwrap_or(Value::Bool(allows))
        }
        (Ty::PropsOrStrings, Wire::Bytes(b)) => {
            let (mut schema, mut strings) = (None, Vec::new());
            for (n, w) in wire_fields(b)? {
                match n {
                    1 => schema = Some(read(w, props)?),
                    2 => strings.push(Value::String(
                        String::from_utf8_lossy(bytes_of(w)?).into_owned(),
                    )),
                    _ => {}
                }
            }
            schema.unwrap_or(Value::Array(strings))
        }
        _ => return Err("wire type does not match the field's type".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Value, msg: &Msg) -> Value {
        let mut e = Enc::default();
        encode(&mut e, v, msg, &["apiVersion", "kind"]).expect("encodes");
        let mut back = decode(&e.0, msg).expect("decodes");
        for k in ["apiVersion", "kind"] {
            if let Some(x) = v.get(k) {
                back.insert(k.into(), x.clone());
            }
        }
        Value::Object(back)
    }

    #[test]
    fn a_pod_round_trips_with_embedded_structs_and_quantities() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "labels": {"b": "2", "a": "1"},
                         "creationTimestamp": "2026-01-02T03:04:05Z"},
            "spec": {"containers": [{"name": "c", "image": "i",
                        "resources": {"requests": {"cpu": "10m", "memory": "50Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
                        "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}],
                     "volumes": [{"name": "v", "emptyDir": {}}],
                     "nodeName": "n1", "terminationGracePeriodSeconds": 30},
            "status": {"phase": "Running",
                       "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false,
                                              "restartCount": 0, "state": {"running": {"startedAt": "2026-01-02T03:04:06Z"}}}]}});
        assert_eq!(round_trip(&pod, &t::CORE_V1_POD), pod);
    }

    #[test]
    fn namespaces_and_evictions_keep_what_their_handlers_read() {
        // `finalize` reads spec.finalizers; an Eviction's dryRun travels in deleteOptions.
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"},
            "spec": {"finalizers": ["kubernetes", "example.com/x"]}, "status": {"phase": "Active"}});
        assert_eq!(round_trip(&ns, &t::CORE_V1_NAMESPACE), ns);
        let ev = json!({"apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": {"name": "p", "namespace": "ns"},
            "deleteOptions": {"dryRun": ["All"], "gracePeriodSeconds": 0}});
        let back = round_trip(&ev, &t::POLICY_V1_EVICTION);
        assert_eq!(back["deleteOptions"]["dryRun"], json!(["All"]));
        // A zero grace period is a pointer in Go: sent, it is kept.
        assert_eq!(back["deleteOptions"]["gracePeriodSeconds"], json!(0));
        // So is an int-or-string 0, and an empty (select-all) selector.
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "p"}, "spec": {"minAvailable": 0, "selector": {}}});
        assert_eq!(round_trip(&pdb, &t::POLICY_V1_POD_DISRUPTION_BUDGET), pdb);
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_errors() {
        let mut e = Enc::default();
        let bad = json!({"metadata": {"name": "n"}, "spec": {"bogus": 1}});
        let err = encode(&mut e, &bad, &t::CORE_V1_NODE, &[]).expect_err("unknown field");
        assert!(err.contains("bogus"), "{err}");
        let bad = json!({"spec": {"unschedulable": "yes"}});
        assert!(encode(&mut Enc::default(), &bad, &t::CORE_V1_NODE, &[]).is_err());
    }

    #[test]
    fn schemas_round_trip_through_their_json_forms() {
        let crd_schema = json!({"type": "object", "description": "d",
            "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                                    "properties": {"n": {"type": "integer", "minimum": 1.0, "default": 2}}},
                           "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                           "labels": {"type": "object", "additionalProperties": {"type": "string"}}},
            "required": ["spec"]});
        assert_eq!(
            round_trip(&crd_schema, &t::APIEXTENSIONS_V1_JSON_SCHEMA_PROPS),
            crd_schema
        );
    }
}
