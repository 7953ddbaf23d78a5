//! Azure blob copies of the ARM64 RHCOS VHD over the documented Blob REST API.
//!
//! - [`BlobClient::start_copy`] is Copy Blob (`PUT` with `x-ms-copy-source`), what
//!   `az storage blob copy start` does.
//! - [`BlobClient::get_properties`] is Get Blob Properties (`HEAD`); [`CopyProperties`] carries
//!   the `x-ms-copy-*` headers, the facts of `az storage blob show ... | jq .properties.copy`.
//! - [`BlobClient::abort_copy`] is Abort Copy Blob (`PUT ?comp=copy&copyid=...` with
//!   `x-ms-copy-action: abort`).
//!
//! Every failure is a [`BlobError`] value (a state to show), never a panic, and no error text
//! carries the SAS signature. [`BlobCopyWatch`] turns successive polls into a [`CopyItem`].
//! [`aarch64_azure_vhd`] reads the default source from the `coreos-bootimages` stream.

use std::time::Duration as StdDuration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, header::HeaderMap};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::progress::{CopyItem, CopyState, SourceKind};
use super::sas::{BlobTarget, BlobUrlError, redact};

/// REST API version sent as `x-ms-version`.
pub const API_VERSION: &str = "2021-08-06";

/// `x-ms-copy-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyStatus {
    Pending,
    Success,
    Aborted,
    Failed,
}

impl CopyStatus {
    /// Parse the header value (case-insensitive); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Some(Self::Pending),
            "success" => Some(Self::Success),
            "aborted" => Some(Self::Aborted),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    /// The value as Azure writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Aborted => "aborted",
            Self::Failed => "failed",
        }
    }

    /// The unified state.
    pub fn state(self) -> CopyState {
        match self {
            Self::Pending => CopyState::Running,
            Self::Success => CopyState::Succeeded,
            Self::Aborted => CopyState::Aborted,
            Self::Failed => CopyState::Failed,
        }
    }
}

/// The copy facts of one blob (absent when the blob was never a copy destination).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CopyProperties {
    pub id: Option<String>,
    pub status: Option<CopyStatus>,
    /// `(bytes copied, total bytes)` from `x-ms-copy-progress`.
    pub progress: Option<(u64, u64)>,
    /// Source URL, with any SAS signature redacted.
    pub source: Option<String>,
    pub completion_time: Option<String>,
    pub status_description: Option<String>,
}

/// Parse `bytes copied/total bytes`.
pub fn parse_progress(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.trim().split_once('/')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

impl CopyProperties {
    /// From the headers of Get Blob Properties.
    pub fn from_headers(h: &HeaderMap) -> Self {
        let get = |k: &str| {
            h.get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Self {
            id: get("x-ms-copy-id"),
            status: get("x-ms-copy-status").and_then(|s| CopyStatus::parse(&s)),
            progress: get("x-ms-copy-progress").and_then(|s| parse_progress(&s)),
            source: get("x-ms-copy-source").map(|s| redact(&s)),
            completion_time: get("x-ms-copy-completion-time"),
            status_description: get("x-ms-copy-status-description").map(|s| redact(&s)),
        }
    }

    /// From `az storage blob show ... | jq .properties.copy` output.
    pub fn from_az_json(v: &Value) -> Self {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Self {
            id: s("id"),
            status: v["status"].as_str().and_then(CopyStatus::parse),
            progress: v["progress"].as_str().and_then(parse_progress),
            source: s("source").map(|x| redact(&x)),
            completion_time: s("completionTime"),
            status_description: s("statusDescription").map(|x| redact(&x)),
        }
    }

    /// The same shape as `az storage blob show ... | jq .properties.copy`.
    pub fn to_az_json(&self) -> Value {
        json!({
            "completionTime": self.completion_time,
            "destinationSnapshot": null,
            "id": self.id,
            "incrementalCopy": null,
            "progress": self.progress.map(|(a, b)| format!("{a}/{b}")),
            "source": self.source,
            "status": self.status.map(CopyStatus::as_str),
            "statusDescription": self.status_description,
        })
    }

    /// Copied fraction, 0.0..=1.0.
    pub fn fraction(&self) -> Option<f64> {
        let (a, b) = self.progress?;
        Some(if b == 0 { 1.0 } else { a as f64 / b as f64 })
    }
}

/// Get Blob Properties: the blob's size plus its copy facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlobProperties {
    pub content_length: Option<u64>,
    pub copy: CopyProperties,
}

/// What Copy Blob answered.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyStarted {
    pub id: String,
    pub status: Option<CopyStatus>,
}

