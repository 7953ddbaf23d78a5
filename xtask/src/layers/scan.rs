//! Walks one crate's module tree from its root file (following `mod x;` the way rustc does) and
//! records which top-level module uses which: every `crate::x` path (also in grouped imports,
//! `use crate::{a::B, c}`) and every `super::` path that climbs to the crate root. Test-only code is
//! left out: items under `#[cfg(test)]` (a `#[cfg(test)] mod x;` file is not read at all) and files
//! whose first attribute is `#![cfg(test)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::lex::{Tok, tokenize};

/// Which top-level module uses which, and the files that make each edge.
#[derive(Debug, Default)]
pub struct CrateGraph {
    /// The top-level modules declared in the crate root (test-only ones left out).
    pub modules: BTreeSet<String>,
    /// (from, to) -> files of `from` that name `to`.
    pub edges: BTreeMap<(String, String), BTreeSet<PathBuf>>,
}

/// Scans the crate whose root file (`src/lib.rs`, `src/main.rs`) is `root`; `read` returns a
/// file's text, or None when there is no such file.
pub fn scan_crate(
    root: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Result<CrateGraph, String> {
    let mut walker = Walker {
        read,
        graph: CrateGraph::default(),
        raw: Vec::new(),
    };
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let ctx = Ctx {
        file: root.to_path_buf(),
        dir,
        mod_path: Vec::new(),
    };
    walker.file(&ctx)?;
    let mut graph = walker.graph;
    for (from, to, file) in walker.raw {
        if from != to && graph.modules.contains(&to) {
            graph.edges.entry((from, to)).or_default().insert(file);
        }
    }
    Ok(graph)
}

/// Where the scanner is: the file, the directory child modules live in, and the module path
/// (empty at the crate root; the first element is the top-level module).
#[derive(Clone)]
struct Ctx {
    file: PathBuf,
    dir: PathBuf,
    mod_path: Vec<String>,
}

struct Walker<'a> {
    read: &'a dyn Fn(&Path) -> Option<String>,
    graph: CrateGraph,
    /// (from, to, file) before `to` is known to be a module.
    raw: Vec<(String, String, PathBuf)>,
}

