//! Client-side validation of built objects against a CRD's `openAPIV3Schema`, plus the CEL rules
//! of HostedCluster and NodePool that can be checked without a server.
//!
//! The structural-schema subset checked: `type`, `properties` (unknown fields are errors unless
//! `x-kubernetes-preserve-unknown-fields`), `additionalProperties`, `required`, `enum`,
//! `pattern`, `minLength`/`maxLength`, `minItems`/`maxItems`, `minimum`/`maximum`,
//! `maxProperties`, `items`, `anyOf` of types, `nullable` and `x-kubernetes-int-or-string`.
//! `x-kubernetes-validations` (CEL) rules are not evaluated generically; the ones that matter for
//! the objects the wizard builds are re-implemented in [`hostedcluster_cel`] and
//! [`nodepool_cel`].

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

/// One schema violation: the JSON path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The `openAPIV3Schema` of one version of a CRD.
pub struct CrdSchema {
    pub kind: String,
    pub version: String,
    schema: Value,
    regexes: std::sync::Mutex<HashMap<String, Option<Regex>>>,
}

/// Why a CRD manifest gives no schema.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    #[error("cannot read CRD {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the CRD is not valid YAML: {0}")]
    NotYaml(#[from] serde_yaml::Error),
    #[error("the CRD has no spec.names.kind")]
    NoKind,
    #[error("the CRD has no spec.versions")]
    NoVersions,
    #[error("the CRD for {kind} has no version {version}")]
    NoVersion { kind: String, version: String },
    #[error("{kind} {version} has no openAPIV3Schema")]
    NoSchema { kind: String, version: String },
}

