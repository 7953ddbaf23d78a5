//! Server-side Table printers of the core kinds kubectl shows every day (Events, ConfigMaps,
//! Secrets, Services, PVCs, StorageClasses), with the columns the API server's printers use.

use crate::time::Timestamp;
use serde_json::{Value, json};

use super::table::{Col, NAME, age_of, c, s};

const EVENT_COLS: &[Col] = &[
    c("Last Seen", "string", 0),
    c("Type", "string", 0),
    c("Reason", "string", 0),
    c("Object", "string", 0),
    c("Subobject", "string", 1),
    c("Source", "string", 1),
    c("Message", "string", 0),
    c("First Seen", "string", 1),
    c("Count", "string", 1),
    c("Name", "string", 1),
];
const CM_COLS: &[Col] = &[NAME, c("Data", "string", 0), c("Age", "string", 0)];
const SECRET_COLS: &[Col] = &[
    NAME,
    c("Type", "string", 0),
    c("Data", "string", 0),
    c("Age", "string", 0),
];
const SVC_COLS: &[Col] = &[
    NAME,
    c("Type", "string", 0),
    c("Cluster-IP", "string", 0),
    c("External-IP", "string", 0),
    c("Port(s)", "string", 0),
    c("Age", "string", 0),
    c("Selector", "string", 1),
];
const PVC_COLS: &[Col] = &[
    NAME,
    c("Status", "string", 0),
    c("Volume", "string", 0),
    c("Capacity", "string", 0),
    c("Access Modes", "string", 0),
    c("StorageClass", "string", 0),
    c("VolumeAttributesClass", "string", 0),
    c("Age", "string", 0),
    c("VolumeMode", "string", 1),
];
const SC_COLS: &[Col] = &[
    NAME,
    c("Provisioner", "string", 0),
    c("ReclaimPolicy", "string", 0),
    c("VolumeBindingMode", "string", 0),
    c("AllowVolumeExpansion", "string", 0),
    c("Age", "string", 0),
];

pub(super) fn columns(plural: &str) -> Option<&'static [Col]> {
    Some(match plural {
        "events" => EVENT_COLS,
        "configmaps" => CM_COLS,
        "secrets" => SECRET_COLS,
        "services" => SVC_COLS,
        "persistentvolumeclaims" => PVC_COLS,
        "storageclasses" => SC_COLS,
        _ => return None,
    })
}

fn len_of(o: &Value, ptr: &str) -> usize {
    o.pointer(ptr)
        .and_then(Value::as_object)
        .map_or(0, serde_json::Map::len)
}

fn strs<'a>(o: &'a Value, ptr: &str) -> Vec<&'a str> {
    o.pointer(ptr)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn or_none(v: String) -> String {
    if v.is_empty() { "<none>".into() } else { v }
}

fn event_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let first = o
        .pointer("/firstTimestamp")
        .filter(|v| !v.is_null())
        .or_else(|| o.pointer("/eventTime"))
        .or_else(|| o.pointer("/metadata/creationTimestamp"));
    let last = o
        .pointer("/lastTimestamp")
        .filter(|v| !v.is_null())
        .or(first);
    let kind = s(o, "/involvedObject/kind")
        .unwrap_or("")
        .to_ascii_lowercase();
    let source = match (s(o, "/source/component"), s(o, "/source/host")) {
        (Some(c), Some(h)) => format!("{c}, {h}"),
        (Some(c), None) => c.to_string(),
        _ => s(o, "/reportingComponent").unwrap_or("").to_string(),
    };
    let count = o.pointer("/count").and_then(Value::as_i64).unwrap_or(1);
    vec![
        age_of(last, now),
        json!(s(o, "/type").unwrap_or("")),
        json!(s(o, "/reason").unwrap_or("")),
        json!(format!(
            "{kind}/{}",
            s(o, "/involvedObject/name").unwrap_or("")
        )),
        json!(s(o, "/involvedObject/fieldPath").unwrap_or("")),
        json!(source),
        json!(s(o, "/message").unwrap_or("").trim()),
        age_of(first, now),
        json!(count.to_string()),
        json!(s(o, "/metadata/name").unwrap_or("")),
    ]
}