impl Walker<'_> {
    fn file(&mut self, ctx: &Ctx) -> Result<(), String> {
        let text =
            (self.read)(&ctx.file).ok_or_else(|| format!("cannot read {}", ctx.file.display()))?;
        let toks = tokenize(&text);
        self.items(&toks, ctx)
    }

    /// The items of a module body (a whole file or the inside of `mod x { ... }`).
    fn items(&mut self, toks: &[Tok], ctx: &Ctx) -> Result<(), String> {
        let mut i = 0;
        while i < toks.len() {
            let mut test_only = false;
            let mut path_attr = None;
            // Attributes, outer `#[..]` and inner `#![..]`.
            while toks.get(i) == Some(&Tok::Punct('#')) {
                let inner = toks.get(i + 1) == Some(&Tok::Punct('!'));
                let open = if inner { i + 2 } else { i + 1 };
                if toks.get(open) != Some(&Tok::Punct('[')) {
                    break;
                }
                let close = matching(toks, open);
                let attr = &toks[open + 1..close.min(toks.len())];
                if attr_is_cfg_test(attr) {
                    if inner {
                        return Ok(()); // `#![cfg(test)]`: the whole module is test-only
                    }
                    test_only = true;
                }
                if let [Tok::Ident(p), Tok::Punct('='), Tok::Str(s)] = attr
                    && p == "path"
                {
                    path_attr = Some(s.clone());
                }
                i = close + 1;
            }
            if i >= toks.len() {
                break;
            }
            let mut k = i;
            if is_ident(toks.get(k), "pub") {
                k += 1;
                if toks.get(k) == Some(&Tok::Punct('(')) {
                    k = matching(toks, k) + 1;
                }
            }
            if is_ident(toks.get(k), "mod")
                && let Some(Tok::Ident(name)) = toks.get(k + 1)
            {
                match toks.get(k + 2) {
                    Some(Tok::Punct('{')) => {
                        let close = matching(toks, k + 2);
                        if !test_only {
                            let inner = ctx.child(name, ctx.file.clone(), ctx.dir.join(name));
                            self.declare(&inner);
                            self.items(&toks[k + 3..close.min(toks.len())], &inner)?;
                        }
                        i = close + 1;
                    }
                    _ => {
                        if !test_only {
                            let inner = self.module_file(ctx, name, path_attr.as_deref())?;
                            self.declare(&inner);
                            self.file(&inner)?;
                        }
                        i = k + 3;
                    }
                }
                continue;
            }
            let end = item_end(toks, k);
            if !test_only {
                self.paths(&toks[i..end], ctx);
            }
            i = end.max(i + 1);
        }
        Ok(())
    }

    fn declare(&mut self, ctx: &Ctx) {
        if let [top] = ctx.mod_path.as_slice() {
            self.graph.modules.insert(top.clone());
        }
    }

    /// The file of `mod name;` declared in `ctx`: `#[path]` relative to the declaring file's
    /// directory, else `dir/name.rs` or `dir/name/mod.rs`.
    fn module_file(&self, ctx: &Ctx, name: &str, path_attr: Option<&str>) -> Result<Ctx, String> {
        let candidates: Vec<PathBuf> = match path_attr {
            Some(p) => vec![ctx.file.parent().unwrap_or(Path::new("")).join(p)],
            None => vec![
                ctx.dir.join(format!("{name}.rs")),
                ctx.dir.join(name).join("mod.rs"),
            ],
        };
        let file = candidates
            .iter()
            .find(|p| (self.read)(p).is_some())
            .ok_or_else(|| {
                format!(
                    "{}: `mod {name};` but none of {candidates:?} exists",
                    ctx.file.display()
                )
            })?
            .clone();
        let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let dir = match file.file_name().and_then(|f| f.to_str()) {
            Some("mod.rs") => parent,
            _ => parent.join(name),
        };
        Ok(ctx.child(name, file, dir))
    }

    /// Records the top-level module every crate-rooted path in `toks` names.
    fn paths(&mut self, toks: &[Tok], ctx: &Ctx) {
        let Some(from) = ctx.mod_path.first() else {
            return; // the crate root is not a module
        };
        let mut found = Vec::new();
        for j in 0..toks.len() {
            let starts_path = j == 0 || toks[j - 1] != Tok::PathSep;
            let after = if is_ident(toks.get(j), "crate") && toks.get(j + 1) == Some(&Tok::PathSep)
            {
                Some(j + 2)
            } else if starts_path && is_ident(toks.get(j), "super") {
                // `super::super::x`: as many `super`s as the module is deep reach the crate root.
                let mut k = j;
                let mut ups = 0;
                while is_ident(toks.get(k), "super") && toks.get(k + 1) == Some(&Tok::PathSep) {
                    ups += 1;
                    k += 2;
                }
                (ups == ctx.mod_path.len()).then_some(k)
            } else {
                None
            };
            match after.and_then(|a| toks.get(a).map(|t| (a, t))) {
                Some((_, Tok::Ident(name))) => found.push(name.clone()),
                Some((a, Tok::Punct('{'))) => found.extend(group_heads(toks, a)),
                _ => {}
            }
        }
        for to in found {
            self.raw.push((from.clone(), to, ctx.file.clone()));
        }
    }
}

impl Ctx {
    fn child(&self, name: &str, file: PathBuf, dir: PathBuf) -> Ctx {
        let mut mod_path = self.mod_path.clone();
        mod_path.push(name.to_string());
        Ctx {
            file,
            dir,
            mod_path,
        }
    }
}

