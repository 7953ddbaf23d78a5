//! The one confirm dialog of every write (`actions::ConfirmRequest`): a title, body lines with
//! tones, and optionally a one-line text field (ratatui-textarea) the user must fill in before
//! Enter confirms (e.g. typing a node name to override failed checks); without a field, `y`/Enter
//! confirm and `n`/Esc cancel. The app decides what the typed text must be; this only shows it.
//! The dialog never grows past the screen: the prompt, the confirm line and the field stay at
//! the bottom, and a body taller than the room left scrolls with ↑/↓ and PgUp/PgDn.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_textarea::TextArea;

use super::wrap::wrap_words;
use crate::actions::{ConfirmRequest, Tone};
use crate::theme::Theme;

pub struct ConfirmDialog {
    pub req: ConfirmRequest,
    text: TextArea<'static>,
    /// Why the last Enter did not confirm.
    pub error: Option<String>,
    /// First body line shown (clamped when drawn).
    scroll: Cell<u16>,
    /// Body lines that fit in the last drawing (for PgUp/PgDn).
    page: Cell<u16>,
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
            scroll: Cell::new(0),
            page: Cell::new(1),
        }
    }

    /// Whether the dialog has a text field.
    pub fn has_prompt(&self) -> bool {
        self.req.prompt.is_some()
    }

    /// A key typed into the field (single line: Enter never reaches it). Returns whether the
    /// text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let page = i32::from(self.page.get().max(1));
        let delta = match key.code {
            KeyCode::Up => Some(-1),
            KeyCode::Down => Some(1),
            KeyCode::PageUp => Some(-page),
            KeyCode::PageDown => Some(page),
            _ => None,
        };
        if let Some(d) = delta {
            let now = i32::from(self.scroll.get());
            self.scroll
                .set(u16::try_from((now + d).max(0)).unwrap_or(u16::MAX));
            return true;
        }
        if !self.has_prompt() || matches!(key.code, KeyCode::Enter) {
            return false;
        }
        self.error = None;
        self.text.input(key)
    }

    /// `Some(true)` for `y`, `Some(false)` for `n` when there is no field to type into.
    pub fn yes_no(&self, key: &KeyEvent) -> Option<bool> {
        if self.has_prompt() || !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
            return None;
        }
        match key.code {
            KeyCode::Char('y' | 'Y') => Some(true),
            KeyCode::Char('n' | 'N') => Some(false),
            _ => None,
        }
    }

    /// The first body line shown.
    pub fn scroll(&self) -> u16 {
        self.scroll.get()
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
        let width = area.width.saturating_sub(4).clamp(20, 96);
        let inner_w = usize::from(width.saturating_sub(2)).max(1);
        // Wrapped here, so the heights below are exact.
        let wrapped = |text: &str, style: Style| -> Vec<Line<'static>> {
            wrap_words(text, inner_w)
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect()
        };
        let body: Vec<Line> = self
            .req
            .lines
            .iter()
            .flat_map(|l| wrapped(&l.text, tone(l.tone)))
            .collect();
        // What must stay visible: the prompt, the last refusal and the confirm line.
        let mut fixed: Vec<Line> = Vec::new();
        if let Some(p) = &self.req.prompt {
            fixed.push(Line::raw(""));
            fixed.extend(wrapped(p, theme.fg(theme.warn)));
        }
        if let Some(e) = &self.error {
            fixed.extend(wrapped(e, theme.fg(theme.error)));
        }
        let field_h: u16 = if self.has_prompt() { 3 } else { 0 };
        let rows = |lines: &[Line]| -> u16 { u16::try_from(lines.len()).unwrap_or(u16::MAX) };
        let (body_h, fixed_h) = (rows(&body), rows(&fixed) + 1);
        let height = body_h
            .saturating_add(fixed_h + field_h + 2)
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
        let [body_area, fixed_area, field] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(fixed_h),
            Constraint::Length(field_h),
        ])
        .areas(inner);
        let max_scroll = body_h.saturating_sub(body_area.height);
        // The confirm line: with a scroll position when the body does not fit.
        let scroll = self.scroll.get().min(max_scroll);
        self.scroll.set(scroll);
        self.page.set(body_area.height.saturating_sub(1).max(1));
        frame.render_widget(
            Paragraph::new(body).scroll((scroll, 0)).style(theme.base()),
            body_area,
        );
        // Without a field, y/n answer too (a typed prompt takes every letter).
        let mut hint = if self.has_prompt() {
            vec![
                Span::styled("enter", theme.header_style()),
                Span::styled(" confirm   ", theme.fg(theme.muted)),
                Span::styled("esc", theme.header_style()),
                Span::styled(" cancel", theme.fg(theme.muted)),
            ]
        } else {
            vec![
                Span::styled("y/Enter", theme.header_style()),
                Span::styled(": confirm   ", theme.fg(theme.muted)),
                Span::styled("n/Esc", theme.header_style()),
                Span::styled(": cancel", theme.fg(theme.muted)),
            ]
        };
        if max_scroll > 0 {
            let last = (scroll + body_area.height).min(body_h);
            let (keys, pos) = if inner_w >= 70 {
                (
                    "   ↑/↓ PgUp/PgDn",
                    format!(" scroll: lines {}–{last} of {body_h}", scroll + 1),
                )
            } else {
                ("  ↑/↓", format!(" {}–{last}/{body_h}", scroll + 1))
            };
            hint.push(Span::styled(keys, theme.header_style()));
            hint.push(Span::styled(pos, theme.fg(theme.muted)));
        }
        fixed.push(Line::from(hint));
        frame.render_widget(Paragraph::new(fixed).style(theme.base()), fixed_area);
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

    #[test]
    fn y_and_n_answer_only_without_a_field() {
        let plain = ConfirmDialog::new(req(false));
        assert_eq!(plain.yes_no(&k('y')), Some(true));
        assert_eq!(plain.yes_no(&k('N')), Some(false));
        assert_eq!(plain.yes_no(&k('x')), None);
        let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert_eq!(plain.yes_no(&ctrl_y), None);
        // With a field, `y` and `n` are letters of the node name.
        let typed = ConfirmDialog::new(req(true));
        assert_eq!(typed.yes_no(&k('y')), None);
    }
}
