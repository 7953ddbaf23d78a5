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
    /// A read failed (not "absent" or "forbidden", which are answers): the values are the last
    /// good ones, kept rather than blanked so the header does not flicker.
    pub stale: bool,
}

impl ClusterInfo {
    /// This poll's answer, given the last one shown: after a failed read, what the poll could
    /// not read keeps its previous value, marked stale.
    pub fn merged_over(self, previous: &ClusterInfo) -> ClusterInfo {
        if !self.stale {
            return self;
        }
        ClusterInfo {
            version: self.version.or_else(|| previous.version.clone()),
            platform: self.platform.or_else(|| previous.platform.clone()),
            stale: true,
        }
    }
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

/// `Ok(None)` when the API answered that the object is not there (404, or 403: not ours to
/// read); `Err` when it could not answer (connection, 5xx, timeout).
fn answered<T>(r: Result<Option<T>, kube::Error>) -> Result<Option<T>, ()> {
    match r {
        Ok(o) => Ok(o),
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => Ok(None),
        Err(_) => Err(()),
    }
}

async fn get_dynamic(
    client: &Client,
    kind: &str,
    plural: &str,
    name: &str,
) -> Result<Option<Value>, ()> {
    let gvk = GroupVersionKind::gvk("config.openshift.io", "v1", kind);
    let ar = ApiResource::from_gvk_with_plural(&gvk, plural);
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let obj = answered(api.get_opt(name).await)?;
    Ok(obj.and_then(|o| serde_json::to_value(o).ok()))
}

/// Read what is there; anything missing or forbidden is simply absent, a failed read marks the
/// answer stale (see [`ClusterInfo::merged_over`]).
pub async fn fetch(client: &Client) -> ClusterInfo {
    let mut info = ClusterInfo::default();
    match get_dynamic(client, "ClusterVersion", "clusterversions", "version").await {
        Ok(cv) => info.version = cv.as_ref().and_then(cluster_version),
        Err(()) => info.stale = true,
    }
    match get_dynamic(client, "Infrastructure", "infrastructures", "cluster").await {
        Ok(infra) => info.platform = infra.as_ref().and_then(platform),
        Err(()) => info.stale = true,
    }
    if info.version.is_none() && !info.stale {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "kube-public");
        match answered(cms.get_opt("microshift-version").await) {
            Ok(cm) => {
                let v = cm.and_then(|cm| cm.data.and_then(|mut d| d.remove("version")));
                // "MicroShift 4.18.1" says it all; no separate platform.
                info.version = v.map(|v| format!("MicroShift {v}"));
            }
            Err(()) => info.stale = true,
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
    fn a_failed_poll_keeps_the_last_good_values_marked_stale() {
        let good = ClusterInfo {
            version: Some("4.18.3".into()),
            platform: Some("KubeVirt".into()),
            stale: false,
        };
        let failed = ClusterInfo {
            stale: true,
            ..ClusterInfo::default()
        };
        let shown = failed.merged_over(&good);
        assert_eq!(shown.version.as_deref(), Some("4.18.3"));
        assert_eq!(shown.platform.as_deref(), Some("KubeVirt"));
        assert!(shown.stale);
        // A good answer replaces everything, absence included (a real "not there").
        let answer = ClusterInfo::default();
        assert_eq!(answer.clone().merged_over(&good), answer);
    }

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
