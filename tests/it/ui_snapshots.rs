//! Whole-screen snapshots on a TestBackend: the Nodes pane, the help overlay, the error banner,
//! details and YAML views; and every size from 20×5 to 400×120 renders without panicking.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

use shiftdeck::app::{App, Effect};
use shiftdeck::fetched::{Fetch, FetchResult, FetchedNode};
use shiftdeck::keymap::Keymap;
use shiftdeck::panes::nodes::fixtures::{NodeSpec, node, sample_nodes};
use shiftdeck::theme::Theme;
use shiftdeck::watch::cluster_info::ClusterInfo;
use shiftdeck::watch::{KindState, Stores, WatchMsg, Writers};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn feed(writers: &mut Writers, nodes: &[Node]) {
    writers.nodes.apply_watcher_event(&Event::Init);
    for n in nodes {
        // As the watcher's `.modify(strip_node)` does before caching.
        let mut n = n.clone();
        shiftdeck::watch::kind::strip_node(&mut n);
        writers.nodes.apply_watcher_event(&Event::InitApply(n));
    }
    writers.nodes.apply_watcher_event(&Event::InitDone);
}

fn app_with(nodes: &[Node], state: KindState) -> (App, Writers) {
    let (stores, mut writers): (Stores, Writers) = Stores::with_writers();
    feed(&mut writers, nodes);
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.contexts = vec!["hub".into(), "edge".into()];
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    // The TUI opens on the Overview; these snapshots are of the Nodes pane.
    app.update(shiftdeck::action::Action::Command("nodes".into()));
    app.on_watch(WatchMsg::State {
        generation: 1,
        kind: "nodes",
        state,
    });
    app.on_watch(WatchMsg::ClusterInfo {
        generation: 1,
        info: ClusterInfo {
            version: Some("4.19.3".into()),
            platform: Some("BareMetal".into()),
            stale: false,
        },
    });
    (app, writers)
}

fn cluster() -> Vec<Node> {
    let mut v = sample_nodes(10, now());
    v.push(node(&NodeSpec {
        name: "arm-new",
        arch: "arm64",
        ready: Some("Unknown"),
        unschedulable: true,
        ip: "10.0.1.5",
        created: now() - k8s_openapi::jiff::SignedDuration::from_secs(45),
        ..Default::default()
    }));
    v
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(shiftdeck::action::Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(&KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn nodes_pane() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    insta::assert_snapshot!(screen(&mut app, 120, 20));
}

#[test]
fn nodes_pane_sorted_and_filtered() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('/'));
    for c in "kubernetes.io/arch=arm64".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&mut app, 120, 12));
}

#[test]
fn help_overlay() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&mut app, 100, 40));
}

#[test]
fn error_banner_while_reconnecting() {
    let state = KindState::Reconnecting {
        attempt: 3,
        error: "failed to perform initial object list: connection refused".into(),
    };
    let (mut app, _w) = app_with(&[], state);
    insta::assert_snapshot!(screen(&mut app, 120, 8));
}

/// What the event loop hands back for `Effect::Fetch(Fetch::Node { name })`: the whole node,
/// managedFields stripped (the cache holds a lean copy).
fn fetched_node(name: &str) -> WatchMsg {
    let mut n = cluster()
        .into_iter()
        .find(|n| n.metadata.name.as_deref() == Some(name))
        .unwrap();
    n.metadata.managed_fields = None;
    WatchMsg::Fetched {
        generation: 1,
        data: FetchResult::Node(FetchedNode {
            name: name.into(),
            node: Ok(Arc::new(n)),
        }),
    }
}

fn node_fetches(app: &mut App) -> Vec<Effect> {
    app.take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::Fetch(_)))
        .collect()
}

