//! The error banner: connection failures, watch errors with retry attempts, start-up warnings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::watch::KindState;

/// The banner text, if there is anything to say.
pub fn text(app: &App) -> Option<String> {
    if let Some(e) = &app.conn.error {
        return Some(format!("⚠ {e}"));
    }
    let state = app
        .pane()
        .and_then(|p| app.states.get(p.kind()).map(|s| (p.title(), s)));
    match state {
        Some((_, KindState::Reconnecting { attempt, error })) => Some(format!(
            "⚠ retrying {} (attempt {attempt}): {error}",
            app.conn.server
        )),
        Some((title, KindState::Forbidden(e))) => Some(format!("⚠ {title}: forbidden: {e}")),
        _ => app.startup_warning.as_ref().map(|w| format!("⚠ {w}")),
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    if let Some(t) = text(app) {
        let style = Style::default()
            .fg(ratatui::style::Color::Black)
            .bg(app.theme.error)
            .add_modifier(Modifier::BOLD);
        frame.render_widget(Paragraph::new(t).style(style), area);
    }
}
