//! Image mirroring against real components: the Debian `docker-registry` binary and `skopeo`.
//! Each test builds small OCI images itself, pushes them with skopeo, then mirrors them with the
//! job (registry -> `dir:` and registry -> another repository). Missing tools fail loudly.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use ring::digest::{SHA256, digest};
use serde_json::json;
use shiftdeck::copies::mirror::{
    self, MirrorJob, MirrorOptions, MirrorStatus, MirrorTarget, find_program, parse_image_list,
};
use shiftdeck::copies::{CopyState, rows};
use tokio::process::{Child, Command};

fn need(tool: &str, install: &str) -> PathBuf {
    find_program(Path::new(tool)).unwrap_or_else(|| {
        panic!("`{tool}` is not installed: this test needs it (install with `{install}`)")
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

struct Registry {
    _child: Child,
    host: String,
    _dir: tempfile::TempDir,
}

/// Registries of this binary start one at a time: a port picked while another registry is still
/// starting could be picked twice (the loser exits with "address in use" and the test would talk to
/// the other test's registry).
static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start_registry() -> Registry {
    let _one_at_a_time = STARTING.lock().await;
    let bin = need("docker-registry", "apt-get install -y docker-registry");
    need("skopeo", "apt-get install -y skopeo");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = dir.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        ),
    )
    .expect("config");
    let mut child = Command::new(bin)
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start docker-registry");
    for _ in 0..100 {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("docker-registry exited ({status}) before listening on 127.0.0.1:{port}");
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Registry {
                _child: child,
                host: format!("127.0.0.1:{port}"),
                _dir: dir,
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("docker-registry did not listen on 127.0.0.1:{port} within 10 s");
}

fn sha256_hex(data: &[u8]) -> String {
    digest(&SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tar archive with one regular file (ustar headers, written by hand).
fn tar_one_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let put =
        |h: &mut [u8; 512], at: usize, s: &str| h[at..at + s.len()].copy_from_slice(s.as_bytes());
    put(&mut h, 100, "0000644\0");
    put(&mut h, 108, "0000000\0");
    put(&mut h, 116, "0000000\0");
    put(&mut h, 124, &format!("{:011o}\0", content.len()));
    put(&mut h, 136, "00000000000\0");
    h[156] = b'0';
    put(&mut h, 257, "ustar\0");
    put(&mut h, 263, "00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    put(&mut h, 148, &format!("{sum:06o}\0 "));
    let mut out = h.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// Write a minimal valid OCI image layout with one image tagged `tag`; returns the manifest
/// digest.
fn write_oci_layout(dir: &Path, tag: &str, content: &str) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("blobs dir");
    let put = |data: &[u8]| {
        let hex = sha256_hex(data);
        std::fs::write(blobs.join(&hex), data).expect("blob");
        (format!("sha256:{hex}"), data.len())
    };
    let layer = tar_one_file("hello.txt", content.as_bytes());
    let (layer_digest, layer_size) = put(&layer);
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]}
    }))
    .expect("config");
    let (config_digest, config_size) = put(&config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": layer_size}]
    }))
    .expect("manifest");
    let (manifest_digest, manifest_size) = put(&manifest);
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).expect("layout");
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": manifest_digest, "size": manifest_size,
        "annotations": {"org.opencontainers.image.ref.name": tag}}]});
    std::fs::write(dir.join("index.json"), index.to_string()).expect("index");
    manifest_digest
}

