//! A hosted (guest) cluster's own API: ClusterVersion, ~30 ClusterOperators, Infrastructure,
//! Network, namespaces and a StorageClass. Its Nodes are added by the hub's guest controller
//! (one per running NodePool VM), which also calls `customize` with the cluster's name.

use std::time::Duration;

use serde_json::{Value, json};

use super::objects::{self, MULTI_RELEASE_TAG, OCP_VERSION, put, put_aged};
use crate::SimOptions;
use crate::error::ApiError;
use crate::resources::by_key;
use crate::store::Store;

pub const OPERATORS: &[&str] = &[
    "console",
    "csi-snapshot-controller",
    "dns",
    "image-registry",
    "ingress",
    "insights",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-storage-version-migrator",
    "monitoring",
    "network",
    "node-tuning",
    "openshift-apiserver",
    "openshift-controller-manager",
    "openshift-samples",
    "operator-lifecycle-manager",
    "operator-lifecycle-manager-catalog",
    "operator-lifecycle-manager-packageserver",
    "service-ca",
    "storage",
    "authentication",
    "cloud-controller-manager",
    "cloud-credential",
    "cluster-autoscaler",
    "config-operator",
    "etcd",
    "machine-api",
    "machine-approver",
    "machine-config",
    "marketplace",
];

const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "openshift-config",
    "openshift-config-managed",
    "openshift-console",
    "openshift-dns",
    "openshift-ingress",
    "openshift-image-registry",
    "openshift-monitoring",
    "openshift-network-operator",
    "openshift-ovn-kubernetes",
    "openshift-cluster-csi-drivers",
    "openshift-marketplace",
];

pub fn cluster_operator(name: &str, available: bool, degraded: Option<&str>, since: &str) -> Value {
    let tf = |b: bool| if b { "True" } else { "False" };
    let deg_msg = degraded.unwrap_or("");
    json!({
        "metadata": {"name": name, "annotations": {"include.release.openshift.io/hypershift": "true"}},
        "spec": {},
        "status": {
            "conditions": [
                {"type": "Available", "status": tf(available), "lastTransitionTime": since, "reason": if available { "AsExpected" } else { "RouteHealth_FailedGet" }, "message": if available { "All is well".to_string() } else { deg_msg.to_string() }},
                {"type": "Progressing", "status": "False", "lastTransitionTime": since, "reason": "AsExpected", "message": "All is well"},
                {"type": "Degraded", "status": tf(degraded.is_some()), "lastTransitionTime": since, "reason": if degraded.is_some() { "OperandDegraded" } else { "AsExpected" }, "message": deg_msg},
                {"type": "Upgradeable", "status": "True", "lastTransitionTime": since, "reason": "AsExpected", "message": "All is well"}
            ],
            "versions": [{"name": "operator", "version": OCP_VERSION}],
            "relatedObjects": [{"group": "", "resource": "namespaces", "name": format!("openshift-{name}")}]
        }
    })
}

/// A standalone cluster's operators (hub, Azure): the hosted set plus the ones that run on the
/// cluster itself, all Available since `age`.
pub fn seed_standalone_operators(
    store: &Store,
    extra: &[&str],
    age: Duration,
) -> Result<(), ApiError> {
    for (i, op) in OPERATORS.iter().chain(extra.iter()).enumerate() {
        let t = store
            .clock()
            .ago_rfc3339(age.saturating_sub(Duration::from_secs(97 * i as u64)));
        put(
            store,
            "clusteroperators.config.openshift.io",
            cluster_operator(op, true, None, &t),
        )?;
    }
    Ok(())
}

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let _ = opts;
    let age = Duration::from_secs(3 * 86_400);
    for ns in NAMESPACES {
        put_aged(store, "namespaces", objects::namespace(ns, json!({})), age)?;
    }
    let since = store.clock().ago_rfc3339(age);
    for (i, op) in OPERATORS.iter().enumerate() {
        let t = store
            .clock()
            .ago_rfc3339(Duration::from_secs(3 * 86_400 - 60 * i as u64));
        put(
            store,
            "clusteroperators.config.openshift.io",
            cluster_operator(op, true, None, &t),
        )?;
    }
    put(
        store,
        "clusterversions.config.openshift.io",
        json!({
            "metadata": {"name": "version"},
            "spec": {"clusterID": "00000000-0000-4000-a000-000000000000", "channel": "stable-4.18", "desiredUpdate": {"version": OCP_VERSION, "image": MULTI_RELEASE_TAG}},
            "status": {
                "desired": {"version": OCP_VERSION, "image": MULTI_RELEASE_TAG, "architecture": "Multi"},
                "history": [{"state": "Completed", "startedTime": since, "completionTime": since, "version": OCP_VERSION, "image": MULTI_RELEASE_TAG, "verified": false}],
                "observedGeneration": 1,
                "conditions": [
                    objects::condition("Available", "True", "", &format!("Done applying {OCP_VERSION}"), &since),
                    objects::condition("Failing", "False", "", "", &since),
                    objects::condition("Progressing", "False", "", &format!("Cluster version is {OCP_VERSION}"), &since)
                ]
            }
        }),
    )?;
    put(
        store,
        "infrastructures.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"platformSpec": {"type": "KubeVirt"}},
            "status": {"platform": "KubeVirt", "platformStatus": {"type": "KubeVirt"}, "controlPlaneTopology": "External", "infrastructureTopology": "HighlyAvailable", "infrastructureName": "guest", "apiServerURL": "https://api.guest.apps.hub.example.com:6443"}
        }),
    )?;
    put(
        store,
        "networks.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"clusterNetwork": [{"cidr": "10.132.0.0/14", "hostPrefix": 23}], "networkType": "OVNKubernetes", "serviceNetwork": ["172.31.0.0/16"]},
            "status": {"clusterNetwork": [{"cidr": "10.132.0.0/14", "hostPrefix": 23}], "networkType": "OVNKubernetes", "serviceNetwork": ["172.31.0.0/16"], "clusterNetworkMTU": 8801}
        }),
    )?;
    put(
        store,
        "storageclasses.storage.k8s.io",
        json!({
            "metadata": {"name": "kubevirt-csi-infra-default", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "csi.kubevirt.io",
            "parameters": {"bus": "scsi", "infraStorageClassName": "ocs-storagecluster-ceph-rbd"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate", "allowVolumeExpansion": true
        }),
    )?;
    Ok(())
}

/// Make a freshly started guest look like hosted cluster `name` (of `namespace` on the hub).
pub fn customize(store: &Store, namespace: &str, name: &str, api_url: &str) {
    let infra = by_key("infrastructures.config.openshift.io");
    let _ = store.mutate_retry(infra, None, "cluster", false, |o| {
        o["status"]["infrastructureName"] = json!(name);
        o["status"]["apiServerURL"] = json!(api_url);
        Ok(())
    });
    if name == "user" {
        // The user cluster's NodePool sits on RWO storage: its nodes cannot be live-migrated,
        // and the storage operator complains about the infra storage class.
        let since = store.clock().ago_rfc3339(Duration::from_secs(5 * 3600));
        let co = cluster_operator(
            "storage",
            true,
            Some(
                "KubevirtCSIDriverOperatorDegraded: the infra storage class lvms-vg1 does not support ReadWriteMany; volumes of this cluster's nodes are not live migratable",
            ),
            &since,
        );
        let _ = store.update(
            by_key("clusteroperators.config.openshift.io"),
            co,
            false,
            false,
        );
    }
    let _ = namespace;
}
