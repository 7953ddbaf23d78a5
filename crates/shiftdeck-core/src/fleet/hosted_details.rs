//! Hosted cluster details: conditions with polarity, version history, control-plane pods, endpoints,
//! apps ingress and a plain-words explanation of a `Partial` rollout.

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use super::conditions::{ConditionView, Health, Owner, condition_views};
use super::hosted::{HostedClusterRow, progress};
use super::util::{annotation, arr_at, condition, i64_at, name, namespace, str_at, time_at};

/// One `status.version.history` entry (newest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// `Completed` or `Partial`.
    pub state: String,
    /// Release version (may be empty while partial).
    pub version: String,
    /// Release image.
    pub image: String,
    /// `startedTime`.
    pub started: Option<Timestamp>,
    /// `completionTime` (null for the entry in progress).
    pub completed: Option<Timestamp>,
}

/// The version history, newest first.
pub fn version_history(hc: &Value) -> Vec<HistoryEntry> {
    arr_at(hc, "/status/version/history")
        .iter()
        .map(|h| {
            let s = |k: &str| h.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            HistoryEntry {
                state: s("state"),
                version: s("version"),
                image: s("image"),
                started: time_at(h, "/startedTime"),
                completed: time_at(h, "/completionTime"),
            }
        })
        .collect()
}

/// The control-plane namespace on the management cluster: `<ns>-<name with '.' → '-'>`
/// (`HostedControlPlaneNamespace`).
pub fn control_plane_namespace(hc: &Value) -> String {
    format!("{}-{}", namespace(hc), name(hc).replace('.', "-"))
}

/// A pod that is not running fine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailingPod {
    /// Pod name.
    pub name: String,
    /// `status.phase`.
    pub phase: String,
    /// First waiting/terminated container reason, else `status.reason`, else the phase.
    pub reason: String,
    /// What the admin loses while this control-plane component is down, when it is a known one.
    pub impact: Option<&'static str>,
}

/// What stops working while a hosted control-plane component is down, in the words an admin
/// acts on. Keyed by Deployment (or StatefulSet) name.
const IMPACTS: &[(&str, &str)] = &[
    (
        "machine-approver",
        "new nodes' CSRs are not approved: approve them in the guest (o, then :csr)",
    ),
    (
        "ignition-server",
        "new machines cannot fetch their ignition config and will not join",
    ),
    (
        "ignition-server-proxy",
        "new machines cannot reach the ignition server and will not join",
    ),
    ("kube-apiserver", "the guest API server may be unavailable"),
    (
        "etcd",
        "the guest's datastore: losing quorum stops the guest API",
    ),
    (
        "cluster-api",
        "node pools cannot create, replace or delete machines",
    ),
    (
        "capi-provider",
        "KubeVirt machines (VMs) cannot be created or deleted",
    ),
    (
        "kubevirt-csi-controller",
        "guest PVCs on the kubevirt-csi storage class cannot be provisioned",
    ),
    (
        "konnectivity-agent",
        "logs, exec and webhooks into the guest may fail",
    ),
    ("oauth-openshift", "logins to the guest cluster fail"),
];

/// The impact of a control-plane pod being down, from its owner's name (`<deploy>-<rs>-<id>`
/// or `<statefulset>-<ordinal>`).
pub fn component_impact(pod: &str) -> Option<&'static str> {
    let owner = |cut: usize| {
        let parts: Vec<&str> = pod.rsplitn(cut + 1, '-').collect();
        (parts.len() == cut + 1).then(|| parts[cut])
    };
    [owner(2), owner(1)]
        .into_iter()
        .flatten()
        .find_map(|o| IMPACTS.iter().find(|(k, _)| *k == o).map(|(_, v)| *v))
}

/// Control-plane pod summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSummary {
    /// Pods in phase Running (or Succeeded) with no waiting container.
    pub running: usize,
    /// All pods in the namespace.
    pub total: usize,
    /// The others, sorted by name.
    pub failing: Vec<FailingPod>,
}

fn container_problem(pod: &Value) -> Option<String> {
    let statuses = arr_at(pod, "/status/initContainerStatuses")
        .iter()
        .chain(arr_at(pod, "/status/containerStatuses"));
    for cs in statuses {
        if let Some(r) = str_at(cs, "/state/waiting/reason") {
            return Some(r.to_string());
        }
        let code = i64_at(cs, "/state/terminated/exitCode").unwrap_or(0);
        if code != 0 {
            let r = str_at(cs, "/state/terminated/reason").unwrap_or("Error");
            return Some(format!("{r} (exit {code})"));
        }
    }
    // Running but failing its readiness probe.
    arr_at(pod, "/status/containerStatuses")
        .iter()
        .find(|cs| {
            cs.pointer("/state/running").is_some()
                && cs.get("ready").and_then(serde_json::Value::as_bool) == Some(false)
        })
        .map(|cs| {
            let c = cs
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            format!("NotReady ({c})")
        })
}

