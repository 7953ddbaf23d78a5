//! Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): column
//! definitions and rows, hand-written for built-in kinds and from `ResourceDef.columns` for CRDs.

use crate::time::Timestamp;
use serde_json::{Map, Value, json};

use super::jsonpath;
use crate::resources::ResourceDef;

/// What each row carries in `object` (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(v: Option<&str>) -> Self {
        match v {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

pub(super) struct Col {
    name: &'static str,
    type_: &'static str,
    format: &'static str,
    priority: i32,
    description: &'static str,
}

pub(super) const fn c(name: &'static str, type_: &'static str, priority: i32) -> Col {
    Col {
        name,
        type_,
        format: "",
        priority,
        description: name,
    }
}

pub(super) const NAME: Col = Col {
    name: "Name",
    type_: "string",
    format: "name",
    priority: 0,
    description: "Name must be unique within a namespace.",
};

const NODE_COLS: &[Col] = &[
    NAME,
    c("Status", "string", 0),
    c("Roles", "string", 0),
    c("Age", "string", 0),
    c("Version", "string", 0),
    c("Internal-IP", "string", 1),
    c("External-IP", "string", 1),
    c("OS-Image", "string", 1),
    c("Kernel-Version", "string", 1),
    c("Container-Runtime", "string", 1),
];
const CSR_COLS: &[Col] = &[
    NAME,
    c("Age", "string", 0),
    c("SignerName", "string", 0),
    c("Requestor", "string", 0),
    c("RequestedDuration", "string", 0),
    c("Condition", "string", 0),
];
const POD_COLS: &[Col] = &[
    NAME,
    c("Ready", "string", 0),
    c("Status", "string", 0),
    c("Restarts", "string", 0),
    c("Age", "string", 0),
    c("IP", "string", 1),
    c("Node", "string", 1),
    c("Nominated Node", "string", 1),
    c("Readiness Gates", "string", 1),
];
const NS_COLS: &[Col] = &[NAME, c("Status", "string", 0), c("Age", "string", 0)];
const PDB_COLS: &[Col] = &[
    NAME,
    c("Min Available", "string", 0),
    c("Max Unavailable", "string", 0),
    c("Allowed Disruptions", "integer", 0),
    c("Age", "string", 0),
];
const GENERIC_COLS: &[Col] = &[NAME, c("Age", "string", 0)];
const CRD_COLS: &[Col] = &[NAME, c("Created At", "date", 0)];

fn builtin_cols(res: &ResourceDef) -> Option<&'static [Col]> {
    if res.crd && !res.columns.is_empty() {
        return None;
    }
    Some(match res.plural {
        "nodes" => NODE_COLS,
        "certificatesigningrequests" => CSR_COLS,
        "pods" => POD_COLS,
        "namespaces" => NS_COLS,
        "poddisruptionbudgets" => PDB_COLS,
        "customresourcedefinitions" => CRD_COLS,
        other => super::printers::columns(other).unwrap_or(GENERIC_COLS),
    })
}

fn col_def(c: &Col) -> Value {
    json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority})
}

pub fn column_definitions(res: &ResourceDef) -> Vec<Value> {
    match builtin_cols(res) {
        Some(cols) => cols.iter().map(col_def).collect(),
        None => std::iter::once(col_def(&NAME))
            .chain(res.columns.iter().map(|pc| {
                json!({"name": pc.name, "type": if pc.type_ == "date" { "date" } else { pc.type_ }, "format": "", "description": pc.description, "priority": pc.priority})
            }))
            .collect(),
    }
}

/// kubectl's `HumanDuration`: `45s`, `5m30s`, `3h`, `2d4h`, `400d`, `3y20d`.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = s / 3600;
    if h < 8 {
        return match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        return match h % 24 {
            0 => format!("{}d", h / 24),
            r => format!("{}d{r}h", h / 24),
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let y = h / 24 / 365;
        return match (h / 24) % 365 {
            0 => format!("{y}y"),
            d => format!("{y}y{d}d"),
        };
    }
    format!("{}y", h / 24 / 365)
}

pub(super) fn age_of(ts: Option<&Value>, now: Timestamp) -> Value {
    match ts.and_then(Value::as_str).and_then(crate::time::parse) {
        Some(t) => json!(human_duration(now.duration_since(t).as_secs())),
        None => json!("<unknown>"),
    }
}

pub(super) fn s<'a>(obj: &'a Value, ptr: &str) -> Option<&'a str> {
    obj.pointer(ptr).and_then(Value::as_str)
}

