//! The pure overview model built from JSON: flavor, payload, health checks (including failing
//! pods), WMCO health and counts.
#![allow(clippy::unwrap_used)]

use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{Value, json};
use shiftdeck::overview::counts::preflight_row;
use shiftdeck::overview::health::{self, ApiHealth, CheckStatus, HealthInputs};
use shiftdeck::overview::identity::{self, Payload};
use shiftdeck::overview::windows::{WmcoHealth, WmcoInputs, on_version};
use shiftdeck::overview::{ClusterFlavor, Fetched, OverviewInputs, OverviewModel, Pane, Presence};
use shiftdeck::wizard::preflight::{Check, Status};

fn pf_check(id: &'static str, status: Status) -> Check {
    Check {
        id,
        title: id,
        status,
        seen: String::new(),
        fix: String::new(),
    }
}

#[test]
fn preflight_count_names_failures_and_needs_attention_only_where_control_planes_are_hosted() {
    let none = preflight_row(None, true);
    assert_eq!(
        (none.value.as_str(), none.detail.as_str()),
        ("-", "not run")
    );
    assert!(!none.attention);
    let passing = [pf_check("a", Status::Pass), pf_check("b", Status::Warn)];
    let ok = preflight_row(Some(&passing), true);
    assert_eq!(ok.value, "0");
    assert_eq!(ok.detail, "all 2 HCP-on-KubeVirt checks pass, 1 warning(s)");
    assert!(!ok.attention);
    let failing = [
        pf_check("a", Status::Fail),
        pf_check("metallb", Status::Fail),
    ];
    let hub = preflight_row(Some(&failing), true);
    assert_eq!(hub.value, "2");
    assert_eq!(hub.detail, "2 of 2 HCP-on-KubeVirt checks fail: a, metallb");
    assert!(hub.attention);
    // Without HyperShift (an Azure cluster) the count says what is missing, quietly.
    let azure = preflight_row(Some(&failing), false);
    assert_eq!(azure.value, "2");
    assert_eq!(
        azure.detail,
        "HyperShift not installed; 2 of 2 HCP-on-KubeVirt checks unmet"
    );
    assert!(!azure.attention);
    assert_eq!(azure.pane, Pane::Preflight);
}

fn pod(ns: &str, name: &str, containers: Value, ready: bool, phase: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": ns},
        "spec": {"containers": [{"name": "c", "image": "quay.io/x@sha256:00"}]},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": containers
        }
    }))
    .unwrap()
}

fn running(name: &str, restarts: i32) -> Value {
    json!({"name": name, "image": "i", "imageID": "i", "ready": true, "restartCount": restarts, "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}})
}

fn waiting(name: &str, reason: &str, restarts: i32) -> Value {
    json!({"name": name, "image": "i", "imageID": "", "ready": false, "restartCount": restarts, "state": {"waiting": {"reason": reason, "message": "..."}}})
}

fn node(name: &str, arch: &str, os: &str, ready: bool, cp: bool, annotations: Value) -> Node {
    let mut labels = json!({"kubernetes.io/arch": arch, "kubernetes.io/os": os});
    if cp {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
    }))
    .unwrap()
}

fn ok_api() -> Fetched<ApiHealth> {
    Fetched::Present(ApiHealth {
        ok: true,
        body: "ok".into(),
    })
}

fn all_ns() -> Fetched<Vec<String>> {
    Fetched::Present(
        health::CORE_NAMESPACES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
}

fn check<'a>(r: &'a health::HealthReport, id: &str, ns: &str) -> &'a health::HealthCheck {
    r.checks
        .iter()
        .find(|c| c.id == id && c.namespace.as_deref() == Some(ns))
        .unwrap_or_else(|| panic!("no {id} for {ns}"))
}

