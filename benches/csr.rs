//! CSR pane benchmark (issue 4), a plain bench binary: `cargo bench --bench csr`.
//!
//! The simulated hub with 20,000 extra CSRs (`--scale csrs=20000`, real PKCS#10 requests), read
//! once through the kube client into the stores, then:
//! 1. the first sync of the CSR pane (decodes and validates every request);
//! 2. a sync after one CSR changed (the cache keeps the other decodes);
//! 3. one frame of the CSR pane at 200×60, pending view and history view (p50/p95),
//!    next to the Nodes pane's figure from `cargo bench --bench tui`;
//! 4. keystrokes at 20,000 CSRs, each followed by the frame it causes (what a user waits for):
//!    typing a `/` filter, sorting by each column, PageDown, `J` (joining view) and back, and
//!    toggling the history view (target p95 < 50 ms).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::keymap::Keymap;
use shiftdeck::theme::Theme;
use shiftdeck::watch::{CSRS, KindState, NODES, Stores, WatchMsg};
use shiftdeck_sim::{self as sim, SimOptions};
use support::{frames, ms, percentile};

const SCALE_CSRS: usize = 20_000;

/// jemalloc's allocated bytes now.
fn allocated() -> usize {
    let _ = tikv_jemalloc_ctl::epoch::advance();
    tikv_jemalloc_ctl::stats::allocated::read().unwrap_or(0)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (csrs, nodes) = rt.block_on(async {
        let h = sim::start(SimOptions {
            live: false,
            scale: format!("csrs={SCALE_CSRS}").parse().unwrap(),
            ..Default::default()
        })
        .await
        .unwrap();
        let client = h.client().await.unwrap();
        let csrs = kube::Api::<CertificateSigningRequest>::all(client.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items;
        let nodes = kube::Api::<Node>::all(client)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items;
        h.shutdown();
        (csrs, nodes)
    });
    let count = csrs.len();
    let fed = || {
        let (stores, mut w) = Stores::with_writers();
        w.nodes.apply_watcher_event(&Event::Init);
        for n in &nodes {
            w.nodes.apply_watcher_event(&Event::InitApply(n.clone()));
        }
        w.nodes.apply_watcher_event(&Event::InitDone);
        w.csrs.apply_watcher_event(&Event::Init);
        for c in &csrs {
            // As the watch caches them.
            let mut c = c.clone();
            shiftdeck::watch::kind::strip_csr(&mut c);
            w.csrs.apply_watcher_event(&Event::InitApply(c));
        }
        w.csrs.apply_watcher_event(&Event::InitDone);
        (stores, w)
    };
    // As the watch layer does once the CSR list is complete: decode and verify every request on
    // a blocking thread; then the first switch to the pane only validates and builds rows.
    // The sim's runtime frees what it held for a moment after its shutdown.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let a0 = allocated();
    let (warm_stores, _warm_w) = fed();
    let cached = allocated().saturating_sub(a0);
    let a1 = allocated();
    let t = Instant::now();
    warm_stores.csr_predecoded.fill(&warm_stores.csrs.state());
    let predecode = t.elapsed();
    let predecoded = allocated().saturating_sub(a1);
    let mut warm = App::new(Keymap::default(), Theme::default(), false);
    warm.set_time(Timestamp::now(), Instant::now());
    let t = Instant::now();
    let a2 = allocated();
    warm.connected(1, "bench", "https://bench.example:6443", warm_stores);
    warm.update(Action::Command("csr".into()));
    for kind in [NODES.id, CSRS.id] {
        warm.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    warm.kinds_changed(&BTreeSet::from([CSRS.id, NODES.id]));
    let warm_first = t.elapsed();
    let pane = allocated().saturating_sub(a2);
    drop(warm);

    let (stores, mut w) = fed();

    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(Timestamp::now(), Instant::now());
    key(&mut app, KeyCode::Char(':'));
    for c in "csr".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let t = Instant::now();
    app.connected(1, "bench", "https://bench.example:6443", stores);
    for kind in [NODES.id, CSRS.id] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: KindState::Live,
        });
    }
    app.kinds_changed(&BTreeSet::from([CSRS.id, NODES.id]));
    let first = t.elapsed();

    // One CSR changes (a new resourceVersion): everything else comes from the decode cache.
    let mut samples = Vec::new();
    for i in 0..20 {
        let mut c = csrs[i * 97 % count].clone();
        c.metadata.resource_version = Some(format!("9{i}000000"));
        w.csrs.apply_watcher_event(&Event::Apply(c));
        let t = Instant::now();
        app.kinds_changed(&BTreeSet::from([CSRS.id]));
        samples.push(t.elapsed());
    }
    let resync = percentile(&mut samples, 0.5);

    app.update(Action::Resize(200, 60));
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let (pending50, pending95) = frames(&mut app, &mut terminal, 300);
    key(&mut app, KeyCode::Char('h'));
    let (all50, all95) = frames(&mut app, &mut terminal, 300);
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("CSRs — all") && screen.contains(&format!("of {count}")),
        "the history view with every CSR:\n{screen}"
    );

    // Keystrokes: the handling plus the frame it causes, in the all-history view.
    let typed = |app: &mut App, terminal: &mut Terminal<TestBackend>, codes: &[KeyCode]| {
        let mut out = Vec::new();
        for c in codes {
            let t = Instant::now();
            key(app, *c);
            terminal.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
            out.push(t.elapsed());
        }
        out
    };
    let mut filter = Vec::new();
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('/'));
        filter.extend(typed(
            &mut app,
            &mut terminal,
            &"x86-node-01".chars().map(KeyCode::Char).collect::<Vec<_>>(),
        ));
        filter.extend(typed(&mut app, &mut terminal, &[KeyCode::Backspace; 4]));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
    let mut sort = Vec::new();
    for _ in 0..3 {
        let keys: Vec<KeyCode> = "NGKROCHE".chars().map(KeyCode::Char).collect();
        sort.extend(typed(&mut app, &mut terminal, &keys));
    }
    let mut nav = typed(&mut app, &mut terminal, &[KeyCode::PageDown; 20]);
    nav.extend(typed(&mut app, &mut terminal, &[KeyCode::Char('J'); 4]));
    nav.extend(typed(&mut app, &mut terminal, &[KeyCode::Char('h'); 4]));
    println!("CSR pane with {count} CSRs (20,000 from --scale, real PKCS#10 requests):");
    for (what, samples) in [
        ("`/` filter, one character", &mut filter),
        ("sort by a column (Shift+letter)", &mut sort),
        ("PageDown, J, h", &mut nav),
    ] {
        let (p50, p95) = (percentile(samples, 0.5), percentile(samples, 0.95));
        println!(
            "  keystroke + frame, {what}: p50 {:.2} ms, p95 {:.2} ms (target p95 < 50 ms)",
            ms(p50),
            ms(p95)
        );
    }
    println!(
        "  first sync (decode + validate every request): {:.0} ms",
        ms(first)
    );
    println!(
        "  first sync after the watch layer predecoded the list ({:.0} ms on a blocking thread): {:.0} ms",
        ms(predecode),
        ms(warm_first)
    );
    println!("  sync after one CSR changed: p50 {:.2} ms", ms(resync));
    let per = |b: usize| b as f64 / count as f64;
    println!(
        "  memory per CSR: cached (with its node list) {:.0} B, predecoded request {:.0} B, the pane's model after its first sync {:.0} B ({:.1} MB)",
        per(cached),
        per(predecoded),
        per(pane),
        pane as f64 / 1048576.0
    );
    println!(
        "  render 200x60, pending view: p50 {:.3} ms, p95 {:.3} ms; history view: p50 {:.3} ms, p95 {:.3} ms (Nodes pane target p50 <= 2 ms)",
        ms(pending50),
        ms(pending95),
        ms(all50),
        ms(all95)
    );
}
