//! Condition polarity: which status of which HostedCluster / NodePool condition type is healthy.
//!
//! Tables follow `support/conditions/conditions.go` (`ExpectedHCConditions`,
//! `ExpectedNodePoolConditions`) and the condition comments in `hostedcluster_conditions.go` /
//! `nodepool_conditions.go` (facts §1.8, §2.5). Types with no expected value there are classified by
//! meaning: "something is in progress" types are informational, flags like `AutoscalingEnabled` are
//! informational either way.

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::util::{arr_at, parse_time};

/// How a condition type reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// `True` is healthy, `False` is a problem (`Available`, `ValidConfiguration`...).
    TrueIsHealthy,
    /// `True` is a problem, `False` is healthy (`Degraded`, `ClusterVersionFailing`...).
    TrueIsBad,
    /// `True` means work in progress (informational), `False` is the steady state (`Progressing`,
    /// `UpdatingVersion`).
    TrueIsActivity,
    /// Either value is information only (`AutoscalingEnabled`, `ClusterSizeComputed`).
    Informational,
}

/// The verdict for one condition instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    /// A problem needing attention.
    Unhealthy,
    /// Status `Unknown`, or an unknown type with a status we cannot judge.
    Unknown,
    /// Information or activity (e.g. `Progressing=True`).
    Info,
    /// The expected value.
    Healthy,
}

impl Health {
    /// A short label for a details view.
    pub fn label(self) -> &'static str {
        match self {
            Health::Unhealthy => "bad",
            Health::Unknown => "unknown",
            Health::Info => "info",
            Health::Healthy => "ok",
        }
    }
}

/// Which resource a condition belongs to (the tables differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// `HostedCluster.status.conditions`.
    HostedCluster,
    /// `NodePool.status.conditions`.
    NodePool,
}

const HC_TRUE_HEALTHY: &[&str] = &[
    "Available",
    "InfrastructureReady",
    "KubeAPIServerAvailable",
    "EtcdAvailable",
    "ValidHostedControlPlaneConfiguration",
    "ExternalDNSReachable",
    "ValidReleaseInfo",
    "ClusterVersionSucceeding",
    "ClusterVersionAvailable",
    "ClusterVersionReleaseAccepted",
    "UnmanagedEtcdAvailable",
    "IgnitionEndpointAvailable",
    "IgnitionServerValidReleaseInfo",
    "ValidConfiguration",
    "SupportedHostedCluster",
    "ValidOIDCConfiguration",
    "ValidProxyConfiguration",
    "ValidIDPConfiguration",
    "ValidReleaseImage",
    "ValidKubeVirtInfraNetworkMTU",
    "ValidKubeVirtInfraNetworkPolicyRBAC",
    "KubeVirtNodesLiveMigratable",
    "ValidAWSIdentityProvider",
    "ValidAWSKMSConfig",
    "ValidAzureKMSConfig",
    "ValidGCPCredentials",
    "ValidGCPWorkloadIdentity",
    "AWSDefaultSecurityGroupCreated",
    "PlatformCredentialsFound",
    "ReconciliationActive",
    "ReconciliationSucceeded",
    "ConfigOperatorReconciliationSucceeded",
    "DataPlaneConnectionAvailable",
    "ControlPlaneConnectionAvailable",
    "EtcdDataEncryptionUpToDate",
];
const HC_TRUE_BAD: &[&str] = &["Degraded", "ClusterVersionFailing", "EtcdRecoveryActive"];
const HC_ACTIVITY: &[&str] = &[
    "Progressing",
    "ClusterVersionProgressing",
    "ClusterSizeTransitionPending",
    "ClusterSizeTransitionRequired",
];
const HC_INFO: &[&str] = &[
    "CloudResourcesDestroyed",
    "HostedClusterDestroyed",
    "ClusterVersionUpgradeable",
    "ClusterVersionRetrievedUpdates",
    "EtcdBackupSucceeded",
    "ClusterSizeComputed",
    "HostedClusterRestoredFromBackup",
    "AutoNodeEnabled",
    "PublicEndpointExposed",
    "AWSDefaultSecurityGroupDeleted",
];

