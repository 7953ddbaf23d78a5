//! Redaction of secret values before anything is shown: Secret `data`/`stringData`, any field or
//! annotation whose name looks like it carries a credential (tokens, passwords, keys, kubeconfigs,
//! pull secrets), and by content whatever the name: kubeconfigs and docker configs (YAML, JSON,
//! quoted or not, base64), PEM private keys, bearer tokens, JWTs, passwords in URLs and SAS
//! signatures, also inside documents held in strings (last-applied-configuration). Pure.

pub mod sig;

use serde_json::{Map, Value};

/// What replaces a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Name fragments (lowercase, without `-`, `_` and `.`) that mark a value as secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "password",
    "passwd",
    "token",
    "secret",
    "kubeconfig",
    "privatekey",
    "apikey",
    "accesskey",
    "secretkey",
    "sshkey",
    "tlskey",
    "keydata",
    "credential",
    "pullsecret",
    "dockerconfig",
    "bearer",
];

/// Name endings (lowercase, normalised) that mark a *reference* to a secret, not the secret.
const REFERENCE_SUFFIXES: &[&str] = &["name", "ref", "refs", "namespace", "names"];

/// A copy of `obj` with every secret value replaced by [`REDACTED`].
pub fn redact(obj: &Value) -> Value {
    let mut out = obj.clone();
    redact_in_place(&mut out, 0);
    out
}

/// Secrets lose `data`, `stringData` and their last-applied copy; then every value is judged
/// by its name and its content.
fn redact_in_place(out: &mut Value, depth: u8) {
    let is_secret = out.get("kind").and_then(Value::as_str) == Some("Secret");
    if is_secret && let Some(map) = out.as_object_mut() {
        for field in ["data", "stringData"] {
            if let Some(Value::Object(m)) = map.get_mut(field) {
                for v in m.values_mut() {
                    *v = Value::String(REDACTED.into());
                }
            }
        }
        if let Some(v) = map
            .get_mut("metadata")
            .and_then(|m| m.get_mut("annotations"))
            .and_then(|a| a.get_mut(LAST_APPLIED))
        {
            *v = Value::String(REDACTED.into());
        }
    }
    redact_value(out, depth);
}

/// kubectl's copy of the applied object: it repeats every value above it, so it is redacted
/// by the same rules (parsed, redacted, written back).
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// How deep documents inside strings (JSON in an annotation, base64 of a kubeconfig...) are
/// opened: enough for real nesting, bounded against hostile input.
const MAX_NESTING: u8 = 4;

fn redact_value(v: &mut Value, depth: u8) {
    match v {
        Value::Object(map) if is_credential_document(map) => *v = Value::String(REDACTED.into()),
        Value::Object(map) => redact_map(map, depth),
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, depth)),
        Value::String(s) => {
            if let Some(r) = redact_string(s, depth) {
                *s = r;
            }
        }
        _ => {}
    }
}

fn redact_map(map: &mut Map<String, Value>, depth: u8) {
    for (key, value) in map.iter_mut() {
        match value {
            Value::String(s) if s != REDACTED && !s.is_empty() && is_secret_name(key) => {
                *s = REDACTED.into();
            }
            _ => redact_value(value, depth),
        }
    }
}

/// A parsed document that is a credential as a whole: a kubeconfig (`kind: Config`, or
/// clusters with users) or a docker config (`auths`).
fn is_credential_document(map: &Map<String, Value>) -> bool {
    let kind_config = map.get("kind").and_then(Value::as_str) == Some("Config")
        && (map.contains_key("users") || map.contains_key("clusters"));
    let kubeconfig = map.contains_key("users") && map.contains_key("clusters");
    let docker = map.get("auths").is_some_and(Value::is_object);
    kind_config || kubeconfig || docker
}

/// The redacted form of a string value, or `None` when it carries nothing secret. Judged by
/// content, whatever the field is called: PEM private keys, bearer tokens and JWTs, URLs with a
/// password, SAS signatures, and documents inside the string (JSON, YAML, base64 of either)
/// that hold any of those or are kubeconfigs or docker configs.
fn redact_string(s: &str, depth: u8) -> Option<String> {
    if s == REDACTED || s.len() < 8 {
        return None;
    }
    if looks_like_secret_value(s) {
        return Some(REDACTED.into());
    }
    if depth < MAX_NESTING
        && let Some(r) = redact_embedded(s, depth + 1)
    {
        return Some(r);
    }
    let scrubbed = in_text(s);
    (scrubbed != s).then_some(scrubbed)
}

