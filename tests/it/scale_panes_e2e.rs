//! Fleet scale, reduced (issue 18's hub profile shape at a twelfth: 400 nodes, 1,500 CSRs, 20
//! hosted clusters, 100 node pools, 800 DataVolumes): the real TUI driven by keys against the
//! in-process sim, and the Nodes, CSR (pending and all), Hosted clusters, Node pools and Copies
//! panes checked against what the real `kubectl` reports for the same objects: totals and
//! per-state counts in the summary lines, every row's name and state column (paged through),
//! filtered counts and rows found with `/`. First on a still cluster, then after the sim's own
//! churn (`Churn::step`), node and CSR changes made while the TUI watches, once all is quiet.
//! Fails, never skips, when kubectl is missing.
#![allow(clippy::unwrap_used)]

use crate::tui_support;
use shiftdeck_sim::testkit as sim_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use serde_json::json;
use shiftdeck::event_loop::Session;
use shiftdeck_sim::controllers::churn::{Churn, ChurnKind};
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{self as sim, Profile, SimHandle, SimOptions};
use tui_support::{Screen, command, ctrl_u, press, pump, type_text};

const SCREEN: Screen = Screen {
    w: 200,
    h: 50,
    // Whatever pane is shown, the sim's bearer token never is.
    never: &[sim::ADMIN_TOKEN],
    wait: Duration::from_secs(60),
};

/// The shape of `nodes=5000,csrs=20000,hostedclusters=200,nodepools=1000,datavolumes=10000`.
const SCALE: &str = "nodes=400,csrs=1500,hostedclusters=20,nodepools=100,datavolumes=800";

/// How long a pane may take to agree with kubectl after the cluster went quiet.
const AGREE: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Tables: kubectl's output and the pane's screen, both cut by the header's column starts.

/// One table row: column header -> cell text.
type Row = BTreeMap<String, String>;

/// Rows of a table whose header is `lines[0]`. Columns start where a header name starts; names
/// are separated by at least `gap` spaces (kubectl pads with 3 and has two-word headers such
/// as `DESIRED NODES`; the panes' headers are single words). Sort arrows are dropped.
fn cut(lines: &[&str], gap: usize) -> Vec<Row> {
    let Some(head) = lines.first() else {
        return Vec::new();
    };
    let head: Vec<char> = head.chars().collect();
    let mut cols: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < head.len() {
        if head[i] == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        let mut spaces = 0;
        while i < head.len() && spaces < gap {
            spaces = if head[i] == ' ' { spaces + 1 } else { 0 };
            i += 1;
        }
        let name: String = head[start..i].iter().collect();
        let name = name.trim().trim_end_matches(['↑', '↓']).to_string();
        cols.push((start, name));
    }
    lines[1..]
        .iter()
        .map(|l| {
            let c: Vec<char> = l.chars().collect();
            cols.iter()
                .enumerate()
                .map(|(k, (start, name))| {
                    let end = cols.get(k + 1).map_or(c.len(), |n| n.0).min(c.len());
                    let cell: String = c[(*start).min(end)..end].iter().collect();
                    (name.clone(), cell.trim().to_string())
                })
                .collect()
        })
        .collect()
}

fn cell<'a>(row: &'a Row, col: &str) -> &'a str {
    row.get(col)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no column {col} in {row:?}"))
}

/// `namespace/name` of a row of a namespaced kind.
fn ns_name(row: &Row) -> String {
    format!("{}/{}", cell(row, "NAMESPACE"), cell(row, "NAME"))
}

/// The screen's lines without the TestBackend's quotes.
fn screen_lines(s: &str) -> Vec<&str> {
    s.lines()
        .map(|l| l.strip_prefix('"').unwrap_or(l))
        .map(|l| l.strip_suffix('"').unwrap_or(l))
        .collect()
}

/// The pane's table on screen: the header (the first line, below the tabs, starting with
/// `first_col`) and the rows under it that `keep` accepts.
fn pane_table(s: &str, first_col: &str, keep: &dyn Fn(&Row) -> bool) -> Vec<Row> {
    let lines = screen_lines(s);
    let Some(h) = lines.iter().skip(2).position(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.trim_end_matches(['↑', '↓']) == first_col)
    }) else {
        return Vec::new();
    };
    // The table ends at the first blank line or at the key bar (the screen's last line).
    let end = lines[h + 3..lines.len().saturating_sub(1)]
        .iter()
        .position(|l| l.trim().is_empty())
        .map_or(lines.len().saturating_sub(1), |n| h + 3 + n);
    cut(&lines[h + 2..end.max(h + 2)], 1)
        .into_iter()
        .filter(keep)
        .collect()
}

