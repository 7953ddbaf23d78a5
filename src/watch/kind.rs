//! One watched kind: its spec, its state, and the reflector task that keeps its store.

use std::fmt::Debug;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Node;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::Reporter;
use super::resilient::Step;
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

/// Objects per list page while a watch (re)lists: client-go's page size. A failed page is
/// retried on its own (see [`super::resilient`]), so a larger page costs no more under errors.
pub const LIST_PAGE: u32 = super::resilient::PAGE;

/// How many objects of a kind's first list are shown before the list is complete.
pub const EARLY_OBJECTS: usize = 1_000;

/// The node annotations code reads from the cache (the WMCO health check) or that link a node
/// to what manages it; every other annotation is only shown by the YAML view, which GETs the
/// whole node.
pub const NODE_ANNOTATIONS_KEPT: &[&str] = &[
    crate::overview::windows::VERSION_ANNOTATION,
    "machine.openshift.io/machine",
    "machineconfiguration.openshift.io/state",
];

/// Keep in the cache only what lists, rows, summaries, the overview, the CSR checks and the
/// MachineSets, fleet and migration code read; the details and YAML views of a Node GET the
/// whole object when opened (k9s does the same). What stays: metadata but managedFields and
/// the annotations not in [`NODE_ANNOTATIONS_KEPT`]; `spec.taints` and `spec.unschedulable`;
/// `status.addresses`; conditions (the message only for `Ready`); and of `nodeInfo` the
/// kubelet version, architecture and operating system.
pub fn strip_node(n: &mut Node) {
    let meta = n.meta_mut();
    meta.managed_fields = None;
    if let Some(a) = meta.annotations.as_mut() {
        a.retain(|k, _| NODE_ANNOTATIONS_KEPT.contains(&k.as_str()));
        if a.is_empty() {
            meta.annotations = None;
        }
    }
    if let Some(spec) = n.spec.as_mut() {
        spec.provider_id = None;
        spec.pod_cidr = None;
        spec.pod_cidrs = None;
        spec.external_id = None;
        spec.config_source = None;
    }
    if let Some(s) = n.status.as_mut() {
        s.images = None;
        s.volumes_attached = None;
        s.volumes_in_use = None;
        s.config = None;
        s.runtime_handlers = None;
        s.capacity = None;
        s.allocatable = None;
        s.daemon_endpoints = None;
        s.features = None;
        s.phase = None;
        if let Some(i) = s.node_info.as_mut() {
            // Rows keep kubeletVersion, architecture and operatingSystem.
            for f in [
                &mut i.boot_id,
                &mut i.machine_id,
                &mut i.system_uuid,
                &mut i.kernel_version,
                &mut i.os_image,
                &mut i.container_runtime_version,
                &mut i.kube_proxy_version,
            ] {
                *f = String::new();
            }
            i.swap = None;
        }
        for c in s.conditions.iter_mut().flatten() {
            if c.type_ != "Ready" {
                c.message = None;
            }
        }
    }
}

