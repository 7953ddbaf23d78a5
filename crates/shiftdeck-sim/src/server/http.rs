//! HTTP plumbing: the response body type, JSON and Status responses, and bounded body reading.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::{HeaderMap, Response, StatusCode, header};
use serde_json::Value;

use crate::error::ApiError;

pub type Body = BoxBody<Bytes, Infallible>;
pub type Resp = Response<Body>;

/// Largest request body accepted, as the real API server (3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

pub fn bytes_response(code: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(full(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = header::HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

pub fn json_bytes(code: u16, body: Vec<u8>) -> Resp {
    bytes_response(code, "application/json", body)
}

pub fn json(code: u16, v: &Value) -> Resp {
    match serde_json::to_vec(v) {
        Ok(b) => json_bytes(code, b),
        Err(e) => error(&ApiError::internal(format!("encoding response: {e}"))),
    }
}

pub fn text(code: u16, s: &'static str) -> Resp {
    bytes_response(code, "text/plain; charset=utf-8", s)
}

/// A failure as `metav1.Status`, with the matching HTTP code.
pub fn error(e: &ApiError) -> Resp {
    let body = serde_json::to_vec(&e.to_status()).unwrap_or_default();
    let mut r = json_bytes(e.code, body);
    if e.code == 401 {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"shiftdeck-sim\""),
        );
    }
    r
}

/// Past this much, an oversized body is no longer drained before answering 413.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The request body, refused with 413 past `MAX_BODY`. An oversized body is read to its end
/// (up to `DRAIN_LIMIT`) before the 413 goes out, so the client sees the answer rather than a
/// reset connection.
pub async fn read_body(headers: &HeaderMap, mut body: Incoming) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut buf = bytes::BytesMut::new();
    let mut seen = 0usize;
    let mut too_large = declared.is_some_and(|n| n > MAX_BODY);
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::bad_request(format!("reading request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > MAX_BODY {
                too_large = true;
            }
            if too_large {
                buf.clear();
                if seen > DRAIN_LIMIT {
                    break;
                }
            } else {
                buf.extend_from_slice(&data);
            }
        }
    }
    if too_large {
        Err(ApiError::too_large())
    } else {
        Ok(buf.freeze())
    }
}

/// The request's Content-Type without parameters, lowercased.
pub fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Decode a JSON (or YAML) object body into a Value; 400 on malformed input, 415 on protobuf.
pub fn decode_object(ct: &str, body: &[u8]) -> Result<Value, ApiError> {
    let v: Value = match ct {
        "" | "application/json" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" | "application/apply-patch+yaml" => serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?,
        "application/vnd.kubernetes.protobuf" => super::proto::decode(body)?,
        other => return Err(ApiError::unsupported_media(other)),
    };
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(v)
}
