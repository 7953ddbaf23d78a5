//! The hub's platform: cluster config (ClusterVersion, Infrastructure, Network, ingress),
//! storage (Ceph RBD/CephFS, LVMS) with CDI StorageProfiles, operators (CNV, MCE, MetalLB, ODF,
//! LVMS) and their pods, MetalLB, ClusterImageSets and `local-cluster`.

use std::time::Duration;

use serde_json::{Value, json};

use super::hub::{
    ARM_WORKERS, INFRA_ID, MASTERS, X86_WORKERS, arm_ip, arm_name, infra_nodes, node_ip,
};
use super::hypershift;
use super::objects::{self, MULTI_RELEASE_IMAGE, OCP_VERSION, hex, put};
use super::pods::{self, Nodes, PodSet, RunOn};
use crate::error::ApiError;
use crate::store::Store;

const DAY: u64 = 86_400;

pub fn seed_config(store: &Store, s: u64) -> Result<(), ApiError> {
    let old = store.clock().ago_rfc3339(Duration::from_secs(120 * DAY));
    let upd = store.clock().ago_rfc3339(Duration::from_secs(20 * DAY));
    let cv = json!({
        "metadata": {"name": "version"},
        "spec": {
            "clusterID": hypershift::uuid(s, "hub"),
            "channel": "stable-4.18",
            "desiredUpdate": {"version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "architecture": "Multi"}
        },
        "status": {
            "desired": {"version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "architecture": "Multi",
                        "url": "https://access.redhat.com/errata/RHSA-2025:0876",
                        "channels": ["candidate-4.18", "eus-4.18", "fast-4.18", "stable-4.18"]},
            "history": [
                {"state": "Completed", "startedTime": upd, "completionTime": upd, "version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "verified": true, "acceptedRisks": ""},
                {"state": "Completed", "startedTime": old, "completionTime": old, "version": "4.17.12", "image": "quay.io/openshift-release-dev/ocp-release@sha256:9b1e9c4cd3a2f1e0d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4", "verified": false}
            ],
            "observedGeneration": 3,
            "versionHash": "M3zQ6kqY3iY=",
            "capabilities": {"enabledCapabilities": ["Build", "Console", "Ingress", "MachineAPI", "baremetal", "marketplace", "OperatorLifecycleManager", "Storage"], "knownCapabilities": ["Build", "Console", "Ingress", "MachineAPI", "baremetal", "marketplace", "OperatorLifecycleManager", "Storage"]},
            "conditions": [
                objects::condition("Available", "True", "", &format!("Done applying {OCP_VERSION}"), &upd),
                objects::condition("Failing", "False", "", "", &upd),
                objects::condition("Progressing", "False", "", &format!("Cluster version is {OCP_VERSION}"), &upd),
                objects::condition("RetrievedUpdates", "True", "", "", &upd),
                objects::condition("ReleaseAccepted", "True", "PayloadLoaded", &format!("Payload loaded version=\"{OCP_VERSION}\" image=\"{MULTI_RELEASE_IMAGE}\" architecture=\"Multi\""), &upd),
                objects::condition("Upgradeable", "True", "", "", &upd)
            ],
            "availableUpdates": [{"version": "4.18.4", "image": format!("quay.io/openshift-release-dev/ocp-release@sha256:{}", hex(s, "4.18.4", 64))}]
        }
    });
    put(store, "clusterversions.config.openshift.io", cv)?;
    put(
        store,
        "infrastructures.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"cloudConfig": {"name": ""}, "platformSpec": {"type": "BareMetal", "baremetal": {}}},
            "status": {
                "apiServerURL": "https://api.hub.example.com:6443",
                "apiServerInternalURI": "https://api-int.hub.example.com:6443",
                "controlPlaneTopology": "HighlyAvailable",
                "infrastructureTopology": "HighlyAvailable",
                "cpuPartitioning": "None",
                "etcdDiscoveryDomain": "",
                "infrastructureName": INFRA_ID,
                "platform": "BareMetal",
                "platformStatus": {"type": "BareMetal", "baremetal": {"apiServerInternalIP": "192.168.111.5", "apiServerInternalIPs": ["192.168.111.5"], "ingressIP": "192.168.111.4", "ingressIPs": ["192.168.111.4"], "loadBalancer": {"type": "OpenShiftManagedDefault"}}}
            }
        }),
    )?;
    put(
        store,
        "networks.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"clusterNetwork": [{"cidr": "10.128.0.0/14", "hostPrefix": 23}], "networkType": "OVNKubernetes", "serviceNetwork": ["172.30.0.0/16"], "externalIP": {"policy": {}}},
            "status": {"clusterNetwork": [{"cidr": "10.128.0.0/14", "hostPrefix": 23}], "clusterNetworkMTU": 1400, "networkType": "OVNKubernetes", "serviceNetwork": ["172.30.0.0/16"]}
        }),
    )?;
    put(
        store,
        "ingresscontrollers.operator.openshift.io",
        json!({
            "metadata": {"name": "default", "namespace": "openshift-ingress-operator"},
            "spec": {"replicas": 2, "routeAdmission": {"wildcardPolicy": "WildcardsAllowed", "namespaceOwnership": "Strict"}, "endpointPublishingStrategy": {"type": "HostNetwork"}},
            "status": {
                "availableReplicas": 2, "domain": hypershift::HUB_APPS_DOMAIN,
                "endpointPublishingStrategy": {"type": "HostNetwork"},
                "selector": "ingresscontroller.operator.openshift.io/deployment-ingresscontroller=default",
                "conditions": [
                    objects::condition("Available", "True", "", "The deployment has Available status condition set to True", &old),
                    objects::condition("Degraded", "False", "", "", &old),
                    objects::condition("Admitted", "True", "Valid", "", &old)
                ]
            }
        }),
    )?;
    put(
        store,
        "configmaps",
        json!({
            "metadata": {"name": "csr-controller-ca", "namespace": "openshift-config-managed"},
            "data": {"ca-bundle.crt": crate::pki::ca().map(|c| c.cert_pem.clone()).unwrap_or_default()}
        }),
    )?;
    put(
        store,
        "secrets",
        json!({
            "metadata": {"name": "worker-user-data-managed", "namespace": "openshift-machine-api"},
            "type": "Opaque",
            "data": {"userData": crate::pki::b64("{\"ignition\":{\"version\":\"3.2.0\",\"config\":{\"merge\":[{\"source\":\"https://api-int.hub.example.com:22623/config/worker\"}]}}}")}
        }),
    )?;
    Ok(())
}

