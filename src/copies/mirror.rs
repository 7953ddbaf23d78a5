//! MicroShift image mirroring with `skopeo copy --all --preserve-digests`.
//!
//! 1. [`parse_image_list`] reads the `.images` map of a MicroShift `release-<arch>.json` or a plain
//!    list (one reference per line, `#` comments); anything else is a clear error.
//! 2. [`MirrorJob::new`] checks everything before anything starts (skopeo found, authfile exists,
//!    target valid, at least one image) and plans each destination the way the seed's scripts do:
//!    `dir:<dir>/<reference without registry>` or
//!    `docker://<registry>/<repository>:<tag or mirror-<stamp>-<n>>`.
//! 3. [`MirrorJob::spawn`] copies a few at a time and reports [`MirrorEvent`]s; [`MirrorStatus`]
//!    folds them (pure) into per-image [`CopyItem`]s and an overall n/m item. A failed image does
//!    not stop the others; spawn again with [`MirrorStatus::failed_indices`] to retry.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::{Semaphore, mpsc};

use super::progress::{CopyItem, CopyState, SourceKind};

/// One image to mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The key in `release-<arch>.json` (e.g. `haproxy-router`), or the reference itself.
    pub name: String,
    /// `registry/repository[:tag][@digest]`, without a transport.
    pub reference: String,
}

/// Why an image list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageListError {
    #[error("the image list is empty")]
    Empty,
    #[error("JSON image list is not valid JSON: {0}")]
    BadJson(String),
    #[error(
        "unknown image list format: JSON without an `.images` map (expected a MicroShift release-<arch>.json or one image per line)"
    )]
    NoImagesMap,
    #[error("`.images.{0}` is not a string image reference")]
    BadJsonEntry(String),
    #[error("line {line}: `{text}` is not an image reference ({reason})")]
    BadLine {
        line: usize,
        text: String,
        reason: &'static str,
    },
}

/// Parse a MicroShift `release-<arch>.json` (its `.images` map, in file order) or a plain list.
/// Duplicate references are kept once.
pub fn parse_image_list(text: &str) -> Result<Vec<ImageRef>, ImageListError> {
    let trimmed = text.trim_start();
    let mut out: Vec<ImageRef> = Vec::new();
    let mut push = |r: ImageRef| {
        if !out.iter().any(|o| o.reference == r.reference) {
            out.push(r);
        }
    };
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: Value =
            serde_json::from_str(text).map_err(|e| ImageListError::BadJson(e.to_string()))?;
        let images = v["images"].as_object().ok_or(ImageListError::NoImagesMap)?;
        for (name, r) in images {
            let r = r
                .as_str()
                .filter(|r| check_reference(r).is_ok())
                .ok_or_else(|| ImageListError::BadJsonEntry(name.clone()))?;
            push(ImageRef {
                name: name.clone(),
                reference: r.to_string(),
            });
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            check_reference(l).map_err(|reason| ImageListError::BadLine {
                line: i + 1,
                text: l.chars().take(80).collect(),
                reason,
            })?;
            push(ImageRef {
                name: l.to_string(),
                reference: l.to_string(),
            });
        }
    }
    if out.is_empty() {
        return Err(ImageListError::Empty);
    }
    Ok(out)
}

fn check_reference(r: &str) -> Result<(), &'static str> {
    if r.contains("://") || r.starts_with("docker:") || r.starts_with("dir:") {
        return Err("write it without a transport");
    }
    if r.is_empty()
        || !r
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
    {
        return Err("unexpected characters");
    }
    let parts = split_reference(r);
    if parts.registry.is_none() {
        return Err("name its registry, e.g. quay.io/org/image:tag");
    }
    if parts.repository.is_empty()
        || parts.repository.ends_with('/')
        || parts.repository.contains("//")
    {
        return Err("no repository");
    }
    if parts.tag.is_some_and(str::is_empty) || parts.digest.is_some_and(str::is_empty) {
        return Err("empty tag or digest");
    }
    if let Some(d) = parts.digest
        && !d.starts_with("sha256:")
        && !d.starts_with("sha512:")
    {
        return Err("digest is not sha256: or sha512:");
    }
    Ok(())
}

