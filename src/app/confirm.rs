//! The state of the one confirm dialog of every write (`actions::ConfirmRequest`): the request,
//! the text typed into its field (ratatui-textarea) when it asks for one, the last refusal and
//! the scroll position. `ui::confirm` draws it. Without a field, `y`/Enter confirm and `n`/Esc
//! cancel; the app decides what the typed text must be.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::TextArea;

use crate::actions::ConfirmRequest;

pub struct ConfirmDialog {
    pub req: ConfirmRequest,
    pub(crate) text: TextArea<'static>,
    /// Why the last Enter did not confirm.
    pub error: Option<String>,
    /// First body line shown (clamped when drawn).
    pub(crate) scroll: Cell<u16>,
    /// Body lines that fit in the last drawing (for PgUp/PgDn).
    pub(crate) page: Cell<u16>,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::csr_approve::CsrWrite;
    use crate::actions::{ConfirmLine, Origin, Tone, WriteRequest};

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