fn node_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let conds = o.pointer("/status/conditions").and_then(Value::as_array);
    let ready = conds
        .into_iter()
        .flatten()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"));
    let mut status = match ready.and_then(|c| c.get("status")).and_then(Value::as_str) {
        Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if o.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<&str> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            k.strip_prefix("node-role.kubernetes.io/")
                .filter(|r| !r.is_empty())
                .or_else(|| (k == "kubernetes.io/role").then(|| v.as_str().unwrap_or("")))
        })
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    };
    let addr = |t: &str| {
        o.pointer("/status/addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|a| a.get("type").and_then(Value::as_str) == Some(t))
            .and_then(|a| a.get("address"))
            .and_then(Value::as_str)
            .unwrap_or("<none>")
            .to_string()
    };
    let info = |k: &str| {
        s(o, &format!("/status/nodeInfo/{k}"))
            .unwrap_or("<unknown>")
            .to_string()
    };
    vec![
        json!(status),
        json!(roles),
        age_of(o.pointer("/metadata/creationTimestamp"), now),
        json!(s(o, "/status/nodeInfo/kubeletVersion").unwrap_or("")),
        json!(addr("InternalIP")),
        json!(addr("ExternalIP")),
        json!(info("osImage")),
        json!(info("kernelVersion")),
        json!(info("containerRuntimeVersion")),
    ]
}

fn csr_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let mut conds: Vec<String> = o
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("type").and_then(Value::as_str))
        .filter(|t| matches!(*t, "Approved" | "Denied" | "Failed"))
        .map(str::to_string)
        .collect();
    if s(o, "/status/certificate").is_some_and(|c| !c.is_empty()) {
        conds.push("Issued".into());
    }
    let condition = if conds.is_empty() {
        "Pending".to_string()
    } else {
        conds.join(",")
    };
    let duration = o
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .map_or_else(|| "<none>".to_string(), human_duration);
    vec![
        age_of(o.pointer("/metadata/creationTimestamp"), now),
        json!(s(o, "/spec/signerName").unwrap_or("")),
        json!(s(o, "/spec/username").unwrap_or("")),
        json!(duration),
        json!(condition),
    ]
}

fn pod_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    let total = o
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = statuses
        .into_iter()
        .flatten()
        .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let restarts: i64 = statuses
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
        .sum();
    // As the API server's pod printer: a waiting or terminated container's reason wins over
    // the phase (CrashLoopBackOff, ImagePullBackOff, Error, …); the first such container wins.
    let container_reason = statuses
        .into_iter()
        .flatten()
        .find_map(|c| s(c, "/state/waiting/reason").or_else(|| s(c, "/state/terminated/reason")));
    let status = if o.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else {
        container_reason
            .or_else(|| s(o, "/status/reason"))
            .or_else(|| s(o, "/status/phase"))
            .unwrap_or("Pending")
    };
    vec![
        json!(format!("{ready}/{total}")),
        json!(status),
        json!(restarts.to_string()),
        age_of(o.pointer("/metadata/creationTimestamp"), now),
        json!(s(o, "/status/podIP").unwrap_or("<none>")),
        json!(s(o, "/spec/nodeName").unwrap_or("<none>")),
        json!(s(o, "/status/nominatedNodeName").unwrap_or("<none>")),
        json!(readiness_gates(o)),
    ]
}