/// The parts of an image reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefParts<'a> {
    /// Present when the first component looks like a host (has `.` or `:`, or is `localhost`).
    pub registry: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Split `registry/repo/name:tag@sha256:...` into its parts.
pub fn split_reference(r: &str) -> RefParts<'_> {
    let (name_tag, digest) = match r.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (r, None),
    };
    let (registry, rest) = match name_tag.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name_tag),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    RefParts {
        registry,
        repository,
        tag,
        digest,
    }
}

/// Where images go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MirrorTarget {
    /// `dir:<path>`: one skopeo `dir:` directory per image below `path`.
    Dir(PathBuf),
    /// `docker://<host[:port]>[/prefix]`: a mirror registry.
    Registry(String),
}

/// Why a `--to` mirror target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("`dir:` needs a directory, e.g. dir:/srv/mirror")]
    EmptyDir,
    #[error("`{0}` is not docker://<registry host[:port]>[/prefix]")]
    BadRegistry(String),
    #[error(
        "unknown mirror target `{0}`: use dir:<directory> or docker://<registry host[:port]>[/prefix]"
    )]
    Unknown(String),
}

impl std::str::FromStr for MirrorTarget {
    type Err = TargetError;

    fn from_str(s: &str) -> Result<Self, TargetError> {
        if let Some(p) = s.strip_prefix("dir:") {
            let p = p.strip_prefix("//").unwrap_or(p);
            if p.is_empty() {
                return Err(TargetError::EmptyDir);
            }
            return Ok(MirrorTarget::Dir(PathBuf::from(p)));
        }
        if let Some(r) = s.strip_prefix("docker://") {
            let r = r.trim_end_matches('/');
            let host = r.split('/').next().unwrap_or_default();
            if host.is_empty()
                || !r
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c))
            {
                return Err(TargetError::BadRegistry(s.to_string()));
            }
            return Ok(MirrorTarget::Registry(r.to_string()));
        }
        Err(TargetError::Unknown(s.to_string()))
    }
}

impl std::fmt::Display for MirrorTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MirrorTarget::Dir(p) => write!(f, "dir:{}", p.display()),
            MirrorTarget::Registry(r) => write!(f, "docker://{r}"),
        }
    }
}

/// Skopeo destination for image number `n` (1-based, as the seed's counter) of the job.
/// `dir:` keeps the reference without its registry (`cut -d/ -f2-` in the seed); a registry
/// gets `<repository>` with the source tag, or `mirror-<stamp>-<n>` for a digest-only source.
pub fn destination(target: &MirrorTarget, reference: &str, n: usize, stamp: &str) -> String {
    let p = split_reference(reference);
    match target {
        MirrorTarget::Dir(base) => {
            let rest = match p.registry {
                Some(reg) => &reference[reg.len() + 1..],
                None => reference,
            };
            format!("dir:{}", base.join(rest).display())
        }
        MirrorTarget::Registry(reg) => {
            let tag = match p.tag {
                Some(t) => t.to_string(),
                None => format!("{stamp}-{n}"),
            };
            format!("docker://{reg}/{}:{tag}", p.repository)
        }
    }
}

/// How to run the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorOptions {
    /// `--authfile` for skopeo (must exist).
    pub authfile: Option<PathBuf>,
    /// Copies at once (at least 1).
    pub parallel: usize,
    /// `false` adds `--src-tls-verify=false --dest-tls-verify=false` (plain-http registries).
    pub tls_verify: bool,
    /// The skopeo program: a name looked up in `PATH`, or a path.
    pub skopeo: PathBuf,
    /// Tag prefix for digest-only sources pushed to a registry (the seed's `mirror-<date>`).
    pub tag_stamp: String,
}

impl Default for MirrorOptions {
    fn default() -> Self {
        Self {
            authfile: None,
            parallel: 3,
            tls_verify: true,
            skopeo: PathBuf::from("skopeo"),
            tag_stamp: Timestamp::now().strftime("mirror-%y%m%d%H%M%S").to_string(),
        }
    }
}

/// Why a job cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MirrorError {
    #[error(
        "skopeo not found ({0}): install it (e.g. `dnf install -y skopeo` or `apt-get install -y skopeo`)"
    )]
    SkopeoMissing(String),
    #[error("authfile {0} does not exist")]
    AuthfileMissing(String),
    #[error("parallel must be at least 1")]
    BadParallel,
    #[error("{0}")]
    List(#[from] ImageListError),
    #[error("cannot read the image list {path}: {reason}")]
    ReadList { path: String, reason: String },
}

