//! Subresources: `status` (only `.status` changes), `scale` (autoscaling/v1 Scale), the CSR
//! `approval` (only Approved/Denied conditions are taken) and the Namespace `finalize` (only
//! `spec.finalizers` is taken).

use serde_json::{Value, json};

use super::crud::{self, patch_object, respond};
use super::deletion;
use super::handler::Ctx;
use super::http::{self, Resp};
use super::jsonpath;
use super::options;
use super::patch::{self, PatchType};
use super::route::ResRoute;
use super::ssa;
use crate::error::ApiError;
use crate::resources::ResourceDef;
use crate::store::{ensure_object, rv_of};

pub(crate) fn handle(
    ctx: &Ctx,
    rr: &ResRoute,
    sub: &str,
    verb: &str,
    body: &[u8],
) -> Result<Resp, ApiError> {
    match (sub, verb) {
        ("status", "get") | ("approval", "get") => crud::get(ctx, rr),
        ("status", _) => write_status(ctx, rr, verb, body),
        ("scale", "get") => {
            let obj = current(ctx, rr)?;
            Ok(http::json(200, &scale_of(rr.res, &obj)))
        }
        ("scale", _) => write_scale(ctx, rr, verb, body),
        ("approval", _) => write_approval(ctx, rr, verb, body),
        ("eviction", _) => evict(ctx, rr, body),
        ("finalize", "update") => finalize(ctx, rr, body),
        ("log", _) => {
            let pod = current(ctx, rr)?;
            let name = pod["metadata"]["name"].as_str().unwrap_or("");
            let text = format!("simulated pod {name}: the sim keeps no container logs\n");
            Ok(http::bytes_response(200, "text/plain", text))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "the sim does not serve {}/{sub}",
            rr.res.plural
        ))),
    }
}

fn current(ctx: &Ctx, rr: &ResRoute) -> Result<std::sync::Arc<Value>, ApiError> {
    let name = rr.name.as_deref().unwrap_or("");
    ctx.shared
        .store
        .get(rr.res, rr.ns.as_deref(), name)
        .ok_or_else(|| ApiError::not_found(rr.res, name))
}

/// PUT bodies: the object as sent, its rv pinned onto the stored object so stale writes fail.
fn put_onto(
    ctx: &Ctx,
    rr: &ResRoute,
    body: &[u8],
    take: impl Fn(&Value, &Value, &mut Value) -> Result<(), ApiError>,
    bump_generation: bool,
) -> Result<Value, ApiError> {
    let sent = http::decode_object(&http::content_type(&ctx.headers), body)?;
    let cur = current(ctx, rr)?;
    let mut next = (*cur).clone();
    take(&cur, &sent, &mut next)?;
    let rv = sent
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(rv_of(&cur))
        .to_string();
    let meta = ensure_object(&mut next, "metadata");
    meta.insert("resourceVersion".into(), json!(rv));
    // The body's uid stays a precondition, checked against the stored object under the lock.
    if let Some(uid) = sent
        .pointer("/metadata/uid")
        .filter(|u| u.as_str().is_some_and(|u| !u.is_empty()))
    {
        meta.insert("uid".into(), uid.clone());
    }
    ctx.shared
        .store
        .update(rr.res, next, bump_generation, ctx.opts.dry_run)
}

fn write_status(ctx: &Ctx, rr: &ResRoute, verb: &str, body: &[u8]) -> Result<Resp, ApiError> {
    let manager = crud::manager_of(ctx);
    let res = rr.res;
    let take_status = |old: &Value, src: &Value, dst: &mut Value| {
        if let Some(o) = dst.as_object_mut() {
            match src.get("status") {
                Some(s) => o.insert("status".into(), s.clone()),
                None => o.remove("status"),
            };
        }
        let writer = ssa::Writer {
            manager: &manager,
            subresource: Some("status"),
        };
        ssa::record_update(res, Some(old), dst, &writer);
        Ok(())
    };
    let updated = if verb == "update" {
        put_onto(ctx, rr, body, take_status, false)?
    } else {
        let pt = PatchType::for_resource(rr.res, &http::content_type(&ctx.headers))?;
        let doc = patch::decode(pt, body)?;
        let force = crud::force_of(ctx, pt)?;
        patch_object(
            ctx,
            rr,
            pt,
            &doc,
            |old, patched| {
                let mut next = old.clone();
                if pt == PatchType::Apply {
                    // Server-side apply of the status: only `status` is taken, with the
                    // managed fields the apply computed.
                    let writer = ssa::Writer {
                        manager: &manager,
                        subresource: Some("status"),
                    };
                    let applied = ssa::apply(res, Some(old), &doc, &writer, force)?;
                    take_field(&applied, &mut next, "status");
                    if let Some(meta) = next.get_mut("metadata") {
                        take_field(&applied["metadata"], meta, "managedFields");
                    }
                } else {
                    take_status(old, &patched, &mut next)?;
                }
                Ok(next)
            },
            false,
        )?
    };
    Ok(respond(ctx, rr.res, 200, &updated))
}

