//! The details view of a node: conditions, addresses, labels, taints, capacity/allocatable and
//! nodeInfo, as styled lines.

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::Node;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::model::{NodeRow, age, to_chrono};

fn heading(s: &str) -> Line<'static> {
    Line::from(Span::styled(
        s.to_string(),
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

fn kv(k: &str, v: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("  {k:<26}"),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(v.into()),
    ])
}

pub fn lines(node: &Node, row: &NodeRow, now: DateTime<Utc>) -> Vec<Line<'static>> {
    let mut out = vec![
        kv("Name", row.name.clone()),
        kv("Status", row.status()),
        kv("Roles", row.roles.clone()),
        kv(
            "Age",
            row.created
                .map_or_else(|| "<unknown>".into(), |c| age(c, now)),
        ),
        kv("Version", row.version.clone()),
        kv("Arch / OS", format!("{} / {}", row.arch, row.os)),
        Line::raw(""),
    ];
    let status = node.status.as_ref();

    out.push(heading("Conditions"));
    match status.and_then(|s| s.conditions.as_ref()) {
        Some(cs) if !cs.is_empty() => {
            for c in cs {
                let since = c
                    .last_transition_time
                    .as_ref()
                    .and_then(|t| to_chrono(&t.0))
                    .map(|t| format!(" for {}", age(t, now)))
                    .unwrap_or_default();
                let detail = [c.reason.as_deref(), c.message.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                out.push(kv(&c.type_, format!("{}{since}  {detail}", c.status)));
            }
        }
        _ => out.push(Line::raw("  <none>")),
    }
    out.push(Line::raw(""));

    out.push(heading("Addresses"));
    match status.and_then(|s| s.addresses.as_ref()) {
        Some(a) if !a.is_empty() => out.extend(a.iter().map(|a| kv(&a.type_, a.address.clone()))),
        _ => out.push(Line::raw("  <none>")),
    }
    out.push(Line::raw(""));

    out.push(heading("Labels"));
    let labels = node.metadata.labels.as_ref().filter(|l| !l.is_empty());
    match labels {
        Some(l) => out.extend(l.iter().map(|(k, v)| Line::raw(format!("  {k}={v}")))),
        None => out.push(Line::raw("  <none>")),
    }
    out.push(Line::raw(""));

    out.push(heading("Taints"));
    match node.spec.as_ref().and_then(|s| s.taints.as_ref()) {
        Some(ts) if !ts.is_empty() => {
            for t in ts {
                let v = t
                    .value
                    .as_deref()
                    .map(|v| format!("={v}"))
                    .unwrap_or_default();
                out.push(Line::raw(format!("  {}{v}:{}", t.key, t.effect)));
            }
        }
        _ => out.push(Line::raw("  <none>")),
    }
    out.push(Line::raw(""));

    out.push(heading("Capacity / Allocatable"));
    let cap = status.and_then(|s| s.capacity.clone()).unwrap_or_default();
    let alloc = status
        .and_then(|s| s.allocatable.clone())
        .unwrap_or_default();
    let mut keys: Vec<&String> = cap.keys().chain(alloc.keys()).collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        out.push(Line::raw("  <none>"));
    }
    for k in keys {
        let c = cap.get(k).map_or("-", |q| q.0.as_str());
        let a = alloc.get(k).map_or("-", |q| q.0.as_str());
        out.push(kv(k, format!("{c:<16} {a}")));
    }
    out.push(Line::raw(""));

    out.push(heading("Node info"));
    match status.and_then(|s| s.node_info.as_ref()) {
        Some(i) => {
            out.push(kv("OS image", i.os_image.clone()));
            out.push(kv("Kernel", i.kernel_version.clone()));
            out.push(kv("Container runtime", i.container_runtime_version.clone()));
            out.push(kv("Kubelet", i.kubelet_version.clone()));
            out.push(kv("Architecture", i.architecture.clone()));
            out.push(kv("Operating system", i.operating_system.clone()));
            out.push(kv("Machine ID", i.machine_id.clone()));
            out.push(kv("System UUID", i.system_uuid.clone()));
            out.push(kv("Boot ID", i.boot_id.clone()));
        }
        None => out.push(Line::raw("  <none>")),
    }
    out
}
