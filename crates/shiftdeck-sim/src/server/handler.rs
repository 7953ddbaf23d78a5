//! One request, start to finish: latency fault, auth, routing, fault draws, RBAC and dispatch.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request};

use super::auth::{self, User};
use super::format::Format;
use super::http::{self, Resp};
use super::options::{self, WriteOpts};
use super::query::Query;
use super::route::{self, ResRoute, Route};
use super::{Shared, crud, discovery, negotiate, openapi, subresource, watch};
use crate::error::ApiError;

/// Everything a verb handler needs about the request.
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    pub user: User,
    pub query: Query,
    pub format: Format,
    pub headers: HeaderMap,
    /// dryRun, fieldValidation and DeleteOptions of a write.
    pub opts: WriteOpts,
    /// `Warning` headers for the response (unknown fields under fieldValidation=Warn).
    pub warnings: std::sync::Mutex<Vec<String>>,
    /// Whether the client's preferred representation is protobuf (watches stream in it).
    pub protobuf: bool,
}

impl Ctx {
    pub fn warn(&self, text: String) {
        super::lock(&self.warnings).push(text);
    }
}

pub(crate) async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Resp {
    shared
        .traffic
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"))
    {
        shared
            .traffic
            .watch_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    if let Some(d) = shared.opts.faults.latency {
        tokio::time::sleep(d).await;
    }
    let accept_encoding = req
        .headers()
        .get(hyper::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let resp = match handle_inner(shared, req).await {
        Ok(r) => r,
        Err(e) => http::error(&e),
    };
    negotiate::compress(resp, accept_encoding.as_deref()).await
}

async fn handle_inner(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let route = route::parse(&path, shared.opts.profile);
    // Health and version are public, as on a real cluster.
    match &route {
        Ok(Route::Health) => return Ok(http::text(200, "ok")),
        Ok(Route::Version) => return Ok(http::json(200, &discovery::version())),
        _ => {}
    }
    let user = auth::authenticate(&parts.headers)?;
    let profile = shared.opts.profile;
    let rr = match route? {
        Route::Health => return Ok(http::text(200, "ok")),
        Route::Metrics => {
            return Ok(http::bytes_response(
                200,
                "text/plain; version=0.0.4",
                shared.traffic.render(),
            ));
        }
        Route::Version => return Ok(http::json(200, &discovery::version())),
        Route::OpenApi => {
            return openapi::serve::serve(profile, &path, parts.uri.query(), &parts.headers);
        }
        Route::CoreVersions => return Ok(http::json(200, &discovery::core_versions(shared.addr))),
        Route::Groups => return Ok(http::json(200, &discovery::group_list(profile))),
        Route::Group(g) => return Ok(http::json(200, &discovery::group(profile, &g))),
        Route::GroupVersion(g, v) => {
            return Ok(http::json(200, &discovery::resource_list(profile, &g, &v)));
        }
        Route::Resource(rr) => rr,
    };
    if shared.faults.roll_error(shared.opts.faults.error_rate) {
        return Err(ApiError::internal(
            "an error on the server (\"injected fault\") has prevented the request from succeeding",
        ));
    }
    let query = Query::parse(parts.uri.query());
    let format = Format::from_request(&parts.headers, query.get("includeObject"));
    let verb = verb_of(&parts.method, &rr, &query)?;
    let target = crate::error::Target {
        ns: rr.ns.as_deref(),
        name: rr
            .name
            .as_deref()
            .or_else(|| named_by_selector(&query, verb)),
        sub: rr.sub.as_deref(),
    };
    auth::authorize(user, &shared.opts.faults, profile, rr.res, target, verb)?;
    let media = negotiate::choose(&parts.headers, rr.res, rr.sub.as_deref(), verb)?;
    let body = match parts.method {
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE => {
            http::read_body(&parts.headers, body).await?
        }
        _ => bytes::Bytes::new(),
    };
    let opts = options::parse(verb, &query, &body)?;
    let ctx = Ctx {
        shared,
        user,
        query,
        format,
        headers: parts.headers,
        opts,
        warnings: Default::default(),
        protobuf: media.first() == Some(&negotiate::Media::Protobuf),
    };
    let result = dispatch(&ctx, &rr, verb, &body);
    let warnings = std::mem::take(&mut *super::lock(&ctx.warnings));
    let result = match result {
        Ok(resp) if verb != "watch" => Ok(negotiate::represent(resp, &media).await),
        other => other,
    };
    result.map(|mut resp| {
        for w in warnings {
            // RFC 7234 warn-code 299, agent "-", the text quoted as the API server does.
            let text = format!("299 - {}", serde_json::Value::String(w));
            if let Ok(v) = hyper::header::HeaderValue::from_str(&text) {
                resp.headers_mut().append(hyper::header::WARNING, v);
            }
        }
        resp
    })
}

/// A list or watch narrowed to one object by `fieldSelector=metadata.name=<name>` names it, as
/// the API server's request info does (the authorizer and its 403 see the name).
fn named_by_selector<'q>(query: &'q Query, verb: &str) -> Option<&'q str> {
    if !matches!(verb, "list" | "watch") {
        return None;
    }
    let selector = query.get("fieldSelector")?;
    if selector.contains(',') {
        return None;
    }
    let (field, value) = selector
        .split_once("==")
        .or_else(|| selector.split_once('='))?;
    (field.trim() == "metadata.name" && !value.is_empty() && !value.starts_with('='))
        .then_some(value)
}

fn verb_of(method: &Method, rr: &ResRoute, q: &Query) -> Result<&'static str, ApiError> {
    let named = rr.name.is_some();
    let verb = match (method, named) {
        (&Method::GET | &Method::HEAD, true) if q.watch() => "watch",
        (&Method::GET | &Method::HEAD, true) => "get",
        (&Method::GET | &Method::HEAD, false) if q.watch() => "watch",
        (&Method::GET | &Method::HEAD, false) => "list",
        (&Method::POST, false) => "create",
        (&Method::POST, true) if rr.sub.is_some() => "create",
        (&Method::PUT, true) => "update",
        (&Method::PATCH, true) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => {
            return Err(ApiError::method_not_allowed(format!(
                "the server does not allow this method on the requested resource ({method} {})",
                rr.res.plural
            )));
        }
    };
    let allowed = if let Some(sub) = rr.sub.as_deref() {
        match sub {
            "eviction" => verb == "create",
            "log" => verb == "get",
            _ => matches!(verb, "get" | "update" | "patch"),
        }
    } else {
        rr.res.verbs.contains(&verb)
    };
    if !allowed {
        return Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({verb} {})",
            rr.res.plural
        )));
    }
    Ok(verb)
}

fn dispatch(ctx: &Ctx, rr: &ResRoute, verb: &str, body: &[u8]) -> Result<Resp, ApiError> {
    if let Some(sub) = rr.sub.as_deref() {
        return subresource::handle(ctx, rr, sub, verb, body);
    }
    match verb {
        "get" => crud::get(ctx, rr),
        "list" => crud::list(ctx, rr),
        "watch" => watch::start(ctx, rr),
        "create" => crud::create(ctx, rr, body),
        "update" => crud::update(ctx, rr, body),
        "patch" => crud::patch(ctx, rr, body),
        "delete" => crud::delete(ctx, rr),
        "deletecollection" => crud::delete_collection(ctx, rr),
        other => Err(ApiError::method_not_allowed(format!(
            "verb {other} is not supported"
        ))),
    }
}
