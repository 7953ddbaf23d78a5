//! One watched kind: its spec, its state, and the reflector task that keeps its store.

use std::fmt::Debug;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Node;
use kube::runtime::reflector::store::Writer;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::Reporter;
use crate::kube_conn::one_line;

/// What the UI needs to know to watch a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// Short id used in state maps and messages (the plural).
    pub id: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    /// Served by a CRD or an optional API: check discovery before watching.
    pub crd: bool,
}

impl KindSpec {
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// Where a kind's watch stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindState {
    /// Before the first complete list.
    Loading,
    Live,
    /// The watch failed and is retrying with backoff.
    Reconnecting {
        attempt: u32,
        error: String,
    },
    /// 403: the user may not list/watch this kind.
    Forbidden(String),
    /// The API is not served by this cluster (CRD absent).
    NotInstalled,
}

impl KindState {
    pub fn label(&self) -> String {
        match self {
            KindState::Loading => "loading".into(),
            KindState::Live => "live".into(),
            KindState::Reconnecting { attempt, .. } => format!("reconnecting (attempt {attempt})"),
            KindState::Forbidden(_) => "forbidden".into(),
            KindState::NotInstalled => "not installed".into(),
        }
    }
}

/// Objects per list page while a watch (re)lists.
pub const LIST_PAGE: u32 = 100;

/// Drop what no pane shows before caching: managedFields always, plus per-kind bulk. Nodes keep
/// their metadata (the YAML view shows annotations as the cluster has them), spec, and the status
/// the details show (conditions, addresses, capacity/allocatable, nodeInfo).
pub fn strip_node(n: &mut Node) {
    n.meta_mut().managed_fields = None;
    if let Some(s) = n.status.as_mut() {
        s.images = None;
        s.volumes_attached = None;
        s.volumes_in_use = None;
        s.config = None;
        s.runtime_handlers = None;
    }
}

/// CSRs keep their request (the checks decode it); only managedFields go.
pub fn strip_csr(c: &mut k8s_openapi::api::certificates::v1::CertificateSigningRequest) {
    c.meta_mut().managed_fields = None;
}

/// Whether the API group/version of `spec` is served (404 on discovery means not installed).
pub async fn installed(client: &Client, spec: &KindSpec) -> Result<bool, kube::Error> {
    if !spec.crd {
        return Ok(true);
    }
    match client.list_api_group_resources(&spec.group_version()).await {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == spec.plural)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

fn status_code(e: &watcher::Error) -> Option<u16> {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.code),
        watcher::Error::WatchError(s) => Some(s.code),
        _ => None,
    }
}

/// Run `watcher(..).default_backoff().modify(strip).reflect(writer)` for one kind until
/// cancelled, reporting its state and coalesced change notifications.
pub fn spawn_kind<K>(
    client: Client,
    spec: KindSpec,
    writer: Writer<K>,
    strip: fn(&mut K),
    reporter: Reporter,
    cancel: CancellationToken,
) where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    tokio::spawn(async move {
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = run_kind(client, spec, writer, strip, &reporter) => {}
        }
    });
}

async fn run_kind<K>(
    client: Client,
    spec: KindSpec,
    writer: Writer<K>,
    strip: fn(&mut K),
    reporter: &Reporter,
) where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let api: Api<K> = Api::all(client.clone());
    run_watch(client, spec, api, writer, strip, reporter).await;
}

