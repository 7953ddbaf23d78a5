//! Content negotiation: which media type a response is written in, following the API server
//! (q-values, `*/*` and `type/*` wildcards; `as=Table` and friends are left to `format`).
//! Resources answer JSON, YAML (not for watches) or, for the built-in kinds `proto_encode`
//! knows, protobuf (watches too: `watch` frames them); an `Accept` listing none of them is refused with 406 before anything is
//! done. Bodies over 128 KiB are gzipped for clients that accept it.

use std::io::Write;

use http_body_util::BodyExt;
use hyper::{HeaderMap, header};

use super::http::{self, Resp};
use super::proto_encode;
use crate::error::ApiError;
use crate::resources::ResourceDef;

const JSON: &str = "application/json";
const YAML: &str = "application/yaml";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// A representation a resource response can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Json,
    Yaml,
    Protobuf,
}

/// One media range of an `Accept` header: `type/subtype`, its quality and its other parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRange {
    pub media: String,
    pub q: f32,
    pub params: Vec<(String, String)>,
}

impl MediaRange {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this range covers the concrete media type `media`.
    pub fn covers(&self, media: &str) -> bool {
        if self.media == "*/*" || self.media == media {
            return true;
        }
        match self.media.strip_suffix("/*") {
            Some(ty) => media.split('/').next() == Some(ty),
            None => false,
        }
    }
}

/// The media ranges of `Accept`, best first (stable for equal quality); empty when absent.
pub fn ranges(headers: &HeaderMap) -> Vec<MediaRange> {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let mut out: Vec<MediaRange> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';').map(str::trim);
            let media = it.next()?.to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let mut q = 1.0;
            let mut params = Vec::new();
            for p in it {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let (k, v) = (k.trim().to_string(), v.trim().trim_matches('"').to_string());
                if k == "q" {
                    q = v.parse().unwrap_or(0.0);
                } else {
                    params.push((k, v));
                }
            }
            Some(MediaRange { media, q, params })
        })
        .filter(|r| r.q > 0.0)
        .collect();
    out.sort_by(|a, b| b.q.total_cmp(&a.q));
    out
}

/// The first of `offered` (in the client's order of preference) that `Accept` takes; the first
/// offered type when there is no `Accept` header; None when nothing offered is acceptable.
pub fn pick<'a>(headers: &HeaderMap, offered: &[&'a str]) -> Option<&'a str> {
    let ranges = ranges(headers);
    if ranges.is_empty() {
        return offered.first().copied();
    }
    ranges
        .iter()
        .find_map(|r| offered.iter().find(|o| r.covers(o)).copied())
}

/// The media types the API server offers for `res` (built-in kinds: protobuf too; watches:
/// no YAML), as named in its 406 message.
fn offered(res: &ResourceDef, verb: &str) -> Vec<&'static str> {
    let mut o = vec![JSON];
    if verb != "watch" {
        o.push(YAML);
    }
    if !res.crd {
        o.push(PROTOBUF);
    }
    o
}

/// What the sim can write for `res`: protobuf only for objects, lists and watch streams of the
/// kinds `proto_encode` knows (not Tables, metadata-only views, or subresources other than
/// `status`, `approval` and `finalize`, which answer other kinds).
fn producible(res: &ResourceDef, sub: Option<&str>, verb: &str, r: &MediaRange) -> Option<Media> {
    let plain_object = r.param("as").is_none();
    if r.covers(JSON) {
        return Some(Media::Json);
    }
    if r.covers(YAML) && verb != "watch" {
        return Some(Media::Yaml);
    }
    if r.covers(PROTOBUF)
        && !res.crd
        && plain_object
        && matches!(
            verb,
            "get" | "list" | "watch" | "create" | "update" | "patch"
        )
        && sub.is_none_or(|s| matches!(s, "status" | "approval" | "finalize"))
        && proto_encode::encodes(res.kind)
    {
        return Some(Media::Protobuf);
    }
    None
}