#[test]
fn health_fails_on_image_pulls_readiness_and_restarts() {
    let pods = Fetched::Present(vec![
        pod(
            "openshift-dns",
            "dns-default-abcde",
            json!([running("dns", 0)]),
            true,
            "Running",
        ),
        pod(
            "openshift-ingress",
            "router-default-7f-x1",
            json!([waiting("router", "ImagePullBackOff", 0)]),
            false,
            "Pending",
        ),
        pod(
            "openshift-ovn-kubernetes",
            "ovnkube-node-zz",
            json!([
                running("ovn-controller", 0),
                waiting("ovnkube-node", "CrashLoopBackOff", 12)
            ]),
            false,
            "Running",
        ),
        pod(
            "kube-system",
            "csi-snapshot-controller-1",
            json!([running("snapshot-controller", 5)]),
            true,
            "Running",
        ),
        pod(
            "openshift-storage",
            "topolvm-node-q",
            json!([running("lvmd", 2)]),
            true,
            "Running",
        ),
        pod(
            "openshift-service-ca",
            "service-ca-1",
            json!([waiting("service-ca-controller", "ErrImagePull", 0)]),
            false,
            "Pending",
        ),
        // Not a core namespace: ignored even though it is broken.
        pod(
            "default",
            "app",
            json!([waiting("app", "ImagePullBackOff", 0)]),
            false,
            "Pending",
        ),
    ]);
    let r = health::evaluate(&HealthInputs {
        api: &ok_api(),
        namespaces: &all_ns(),
        pods: &pods,
        any_running: &Fetched::NotServed,
        expect_pods: true,
    });
    assert!(!r.healthy);
    assert_eq!(r.checks[0].id, "api-health");
    assert_eq!(r.checks[0].status, CheckStatus::Pass);
    assert_eq!(r.checks[1].status, CheckStatus::Pass, "{:?}", r.checks[1]);

    let c = check(&r, "images-pulled", "openshift-ingress");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.pods, ["openshift-ingress/router-default-7f-x1"]);
    assert!(c.detail.contains("ImagePullBackOff"), "{}", c.detail);
    assert_eq!(
        check(&r, "images-pulled", "openshift-service-ca").status,
        CheckStatus::Fail
    );
    assert!(
        check(&r, "images-pulled", "openshift-service-ca")
            .detail
            .contains("ErrImagePull")
    );
    assert_eq!(
        check(&r, "pods-ready", "openshift-ingress").status,
        CheckStatus::Fail
    );

    let c = check(&r, "pods-not-restarting", "openshift-ovn-kubernetes");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.detail.contains("CrashLoopBackOff"));
    assert_eq!(c.pods, ["openshift-ovn-kubernetes/ovnkube-node-zz"]);
    // CrashLoopBackOff does not mean the image failed to pull.
    assert_eq!(
        check(&r, "images-pulled", "openshift-ovn-kubernetes").status,
        CheckStatus::Pass
    );

    // Restart count at the threshold fails, below passes.
    assert_eq!(
        check(&r, "pods-not-restarting", "kube-system").status,
        CheckStatus::Fail
    );
    assert!(
        check(&r, "pods-not-restarting", "kube-system")
            .detail
            .contains("5 restarts")
    );
    assert_eq!(
        check(&r, "pods-not-restarting", "openshift-storage").status,
        CheckStatus::Pass
    );

    for id in ["images-pulled", "pods-ready", "pods-not-restarting"] {
        assert_eq!(check(&r, id, "openshift-dns").status, CheckStatus::Pass);
    }
    assert!(
        r.checks
            .iter()
            .all(|c| c.namespace.as_deref() != Some("default"))
    );
    let (headers, rows) = r.table();
    assert_eq!(headers, ["STATUS", "CHECK", "NAMESPACE", "DETAIL"]);
    assert!(
        rows.iter()
            .any(|row| row[0] == "FAIL" && row[2] == "openshift-ingress")
    );
}