#[test]
fn details_and_yaml_views() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    app.take_effects();
    key(&mut app, KeyCode::Enter);
    // The cache holds lean nodes: opening the details asks for the whole one and says so.
    let name = "arm-new";
    let fetch = Effect::Fetch(Fetch::Node { name: name.into() });
    assert_eq!(node_fetches(&mut app), vec![fetch.clone()]);
    let loading = screen(&mut app, 100, 45);
    assert!(loading.contains("loading full object…"), "{loading}");
    assert!(!loading.contains("Kernel"), "{loading}");
    app.on_watch(fetched_node(name));
    insta::assert_snapshot!("details", screen(&mut app, 100, 45));
    // While the details stay open the node is read again now and then.
    app.set_time(now(), Instant::now() + std::time::Duration::from_secs(11));
    app.update(shiftdeck::action::Action::Tick);
    assert_eq!(node_fetches(&mut app), vec![fetch.clone()]);
    // The YAML view of the same node reads it again and keeps showing the whole object.
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(node_fetches(&mut app), vec![fetch]);
    let yaml = screen(&mut app, 100, 30);
    assert!(
        !yaml.contains("managedFields"),
        "managedFields stripped? {yaml}"
    );
    insta::assert_snapshot!("yaml", yaml);
    key(&mut app, KeyCode::Esc);
    assert!(screen(&mut app, 100, 10).contains("NAME↑"));
}

#[test]
fn palette_lists_only_real_commands() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    key(&mut app, KeyCode::Char(':'));
    let s = screen(&mut app, 100, 20);
    assert!(
        s.contains("nodes") && s.contains("ctx") && s.contains("csr") && !s.contains("nodepools"),
        "{s}"
    );
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 100, 20);
    assert!(
        s.contains("Contexts") && s.contains("● hub") && s.contains("edge"),
        "{s}"
    );
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    // (Connecting also queued the RBAC questions behind the CSR pane's actions.)
    let switches: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter(|e| !matches!(e, shiftdeck::app::Effect::CheckAccess(_)))
        .collect();
    assert_eq!(
        switches,
        vec![shiftdeck::app::Effect::SwitchContext("edge".into())]
    );
}

#[test]
fn rows_flash_and_deleted_rows_linger() {
    let (mut app, mut w) = app_with(&cluster(), KindState::Live);
    let t0 = Instant::now();
    app.set_time(now(), t0);
    let mut changed = node(&NodeSpec {
        name: "worker-0",
        ready: Some("False"),
        rv: 2,
        ..Default::default()
    });
    changed.metadata.creation_timestamp = None;
    w.nodes.apply_watcher_event(&Event::Apply(changed));
    w.nodes.apply_watcher_event(&Event::Delete(node(&NodeSpec {
        name: "worker-1",
        ..Default::default()
    })));
    assert!(app.store_changed());
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("worker-1"), "deleted row lingers: {s}");
    assert!(app.animating());
    app.set_time(now(), t0 + std::time::Duration::from_secs(10));
    app.update(shiftdeck::action::Action::Tick);
    let s = screen(&mut app, 120, 20);
    assert!(!s.contains("worker-1"), "deleted row gone: {s}");
    assert!(s.contains("NotReady"));
    assert!(!app.animating());
}

#[test]
fn every_size_renders_without_panic() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    let small = screen(&mut app, 20, 5);
    assert!(small.contains("too small"), "{small}");
    let overlays: [&[KeyCode]; 5] = [
        &[],
        &[KeyCode::Char('?')],
        &[KeyCode::Char(':')],
        &[KeyCode::Enter],
        &[KeyCode::Char('y'), KeyCode::PageDown],
    ];
    for keys in overlays {
        let (mut app, _w) = app_with(&cluster(), KindState::Live);
        for k in keys {
            key(&mut app, *k);
        }
        // Both sides of the "too small" edge, then up to 400×120.
        for w in [20, 21, 30, 39, 40, 41, 60, 80, 120, 200, 300, 400] {
            for h in [5, 6, 7, 8, 9, 12, 24, 45, 80, 120] {
                screen(&mut app, w, h);
            }
        }
    }
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    screen(&mut app, 120, 20);
    let mouse = |kind, row| MouseEvent {
        kind,
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // Header, tabs, summary and column headers take rows 0-3: row 7 is the fourth node.
    app.handle_mouse(&mouse(MouseEventKind::Down(MouseButton::Left), 7));
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 120, 20).contains("Nodes / master-2 — details"));
    key(&mut app, KeyCode::Esc);
    app.handle_mouse(&mouse(MouseEventKind::ScrollDown, 7));
    key(&mut app, KeyCode::Char('d'));
    assert!(screen(&mut app, 120, 20).contains("Nodes / worker-2 — details"));
}

