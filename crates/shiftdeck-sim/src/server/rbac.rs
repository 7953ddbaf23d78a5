//! The two users' permissions, decided as a real OpenShift authorizer chain decides them. The
//! admin (`system:admin`, group `system:masters`) passes the SystemMasters authorizer (allowed,
//! with no reason) and is bound to `cluster-admin`; the viewer is bound to OpenShift's
//! `cluster-reader` (get/list/watch on every kind the sim serves except Secrets, as the `view`
//! role leaves Secrets out) and, like every authenticated user, to `system:basic-user` (the self
//! reviews) and `system:discovery` / `system:public-info-viewer` (non-resource reads). Rules are
//! matched as RBAC's `RuleAllows` does, so a review of a kind the sim does not serve is answered
//! like any other.

use serde_json::{Value, json};

use super::auth::User;
use crate::resources::{self, ResourceDef};
use crate::{Faults, Profile};

/// One RBAC policy rule and the binding that grants it (the `RBAC: allowed by …` source).
struct Rule {
    verbs: Vec<&'static str>,
    groups: Vec<String>,
    /// `plural`, `plural/sub`, `*` or `*/sub`, as in a ClusterRole.
    resources: Vec<String>,
    /// Non-resource URLs (`/healthz`, `/api/*`, `*`); a rule has resources or URLs, not both.
    urls: Vec<&'static str>,
    source: &'static str,
}

const READ: &[&str] = &["get", "list", "watch"];
const CLUSTER_ADMIN: &str = "ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\"";
const CLUSTER_READER: &str =
    "ClusterRoleBinding \"viewer\" of ClusterRole \"cluster-reader\" to User \"viewer\"";
const BASIC_USER: &str = "ClusterRoleBinding \"system:basic-user\" of ClusterRole \"system:basic-user\" to Group \"system:authenticated\"";
const DISCOVERY: &str = "ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"";
const PUBLIC_INFO: &str = "ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:authenticated\"";

/// The kinds nobody but an admin reads: the `view` and `cluster-reader` roles leave them out.
const UNREADABLE: &[&str] = &["secrets"];

/// The rules every authenticated user holds (Kubernetes' bootstrap policy).
fn authenticated_rules() -> Vec<Rule> {
    vec![
        Rule {
            verbs: vec!["create"],
            groups: vec!["authorization.k8s.io".into()],
            resources: vec![
                "selfsubjectaccessreviews".into(),
                "selfsubjectrulesreviews".into(),
            ],
            urls: vec![],
            source: BASIC_USER,
        },
        Rule {
            verbs: vec!["create"],
            groups: vec!["authentication.k8s.io".into()],
            resources: vec!["selfsubjectreviews".into()],
            urls: vec![],
            source: BASIC_USER,
        },
        Rule {
            verbs: vec!["get"],
            groups: vec![],
            resources: vec![],
            urls: vec![
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/openapi",
                "/openapi/*",
                "/readyz",
                "/version",
                "/version/",
            ],
            source: DISCOVERY,
        },
        Rule {
            verbs: vec!["get"],
            groups: vec![],
            resources: vec![],
            urls: vec!["/healthz", "/livez", "/readyz", "/version", "/version/"],
            source: PUBLIC_INFO,
        },
    ]
}

/// `cluster-reader` for this profile: one read rule per API group, naming every served kind
/// (and its readable subresources) but the [`UNREADABLE`] ones.
fn reader_rules(profile: Profile) -> Vec<Rule> {
    let mut by_group: Vec<(&str, Vec<String>)> = Vec::new();
    let readable =
        resources::served(profile).filter(|r| !r.is_virtual() && !UNREADABLE.contains(&r.plural));
    for r in readable {
        let names = std::iter::once(r.plural.to_string()).chain(
            r.subresources
                .iter()
                .filter(|s| readable_subresource(s))
                .map(|s| format!("{}/{s}", r.plural)),
        );
        match by_group.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, list)) => list.extend(names),
            None => by_group.push((r.group, names.collect())),
        }
    }
    by_group
        .into_iter()
        .map(|(group, mut names)| {
            names.sort();
            names.dedup();
            Rule {
                verbs: READ.to_vec(),
                groups: vec![group.to_string()],
                resources: names,
                urls: vec![],
                source: CLUSTER_READER,
            }
        })
        .collect()
}

