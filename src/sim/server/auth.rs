//! Bearer-token authentication, the two users' permissions, the `forbid=` fault and
//! SelfSubjectAccessReview.

use hyper::{HeaderMap, header};
use serde_json::{Value, json};

use crate::sim::error::ApiError;
use crate::sim::resources::{self, ResourceDef};
use crate::sim::{ADMIN_TOKEN, Faults, Profile, VIEWER_TOKEN};

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

const READ_VERBS: &[&str] = &["get", "list", "watch"];

/// Whether `user` may `verb` the resource (and subresource), with the reason SSAR reports.
pub fn decide(
    user: User,
    faults: &Faults,
    plural: &str,
    _sub: Option<&str>,
    verb: &str,
) -> (bool, &'static str) {
    if faults.forbid.iter().any(|f| f == plural) {
        return (
            false,
            "access to this resource is forbidden (fault injection)",
        );
    }
    match user {
        User::Admin => (
            true,
            "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to User \"system:admin\"",
        ),
        User::Viewer => {
            // Reading is fine, including reading a subresource such as scale or status.
            let allowed = READ_VERBS.contains(&verb);
            if allowed {
                (
                    true,
                    "RBAC: allowed by ClusterRoleBinding \"viewer\" of ClusterRole \"view\" to User \"viewer\"",
                )
            } else {
                (false, "")
            }
        }
    }
}

/// 403 unless `user` may `verb` this route's resource.
pub fn authorize(
    user: User,
    faults: &Faults,
    res: &ResourceDef,
    ns: Option<&str>,
    sub: Option<&str>,
    verb: &str,
) -> Result<(), ApiError> {
    if res.is_virtual() && faults.forbid.iter().all(|f| f != res.plural) {
        // Reviews are open to every authenticated user.
        return Ok(());
    }
    match decide(user, faults, res.plural, sub, verb) {
        (true, _) => Ok(()),
        (false, _) => Err(ApiError::forbidden(user.name(), verb, res, ns, sub)),
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

/// Answer a SelfSubjectAccessReview for the caller.
pub fn self_subject_access_review(
    user: User,
    faults: &Faults,
    profile: Profile,
    mut body: Value,
) -> Value {
    let attrs = body.pointer("/spec/resourceAttributes").cloned();
    let (allowed, reason) = match attrs {
        Some(a) => {
            let get = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let (plural, sub, verb) = (get("resource"), get("subresource"), get("verb"));
            // `signers` is an RBAC-only resource (`approve signers/<name>` for CSR approval):
            // not served, but a real authorizer answers for it.
            let known = plural == "*"
                || resources::served(profile).any(|r| r.plural == plural)
                || plural.is_empty()
                || (plural == "signers" && get("group") == "certificates.k8s.io");
            let (ok, why) = decide(user, faults, plural, (!sub.is_empty()).then_some(sub), verb);
            (ok && known, why)
        }
        // Non-resource URLs (e.g. /healthz): readable by everyone.
        None => {
            let verb = body
                .pointer("/spec/nonResourceAttributes/verb")
                .and_then(Value::as_str)
                .unwrap_or("");
            (user == User::Admin || verb == "get", "")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_reads_admin_writes_forbid_blocks_both() {
        let none = Faults::default();
        assert!(decide(User::Admin, &none, "nodepools", Some("scale"), "patch").0);
        assert!(decide(User::Viewer, &none, "nodepools", None, "list").0);
        assert!(!decide(User::Viewer, &none, "nodepools", Some("scale"), "update").0);
        assert!(
            !decide(
                User::Viewer,
                &none,
                "certificatesigningrequests",
                Some("approval"),
                "update"
            )
            .0
        );
        let forbid: Faults = "forbid=nodepools".parse().expect("faults");
        assert!(!decide(User::Admin, &forbid, "nodepools", None, "get").0);
        assert!(decide(User::Admin, &forbid, "nodes", None, "get").0);
    }

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
        assert_eq!(review(User::Admin, "no-such-things"), Some(false));
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
