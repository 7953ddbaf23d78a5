//! The demo's fake blob endpoint, driven by the real client: copies progress over time, can be
//! aborted while pending, and answer the same errors as Azure.

use std::time::Duration;

use shiftdeck::copies::CopyState;
use shiftdeck::copies::azure::{BlobClient, BlobCopyWatch, CopyStatus};
use shiftdeck::copies::fake_blob::{self, FAKE_SAS, VHD_BYTES, start_fake_blob_service};
use shiftdeck::copies::sas::BlobTarget;

#[tokio::test]
async fn demo_copy_progresses_and_a_pending_copy_can_be_aborted() {
    let (endpoint, handle) = start_fake_blob_service(50.0).await.expect("fake blob");
    let client = BlobClient::new(Duration::from_secs(5)).expect("client");

    // The copy running from the start advances between polls and has a rate and an ETA.
    let demo = BlobTarget::parse(&handle.demo_blob_url(), Some(FAKE_SAS)).expect("url");
    let mut watch = BlobCopyWatch::new(demo.clone());
    watch.poll(&client).await;
    let first = watch.item.bytes_done.expect("bytes");
    tokio::time::sleep(Duration::from_millis(300)).await;
    watch.poll(&client).await;
    let props = watch.last.clone().expect("polled").expect("readable");
    assert_eq!(props.copy.status, Some(CopyStatus::Pending));
    assert_eq!(watch.item.state, CopyState::Running);
    let second = watch.item.bytes_done.expect("bytes");
    assert!(second > first && second < VHD_BYTES, "{first} -> {second}");
    assert_eq!(watch.item.bytes_total, Some(VHD_BYTES));
    let rate = watch.item.rate_bytes.expect("rate");
    assert!(rate > 1e9 && rate < 3e9, "about 50 x 36 MB/s: {rate}");
    assert!(watch.item.eta.is_some());
    let cmds = watch.az_commands();
    assert_eq!(cmds.len(), 2, "show, and cancel while pending: {cmds:?}");
    assert!(cmds[1].starts_with("az storage blob copy cancel --account-name fakeaccount"));
    assert!(cmds[1].ends_with("--copy-id 1fd97630-03ca-489a-8c4e-cfe839c9627d"));

    // The second demo copy fails after a fifth (at speed 50: within about 2 s).
    let failing = demo.sibling(fake_blob::DEMO_FAILING_BLOB);
    let mut wf = BlobCopyWatch::new(failing);
    for _ in 0..60 {
        wf.poll(&client).await;
        if wf.item.state.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(wf.item.state, CopyState::Failed);
    assert_eq!(wf.item.bytes_done, Some(VHD_BYTES / 5));
    assert!(
        wf.item
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("500 InternalError")),
        "{:?}",
        wf.item.message
    );

    // Start a copy of the same VHD, abort it while pending, then abort again: nothing pending.
    let dest =
        BlobTarget::parse(&format!("{endpoint}/vhds/copy2.vhd"), Some(FAKE_SAS)).expect("url");
    let started = client
        .start_copy(&dest, fake_blob::DEMO_SOURCE)
        .await
        .expect("copy start");
    assert_eq!(started.status, Some(CopyStatus::Pending));
    client
        .abort_copy(&dest, &started.id)
        .await
        .expect("abort pending copy");
    let mut w2 = BlobCopyWatch::new(dest.clone());
    w2.poll(&client).await;
    assert_eq!(w2.item.state, CopyState::Aborted);
    assert!(w2.item.finished.is_some());
    assert_eq!(w2.item.message.as_deref(), Some("aborted by user"));
    let e = client
        .abort_copy(&dest, &started.id)
        .await
        .expect_err("already aborted");
    assert_eq!(e.code(), Some("NoPendingCopyOperation"));
    let e = client
        .abort_copy(&demo, "wrong-id")
        .await
        .expect_err("wrong id");
    assert_eq!(e.code(), Some("CopyIdMismatch"));

    // A copy whose source is a small blob of the fake account finishes at once.
    let small = dest.sibling("small.bin");
    client
        .put_block_blob(&small, bytes::Bytes::from_static(b"0123456789"))
        .await
        .expect("put");
    let dest3 = dest.sibling("small-copy.bin");
    client
        .start_copy(&dest3, &small.url())
        .await
        .expect("copy small");
    let mut w3 = BlobCopyWatch::new(dest3);
    w3.poll(&client).await;
    assert_eq!(w3.item.state, CopyState::Succeeded);
    assert_eq!(w3.item.bytes_total, Some(10));

    // Errors the pane shows as states.
    let bad = BlobTarget::parse(
        &handle.demo_blob_url(),
        Some("sv=2021-08-06&se=2099-01-01&sr=c&sp=r&sig=d3Jvbmc="),
    )
    .expect("url");
    let e = client.get_properties(&bad).await.expect_err("bad sig");
    assert_eq!(e.code(), Some("AuthenticationFailed"));
    let e = client
        .get_properties(&dest.sibling("none.vhd"))
        .await
        .expect_err("missing");
    assert_eq!(e.code(), Some("BlobNotFound"));

    // After shutdown the endpoint is unreachable; the watch keeps its last state.
    handle.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    watch.poll(&client).await;
    assert_eq!(watch.item.state, CopyState::Running);
    let msg = watch.item.message.clone().unwrap_or_default();
    assert!(
        msg.starts_with("cannot read the blob: cannot reach"),
        "{msg}"
    );
}