/// A JSON or YAML document inside a string: redacted and written back in the same syntax;
/// base64 of a document that holds a secret is redacted whole.
fn redact_embedded(s: &str, depth: u8) -> Option<String> {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        let mut doc: Value = serde_json::from_str(t).ok()?;
        let before = doc.clone();
        redact_in_place(&mut doc, depth);
        return match doc {
            _ if doc == before => None,
            Value::String(r) => Some(r),
            _ => Some(serde_json::to_string(&doc).unwrap_or_else(|_| REDACTED.into())),
        };
    }
    if s.contains('\n') && s.contains(':') {
        let mut doc: Value = serde_yaml::from_str(s).ok()?;
        if !(doc.is_object() || doc.is_array()) {
            return None;
        }
        let before = doc.clone();
        redact_in_place(&mut doc, depth);
        return match doc {
            _ if doc == before => None,
            Value::String(r) => Some(r),
            _ => Some(serde_yaml::to_string(&doc).unwrap_or_else(|_| REDACTED.into())),
        };
    }
    let decoded = decode_base64_text(s)?;
    redact_string(&decoded, depth).map(|_| REDACTED.into())
}

/// Text behind a base64 string (standard alphabet, padded), when it is long enough to hide a
/// credential and decodes to UTF-8.
fn decode_base64_text(s: &str) -> Option<String> {
    use base64::Engine as _;
    if s.len() < 24
        || !s.len().is_multiple_of(4)
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    String::from_utf8(bytes).ok()
}

/// Whether a field, annotation or data key name looks like it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    // Annotation keys: judge the part after the prefix (`example.com/token` -> `token`).
    let last = name.rsplit('/').next().unwrap_or(name);
    let lower = last.to_ascii_lowercase();
    if lower.ends_with(".key") || lower.ends_with(".pem") && lower.contains("key") {
        return true;
    }
    let norm: String = lower
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .collect();
    // Docker config entries: `auth` is base64 of user:password, `identitytoken` a token.
    if matches!(norm.as_str(), "auth" | "identitytoken" | "registrytoken") {
        return true;
    }
    if REFERENCE_SUFFIXES.iter().any(|s| norm.ends_with(s)) {
        return false;
    }
    SECRET_NAME_PARTS.iter().any(|p| norm.contains(p))
}

/// Values that are secrets whatever their field is called: PEM private keys, kubeconfigs
/// carrying credentials, bearer tokens and JSON Web Tokens (service-account tokens).
pub fn looks_like_secret_value(s: &str) -> bool {
    let t = s.trim();
    (s.contains("-----BEGIN") && s.contains("PRIVATE KEY"))
        || (s.contains("kind: Config")
            && (s.contains("token:") || s.contains("client-key-data") || s.contains("password:")))
        || bearer_token(t)
        || is_jwt(t)
}

fn bearer_token(t: &str) -> bool {
    t.len() > 7
        && t.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        && !t[7..].trim().contains(char::is_whitespace)
}

/// `header.payload.signature`, base64url, with a JSON header (`eyJ` is `{"`).
fn is_jwt(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 3
        && t.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.len() >= 4
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Scrub secrets out of free text (a URL, an error message, a table cell): the password of
/// `scheme://user:password@host`, a SAS `sig=`, `Bearer <token>`, and PEM private-key blocks.
pub fn in_text(text: &str) -> String {
    let mut out = sig::redact(text);
    out = userinfo_passwords(&out);
    out = bearer_in_text(&out);
    pem_private_keys(&out)
}

/// `scheme://user:password@` becomes `scheme://user:<redacted>@`, wherever it is in `text`.
fn userinfo_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        // The authority ends at the path, query, fragment, whitespace or a quote.
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, pass)) if !pass.is_empty() && pass != REDACTED => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(REDACTED);
                    }
                    _ => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `Bearer <token>` (any case) in free text keeps the word and loses the token.
fn bearer_in_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(pos) = lower[i..].find("bearer ") {
        let start = i + pos + "bearer ".len();
        out.push_str(&text[i..start]);
        let token_len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ')'))
            .unwrap_or(text.len() - start);
        let token = &text[start..start + token_len];
        // Prose ("bearer token rejected") keeps its words; a token is long and has no vowels-only
        // shape: judge by length and a digit or symbol.
        if token.len() >= 16 && token.bytes().any(|b| !b.is_ascii_alphabetic()) {
            out.push_str(REDACTED);
        } else {
            out.push_str(token);
        }
        i = start + token_len;
    }
    out.push_str(&text[i..]);
    out
}

