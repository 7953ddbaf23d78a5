//! Header (context, server, version, platform, connection state) and the pane tabs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::watch::KindState;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let sep = || Span::styled(" │ ", t.border_style());
    let (state_text, color) = if app.conn.error.is_some() {
        ("● disconnected".to_string(), t.error)
    } else {
        match app.pane_state() {
            KindState::Live => ("● live".into(), t.ok),
            KindState::Loading => ("◌ loading".into(), t.muted),
            KindState::Reconnecting { attempt, .. } => {
                (format!("◌ reconnecting #{attempt}"), t.warn)
            }
            KindState::Forbidden(_) => ("● forbidden".into(), t.error),
            KindState::NotInstalled => ("● not installed".into(), t.muted),
        }
    };
    let mut spans = vec![
        Span::styled(" shiftdeck", t.title_style()),
        sep(),
        Span::styled("ctx ", t.fg(t.muted)),
        Span::styled(app.conn.context.clone(), t.header_style()),
        sep(),
        Span::styled(app.conn.server.clone(), t.fg(t.fg)),
    ];
    let info = &app.conn.info;
    if info.version.is_some() || info.platform.is_some() {
        spans.push(sep());
        let v = [info.version.as_deref(), info.platform.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        spans.push(Span::styled(v, t.fg(t.fg)));
    }
    spans.push(sep());
    spans.push(Span::styled(state_text, Style::default().fg(color)));
    if app.autoapprove {
        spans.push(sep());
        spans.push(Span::styled(
            "AUTO-APPROVE ON",
            Style::default().fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    if app.gate.read_only() {
        spans.push(sep());
        spans.push(Span::styled(
            "READ-ONLY",
            Style::default().fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
}

pub fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    for (i, p) in app.panes.iter().enumerate() {
        let cmd = p.commands().first().copied().unwrap_or_default();
        let label = format!(" {} :{cmd} ", p.title());
        if i == app.active {
            spans.push(Span::styled(label, t.selection_style().fg(t.title)));
        } else {
            spans.push(Span::styled(label, t.fg(t.muted)));
        }
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