#[test]
fn health_handles_missing_namespaces_empty_namespaces_and_api_failure() {
    let ns = Fetched::Present(vec!["openshift-dns".to_string(), "kube-system".to_string()]);
    let pods = Fetched::Present(vec![pod(
        "openshift-dns",
        "dns",
        json!([running("dns", 0)]),
        true,
        "Running",
    )]);
    let bad_api = Fetched::Present(ApiHealth {
        ok: false,
        body: "[-]etcd failed: reason withheld\nreadyz check failed".into(),
    });
    let inputs = |expect_pods| HealthInputs {
        api: &bad_api,
        namespaces: &ns,
        pods: &pods,
        any_running: &Fetched::NotServed,
        expect_pods,
    };
    let r = health::evaluate(&inputs(true));
    assert_eq!(r.checks[0].status, CheckStatus::Fail);
    assert!(r.checks[0].detail.contains("[-]etcd failed"));
    // Only namespaces that exist are checked.
    assert!(
        r.checks
            .iter()
            .all(|c| c.namespace.as_deref() != Some("openshift-ingress"))
    );
    // kube-system exists but has no pods: fails on MicroShift, skipped elsewhere.
    assert_eq!(
        check(&r, "pods-ready", "kube-system").status,
        CheckStatus::Fail
    );
    let r = health::evaluate(&inputs(false));
    assert_eq!(
        check(&r, "pods-ready", "kube-system").status,
        CheckStatus::Skipped
    );

    // Pods unreadable: unknown, and unhealthy.
    let r = health::evaluate(&HealthInputs {
        api: &ok_api(),
        namespaces: &ns,
        pods: &Fetched::Forbidden(String::new()),
        any_running: &Fetched::NotServed,
        expect_pods: false,
    });
    assert!(!r.healthy);
    assert_eq!(r.checks[1].status, CheckStatus::Unknown);
    assert!(r.checks[1].detail.contains("forbidden"));
}

#[test]
fn any_pod_started_uses_a_running_pod_elsewhere_when_core_pods_are_not_running() {
    let pods = Fetched::Present(vec![]);
    let mut inputs = HealthInputs {
        api: &ok_api(),
        namespaces: &Fetched::Present(vec![]),
        pods: &pods,
        any_running: &Fetched::Present(None),
        expect_pods: false,
    };
    assert_eq!(
        health::evaluate(&inputs).checks[1].status,
        CheckStatus::Fail
    );
    let elsewhere = Fetched::Present(Some("clusters-example/kube-apiserver-0".to_string()));
    inputs.any_running = &elsewhere;
    let r = health::evaluate(&inputs);
    assert_eq!(r.checks[1].status, CheckStatus::Pass);
    assert!(
        r.checks[1]
            .detail
            .contains("clusters-example/kube-apiserver-0")
    );
    assert!(r.healthy);
}

fn cv(arch: Option<&str>) -> Value {
    let mut desired = json!({"version": "4.18.1", "image": "quay.io/openshift-release-dev/ocp-release@sha256:aa"});
    if let Some(a) = arch {
        desired["architecture"] = json!(a);
    }
    json!({
        "metadata": {"name": "version"},
        "spec": {"channel": "stable-4.18", "clusterID": "c0ffee"},
        "status": {"desired": desired, "history": [{"state": "Completed", "version": "4.18.1"}]}
    })
}

#[test]
fn payload_multi_single_and_unknown() {
    assert_eq!(
        identity::payload(&Fetched::Present(cv(Some("Multi"))), None),
        Payload::Multi
    );
    let single = identity::payload(&Fetched::Present(cv(None)), Some("amd64"));
    assert_eq!(
        single,
        Payload::Single {
            arch: Some("amd64".into())
        }
    );
    let step = single.next_step().unwrap();
    assert!(step.contains("oc adm upgrade --to-multi-arch"));
    assert!(step.contains("cannot join a single-arch payload"));
    assert!(single.summary().contains("single-arch payload (amd64)"));
    assert_eq!(Payload::Multi.next_step(), None);
    // Older releases: only the ReleaseAccepted condition says so.
    let mut old = cv(None);
    old["status"]["conditions"] = json!([{"type": "ReleaseAccepted", "status": "True", "message": "Payload loaded version=\"4.13.0\" image=\"quay.io/x\" architecture=\"Multi\""}]);
    assert!(identity::payload(&Fetched::Present(old), None).is_multi());
    // A requested but unfinished migration is not multi yet.
    let mut migrating = cv(None);
    migrating["spec"]["desiredUpdate"] = json!({"architecture": "Multi"});
    assert!(!identity::payload(&Fetched::Present(migrating), None).is_multi());
    assert!(matches!(
        identity::payload(&Fetched::Forbidden(String::new()), None),
        Payload::Unknown { .. }
    ));
}

