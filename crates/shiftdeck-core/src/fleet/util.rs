//! Small helpers shared by the fleet and migration view models: reading optional fields out of
//! `serde_json::Value`s, condition lookup with first-match semantics, times, durations and table cells.
//!
//! Everything read from a cluster is treated as optional: a missing or mistyped field yields `None`
//! (and an empty cell), never a panic.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Map, Value};

/// The value at a JSON pointer: [`Value::pointer`] without its two allocations per token when
/// the pointer has no `~` escape (the views read thousands of fields per catch-up).
pub fn at<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    if ptr.contains('~') {
        return v.pointer(ptr);
    }
    if ptr.is_empty() {
        return Some(v);
    }
    ptr.strip_prefix('/')?
        .split('/')
        .try_fold(v, |target, token| match target {
            Value::Object(map) => map.get(token),
            Value::Array(list) => array_index(token).and_then(|i| list.get(i)),
            _ => None,
        })
}

/// An array index token as RFC 6901 (and `Value::pointer`) reads it: no sign, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// The string at a JSON pointer (`/status/version`), if present and a string.
pub fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    at(v, ptr).and_then(Value::as_str)
}

/// The integer at a JSON pointer, accepting integers and integral floats.
pub fn i64_at(v: &Value, ptr: &str) -> Option<i64> {
    let x = at(v, ptr)?;
    x.as_i64().or_else(|| {
        x.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Whether the object is being deleted (`metadata.deletionTimestamp` set: finalizers hold it).
pub fn is_deleting(v: &Value) -> bool {
    at(v, "/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// The array at a JSON pointer, or an empty slice.
pub fn arr_at<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    at(v, ptr)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `metadata.name` (empty when missing).
pub fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name").unwrap_or("")
}

/// `metadata.namespace` (empty when missing).
pub fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace").unwrap_or("")
}

/// A label value.
pub fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    at(v, "/metadata/labels")
        .and_then(Value::as_object)
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
}

/// An annotation value.
pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    at(v, "/metadata/annotations")
        .and_then(Value::as_object)
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
}

/// The first condition in `status.conditions` whose `type` equals `type_`, like the server-side
/// printer-column conversion that keeps only the first JSONPath match.
pub fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    arr_at(obj, "/status/conditions")
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// A condition field (`status`, `reason`, `message`...) of the first condition of that type.
pub fn condition_field<'a>(obj: &'a Value, type_: &str, field: &str) -> Option<&'a str> {
    condition(obj, type_)
        .and_then(|c| c.get(field))
        .and_then(Value::as_str)
}

/// Whether the first condition of that type has status `True`.
pub fn condition_true(obj: &Value, type_: &str) -> bool {
    condition_field(obj, type_, "status") == Some("True")
}

/// Parses an RFC 3339 time.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

/// The RFC 3339 time at a JSON pointer.
pub fn time_at(v: &Value, ptr: &str) -> Option<Timestamp> {
    str_at(v, ptr).and_then(parse_time)
}

/// `metadata.creationTimestamp`.
pub fn created(v: &Value) -> Option<Timestamp> {
    time_at(v, "/metadata/creationTimestamp")
}

/// kubectl-style age of an object (`<unknown>` without a creation time).
pub fn age(v: &Value, now: Timestamp) -> String {
    created(v).map_or_else(|| "<unknown>".into(), |t| crate::age::since(t, now))
}

/// Makes a value safe for one table cell: trailing newlines trimmed, other control characters
/// escaped (`\n`, `\u{1b}`), so a hostile message cannot break the table or the terminal.
pub fn cell(s: &str) -> String {
    let t = s.trim_end_matches(['\n', '\r']);
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else if crate::text::is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// An optional integer as a cell (empty when missing).
pub fn int_cell(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// A table a `shiftdeck get <kind>` command prints: fixed headers and one row of cells per object.
pub trait TableRow {
    /// Column headers, in order.
    const HEADERS: &'static [&'static str];
    /// The cells, one per header, already sanitized with [`cell`].
    fn cells(&self) -> Vec<String>;
}

/// Headers and cells of a table, for a text printer.
pub fn table<T: TableRow>(rows: &[T]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    (
        T::HEADERS.to_vec(),
        rows.iter().map(TableRow::cells).collect(),
    )
}

/// The rows as a JSON array of objects keyed by header (`-o json` of `shiftdeck get`).
pub fn rows_json<T: TableRow>(rows: &[T]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let map: Map<String, Value> = T::HEADERS
                    .iter()
                    .zip(r.cells())
                    .map(|(h, c)| ((*h).to_string(), Value::String(c)))
                    .collect();
                Value::Object(map)
            })
            .collect(),
    )
}

/// Parses a Kubernetes quantity (`4Gi`, `4096Mi`, `4G`, `512M`, `1.5Gi`, `100`) into bytes.
pub fn quantity_bytes(q: &str) -> Option<f64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => return None,
    };
    Some(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_reads_what_value_pointer_reads() {
        let v = json!({"a": {"b/c": 1, "m~n": 2, "": {"": 3}, "0": "zero"},
                       "l": [10, 11, {"x": "y"}], "s": "t"});
        for p in [
            "",
            "/",
            "//",
            "/a",
            "/a/b~1c",
            "/a/m~0n",
            "/a/b/c",
            "/a/0",
            "/a//",
            "/l/0",
            "/l/2/x",
            "/l/01",
            "/l/+1",
            "/l/-",
            "/l/3",
            "/l/x",
            "/s/0",
            "a",
            "/nope",
            "/l/18446744073709551616",
        ] {
            assert_eq!(at(&v, p), v.pointer(p), "{p}");
        }
    }

    #[test]
    fn first_match_condition() {
        let o = json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "message": "first"},
            {"type": "Ready", "status": "True", "message": "second"}]}});
        assert_eq!(condition_field(&o, "Ready", "message"), Some("first"));
        assert!(!condition_true(&o, "Ready"));
        assert_eq!(condition_field(&o, "Other", "status"), None);
        assert_eq!(
            condition_field(&json!({"status": 3}), "Ready", "status"),
            None
        );
    }

    #[test]
    fn cells_escape_control_characters() {
        assert_eq!(cell("a\nb\n"), "a\\nb");
        assert_eq!(cell("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(int_cell(None), "");
        assert_eq!(int_cell(Some(3)), "3");
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity_bytes("4Gi"), Some(4.0 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(quantity_bytes("4G"), Some(4e9));
        assert_eq!(quantity_bytes("1.5Ki"), Some(1536.0));
        assert_eq!(quantity_bytes("4Xi"), None);
        assert_eq!(quantity_bytes(""), None);
    }

    #[test]
    fn integers_accept_integral_floats_only() {
        let o = json!({"a": 3, "b": 2.0, "c": 2.5, "d": "3"});
        assert_eq!(i64_at(&o, "/a"), Some(3));
        assert_eq!(i64_at(&o, "/b"), Some(2));
        assert_eq!(i64_at(&o, "/c"), None);
        assert_eq!(i64_at(&o, "/d"), None);
    }
}
