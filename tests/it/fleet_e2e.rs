//! End to end for the Node pools and MachineSets panes against the in-process sim: scaling a
//! node pool by keys (confirm, pipeline, current reaching desired, scale down), the autoscaling
//! refusal with the min/max edit, refused numbers, a viewer's disabled keys, and the Azure
//! MachineSets with their OS and ARCH.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use crossterm::event::KeyCode;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::json;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck_sim::{self as sim, Profile, SimOptions, SimUser};
use tui_support::{Screen, command, ctrl_u, filter, press, type_text};

const SCREEN: Screen = Screen {
    w: 170,
    h: 50,
    never: &[],
    wait: tui_support::WAIT,
};

fn open(kubeconfig_yaml: &str, audit: Option<std::path::PathBuf>) -> Session {
    let mut app = tui_support::app(false);
    app.audit_path = audit;
    SCREEN.open(kubeconfig_yaml, app)
}

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

/// `:cmd`, wait for the rows (keys pressed before connecting would go to the panes being
/// replaced), then a filter selecting `text`.
async fn goto(session: &mut Session, cmd: &str, text: &str) {
    command(session, cmd);
    wait_for(session, "rows", |x| x.contains(text)).await;
    filter(session, text);
}

/// The table line of a pool (starts with its namespace after the column drop).
fn pool_line<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.lines()
        .find(|l| l.split_whitespace().any(|w| w == name) && l.contains("KubeVirt"))
}

/// DESIRED and CURRENT of a pool's row (the two numbers after the cluster).
fn desired_current(s: &str, name: &str) -> Option<(i64, i64)> {
    let l = pool_line(s, name)?;
    let nums: Vec<i64> = l
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .take(2)
        .collect();
    match nums.as_slice() {
        [d, c] => Some((*d, *c)),
        _ => None,
    }
}

