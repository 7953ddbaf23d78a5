//! The full fleet scale profile of issue 18 with every kind cached (see `benches/tui.rs`, 5).
// `per_object` takes each kind's dynamic type; for typed kinds that is `()`.
#![allow(clippy::unit_arg)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::Event;
use kube::{Client, Resource};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::de::DeserializeOwned;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck::keymap::Keymap;
use shiftdeck::kube_conn::Source;
use shiftdeck::theme::Theme;
use shiftdeck::watch::KindState;

use crate::support::{ms, percentile};

pub const SCALE: &str = "nodes=5000,csrs=20000,hostedclusters=200,nodepools=1000,datavolumes=10000";

fn allocated() -> usize {
    let _ = tikv_jemalloc_ctl::epoch::advance();
    tikv_jemalloc_ctl::stats::allocated::read().unwrap_or(0)
}

fn cpu_secs() -> f64 {
    // utime + stime of this process, in clock ticks (100 a second on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
        })
        .unwrap_or(0.0)
        / 100.0
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

struct Sim(std::process::Child, String);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sim(dir: &std::path::Path, churn: bool) -> Sim {
    let kubeconfig = dir.join("full.kubeconfig").display().to_string();
    let mut args = vec![
        "sim",
        "--profile",
        "hub",
        "--scale",
        SCALE,
        "--seed",
        "3",
        "--speed",
        "10",
        "--kubeconfig-out",
        &kubeconfig,
    ];
    if !churn {
        args.push("--still");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start shiftdeck sim");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..2 {
        lines.next();
    }
    Sim(child, kubeconfig)
}

/// Bytes per cached object of one kind: the listed objects, stripped as the watch strips them,
/// put in a fresh reflector store; jemalloc's allocated bytes before and after.
async fn per_object<K>(
    client: &Client,
    api: Api<K>,
    strip: fn(&mut K),
    dt: K::DynamicType,
) -> (usize, f64)
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    let _ = client;
    let mut items = api.list(&ListParams::default()).await.unwrap().items;
    for o in &mut items {
        strip(o);
    }
    let n = items.len();
    let before = allocated();
    let mut w: Writer<K> = Writer::new(dt);
    w.apply_watcher_event(&Event::Init);
    for o in &items {
        w.apply_watcher_event(&Event::InitApply(o.clone()));
    }
    w.apply_watcher_event(&Event::InitDone);
    // Measured while the listed items still live: the difference is the store's copies alone
    // (dropping the items first freed as much as the store took, so every kind read 0 KB).
    let after = allocated();
    drop(items);
    let per = after.saturating_sub(before) as f64 / n.max(1) as f64;
    drop(w);
    (n, per)
}

fn command(app: &mut App, cmd: &str) {
    let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
    app.handle_key(&k(KeyCode::Char(':')));
    for c in cmd.chars() {
        app.handle_key(&k(KeyCode::Char(c)));
    }
    app.handle_key(&k(KeyCode::Enter));
}

