//! The plain verbs: get, list (selectors, pagination), create, update, patch (incl. server-side
//! apply), delete and deletecollection.

use serde_json::Value;

use super::format::{self, Format};
use super::handler::Ctx;
use super::http::{self, Resp};
use super::patch::{self, PatchType};
use super::route::ResRoute;
use super::select::Selector;
use super::ssa::{self, Writer};
use super::{auth, deletion, paging, validate};
use crate::error::ApiError;
use crate::resources::ResourceDef;
use crate::store::{ensure_object, rv_of};

fn name_of(rr: &ResRoute) -> &str {
    rr.name.as_deref().unwrap_or("")
}

/// The field manager of a write: `fieldManager`, else the client's User-Agent up to its first
/// `/`, as the API server defaults it.
pub(crate) fn manager_of(ctx: &Ctx) -> String {
    if let Some(m) = ctx.query.get("fieldManager") {
        return m.to_string();
    }
    ctx.headers
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(|ua| ua.split('/').next())
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

/// A fieldManager the API server refuses: longer than 128 characters or not printable.
fn check_manager(ctx: &Ctx) -> Result<(), ApiError> {
    match ctx.query.get("fieldManager") {
        Some(m) if m.len() > 128 || m.chars().any(char::is_control) => Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "fieldManager: Invalid value: {m:?}: must be at most 128 characters and printable"
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn respond(ctx: &Ctx, res: &ResourceDef, code: u16, obj: &Value) -> Resp {
    let rv = rv_of(obj).parse().unwrap_or(0);
    http::json(code, &format::render_one(res, obj, ctx.format, rv))
}

pub(crate) fn get(ctx: &Ctx, rr: &ResRoute) -> Result<Resp, ApiError> {
    let obj = ctx
        .shared
        .store
        .get(rr.res, rr.ns.as_deref(), name_of(rr))
        .ok_or_else(|| ApiError::not_found(rr.res, name_of(rr)))?;
    Ok(respond(ctx, rr.res, 200, &obj))
}

fn key_of(o: &Value) -> (&str, &str) {
    (
        o.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(""),
        o.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )
}

pub(crate) fn list(ctx: &Ctx, rr: &ResRoute) -> Result<Resp, ApiError> {
    let q = &ctx.query;
    let sel = Selector::parse(rr.res, q.get("labelSelector"), q.get("fieldSelector"))?;
    let limit = q.u64("limit")?.filter(|l| *l > 0).map(|l| l as usize);
    let at = paging::list_at(q)?;
    let token = q.get("continue").map(paging::decode).transpose()?;
    let store = &ctx.shared.store;
    let (items, rv, snapshot) = match &token {
        Some(t) => match t.snapshot {
            Some(id) => match ctx.shared.snapshots.get(id) {
                Some(items) => (items, t.rv, Some(id)),
                None => return Err(paging::continue_expired(t)),
            },
            // The inconsistent token of an expired snapshot reads the live state.
            None => {
                let (items, rv) = store.list(rr.res, rr.ns.as_deref());
                (std::sync::Arc::new(items), rv, None)
            }
        },
        None => {
            let (items, current) = store.list(rr.res, rr.ns.as_deref());
            match at {
                paging::ListAt::Latest => (std::sync::Arc::new(items), current, None),
                paging::ListAt::NotOlderThan(n) | paging::ListAt::Exact(n) if n > current => {
                    return Err(paging::too_large(n, current));
                }
                paging::ListAt::NotOlderThan(_) => (std::sync::Arc::new(items), current, None),
                paging::ListAt::Exact(n) if n == current => {
                    (std::sync::Arc::new(items), current, None)
                }
                paging::ListAt::Exact(n) => match store.list_at(rr.res, rr.ns.as_deref(), n) {
                    Some(items) => (std::sync::Arc::new(items), n, None),
                    None => {
                        return Err(ApiError::expired(
                            "The resourceVersion for the provided list is too old.",
                        ));
                    }
                },
            }
        }
    };
    let after = token.as_ref().map(|t| (t.ns.as_str(), t.name.as_str()));
    let mut matching = items
        .iter()
        .map(|a| a.as_ref())
        .filter(|o| after.is_none_or(|a| key_of(o) > a) && (sel.is_empty() || sel.matches(o)));
    let page: Vec<&Value> = match limit {
        Some(l) => matching.by_ref().take(l).collect(),
        None => matching.by_ref().collect(),
    };
    let rest = matching.count();
    let cont = match (rest, page.last()) {
        (n, Some(last)) if n > 0 => {
            // The next page reads the same snapshot this one was cut from.
            let id = snapshot.unwrap_or_else(|| ctx.shared.snapshots.keep(items.clone()));
            let (ns, name) = key_of(last);
            Some(paging::encode(rv, ns, name, Some(id)))
        }
        _ => None,
    };
    // The count is only known without selectors: the server leaves it out with them.
    let remaining = sel.is_empty().then_some(rest);
    let body = format::render_list(rr.res, &page, ctx.format, rv, cont.as_deref(), remaining);
    Ok(http::json_bytes(200, body))
}

/// A Namespace being deleted takes no new objects (403, as the lifecycle admission says).
fn refuse_in_terminating(ctx: &Ctx, rr: &ResRoute) -> Result<(), ApiError> {
    match rr.ns.as_deref() {
        Some(ns) if deletion::namespace_terminating(&ctx.shared.store, ns) => {
            let mut e = ApiError::new(
                403,
                "Forbidden",
                format!(
                    "{} is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    rr.res.plural
                ),
            );
            e.details = Some(
                serde_json::json!({"kind": rr.res.plural, "group": rr.res.group,
                "causes": [{"reason": "NamespaceTerminating", "message": format!("namespace {ns} is being terminated"), "field": "metadata.namespace"}]}),
            );
            Err(e)
        }
        _ => Ok(()),
    }
}

pub(crate) fn create(ctx: &Ctx, rr: &ResRoute, body: &[u8]) -> Result<Resp, ApiError> {
    let ct = http::content_type(&ctx.headers);
    let mut obj = http::decode_object(&ct, body)?;
    if rr.res.is_virtual() && rr.res.plural == "selfsubjectreviews" {
        return Ok(http::json(201, &auth::self_subject_review(ctx.user, obj)));
    }
    if rr.res.is_virtual() && rr.res.plural == "selfsubjectrulesreviews" {
        let review = auth::self_subject_rules_review(ctx.user, ctx.shared.opts.profile, obj);
        return Ok(http::json(201, &review));
    }
    if rr.res.is_virtual() {
        let review = auth::self_subject_access_review(
            ctx.user,
            &ctx.shared.opts.faults,
            ctx.shared.opts.profile,
            obj,
        );
        return Ok(http::json(201, &review));
    }
    if rr.res.namespaced && rr.ns.is_none() {
        return Err(ApiError::method_not_allowed(format!(
            "{} are namespaced: create them in a namespace",
            rr.res.plural
        )));
    }
    validate::check_identity(rr.res, rr.ns.as_deref(), &mut obj)?;
    validate::admit(ctx, rr.res, &mut obj, None)?;
    refuse_in_terminating(ctx, rr)?;
    check_manager(ctx)?;
    let manager = manager_of(ctx);
    ssa::record_update(
        rr.res,
        None,
        &mut obj,
        &Writer {
            manager: &manager,
            subresource: None,
        },
    );
    let created = ctx.shared.store.create(rr.res, obj, ctx.opts.dry_run)?;
    Ok(respond(ctx, rr.res, 201, &created))
}

/// The stored `.status` wins over the client's on main-resource writes of kinds with a status
/// subresource, as on a real server.
fn keep_status(res: &ResourceDef, old: &Value, new: &mut Value) {
    if !res.has_subresource("status") {
        return;
    }
    if let Some(o) = new.as_object_mut() {
        match old.get("status") {
            Some(s) => {
                o.insert("status".into(), s.clone());
            }
            None => {
                o.remove("status");
            }
        }
    }
}

pub(crate) fn update(ctx: &Ctx, rr: &ResRoute, body: &[u8]) -> Result<Resp, ApiError> {
    let ct = http::content_type(&ctx.headers);
    let mut obj = http::decode_object(&ct, body)?;
    validate::check_identity(rr.res, rr.ns.as_deref(), &mut obj)?;
    let name = name_of(rr);
    let meta = ensure_object(&mut obj, "metadata");
    match meta.get("name").and_then(Value::as_str) {
        None | Some("") => {
            meta.insert("name".into(), Value::String(name.to_string()));
        }
        Some(n) if n != name => {
            return Err(ApiError::bad_request(
                "the name of the object does not match the name on the URL",
            ));
        }
        Some(_) => {}
    }
    let old = ctx
        .shared
        .store
        .get(rr.res, rr.ns.as_deref(), name)
        .ok_or_else(|| ApiError::not_found(rr.res, name))?;
    keep_status(rr.res, &old, &mut obj);
    validate::admit(ctx, rr.res, &mut obj, Some(&old))?;
    check_manager(ctx)?;
    let manager = manager_of(ctx);
    ssa::record_update(
        rr.res,
        Some(&old),
        &mut obj,
        &Writer {
            manager: &manager,
            subresource: None,
        },
    );
    let updated = ctx
        .shared
        .store
        .update(rr.res, obj, true, ctx.opts.dry_run)?;
    Ok(respond(ctx, rr.res, 200, &updated))
}

/// Apply `patch` to the stored object, keeping identity, and write it back. Retries when a
/// concurrent writer got in between, unless the patch itself pinned a resourceVersion.
pub(crate) fn patch_object(
    ctx: &Ctx,
    rr: &ResRoute,
    pt: PatchType,
    patch_doc: &Value,
    transform: impl Fn(&Value, Value) -> Result<Value, ApiError>,
    bump_generation: bool,
) -> Result<Value, ApiError> {
    let name = name_of(rr);
    let pinned = patch_doc.pointer("/metadata/resourceVersion").is_some();
    let mut last = None;
    for _ in 0..5 {
        let current = ctx
            .shared
            .store
            .get(rr.res, rr.ns.as_deref(), name)
            .ok_or_else(|| ApiError::not_found(rr.res, name))?;
        let mut doc = (*current).clone();
        patch::apply(pt, &mut doc, patch_doc)?;
        let mut next = transform(&current, doc)?;
        {
            let meta = ensure_object(&mut next, "metadata");
            meta.insert("name".into(), Value::String(name.to_string()));
            if let Some(ns) = &rr.ns {
                meta.insert("namespace".into(), Value::String(ns.clone()));
            }
            if !pinned {
                meta.insert(
                    "resourceVersion".into(),
                    Value::String(rv_of(&current).to_string()),
                );
            }
        }
        if pt == PatchType::Apply && next == *current {
            // A no-op apply is not written: same resourceVersion, no watch event.
            return Ok((*current).clone());
        }
        match ctx
            .shared
            .store
            .update(rr.res, next, bump_generation, ctx.opts.dry_run)
        {
            Err(e) if e.code == 409 && !pinned => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| ApiError::conflict(rr.res, name)))
}

/// `force` of a patch (apply patches only), and the fieldManager an apply patch requires.
pub(crate) fn force_of(ctx: &Ctx, pt: PatchType) -> Result<bool, ApiError> {
    if pt == PatchType::Apply && ctx.query.get("fieldManager").is_none() {
        return Err(ApiError::new(
            422,
            "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
    match ctx.query.get("force") {
        None | Some("false") => Ok(false),
        Some("true") if pt == PatchType::Apply => Ok(true),
        Some("true") => Err(ApiError::bad_request(
            "force: Forbidden: may not be specified for non-apply patch",
        )),
        Some(other) => Err(ApiError::bad_request(format!(
            "force: Invalid value: {other:?}: must be true or false"
        ))),
    }
}

pub(crate) fn patch(ctx: &Ctx, rr: &ResRoute, body: &[u8]) -> Result<Resp, ApiError> {
    let pt = PatchType::for_resource(rr.res, &http::content_type(&ctx.headers))?;
    let patch_doc = patch::decode(pt, body)?;
    let name = name_of(rr);
    check_manager(ctx)?;
    let manager = manager_of(ctx);
    let writer = Writer {
        manager: &manager,
        subresource: None,
    };
    let force = force_of(ctx, pt)?;
    if pt == PatchType::Apply {
        let exists = ctx
            .shared
            .store
            .get(rr.res, rr.ns.as_deref(), name)
            .is_some();
        if !exists {
            let mut obj = patch_doc;
            validate::check_identity(rr.res, rr.ns.as_deref(), &mut obj)?;
            let meta = ensure_object(&mut obj, "metadata");
            if meta.get("name").and_then(Value::as_str) != Some(name) {
                return Err(ApiError::bad_request(
                    "the name of the object does not match the name on the URL",
                ));
            }
            meta.remove("resourceVersion");
            let mut obj = ssa::apply(rr.res, None, &obj, &writer, force)?;
            validate::admit(ctx, rr.res, &mut obj, None)?;
            refuse_in_terminating(ctx, rr)?;
            let created = ctx.shared.store.create(rr.res, obj, ctx.opts.dry_run)?;
            return Ok(respond(ctx, rr.res, 201, &created));
        }
        let mut check = patch_doc.clone();
        validate::check_identity(rr.res, rr.ns.as_deref(), &mut check)?;
    }
    let res = rr.res;
    let updated = patch_object(
        ctx,
        rr,
        pt,
        &patch_doc,
        |old, mut new| {
            if pt == PatchType::Apply {
                // Server-side apply merges by the schema, not by the strategic patch.
                new = ssa::apply(res, Some(old), &patch_doc, &writer, force)?;
            }
            keep_status(res, old, &mut new);
            validate::admit(ctx, res, &mut new, Some(old))?;
            if pt != PatchType::Apply {
                ssa::record_update(res, Some(old), &mut new, &writer);
            }
            Ok(new)
        },
        true,
    )?;
    Ok(respond(ctx, rr.res, 200, &updated))
}

pub(crate) fn delete(ctx: &Ctx, rr: &ResRoute) -> Result<Resp, ApiError> {
    let d = deletion::delete_one(
        ctx,
        rr.res,
        rr.ns.as_deref(),
        name_of(rr),
        ctx.opts.dry_run,
        &ctx.opts.delete,
    )?;
    if !d.gone {
        // Finalizers keep it: 202 with the Terminating object.
        return Ok(respond(ctx, rr.res, 202, &d.object));
    }
    if rr.res.crd {
        // The custom resource handler answers a finished delete with a Status, not the object.
        let uid = d
            .object
            .pointer("/metadata/uid")
            .cloned()
            .unwrap_or(Value::Null);
        return Ok(http::json(
            200,
            &serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Success",
                "details": {"name": name_of(rr), "group": rr.res.group, "kind": rr.res.plural, "uid": uid}}),
        ));
    }
    Ok(respond(ctx, rr.res, 200, &d.object))
}

pub(crate) fn delete_collection(ctx: &Ctx, rr: &ResRoute) -> Result<Resp, ApiError> {
    let q = &ctx.query;
    let sel = Selector::parse(rr.res, q.get("labelSelector"), q.get("fieldSelector"))?;
    let (items, _) = ctx.shared.store.list(rr.res, rr.ns.as_deref());
    let mut deleted = Vec::new();
    for o in items.iter().filter(|o| sel.matches(o)) {
        let (ns, name) = key_of(o);
        let ns = (!ns.is_empty()).then_some(ns);
        match deletion::delete_one(ctx, rr.res, ns, name, ctx.opts.dry_run, &ctx.opts.delete) {
            Ok(d) => deleted.push(d.object),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let refs: Vec<&Value> = deleted.iter().collect();
    let rv = ctx.shared.store.current_rv();
    let body = format::render_list(rr.res, &refs, Format::Object, rv, None, None);
    Ok(http::json_bytes(200, body))
}
