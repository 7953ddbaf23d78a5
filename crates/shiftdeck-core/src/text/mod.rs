//! Text from the cluster made safe for a terminal: control characters and the Unicode bidi
//! controls (which reorder what the admin reads, e.g. U+202E makes `exe.txt` read `txt.exe`) are
//! shown escaped (the TUI's last pass over each frame, `shiftdeck::text::scrub_buffer`, replaces
//! any that a pane drew unescaped). [`wrap`] breaks text at spaces to a known width.

pub mod wrap;

use std::borrow::Cow;

/// Bidirectional formatting characters (Unicode category Cf, so not `char::is_control`).
pub fn is_bidi_control(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