/// The first segment of each element of the group `{a::B, c, d::{e, f}}` opening at `open`.
fn group_heads(toks: &[Tok], open: usize) -> Vec<String> {
    let close = matching(toks, open).min(toks.len());
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut expect = true;
    for t in &toks[open + 1..close] {
        match t {
            Tok::Punct('{' | '(' | '[') => depth += 1,
            Tok::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => expect = true,
            Tok::Ident(name) if depth == 0 && expect => {
                heads.push(name.clone());
                expect = false;
            }
            _ => {}
        }
    }
    heads
}

fn is_ident(t: Option<&Tok>, want: &str) -> bool {
    matches!(t, Some(Tok::Ident(s)) if s == want)
}

/// The index of the bracket closing the one at `open` (or the end when it is never closed).
fn matching(toks: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('{' | '(' | '[') => depth += 1,
            Tok::Punct('}' | ')' | ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// Where the item starting at `k` (after its attributes and visibility) ends, exclusive: a `use`
/// at its `;` (its braces are a group), anything else at a `;` outside brackets or after its
/// first top-level `{ ... }` block (plus a `;` right after, as in `const X: T = T { .. };`).
fn item_end(toks: &[Tok], k: usize) -> usize {
    let is_use = is_ident(toks.get(k), "use");
    let mut depth = 0usize;
    let mut j = k;
    while j < toks.len() {
        match &toks[j] {
            Tok::Punct('{') if depth == 0 && !is_use => {
                let close = matching(toks, j);
                let end = close + 1;
                return if toks.get(end) == Some(&Tok::Punct(';')) {
                    end + 1
                } else {
                    end
                };
            }
            Tok::Punct('{' | '(' | '[') => depth += 1,
            Tok::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
            Tok::Punct(';') if depth == 0 => return j + 1,
            _ => {}
        }
        j += 1;
    }
    toks.len()
}

/// `cfg(P)` where P holds only when `test` does: `test`, `all(.., test, ..)`, `any(..)` of such.
fn attr_is_cfg_test(attr: &[Tok]) -> bool {
    match attr {
        [Tok::Ident(c), Tok::Punct('('), inner @ .., Tok::Punct(')')] if c == "cfg" => {
            implies_test(inner)
        }
        _ => false,
    }
}

fn implies_test(pred: &[Tok]) -> bool {
    match pred {
        [Tok::Ident(t)] => t == "test",
        [Tok::Ident(op), Tok::Punct('('), args @ .., Tok::Punct(')')] => {
            let parts = split_args(args);
            match op.as_str() {
                "all" => parts.iter().any(|p| implies_test(p)),
                "any" => !parts.is_empty() && parts.iter().all(|p| implies_test(p)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `a, b(c, d), e` -> [a], [b(c, d)], [e].
fn split_args(args: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (j, t) in args.iter().enumerate() {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                parts.push(&args[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    if start < args.len() {
        parts.push(&args[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(src: &str) -> bool {
        let toks = tokenize(src);
        attr_is_cfg_test(&toks)
    }

    #[test]
    fn cfg_predicates_that_mean_test_only() {
        assert!(cfg("cfg(test)"));
        assert!(cfg("cfg(all(test, feature = \"x\"))"));
        assert!(cfg("cfg(any(test, all(test, unix)))"));
        assert!(!cfg("cfg(not(test))"));
        assert!(!cfg("cfg(any(test, unix))"));
        assert!(!cfg("cfg(unix)"));
        assert!(!cfg("allow(dead_code)"));
    }

    #[test]
    fn item_boundaries() {
        let toks =
            tokenize("use crate::{a, b}; const X: [u8; 2] = [1, 2]; fn f() { g(); } struct S;");
        let first = item_end(&toks, 0);
        assert_eq!(toks[first - 1], Tok::Punct(';'));
        let second = item_end(&toks, first);
        assert!(is_ident(toks.get(second), "fn"));
        let third = item_end(&toks, second);
        assert!(is_ident(toks.get(third), "struct"));
    }
}
