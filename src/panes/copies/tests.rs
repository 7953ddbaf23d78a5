use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::view::{bar, spark};
use super::*;
use crate::copies::azure::{BlobError, BlobProperties, CopyProperties};
use crate::copies::dv_resource::DataVolume;
use crate::copies::fake_blob::FAKE_SAS;

fn t(s: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + s).expect("time")
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn dv(name: &str, rv: &str, phase: &str, progress: &str) -> DataVolume {
    serde_json::from_value(json!({
        "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
        "metadata": {"name": name, "namespace": "clusters-example", "resourceVersion": rv,
                     "creationTimestamp": "2023-11-14T22:13:20Z"},
        "spec": {"source": {"http": {"url": "https://example.com/rhcos.qcow2"}},
                 "storage": {"resources": {"requests": {"storage": "32Gi"}}}},
        "status": {"phase": phase, "progress": progress}
    }))
    .expect("dv")
}

pub fn pending(done: u64) -> BlobProperties {
    BlobProperties {
        content_length: Some(1000),
        copy: CopyProperties {
            id: Some("copy-1".into()),
            status: Some(CopyStatus::Pending),
            progress: Some((done, 1000)),
            source: Some("https://rhcos.blob.core.windows.net/imagebucket/x.vhd".into()),
            completion_time: None,
            status_description: None,
        },
    }
}

const URL: &str = "http://127.0.0.1:1/fakeaccount/vhds/rhcos-415-azure.aarch64.vhd";

#[test]
fn bar_and_spark() {
    assert_eq!(bar(None), "-");
    assert!(bar(Some(0.5)).ends_with(" 50.0%"));
    assert_eq!(spark(&[0, 100]), "▁█");
}

#[test]
fn datavolumes_fold_in_once_per_resource_version_and_leave_when_deleted() {
    let mut p = CopiesPane::default();
    assert!(p.sync_dvs(&[dv("a", "1", "ImportInProgress", "10.00%").into()], t(0)));
    assert!(
        !p.sync_dvs(&[dv("a", "1", "ImportInProgress", "10.00%").into()], t(5)),
        "same rv"
    );
    assert!(p.sync_dvs(&[dv("a", "2", "ImportInProgress", "40.00%").into()], t(10)));
    let item = p
        .book
        .get(SourceKind::DataVolume, "clusters-example/a")
        .expect("item");
    assert_eq!(item.fraction, Some(0.4));
    assert!(item.rate_fraction.is_some(), "two samples give a rate");
    assert_eq!(p.dvs.phase("clusters-example/a"), Some("ImportInProgress"));
    assert!(p.sync_dvs(
        &[] as &[std::sync::Arc<crate::copies::dv_resource::DataVolume>],
        t(20)
    ));
    assert!(p.book.all().is_empty());
}

#[test]
fn blob_errors_are_failed_rows_and_polls_update_progress() {
    let mut p = CopiesPane::default();
    p.track_blob(URL, FAKE_SAS);
    let k = p.blobs[0].target.url();
    p.apply_msg(CopyMsg::BlobPolled {
        key: k.clone(),
        result: Ok(pending(250)),
        at: t(0),
    });
    let item = p.book.get(SourceKind::AzureBlob, &k).expect("live");
    assert_eq!(item.fraction, Some(0.25));
    let denied = BlobError::Service {
        status: 403,
        code: "AuthenticationFailed".into(),
        message: None,
    };
    p.apply_msg(CopyMsg::BlobPolled {
        key: k.clone(),
        result: Err(denied),
        at: t(3),
    });
    let item = p.book.all().into_iter().find(|i| i.key == k).expect("row");
    assert_eq!(item.state, CopyState::Failed);
    assert!(item.message.as_deref().unwrap_or_default().contains("403"));
}