#[test]
fn flavor_and_panes() {
    let ms_cm = Fetched::Present(json!({"data": {"version": "4.18.1"}}));
    assert_eq!(
        ClusterFlavor::detect(&Fetched::NotServed, &ms_cm),
        ClusterFlavor::MicroShift {
            version: Some("4.18.1".into())
        }
    );
    assert_eq!(
        ClusterFlavor::detect(&Fetched::NotServed, &Fetched::NotFound),
        ClusterFlavor::Kubernetes
    );
    // Served but forbidden ClusterVersion is still OpenShift.
    assert_eq!(
        ClusterFlavor::detect(&Fetched::Forbidden(String::new()), &Fetched::NotFound),
        ClusterFlavor::OpenShift {
            version: None,
            channel: None
        }
    );
    // Reading ClusterVersion failed: the MicroShift ConfigMap decides, else assume OpenShift.
    let failed = Fetched::Failed("discovery: connection reset".to_string());
    assert!(ClusterFlavor::detect(&failed, &ms_cm).is_microshift());
    assert!(matches!(
        ClusterFlavor::detect(&failed, &Fetched::NotFound),
        ClusterFlavor::OpenShift { .. }
    ));
    let os = ClusterFlavor::detect(&Fetched::Present(cv(Some("Multi"))), &Fetched::NotFound);
    assert_eq!(os.label(), "OpenShift 4.18.1");
    let ms = ClusterFlavor::MicroShift { version: None };
    for hidden in [Pane::HostedClusters, Pane::NodePools, Pane::MachineSets] {
        assert!(!ms.panes().contains(&hidden));
        assert!(os.panes().contains(&hidden));
    }
    assert!(ms.panes().contains(&Pane::Health));
    // Mirroring images with skopeo is a MicroShift workflow.
    assert!(ms.panes().contains(&Pane::Copy));
    assert_eq!(Pane::from_id("hc"), Some(Pane::HostedClusters));
    for p in Pane::ALL {
        assert_eq!(Pane::from_id(p.id()), Some(p));
    }
}

fn wmco_inputs(plan_approved: bool) -> WmcoInputs {
    WmcoInputs {
        csvs: Fetched::Present(vec![json!({
            "metadata": {"name": "windows-machine-config-operator.v10.18.1"},
            "spec": {"version": "10.18.1"},
            "status": {"phase": "Succeeded"}
        })]),
        subscriptions: Fetched::Present(vec![json!({
            "metadata": {"name": "windows-machine-config-operator"},
            "spec": {"channel": "stable", "installPlanApproval": "Manual", "name": "windows-machine-config-operator"},
            "status": {"installedCSV": "windows-machine-config-operator.v10.18.1"}
        })]),
        install_plans: Fetched::Present(vec![json!({
            "metadata": {"name": "install-abcde"},
            "spec": {"approval": "Manual", "approved": plan_approved, "clusterServiceVersionNames": ["windows-machine-config-operator.v10.19.0"]}
        })]),
        cloud_private_key: Fetched::Present(()),
        windows_user_data: Fetched::NotFound,
        pods: Fetched::Present(vec![pod(
            "openshift-windows-machine-config-operator",
            "windows-machine-config-operator-6d-x",
            json!([running("manager", 0)]),
            true,
            "Running",
        )]),
    }
}

