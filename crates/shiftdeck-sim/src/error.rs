//! API errors rendered as `metav1.Status`, the way a real API server answers.

use serde_json::{Value, json};

use super::resources::ResourceDef;

/// The object a request addresses, as an authorizer's attributes carry it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Target<'a> {
    pub ns: Option<&'a str>,
    pub name: Option<&'a str>,
    pub sub: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

/// Key in `details` that carries the Status's `metadata.continue` (a 410 for an expired continue
/// token has one); moved out of `details` when the Status is rendered. Kept in `details` so the
/// error stays small.
pub const LIST_CONTINUE: &str = "__listContinue";

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.reason, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// The real 403: `<group resource> "<name>" is forbidden: User "<user>" cannot <verb>
    /// resource "<plural>[/<sub>]" in API group "<group>" in the namespace "<ns>"` (or `at the
    /// cluster scope`; without a name, `<group resource> is forbidden: …`).
    pub fn forbidden(user: &str, verb: &str, res: &ResourceDef, target: Target<'_>) -> Self {
        let resource = match target.sub {
            Some(s) => format!("{}/{}", res.plural, s),
            None => res.plural.to_string(),
        };
        let scope = match target.ns {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        let what = match target.name {
            Some(name) => format!("{} \"{name}\"", res.group_resource()),
            None => res.group_resource().to_string(),
        };
        let mut e = Self::new(
            403,
            "Forbidden",
            format!(
                "{what} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
                res.group
            ),
        );
        let mut details = json!({"group": res.group, "kind": res.plural});
        if let Some(name) = target.name {
            details["name"] = json!(name);
        }
        e.details = Some(details);
        e
    }

    pub fn not_found(res: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", res.group_resource()),
        );
        e.details = Some(json!({"name": name, "group": res.group, "kind": res.plural}));
        e
    }

    pub fn not_found_namespace(ns: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("namespaces \"{ns}\" not found"));
        e.details = Some(json!({"name": ns, "kind": "namespaces"}));
        e
    }

    pub fn not_found_path(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    pub fn already_exists(res: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", res.group_resource()),
        );
        e.details = Some(json!({"name": name, "group": res.group, "kind": res.plural}));
        e
    }

    pub fn conflict(res: &ResourceDef, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                res.group_resource()
            ),
        );
        e.details = Some(json!({"name": name, "group": res.group, "kind": res.plural}));
        e
    }

    /// 409 for a write whose `metadata.uid` names another incarnation of the object: the UID
    /// precondition every update carries when the body has a uid.
    pub fn uid_precondition(res: &ResourceDef, name: &str, sent: &str, stored: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {sent}, UID in object meta: {stored}",
                res.group_resource()
            ),
        );
        e.details = Some(json!({"name": name, "group": res.group, "kind": res.plural}));
        e
    }

    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 422 with one cause per (field, message).
    pub fn invalid(res: &ResourceDef, name: &str, causes: Vec<(&str, &str)>) -> Self {
        let text: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        // The API server prints an aggregate of several errors in brackets, one error bare.
        let listed = match text.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        let mut e = Self::new(
            422,
            "Invalid",
            format!(
                "{}.{} \"{name}\" is invalid: {listed}",
                res.kind,
                res.group_or_core(),
            ),
        );
        let causes: Vec<Value> = causes
            .iter()
            .map(|(f, m)| json!({"reason": "FieldValueInvalid", "message": m, "field": f}))
            .collect();
        e.details =
            Some(json!({"name": name, "group": res.group, "kind": res.kind, "causes": causes}));
        e
    }

    pub fn unsupported_media(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml ({ct})"
            ),
        )
    }

    pub fn too_large() -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728",
        )
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// The `metav1.Status` body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let (Some(d), Some(o)) = (&self.details, s.as_object_mut()) {
            let mut d = d.clone();
            // StatusDetails' fields are all `omitempty`: no `"group": ""` for core kinds.
            if let Some(m) = d.as_object_mut() {
                m.retain(|_, v| v.as_str() != Some(""));
            }
            let cont = d.as_object_mut().and_then(|m| m.remove(LIST_CONTINUE));
            if let Some(c) = cont {
                o.insert("metadata".into(), json!({"continue": c}));
            }
            if d.as_object().is_none_or(|m| !m.is_empty()) {
                o.insert("details".into(), d);
            }
        }
        s
    }
}
