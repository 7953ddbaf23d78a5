//! The joining-nodes view (`J` in the CSR pane): per node the pipeline client CSR -> serving
//! CSR -> Node Ready, with the time each step took (or is taking) and the current stage.
//! Built from the pane's CSRs and validations with the render clock (`csr::joining`).

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::CsrPane;
use crate::csr::display_safe;
use crate::csr::joining::{JoinStage, JoiningNode, Step, joining_nodes};
use crate::panes::RenderCtx;

pub const HEADERS: [&str; 6] = [
    "NODE",
    "STAGE",
    "IN STAGE",
    "CLIENT CSR",
    "SERVING CSR",
    "READY",
];

fn step(name: Option<&str>, s: &Step, now: Timestamp) -> String {
    // A step in progress counts up with the clock; a finished one holds.
    let took = s.duration(now).map(if s.finished.is_none() {
        crate::age::growing
    } else {
        crate::age::human_duration
    });
    let state = match (s.started, s.finished) {
        (None, _) => "—".to_string(),
        (Some(_), Some(_)) => format!("✓ {}", took.unwrap_or_default()),
        (Some(_), None) => format!("… {}", took.unwrap_or_default()),
    };
    match name {
        Some(n) => format!("{} {state}", display_safe(n)),
        None => state,
    }
}

/// The cells of one node's pipeline.
pub fn cells(j: &JoiningNode, now: Timestamp) -> Vec<String> {
    vec![
        display_safe(&j.node),
        j.stage.label().to_string(),
        crate::age::human_duration(j.in_stage),
        step(j.client_csr.as_deref(), &j.client, now),
        step(j.serving_csr.as_deref(), &j.serving, now),
        step(None, &j.ready, now),
    ]
}

pub fn render(pane: &CsrPane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let theme = ctx.theme;
    let now = ctx.now;
    let m = &pane.model;
    let list = joining_nodes(m.pairs(), &m.nodes, now);
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let waiting = list.iter().filter(|j| j.stage != JoinStage::Ready).count();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Joining nodes", theme.title_style()),
            Span::raw("  "),
            Span::styled(
                // "waiting", not "not ready": a Ready node can still wait for its serving CSR.
                format!(
                    "{waiting} waiting, {} done (last 24h)",
                    list.len() - waiting
                ),
                theme.fg(theme.fg),
            ),
            Span::styled("  │  J back to CSRs", theme.fg(theme.muted)),
        ])),
        title,
    );
    if list.is_empty() {
        frame.render_widget(
            Paragraph::new("No nodes joined in the last 24 hours.").style(theme.fg(theme.muted)),
            body,
        );
        return;
    }
    let all: Vec<(JoinStage, Vec<String>)> =
        list.iter().map(|j| (j.stage, cells(j, now))).collect();
    let widths: Vec<Constraint> = (0..HEADERS.len())
        .map(|c| {
            let w = all
                .iter()
                .map(|(_, r)| r[c].chars().count())
                .chain([HEADERS[c].len()])
                .max()
                .unwrap_or(0);
            Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX))
        })
        .collect();
    let rows: Vec<Row> = all
        .into_iter()
        .take(usize::from(body.height.saturating_sub(1)))
        .map(|(stage, cells)| {
            let color = match stage {
                JoinStage::Ready => theme.ok,
                JoinStage::Denied | JoinStage::Failed => theme.error,
                _ => theme.warn,
            };
            Row::new(cells.into_iter().enumerate().map(move |(i, t)| {
                if i == 1 {
                    Span::styled(t, Style::default().fg(color))
                } else {
                    Span::raw(t)
                }
            }))
            .style(Style::default().fg(theme.fg))
        })
        .collect();
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(HEADERS).style(theme.header_style()))
            .column_spacing(2),
        body,
    );
}
