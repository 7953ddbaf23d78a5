//! Kubernetes URL paths to routes, following the API server's RequestInfo rules.

use percent_encoding::percent_decode_str;

use crate::Profile;
use crate::error::ApiError;
use crate::resources::{self, ResourceDef};

#[derive(Debug)]
pub enum Route {
    Health,
    /// `/metrics`: the sim's traffic counters (authenticated, as on a real server).
    Metrics,
    Version,
    OpenApi,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/<group>`
    Group(String),
    /// `/api/v1`, `/apis/<g>/<v>`
    GroupVersion(String, String),
    Resource(ResRoute),
}

#[derive(Debug)]
pub struct ResRoute {
    pub res: &'static ResourceDef,
    pub ns: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

pub fn parse(path: &str, profile: Profile) -> Result<Route, ApiError> {
    let parts = segments(path);
    let p: Vec<&str> = parts.iter().map(String::as_str).collect();
    let not_found = || ApiError::not_found_path(path);
    match p.as_slice() {
        ["healthz" | "readyz" | "livez", ..] => Ok(Route::Health),
        ["version"] => Ok(Route::Version),
        ["metrics"] => Ok(Route::Metrics),
        ["openapi", ..] => Ok(Route::OpenApi),
        ["api"] => Ok(Route::CoreVersions),
        ["apis"] => Ok(Route::Groups),
        ["api", v] if *v == "v1" => Ok(Route::GroupVersion(String::new(), "v1".into())),
        ["apis", g] => known_gv(profile, g, None)
            .then(|| Route::Group((*g).to_string()))
            .ok_or_else(not_found),
        ["apis", g, v] => known_gv(profile, g, Some(v))
            .then(|| Route::GroupVersion((*g).to_string(), (*v).to_string()))
            .ok_or_else(not_found),
        ["api", "v1", rest @ ..] => resource("", "v1", rest, profile).ok_or_else(not_found),
        ["apis", g, v, rest @ ..] => resource(g, v, rest, profile).ok_or_else(not_found),
        _ => Err(not_found()),
    }
}

fn known_gv(profile: Profile, group: &str, version: Option<&str>) -> bool {
    resources::served(profile).any(|r| r.group == group && version.is_none_or(|v| r.version == v))
}

fn resource(group: &str, version: &str, rest: &[&str], profile: Profile) -> Option<Route> {
    let mut ns = None;
    let mut parts = rest;
    if parts.first() == Some(&"namespaces") && parts.len() > 1 {
        ns = Some(parts[1].to_string());
        // `/namespaces/<ns>[/status]` is the Namespace object itself; otherwise the kind follows.
        if parts.len() > 2 && !matches!(parts[2], "status" | "finalize") {
            parts = &parts[2..];
        }
    }
    let (plural, name, sub) = match parts {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some(*name), None),
        [plural, name, sub] => (*plural, Some(*name), Some(*sub)),
        _ => return None,
    };
    let res = resources::find(group, plural)?;
    if res.version != version || !res.served_in(profile) {
        return None;
    }
    if plural == "namespaces" {
        // The namespace in the path is the object's name.
        ns = None;
    }
    if !res.namespaced && ns.is_some() {
        return None;
    }
    if let Some(s) = sub
        && !res.has_subresource(s)
    {
        return None;
    }
    Some(Route::Resource(ResRoute {
        res,
        ns,
        name: name.map(str::to_string),
        sub: sub.map(str::to_string),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResRoute {
        match parse(path, Profile::Hub) {
            Ok(Route::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn parses_kubernetes_paths() {
        let r = res("/api/v1/nodes/n1/status");
        assert_eq!(
            (r.res.plural, r.name.as_deref(), r.sub.as_deref()),
            ("nodes", Some("n1"), Some("status"))
        );
        let r = res("/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools/np/scale");
        assert_eq!(
            (r.ns.as_deref(), r.name.as_deref(), r.sub.as_deref()),
            (Some("clusters"), Some("np"), Some("scale"))
        );
        let r = res("/apis/hypershift.openshift.io/v1beta1/nodepools");
        assert!(r.ns.is_none() && r.name.is_none());
        let r = res("/api/v1/namespaces/clusters");
        assert_eq!(
            (r.res.plural, r.name.as_deref(), r.ns.as_deref()),
            ("namespaces", Some("clusters"), None)
        );
        let r = res("/api/v1/namespaces/clusters/status");
        assert_eq!(
            (r.name.as_deref(), r.sub.as_deref()),
            (Some("clusters"), Some("status"))
        );
        assert!(parse("/apis/nope.io/v1/things", Profile::Hub).is_err());
        assert!(parse("/api/v1/namespaces/x/nodes", Profile::Hub).is_err());
        assert!(
            parse(
                "/apis/hypershift.openshift.io/v1beta1/nodepools",
                Profile::Microshift
            )
            .is_err()
        );
        assert!(matches!(
            parse("/apis/hypershift.openshift.io/v1beta1", Profile::Hub),
            Ok(Route::GroupVersion(..))
        ));
    }
}
