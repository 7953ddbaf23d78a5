//! A SAS signature (`sig=...`) scrubbed out of any text, even percent-encoded inside another URL:
//! the one part of an Azure blob URL that grants access. `copies::sas` parses SAS tokens; this is
//! the text filter every displayed string goes through (see [`super::in_text`]).

/// What replaces a signature in anything displayed.
pub const REDACTED: &str = "REDACTED";

/// Replace the value of every `sig=` (case-insensitive, up to `&`, whitespace, a quote or `)`)
/// with `REDACTED`; the same for a percent-encoded `sig%3D` inside another URL (up to `%26`).
pub fn redact(text: &str) -> String {
    let plain = redact_pattern(text, "sig=", |rest| {
        rest.find(|c: char| c == '&' || c.is_whitespace() || c == '"' || c == '\'' || c == ')')
    });
    redact_pattern(&plain, "sig%3d", |rest| {
        let lower = rest.to_ascii_lowercase();
        let stop = rest.find(|c: char| c == '&' || c.is_whitespace() || c == '"' || c == '\'');
        match (lower.find("%26"), stop) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    })
}

fn redact_pattern(text: &str, pattern: &str, value_end: impl Fn(&str) -> Option<usize>) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(pos) = lower[i..].find(pattern) {
        let start = i + pos;
        let before = &lower[..start];
        let preceded_ok = start == 0
            || before.ends_with("%26")
            || before.ends_with("%3f")
            || matches!(
                text.as_bytes()[start - 1],
                b'?' | b'&' | b' ' | b'"' | b'\'' | b'\n' | b'\t' | b'('
            );
        let value_start = start + pattern.len();
        out.push_str(&text[i..value_start]);
        if !preceded_ok {
            i = value_start;
            continue;
        }
        let end = value_end(&text[value_start..]).map_or(text.len(), |e| value_start + e);
        if end > value_start {
            out.push_str(REDACTED);
        }
        i = end;
    }
    out.push_str(&text[i..]);
    out
}