/// `PUT namespaces/NAME/finalize`: the Namespace's `spec.finalizers` become the body's (the
/// rest of the stored object stays, status included); a Terminating Namespace left with no
/// finalizers at all goes, as the namespace registry deletes during such an update.
fn finalize(ctx: &Ctx, rr: &ResRoute, body: &[u8]) -> Result<Resp, ApiError> {
    let manager = crud::manager_of(ctx);
    let res = rr.res;
    let take_finalizers = |old: &Value, sent: &Value, next: &mut Value| {
        let list = match sent.pointer("/spec/finalizers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a.clone(),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Namespace in version \"v1\" cannot be handled as a Namespace: spec.finalizers must be a list of strings, not {other}"
                )));
            }
        };
        let spec = ensure_object(next, "spec");
        if list.is_empty() {
            spec.remove("finalizers");
        } else {
            spec.insert("finalizers".into(), Value::Array(list));
        }
        let writer = ssa::Writer {
            manager: &manager,
            subresource: Some("finalize"),
        };
        ssa::record_update(res, Some(old), next, &writer);
        Ok(())
    };
    let updated = put_onto(ctx, rr, body, take_finalizers, false)?;
    Ok(respond(ctx, rr.res, 200, &updated))
}

/// `dst[field]` set to `src[field]`, or removed when `src` has none.
fn take_field(src: &Value, dst: &mut Value, field: &str) {
    if let Some(o) = dst.as_object_mut() {
        match src.get(field) {
            Some(v) => o.insert(field.into(), v.clone()),
            None => o.remove(field),
        };
    }
}

fn pointer_of(path: &str) -> String {
    path.replace('.', "/")
}

fn scale_of(res: &ResourceDef, obj: &Value) -> Value {
    let Some(paths) = &res.scale else {
        return json!({});
    };
    let meta = obj.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let pick = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    let spec = obj
        .pointer(&pointer_of(paths.spec_replicas))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let status = obj
        .pointer(&pointer_of(paths.status_replicas))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let mut st = json!({"replicas": status});
    if let Some(sel) = paths
        .label_selector
        .and_then(|p| jsonpath::find_first(obj, p))
        .and_then(Value::as_str)
    {
        st["selector"] = json!(sel);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": pick("name"),
            "namespace": pick("namespace"),
            "uid": pick("uid"),
            "resourceVersion": pick("resourceVersion"),
            "creationTimestamp": pick("creationTimestamp"),
        },
        "spec": {"replicas": spec},
        "status": st,
    })
}

fn set_replicas(res: &ResourceDef, obj: &mut Value, scale: &Value) -> Result<(), ApiError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(paths) = &res.scale else {
        return Err(ApiError::not_found(res, &name));
    };
    let replicas = match scale.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_i64().filter(|r| *r >= 0).ok_or_else(|| {
            ApiError::invalid(
                res,
                &name,
                vec![(
                    "spec.replicas",
                    "Invalid value: must be greater than or equal to 0",
                )],
            )
        })?,
    };
    if res.gr == "nodepools.hypershift.openshift.io"
        && obj
            .pointer("/spec/autoScaling")
            .is_some_and(|a| !a.is_null())
    {
        return Err(ApiError::invalid(
            res,
            &name,
            vec![(
                "spec.replicas",
                "Forbidden: only one of nodePool.Spec.Replicas or nodePool.Spec.AutoScaling can be set; the NodePool has autoScaling enabled, change spec.autoScaling.min/max instead",
            )],
        ));
    }
    let ptr = pointer_of(paths.spec_replicas);
    let mut target = &mut *obj;
    for seg in ptr.split('/').filter(|s| !s.is_empty()) {
        if !target.is_object() {
            *target = json!({});
        }
        let Value::Object(m) = target else {
            return Err(ApiError::internal("scale path is not an object"));
        };
        target = m.entry(seg.to_string()).or_insert(Value::Null);
    }
    *target = json!(replicas);
    Ok(())
}