#[test]
fn abort_asks_first_and_read_only_refuses() {
    let mut p = CopiesPane::default();
    p.track_blob(URL, FAKE_SAS);
    let k = p.blobs[0].target.url();
    p.apply_msg(CopyMsg::BlobPolled {
        key: k,
        result: Ok(pending(100)),
        at: t(0),
    });
    // The pane asks; the app's one pipeline gates (read-only first) and confirms.
    let rw = ActionGate::new(false);
    assert!(p.key(&key('x'), &rw));
    assert!(p.modal.is_none());
    let w = p.take_writes();
    let [req] = w.as_slice() else { panic!("{w:?}") };
    assert!(
        req.lines[0].text.starts_with("Abort the pending copy into"),
        "{req:?}"
    );
    let crate::actions::WriteRequest::BlobAbort(a) = &req.write else {
        panic!("{req:?}")
    };
    assert_eq!(a.target.url(), p.blobs[0].target.url());
    assert!(!p.key(&key('z'), &rw), "unbound keys fall through");
}

#[test]
fn blob_form_masks_nothing_it_returns_and_tracks() {
    let mut p = CopiesPane::default();
    let gate = ActionGate::new(false);
    p.command("blob");
    assert!(p.modal.is_some());
    for c in URL.chars() {
        p.key(&key(c), &gate);
    }
    p.key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE), &gate);
    for c in FAKE_SAS.chars() {
        p.key(&key(c), &gate);
    }
    p.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &gate);
    assert!(p.modal.is_none());
    assert_eq!(p.blobs.len(), 1);
    assert!(p.blobs[0].target.sas.is_some());
}

#[test]
fn mirror_flags_are_those_of_the_cli() {
    let a = super::mirror_args(&[
        "release-aarch64.json",
        "--authfile",
        "/run/auth.json",
        "docker://mirror:5000",
        "--parallel=5",
        "--tls-verify=false",
    ])
    .unwrap();
    assert_eq!(
        (a.file.to_str(), a.target.as_str()),
        (Some("release-aarch64.json"), "docker://mirror:5000")
    );
    let o = a.options();
    assert_eq!(
        o.authfile.as_deref(),
        Some(std::path::Path::new("/run/auth.json"))
    );
    assert_eq!(o.parallel, 5);
    assert!(!o.tls_verify);
    let o = super::mirror_args(&["l.txt", "dir:/m"]).unwrap().options();
    assert!(o.authfile.is_none() && o.tls_verify && o.parallel == 3);
    for bad in [
        &["l.txt"][..],
        &["l.txt", "dir:/m", "extra"],
        &["l.txt", "dir:/m", "--authfile"],
        &["l.txt", "dir:/m", "--parallel", "0"],
        &["l.txt", "dir:/m", "--parallel=x"],
        &["l.txt", "dir:/m", "--tls-verify=maybe"],
        &["l.txt", "dir:/m", "--insecure"],
    ] {
        let e = super::mirror_args(bad).expect_err("rejected");
        assert!(!e.is_empty() && !e.contains('\n'), "{bad:?}: {e}");
        assert!(e.starts_with("usage: :mirror FILE TARGET"), "{e}");
    }
}

#[test]
fn mirror_command_reports_bad_input_without_starting() {
    let mut p = CopiesPane::default();
    p.command("mirror");
    assert!(p.notice.as_deref().unwrap_or_default().starts_with("usage"));
    p.command("mirror /nonexistent/list.txt dir:/tmp/x --authfile");
    assert!(
        p.notice
            .as_deref()
            .unwrap_or_default()
            .contains("a value is required for '--authfile")
    );
    p.command("mirror /nonexistent/list.txt dir:/tmp/x");
    assert!(
        p.notice
            .as_deref()
            .unwrap_or_default()
            .starts_with("cannot mirror")
    );
    assert!(p.mirrors.is_empty());
}

#[test]
fn blobcopy_form_collects_three_fields() {
    let mut p = CopiesPane::default();
    let gate = ActionGate::new(false);
    p.command("blobcopy");
    for (i, text) in ["http://h/acct/vhds", FAKE_SAS, "https://s/x/rhcos-416.vhd"]
        .iter()
        .enumerate()
    {
        if i > 0 {
            p.key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE), &gate);
        }
        for c in text.chars() {
            p.key(&key(c), &gate);
        }
    }
    let Some(Modal::Blob(f)) = &p.modal else {
        panic!("form closed")
    };
    let texts: Vec<String> = f.fields.iter().map(|(_, t)| t.lines().join("")).collect();
    assert_eq!(
        texts,
        vec!["http://h/acct/vhds", FAKE_SAS, "https://s/x/rhcos-416.vhd"]
    );
}

