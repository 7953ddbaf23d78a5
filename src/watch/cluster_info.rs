//! Cluster version and platform for the header: ClusterVersion `version` and Infrastructure
//! `cluster` on OpenShift, ConfigMap `kube-public/microshift-version` on MicroShift. Polled slowly.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Api, Client};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{Reporter, WatchMsg};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterInfo {
    pub version: Option<String>,
    pub platform: Option<String>,
}

const POLL: Duration = Duration::from_secs(60);

pub fn spawn(client: Client, reporter: Reporter, cancel: CancellationToken) {
    tokio::spawn(async move {
        loop {
            let info = fetch(&client).await;
            let _ = reporter.tx.send(WatchMsg::ClusterInfo {
                generation: reporter.generation,
                info,
            });
            reporter.changed.wake();
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    });
}

async fn get_dynamic(client: &Client, kind: &str, plural: &str, name: &str) -> Option<Value> {
    let gvk = GroupVersionKind::gvk("config.openshift.io", "v1", kind);
    let ar = ApiResource::from_gvk_with_plural(&gvk, plural);
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let obj = api.get_opt(name).await.ok().flatten()?;
    serde_json::to_value(obj).ok()
}

/// Read what is there; anything missing or forbidden is simply absent.
pub async fn fetch(client: &Client) -> ClusterInfo {
    let mut info = ClusterInfo::default();
    if let Some(cv) = get_dynamic(client, "ClusterVersion", "clusterversions", "version").await {
        info.version = cluster_version(&cv);
    }
    if let Some(infra) = get_dynamic(client, "Infrastructure", "infrastructures", "cluster").await {
        info.platform = platform(&infra);
    }
    if info.version.is_none() {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "kube-public");
        if let Ok(Some(cm)) = cms.get_opt("microshift-version").await {
            let v = cm.data.as_ref().and_then(|d| d.get("version")).cloned();
            // "MicroShift 4.18.1" says it all; no separate platform.
            info.version = v.map(|v| format!("MicroShift {v}"));
        }
    }
    info
}

/// The version a ClusterVersion reports: `status.desired.version`, else the newest history entry.
pub fn cluster_version(cv: &Value) -> Option<String> {
    cv.pointer("/status/desired/version")
        .or_else(|| cv.pointer("/status/history/0/version"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `status.platformStatus.type`, else the older `status.platform`.
pub fn platform(infra: &Value) -> Option<String> {
    infra
        .pointer("/status/platformStatus/type")
        .or_else(|| infra.pointer("/status/platform"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_version_and_platform() {
        let cv = json!({"status": {"desired": {"version": "4.19.3"}, "history": [{"version": "4.19.2"}]}});
        assert_eq!(cluster_version(&cv).as_deref(), Some("4.19.3"));
        let cv = json!({"status": {"history": [{"version": "4.18.1"}]}});
        assert_eq!(cluster_version(&cv).as_deref(), Some("4.18.1"));
        assert_eq!(cluster_version(&json!({})), None);
        let inf = json!({"status": {"platform": "None", "platformStatus": {"type": "BareMetal"}}});
        assert_eq!(platform(&inf).as_deref(), Some("BareMetal"));
        assert_eq!(
            platform(&json!({"status": {"platform": "Azure"}})).as_deref(),
            Some("Azure")
        );
    }
}
