//! Pure row derivation for the Nodes pane: `Node` -> `NodeRow` (the cells the pane and
//! `shiftdeck get nodes` show), the summary line, filters and sort order.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;

use crate::panes::filter::Filter;

/// A column of the Nodes table: header and the Shift+letter that sorts by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub sort_key: char,
    /// Minimum width for the table layout.
    pub min_width: u16,
}

pub const COLUMNS: &[Column] = &[
    Column {
        header: "NAME",
        sort_key: 'N',
        min_width: 12,
    },
    Column {
        header: "STATUS",
        sort_key: 'S',
        min_width: 8,
    },
    Column {
        header: "ROLES",
        sort_key: 'R',
        min_width: 8,
    },
    Column {
        header: "AGE",
        sort_key: 'A',
        min_width: 5,
    },
    Column {
        header: "VERSION",
        sort_key: 'V',
        min_width: 8,
    },
    Column {
        header: "ARCH",
        sort_key: 'H',
        min_width: 5,
    },
    Column {
        header: "OS",
        sort_key: 'O',
        min_width: 5,
    },
    Column {
        header: "INTERNAL-IP",
        sort_key: 'I',
        min_width: 11,
    },
    Column {
        header: "TAINTS",
        sort_key: 'T',
        min_width: 6,
    },
];

/// Readiness from the `Ready` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    Ready,
    NotReady,
    Unknown,
}

impl Readiness {
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "Ready",
            Readiness::NotReady => "NotReady",
            Readiness::Unknown => "Unknown",
        }
    }
}

/// One row: everything the table shows about a node, derived once per resourceVersion. Labels
/// are not copied here (filters and details read them from the node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    pub name: String,
    pub readiness: Readiness,
    pub unschedulable: bool,
    /// `metadata.deletionTimestamp` is set: finalizers hold the Node while it goes.
    pub deleting: bool,
    pub roles: String,
    pub created: Option<Timestamp>,
    pub version: String,
    pub arch: String,
    pub os: String,
    pub internal_ip: String,
    pub taints: usize,
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

/// A node's labels (an empty map when it has none).
pub fn labels_of(node: &Node) -> &BTreeMap<String, String> {
    node.metadata.labels.as_ref().unwrap_or(&NO_LABELS)
}

impl NodeRow {
    pub fn from_node(node: &Node) -> NodeRow {
        let meta = &node.metadata;
        let labels = labels_of(node);
        let status = node.status.as_ref();
        let readiness = status
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .map_or(Readiness::Unknown, |c| match c.status.as_str() {
                "True" => Readiness::Ready,
                "False" => Readiness::NotReady,
                _ => Readiness::Unknown,
            });
        let unschedulable = node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false);
        let info = status.and_then(|s| s.node_info.as_ref());
        // Borrow until the final value is known: one allocation per cell.
        let label = |k: &str| labels.get(k).map(String::as_str);
        let arch = label("kubernetes.io/arch")
            .or_else(|| label("beta.kubernetes.io/arch"))
            .or_else(|| info.map(|i| i.architecture.as_str()))
            .filter(|s| !s.is_empty())
            .unwrap_or("<unknown>");
        let os_name = label("kubernetes.io/os")
            .or_else(|| label("beta.kubernetes.io/os"))
            .or_else(|| info.map(|i| i.operating_system.as_str()))
            .filter(|s| !s.is_empty())
            .unwrap_or("<unknown>");
        let os = match label("node.kubernetes.io/windows-build") {
            Some(build) if os_name == "windows" && !build.is_empty() => format!("windows {build}"),
            _ => os_name.to_string(),
        };
        let internal_ip = status
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map_or("<none>", |a| a.address.as_str());
        NodeRow {
            name: meta.name.clone().unwrap_or_default(),
            readiness,
            unschedulable,
            deleting: meta.deletion_timestamp.is_some(),
            roles: roles(labels),
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            version: info
                .map(|i| i.kubelet_version.as_str())
                .filter(|v| !v.is_empty())
                .unwrap_or("<unknown>")
                .to_string(),
            arch: arch.to_string(),
            os,
            internal_ip: internal_ip.to_string(),
            taints: node
                .spec
                .as_ref()
                .and_then(|s| s.taints.as_ref())
                .map_or(0, Vec::len),
        }
    }

    /// kubectl's STATUS: `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled`; and
    /// `,Terminating` for a Node being deleted (kubectl shows nothing for it; here it matters).
    pub fn status(&self) -> String {
        let mut s = self.readiness.as_str().to_string();
        if self.unschedulable {
            s.push_str(",SchedulingDisabled");
        }
        if self.deleting {
            s.push_str(",Terminating");
        }
        s
    }

    /// The OS family (`linux`, `windows`) without the build.
    pub fn os_family(&self) -> &str {
        self.os.split(' ').next().unwrap_or(&self.os)
    }

    /// The text of column `col` (an index into `COLUMNS`), ages relative to `now`.
    pub fn cell(&self, col: usize, now: Timestamp) -> String {
        let safe = |s: &str| crate::text::escape_unsafe(s).into_owned();
        match col {
            0 => safe(&self.name),
            1 => self.status(),
            2 => safe(&self.roles),
            3 => self
                .created
                .map_or_else(|| "<unknown>".into(), |c| age(c, now)),
            4 => safe(&self.version),
            5 => safe(&self.arch),
            6 => safe(&self.os),
            7 => safe(&self.internal_ip),
            8 => self.taints.to_string(),
            _ => String::new(),
        }
    }

    /// Whether the row of `node` passes `filter` (name substring and label terms).
    pub fn matches(&self, node: &Node, filter: &Filter) -> bool {
        filter.matches(&self.name, labels_of(node))
    }
}

