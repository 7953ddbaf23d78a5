//! Walks one crate's module tree from its root file (following `mod x;` the way rustc does) and
//! records which module uses which: every `crate::`, `super::` and `self::` path, resolved to the
//! module path it names (also in grouped imports, `use crate::{a::B, c}`). [`CrateScan::graph`]
//! then looks at one level: the top-level modules, or the children of one module (`csr`).
//! Test-only code is left out: items under `#[cfg(test)]` (a `#[cfg(test)] mod x;` file is not
//! read at all) and files whose first attribute is `#![cfg(test)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::lex::{Tok, tokenize};

/// Which module (at one level) uses which, and the files that make each edge.
#[derive(Debug, Default)]
pub struct CrateGraph {
    /// The modules of that level (test-only ones left out).
    pub modules: BTreeSet<String>,
    /// (from, to) -> files under `from` that name `to`.
    pub edges: BTreeMap<(String, String), BTreeSet<PathBuf>>,
}

/// Every module a crate declares and every path from one module to another.
#[derive(Debug, Default)]
pub struct CrateScan {
    /// Module paths (`["csr", "rows"]`), test-only ones left out.
    declared: BTreeSet<Vec<String>>,
    /// (module using, path named, file): the path as written after resolving `crate`/`super`/
    /// `self`, so its tail may be an item rather than a module.
    uses: Vec<(Vec<String>, Vec<String>, PathBuf)>,
}

impl CrateScan {
    /// The graph between the children of the module at `inside` (empty: the top-level modules).
    pub fn graph(&self, inside: &[String]) -> CrateGraph {
        let level = inside.len();
        let child =
            |p: &[String]| (p.len() > level && p[..level] == *inside).then(|| p[level].clone());
        let mut graph = CrateGraph {
            modules: self
                .declared
                .iter()
                .filter(|p| p.len() == level + 1)
                .filter_map(|p| child(p))
                .collect(),
            edges: BTreeMap::new(),
        };
        for (from, to, file) in &self.uses {
            if let (Some(f), Some(t)) = (child(from), child(to))
                && f != t
                && graph.modules.contains(&t)
            {
                graph.edges.entry((f, t)).or_default().insert(file.clone());
            }
        }
        graph
    }

    /// Whether the module at `path` is declared (outside test-only code).
    pub fn declares(&self, path: &[String]) -> bool {
        self.declared.contains(path)
    }
}

/// Scans the crate whose root file (`src/lib.rs`, `src/main.rs`) is `root`; `read` returns a
/// file's text, or None when there is no such file.
pub fn scan_crate(
    root: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Result<CrateScan, String> {
    let mut walker = Walker {
        read,
        scan: CrateScan::default(),
    };
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let ctx = Ctx {
        file: root.to_path_buf(),
        dir,
        mod_path: Vec::new(),
    };
    walker.file(&ctx)?;
    Ok(walker.scan)
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
    scan: CrateScan,
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
        self.scan.declared.insert(ctx.mod_path.clone());
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

    /// Records every module path `toks` names through `crate::`, `super::` or `self::`.
    fn paths(&mut self, toks: &[Tok], ctx: &Ctx) {
        if ctx.mod_path.is_empty() {
            return; // the crate root is not a module
        }
        let mut found = Vec::new();
        for j in 0..toks.len() {
            if j > 0 && toks[j - 1] == Tok::PathSep {
                continue; // inside a path already read from its start
            }
            let (base, at) = if is_ident(toks.get(j), "crate") {
                (Vec::new(), j + 1)
            } else if is_ident(toks.get(j), "self") {
                (ctx.mod_path.clone(), j + 1)
            } else if is_ident(toks.get(j), "super") {
                // Each `super::` climbs one module; more than the depth is not a path of ours.
                let mut k = j;
                let mut ups = 0;
                while is_ident(toks.get(k), "super") && toks.get(k + 1) == Some(&Tok::PathSep) {
                    ups += 1;
                    k += 2;
                }
                if ups == 0 || ups > ctx.mod_path.len() {
                    continue;
                }
                (ctx.mod_path[..ctx.mod_path.len() - ups].to_vec(), k - 1)
            } else {
                continue;
            };
            if toks.get(at) == Some(&Tok::PathSep) {
                use_tree(toks, at + 1, base, &mut found);
            }
        }
        for to in found {
            self.scan
                .uses
                .push((ctx.mod_path.clone(), to, ctx.file.clone()));
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

/// The paths of the use tree (or plain path) starting at `i` below `prefix`: `a::b::C` gives
/// `prefix/a/b/C`, `a::{b, c::D}` gives `prefix/a/b` and `prefix/a/c/D`.
fn use_tree(toks: &[Tok], mut i: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    loop {
        match toks.get(i) {
            Some(Tok::Ident(name)) if name != "self" => {
                prefix.push(name.clone());
                if toks.get(i + 1) == Some(&Tok::PathSep) {
                    i += 2;
                    continue;
                }
                out.push(prefix);
                return;
            }
            Some(Tok::Punct('{')) => {
                let close = matching(toks, i).min(toks.len());
                let mut depth = 0usize;
                let mut start = true;
                for j in i + 1..close {
                    match &toks[j] {
                        Tok::Punct('{' | '(' | '[') => depth += 1,
                        Tok::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
                        Tok::Punct(',') if depth == 0 => start = true,
                        _ if depth == 0 && start => {
                            use_tree(toks, j, prefix.clone(), out);
                            start = false;
                        }
                        _ => {}
                    }
                }
                return;
            }
            _ => {
                if !prefix.is_empty() {
                    out.push(prefix);
                }
                return;
            }
        }
    }
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
