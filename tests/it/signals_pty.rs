//! The real binary in a real pseudo-terminal: SIGTERM, SIGINT and SIGHUP each end the TUI with
//! the shell's exit code (143, 130, 129) and leave the terminal as it was: cooked mode (echo and
//! line editing back on), the main screen, the cursor shown and mouse reporting off.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::pty::{OpenptyResult, Winsize, openpty};
use nix::sys::signal::{Signal, kill};
use nix::sys::termios::{LocalFlags, tcgetattr};
use nix::unistd::Pid;

/// Enter / leave the alternate screen, mouse reporting off, cursor shown.
const ENTER_ALT: &str = "\x1b[?1049h";
const LEAVE_ALT: &str = "\x1b[?1049l";
const MOUSE_ON: &str = "\x1b[?1000h";
const MOUSE_OFF: &str = "\x1b[?1000l";
const SHOW_CURSOR: &str = "\x1b[?25h";

struct Tui {
    child: Child,
    slave: OwnedFd,
    out: Arc<Mutex<Vec<u8>>>,
    _state: tempfile::TempDir,
}

/// `shiftdeck demo` (MicroShift: the quickest to start) on the slave side of a new pty, with
/// the master read in a thread so the TUI never blocks on a full terminal.
fn start() -> Tui {
    let OpenptyResult { master, slave } = openpty(
        Some(&Winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        }),
        None::<&nix::sys::termios::Termios>,
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().unwrap());
    let child = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(["demo", "--profile", "microshift"])
        .env("TERM", "xterm-256color")
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path())
        .stdin(stdio(&slave))
        .stdout(stdio(&slave))
        .stderr(stdio(&slave))
        .spawn()
        .unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = out.clone();
    let mut master = std::fs::File::from(master);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        // Ends with EIO once the child and the test have closed the slave.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    Tui {
        child,
        slave,
        out,
        _state: state,
    }
}

impl Tui {
    fn output(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Wait until the TUI has taken the terminal and drawn something from the cluster.
    fn wait_drawn(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.output();
            if s.contains(ENTER_ALT) && s.contains(MOUSE_ON) && s.contains("MicroShift") {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("shiftdeck exited early ({status}); output:\n{s}");
            }
            assert!(
                Instant::now() < deadline,
                "the TUI never drew; output:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "shiftdeck did not exit after the signal; output:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn ends_restored(signal: Signal, code: i32) {
    let mut tui = start();
    // The pty starts cooked: what the TUI must give back.
    let cooked = LocalFlags::ICANON | LocalFlags::ECHO;
    tui.wait_drawn();
    let raw = tcgetattr(tui.slave.as_fd()).unwrap();
    assert!(
        !raw.local_flags.intersects(cooked),
        "the TUI runs in raw mode"
    );
    kill(
        Pid::from_raw(i32::try_from(tui.child.id()).unwrap()),
        signal,
    )
    .unwrap();
    let status = tui.wait_exit();
    assert_eq!(status.code(), Some(code), "{signal}: {status}");
    let modes = tcgetattr(tui.slave.as_fd()).unwrap();
    assert!(
        modes.local_flags.contains(cooked),
        "{signal}: the terminal is left in raw mode: {:?}",
        modes.local_flags
    );
    // Give the reader thread a moment to take the last bytes.
    std::thread::sleep(Duration::from_millis(200));
    let out = tui.output();
    let after = &out[out.rfind(ENTER_ALT).unwrap()..];
    for (what, seq) in [
        ("the main screen", LEAVE_ALT),
        ("mouse reporting off", MOUSE_OFF),
        ("the cursor shown", SHOW_CURSOR),
    ] {
        assert!(
            after.contains(seq),
            "{signal}: {what} not restored; output after entering the TUI:\n{after:?}"
        );
    }
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    ends_restored(Signal::SIGTERM, 143);
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    ends_restored(Signal::SIGINT, 130);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    ends_restored(Signal::SIGHUP, 129);
}
