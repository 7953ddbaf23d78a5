//! Azure blob copies against a real Azurite (`npm install -g azurite`), started by each test.
//! A missing `azurite-blob` fails the test with a message saying how to install it.

use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use k8s_openapi::jiff::Timestamp;
use shiftdeck::copies::azure::{BlobClient, BlobCopyWatch, BlobError, CopyStatus, az};
use shiftdeck::copies::sas::{AccountSas, BlobTarget, SasToken, ServiceSas};
use shiftdeck::copies::{CopyState, rows};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const WRONG_KEY: &str =
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
const EXPIRY: &str = "2099-01-01T00:00:00Z";

/// A port nothing listens on (for the unreachable-endpoint case).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

struct Azurite {
    _child: Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

/// Starts Azurite on port 0 and reads the port it printed: choosing a free port first races with
/// the other tests of this binary (two Azurites on one port, one exits with EADDRINUSE).
async fn start_azurite() -> Azurite {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new("azurite-blob")
        .args(["--inMemoryPersistence", "--blobHost", "127.0.0.1"])
        .args(["--blobPort", "0"])
        .args(["--skipApiVersionCheck", "--loose", "--disableTelemetry"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start `azurite-blob` ({e}): install it with `npm install -g azurite`")
        });
    let stdout = child.stdout.take().expect("azurite stdout");
    let mut lines = BufReader::new(stdout).lines();
    let marker = "successfully listens on http://127.0.0.1:";
    let port = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find(marker) {
                return line[at + marker.len()..].trim().parse::<u16>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .expect("azurite-blob did not report a listening port within 20 s");
    // Keep draining stdout so Azurite never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Azurite {
        _child: child,
        endpoint: format!("http://127.0.0.1:{port}/{ACCOUNT}"),
        _dir: dir,
    }
}

fn account_sas(key: &str) -> SasToken {
    AccountSas {
        account: ACCOUNT,
        permissions: "rwdlac",
        services: "b",
        resource_types: "sco",
        start: "",
        expiry: EXPIRY,
        version: "2021-08-06",
        protocol: "",
    }
    .sign(key)
    .expect("sign account sas")
}

fn container_sas(container: &str, key: &str) -> SasToken {
    ServiceSas {
        account: ACCOUNT,
        container,
        permissions: "rwdl",
        start: "",
        expiry: EXPIRY,
        version: "2021-08-06",
        protocol: "",
    }
    .sign(key)
    .expect("sign service sas")
}

/// A blob target reached with `sas` (passed separately, like `--sas-token`).
fn target(az: &Azurite, container: &str, blob: &str, sas: &SasToken) -> BlobTarget {
    BlobTarget::parse(
        &format!("{}/{container}/{blob}", az.endpoint),
        Some(&sas.expose_secret_query()),
    )
    .expect("blob url")
}

fn client() -> BlobClient {
    BlobClient::new(Duration::from_secs(10)).expect("client")
}

async fn upload_source(az: &Azurite, bytes: usize) -> (BlobTarget, Vec<u8>) {
    let c = client();
    let acct = account_sas(KEY);
    let src = target(az, "imagebucket", "rhcos-9.9-azure.aarch64.vhd", &acct);
    c.create_container(&src).await.expect("create imagebucket");
    c.create_container(&target(az, "vhds", "x", &acct))
        .await
        .expect("create vhds");
    let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
    c.put_block_blob(&src, Bytes::from(data.clone()))
        .await
        .expect("upload source");
    (src, data)
}

#[tokio::test]
async fn copy_start_show_and_abort_on_azurite() {
    let az = start_azurite().await;
    let (src, data) = upload_source(&az, 3 * 1024 * 1024).await;
    let c = client();

    // Copy into `vhds` with a container SAS, the source read with its own SAS in its URL.
    let dest = target(
        &az,
        "vhds",
        "rhcos-9.9-azure.aarch64.vhd",
        &container_sas("vhds", KEY),
    );
    let src_sas = container_sas("imagebucket", KEY);
    let source_url = format!("{}?{}", src.url(), src_sas.expose_secret_query());
    let started = c.start_copy(&dest, &source_url).await.expect("copy start");
    assert!(!started.id.is_empty());

    let mut watch = BlobCopyWatch::new(dest.clone());
    let mut last = None;
    for _ in 0..50 {
        watch.poll(&c).await;
        let props = watch
            .last
            .clone()
            .expect("polled")
            .expect("properties readable");
        if props.copy.status != Some(CopyStatus::Pending) {
            last = Some(props);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let props = last.expect("copy finished");
    assert_eq!(props.copy.status, Some(CopyStatus::Success));
    assert_eq!(props.copy.id.as_deref(), Some(started.id.as_str()));
    let total = data.len() as u64;
    assert_eq!(props.copy.progress, Some((total, total)));
    assert_eq!(props.content_length, Some(total));
    let source = props.copy.source.clone().expect("copy source");
    assert!(source.starts_with(&src.url()), "{source}");
    assert!(
        !source.contains(src_sas.get("sig").expect("sig")),
        "the source's signature is redacted: {source}"
    );
    assert!(props.copy.completion_time.is_some());
    let j = props.copy.to_az_json();
    assert_eq!(j["status"], "success");
    assert_eq!(j["progress"], format!("{total}/{total}"));

    assert_eq!(watch.item.state, CopyState::Succeeded);
    assert_eq!(watch.item.fraction, Some(1.0));
    assert_eq!(watch.item.bytes_total, Some(total));
    assert!(watch.item.finished.is_some());
    let row = rows::cells(&watch.item, Timestamp::now());
    assert_eq!(row[2], "Succeeded");
    assert_eq!(row[3], "100.0%");

    // Nothing shown carries a signature.
    let dest_sig = dest.sas.as_ref().and_then(|s| s.get("sig")).expect("sig");
    for shown in [
        az::copy_start(&dest, &source_url),
        az::show(&dest),
        az::copy_cancel(&dest, &started.id),
        format!("{dest} {dest:?} {watch:?}"),
        row.join(" "),
    ] {
        assert!(!shown.contains(dest_sig), "{shown}");
        assert!(!shown.contains(src_sas.get("sig").expect("sig")), "{shown}");
    }

    // Abort: the copy already finished, so the service refuses; the request itself is right
    // (a wrong copy id would be a different error).
    let e = c
        .abort_copy(&dest, &started.id)
        .await
        .expect_err("nothing pending to abort");
    assert_eq!(e.status(), Some(409), "{e}");
    assert_eq!(e.code(), Some("NoPendingCopyOperation"), "{e}");
    let e = c
        .abort_copy(&dest, "00000000-0000-0000-0000-000000000000")
        .await
        .expect_err("wrong copy id");
    assert_eq!(e.status(), Some(409), "{e}");
    assert!(
        matches!(e.code(), Some("CopyIdMismatch" | "NoPendingCopyOperation")),
        "{e}"
    );
}

#[tokio::test]
async fn bad_sas_missing_blob_unreachable_and_malformed_are_states() {
    let az = start_azurite().await;
    let (src, _) = upload_source(&az, 64 * 1024).await;
    let c = client();

    // Signed with the wrong key: 403 AuthenticationFailed, and the message has no signature.
    let bad = target(
        &az,
        "imagebucket",
        &src.blob,
        &container_sas("imagebucket", WRONG_KEY),
    );
    // Azure answers AuthenticationFailed; Azurite answers AuthorizationFailure for a SAS whose
    // signature does not match. Both are the same state for us: the SAS was refused.
    let e = c.get_properties(&bad).await.expect_err("bad sas");
    assert_eq!(e.status(), Some(403), "{e}");
    assert!(e.is_sas_refused(), "{e}");
    let bad_sig = bad.sas.as_ref().and_then(|s| s.get("sig")).expect("sig");
    assert!(!e.to_string().contains(bad_sig));
    let mut w = BlobCopyWatch::new(bad.clone());
    w.poll(&c).await;
    assert_eq!(w.item.state, CopyState::Pending);
    let msg = w.item.message.clone().unwrap_or_default();
    assert!(msg.starts_with("cannot read the blob: HTTP 403 "), "{msg}");
    assert!(!msg.contains(bad_sig), "{msg}");
    let e = c
        .start_copy(&bad.sibling("copy.vhd"), &src.url())
        .await
        .expect_err("bad sas copy");
    assert!(e.is_sas_refused(), "{e}");

    // Missing blob: 404 BlobNotFound (from the x-ms-error-code header of a HEAD).
    let good = container_sas("imagebucket", KEY);
    let missing = target(&az, "imagebucket", "no-such.vhd", &good);
    let e = c.get_properties(&missing).await.expect_err("missing");
    assert_eq!(e.status(), Some(404), "{e}");
    assert_eq!(e.code(), Some("BlobNotFound"), "{e}");

    // A blob that exists but was never a copy destination.
    let mut w = BlobCopyWatch::new(target(&az, "imagebucket", &src.blob, &good));
    w.poll(&c).await;
    let props = w.last.clone().expect("polled").expect("readable");
    assert_eq!(props.copy.status, None);
    assert_eq!(props.content_length, Some(64 * 1024));

    // Unreachable endpoint: connection refused, with the endpoint and no signature.
    let port = free_port();
    let gone = BlobTarget::parse(
        &format!("http://127.0.0.1:{port}/{ACCOUNT}/c/b.vhd"),
        Some(&good.expose_secret_query()),
    )
    .expect("url");
    let e = c.get_properties(&gone).await.expect_err("refused");
    match &e {
        BlobError::Unreachable { endpoint, reason } => {
            assert!(endpoint.contains(&port.to_string()));
            assert!(reason.to_lowercase().contains("refused"), "{reason}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(!e.to_string().contains(good.get("sig").expect("sig")));

    // Malformed input never reaches the network.
    assert!(BlobTarget::parse("http//nope", None).is_err());
    assert!(BlobTarget::parse(&format!("{}/c/b", az.endpoint), Some("sv=1&sig=AAAA")).is_err());
    let e = c
        .start_copy(&missing, "not a url")
        .await
        .expect_err("bad source");
    assert!(matches!(e, BlobError::BadUrl(_)), "{e:?}");
}
