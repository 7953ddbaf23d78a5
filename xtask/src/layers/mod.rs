//! `cargo xtask layers`: fails when the top-level modules of any crate in the workspace use each
//! other in a cycle, and prints each cycle with the files that make its edges. Test-only code
//! (`#[cfg(test)]` items and files) does not count.

mod graph;
mod lex;
mod scan;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use graph::{Adjacency, cyclic_components, simple_cycles};
use scan::{CrateGraph, scan_crate};

/// How many simple cycles of one component the report lists before it says "and more".
const CYCLE_LIMIT: usize = 200;

/// Checks the top-level modules of the crate roots given (`src/lib.rs`, ...) or, with none, of
/// every crate under the workspace; each `--inside a::b` also checks the children of that module
/// in the crates that declare it (and fails when none does).
pub fn run(args: &[String]) -> ExitCode {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut insides: Vec<Vec<String>> = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--inside" {
            match it.next() {
                Some(m) => insides.push(m.split("::").map(str::to_string).collect()),
                None => {
                    eprintln!("xtask layers: --inside needs a module path, e.g. --inside csr");
                    return ExitCode::from(2);
                }
            }
        } else {
            roots.push(PathBuf::from(a));
        }
    }
    if roots.is_empty() {
        find_crate_roots(&workspace, &mut roots);
        roots.sort();
    }
    if roots.is_empty() {
        eprintln!(
            "xtask layers: no crate root (src/lib.rs, src/main.rs) under {}",
            workspace.display()
        );
        return ExitCode::FAILURE;
    }
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let mut failed = false;
    let mut inside_found = vec![false; insides.len()];
    for root in &roots {
        let shown = root
            .strip_prefix(&workspace)
            .unwrap_or(root)
            .display()
            .to_string();
        let scan = match scan_crate(root, &read) {
            Ok(scan) => scan,
            Err(e) => {
                eprintln!("xtask layers: {shown}: {e}");
                failed = true;
                continue;
            }
        };
        let (text, ok) = report(&shown, &scan.graph(&[]), &workspace);
        print!("{text}");
        failed |= !ok;
        for (inside, found) in insides.iter().zip(&mut inside_found) {
            if scan.declares(inside) {
                *found = true;
                let name = format!("{shown} inside {}", inside.join("::"));
                let (text, ok) = report(&name, &scan.graph(inside), &workspace);
                print!("{text}");
                failed |= !ok;
            }
        }
    }
    for (inside, found) in insides.iter().zip(&inside_found) {
        if !found {
            eprintln!(
                "xtask layers: no crate declares module {}",
                inside.join("::")
            );
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One crate's report, and whether it has no cycle.
fn report(name: &str, graph: &CrateGraph, strip: &Path) -> (String, bool) {
    let mut adj = Adjacency::new();
    for (from, to) in graph.edges.keys() {
        adj.entry(from.clone()).or_default().insert(to.clone());
    }
    let comps = cyclic_components(&adj);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name}: {} modules, {} edges, {}",
        graph.modules.len(),
        graph.edges.len(),
        if comps.is_empty() {
            "no cycle".to_string()
        } else {
            format!("{} cyclic group(s)", comps.len())
        }
    );
    for comp in &comps {
        let _ = writeln!(out, "  cyclic group: {}", comp.join(", "));
        let members: BTreeSet<&String> = comp.iter().collect();
        let _ = writeln!(out, "    edges inside it (files that make them):");
        for ((from, to), files) in &graph.edges {
            if members.contains(from) && members.contains(to) {
                let files: Vec<String> = files
                    .iter()
                    .map(|f| f.strip_prefix(strip).unwrap_or(f).display().to_string())
                    .collect();
                let _ = writeln!(out, "      {from} -> {to}: {}", files.join(", "));
            }
        }
        let (cycles, more) = simple_cycles(&adj, comp, CYCLE_LIMIT);
        let _ = writeln!(out, "    cycles:");
        for c in &cycles {
            let _ = writeln!(out, "      {} -> {}", c.join(" -> "), c[0]);
        }
        if more {
            let _ = writeln!(out, "      ... and more (first {CYCLE_LIMIT} shown)");
        }
    }
    (out, comps.is_empty())
}