const NP_TRUE_HEALTHY: &[&str] = &[
    "ValidGeneratedPayload",
    "ValidPlatformImage",
    "ValidReleaseImage",
    "ValidMachineConfig",
    "ValidTuningConfig",
    "SupportedVersionSkew",
    "ValidPlatformConfig",
    "UpdateManagementEnabled",
    "Ready",
    "AllMachinesReady",
    "AllNodesHealthy",
    "ReconciliationActive",
    "ReachedIgnitionEndpoint",
    "AWSSecurityGroupAvailable",
    "ValidMachineTemplate",
    "KubeVirtNodesLiveMigratable",
    "IgnitionEndpointAvailable",
    "ValidArchPlatform",
    "performance.operator.openshift.io/Available",
    "performance.operator.openshift.io/Upgradeable",
];
const NP_TRUE_BAD: &[&str] = &[
    "ClusterNetworkCIDRConflict",
    "AWSResourceTagConflict",
    "performance.operator.openshift.io/Degraded",
];
const NP_ACTIVITY: &[&str] = &[
    "UpdatingVersion",
    "UpdatingConfig",
    "UpdatingPlatformMachineTemplate",
    "performance.operator.openshift.io/Progressing",
];
const NP_INFO: &[&str] = &["AutoscalingEnabled", "AutorepairEnabled"];

/// The polarity of a condition type, `None` for a type not in the tables.
pub fn polarity(owner: Owner, type_: &str) -> Option<Polarity> {
    let (healthy, bad, activity, info) = match owner {
        Owner::HostedCluster => (HC_TRUE_HEALTHY, HC_TRUE_BAD, HC_ACTIVITY, HC_INFO),
        Owner::NodePool => (NP_TRUE_HEALTHY, NP_TRUE_BAD, NP_ACTIVITY, NP_INFO),
    };
    if healthy.contains(&type_) {
        Some(Polarity::TrueIsHealthy)
    } else if bad.contains(&type_) {
        Some(Polarity::TrueIsBad)
    } else if activity.contains(&type_) {
        Some(Polarity::TrueIsActivity)
    } else if info.contains(&type_) {
        Some(Polarity::Informational)
    } else {
        None
    }
}

/// Judges one condition. NodePool `AllMachinesReady` / `AllNodesHealthy` stay `False` with reason
/// `AsExpected` ("NodePool set to no replicas") when a pool has zero replicas: informational. Any
/// other `False` of a true-is-healthy type is a problem, even with reason `AsExpected` (NodePool
/// `Ready` copies CAPI's status and defaults the reason to `AsExpected`).
pub fn judge(owner: Owner, type_: &str, status: &str, reason: &str) -> Health {
    let Some(p) = polarity(owner, type_) else {
        return Health::Unknown;
    };
    match (p, status) {
        (Polarity::Informational, _) => Health::Info,
        (_, "Unknown") => Health::Unknown,
        (Polarity::TrueIsHealthy, "True") => Health::Healthy,
        (Polarity::TrueIsHealthy, "False")
            if owner == Owner::NodePool
                && reason == "AsExpected"
                && matches!(type_, "AllMachinesReady" | "AllNodesHealthy") =>
        {
            Health::Info
        }
        // No machines: nothing to migrate, not a migration problem.
        (Polarity::TrueIsHealthy, "False")
            if type_ == "KubeVirtNodesLiveMigratable" && reason == "NotFound" =>
        {
            Health::Info
        }
        (Polarity::TrueIsHealthy, "False") => Health::Unhealthy,
        (Polarity::TrueIsBad, "True") => Health::Unhealthy,
        (Polarity::TrueIsBad, "False") => Health::Healthy,
        (Polarity::TrueIsActivity, "True") => Health::Info,
        (Polarity::TrueIsActivity, "False") => Health::Healthy,
        _ => Health::Unknown,
    }
}

