//! The details view of a node: conditions, addresses, labels, taints, capacity/allocatable and
//! nodeInfo, as styled lines. The watch caches a lean copy of each node (see
//! `watch::kind::strip_node`), so the view is built from the whole object read with a GET when
//! it has arrived, and from the lean copy, with a note saying so, until then.

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::model::{NodeRow, age};

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

/// Where the node the details are built from stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// The whole object, as the GET read it.
    Full,
    /// The lean cached copy: the GET is under way.
    Loading,
    /// The GET failed (one line); the node is the last whole object read, or the lean copy.
    Failed(&'a str),
}

/// The note at the top of a node's details or YAML while it is not [`Source::Full`].
pub fn note(source: Source) -> Option<String> {
    match source {
        Source::Full => None,
        Source::Loading => Some(LOADING.to_string()),
        Source::Failed(e) => Some(format!("{e} (showing what is cached)")),
    }
}

/// What the view says while the GET is under way.
pub const LOADING: &str = "loading full object…";

pub fn lines(node: &Node, row: &NodeRow, now: Timestamp, source: Source) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(n) = note(source) {
        let style = match source {
            Source::Failed(_) => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            _ => Style::default().add_modifier(Modifier::ITALIC),
        };
        out.push(Line::from(Span::styled(n, style)));
        out.push(Line::raw(""));
    }
    out.extend([
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
    ]);
    // The lean copy lacks capacity and most of nodeInfo: say so rather than "<none>".
    let lean = source != Source::Full;
    let status = node.status.as_ref();

    out.push(heading("Conditions"));
    match status.and_then(|s| s.conditions.as_ref()) {
        Some(cs) if !cs.is_empty() => {
            for c in cs {
                let since = c
                    .last_transition_time
                    .as_ref()
                    .map(|t| t.0)
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
        out.push(Line::raw(if lean { "  …" } else { "  <none>" }));
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
            let fields = [
                ("OS image", &i.os_image),
                ("Kernel", &i.kernel_version),
                ("Container runtime", &i.container_runtime_version),
                ("Kubelet", &i.kubelet_version),
                ("Architecture", &i.architecture),
                ("Operating system", &i.operating_system),
                ("Machine ID", &i.machine_id),
                ("System UUID", &i.system_uuid),
                ("Boot ID", &i.boot_id),
            ];
            for (k, v) in fields {
                if !(lean && v.is_empty()) {
                    out.push(kv(k, v.clone()));
                }
            }
        }
        None => out.push(Line::raw("  <none>")),
    }
    out
}
