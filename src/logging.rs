//! Logs go to `$XDG_STATE_HOME/shiftdeck/shiftdeck.log` (else `~/.local/state/...`), never to the
//! screen. Level from `SHIFTDECK_LOG` (e.g. `debug`, `shiftdeck=trace`), default `info`.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub fn log_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))?;
    Some(base.join("shiftdeck"))
}

/// Start file logging. Keep the guard alive until exit so buffered lines are written. Logging
/// that cannot start (read-only home...) is skipped silently: it must not stop the UI.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "shiftdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("SHIFTDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
