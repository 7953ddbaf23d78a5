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
        used_by: "tests/sim_kubectl.rs",
    },
    AptTool {
        command: "skopeo",
        package: "skopeo",
        used_by: "tests/copies_mirror.rs",
    },
    AptTool {
        command: "docker-registry",
        package: "docker-registry",
        used_by: "tests/copies_mirror.rs",
    },
];

/// Azurite (the Azure Storage emulator) comes from npm; tests/copies_azurite.rs runs `azurite-blob`.
const NPM_PACKAGE: &str = "azurite";
const NPM_COMMAND: &str = "azurite-blob";

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
    let mut missing = Vec::new();
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
            "`{NPM_COMMAND}` (npm package {NPM_PACKAGE}, for tests/copies_azurite.rs)"
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
