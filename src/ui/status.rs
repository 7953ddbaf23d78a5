//! The status bar: the keys that work here, or the filter being typed, and the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Overlay};
use crate::keymap::KeyContext;

/// (action name, label) hints per context.
fn hints(ctx: KeyContext) -> &'static [(&'static str, &'static str)] {
    match ctx {
        KeyContext::Table => &[
            ("palette", "cmd"),
            ("filter", "filter"),
            ("details", "details"),
            ("yaml", "yaml"),
            ("sort_next", "sort"),
            ("help", "help"),
            ("quit", "quit"),
        ],
        KeyContext::View => &[
            ("back", "back"),
            ("yaml", "yaml"),
            ("details", "details"),
            ("down", "scroll"),
            ("help", "help"),
        ],
        KeyContext::Help => &[("help", "close"), ("back", "close")],
        KeyContext::Picker => &[("details", "switch"), ("down", "move"), ("back", "cancel")],
        KeyContext::Input => &[],
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    if app.overlay == Overlay::Filter {
        spans.push(Span::styled("/", t.title_style()));
        spans.push(Span::styled(app.input.text().to_string(), t.fg(t.fg)));
        spans.push(Span::styled("█", t.fg(t.muted)));
        spans.push(Span::styled(
            "   enter keep · esc close · text or key=value",
            t.fg(t.muted),
        ));
    } else if app.overlay == Overlay::Confirm {
        spans.push(Span::styled("<enter>", t.header_style()));
        spans.push(Span::styled(" confirm  ", t.fg(t.muted)));
        spans.push(Span::styled("<esc>", t.header_style()));
        spans.push(Span::styled(" cancel  ", t.fg(t.muted)));
    } else {
        for (name, label) in hints(app.key_context()) {
            if let Some(k) = app.keymap.first_label(name) {
                spans.push(Span::styled(format!("<{k}>"), t.header_style()));
                spans.push(Span::styled(format!(" {label}  "), t.fg(t.muted)));
            }
        }
        // The copy key, where the selection has something to copy (Overview URLs, commands).
        if app.key_context() == KeyContext::Table
            && app
                .pane()
                .and_then(|p| p.links())
                .is_some_and(|l| l.copy_item().is_some())
            && let Some(k) = app.keymap.first_label("copy")
        {
            spans.push(Span::styled(format!("<{k}>"), t.header_style()));
            spans.push(Span::styled(" copy  ", t.fg(t.muted)));
        }
    }
    if app.overlay == Overlay::None
        && app.notice.is_none()
        && let Some(why) = app.scale_disabled()
    {
        spans.push(Span::styled(
            format!(" scale disabled: {why}"),
            t.fg(t.muted),
        ));
    }
    // A notice wins over the standing "disabled" reason (it is usually about that action).
    if app.overlay == Overlay::None
        && app.doc.is_none()
        && app.notice.is_none()
        && let Some(why) = app.actions_disabled()
    {
        spans.push(Span::styled(
            format!(" ⊘ actions disabled: {why}"),
            t.fg(t.error),
        ));
    }
    if let Some((n, _)) = &app.notice {
        let notice = Span::styled(format!(" {n}"), t.fg(t.warn));
        // A notice that would run past the edge wins over the key hints (they come back when
        // it expires): a truncated "why" is no use.
        let used: usize = spans.iter().map(Span::width).sum();
        if used + notice.width() > usize::from(area.width) {
            spans.clear();
        }
        spans.push(notice);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
}
