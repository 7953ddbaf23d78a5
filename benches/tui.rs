//! TUI benchmarks (issue 3), a plain bench binary: `cargo bench --bench tui`.
//!
//! 1. Render one frame of the Nodes pane with 5,000 nodes at 200×60 (p50/p95 over many frames).
//! 2. Apply 100,000 node watch events to the store and the view model (the views catch up at
//!    most once a frame, as the event loop's coalesced change notifications make them).
//! 3. Start-to-first-complete-paint against `shiftdeck sim --scale nodes=5000` in another process,
//!    next to `kubectl get nodes -o json > /dev/null` against the same sim.
//! 4. Resident memory of this process with those 5,000+ nodes cached and shown.
//! 5. The full fleet scale profile (issue 18: 5,000 nodes, 20,000 CSRs, 200 hosted clusters,
//!    1,000 node pools, 10,000 DataVolumes) with every kind cached: memory per cached object per
//!    kind, then a live session against the churning sim (`--speed 10`, another process): this
//!    process's CPU and the time of each event-loop turn (store changes applied to the shown
//!    pane) on each pane, and its resident memory. `cargo bench --bench tui -- full` runs only it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
mod tui_full;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck::keymap::Keymap;
use shiftdeck::kube_conn::Source;
use shiftdeck::panes::nodes::fixtures::sample_nodes;
use shiftdeck::theme::Theme;
use shiftdeck::watch::{KindState, Stores, WatchMsg, Writers};
use support::{frames, ms, percentile};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn app_with_nodes(nodes: &[Node]) -> (App, Writers) {
    let (stores, mut writers): (Stores, Writers) = Stores::with_writers();
    writers.nodes.apply_watcher_event(&Event::Init);
    for n in nodes {
        let mut n = n.clone();
        shiftdeck::watch::kind::strip_node(&mut n);
        writers.nodes.apply_watcher_event(&Event::InitApply(n));
    }
    writers.nodes.apply_watcher_event(&Event::InitDone);
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.connected(1, "bench", "https://bench.example:6443", stores);
    app.on_watch(WatchMsg::State {
        generation: 1,
        kind: "nodes",
        state: KindState::Live,
    });
    app.store_changed();
    (app, writers)
}

fn bench_render() {
    let (mut app, _w) = app_with_nodes(&sample_nodes(5000, now()));
    app.update(Action::Resize(200, 60));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let (p50, p95) = frames(&mut app, &mut terminal, 500);
    println!(
        "render nodes pane, 5,000 nodes, 200x60: p50 {:.3} ms, p95 {:.3} ms (target p50 <= 2 ms)",
        ms(p50),
        ms(p95)
    );
}