/// CSRs keep their request (the checks decode it); managedFields and the issued certificate
/// go (a marker keeps "issued"; the YAML view says where the certificate is).
pub fn strip_csr(c: &mut k8s_openapi::api::certificates::v1::CertificateSigningRequest) {
    c.meta_mut().managed_fields = None;
    crate::csr::state::forget_certificate(c);
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

/// Run the watch stream ([`super::resilient`]) into `writer` for one kind until cancelled,
/// reporting its state and coalesced change notifications.
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
    reporter.priority.wait_turn(spec.id).await;
    // Discovery first for optional APIs, retrying while the server is unreachable.
    let mut attempt = 0;
    loop {
        match installed(&client, &spec).await {
            Ok(true) => break,
            Ok(false) => {
                reporter.priority.settled(spec.id);
                reporter.state(spec.id, KindState::NotInstalled);
                return;
            }
            // A rejected token stays rejected: stop and let the user act.
            Err(kube::Error::Api(s)) if s.code == 401 => {
                reporter.auth_failed(one_line(&kube::Error::Api(s)));
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
    let stream = super::resilient::stream(api, LIST_PAGE);
    futures::pin_mut!(stream);
    let mut writer = writer;
    let mut attempt = 0u32;
    let mut live = false;
    // The first objects of the very first list also go straight to the store, so a pane shows
    // rows while the rest of a big list is still arriving (the complete list replaces them at
    // InitDone, as the reflector does). Relists leave the store alone until complete.
    let mut early = EARLY_OBJECTS;
    let mut first_list = true;
    while let Some(step) = stream.next().await {
        match step {
            Step::Event(mut event) => {
                match &mut event {
                    watcher::Event::Apply(o)
                    | watcher::Event::Delete(o)
                    | watcher::Event::InitApply(o) => strip(o),
                    watcher::Event::Init | watcher::Event::InitDone => {}
                }
                writer.apply_watcher_event(&event);
                if let watcher::Event::InitApply(o) = &event
                    && first_list
                    && early > 0
                {
                    early -= 1;
                    writer.apply_watcher_event(&watcher::Event::Apply(o.clone()));
                    reporter.changed.touch(spec.id);
                }
                match event {
                    watcher::Event::InitDone => {
                        attempt = 0;
                        live = true;
                        first_list = false;
                        reporter.priority.settled(spec.id);
                        reporter.state(spec.id, KindState::Live);
                    }
                    watcher::Event::Apply(_) | watcher::Event::Delete(_) => {
                        if !live {
                            live = true;
                            attempt = 0;
                            reporter.state(spec.id, KindState::Live);
                        }
                        reporter.changed.touch(spec.id);
                    }
                    watcher::Event::Init | watcher::Event::InitApply(_) => {}
                }
            }
            // The watch runs again: the store is current (a re-list would come as InitDone).
            Step::Resumed => {
                if !live {
                    live = true;
                    attempt = 0;
                    reporter.state(spec.id, KindState::Live);
                }
            }
            Step::Failed(f) => {
                live = false;
                tracing::warn!(kind = spec.id, error = %f.message, "watch failed");
                match f.code {
                    Some(403) => {
                        reporter.priority.settled(spec.id);
                        reporter.state(spec.id, KindState::Forbidden(f.message));
                    }
                    Some(401) => {
                        reporter.priority.settled(spec.id);
                        reporter.auth_failed(f.message);
                    }
                    _ => {
                        attempt += 1;
                        reporter.state(
                            spec.id,
                            KindState::Reconnecting {
                                attempt,
                                error: f.message,
                            },
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::NodeSummary;
    use crate::overview::nodes::NodeSummaryRef;
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
    fn stripping_a_node_keeps_what_the_cached_views_read() {
        let full = full_node();
        let mut n = full.clone();
        strip_node(&mut n);
        let now = k8s_openapi::jiff::Timestamp::from_second(1_700_000_000).unwrap();
        // Rows (and so `get nodes`), summaries, the overview and its fingerprint read the same.
        let row = NodeRow::from_node(&full);
        assert_eq!(NodeRow::from_node(&n), row);
        assert_eq!(NodeSummary::of(&n), NodeSummary::of(&full));
        assert_eq!(NodeSummaryRef::of(&n), NodeSummaryRef::of(&full));
        assert_eq!(n.metadata.labels, full.metadata.labels);
        assert_eq!(
            n.metadata.creation_timestamp,
            full.metadata.creation_timestamp
        );
        assert_eq!(n.metadata.resource_version, full.metadata.resource_version);
        let (s, f) = (n.status.as_ref().unwrap(), full.status.as_ref().unwrap());
        // The CSR checks: addresses, the Ready condition (with its message), creation time.
        assert_eq!(s.addresses, f.addresses);
        let ready = |s: &k8s_openapi::api::core::v1::NodeStatus| {
            s.conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == "Ready")
                .cloned()
        };
        assert_eq!(ready(s), ready(f));
        assert!(ready(s).unwrap().message.is_some());
        // Every condition keeps its type, status, reason and times; only the details show the
        // messages of the others.
        let brief = |s: &k8s_openapi::api::core::v1::NodeStatus| {
            s.conditions
                .iter()
                .flatten()
                .map(|c| {
                    let mut c = c.clone();
                    c.message = None;
                    c
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(brief(s), brief(f));
        // Taints and cordon state (rows, details header).
        assert_eq!(
            n.spec.as_ref().map(|s| (&s.taints, s.unschedulable)),
            full.spec.as_ref().map(|s| (&s.taints, s.unschedulable))
        );
        // The annotations code reads stay; the others go.
        let ann = n.metadata.annotations.as_ref().unwrap();
        assert_eq!(
            ann.get(VERSION_ANNOTATION).map(String::as_str),
            Some("9.0.0")
        );
        assert_eq!(
            ann.get("machineconfiguration.openshift.io/state")
                .map(String::as_str),
            Some("Done")
        );
        assert!(!ann.contains_key("k8s.ovn.org/node-primary-ifaddr"));
        // What only the details and YAML views show goes: they GET the whole node.
        assert!(n.metadata.managed_fields.is_none());
        assert!(s.capacity.is_none() && s.allocatable.is_none());
        assert!(s.daemon_endpoints.is_none());
        assert!(s.images.is_none() && s.config.is_none() && s.runtime_handlers.is_none());
        assert!(s.volumes_in_use.is_none());
        let (si, fi) = (s.node_info.as_ref().unwrap(), f.node_info.as_ref().unwrap());
        assert_eq!(
            (&si.kubelet_version, &si.architecture, &si.operating_system),
            (&fi.kubelet_version, &fi.architecture, &fi.operating_system)
        );
        assert!(si.kernel_version.is_empty() && si.os_image.is_empty() && si.boot_id.is_empty());
        // The details of the lean copy say the whole object is loading and show what is
        // cached; given the whole object they read as they always did.
        let lean = details::lines(&n, &row, now, details::Source::Loading);
        let text = |ls: &[ratatui::text::Line]| {
            ls.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (lean, whole) = (
            text(&lean),
            text(&details::lines(&full, &row, now, details::Source::Full)),
        );
        assert!(lean.starts_with(details::LOADING), "{lean}");
        assert!(!whole.contains(details::LOADING), "{whole}");
        for shown in ["InternalIP", "kubernetes.io/arch=", "Kubelet", "Ready"] {
            assert!(lean.contains(shown) && whole.contains(shown), "{shown}");
        }
        for only_whole in ["Kernel", "7500m", "Boot ID"] {
            assert!(
                whole.contains(only_whole) && !lean.contains(only_whole),
                "{only_whole}"
            );
        }
    }
}