/// The benchmark path at scale: 5,000 nodes into the store and view model, then watch events,
/// then one frame. Asserts content only, never timing.
#[test]
fn five_thousand_nodes() {
    let (mut app, mut w) = app_with(&sample_nodes(5000, now()), KindState::Live);
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("Nodes 5000"), "{s}");
    for i in 0..100 {
        let name = format!("worker-{i}");
        w.nodes.apply_watcher_event(&Event::Apply(node(&NodeSpec {
            name: &name,
            ready: Some("False"),
            rv: 7,
            ..Default::default()
        })));
    }
    assert!(app.store_changed());
    key(&mut app, KeyCode::Char('G'));
    let s = screen(&mut app, 200, 50);
    assert!(s.contains("worker-996"), "{s}");
}

#[test]
fn read_only_badge_and_startup_warning_banner() {
    let (stores, _w) = Stores::with_writers();
    let mut app = App::new(Keymap::default(), Theme::default(), true);
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    app.set_startup_warning(Some(
        "/home/u/.config/shiftdeck/config.toml: line 3: `ctrl-nope` is not a key (using defaults)"
            .into(),
    ));
    let s = screen(&mut app, 140, 10);
    assert!(s.contains("READ-ONLY"), "{s}");
    assert!(
        s.contains("⚠ /home/u/.config/shiftdeck/config.toml: line 3"),
        "{s}"
    );
    key(&mut app, KeyCode::Char('j'));
    assert!(!screen(&mut app, 140, 10).contains("config.toml"));
}

/// Bidi controls from the cluster (a kubelet version, an OS label) are shown escaped, never
/// passed to the terminal, where U+202E would reverse what follows on the line.
#[test]
fn bidi_controls_from_the_cluster_are_shown_escaped() {
    let mut n = node(&NodeSpec {
        name: "worker-bidi",
        ..Default::default()
    });
    if let Some(info) = n.status.as_mut().and_then(|s| s.node_info.as_mut()) {
        info.kubelet_version = "v1.31\u{202E}exe.txt".into();
    }
    n.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("kubernetes.io/os".into(), "linux\u{2067}x".into());
    let (mut app, _w) = app_with(&[n], KindState::Live);
    let s = screen(&mut app, 160, 12);
    let bidi = ['\u{202E}', '\u{2067}'];
    assert!(!s.chars().any(|c| bidi.contains(&c)), "{s}");
    assert!(s.contains("v1.31\\u{202e}exe.txt"), "{s}");
    assert!(s.contains("linux\\u{2067}x"), "{s}");
}

/// One failed version poll keeps the header's version and platform, marked stale, instead of
/// blanking them until the next poll.
#[test]
fn header_keeps_the_version_when_one_poll_fails() {
    let (mut app, _w) = app_with(&cluster(), KindState::Live);
    app.on_watch(WatchMsg::ClusterInfo {
        generation: 1,
        info: ClusterInfo {
            stale: true,
            ..ClusterInfo::default()
        },
    });
    let s = screen(&mut app, 140, 10);
    let header = s.lines().next().unwrap_or_default();
    assert!(header.contains("4.19.3 · BareMetal (stale)"), "{header}");
}