/// The representations the client takes for a request to `res`, best first; 406 (before the
/// request is carried out, as the API server decides) when it takes none the server offers.
pub fn choose(
    headers: &HeaderMap,
    res: &ResourceDef,
    sub: Option<&str>,
    verb: &str,
) -> Result<Vec<Media>, ApiError> {
    let ranges = ranges(headers);
    if ranges.is_empty() {
        return Ok(vec![Media::Json]);
    }
    let offered = offered(res, verb);
    let mut out: Vec<Media> = Vec::new();
    let mut acceptable = false;
    for r in &ranges {
        acceptable |= offered.iter().any(|o| r.covers(o));
        if let Some(m) = producible(res, sub, verb, r)
            && !out.contains(&m)
        {
            out.push(m);
        }
    }
    if !acceptable {
        return Err(ApiError::new(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: {}",
                offered.join(", ")
            ),
        ));
    }
    if out.is_empty() {
        // Protobuf alone, for a kind the sim cannot encode: say so rather than send JSON.
        return Err(ApiError::new(
            406,
            "NotAcceptable",
            format!(
                "the simulated cluster writes {} only as JSON or YAML; accept one of them too",
                res.kind
            ),
        ));
    }
    Ok(out)
}

/// Rewrite a successful JSON response into the client's preferred representation.
pub async fn represent(resp: Resp, prefs: &[Media]) -> Resp {
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(JSON.as_bytes()));
    if !json || !resp.status().is_success() || prefs.first() == Some(&Media::Json) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let value: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    for m in prefs {
        let out = match (m, &value) {
            (Media::Json, _) => None,
            (Media::Yaml, Some(v)) => serde_yaml::to_string(&sorted(v))
                .ok()
                .map(|y| (YAML, y.into_bytes())),
            (Media::Protobuf, Some(v)) => proto_encode::encode(v).map(|b| (PROTOBUF, b)),
            _ => None,
        };
        match out {
            Some((ct, body)) => {
                parts
                    .headers
                    .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(ct));
                parts.headers.remove(header::CONTENT_LENGTH);
                return hyper::Response::from_parts(parts, http::full(body));
            }
            // JSON, or a body this representation cannot carry (a list, a Status): JSON.
            None if *m == Media::Json => break,
            None => {}
        }
    }
    hyper::Response::from_parts(parts, http::full(bytes))
}

/// `v` with every object's keys in order, as the API server's YAML (a Go map) has them.
fn sorted(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            serde_json::Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Bodies larger than this are gzipped for clients that accept it (the API server's threshold).
const GZIP_OVER: u64 = 128 * 1024;

/// Gzip a complete (not streamed) response body over 128 KiB when `Accept-Encoding` allows.
pub async fn compress(resp: Resp, accept_encoding: Option<&str>) -> Resp {
    let wants = accept_encoding.is_some_and(|a| {
        a.split(',').any(|e| {
            let mut it = e.split(';').map(str::trim);
            it.next() == Some("gzip") && !it.any(|p| p.replace(' ', "") == "q=0")
        })
    });
    let size = hyper::body::Body::size_hint(resp.body()).exact();
    if !wants
        || size.is_none_or(|n| n <= GZIP_OVER)
        || resp.headers().contains_key(header::CONTENT_ENCODING)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    match gz.write_all(&bytes).and_then(|()| gz.finish()) {
        Ok(zipped) => {
            parts.headers.insert(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static("gzip"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            hyper::Response::from_parts(parts, http::full(zipped))
        }
        Err(_) => hyper::Response::from_parts(parts, http::full(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(accept: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(
            header::ACCEPT,
            header::HeaderValue::from_str(accept).expect("header"),
        );
        m
    }

    #[test]
    fn picks_by_preference_and_wildcards() {
        let offered = ["application/json", "application/vnd.kubernetes.protobuf"];
        assert_eq!(
            pick(
                &h("application/vnd.kubernetes.protobuf, application/json"),
                &offered
            ),
            Some("application/vnd.kubernetes.protobuf")
        );
        assert_eq!(
            pick(&h("application/json;q=0.5, */*;q=0.9"), &offered),
            Some("application/json")
        );
        assert_eq!(pick(&h("text/html"), &offered), None);
        assert_eq!(
            pick(&h("application/*"), &offered),
            Some("application/json")
        );
        assert_eq!(pick(&HeaderMap::new(), &offered), Some("application/json"));
        let r = ranges(&h("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9"));
        assert_eq!(r[0].param("as"), Some("Table"));
        assert!((r[0].q - 0.9).abs() < f32::EPSILON);
    }
}