/// Why a blob request failed. Display texts never contain a SAS signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("{0}")]
    BadUrl(#[from] BlobUrlError),
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("no answer from {endpoint} within {secs} s")]
    Timeout { endpoint: String, secs: u64 },
    #[error("HTTP {status} {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Service {
        status: u16,
        /// `x-ms-error-code` or the XML `<Code>` (e.g. `AuthenticationFailed`, `BlobNotFound`).
        code: String,
        message: Option<String>,
    },
    #[error("Copy Blob answered without x-ms-copy-id")]
    NoCopyId,
}

impl BlobError {
    /// The storage error code, when the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            BlobError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when the service refused the credentials: 403 `AuthenticationFailed` (Azure, a
    /// signature mismatch or expired SAS) or `AuthorizationFailure`/`AuthorizationPermissionMismatch`
    /// (a SAS without the needed permission; Azurite also answers a bad signature this way).
    pub fn is_sas_refused(&self) -> bool {
        matches!(self, BlobError::Service { status: 403, code, .. }
            if code.starts_with("Authentication") || code.starts_with("Authorization"))
    }

    /// HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            BlobError::Service { status, .. } => Some(*status),
            _ => None,
        }
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A small Blob REST client (HTTP and HTTPS with the system roots).
#[derive(Clone)]
pub struct BlobClient {
    client: HttpsClient,
    timeout: StdDuration,
}