/// Build an image and push it to `registry/repo:tag`; returns its manifest digest.
async fn push_image(work: &Path, registry: &str, repo: &str, tag: &str) -> String {
    let layout = work.join(format!("oci-{}", repo.replace('/', "-")));
    let digest = write_oci_layout(&layout, tag, &format!("content of {repo}\n"));
    let out = Command::new("skopeo")
        .args(["copy", "--preserve-digests", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{registry}/{repo}:{tag}"))
        .output()
        .await
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "push {repo}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    digest
}

async fn remote_digest(reference: &str) -> String {
    let out = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
        .arg(format!("docker://{reference}"))
        .output()
        .await
        .expect("run skopeo inspect");
    assert!(
        out.status.success(),
        "inspect {reference}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn opts(parallel: usize) -> MirrorOptions {
    MirrorOptions {
        parallel,
        tls_verify: false,
        tag_stamp: "mirror-test".into(),
        ..MirrorOptions::default()
    }
}

#[tokio::test]
async fn mirror_registry_to_dir_and_to_another_repo_with_a_failure_and_a_retry() {
    let reg = start_registry().await;
    let work = tempfile::tempdir().expect("work");
    let r = &reg.host;
    let d1 = push_image(work.path(), r, "src/app1", "v1").await;
    let d2 = push_image(work.path(), r, "src/app2", "v1").await;
    let d3 = push_image(work.path(), r, "src/app3", "v1").await;

    // A release-<arch>.json with a tag, a digest-only reference and one that does not exist.
    let release = json!({"release": {"base": "4.15.0"}, "images": {
        "app1": format!("{r}/src/app1:v1"),
        "app2": format!("{r}/src/app2:v1"),
        "app3": format!("{r}/src/app3@{d3}"),
        "bogus": format!("{r}/src/missing:v1"),
    }});
    let images = parse_image_list(&release.to_string()).expect("image list");

    // registry -> dir:
    let out = work.path().join("microshift-containers");
    let job = MirrorJob::new(images.clone(), MirrorTarget::Dir(out.clone()), opts(2)).expect("job");
    let mut status = MirrorStatus::new(&job);
    let mut lines = Vec::new();
    mirror::run(&job, &mut status, (0..4).collect(), |l| {
        lines.push(l.to_string())
    })
    .await;
    let c = status.counts();
    assert_eq!((c.done, c.failed, c.total), (3, 1, 4), "{lines:#?}");
    assert_eq!(status.images[0].digest.as_deref(), Some(d1.as_str()));
    assert_eq!(status.images[1].digest.as_deref(), Some(d2.as_str()));
    assert_eq!(status.images[2].digest.as_deref(), Some(d3.as_str()));
    assert!(
        out.join("src/app1:v1/manifest.json").is_file(),
        "seed layout"
    );
    assert!(out.join(format!("src/app3@{d3}/manifest.json")).is_file());
    let bytes = status.images[0].item.bytes_done.expect("dir size measured");
    assert!(bytes > 1024, "{bytes}");
    let bogus = &status.images[3];
    assert_eq!(bogus.item.state, CopyState::Failed);
    let msg = bogus.item.message.clone().unwrap_or_default();
    assert!(msg.contains("src/missing"), "skopeo's reason: {msg}");
    assert_eq!(status.overall.state, CopyState::Failed);
    assert_eq!(status.summary(), "mirrored 3/4 images, 1 failed");
    assert_eq!(
        lines.len(),
        8,
        "a start and an end line per image: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("FAILED") && l.contains("src/missing"))
    );
    let table = rows::render_table(&rows::rows(
        status.items(),
        k8s_openapi::jiff::Timestamp::now(),
    ));
    assert_eq!(table.lines().count(), 6, "{table}");

    // Retry only the failed one once the image exists: it succeeds, the others are untouched.
    let d4 = push_image(work.path(), r, "src/missing", "v1").await;
    let retry = status.failed_indices();
    assert_eq!(retry, vec![3]);
    let mut retry_lines = Vec::new();
    mirror::run(&job, &mut status, retry, |l| {
        retry_lines.push(l.to_string())
    })
    .await;
    assert_eq!(retry_lines.len(), 2, "{retry_lines:#?}");
    assert_eq!(status.images[3].digest.as_deref(), Some(d4.as_str()));
    assert_eq!(status.images[3].attempts, 2);
    assert_eq!(status.images[0].attempts, 1);
    assert_eq!(status.overall.state, CopyState::Succeeded);

    // registry -> another repository of the registry (the seed's upload, without the dir step).
    let job = MirrorJob::new(
        images,
        MirrorTarget::Registry(format!("{r}/mirror")),
        opts(3),
    )
    .expect("job");
    let mut status = MirrorStatus::new(&job);
    let (mut rx, task) = job.spawn((0..4).collect());
    let mut max_running = 0;
    while let Some(ev) = rx.recv().await {
        status.apply(&ev);
        max_running = max_running.max(status.counts().running);
    }
    task.await.expect("job task");
    assert_eq!(status.counts().done, 4, "{:#?}", status.items());
    assert!(max_running >= 2, "copies overlap: {max_running}");
    assert!(
        max_running <= 3,
        "at most --parallel at once: {max_running}"
    );
    assert_eq!(remote_digest(&format!("{r}/mirror/src/app1:v1")).await, d1);
    assert_eq!(
        remote_digest(&format!("{r}/mirror/src/app3:mirror-test-3")).await,
        d3,
        "digest-only sources get the seed's mirror-<stamp>-<n> tag, same digest"
    );
}

#[tokio::test]
async fn mirror_command_prints_progress_and_fails_when_an_image_fails() {
    let reg = start_registry().await;
    let work = tempfile::tempdir().expect("work");
    let r = &reg.host;
    let d1 = push_image(work.path(), r, "src/app1", "v1").await;
    let list = work.path().join("refs.txt");
    std::fs::write(
        &list,
        format!("# plain list\n{r}/src/app1:v1\n{r}/src/nope:v1\n"),
    )
    .expect("list");
    let out = work.path().join("out");
    let run = |list: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
            .arg("mirror")
            .arg(list)
            .arg(format!("dir:{}", out.display()))
            .args(["--parallel", "2", "--tls-verify=false"])
            .output()
            .expect("run shiftdeck mirror")
    };
    let o = run(&list);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains(&format!("done {r}/src/app1:v1 {d1}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("FAILED {r}/src/nope:v1")),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("mirrored 1/2 images, 1 failed"),
        "{stdout}"
    );

    // Unknown format: a clear error, nothing started.
    let yaml = work.path().join("list.yaml");
    std::fs::write(&yaml, "images:\n  - a\n").expect("yaml");
    let o = run(&yaml);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("not an image reference"), "{stderr}");
    assert!(o.stdout.is_empty());

    // Without skopeo on PATH: a clear error before anything starts, nothing written.
    let fresh = work.path().join("never");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .arg("mirror")
        .arg(&list)
        .arg(format!("dir:{}", fresh.display()))
        .env("PATH", work.path())
        .output()
        .expect("run shiftdeck mirror");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("skopeo not found"), "{stderr}");
    assert!(o.stdout.is_empty());
    assert!(!fresh.exists());

    // A bad target: same.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .arg("mirror")
        .arg(&list)
        .arg("oci:/tmp/x")
        .output()
        .expect("run shiftdeck mirror");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown mirror target"));
}

/// `:mirror` and `r` in the Copies pane go through the one write pipeline: read-only refuses
/// with the reason, the confirm names what is copied where and nothing runs before it, the
/// executor runs skopeo and streams progress to the pane, each run is audited, and the result
/// reaches the status bar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_and_retry_go_through_the_write_pipeline() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use shiftdeck::action::{Action, TaskResult};
    use shiftdeck::actions::WriteRequest;
    use shiftdeck::app::{App, Effect};

    let reg = start_registry().await;
    let work = tempfile::tempdir().expect("work");
    let r = &reg.host;
    push_image(work.path(), r, "src/app1", "v1").await;
    let list = work.path().join("images.txt");
    std::fs::write(&list, format!("{r}/src/app1:v1\n{r}/src/late:v1\n")).expect("list");
    let out = work.path().join("out");
    let cmd = format!(
        "mirror {} dir:{} --tls-verify=false",
        list.display(),
        out.display()
    );
    let audit = work.path().join("audit.jsonl");
    let new_app = |read_only: bool| {
        let mut app = App::new(
            shiftdeck::keymap::Keymap::default(),
            shiftdeck::theme::Theme::default(),
            read_only,
        );
        app.audit_path = Some(audit.clone());
        app.update(Action::Resize(160, 40));
        app
    };
    let screen = |app: &App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
        t.draw(|f| shiftdeck::ui::render(app, f)).unwrap();
        t.backend().to_string()
    };
    let enter = |app: &mut App| {
        app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    };
    let writes = |app: &mut App| -> Vec<WriteRequest> {
        app.take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Write(w) => Some(w),
                _ => None,
            })
            .collect()
    };

    // Read-only: refused with the reason, nothing asked, nothing run.
    let mut ro = new_app(true);
    ro.update(Action::Command(cmd.clone()));
    let s = screen(&ro);
    assert!(s.contains("read-only mode"), "{s}");
    assert!(!s.contains("Mirror images"), "{s}");
    assert!(writes(&mut ro).is_empty());

    // The confirm names the images and the target; nothing runs before Enter.
    let mut app = new_app(false);
    app.update(Action::Command(cmd.clone()));
    let s = screen(&app);
    assert!(s.contains("Mirror images"), "{s}");
    assert!(s.contains("Copy 2 image(s) with skopeo"), "{s}");
    assert!(writes(&mut app).is_empty());
    assert!(!out.exists(), "nothing copied before the confirm");
    enter(&mut app);
    let w = writes(&mut app);
    let [req] = w.as_slice() else { panic!("{w:?}") };

    // The executor: one image copied, one failed; progress reached the pane.
    let report = shiftdeck::actions::run_opt(None, req.clone()).await;
    assert!(!report.ok);
    assert_eq!(report.summary, "mirrored 1/2 images, 1 failed");
    assert!(out.join("src/app1:v1/manifest.json").is_file());
    app.update(Action::Tick);
    let p = app.copies_pane().expect("copies pane");
    assert_eq!(
        p.mirrors[0].status.summary(),
        "mirrored 1/2 images, 1 failed"
    );
    assert!(app.on_task(TaskResult::WriteDone {
        generation: 0,
        report,
    }));
    assert!(screen(&app).contains("mirrored 1/2 images, 1 failed"));
    let log: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .expect("audit")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["action"], "mirror");
    assert_eq!(log[0]["outcome"], "mirrored 1/2 images, 1 failed");
    assert_eq!(log[0]["failed_images"], json!([format!("{r}/src/late:v1")]));

    // `r` on the failed image once it exists: confirm, run only it, audited as a retry.
    push_image(work.path(), r, "src/late", "v1").await;
    app.update(Action::Command("copy".into()));
    app.handle_key(&KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    for c in "late".chars() {
        app.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    enter(&mut app);
    app.handle_key(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    let s = screen(&app);
    assert!(
        s.contains("Retry mirror") && s.contains("Copy 1 image(s)"),
        "{s}"
    );
    assert!(writes(&mut app).is_empty());
    enter(&mut app);
    let w = writes(&mut app);
    let [retry] = w.as_slice() else {
        panic!("{w:?}")
    };
    let report = shiftdeck::actions::run_opt(None, retry.clone()).await;
    assert!(report.ok, "{}", report.summary);
    app.update(Action::Tick);
    let p = app.copies_pane().expect("copies pane");
    assert_eq!(p.mirrors[0].status.summary(), "mirrored 2/2 images");
    let log = std::fs::read_to_string(&audit).expect("audit");
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["action"], "mirror-retry");
    assert_eq!(last["images"], 1);
}
