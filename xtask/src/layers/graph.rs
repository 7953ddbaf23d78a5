//! Cycles in the module graph: the strongly connected components (groups of modules that all
//! reach each other) and the simple cycles inside each, for the report.

use std::collections::{BTreeMap, BTreeSet};

/// Adjacency: module -> modules it uses.
pub type Adjacency = BTreeMap<String, BTreeSet<String>>;

/// The components with more than one module, each sorted, in name order (Tarjan's algorithm).
pub fn cyclic_components(adj: &Adjacency) -> Vec<Vec<String>> {
    let mut t = Tarjan {
        adj,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: BTreeSet<&String> = adj.keys().chain(adj.values().flatten()).collect();
    for n in nodes {
        if !t.index.contains_key(n.as_str()) {
            t.visit(n);
        }
    }
    let mut comps: Vec<Vec<String>> = t.out.into_iter().filter(|c| c.len() > 1).collect();
    for c in &mut comps {
        c.sort();
    }
    comps.sort();
    comps
}

struct Tarjan<'a> {
    adj: &'a Adjacency,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    on_stack: BTreeSet<&'a str>,
    next: usize,
    out: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    // Recursion depth is bounded by the number of top-level modules (dozens).
    fn visit(&mut self, v: &'a str) {
        self.index.insert(v, self.next);
        self.low.insert(v, self.next);
        self.next += 1;
        self.stack.push(v);
        self.on_stack.insert(v);
        for w in self.adj.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !self.index.contains_key(w) {
                self.visit(w);
                let lw = self.low[w];
                let lv = self.low[v];
                self.low.insert(v, lv.min(lw));
            } else if self.on_stack.contains(w) {
                let iw = self.index[w];
                let lv = self.low[v];
                self.low.insert(v, lv.min(iw));
            }
        }
        if self.low[v] == self.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            self.out.push(comp);
        }
    }
}

/// The simple cycles inside one component, each starting at its smallest module, at most `limit`
/// of them; the flag says whether there were more.
pub fn simple_cycles(adj: &Adjacency, comp: &[String], limit: usize) -> (Vec<Vec<String>>, bool) {
    let members: BTreeSet<&str> = comp.iter().map(String::as_str).collect();
    let mut cycles = Vec::new();
    let mut truncated = false;
    for start in comp {
        // Cycles through `start` that use only modules after it: each cycle is found exactly once.
        let mut path = vec![start.as_str()];
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        seen.insert(start);
        let allowed = |m: &str| members.contains(m) && m > start.as_str();
        dfs(
            adj,
            start,
            &allowed,
            &mut path,
            &mut seen,
            &mut cycles,
            limit,
            &mut truncated,
        );
        if truncated {
            break;
        }
    }
    (cycles, truncated)
}

#[allow(clippy::too_many_arguments)] // a recursive walk's state
fn dfs<'a>(
    adj: &'a Adjacency,
    start: &str,
    allowed: &dyn Fn(&str) -> bool,
    path: &mut Vec<&'a str>,
    seen: &mut BTreeSet<&'a str>,
    cycles: &mut Vec<Vec<String>>,
    limit: usize,
    truncated: &mut bool,
) {
    let Some(&here) = path.last() else { return };
    for next in adj.get(here).into_iter().flatten() {
        if *truncated {
            return;
        }
        if next == start {
            if cycles.len() >= limit {
                *truncated = true;
                return;
            }
            cycles.push(path.iter().map(|s| s.to_string()).collect());
        } else if allowed(next) && !seen.contains(next.as_str()) {
            seen.insert(next);
            path.push(next);
            dfs(adj, start, allowed, path, seen, cycles, limit, truncated);
            path.pop();
            seen.remove(next.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adj(edges: &[(&str, &str)]) -> Adjacency {
        let mut a = Adjacency::new();
        for (f, t) in edges {
            a.entry(f.to_string()).or_default().insert(t.to_string());
        }
        a
    }

    #[test]
    fn components_and_cycles() {
        // a <-> b, and b -> c -> d -> b; e hangs off a; f <-> g apart.
        let g = adj(&[
            ("a", "b"),
            ("b", "a"),
            ("b", "c"),
            ("c", "d"),
            ("d", "b"),
            ("a", "e"),
            ("f", "g"),
            ("g", "f"),
        ]);
        let comps = cyclic_components(&g);
        assert_eq!(comps, vec![vec!["a", "b", "c", "d"], vec!["f", "g"]]);
        let (cycles, more) = simple_cycles(&g, &comps[0], 10);
        assert!(!more);
        assert_eq!(cycles, vec![vec!["a", "b"], vec!["b", "c", "d"]]);
        let (one, more) = simple_cycles(&g, &comps[0], 1);
        assert!(more);
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn a_chain_has_no_component() {
        assert!(cyclic_components(&adj(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    }
}