/// Summarizes the pods of the control-plane namespace (pods of other namespaces are ignored).
pub fn pod_summary(cp_namespace: &str, pods: &[Value]) -> PodSummary {
    let mut sum = PodSummary::default();
    for p in pods.iter().filter(|p| namespace(p) == cp_namespace) {
        sum.total += 1;
        let phase = str_at(p, "/status/phase").unwrap_or("Unknown");
        let problem = container_problem(p);
        let ok_phase = matches!(phase, "Running" | "Succeeded");
        if ok_phase && problem.is_none() {
            sum.running += 1;
            continue;
        }
        let reason = problem
            .or_else(|| str_at(p, "/status/reason").map(str::to_string))
            .unwrap_or_else(|| phase.to_string());
        sum.failing.push(FailingPod {
            name: name(p).to_string(),
            phase: phase.to_string(),
            reason,
            impact: component_impact(name(p)),
        });
    }
    sum.failing.sort_by(|a, b| a.name.cmp(&b.name));
    sum
}

/// The guest cluster's apps ingress as seen from the management cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppsIngress {
    /// The LoadBalancer Service (`<name>-apps` in the control-plane namespace), if any.
    pub service: Option<String>,
    /// Its external IP or hostname, once assigned.
    pub external: Option<String>,
    /// The MetalLB address pool it asks for (`metallb.universe.tf/address-pool` or
    /// `metallb.io/address-pool` annotation), if any.
    pub address_pool: Option<String>,
    /// The wildcard DNS record to create: `*.apps.<name>.<baseDomain>` (None while the base
    /// domain is empty, e.g. before base-domain passthrough resolved it).
    pub wildcard_dns: Option<String>,
}

