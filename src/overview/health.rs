//! Greenboot-style health, read-only through the API (seed 003 table 6.1): the API health
//! endpoint answers, some pod has started, and for each core namespace present: images pulled,
//! pods ready, pods not restarting. Each check passes or fails with the pods concerned.
//!
//! The systemd checks of greenboot (script runs as root, `microshift.service` enabled/active) have
//! no API equivalent and are left out. Works on any cluster: only core namespaces that exist are
//! checked; on MicroShift a core namespace without pods fails, elsewhere it is skipped.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use serde::Serialize;

use crate::fetched::Fetched;

/// Core namespaces of a MicroShift install (TopoLVM/LVMS lives in `openshift-storage`).
pub const CORE_NAMESPACES: [&str; 6] = [
    "openshift-ovn-kubernetes",
    "openshift-service-ca",
    "openshift-ingress",
    "openshift-dns",
    "openshift-storage",
    "kube-system",
];
/// A container restarted this many times or more fails "pods not restarting".
pub const RESTART_THRESHOLD: i32 = 3;
/// Waiting reasons that mean an image was not pulled.
pub const IMAGE_PULL_REASONS: [&str; 5] = [
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "RegistryUnavailable",
];

/// What `/readyz` answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiHealth {
    /// The body was `ok`.
    pub ok: bool,
    /// The body, trimmed (short: `ok`, or the failing checks).
    pub body: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Not applicable here (e.g. an empty core namespace outside MicroShift).
    Skipped,
    /// Could not be evaluated (forbidden, read failed).
    Unknown,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skipped => "SKIP",
            CheckStatus::Unknown => "UNKNOWN",
        }
    }
}

/// One check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    /// Stable id: `api-health`, `pods-started`, `images-pulled`, `pods-ready`, `pods-not-restarting`.
    pub id: &'static str,
    pub title: &'static str,
    /// The core namespace, for per-namespace checks.
    pub namespace: Option<String>,
    pub status: CheckStatus,
    pub detail: String,
    /// `namespace/name` of the pods that made it fail.
    pub pods: Vec<String>,
}

/// All checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    /// False when any check failed or could not be evaluated.
    pub healthy: bool,
    pub checks: Vec<HealthCheck>,
}

/// What the checks read.
#[derive(Clone, Copy, Debug)]
pub struct HealthInputs<'a> {
    pub api: &'a Fetched<ApiHealth>,
    /// Names of all namespaces.
    pub namespaces: &'a Fetched<Vec<String>>,
    /// Pods of the core namespaces (others are ignored).
    pub pods: &'a Fetched<Vec<Pod>>,
    /// `namespace/name` of some Running pod anywhere in the cluster (`Present(None)`: none),
    /// for "any pod started" on clusters whose core namespaces are empty.
    pub any_running: &'a Fetched<Option<String>>,
    /// Whether every core namespace that exists must have pods (MicroShift).
    pub expect_pods: bool,
}

fn pod_key(p: &Pod) -> String {
    format!(
        "{}/{}",
        p.metadata.namespace.as_deref().unwrap_or_default(),
        p.metadata.name.as_deref().unwrap_or_default()
    )
}

fn statuses(p: &Pod) -> impl Iterator<Item = &ContainerStatus> {
    let st = p.status.as_ref();
    st.and_then(|s| s.init_container_statuses.as_ref())
        .into_iter()
        .flatten()
        .chain(
            st.and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten(),
        )
}

fn waiting_reason(c: &ContainerStatus) -> Option<&str> {
    c.state
        .as_ref()
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
}

fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Unknown")
}

/// Whether the pod's image pulls failed (a container waits with an image-pull reason).
pub fn image_pull_failed(p: &Pod) -> Option<String> {
    statuses(p)
        .filter_map(|c| waiting_reason(c).map(|r| (c, r)))
        .find(|(_, r)| IMAGE_PULL_REASONS.contains(r))
        .map(|(c, r)| format!("{}: {r}", c.name))
}