/// The pane's summary line: the first line below the tabs that contains `marker`.
fn summary<'a>(s: &'a str, marker: &str) -> &'a str {
    screen_lines(s)
        .into_iter()
        .skip(2)
        .find(|l| l.contains(marker))
        .unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// kubectl

struct Kubectl {
    kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

impl Kubectl {
    fn new(h: &SimHandle) -> Kubectl {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, h.kubeconfig_yaml()).unwrap();
        Kubectl { kubeconfig, dir }
    }

    async fn ok(&self, args: &[&str]) -> String {
        let mut cmd =
            tokio::process::Command::new(sim_support::kubectl_bin("the fleet-scale pane checks"));
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
            .await
            .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
            .expect("kubectl runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// `kubectl get ARGS` as rows (its default, server-printed table).
    async fn get(&self, args: &[&str]) -> Vec<Row> {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        let out = self.ok(&all).await;
        let lines: Vec<&str> = out.lines().collect();
        cut(&lines, 2)
    }
}

/// What kubectl reports for the five panes, read at one quiet moment.
struct Truth {
    /// name -> (STATUS, ARCH label).
    nodes: BTreeMap<String, (String, String)>,
    /// name -> (CONDITION, SIGNERNAME, REQUESTOR).
    csrs: BTreeMap<String, (String, String, String)>,
    /// ns/name -> (PROGRESS, AVAILABLE).
    hcs: BTreeMap<String, (String, String)>,
    /// ns/name -> (DESIRED NODES, CURRENT NODES, AUTOSCALING).
    pools: BTreeMap<String, (String, String, String)>,
    /// ns/name -> (PHASE, PROGRESS).
    dvs: BTreeMap<String, (String, String)>,
}

impl Truth {
    async fn read(k: &Kubectl) -> Truth {
        let nodes = k
            .get(&["nodes", "-L", "kubernetes.io/arch"])
            .await
            .iter()
            .map(|r| {
                let v = (cell(r, "STATUS").into(), cell(r, "ARCH").into());
                (cell(r, "NAME").to_string(), v)
            })
            .collect();
        let csrs = k
            .get(&["csr"])
            .await
            .iter()
            .map(|r| {
                let v = (
                    cell(r, "CONDITION").into(),
                    cell(r, "SIGNERNAME").into(),
                    cell(r, "REQUESTOR").into(),
                );
                (cell(r, "NAME").to_string(), v)
            })
            .collect();
        let hcs = k
            .get(&["hostedclusters", "-A"])
            .await
            .iter()
            .map(|r| {
                let v = (cell(r, "PROGRESS").into(), cell(r, "AVAILABLE").into());
                (ns_name(r), v)
            })
            .collect();
        let pools = k
            .get(&["nodepools", "-A"])
            .await
            .iter()
            .map(|r| {
                let v = (
                    cell(r, "DESIRED NODES").into(),
                    cell(r, "CURRENT NODES").into(),
                    cell(r, "AUTOSCALING").into(),
                );
                (ns_name(r), v)
            })
            .collect();
        let dvs = k
            .get(&["datavolumes", "-A"])
            .await
            .iter()
            .map(|r| {
                let v = (cell(r, "PHASE").into(), cell(r, "PROGRESS").into());
                (ns_name(r), v)
            })
            .collect();
        Truth {
            nodes,
            csrs,
            hcs,
            pools,
            dvs,
        }
    }

    fn pending(&self) -> BTreeMap<String, String> {
        self.csrs
            .iter()
            .filter(|(_, v)| v.0 == "Pending")
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect()
    }
}

/// The pane's KIND for a CSR signer, as kubectl names it.
fn csr_kind(signer: &str) -> &'static str {
    match signer {
        "kubernetes.io/kube-apiserver-client-kubelet" => "client",
        "kubernetes.io/kubelet-serving" => "serving",
        _ => "other",
    }
}

/// CDI phases that end an import (the Copies pane lists them under finished).
fn dv_final(phase: &str) -> bool {
    phase == "Succeeded" || phase == "Failed"
}

fn count<K, V>(m: &BTreeMap<K, V>, f: impl Fn(&V) -> bool) -> usize {
    m.values().filter(|v| f(v)).count()
}

// ---------------------------------------------------------------------------------------------
// Driving the TUI

/// `/`, clear what was typed before, type `text`, Enter (empty `text` clears the filter).
fn set_filter(s: &mut Session, text: &str) {
    press(s, KeyCode::Char('/'));
    ctrl_u(s);
    type_text(s, text);
    press(s, KeyCode::Enter);
}

/// Every row of the pane's table, paged through from the top with PageDown, keyed by `key`.
fn page_all(
    s: &mut Session,
    first_col: &str,
    keep: &dyn Fn(&Row) -> bool,
    key: &dyn Fn(&Row) -> String,
) -> BTreeMap<String, Row> {
    press(s, KeyCode::Char('g'));
    let mut all = BTreeMap::new();
    let mut still = 0;
    while still < 2 {
        let before = all.len();
        for r in pane_table(&SCREEN.render(&s.app), first_col, keep) {
            all.insert(key(&r), r);
        }
        still = if all.len() == before { still + 1 } else { 0 };
        press(s, KeyCode::PageDown);
    }
    press(s, KeyCode::Char('g'));
    all
}

/// Pump the session until `check` (which may press keys) passes; after `AGREE`, fail with its
/// last complaint.
async fn agree(s: &mut Session, what: &str, check: impl Fn(&mut Session) -> Result<(), String>) {
    let deadline = Instant::now() + AGREE;
    loop {
        let why = match check(s) {
            Ok(()) => return,
            Err(why) => why,
        };
        assert!(
            Instant::now() < deadline,
            "{what}: the pane disagrees with kubectl: {why}\nscreen:\n{}",
            SCREEN.render(&s.app)
        );
        pump(s).await;
        pump(s).await;
    }
}

/// Open a pane and wait until its watches are live and its summary line shows.
async fn open_pane(s: &mut Session, cmd: &str, marker: &str) {
    command(s, cmd);
    SCREEN
        .wait_for(s, &format!("the {cmd} pane"), |x| {
            x.contains("● live") && summary(x, marker).contains(marker)
        })
        .await;
}

/// Differences between two maps, at most a few, for a readable failure.
fn diff<V: PartialEq + std::fmt::Debug>(
    pane: &BTreeMap<String, V>,
    kubectl: &BTreeMap<String, V>,
) -> Result<(), String> {
    let mut out = Vec::new();
    for (k, v) in kubectl {
        match pane.get(k) {
            None => out.push(format!("{k}: missing (kubectl {v:?})")),
            Some(p) if p != v => out.push(format!("{k}: pane {p:?}, kubectl {v:?}")),
            _ => {}
        }
    }
    for (k, v) in pane {
        if !kubectl.contains_key(k) {
            out.push(format!("{k}: not in kubectl (pane {v:?})"));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        let n = out.len();
        out.truncate(8);
        Err(format!("{n} rows differ: {}", out.join("; ")))
    }
}

fn expect_in(line: &str, want: &str) -> Result<(), String> {
    if line.contains(want) {
        Ok(())
    } else {
        Err(format!("summary `{}` lacks `{want}`", line.trim()))
    }
}

fn expect_not_in(line: &str, word: &str) -> Result<(), String> {
    if line.contains(word) {
        Err(format!("summary `{}` shows `{word}`", line.trim()))
    } else {
        Ok(())
    }
}

/// Filter for `text`, check the rows the pane shows for the sampled keys (and `shown`, when the
/// pane prints a count), then clear the filter.
async fn filtered(
    s: &mut Session,
    what: &str,
    text: &str,
    marker: &str,
    shown: Option<usize>,
    rows: impl Fn(&str) -> Result<(), String>,
) {
    set_filter(s, text);
    agree(s, &format!("{what} filtered by `{text}`"), |s| {
        let x = SCREEN.render(&s.app);
        if let Some(n) = shown {
            expect_in(summary(&x, marker), &format!("({n} shown)"))?;
        }
        rows(&x)
    })
    .await;
    set_filter(s, "");
}

// ---------------------------------------------------------------------------------------------
// The panes

async fn check_nodes(s: &mut Session, t: &Truth) {
    open_pane(s, "nodes", "Nodes ").await;
    let n = t.nodes.len();
    let status = |w: &str| count(&t.nodes, |v| v.0.split(',').next() == Some(w));
    let ready = status("Ready");
    let not_ready = status("NotReady");
    let cordoned = count(&t.nodes, |v| v.0.contains("SchedulingDisabled"));
    let arch = |a: &str| count(&t.nodes, |v| v.1 == a);
    let want: BTreeMap<String, String> = t
        .nodes
        .iter()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect();
    agree(s, "Nodes", |s| {
        let x = SCREEN.render(&s.app);
        let line = summary(&x, "Nodes ");
        expect_in(line, &format!("Nodes {n}  "))?;
        expect_in(line, &format!("Ready {ready}/{n}"))?;
        if not_ready > 0 {
            expect_in(line, &format!("NotReady {not_ready}"))?;
        } else {
            expect_not_in(line, "NotReady")?;
        }
        if cordoned > 0 {
            expect_in(line, &format!("SchedulingDisabled {cordoned}"))?;
        } else {
            expect_not_in(line, "SchedulingDisabled")?;
        }
        expect_in(
            line,
            &format!("amd64 {} · arm64 {}", arch("amd64"), arch("arm64")),
        )?;
        let keep = |r: &Row| !cell(r, "STATUS").is_empty();
        let rows = page_all(s, "NAME", &keep, &|r| cell(r, "NAME").to_string());
        let seen = rows
            .iter()
            .map(|(k, r)| (k.clone(), cell(r, "STATUS").to_string()))
            .collect();
        diff(&seen, &want)
    })
    .await;

    // A name filter: the count and the rows of the NotReady nodes among them.
    let text = "arm64-node-00";
    let matching: Vec<&String> = t.nodes.keys().filter(|k| k.contains(text)).collect();
    filtered(s, "Nodes", text, "Nodes ", Some(matching.len()), |x| {
        let rows = pane_table(x, "NAME", &|r| !cell(r, "STATUS").is_empty());
        for r in rows {
            let name = cell(&r, "NAME");
            let kubectl = t.nodes.get(name).ok_or(format!("{name} is not a node"))?;
            if cell(&r, "STATUS") != kubectl.0 || cell(&r, "ARCH") != kubectl.1 {
                return Err(format!("{name}: pane {r:?}, kubectl {kubectl:?}"));
            }
        }
        Ok(())
    })
    .await;
    let sample: Vec<String> = t
        .nodes
        .iter()
        .filter(|(_, v)| v.0 != "Ready")
        .map(|(k, _)| k.clone())
        .take(3)
        .chain(t.nodes.keys().step_by(97).cloned())
        .collect();
    for name in sample {
        let want = t.nodes[&name].clone();
        filtered(s, "Nodes", &name, "Nodes ", None, |x| {
            let rows = pane_table(x, "NAME", &|r| cell(r, "NAME") == name);
            match rows.as_slice() {
                [r] if cell(r, "STATUS") == want.0 && cell(r, "ARCH") == want.1 => Ok(()),
                other => Err(format!("{name}: pane {other:?}, kubectl {want:?}")),
            }
        })
        .await;
    }
}

async fn check_csrs(s: &mut Session, t: &Truth) {
    open_pane(s, "csr", "CSRs — ").await;
    let total = t.csrs.len();
    let pending = t.pending();
    let p = pending.len();
    let counts = format!("{p} pending of {total}");
    let keep = |r: &Row| cell(r, "NAME").starts_with("csr-");
    let name = |r: &Row| cell(r, "NAME").to_string();

    // Pending only (the view the pane opens on).
    if summary(&SCREEN.render(&s.app), "CSRs — ").contains("CSRs — all") {
        press(s, KeyCode::Char('h'));
    }
    agree(s, "CSRs pending only", |s| {
        let x = SCREEN.render(&s.app);
        let line = summary(&x, "CSRs — ");
        expect_in(line, "CSRs — pending only")?;
        expect_in(line, &counts)?;
        let rows = page_all(s, "NAME", &keep, &name);
        let seen = rows
            .iter()
            .map(|(k, r)| (k.clone(), cell(r, "CONDITION").to_string()))
            .collect();
        diff(&seen, &pending)
    })
    .await;
    let text = "system:node:";
    let n = count(&t.csrs, |v| v.0 == "Pending" && v.2.contains(text));
    filtered(s, "CSRs pending only", text, "CSRs — ", Some(n), |_| {
        Ok(())
    })
    .await;

    // All, history included: every row's condition and kind.
    press(s, KeyCode::Char('h'));
    let want: BTreeMap<String, (String, String)> = t
        .csrs
        .iter()
        .map(|(k, v)| (k.clone(), (v.0.clone(), csr_kind(&v.1).to_string())))
        .collect();
    agree(s, "CSRs all", |s| {
        let x = SCREEN.render(&s.app);
        let line = summary(&x, "CSRs — ");
        expect_in(line, "CSRs — all")?;
        expect_in(line, &counts)?;
        let rows = page_all(s, "NAME", &keep, &name);
        let seen = rows
            .iter()
            .map(|(k, r)| {
                let v = (
                    cell(r, "CONDITION").to_string(),
                    cell(r, "KIND").to_string(),
                );
                (k.clone(), v)
            })
            .collect();
        diff(&seen, &want)
    })
    .await;
    let n = count(&t.csrs, |v| csr_kind(&v.1) == "serving");
    filtered(s, "CSRs all", "serving", "CSRs — ", Some(n), |_| Ok(())).await;
    // One CSR of each condition kubectl shows, found by name.
    let mut sample: BTreeMap<&str, &str> = BTreeMap::new();
    for (k, v) in &t.csrs {
        sample.entry(v.0.as_str()).or_insert(k.as_str());
    }
    for (cond, csr) in sample {
        filtered(s, "CSRs all", csr, "CSRs — ", Some(1), |x| {
            let rows = pane_table(x, "NAME", &|r| cell(r, "NAME") == csr);
            match rows.as_slice() {
                [r] if cell(r, "CONDITION") == cond => Ok(()),
                other => Err(format!("{csr}: pane {other:?}, kubectl {cond}")),
            }
        })
        .await;
    }
    press(s, KeyCode::Char('h'));
}

async fn check_hosted(s: &mut Session, t: &Truth) {
    open_pane(s, "hc", "Hosted clusters ").await;
    let n = t.hcs.len();
    let completed = count(&t.hcs, |v| v.0 == "Completed");
    let partial = count(&t.hcs, |v| v.0 == "Partial");
    let unavailable = count(&t.hcs, |v| v.1 != "True");
    let keep = |r: &Row| !cell(r, "NAME").is_empty();
    agree(s, "Hosted clusters", |s| {
        let x = SCREEN.render(&s.app);
        let line = summary(&x, "Hosted clusters ");
        expect_in(line, &format!("Hosted clusters {n}  "))?;
        for (word, c) in [
            ("Completed", completed),
            ("Partial", partial),
            ("Unavailable", unavailable),
        ] {
            if c > 0 {
                expect_in(line, &format!("{word} {c}"))?;
            } else {
                expect_not_in(line, word)?;
            }
        }
        let rows = page_all(s, "NAMESPACE", &keep, &ns_name);
        let seen = rows
            .iter()
            .map(|(k, r)| {
                let v = (cell(r, "PROGRESS").into(), cell(r, "AVAILABLE").into());
                (k.clone(), v)
            })
            .collect();
        diff(&seen, &t.hcs)
    })
    .await;
    for key in t.hcs.keys().step_by(7) {
        let name = key.rsplit('/').next().unwrap_or_default().to_string();
        let want = t.hcs[key].clone();
        filtered(s, "Hosted clusters", key, "", None, |x| {
            let rows = pane_table(x, "NAMESPACE", &|r| ns_name(r) == *key);
            match rows.as_slice() {
                [r] if cell(r, "PROGRESS") == want.0 && cell(r, "AVAILABLE") == want.1 => Ok(()),
                other => Err(format!("{name}: pane {other:?}, kubectl {want:?}")),
            }
        })
        .await;
    }
}

async fn check_pools(s: &mut Session, t: &Truth) {
    open_pane(s, "np", " node pools · ").await;
    let n = t.pools.len();
    let keep = |r: &Row| !cell(r, "CLUSTER").is_empty();
    let of = |r: &Row| {
        (
            cell(r, "DESIRED").to_string(),
            cell(r, "CURRENT").to_string(),
            cell(r, "AUTOSCALING").to_string(),
        )
    };
    agree(s, "Node pools", |s| {
        let x = SCREEN.render(&s.app);
        expect_in(summary(&x, " node pools · "), &format!("{n} node pools · "))?;
        let rows = page_all(s, "NAMESPACE", &keep, &ns_name);
        let seen = rows.iter().map(|(k, r)| (k.clone(), of(r))).collect();
        diff(&seen, &t.pools)
    })
    .await;
    for key in t.pools.keys().step_by(17) {
        let want = t.pools[key].clone();
        // The pools' filter matches cells: the name, not `namespace/name`.
        let name = key.rsplit('/').next().unwrap_or_default();
        filtered(s, "Node pools", name, "", None, |x| {
            let rows = pane_table(x, "NAMESPACE", &|r| ns_name(r) == *key);
            match rows.as_slice() {
                [r] if of(r) == want => Ok(()),
                other => Err(format!("{key}: pane {other:?}, kubectl {want:?}")),
            }
        })
        .await;
    }
}

/// A Copies row's STATE (the CDI phase, cut to the column) is kubectl's PHASE, and its
/// percentage (one decimal) kubectl's PROGRESS.
fn dv_row_agrees(r: &Row, phase: &str, progress: &str) -> bool {
    let state = cell(r, "STATE");
    let shown = state.strip_suffix('…').unwrap_or(state);
    let pct = |s: &str| {
        s.split_whitespace()
            .last()
            .and_then(|w| w.strip_suffix('%'))
            .and_then(|w| w.parse::<f64>().ok())
    };
    let progress_agrees = match (pct(cell(r, "PROGRESS")), pct(progress)) {
        (Some(a), Some(b)) => (a - b).abs() < 0.051,
        // Progress "N/A" (or none yet) shows as `-`.
        (None, None) => true,
        (None, Some(_)) => !phase.starts_with("Import") || phase == "ImportScheduled",
        // A failed import keeps showing how far it got (CDI reports N/A once it fails).
        (Some(_), None) => phase == "Failed",
    };
    phase.starts_with(shown) && !shown.is_empty() && progress_agrees
}

async fn check_copies(s: &mut Session, t: &Truth) {
    open_pane(s, "copies", "Copies — ").await;
    let live = count(&t.dvs, |v| !dv_final(&v.0));
    let finished = count(&t.dvs, |v| dv_final(&v.0)).min(shiftdeck::panes::copies::HISTORY);
    let title = format!("Copies — {live} live, {finished} finished ");
    let keep = |r: &Row| cell(r, "KIND") == "datavolume";
    // Names of the scaled DataVolumes fit the column; the hub's own may be cut.
    let want: BTreeMap<String, String> = t
        .dvs
        .iter()
        .filter(|(k, v)| k.starts_with("scale-datavolumes/") && !dv_final(&v.0))
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect();
    agree(s, "Copies", |s| {
        let x = SCREEN.render(&s.app);
        expect_in(summary(&x, "Copies — "), &title)?;
        let rows = page_all(s, "KIND", &keep, &|r| cell(r, "NAME").to_string());
        let mut seen = BTreeMap::new();
        for (k, r) in rows {
            let (phase, progress) = t.dvs.get(&k).cloned().unwrap_or_default();
            if !dv_row_agrees(&r, &phase, &progress) {
                return Err(format!("{k}: pane {r:?}, kubectl {phase} {progress}"));
            }
            if k.starts_with("scale-datavolumes/") && !dv_final(&phase) {
                seen.insert(k, phase);
            }
        }
        diff(&seen, &want)
    })
    .await;
    // The title counts what the filter leaves.
    let text = "vm-001";
    let live = count(&t.dvs, |v| !dv_final(&v.0));
    let in_filter = t
        .dvs
        .iter()
        .filter(|(k, v)| k.contains(text) && !dv_final(&v.0))
        .count();
    assert!(in_filter < live, "the filter must leave some out");
    set_filter(s, text);
    agree(s, "Copies filtered", |s| {
        let x = SCREEN.render(&s.app);
        expect_in(
            summary(&x, "Copies — "),
            &format!("Copies — {in_filter} live, "),
        )
    })
    .await;
    set_filter(s, "");
    for (key, (phase, progress)) in t.dvs.iter().filter(|(_, v)| !dv_final(&v.0)).step_by(41) {
        filtered(s, "Copies", key, "", None, |x| {
            let rows = pane_table(x, "KIND", &|r| cell(r, "NAME") == key);
            match rows.as_slice() {
                [r] if dv_row_agrees(r, phase, progress) => Ok(()),
                other => Err(format!("{key}: pane {other:?}, kubectl {phase} {progress}")),
            }
        })
        .await;
    }
}

async fn check_all(s: &mut Session, k: &Kubectl, phase: &str) {
    let t = Truth::read(k).await;
    eprintln!(
        "{phase}: kubectl sees {} nodes, {} CSRs ({} pending), {} hosted clusters, {} node pools, {} DataVolumes",
        t.nodes.len(),
        t.csrs.len(),
        t.pending().len(),
        t.hcs.len(),
        t.pools.len(),
        t.dvs.len()
    );
    check_nodes(s, &t).await;
    check_csrs(s, &t).await;
    check_hosted(s, &t).await;
    check_pools(s, &t).await;
    check_copies(s, &t).await;
}

// ---------------------------------------------------------------------------------------------
// The run

/// Pump the session until the sim's store has not changed for a second (controllers reacting
/// to the last changes included).
async fn quiet(s: &mut Session, h: &SimHandle) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rv = h.store.current_rv();
    let mut since = Instant::now();
    while since.elapsed() < Duration::from_secs(1) {
        assert!(Instant::now() < deadline, "the sim never went quiet");
        pump(s).await;
        let now = h.store.current_rv();
        if now != rv {
            rv = now;
            since = Instant::now();
        }
    }
}

const NODES: &str = "nodes";

/// Churn while the TUI watches (on `pane`): the sim's own churn steps for CSRs, hosted
/// clusters, node pools and DataVolumes, nodes turning NotReady, cordoned and removed, and CSRs
/// approved and denied with kubectl.
async fn churn(s: &mut Session, h: &SimHandle, k: &Kubectl, opts: &SimOptions) {
    command(s, "copies");
    let mut churn = Churn::new(opts);
    for round in 0..30 {
        for (kind, steps) in [
            (ChurnKind::Csrs, 1),
            (ChurnKind::HostedClusters, 1),
            (ChurnKind::NodePools, 5),
            (ChurnKind::DataVolumes, 10),
        ] {
            for _ in 0..steps {
                churn.step(&h.store, kind);
            }
        }
        if round % 10 == 0 {
            pump(s).await;
        }
    }
    let nodes = by_key(NODES);
    for i in [5, 17, 123] {
        let name = shiftdeck_sim::scenario::scale::scale_node_name(i);
        h.store
            .mutate_retry(nodes, None, &name, false, |o| {
                let now = shiftdeck_sim::time::rfc3339_secs(k8s_openapi::jiff::Timestamp::now());
                shiftdeck_sim::scenario::objects::set_node_ready(o, false, &now);
                Ok(())
            })
            .unwrap();
    }
    let cordon = shiftdeck_sim::scenario::scale::scale_node_name(42);
    h.store
        .mutate_retry(nodes, None, &cordon, false, |o| {
            o["spec"]["unschedulable"] = json!(true);
            Ok(())
        })
        .unwrap();
    let gone = shiftdeck_sim::scenario::scale::scale_node_name(399);
    h.store.delete(nodes, None, &gone, false).unwrap();
    let t = Truth::read(k).await;
    let pending: Vec<String> = t.pending().into_keys().collect();
    assert!(pending.len() > 10, "churn posts pending CSRs");
    for name in pending.iter().take(3) {
        k.ok(&["certificate", "approve", name]).await;
    }
    for name in pending.iter().skip(3).take(2) {
        k.ok(&["certificate", "deny", name]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panes_agree_with_kubectl_at_reduced_fleet_scale() {
    let started = Instant::now();
    let opts = SimOptions {
        profile: Profile::Hub,
        live: false,
        seed: 3,
        scale: SCALE.parse().unwrap(),
        ..Default::default()
    };
    let h = sim::start(opts.clone()).await.unwrap();
    let k = Kubectl::new(&h);
    // Read-only: nothing here may change the cluster by a key press.
    let mut s = SCREEN.open(&h.kubeconfig_yaml(), tui_support::app(true));

    quiet(&mut s, &h).await;
    check_all(&mut s, &k, "still").await;
    eprintln!("still cluster checked after {:?}", started.elapsed());

    churn(&mut s, &h, &k, &opts).await;
    quiet(&mut s, &h).await;
    check_all(&mut s, &k, "after churn").await;
    eprintln!("churned cluster checked after {:?}", started.elapsed());
    h.shutdown();
}
