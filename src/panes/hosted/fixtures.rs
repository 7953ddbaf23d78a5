//! Realistic HostedCluster / NodePool / control-plane objects at fixed times, for unit tests,
//! snapshots and benchmarks (times relative to 2023-11-14T22:13:20Z, `now` in the snapshots).

use serde_json::{Value, json};

/// A hosted cluster on KubeVirt. `partial`: the first install is still rolling out (no completed
/// version, cluster operators waiting for ingress), as `guest` in the sim's hub.
pub fn hosted_cluster(name: &str, partial: bool) -> Value {
    let history = if partial {
        json!([{"state": "Partial", "version": "", "image": "quay.io/openshift-release-dev/ocp-release:4.18.5-multi",
                "startedTime": "2023-11-14T19:13:20Z", "completionTime": null}])
    } else {
        json!([
            {"state": "Completed", "version": "4.18.5", "image": "quay.io/openshift-release-dev/ocp-release:4.18.5-multi",
             "startedTime": "2023-11-01T10:00:00Z", "completionTime": "2023-11-01T10:21:00Z"},
            {"state": "Completed", "version": "4.17.12", "image": "quay.io/openshift-release-dev/ocp-release:4.17.12-multi",
             "startedTime": "2023-10-10T10:00:00Z", "completionTime": "2023-10-10T10:14:00Z"}
        ])
    };
    let (cv_status, cv_reason, cv_msg) = if partial {
        (
            "False",
            "ClusterOperatorsNotAvailable",
            "Cluster operators console, ingress are not available",
        )
    } else {
        ("True", "FromClusterVersion", "Cluster version is 4.18.5")
    };
    json!({
        "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster",
        "metadata": {"name": name, "namespace": "clusters", "resourceVersion": "100",
                     "creationTimestamp": "2023-10-10T10:00:00Z",
                     "labels": {"cluster.open-cluster-management.io/clusterset": "default"}},
        "spec": {"platform": {"type": "KubeVirt"}, "dns": {"baseDomain": "hypershift.lab"},
                 "release": {"image": "quay.io/openshift-release-dev/ocp-release:4.18.5-multi"},
                 "pullSecret": {"name": format!("{name}-pull-secret")}},
        "status": {
            "kubeconfig": {"name": format!("{name}-admin-kubeconfig")},
            "controlPlaneEndpoint": {"host": "192.168.111.203", "port": 6443},
            "oauthCallbackURLTemplate": format!("https://oauth-clusters-{name}.apps.hub.lab:443/oauth2callback/[identity-provider-name]"),
            "version": {"history": history, "desired": {"version": "4.18.5"}},
            "conditions": [
                {"type": "Available", "status": "True", "reason": "AsExpected",
                 "message": "The hosted control plane is available", "lastTransitionTime": "2023-11-14T19:40:00Z"},
                {"type": "Progressing", "status": if partial {"True"} else {"False"}, "reason": "AsExpected",
                 "message": if partial {"HostedCluster is deploying, upgrading, or reconfiguring"} else {"HostedCluster is at expected version"},
                 "lastTransitionTime": "2023-11-14T19:40:00Z"},
                {"type": "Degraded", "status": "False", "reason": "AsExpected", "message": "", "lastTransitionTime": "2023-11-14T19:40:00Z"},
                {"type": "ClusterVersionSucceeding", "status": cv_status, "reason": cv_reason, "message": cv_msg,
                 "lastTransitionTime": "2023-11-14T19:50:00Z"},
                {"type": "EtcdAvailable", "status": "True", "reason": "QuorumAvailable", "message": "", "lastTransitionTime": "2023-11-14T19:30:00Z"},
                {"type": "ValidReleaseImage", "status": "True", "reason": "AsExpected", "message": "Release image is valid", "lastTransitionTime": "2023-11-14T19:13:20Z"}
            ]
        }
    })
}

/// A node pool of `cluster` with `desired` replicas of which `ready` nodes are ready.
pub fn node_pool(name: &str, cluster: &str, desired: i64, ready: i64) -> Value {
    json!({
        "apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool",
        "metadata": {"name": name, "namespace": "clusters", "resourceVersion": "200"},
        "spec": {"clusterName": cluster, "replicas": desired, "platform": {"type": "KubeVirt"}},
        "status": {"replicas": ready}
    })
}

/// Pods and services of the `guest` control-plane namespace: one pod crash-looping, the apps
/// LoadBalancer waiting for a MetalLB pool.
pub fn guest_control_plane() -> (Vec<Value>, Vec<Value>) {
    let ns = "clusters-guest";
    let running = |n: &str| {
        json!({"metadata": {"name": n, "namespace": ns}, "status": {"phase": "Running",
            "containerStatuses": [{"name": "c", "ready": true, "state": {"running": {}}}]}})
    };
    let pods = vec![
        running("etcd-0"),
        running("kube-apiserver-6d9c7f8b5-x2k4p"),
        running("kube-controller-manager-7c9d8-h4j2"),
        json!({"metadata": {"name": "ingress-operator-5f6d-q8w9", "namespace": ns}, "status": {"phase": "Running",
            "containerStatuses": [{"name": "ingress-operator", "ready": false,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}),
    ];
    let services = vec![json!({
        "metadata": {"name": "guest-apps", "namespace": ns,
                     "annotations": {"metallb.universe.tf/address-pool": "guest-apps"}},
        "spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}
    })];
    (pods, services)
}
