//! `cargo xtask <task>`: project tasks that need more than cargo. `test` installs the tools the
//! tests drive (when missing), then runs every test; `install-tools` only installs them; `layers`
//! fails on a cycle between the top-level modules of any crate.

mod layers;
mod tools;

use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <task> [-- <cargo test args>]

tasks:
  test           install the tools the tests need (if missing), then `cargo test --locked --workspace`
  install-tools  only install the tools the tests need (if missing)
  layers         fail when top-level modules of a crate use each other in a cycle (test-only code
                 excluded); prints each cycle and the files that make its edges";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    // Arguments after the task (one optional `--` first) go to `cargo test`, e.g. a test filter.
    let mut rest: Vec<String> = args.collect();
    if rest.first().is_some_and(|a| a == "--") {
        rest.remove(0);
    }
    match task.as_deref() {
        Some("test") => match tools::install_missing() {
            Ok(path) => run_tests(&path, &rest),
            Err(e) => fail(&e),
        },
        Some("install-tools") => match tools::install_missing() {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        Some("layers") => layers::run(&rest),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown task {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn fail(e: &str) -> ExitCode {
    eprintln!("xtask: {e}");
    ExitCode::FAILURE
}

/// `cargo test --locked --workspace`, with `PATH` extended by where the installers put the tools.
fn run_tests(path: &std::ffi::OsStr, extra: &[String]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("\n== cargo test --locked --workspace {}", extra.join(" "));
    let status = Command::new(cargo)
        .args(["test", "--locked", "--workspace"])
        .args(extra)
        .env("PATH", path)
        // Where the sim conformance tests find the Python clients installed above.
        .env("SHIFTDECK_PY_CLIENTS", tools::py_clients_dir())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => fail(&format!("cannot run cargo test: {e}")),
    }
}