/// The screen, and how long until it reads differently with the clock alone (what the event
/// loop records around each draw).
fn screen_and_wait(app: &mut App, w: u16, h: u16) -> (String, Option<std::time::Duration>) {
    app.update(shiftdeck::action::Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    shiftdeck::age::changes_of(|| {
        t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
        t.backend().to_string()
    })
}

/// A tick redraws exactly when the last frame's text would read differently: one second
/// early it would draw the same screen, at the deadline a different one.
fn tick_redraws_exactly_when_the_screen_changes(nodes: &[Node], want: std::time::Duration) {
    let (mut app, _w) = app_with(nodes, KindState::Live);
    let (i0, later) = (Instant::now(), |s: u64| std::time::Duration::from_secs(s));
    let at = |app: &mut App, d: std::time::Duration| {
        let secs = i64::try_from(d.as_secs()).unwrap();
        app.set_time(
            now() + k8s_openapi::jiff::SignedDuration::from_secs(secs),
            i0 + d,
        );
    };
    // Let the connection notice end first (it ends with a tick of its own).
    at(&mut app, later(0));
    app.notify("x");
    at(&mut app, later(7));
    assert!(
        app.update(shiftdeck::action::Action::Tick),
        "the notice ended"
    );
    let (before, wait) = screen_and_wait(&mut app, 120, 20);
    assert_eq!(wait, Some(want), "{before}");
    let drawn = later(7);
    app.set_clock_change_due(wait.map(|w| i0 + drawn + w));
    let early = drawn + want - later(1);
    at(&mut app, early);
    assert!(
        !app.update(shiftdeck::action::Action::Tick),
        "nothing changed yet"
    );
    assert_eq!(screen_and_wait(&mut app, 120, 20).0, before);
    at(&mut app, drawn + want);
    assert!(
        app.update(shiftdeck::action::Action::Tick),
        "an age moved on"
    );
    assert_ne!(screen_and_wait(&mut app, 120, 20).0, before);
}

#[test]
fn a_tick_redraws_a_node_age_in_seconds_every_second() {
    // arm-new is 52 s old when drawn: `52s`, then `53s`.
    tick_redraws_exactly_when_the_screen_changes(&cluster(), std::time::Duration::from_secs(1));
}

#[test]
fn a_tick_redraws_ages_in_hours_only_when_the_hour_turns() {
    // The newest node is 3d + 1,234 s old at first (`3d`), 7 s later it reads `3d1h` in 2,359 s.
    let newest = now() - k8s_openapi::jiff::SignedDuration::from_secs(3 * 86_400 + 1_234);
    tick_redraws_exactly_when_the_screen_changes(
        &sample_nodes(10, newest),
        std::time::Duration::from_secs(3600 - 1_234 - 7),
    );
}

/// The details view of arm-new open, at `now()` on the returned monotonic clock.
fn details_of_arm_new() -> (App, Writers, Instant) {
    let (mut app, w) = app_with(&cluster(), KindState::Live);
    let i0 = Instant::now();
    app.set_time(now(), i0);
    key(&mut app, KeyCode::Enter);
    app.on_watch(fetched_node("arm-new"));
    (app, w, i0)
}

/// An open details view is built once, not per frame, yet its ages follow the clock: a tick
/// rebuilds it when a line would read differently, and not before.
#[test]
fn open_details_follow_the_clock() {
    let (mut app, _w, i0) = details_of_arm_new();
    let age_line = |s: &str| {
        s.lines()
            .find(|l| l.trim_start_matches(['"', ' ']).starts_with("Age "))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let first = age_line(&screen(&mut app, 100, 45));
    assert!(first.contains("45s"), "{first}");
    let half = std::time::Duration::from_millis(500);
    app.set_time(now(), i0 + half);
    assert!(!app.update(shiftdeck::action::Action::Tick), "not due yet");
    app.set_time(
        now() + k8s_openapi::jiff::SignedDuration::from_secs(1),
        i0 + 2 * half,
    );
    assert!(
        app.update(shiftdeck::action::Action::Tick),
        "the age moved on"
    );
    let next = age_line(&screen(&mut app, 100, 45));
    assert!(next.contains("46s"), "{next}");
}

/// The event loop wakes at an open details view's own deadline (`App::next_clock_change`) and
/// rebuilds it there (`refresh_doc_if_due`), not at the next one-second tick.
#[test]
fn the_loop_wakes_at_an_open_details_views_deadline() {
    let (mut app, _w, i0) = details_of_arm_new();
    let due = app
        .next_clock_change()
        .expect("the Age line has a deadline");
    assert!(due > i0 && due <= i0 + std::time::Duration::from_secs(1));
    let before = screen(&mut app, 100, 45);
    app.set_time(now(), due - std::time::Duration::from_millis(1));
    assert!(!app.refresh_doc_if_due(), "not due yet");
    let wall = now() + k8s_openapi::jiff::SignedDuration::from_secs(1);
    app.set_time(wall, due);
    assert!(app.refresh_doc_if_due());
    assert_ne!(screen(&mut app, 100, 45), before);
    assert!(
        app.next_clock_change().is_some_and(|t| t > due),
        "the next deadline is later"
    );
}