/// Finds the apps LoadBalancer service: `<name>-apps` preferred, else any LoadBalancer service in
/// the control-plane namespace whose name ends in `-apps`.
pub fn apps_ingress(hc: &Value, services: &[Value]) -> AppsIngress {
    let cp = control_plane_namespace(hc);
    let want = format!("{}-apps", name(hc));
    let lbs: Vec<&Value> = services
        .iter()
        .filter(|s| namespace(s) == cp && str_at(s, "/spec/type") == Some("LoadBalancer"))
        .collect();
    let svc = lbs
        .iter()
        .find(|s| name(s) == want)
        .or_else(|| lbs.iter().find(|s| name(s).ends_with("-apps")));
    let external = svc.and_then(|s| {
        arr_at(s, "/status/loadBalancer/ingress")
            .iter()
            .find_map(|i| {
                i.get("ip")
                    .or_else(|| i.get("hostname"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string)
    });
    let domain = str_at(hc, "/spec/dns/baseDomain").unwrap_or("");
    let address_pool = svc.and_then(|s| {
        annotation(s, "metallb.universe.tf/address-pool")
            .or_else(|| annotation(s, "metallb.io/address-pool"))
            .map(str::to_string)
    });
    AppsIngress {
        service: svc.map(|s| name(s).to_string()),
        external,
        address_pool,
        wildcard_dns: (!domain.is_empty()).then(|| format!("*.apps.{}.{domain}", name(hc))),
    }
}

/// Plain-words reasons why a hosted cluster is `Partial`; empty when PROGRESS is not `Partial`.
/// Most important first: blockers, then control plane, then guest-side work (nodes, ingress/DNS).
pub fn explain_partial(hc: &Value, apps: &AppsIngress, guest_nodes_ready: i64) -> Vec<String> {
    if progress(hc) != Some("Partial") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let cond = |t: &str| {
        condition(hc, t).map(|c| {
            let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            (f("status"), f("reason"), f("message"))
        })
    };
    for (t, what) in [
        ("ValidReleaseImage", "the release image is not valid"),
        ("ValidConfiguration", "the configuration is not valid"),
        (
            "SupportedHostedCluster",
            "the cluster is not supported by this operator",
        ),
        ("ReconciliationActive", "reconciliation is paused"),
        (
            "PlatformCredentialsFound",
            "platform credentials are missing",
        ),
    ] {
        if let Some(("False", reason, msg)) = cond(t) {
            out.push(format!("blocked by {t}=False ({reason}): {what}: {msg}"));
        }
    }
    for (t, what) in [
        (
            "InfrastructureReady",
            "control-plane infrastructure (load balancers) not ready yet",
        ),
        ("EtcdAvailable", "etcd is not available yet"),
        (
            "KubeAPIServerAvailable",
            "the kube-apiserver is not available yet",
        ),
        (
            "IgnitionEndpointAvailable",
            "the ignition endpoint is not available yet, nodes cannot boot",
        ),
    ] {
        if let Some(("False", _, msg)) = cond(t) {
            out.push(format!("{what}: {msg}"));
        }
    }
    if let Some(("True", _, msg)) = cond("Progressing") {
        let target = str_at(hc, "/spec/release/image").unwrap_or("");
        out.push(format!("rolling out release {target}: {msg}"));
    }
    match cond("Available") {
        Some(("True", _, _)) => {}
        Some((_, _, msg)) => out.push(format!("control plane not available yet: {msg}")),
        None => out.push("control plane not available yet (no Available condition)".into()),
    }
    if let Some(("True", _, msg)) = cond("Degraded") {
        out.push(format!("degraded: {msg}"));
    }
    if guest_nodes_ready == 0 {
        out.push(
            "no guest nodes are ready: cluster operators need worker nodes; scale a node pool"
                .into(),
        );
    }
    if let Some(("False", _, msg)) = cond("ClusterVersionSucceeding") {
        out.push(format!("the guest cluster version is failing: {msg}"));
    }
    let dns = apps
        .wildcard_dns
        .as_deref()
        .unwrap_or("*.apps.<name>.<baseDomain>");
    match (&apps.service, &apps.external) {
        (None, _) => out.push(format!(
            "waiting for ingress/DNS: no LoadBalancer service `{}-apps` in {}; create it, then a \
             wildcard DNS record {dns} pointing at its external IP",
            name(hc),
            control_plane_namespace(hc)
        )),
        (Some(svc), None) => out.push(match &apps.address_pool {
            Some(pool) => format!(
                "waiting for ingress: service {svc} has no external IP yet; it asks MetalLB for \
                 address pool `{pool}`: check that IPAddressPool exists and has free addresses; \
                 then create the wildcard DNS record {dns}"
            ),
            None => format!(
                "waiting for ingress: service {svc} has no external IP yet (is a load balancer \
                 such as MetalLB configured?); then create the wildcard DNS record {dns}"
            ),
        }),
        (Some(_), Some(ip)) => out.push(format!(
            "waiting for DNS/cluster operators: make sure {dns} resolves to {ip} inside and \
             outside the cluster (console and ingress operators check it)"
        )),
    }
    out
}

/// Everything the hosted cluster details view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HostedClusterDetails {
    /// The table row (counts included).
    pub row: HostedClusterRow,
    /// Conditions with their verdicts, in object order.
    pub conditions: Vec<ConditionView>,
    /// Version history, newest first.
    pub history: Vec<HistoryEntry>,
    /// Control-plane namespace on the management cluster.
    pub control_plane_namespace: String,
    /// Its pods.
    pub pods: PodSummary,
    /// `https://<controlPlaneEndpoint.host>:<port>`.
    pub api_endpoint: Option<String>,
    /// `status.oauthCallbackURLTemplate`.
    pub oauth_callback_template: Option<String>,
    /// Apps ingress service and DNS.
    pub apps: AppsIngress,
    /// Why `Partial` (empty when Completed).
    pub partial_reasons: Vec<String>,
}

impl HostedClusterDetails {
    /// Builds the details from a HostedCluster and lists of node pools, pods and services (any
    /// namespaces; filtered here).
    pub fn new(hc: &Value, pools: &[Value], pods: &[Value], services: &[Value]) -> Self {
        let row = HostedClusterRow::new(hc, pools);
        let cp = control_plane_namespace(hc);
        let apps = apps_ingress(hc, services);
        let api_endpoint = str_at(hc, "/status/controlPlaneEndpoint/host")
            .filter(|h| !h.is_empty())
            .map(|h| match i64_at(hc, "/status/controlPlaneEndpoint/port") {
                Some(p) => format!("https://{h}:{p}"),
                None => format!("https://{h}"),
            });
        HostedClusterDetails {
            partial_reasons: explain_partial(hc, &apps, row.nodes_ready),
            conditions: condition_views(Owner::HostedCluster, hc),
            history: version_history(hc),
            pods: pod_summary(&cp, pods),
            control_plane_namespace: cp,
            api_endpoint,
            oauth_callback_template: str_at(hc, "/status/oauthCallbackURLTemplate")
                .map(str::to_string),
            apps,
            row,
        }
    }

    /// The conditions that need attention.
    pub fn unhealthy(&self) -> impl Iterator<Item = &ConditionView> {
        self.conditions
            .iter()
            .filter(|c| c.health == Health::Unhealthy)
    }
}

#[cfg(test)]
#[path = "hosted_details_tests.rs"]
mod tests;
