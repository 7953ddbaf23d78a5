//! Deletes as the API server does them: preconditions (409), dry run, finalizers (the object
//! stays, Terminating, with a deletionTimestamp until they are gone), propagation policies and
//! garbage collection of dependents through ownerReferences, and Namespace termination (its
//! contents are deleted, then the Namespace).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::handler::Ctx;
use super::options::{DeleteOpts, Propagation};
use crate::error::ApiError;
use crate::resources::{self, ResourceDef};
use crate::store::{Store, has_finalizers, holds_finalizers, is_deleting, rv_of};

/// What a delete did.
pub struct Deleted {
    pub object: Value,
    /// False when finalizers keep the object (it is Terminating).
    pub gone: bool,
}

fn precondition_failed(
    res: &ResourceDef,
    name: &str,
    what: &str,
    sent: &str,
    has: &str,
) -> ApiError {
    let mut e = ApiError::new(
        409,
        "Conflict",
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: {what} in precondition: {sent}, {what} in object meta: {has}",
            res.group_resource()
        ),
    );
    e.details = Some(json!({"name": name, "group": res.group, "kind": res.plural}));
    e
}

/// Delete one object honouring `opts`.
pub fn delete_one(
    ctx: &Ctx,
    res: &'static ResourceDef,
    ns: Option<&str>,
    name: &str,
    dry_run: bool,
    opts: &DeleteOpts,
) -> Result<Deleted, ApiError> {
    let store = &ctx.shared.store;
    let current = store
        .get(res, ns, name)
        .ok_or_else(|| ApiError::not_found(res, name))?;
    let uid = current
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(want) = &opts.uid
        && want != uid
    {
        return Err(precondition_failed(res, name, "UID", want, uid));
    }
    if let Some(want) = &opts.resource_version
        && want != rv_of(&current)
    {
        return Err(precondition_failed(
            res,
            name,
            "ResourceVersion",
            want,
            rv_of(&current),
        ));
    }
    let namespace = res.plural == "namespaces";
    let propagation = opts.propagation.unwrap_or(Propagation::Background);
    let finalizer = match propagation {
        Propagation::Foreground if has_dependents(store, uid) => Some("foregroundDeletion"),
        _ => None,
    };
    if dry_run {
        let gone = !has_finalizers(&current) && finalizer.is_none() && !namespace;
        let mut object = (*current).clone();
        if !gone {
            // What the real delete would answer: the object as marked, not stored.
            let meta = crate::store::ensure_object(&mut object, "metadata");
            if !meta.contains_key("deletionTimestamp") {
                meta.insert(
                    "deletionTimestamp".into(),
                    serde_json::json!(store.clock().now_rfc3339()),
                );
                meta.insert("deletionGracePeriodSeconds".into(), serde_json::json!(0));
            }
        }
        return Ok(Deleted { object, gone });
    }
    if propagation == Propagation::Orphan {
        orphan(store, uid);
    }
    if namespace {
        let object = store.mark_deleting(res, None, name, None, Some("Terminating"))?;
        spawn_namespace_cleanup(
            ctx.shared.store.clone(),
            ctx.shared.shutdown.clone(),
            name.to_string(),
        );
        return Ok(Deleted {
            object,
            gone: false,
        });
    }
    if has_finalizers(&current) || finalizer.is_some() || is_deleting(&current) {
        let object = store.mark_deleting(res, ns, name, finalizer, None)?;
        if finalizer.is_some() {
            // Foreground: the dependents go first; the garbage collector then drops the
            // finalizer, and the owner goes with it.
            collect(store, uid);
            let _ = store.mutate_retry(res, ns, name, false, |o| {
                if let Some(list) = o
                    .pointer_mut("/metadata/finalizers")
                    .and_then(Value::as_array_mut)
                {
                    list.retain(|f| f.as_str() != Some("foregroundDeletion"));
                }
                Ok(())
            });
            let gone = store.get(res, ns, name).is_none();
            return Ok(Deleted { object, gone });
        }
        return Ok(Deleted {
            object,
            gone: false,
        });
    }
    let object = store.delete(res, ns, name, false)?;
    if propagation == Propagation::Background {
        collect(store, uid);
    }
    Ok(Deleted { object, gone: true })
}

/// Every stored object that names `uid` among its ownerReferences.
fn dependents(store: &Store, uid: &str) -> Vec<(&'static ResourceDef, Arc<Value>)> {
    let mut out = Vec::new();
    if uid.is_empty() {
        return out;
    }
    for res in resources::RESOURCES.iter().filter(|r| !r.is_virtual()) {
        let (items, _) = store.list(res, None);
        for o in items {
            let owned = o
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(uid)));
            if owned {
                out.push((res, o));
            }
        }
    }
    out
}

