//! The Copies pane: a whole-screen snapshot with DataVolume, Azure and mirror items (fixed now),
//! and end to end against the hub sim plus the fake blob service: DataVolume imports progress,
//! the demo blob copy shows pending with %, a bad SAS typed into `:blob` is a 403 row, abort works
//! with `x` and a confirmation, and `get copies -o json` lists the sim's DataVolumes. No screen
//! ever shows a SAS signature.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::jiff::Timestamp;
use kube::runtime::watcher::Event as WEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use shiftdeck::action::Action;
use shiftdeck::app::App;
use shiftdeck::config::AzureCopy;
use shiftdeck::copies::azure::{BlobError, BlobProperties, CopyProperties, CopyStatus};
use shiftdeck::copies::dv_resource::DataVolume;
use shiftdeck::copies::fake_blob::{self, FAKE_SAS};
use shiftdeck::copies::mirror::{
    ImageDone, MirrorEvent, MirrorJob, MirrorOptions, parse_image_list,
};
use shiftdeck::event_loop::Session;
use shiftdeck::keymap::Keymap;
use shiftdeck::kube_conn::Source;
use shiftdeck::output::OutputFormat;
use shiftdeck::panes::copies::runtime::CopyMsg;
use shiftdeck::theme::Theme;
use shiftdeck::watch::{KindState, Stores, WatchMsg};
use shiftdeck_sim::{self as sim, SimOptions};

const FAKE_SIG_VALUE: &str = "ZmFrZS1zaWduYXR1cmU";

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

fn at(s: i64) -> Timestamp {
    now() + k8s_openapi::jiff::SignedDuration::from_secs(s)
}

fn dv(ns: &str, name: &str, phase: &str, progress: &str, vm: &str) -> DataVolume {
    serde_json::from_value(json!({
        "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": "7",
                     "creationTimestamp": "2023-11-14T22:03:20Z",
                     "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                                          "name": vm, "uid": "u-1", "controller": true}]},
        "spec": {"source": {"http": {"url": "https://example.com/rhcos.qcow2"}},
                 "storage": {"resources": {"requests": {"storage": "32Gi"}}}},
        "status": {"phase": phase, "progress": progress}
    }))
    .unwrap()
}

fn props(status: CopyStatus, done: u64, desc: Option<&str>) -> BlobProperties {
    BlobProperties {
        content_length: Some(17_179_869_696),
        copy: CopyProperties {
            id: Some("1fd97630-03ca-489a-8c4e-cfe839c9627d".into()),
            status: Some(status),
            progress: Some((done, 17_179_869_696)),
            source: Some(fake_blob::DEMO_SOURCE.into()),
            completion_time: None,
            status_description: desc.map(str::to_string),
        },
    }
}

