//! HostedCluster / NodePool objects (per the HyperShift CRDs) and their control planes.
//! Shared by the hub seed and the HostedCluster/NodePool controllers.

use serde_json::{Value, json};

pub use super::control_plane::{
    cluster_secrets, control_plane_pods, control_plane_services, kubeconfig_secret,
    placeholder_kubeconfig,
};
pub use super::nodepools::{node_pool, set_np_status, set_np_status_detail};
use super::objects::{self, MULTI_RELEASE_TAG, OCP_VERSION, hex, set_condition, suffix};

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

/// Version history entries kept, newest first (the CVO keeps a bounded list too).
const HISTORY_LEN: usize = 10;

/// The history after writing `entry`: it replaces the newest entry when that is the same rollout
/// (same start time), else it is prepended, so the previous Completed version stays listed while an
/// upgrade is Partial, which is what the VERSION printer column (first Completed) reads.
fn rolled_history(version: Option<&Value>, entry: Value, started: &str) -> Vec<Value> {
    let mut history: Vec<Value> = version
        .and_then(|v| v.get("history"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let same_rollout = history
        .first()
        .and_then(|h| h.get("startedTime"))
        .and_then(Value::as_str)
        == Some(started);
    if same_rollout {
        history[0] = entry;
    } else {
        history.insert(0, entry);
    }
    history.truncate(HISTORY_LEN);
    history
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
    let st = crate::store::ensure_object(hc, "status");
    let entry = if done {
        json!({"state": "Completed", "startedTime": started, "completionTime": now, "version": OCP_VERSION, "image": image, "verified": false})
    } else {
        json!({"state": "Partial", "startedTime": started, "completionTime": null, "version": if cp_up { OCP_VERSION } else { "" }, "image": image, "verified": false})
    };
    let history = rolled_history(st.get("version"), entry, started);
    st.insert("version".into(), json!({
        "desired": {"image": image, "version": OCP_VERSION, "architecture": "Multi", "url": "https://access.redhat.com/errata/RHSA-2025:0876", "channels": ["candidate-4.18", "eus-4.18", "fast-4.18", "stable-4.18"]},
        "history": history,
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
    fn an_upgrade_keeps_the_completed_version_until_it_completes() {
        let mut hc = hosted_cluster(1, "clusters", "example", None);
        set_hc_status(&mut hc, HcPhase::Partial, "t1", "t1");
        set_hc_status(&mut hc, HcPhase::Completed, "t2", "t1");
        assert_eq!(
            hc["status"]["version"]["history"].as_array().map(Vec::len),
            Some(1)
        );
        set_hc_status(&mut hc, HcPhase::Partial, "t3", "t3");
        let history = &hc["status"]["version"]["history"];
        assert_eq!(history[0]["state"], "Partial");
        assert_eq!(history[1]["state"], "Completed");
        assert_eq!(history[1]["completionTime"], "t2");
        set_hc_status(&mut hc, HcPhase::Completed, "t4", "t3");
        let history = &hc["status"]["version"]["history"];
        assert_eq!(history.as_array().map(Vec::len), Some(2));
        assert_eq!(history[0]["state"], "Completed");
        assert_eq!(history[0]["completionTime"], "t4");
    }
}
