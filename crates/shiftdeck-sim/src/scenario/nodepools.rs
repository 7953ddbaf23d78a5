//! NodePool objects as `hcp create nodepool kubevirt` writes them, and their status as the
//! NodePool controller reports it (conditions and message formats of facts §2.5/§2.6).

use serde_json::{Value, json};

use super::kubevirt::{self, PoolInfo};
use super::objects::{self, MULTI_RELEASE_TAG, OCP_VERSION, hex, set_condition};

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
    set_np_status_detail(np, pool, machines, available, &[], now);
}

/// `set_np_status` naming the CAPI Machines that are not ready yet (one line per machine in
/// the AllMachinesReady/AllNodesHealthy messages, facts §2.6).
pub fn set_np_status_detail(
    np: &mut Value,
    pool: &PoolInfo,
    machines: &[String],
    available: usize,
    not_ready_machines: &[String],
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
        let mut sorted = not_ready_machines.to_vec();
        sorted.sort();
        let lines = |reason: &str| -> String {
            sorted
                .iter()
                .map(|m| format!("Machine {m}: {reason}\n"))
                .collect()
        };
        set(
            np,
            "AllMachinesReady",
            "False",
            "WaitingForInfrastructure",
            &format!(
                "{not_ready} of {n} machines are not ready\n{}",
                lines("WaitingForInfrastructure")
            ),
        );
        set(
            np,
            "AllNodesHealthy",
            "False",
            "WaitingForNodeRef",
            &format!(
                "{not_ready} of {n} machines are not healthy\n{}",
                lines("WaitingForNodeRef")
            ),
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
    let st = crate::store::ensure_object(np, "status");
    st.insert("replicas".into(), json!(available));
    if complete || had_version {
        st.insert("version".into(), json!(OCP_VERSION));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