/// Submitting the `:blobcopy` form starts nothing: it asks, `n` cancels, and the SAS is not on
/// the confirmation.
#[test]
fn blobcopy_asks_before_writing() {
    let mut p = CopiesPane::default();
    let gate = ActionGate::new(false);
    p.command("blobcopy");
    for (i, text) in ["http://h/acct/vhds", FAKE_SAS, ""].iter().enumerate() {
        if i > 0 {
            p.key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE), &gate);
        }
        for c in text.chars() {
            p.key(&key(c), &gate);
        }
    }
    p.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &gate);
    assert!(p.modal.is_none());
    let w = p.take_writes();
    let [confirm] = w.as_slice() else {
        panic!("no confirmation: {w:?}")
    };
    let crate::actions::WriteRequest::BlobCopy(start) = &confirm.write else {
        panic!("{confirm:?}")
    };
    assert_eq!(start.req.container, "http://h/acct/vhds");
    assert_eq!(start.req.source, "");
    let text: Vec<&str> = confirm.lines.iter().map(|l| l.text.as_str()).collect();
    let text = text.join("\n");
    assert!(text.contains("Start a server-side Copy Blob"), "{text}");
    assert!(text.contains("coreos-bootimages aarch64 VHD"), "{text}");
    assert!(!text.contains("sig="), "{text}");
    // Not even a debug print shows the SAS.
    assert!(!format!("{confirm:?}").contains("sig="), "{confirm:?}");
    assert!(p.notice.is_none(), "nothing started: {:?}", p.notice);
}

/// PageDown moves by the rows the table shows, so paging from the top shows every row (it moved
/// two rows further than that, and one row of each page was never on screen).
#[test]
fn paging_down_shows_every_row() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let mut p = CopiesPane::default();
    let dvs: Vec<std::sync::Arc<DataVolume>> = (0..60)
        .map(|i| dv(&format!("disk-{i:02}"), "1", "ImportInProgress", "10.00%").into())
        .collect();
    p.sync_dvs(&dvs, t(0));
    let (theme, state) = (
        crate::theme::Theme::default(),
        crate::watch::KindState::Live,
    );
    let ctx = RenderCtx {
        theme: &theme,
        now: t(0),
        instant: Instant::now(),
        state: &state,
    };
    let area = Rect::new(0, 0, 160, 20);
    let mut term = Terminal::new(TestBackend::new(160, 20)).expect("terminal");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..10 {
        term.draw(|f| view::render(&p, f, area, &ctx))
            .expect("draw");
        let screen = term.backend().to_string();
        seen.extend((0..60).filter(|i| screen.contains(&format!("/disk-{i:02} "))));
        p.handle(&Action::PageDown, area);
    }
    let missing: Vec<usize> = (0..60).filter(|i| !seen.contains(i)).collect();
    assert!(missing.is_empty(), "never on screen: {missing:?}");
}

/// The filter matches a DataVolume by what its NAME column shows, `namespace/name`.
#[test]
fn filter_matches_a_datavolume_by_its_namespace_and_name() {
    let mut p = CopiesPane::default();
    p.sync_dvs(
        &[
            dv("a-rhcos", "1", "ImportInProgress", "10.00%").into(),
            dv("b-rhcos", "1", "ImportInProgress", "20.00%").into(),
        ],
        t(0),
    );
    p.set_filter("clusters-example/a-");
    let keys: Vec<&str> = p.visible().iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["clusters-example/a-rhcos"]);
    p.set_filter("clusters-example");
    assert_eq!(p.visible().len(), 2);
}

