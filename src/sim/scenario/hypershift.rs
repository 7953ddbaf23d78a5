//! HostedCluster / NodePool objects (per the HyperShift CRDs) and their control planes.
//! Shared by the hub seed and the HostedCluster/NodePool controllers.

use serde_json::{Value, json};

use super::kubevirt::{self, PoolInfo};
use super::objects::{self, MULTI_RELEASE_TAG, OCP_VERSION, hash64, hex, set_condition, suffix};

pub const HUB_APPS_DOMAIN: &str = "apps.hub.example.com";

/// Where a hosted cluster's rollout stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HcPhase {
    /// Just created: control plane coming up.
    Progressing,
    /// Control plane available, but the version never completed (custom base domain without
    /// ingress/DNS).
    Partial,
    Completed,
}

pub fn cp_namespace(ns: &str, name: &str) -> String {
    format!("{ns}-{}", name.replace('.', "-"))
}

pub fn infra_id(seed: u64, name: &str) -> String {
    format!("{name}-{}", suffix(seed, &format!("infra/{name}"), 5))
}

/// A HostedCluster spec as `hcp create cluster kubevirt` writes it.
pub fn hosted_cluster(seed: u64, ns: &str, name: &str, base_domain: Option<&str>) -> Value {
    let mut kubevirt = json!({"generateID": suffix(seed, &format!("gen/{name}"), 10), "storageDriver": {"type": "Default"}});
    let dns = match base_domain {
        Some(d) => json!({"baseDomain": d}),
        None => {
            kubevirt["baseDomainPassthrough"] = json!(true);
            json!({"baseDomain": HUB_APPS_DOMAIN})
        }
    };
    let infra = infra_id(seed, name);
    json!({
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"hypershift.openshift.io/auto-created-for-infra": infra},
            "annotations": {"hypershift.openshift.io/cluster": format!("{ns}/{name}")},
            "finalizers": ["hypershift.openshift.io/finalizer"]
        },
        "spec": hc_spec(seed, name, &infra, dns, kubevirt)
    })
}

fn hc_spec(seed: u64, name: &str, infra: &str, dns: Value, kubevirt: Value) -> Value {
    json!({
        "release": {"image": MULTI_RELEASE_TAG},
        "pullSecret": {"name": format!("{name}-pull-secret")},
        "sshKey": {},
        "infraID": infra,
        "clusterID": uuid(seed, &format!("cluster/{name}")),
        "dns": dns,
        "controllerAvailabilityPolicy": "HighlyAvailable",
        "infrastructureAvailabilityPolicy": "SingleReplica",
        "fips": false,
        "issuerURL": "https://kubernetes.default.svc",
        "olmCatalogPlacement": "management",
        "networking": {
            "networkType": "OVNKubernetes",
            "clusterNetwork": [{"cidr": "10.132.0.0/14"}],
            "serviceNetwork": [{"cidr": "172.31.0.0/16"}]
        },
        "etcd": {
            "managementType": "Managed",
            "managed": {"storage": {"type": "PersistentVolume", "persistentVolume": {"size": "8Gi", "storageClassName": "ocs-storagecluster-ceph-rbd"}}}
        },
        "platform": {"type": "KubeVirt", "kubevirt": kubevirt},
        "services": [
            {"service": "APIServer", "servicePublishingStrategy": {"type": "LoadBalancer"}},
            {"service": "Ignition", "servicePublishingStrategy": {"type": "Route"}},
            {"service": "Konnectivity", "servicePublishingStrategy": {"type": "Route"}},
            {"service": "OAuthServer", "servicePublishingStrategy": {"type": "Route"}}
        ],
        "secretEncryption": {"type": "aescbc", "aescbc": {"activeKey": {"name": format!("{name}-etcd-encryption-key")}}},
        "configuration": {},
        "capabilities": {}
    })
}

