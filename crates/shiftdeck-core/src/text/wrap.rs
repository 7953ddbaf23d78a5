//! Word wrapping to a known width, so a dialog or box knows exactly how many rows its text takes
//! (ratatui's `Wrap` does not say) and a long URL or command is cut only where it has no spaces.

/// `s` in lines of at most `width` characters, broken at spaces where possible; a run longer
/// than the width (a URL) is cut at the width. Never empty: an empty `s` is one empty line.
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split_inclusive(' ') {
        if !cur.is_empty() && cur.chars().count() + word.trim_end().chars().count() > width {
            out.push(std::mem::take(&mut cur).trim_end().to_string());
        }
        cur.push_str(word);
        while cur.trim_end().chars().count() > width {
            out.push(cur.chars().take(width).collect());
            cur = cur.chars().skip(width).collect();
        }
    }
    if !cur.trim_end().is_empty() || out.is_empty() {
        out.push(cur.trim_end().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn breaks_at_spaces_and_cuts_long_runs() {
        assert_eq!(wrap_words("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap_words("abcdefgh ij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_words("short", 10), ["short"]);
        assert_eq!(wrap_words("", 10), [""]);
        assert_eq!(wrap_words("  indented line", 40), ["  indented line"]);
        let text = "az storage blob copy start --source-uri \"https://x/y.vhd\" --destination-container <c>";
        let lines = wrap_words(text, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
