//! The sim's HyperShift schemas carry the facts of the real CRDs: every field the sim declares
//! is checked against the CRD YAML in `../shared/reference/crds` (or `$SHIFTDECK_CRDS`) — type,
//! required, enum, bounds, lengths, item counts, immutability and pattern rules — and every
//! object the sim models as closed declares exactly the CRD's properties. Fails loudly when the
//! CRDs are not there.

use std::path::PathBuf;

use serde_json::Value;
use shiftdeck_sim::schema::node::{Immutable, KindSchema, Ty};
use shiftdeck_sim::schema::{self};

fn crd_dir() -> PathBuf {
    let candidates = [
        std::env::var_os("SHIFTDECK_CRDS").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/crds")),
        Some(PathBuf::from("/work/shared/reference/crds")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("nodepools.hypershift.openshift.io.yaml").is_file())
        .unwrap_or_else(|| {
            panic!("the real HyperShift CRDs are not in ../shared/reference/crds and SHIFTDECK_CRDS is unset: this test needs them")
        })
}

fn crd_spec(gr: &str) -> Value {
    let text = std::fs::read_to_string(crd_dir().join(format!("{gr}.yaml"))).expect("CRD file");
    let crd: Value = serde_yaml::from_str(&text).expect("CRD YAML");
    crd.pointer("/spec/versions/0/schema/openAPIV3Schema/properties/spec")
        .cloned()
        .expect("CRD has a spec schema")
}

/// The CRD node at a path as `KindSchema::paths` spells it (`spec.a.b`, `*` map values, `[]`).
fn at<'a>(spec: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = spec;
    let rest = path.strip_prefix("spec")?;
    let mut steps = Vec::new();
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, lists) = match part.find("[]") {
            Some(i) => (&part[..i], part[i..].matches("[]").count()),
            None => (part, 0),
        };
        steps.push(name.to_string());
        steps.extend(std::iter::repeat_n("[]".to_string(), lists));
    }
    // A bare `spec[]`-style list step right after the root is impossible; handle `x[]` forms.
    for s in steps {
        cur = match s.as_str() {
            "[]" => cur.get("items")?,
            "*" => cur.get("additionalProperties")?,
            name => cur.get("properties")?.get(name)?,
        };
    }
    Some(cur)
}

