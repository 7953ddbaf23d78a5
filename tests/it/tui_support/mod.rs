//! Shared helpers for the end-to-end TUI tests: the real App and Session on a kubeconfig, driven
//! with key events, the screen read from a ratatui TestBackend while the session is pumped as the
//! binary's event loop would. What differs between the test files (terminal size, how long to
//! wait, texts that must never be on screen) is a `Screen` each file declares once.
#![allow(dead_code)]

use std::time::{Duration, Instant};

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

/// How long `wait_for` waits for a screen, unless a file says otherwise.
pub const WAIT: Duration = Duration::from_secs(120);

/// A test file's terminal and the rules every screen it reads must keep.
pub struct Screen {
    pub w: u16,
    pub h: u16,
    /// Texts (credentials, secrets) that must never be on screen: every render asserts none of
    /// them is, so a leak fails whichever step shows it, not only the step that looks for it.
    pub never: &'static [&'static str],
    /// How long `wait_for` waits before failing with the last screen.
    pub wait: Duration,
}

impl Screen {
    /// The real session on a kubeconfig, sized to this screen (so the app lays out for the
    /// backend it is rendered to), connecting to the current context.
    pub fn open(&self, kubeconfig_yaml: &str, app: App) -> Session {
        let source = Source::from_yaml(kubeconfig_yaml, "test").expect("valid kubeconfig");
        let mut session = Session::new(app, source);
        session.app.update(Action::Resize(self.w, self.h));
        session.connect(None);
        session
    }

    /// The app drawn into a TestBackend of this size, as text; fails if a `never` text shows.
    pub fn render(&self, app: &App) -> String {
        let mut t = Terminal::new(TestBackend::new(self.w, self.h)).expect("test terminal");
        t.draw(|f| shiftdeck::ui::render(app, f)).expect("draw");
        let s = t.backend().to_string();
        for secret in self.never {
            assert!(
                !s.contains(secret),
                "{secret:?} must never be on screen; screen:\n{s}"
            );
        }
        s
    }

    /// Pump the session until the screen satisfies `pred` and return that screen; after `wait`,
    /// fail naming `what` with the last screen.
    pub async fn wait_for(
        &self,
        session: &mut Session,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + self.wait;
        loop {
            let s = self.render(&session.app);
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            pump(session).await;
        }
    }
}

/// The app as the binary starts it (default keymap and theme).
pub fn app(read_only: bool) -> App {
    App::new(Keymap::default(), Theme::default(), read_only)
}

/// One turn of the event loop: the next message or store change, or after 200 ms without one a
/// tick at the current time (so ages, spinners and retries move as they do live).
pub async fn pump(session: &mut Session) {
    tokio::select! {
        _ = session.next() => {}
        () = tokio::time::sleep(Duration::from_millis(200)) => {
            session.app.set_time(Timestamp::now(), Instant::now());
            session.app.update(Action::Tick);
        }
    }
}

pub fn press(session: &mut Session, code: KeyCode) {
    session.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Ctrl-U: clears a text input.
pub fn ctrl_u(session: &mut Session) {
    session.handle_event(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
}

pub fn type_text(session: &mut Session, text: &str) {
    for c in text.chars() {
        press(session, KeyCode::Char(c));
    }
}

/// `:cmd` Enter.
pub fn command(session: &mut Session, cmd: &str) {
    press(session, KeyCode::Char(':'));
    type_text(session, cmd);
    press(session, KeyCode::Enter);
}

/// `/text` Enter: filter the pane's rows (names and labels), which selects the first match.
pub fn filter(session: &mut Session, text: &str) {
    press(session, KeyCode::Char('/'));
    type_text(session, text);
    press(session, KeyCode::Enter);
}
