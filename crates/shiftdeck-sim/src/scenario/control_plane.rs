//! A hosted cluster's control plane on the management cluster: pods and services in
//! `<ns>-<name>`, and the Secrets the CLI and operator create in the HostedCluster namespace.

use serde_json::{Value, json};

use super::hypershift::{api_host, uuid};
use super::objects::{self, hash64, hex, suffix};

/// The control-plane pods HyperShift runs in `clusters-<name>`; `degraded` leaves a few unready.
pub fn control_plane_pods(
    seed: u64,
    cp_ns: &str,
    infra_nodes: &[String],
    degraded: bool,
    ts: &str,
) -> Vec<Value> {
    let img = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:";
    let deployments: &[(&str, &[&str], bool)] = &[
        ("capi-provider", &["manager"], false),
        (
            "catalog-operator",
            &["catalog-operator", "socks5-proxy"],
            false,
        ),
        ("certified-operators-catalog", &["registry"], false),
        ("cluster-api", &["manager"], false),
        (
            "cluster-network-operator",
            &["cluster-network-operator"],
            false,
        ),
        (
            "cluster-policy-controller",
            &["cluster-policy-controller"],
            false,
        ),
        (
            "cluster-version-operator",
            &["cluster-version-operator"],
            false,
        ),
        ("community-operators-catalog", &["registry"], false),
        ("control-plane-operator", &["control-plane-operator"], false),
        (
            "control-plane-pki-operator",
            &["control-plane-pki-operator"],
            false,
        ),
        (
            "hosted-cluster-config-operator",
            &["hosted-cluster-config-operator"],
            false,
        ),
        ("ignition-server", &["ignition-server"], false),
        ("ignition-server-proxy", &["haproxy"], false),
        (
            "ingress-operator",
            &["ingress-operator", "konnectivity-proxy"],
            true,
        ),
        ("konnectivity-agent", &["konnectivity-agent"], false),
        (
            "kube-apiserver",
            &["kube-apiserver", "konnectivity-server", "audit-logs"],
            false,
        ),
        (
            "kube-controller-manager",
            &["kube-controller-manager"],
            false,
        ),
        ("kube-scheduler", &["kube-scheduler"], false),
        (
            "kubevirt-cloud-controller-manager",
            &["cloud-controller-manager"],
            false,
        ),
        (
            "kubevirt-csi-controller",
            &["csi-driver", "csi-provisioner", "csi-attacher"],
            false,
        ),
        ("machine-approver", &["machine-approver-controller"], false),
        (
            "oauth-openshift",
            &["oauth-server", "konnectivity-proxy"],
            true,
        ),
        ("olm-operator", &["olm-operator"], false),
        (
            "openshift-apiserver",
            &["openshift-apiserver", "konnectivity-proxy"],
            false,
        ),
        (
            "openshift-controller-manager",
            &["openshift-controller-manager"],
            false,
        ),
        ("openshift-oauth-apiserver", &["oauth-apiserver"], false),
        (
            "openshift-route-controller-manager",
            &["route-controller-manager"],
            false,
        ),
        ("packageserver", &["packageserver"], false),
        ("redhat-operators-catalog", &["registry"], false),
    ];
    let mut out = Vec::new();
    let node_for = |i: usize| {
        infra_nodes
            .get(i % infra_nodes.len().max(1))
            .cloned()
            .unwrap_or_else(|| "worker-0".into())
    };
    for (i, (dep, containers, fragile)) in deployments.iter().enumerate() {
        let replicas = if ["kube-apiserver", "openshift-apiserver", "oauth-openshift"].contains(dep)
        {
            3
        } else {
            1
        };
        let rs = suffix(seed, &format!("{cp_ns}/{dep}/rs"), 10)
            .chars()
            .map(|c| if c.is_ascii_digit() { c } else { 'a' })
            .collect::<String>();
        let rs = format!("{}{}", &hex(seed, &format!("{cp_ns}/{dep}"), 9), &rs[0..1]);
        for r in 0..replicas {
            let name = format!(
                "{dep}-{rs}-{}",
                suffix(seed, &format!("{cp_ns}/{dep}/{r}"), 5)
            );
            let cs: Vec<(&str, String)> = containers
                .iter()
                .map(|c| (*c, format!("{img}{}", hex(seed, c, 64))))
                .collect();
            let cs_ref: Vec<(&str, &str)> = cs.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let ready = !(degraded && *fragile);
            let ip = format!("10.{}.{}.{}", 128 + (i % 3), 10 + r, 20 + i);
            let mut p = objects::pod(cp_ns, &name, &node_for(i + r), &ip, &cs_ref, ready, ts);
            p["metadata"]["labels"] = json!({"app": dep, "hypershift.openshift.io/control-plane-component": dep, "pod-template-hash": rs});
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{dep}-{rs}"), "controller": true, "uid": uuid(seed, &name)}]);
            out.push(p);
        }
    }
    for i in 0..3 {
        let name = format!("etcd-{i}");
        let cs = [
            ("etcd", format!("{img}{}", hex(seed, "etcd", 64))),
            (
                "etcd-metrics",
                format!("{img}{}", hex(seed, "etcd-metrics", 64)),
            ),
        ];
        let cs_ref: Vec<(&str, &str)> = cs.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let mut p = objects::pod(
            cp_ns,
            &name,
            &node_for(i),
            &format!("10.129.{}.{}", 40 + i, 7 + i),
            &cs_ref,
            true,
            ts,
        );
        p["metadata"]["labels"] = json!({"app": "etcd", "hypershift.openshift.io/control-plane-component": "etcd", "statefulset.kubernetes.io/pod-name": name});
        out.push(p);
    }
    out
}