fn nodepools_api(client: kube::Client) -> kube::Api<DynamicObject> {
    let ar = ApiResource {
        group: "hypershift.openshift.io".into(),
        version: "v1beta1".into(),
        api_version: "hypershift.openshift.io/v1beta1".into(),
        kind: "NodePool".into(),
        plural: "nodepools".into(),
    };
    kube::Api::namespaced_with(client, "clusters", &ar)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_a_node_pool_up_and_down_by_keys() {
    let h = sim::start(SimOptions {
        live: false,
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let audit =
        std::env::temp_dir().join(format!("shiftdeck-np-audit-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit);
    let mut s = open(&h.kubeconfig_yaml(), Some(audit.clone()));
    goto(&mut s, "np", "extra-cpu").await;
    wait_for(&mut s, "the pool row", |x| {
        desired_current(x, "example-extra-cpu") == Some((0, 0))
    })
    .await;

    // Refused numbers stay in the dialog with the reason.
    press(&mut s, KeyCode::Char('='));
    wait_for(&mut s, "the number input", |x| x.contains("nodes:")).await;
    type_text(&mut s, "abc");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "not a number", |x| x.contains("is not a number")).await;
    ctrl_u(&mut s);
    type_text(&mut s, "600");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "too many", |x| x.contains("more than 500")).await;
    ctrl_u(&mut s);
    type_text(&mut s, "-3");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "negative", |x| x.contains("cannot be negative")).await;
    press(&mut s, KeyCode::Esc);

    // Up by one: confirm, then the pipeline, then current reaches desired.
    press(&mut s, KeyCode::Char('+'));
    wait_for(&mut s, "the confirm", |x| {
        x.contains("Scale from 0 to 1 nodes?")
    })
    .await;
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "the pipeline", |x| {
        x.contains("scaling up") && x.contains("✓ Machine")
    })
    .await;
    let done = wait_for(&mut s, "current = desired", |x| {
        desired_current(x, "example-extra-cpu") == Some((1, 1))
    })
    .await;
    let done = if done.contains("scaled 0→1") {
        done
    } else {
        wait_for(&mut s, "the finished scaling", |x| x.contains("scaled 0→1")).await
    };
    assert!(done.contains("clusters/example-extra-cpu"), "{done}");

    // Down by one: the confirm names the machine likely to go.
    press(&mut s, KeyCode::Char('-'));
    let c = wait_for(&mut s, "the scale-down confirm", |x| {
        x.contains("Scale from 1 to 0 nodes?")
    })
    .await;
    assert!(c.contains("Likely to be removed:"), "{c}");
    assert!(c.contains("example-extra-cpu-"), "{c}");
    press(&mut s, KeyCode::Enter);
    // (Whether the finished line shows depends on the UI seeing the in-between state.)
    wait_for(&mut s, "scaled down", |x| {
        desired_current(x, "example-extra-cpu") == Some((0, 0))
    })
    .await;

    let log = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!(lines[0]["action"], "scale");
    assert_eq!(lines[0]["from"], 0);
    assert_eq!(lines[0]["to"], 1);
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[1]["to"], 0);
    let _ = std::fs::remove_file(&audit);
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscaled_pool_offers_min_max_instead() {
    let h = sim::start(SimOptions {
        live: false,
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let api = nodepools_api(h.client().await.unwrap());
    api.patch(
        "user-np",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": null, "autoScaling": {"min": 2, "max": 4}}})),
    )
    .await
    .unwrap();
    let mut s = open(&h.kubeconfig_yaml(), None);
    goto(&mut s, "np", "user-np").await;
    wait_for(&mut s, "the autoscaled row", |x| {
        // DESIRED is blank once autoscaling owns the count.
        pool_line(x, "user-np").is_some_and(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.get(4).is_some_and(|c| c.parse::<i64>().is_err())
        })
    })
    .await;
    press(&mut s, KeyCode::Char('+'));
    wait_for(&mut s, "the refusal", |x| {
        x.contains("Autoscaling is on (min 2, max 4)") && x.contains("cannot be scaled")
    })
    .await;
    ctrl_u(&mut s);
    type_text(&mut s, "0 3");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "min too low", |x| {
        x.contains("autoscaling min must be at least 1 on KubeVirt")
    })
    .await;
    ctrl_u(&mut s);
    type_text(&mut s, "5 3");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "min above max", |x| {
        x.contains("must not be greater than max")
    })
    .await;
    ctrl_u(&mut s);
    type_text(&mut s, "2 6");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "the confirm", |x| {
        x.contains("Set autoscaling to min 2, max 6?")
    })
    .await;
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "the notice", |x| {
        x.contains("autoscaling set to min 2, max 6")
    })
    .await;
    let np = api.get("user-np").await.unwrap();
    assert_eq!(np.data["spec"]["autoScaling"], json!({"min": 2, "max": 6}));
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_sees_scale_keys_disabled_with_the_reason() {
    let h = sim::start(SimOptions {
        live: false,
        user: SimUser::Viewer,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut s = open(&h.kubeconfig_yaml(), None);
    goto(&mut s, "np", "example").await;
    wait_for(&mut s, "rows", |x| pool_line(x, "example").is_some()).await;
    press(&mut s, KeyCode::Char('+'));
    let x = wait_for(&mut s, "the reason", |x| {
        x.contains("scaling disabled: RBAC: you may not update nodepools/scale")
    })
    .await;
    assert!(!x.contains("Scale from"), "{x}");
    // The status bar keeps saying why, and no dialog opens on a second try.
    press(&mut s, KeyCode::Char('='));
    let x = screen(&s.app);
    assert!(!x.contains("nodes:"), "{x}");
    h.shutdown();
}

/// DESIRED and CURRENT of a MachineSet's row (its first two numbers).
fn ms_desired_current(s: &str, name: &str) -> Option<(i64, i64)> {
    let l = s
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))?;
    let nums: Vec<i64> = l
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .take(2)
        .collect();
    match nums.as_slice() {
        [d, c] => Some((*d, *c)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_an_arm64_machineset_up_and_down_by_keys() {
    let h = sim::start(SimOptions {
        live: false,
        speed: 50.0,
        profile: Profile::Azure,
        ..Default::default()
    })
    .await
    .unwrap();
    let audit =
        std::env::temp_dir().join(format!("shiftdeck-ms-audit-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit);
    let mut s = open(&h.kubeconfig_yaml(), Some(audit.clone()));
    goto(&mut s, "ms", "arm64-worker").await;
    let x = wait_for(&mut s, "the ARM64 set", |x| x.contains("arm64-worker")).await;
    let name = x
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|w| w.contains("arm64-worker"))
        .unwrap()
        .to_string();
    wait_for(&mut s, "2 of 2", |x| {
        ms_desired_current(x, &name) == Some((2, 2))
    })
    .await;

    press(&mut s, KeyCode::Char('+'));
    wait_for(&mut s, "the confirm", |x| x.contains("Scale from 2 to 3")).await;
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "3 of 3", |x| {
        ms_desired_current(x, &name) == Some((3, 3))
    })
    .await;

    // Down: the confirm says the node is drained first and names the machine likely to go.
    press(&mut s, KeyCode::Char('-'));
    let c = wait_for(&mut s, "the scale-down confirm", |x| {
        x.contains("Scale from 3 to 2")
    })
    .await;
    assert!(c.contains("drained"), "{c}");
    assert!(c.contains("Likely to be removed:"), "{c}");
    press(&mut s, KeyCode::Enter);
    wait_for(&mut s, "2 of 2 again", |x| {
        ms_desired_current(x, &name) == Some((2, 2))
    })
    .await;
    let log = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!(
        (lines[0]["from"].as_i64(), lines[0]["to"].as_i64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (lines[1]["from"].as_i64(), lines[1]["to"].as_i64()),
        (Some(3), Some(2))
    );
    let _ = std::fs::remove_file(&audit);
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_machinesets_show_windows_and_arm64() {
    let h = sim::start(SimOptions {
        live: false,
        profile: Profile::Azure,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut s = open(&h.kubeconfig_yaml(), None);
    command(&mut s, "ms");
    let x = wait_for(&mut s, "Windows and ARM64 sets", |x| {
        x.lines()
            .any(|l| l.contains("Windows") && l.contains("amd64"))
            && x.lines()
                .any(|l| l.contains("arm64-worker") && l.contains("arm64"))
    })
    .await;
    assert!(x.contains("OS") && x.contains("ARCH"), "{x}");
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_nodepools_and_machinesets_print_the_pane_rows() {
    use shiftdeck::output::OutputFormat;
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let t = shiftdeck::get_fleet::nodepools(client.clone(), "sim", OutputFormat::Table)
        .await
        .unwrap();
    let header = t.lines().next().unwrap();
    for h in [
        "NAME",
        "CLUSTER",
        "DESIRED NODES",
        "CURRENT NODES",
        "AUTOSCALING",
        "LIVEMIGRATABLE",
    ] {
        assert!(header.contains(h), "{header}");
    }
    assert!(t.lines().any(|l| l.contains("example-extra-cpu")), "{t}");
    let j = shiftdeck::get_fleet::machinesets(client, "sim", OutputFormat::Json)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v[0]["NAME"], "hub-7x2kq-worker-0");
    assert_eq!(v[0]["DESIRED"], "6");
    assert_eq!(v[0]["ARCH"], "amd64");
    h.shutdown();
}
