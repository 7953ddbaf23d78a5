//! The HTTP side of `/openapi`: JSON documents (and `/openapi/v2` in gnostic protobuf) with
//! their ETag and caching headers, a redirect for a stale `?hash=`, and 406 for an `Accept` the
//! sim cannot produce (the protobuf form of the v3 documents).

use hyper::{HeaderMap, header};

use super::{Doc, docs, root};
use crate::Profile;
use crate::error::ApiError;
use crate::server::http::{self, Resp};
use crate::server::negotiate;
use crate::server::query::Query;

const JSON: &str = "application/json";
/// The gnostic protobuf form of `/openapi/v2` (kubectl asks for this one only).
const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const V2_PROTOBUF_OLD: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// Answer a GET under `/openapi`.
pub fn serve(
    profile: Profile,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Resp, ApiError> {
    let path = path.trim_end_matches('/');
    let all = docs(profile);
    if path == "/openapi/v2" {
        return match negotiate::pick(headers, &[JSON, V2_PROTOBUF, V2_PROTOBUF_OLD]) {
            Some(JSON) => Ok(document(&all.v2, false)),
            Some(_) => {
                // Answered under the dotted name: `@` is not valid in a Content-Type (the API
                // server does the same).
                let mut r = http::bytes_response(200, V2_PROTOBUF_OLD, all.v2_proto.clone());
                set(&mut r, header::ETAG, &format!("\"{}\"", all.v2.hash));
                Ok(r)
            }
            None => Err(not_acceptable(
                headers,
                &[JSON, V2_PROTOBUF, V2_PROTOBUF_OLD],
            )),
        };
    }
    if negotiate::pick(headers, &[JSON]).is_none() {
        // The real server also offers the gnostic protobuf form of v3; the sim offers JSON.
        return Err(not_acceptable(headers, &[JSON]));
    }
    if path == "/openapi/v3" {
        let mut r = http::json(200, &root(&all));
        set(&mut r, header::CACHE_CONTROL, "no-cache, private");
        return Ok(r);
    }
    let doc = path
        .strip_prefix("/openapi/v3/")
        .and_then(|gv| all.v3.get(gv))
        .ok_or_else(|| ApiError::not_found_path(path))?;
    let asked = Query::parse(query).get("hash").map(str::to_string);
    match asked {
        Some(h) if h != doc.hash => {
            // A stale address: the real server redirects to the current one.
            let mut r = http::bytes_response(301, "text/plain; charset=utf-8", "");
            set(
                &mut r,
                header::LOCATION,
                &format!("{path}?hash={}", doc.hash),
            );
            Ok(r)
        }
        Some(_) => Ok(document(doc, true)),
        None => Ok(document(doc, false)),
    }
}

fn document(doc: &Doc, immutable: bool) -> Resp {
    let mut r = http::json_bytes(200, doc.body.clone());
    set(&mut r, header::ETAG, &format!("\"{}\"", doc.hash));
    let cache = if immutable {
        "public, immutable"
    } else {
        "no-cache, private"
    };
    set(&mut r, header::CACHE_CONTROL, cache);
    r
}

fn set(r: &mut Resp, name: header::HeaderName, value: &str) {
    if let Ok(v) = header::HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

fn not_acceptable(_headers: &HeaderMap, offered: &[&str]) -> ApiError {
    ApiError::new(
        406,
        "NotAcceptable",
        format!(
            "only the following media types are accepted: {}",
            offered.join(", ")
        ),
    )
}
