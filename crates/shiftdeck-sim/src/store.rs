//! The simulated cluster's object store: every object of every kind as JSON, one global
//! resourceVersion, and a bounded event history that watches resume from.
//!
//! Everything that changes cluster state (HTTP handlers and the scenario controllers alike) goes
//! through this type so that watchers see every change exactly once and in order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::error::ApiError;
use super::resources::ResourceDef;
use super::strategy;

/// Watch event types as they appear on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as kept in the history and sent to live watchers.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub rv: u64,
    /// `ResourceDef::key()` of the kind this object belongs to.
    pub resource: &'static str,
    pub namespace: Option<String>,
    pub kind: EventType,
    pub object: Arc<Value>,
}

/// What `watch_from` hands a new watch: the backlog to replay, the live feed, and the current rv.
pub type WatchStart = (
    Vec<Arc<StoredEvent>>,
    broadcast::Receiver<Arc<StoredEvent>>,
    u64,
);

/// A watch that cannot be resumed because its resourceVersion fell out of the history.
#[derive(Debug, PartialEq, Eq)]
pub struct Expired {
    pub oldest: u64,
}

type ObjKey = (String, String); // (namespace or "", name)

struct Inner {
    rv: u64,
    objects: HashMap<&'static str, BTreeMap<ObjKey, Arc<Value>>>,
    history: VecDeque<Arc<StoredEvent>>,
    /// Lowest rv a watch may resume from; raised when history is trimmed or expired on purpose.
    oldest_resumable: u64,
    uid_counter: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<Arc<StoredEvent>>,
    history_cap: usize,
    clock: super::clock::SimClock,
}

pub const DEFAULT_HISTORY: usize = 50_000;

impl Store {
    pub fn new(clock: super::clock::SimClock, history_cap: usize) -> Self {
        let (events, _) = broadcast::channel(history_cap.clamp(1024, 200_000));
        Store {
            inner: Mutex::new(Inner {
                rv: 1000,
                objects: HashMap::new(),
                history: VecDeque::new(),
                oldest_resumable: 1000,
                uid_counter: 0,
            }),
            events,
            history_cap,
            clock,
        }
    }

    pub fn clock(&self) -> &super::clock::SimClock {
        &self.clock
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock must not take the whole sim down with poison errors.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current global resourceVersion.
    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, res: &ResourceDef, ns: Option<&str>, name: &str) -> Option<Arc<Value>> {
        let g = self.lock();
        g.objects
            .get(res.key())
            .and_then(|m| m.get(&(ns.unwrap_or("").to_string(), name.to_string())))
            .cloned()
    }