/// Find `program` in `PATH` (or check it, when it has a `/`).
pub fn find_program(program: &Path) -> Option<PathBuf> {
    let ok = |p: &Path| p.is_file() && is_executable(p);
    if program.components().count() > 1 {
        return ok(program).then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| ok(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    true
}

/// One planned copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedImage {
    pub name: String,
    pub reference: String,
    /// `docker://<reference>`
    pub source: String,
    /// `dir:...` or `docker://...`
    pub destination: String,
}

impl PlannedImage {
    /// The skopeo arguments (after the program name), `digestfile` included.
    pub fn skopeo_args(&self, opts: &MirrorOptions, digestfile: &Path) -> Vec<String> {
        let mut a: Vec<String> = ["copy", "--all", "--preserve-digests"]
            .map(String::from)
            .to_vec();
        if let Some(f) = &opts.authfile {
            a.push("--authfile".into());
            a.push(f.display().to_string());
        }
        if !opts.tls_verify {
            a.push("--src-tls-verify=false".into());
            a.push("--dest-tls-verify=false".into());
        }
        a.push("--digestfile".into());
        a.push(digestfile.display().to_string());
        a.push(self.source.clone());
        a.push(self.destination.clone());
        a
    }
}

/// What happens while a job runs.
#[derive(Debug, Clone, PartialEq)]
pub enum MirrorEvent {
    Started {
        index: usize,
        at: Timestamp,
    },
    /// A line skopeo printed on stdout (`Copying blob ...`, `Writing manifest ...`).
    Output {
        index: usize,
        line: String,
    },
    Finished {
        index: usize,
        at: Timestamp,
        result: Result<ImageDone, ImageError>,
    },
}

/// Why one image was not mirrored (causes kept as text so events stay cloneable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("cannot create {path}: {cause}")]
    CreateDir { path: String, cause: String },
    #[error("cannot run {skopeo}: {cause}")]
    Spawn { skopeo: String, cause: String },
    #[error("skopeo did not finish: {0}")]
    Wait(String),
    /// skopeo failed: its own message (see [`skopeo_message`]), else its exit status.
    #[error("{0}")]
    Skopeo(String),
}

/// A finished image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDone {
    /// Manifest digest from `--digestfile`.
    pub digest: Option<String>,
    /// Bytes written, measured for `dir:` destinations.
    pub bytes: Option<u64>,
}

/// A validated job, ready to run.
#[derive(Debug, Clone)]
pub struct MirrorJob {
    plan: Arc<Vec<PlannedImage>>,
    opts: Arc<MirrorOptions>,
    skopeo: PathBuf,
    target: MirrorTarget,
}

impl MirrorJob {
    /// Validate everything and plan the destinations; nothing runs yet.
    pub fn new(
        images: Vec<ImageRef>,
        target: MirrorTarget,
        opts: MirrorOptions,
    ) -> Result<Self, MirrorError> {
        let skopeo = find_program(&opts.skopeo)
            .ok_or_else(|| MirrorError::SkopeoMissing(opts.skopeo.display().to_string()))?;
        if let Some(f) = &opts.authfile
            && !f.is_file()
        {
            return Err(MirrorError::AuthfileMissing(f.display().to_string()));
        }
        if opts.parallel == 0 {
            return Err(MirrorError::BadParallel);
        }
        if images.is_empty() {
            return Err(ImageListError::Empty.into());
        }
        let plan = images
            .into_iter()
            .enumerate()
            .map(|(i, img)| PlannedImage {
                destination: destination(&target, &img.reference, i + 1, &opts.tag_stamp),
                source: format!("docker://{}", img.reference),
                name: img.name,
                reference: img.reference,
            })
            .collect();
        Ok(Self {
            plan: Arc::new(plan),
            opts: Arc::new(opts),
            skopeo,
            target,
        })
    }