/// Every `src/lib.rs`, `src/main.rs` and `src/bin/*.rs` of a package (a directory with a
/// Cargo.toml) under `dir`, skipping build output and hidden directories.
fn find_crate_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("Cargo.toml").is_file() {
        let src = dir.join("src");
        for f in ["lib.rs", "main.rs"] {
            if src.join(f).is_file() {
                out.push(src.join(f));
            }
        }
        if let Ok(bins) = std::fs::read_dir(src.join("bin")) {
            for b in bins.flatten() {
                if b.path().extension().is_some_and(|e| e == "rs") {
                    out.push(b.path());
                }
            }
        }
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if e.path().is_dir()
            && !name.starts_with('.')
            && !matches!(name.as_ref(), "target" | "node_modules" | "src")
        {
            find_crate_roots(&e.path(), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn check(files: &[(&str, &str)]) -> (String, bool) {
        let map: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        let read = |p: &Path| map.get(p).cloned();
        let scan = scan_crate(Path::new("src/lib.rs"), &read).expect("scan");
        report("demo", &scan.graph(&[]), Path::new(""))
    }

    /// A crate with `a -> b` (grouped import), `b -> c` (a path in code), `c -> a` (`super::super`
    /// from a nested module), and edges that must NOT count: a `super::` inside a module, paths in
    /// comments and strings, a `#[cfg(test)] mod tests {}` block and a `#[cfg(test)] mod x;` file.
    fn files(c_to_a: &str) -> Vec<(&'static str, String)> {
        vec![
            ("src/lib.rs", "pub mod a;\npub mod b;\nmod c;\n#[cfg(test)]\nmod testkit;\npub struct Root;".into()),
            ("src/a.rs", "//! uses crate::c (not really)\nuse crate::{b::{B, Other}, Root};\nmod inner;\n".into()),
            ("src/a/inner.rs", "use super::Thing; const S: &str = \"crate::c::X\";\n".into()),
            ("src/b/mod.rs", "pub struct B;\nfn f() -> u8 { crate::c::value() }\n#[cfg(test)]\nmod tests { use crate::a::X; }\n".into()),
            ("src/c/mod.rs", "mod deep;\n".into()),
            ("src/c/deep.rs", c_to_a.to_string()),
            ("src/testkit.rs", "use crate::c::X;\nuse crate::a::Y;\n".into()),
        ]
    }

    fn run_files(c_to_a: &str) -> (String, bool) {
        let owned = files(c_to_a);
        let refs: Vec<(&str, &str)> = owned.iter().map(|(p, t)| (*p, t.as_str())).collect();
        check(&refs)
    }

    #[test]
    fn reports_a_cycle_made_of_grouped_imports_code_paths_and_super_chains() {
        let (text, ok) = run_files("use super::super::a::A;\n");
        assert!(!ok, "{text}");
        assert!(text.contains("3 modules"), "{text}");
        assert!(text.contains("cyclic group: a, b, c"), "{text}");
        assert!(text.contains("a -> b: src/a.rs"), "{text}");
        assert!(text.contains("b -> c: src/b/mod.rs"), "{text}");
        assert!(text.contains("c -> a: src/c/deep.rs"), "{text}");
        assert!(text.contains("a -> b -> c -> a"), "{text}");
        // Comments, strings, `super::` within a module and test-only code make no edge.
        assert!(!text.contains("a -> c"), "{text}");
        assert!(!text.contains("b -> a"), "{text}");
        assert!(!text.contains("testkit"), "{text}");
    }

    #[test]
    fn no_cycle_when_the_back_edge_is_test_only_or_within_the_module() {
        let (text, ok) = run_files("#[cfg(test)]\nuse crate::a::A;\nuse super::Sibling;\n");
        assert!(ok, "{text}");
        assert!(text.contains("no cycle"), "{text}");
    }

    #[test]
    fn a_missing_module_file_is_an_error() {
        let read = |p: &Path| (p == Path::new("src/lib.rs")).then(|| "mod gone;".to_string());
        let err = scan_crate(Path::new("src/lib.rs"), &read).expect_err("missing file");
        assert!(err.contains("mod gone;"), "{err}");
    }

    #[test]
    fn children_of_one_module_through_super_self_and_nested_groups() {
        let files: HashMap<PathBuf, String> = [
            ("src/lib.rs", "mod m;"),
            ("src/m/mod.rs", "mod x;\nmod y;\nmod z;\nuse self::x::A;"),
            ("src/m/x.rs", "use super::y::B;"),
            ("src/m/y.rs", "use crate::{m::{z::C}};"),
            ("src/m/z.rs", "fn f() { crate::m::x::g() }"),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
        let read = |p: &Path| files.get(p).cloned();
        let scan = scan_crate(Path::new("src/lib.rs"), &read).expect("scan");
        let (top, ok) = report("top", &scan.graph(&[]), Path::new(""));
        assert!(ok, "{top}");
        let inside = ["m".to_string()];
        assert!(scan.declares(&inside));
        let (text, ok) = report("m", &scan.graph(&inside), Path::new(""));
        assert!(!ok, "{text}");
        assert!(text.contains("x -> y: src/m/x.rs"), "{text}");
        assert!(text.contains("y -> z: src/m/y.rs"), "{text}");
        assert!(text.contains("z -> x: src/m/z.rs"), "{text}");
        assert!(text.contains("x -> y -> z -> x"), "{text}");
    }
}
