//! Drawing the Copies pane: one progress widget for every kind (bar, rate sparkline, ETA, state
//! colour), live copies on top and the history below, failures in red with their message.

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{CopiesPane, row_key};
use crate::copies::rows::{cells, human_bytes};
use crate::copies::{CopyItem, CopyState, SourceKind};
use crate::panes::RenderCtx;
use crate::redact::in_text as redact;
use crate::theme::Theme;
use crate::watch::KindState;

pub const COLUMNS: [&str; 10] = [
    "KIND",
    "NAME",
    "OWNER/TARGET",
    "STATE",
    "PROGRESS",
    "SIZE",
    "RATE",
    "TREND",
    "ETA",
    "ELAPSED",
];
const WIDTHS: [u16; 10] = [10, 32, 22, 10, 21, 19, 11, 8, 7, 8];
const BAR: usize = 14;

pub fn state_color(s: CopyState, t: &Theme) -> Color {
    match s {
        CopyState::Succeeded => t.ok,
        CopyState::Failed => t.error,
        CopyState::Aborted => t.warn,
        _ => t.title,
    }
}

/// `█████░░░░ 45.0%` or `-`.
pub fn bar(fraction: Option<f64>) -> String {
    match fraction {
        Some(f) => {
            let f = f.clamp(0.0, 1.0);
            let full = (f * BAR as f64).round() as usize;
            format!(
                "{}{} {:>5.1}%",
                "█".repeat(full),
                "░".repeat(BAR - full),
                f * 100.0
            )
        }
        None => "-".into(),
    }
}

/// The recent rates as block characters (the sparkline of one row).
pub fn spark(values: &[u64]) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(8)..];
    tail.iter()
        .map(|v| TICKS[((*v).min(100) as usize * 7) / 100])
        .collect()
}

/// The cells of one row in [`COLUMNS`] order.
pub fn row_cells(p: &CopiesPane, item: &CopyItem, now: Timestamp) -> Vec<String> {
    let c = cells(item, now);
    let get = |i: usize| c.get(i).cloned().unwrap_or_else(|| "-".into());
    let state = match item.kind {
        SourceKind::DataVolume => p
            .dvs
            .phase(&item.key)
            .map_or_else(|| get(2), str::to_string),
        _ => get(2),
    };
    let name = match item.kind {
        SourceKind::DataVolume => item.key.clone(),
        _ => item.name.clone(),
    };
    let size = match (item.bytes_done, item.bytes_total) {
        (_, Some(t)) if item.kind == SourceKind::DataVolume => human_bytes(t),
        _ => get(4),
    };
    let trend = if item.state.is_final() {
        String::new()
    } else {
        spark(&item.sparkline())
    };
    vec![
        get(0),
        redact(&name),
        redact(&get(8)),
        state,
        bar(item.fraction),
        size,
        get(5),
        trend,
        get(6),
        get(7),
    ]
}