/// Roles from `node-role.kubernetes.io/<role>` labels, comma-joined, or `<none>`.
pub fn roles(labels: &BTreeMap<String, String>) -> String {
    let roles: Vec<&str> = labels
        .keys()
        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .collect();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

/// kubectl's age (see [`crate::age`]).
pub fn age(created: Timestamp, now: Timestamp) -> String {
    crate::age::since(created, now)
}

/// Compare two rows by column `col`; ties break on name.
pub fn compare(a: &NodeRow, b: &NodeRow, col: usize) -> Ordering {
    let primary = match col {
        1 => (a.readiness, a.unschedulable).cmp(&(b.readiness, b.unschedulable)),
        2 => a.roles.cmp(&b.roles),
        // Ascending AGE is the youngest first (the newest creation time).
        3 => b.created.cmp(&a.created),
        4 => a.version.cmp(&b.version),
        5 => a.arch.cmp(&b.arch),
        6 => a.os.cmp(&b.os),
        7 => ip_key(&a.internal_ip).cmp(&ip_key(&b.internal_ip)),
        8 => a.taints.cmp(&b.taints),
        _ => Ordering::Equal,
    };
    primary.then_with(|| a.name.cmp(&b.name))
}

fn ip_key(ip: &str) -> (Option<std::net::IpAddr>, &str) {
    (ip.parse().ok(), ip)
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub ready: usize,
    pub not_ready: usize,
    pub unknown: usize,
    pub cordoned: usize,
    /// `amd64`, `arm64`, ... for Linux nodes; the OS family for others (`windows`).
    pub platforms: BTreeMap<String, usize>,
}

impl Summary {
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a NodeRow>) -> Summary {
        let mut s = Summary::default();
        for r in rows {
            s.total += 1;
            match r.readiness {
                Readiness::Ready => s.ready += 1,
                Readiness::NotReady => s.not_ready += 1,
                Readiness::Unknown => s.unknown += 1,
            }
            if r.unschedulable {
                s.cordoned += 1;
            }
            let family = r.os_family();
            let bucket = if family == "linux" || family == "<unknown>" {
                r.arch.as_str()
            } else {
                family
            };
            // Allocate the key only for a new bucket.
            match s.platforms.get_mut(bucket) {
                Some(n) => *n += 1,
                None => {
                    s.platforms.insert(bucket.to_string(), 1);
                }
            }
        }
        s
    }

    /// `amd64 5 · arm64 2 · windows 1`
    pub fn platforms_text(&self) -> String {
        let parts: Vec<String> = self
            .platforms
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        parts.join(" · ")
    }

    /// `Ready 7/8 · NotReady 1 · SchedulingDisabled 1` (zero counts left out).
    pub fn readiness_text(&self) -> String {
        let mut parts = vec![format!("Ready {}/{}", self.ready, self.total)];
        if self.not_ready > 0 {
            parts.push(format!("NotReady {}", self.not_ready));
        }
        if self.unknown > 0 {
            parts.push(format!("Unknown {}", self.unknown));
        }
        if self.cordoned > 0 {
            parts.push(format!("SchedulingDisabled {}", self.cordoned));
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
