//! The signals that end the TUI from outside (SIGTERM, SIGINT, SIGHUP): caught so the terminal is
//! restored before exiting with the conventional code, 128 + the signal's number (143, 130, 129).
//! In raw mode Ctrl-C is a key, so SIGINT only comes from `kill` or a supervisor.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// The listeners, installed before the terminal enters raw mode so no signal is missed.
pub struct Terminating {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Terminating {
    pub fn install() -> std::io::Result<Terminating> {
        Ok(Terminating {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Wait for the first of the signals; returns the exit code it calls for.
    pub async fn recv(&mut self) -> u8 {
        tokio::select! {
            _ = self.term.recv() => exit_code(libc_signo::SIGTERM),
            _ = self.int.recv() => exit_code(libc_signo::SIGINT),
            _ = self.hup.recv() => exit_code(libc_signo::SIGHUP),
        }
    }
}

/// POSIX signal numbers (the same on every platform shiftdeck runs on).
mod libc_signo {
    pub const SIGHUP: u8 = 1;
    pub const SIGINT: u8 = 2;
    pub const SIGTERM: u8 = 15;
}

/// The shell's convention for a process ended by signal `signo`.
pub fn exit_code(signo: u8) -> u8 {
    128 + signo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(libc_signo::SIGTERM), 143);
        assert_eq!(exit_code(libc_signo::SIGINT), 130);
        assert_eq!(exit_code(libc_signo::SIGHUP), 129);
    }
}