/// Discovery (for optional APIs), then the watcher and reflector on `api`, reporting the
/// kind's state and coalesced change notifications. Typed and dynamic kinds share it.
pub(crate) async fn run_watch<K>(
    client: Client,
    spec: KindSpec,
    api: Api<K>,
    writer: Writer<K>,
    strip: fn(&mut K),
    reporter: &Reporter,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Send + Sync,
{
    reporter.state(spec.id, KindState::Loading);
    // Discovery first for optional APIs, retrying while the server is unreachable.
    let mut attempt = 0;
    loop {
        match installed(&client, &spec).await {
            Ok(true) => break,
            Ok(false) => {
                reporter.state(spec.id, KindState::NotInstalled);
                return;
            }
            Err(e) => {
                attempt += 1;
                reporter.state(
                    spec.id,
                    KindState::Reconnecting {
                        attempt,
                        error: one_line(&e),
                    },
                );
                tokio::time::sleep(std::time::Duration::from_secs(2u64.pow(attempt.min(4)))).await;
            }
        }
    }
    // Smaller list pages than kube's 500: each page's JSON and objects are transient, and with
    // 5,000 nodes (~8 KB of JSON each) 500-object pages left ~10 MB of holes in the heap.
    let stream = watcher(api, watcher::Config::default().page_size(LIST_PAGE))
        .default_backoff()
        .modify(strip)
        .reflect(writer);
    futures::pin_mut!(stream);
    let mut attempt = 0u32;
    let mut live = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(watcher::Event::InitDone) => {
                attempt = 0;
                live = true;
                reporter.state(spec.id, KindState::Live);
            }
            Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_)) => {
                if !live {
                    live = true;
                    attempt = 0;
                    reporter.state(spec.id, KindState::Live);
                }
                reporter.changed.touch(spec.id);
            }
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
            Err(e) => {
                live = false;
                let msg = one_line(&e);
                tracing::warn!(kind = spec.id, error = %msg, "watch failed");
                if status_code(&e) == Some(403) {
                    reporter.state(spec.id, KindState::Forbidden(msg));
                } else {
                    attempt += 1;
                    reporter.state(
                        spec.id,
                        KindState::Reconnecting {
                            attempt,
                            error: msg,
                        },
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::NodeSummary;
    use crate::overview::windows::VERSION_ANNOTATION;
    use crate::panes::nodes::details;
    use crate::panes::nodes::fixtures::{NodeSpec, node_json};
    use crate::panes::nodes::model::NodeRow;
    use serde_json::json;

    fn full_node() -> Node {
        let mut j = node_json(&NodeSpec {
            os: "windows",
            taints: 2,
            ..Default::default()
        });
        j["metadata"]["annotations"] = json!({
            VERSION_ANNOTATION: "9.0.0",
            "machineconfiguration.openshift.io/state": "Done",
            "k8s.ovn.org/node-primary-ifaddr": "{\"ipv4\":\"10.0.0.1/24\"}",
        });
        j["status"]["config"] = json!({"active": {"configMap": {"name": "c", "namespace": "n", "kubeletConfigKey": "k"}}});
        j["status"]["runtimeHandlers"] = json!([{"name": "crun"}]);
        j["status"]["volumesInUse"] = json!(["v"]);
        serde_json::from_value(j).unwrap()
    }

    #[test]
    fn stripping_a_node_keeps_what_the_views_read() {
        let full = full_node();
        let mut n = full.clone();
        strip_node(&mut n);
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let row = NodeRow::from_node(&full);
        assert_eq!(NodeRow::from_node(&n), row);
        assert_eq!(NodeSummary::of(&n), NodeSummary::of(&full));
        assert_eq!(
            details::lines(&n, &row, now),
            details::lines(&full, &row, now)
        );
        assert_eq!(n.metadata.labels, full.metadata.labels);
        assert_eq!(n.spec, full.spec);
        let (s, f) = (n.status.as_ref().unwrap(), full.status.as_ref().unwrap());
        assert_eq!(s.conditions, f.conditions);
        assert_eq!(s.addresses, f.addresses);
        assert_eq!(s.capacity, f.capacity);
        assert_eq!(s.allocatable, f.allocatable);
        assert_eq!(s.node_info, f.node_info);
        // Annotations stay as the cluster has them: the YAML view shows them.
        assert_eq!(n.metadata.annotations, full.metadata.annotations);
        assert!(n.metadata.managed_fields.is_none());
        assert!(s.images.is_none() && s.config.is_none() && s.runtime_handlers.is_none());
        assert!(s.volumes_in_use.is_none());
    }
}