pub fn seed_storage(store: &Store) -> Result<(), ApiError> {
    let sc = |name: &str, prov: &str, default: bool, binding: &str| {
        json!({
            "metadata": {"name": name, "annotations": {"storageclass.kubernetes.io/is-default-class": if default { "true" } else { "false" }, "description": format!("Provides {} volumes", if name.contains("cephfs") { "RWO and RWX Filesystem" } else if name.starts_with("lvms") { "RWO local LVM" } else { "RWO and RWX Block" })}},
            "provisioner": prov,
            "parameters": if prov == "topolvm.io" { json!({"csi.storage.k8s.io/fstype": "xfs", "topolvm.io/device-class": "vg1"}) } else { json!({"clusterID": "openshift-storage", "pool": "ocs-storagecluster-cephblockpool", "imageFeatures": "layering,deep-flatten,exclusive-lock,object-map,fast-diff"}) },
            "reclaimPolicy": "Delete",
            "allowVolumeExpansion": true,
            "volumeBindingMode": binding
        })
    };
    put(
        store,
        "storageclasses.storage.k8s.io",
        sc(
            "ocs-storagecluster-ceph-rbd",
            "openshift-storage.rbd.csi.ceph.com",
            true,
            "Immediate",
        ),
    )?;
    put(
        store,
        "storageclasses.storage.k8s.io",
        sc(
            "ocs-storagecluster-cephfs",
            "openshift-storage.cephfs.csi.ceph.com",
            false,
            "Immediate",
        ),
    )?;
    put(
        store,
        "storageclasses.storage.k8s.io",
        sc("lvms-vg1", "topolvm.io", false, "WaitForFirstConsumer"),
    )?;
    let sp = |name: &str, prov: &str, sets: Value| {
        json!({
            "metadata": {"name": name},
            "spec": {},
            "status": {"provisioner": prov, "storageClass": name, "claimPropertySets": sets, "cloneStrategy": if prov == "topolvm.io" { "snapshot" } else { "csi-clone" }, "dataImportCronSourceFormat": "snapshot", "snapshotClass": format!("{name}-snapclass")}
        })
    };
    put(
        store,
        "storageprofiles.cdi.kubevirt.io",
        sp(
            "ocs-storagecluster-ceph-rbd",
            "openshift-storage.rbd.csi.ceph.com",
            json!([
                {"accessModes": ["ReadWriteMany"], "volumeMode": "Block"},
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}
            ]),
        ),
    )?;
    put(
        store,
        "storageprofiles.cdi.kubevirt.io",
        sp(
            "ocs-storagecluster-cephfs",
            "openshift-storage.cephfs.csi.ceph.com",
            json!([
                {"accessModes": ["ReadWriteMany"], "volumeMode": "Filesystem"}
            ]),
        ),
    )?;
    put(
        store,
        "storageprofiles.cdi.kubevirt.io",
        sp(
            "lvms-vg1",
            "topolvm.io",
            json!([
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
                {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}
            ]),
        ),
    )?;
    Ok(())
}

