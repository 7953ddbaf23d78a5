//! A small Rust tokenizer for the module-cycle check: identifiers, punctuation and string literals,
//! with comments dropped, so `crate::x` inside a comment, a doc line or a string is never an edge.

/// One token. Only what the scanner needs: string contents are kept for `#[path = "..."]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// `::` is one token; every other punctuation character is its own token.
    PathSep,
    Punct(char),
    Str(String),
    /// Char, number and lifetime literals: present so the scanner sees an item boundary, never a path.
    Other,
}

/// Tokenizes `src`. Malformed input (an unterminated string or comment) ends the token stream.
pub fn tokenize(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer { c: &chars, i: 0 };
    let mut out = Vec::new();
    while let Some(t) = lexer.next_token() {
        out.push(t);
    }
    out
}

struct Lexer<'a> {
    c: &'a [char],
    i: usize,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    fn next_token(&mut self) -> Option<Tok> {
        loop {
            let ch = self.at(0)?;
            if ch.is_whitespace() {
                self.i += 1;
            } else if ch == '/' && self.at(1) == Some('/') {
                while self.at(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
            } else if ch == '/' && self.at(1) == Some('*') {
                self.block_comment();
            } else {
                break;
            }
        }
        let ch = self.at(0)?;
        if let Some(t) = self.prefixed_literal() {
            return Some(t);
        }
        if ch == '"' {
            self.i += 1;
            return Some(Tok::Str(self.quoted()));
        }
        if ch == '\'' {
            return Some(self.char_or_lifetime());
        }
        if ch == '_' || ch.is_alphabetic() {
            return Some(Tok::Ident(self.ident()));
        }
        if ch.is_ascii_digit() {
            while self.at(0).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                self.i += 1;
            }
            return Some(Tok::Other);
        }
        self.i += 1;
        if ch == ':' && self.at(0) == Some(':') {
            self.i += 1;
            return Some(Tok::PathSep);
        }
        Some(Tok::Punct(ch))
    }

    /// `/* ... */`, nested as Rust allows.
    fn block_comment(&mut self) {
        self.i += 2;
        let mut depth = 1;
        while depth > 0 {
            match (self.at(0), self.at(1)) {
                (None, _) => return,
                (Some('/'), Some('*')) => {
                    depth += 1;
                    self.i += 2;
                }
                (Some('*'), Some('/')) => {
                    depth -= 1;
                    self.i += 2;
                }
                _ => self.i += 1,
            }
        }
    }

    /// `b"..."`, `c"..."`, `r"..."`, `r#"..."#`, `br#"..."#`, `b'x'` and the raw identifier `r#name`.
    fn prefixed_literal(&mut self) -> Option<Tok> {
        let mut k = 0;
        if matches!(self.at(0), Some('b' | 'c')) {
            k = 1;
        }
        if k == 1 && self.at(1) == Some('\'') && self.at(0) == Some('b') {
            self.i += 1;
            return Some(self.char_or_lifetime());
        }
        if self.at(k) == Some('r') {
            let mut hashes = 0;
            while self.at(k + 1 + hashes) == Some('#') {
                hashes += 1;
            }
            if self.at(k + 1 + hashes) == Some('"') {
                self.i += k + 2 + hashes;
                return Some(Tok::Str(self.raw(hashes)));
            }
            if k == 0 && hashes == 1 && self.at(2).is_some_and(|c| c == '_' || c.is_alphabetic()) {
                self.i += 2;
                return Some(Tok::Ident(self.ident()));
            }
            return None;
        }
        if k == 1 && self.at(1) == Some('"') {
            self.i += 2;
            return Some(Tok::Str(self.quoted()));
        }
        None
    }

    /// The rest of a `"..."` string after its opening quote.
    fn quoted(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.at(0) {
            self.i += 1;
            match c {
                '"' => break,
                '\\' => {
                    if let Some(n) = self.at(0) {
                        s.push(n);
                        self.i += 1;
                    }
                }
                _ => s.push(c),
            }
        }
        s
    }

    /// The rest of a raw string after `r##"`, up to `"##`.
    fn raw(&mut self, hashes: usize) -> String {
        let mut s = String::new();
        while let Some(c) = self.at(0) {
            if c == '"' && (1..=hashes).all(|h| self.at(h) == Some('#')) {
                self.i += 1 + hashes;
                break;
            }
            s.push(c);
            self.i += 1;
        }
        s
    }

    /// `'x'`, `'\n'`, `'\u{1F600}'`, or a lifetime / label `'a`.
    fn char_or_lifetime(&mut self) -> Tok {
        self.i += 1;
        if self.at(0) == Some('\\') {
            // The backslash and the escaped character, then the rest (`u{1F600}`) up to the quote.
            self.i += 2;
            while self.at(0).is_some_and(|c| c != '\'') {
                self.i += 1;
            }
            self.i += 1;
        } else if self.at(1) == Some('\'') {
            self.i += 2;
        } else {
            while self.at(0).is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                self.i += 1;
            }
        }
        Tok::Other
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.at(0).is_some_and(|c| c == '_' || c.is_alphanumeric()) {
            self.i += 1;
        }
        self.c[start..self.i].iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        tokenize(src)
            .into_iter()
            .filter_map(|t| match t {
                Tok::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_paths() {
        let src = r####"
            //! uses crate::doc_a
            /* crate::blk_b /* nested crate::nest_c */ still comment */
            let s = "crate::str_d \" crate::str_e";
            let r = r#"crate::raw_f "quoted" "#;
            let b = br##"crate::raw_g"##;
            let c = '"'; let q = '\''; let bs = '\\'; let u = '\u{1F600}'; let l: &'static str = x;
            crate::h
        "####;
        let ids = idents(src);
        assert!(!ids.iter().any(|s| s.contains('_')));
        assert!(ids.contains(&"h".to_string()), "{ids:?}");
        assert!(
            ids.contains(&"x".to_string()),
            "a lifetime must not swallow what follows: {ids:?}"
        );
    }

    #[test]
    fn path_separator_and_raw_identifiers() {
        assert_eq!(
            tokenize("crate::r#type::X"),
            vec![
                Tok::Ident("crate".into()),
                Tok::PathSep,
                Tok::Ident("type".into()),
                Tok::PathSep,
                Tok::Ident("X".into())
            ]
        );
    }
}