impl std::fmt::Debug for BlobClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobClient")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl BlobClient {
    /// A client with a per-request timeout. Fails only when the system trust store cannot be read.
    pub fn new(timeout: StdDuration) -> Result<Self, BlobError> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| BlobError::Unreachable {
                endpoint: "TLS".into(),
                reason: format!("cannot load the system trust roots: {e}"),
            })?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        })
    }

    async fn send(
        &self,
        method: Method,
        url: String,
        endpoint: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Result<(StatusCode, HeaderMap, Bytes), BlobError> {
        let mut req = Request::builder()
            .method(method)
            .uri(&url)
            .header("x-ms-version", API_VERSION)
            .header(
                "x-ms-date",
                Timestamp::now()
                    .strftime("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string(),
            );
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = req.body(Full::new(body)).map_err(|e| {
            BlobError::BadUrl(BlobUrlError::NotAUrl {
                url: endpoint.to_string(),
                reason: redact(&e.to_string()),
            })
        })?;
        let fut = async {
            let resp = self.client.request(req).await.map_err(|e| {
                let mut reason = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    reason.push_str(": ");
                    reason.push_str(&s.to_string());
                    src = s.source();
                }
                BlobError::Unreachable {
                    endpoint: endpoint.to_string(),
                    reason: redact(&reason),
                }
            })?;
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, BlobError>((parts.status, parts.headers, body))
        };
        let (status, headers, body) =
            tokio::time::timeout(self.timeout, fut)
                .await
                .map_err(|_| BlobError::Timeout {
                    endpoint: endpoint.to_string(),
                    secs: self.timeout.as_secs(),
                })??;
        if status.is_success() {
            Ok((status, headers, body))
        } else {
            Err(service_error(status, &headers, &body))
        }
    }

    /// Get Blob Properties.
    pub async fn get_properties(&self, blob: &BlobTarget) -> Result<BlobProperties, BlobError> {
        let (_, h, _) = self
            .send(
                Method::HEAD,
                blob.request_url(""),
                &blob.endpoint,
                &[],
                Bytes::new(),
            )
            .await?;
        Ok(BlobProperties {
            content_length: h
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok()),
            copy: CopyProperties::from_headers(&h),
        })
    }

    /// Copy Blob: start copying `source_url` (a public URL or one with its own SAS) into `dest`.
    pub async fn start_copy(
        &self,
        dest: &BlobTarget,
        source_url: &str,
    ) -> Result<CopyStarted, BlobError> {
        url::Url::parse(source_url).map_err(|e| {
            BlobError::BadUrl(BlobUrlError::NotAUrl {
                url: redact(source_url),
                reason: e.to_string(),
            })
        })?;
        let (_, h, _) = self
            .send(
                Method::PUT,
                dest.request_url(""),
                &dest.endpoint,
                &[("x-ms-copy-source", source_url.to_string())],
                Bytes::new(),
            )
            .await?;
        let p = CopyProperties::from_headers(&h);
        Ok(CopyStarted {
            id: p.id.ok_or(BlobError::NoCopyId)?,
            status: p.status,
        })
    }

    /// Abort Copy Blob for a pending copy. A finished copy answers 409 `NoPendingCopyOperation`.
    pub async fn abort_copy(&self, dest: &BlobTarget, copy_id: &str) -> Result<(), BlobError> {
        let extra = format!(
            "comp=copy&copyid={}",
            percent_encoding::utf8_percent_encode(copy_id, percent_encoding::NON_ALPHANUMERIC)
        );
        self.send(
            Method::PUT,
            dest.request_url(&extra),
            &dest.endpoint,
            &[("x-ms-copy-action", "abort".to_string())],
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    /// Create Container (used to prepare a storage account; 409 `ContainerAlreadyExists` is an
    /// error like any other).
    pub async fn create_container(&self, any_blob_in_it: &BlobTarget) -> Result<(), BlobError> {
        let t = any_blob_in_it;
        self.send(
            Method::PUT,
            t.container_request_url("restype=container"),
            &t.endpoint,
            &[],
            Bytes::new(),
        )
        .await?;
        Ok(())
    }

    /// Put Blob (a block blob in one request; fine for a few MB).
    pub async fn put_block_blob(&self, blob: &BlobTarget, data: Bytes) -> Result<(), BlobError> {
        self.send(
            Method::PUT,
            blob.request_url(""),
            &blob.endpoint,
            &[
                ("x-ms-blob-type", "BlockBlob".to_string()),
                ("content-length", data.len().to_string()),
            ],
            data,
        )
        .await?;
        Ok(())
    }
}

fn service_error(status: StatusCode, h: &HeaderMap, body: &[u8]) -> BlobError {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(text[start..end].trim().to_string())
    };
    let code = h
        .get("x-ms-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| tag("Code"))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let message = tag("Message")
        .map(|m| m.lines().next().unwrap_or_default().to_string())
        .filter(|m| !m.is_empty())
        .map(|m| redact(&m));
    BlobError::Service {
        status: status.as_u16(),
        code: redact(&code),
        message,
    }
}

/// The equivalent `az` commands for a destination blob (SAS redacted).
pub mod az {
    use super::BlobTarget;

    fn auth(dest: &BlobTarget) -> String {
        let mut s = format!("--account-name {}", dest.account);
        if let Some(sas) = &dest.sas {
            s.push_str(&format!(" --sas-token \"{sas}\""));
        }
        s
    }

    /// `az storage blob copy start ...`
    pub fn copy_start(dest: &BlobTarget, source_url: &str) -> String {
        format!(
            "az storage blob copy start {} --source-uri \"{}\" --destination-blob \"{}\" --destination-container {}",
            auth(dest),
            super::redact(source_url),
            dest.blob,
            dest.container
        )
    }

    /// `az storage blob show ... | jq .properties.copy`
    pub fn show(dest: &BlobTarget) -> String {
        format!(
            "az storage blob show -c {} -n \"{}\" {} | jq .properties.copy",
            dest.container,
            dest.blob,
            auth(dest)
        )
    }

    /// `az storage blob copy cancel ...`
    pub fn copy_cancel(dest: &BlobTarget, copy_id: &str) -> String {
        format!(
            "az storage blob copy cancel {} --destination-container {} --destination-blob \"{}\" --copy-id {copy_id}",
            auth(dest),
            dest.container,
            dest.blob
        )
    }
}

/// The cluster's ARM64 Azure boot image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootImage {
    pub url: String,
    pub release: String,
}