fn screen_of(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

fn no_signature(s: &str) {
    assert!(
        !s.contains(FAKE_SIG_VALUE),
        "a SAS signature is on screen:\n{s}"
    );
    assert!(
        !s.contains("d3Jvbmc"),
        "the typed SAS signature is on screen:\n{s}"
    );
}

#[test]
fn copies_pane_snapshot() {
    let (stores, mut writers) = Stores::with_writers();
    writers.datavolumes.apply_watcher_event(&WEvent::Init);
    for d in [
        dv(
            "clusters-example",
            "example-extra-cpu-s5x2k-rhcos",
            "ImportInProgress",
            "42.50%",
            "example-extra-cpu-s5x2k",
        ),
        dv(
            "clusters-example",
            "example-dr6kx-rhcos",
            "Succeeded",
            "100.0%",
            "example-dr6kx",
        ),
        dv(
            "clusters-user",
            "user-np-7bdzb-rhcos",
            "Failed",
            "12.00%",
            "user-np-7bdzb",
        ),
    ] {
        writers
            .datavolumes
            .apply_watcher_event(&WEvent::InitApply(d));
    }
    writers.datavolumes.apply_watcher_event(&WEvent::InitDone);
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    // DataVolume samples are stamped with the pane's clock: pin it (it survives `connected`).
    app.copies_pane().unwrap().fixed_now = Some(now());
    app.connected(1, "hub", "https://api.hub.example:6443", stores);
    app.on_watch(WatchMsg::State {
        generation: 1,
        kind: "datavolumes",
        state: KindState::Live,
    });
    let url =
        "http://127.0.0.1:10000/fakeaccount/vhds/rhcos-415.92.202402201450-0-azure.aarch64.vhd";
    let failing =
        "http://127.0.0.1:10000/fakeaccount/vhds/rhcos-414.92.202310210434-0-azure.aarch64.vhd";
    let p = app.copies_pane().unwrap();
    p.track_blob(url, FAKE_SAS);
    p.track_blob(failing, FAKE_SAS);
    let k: Vec<String> = p.blobs.iter().map(|b| b.target.url()).collect();
    for (i, done) in [
        2_000_000_000u64,
        3_000_000_000,
        4_100_000_000,
        5_000_000_000,
    ]
    .iter()
    .enumerate()
    {
        p.apply_msg(CopyMsg::BlobPolled {
            key: k[0].clone(),
            result: Ok(props(CopyStatus::Pending, *done, None)),
            at: at(-30 + 3 * i as i64),
        });
    }
    p.apply_msg(CopyMsg::BlobPolled {
        key: k[1].clone(),
        result: Err(BlobError::Service {
            status: 403,
            code: "AuthenticationFailed".into(),
            message: Some("Server failed to authenticate the request.".into()),
        }),
        at: at(-5),
    });
    let images =
        parse_image_list("quay.io/microshift/router:4.18\nquay.io/microshift/dns:4.18\n").unwrap();
    let opts = MirrorOptions {
        skopeo: "/bin/sh".into(),
        tag_stamp: "20231114".into(),
        ..Default::default()
    };
    let job = MirrorJob::new(images, "dir:/var/mirror".parse().unwrap(), opts).unwrap();
    p.start_mirror(job);
    for ev in [
        MirrorEvent::Started {
            index: 0,
            at: at(-20),
        },
        MirrorEvent::Finished {
            index: 0,
            at: at(-10),
            result: Ok(ImageDone {
                digest: Some("sha256:abc".into()),
                bytes: Some(52_428_800),
            }),
        },
        MirrorEvent::Started {
            index: 1,
            at: at(-9),
        },
        MirrorEvent::Finished {
            index: 1,
            at: at(-8),
            result: Err(shiftdeck::copies::mirror::ImageError::Skopeo(
                "manifest unknown".into(),
            )),
        },
    ] {
        p.apply_msg(CopyMsg::Mirror { job: 0, event: ev });
    }
    app.update(Action::Command("copy".into()));
    let s = screen_of(&mut app, 160, 30);
    no_signature(&s);
    insta::assert_snapshot!("copies_pane", s);
    // Details of the selected (first) row and of the blob copy: facts and the az commands.
    app.update(Action::OpenFilter);
    for c in "415".chars() {
        app.update(Action::Input(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    app.update(Action::Submit);
    app.update(Action::Details);
    let s = screen_of(&mut app, 160, 30);
    no_signature(&s);
    assert!(s.contains("az storage blob"), "{s}");
    insta::assert_snapshot!("copies_blob_details", s);
}

// ---- end to end ----

const W: u16 = 170;
const H: u16 = 50;

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
    t.backend().to_string()
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let s = screen(&session.app);
        no_signature(&s);
        if pred(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen:\n{s}"
        );
        tokio::select! {
            _ = session.next() => {}
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                session.app.set_time(Timestamp::now(), Instant::now());
                session.app.update(Action::Tick);
            }
        }
    }
}

fn press(session: &mut Session, code: KeyCode) {
    session.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(session: &mut Session, text: &str) {
    for c in text.chars() {
        press(session, KeyCode::Char(c));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_pane_against_the_sim_and_the_fake_blob_service() {
    let h = sim::start(SimOptions {
        speed: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let (_endpoint, blobs) = fake_blob::start_fake_blob_service(2.0).await.unwrap();
    let source = Source::from_yaml(&h.kubeconfig_yaml(), "test").unwrap();
    let mut session = Session::new(App::new(Keymap::default(), Theme::default(), false), source);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = audit_dir.path().join("audit.jsonl");
    session.app.audit_path = Some(audit.clone());
    session.app.update(Action::Resize(W, H));
    // The demo's tracked copies, as `shiftdeck demo` registers them.
    session
        .app
        .track_blob_copies(&fake_blob::demo_tracked_copies(&blobs));
    session.connect(None);
    press(&mut session, KeyCode::Char(':'));
    type_text(&mut session, "copy");
    press(&mut session, KeyCode::Enter);

    // `example-extra-cpu` scales 0→2 at start: two DataVolume imports appear and progress.
    // At speed 50 an import takes well under a second, so progress is checked on the samples the
    // pane folded in (one per observed change), not on a screen that might miss it.
    wait_for(
        &mut session,
        "the example-extra-cpu DataVolumes imported",
        |s| {
            s.lines()
                .filter(|l| {
                    l.contains("datavolume") && l.contains("example-extra") && l.contains("100.0%")
                })
                .count()
                >= 2
        },
    )
    .await;
    let p = session.app.copies_pane().unwrap();
    let samples: Vec<usize> = p
        .book
        .all()
        .into_iter()
        .filter(|i| i.name.starts_with("example-extra-cpu"))
        .map(|i| i.estimator.len())
        .collect();
    assert_eq!(samples.len(), 2, "{samples:?}");
    assert!(
        samples.iter().any(|n| *n >= 2),
        "imports were seen progressing: {samples:?}"
    );
    wait_for(&mut session, "the demo blob copy pending with %", |s| {
        s.lines()
            .any(|l| l.contains("rhcos-415") && l.contains("Running") && l.contains('%'))
    })
    .await;
    wait_for(&mut session, "the failing demo copy", |s| {
        s.contains("Copy failed when reading the source")
    })
    .await;

    // A copy typed into the form with a wrong SAS: masked while typing, then a 403 row.
    press(&mut session, KeyCode::Char(':'));
    type_text(&mut session, "blob");
    press(&mut session, KeyCode::Enter);
    let bad_url = format!("http://{}/fakeaccount/vhds/other.vhd", blobs.addr);
    type_text(&mut session, &bad_url);
    press(&mut session, KeyCode::Tab);
    type_text(
        &mut session,
        "sv=2021-08-06&se=2099-01-01T00%3A00%3A00Z&sr=c&sp=racwdl&sig=d3Jvbmc%3D",
    );
    let s = screen(&session.app);
    no_signature(&s);
    assert!(s.contains("Track an Azure blob copy"), "{s}");
    press(&mut session, KeyCode::Enter);
    wait_for(&mut session, "the bad SAS as a 403 row", |s| {
        s.contains("HTTP 403")
    })
    .await;

    // Start a copy with `:blobcopy` (the hub has no coreos-bootimages, so give the source).
    press(&mut session, KeyCode::Char(':'));
    type_text(&mut session, "blobcopy");
    press(&mut session, KeyCode::Enter);
    type_text(
        &mut session,
        &format!("http://{}/fakeaccount/vhds", blobs.addr),
    );
    press(&mut session, KeyCode::Tab);
    type_text(&mut session, FAKE_SAS);
    press(&mut session, KeyCode::Tab);
    type_text(
        &mut session,
        "https://rhcos.blob.core.windows.net/imagebucket/rhcos-416.94.202410211619-0-azure.aarch64.vhd",
    );
    let s = screen(&session.app);
    no_signature(&s);
    assert!(
        s.contains("rhcos-416.94"),
        "the source is in the form:\n{s}"
    );
    // Enter asks first: a copy writes into the storage account.
    press(&mut session, KeyCode::Enter);
    let s = screen(&session.app);
    no_signature(&s);
    assert!(s.contains("Start a server-side Copy Blob"), "{s}");
    assert!(
        s.contains("rhcos-416.94"),
        "the confirm names the source:\n{s}"
    );
    assert!(
        !std::fs::exists(&audit).unwrap(),
        "nothing written before y"
    );
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "the started copy tracked", |s| {
        s.lines()
            .any(|l| l.contains("blob") && l.contains("rhcos-416") && l.contains('%'))
    })
    .await;

    // Abort the demo copy: filter to it, x, confirm with y.
    press(&mut session, KeyCode::Char('/'));
    type_text(&mut session, "rhcos-415");
    press(&mut session, KeyCode::Enter);
    press(&mut session, KeyCode::Char('x'));
    let s = screen(&session.app);
    assert!(s.contains("Abort the pending copy into rhcos-415"), "{s}");
    press(&mut session, KeyCode::Char('y'));
    wait_for(&mut session, "the aborted copy in the history", |s| {
        s.lines()
            .any(|l| l.contains("rhcos-415") && l.contains("Aborted"))
    })
    .await;
    // Both writes are in the audit log, without the SAS signature.
    let log = std::fs::read_to_string(&audit).unwrap();
    assert!(!log.contains(FAKE_SIG_VALUE), "{log}");
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("start-blob-copy", "started"),
            ("abort-blob-copy", "aborted")
        ],
        "{log}"
    );
    assert!(
        records[0]["target"]
            .as_str()
            .unwrap()
            .ends_with("/vhds/rhcos-416.94.202410211619-0-azure.aarch64.vhd"),
        "{log}"
    );

    // `get copies -o json`: the sim's DataVolumes plus the configured blob copy, polled once.
    let cfg = vec![AzureCopy {
        url: blobs.demo_blob_url(),
        sas: FAKE_SAS.into(),
    }];
    let out = shiftdeck::get_copies::copies(&h.client().await.unwrap(), &cfg, OutputFormat::Json)
        .await
        .unwrap();
    assert!(!out.contains(FAKE_SIG_VALUE));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v.as_array().unwrap();
    assert!(rows.iter().any(|r| r["KIND"] == "datavolume"), "{out}");
    assert!(
        rows.iter()
            .any(|r| r["KIND"] == "blob" && r["STATE"] == "Aborted"),
        "{out}"
    );
    h.shutdown();
}

/// Without CDI (MicroShift, Azure) the Copies pane still runs blob copies and mirrors: the header
/// shows the live connection and the pane's title says DataVolumes are not installed (a pane that
/// is nothing but its kind names the missing kind in the header: hosted_snapshots).
#[test]
fn header_without_cdi() {
    let (stores, _writers) = Stores::with_writers();
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.set_time(now(), Instant::now());
    app.connected(1, "edge", "https://api.edge.example:6443", stores);
    app.on_watch(WatchMsg::State {
        generation: 1,
        kind: "datavolumes",
        state: KindState::NotInstalled,
    });
    for c in ":copy\n".chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.handle_key(&crossterm::event::KeyEvent::new(
            code,
            crossterm::event::KeyModifiers::NONE,
        ));
    }
    let s = screen_of(&mut app, 150, 10);
    let header = s.lines().next().unwrap_or_default();
    assert!(header.contains("● live"), "{s}");
    assert!(s.contains("DataVolumes: CDI not installed"), "{s}");
}