/// One condition prepared for a details view.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionView {
    /// `type`.
    pub type_: String,
    /// `status` (`True`/`False`/`Unknown`, or whatever was there).
    pub status: String,
    /// `reason` (empty when absent).
    pub reason: String,
    /// `message` (empty when absent; may span lines).
    pub message: String,
    /// `lastTransitionTime`.
    pub last_transition: Option<Timestamp>,
    /// The verdict.
    pub health: Health,
}

/// Every condition of an object, in the object's order, judged by polarity.
pub fn condition_views(owner: Owner, obj: &Value) -> Vec<ConditionView> {
    arr_at(obj, "/status/conditions")
        .iter()
        .map(|c| {
            let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (type_, status, reason) = (f("type"), f("status"), f("reason"));
            ConditionView {
                health: judge(owner, &type_, &status, &reason),
                message: f("message"),
                last_transition: c
                    .get("lastTransitionTime")
                    .and_then(Value::as_str)
                    .and_then(parse_time),
                type_,
                status,
                reason,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hosted_cluster_polarity() {
        use Health::*;
        let hc = Owner::HostedCluster;
        assert_eq!(judge(hc, "Degraded", "True", "X"), Unhealthy);
        assert_eq!(judge(hc, "Degraded", "False", "AsExpected"), Healthy);
        assert_eq!(
            judge(hc, "Available", "False", "WaitingForAvailable"),
            Unhealthy
        );
        assert_eq!(judge(hc, "Available", "True", "AsExpected"), Healthy);
        assert_eq!(judge(hc, "Progressing", "True", "Progressing"), Info);
        assert_eq!(judge(hc, "Progressing", "False", "Blocked"), Healthy);
        assert_eq!(judge(hc, "ValidConfiguration", "False", "X"), Unhealthy);
        assert_eq!(
            judge(hc, "ValidReleaseImage", "False", "InvalidImage"),
            Unhealthy
        );
        assert_eq!(judge(hc, "Degraded", "Unknown", "StatusUnknown"), Unknown);
        assert_eq!(judge(hc, "ClusterVersionUpgradeable", "False", "X"), Info);
        assert_eq!(judge(hc, "NoSuchType", "True", ""), Unknown);
    }

    #[test]
    fn node_pool_polarity() {
        use Health::*;
        let np = Owner::NodePool;
        assert_eq!(judge(np, "Ready", "False", "Foo"), Unhealthy);
        assert_eq!(judge(np, "UpdatingVersion", "True", ""), Info);
        assert_eq!(judge(np, "AutoscalingEnabled", "False", ""), Info);
        assert_eq!(
            judge(np, "ClusterNetworkCIDRConflict", "True", ""),
            Unhealthy
        );
        assert_eq!(judge(np, "AllMachinesReady", "False", "AsExpected"), Info);
        assert_eq!(judge(np, "AllNodesHealthy", "False", "AsExpected"), Info);
        assert_eq!(
            judge(np, "KubeVirtNodesLiveMigratable", "False", "NotFound"),
            Info
        );
        assert_eq!(judge(np, "Ready", "False", "AsExpected"), Unhealthy);
        assert_eq!(
            judge(Owner::HostedCluster, "Available", "False", "AsExpected"),
            Unhealthy
        );
        assert_eq!(
            judge(np, "AllMachinesReady", "False", "NotFound"),
            Unhealthy
        );
        assert_eq!(
            judge(np, "KubeVirtNodesLiveMigratable", "False", "X"),
            Unhealthy
        );
        // The HC-only `Degraded` is not in the NodePool table.
        assert_eq!(judge(np, "Degraded", "True", ""), Unknown);
    }

    #[test]
    fn views_keep_order_and_tolerate_garbage() {
        let o = json!({"status": {"conditions": [
            {"type": "Degraded", "status": "True", "reason": "R", "message": "m",
             "lastTransitionTime": "2026-01-01T00:00:00Z"},
            {"type": 5},
            "nonsense"]}});
        let v = condition_views(Owner::HostedCluster, &o);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].health, Health::Unhealthy);
        assert!(v[0].last_transition.is_some());
        assert_eq!(v[1].type_, "");
        assert_eq!(v[2].health, Health::Unknown);
    }
}
