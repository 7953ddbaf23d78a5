//! Write options as the API server reads them: `dryRun` and `fieldValidation` from the query
//! (Create/Update/PatchOptions), DeleteOptions from a DELETE body or the query. Bad values are
//! refused with 422 Invalid naming the options kind, as a real server does.

use serde_json::{Value, json};

use super::query::Query;
use crate::error::ApiError;

/// How unknown fields in a request body are treated (`fieldValidation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    Ignore,
    Warn,
    Strict,
}

/// `propagationPolicy` of a delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Orphan,
    Background,
    Foreground,
}

/// What a DELETE (or an Eviction's `deleteOptions`) asks for.
#[derive(Clone, Debug, Default)]
pub struct DeleteOpts {
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    /// None: the kind's default (background for everything the sim serves).
    pub propagation: Option<Propagation>,
}

/// The options of one write request.
#[derive(Clone, Debug)]
pub struct WriteOpts {
    pub dry_run: bool,
    pub field_validation: FieldValidation,
    pub delete: DeleteOpts,
}

impl Default for WriteOpts {
    fn default() -> Self {
        WriteOpts {
            dry_run: false,
            // The server's default since field validation went GA.
            field_validation: FieldValidation::Warn,
            delete: DeleteOpts::default(),
        }
    }
}

fn options_kind(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "create" => "CreateOptions",
        "update" => "UpdateOptions",
        "patch" => "PatchOptions",
        "delete" | "deletecollection" => "DeleteOptions",
        _ => return None,
    })
}

/// 422 for a bad options field, worded as `<Kind>.meta.k8s.io "" is invalid: ...`.
pub fn invalid_options(kind: &str, field: &str, detail: &str) -> ApiError {
    let mut e = ApiError::new(
        422,
        "Invalid",
        format!("{kind}.meta.k8s.io \"\" is invalid: {field}: {detail}"),
    );
    e.details = Some(json!({"group": "meta.k8s.io", "kind": kind,
        "causes": [{"reason": "FieldValueNotSupported", "message": detail, "field": field}]}));
    e
}

/// `dryRun` values: only `All` exists.
pub fn dry_run_of(kind: &str, values: &[String]) -> Result<bool, ApiError> {
    if values.iter().any(|v| v != "All") {
        let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        return Err(invalid_options(
            kind,
            "dryRun",
            &format!(
                "Unsupported value: []string{{{}}}: supported values: \"All\"",
                quoted.join(", ")
            ),
        ));
    }
    Ok(!values.is_empty())
}

fn field_validation_of(kind: &str, q: &Query) -> Result<FieldValidation, ApiError> {
    match q.get("fieldValidation") {
        None | Some("Warn") => Ok(FieldValidation::Warn),
        Some("Ignore") => Ok(FieldValidation::Ignore),
        Some("Strict") => Ok(FieldValidation::Strict),
        Some(other) => Err(invalid_options(
            kind,
            "fieldValidation",
            &format!(
                "Unsupported value: {other:?}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""
            ),
        )),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Read a DeleteOptions object (a DELETE body or an Eviction's `deleteOptions`).
pub fn delete_opts_from_json(v: &Value) -> Result<(bool, DeleteOpts), ApiError> {
    let dry = dry_run_of("DeleteOptions", &strings(v.get("dryRun")))?;
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let mut d = DeleteOpts {
        uid: s("/preconditions/uid"),
        resource_version: s("/preconditions/resourceVersion"),
        propagation: propagation_of(v.get("propagationPolicy").and_then(Value::as_str))?,
    };
    // The deprecated orphanDependents maps onto a propagation policy.
    if d.propagation.is_none() {
        d.propagation = match v.get("orphanDependents").and_then(Value::as_bool) {
            Some(true) => Some(Propagation::Orphan),
            Some(false) => Some(Propagation::Background),
            None => None,
        };
    } else if v.get("orphanDependents").is_some_and(|o| !o.is_null()) {
        return Err(invalid_options(
            "DeleteOptions",
            "propagationPolicy",
            "Invalid value: \"null\": orphanDependents and deletionPropagation cannot be both set",
        ));
    }
    Ok((dry, d))
}

fn propagation_of(v: Option<&str>) -> Result<Option<Propagation>, ApiError> {
    match v {
        None | Some("") => Ok(None),
        Some("Orphan") => Ok(Some(Propagation::Orphan)),
        Some("Background") => Ok(Some(Propagation::Background)),
        Some("Foreground") => Ok(Some(Propagation::Foreground)),
        Some(other) => Err(invalid_options(
            "DeleteOptions",
            "propagationPolicy",
            &format!(
                "Unsupported value: {other:?}: supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            ),
        )),
    }
}

/// The options of a request with `verb`, from its query and (for DELETE) its body.
pub fn parse(verb: &str, q: &Query, body: &[u8]) -> Result<WriteOpts, ApiError> {
    let Some(kind) = options_kind(verb) else {
        return Ok(WriteOpts::default());
    };
    if kind == "DeleteOptions" {
        // A DELETE body, when there is one, is the whole DeleteOptions; the query is not read.
        let doc: Value = if body.iter().all(u8::is_ascii_whitespace) {
            let mut o = serde_json::Map::new();
            let dry: Vec<Value> = q.values("dryRun").into_iter().map(|v| json!(v)).collect();
            if !dry.is_empty() {
                o.insert("dryRun".into(), Value::Array(dry));
            }
            for (k, key) in [
                ("propagationPolicy", "propagationPolicy"),
                ("preconditions.uid", "uid"),
                ("preconditions.resourceVersion", "resourceVersion"),
            ] {
                if let Some(v) = q.get(k) {
                    if key == k {
                        o.insert(key.into(), json!(v));
                    } else {
                        let pre = o.entry("preconditions").or_insert_with(|| json!({}));
                        if let Some(p) = pre.as_object_mut() {
                            p.insert(key.into(), json!(v));
                        }
                    }
                }
            }
            if let Some(g) = q.u64("gracePeriodSeconds")? {
                o.insert("gracePeriodSeconds".into(), json!(g));
            }
            if let Some(v) = q.get("orphanDependents") {
                o.insert("orphanDependents".into(), json!(v == "true"));
            }
            Value::Object(o)
        } else {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding DeleteOptions: {e}")))?
        };
        let (dry_run, delete) = delete_opts_from_json(&doc)?;
        return Ok(WriteOpts {
            dry_run,
            field_validation: FieldValidation::Warn,
            delete,
        });
    }
    let dry: Vec<String> = q.values("dryRun").into_iter().map(str::to_string).collect();
    Ok(WriteOpts {
        dry_run: dry_run_of(kind, &dry)?,
        field_validation: field_validation_of(kind, q)?,
        delete: DeleteOpts::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_values() {
        let q = Query::parse(Some("dryRun=All"));
        assert!(parse("create", &q, b"").expect("ok").dry_run);
        let q = Query::parse(Some("dryRun=Bogus"));
        let e = parse("patch", &q, b"").expect_err("refused");
        assert_eq!(e.code, 422);
        assert!(
            e.message.starts_with("PatchOptions.meta.k8s.io"),
            "{}",
            e.message
        );
        let q = Query::parse(None);
        let o = parse(
            "delete",
            &q,
            br#"{"dryRun":["All"],"preconditions":{"uid":"u"}}"#,
        )
        .expect("ok");
        assert!(o.dry_run);
        assert_eq!(o.delete.uid.as_deref(), Some("u"));
        let q = Query::parse(Some("fieldValidation=Loose"));
        assert_eq!(
            parse("update", &q, b"").map_err(|e| e.code).err(),
            Some(422)
        );
    }
}
