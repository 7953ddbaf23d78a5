//! Styled lines of the per-machine scaling pipeline (Machine → VM → root disk → VMI → Node),
//! shared by the section under the Node pools table and the node pool details.

use k8s_openapi::jiff::Timestamp;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::{Value, json};

use crate::age::{growing, human_duration};
use crate::fleet::pipeline::{MachinePipeline, ScalingProgress};
use crate::fleet::tracker::FinishedScaling;
use crate::fleet::util::{arr_at, str_at};
use crate::theme::Theme;

/// What the Node Ready step is based on: the management cluster only.
pub const GUEST_NOTE: &str = "Node Ready from the Machine's nodeRef + NodeHealthy (management cluster view; the guest cluster is not queried)";

/// Guest Node stand-ins from what the management cluster knows: a Machine with `status.nodeRef`
/// whose `NodeHealthy` condition is True counts as a Ready node since that condition's time.
pub fn nodes_from_machines(machines: &[Value]) -> Vec<Value> {
    machines
        .iter()
        .filter_map(|m| {
            let node = str_at(m, "/status/nodeRef/name")?;
            let c = arr_at(m, "/status/conditions")
                .iter()
                .find(|c| str_at(c, "/type") == Some("NodeHealthy"))?;
            (str_at(c, "/status") == Some("True")).then(|| {
                json!({"metadata": {"name": node}, "status": {"conditions": [{
                    "type": "Ready", "status": "True",
                    "lastTransitionTime": str_at(c, "/lastTransitionTime")}]}})
            })
        })
        .collect()
}

/// `[██████░░░░] 3/5` for `width` cells of bar.
pub fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

/// One machine: name, each step with the time it took (or its state), problems.
pub fn machine_line(p: &MachinePipeline, now: Timestamp, theme: &Theme) -> Line<'static> {
    let durations = p.step_durations();
    let mut spans = vec![Span::styled(
        format!("  {:<28} ", p.machine),
        if p.stuck() {
            theme.fg(theme.error).add_modifier(Modifier::BOLD)
        } else {
            theme.fg(theme.fg)
        },
    )];
    if p.deleting {
        spans.push(Span::styled("deleting", theme.fg(theme.warn)));
        return Line::from(spans);
    }
    let current = p.current();
    for (i, s) in p.steps.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" → ", theme.fg(theme.muted)));
        }
        let (text, style) = if s.done {
            let d = durations
                .iter()
                .find(|(st, _)| *st == s.stage)
                .and_then(|(_, d)| *d)
                .map(|d| format!(" {}", human_duration(d)))
                .unwrap_or_default();
            (format!("✓ {}{d}", s.stage.label()), theme.fg(theme.ok))
        } else if Some(s.stage) == current {
            let waited = p
                .waiting_for(now)
                .map(|w| format!(" {}", growing(w)))
                .unwrap_or_default();
            let detail = if s.detail.is_empty() {
                String::new()
            } else {
                format!(" {}", s.detail)
            };
            let color = if p.stuck() { theme.error } else { theme.warn };
            (
                format!("… {}{detail}{waited}", s.stage.label()),
                theme.fg(color).add_modifier(Modifier::BOLD),
            )
        } else {
            (format!("· {}", s.stage.label()), theme.fg(theme.muted))
        };
        spans.push(Span::styled(text, style));
    }
    if let Some(n) = &p.infra_node {
        spans.push(Span::styled(format!("  (on {n})"), theme.fg(theme.muted)));
    }
    Line::from(spans)
}

/// One machine's line, then one line per problem (why it is stuck), indented under it.
pub fn machine_lines(p: &MachinePipeline, now: Timestamp, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![machine_line(p, now, theme)];
    out.extend(p.problems.iter().map(|why| {
        Line::from(Span::styled(
            format!("      ⚠ stuck: {why}"),
            theme.fg(theme.error).add_modifier(Modifier::BOLD),
        ))
    }));
    out
}

/// A pool's scaling: a progress line then one line per machine.
pub fn scaling_lines(
    key: &str,
    s: &ScalingProgress,
    since: Option<Timestamp>,
    now: Timestamp,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let dir = if s.desired > s.current { "up" } else { "down" };
    let running = since
        .map(|t| format!(" · running {}", growing(now.duration_since(t))))
        .unwrap_or_default();
    let stuck = s.machines.iter().filter(|m| m.stuck()).count();
    let mut head = vec![
        Span::styled(format!("{key} "), theme.title_style()),
        Span::styled(
            format!(
                "scaling {dir} {} {}/{} nodes{running}",
                bar(s.fraction(), 20),
                s.current,
                s.desired
            ),
            theme.fg(theme.warn),
        ),
    ];
    if stuck > 0 {
        head.push(Span::styled(
            format!(" · {stuck} stuck"),
            theme.fg(theme.error).add_modifier(Modifier::BOLD),
        ));
    }
    let mut out = vec![Line::from(head)];
    out.extend(s.machines.iter().flat_map(|m| machine_lines(m, now, theme)));
    out
}

/// `example-extra-cpu scaled 2→3 in 4m10s (finished 1m ago)`.
pub fn finished_line(f: &FinishedScaling, now: Timestamp, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("✓ {} ", f.key), theme.fg(theme.ok)),
        Span::styled(
            format!(
                "scaled {}→{} in {} (finished {} ago)",
                f.from,
                f.to,
                human_duration(f.total()),
                growing(now.duration_since(f.finished))
            ),
            Style::default().patch(theme.fg(theme.muted)),
        ),
    ])
}