pub fn uuid(seed: u64, key: &str) -> String {
    let h = hex(seed, key, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The base domain a cluster serves apps on, and whether it is a custom one (needs an apps LB
/// and wildcard DNS before the console/ingress operators can complete).
pub fn custom_base_domain(hc: &Value) -> Option<String> {
    let bd = objects::str_at(hc, "/spec/dns/baseDomain").unwrap_or_default();
    let passthrough = hc
        .pointer("/spec/platform/kubevirt/baseDomainPassthrough")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if bd.is_empty() || bd == HUB_APPS_DOMAIN || passthrough {
        None
    } else {
        Some(bd.to_string())
    }
}

/// The external IP of a custom-domain cluster's `<name>-apps` load balancer, if it has one.
pub fn apps_lb_ip(svc: &Value) -> Option<&str> {
    svc.pointer("/status/loadBalancer/ingress/0/ip")
        .and_then(Value::as_str)
}

pub fn api_host(hc: &Value) -> String {
    let name = objects::name_of(hc);
    match custom_base_domain(hc) {
        Some(d) => format!("api.{name}.{d}"),
        None => format!("api.{name}.{HUB_APPS_DOMAIN}"),
    }
}

/// Write a HostedCluster's status for `phase` (conditions, version history, kubeconfig, endpoint).
pub fn set_hc_status(hc: &mut Value, phase: HcPhase, now: &str, started: &str) {
    set_hc_status_apps(hc, phase, now, started, false);
}

/// `set_hc_status`, where `apps_ready` says a custom-base-domain cluster's apps load balancer
/// has an address (and wildcard DNS follows), so it can complete like any other.
pub fn set_hc_status_apps(
    hc: &mut Value,
    phase: HcPhase,
    now: &str,
    started: &str,
    apps_ready: bool,
) {
    let name = objects::name_of(hc).to_string();
    let image = objects::str_at(hc, "/spec/release/image")
        .unwrap_or(MULTI_RELEASE_TAG)
        .to_string();
    let gen_ = hc
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let host = api_host(hc);
    let custom = custom_base_domain(hc).filter(|_| !apps_ready);
    let available = phase != HcPhase::Progressing && custom.is_none();
    let set =
        |hc: &mut Value, t: &str, s: &str, r: &str, m: &str| set_condition(hc, t, s, r, m, now);
    if available {
        set(
            hc,
            "Available",
            "True",
            "AsExpected",
            "The hosted control plane is available",
        );
    } else if let Some(d) = &custom {
        set(
            hc,
            "Available",
            "False",
            "WaitingForAvailable",
            &format!(
                "Waiting for hosted control plane to be healthy: the console, ingress and authentication operators cannot reach *.apps.{name}.{d}: load balancer Service {name}-apps in {} has no external IP and no wildcard DNS record points at it",
                cp_namespace(objects::ns_of(hc), &name)
            ),
        );
    } else {
        set(
            hc,
            "Available",
            "False",
            "WaitingForAvailable",
            "Waiting for hosted control plane to be healthy",
        );
    }
    if phase == HcPhase::Progressing {
        set(
            hc,
            "Progressing",
            "True",
            "Progressing",
            "HostedCluster is deploying, upgrading, or reconfiguring",
        );
    } else {
        set(
            hc,
            "Progressing",
            "False",
            "AsExpected",
            "HostedCluster is at expected version",
        );
    }
    set(
        hc,
        "Degraded",
        "False",
        "AsExpected",
        "The hosted cluster is not degraded",
    );
    let cp_up = phase != HcPhase::Progressing;
    let tf = |b: bool| if b { "True" } else { "False" };
    set(
        hc,
        "InfrastructureReady",
        "True",
        "AsExpected",
        "All is well",
    );
    set(
        hc,
        "KubeAPIServerAvailable",
        tf(cp_up),
        if cp_up {
            "AsExpected"
        } else {
            "WaitingForAvailable"
        },
        if cp_up {
            "Kube APIServer deployment is available"
        } else {
            "Waiting for Kube APIServer deployment to become available"
        },
    );
    set(
        hc,
        "EtcdAvailable",
        tf(cp_up),
        if cp_up {
            "QuorumAvailable"
        } else {
            "EtcdWaitingForQuorum"
        },
        if cp_up {
            "All is well"
        } else {
            "Waiting for etcd to reach quorum"
        },
    );
    set(
        hc,
        "ValidHostedControlPlaneConfiguration",
        "True",
        "AsExpected",
        "Configuration passes validation",
    );
    set(
        hc,
        "ValidConfiguration",
        "True",
        "AsExpected",
        "Configuration passes validation",
    );
    set(
        hc,
        "SupportedHostedCluster",
        "True",
        "AsExpected",
        "HostedCluster is supported by operator configuration",
    );
    set(
        hc,
        "ValidReleaseImage",
        "True",
        "AsExpected",
        "Release image is valid",
    );
    set(hc, "ValidReleaseInfo", "True", "AsExpected", "All is well");
    set(
        hc,
        "IgnitionEndpointAvailable",
        tf(cp_up),
        if cp_up {
            "AsExpected"
        } else {
            "WaitingForAvailable"
        },
        if cp_up {
            "Ignition server deployment is available"
        } else {
            "Waiting for ignition-server deployment to become available"
        },
    );
    set(
        hc,
        "ReconciliationActive",
        "True",
        "AsExpected",
        "Reconciliation active on resource",
    );
    set(
        hc,
        "ReconciliationSucceeded",
        "True",
        "AsExpected",
        "Reconciliation completed successfully",
    );
    set(
        hc,
        "PlatformCredentialsFound",
        "True",
        "AsExpected",
        "Required platform credentials are found",
    );
    set(
        hc,
        "ValidKubeVirtInfraNetworkMTU",
        "True",
        "AsExpected",
        "All is well",
    );
    let done = phase == HcPhase::Completed && custom.is_none();
    set(
        hc,
        "ClusterVersionSucceeding",
        tf(cp_up),
        if cp_up {
            "FromClusterVersion"
        } else {
            "StatusUnknown"
        },
        if cp_up {
            "Done applying"
        } else {
            "Condition not found in the CVO."
        },
    );
    set(
        hc,
        "ClusterVersionProgressing",
        tf(!done),
        "FromClusterVersion",
        &if done {
            format!("Cluster version is {OCP_VERSION}")
        } else {
            format!("Unable to apply {OCP_VERSION}: some cluster operators are not available")
        },
    );
    set(
        hc,
        "ClusterVersionAvailable",
        tf(done),
        "FromClusterVersion",
        &if done {
            format!("Done applying {OCP_VERSION}")
        } else {
            "Cluster version has not yet completed".to_string()
        },
    );
    set(
        hc,
        "ClusterVersionReleaseAccepted",
        "True",
        "PayloadLoaded",
        &format!(
            "Payload loaded version=\"{OCP_VERSION}\" image=\"{image}\" architecture=\"Multi\""
        ),
    );
    set(
        hc,
        "DataPlaneConnectionAvailable",
        tf(cp_up),
        if cp_up {
            "AsExpected"
        } else {
            "NoWorkerNodesAvailable"
        },
        if cp_up {
            "All is well"
        } else {
            "No worker nodes available"
        },
    );
    if let Some(conds) = hc
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in conds.iter_mut().filter_map(Value::as_object_mut) {
            c.insert("observedGeneration".into(), json!(gen_));
        }
    }
    let cp_ns = cp_namespace(objects::ns_of(hc), &name);
    let st = crate::sim::store::ensure_object(hc, "status");
    let entry = if done {
        json!({"state": "Completed", "startedTime": started, "completionTime": now, "version": OCP_VERSION, "image": image, "verified": false})
    } else {
        json!({"state": "Partial", "startedTime": started, "completionTime": null, "version": if cp_up { OCP_VERSION } else { "" }, "image": image, "verified": false})
    };
    st.insert("version".into(), json!({
        "desired": {"image": image, "version": OCP_VERSION, "architecture": "Multi", "url": "https://access.redhat.com/errata/RHSA-2025:0876", "channels": ["candidate-4.18", "eus-4.18", "fast-4.18", "stable-4.18"]},
        "history": [entry],
        "observedGeneration": gen_,
        "availableUpdates": null
    }));
    st.insert("payloadArch".into(), json!("Multi"));
    st.insert("platform".into(), json!({}));
    if cp_up {
        st.insert(
            "kubeconfig".into(),
            json!({"name": format!("{name}-admin-kubeconfig")}),
        );
        st.insert(
            "kubeadminPassword".into(),
            json!({"name": format!("{name}-kubeadmin-password")}),
        );
        st.insert(
            "controlPlaneEndpoint".into(),
            json!({"host": host, "port": 6443}),
        );
        st.insert(
            "ignitionEndpoint".into(),
            json!(format!("ignition-server-{}.{HUB_APPS_DOMAIN}", cp_ns)),
        );
        st.insert(
            "oauthCallbackURLTemplate".into(),
            json!(format!(
                "https://oauth-{}.{HUB_APPS_DOMAIN}:443/oauth2callback/[identity-provider-name]",
                cp_ns
            )),
        );
    }
}

/// The HostedCluster-level `KubeVirtNodesLiveMigratable` condition from its pools' conditions
/// (`syncKVLiveMigratableCondition`). `bad_pools` are the pools whose condition is False.
pub fn set_hc_lm_condition(hc: &mut Value, bad_pools: &[String], now: &str) {
    if bad_pools.is_empty() {
        set_condition(
            hc,
            "KubeVirtNodesLiveMigratable",
            "True",
            "AsExpected",
            "All is well",
            now,
        );
    } else {
        let mut pools = bad_pools.to_vec();
        pools.sort();
        set_condition(
            hc,
            "KubeVirtNodesLiveMigratable",
            "False",
            "KubeVirtNodesNotLiveMigratable",
            &format!(
                "Non-live-migratable node(s) have been found on the following NodePool(s) attached to this Hosted Cluster: {}. It is recommended to use storage with the ReadWriteMany access mode for the root volumes of KubeVirt NodePools, so that their VMs can be live migrated when infra nodes are drained or upgraded.",
                pools.join(", ")
            ),
            now,
        );
    }
}

/// Pools of cluster `ns/name` whose `KubeVirtNodesLiveMigratable` is False.
pub fn non_migratable_pools(pools: &[std::sync::Arc<Value>], name: &str) -> Vec<String> {
    pools
        .iter()
        .filter(|p| objects::str_at(p, "/spec/clusterName") == Some(name))
        .filter(|p| objects::condition_status(p, "KubeVirtNodesLiveMigratable") == Some("False"))
        .map(|p| objects::name_of(p).to_string())
        .collect()
}

/// A NodePool as `hcp create nodepool kubevirt` writes it.
#[allow(clippy::too_many_arguments)]
pub fn node_pool(
    ns: &str,
    name: &str,
    cluster: &str,
    replicas: i64,
    sc: &str,
    access: &str,
    cores: u64,
    memory: &str,
) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns, "labels": {"hypershift.openshift.io/auto-created-for-infra": cluster}},
        "spec": {
            "clusterName": cluster,
            "replicas": replicas,
            "release": {"image": MULTI_RELEASE_TAG},
            "arch": "amd64",
            "management": {"upgradeType": "Replace", "autoRepair": false, "replace": {"strategy": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}},
            "nodeDrainTimeout": "0s",
            "nodeVolumeDetachTimeout": "0s",
            "platform": {
                "type": "KubeVirt",
                "kubevirt": {
                    "attachDefaultNetwork": true,
                    "networkInterfaceMultiqueue": "Enable",
                    "compute": {"cores": cores, "memory": memory},
                    "rootVolume": {"type": "Persistent", "persistent": {"size": "32Gi", "storageClass": sc, "accessModes": [access]}}
                }
            }
        }
    })
}