    /// All objects of a kind (in one namespace when `ns` is set), sorted by namespace then name,
    /// and the resourceVersion the list is consistent at.
    pub fn list(&self, res: &ResourceDef, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let g = self.lock();
        let items = match g.objects.get(res.key()) {
            None => Vec::new(),
            Some(m) => match ns {
                None => m.values().cloned().collect(),
                Some(ns) => m
                    .range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(_, v)| v.clone())
                    .collect(),
            },
        };
        (items, g.rv)
    }

    /// The objects of a kind as they were at `rv`, rebuilt from the event history; None when
    /// the history no longer reaches back that far for every object changed since.
    pub fn list_at(&self, res: &ResourceDef, ns: Option<&str>, rv: u64) -> Option<Vec<Arc<Value>>> {
        let g = self.lock();
        if rv < g.oldest_resumable || rv > g.rv {
            return None;
        }
        let mut state: BTreeMap<ObjKey, Arc<Value>> =
            g.objects.get(res.key()).cloned().unwrap_or_default();
        let split = g.history.partition_point(|e| e.rv <= rv);
        let key_of = |o: &Value| -> ObjKey {
            let s = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            (s("/metadata/namespace"), s("/metadata/name"))
        };
        let mut touched: Vec<(ObjKey, EventType)> = Vec::new();
        for ev in g
            .history
            .iter()
            .skip(split)
            .filter(|e| e.resource == res.key())
        {
            let k = key_of(&ev.object);
            if !touched.iter().any(|(t, _)| *t == k) {
                touched.push((k, ev.kind));
            }
        }
        for (k, first_after) in touched {
            let before = g
                .history
                .iter()
                .take(split)
                .rev()
                .filter(|e| e.resource == res.key())
                .find(|e| key_of(&e.object) == k);
            match (before, first_after) {
                (Some(e), _) if e.kind == EventType::Deleted => {
                    state.remove(&k);
                }
                (Some(e), _) => {
                    state.insert(k, e.object.clone());
                }
                (None, EventType::Added) => {
                    state.remove(&k);
                }
                // Changed since, and its state at `rv` is older than the history.
                (None, _) => return None,
            }
        }
        Some(
            state
                .into_iter()
                .filter(|((n, _), _)| ns.is_none_or(|ns| n == ns))
                .map(|(_, v)| v)
                .collect(),
        )
    }

    pub fn count(&self, res: &ResourceDef) -> usize {
        self.lock().objects.get(res.key()).map_or(0, |m| m.len())
    }

    /// Create an object. Fills uid, creationTimestamp, resourceVersion, generation (for kinds that
    /// have one) and a name from `generateName`, and applies the kind's create strategy. With `dry_run` nothing is stored and no event is sent.
    pub fn create(&self, res: &ResourceDef, obj: Value, dry_run: bool) -> Result<Value, ApiError> {
        self.create_inner(res, obj, dry_run, None)
    }

    /// Seeding helper: `create` with a given `creationTimestamp`, for scenario objects that
    /// pretend to be old. Not reachable from clients.
    pub fn create_backdated(
        &self,
        res: &ResourceDef,
        obj: Value,
        created: &str,
    ) -> Result<Value, ApiError> {
        self.create_inner(res, obj, false, Some(created))
    }

    fn create_inner(
        &self,
        res: &ResourceDef,
        mut obj: Value,
        dry_run: bool,
        created: Option<&str>,
    ) -> Result<Value, ApiError> {
        let mut g = self.lock();
        let ns = namespace_of(res, &obj)?;
        let name = match obj.pointer("/metadata/name").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => match obj
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
            {
                Some(prefix) if !prefix.is_empty() => {
                    g.uid_counter += 1;
                    format!("{prefix}{}", short_suffix(g.uid_counter))
                }
                _ => {
                    return Err(ApiError::invalid(
                        res,
                        "",
                        vec![(
                            "metadata.name",
                            "Required value: name or generateName is required",
                        )],
                    ));
                }
            },
        };
        validate_name(res, &name)?;
        let key = (ns.clone().unwrap_or_default(), name.clone());
        if g.objects
            .get(res.key())
            .is_some_and(|m| m.contains_key(&key))
        {
            return Err(ApiError::already_exists(res, &name));
        }
        if let Some(ns) = &ns
            && res.plural != "namespaces"
            && !namespace_exists(&g, ns)
        {
            return Err(ApiError::not_found_namespace(ns));
        }
        g.uid_counter += 1;
        let uid = uid_from(g.uid_counter);
        let now = created.map_or_else(|| self.clock.now_rfc3339(), str::to_string);
        {
            let meta = ensure_object(&mut obj, "metadata");
            meta.insert("name".into(), json!(name));
            if let Some(ns) = &ns {
                meta.insert("namespace".into(), json!(ns));
            }
            meta.insert("uid".into(), json!(uid));
            meta.insert("creationTimestamp".into(), json!(now));
            if strategy::has_generation(res) {
                meta.insert("generation".into(), json!(1));
            }
            meta.remove("resourceVersion");
            meta.remove("deletionTimestamp");
        }
        strategy::prepare_create(res, &mut obj);
        set_type_meta(res, &mut obj);
        if dry_run {
            set_rv(&mut obj, g.rv);
            return Ok(obj);
        }
        g.rv += 1;
        let rv = g.rv;
        set_rv(&mut obj, rv);
        let stored = Arc::new(obj.clone());
        g.objects
            .entry(res.key())
            .or_default()
            .insert(key, stored.clone());
        self.record(&mut g, res, ns, EventType::Added, stored, rv);
        Ok(obj)
    }

    /// Replace an object. When the body carries a resourceVersion that is not the current one the
    /// update fails with 409 Conflict, as a real API server does. `bump_generation` is false for
    /// status/subresource writes.
    pub fn update(
        &self,
        res: &ResourceDef,
        mut obj: Value,
        bump_generation: bool,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let mut g = self.lock();
        let ns = namespace_of(res, &obj)?;
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let key = (ns.clone().unwrap_or_default(), name.clone());
        let Some(old) = g.objects.get(res.key()).and_then(|m| m.get(&key)).cloned() else {
            return Err(ApiError::not_found(res, &name));
        };
        if let Some(sent) = obj
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            && !sent.is_empty()
            && sent != rv_of(&old)
        {
            return Err(ApiError::conflict(res, &name));
        }
        // A uid in the body is a precondition (DefaultUpdatedObjectInfo.Preconditions): the write
        // is for that incarnation only, never for an object re-created under the same name.
        let stored_uid = old
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(sent) = obj.pointer("/metadata/uid").and_then(Value::as_str)
            && !sent.is_empty()
            && sent != stored_uid
        {
            return Err(ApiError::uid_precondition(res, &name, sent, stored_uid));
        }
        // Immutable metadata comes from the stored object, whatever the client sent; a
        // deletionTimestamp is set by a delete only.
        for field in [
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            let meta = ensure_object(&mut obj, "metadata");
            match old.pointer(&format!("/metadata/{field}")) {
                Some(v) => {
                    meta.insert(field.into(), v.clone());
                }
                None => {
                    meta.remove(field);
                }
            }
        }
        if is_deleting(&old) && !holds_finalizers(res, &obj) && !dry_run {
            // The last finalizer is gone: the object goes now, as on a real server.
            if let Some(m) = g.objects.get_mut(res.key()) {
                m.remove(&key);
            }
            g.rv += 1;
            let rv = g.rv;
            set_rv(&mut obj, rv);
            let stored = Arc::new(obj.clone());
            self.record(&mut g, res, ns, EventType::Deleted, stored, rv);
            return Ok(obj);
        }
        set_type_meta(res, &mut obj);
        strategy::default(res, &mut obj);
        let spec_changed = old.get("spec") != obj.get("spec");
        if bump_generation && spec_changed && strategy::has_generation(res) {
            let gen_ = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            ensure_object(&mut obj, "metadata").insert("generation".into(), json!(gen_ + 1));
        }
        if dry_run {
            set_rv(&mut obj, g.rv);
            return Ok(obj);
        }
        // A no-op write keeps its resourceVersion and sends no event, like the real server.
        let mut cmp = obj.clone();
        set_rv(&mut cmp, rv_of(&old).parse().unwrap_or(0));
        if cmp == *old {
            return Ok(cmp);
        }
        g.rv += 1;
        let rv = g.rv;
        set_rv(&mut obj, rv);
        let stored = Arc::new(obj.clone());
        g.objects
            .entry(res.key())
            .or_default()
            .insert(key, stored.clone());
        self.record(&mut g, res, ns, EventType::Modified, stored, rv);
        Ok(obj)
    }

    /// Read-modify-write under the store lock, for controllers and patch handlers. The closure
    /// gets the current object and may change it; returning an error aborts the write.
    pub fn mutate(
        &self,
        res: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        bump_generation: bool,
        f: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        // Optimistic concurrency: update() rejects the write if someone changed it meanwhile.
        let current = self
            .get(res, ns, name)
            .ok_or_else(|| ApiError::not_found(res, name))?;
        let mut obj = (*current).clone();
        f(&mut obj)?;
        // Pin the rv we read so a concurrent writer makes this fail instead of being lost.
        set_rv(&mut obj, rv_of(&current).parse().unwrap_or(0));
        self.update(res, obj, bump_generation, false)
    }

    /// Like `mutate`, retrying on conflict: for controllers that must not lose a write.
    pub fn mutate_retry(
        &self,
        res: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        bump_generation: bool,
        f: impl Fn(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut last = None;
        for _ in 0..10 {
            match self.mutate(res, ns, name, bump_generation, &f) {
                Err(e) if e.code == 409 => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| ApiError::conflict(res, name)))
    }

    /// Start a graceful delete: set `deletionTimestamp` (once), add `finalizer` when given and
    /// set `status.phase` when given (a Namespace's Terminating). The object stays until its
    /// finalizers are removed.
    pub fn mark_deleting(
        &self,
        res: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        finalizer: Option<&str>,
        phase: Option<&str>,
    ) -> Result<Value, ApiError> {
        let mut g = self.lock();
        let key = (ns.unwrap_or("").to_string(), name.to_string());
        let Some(old) = g.objects.get(res.key()).and_then(|m| m.get(&key)).cloned() else {
            return Err(ApiError::not_found(res, name));
        };
        let mut obj = (*old).clone();
        let meta = ensure_object(&mut obj, "metadata");
        if !meta.contains_key("deletionTimestamp") {
            meta.insert("deletionTimestamp".into(), json!(self.clock.now_rfc3339()));
            meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        }
        if let Some(f) = finalizer {
            let list = meta.entry("finalizers").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut()
                && !a.iter().any(|x| x.as_str() == Some(f))
            {
                a.push(json!(f));
            }
        }
        if let Some(p) = phase {
            ensure_object(&mut obj, "status").insert("phase".into(), json!(p));
        }
        if obj == *old {
            return Ok(obj);
        }
        g.rv += 1;
        let rv = g.rv;
        set_rv(&mut obj, rv);
        let stored = Arc::new(obj.clone());
        g.objects
            .entry(res.key())
            .or_default()
            .insert(key, stored.clone());
        self.record(
            &mut g,
            res,
            ns.map(str::to_string),
            EventType::Modified,
            stored,
            rv,
        );
        Ok(obj)
    }

    pub fn delete(
        &self,
        res: &ResourceDef,
        ns: Option<&str>,
        name: &str,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let mut g = self.lock();
        let key = (ns.unwrap_or("").to_string(), name.to_string());
        let Some(old) = g.objects.get(res.key()).and_then(|m| m.get(&key)).cloned() else {
            return Err(ApiError::not_found(res, name));
        };
        if dry_run {
            return Ok((*old).clone());
        }
        if let Some(m) = g.objects.get_mut(res.key()) {
            m.remove(&key);
        }
        g.rv += 1;
        let rv = g.rv;
        let mut obj = (*old).clone();
        set_rv(&mut obj, rv);
        let stored = Arc::new(obj.clone());
        self.record(
            &mut g,
            res,
            ns.map(str::to_string),
            EventType::Deleted,
            stored,
            rv,
        );
        Ok(obj)
    }

    /// Seeding helper: rewrite an object's `creationTimestamp` in place, without a new
    /// resourceVersion or event (the history entry that added it is rewritten too), so scenarios
    /// can seed objects that look old. Not for use once clients are connected.
    pub fn backdate(&self, res: &ResourceDef, ns: Option<&str>, name: &str, created: &str) {
        let mut g = self.lock();
        let key = (ns.unwrap_or("").to_string(), name.to_string());
        let Some(old) = g.objects.get(res.key()).and_then(|m| m.get(&key)).cloned() else {
            return;
        };
        let mut obj = (*old).clone();
        ensure_object(&mut obj, "metadata").insert("creationTimestamp".into(), json!(created));
        let stored = Arc::new(obj);
        if let Some(m) = g.objects.get_mut(res.key()) {
            m.insert(key, stored.clone());
        }
        let rv: u64 = rv_of(&old).parse().unwrap_or(0);
        if let Some(ev) = g.history.iter_mut().rev().find(|e| e.rv == rv) {
            let mut e = (**ev).clone();
            e.object = stored;
            *ev = Arc::new(e);
        }
    }

    fn record(
        &self,
        g: &mut Inner,
        res: &ResourceDef,
        namespace: Option<String>,
        kind: EventType,
        object: Arc<Value>,
        rv: u64,
    ) {
        let ev = Arc::new(StoredEvent {
            rv,
            resource: res.key(),
            namespace,
            kind,
            object,
        });
        g.history.push_back(ev.clone());
        while g.history.len() > self.history_cap {
            if let Some(old) = g.history.pop_front() {
                g.oldest_resumable = g.oldest_resumable.max(old.rv);
            }
        }
        // No receivers is normal (nobody watching).
        let _ = self.events.send(ev);
    }

    /// Start a watch from `from_rv` (exclusive): the events already in history after it, and a
    /// receiver for everything after those. Done under one lock so nothing is lost or doubled.
    pub fn watch_from(&self, from_rv: Option<u64>) -> Result<WatchStart, Expired> {
        let g = self.lock();
        let rx = self.events.subscribe();
        let backlog = match from_rv {
            None => Vec::new(),
            Some(rv) if rv >= g.rv => Vec::new(),
            Some(rv) if rv < g.oldest_resumable => {
                return Err(Expired {
                    oldest: g.oldest_resumable,
                });
            }
            Some(rv) => {
                let start = g.history.partition_point(|e| e.rv <= rv);
                g.history.iter().skip(start).cloned().collect()
            }
        };
        Ok((backlog, rx, g.rv))
    }

    /// Make every resourceVersion up to now unresumable (fault injection: `expire-watches`).
    pub fn expire_history(&self) {
        let mut g = self.lock();
        g.oldest_resumable = g.rv;
        g.history.clear();
    }
}