/// Subresources a reader may get: not the write-only ones (`eviction`, `approval`, `binding`,
/// `finalize`).
fn readable_subresource(sub: &str) -> bool {
    !matches!(sub, "eviction" | "approval" | "binding" | "finalize")
}

fn rules(user: User, profile: Profile) -> Vec<Rule> {
    let mut rules = match user {
        User::Admin => vec![
            Rule {
                verbs: vec!["*"],
                groups: vec!["*".into()],
                resources: vec!["*".into()],
                urls: vec![],
                source: CLUSTER_ADMIN,
            },
            Rule {
                verbs: vec!["*"],
                groups: vec![],
                resources: vec![],
                urls: vec!["*"],
                source: CLUSTER_ADMIN,
            },
        ],
        User::Viewer => reader_rules(profile),
    };
    rules.extend(authenticated_rules());
    rules
}

/// What a request (or a review) asks for.
#[derive(Clone, Copy, Debug)]
pub struct Attrs<'a> {
    pub group: &'a str,
    pub resource: &'a str,
    pub sub: Option<&'a str>,
    pub verb: &'a str,
}

/// RBAC's `ResourceMatches`: `*`, the combined `plural/sub`, or `*/sub`.
fn resource_matches(rule: &Rule, a: &Attrs) -> bool {
    let combined = match a.sub {
        Some(s) => format!("{}/{s}", a.resource),
        None => a.resource.to_string(),
    };
    rule.resources.iter().any(|r| {
        r == "*" || *r == combined || a.sub.is_some_and(|s| r.strip_prefix("*/") == Some(s))
    })
}

fn rule_allows(rule: &Rule, a: &Attrs) -> bool {
    (rule.verbs.contains(&"*") || rule.verbs.contains(&a.verb))
        && rule.groups.iter().any(|g| g == "*" || g == a.group)
        && resource_matches(rule, a)
}

/// Whether `user` may do `a`, with the reason a real authorizer gives: none for the admin
/// (SystemMasters allows before RBAC is asked), `RBAC: allowed by …` for the viewer's
/// grants, and none for a denial (RBAC has no opinion and says nothing). The `forbid=` fault
/// denies its kinds to both users.
pub fn decide(user: User, faults: &Faults, profile: Profile, a: &Attrs) -> (bool, String) {
    if faults.forbid.iter().any(|f| f == a.resource) {
        return (false, String::new());
    }
    if user == User::Admin {
        return (true, String::new());
    }
    match rules(user, profile).iter().find(|r| rule_allows(r, a)) {
        Some(r) => (true, format!("RBAC: allowed by {}", r.source)),
        None => (false, String::new()),
    }
}

/// Whether `user` may `verb` the non-resource URL `path` (`*` rules, `/prefix/*` globs).
pub fn decide_path(user: User, path: &str, verb: &str) -> (bool, String) {
    if user == User::Admin {
        return (true, String::new());
    }
    let matches =
        |u: &str| u == "*" || u == path || u.strip_suffix('*').is_some_and(|p| path.starts_with(p));
    let found = rules(user, Profile::Hub).into_iter().find(|r| {
        (r.verbs.contains(&"*") || r.verbs.contains(&verb)) && r.urls.iter().any(|u| matches(u))
    });
    match found {
        Some(r) => (true, format!("RBAC: allowed by {}", r.source)),
        None => (false, String::new()),
    }
}

/// The `status` of a SelfSubjectRulesReview: the caller's rules, resource and non-resource,
/// as the RBAC rule resolver lists them (`kubectl auth can-i --list`).
pub fn rules_review_status(user: User, profile: Profile) -> Value {
    let all = rules(user, profile);
    let resource_rules: Vec<Value> = all
        .iter()
        .filter(|r| !r.resources.is_empty())
        .map(|r| json!({"verbs": r.verbs, "apiGroups": r.groups, "resources": r.resources}))
        .collect();
    let non_resource_rules: Vec<Value> = all
        .iter()
        .filter(|r| !r.urls.is_empty())
        .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.urls}))
        .collect();
    json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
        "incomplete": false})
}