fn bench_apply() {
    let base = sample_nodes(5000, now());
    let (mut app, mut w) = app_with_nodes(&base);
    // Two versions of every node with different resourceVersions and readiness, so each event
    // really changes the row the view model holds.
    let variants: Vec<Event<Node>> = (0..2)
        .flat_map(|v| {
            base.iter().map(move |n| {
                let mut n = n.clone();
                shiftdeck::watch::kind::strip_node(&mut n);
                n.metadata.resource_version = Some(format!("{}", 100 + v));
                if let Some(c) = n
                    .status
                    .as_mut()
                    .and_then(|s| s.conditions.as_mut())
                    .and_then(|c| c.iter_mut().find(|c| c.type_ == "Ready"))
                {
                    c.status = if v == 0 { "False" } else { "True" }.into();
                }
                Event::Apply(n)
            })
        })
        .collect();
    let total = 100_000usize;
    // The store alone first (what the watch task does), then store + views as the loop does.
    let t = Instant::now();
    for i in 0..total {
        w.nodes.apply_watcher_event(&variants[i % variants.len()]);
    }
    let store_only = t.elapsed();
    let t = Instant::now();
    let sync_once = {
        app.kinds_changed(&std::collections::BTreeSet::from(["nodes"]));
        t.elapsed()
    };
    println!(
        "  store only: {:.0} events/s; one sync of the views reading nodes (5,000 changed): {:.1} ms",
        total as f64 / store_only.as_secs_f64(),
        ms(sync_once)
    );
    let nodes_kind = std::collections::BTreeSet::from(["nodes"]);
    let t = Instant::now();
    let mut last_sync = t;
    let mut syncs = 0;
    for i in 0..total {
        w.nodes.apply_watcher_event(&variants[i % variants.len()]);
        if last_sync.elapsed() >= shiftdeck::event_loop::FRAME {
            // As the event loop does: the panes reading nodes catch up at most once a frame.
            app.kinds_changed(&nodes_kind);
            last_sync = Instant::now();
            syncs += 1;
        }
    }
    app.kinds_changed(&nodes_kind);
    let el = t.elapsed();
    println!(
        "apply 100,000 node watch events to store + view model ({syncs} view syncs): {:.0} ms, {:.0} events/s (target >= 200,000/s)",
        ms(el),
        total as f64 / el.as_secs_f64()
    );
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

struct SimProcess {
    child: std::process::Child,
    kubeconfig: String,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sim(dir: &std::path::Path) -> SimProcess {
    let kubeconfig = dir.join("bench.kubeconfig").display().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args([
            "sim",
            "--scale",
            "nodes=5000",
            "--still",
            "--kubeconfig-out",
            &kubeconfig,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start shiftdeck sim");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    // Ready once it printed both lines.
    for _ in 0..2 {
        lines.next();
    }
    SimProcess { child, kubeconfig }
}

/// The TUI opens on the Overview; an admin comparing with `kubectl get nodes` opens `:nodes`.
fn open_nodes_pane(app: &mut App) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    for c in ":nodes".chars() {
        app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

fn time_kubectl(kubeconfig: &str) -> Option<(Duration, usize)> {
    let t = Instant::now();
    let out = Command::new("kubectl")
        .args(["--kubeconfig", kubeconfig, "get", "nodes", "-o", "json"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let el = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((el, v["items"].as_array()?.len()))
}

async fn first_complete_paint(kubeconfig: &str, expected: usize) -> Duration {
    let yaml = std::fs::read_to_string(kubeconfig).unwrap();
    let t = Instant::now();
    let source = Source::from_yaml(&yaml, "bench").unwrap();
    let mut session = Session::new(App::new(Keymap::default(), Theme::default(), false), source);
    session.app.update(Action::Resize(200, 60));
    open_nodes_pane(&mut session.app);
    session.connect(None);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let want = format!("Nodes {expected}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        tokio::select! {
            _ = session.next() => {}
            () = tokio::time::sleep(Duration::from_millis(5)) => {}
        }
        terminal
            .draw(|f| shiftdeck::ui::render(&session.app, f))
            .unwrap();
        if terminal.backend().to_string().contains(&want) {
            return t.elapsed();
        }
        assert!(Instant::now() < deadline, "no complete paint within 120 s");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("memory-child") {
        memory_child(&args[2], args[3].parse().unwrap());
        return;
    }
    if args.iter().any(|a| a == "full") {
        tui_full::run();
        return;
    }
    bench_render();
    bench_apply();

    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some((_, count)) = time_kubectl(&sim.kubeconfig) else {
        eprintln!("kubectl not found or failed: cannot compare start-to-first-paint");
        std::process::exit(1);
    };
    let mut kubectl = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..5 {
        kubectl.push(time_kubectl(&sim.kubeconfig).unwrap().0);
        ours.push(rt.block_on(first_complete_paint(&sim.kubeconfig, count)));
    }
    let k = percentile(&mut kubectl, 0.5);
    let o = percentile(&mut ours, 0.5);
    println!(
        "start-to-first-complete-paint, {count} nodes over loopback TLS: shiftdeck p50 {:.0} ms vs `kubectl get nodes -o json > /dev/null` p50 {:.0} ms = {:.2}x (target <= 1.3x)",
        ms(o),
        ms(k),
        o.as_secs_f64() / k.as_secs_f64()
    );

    // Memory in a fresh process, so the benchmarks above leave nothing behind in its heap; the
    // sim runs in its own process and is not counted either.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["memory-child", &sim.kubeconfig, &count.to_string()])
        .output()
        .expect("run the memory child");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        eprintln!(
            "memory child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::process::exit(1);
    }
    tui_full::run();
}

/// One live session holding and showing every node; prints its resident memory.
fn memory_child(kubeconfig: &str, count: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _runtime = rt.enter();
    let rss_before = rss_kib();
    let yaml = std::fs::read_to_string(kubeconfig).unwrap();
    let source = Source::from_yaml(&yaml, "bench").unwrap();
    let mut session = Session::new(App::new(Keymap::default(), Theme::default(), false), source);
    session.app.update(Action::Resize(200, 60));
    open_nodes_pane(&mut session.app);
    session.connect(None);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let want = format!("Nodes {count}");
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            assert!(Instant::now() < deadline, "no complete paint within 120 s");
            tokio::select! {
                _ = session.next() => {}
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
            terminal
                .draw(|f| shiftdeck::ui::render(&session.app, f))
                .unwrap();
            if terminal.backend().to_string().contains(&want) {
                break;
            }
        }
    });
    let at_paint = rss_kib();
    // Steady state: the session keeps running (watches, the overview poll) for a few seconds.
    rt.block_on(async {
        let until = tokio::time::Instant::now() + Duration::from_secs(5);
        while tokio::time::Instant::now() < until {
            tokio::select! {
                _ = session.next() => {}
                () = tokio::time::sleep_until(until) => {}
            }
        }
        terminal
            .draw(|f| shiftdeck::ui::render(&session.app, f))
            .unwrap();
    });
    let _ = tikv_jemalloc_ctl::epoch::advance();
    println!(
        "jemalloc: allocated {:.1} MB, active {:.1} MB, resident {:.1} MB, mapped {:.1} MB, metadata {:.1} MB",
        tikv_jemalloc_ctl::stats::allocated::read().unwrap_or(0) as f64 / 1048576.0,
        tikv_jemalloc_ctl::stats::active::read().unwrap_or(0) as f64 / 1048576.0,
        tikv_jemalloc_ctl::stats::resident::read().unwrap_or(0) as f64 / 1048576.0,
        tikv_jemalloc_ctl::stats::mapped::read().unwrap_or(0) as f64 / 1048576.0,
        tikv_jemalloc_ctl::stats::metadata::read().unwrap_or(0) as f64 / 1048576.0,
    );
    println!(
        "resident memory with {count} nodes cached and shown: {:.1} MB at first paint, {:.1} MB 5 s later (process at start: {:.1} MB; target <= 60 MB)",
        at_paint as f64 / 1024.0,
        rss_kib() as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
}
