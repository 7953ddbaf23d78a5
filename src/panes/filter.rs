//! The `/` filter shared by every pane: whitespace-separated terms that must all match. A term
//! with `=` is a label filter (`kubernetes.io/arch=arm64`, `key!=value`, or `key=` for "has the
//! label"); anything else is a case-insensitive substring of the name.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    text: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Name(String),
    LabelEq(String, String),
    LabelNe(String, String),
    HasLabel(String),
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let terms = text
            .split_whitespace()
            .map(|t| {
                if let Some((k, v)) = t.split_once("!=") {
                    Term::LabelNe(k.to_string(), v.to_string())
                } else if let Some((k, v)) = t.split_once('=') {
                    if v.is_empty() {
                        Term::HasLabel(k.to_string())
                    } else {
                        Term::LabelEq(k.to_string(), v.to_string())
                    }
                } else {
                    Term::Name(t.to_lowercase())
                }
            })
            .collect();
        Filter {
            text: text.trim().to_string(),
            terms,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, name: &str, labels: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Name(s) => name.to_lowercase().contains(s.as_str()),
            Term::LabelEq(k, v) => labels.get(k) == Some(v),
            Term::LabelNe(k, v) => labels.get(k) != Some(v),
            Term::HasLabel(k) => labels.contains_key(k),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn substring_and_label_terms() {
        let l = labels(&[
            ("kubernetes.io/arch", "arm64"),
            ("node-role.kubernetes.io/worker", ""),
        ]);
        assert!(Filter::parse("").matches("x", &l));
        assert!(Filter::parse("WORK").matches("worker-0", &l));
        assert!(!Filter::parse("master").matches("worker-0", &l));
        assert!(Filter::parse("kubernetes.io/arch=arm64").matches("worker-0", &l));
        assert!(!Filter::parse("kubernetes.io/arch=amd64").matches("worker-0", &l));
        assert!(Filter::parse("kubernetes.io/arch!=amd64").matches("worker-0", &l));
        assert!(Filter::parse("node-role.kubernetes.io/worker=").matches("w", &l));
        assert!(!Filter::parse("node-role.kubernetes.io/master=").matches("w", &l));
        assert!(Filter::parse("work kubernetes.io/arch=arm64").matches("worker-0", &l));
        assert!(!Filter::parse("zzz kubernetes.io/arch=arm64").matches("worker-0", &l));
        assert_eq!(Filter::parse("  a  ").text(), "a");
    }
}
