//! Text from the cluster made safe for a terminal: control characters and the Unicode bidi
//! controls (which reorder what the admin reads, e.g. U+202E makes `exe.txt` read `txt.exe`) are
//! shown escaped, and a last pass over the frame replaces any that a pane drew unescaped. [`wrap`]
//! breaks text at spaces to a known width.

pub mod wrap;

use std::borrow::Cow;

use ratatui::buffer::Buffer;

/// Bidirectional formatting characters (Unicode category Cf, so not `char::is_control`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` must not reach the terminal as is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// `s` with every unsafe character escaped (`\u{1b}`, `\u{202e}`); borrowed when nothing is.
pub fn escape_unsafe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

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
    fn controls_and_bidi_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape_unsafe("worker-1"), Cow::Borrowed(_)));
        assert_eq!(escape_unsafe("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape_unsafe("v1\u{202E}txt.exe"), "v1\\u{202e}txt.exe");
        for c in ['\u{061C}', '\u{200F}', '\u{2066}', '\u{2069}'] {
            assert!(
                escape_unsafe(&format!("x{c}")).starts_with("x\\u{"),
                "{c:?}"
            );
        }
        // Other format characters that do not reorder text stay (zero-width joiner in emoji).
        assert_eq!(escape_unsafe("a\u{200D}b"), "a\u{200D}b");
    }

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