    /// Read and parse an image list file, then [`MirrorJob::new`].
    pub fn from_file(
        list: &Path,
        target: MirrorTarget,
        opts: MirrorOptions,
    ) -> Result<Self, MirrorError> {
        let text = std::fs::read_to_string(list).map_err(|e| MirrorError::ReadList {
            path: list.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::new(parse_image_list(&text)?, target, opts)
    }

    /// The planned copies, in list order.
    pub fn plan(&self) -> &[PlannedImage] {
        &self.plan
    }

    pub fn target(&self) -> &MirrorTarget {
        &self.target
    }

    /// Copy the images at `indices` (all of them: `0..plan().len()`), `parallel` at a time.
    /// Events arrive on the receiver; the task ends after the last `Finished`.
    pub fn spawn(
        &self,
        indices: Vec<usize>,
    ) -> (
        mpsc::UnboundedReceiver<MirrorEvent>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, rx) = mpsc::unbounded_channel();
        let job = self.clone();
        let handle = tokio::spawn(async move {
            let sem = Arc::new(Semaphore::new(job.opts.parallel));
            let mut tasks = tokio::task::JoinSet::new();
            for index in indices.into_iter().filter(|i| *i < job.plan.len()) {
                let (job, tx, sem) = (job.clone(), tx.clone(), sem.clone());
                tasks.spawn(async move {
                    let Ok(_permit) = sem.acquire_owned().await else {
                        return;
                    };
                    let _ = tx.send(MirrorEvent::Started {
                        index,
                        at: Timestamp::now(),
                    });
                    let result = job.copy_one(index, &tx).await;
                    let _ = tx.send(MirrorEvent::Finished {
                        index,
                        at: Timestamp::now(),
                        result,
                    });
                });
            }
            while tasks.join_next().await.is_some() {}
        });
        (rx, handle)
    }

    async fn copy_one(
        &self,
        index: usize,
        tx: &mpsc::UnboundedSender<MirrorEvent>,
    ) -> Result<ImageDone, ImageError> {
        let p = &self.plan[index];
        let dir = p.destination.strip_prefix("dir:").map(PathBuf::from);
        if let Some(d) = &dir {
            tokio::fs::create_dir_all(d)
                .await
                .map_err(|e| ImageError::CreateDir {
                    path: d.display().to_string(),
                    cause: e.to_string(),
                })?;
        }
        let digestfile = DigestFile::new();
        let mut child = tokio::process::Command::new(&self.skopeo)
            .args(p.skopeo_args(&self.opts, &digestfile.0))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ImageError::Spawn {
                skopeo: self.skopeo.display().to_string(),
                cause: e.to_string(),
            })?;
        let mut stderr = child.stderr.take();
        let err_task = tokio::spawn(async move {
            let mut s = String::new();
            if let Some(e) = stderr.as_mut() {
                let _ = e.read_to_string(&mut s).await;
            }
            s
        });
        if let Some(out) = child.stdout.take() {
            let mut lines = BufReader::new(out).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let line = line.trim().to_string();
                if !line.is_empty() {
                    let _ = tx.send(MirrorEvent::Output { index, line });
                }
            }
        }
        let status = child
            .wait()
            .await
            .map_err(|e| ImageError::Wait(e.to_string()))?;
        let err = err_task.await.unwrap_or_default();
        if !status.success() {
            return Err(ImageError::Skopeo(
                skopeo_message(&err).unwrap_or_else(|| format!("skopeo {status}")),
            ));
        }
        let digest = tokio::fs::read_to_string(&digestfile.0)
            .await
            .ok()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        let bytes = match &dir {
            Some(d) => dir_size(d).await,
            None => None,
        };
        Ok(ImageDone { digest, bytes })
    }
}

/// A unique path in the temp directory for `--digestfile`, removed on drop.
struct DigestFile(PathBuf);

impl DigestFile {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(std::env::temp_dir().join(format!(
            "shiftdeck-digest-{}-{n}-{}",
            std::process::id(),
            rand::random::<u32>()
        )))
    }
}

impl Drop for DigestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The useful part of skopeo's stderr: the `msg="..."` of its last fatal line, else the last line.
pub fn skopeo_message(stderr: &str) -> Option<String> {
    let last = stderr.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    if let Some(i) = last.find("msg=\"") {
        let m = &last[i + 5..];
        let m = m.strip_suffix('"').unwrap_or(m);
        return Some(m.replace("\\\"", "\""));
    }
    Some(last.to_string())
}