/// PEM private-key blocks in free text become one `<redacted>`.
fn pem_private_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let header = rest[begin..].lines().next().unwrap_or_default();
        let end = rest[begin..].find("-----END ").and_then(|e| {
            let after = begin + e + "-----END ".len();
            rest[after..]
                .find("-----")
                .map(|c| after + c + "-----".len())
        });
        match end {
            Some(end) if header.contains("PRIVATE KEY") => {
                out.push_str(&rest[..begin]);
                out.push_str(REDACTED);
                rest = &rest[end..];
            }
            _ => {
                out.push_str(&rest[..begin + "-----BEGIN ".len()]);
                rest = &rest[begin + "-----BEGIN ".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_secret_data_and_string_data_but_keeps_keys() {
        let s = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "pull-secret", "namespace": "openshift-config",
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"x\":\"c2VjcmV0\"}}"}},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "eyJhdXRocyI6e319", "plain": "aGVsbG8="},
            "stringData": {"anything": "visible?"}
        });
        let r = redact(&s);
        assert_eq!(r["data"][".dockerconfigjson"], REDACTED);
        assert_eq!(r["data"]["plain"], REDACTED);
        assert_eq!(r["stringData"]["anything"], REDACTED);
        assert_eq!(
            r["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            REDACTED
        );
        assert_eq!(r["metadata"]["name"], "pull-secret");
        assert_eq!(r["type"], "kubernetes.io/dockerconfigjson");
    }

    #[test]
    fn redacts_secret_looking_fields_in_any_kind_but_not_references() {
        let o = json!({
            "kind": "HostedCluster",
            "metadata": {"name": "hc1", "annotations": {
                "example.com/api-token": "abc123",
                "openshift.io/token-secret.name": "builder-token-x",
                "note": "hello"}},
            "spec": {
                "pullSecret": {"name": "pull-secret"},
                "sshKey": {"name": "ssh"},
                "secretName": "my-secret",
                "password": "hunter2",
                "kubeconfig": "apiVersion: v1",
                "nested": [{"bootstrapToken": "t0k3n", "tls.key": "xyz", "key": "node-role"}],
                "automountServiceAccountToken": true
            }
        });
        let r = redact(&o);
        assert_eq!(
            r["metadata"]["annotations"]["example.com/api-token"],
            REDACTED
        );
        assert_eq!(
            r["metadata"]["annotations"]["openshift.io/token-secret.name"],
            "builder-token-x"
        );
        assert_eq!(r["metadata"]["annotations"]["note"], "hello");
        assert_eq!(r["spec"]["pullSecret"]["name"], "pull-secret");
        assert_eq!(r["spec"]["sshKey"]["name"], "ssh");
        assert_eq!(r["spec"]["secretName"], "my-secret");
        assert_eq!(r["spec"]["password"], REDACTED);
        assert_eq!(r["spec"]["kubeconfig"], REDACTED);
        assert_eq!(r["spec"]["nested"][0]["bootstrapToken"], REDACTED);
        assert_eq!(r["spec"]["nested"][0]["tls.key"], REDACTED);
        assert_eq!(r["spec"]["nested"][0]["key"], "node-role");
        assert_eq!(r["spec"]["automountServiceAccountToken"], true);
    }

    #[test]
    fn redacts_private_keys_and_kubeconfigs_by_value() {
        let o = json!({"kind": "ConfigMap", "data": {
            "blob": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "cfg": "apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: abc",
            "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}});
        let r = redact(&o);
        assert_eq!(r["data"]["blob"], REDACTED);
        assert_eq!(r["data"]["cfg"], REDACTED);
        assert!(
            r["data"]["ca.crt"]
                .as_str()
                .unwrap()
                .contains("CERTIFICATE")
        );
    }

    #[test]
    fn leaves_ordinary_nodes_alone() {
        let n = json!({"kind": "Node", "metadata": {"name": "w0", "labels": {"kubernetes.io/arch": "arm64"}},
            "spec": {"taints": [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}]}});
        assert_eq!(redact(&n), n);
    }
}
