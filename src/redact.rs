//! Redaction of secret values before anything is shown: Secret `data`/`stringData` and any field or
//! annotation whose name looks like it carries a credential (tokens, passwords, keys, kubeconfigs,
//! pull secrets), plus values that are obviously private keys. Pure and side-effect free.

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
    let is_secret = obj.get("kind").and_then(Value::as_str) == Some("Secret");
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
            .and_then(|a| a.get_mut("kubectl.kubernetes.io/last-applied-configuration"))
        {
            *v = Value::String(REDACTED.into());
        }
    }
    redact_value(&mut out);
    out
}

fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => redact_map(map),
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::String(s) if looks_like_secret_value(s) => *s = REDACTED.into(),
        _ => {}
    }
}

fn redact_map(map: &mut Map<String, Value>) {
    for (key, value) in map.iter_mut() {
        match value {
            Value::String(s) if s != REDACTED && !s.is_empty() && is_secret_name(key) => {
                *s = REDACTED.into();
            }
            _ => redact_value(value),
        }
    }
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
    if REFERENCE_SUFFIXES.iter().any(|s| norm.ends_with(s)) {
        return false;
    }
    SECRET_NAME_PARTS.iter().any(|p| norm.contains(p))
}

/// Values that are secrets whatever their field is called: PEM private keys and kubeconfigs
/// carrying credentials.
pub fn looks_like_secret_value(s: &str) -> bool {
    (s.contains("-----BEGIN") && s.contains("PRIVATE KEY"))
        || (s.contains("kind: Config")
            && (s.contains("token:") || s.contains("client-key-data") || s.contains("password:")))
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
