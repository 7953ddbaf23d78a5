//! A reusable confirm dialog: a title, body lines with tones, and optionally a one-line text
//! field (ratatui-textarea) the user must fill in before Enter confirms (e.g. typing a node name
//! to override failed checks). The app decides what the typed text must be; this only shows it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_textarea::TextArea;

use crate::actions::{ConfirmRequest, Tone};
use crate::theme::Theme;

pub struct ConfirmDialog {
    pub req: ConfirmRequest,
    text: TextArea<'static>,
    /// Why the last Enter did not confirm.
    pub error: Option<String>,
}

impl std::fmt::Debug for ConfirmDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmDialog")
            .field("req", &self.req)
            .field("typed", &self.typed())
            .finish()
    }
}

impl ConfirmDialog {
    pub fn new(req: ConfirmRequest) -> Self {
        let mut text = TextArea::default();
        text.set_cursor_line_style(Style::default());
        ConfirmDialog {
            req,
            text,
            error: None,
        }
    }

    /// Whether the dialog has a text field.
    pub fn has_prompt(&self) -> bool {
        self.req.prompt.is_some()
    }

    /// A key typed into the field (single line: Enter never reaches it). Returns whether the
    /// text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if !self.has_prompt() || matches!(key.code, KeyCode::Enter) {
            return false;
        }
        self.error = None;
        self.text.input(key)
    }

    /// The text typed so far.
    pub fn typed(&self) -> String {
        self.text.lines().join("")
    }

    pub fn render(&self, theme: &Theme, frame: &mut Frame, area: Rect) {
        let tone = |t: Tone| match t {
            Tone::Plain => theme.fg(theme.fg),
            Tone::Good => theme.fg(theme.ok),
            Tone::Bad => theme.fg(theme.error),
            Tone::Muted => theme.fg(theme.muted),
        };
        let mut lines: Vec<Line> = self
            .req
            .lines
            .iter()
            .map(|l| Line::styled(l.text.clone(), tone(l.tone)))
            .collect();
        let field_h: u16 = if self.has_prompt() { 3 } else { 0 };
        if let Some(p) = &self.req.prompt {
            lines.push(Line::raw(""));
            lines.push(Line::styled(p.clone(), theme.fg(theme.warn)));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), theme.fg(theme.error)));
        }
        lines.push(Line::from(vec![
            Span::styled("enter", theme.header_style()),
            Span::styled(" confirm   ", theme.fg(theme.muted)),
            Span::styled("esc", theme.header_style()),
            Span::styled(" cancel", theme.fg(theme.muted)),
        ]));
        let width = area.width.saturating_sub(4).clamp(20, 96);
        let inner_w = usize::from(width.saturating_sub(2)).max(1);
        let text_h: usize = lines
            .iter()
            .map(|l| l.width().max(1).div_ceil(inner_w))
            .sum();
        let height = (u16::try_from(text_h).unwrap_or(u16::MAX))
            .saturating_add(field_h + 2)
            .min(area.height);
        let [v] = Layout::vertical([Constraint::Length(height)])
            .flex(Flex::Center)
            .areas(area);
        let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))])
            .flex(Flex::Center)
            .areas(v);
        frame.render_widget(Clear, r);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.fg(theme.warn))
            .title(Span::styled(
                format!(" {} ", self.req.title),
                theme.title_style(),
            ))
            .style(theme.base());
        let inner = block.inner(r);
        frame.render_widget(block, r);
        let [body, field] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(field_h)]).areas(inner);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .style(theme.base()),
            body,
        );
        if self.has_prompt() {
            let mut text = self.text.clone();
            text.set_block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border_style()),
            );
            text.set_style(theme.fg(theme.fg));
            frame.render_widget(&text, field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::csr_approve::CsrWrite;
    use crate::actions::{ConfirmLine, Origin, WriteRequest};
    use crossterm::event::KeyModifiers;

    fn req(prompt: bool) -> ConfirmRequest {
        ConfirmRequest {
            title: "Approve csr-1".into(),
            lines: vec![ConfirmLine::new(Tone::Plain, "hello")],
            prompt: prompt.then(|| "type it".to_string()),
            write: WriteRequest::Csr(CsrWrite {
                decision: crate::csr::approval::Decision::Approve,
                items: vec![],
                auto: false,
                origin: Origin::default(),
            }),
        }
    }

    fn k(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn typing_goes_to_the_field_only_when_there_is_one() {
        let mut d = ConfirmDialog::new(req(true));
        for c in "arm-1".chars() {
            d.input(k(c));
        }
        d.input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        d.input(k('2'));
        assert!(!d.input(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(d.typed(), "arm-2");
        let mut plain = ConfirmDialog::new(req(false));
        assert!(!plain.input(k('x')));
        assert_eq!(plain.typed(), "");
    }
}
