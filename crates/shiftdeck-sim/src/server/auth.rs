//! Bearer-token authentication, authorization of each request (the policy is in `rbac`), and the
//! self reviews: SelfSubjectReview, SelfSubjectAccessReview and SelfSubjectRulesReview.

use hyper::{HeaderMap, header};
use serde_json::{Value, json};

use super::rbac;
use crate::error::ApiError;
use crate::error::Target;
use crate::resources::ResourceDef;
use crate::{ADMIN_TOKEN, Faults, Profile, VIEWER_TOKEN};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    Admin,
    Viewer,
}

impl User {
    pub fn name(self) -> &'static str {
        match self {
            User::Admin => "system:admin",
            User::Viewer => "viewer",
        }
    }

    /// The groups the authenticator adds, as a real server reports them.
    pub fn groups(self) -> &'static [&'static str] {
        match self {
            User::Admin => &["system:masters", "system:authenticated"],
            User::Viewer => &["system:authenticated:oauth", "system:authenticated"],
        }
    }
}

/// The caller's identity from its bearer token. No credentials, or a token the sim does not
/// know, is 401 Unauthorized as on a real API server (anonymous auth is off on OpenShift). The
/// public endpoints (`/healthz`, `/readyz`, `/livez`, `/version`) are answered before this.
pub fn authenticate(headers: &HeaderMap) -> Result<User, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match token {
        Some(ADMIN_TOKEN) => Ok(User::Admin),
        Some(VIEWER_TOKEN) => Ok(User::Viewer),
        _ => Err(ApiError::unauthorized()),
    }
}

/// 403 unless `user` may `verb` this route's resource. `name` is the object the request names
/// (or a list's `metadata.name` field selector), which the real message quotes.
pub fn authorize(
    user: User,
    faults: &Faults,
    profile: Profile,
    res: &ResourceDef,
    target: Target<'_>,
    verb: &str,
) -> Result<(), ApiError> {
    if res.is_virtual() && faults.forbid.iter().all(|f| f != res.plural) {
        // Reviews are open to every authenticated user (system:basic-user).
        return Ok(());
    }
    match rbac::decide(
        user,
        faults,
        profile,
        &rbac::attrs_of(res, target.sub, verb),
    ) {
        (true, _) => Ok(()),
        (false, _) => Err(ApiError::forbidden(user.name(), verb, res, target)),
    }
}

/// Answer a SelfSubjectReview (`kubectl auth whoami`): the caller's user info.
pub fn self_subject_review(user: User, mut body: Value) -> Value {
    if !body.is_object() {
        body = json!({});
    }
    if let Some(o) = body.as_object_mut() {
        o.insert("apiVersion".into(), json!("authentication.k8s.io/v1"));
        o.insert("kind".into(), json!("SelfSubjectReview"));
        o.insert("metadata".into(), json!({"creationTimestamp": null}));
        o.insert(
            "status".into(),
            json!({"userInfo": {"username": user.name(), "groups": user.groups()}}),
        );
    }
    body
}

/// Answer a SelfSubjectAccessReview for the caller, as the authorizer would decide the request
/// it describes: any resource, served or not, and non-resource URLs.
pub fn self_subject_access_review(
    user: User,
    faults: &Faults,
    profile: Profile,
    mut body: Value,
) -> Value {
    let (allowed, reason) = match body.pointer("/spec/resourceAttributes") {
        Some(a) => {
            let get = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let sub = get("subresource");
            let attrs = rbac::Attrs {
                group: get("group"),
                resource: get("resource"),
                sub: (!sub.is_empty()).then_some(sub),
                verb: get("verb"),
            };
            rbac::decide(user, faults, profile, &attrs)
        }
        None => {
            let get = |k: &str| {
                body.pointer(&format!("/spec/nonResourceAttributes/{k}"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            rbac::decide_path(user, get("path"), get("verb"))
        }
    };
    if let Some(o) = body.as_object_mut() {
        o.insert("apiVersion".into(), json!("authorization.k8s.io/v1"));
        o.insert("kind".into(), json!("SelfSubjectAccessReview"));
        o.entry("metadata").or_insert_with(|| json!({}));
        let mut status = json!({"allowed": allowed});
        if !reason.is_empty() {
            status["reason"] = json!(reason);
        }
        o.insert("status".into(), status);
    }
    body
}

/// Answer a SelfSubjectRulesReview (`kubectl auth can-i --list`): the caller's rules. The sim's
/// users hold cluster-wide bindings only, so every namespace gets the same list.
pub fn self_subject_rules_review(user: User, profile: Profile, mut body: Value) -> Value {
    if !body.is_object() {
        body = json!({});
    }
    if let Some(o) = body.as_object_mut() {
        o.insert("apiVersion".into(), json!("authorization.k8s.io/v1"));
        o.insert("kind".into(), json!("SelfSubjectRulesReview"));
        o.entry("metadata").or_insert_with(|| json!({}));
        o.entry("spec").or_insert_with(|| json!({}));
        o.insert("status".into(), rbac::rules_review_status(user, profile));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signers_are_reviewable_for_csr_approval() {
        let review = |user, resource: &str| {
            let body = json!({"spec": {"resourceAttributes": {"verb": "approve",
                "group": "certificates.k8s.io", "resource": resource,
                "name": "kubernetes.io/kubelet-serving"}}});
            self_subject_access_review(user, &Faults::default(), Profile::Hub, body)
                .pointer("/status/allowed")
                .and_then(Value::as_bool)
        };
        assert_eq!(review(User::Admin, "signers"), Some(true));
        assert_eq!(review(User::Viewer, "signers"), Some(false));
        // cluster-admin's `*` covers kinds the server does not serve, as RBAC's does.
        assert_eq!(review(User::Admin, "no-such-things"), Some(true));
    }

    #[test]
    fn a_denied_review_gives_no_reason() {
        let body = json!({"spec": {"resourceAttributes": {"verb": "get", "group": "example.com",
            "resource": "widgets"}}});
        let r = self_subject_access_review(User::Viewer, &Faults::default(), Profile::Hub, body);
        assert_eq!(r["status"], json!({"allowed": false}));
        let body = json!({"spec": {"resourceAttributes": {"verb": "get", "resource": "secrets",
            "namespace": "default"}}});
        let r = self_subject_access_review(User::Viewer, &Faults::default(), Profile::Hub, body);
        assert_eq!(r["status"], json!({"allowed": false}));
    }

    #[test]
    fn tokens() {
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&h).map_err(|e| e.code), Err(401));
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {ADMIN_TOKEN}").parse().expect("header"),
        );
        assert_eq!(authenticate(&h), Ok(User::Admin));
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {VIEWER_TOKEN}").parse().expect("header"),
        );
        assert_eq!(authenticate(&h), Ok(User::Viewer));
        h.insert(
            header::AUTHORIZATION,
            "Bearer nope".parse().expect("header"),
        );
        assert_eq!(authenticate(&h).map_err(|e| e.code), Err(401));
        h.insert(header::AUTHORIZATION, "Basic YTpi".parse().expect("header"));
        assert_eq!(authenticate(&h).map_err(|e| e.code), Err(401));
    }
}