async fn dir_size(d: &Path) -> Option<u64> {
    let mut total = 0;
    let mut rd = tokio::fs::read_dir(d).await.ok()?;
    while let Ok(Some(e)) = rd.next_entry().await {
        if let Ok(m) = e.metadata().await
            && m.is_file()
        {
            total += m.len();
        }
    }
    Some(total)
}

/// Per-image state of a job.
#[derive(Debug, Clone)]
pub struct ImageStatus {
    pub planned: PlannedImage,
    pub item: CopyItem,
    pub digest: Option<String>,
    pub attempts: u32,
}

/// Counts over a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MirrorCounts {
    pub pending: usize,
    pub running: usize,
    pub done: usize,
    pub failed: usize,
    pub total: usize,
}

/// The job's state, folded from events (pure).
#[derive(Debug, Clone)]
pub struct MirrorStatus {
    pub images: Vec<ImageStatus>,
    /// The overall n/m item.
    pub overall: CopyItem,
}

impl MirrorStatus {
    /// Everything pending. Image items are keyed by destination (unique across jobs), the
    /// overall item by target.
    pub fn new(job: &MirrorJob) -> Self {
        let images = job
            .plan()
            .iter()
            .map(|p| {
                let mut item =
                    CopyItem::new(SourceKind::Image, p.destination.clone(), p.name.clone());
                item.detail = p.destination.clone();
                ImageStatus {
                    planned: p.clone(),
                    item,
                    digest: None,
                    attempts: 0,
                }
            })
            .collect();
        let mut overall = CopyItem::new(
            SourceKind::MirrorJob,
            job.target().to_string(),
            format!("{} images", job.plan().len()),
        );
        overall.detail = job.target().to_string();
        Self { images, overall }
    }

    /// Fold one event; returns a plain progress line for scripts.
    pub fn apply(&mut self, ev: &MirrorEvent) -> Option<String> {
        let total = self.images.len();
        match ev {
            MirrorEvent::Started { index, at } => {
                let s = self.images.get_mut(*index)?;
                s.attempts += 1;
                s.item.state = CopyState::Running;
                s.item.started = Some(*at);
                s.item.finished = None;
                s.item.message = None;
                s.item.fraction = None;
                if self.overall.started.is_none() {
                    self.overall.started = Some(*at);
                }
                self.overall.state = CopyState::Running;
                self.overall.finished = None;
                Some(format!(
                    "[{}/{total}] copying {} to {}",
                    index + 1,
                    s.planned.reference,
                    s.planned.destination
                ))
            }
            MirrorEvent::Output { index, line } => {
                let s = self.images.get_mut(*index)?;
                s.item.message = Some(line.clone());
                None
            }
            MirrorEvent::Finished { index, at, result } => {
                let s = self.images.get_mut(*index)?;
                s.item.finished = Some(*at);
                let line = match result {
                    Ok(done) => {
                        s.item.state = CopyState::Succeeded;
                        s.digest = done.digest.clone();
                        s.item.observe(*at, Some(1.0), done.bytes, done.bytes);
                        s.item.message = done.digest.clone();
                        format!(
                            "[{}/{total}] done {} {}",
                            index + 1,
                            s.planned.reference,
                            done.digest.as_deref().unwrap_or("(no digest)")
                        )
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        s.item.state = CopyState::Failed;
                        s.item.message = Some(msg.clone());
                        format!(
                            "[{}/{total}] FAILED {}: {msg}",
                            index + 1,
                            s.planned.reference
                        )
                    }
                };
                self.update_overall(*at);
                Some(line)
            }
        }
    }

    fn update_overall(&mut self, at: Timestamp) {
        let c = self.counts();
        let total = c.total.max(1) as f64;
        let bytes: Option<u64> = self
            .images
            .iter()
            .filter_map(|i| i.item.bytes_done)
            .reduce(|a, b| a + b);
        let o = &mut self.overall;
        o.observe(at, Some((c.done + c.failed) as f64 / total), None, None);
        o.fraction = Some(c.done as f64 / total);
        o.bytes_done = bytes;
        o.name = format!("{}/{} images", c.done, c.total);
        o.message = (c.failed > 0).then(|| format!("{} failed", c.failed));
        if c.pending == 0 && c.running == 0 {
            o.state = if c.failed > 0 {
                CopyState::Failed
            } else {
                CopyState::Succeeded
            };
            o.finished = Some(at);
            o.eta = None;
        }
    }