fn write_scale(ctx: &Ctx, rr: &ResRoute, verb: &str, body: &[u8]) -> Result<Resp, ApiError> {
    let res = rr.res;
    let manager = crud::manager_of(ctx);
    // The replicas a scale write sets are owned by its manager, through subresource `scale`.
    let writer = ssa::Writer {
        manager: &manager,
        subresource: Some("scale"),
    };
    let updated = if verb == "update" {
        put_onto(
            ctx,
            rr,
            body,
            |old, sent, next| {
                set_replicas(res, next, sent)?;
                ssa::record_update(res, Some(old), next, &writer);
                Ok(())
            },
            true,
        )?
    } else {
        let pt = PatchType::from_content_type(&http::content_type(&ctx.headers))?;
        let doc = patch::decode(pt, body)?;
        let cur = current(ctx, rr)?;
        let mut scale = scale_of(res, &cur);
        patch::apply(pt, &mut scale, &doc)?;
        let mut next = (*cur).clone();
        set_replicas(res, &mut next, &scale)?;
        ssa::record_update(res, Some(&cur), &mut next, &writer);
        ensure_object(&mut next, "metadata").insert("resourceVersion".into(), json!(rv_of(&cur)));
        ctx.shared.store.update(res, next, true, ctx.opts.dry_run)?
    };
    Ok(http::json(200, &scale_of(res, &updated)))
}

fn is_decision(c: &Value) -> bool {
    matches!(
        c.get("type").and_then(Value::as_str),
        Some("Approved" | "Denied")
    )
}

fn take_approval(
    res: &ResourceDef,
    now: &str,
    cur: &Value,
    sent: &Value,
    next: &mut Value,
) -> Result<(), ApiError> {
    let name = cur
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut conds: Vec<Value> = cur
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| !is_decision(c))
        .cloned()
        .collect();
    let mut decisions: Vec<Value> = sent
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| is_decision(c))
        .cloned()
        .collect();
    let has = |t: &str| {
        decisions
            .iter()
            .any(|c| c.get("type").and_then(Value::as_str) == Some(t))
    };
    if has("Approved") && has("Denied") {
        return Err(ApiError::invalid(
            res,
            name,
            vec![(
                "status.conditions[1].type",
                "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive",
            )],
        ));
    }
    for c in &mut decisions {
        if let Some(o) = c.as_object_mut() {
            o.entry("status").or_insert_with(|| json!("True"));
            o.entry("lastUpdateTime").or_insert_with(|| json!(now));
            o.entry("lastTransitionTime").or_insert_with(|| json!(now));
        }
    }
    conds.extend(decisions);
    ensure_object(next, "status").insert("conditions".into(), Value::Array(conds));
    Ok(())
}

fn write_approval(ctx: &Ctx, rr: &ResRoute, verb: &str, body: &[u8]) -> Result<Resp, ApiError> {
    let res = rr.res;
    let now = ctx.shared.store.clock().now_rfc3339();
    let updated = if verb == "update" {
        put_onto(
            ctx,
            rr,
            body,
            |cur, sent, next| take_approval(res, &now, cur, sent, next),
            false,
        )?
    } else {
        let pt = PatchType::for_resource(rr.res, &http::content_type(&ctx.headers))?;
        let doc = patch::decode(pt, body)?;
        patch_object(
            ctx,
            rr,
            pt,
            &doc,
            |old, patched| {
                let mut next = old.clone();
                take_approval(res, &now, old, &patched, &mut next)?;
                Ok(next)
            },
            false,
        )?
    };
    Ok(respond(ctx, rr.res, 200, &updated))
}

/// `pods/<name>/eviction`: the sim has no disruption budgets, so an eviction deletes the pod.
/// Its DeleteOptions travel in the body; a dry run there (or in the query) deletes nothing.
fn evict(ctx: &Ctx, rr: &ResRoute, body: &[u8]) -> Result<Resp, ApiError> {
    let eviction = http::decode_object(&http::content_type(&ctx.headers), body)?;
    let name = rr.name.as_deref().unwrap_or("");
    if let Some(sent) = eviction.pointer("/metadata/name").and_then(Value::as_str)
        && !sent.is_empty()
        && sent != name
    {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let (body_dry, delete) = match eviction.get("deleteOptions") {
        Some(d) if !d.is_null() => options::delete_opts_from_json(d)?,
        _ => (false, options::DeleteOpts::default()),
    };
    let body_has_dry = eviction
        .pointer("/deleteOptions/dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    // The API server copies the CreateOptions' dryRun into the eviction's DeleteOptions and
    // refuses the two when they disagree.
    if body_has_dry && ctx.opts.dry_run != body_dry && !ctx.query.values("dryRun").is_empty() {
        return Err(ApiError::bad_request(
            "DryRun in DeleteOptions must match the DryRun of the request",
        ));
    }
    let dry_run = ctx.opts.dry_run || body_dry;
    deletion::delete_one(ctx, rr.res, rr.ns.as_deref(), name, dry_run, &delete)?;
    Ok(http::json(
        201,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}