fn csv(ns: &str, name: &str, display: &str, version: &str, replaces: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns, "labels": {format!("operators.coreos.com/{}.{ns}", name.split('.').next().unwrap_or(name)): ""}},
        "spec": {"displayName": display, "version": version, "replaces": replaces, "provider": {"name": "Red Hat"}, "maturity": "stable", "installModes": [{"type": "OwnNamespace", "supported": true}, {"type": "AllNamespaces", "supported": true}]},
        "status": {"phase": "Succeeded", "reason": "InstallSucceeded", "message": "install strategy completed with no errors"}
    })
}

fn sub(ns: &str, name: &str, channel: &str, csv_name: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns},
        "spec": {"channel": channel, "installPlanApproval": "Automatic", "name": name, "source": "redhat-operators", "sourceNamespace": "openshift-marketplace"},
        "status": {"currentCSV": csv_name, "installedCSV": csv_name, "state": "AtLatestKnown"}
    })
}

pub fn seed_operators(store: &Store) -> Result<(), ApiError> {
    let c = "clusterserviceversions.operators.coreos.com";
    let s = "subscriptions.operators.coreos.com";
    for (ns, name, display, ver, repl, pkg, chan) in [
        (
            "openshift-cnv",
            "kubevirt-hyperconverged-operator.v4.18.3",
            "OpenShift Virtualization",
            "4.18.3",
            "kubevirt-hyperconverged-operator.v4.18.2",
            "kubevirt-hyperconverged",
            "stable",
        ),
        (
            "multicluster-engine",
            "multicluster-engine.v2.8.0",
            "multicluster engine for Kubernetes",
            "2.8.0",
            "multicluster-engine.v2.7.3",
            "multicluster-engine",
            "stable-2.8",
        ),
        (
            "metallb-system",
            "metallb-operator.v4.18.0-202501230001",
            "MetalLB Operator",
            "4.18.0-202501230001",
            "",
            "metallb-operator",
            "stable",
        ),
        (
            "openshift-storage",
            "odf-operator.v4.18.0-rhodf",
            "OpenShift Data Foundation",
            "4.18.0-rhodf",
            "odf-operator.v4.17.4-rhodf",
            "odf-operator",
            "stable-4.18",
        ),
        (
            "openshift-lvm-storage",
            "lvms-operator.v4.18.0",
            "LVM Storage",
            "4.18.0",
            "lvms-operator.v4.17.1",
            "lvms-operator",
            "stable-4.18",
        ),
    ] {
        put(store, c, csv(ns, name, display, ver, repl))?;
        put(store, s, sub(ns, pkg, chan, name))?;
    }
    let old = store.clock().ago_rfc3339(Duration::from_secs(100 * DAY));
    put(
        store,
        "metallbs.metallb.io",
        json!({
            "metadata": {"name": "metallb", "namespace": "metallb-system"},
            "spec": {"logLevel": "info"},
            "status": {"conditions": [objects::condition("Available", "True", "Available", "", &old)]}
        }),
    )?;
    put(
        store,
        "ipaddresspools.metallb.io",
        json!({
            "metadata": {"name": "metallb", "namespace": "metallb-system"},
            "spec": {"addresses": ["192.168.111.200-192.168.111.220"], "autoAssign": true, "avoidBuggyIPs": false}
        }),
    )?;
    put(
        store,
        "managedclusters.cluster.open-cluster-management.io",
        json!({
            "metadata": {"name": "local-cluster", "labels": {"local-cluster": "true", "cloud": "BareMetal", "vendor": "OpenShift", "openshiftVersion": OCP_VERSION, "name": "local-cluster"}},
            "spec": {"hubAcceptsClient": true, "leaseDurationSeconds": 60, "managedClusterClientConfigs": [{"url": "https://api.hub.example.com:6443"}]},
            "status": {"conditions": [
                objects::condition("HubAcceptedManagedCluster", "True", "HubClusterAdminAccepted", "Accepted by hub cluster admin", &old),
                objects::condition("ManagedClusterJoined", "True", "ManagedClusterJoined", "Managed cluster joined", &old),
                objects::condition("ManagedClusterConditionAvailable", "True", "ManagedClusterAvailable", "Managed cluster is available", &old)
            ], "version": {"kubernetes": objects::KUBELET_VERSION}}
        }),
    )?;
    for v in ["4.18.1", "4.17.12", "4.16.30"] {
        put(
            store,
            "clusterimagesets.hive.openshift.io",
            json!({
                "metadata": {"name": format!("img{v}-multi-appsub"), "labels": {"visible": "true", "channel": "fast"}},
                "spec": {"releaseImage": format!("quay.io/openshift-release-dev/ocp-release:{v}-multi")}
            }),
        )?;
    }
    put(
        store,
        "network-attachment-definitions.k8s.cni.cncf.io",
        json!({
            "metadata": {"name": "vlan-100", "namespace": "clusters"},
            "spec": {"config": "{\"cniVersion\":\"0.3.1\",\"name\":\"vlan-100\",\"type\":\"bridge\",\"bridge\":\"br-vlan100\",\"vlan\":100,\"ipam\":{}}"}
        }),
    )?;
    Ok(())
}

