//! The fault matrix: the real TUI (App + Session on a TestBackend) against the sim under each
//! `--faults` kind alone and all together, a sim replaced on the same address by one with other
//! objects, list errors at 20 % (and 5 % with 20,000 CSRs), and rejected credentials. After a
//! fault, the panes' rows equal the server's objects within a bounded time and the header says
//! live by itself, with no object changing to nudge it. Signals are in `signals_pty.rs`.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use shiftdeck::event_loop::Session;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{self as sim, ADMIN_TOKEN, Faults, Scale, SimHandle, SimOptions};
use tui_support::{Screen, command, pump};

const SCREEN: Screen = Screen {
    w: 180,
    h: 50,
    never: &[ADMIN_TOKEN],
    wait: Duration::from_secs(90),
};

const LIVE: &str = "● live";

async fn still_sim(faults: &str, scale: Scale) -> SimHandle {
    sim::start(SimOptions {
        live: false,
        faults: faults.parse::<Faults>().unwrap(),
        scale,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn open(h: &SimHandle) -> Session {
    SCREEN.open(&h.kubeconfig_yaml(), tui_support::app(true))
}

fn count(h: &SimHandle, key: &str) -> usize {
    h.store.count(by_key(key))
}

/// The Nodes pane shows exactly the server's nodes and the header says live.
async fn nodes_match(session: &mut Session, h: &SimHandle, what: &str) -> String {
    let want = format!("Nodes {}", count(h, "nodes"));
    SCREEN
        .wait_for(session, what, |s| {
            s.contains(&want) && s.contains(LIVE) && !s.contains("reconnecting")
        })
        .await
}

/// The CSR pane counts every CSR the server has, and the header says live.
async fn csrs_match(session: &mut Session, h: &SimHandle, what: &str) -> String {
    let want = format!(
        "of {}",
        count(h, "certificatesigningrequests.certificates.k8s.io")
    );
    SCREEN
        .wait_for(session, what, |s| s.contains(&want) && s.contains(LIVE))
        .await
}

/// Pump the session for `d`, returning whether `pred` held on some screen meanwhile.
async fn pump_for(session: &mut Session, d: Duration, pred: impl Fn(&str) -> bool) -> bool {
    let end = Instant::now() + d;
    let mut seen = false;
    while Instant::now() < end {
        seen |= pred(&SCREEN.render(&session.app));
        pump(session).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_quiet_panes_are_live_again_by_themselves() {
    // Nothing changes in this cluster: only a re-established watch can make it live again.
    let h = still_sim("restart=5s", Scale::default()).await;
    let mut session = open(&h);
    command(&mut session, "nodes");
    nodes_match(&mut session, &h, "the nodes, live").await;
    let started = Instant::now();
    let saw = pump_for(&mut session, Duration::from_secs(6), |s| {
        s.contains("reconnecting")
    })
    .await;
    assert!(saw, "the restart was never noticed");
    // Between this restart and the next (every 5 s) the pane must be live again.
    let s = nodes_match(&mut session, &h, "live again after the restart").await;
    assert!(started.elapsed() < Duration::from_secs(12), "{s}");
    assert!(!s.contains("retrying"), "the banner stays: {s}");
    h.shutdown();
}

/// A sim on `addr` once the old one has let go of it.
async fn start_on(addr: SocketAddr, scale: Scale) -> SimHandle {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match sim::start(SimOptions {
            listen: addr,
            live: false,
            scale: scale.clone(),
            ..Default::default()
        })
        .await
        {
            Ok(h) => return h,
            Err(e) => {
                assert!(Instant::now() < deadline, "cannot bind {addr} again: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_replaced_by_one_with_other_objects_is_listed_again() {
    // The first server has five more nodes than the one that replaces it on the same address
    // (same CA and tokens: the same kubeconfig reconnects).
    let first = still_sim(
        "",
        Scale {
            nodes: 5,
            ..Default::default()
        },
    )
    .await;
    let mut session = open(&first);
    command(&mut session, "nodes");
    nodes_match(&mut session, &first, "the first server's nodes").await;
    let before = count(&first, "nodes");
    let addr = first.addr;
    first.shutdown();
    pump_for(&mut session, Duration::from_secs(2), |_| true).await;
    let second = start_on(addr, Scale::default()).await;
    assert!(count(&second, "nodes") < before);
    nodes_match(&mut session, &second, "the second server's nodes, live").await;
    second.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_load_at_a_20_percent_error_rate() {
    let h = still_sim(
        "error-rate=0.2",
        Scale {
            csrs: 3000,
            nodes: 1000,
            ..Default::default()
        },
    )
    .await;
    let mut session = open(&h);
    command(&mut session, "nodes");
    nodes_match(&mut session, &h, "every node at 20 % errors").await;
    command(&mut session, "csr");
    csrs_match(&mut session, &h, "every CSR at 20 % errors").await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_thousand_csrs_load_at_a_5_percent_error_rate() {
    let h = still_sim(
        "error-rate=0.05",
        Scale {
            csrs: 20_000,
            ..Default::default()
        },
    )
    .await;
    let mut session = open(&h);
    command(&mut session, "csr");
    let started = Instant::now();
    csrs_match(&mut session, &h, "20,000 CSRs at 5 % errors").await;
    eprintln!(
        "20,000 CSRs at 5 % errors loaded in {:?}",
        started.elapsed()
    );
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_and_expired_watches_keep_rows_in_step() {
    let h = still_sim("watch-drop=2s,expire-watches=3s", Scale::default()).await;
    let mut session = open(&h);
    command(&mut session, "nodes");
    nodes_match(&mut session, &h, "the nodes").await;
    // Through several drops and expiries, the server's changes reach the pane.
    let client = h.client().await.unwrap();
    let nodes: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client);
    let names: Vec<String> = nodes
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for name in names.iter().rev().take(3) {
        pump_for(&mut session, Duration::from_millis(1500), |_| true).await;
        nodes.delete(name, &Default::default()).await.unwrap();
    }
    let s = nodes_match(&mut session, &h, "three nodes fewer").await;
    for name in names.iter().rev().take(3) {
        assert!(
            !s.contains(&format!(" {name} ")),
            "{name} still shown:\n{s}"
        );
    }
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_node_pools_are_never_counted_as_zero() {
    let h = still_sim("forbid=nodepools", Scale::default()).await;
    let mut session = open(&h);
    command(&mut session, "hc");
    let s = SCREEN
        .wait_for(&mut session, "hosted clusters with unreadable pools", |s| {
            s.contains("example") && s.contains("forbidden")
        })
        .await;
    let row = s.lines().find(|l| l.contains(" example ")).unwrap();
    assert!(!row.contains("0/0"), "{row}");
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_once_then_rows_match_and_live() {
    let h = still_sim(
        "watch-drop=3s,expire-watches=4s,error-rate=0.1,latency=20ms,restart=7s,forbid=nodepools",
        Scale {
            csrs: 500,
            ..Default::default()
        },
    )
    .await;
    let mut session = open(&h);
    command(&mut session, "nodes");
    nodes_match(&mut session, &h, "nodes under every fault").await;
    command(&mut session, "csr");
    csrs_match(&mut session, &h, "CSRs under every fault").await;
    // Through a restart and back.
    pump_for(&mut session, Duration::from_secs(8), |_| true).await;
    csrs_match(&mut session, &h, "CSRs live again").await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_says_so_in_one_line_and_is_not_retried() {
    let h = still_sim("", Scale::default()).await;
    let bad = h
        .kubeconfig_yaml()
        .replace(ADMIN_TOKEN, "expired-token-of-yesterday");
    let mut session = SCREEN.open(&bad, tui_support::app(true));
    command(&mut session, "nodes");
    let s = SCREEN
        .wait_for(&mut session, "the token rejected", |s| {
            s.contains("token rejected: log in again")
        })
        .await;
    assert!(s.contains(":ctx to reconnect"), "{s}");
    assert!(!s.contains("Status {"), "a debug dump: {s}");
    // No endless retry: the banner stays, no attempt counter moves.
    let retried = pump_for(&mut session, Duration::from_secs(6), |s| {
        s.contains("attempt") || s.contains("reconnecting")
    })
    .await;
    assert!(!retried, "an auth failure was retried");
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_says_so_in_one_line() {
    let h = still_sim("", Scale::default()).await;
    let other = rcgen::generate_simple_self_signed(vec!["elsewhere.example".into()]).unwrap();
    let other_ca = shiftdeck_sim::pki::b64(&other.cert.pem());
    let kc = sim::kubeconfig_yaml(&h.url, Some(&other_ca), ADMIN_TOKEN, "hub");
    let mut session = SCREEN.open(&kc, tui_support::app(true));
    command(&mut session, "nodes");
    let s = SCREEN
        .wait_for(&mut session, "the certificate not trusted", |s| {
            s.contains("certificate not trusted")
        })
        .await;
    assert!(!s.contains("client error (Connect)\n"), "{s}");
    h.shutdown();
}

/// The stream itself, with a rejected token: it says 401 once, with no retry, and ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_stream_stops_at_a_rejected_token() {
    use futures::StreamExt;
    use shiftdeck::watch::resilient::{self, Step};
    let h = still_sim("", Scale::default()).await;
    let bad = h
        .kubeconfig_yaml()
        .replace(ADMIN_TOKEN, "expired-token-of-yesterday");
    let kc: kube::config::Kubeconfig = serde_yaml::from_str(&bad).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let api: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client);
    let steps: Vec<Step<_>> = tokio::time::timeout(
        Duration::from_secs(10),
        resilient::stream(api, resilient::PAGE).collect(),
    )
    .await
    .expect("the stream ends by itself");
    let failures: Vec<_> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Failed(f) => Some(f.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].code, Some(401));
    assert_eq!(failures[0].retry_in, None);
    assert!(
        failures[0].message.contains("token rejected: log in again"),
        "{}",
        failures[0].message
    );
    h.shutdown();
}

/// At a 30 % error rate every failed page is retried on its own: one list (one `Init`), all
/// objects, no restart from the first page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_page_is_retried_by_its_continue_token() {
    use futures::StreamExt;
    use kube::runtime::watcher::Event;
    use shiftdeck::watch::resilient::{self, Step};
    let h = still_sim(
        "error-rate=0.3",
        Scale {
            csrs: 5000,
            ..Default::default()
        },
    )
    .await;
    let api: kube::Api<k8s_openapi::api::certificates::v1::CertificateSigningRequest> =
        kube::Api::all(h.client().await.unwrap());
    let stream = resilient::stream(api, resilient::PAGE);
    futures::pin_mut!(stream);
    let (mut inits, mut objects, mut failures) = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let step = tokio::time::timeout_at(deadline.into(), stream.next())
            .await
            .expect("the list completes")
            .expect("the stream goes on");
        match step {
            Step::Event(Event::Init) => inits += 1,
            Step::Event(Event::InitApply(_)) => objects += 1,
            Step::Event(Event::InitDone) => break,
            Step::Failed(f) => {
                assert_eq!(f.code, Some(500), "{f:?}");
                assert!(f.retry_in.is_some());
                failures += 1;
            }
            other => panic!("unexpected before the list is done: {other:?}"),
        }
    }
    let want = count(&h, "certificatesigningrequests.certificates.k8s.io");
    assert_eq!(objects, want, "every CSR once");
    assert_eq!(inits, 1, "the list never restarted");
    assert!(
        failures > 0,
        "no page failed at 30 %: the test proves nothing"
    );
    h.shutdown();
}
