//! Fleet scale, reduced: on a `--scale` hub sim (held still so counts cannot move), the Nodes,
//! CSRs, Node pools, Hosted clusters and Copies panes count exactly what `kubectl get` lists.
//! Only the shown pane follows the stores, so each count is read after switching to its pane
//! (the switch itself must bring the pane up to date).
#![allow(clippy::unwrap_used)]

mod tui_support;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use shiftdeck::sim::{self, Profile, SimOptions};
use tui_support::{Screen, command};

const SCREEN: Screen = Screen {
    w: 200,
    h: 60,
    never: &[],
    wait: tui_support::WAIT,
};

const SCALE: &str = "nodes=300,csrs=1200,hostedclusters=20,nodepools=80,datavolumes=600";

fn kubectl_bin() -> PathBuf {
    std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("kubectl"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin/kubectl")])
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("kubectl not found on PATH or at /usr/bin/kubectl: this test compares pane counts with kubectl's"))
}

/// How many objects `kubectl get <kind> -A -o name` lists.
async fn kubectl_count(kubeconfig: &std::path::Path, kind: &str) -> usize {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(kubectl_bin())
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["get", kind, "-A", "-o", "name"])
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("kubectl get {kind} timed out"))
    .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl get {kind} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// The number right before `label` on the screen's first line holding it (`1,234 nodes`).
fn number_before(screen: &str, label: &str) -> Option<usize> {
    let line = screen.lines().find(|l| l.contains(label))?;
    let before = &line[..line.find(label)?];
    before
        .split_whitespace()
        .last()?
        .replace(',', "")
        .parse()
        .ok()
}

/// The number right after `label` (`Nodes 300`, `pending of 1200`).
fn number_after(screen: &str, label: &str) -> Option<usize> {
    let line = screen.lines().find(|l| l.contains(label))?;
    let after = &line[line.find(label)? + label.len()..];
    after
        .split(|c: char| !c.is_ascii_digit() && c != ',')
        .find(|w| !w.is_empty())?
        .replace(',', "")
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pane_counts_match_kubectl_at_reduced_fleet_scale() {
    let h = sim::start(SimOptions {
        profile: Profile::Hub,
        live: false,
        seed: 3,
        scale: SCALE.parse().expect("scale"),
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, h.kubeconfig_yaml()).unwrap();

    let nodes = kubectl_count(&kc, "nodes").await;
    let csrs = kubectl_count(&kc, "certificatesigningrequests").await;
    let pools = kubectl_count(&kc, "nodepools.hypershift.openshift.io").await;
    let hcs = kubectl_count(&kc, "hostedclusters.hypershift.openshift.io").await;
    let dvs = kubectl_count(&kc, "datavolumes.cdi.kubevirt.io").await;
    assert!(nodes >= 300 && csrs >= 1200 && pools >= 80 && hcs >= 20 && dvs >= 600);

    let mut s = SCREEN.open(&h.kubeconfig_yaml(), tui_support::app(false));
    // Every kind live first, so each count below is a complete list.
    SCREEN
        .wait_for(&mut s, "the overview", |x| x.contains("Nodes"))
        .await;

    command(&mut s, "no");
    let want = format!("Nodes {nodes}");
    SCREEN
        .wait_for(&mut s, &want, |x| {
            number_after(x, "Nodes ") == Some(nodes) && !x.contains("loading")
        })
        .await;

    command(&mut s, "csr");
    let x = SCREEN
        .wait_for(&mut s, "every CSR counted", |x| {
            number_after(x, "pending of ") == Some(csrs)
        })
        .await;
    assert!(x.contains("CSRs"), "{x}");

    command(&mut s, "np");
    SCREEN
        .wait_for(&mut s, "every node pool counted", |x| {
            number_before(x, "node pools ·") == Some(pools)
        })
        .await;

    command(&mut s, "hc");
    SCREEN
        .wait_for(&mut s, "every hosted cluster listed", |x| {
            x.contains("Hosted clusters") && number_after(x, "Hosted clusters ") == Some(hcs)
        })
        .await;

    command(&mut s, "copy");
    SCREEN
        .wait_for(&mut s, "every DataVolume counted", |x| {
            let live = number_after(x, "Copies — ");
            let finished = number_before(x, "finished");
            live.zip(finished).map(|(a, b)| a + b) == Some(dvs)
        })
        .await;

    // Back on the Nodes pane after the others were shown: still the same count.
    command(&mut s, "no");
    SCREEN
        .wait_for(&mut s, "the nodes again", |x| {
            number_after(x, "Nodes ") == Some(nodes)
        })
        .await;
    h.shutdown();
}