impl BootImage {
    /// `rhcos-<release>-azure.aarch64.vhd`, the seed's destination blob name.
    pub fn blob_name(&self) -> String {
        format!("rhcos-{}-azure.aarch64.vhd", self.release)
    }
}

/// Why the boot image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BootImageError {
    #[error(
        "ConfigMap has no data.stream (expected openshift-machine-config-operator/coreos-bootimages)"
    )]
    NoStream,
    #[error("stream is not JSON: {0}")]
    NotJson(String),
    #[error("stream has no {0}")]
    Missing(&'static str),
}

/// `.architectures.aarch64."rhel-coreos-extensions"."azure-disk"` `url` and `release` from the
/// `stream` JSON text.
pub fn aarch64_azure_vhd(stream: &str) -> Result<BootImage, BootImageError> {
    let v: Value =
        serde_json::from_str(stream).map_err(|e| BootImageError::NotJson(e.to_string()))?;
    let disk = &v["architectures"]["aarch64"]["rhel-coreos-extensions"]["azure-disk"];
    if disk.is_null() {
        return Err(BootImageError::Missing(
            ".architectures.aarch64.\"rhel-coreos-extensions\".\"azure-disk\"",
        ));
    }
    let url = disk["url"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or(BootImageError::Missing("azure-disk url"))?;
    let release = disk["release"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or(BootImageError::Missing("azure-disk release"))?;
    Ok(BootImage {
        url: url.to_string(),
        release: release.to_string(),
    })
}

/// Same, from the ConfigMap object's JSON.
pub fn aarch64_azure_vhd_from_configmap(cm: &Value) -> Result<BootImage, BootImageError> {
    let stream = cm["data"]["stream"]
        .as_str()
        .ok_or(BootImageError::NoStream)?;
    aarch64_azure_vhd(stream)
}

/// A validated boot image copy, ready for [`BlobClient::start_copy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootImageCopy {
    /// The destination blob (with its SAS).
    pub dest: BlobTarget,
    /// The source URL (the cluster's ARM64 VHD unless overridden).
    pub source: String,
}

impl BootImageCopy {
    /// Check everything before starting: the container URL (`https://<acct>.blob.core.windows.net/<container>`
    /// or path style) and SAS must parse; the source is `source` or the `coreos-bootimages`
    /// ConfigMap's aarch64 Azure VHD; the blob name is `blob` or `rhcos-<release>-azure.aarch64.vhd`.
    pub fn plan(
        container_url: &str,
        sas: &str,
        bootimages: Option<&Value>,
        source: Option<&str>,
        blob: Option<&str>,
    ) -> Result<Self, CopyPlanError> {
        let boot = match (source, blob) {
            (Some(_), Some(_)) => None,
            _ => Some(aarch64_azure_vhd_from_configmap(
                bootimages.ok_or(CopyPlanError::NoBootImages)?,
            )?),
        };
        let source = match (source, &boot) {
            (Some(s), _) => s.to_string(),
            (None, Some(b)) => b.url.clone(),
            (None, None) => return Err(CopyPlanError::NoBootImages),
        };
        url::Url::parse(&source).map_err(|e| {
            CopyPlanError::Url(BlobUrlError::NotAUrl {
                url: redact(&source),
                reason: e.to_string(),
            })
        })?;
        let name = match (blob, &boot) {
            (Some(b), _) => b.to_string(),
            (None, Some(b)) => b.blob_name(),
            (None, None) => return Err(CopyPlanError::NoBootImages),
        };
        let base = container_url.trim_end_matches('/');
        let base = base.split_once('?').map_or(base, |(b, _)| b);
        let dest = BlobTarget::parse(&format!("{base}/{name}"), Some(sas))?;
        if dest.sas.is_none() {
            return Err(CopyPlanError::Url(BlobUrlError::Sas(
                super::sas::SasError::Empty,
            )));
        }
        Ok(Self { dest, source })
    }

    /// `az storage blob copy start ...` for this copy (SAS redacted).
    pub fn az_command(&self) -> String {
        az::copy_start(&self.dest, &self.source)
    }
}

/// Why a boot image copy cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyPlanError {
    #[error("no source given and the coreos-bootimages ConfigMap is not available")]
    NoBootImages,
    #[error("{0}")]
    BootImage(#[from] BootImageError),
    #[error("{0}")]
    Url(#[from] BlobUrlError),
}

/// One tracked blob copy: the destination, the last poll's outcome, and the item to show.
#[derive(Debug, Clone)]
pub struct BlobCopyWatch {
    pub target: BlobTarget,
    /// The outcome of the last poll: the properties or why they could not be read.
    pub last: Option<Result<BlobProperties, BlobError>>,
    pub item: CopyItem,
}

impl BlobCopyWatch {
    /// Track copies into `target`.
    pub fn new(target: BlobTarget) -> Self {
        let mut item = CopyItem::new(SourceKind::AzureBlob, target.url(), target.blob.clone());
        item.detail = format!("{}/{}", target.account, target.container);
        Self {
            target,
            last: None,
            item,
        }
    }

    /// Fold one poll result observed at `now` into the item (pure).
    pub fn apply(&mut self, result: Result<BlobProperties, BlobError>, now: Timestamp) {
        let item = &mut self.item;
        match &result {
            Ok(p) => {
                let c = &p.copy;
                item.state = c.status.map_or(CopyState::Pending, CopyStatus::state);
                if item.started.is_none() && c.status.is_some() {
                    item.started = Some(now);
                }
                item.finished = if item.state.is_final() {
                    c.completion_time
                        .as_deref()
                        .and_then(|t| {
                            k8s_openapi::jiff::fmt::rfc2822::DateTimeParser::new()
                                .parse_timestamp(t)
                                .ok()
                        })
                        .or(item.finished)
                        .or(Some(now))
                } else {
                    None
                };
                let (done, total) = match c.progress {
                    Some((d, t)) => (Some(d), Some(t)),
                    None => (None, p.content_length),
                };
                item.observe(now, None, done, total);
                item.message = match (&c.status, &c.status_description, &c.id) {
                    (None, _, _) => Some("blob exists but was never a copy destination".into()),
                    (_, Some(d), _) => Some(d.clone()),
                    (_, None, Some(id)) => Some(format!("copy id {id}")),
                    _ => None,
                };
            }
            Err(e) => {
                item.message = Some(format!("cannot read the blob: {e}"));
            }
        }
        self.last = Some(result);
    }

    /// The `az` commands matching this watch (SAS redacted): show, and cancel while pending.
    pub fn az_commands(&self) -> Vec<String> {
        let mut v = vec![az::show(&self.target)];
        if let Some(Ok(p)) = &self.last
            && p.copy.status == Some(CopyStatus::Pending)
            && let Some(id) = &p.copy.id
        {
            v.push(az::copy_cancel(&self.target, id));
        }
        v
    }

    /// Poll once with `client`.
    pub async fn poll(&mut self, client: &BlobClient) {
        let r = client.get_properties(&self.target).await;
        self.apply(r, Timestamp::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"{ "completionTime": null, "destinationSnapshot": null, "id": "1fd97630-03ca-489a-8c4e-cfe839c9627d", "incrementalCopy": null, "progress": "17179869696/17179869696", "source": "https://rhcos.blob.core.windows.net/imagebucket/rhcos-411.86.202207130959-0-azure.aarch64.vhd", "status": "success", "statusDescription": null }"#;

    #[test]
    fn parses_the_seed_example() {
        let v: Value = serde_json::from_str(SEED).expect("json");
        let p = CopyProperties::from_az_json(&v);
        assert_eq!(p.status, Some(CopyStatus::Success));
        assert_eq!(p.progress, Some((17_179_869_696, 17_179_869_696)));
        assert_eq!(p.fraction(), Some(1.0));
        assert_eq!(
            p.id.as_deref(),
            Some("1fd97630-03ca-489a-8c4e-cfe839c9627d")
        );
        assert_eq!(p.to_az_json(), v, "round-trips to the same shape");
    }

    #[test]
    fn headers_to_properties_and_watch_item() {
        let mut h = HeaderMap::new();
        h.insert("x-ms-copy-status", "pending".parse().expect("hv"));
        h.insert("x-ms-copy-progress", "1024/4096".parse().expect("hv"));
        h.insert("x-ms-copy-id", "abc".parse().expect("hv"));
        h.insert(
            "x-ms-copy-source",
            "https://s.blob.core.windows.net/c/x.vhd?sv=1&sig=SECRET"
                .parse()
                .expect("hv"),
        );
        let p = CopyProperties::from_headers(&h);
        assert_eq!(p.status, Some(CopyStatus::Pending));
        assert_eq!(p.fraction(), Some(0.25));
        assert!(!p.source.as_deref().unwrap_or_default().contains("SECRET"));

        let target =
            BlobTarget::parse("https://a.blob.core.windows.net/vhds/x.vhd", None).expect("url");
        let mut w = BlobCopyWatch::new(target);
        let t0 = Timestamp::now();
        w.apply(
            Ok(BlobProperties {
                content_length: Some(4096),
                copy: p.clone(),
            }),
            t0,
        );
        assert_eq!(w.item.state, CopyState::Running);
        assert_eq!(w.item.bytes_done, Some(1024));
        let mut p2 = p.clone();
        p2.progress = Some((3072, 4096));
        w.apply(
            Ok(BlobProperties {
                content_length: Some(4096),
                copy: p2,
            }),
            t0 + k8s_openapi::jiff::SignedDuration::from_secs(2),
        );
        assert_eq!(w.item.rate_bytes, Some(1024.0));
        assert_eq!(
            w.item.eta,
            Some(k8s_openapi::jiff::SignedDuration::from_secs(1))
        );
        w.apply(
            Err(BlobError::Service {
                status: 403,
                code: "AuthenticationFailed".into(),
                message: None,
            }),
            t0 + k8s_openapi::jiff::SignedDuration::from_secs(3),
        );
        assert_eq!(
            w.item.state,
            CopyState::Running,
            "an unreadable poll keeps the last state"
        );
        assert_eq!(
            w.item.message.as_deref(),
            Some("cannot read the blob: HTTP 403 AuthenticationFailed")
        );
    }

    #[test]
    fn progress_header_validation() {
        assert_eq!(parse_progress("0/0"), Some((0, 0)));
        assert_eq!(parse_progress("5/4"), None);
        assert_eq!(parse_progress("x/4"), None);
        assert_eq!(parse_progress("5"), None);
    }

    #[test]
    fn service_error_from_xml_body() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.\nRequestId:1</Message></Error>";
        let e = service_error(StatusCode::NOT_FOUND, &HeaderMap::new(), body);
        assert_eq!(e.code(), Some("BlobNotFound"));
        assert_eq!(
            e.to_string(),
            "HTTP 404 BlobNotFound: The specified blob does not exist."
        );
        let e = service_error(StatusCode::FORBIDDEN, &HeaderMap::new(), b"");
        assert_eq!(e.to_string(), "HTTP 403 Forbidden");
    }

    #[test]
    fn az_commands_redact_the_sas() {
        let t = BlobTarget::parse(
            "https://acct.blob.core.windows.net/vhds/rhcos.vhd",
            Some("sv=2021-08-06&se=2030-01-01&sr=c&sp=rwdl&sig=U0VDUkVUU0lH"),
        )
        .expect("url");
        let src = "https://rhcos.blob.core.windows.net/imagebucket/x.vhd?sig=OTHER";
        let start = az::copy_start(&t, src);
        assert_eq!(
            start,
            "az storage blob copy start --account-name acct --sas-token \"sv=2021-08-06&se=2030-01-01&sr=c&sp=rwdl&sig=REDACTED\" --source-uri \"https://rhcos.blob.core.windows.net/imagebucket/x.vhd?sig=REDACTED\" --destination-blob \"rhcos.vhd\" --destination-container vhds"
        );
        for s in [
            start,
            az::show(&t),
            az::copy_cancel(&t, "id1"),
            format!("{t:?}"),
        ] {
            assert!(!s.contains("U0VDUkVUU0lH") && !s.contains("OTHER"), "{s}");
        }
        assert!(az::show(&t).ends_with("| jq .properties.copy"));
    }

    #[test]
    fn boot_image_copy_plan_defaults_and_validation() {
        let stream = json!({"architectures": {"aarch64": {"rhel-coreos-extensions": {"azure-disk": {
            "release": "415.92.202402201450-0",
            "url": "https://rhcos.blob.core.windows.net/imagebucket/rhcos-415.92.202402201450-0-azure.aarch64.vhd"}}}}});
        let cm = json!({"data": {"stream": stream.to_string()}});
        let sas = "sv=2021-08-06&se=2030-01-01&sr=c&sp=rwdl&sig=U0VDUkVUU0lH";
        let p = BootImageCopy::plan(
            "https://acct.blob.core.windows.net/vhds/",
            sas,
            Some(&cm),
            None,
            None,
        )
        .expect("plan");
        assert_eq!(p.dest.blob, "rhcos-415.92.202402201450-0-azure.aarch64.vhd");
        assert_eq!(p.dest.container, "vhds");
        assert!(
            p.source
                .starts_with("https://rhcos.blob.core.windows.net/imagebucket/")
        );
        assert!(p.az_command().contains("--destination-blob \"rhcos-415.92"));
        assert!(!format!("{p:?} {}", p.az_command()).contains("U0VDUkVUU0lH"));
        let p = BootImageCopy::plan(
            "https://acct.blob.core.windows.net/vhds",
            sas,
            None,
            Some("https://example.com/x.vhd"),
            Some("x.vhd"),
        )
        .expect("explicit source and name need no ConfigMap");
        assert_eq!(p.dest.blob, "x.vhd");
        assert_eq!(
            BootImageCopy::plan(
                "https://acct.blob.core.windows.net/vhds",
                sas,
                None,
                None,
                None
            ),
            Err(CopyPlanError::NoBootImages)
        );
        assert!(matches!(
            BootImageCopy::plan(
                "https://acct.blob.core.windows.net/vhds",
                "sv=1&sig=AAAA",
                Some(&cm),
                None,
                None
            ),
            Err(CopyPlanError::Url(BlobUrlError::Sas(_)))
        ));
        assert!(matches!(
            BootImageCopy::plan(
                "https://acct.blob.core.windows.net/vhds",
                "",
                Some(&cm),
                None,
                None
            ),
            Err(CopyPlanError::Url(_))
        ));
        assert!(matches!(
            BootImageCopy::plan(
                "https://acct.blob.core.windows.net/vhds",
                sas,
                Some(&cm),
                Some("nope"),
                None
            ),
            Err(CopyPlanError::Url(_))
        ));
    }

    #[test]
    fn boot_image_from_stream() {
        let stream = json!({"architectures": {"aarch64": {"rhel-coreos-extensions": {"azure-disk": {
            "release": "411.86.202207130959-0",
            "url": "https://rhcos.blob.core.windows.net/imagebucket/rhcos-411.86.202207130959-0-azure.aarch64.vhd"}}}}});
        let cm = json!({"data": {"stream": stream.to_string()}});
        let b = aarch64_azure_vhd_from_configmap(&cm).expect("boot image");
        assert_eq!(
            b.blob_name(),
            "rhcos-411.86.202207130959-0-azure.aarch64.vhd"
        );
        assert!(b.url.ends_with(&b.blob_name()));
        assert_eq!(
            aarch64_azure_vhd_from_configmap(&json!({"data": {}})),
            Err(BootImageError::NoStream)
        );
        assert!(matches!(
            aarch64_azure_vhd("{"),
            Err(BootImageError::NotJson(_))
        ));
        assert!(matches!(
            aarch64_azure_vhd(r#"{"architectures": {"x86_64": {}}}"#),
            Err(BootImageError::Missing(_))
        ));
    }
}
