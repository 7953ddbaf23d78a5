//! Terminal-safe text: shiftdeck-core's escaping and wrapping (`shiftdeck_core::text`), plus the
//! frame's last pass that replaces any bidi control a pane drew unescaped.

pub use shiftdeck_core::text::*;

use ratatui::buffer::Buffer;

/// The frame's safety net: a cell whose symbol still holds a bidi control (a pane that drew
/// cluster text without escaping it) shows U+FFFD instead. ratatui already drops C0/C1 controls.
pub fn scrub_buffer(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if cell.symbol().chars().any(is_bidi_control) {
            cell.set_symbol("\u{FFFD}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn the_buffer_pass_replaces_bidi_controls_left_by_a_pane() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "ab\u{202E}cd", ratatui::style::Style::default());
        scrub_buffer(&mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(!text.chars().any(is_bidi_control), "{text:?}");
        assert!(text.starts_with("ab"), "{text:?}");
    }
}
