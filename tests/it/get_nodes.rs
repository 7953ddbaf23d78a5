//! `shiftdeck get nodes` against the simulated cluster: the binary, a kubeconfig file, real HTTP.
#![allow(clippy::unwrap_used)]

use serde_json::{Map, Value};
use shiftdeck::panes::nodes::fixtures::{NodeSpec, node_json};
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
async fn get_nodes_json_yaml_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let h = sim::start(SimOptions {
        live: false,
        kubeconfig_out: Some(kc.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let nodes = sim::resources::find("", "nodes").unwrap();
    h.store
        .create(
            nodes,
            node_json(&NodeSpec {
                name: "get-arm-0",
                arch: "arm64",
                ..Default::default()
            }),
            false,
        )
        .unwrap();
    h.store
        .create(
            nodes,
            node_json(&NodeSpec {
                name: "get-win-0",
                os: "windows",
                ..Default::default()
            }),
            false,
        )
        .unwrap();
    let kc = kc.to_str().unwrap();

    let out = run(&["get", "nodes", "-o", "json", "--kubeconfig", kc]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Map<String, Value>> = serde_json::from_slice(&out.stdout).unwrap();
    let arm = rows.iter().find(|r| r["NAME"] == "get-arm-0").unwrap();
    assert_eq!(arm["ARCH"], "arm64");
    assert_eq!(arm["STATUS"], "Ready");
    assert_eq!(arm["ROLES"], "worker");
    let win = rows.iter().find(|r| r["NAME"] == "get-win-0").unwrap();
    assert_eq!(win["OS"], "windows 10.0.20348");
    let keys: Vec<&str> = arm.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "NAME",
            "STATUS",
            "ROLES",
            "AGE",
            "VERSION",
            "ARCH",
            "OS",
            "INTERNAL-IP",
            "TAINTS"
        ]
    );

    let out = run(&[
        "get",
        "nodes",
        "-o",
        "yaml",
        "--kubeconfig",
        kc,
        "--context",
        "hub",
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Map<String, Value>> = serde_yaml::from_slice(&out.stdout).unwrap();
    assert!(rows.iter().any(|r| r["NAME"] == "get-win-0"));

    let out = run(&["get", "nodes", "--kubeconfig", kc]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NAME "), "{text}");
    assert!(text.contains("get-arm-0"), "{text}");

    let out = run(&["get", "nodes", "--kubeconfig", kc, "--context", "nope"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown context `nope`"), "{err}");
    h.shutdown();

    // The server is gone now: one clear line, no backtrace.
    let out = run(&["get", "nodes", "--kubeconfig", kc]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("shiftdeck: cannot list nodes on https://127.0.0.1"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_kubeconfig_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, "this: [is not\n").unwrap();
    let out = run(&["get", "nodes", "--kubeconfig", kc.to_str().unwrap()]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("shiftdeck: invalid kubeconfig"), "{err}");
}