fn namespace_of(res: &ResourceDef, obj: &Value) -> Result<Option<String>, ApiError> {
    if !res.namespaced {
        return Ok(None);
    }
    match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() => Ok(Some(ns.to_string())),
        _ => Err(ApiError::bad_request(
            "the namespace of the object must be set",
        )),
    }
}

fn namespace_exists(g: &Inner, ns: &str) -> bool {
    g.objects
        .get("namespaces")
        .is_some_and(|m| m.contains_key(&(String::new(), ns.to_string())))
}

fn validate_name(res: &ResourceDef, name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == ':'
        })
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            res,
            name,
            vec![(
                "metadata.name",
                "Invalid value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            )],
        ))
    }
}

/// Whether a delete has started (the object is Terminating).
pub fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// Whether `metadata.finalizers` holds anything.
pub fn has_finalizers(obj: &Value) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// Whether a deleting object must stay: `metadata.finalizers`, and for a Namespace also
/// `spec.finalizers` (the namespace registry deletes during an update only when both are empty).
pub fn holds_finalizers(res: &ResourceDef, obj: &Value) -> bool {
    has_finalizers(obj)
        || (res.key() == "namespaces"
            && obj
                .pointer("/spec/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty()))
}

pub fn rv_of(obj: &Value) -> &str {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn set_rv(obj: &mut Value, rv: u64) {
    ensure_object(obj, "metadata").insert("resourceVersion".into(), json!(rv.to_string()));
}

fn set_type_meta(res: &ResourceDef, obj: &mut Value) {
    if let Some(o) = obj.as_object_mut() {
        o.insert("apiVersion".into(), json!(res.api_version()));
        o.insert("kind".into(), json!(res.kind));
    }
}

/// The object at `obj[field]`, created empty when missing or not an object.
pub fn ensure_object<'a>(
    obj: &'a mut Value,
    field: &str,
) -> &'a mut serde_json::Map<String, Value> {
    if !obj.is_object() {
        *obj = json!({});
    }
    let Some(map) = obj.as_object_mut() else {
        unreachable!("made an object above")
    };
    let entry = map.entry(field.to_string()).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    match entry.as_object_mut() {
        Some(m) => m,
        None => unreachable!("made an object above"),
    }
}

fn short_suffix(n: u64) -> String {
    // Deterministic, 5 characters from the alphabet the API server uses for generateName.
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..5)
        .map(|_| {
            let c = ALPHABET[(x % ALPHABET.len() as u64) as usize] as char;
            x /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

fn uid_from(n: u64) -> String {
    let x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (x >> 32) as u32,
        (x >> 16) as u16,
        (n >> 4) as u16 & 0xfff,
        n as u16 & 0xfff,
        n & 0xffff_ffff_ffff
    )
}