fn ports(o: &Value) -> String {
    let list: Vec<String> = o
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            match p.get("nodePort").and_then(Value::as_i64) {
                Some(np) => format!("{port}:{np}/{proto}"),
                None => format!("{port}/{proto}"),
            }
        })
        .collect();
    or_none(list.join(","))
}

fn external_ip(o: &Value) -> String {
    let ty = s(o, "/spec/type").unwrap_or("ClusterIP");
    let mut ips: Vec<String> = strs(o, "/spec/externalIPs")
        .iter()
        .map(|s| s.to_string())
        .collect();
    match ty {
        "LoadBalancer" => {
            let ingress: Vec<String> = o
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    i.get("ip")
                        .or_else(|| i.get("hostname"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect();
            ips.extend(ingress);
            if ips.is_empty() {
                "<pending>".into()
            } else {
                ips.join(",")
            }
        }
        "ExternalName" => s(o, "/spec/externalName").unwrap_or("").to_string(),
        _ => or_none(ips.join(",")),
    }
}

fn selector(o: &Value) -> String {
    let pairs: Vec<String> = o
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    or_none(pairs.join(","))
}

fn access_modes(o: &Value) -> String {
    let modes: Vec<&str> = strs(o, "/status/accessModes")
        .into_iter()
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    modes.join(",")
}

/// Every cell of a row (the name included where the printer has one), for the kinds above.
pub(super) fn cells(plural: &str, o: &Value, now: Timestamp) -> Option<Vec<Value>> {
    let name = || json!(s(o, "/metadata/name").unwrap_or(""));
    let age = || age_of(o.pointer("/metadata/creationTimestamp"), now);
    Some(match plural {
        "events" => event_cells(o, now),
        "configmaps" => vec![
            name(),
            json!((len_of(o, "/data") + len_of(o, "/binaryData")).to_string()),
            age(),
        ],
        "secrets" => vec![
            name(),
            json!(s(o, "/type").unwrap_or("Opaque")),
            json!(len_of(o, "/data").to_string()),
            age(),
        ],
        "services" => vec![
            name(),
            json!(s(o, "/spec/type").unwrap_or("ClusterIP")),
            json!(s(o, "/spec/clusterIP").unwrap_or("<none>")),
            json!(external_ip(o)),
            json!(ports(o)),
            age(),
            json!(selector(o)),
        ],
        "persistentvolumeclaims" => vec![
            name(),
            json!(s(o, "/status/phase").unwrap_or("Pending")),
            json!(s(o, "/spec/volumeName").unwrap_or("")),
            json!(s(o, "/status/capacity/storage").unwrap_or("")),
            json!(access_modes(o)),
            json!(s(o, "/spec/storageClassName").unwrap_or("")),
            json!(s(o, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
            age(),
            json!(s(o, "/spec/volumeMode").unwrap_or("Filesystem")),
        ],
        "storageclasses" => {
            let default = o
                .pointer("/metadata/annotations/storageclass.kubernetes.io~1is-default-class")
                .and_then(Value::as_str)
                == Some("true");
            let n = s(o, "/metadata/name").unwrap_or("");
            vec![
                json!(if default {
                    format!("{n} (default)")
                } else {
                    n.to_string()
                }),
                json!(s(o, "/provisioner").unwrap_or("")),
                json!(s(o, "/reclaimPolicy").unwrap_or("Delete")),
                json!(s(o, "/volumeBindingMode").unwrap_or("Immediate")),
                json!(
                    o.get("allowVolumeExpansion")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                        .to_string()
                ),
                age(),
            ]
        }
        _ => return None,
    })
}