/// Write a NodePool's status: replicas, version and the conditions `oc get np` shows.
/// `machines` are the pool's VM names; `available` of them have a Ready node.
pub fn set_np_status(
    np: &mut Value,
    pool: &PoolInfo,
    machines: &[String],
    available: usize,
    now: &str,
) {
    let desired = pool.replicas.max(0) as usize;
    let gen_ = np
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let image = pool.release_image.clone();
    let complete = available >= desired && machines.len() == desired;
    let had_version = objects::str_at(np, "/status/version").is_some_and(|v| !v.is_empty());
    let set =
        |np: &mut Value, t: &str, s: &str, r: &str, m: &str| set_condition(np, t, s, r, m, now);
    set(
        np,
        "ValidGeneratedPayload",
        "True",
        "AsExpected",
        "Payload generated successfully",
    );
    set(
        np,
        "ValidPlatformImage",
        "True",
        "AsExpected",
        "Bootstrap KubeVirt Image is quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:4c2a0d7e1f8b5a3c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c",
    );
    set(
        np,
        "ValidReleaseImage",
        "True",
        "AsExpected",
        &format!("Using release image: {image}"),
    );
    set(
        np,
        "ValidMachineConfig",
        "True",
        "AsExpected",
        "All is well",
    );
    set(np, "ValidTuningConfig", "True", "AsExpected", "All is well");
    set(
        np,
        "SupportedVersionSkew",
        "True",
        "AsExpected",
        "Release image version is valid",
    );
    set(
        np,
        "UpdateManagementEnabled",
        "True",
        "AsExpected",
        "All is well",
    );
    if pool.autoscaling {
        let min = np
            .pointer("/spec/autoScaling/min")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let max = np
            .pointer("/spec/autoScaling/max")
            .and_then(Value::as_i64)
            .unwrap_or(min);
        set(
            np,
            "AutoscalingEnabled",
            "True",
            "AsExpected",
            &format!("Maximum nodes: {max}, Minimum nodes: {min}"),
        );
    } else {
        set(np, "AutoscalingEnabled", "False", "AsExpected", "");
    }
    let auto_repair = np
        .pointer("/spec/management/autoRepair")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    set(
        np,
        "AutorepairEnabled",
        if auto_repair { "True" } else { "False" },
        "AsExpected",
        "",
    );
    let config_hash = hex(1, &pool.name, 8);
    if had_version || complete {
        set(np, "UpdatingVersion", "False", "AsExpected", "");
        set(np, "UpdatingConfig", "False", "AsExpected", "");
    } else {
        set(
            np,
            "UpdatingVersion",
            "True",
            "AsExpected",
            &format!("Updating version in progress. Target version: {OCP_VERSION}"),
        );
        set(
            np,
            "UpdatingConfig",
            "True",
            "AsExpected",
            &format!("Updating config in progress. Target config: {config_hash}"),
        );
    }
    set(
        np,
        "UpdatingPlatformMachineTemplate",
        "False",
        "AsExpected",
        "",
    );
    if available >= desired {
        set(np, "Ready", "True", "AsExpected", "");
    } else {
        set(
            np,
            "Ready",
            "False",
            "WaitingForAvailableMachines",
            &format!(
                "Minimum availability requires {desired} replicas, current {available} available"
            ),
        );
    }
    let not_ready = machines.len().saturating_sub(available);
    if desired == 0 && machines.is_empty() {
        set(
            np,
            "AllMachinesReady",
            "False",
            "AsExpected",
            "NodePool set to no replicas",
        );
        set(
            np,
            "AllNodesHealthy",
            "False",
            "AsExpected",
            "NodePool set to no replicas",
        );
    } else if machines.is_empty() {
        set(
            np,
            "AllMachinesReady",
            "False",
            "NotFound",
            "No Machines are created",
        );
        set(
            np,
            "AllNodesHealthy",
            "False",
            "NotFound",
            "No Machines are created",
        );
    } else if not_ready == 0 {
        set(np, "AllMachinesReady", "True", "AsExpected", "All is well");
        set(np, "AllNodesHealthy", "True", "AsExpected", "All is well");
    } else {
        let n = machines.len();
        set(
            np,
            "AllMachinesReady",
            "False",
            "WaitingForInfrastructure",
            &format!("{not_ready} of {n} machines are not ready\n"),
        );
        set(
            np,
            "AllNodesHealthy",
            "False",
            "WaitingForNodeRef",
            &format!("{not_ready} of {n} machines are not healthy\n"),
        );
    }
    set(
        np,
        "ReconciliationActive",
        "True",
        "AsExpected",
        "Reconciliation active on resource",
    );
    if available > 0 || had_version {
        set(np, "ReachedIgnitionEndpoint", "True", "AsExpected", "");
    } else {
        set(
            np,
            "ReachedIgnitionEndpoint",
            "False",
            "ignitionNotReached",
            "",
        );
    }
    if !machines.is_empty() {
        let (s, r, m) = kubevirt::pool_lm_condition(machines, pool.live_migratable());
        set(np, "KubeVirtNodesLiveMigratable", s, r, &m);
    }
    if let Some(conds) = np
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in conds.iter_mut().filter_map(Value::as_object_mut) {
            c.insert("observedGeneration".into(), json!(gen_));
        }
    }
    let st = crate::sim::store::ensure_object(np, "status");
    st.insert("replicas".into(), json!(available));
    if complete || had_version {
        st.insert("version".into(), json!(OCP_VERSION));
    }
}

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
    let _ = hash64;
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
        "data": {"kubeconfig": crate::sim::pki::b64(kubeconfig)}
    })
}