#[test]
fn wmco_health_and_upgrade_progress() {
    assert!(on_version("10.18.1-a1b2c3d-1", "10.18.1"));
    assert!(on_version("10.18.1", "10.18.1"));
    assert!(!on_version("10.18.10-abc", "10.18.1"));
    assert!(!on_version("10.17.0-abc", "10.18.1"));
    let nodes = vec![
        node(
            "win-a",
            "amd64",
            "windows",
            true,
            false,
            json!({"windowsmachineconfig.openshift.io/version": "10.18.1-a1b2c3d-1"}),
        ),
        node(
            "win-b",
            "amd64",
            "windows",
            true,
            false,
            json!({"windowsmachineconfig.openshift.io/version": "10.17.0-0f0f0f0"}),
        ),
        node("win-c", "amd64", "windows", false, false, json!({})),
        node("linux-a", "amd64", "linux", true, false, json!({})),
    ];
    let w = WmcoHealth::build(&wmco_inputs(false), &nodes);
    assert!(w.installed);
    assert_eq!(w.csv_phase.as_deref(), Some("Succeeded"));
    assert_eq!(w.version.as_deref(), Some("10.18.1"));
    assert_eq!(w.channel.as_deref(), Some("stable"));
    assert_eq!(w.install_plan_approval.as_deref(), Some("Manual"));
    assert_eq!(w.pending_install_plans, ["install-abcde"]);
    assert_eq!(w.cloud_private_key, Presence::Present);
    assert_eq!(w.windows_user_data, Presence::Missing);
    assert_eq!(w.windows_nodes, 3);
    assert_eq!(w.nodes_on_version, 1);
    assert_eq!(
        w.nodes_behind,
        [
            ("win-b".to_string(), "10.17.0-0f0f0f0".to_string()),
            ("win-c".to_string(), "none".to_string())
        ]
    );
    let p = w.upgrade_progress();
    assert!(p.starts_with("1/3 Windows nodes on WMCO 10.18.1"), "{p}");
    assert!(p.contains("one Windows machine at a time"));
    assert!(!w.healthy());
    let text = w.lines().join("\n");
    assert!(text.contains("InstallPlans waiting for approval: install-abcde"));
    assert!(text.contains("openshift-machine-api/windows-user-data: missing"));

    let mut ok = wmco_inputs(true);
    ok.windows_user_data = Fetched::Present(());
    let w = WmcoHealth::build(&ok, &nodes[..1]);
    assert!(w.pending_install_plans.is_empty());
    assert!(w.healthy());
    assert_eq!(w.upgrade_progress(), "1/1 Windows nodes on WMCO 10.18.1");
    // No operator pod: not healthy.
    ok.pods = Fetched::Present(vec![]);
    assert!(!WmcoHealth::build(&ok, &nodes[..1]).healthy());
    // Forbidden secrets cannot be called present.
    ok.cloud_private_key = Fetched::Forbidden(String::new());
    assert_eq!(
        WmcoHealth::build(&ok, &[] as &[Node]).cloud_private_key,
        Presence::Forbidden
    );
}

