//! The error banner: connection failures, watch errors with retry attempts, start-up warnings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Paragraph;

use crate::app::App;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    if let Some(t) = crate::app::layout::banner_text(app) {
        let style = Style::default()
            .fg(ratatui::style::Color::Black)
            .bg(app.theme.error)
            .add_modifier(Modifier::BOLD);
        frame.render_widget(Paragraph::new(t).style(style), area);
    }
}
