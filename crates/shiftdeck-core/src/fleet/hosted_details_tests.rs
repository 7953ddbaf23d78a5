use serde_json::{Value, json};

use super::*;
use crate::fleet::hosted::tests::hc;

fn partial() -> Value {
    hc(
        "example",
        json!([{"state": "Partial", "version": "", "image": "img", "startedTime": "2026-01-01T00:00:00Z",
                "completionTime": null}]),
        "True",
        "False",
    )
}

fn apps_svc(name: &str, ns: &str, ip: Option<&str>) -> Value {
    let mut s = json!({"metadata": {"name": name, "namespace": ns},
                       "spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}});
    if let Some(ip) = ip {
        s["status"]["loadBalancer"]["ingress"] = json!([{"ip": ip}]);
    }
    s
}

fn ready_pool() -> Value {
    json!({"metadata": {"name": "example", "namespace": "clusters"},
           "spec": {"clusterName": "example", "replicas": 2}, "status": {"replicas": 2}})
}

#[test]
fn control_plane_namespace_replaces_dots() {
    let mut h = partial();
    h["metadata"]["name"] = json!("my.cluster");
    assert_eq!(control_plane_namespace(&h), "clusters-my-cluster");
    assert_eq!(control_plane_namespace(&partial()), "clusters-example");
}

#[test]
fn history_keeps_partial_and_completed_times() {
    let h = hc(
        "example",
        json!([
            {"state": "Partial", "version": "4.18.2", "startedTime": "2026-02-01T00:00:00Z", "completionTime": null},
            {"state": "Completed", "version": "4.18.1", "startedTime": "2026-01-01T00:00:00Z",
             "completionTime": "2026-01-01T00:25:00Z"}]),
        "True",
        "True",
    );
    let hist = version_history(&h);
    assert_eq!(hist.len(), 2);
    assert_eq!(
        (hist[0].state.as_str(), hist[0].completed),
        ("Partial", None)
    );
    let done = &hist[1];
    assert_eq!(
        done.completed
            .unwrap()
            .duration_since(done.started.unwrap())
            .as_mins(),
        25
    );
}

#[test]
fn pod_summary_reports_failing_reasons() {
    let ns = "clusters-example";
    let pods = vec![
        json!({"metadata": {"name": "kube-apiserver-0", "namespace": ns}, "status": {"phase": "Running",
               "containerStatuses": [{"name": "a", "state": {"running": {}}}]}}),
        json!({"metadata": {"name": "etcd-0", "namespace": ns}, "status": {"phase": "Running",
               "containerStatuses": [{"name": "etcd", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}),
        json!({"metadata": {"name": "ignition-server-x", "namespace": ns}, "status": {"phase": "Pending",
               "initContainerStatuses": [{"name": "i", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}),
        json!({"metadata": {"name": "job-x", "namespace": ns}, "status": {"phase": "Failed",
               "containerStatuses": [{"name": "j", "state": {"terminated": {"reason": "Error", "exitCode": 2}}}]}}),
        json!({"metadata": {"name": "evicted", "namespace": ns}, "status": {"phase": "Failed", "reason": "Evicted"}}),
        json!({"metadata": {"name": "oauth-x", "namespace": ns}, "status": {"phase": "Running",
               "containerStatuses": [{"name": "oauth", "ready": false, "state": {"running": {}}}]}}),
        json!({"metadata": {"name": "other-ns", "namespace": "clusters-other"}, "status": {"phase": "Failed"}}),
    ];
    let s = pod_summary(ns, &pods);
    assert_eq!((s.running, s.total), (1, 6));
    let reasons: Vec<(&str, &str)> = s
        .failing
        .iter()
        .map(|f| (f.name.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("etcd-0", "CrashLoopBackOff"),
            ("evicted", "Evicted"),
            ("ignition-server-x", "ImagePullBackOff"),
            ("job-x", "Error (exit 2)"),
            ("oauth-x", "NotReady (oauth)"),
        ]
    );
}

#[test]
fn apps_ingress_prefers_named_service_and_builds_wildcard() {
    let h = partial();
    let svcs = [
        apps_svc("other-apps", "clusters-example", Some("10.0.0.9")),
        apps_svc("example-apps", "clusters-example", Some("192.168.20.30")),
        apps_svc("example-apps", "clusters-elsewhere", Some("1.1.1.1")),
    ];
    let a = apps_ingress(&h, &svcs);
    assert_eq!(a.service.as_deref(), Some("example-apps"));
    assert_eq!(a.external.as_deref(), Some("192.168.20.30"));
    assert_eq!(
        a.wildcard_dns.as_deref(),
        Some("*.apps.example.hypershift.lab")
    );
    let mut no_domain = partial();
    no_domain["spec"]["dns"]["baseDomain"] = json!("");
    assert_eq!(apps_ingress(&no_domain, &[]).wildcard_dns, None);
}

#[test]
fn partial_explanations_follow_the_seed_steps() {
    let h = partial();
    let nothing = explain_partial(&h, &apps_ingress(&h, &[]), 2);
    assert_eq!(nothing.len(), 1);
    assert!(
        nothing[0].starts_with(
            "waiting for ingress/DNS: no LoadBalancer service `example-apps` in clusters-example"
        ),
        "{nothing:?}"
    );
    assert!(nothing[0].contains("*.apps.example.hypershift.lab"));

    let pending = [apps_svc("example-apps", "clusters-example", None)];
    let p = explain_partial(&h, &apps_ingress(&h, &pending), 2);
    assert!(
        p[0].contains("has no external IP yet (is a load balancer"),
        "{p:?}"
    );

    // The sim's `guest` cluster: the service asks for a MetalLB pool that does not exist.
    let mut asks = apps_svc("example-apps", "clusters-example", None);
    asks["metadata"]["annotations"] = json!({"metallb.universe.tf/address-pool": "guest-apps"});
    let a = apps_ingress(&h, &[asks]);
    assert_eq!(a.address_pool.as_deref(), Some("guest-apps"));
    let p = explain_partial(&h, &a, 2);
    assert!(
        p[0].contains("asks MetalLB for address pool `guest-apps`"),
        "{p:?}"
    );

    let ready = [apps_svc(
        "example-apps",
        "clusters-example",
        Some("192.168.20.30"),
    )];
    let r = explain_partial(&h, &apps_ingress(&h, &ready), 2);
    assert!(
        r[0].contains("*.apps.example.hypershift.lab resolves to 192.168.20.30"),
        "{r:?}"
    );

    let no_nodes = explain_partial(&h, &apps_ingress(&h, &ready), 0);
    assert!(
        no_nodes
            .iter()
            .any(|l| l.starts_with("no guest nodes are ready"))
    );
}

#[test]
fn partial_explanations_name_blockers_first() {
    let mut h = partial();
    h["status"]["conditions"] = json!([
        {"type": "Available", "status": "False", "reason": "WaitingForAvailable",
         "message": "Waiting for hosted control plane to be healthy"},
        {"type": "ValidReleaseImage", "status": "False", "reason": "InvalidImage",
         "message": "unknown release"},
        {"type": "Degraded", "status": "True", "reason": "X", "message": "etcd down"}
    ]);
    let e = explain_partial(&h, &apps_ingress(&h, &[]), 1);
    assert_eq!(
        e[0],
        "blocked by ValidReleaseImage=False (InvalidImage): the release image is not valid: unknown release"
    );
    assert_eq!(
        e[1],
        "control plane not available yet: Waiting for hosted control plane to be healthy"
    );
    assert_eq!(e[2], "degraded: etcd down");
}

#[test]
fn partial_while_progressing_names_the_release() {
    let mut h = partial();
    h["status"]["conditions"][1] = json!({"type": "Progressing", "status": "True", "reason": "Progressing",
        "message": "HostedCluster is deploying, upgrading, or reconfiguring"});
    let ready = [apps_svc(
        "example-apps",
        "clusters-example",
        Some("192.168.20.30"),
    )];
    let e = explain_partial(&h, &apps_ingress(&h, &ready), 2);
    assert_eq!(
        e[0],
        "rolling out release quay.io/openshift-release-dev/ocp-release:4.x.0-x86_64: HostedCluster is deploying, upgrading, or reconfiguring"
    );
}

#[test]
fn completed_cluster_needs_no_explanation() {
    let h = hc(
        "example",
        json!([{"state": "Completed", "version": "4.x.0"}]),
        "True",
        "False",
    );
    assert!(explain_partial(&h, &apps_ingress(&h, &[]), 0).is_empty());
}

#[test]
fn details_collect_endpoints_and_unhealthy_conditions() {
    let mut h = partial();
    h["status"]["controlPlaneEndpoint"] = json!({"host": "192.168.1.10", "port": 6443});
    h["status"]["oauthCallbackURLTemplate"] =
        json!("https://oauth.example.hypershift.lab:443/oauth2callback/[identity-provider-name]");
    h["status"]["conditions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "Degraded", "status": "True", "reason": "X", "message": "m"}));
    let d = HostedClusterDetails::new(&h, &[ready_pool()], &[], &[]);
    assert_eq!(d.api_endpoint.as_deref(), Some("https://192.168.1.10:6443"));
    assert!(
        d.oauth_callback_template
            .as_deref()
            .unwrap()
            .starts_with("https://oauth.")
    );
    assert_eq!(
        d.unhealthy().map(|c| c.type_.as_str()).collect::<Vec<_>>(),
        ["Degraded"]
    );
    assert_eq!(d.control_plane_namespace, "clusters-example");
    assert_eq!(d.row.nodes_ready, 2);
    assert!(!d.partial_reasons.is_empty());
}

#[test]
fn failing_control_plane_components_say_what_stops_working() {
    assert!(
        component_impact("machine-approver-86f16b5152-4l2q6")
            .is_some_and(|i| i.contains("CSRs are not approved"))
    );
    assert!(component_impact("etcd-0").is_some_and(|i| i.contains("quorum")));
    // The proxy is its own component, not the ignition server.
    assert_ne!(
        component_impact("ignition-server-proxy-5d8f7c9b6-x2x9z"),
        component_impact("ignition-server-7c9b6d8f5-abcde")
    );
    assert_eq!(component_impact("olm-operator-7c9b6d8f5-abcde"), None);
    assert_eq!(component_impact("machine"), None);
}