#[test]
fn model_from_inputs_counts_and_windows_no_metrics() {
    let inputs = OverviewInputs {
        cluster_version: Fetched::Present(cv(None)),
        infrastructure: Fetched::Present(
            json!({"status": {"platform": "BareMetal", "platformStatus": {"type": "BareMetal"}, "infrastructureName": "lab-x2"}}),
        ),
        network: Fetched::Forbidden(String::new()),
        microshift_version: Fetched::NotFound,
        nodes: Fetched::Present(vec![
            node("m0", "amd64", "linux", true, true, json!({})).into(),
            node("w0", "amd64", "linux", false, false, json!({})).into(),
            node("win", "amd64", "windows", true, false, json!({})).into(),
        ]),
        csrs: Fetched::Present(vec![]),
        hosted_clusters: Fetched::Present(vec![
            json!({"status": {"version": {"history": [{"state": "Completed"}]}}}),
            json!({"status": {"version": {"history": [{"state": "Partial"}]}}}),
            json!({"status": {}}),
        ]),
        node_pools: Fetched::Present(vec![
            json!({"metadata": {"name": "np1"}, "spec": {"replicas": 3}, "status": {"replicas": 1}}),
            json!({"metadata": {"name": "np2"}, "spec": {"replicas": 2}, "status": {"replicas": 2}}),
            json!({"metadata": {"name": "auto"}, "spec": {"autoScaling": {"min": 1, "max": 3}}, "status": {"replicas": 2}}),
        ]),
        data_volumes: Fetched::Present(shiftdeck::overview::counts::DvCounts::of_values(&[
            json!({"status": {"phase": "Succeeded"}}),
            json!({"status": {"phase": "ImportInProgress", "progress": "42.0%"}}),
            json!({"status": {"phase": "Failed"}}),
        ])),
        preflight: Some(vec![
            pf_check("openshift-version", Status::Pass),
            pf_check("openshift-virtualization", Status::Fail),
            pf_check("metallb", Status::Warn),
            pf_check("rwx-storage", Status::Fail),
        ]),
        ..OverviewInputs::default()
    };
    let m = OverviewModel::build(&inputs);
    assert!(matches!(m.flavor, ClusterFlavor::OpenShift { .. }));
    assert_eq!(
        m.payload,
        Payload::Single {
            arch: Some("amd64".into())
        }
    );
    assert_eq!(m.identity.platform.as_deref(), Some("BareMetal"));
    assert_eq!(m.identity.infrastructure_name.as_deref(), Some("lab-x2"));
    assert_eq!(m.identity.network_type, None);
    assert!(
        m.identity
            .notes
            .iter()
            .any(|n| n == "Network cluster: forbidden")
    );
    let lines = m.identity_lines().join("\n");
    assert!(lines.contains(
        "Next step: Migrate to the multi payload first: `oc adm upgrade --to-multi-arch`"
    ));

    let row = |pane: Pane| m.counts.iter().find(|c| c.pane == pane).unwrap();
    assert_eq!(row(Pane::Nodes).value, "3 (2 ready)");
    assert!(row(Pane::Nodes).attention);
    assert_eq!(
        row(Pane::Nodes).detail,
        "amd64/linux 2 (1 ready), amd64/windows 1 (1 ready)"
    );
    assert_eq!(row(Pane::Csr).value, "0");
    assert_eq!(row(Pane::Csr).detail, "0 of 0 fail the checks");
    assert_eq!(
        row(Pane::HostedClusters).detail,
        "1 Completed, 1 Partial, 1 Unknown"
    );
    assert_eq!(row(Pane::NodePools).value, "1");
    assert_eq!(row(Pane::NodePools).detail, "np1 1/3");
    assert_eq!(row(Pane::Copy).value, "2");
    assert_eq!(row(Pane::Copy).detail, "3 DataVolumes, 1 failed");
    assert_eq!(row(Pane::Preflight).value, "2");
    assert_eq!(
        row(Pane::Preflight).detail,
        "2 of 4 HCP-on-KubeVirt checks fail: openshift-virtualization, rwx-storage"
    );
    // HostedClusters are served: this cluster hosts control planes, so failures need attention.
    assert!(row(Pane::Preflight).attention);
    assert!(m.nodes.iter().find(|n| n.name == "win").unwrap().no_metrics);
    assert!(!m.nodes.iter().find(|n| n.name == "w0").unwrap().no_metrics);
    assert!(
        m.windows.is_some(),
        "a Windows node makes the Windows section appear"
    );
    assert!(m.panes.contains(&Pane::Windows));
    assert!(!m.panes.contains(&Pane::MachineSets), "machines not served");
    assert!(m.boot_images.as_ref().unwrap_err().contains("not served"));
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["counts"][0]["pane"], "nodes");
    assert_eq!(json["flavor"]["flavor"], "openshift");
}