/// `<ready>/<total>` of a pod's readiness gates, `<none>` without any (the pod printer's).
fn readiness_gates(o: &Value) -> String {
    let gates: Vec<&str> = o
        .pointer("/spec/readinessGates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("conditionType").and_then(Value::as_str))
        .collect();
    if gates.is_empty() {
        return "<none>".into();
    }
    let conds = o.pointer("/status/conditions").and_then(Value::as_array);
    let ready = gates
        .iter()
        .filter(|g| {
            conds.into_iter().flatten().any(|c| {
                c.get("type").and_then(Value::as_str) == Some(**g)
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
        .count();
    format!("{ready}/{}", gates.len())
}

fn crd_cell(res: &ResourceDef, idx: usize, o: &Value, now: Timestamp) -> Value {
    let Some(pc) = res.columns.get(idx) else {
        return Value::Null;
    };
    let Some(v) = jsonpath::find_first(o, pc.json_path) else {
        return Value::Null;
    };
    match (pc.type_, v) {
        ("date", v) => age_of(Some(v), now),
        ("integer" | "number", Value::Number(_)) | ("boolean", Value::Bool(_)) => v.clone(),
        (_, Value::String(s)) => json!(s),
        (_, Value::Null) => Value::Null,
        (_, other) => json!(other.to_string()),
    }
}

fn cells(res: &ResourceDef, o: &Value, now: Timestamp) -> Vec<Value> {
    if !res.crd
        && let Some(all) = super::printers::cells(res.plural, o, now)
    {
        return all;
    }
    let name = json!(s(o, "/metadata/name").unwrap_or(""));
    let rest = match builtin_cols(res) {
        None => (0..res.columns.len())
            .map(|i| crd_cell(res, i, o, now))
            .collect(),
        Some(_) => match res.plural {
            "nodes" => node_cells(o, now),
            "certificatesigningrequests" => csr_cells(o, now),
            "pods" => pod_cells(o, now),
            "namespaces" => vec![
                json!(s(o, "/status/phase").unwrap_or("Active")),
                age_of(o.pointer("/metadata/creationTimestamp"), now),
            ],
            "poddisruptionbudgets" => {
                // kubectl prints N/A for the bound that is not set.
                let bound = |p: &str| match o.pointer(p) {
                    Some(Value::String(v)) => json!(v),
                    Some(Value::Number(n)) => json!(n.to_string()),
                    _ => json!("N/A"),
                };
                vec![
                    bound("/spec/minAvailable"),
                    bound("/spec/maxUnavailable"),
                    json!(
                        o.pointer("/status/disruptionsAllowed")
                            .and_then(Value::as_i64)
                            .unwrap_or(0)
                    ),
                    age_of(o.pointer("/metadata/creationTimestamp"), now),
                ]
            }
            // kubectl prints the creation time itself for CRDs, not an age.
            "customresourcedefinitions" => vec![json!(
                s(o, "/metadata/creationTimestamp").unwrap_or_default()
            )],
            _ => vec![age_of(o.pointer("/metadata/creationTimestamp"), now)],
        },
    };
    std::iter::once(name).chain(rest).collect()
}

/// `PartialObjectMetadata` for an object: its type meta replaced, only metadata kept.
pub fn partial_metadata(o: &Value) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!("PartialObjectMetadata"));
    m.insert("apiVersion".into(), json!("meta.k8s.io/v1"));
    m.insert(
        "metadata".into(),
        o.get("metadata").cloned().unwrap_or_else(|| json!({})),
    );
    Value::Object(m)
}

pub fn row(res: &ResourceDef, o: &Value, include: Include, now: Timestamp) -> Value {
    let mut r = Map::new();
    r.insert("cells".into(), Value::Array(cells(res, o, now)));
    match include {
        Include::None => {}
        Include::Metadata => {
            r.insert("object".into(), partial_metadata(o));
        }
        Include::Object => {
            r.insert("object".into(), o.clone());
        }
    }
    Value::Object(r)
}

/// A whole `meta.k8s.io/v1 Table`.
pub fn table(res: &ResourceDef, rows: Vec<Value>, list_meta: Value) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": column_definitions(res),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::by_key;

    #[test]
    fn ages_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(330), "5m30s");
        assert_eq!(human_duration(300), "5m");
        assert_eq!(human_duration(3 * 3600), "3h");
        assert_eq!(human_duration(2 * 86400), "2d");
        assert_eq!(human_duration(2 * 86400 + 4 * 3600), "2d4h");
        assert_eq!(human_duration(400 * 86400), "400d");
    }

    #[test]
    fn node_and_csr_rows() {
        let now = Timestamp::now();
        let node = json!({"metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/master": ""}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "True"}], "nodeInfo": {"kubeletVersion": "v1.31.6"}, "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}});
        let c = cells(by_key("nodes"), &node, now);
        assert_eq!(c[1], json!("Ready,SchedulingDisabled"));
        assert_eq!(c[2], json!("master,worker"));
        assert_eq!(c[5], json!("10.0.0.1"));
        assert_eq!(c[6], json!("<none>"));
        let csr = json!({"metadata": {"name": "c"}, "spec": {"signerName": "s", "username": "u"}, "status": {"conditions": [{"type": "Approved"}], "certificate": "abc"}});
        let c = cells(
            by_key("certificatesigningrequests.certificates.k8s.io"),
            &csr,
            now,
        );
        assert_eq!(c[5], json!("Approved,Issued"));
    }

    #[test]
    fn pod_status_shows_a_waiting_container_reason_like_kubectl() {
        let now = Timestamp::now();
        let mut pod = crate::scenario::objects::pod(
            "ns",
            "p",
            "n1",
            "10.1.1.1",
            &[("a", "img")],
            true,
            "2026-01-01T00:00:00Z",
        );
        let pods = by_key("pods");
        assert_eq!(cells(pods, &pod, now)[2], json!("Running"));
        crate::scenario::objects::set_pod_crash_looping(&mut pod, "2026-01-01T00:00:00Z");
        let c = cells(pods, &pod, now);
        assert_eq!(c[1], json!("0/1"));
        assert_eq!(c[2], json!("CrashLoopBackOff"));
        assert_eq!(c[3], json!("7"));
    }

    #[test]
    fn crd_columns_from_registry() {
        let np = by_key("nodepools.hypershift.openshift.io");
        let names: Vec<String> = column_definitions(np)
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_uppercase())
            .collect();
        assert_eq!(
            names.join(" "),
            "NAME CLUSTER DESIRED NODES CURRENT NODES AUTOSCALING AUTOREPAIR VERSION UPDATINGVERSION UPDATINGCONFIG MESSAGE"
        );
        let o = json!({"metadata": {"name": "np"}, "spec": {"clusterName": "c1", "replicas": 2}, "status": {"conditions": [{"type": "Ready", "message": "fine"}]}});
        let c = cells(np, &o, Timestamp::now());
        assert_eq!(c[1], json!("c1"));
        assert_eq!(c[2], json!(2));
        assert_eq!(c[9], json!("fine"));
    }
}