fn rules(n: &Value) -> Vec<(String, String)> {
    n.get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or("").to_string(),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn sorted(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

fn num(n: &Value, k: &str) -> Option<i64> {
    n.get(k).and_then(Value::as_i64)
}

fn compare(ks: &KindSchema, gr: &str) -> Vec<String> {
    let spec = crd_spec(gr);
    let mut errs = Vec::new();
    for (path, node) in ks.paths() {
        let Some(c) = at(&spec, &path) else {
            errs.push(format!("{path}: not in the CRD"));
            continue;
        };
        let mut e = |what: String| errs.push(format!("{path}: {what}"));
        let ctype = c.get("type").and_then(Value::as_str).unwrap_or("");
        if ctype != node.type_name() {
            e(format!(
                "type {} but the CRD says {ctype}",
                node.type_name()
            ));
        }
        let mut req: Vec<String> = node.required.iter().map(|s| s.to_string()).collect();
        req.sort();
        if req != sorted(c.get("required")) && !matches!(node.ty, Ty::Opaque) {
            e(format!(
                "required {req:?} but the CRD says {:?}",
                sorted(c.get("required"))
            ));
        }
        let mut en: Vec<String> = node.enum_.iter().map(|s| s.to_string()).collect();
        en.sort();
        if en != sorted(c.get("enum")) {
            e(format!(
                "enum {en:?} but the CRD says {:?}",
                sorted(c.get("enum"))
            ));
        }
        for (mine, key) in [
            (node.minimum, "minimum"),
            (node.maximum, "maximum"),
            (node.min_length.map(|x| x as i64), "minLength"),
            (node.max_length.map(|x| x as i64), "maxLength"),
            (node.max_items.map(|x| x as i64), "maxItems"),
            (node.max_properties.map(|x| x as i64), "maxProperties"),
        ] {
            if mine != num(c, key) {
                e(format!("{key} {mine:?} but the CRD says {:?}", num(c, key)));
            }
        }
        let crd_rules = rules(c);
        let crd_immutable = crd_rules.iter().find(|(r, _)| is_immutability(r));
        match (node.immutable, crd_immutable) {
            (None, None) => {}
            (Some((how, msg)), Some((rule, cmsg))) => {
                let once = rule.contains("oldSelf == \"\"");
                if msg != cmsg || once != (how == Immutable::OnceSet) {
                    e(format!(
                        "immutability {how:?} {msg:?} but the CRD rule is {rule:?} {cmsg:?}"
                    ));
                }
            }
            (mine, theirs) => e(format!(
                "immutability {mine:?} but the CRD rule is {theirs:?}"
            )),
        }
        let crd_match = crd_rules.iter().find(|(r, _)| r.contains("self.matches("));
        match (node.matches, crd_match) {
            (None, None) => {}
            (Some((_, msg, empty_ok)), Some((rule, cmsg))) => {
                if msg != cmsg || empty_ok != rule.starts_with("self == \"\"") {
                    e(format!(
                        "pattern rule {msg:?} but the CRD rule is {rule:?} {cmsg:?}"
                    ));
                }
            }
            (mine, theirs) => e(format!(
                "pattern rule {mine:?} but the CRD rule is {theirs:?}"
            )),
        }
        if let Ty::Object(props) = &node.ty {
            let mut mine: Vec<&str> = props.iter().map(|p| p.name).collect();
            mine.sort();
            let mut theirs: Vec<String> = c
                .get("properties")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            theirs.sort();
            if mine != theirs {
                e(format!("declares {mine:?} but the CRD has {theirs:?}"));
            }
        }
        if !matches!(node.ty, Ty::Opaque) {
            errs.extend(rules_covered(ks, &path, &crd_rules));
        }
    }
    errs
}

/// CRD rules on `spec` the sim does not enforce, each with the reason.
const UNMODELLED: &[&str] = &[
    // platform.aws is opaque in the sim, which serves no AWS node pools.
    "ImageType 'Windows' requires arch 'amd64' (AWS only)",
    // Service publishing strategies are opaque; the sim seeds valid ones.
    "Services is immutable. Changes might result in unpredictable and disruptive behavior.",
    "Azure managed platform (ARO HCP) requires OAuthServer to use Route",
    "Self-managed Azure requires OAuthServer to use Route or LoadBalancer",
    "Azure platform requires Konnectivity to use Route service publishing strategy",
    "Azure platform requires Ignition to use Route service publishing strategy",
    "If serviceAccountSigningKey is set, issuerURL must be set",
    "APIServer loadBalancer hostname cannot be in ClusterConfiguration.apiserver.servingCerts.namedCertificates[]",
    "disableMultiNetwork can only be set to true when networkType is 'Other'",
    "ovnKubernetesConfig is forbidden when networkType is not OVNKubernetes",
    "secretEncryption cannot be removed once configured",
];

/// CRD rules at `path` (other than immutability and patterns) the kind must enforce.
fn rules_covered(ks: &KindSchema, path: &str, crd_rules: &[(String, String)]) -> Vec<String> {
    crd_rules
        .iter()
        .filter(|(r, _)| !is_immutability(r) && !r.contains("self.matches("))
        .filter(|(_, m)| !UNMODELLED.contains(&m.as_str()))
        .filter(|(_, m)| !ks.rules.iter().any(|k| k.field == path && k.message == m))
        .map(|(r, m)| format!("{path}: CRD rule not enforced: {m:?} ({r})"))
        .collect()
}

fn is_immutability(rule: &str) -> bool {
    rule.contains("self == oldSelf") && !rule.contains("has(")
}

#[test]
fn nodepool_schema_matches_the_real_crd() {
    let ks = schema::custom("nodepools.hypershift.openshift.io").expect("modelled");
    let errs = compare(ks, "nodepools.hypershift.openshift.io");
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

#[test]
fn hostedcluster_schema_matches_the_real_crd() {
    let ks = schema::custom("hostedclusters.hypershift.openshift.io").expect("modelled");
    let errs = compare(ks, "hostedclusters.hypershift.openshift.io");
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}
