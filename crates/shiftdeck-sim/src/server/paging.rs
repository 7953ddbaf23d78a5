//! Lists as the API server pages them: a continue token reads the snapshot the first page was
//! cut from (objects created or deleted in between do not show up or vanish), an expired token
//! answers 410 with an inconsistent token to go on with, and `resourceVersion` /
//! `resourceVersionMatch` are honoured (410 for an Exact version no longer kept, 504 for a
//! version the server has not reached, 422 for combinations the API forbids).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use super::lock;
use super::options::invalid_options;
use super::query::Query;
use crate::error::ApiError;

/// How long a first page's snapshot stays readable (etcd's compaction interval).
const SNAPSHOT_TTL: Duration = Duration::from_secs(300);
const SNAPSHOT_CAP: usize = 64;

/// One first page's list, and when it was cut.
type Snapshot = (Arc<Vec<Arc<Value>>>, Instant);

/// The lists continue tokens point into: by id, oldest first, and the next id.
#[derive(Default)]
pub(crate) struct Snapshots {
    inner: Mutex<(HashMap<u64, Snapshot>, VecDeque<u64>, u64)>,
}

impl Snapshots {
    pub fn keep(&self, items: Arc<Vec<Arc<Value>>>) -> u64 {
        let mut g = lock(&self.inner);
        let (map, order, next) = &mut *g;
        *next += 1;
        let id = *next;
        map.insert(id, (items, Instant::now()));
        order.push_back(id);
        while order.len() > SNAPSHOT_CAP {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
        id
    }

    pub fn get(&self, id: u64) -> Option<Arc<Vec<Arc<Value>>>> {
        let g = lock(&self.inner);
        g.0.get(&id)
            .filter(|(_, at)| at.elapsed() < SNAPSHOT_TTL)
            .map(|(items, _)| items.clone())
    }
}

/// A decoded continue token: the list's resourceVersion, the last key served, and the
/// snapshot to read (None for the inconsistent token of a 410).
pub struct Token {
    pub rv: u64,
    pub ns: String,
    pub name: String,
    pub snapshot: Option<u64>,
}

pub fn encode(rv: u64, ns: &str, name: &str, snapshot: Option<u64>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        json!({"rv": rv, "ns": ns, "name": name, "s": snapshot})
            .to_string()
            .as_bytes(),
    )
}

pub fn decode(token: &str) -> Result<Token, ApiError> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Token {
        rv: v.get("rv").and_then(Value::as_u64).ok_or_else(bad)?,
        ns: s("ns").ok_or_else(bad)?,
        name: s("name").ok_or_else(bad)?,
        snapshot: v.get("s").and_then(Value::as_u64),
    })
}

/// 410 for a continue token whose snapshot is gone, carrying a token that goes on from the
/// live state.
pub fn continue_expired(t: &Token) -> ApiError {
    let mut e = ApiError::expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    );
    e.details = Some(json!({(crate::error::LIST_CONTINUE): encode(t.rv, &t.ns, &t.name, None)}));
    e
}

/// 504 for a resourceVersion the server has not reached.
pub fn too_large(rv: u64, current: u64) -> ApiError {
    let mut e = ApiError::new(
        504,
        "Timeout",
        format!("Too large resource version: {rv}, current: {current}"),
    );
    e.details = Some(
        json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
    );
    e
}

/// Which state a list reads.
#[derive(Debug, PartialEq, Eq)]
pub enum ListAt {
    /// The newest state.
    Latest,
    /// At least this version (fails 504 when the server is behind it).
    NotOlderThan(u64),
    /// Exactly this version.
    Exact(u64),
}

fn forbidden(field: &str, detail: &str) -> ApiError {
    let mut e = invalid_options("ListOptions", field, &format!("Forbidden: {detail}"));
    if let Some(d) = e.details.as_mut() {
        d["causes"][0]["reason"] = json!("FieldValueForbidden");
    }
    e
}

/// Read `resourceVersion`, `resourceVersionMatch` and `continue` of a list, refusing the
/// combinations the API forbids.
pub fn list_at(q: &Query) -> Result<ListAt, ApiError> {
    let rv = q.get("resourceVersion");
    let rvm = q.get("resourceVersionMatch");
    let cont = q.get("continue");
    if let Some(m) = rvm
        && !matches!(m, "Exact" | "NotOlderThan")
    {
        return Err(invalid_options(
            "ListOptions",
            "resourceVersionMatch",
            &format!(
                "Unsupported value: {m:?}: supported values: \"Exact\", \"NotOlderThan\", \"\""
            ),
        ));
    }
    if rvm.is_some() && rv.is_none() {
        return Err(forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch is forbidden unless resourceVersion is provided",
        ));
    }
    if rvm.is_some() && cont.is_some() {
        return Err(forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch is forbidden when continue is provided",
        ));
    }
    if rvm == Some("Exact") && rv == Some("0") {
        return Err(forbidden(
            "resourceVersionMatch",
            "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
        ));
    }
    if cont.is_some() && rv.is_some_and(|v| v != "0") {
        return Err(ApiError::bad_request(
            "specifying resource version is not allowed when using continue",
        ));
    }
    let n = match rv {
        None | Some("0") => return Ok(ListAt::Latest),
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {v:?}")))?,
    };
    Ok(if rvm == Some("Exact") {
        ListAt::Exact(n)
    } else {
        ListAt::NotOlderThan(n)
    })
}