    /// How many images are in each state.
    pub fn counts(&self) -> MirrorCounts {
        let mut c = MirrorCounts {
            total: self.images.len(),
            ..MirrorCounts::default()
        };
        for i in &self.images {
            match i.item.state {
                CopyState::Pending => c.pending += 1,
                CopyState::Running => c.running += 1,
                CopyState::Succeeded => c.done += 1,
                CopyState::Failed | CopyState::Aborted => c.failed += 1,
            }
        }
        c
    }

    /// Indices of failed images, to spawn a retry.
    pub fn failed_indices(&self) -> Vec<usize> {
        self.images
            .iter()
            .enumerate()
            .filter(|(_, i)| i.item.state == CopyState::Failed)
            .map(|(n, _)| n)
            .collect()
    }

    /// Mark images pending again before a retry (so the overall item is not final meanwhile).
    pub fn reset(&mut self, indices: &[usize]) {
        for &i in indices {
            if let Some(s) = self.images.get_mut(i) {
                s.item.state = CopyState::Pending;
                s.item.finished = None;
            }
        }
        self.overall.state = CopyState::Running;
        self.overall.finished = None;
    }

    /// The overall item followed by one item per image.
    pub fn items(&self) -> Vec<&CopyItem> {
        std::iter::once(&self.overall)
            .chain(self.images.iter().map(|i| &i.item))
            .collect()
    }

    /// `mirrored 4/5 images, 1 failed`
    pub fn summary(&self) -> String {
        let c = self.counts();
        let mut s = format!("mirrored {}/{} images", c.done, c.total);
        if c.failed > 0 {
            s.push_str(&format!(", {} failed", c.failed));
        }
        s
    }
}

