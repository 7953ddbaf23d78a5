//! Label and field selectors, parsed once per request and matched against stored objects.

use serde_json::Value;

use crate::error::ApiError;
use crate::resources::ResourceDef;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
}

#[derive(Debug, Clone, Default)]
pub struct Selector {
    labels: Vec<(String, Op)>,
    fields: Vec<(String, bool, String)>,
}

fn bad(sel: &str, why: &str) -> ApiError {
    ApiError::bad_request(format!("unable to parse requirement: {why}: {sel:?}"))
}

/// Split on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn valid_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
    });
    name_ok && prefix_ok
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && (v.is_empty()
            || (v.starts_with(|c: char| c.is_ascii_alphanumeric())
                && v.ends_with(|c: char| c.is_ascii_alphanumeric())))
}

fn parse_set(sel: &str, rest: &str) -> Result<Vec<String>, ApiError> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| bad(sel, "expected a parenthesised set of values"))?;
    let vals: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
    if vals.iter().any(|v| !valid_value(v)) {
        return Err(bad(sel, "invalid label value"));
    }
    Ok(vals)
}

fn parse_requirement(req: &str) -> Result<(String, Op), ApiError> {
    let r = req.trim();
    if r.is_empty() {
        return Err(bad(req, "empty requirement"));
    }
    if let Some(key) = r.strip_prefix('!') {
        let key = key.trim();
        return if valid_key(key) {
            Ok((key.to_string(), Op::NotExists))
        } else {
            Err(bad(req, "invalid label key"))
        };
    }
    for (pat, neg) in [(" notin ", true), (" in ", false)] {
        if let Some(i) = r.find(pat) {
            let key = r[..i].trim();
            if !valid_key(key) {
                return Err(bad(req, "invalid label key"));
            }
            let vals = parse_set(req, &r[i + pat.len()..])?;
            let op = if neg { Op::NotIn(vals) } else { Op::In(vals) };
            return Ok((key.to_string(), op));
        }
    }
    let (key, op) = if let Some((k, v)) = r.split_once("!=") {
        (k, Op::NotEq(v.trim().to_string()))
    } else if let Some((k, v)) = r.split_once("==") {
        (k, Op::Eq(v.trim().to_string()))
    } else if let Some((k, v)) = r.split_once('=') {
        (k, Op::Eq(v.trim().to_string()))
    } else {
        (r, Op::Exists)
    };
    let key = key.trim();
    if !valid_key(key) {
        return Err(bad(req, "invalid label key"));
    }
    if let Op::Eq(v) | Op::NotEq(v) = &op
        && !valid_value(v)
    {
        return Err(bad(req, "invalid label value"));
    }
    Ok((key.to_string(), op))
}

/// Fields a kind may be selected by, beyond `metadata.name` and `metadata.namespace`.
fn field_supported(res: &ResourceDef, field: &str) -> bool {
    match field {
        "metadata.name" => true,
        "metadata.namespace" => res.namespaced,
        "spec.nodeName"
        | "status.phase"
        | "spec.schedulerName"
        | "spec.serviceAccountName"
        | "status.podIP"
        | "spec.restartPolicy" => res.plural == "pods",
        "spec.signerName" => res.plural == "certificatesigningrequests",
        "spec.unschedulable" => res.plural == "nodes",
        "type"
        | "reason"
        | "source"
        | "reportingComponent"
        | "involvedObject.name"
        | "involvedObject.kind"
        | "involvedObject.namespace"
        | "involvedObject.uid"
        | "involvedObject.apiVersion"
        | "involvedObject.resourceVersion"
        | "involvedObject.fieldPath" => res.plural == "events",
        _ => false,
    }
}

impl Selector {
    pub fn parse(
        res: &ResourceDef,
        labels: Option<&str>,
        fields: Option<&str>,
    ) -> Result<Self, ApiError> {
        let mut s = Selector::default();
        if let Some(l) = labels.filter(|l| !l.trim().is_empty()) {
            for req in split_top(l) {
                s.labels.push(parse_requirement(req)?);
            }
        }
        if let Some(f) = fields.filter(|f| !f.trim().is_empty()) {
            for req in f.split(',') {
                let (key, neg, val) = if let Some((k, v)) = req.split_once("!=") {
                    (k, true, v)
                } else if let Some((k, v)) = req.split_once("==") {
                    (k, false, v)
                } else if let Some((k, v)) = req.split_once('=') {
                    (k, false, v)
                } else {
                    return Err(ApiError::bad_request(format!(
                        "invalid selector: '{f}'; can't understand '{req}'"
                    )));
                };
                let key = key.trim();
                if !field_supported(res, key) {
                    return Err(ApiError::bad_request(format!(
                        "field label not supported: {key}"
                    )));
                }
                s.fields
                    .push((key.to_string(), neg, val.trim().to_string()));
            }
        }
        Ok(s)
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|(k, op)| match op {
            Op::Eq(v) => label(k) == Some(v.as_str()),
            Op::NotEq(v) => label(k) != Some(v.as_str()),
            Op::In(vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Op::NotIn(vs) => label(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            Op::Exists => label(k).is_some(),
            Op::NotExists => label(k).is_none(),
        });
        labels_ok
            && self.fields.iter().all(|(k, neg, v)| {
                // An Event's `source` selects on its component.
                let pointer = match k.as_str() {
                    "source" => "/source/component".to_string(),
                    _ => format!("/{}", k.replace('.', "/")),
                };
                let actual = match obj.pointer(&pointer) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    // A missing boolean such as spec.unschedulable reads as false, as the server does.
                    None if k == "spec.unschedulable" => "false".into(),
                    _ => String::new(),
                };
                (actual == *v) != *neg
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::by_key;
    use serde_json::json;

    fn m(l: &str, obj: &Value) -> bool {
        Selector::parse(by_key("nodes"), Some(l), None)
            .expect("valid")
            .matches(obj)
    }

    #[test]
    fn label_selectors() {
        let o = json!({"metadata": {"name": "a", "labels": {"kubernetes.io/arch": "arm64", "tier": "x"}}});
        assert!(m("kubernetes.io/arch=arm64", &o));
        assert!(m("kubernetes.io/arch==arm64,tier", &o));
        assert!(!m("kubernetes.io/arch!=arm64", &o));
        assert!(m("tier in (x, y)", &o));
        assert!(!m("tier notin (x,y)", &o));
        assert!(m("!missing", &o));
        assert!(!m("!tier", &o));
        assert!(Selector::parse(by_key("nodes"), Some("a in b"), None).is_err());
        assert!(Selector::parse(by_key("nodes"), Some("=x"), None).is_err());
        assert!(Selector::parse(by_key("nodes"), Some("a=b c"), None).is_err());
    }

    #[test]
    fn field_selectors() {
        let s = Selector::parse(
            by_key("nodes"),
            None,
            Some("metadata.name=a,spec.unschedulable=false"),
        )
        .expect("valid");
        assert!(s.matches(&json!({"metadata": {"name": "a"}})));
        assert!(!s.matches(&json!({"metadata": {"name": "a"}, "spec": {"unschedulable": true}})));
        assert!(Selector::parse(by_key("nodes"), None, Some("spec.nodeName=x")).is_err());
        let csr = by_key("certificatesigningrequests.certificates.k8s.io");
        let s = Selector::parse(
            csr,
            None,
            Some("spec.signerName!=kubernetes.io/kubelet-serving"),
        )
        .expect("valid");
        assert!(s.matches(
            &json!({"spec": {"signerName": "kubernetes.io/kube-apiserver-client-kubelet"}})
        ));
    }
}