/// Services in the control-plane namespace.
pub fn control_plane_services(cp_ns: &str, name: &str, api_ip: &str) -> Vec<Value> {
    let svc = |n: &str, type_: &str, port: u16, ip: Option<&str>| {
        let mut s = json!({
            "metadata": {"name": n, "namespace": cp_ns, "labels": {"app": n}},
            "spec": {"type": type_, "ports": [{"name": "https", "port": port, "protocol": "TCP", "targetPort": port}],
                     "clusterIP": format!("172.30.{}.{}", hash64(1, n) % 250, hash64(2, n) % 250), "selector": {"app": n}},
            "status": {"loadBalancer": {}}
        });
        if let Some(ip) = ip {
            s["status"]["loadBalancer"] = json!({"ingress": [{"ip": ip, "ipMode": "VIP"}]});
        }
        s
    };
    let _ = name;
    vec![
        svc("kube-apiserver", "LoadBalancer", 6443, Some(api_ip)),
        svc("kube-apiserver-private", "ClusterIP", 6443, None),
        svc("openshift-apiserver", "ClusterIP", 443, None),
        svc("oauth-openshift", "ClusterIP", 6443, None),
        svc("ignition-server", "ClusterIP", 443, None),
        svc("konnectivity-server", "ClusterIP", 8091, None),
        svc("etcd-client", "ClusterIP", 2379, None),
    ]
}

/// `<name>-admin-kubeconfig` in the HostedCluster namespace (key `kubeconfig`, base64).
pub fn kubeconfig_secret(ns: &str, name: &str, kubeconfig: &str) -> Value {
    json!({
        "metadata": {"name": format!("{name}-admin-kubeconfig"), "namespace": ns,
                     "labels": {"hypershift.openshift.io/safe-to-delete-with-cluster": "true"},
                     "ownerReferences": [{"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster", "name": name, "controller": true, "uid": uuid(1, name)}]},
        "type": "Opaque",
        "data": {"kubeconfig": crate::pki::b64(kubeconfig)}
    })
}

/// The kubeconfig a hosted cluster publishes before its API is served by the sim.
pub fn placeholder_kubeconfig(hc: &Value) -> String {
    let name = objects::name_of(hc);
    crate::kubeconfig_yaml(
        &format!("https://{}:6443", api_host(hc)),
        None,
        crate::ADMIN_TOKEN,
        name,
    )
}

pub fn cluster_secrets(ns: &str, name: &str) -> Vec<Value> {
    let lbl = json!({"hypershift.openshift.io/safe-to-delete-with-cluster": "true"});
    vec![
        json!({"metadata": {"name": format!("{name}-pull-secret"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {".dockerconfigjson": crate::pki::b64("{\"auths\":{\"quay.io\":{\"auth\":\"ZmFrZTpmYWtl\"}}}")}}),
        json!({"metadata": {"name": format!("{name}-kubeadmin-password"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {"password": crate::pki::b64("SIMxx-NOTAx-REALx-PASSW")}}),
        json!({"metadata": {"name": format!("{name}-etcd-encryption-key"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {"key": crate::pki::b64("sim-fake-32-byte-key-not-secret!")}}),
    ]
}
