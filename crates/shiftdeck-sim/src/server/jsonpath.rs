//! The small JSONPath subset CRD printer columns use: `.a.b`, `['esc\.aped']`, `[0]`, `[*]` and
//! `[?(@.k=="v")]` / `[?(@.k!="v")]` filters. Like the apiextensions table convertor, callers
//! take the first match.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    Filter {
        path: Vec<String>,
        neg: bool,
        value: String,
    },
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let s: Vec<char> = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .collect();
    let mut i = 0;
    let mut steps = Vec::new();
    while i < s.len() {
        match s[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < s.len() && s[i] != '.' && s[i] != '[' {
                    i += 1;
                }
                let name: String = s[start..i].iter().collect();
                if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let mut j = i + 1;
                let mut quote: Option<char> = None;
                let mut depth = 1;
                while j < s.len() {
                    let c = s[j];
                    match quote {
                        Some(_) if c == '\\' => j += 1,
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None if c == '\'' || c == '"' => quote = Some(c),
                        None if c == '[' => depth += 1,
                        None if c == ']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        None => {}
                    }
                    j += 1;
                }
                if j >= s.len() {
                    return None;
                }
                let inner: String = s[i + 1..j].iter().collect();
                steps.push(bracket(inner.trim())?);
                i = j + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next()?;
    if (q != '\'' && q != '"') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let mut out = String::new();
    let mut chars = s[1..s.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn bracket(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::All);
    }
    if let Ok(n) = inner.parse::<usize>() {
        return Some(Step::Index(n));
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        let (lhs, neg, rhs) = if let Some((l, r)) = f.split_once("!=") {
            (l, true, r)
        } else {
            let (l, r) = f.split_once("==")?;
            (l, false, r)
        };
        let path = lhs
            .trim()
            .strip_prefix("@.")?
            .split('.')
            .map(str::to_string)
            .collect();
        return Some(Step::Filter {
            path,
            neg,
            value: unquote(rhs)?,
        });
    }
    unquote(inner).map(Step::Field)
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every value `path` selects in `obj`, in document order. `None` when the path does not parse.
pub fn find_all<'a>(obj: &'a Value, path: &str) -> Option<Vec<&'a Value>> {
    let steps = parse(path)?;
    let mut cur = vec![obj];
    for step in &steps {
        let mut next = Vec::new();
        for v in cur {
            match step {
                Step::Field(f) => next.extend(v.get(f.as_str())),
                Step::Index(n) => next.extend(v.as_array().and_then(|a| a.get(*n))),
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(o) => next.extend(o.values()),
                    _ => {}
                },
                Step::Filter { path, neg, value } => {
                    for item in v.as_array().into_iter().flatten() {
                        let mut field = Some(item);
                        for p in path {
                            field = field.and_then(|f| f.get(p.as_str()));
                        }
                        let hit = field.is_some_and(|f| scalar_string(f) == *value);
                        // `!=` only matches items that have the field, as client-go's jsonpath.
                        if (field.is_some() && *neg && !hit) || (!*neg && hit) {
                            next.push(item);
                        }
                    }
                }
            }
        }
        cur = next;
    }
    Some(cur)
}

/// The first value `path` selects.
pub fn find_first<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    find_all(obj, path).and_then(|v| v.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_printer_column_paths() {
        let o = json!({
            "metadata": {"labels": {"machine.openshift.io/zone": "eu-1a"}},
            "spec": {"replicas": 3, "urls": [{"url": "a"}, {"url": "b"}]},
            "status": {
                "conditions": [{"type": "Ready", "status": "True", "message": "ok"}, {"type": "Available", "status": "False"}],
                "history": [{"state": "", "version": "4.1"}, {"state": "Partial", "version": "4.2"}, {"state": "Completed", "version": "4.3"}]
            }
        });
        assert_eq!(find_first(&o, ".spec.replicas"), Some(&json!(3)));
        assert_eq!(
            find_first(&o, ".status.conditions[?(@.type==\"Available\")].status"),
            Some(&json!("False"))
        );
        assert_eq!(
            find_first(&o, ".status.conditions[?(@.type=='Ready')].message"),
            Some(&json!("ok"))
        );
        assert_eq!(
            find_first(&o, ".status.history[?(@.state!=\"\")].state"),
            Some(&json!("Partial"))
        );
        assert_eq!(
            find_first(&o, ".status.history[?(@.state==\"Completed\")].version"),
            Some(&json!("4.3"))
        );
        assert_eq!(
            find_first(&o, ".metadata.labels['machine\\.openshift\\.io/zone']"),
            Some(&json!("eu-1a"))
        );
        assert_eq!(find_first(&o, ".spec.urls[*].url"), Some(&json!("a")));
        assert_eq!(find_first(&o, ".spec.urls[1].url"), Some(&json!("b")));
        assert_eq!(find_first(&o, ".status.missing"), None);
        assert!(find_all(&o, ".status.conditions[?(@.type==").is_none());
    }
}