/// Whether the pod is ready (Ready condition True), or finished (phase Succeeded).
pub fn pod_ready(p: &Pod) -> bool {
    if phase(p) == "Succeeded" {
        return true;
    }
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Why the pod counts as restarting: CrashLoopBackOff or restarts at or over the threshold.
pub fn restarting(p: &Pod) -> Option<String> {
    statuses(p).find_map(|c| {
        if waiting_reason(c) == Some("CrashLoopBackOff") {
            Some(format!(
                "{}: CrashLoopBackOff ({} restarts)",
                c.name, c.restart_count
            ))
        } else if c.restart_count >= RESTART_THRESHOLD {
            Some(format!("{}: {} restarts", c.name, c.restart_count))
        } else {
            None
        }
    })
}

fn unknown(id: &'static str, title: &'static str, ns: Option<&str>, why: String) -> HealthCheck {
    HealthCheck {
        id,
        title,
        namespace: ns.map(str::to_string),
        status: CheckStatus::Unknown,
        detail: why,
        pods: Vec::new(),
    }
}

/// Runs every check. Pure: the inputs come from [`crate::watch::overview_fetch`] or the TUI's stores.
pub fn evaluate(inputs: &HealthInputs<'_>) -> HealthReport {
    let mut checks = Vec::new();
    checks.push(match inputs.api {
        Fetched::Present(h) => HealthCheck {
            id: "api-health",
            title: "API health endpoint answers",
            namespace: None,
            status: if h.ok {
                CheckStatus::Pass
            } else {
                CheckStatus::Fail
            },
            detail: format!("/readyz: {}", first_line(&h.body)),
            pods: Vec::new(),
        },
        other => HealthCheck {
            id: "api-health",
            title: "API health endpoint answers",
            namespace: None,
            status: if matches!(other, Fetched::Forbidden(_)) {
                CheckStatus::Unknown
            } else {
                CheckStatus::Fail
            },
            detail: format!("/readyz: {}", other.state_label()),
            pods: Vec::new(),
        },
    });
    let pods = match inputs.pods {
        Fetched::Present(p) => p,
        other => {
            checks.push(unknown(
                "pods-started",
                "Any pod started",
                None,
                format!("pods: {}", other.state_label()),
            ));
            return finish(checks);
        }
    };
    let present: Vec<&str> = match inputs.namespaces {
        Fetched::Present(ns) => CORE_NAMESPACES
            .iter()
            .copied()
            .filter(|c| ns.iter().any(|n| n == c))
            .collect(),
        // Without the namespace list, check the core namespaces that have pods.
        _ => CORE_NAMESPACES
            .iter()
            .copied()
            .filter(|c| {
                pods.iter()
                    .any(|p| p.metadata.namespace.as_deref() == Some(c))
            })
            .collect(),
    };
    let core: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            p.metadata
                .namespace
                .as_deref()
                .is_some_and(|n| present.contains(&n))
        })
        .collect();
    let running = core.iter().filter(|p| phase(p) == "Running").count();
    let elsewhere = inputs.any_running.get().cloned().flatten();
    checks.push(HealthCheck {
        id: "pods-started",
        title: "Any pod started",
        namespace: None,
        status: if running > 0 || elsewhere.is_some() {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
        detail: match elsewhere {
            Some(p) if running == 0 => format!("no core pods running; {p} is running"),
            _ => format!("{running} of {} core pods running", core.len()),
        },
        pods: Vec::new(),
    });
    for ns in present {
        let in_ns: Vec<&Pod> = core
            .iter()
            .copied()
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
            .collect();
        if in_ns.is_empty() {
            let (status, detail) = if inputs.expect_pods {
                (CheckStatus::Fail, "no pods in this core namespace")
            } else {
                (CheckStatus::Skipped, "no pods in this namespace")
            };
            for (id, title) in PER_NS {
                checks.push(HealthCheck {
                    id,
                    title,
                    namespace: Some(ns.to_string()),
                    status,
                    detail: detail.to_string(),
                    pods: Vec::new(),
                });
            }
            continue;
        }
        let n = in_ns.len();
        let bad_pull: Vec<(String, String)> = in_ns
            .iter()
            .filter_map(|p| image_pull_failed(p).map(|r| (pod_key(p), r)))
            .collect();
        checks.push(per_ns(
            PER_NS[0],
            ns,
            n,
            bad_pull,
            ("pulled their images", "failed to pull images"),
        ));
        let not_ready: Vec<(String, String)> = in_ns
            .iter()
            .filter(|p| !pod_ready(p))
            .map(|p| (pod_key(p), format!("phase {}, not ready", phase(p))))
            .collect();
        checks.push(per_ns(PER_NS[1], ns, n, not_ready, ("ready", "not ready")));
        let restarts: Vec<(String, String)> = in_ns
            .iter()
            .filter_map(|p| restarting(p).map(|r| (pod_key(p), r)))
            .collect();
        checks.push(per_ns(
            PER_NS[2],
            ns,
            n,
            restarts,
            ("not restarting", "restarting"),
        ));
    }
    finish(checks)
}

const PER_NS: [(&str, &str); 3] = [
    ("images-pulled", "Images pulled"),
    ("pods-ready", "Pods ready"),
    ("pods-not-restarting", "Pods not restarting"),
];

fn per_ns(
    (id, title): (&'static str, &'static str),
    ns: &str,
    total: usize,
    bad: Vec<(String, String)>,
    (good, bad_words): (&str, &str),
) -> HealthCheck {
    let detail = if bad.is_empty() {
        format!("{total} of {total} pods {good}")
    } else {
        let reasons: Vec<String> = bad.iter().map(|(p, r)| format!("{p} ({r})")).collect();
        format!(
            "{} of {total} pods {bad_words}: {}",
            bad.len(),
            reasons.join(", ")
        )
    };
    HealthCheck {
        id,
        title,
        namespace: Some(ns.to_string()),
        status: if bad.is_empty() {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
        detail,
        pods: bad.into_iter().map(|(p, _)| p).collect(),
    }
}

fn finish(checks: Vec<HealthCheck>) -> HealthReport {
    HealthReport {
        healthy: checks
            .iter()
            .all(|c| matches!(c.status, CheckStatus::Pass | CheckStatus::Skipped)),
        checks,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default().trim()
}

impl HealthReport {
    /// Table headers and cells for `get health -o table` and the Health pane.
    pub fn table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let rows = self
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.status.label().to_string(),
                    c.title.to_string(),
                    c.namespace.clone().unwrap_or_else(|| "-".to_string()),
                    c.detail.clone(),
                ]
            })
            .collect();
        (vec!["STATUS", "CHECK", "NAMESPACE", "DETAIL"], rows)
    }

    /// Failed checks only.
    pub fn failures(&self) -> impl Iterator<Item = &HealthCheck> {
        self.checks.iter().filter(|c| c.status == CheckStatus::Fail)
    }
}

/// Formats headers and rows as aligned text columns (two spaces apart, kubectl style).
pub fn format_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let n = cells.len();
        let mut s = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            s.push_str(c);
            if i + 1 < n {
                let pad = widths.get(i).copied().unwrap_or(0) + 2 - c.chars().count();
                s.push_str(&" ".repeat(pad));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}
