//! `shiftdeck get health` and `get overview` run as a process against a sim started here.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;
use shiftdeck_sim::{Profile, SimHandle, SimOptions};

async fn start(profile: Profile, dir: &tempfile::TempDir) -> (SimHandle, std::path::PathBuf) {
    let kc = dir
        .path()
        .join(format!("{}.kubeconfig", profile.context_name()));
    let sim = shiftdeck_sim::start(SimOptions {
        profile,
        live: false,
        kubeconfig_out: Some(kc.clone()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    (sim, kc)
}

async fn run(args: &[&str], kc: &std::path::Path) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiftdeck"));
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(kc)
        .env_remove("KUBECONFIG");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn get_health_json_on_microshift() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, kc) = start(Profile::Microshift, &dir).await;
    let (ok, out, err) = run(&["get", "health", "-o", "json"], &kc).await;
    assert!(ok, "stderr: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cluster"]["flavor"], "microshift");
    assert_eq!(v["cluster"]["version"], "4.18.1");
    assert_eq!(v["healthy"], true);
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks[0]["id"], "api-health");
    assert_eq!(checks[1]["id"], "pods-started");
    // 2 global checks + 3 per core namespace x 6 namespaces.
    assert_eq!(checks.len(), 2 + 3 * 6);
    assert!(checks.iter().all(|c| c["status"] == "pass"));
    assert!(
        checks
            .iter()
            .any(|c| c["id"] == "pods-not-restarting" && c["namespace"] == "openshift-storage")
    );
    sim.shutdown();
}

#[tokio::test]
async fn get_health_works_on_openshift_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, kc) = start(Profile::Azure, &dir).await;
    let (ok, out, err) = run(&["get", "health", "-o", "json"], &kc).await;
    assert!(ok, "stderr: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cluster"]["flavor"], "openshift");
    // Only core namespaces that exist are checked (this cluster has openshift-ingress and
    // openshift-dns but no openshift-storage), and its platform pods pass them all.
    let nss: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["namespace"].as_str())
        .collect();
    assert!(nss.contains(&"openshift-ingress"));
    assert!(nss.contains(&"openshift-dns"));
    assert!(!nss.contains(&"openshift-storage"));
    assert_eq!(v["healthy"], true, "{out}");

    let (ok, out, _) = run(&["get", "health", "-o", "yaml"], &kc).await;
    assert!(ok);
    let y: Value = serde_yaml::from_str(&out).unwrap();
    assert_eq!(y["cluster"]["flavor"], "openshift");

    let (ok, out, _) = run(&["get", "health"], &kc).await;
    assert!(ok);
    assert!(
        out.starts_with("Cluster: OpenShift 4.18.1\nSTATUS  CHECK"),
        "{out}"
    );
    assert!(out.contains("API health endpoint answers"));

    let (ok, out, err) = run(&["get", "overview"], &kc).await;
    assert!(ok, "{err}");
    assert!(out.contains("Platform: Azure"));
    assert!(out.contains("multi-arch payload"));
    assert!(out.contains("Azure VHD"));
    assert!(out.contains("WMCO 10.18.1"));
    assert!(out.contains("Windows nodes: no metrics"));
    assert!(out.contains("Health: all checks pass"), "{out}");
    assert!(out.contains("Preflight failures"), "{out}");
    // The panes this cluster gets: no HyperShift, KubeVirt or live-migration panes.
    assert!(
        out.contains(
            "Panes: overview, nodes, csr, machinesets, co, health, copy, preflight, windows"
        ),
        "{out}"
    );
    let (ok, out, _) = run(&["get", "overview", "-o", "json"], &kc).await;
    assert!(ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["payload"]["payload"], "multi");
    sim.shutdown();
}
