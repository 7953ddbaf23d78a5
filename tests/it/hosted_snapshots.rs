//! Whole-screen snapshots of the Hosted clusters pane and its details view, and the "not
//! installed" state (MicroShift) without error banners.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::app::{App, Effect};
use shiftdeck::fetched::{Fetch, FetchResult, GuestRef, NamespaceObjects};
use shiftdeck::keymap::Keymap;
use shiftdeck::panes::hosted::fixtures::{guest_control_plane, hosted_cluster, node_pool};
use shiftdeck::theme::Theme;
use shiftdeck::watch::dynamic::{HostedCluster, NodePool};
use shiftdeck::watch::{KindState, Stores, WatchMsg, Writers};

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn app_with(state: KindState, feed: bool) -> (App, Writers) {
    let (stores, mut w): (Stores, Writers) = Stores::with_writers();
    if feed {
        w.hostedclusters.apply_watcher_event(&Event::Init);
        for n in ["example", "user", "guest"] {
            let hc = HostedCluster::from_value(hosted_cluster(n, n == "guest")).unwrap();
            w.hostedclusters.apply_watcher_event(&Event::InitApply(hc));
        }
        w.hostedclusters.apply_watcher_event(&Event::InitDone);
        w.nodepools.apply_watcher_event(&Event::Init);
        for (p, c, d, r) in [
            ("example", "example", 2, 2),
            ("user-np", "user", 3, 3),
            ("guest", "guest", 2, 0),
        ] {
            let np = NodePool::from_value(node_pool(p, c, d, r)).unwrap();
            w.nodepools.apply_watcher_event(&Event::InitApply(np));
        }
        w.nodepools.apply_watcher_event(&Event::InitDone);
    }
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    for kind in ["hostedclusters", "nodepools"] {
        app.on_watch(WatchMsg::State {
            generation: 1,
            kind,
            state: state.clone(),
        });
    }
    app.update(shiftdeck::action::Action::Command("hc".into()));
    (app, w)
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
fn hosted_clusters_pane() {
    let (mut app, _w) = app_with(KindState::Live, true);
    let s = screen(&mut app, 170, 10);
    assert!(s.contains("Completed") && s.contains("Partial"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn enter_drills_down_into_the_guest_cluster() {
    let (mut app, _w) = app_with(KindState::Live, true);
    app.take_effects();
    key(&mut app, KeyCode::Enter);
    let opens: Vec<Effect> = app
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::OpenGuest(_)))
        .collect();
    assert_eq!(opens.len(), 1, "{opens:?}");
    match &opens[0] {
        Effect::OpenGuest(g) => assert_eq!(g.label(), "clusters/example"),
        other => panic!("{other:?}"),
    }
    // `d` still opens the details.
    key(&mut app, KeyCode::Char('d'));
    let s = screen(&mut app, 160, 40);
    assert!(
        s.contains("Hosted clusters / clusters/example — details"),
        "{s}"
    );
}

#[test]
fn hosted_cluster_details_of_a_partial_cluster() {
    let (mut app, _w) = app_with(KindState::Live, true);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('d'));
    // Opening details asks for the control-plane pods and services (other effects, such as the
    // CSR pane's permission checks after connecting, are not this test's business).
    let fetches: Vec<Effect> = app
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::Fetch(_)))
        .collect();
    assert_eq!(
        fetches,
        vec![Effect::Fetch(Fetch::Namespace {
            namespace: "clusters-guest".into()
        })]
    );
    let (pods, services) = guest_control_plane();
    app.on_watch(WatchMsg::Fetched {
        generation: 1,
        data: FetchResult::Namespace(NamespaceObjects {
            namespace: "clusters-guest".into(),
            pods,
            services,
            error: None,
        }),
    });
    let s = screen(&mut app, 150, 50);
    assert!(s.contains("Why Partial") && s.contains("guest-apps"), "{s}");
    // While the details stay open the pods and services are read again now and then.
    let later = Instant::now() + std::time::Duration::from_secs(11);
    app.set_time(now(), later);
    app.update(shiftdeck::action::Action::Tick);
    assert_eq!(
        app.take_effects(),
        vec![Effect::Fetch(Fetch::Namespace {
            namespace: "clusters-guest".into()
        })]
    );
    app.update(shiftdeck::action::Action::Tick);
    assert!(app.take_effects().is_empty());
    insta::assert_snapshot!(s);
    // `o` from the details opens the guest cluster.
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(
        app.take_effects(),
        vec![Effect::OpenGuest(GuestRef {
            namespace: "clusters".into(),
            name: "guest".into(),
            secret: "guest-admin-kubeconfig".into(),
        })]
    );
}

#[test]
fn not_installed_is_quiet() {
    let (mut app, _w) = app_with(KindState::NotInstalled, false);
    let s = screen(&mut app, 120, 8);
    assert!(s.contains("Hosted clusters are not installed"), "{s}");
    assert!(!s.to_lowercase().contains("error"), "{s}");
    insta::assert_snapshot!(s);
}
