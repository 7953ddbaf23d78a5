//! The Overview and Health panes: whole-screen snapshots per sim profile (fixed "now" for the
//! UI; the overview shows no ages), and the real app driven with keys against the in-process sim:
//! it opens on the Overview, absent kinds raise no banner, MicroShift hides the panes it cannot
//! have, health passes there, and the copy key produces the OSC 52 sequence.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use base64::Engine;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck::keymap::Keymap;
use shiftdeck::kube_conn::Source;
use shiftdeck::theme::Theme;
use shiftdeck::watch::{KindState, Stores, WatchMsg, overview_poll};
use shiftdeck_sim::{self as sim, Profile, SimHandle, SimOptions};

const W: u16 = 140;
const H: u16 = 50;

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

async fn start(profile: Profile) -> SimHandle {
    sim::start(SimOptions {
        live: false,
        profile,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The first tab's label, lowercased (tabs shrink to titles or `:commands` on narrow screens).
fn first_tab(screen: &str) -> String {
    let tab_line = screen.lines().nth(1).unwrap_or_default().trim_matches('"');
    tab_line
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

fn render(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

/// The app fed by hand with one gathered snapshot of the sim (as the poller would).
async fn snapshot_app(profile: Profile) -> App {
    let h = start(profile).await;
    let client = h.client().await.unwrap();
    let inputs = shiftdeck::watch::overview_fetch::gather(&client).await;
    let info = shiftdeck::watch::cluster_info::fetch(&client).await;
    h.shutdown();
    let (stores, writers) = Stores::with_writers();
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.update(Action::Resize(W, H));
    app.connected(1, "edge", "https://api.sim.example:6443", stores);
    app.on_watch(WatchMsg::ClusterInfo {
        generation: 1,
        info,
    });
    app.on_watch(WatchMsg::State {
        generation: 1,
        kind: overview_poll::KIND,
        state: KindState::Live,
    });
    overview_poll::publish(&writers.overview, inputs);
    app.store_changed();
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_snapshots_per_profile() {
    for (profile, name) in [
        (Profile::Hub, "overview_hub"),
        (Profile::Azure, "overview_azure"),
        (Profile::Microshift, "overview_microshift"),
    ] {
        let app = snapshot_app(profile).await;
        let s = render(&app);
        assert!(first_tab(&s).contains("overview"), "{s}");
        assert!(!s.contains('⚠'), "{name}: banner on the overview:\n{s}");
        insta::assert_snapshot!(name, s);
    }
}

/// Move the Overview's selection down until the hint names `label` (a copy row).
fn select(app: &mut App, label: &str) -> String {
    for _ in 0..60 {
        let s = render(app);
        if s.contains(&format!("c/y: copy {label} ")) {
            return s;
        }
        app.handle_key(&KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    }
    panic!("never selected {label}:\n{}", render(app));
}

/// Boot images: the command rows show the commands an admin copies (not their labels), and a
/// selected row cut at the right edge is shown in full under the rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boot_image_rows_show_commands_and_the_selected_row_in_full() {
    let mut app = snapshot_app(Profile::Azure).await;
    let s = select(&mut app, "aarch64 metal ISO URL");
    // The 150-character URL wraps onto a second line under the rows.
    let url = "https://rhcos.mirror.openshift.com/art/storage/prod/streams/4.18-9.4/builds/418.94.202501221327-0/aarch64/rhcos-418.94.202501221327-0-live.aarch64.iso";
    let (head, tail) = url.split_at(usize::from(W));
    let lines: Vec<&str> = s.lines().map(|l| l.trim_matches('"').trim_end()).collect();
    let at = lines.iter().position(|l| *l == head);
    assert!(
        at.is_some_and(|i| lines.get(i + 1) == Some(&tail)),
        "the full URL is not shown:\n{s}"
    );
    let s = select(&mut app, "aarch64 az blob copy command");
    assert!(
        s.contains("az copy        az storage blob copy start --account-name <storage-account>"),
        "{s}"
    );
    assert!(
        !s.contains("command        aarch64"),
        "a label instead of a command:\n{s}"
    );
    assert!(
        s.contains("── aarch64 az blob copy command (c/y copies it) ─"),
        "{s}"
    );
    assert!(s.contains("--destination-container <container>"), "{s}");
    insta::assert_snapshot!("overview_azure_az_copy_selected", s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_snapshot_microshift() {
    let mut app = snapshot_app(Profile::Microshift).await;
    app.update(Action::Command("health".into()));
    let s = render(&app);
    assert!(s.contains("healthy: all checks pass"), "{s}");
    insta::assert_snapshot!("health_microshift", s);
}

// ---- end to end: the real session against the sim ----

fn open(kubeconfig_yaml: &str) -> Session {
    let source = Source::from_yaml(kubeconfig_yaml, "test").unwrap();
    let mut session = Session::new(App::new(Keymap::default(), Theme::default(), false), source);
    session.app.update(Action::Resize(W, H));
    session.connect(None);
    session
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = render(&session.app);
        if pred(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen:\n{s}"
        );
        tokio::select! {
            _ = session.next() => {}
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                session.app.set_time(Timestamp::now(), Instant::now());
                session.app.update(Action::Tick);
            }
        }
    }
}

fn press(session: &mut Session, code: KeyCode) {
    session.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(session: &mut Session, text: &str) {
    for c in text.chars() {
        press(session, KeyCode::Char(c));
    }
}

/// The tab line (third line of the screen).
fn tabs(s: &str) -> String {
    s.lines().nth(1).unwrap_or_default().to_string()
}

/// Panes shown and hidden per profile: the hub serves everything; Azure has no HyperShift and no
/// KubeVirt (no Hosted clusters, Node pools, Readiness, Maintenance); MicroShift has only the
/// panes its flavor can have.
fn expected_panes(profile: Profile) -> (&'static [&'static str], &'static [&'static str]) {
    match profile {
        Profile::Hub => (
            &[
                "Overview",
                "Nodes",
                "CSRs",
                "Hosted clusters",
                "Node pools",
                "MachineSets",
                "Cluster operators",
                "Health",
                "Readiness",
                "Copies",
                "Maintenance",
            ],
            &[],
        ),
        Profile::Azure => (
            &[
                "Overview",
                "Nodes",
                "CSRs",
                "MachineSets",
                "Cluster operators",
                "Health",
                "Copies",
            ],
            &["Hosted clusters", "Node pools", "Readiness", "Maintenance"],
        ),
        // Copies stays for its skopeo image mirroring.
        _ => (
            &["Overview", "Nodes", "CSRs", "Health", "Copies"],
            &[
                "Hosted clusters",
                "Node pools",
                "MachineSets",
                "Cluster operators",
                "Readiness",
                "Maintenance",
            ],
        ),
    }
}

/// A hidden pane's command and what its message must name.
fn hidden_command(profile: Profile) -> Option<(&'static str, &'static str)> {
    match profile {
        Profile::Hub => None,
        Profile::Azure => Some((
            "hc",
            "does not serve hypershift.openshift.io HostedClusters",
        )),
        _ => Some(("machinesets", "MicroShift has no Machine API")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_on_the_overview_in_every_profile() {
    for (profile, flavor) in [
        (Profile::Hub, "Cluster  OpenShift"),
        (Profile::Azure, "Cluster  OpenShift"),
        (Profile::Microshift, "Cluster  MicroShift"),
    ] {
        let h = start(profile).await;
        let mut session = open(&h.kubeconfig_yaml());
        let s = wait_for(&mut session, "the overview", |s| {
            s.contains(flavor) && s.contains("● live")
        })
        .await;
        assert_eq!(session.app.pane().unwrap().title(), "Overview", "{s}");
        assert!(!s.contains('⚠'), "{profile:?}: error banner:\n{s}");
        assert!(s.contains("Nodes") && s.contains("Pending CSRs"), "{s}");
        let t = tabs(&s);
        // Exactly the panes this cluster can have (flavor, then discovery); the rest hidden.
        let (shown, hidden) = expected_panes(profile);
        assert_eq!(session.app.pane_titles(), shown, "{profile:?}");
        let hidden_now: Vec<&str> = session.app.hidden_panes().iter().map(|h| h.0).collect();
        assert_eq!(hidden_now, hidden, "{profile:?}");
        for absent in hidden {
            assert!(!t.contains(absent), "{absent} in tabs: {t}");
        }
        if profile == Profile::Microshift {
            assert!(s.contains("MicroShift"), "header: {s}");
            assert!(!s.contains("Boot images"), "{s}");
        } else {
            assert!(s.contains("Boot images"), "{s}");
            assert!(
                s.contains("aarch64: release") && s.contains("x86_64: release"),
                "{s}"
            );
        }
        // A hidden pane's command says why instead of "unknown command".
        if let Some((cmd, why)) = hidden_command(profile) {
            press(&mut session, KeyCode::Char(':'));
            type_text(&mut session, cmd);
            press(&mut session, KeyCode::Enter);
            let s = render(&session.app);
            assert!(
                s.contains("is unavailable here") && s.contains(why),
                "{cmd}: {s}"
            );
            assert_eq!(session.app.pane().unwrap().title(), "Overview");
        }
        // Every pane shown opens without an error banner.
        for title in shown {
            let i = session
                .app
                .pane_titles()
                .iter()
                .position(|t| t == title)
                .unwrap();
            let cmd = session.app.pane_commands(i)[0];
            session.app.update(Action::Command(cmd.to_string()));
            let s = render(&session.app);
            assert_eq!(session.app.pane().unwrap().title(), *title);
            assert!(!s.contains('⚠'), "{profile:?} {title}: error banner:\n{s}");
        }
        session.app.update(Action::Command("overview".into()));
        if profile != Profile::Microshift {
            // The preflight count links to the `:preflight` checks.
            press(&mut session, KeyCode::Char('/'));
            type_text(&mut session, "Preflight failures");
            press(&mut session, KeyCode::Enter);
            press(&mut session, KeyCode::Enter);
            assert!(session.app.preflight_view().is_some(), "{profile:?}");
            press(&mut session, KeyCode::Esc); // closes the preflight view
            assert!(session.app.preflight_view().is_none());
            press(&mut session, KeyCode::Esc); // clears the filter
        }
        // The first tab is the Overview (later tabs may run past the edge of a narrow screen).
        assert!(first_tab(&s).contains("overview"), "{t}");
        // Enter on the nodes count opens the Nodes pane.
        press(&mut session, KeyCode::Char('g'));
        press(&mut session, KeyCode::Enter);
        assert_eq!(session.app.pane().unwrap().title(), "Nodes");
        h.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_view_passes_on_microshift() {
    let h = start(Profile::Microshift).await;
    let mut session = open(&h.kubeconfig_yaml());
    press(&mut session, KeyCode::Char(':'));
    type_text(&mut session, "health");
    press(&mut session, KeyCode::Enter);
    let s = wait_for(&mut session, "the health checks", |s| {
        s.contains("healthy: all checks pass")
    })
    .await;
    for check in ["PASS", "openshift-ovn-kubernetes", "kube-system"] {
        assert!(s.contains(check), "{check}: {s}");
    }
    assert!(!s.contains("FAIL"), "{s}");
    // Enter opens a check with the pods concerned.
    press(&mut session, KeyCode::Enter);
    let s = render(&session.app);
    assert!(s.contains("Pods concerned"), "{s}");
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_key_writes_osc52_with_the_selected_url() {
    let h = start(Profile::Azure).await;
    let mut session = open(&h.kubeconfig_yaml());
    wait_for(&mut session, "boot images", |s| s.contains("Boot images")).await;
    // Filter down to the metal ISO rows; the first copyable row is then selected.
    press(&mut session, KeyCode::Char('/'));
    type_text(&mut session, "metal iso");
    press(&mut session, KeyCode::Enter);
    let s = render(&session.app);
    assert!(s.contains("<c> copy") && s.contains("c/y: copy"), "{s}");
    press(&mut session, KeyCode::Char('c'));
    let writes = session.take_terminal_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    let w = &writes[0];
    assert!(w.starts_with("\x1b]52;c;") && w.ends_with('\x07'), "{w:?}");
    let b64 = &w["\x1b]52;c;".len()..w.len() - 1];
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.starts_with("https://") && text.ends_with(".iso"),
        "{text}"
    );
    let s = render(&session.app);
    assert!(s.contains("copied"), "status bar: {s}");
    // `y` copies too; a count row has nothing to copy.
    press(&mut session, KeyCode::Char('y'));
    assert_eq!(session.take_terminal_writes().len(), 1);
    press(&mut session, KeyCode::Esc);
    press(&mut session, KeyCode::Char('g'));
    press(&mut session, KeyCode::Char('c'));
    assert!(session.take_terminal_writes().is_empty());
    assert!(render(&session.app).contains("nothing to copy"));
    h.shutdown();
}
