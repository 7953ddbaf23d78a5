//! The details view of a hosted cluster: why it is `Partial`, conditions coloured by polarity,
//! version history, control-plane pods, endpoints and apps ingress. Never any Secret content.

use k8s_openapi::jiff::Timestamp;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::age::human_duration;
use crate::fetched::NamespaceObjects;
use crate::fleet::conditions::Health;
use crate::fleet::hosted_details::HostedClusterDetails;

fn heading(s: &str) -> Line<'static> {
    Line::from(Span::styled(
        s.to_string(),
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

fn kv(k: &str, v: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("  {k:<24}"),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(v.into()),
    ])
}

/// The colour of a condition verdict.
pub fn health_color(h: Health) -> Color {
    match h {
        Health::Healthy => Color::Green,
        Health::Info => Color::Cyan,
        Health::Unknown => Color::Yellow,
        Health::Unhealthy => Color::Red,
    }
}

fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map(|t| format!(" for {}", human_duration(now.duration_since(t))))
        .unwrap_or_default()
}

/// Explanations wrap at this many columns (the view does not wrap).
const WRAP: usize = 110;

/// Split `text` at spaces into lines of at most `width` characters (longer words stay whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `fetched`: the pods and services of the control-plane namespace, once read (None: reading).
pub fn lines(
    d: &HostedClusterDetails,
    fetched: Option<&NamespaceObjects>,
    now: Timestamp,
) -> Vec<Line<'static>> {
    let r = &d.row;
    let or_none = |s: &str| {
        if s.is_empty() {
            "<none>".to_string()
        } else {
            s.to_string()
        }
    };
    let mut out = vec![
        kv("Name", format!("{}/{}", r.namespace, r.name)),
        kv("Platform", or_none(&r.platform)),
        kv("Version", or_none(&r.version)),
        kv("Progress", or_none(&r.progress)),
        kv("Node pools", r.pools_cell()),
        kv("Nodes ready/desired", r.nodes_cell()),
    ];
    if r.kubeconfig.is_empty() {
        out.push(kv("Admin kubeconfig", "not published yet"));
    } else {
        out.push(kv(
            "Admin kubeconfig",
            format!(
                "Secret {} (press o to open the guest cluster)",
                r.kubeconfig
            ),
        ));
    }
    out.push(Line::raw(""));

    if !d.partial_reasons.is_empty() {
        out.push(heading("Why Partial"));
        for reason in &d.partial_reasons {
            for (i, part) in wrap(reason, WRAP).into_iter().enumerate() {
                let bullet = if i == 0 { "•" } else { " " };
                out.push(Line::from(Span::styled(
                    format!("  {bullet} {part}"),
                    Style::default().fg(Color::Yellow),
                )));
            }
        }
        out.push(Line::raw(""));
    }

    out.push(heading("Conditions"));
    if d.conditions.is_empty() {
        out.push(Line::raw("  <none>"));
    }
    for c in &d.conditions {
        let color = health_color(c.health);
        let detail = [c.reason.as_str(), c.message.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": ")
            .replace('\n', " ");
        out.push(Line::from(vec![
            Span::styled(
                format!("  {:<8}", c.health.label()),
                Style::default().fg(color),
            ),
            Span::styled(
                format!("{:<38}", c.type_),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("{:<8}", c.status), Style::default().fg(color)),
            Span::raw(format!("{}  {detail}", since(c.last_transition, now))),
        ]));
    }
    out.push(Line::raw(""));

    out.push(heading("Version history"));
    if d.history.is_empty() {
        out.push(Line::raw("  <none>"));
    }
    for h in &d.history {
        let when = match (h.started, h.completed) {
            (Some(s), Some(c)) => format!(
                "started{} ago, took {}",
                since(Some(s), now).trim_start_matches(" for"),
                human_duration(c.duration_since(s))
            ),
            (Some(s), None) => format!(
                "started{} ago",
                since(Some(s), now).trim_start_matches(" for")
            ),
            _ => String::new(),
        };
        let version = if h.version.is_empty() {
            "<pending>".to_string()
        } else {
            h.version.clone()
        };
        out.push(kv(&version, format!("{:<10} {when}  {}", h.state, h.image)));
    }
    out.push(Line::raw(""));

    out.push(heading(&format!(
        "Control plane ({})",
        d.control_plane_namespace
    )));
    match fetched {
        None => out.push(Line::raw("  reading pods and services…")),
        Some(f) if f.error.is_some() => out.push(Line::from(Span::styled(
            format!("  cannot read: {}", f.error.as_deref().unwrap_or("")),
            Style::default().fg(Color::Red),
        ))),
        Some(_) => {
            let p = &d.pods;
            let color = if p.failing.is_empty() && p.total > 0 {
                Color::Green
            } else {
                Color::Yellow
            };
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<24}", "Pods running"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!("{}/{}", p.running, p.total),
                    Style::default().fg(color),
                ),
            ]));
            for f in &p.failing {
                out.push(Line::from(Span::styled(
                    format!("    {}  {}  {}", f.name, f.phase, f.reason),
                    Style::default().fg(Color::Red),
                )));
                if let Some(impact) = f.impact {
                    out.push(Line::from(Span::styled(
                        format!("      → {impact}"),
                        Style::default().fg(Color::Yellow),
                    )));
                }
            }
        }
    }
    out.push(Line::raw(""));

    out.push(heading("Endpoints"));
    out.push(kv(
        "API server",
        d.api_endpoint.clone().unwrap_or_else(|| "<none>".into()),
    ));
    out.push(kv(
        "OAuth callback",
        d.oauth_callback_template
            .clone()
            .unwrap_or_else(|| "<none>".into()),
    ));
    out.push(Line::raw(""));

    out.push(heading("Apps ingress"));
    let a = &d.apps;
    out.push(kv(
        "Wildcard DNS",
        a.wildcard_dns
            .clone()
            .unwrap_or_else(|| "<base domain not set>".into()),
    ));
    if fetched.is_some() {
        out.push(kv(
            "LoadBalancer service",
            a.service.clone().unwrap_or_else(|| "<none>".into()),
        ));
        out.push(kv(
            "External IP",
            a.external.clone().unwrap_or_else(|| "<pending>".into()),
        ));
        if let Some(pool) = &a.address_pool {
            out.push(kv("MetalLB address pool", pool.clone()));
        }
    }
    out
}