pub fn run() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let dir = tempfile::tempdir().unwrap();

    // 1. Memory per cached object per kind (a still sim: nothing moves while listing).
    {
        let sim = start_sim(dir.path(), false);
        let yaml = std::fs::read_to_string(&sim.1).unwrap();
        let source = Source::from_yaml(&yaml, "bench").unwrap();
        rt.block_on(async {
            let client = source.connect(None).await.unwrap().client;
            let dyn_api = |g: &str, v: &str, p: &str| {
                let ar = ApiResource {
                    group: g.into(),
                    version: v.into(),
                    api_version: if g.is_empty() {
                        v.into()
                    } else {
                        format!("{g}/{v}")
                    },
                    kind: String::new(),
                    plural: p.into(),
                };
                Api::<DynamicObject>::all_with(client.clone(), &ar)
            };
            println!("full scale ({SCALE}), memory per cached object (as the watches strip them):");
            let rows = vec![
                (
                    "Node",
                    per_object(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::kind::strip_node,
                        (),
                    )
                    .await,
                ),
                (
                    "CertificateSigningRequest",
                    per_object(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::kind::strip_csr,
                        (),
                    )
                    .await,
                ),
                (
                    "HostedCluster",
                    per_object::<shiftdeck::watch::dynamic::HostedCluster>(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::dynamic::strip_dyn,
                        Default::default(),
                    )
                    .await,
                ),
                (
                    "NodePool",
                    per_object::<shiftdeck::watch::dynamic::NodePool>(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::dynamic::strip_dyn,
                        Default::default(),
                    )
                    .await,
                ),
                (
                    "DataVolume",
                    per_object::<shiftdeck::copies::dv_resource::DataVolume>(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::copies::dv_resource::strip,
                        Default::default(),
                    )
                    .await,
                ),
                (
                    "Machine (MachineSets, CSR checks)",
                    per_object::<shiftdeck::watch::fleet::FleetMachine>(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::fleet::strip_machine,
                        Default::default(),
                    )
                    .await,
                ),
                (
                    "Machine, Cluster API (Node pools)",
                    per_object::<shiftdeck::watch::fleet::PoolMachine>(
                        &client,
                        Api::all(client.clone()),
                        shiftdeck::watch::fleet::strip_pool_machine,
                        Default::default(),
                    )
                    .await,
                ),
                (
                    "VirtualMachineInstance",
                    per_object(
                        &client,
                        dyn_api("kubevirt.io", "v1", "virtualmachineinstances"),
                        shiftdeck::watch::migration_kinds::strip,
                        kube::api::ApiResource::from_gvk_with_plural(
                            &kube::api::GroupVersionKind::gvk(
                                "kubevirt.io",
                                "v1",
                                "VirtualMachineInstance",
                            ),
                            "virtualmachineinstances",
                        ),
                    )
                    .await,
                ),
            ];
            for (kind, (n, per)) in rows {
                println!(
                    "  {kind}: {n} objects, {:.1} KB each, {:.1} MB in all",
                    per / 1024.0,
                    per * n as f64 / 1048576.0
                );
            }
        });
    }

    // 2. A live session against the churning sim: every kind watched and cached.
    let sim = start_sim(dir.path(), true);
    let yaml = std::fs::read_to_string(&sim.1).unwrap();
    let source = Source::from_yaml(&yaml, "bench").unwrap();
    let mut session = Session::new(App::new(Keymap::default(), Theme::default(), false), source);
    session.app.update(Action::Resize(200, 60));
    let start = Instant::now();
    session.connect(None);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            tokio::select! {
                _ = session.next() => {}
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            let states = session.app.kind_states();
            let settled = states.len() >= 10
                && states
                    .values()
                    .all(|s| matches!(s, KindState::Live | KindState::NotInstalled));
            if settled {
                break;
            }
            assert!(Instant::now() < deadline, "kinds not live: {states:?}");
        }
    });
    println!(
        "live session, sim churning at --speed 10: every kind live after {:.1} s, RSS {:.0} MiB, jemalloc allocated {:.0} MiB",
        start.elapsed().as_secs_f64(),
        rss_mib(),
        allocated() as f64 / 1048576.0
    );
    // As the event loop does while nobody types: each pane off screen gets its first full sync
    // (every object made into rows), one per tick, so the first switch to it only catches up.
    let mut warmed = Vec::new();
    let warm_start = Instant::now();
    while session.app.has_cold_panes() && warm_start.elapsed() < Duration::from_secs(60) {
        rt.block_on(async {
            tokio::select! {
                _ = session.next() => {}
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        });
        let before: Vec<&str> = session.app.cold_panes().collect();
        let a = allocated();
        let t = Instant::now();
        session
            .app
            .warm_up(Instant::now() + shiftdeck::app::WARM_IDLE);
        let took = t.elapsed();
        if let Some(p) = before
            .iter()
            .find(|p| !session.app.cold_panes().any(|c| c == **p))
        {
            println!(
                "    warmed {p}: {:.1} ms, allocated {:+.1} MiB",
                ms(took),
                (allocated() as f64 - a as f64) / 1048576.0
            );
            warmed.push(took);
        }
    }
    let still: Vec<&str> = session.app.cold_panes().collect();
    assert!(still.is_empty(), "panes never warmed: {still:?}");
    println!(
        "  warm-up while idle ({:.1} s after every kind was live): {} pane syncs, longest {:.1} ms, {:.1} ms in all; RSS {:.0} MiB, jemalloc allocated {:.0} MiB",
        warm_start.elapsed().as_secs_f64(),
        warmed.len(),
        warmed.iter().max().map_or(0.0, |d| ms(*d)),
        ms(warmed.iter().sum()),
        rss_mib(),
        allocated() as f64 / 1048576.0
    );
    for (pane, cmd) in [
        ("Nodes", "no"),
        ("CSRs", "csr"),
        ("Node pools", "np"),
        ("Hosted clusters", "hc"),
        ("Copies", "copy"),
        ("Readiness", "lm"),
        ("Maintenance", "maint"),
        ("MachineSets", "ms"),
        ("Cluster operators", "co"),
        ("Overview", "ov"),
        ("Health", "health"),
    ] {
        let a0 = allocated();
        let t = Instant::now();
        command(&mut session.app, cmd);
        terminal
            .draw(|f| shiftdeck::ui::render(&session.app, f))
            .unwrap();
        let switch = t.elapsed();
        let grown = (allocated() as f64 - a0 as f64) / 1048576.0;
        let (c0, w0) = (cpu_secs(), Instant::now());
        let mut turns = Vec::new();
        rt.block_on(async {
            let until = tokio::time::Instant::now() + Duration::from_secs(10);
            while tokio::time::Instant::now() < until {
                tokio::select! {
                    dirty = session.next() => {
                        // The turn as the loop runs it: apply, and draw when something changed.
                        let t = Instant::now();
                        if dirty {
                            terminal.draw(|f| shiftdeck::ui::render(&session.app, f)).unwrap();
                        }
                        turns.push(t.elapsed());
                    }
                    () = tokio::time::sleep_until(until) => {}
                }
            }
        });
        let cpu = (cpu_secs() - c0) / w0.elapsed().as_secs_f64() * 100.0;
        let n = turns.len();
        let (p50, p95) = if turns.is_empty() {
            (Duration::ZERO, Duration::ZERO)
        } else {
            (percentile(&mut turns, 0.5), percentile(&mut turns, 0.95))
        };
        println!(
            "  {pane}: switch + frame {:.1} ms (allocated {grown:+.0} MiB); 10 s of churn: {n} loop turns, draw p50 {:.2} ms p95 {:.2} ms, process CPU {cpu:.1} % of a core (watches included)",
            ms(switch),
            ms(p50),
            ms(p95)
        );
    }
    println!(
        "  RSS after the panes: {:.0} MiB, jemalloc allocated {:.0} MiB",
        rss_mib(),
        allocated() as f64 / 1048576.0
    );
    drop(sim);
}