/// The attributes of a request on `res`.
pub fn attrs_of<'a>(res: &'a ResourceDef, sub: Option<&'a str>, verb: &'a str) -> Attrs<'a> {
    Attrs {
        group: res.group,
        resource: res.plural,
        sub,
        verb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a<'a>(group: &'a str, resource: &'a str, sub: Option<&'a str>, verb: &'a str) -> Attrs<'a> {
        Attrs {
            group,
            resource,
            sub,
            verb,
        }
    }

    #[test]
    fn viewer_reads_every_served_kind_but_secrets() {
        let none = Faults::default();
        let hub = Profile::Hub;
        let (ok, why) = decide(User::Viewer, &none, hub, &a("", "nodes", None, "list"));
        assert!(ok);
        assert_eq!(
            why,
            "RBAC: allowed by ClusterRoleBinding \"viewer\" of ClusterRole \"cluster-reader\" to User \"viewer\""
        );
        let np = "hypershift.openshift.io";
        assert!(
            decide(
                User::Viewer,
                &none,
                hub,
                &a(np, "nodepools", Some("scale"), "get")
            )
            .0
        );
        assert!(
            !decide(
                User::Viewer,
                &none,
                hub,
                &a(np, "nodepools", Some("scale"), "update")
            )
            .0
        );
        assert_eq!(
            decide(User::Viewer, &none, hub, &a("", "secrets", None, "get")),
            (false, String::new())
        );
        // The group must match: no `nodes` in another group.
        assert!(!decide(User::Viewer, &none, hub, &a("apps", "nodes", None, "get")).0);
        // A kind the sim does not serve: no rule names it.
        assert_eq!(
            decide(
                User::Viewer,
                &none,
                hub,
                &a("example.com", "widgets", None, "get")
            ),
            (false, String::new())
        );
        let csr = "certificates.k8s.io";
        let approval = a(
            csr,
            "certificatesigningrequests",
            Some("approval"),
            "update",
        );
        assert!(!decide(User::Viewer, &none, hub, &approval).0);
        let review = a(
            "authorization.k8s.io",
            "selfsubjectrulesreviews",
            None,
            "create",
        );
        assert!(
            decide(User::Viewer, &none, hub, &review)
                .1
                .contains("system:basic-user")
        );
    }

    #[test]
    fn admin_is_a_system_master_and_the_fault_forbids() {
        let none = Faults::default();
        let hub = Profile::Hub;
        for attrs in [
            a("example.com", "widgets", None, "delete"),
            a("certificates.k8s.io", "signers", None, "approve"),
            a("", "secrets", None, "get"),
        ] {
            assert_eq!(
                decide(User::Admin, &none, hub, &attrs),
                (true, String::new())
            );
        }
        let forbid: Faults = "forbid=nodepools".parse().expect("faults");
        let np = a("hypershift.openshift.io", "nodepools", None, "get");
        assert!(!decide(User::Admin, &forbid, hub, &np).0);
        assert!(decide(User::Admin, &forbid, hub, &a("", "nodes", None, "get")).0);
    }

    #[test]
    fn non_resource_urls() {
        assert!(decide_path(User::Viewer, "/healthz", "get").0);
        assert!(decide_path(User::Viewer, "/apis/apps/v1", "get").0);
        assert!(!decide_path(User::Viewer, "/metrics", "get").0);
        assert!(!decide_path(User::Viewer, "/healthz", "post").0);
        assert!(decide_path(User::Admin, "/metrics", "get").0);
    }

    #[test]
    fn rules_review_lists_what_decide_allows() {
        let st = rules_review_status(User::Viewer, Profile::Hub);
        let rules = st["resourceRules"].as_array().expect("rules");
        let core = rules
            .iter()
            .find(|r| r["apiGroups"] == json!([""]))
            .expect("core rule");
        let names: Vec<&str> = core["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            names.contains(&"nodes") && names.contains(&"pods/log"),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.starts_with("secrets")), "{names:?}");
        assert!(!names.contains(&"pods/eviction"), "{names:?}");
        let admin = rules_review_status(User::Admin, Profile::Hub);
        assert_eq!(
            admin["resourceRules"][0],
            json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
        );
        assert_eq!(
            admin["nonResourceRules"][0],
            json!({"verbs": ["*"], "nonResourceURLs": ["*"]})
        );
    }
}
