//! `shiftdeck get readiness` against the simulated hub: the binary, a kubeconfig file, real HTTP.
#![allow(clippy::unwrap_used)]

use serde_json::{Map, Value};
use shiftdeck_sim::{self as sim, SimOptions};

async fn run(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .env_remove("KUBECONFIG")
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_readiness_pools_and_node_report() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let h = sim::start(SimOptions {
        live: false,
        kubeconfig_out: Some(kc.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    // The `user` guest API is up and its disruption controller has counted the checkout pods.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let counted =
            sim::controllers::guest::guest(&h.store, "clusters", "user").is_some_and(|g| {
                let pdbs = g
                    .store
                    .list(
                        sim::resources::by_key("poddisruptionbudgets.policy"),
                        Some("shop"),
                    )
                    .0;
                pdbs.iter()
                    .any(|p| p.pointer("/status/expectedPods").and_then(Value::as_i64) == Some(2))
            });
        if counted {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the user guest never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let kc = kc.to_str().unwrap();

    let out = run(&["get", "readiness", "-o", "json", "--kubeconfig", kc]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Map<String, Value>> = serde_json::from_str(&stdout).unwrap();
    let row = |pool: &str| {
        rows.iter()
            .find(|r| {
                r["NODEPOOL"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{pool}"))
            })
            .unwrap_or_else(|| panic!("no {pool} row in {stdout}"))
    };
    let example = row("example");
    let (n, m) = example["MIGRATABLE"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    assert_eq!(n, m, "{stdout}");
    assert_ne!(m, "0", "{stdout}");
    assert_eq!(example["REASONS"], "", "{stdout}");
    let user = row("user-np");
    let (n, m) = user["MIGRATABLE"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    assert_eq!(n, "0", "{stdout}");
    assert_ne!(m, "0", "{stdout}");
    assert!(
        user["REASONS"]
            .as_str()
            .unwrap()
            .starts_with("DisksNotLiveMigratable×"),
        "{stdout}"
    );
    assert!(
        user["REMEDY"].as_str().unwrap().contains("ReadWriteMany"),
        "{stdout}"
    );

    let table = run(&["get", "readiness", "--kubeconfig", kc]).await;
    let t = String::from_utf8_lossy(&table.stdout).to_string();
    assert!(t.starts_with("NODEPOOL"), "{t}");
    assert!(t.contains("lvms-vg1"), "{t}");

    // The maintenance report of every infra node hosting VMIs: together they hold both pools.
    let mut seen = Vec::new();
    let mut blocking = Vec::new();
    for node in [
        "worker-0", "worker-1", "worker-2", "worker-3", "worker-4", "worker-5",
    ] {
        let out = run(&[
            "get",
            "readiness",
            "--node",
            node,
            "-o",
            "json",
            "--kubeconfig",
            kc,
        ])
        .await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rep["node"], node);
        // One guest PDB check per hosted cluster with drained guest nodes: only `user` here.
        let pdbs = rep["guestPDBs"].as_array().unwrap();
        if rep["drainedGuestNodes"].as_array().unwrap().is_empty() {
            assert!(pdbs.is_empty(), "{rep}");
        } else {
            assert_eq!(pdbs.len(), 1, "{rep}");
            assert_eq!(pdbs[0]["cluster"], "clusters/user", "{rep}");
            assert_eq!(pdbs[0]["status"], "checked", "{rep}");
            assert_eq!(pdbs[0]["drainedNodes"], rep["drainedGuestNodes"], "{rep}");
            let router = pdbs[0]["pdbs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "router-default")
                .unwrap_or_else(|| panic!("no router PDB in {rep}"));
            assert_eq!(router["namespace"], "openshift-ingress");
            for p in pdbs[0]["pdbs"].as_array().unwrap() {
                if p["verdict"] == "blocks" {
                    assert_eq!(p["name"], "checkout", "{rep}");
                    assert_eq!(p["disruptionsAllowed"], 0, "{rep}");
                    assert!(p["podsOnDrainedNodes"].as_u64().unwrap() >= 1, "{rep}");
                    blocking.push(node);
                    let t = run(&["get", "readiness", "--node", node, "--kubeconfig", kc]).await;
                    let t = String::from_utf8_lossy(&t.stdout).to_string();
                    assert!(
                        t.contains("guest PDBs of clusters/user (")
                            && t.contains("blocks: shop/checkout (0 disruption(s) allowed"),
                        "{t}"
                    );
                }
            }
        }
        for v in rep["vmis"].as_array().unwrap() {
            seen.push((
                v["NODEPOOL"].as_str().unwrap().to_string(),
                v["MIGRATABLE"].as_str().unwrap().to_string(),
            ));
            if v["NODEPOOL"] == "user-np" {
                assert_eq!(rep["safe"], false, "{rep}");
                assert!(
                    rep["verdict"].as_str().unwrap().contains("will restart"),
                    "{rep}"
                );
            }
        }
    }
    assert!(seen.contains(&("example".into(), "yes".into())), "{seen:?}");
    // Two checkout replicas on user-np guest nodes: some infra node's drain is blocked by them.
    assert!(
        !blocking.is_empty(),
        "no node reported shop/checkout as blocking"
    );
    let out = run(&["get", "readiness", "--node", "nope", "--kubeconfig", kc]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no node `nope`"));
    assert!(seen.contains(&("user-np".into(), "no".into())), "{seen:?}");
}
