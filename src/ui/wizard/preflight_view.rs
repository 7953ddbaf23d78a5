//! The `:preflight` view: each prerequisite check of Hosted Control Planes on OpenShift
//! Virtualization as pass/warn/fail, what was seen and the fix. Fetched fresh on every open.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::theme::Theme;
use crate::wizard::preflight::{self, Check, Status};

pub use crate::app::wizards::preflight::PreflightView;

pub fn status_style(theme: &Theme, s: Status) -> Style {
    let c = match s {
        Status::Pass => theme.ok,
        Status::Warn => theme.warn,
        Status::Fail => theme.error,
    };
    Style::default().fg(c).add_modifier(Modifier::BOLD)
}

/// The view's lines: summary, then per check a status line, what was seen and the fix.
pub fn lines(theme: &Theme, checks: &[Check]) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::styled(preflight::summary(checks), theme.title_style()),
        Line::raw(""),
    ];
    for c in checks {
        out.push(Line::from(vec![
            Span::styled(
                format!("{:<5}", c.status.as_str().to_uppercase()),
                status_style(theme, c.status),
            ),
            Span::raw(" "),
            Span::styled(c.title.to_string(), theme.header_style()),
            Span::styled(format!("  ({})", c.id), theme.fg(theme.muted)),
        ]));
        out.push(Line::from(vec![
            Span::styled("      seen: ", theme.fg(theme.muted)),
            Span::styled(c.seen.clone(), theme.fg(theme.fg)),
        ]));
        if !c.fix.is_empty() {
            out.push(Line::from(vec![
                Span::styled("      fix:  ", theme.fg(theme.muted)),
                Span::styled(c.fix.clone(), theme.fg(theme.fg)),
            ]));
        }
        out.push(Line::raw(""));
    }
    out
}

pub fn render(theme: &Theme, view: &PreflightView, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border_style())
        .title(Span::styled(
            " Preflight: Hosted Control Planes on OpenShift Virtualization — Esc closes ",
            theme.title_style(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body = match &view.checks {
        None => vec![Line::styled(
            "Reading the management cluster…",
            theme.fg(theme.muted),
        )],
        Some(c) => lines(theme, c),
    };
    frame.render_widget(
        Paragraph::new(body)
            .style(theme.base())
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(view.scroll).unwrap_or(u16::MAX), 0)),
        inner,
    );
}