impl CrdSchema {
    /// Parse a CRD manifest (YAML) and take the schema of `version`.
    pub fn from_crd_yaml(text: &str, version: &str) -> Result<Self, CrdError> {
        let crd: Value = serde_yaml::from_str(text)?;
        let kind = crd
            .pointer("/spec/names/kind")
            .and_then(Value::as_str)
            .ok_or(CrdError::NoKind)?
            .to_string();
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or(CrdError::NoVersions)?;
        let Some(v) = versions
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(version))
        else {
            return Err(CrdError::NoVersion {
                kind,
                version: version.into(),
            });
        };
        let Some(schema) = v.pointer("/schema/openAPIV3Schema").cloned() else {
            return Err(CrdError::NoSchema {
                kind,
                version: version.into(),
            });
        };
        Ok(CrdSchema {
            kind,
            version: version.to_string(),
            schema,
            regexes: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Read a CRD file.
    pub fn from_file(path: &Path, version: &str) -> Result<Self, CrdError> {
        let text = std::fs::read_to_string(path).map_err(|source| CrdError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_crd_yaml(&text, version)
    }

    /// Every structural-schema violation in `obj`.
    pub fn validate(&self, obj: &Value) -> Vec<SchemaError> {
        let mut errors = Vec::new();
        self.walk(obj, &self.schema, "", &mut errors);
        errors
    }

    fn regex(&self, pattern: &str) -> Option<Regex> {
        let mut cache = match self.regexes.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        cache
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(pattern).ok())
            .clone()
    }

    fn walk(&self, v: &Value, s: &Value, path: &str, errors: &mut Vec<SchemaError>) {
        let mut err = |message: String| {
            errors.push(SchemaError {
                path: if path.is_empty() {
                    "<root>".into()
                } else {
                    path.to_string()
                },
                message,
            })
        };
        if v.is_null() {
            if s.get("nullable").and_then(Value::as_bool) != Some(true) {
                err("must not be null".into());
            }
            return;
        }
        let int_or_string = s
            .get("x-kubernetes-int-or-string")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if int_or_string {
            if !(v.is_string() || v.is_i64() || v.is_u64()) {
                err("must be an integer or a string".into());
                return;
            }
        } else if let Some(t) = s.get("type").and_then(Value::as_str)
            && !type_matches(v, t)
        {
            err(format!("must be of type {t}, got {}", type_name(v)));
            return;
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            let typed: Vec<&str> = any
                .iter()
                .filter_map(|b| b.get("type").and_then(Value::as_str))
                .collect();
            if !int_or_string && !typed.is_empty() && !typed.iter().any(|t| type_matches(v, t)) {
                err(format!("must be one of the types {}", typed.join(", ")));
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array)
            && !e.contains(v)
        {
            let allowed: Vec<String> = e.iter().map(|x| x.to_string()).collect();
            err(format!(
                "unsupported value {v}: supported values: {}",
                allowed.join(", ")
            ));
        }
        match v {
            Value::String(text) => {
                let n = text.chars().count() as u64;
                if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
                    && n > max
                {
                    err(format!("may not be longer than {max} characters"));
                }
                if let Some(min) = s.get("minLength").and_then(Value::as_u64)
                    && n < min
                {
                    err(format!("must be at least {min} characters"));
                }
                if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                    match self.regex(p) {
                        Some(r) if !r.is_match(text) => {
                            err(format!("{v} does not match the pattern {p}"))
                        }
                        Some(_) => {}
                        None => err(format!("pattern {p} could not be checked client-side")),
                    }
                }
            }
            Value::Number(num) => {
                let x = num.as_f64().unwrap_or(0.0);
                if let Some(max) = s.get("maximum").and_then(Value::as_f64)
                    && x > max
                {
                    err(format!("must be less than or equal to {max}"));
                }
                if let Some(min) = s.get("minimum").and_then(Value::as_f64)
                    && x < min
                {
                    err(format!("must be greater than or equal to {min}"));
                }
            }
            Value::Array(items) => {
                if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
                    && items.len() as u64 > max
                {
                    err(format!("must have at most {max} items"));
                }
                if let Some(min) = s.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    err(format!("must have at least {min} items"));
                }
                if let Some(item_schema) = s.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, item_schema, &format!("{path}[{i}]"), errors);
                    }
                }
            }
            Value::Object(map) => {
                if let Some(req) = s.get("required").and_then(Value::as_array) {
                    for r in req.iter().filter_map(Value::as_str) {
                        if !map.contains_key(r) {
                            errors.push(SchemaError {
                                path: join(path, r),
                                message: "Required value".into(),
                            });
                        }
                    }
                }
                if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
                    && map.len() as u64 > max
                {
                    errors.push(SchemaError {
                        path: path.to_string(),
                        message: format!("must have at most {max} properties"),
                    });
                }
                let props = s.get("properties").and_then(Value::as_object);
                let additional = s.get("additionalProperties");
                let preserve = s
                    .get("x-kubernetes-preserve-unknown-fields")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                for (k, child) in map {
                    let p = join(path, k);
                    if let Some(cs) = props.and_then(|ps| ps.get(k)) {
                        self.walk(child, cs, &p, errors);
                    } else if let Some(a) = additional.filter(|a| a.is_object()) {
                        self.walk(child, a, &p, errors);
                    } else if !preserve
                        && additional.and_then(Value::as_bool) != Some(true)
                        && props.is_some()
                    {
                        errors.push(SchemaError {
                            path: p,
                            message: "unknown field (the server would drop it)".into(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_matches(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn cel(path: &str, message: &str) -> SchemaError {
    SchemaError {
        path: path.into(),
        message: message.into(),
    }
}

fn dns_label_re() -> Option<Regex> {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").ok()
}

/// The HostedCluster CEL rules (x-kubernetes-validations) that can be checked on a new object.
pub fn hostedcluster_cel(hc: &Value) -> Vec<SchemaError> {
    let mut out = Vec::new();
    let spec = &hc["spec"];
    let platform = spec.pointer("/platform/type").and_then(Value::as_str);
    let services = spec["services"].as_array().map(Vec::len).unwrap_or(0);
    let min = if platform == Some("IBMCloud") { 3 } else { 4 };
    if services < min {
        out.push(cel(
            "spec.services",
            "spec.services in body should have at least 4 items or 3 for IBMCloud",
        ));
    }
    if let Some(img) = spec.pointer("/release/image").and_then(Value::as_str)
        && !Regex::new(r"^(\w+\S+)$").is_ok_and(|r| r.is_match(img))
    {
        out.push(cel(
            "spec.release.image",
            "Image must start with a word character (letters, digits, or underscores) and contain no white spaces",
        ));
    }
    if let Some(bd) = spec.pointer("/dns/baseDomain").and_then(Value::as_str)
        && !bd.is_empty()
        && !Regex::new(r"^(?:(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}|[a-zA-Z0-9-]+)$")
            .is_ok_and(|r| r.is_match(bd))
    {
        out.push(cel(
            "spec.dns.baseDomain",
            "baseDomain must be a valid domain name (e.g., example, example.com, sub.example.com)",
        ));
    }
    if let Some(id) = spec.get("infraID").and_then(Value::as_str)
        && !dns_label_re().is_some_and(|r| r.is_match(id))
    {
        out.push(cel(
            "spec.infraID",
            "infraID must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character",
        ));
    }
    let etcd = &spec["etcd"];
    match etcd.get("managementType").and_then(Value::as_str) {
        Some("Managed") if etcd.get("managed").is_none() || etcd.get("unmanaged").is_some() => out
            .push(cel(
                "spec.etcd",
                "Only managed configuration must be set when managementType is Managed",
            )),
        Some("Unmanaged") if etcd.get("unmanaged").is_none() || etcd.get("managed").is_some() => {
            out.push(cel(
                "spec.etcd",
                "Only unmanaged configuration must be set when managementType is Unmanaged",
            ))
        }
        _ => {}
    }
    for (i, s) in spec["services"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let st = &s["servicePublishingStrategy"];
        let t = st.get("type").and_then(Value::as_str).unwrap_or("");
        let path = format!("spec.services[{i}].servicePublishingStrategy");
        if (t == "NodePort") != st.get("nodePort").is_some() {
            out.push(cel(
                &path,
                "nodePort is required when type is NodePort, and forbidden otherwise",
            ));
        }
        if st.get("route").is_some() && t != "Route" {
            out.push(cel(
                &path,
                "only route is allowed when type is Route, and forbidden otherwise",
            ));
        }
        if st.get("loadBalancer").is_some() && t != "LoadBalancer" {
            out.push(cel(
                &path,
                "only loadBalancer is allowed when type is LoadBalancer, and forbidden otherwise",
            ));
        }
    }
    let net = &spec["networking"];
    if net.get("ovnKubernetesConfig").is_some()
        && net.get("networkType").and_then(Value::as_str) != Some("OVNKubernetes")
    {
        out.push(cel(
            "spec.networking",
            "ovnKubernetesConfig is forbidden when networkType is not OVNKubernetes",
        ));
    }
    let mut cidrs: Vec<&str> = Vec::new();
    for list in ["clusterNetwork", "serviceNetwork", "machineNetwork"] {
        for e in net[list].as_array().into_iter().flatten() {
            if let Some(c) = e.get("cidr").and_then(Value::as_str) {
                if cidrs.contains(&c) {
                    out.push(cel(
                        "spec.networking",
                        "CIDRs in clusterNetwork, serviceNetwork and machineNetwork must not be equal",
                    ));
                }
                cidrs.push(c);
            }
        }
    }
    out
}

/// The NodePool CEL rules that can be checked on a new object.
pub fn nodepool_cel(np: &Value) -> Vec<SchemaError> {
    let mut out = Vec::new();
    let spec = &np["spec"];
    if let Some(c) = spec.get("clusterName").and_then(Value::as_str)
        && !dns_label_re().is_some_and(|r| r.is_match(c))
    {
        out.push(cel(
            "spec.clusterName",
            "clusterName must consist of lowercase alphanumeric characters or '-', start and end with an alphanumeric character",
        ));
    }
    if spec.get("replicas").is_some() && spec.get("autoScaling").is_some() {
        out.push(cel(
            "spec",
            "Both replicas or autoScaling should not be set",
        ));
    }
    let platform = spec.pointer("/platform/type").and_then(Value::as_str);
    if let Some(a) = spec.get("autoScaling") {
        let min = a.get("min").and_then(Value::as_i64).unwrap_or(0);
        let max = a.get("max").and_then(Value::as_i64).unwrap_or(0);
        if max < min {
            out.push(cel(
                "spec.autoScaling",
                "max must be equal or greater than min",
            ));
        }
        if min == 0 && !matches!(platform, Some("AWS" | "Azure")) {
            out.push(cel(
                "spec.autoScaling",
                "Scale-from-zero (autoScaling.min=0) is currently only supported for AWS and Azure platforms",
            ));
        }
    }
    let arch = spec.get("arch").and_then(Value::as_str);
    let has = |k: &str| spec["platform"].get(k).is_some();
    if arch == Some("arm64")
        && !(has("aws") || has("azure") || has("agent") || matches!(platform, Some("GCP" | "None")))
    {
        out.push(cel(
            "spec",
            "Setting Arch to arm64 is only supported for AWS, Azure, Agent, GCP and None",
        ));
    }
    if arch == Some("s390x") && !has("kubevirt") {
        out.push(cel("spec", "s390x is only supported on KubeVirt platform"));
    }
    if spec.pointer("/management/inPlace").is_some()
        && spec
            .pointer("/management/upgradeType")
            .and_then(Value::as_str)
            != Some("InPlace")
    {
        out.push(cel(
            "spec.management",
            "The 'inPlace' field can only be set when 'upgradeType' is 'InPlace'",
        ));
    }
    let kv = &spec["platform"]["kubevirt"];
    if kv.get("attachDefaultNetwork").and_then(Value::as_bool) == Some(false)
        && kv["additionalNetworks"]
            .as_array()
            .is_none_or(Vec::is_empty)
    {
        out.push(cel(
            "spec.platform.kubevirt",
            "default network cannot be disabled when no additional networks are configured",
        ));
    }
    out
}