fn fit(s: &str, w: u16) -> String {
    let w = usize::from(w);
    if s.chars().count() <= w {
        format!("{s:<w$}")
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn line_of(cells: &[String], style: Style, widths: &[u16]) -> Line<'static> {
    let mut spans = Vec::new();
    for (c, w) in cells.iter().zip(widths) {
        spans.push(Span::styled(fit(c, *w), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Rows the table keeps up to the selection in the pane's `area` (the title, the header, the
/// message and notice lines, and the one row shown past the selection take the rest). PageUp and
/// PageDown move by this much, so paging shows every row.
pub fn rows_shown(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(6))
}

pub fn render(p: &CopiesPane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let t = ctx.theme;
    let items = p.visible();
    let live = items.iter().filter(|i| !i.state.is_final()).count();
    let dv_note = match ctx.state {
        KindState::NotInstalled => " · DataVolumes: CDI not installed",
        KindState::Loading => " · DataVolumes: loading",
        KindState::Forbidden(_) => " · DataVolumes: forbidden",
        _ => "",
    };
    let reading = if p.converting > 0 {
        format!(" · reading {} DataVolumes…", p.converting)
    } else {
        String::new()
    };
    let title = format!(
        " Copies — {live} live, {} finished{dv_note}{reading} ",
        items.len() - live
    );
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border_style())
        .title(Span::styled(title, t.title_style()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [table, msg, notice] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let header: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
    let mut lines = vec![line_of(&header, t.header_style(), &WIDTHS)];
    let sel = p.selected.min(items.len().saturating_sub(1));
    let rows_h = rows_shown(area);
    let offset = sel.saturating_sub(rows_h.saturating_sub(1));
    let mut shown_history = false;
    for (i, item) in items.iter().enumerate().skip(offset).take(rows_h + 1) {
        if item.state.is_final() && !shown_history {
            shown_history = true;
            lines.push(Line::from(Span::styled("── history ──", t.fg(t.muted))));
        }
        let mut style = Style::default().fg(state_color(item.state, t));
        if item.state == CopyState::Pending || item.state == CopyState::Running {
            style = Style::default().fg(t.fg);
        }
        if i == sel {
            style = style
                .patch(t.selection_style())
                .add_modifier(Modifier::BOLD);
        }
        let cells = row_cells(p, item, ctx.now);
        lines.push(line_of(&cells, style, &WIDTHS));
        if item.state == CopyState::Failed
            && let Some(m) = &item.message
        {
            lines.push(Line::from(Span::styled(
                format!("{:11}↳ {}", "", redact(m)),
                t.fg(t.error),
            )));
        }
    }
    if items.is_empty() {
        lines.push(Line::from(Span::styled(
            "no copies: DataVolume imports appear here; :blob tracks an Azure blob copy, :mirror FILE TARGET mirrors images",
            t.fg(t.muted),
        )));
    }
    frame.render_widget(Paragraph::new(lines).style(t.base()), table);
    // The selected row's message (failures in red).
    if let Some(item) = items.get(sel) {
        let m = item.message.as_deref().map(redact).unwrap_or_default();
        let st = if item.state == CopyState::Failed {
            t.fg(t.error)
        } else {
            t.fg(t.muted)
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(m, st)))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            msg,
        );
    }
    let keys = "x abort blob copy · r retry failed images · :blob track · :mirror FILE TARGET · enter details";
    let n = p
        .notice
        .as_deref()
        .map(redact)
        .unwrap_or_else(|| keys.to_string());
    frame.render_widget(Paragraph::new(Span::styled(n, t.fg(t.muted))), notice);
    if let Some(m) = &p.modal {
        m.render(frame, area, t);
    }
}

/// Details: the item, the blob's `properties.copy` facts and the equivalent `az` commands.
pub fn details(p: &CopiesPane, item: &CopyItem, now: Timestamp) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let kv = |k: &str, v: String| Line::from(format!("{k:<20} {}", redact(&v)));
    for (h, c) in COLUMNS.iter().zip(row_cells(p, item, now)) {
        out.push(kv(h, c));
    }
    out.push(kv(
        "MESSAGE",
        item.message.clone().unwrap_or_else(|| "-".into()),
    ));
    out.push(kv("KEY", row_key(item)));
    if let Some(w) = p.blob(&item.key) {
        out.push(Line::from(""));
        out.push(Line::from("properties.copy"));
        match &w.last {
            Some(Ok(props)) => {
                let c = &props.copy;
                let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                out.push(kv(
                    "  status",
                    c.status.map_or("-".into(), |s| s.as_str().to_string()),
                ));
                out.push(kv(
                    "  progress",
                    c.progress.map_or("-".into(), |(d, t)| format!("{d}/{t}")),
                ));
                out.push(kv("  id", opt(&c.id)));
                out.push(kv("  source", opt(&c.source)));
                out.push(kv("  completionTime", opt(&c.completion_time)));
                out.push(kv("  statusDescription", opt(&c.status_description)));
            }
            Some(Err(e)) => out.push(kv("  error", e.to_string())),
            None => out.push(kv("  status", "not polled yet".into())),
        }
        out.push(Line::from(""));
        out.push(Line::from("az (SAS redacted)"));
        for c in w.az_commands() {
            out.push(Line::from(format!("  {}", redact(&c))));
        }
    }
    out
}