/// A first sync of many DataVolumes converts them off the UI thread: the sync returns at
/// once saying how many are being read, the rows come with the result, and a DataVolume that
/// changed meanwhile keeps its newer version.
#[tokio::test]
async fn many_datavolumes_are_converted_off_the_ui_thread() {
    let mut p = CopiesPane::default();
    let n = super::BULK + 100;
    let dvs: Vec<std::sync::Arc<DataVolume>> = (0..n)
        .map(|i| dv(&format!("disk-{i:04}"), "1", "ImportInProgress", "10.00%").into())
        .collect();
    assert!(p.sync_dvs(&dvs, t(0)));
    assert_eq!(p.converting, n);
    assert!(p.animating(), "ticks fast until the rows are in");
    // disk-0000 moves on before the bulk result lands: one change converts at once.
    let mut next = dvs.clone();
    next[0] = dv("disk-0000", "2", "ImportInProgress", "60.00%").into();
    assert!(p.sync_dvs(&next, t(5)));
    assert_eq!(p.converting, n);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while p.converting > 0 {
        assert!(std::time::Instant::now() < deadline, "never converted");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        p.tick(Instant::now());
    }
    assert_eq!(p.book.live().count(), n);
    let first = p
        .book
        .get(SourceKind::DataVolume, "clusters-example/disk-0000")
        .expect("item");
    assert_eq!(first.fraction, Some(0.6), "the newer version stays");
    assert!(!p.sync_dvs(&next, t(10)), "nothing converted twice");
}

/// A DataVolume that succeeded `at` seconds in (its Ready condition's transition time).
fn done(name: &str, rv: &str, at: i64) -> std::sync::Arc<DataVolume> {
    let ready = t(at).to_string();
    std::sync::Arc::new(
        serde_json::from_value(json!({
            "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": {"name": name, "namespace": "ns", "resourceVersion": rv,
                         "creationTimestamp": "2023-11-14T22:13:20Z"},
            "spec": {"source": {"http": {"url": "https://example.com/rhcos.qcow2"}}},
            "status": {"phase": "Succeeded", "progress": "100.0%",
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastTransitionTime": ready}]}
        }))
        .expect("dv"),
    )
}

fn history_keys(p: &CopiesPane) -> Vec<String> {
    p.book.history().map(|i| i.key.clone()).collect()
}

/// Only the finished DataVolumes the history shows are kept as rows; when one of them starts
/// again the next newest takes its place, as if every row were kept; a deleted one stays while
/// it is shown, and a failure keeps the finish time it was first seen with.
#[test]
fn history_keeps_rows_only_for_the_newest_finished_datavolumes() {
    let mut p = CopiesPane::default();
    let n = HISTORY + 30;
    let mut dvs: Vec<_> = (0..n)
        .map(|i| done(&format!("d{i:03}"), "1", i as i64))
        .collect();
    // Fewer than BULK: converted inline.
    assert!(p.sync_dvs(&dvs, t(1000)));
    // The keys of the HISTORY newest of the first `of` DataVolumes.
    let newest = |of: usize| -> Vec<String> {
        (0..of)
            .rev()
            .take(HISTORY)
            .map(|i| format!("ns/d{i:03}"))
            .collect()
    };
    assert_eq!(history_keys(&p), newest(n));
    assert_eq!(
        p.book.finished().count(),
        HISTORY,
        "no rows beyond the history"
    );
    // The newest starts again: the 51st newest is shown, read from the store.
    let top = n - 1;
    dvs[top] = dv(&format!("d{top:03}"), "2", "ImportInProgress", "5.00%").into();
    std::sync::Arc::make_mut(&mut dvs[top]).metadata.namespace = Some("ns".into());
    assert!(p.sync_dvs(&dvs, t(1001)));
    let mut expected = newest(n - 1);
    assert_eq!(history_keys(&p), expected);
    assert!(
        p.book
            .get(SourceKind::DataVolume, &format!("ns/d{top:03}"))
            .is_some()
    );
    // A shown one is deleted: its row stays while it is among the shown.
    let shown = n - 2;
    dvs.remove(shown);
    p.sync_dvs(&dvs, t(1002));
    assert_eq!(history_keys(&p), expected);
    // A failure with no Ready time keeps the time it was first seen failed.
    let mut failed = dv("f", "1", "Failed", "N/A");
    failed.metadata.namespace = Some("ns".into());
    dvs.push(failed.clone().into());
    p.sync_dvs(&dvs, t(2000));
    expected.insert(0, "ns/f".into());
    expected.truncate(HISTORY);
    assert_eq!(history_keys(&p), expected);
    failed.metadata.resource_version = Some("2".into());
    failed.metadata.labels = Some([("a".to_string(), "b".to_string())].into());
    *dvs.last_mut().expect("f") = failed.into();
    p.sync_dvs(&dvs, t(3000));
    let f = p.book.finished().find(|i| i.key == "ns/f").expect("f");
    assert_eq!(f.finished, Some(t(2000)));
}