/// The pods of the hub's own operators (HyperShift, MCE, OpenShift Virtualization, MetalLB) and
/// of its core platform namespaces (OVN-Kubernetes, DNS, ingress, service CA).
pub fn seed_operator_pods(store: &Store, s: u64) -> Result<(), ApiError> {
    let age = Duration::from_secs(20 * DAY);
    let img = |c: &str| format!("registry.redhat.io/openshift4/{c}@sha256:{}", hex(s, c, 64));
    let workers = infra_nodes();
    let all_nodes: Vec<String> = (0..MASTERS)
        .map(|i| format!("master-{i}"))
        .chain(workers.iter().cloned())
        .chain((0..ARM_WORKERS).map(arm_name))
        .collect();
    // (namespace, deployment or daemonset, replicas (0 = one per node in `nodes`), containers)
    let sets: &[(&str, &str, usize, &[&str])] = &[
        ("hypershift", "operator", 2, &["operator"]),
        ("hypershift", "external-dns", 1, &["external-dns"]),
        (
            "multicluster-engine",
            "multicluster-engine-operator",
            2,
            &["backplane-operator"],
        ),
        (
            "multicluster-engine",
            "cluster-manager",
            3,
            &["registration-operator"],
        ),
        (
            "multicluster-engine",
            "hypershift-addon-manager",
            1,
            &["hypershift-addon-manager"],
        ),
        ("openshift-cnv", "virt-api", 2, &["virt-api"]),
        ("openshift-cnv", "virt-controller", 2, &["virt-controller"]),
        ("openshift-cnv", "virt-operator", 2, &["virt-operator"]),
        ("openshift-cnv", "cdi-deployment", 1, &["cdi-controller"]),
        (
            "openshift-cnv",
            "hco-operator",
            1,
            &["hyperconverged-cluster-operator"],
        ),
        (
            "openshift-cnv",
            "virt-handler",
            0,
            &["virt-handler", "virt-launcher"],
        ),
        (
            "metallb-system",
            "controller",
            1,
            &["controller", "kube-rbac-proxy"],
        ),
        (
            "metallb-system",
            "speaker",
            0,
            &["speaker", "frr", "reloader"],
        ),
        // The platform's own core namespaces (the Health view checks them).
        (
            "openshift-ovn-kubernetes",
            "ovnkube-node",
            0,
            &[
                "ovn-controller",
                "northd",
                "nbdb",
                "sbdb",
                "ovnkube-controller",
            ],
        ),
        (
            "openshift-ovn-kubernetes",
            "ovnkube-control-plane",
            2,
            &["kube-rbac-proxy", "ovnkube-cluster-manager"],
        ),
        (
            "openshift-dns",
            "dns-default",
            0,
            &["dns", "kube-rbac-proxy"],
        ),
        ("openshift-dns", "node-resolver", 0, &["dns-node-resolver"]),
        ("openshift-ingress", "router-default", 2, &["router"]),
        (
            "openshift-service-ca",
            "service-ca",
            1,
            &["service-ca-controller"],
        ),
    ];
    let hosts: Vec<(String, String)> = all_nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), node_ip_any(i)))
        .collect();
    let sets: Vec<PodSet> = sets
        .iter()
        .map(|(ns, set, replicas, containers)| PodSet {
            namespace: ns,
            name: set,
            run_on: if *replicas == 0 {
                RunOn::EachOf(if *set == "virt-handler" {
                    workers.clone()
                } else {
                    all_nodes.clone()
                })
            } else {
                RunOn::Replicas(
                    (0..*replicas)
                        .map(|r| {
                            workers[(objects::hash64(s, set) as usize + r) % workers.len()].clone()
                        })
                        .collect(),
                )
            },
            containers,
        })
        .collect();
    pods::seed_sets(store, s, &Nodes { all: &hosts }, &sets, &img, age)
}

/// Host IP of the `i`th node in master, worker, arm64 order.
fn node_ip_any(i: usize) -> String {
    if i < MASTERS + X86_WORKERS {
        node_ip(i)
    } else {
        arm_ip(i - MASTERS - X86_WORKERS)
    }
}