/// The kubeconfig a hosted cluster publishes before its API is served by the sim.
pub fn placeholder_kubeconfig(hc: &Value) -> String {
    let name = objects::name_of(hc);
    crate::sim::kubeconfig_yaml(
        &format!("https://{}:6443", api_host(hc)),
        crate::sim::ADMIN_TOKEN,
        name,
    )
}

pub fn cluster_secrets(ns: &str, name: &str) -> Vec<Value> {
    let lbl = json!({"hypershift.openshift.io/safe-to-delete-with-cluster": "true"});
    vec![
        json!({"metadata": {"name": format!("{name}-pull-secret"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {".dockerconfigjson": crate::sim::pki::b64("{\"auths\":{\"quay.io\":{\"auth\":\"ZmFrZTpmYWtl\"}}}")}}),
        json!({"metadata": {"name": format!("{name}-kubeadmin-password"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {"password": crate::sim::pki::b64("SIMxx-NOTAx-REALx-PASSW")}}),
        json!({"metadata": {"name": format!("{name}-etcd-encryption-key"), "namespace": ns, "labels": lbl},
               "type": "Opaque", "data": {"key": crate::sim::pki::b64("sim-fake-32-byte-key-not-secret!")}}),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_status_has_history_and_kubeconfig() {
        let mut hc = hosted_cluster(1, "clusters", "example", None);
        set_hc_status(&mut hc, HcPhase::Completed, "t2", "t1");
        assert_eq!(hc["status"]["version"]["history"][0]["state"], "Completed");
        assert_eq!(
            hc["status"]["version"]["history"][0]["completionTime"],
            "t2"
        );
        assert_eq!(
            hc["status"]["kubeconfig"]["name"],
            "example-admin-kubeconfig"
        );
        assert_eq!(objects::condition_status(&hc, "Available"), Some("True"));
    }

    #[test]
    fn custom_domain_stays_partial() {
        let mut hc = hosted_cluster(1, "clusters", "guest", Some("hypershift.lab"));
        set_hc_status(&mut hc, HcPhase::Completed, "t2", "t1");
        assert_eq!(hc["status"]["version"]["history"][0]["state"], "Partial");
        assert!(hc["status"]["version"]["history"][0]["completionTime"].is_null());
        assert_eq!(objects::condition_status(&hc, "Available"), Some("False"));
    }

    #[test]
    fn np_ready_message() {
        let mut np = node_pool(
            "clusters",
            "example-extra-cpu",
            "example",
            2,
            "ocs-storagecluster-ceph-rbd",
            "ReadWriteMany",
            4,
            "8Gi",
        );
        let pool = PoolInfo::from_objects(&np, None);
        set_np_status(&mut np, &pool, &[], 0, "t");
        let ready = np["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "Ready")
            .unwrap()
            .clone();
        assert_eq!(
            ready["message"],
            "Minimum availability requires 2 replicas, current 0 available"
        );
        assert_eq!(np["status"]["replicas"], 0);
        assert_eq!(
            objects::condition_status(&np, "UpdatingVersion"),
            Some("True")
        );
    }
}