fn has_dependents(store: &Store, uid: &str) -> bool {
    !dependents(store, uid).is_empty()
}

fn key(o: &Value) -> (Option<String>, String) {
    (
        o.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_string),
        o.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    )
}

fn drop_owner(store: &Store, res: &ResourceDef, o: &Value, uid: &str) {
    let (ns, name) = key(o);
    let _ = store.mutate_retry(res, ns.as_deref(), &name, false, |obj| {
        if let Some(refs) = obj
            .pointer_mut("/metadata/ownerReferences")
            .and_then(Value::as_array_mut)
        {
            refs.retain(|r| r["uid"].as_str() != Some(uid));
        }
        Ok(())
    });
}

/// Orphan: dependents lose their reference to the owner and stay.
fn orphan(store: &Store, uid: &str) {
    for (res, o) in dependents(store, uid) {
        drop_owner(store, res, &o, uid);
    }
}

fn uid_exists(store: &Store, uid: &str) -> bool {
    resources::RESOURCES
        .iter()
        .filter(|r| !r.is_virtual())
        .any(|res| {
            store
                .list(res, None)
                .0
                .iter()
                .any(|o| o.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid))
        })
}

/// The garbage collector's pass for a deleted owner: dependents with no other live owner are
/// deleted (their own dependents after them); the others only lose the dangling reference.
pub fn collect(store: &Store, uid: &str) {
    for (res, o) in dependents(store, uid) {
        let others_alive = o
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r["uid"].as_str())
            .filter(|u| *u != uid)
            .any(|u| uid_exists(store, u));
        if others_alive {
            drop_owner(store, res, &o, uid);
            continue;
        }
        let (ns, name) = key(&o);
        let dep_uid = o
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if has_finalizers(&o) {
            let _ = store.mark_deleting(res, ns.as_deref(), &name, None, None);
        } else if store.delete(res, ns.as_deref(), &name, false).is_ok() {
            collect(store, &dep_uid);
        }
    }
}

/// The namespace controller: delete everything in the namespace (objects with finalizers wait
/// for them), then drop the Namespace's `kubernetes` finalizer. It goes once `spec.finalizers`
/// and `metadata.finalizers` are both empty; other `spec.finalizers` belong to other controllers,
/// which remove them through the `finalize` subresource.
fn spawn_namespace_cleanup(
    store: Arc<Store>,
    shutdown: tokio_util::sync::CancellationToken,
    ns: String,
) {
    tokio::spawn(async move {
        loop {
            let mut left = 0;
            for res in resources::RESOURCES
                .iter()
                .filter(|r| !r.is_virtual())
                .filter(|r| r.namespaced)
            {
                let (items, _) = store.list(res, Some(&ns));
                for o in items {
                    left += 1;
                    let (_, name) = key(&o);
                    let uid = o
                        .pointer("/metadata/uid")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if has_finalizers(&o) {
                        let _ = store.mark_deleting(res, Some(&ns), &name, None, None);
                    } else if store.delete(res, Some(&ns), &name, false).is_ok() {
                        collect(&store, &uid);
                    }
                }
            }
            if left == 0 {
                let nsres = resources::by_key("namespaces");
                let holds_kubernetes = store.get(nsres, None, &ns).is_some_and(|o| {
                    o.pointer("/spec/finalizers")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|f| f == "kubernetes"))
                });
                let _ = holds_kubernetes
                    && store
                        .mutate_retry(nsres, None, &ns, false, |o| {
                            if let Some(list) = o
                                .pointer_mut("/spec/finalizers")
                                .and_then(Value::as_array_mut)
                            {
                                list.retain(|f| f.as_str() != Some("kubernetes"));
                            }
                            Ok(())
                        })
                        .is_ok();
                // With no finalizers left, the Namespace goes.
                let gone = match store.get(nsres, None, &ns) {
                    None => true,
                    Some(o) if !holds_finalizers(nsres, &o) => {
                        store.delete(nsres, None, &ns, false).is_ok()
                    }
                    Some(_) => false,
                };
                if gone {
                    return;
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    });
}

/// Whether creating in namespace `ns` is refused because it is terminating.
pub fn namespace_terminating(store: &Store, ns: &str) -> bool {
    store
        .get(resources::by_key("namespaces"), None, ns)
        .is_some_and(|o| is_deleting(&o))
}