/// Run a whole job (or a retry of `indices`), calling `on_line` with each progress line.
pub async fn run(
    job: &MirrorJob,
    status: &mut MirrorStatus,
    indices: Vec<usize>,
    mut on_line: impl FnMut(&str),
) {
    status.reset(&indices);
    let (mut rx, handle) = job.spawn(indices);
    while let Some(ev) = rx.recv().await {
        if let Some(l) = status.apply(&ev) {
            on_line(&l);
        }
    }
    let _ = handle.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELEASE: &str = r#"{
      "release": {"base": "4.15.0"},
      "images": {
        "cli": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:f41e79c17e8b41f1b0a5a32c3e2dd7cd15b8274554d3f1ba12b2598a347475f4",
        "haproxy-router": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:dbc65f1fba7d92b36cf7514cd130fe83a9bd211005ddb23a8dc479e0eea645fd",
        "lvms_operator": "registry.redhat.io/lvms4/lvms-rhel9-operator@sha256:82cfef91557f9a70cff5a90accba45841a37524e9b93f98a97b20f6b2b69e5db"
      }
    }"#;

    #[test]
    fn release_json_images_map_in_order() {
        let l = parse_image_list(RELEASE).expect("list");
        let names: Vec<_> = l.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["cli", "haproxy-router", "lvms_operator"]);
        assert!(l[2].reference.starts_with("registry.redhat.io/lvms4/"));
    }

    #[test]
    fn plain_list_and_errors() {
        let l = parse_image_list(
            "# refs\nquay.io/a/b:1\n\n  quay.io/a/b:1\nlocalhost:5000/x@sha256:00\n",
        )
        .expect("list");
        assert_eq!(l.len(), 2, "duplicates kept once");
        assert_eq!(l[1].name, "localhost:5000/x@sha256:00");
        assert_eq!(
            parse_image_list("\n# nothing\n"),
            Err(ImageListError::Empty)
        );
        assert_eq!(
            parse_image_list(r#"{"kind": "List"}"#),
            Err(ImageListError::NoImagesMap)
        );
        assert_eq!(parse_image_list("[1]"), Err(ImageListError::NoImagesMap));
        assert!(matches!(
            parse_image_list("{"),
            Err(ImageListError::BadJson(_))
        ));
        assert_eq!(
            parse_image_list(r#"{"images": {"x": 3}}"#),
            Err(ImageListError::BadJsonEntry("x".into()))
        );
        let e = parse_image_list("quay.io/a/b:1\napiVersion: v1 kind: List\n").expect_err("yaml");
        assert!(matches!(e, ImageListError::BadLine { line: 2, .. }), "{e}");
        let e = parse_image_list("docker://quay.io/a:1").expect_err("transport");
        assert!(e.to_string().contains("without a transport"), "{e}");
        let e = parse_image_list("busybox:1").expect_err("no registry");
        assert!(e.to_string().contains("registry"), "{e}");
        assert!(parse_image_list("images:").is_err());
        assert!(parse_image_list("quay.io/a:").is_err());
        let e = parse_image_list("quay.io/a@md5:00").expect_err("digest");
        assert!(e.to_string().contains("digest"), "{e}");
    }

    #[test]
    fn reference_parts() {
        let p = split_reference("quay.io/org/repo:v1@sha256:ab");
        assert_eq!(
            p,
            RefParts {
                registry: Some("quay.io"),
                repository: "org/repo",
                tag: Some("v1"),
                digest: Some("sha256:ab")
            }
        );
        let p = split_reference("127.0.0.1:5000/repo");
        assert_eq!(
            (p.registry, p.repository, p.tag),
            (Some("127.0.0.1:5000"), "repo", None)
        );
        let p = split_reference("library/busybox:1.36");
        assert_eq!(
            (p.registry, p.repository, p.tag),
            (None, "library/busybox", Some("1.36"))
        );
    }

    #[test]
    fn destinations_follow_the_seed() {
        let src = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:f41e";
        let dir: MirrorTarget = "dir:/srv/microshift-containers".parse().expect("target");
        assert_eq!(
            destination(&dir, src, 1, "mirror-240101000000"),
            "dir:/srv/microshift-containers/openshift-release-dev/ocp-v4.0-art-dev@sha256:f41e"
        );
        let reg: MirrorTarget = "docker://mirror.example.com:8443/".parse().expect("target");
        assert_eq!(
            destination(&reg, src, 7, "mirror-240101000000"),
            "docker://mirror.example.com:8443/openshift-release-dev/ocp-v4.0-art-dev:mirror-240101000000-7"
        );
        assert_eq!(
            destination(&reg, "127.0.0.1:5000/a/b:v2", 1, "m"),
            "docker://mirror.example.com:8443/a/b:v2"
        );
        assert_eq!(
            "dir:///abs".parse::<MirrorTarget>(),
            Ok(MirrorTarget::Dir("/abs".into()))
        );
        assert!("oci:/x".parse::<MirrorTarget>().is_err());
        assert!("docker://".parse::<MirrorTarget>().is_err());
        assert!("dir:".parse::<MirrorTarget>().is_err());
    }

    #[test]
    fn job_validation_happens_before_anything_runs() {
        let imgs = parse_image_list("quay.io/a/b:1").expect("list");
        let t = MirrorTarget::Dir("/tmp/x".into());
        let e = MirrorJob::new(
            imgs.clone(),
            t.clone(),
            MirrorOptions {
                skopeo: "/nonexistent/skopeo".into(),
                ..MirrorOptions::default()
            },
        )
        .expect_err("no skopeo");
        assert!(e.to_string().starts_with("skopeo not found"), "{e}");
        // `sh` exists everywhere: stands in for skopeo to check the other validations.
        let sh = MirrorOptions {
            skopeo: "sh".into(),
            ..MirrorOptions::default()
        };
        let e = MirrorJob::new(
            imgs.clone(),
            t.clone(),
            MirrorOptions {
                authfile: Some("/nonexistent/auth.json".into()),
                ..sh.clone()
            },
        )
        .expect_err("authfile");
        assert_eq!(
            e,
            MirrorError::AuthfileMissing("/nonexistent/auth.json".into())
        );
        let e = MirrorJob::new(
            imgs.clone(),
            t.clone(),
            MirrorOptions {
                parallel: 0,
                ..sh.clone()
            },
        )
        .expect_err("parallel");
        assert_eq!(e, MirrorError::BadParallel);
        assert!(MirrorJob::new(vec![], t.clone(), sh.clone()).is_err());
        let job = MirrorJob::new(imgs, t, sh).expect("job");
        let args = job.plan()[0].skopeo_args(
            &MirrorOptions {
                authfile: Some("/a.json".into()),
                tls_verify: false,
                ..MirrorOptions::default()
            },
            Path::new("/tmp/d"),
        );
        assert_eq!(
            args.join(" "),
            "copy --all --preserve-digests --authfile /a.json --src-tls-verify=false --dest-tls-verify=false --digestfile /tmp/d docker://quay.io/a/b:1 dir:/tmp/x/a/b:1"
        );
    }

    #[test]
    fn status_folds_events_and_retries() {
        let imgs = parse_image_list("quay.io/a/b:1\nquay.io/a/c:1").expect("list");
        let job = MirrorJob::new(
            imgs,
            MirrorTarget::Registry("m:5000".into()),
            MirrorOptions {
                skopeo: "sh".into(),
                ..MirrorOptions::default()
            },
        )
        .expect("job");
        let mut s = MirrorStatus::new(&job);
        let t0 = Timestamp::now();
        let l = s
            .apply(&MirrorEvent::Started { index: 0, at: t0 })
            .expect("line");
        assert_eq!(l, "[1/2] copying quay.io/a/b:1 to docker://m:5000/a/b:1");
        s.apply(&MirrorEvent::Started { index: 1, at: t0 });
        s.apply(&MirrorEvent::Output {
            index: 0,
            line: "Copying blob sha256:aa".into(),
        });
        assert_eq!(
            s.images[0].item.message.as_deref(),
            Some("Copying blob sha256:aa")
        );
        let l = s
            .apply(&MirrorEvent::Finished {
                index: 1,
                at: t0 + k8s_openapi::jiff::SignedDuration::from_secs(4),
                result: Err(ImageError::Skopeo("manifest unknown".into())),
            })
            .expect("line");
        assert_eq!(l, "[2/2] FAILED quay.io/a/c:1: manifest unknown");
        assert_eq!(s.overall.state, CopyState::Running, "one still running");
        s.apply(&MirrorEvent::Finished {
            index: 0,
            at: t0 + k8s_openapi::jiff::SignedDuration::from_secs(5),
            result: Ok(ImageDone {
                digest: Some("sha256:dd".into()),
                bytes: Some(10),
            }),
        });
        assert_eq!(
            s.counts(),
            MirrorCounts {
                pending: 0,
                running: 0,
                done: 1,
                failed: 1,
                total: 2
            }
        );
        assert_eq!(s.overall.state, CopyState::Failed);
        assert_eq!(s.overall.name, "1/2 images");
        assert_eq!(s.summary(), "mirrored 1/2 images, 1 failed");
        assert_eq!(s.failed_indices(), vec![1]);
        s.reset(&[1]);
        assert_eq!(s.overall.state, CopyState::Running);
        s.apply(&MirrorEvent::Started {
            index: 1,
            at: t0 + k8s_openapi::jiff::SignedDuration::from_secs(6),
        });
        s.apply(&MirrorEvent::Finished {
            index: 1,
            at: t0 + k8s_openapi::jiff::SignedDuration::from_secs(8),
            result: Ok(ImageDone {
                digest: None,
                bytes: None,
            }),
        });
        assert_eq!(s.images[1].attempts, 2);
        assert_eq!(s.overall.state, CopyState::Succeeded);
        assert_eq!(s.items().len(), 3);
        assert_eq!(s.images[0].item.key, "docker://m:5000/a/b:1");
        assert_eq!(s.overall.key, "docker://m:5000");
    }

    #[test]
    fn skopeo_stderr_message() {
        let err = "time=\"2024-01-01T00:00:00Z\" level=fatal msg=\"initializing source docker://x: reading manifest 1 in x: manifest unknown\"\n";
        assert_eq!(
            skopeo_message(err).as_deref(),
            Some("initializing source docker://x: reading manifest 1 in x: manifest unknown")
        );
        assert_eq!(skopeo_message("\n\n"), None);
        assert_eq!(
            skopeo_message("plain error\n").as_deref(),
            Some("plain error")
        );
    }
}
