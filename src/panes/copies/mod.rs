//! The Copies pane (`:copy`, `:copies`): CDI DataVolume imports, Azure blob copies and mirror
//! jobs in one progress table, live copies on top and finished ones below. DataVolumes come from
//! the watch layer on `sync`; blob polls, aborts and mirror runs are tasks reporting by message,
//! folded in on `tick`.

pub mod dv_model;
pub mod modal;
pub mod runtime;
pub mod view;

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent};
use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use self::modal::{BlobForm, FormPurpose, Modal};
use self::runtime::CopyMsg;
use crate::action::Action;
use crate::actions::copy::{BlobAbortWrite, BlobCopyWrite};
use crate::actions::mirror::{MirrorWrite, Progress};
use crate::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
use crate::copies::azure::{BlobClient, BlobCopyWatch, CopyStatus};
use crate::copies::datavolume::DataVolumeCopy;
use crate::copies::dv_resource::DataVolume;
use crate::copies::mirror::{MirrorJob, MirrorStatus};
use crate::copies::sas::BlobTarget;
use crate::copies::{CopyBook, CopyItem, CopyState, SourceKind};
use crate::gate::{ActionGate, GatedAction, Verdict};
use crate::panes::{Copies, OwnInput, Pane, RenderCtx};
use crate::watch::Stores;

/// A sync with more changed DataVolumes than this (the first one: every DataVolume) converts
/// them on a blocking thread: 10,000 took 200–500 ms of the key that first showed the pane.
/// The pane shows the others meanwhile, and says how many are still being read.
pub const BULK: usize = 500;

/// Finished copies kept in the history section.
pub const HISTORY: usize = 50;

/// A mirror job and its per-image status.
pub struct MirrorRun {
    pub job: MirrorJob,
    pub status: MirrorStatus,
}

pub struct CopiesPane {
    pub book: CopyBook,
    /// The DataVolume store as last folded in: which versions were converted (a re-sync adds
    /// no samples), their CDI phases, and which finished ones the history shows.
    pub dvs: dv_model::DvModel,
    /// DataVolumes being converted off the UI thread (see [`BULK`]).
    pub converting: usize,
    /// The DataVolume store (a handle: it pins no snapshot), for the history's rows when a
    /// conversion off the UI thread comes back.
    dv_store: Option<kube::runtime::reflector::Store<DataVolume>>,
    pub blobs: Vec<BlobCopyWatch>,
    pub mirrors: Vec<MirrorRun>,
    pub selected: usize,
    filter: String,
    pub modal: Option<Modal>,
    /// The outcome of the last action, shown under the table.
    pub notice: Option<String>,
    client: Option<BlobClient>,
    /// The cluster connection (for the `coreos-bootimages` ConfigMap when starting a copy).
    kube: Option<kube::Client>,
    /// Wall clock for DataVolume samples; `None` is the real clock (tests pin it).
    pub fixed_now: Option<Timestamp>,
    /// Writes asked for (start, abort), for the app's one write pipeline to gate and confirm.
    writes: Vec<ConfirmRequest>,
    tx: UnboundedSender<CopyMsg>,
    rx: UnboundedReceiver<CopyMsg>,
}

impl Default for CopiesPane {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        CopiesPane {
            book: CopyBook::new(HISTORY),
            dvs: Default::default(),
            converting: 0,
            dv_store: None,
            blobs: Vec::new(),
            mirrors: Vec::new(),
            selected: 0,
            filter: String::new(),
            modal: None,
            notice: None,
            client: None,
            kube: None,
            fixed_now: None,
            writes: Vec::new(),
            tx,
            rx,
        }
    }
}

/// Row key as `selected_key` returns it: `<kind>:<key>`.
pub fn row_key(item: &CopyItem) -> String {
    format!("{}:{}", item.kind.label(), item.key)
}

/// `:mirror` arguments, parsed like `shiftdeck mirror`'s: the image list, the target and the
/// job options. Errors are clap's first line (the status bar has one).
fn mirror_args(args: &[&str]) -> Result<crate::copies::mirror_args::MirrorArgs, String> {
    use clap::Parser;
    crate::copies::mirror_args::MirrorLine::try_parse_from(args)
        .map(|l| l.args)
        .map_err(|e| {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            format!(
                "usage: :mirror FILE TARGET [--authfile PATH] [--parallel N] \
                 [--tls-verify=false]: {}",
                first.trim_start_matches("error: ")
            )
        })
}

impl CopiesPane {
    /// Items in display order (live first, then history), filtered.
    pub fn visible(&self) -> Vec<&CopyItem> {
        let f = self.filter.to_lowercase();
        self.book
            .all()
            .into_iter()
            .filter(|i| {
                // A DataVolume's NAME column shows `namespace/name` (its key): match what is shown.
                let shown = match i.kind {
                    SourceKind::DataVolume => &i.key,
                    _ => &i.name,
                };
                f.is_empty()
                    || shown.to_lowercase().contains(&f)
                    || i.detail.to_lowercase().contains(&f)
                    || i.kind.label().to_lowercase().contains(&f)
            })
            .collect()
    }

    fn selected_item(&self) -> Option<&CopyItem> {
        let v = self.visible();
        v.get(self.selected.min(v.len().saturating_sub(1))).copied()
    }

    fn client(&mut self) -> Option<BlobClient> {
        if self.client.is_none() {
            match BlobClient::new(runtime::BLOB_TIMEOUT) {
                Ok(c) => self.client = Some(c),
                Err(e) => self.notice = Some(format!("cannot create the blob client: {e}")),
            }
        }
        self.client.clone()
    }

    /// Track the copy into blob `url` with `sas` (polled every few seconds). Problems with the
    /// URL or SAS become the row's message, never a refusal.
    pub fn track_blob(&mut self, url: &str, sas: &str) {
        let sas = Some(sas.trim()).filter(|s| !s.is_empty());
        let target = match BlobTarget::parse(url.trim(), sas) {
            Ok(t) => t,
            Err(e) => {
                self.notice = Some(format!("cannot track {}: {e}", crate::redact::in_text(url)));
                return;
            }
        };
        self.track_target(target);
    }

    /// Track copies into `target` (its SAS included) and start polling.
    pub fn track_target(&mut self, target: BlobTarget) {
        let key = target.url();
        if self.blobs.iter().any(|b| b.target.url() == key) {
            self.notice = Some(format!("already tracking {}", target.blob));
            return;
        }
        let watch = BlobCopyWatch::new(target.clone());
        self.book.upsert(watch.item.clone());
        self.blobs.push(watch);
        if let Some(client) = self.client()
            && runtime::can_spawn()
        {
            runtime::spawn_poll(self.tx.clone(), client, target);
        }
    }

    /// Show mirror job `job` with every image waiting; returns its job number. The write
    /// pipeline's executor (`actions::mirror`) runs it; its events arrive by message.
    pub fn start_mirror(&mut self, job: MirrorJob) -> usize {
        let status = MirrorStatus::new(&job);
        for item in status.items() {
            self.book.upsert(item.clone());
        }
        self.mirrors.push(MirrorRun { job, status });
        self.mirrors.len() - 1
    }

    /// A mirror write was confirmed: show it (a new job, or the retried images waiting again)
    /// and point its progress at this pane.
    pub fn mirror_confirmed(&mut self, w: &mut MirrorWrite) {
        let no = match w.job_no {
            Some(no) if w.retry => {
                if let Some(run) = self.mirrors.get_mut(no) {
                    run.status.reset(&w.indices);
                    for item in run.status.items() {
                        self.book.upsert(item.clone());
                    }
                }
                self.notice = Some(format!("retrying {} image(s)", w.indices.len()));
                no
            }
            _ => self.start_mirror(w.job.clone()),
        };
        w.job_no = Some(no);
        let tx = self.tx.clone();
        w.progress = Progress::new(move |event| {
            let _ = tx.send(CopyMsg::Mirror { job: no, event });
        });
    }

    /// Fold one task message into the book.
    pub fn apply_msg(&mut self, msg: CopyMsg) {
        match msg {
            CopyMsg::BlobPolled { key, result, at } => {
                if let Some(w) = self.blobs.iter_mut().find(|b| b.target.url() == key) {
                    w.apply(result, at);
                    let mut item = w.item.clone();
                    // An unreadable blob is a failure state on the row, not a crash.
                    if matches!(w.last, Some(Err(_))) {
                        item.state = CopyState::Failed;
                    }
                    self.book.upsert(item);
                }
            }
            CopyMsg::DataVolumes { sent, dvs } => {
                self.converting = self.converting.saturating_sub(sent);
                let now = self.fixed_now.unwrap_or_else(Timestamp::now);
                for (rv, dv) in dvs {
                    // Only the version it was converted from: a newer one was converted since,
                    // or the DataVolume is gone.
                    if self.dvs.is_current(&dv.key(), &rv) {
                        self.fold_dv(&dv, now);
                    }
                }
                self.pick_history(now, None);
            }
            CopyMsg::Mirror { job, event } => {
                if let Some(run) = self.mirrors.get_mut(job) {
                    run.status.apply(&event);
                    for item in run.status.items() {
                        self.book.upsert(item.clone());
                    }
                }
            }
        }
    }

    /// A started copy (the write pipeline's result): track its destination.
    pub fn copy_started(&mut self, result: Result<(BlobTarget, String), String>) {
        match result {
            Err(e) => self.notice = Some(e),
            Ok((dest, az)) => {
                self.notice = Some(format!("started: {az}"));
                self.track_target(dest);
            }
        }
    }

    /// An aborted copy (the write pipeline's result): poll the blob until final again.
    pub fn abort_done(&mut self, key: &str, result: Result<(), String>) {
        let target = self
            .blobs
            .iter()
            .find(|b| b.target.url() == key)
            .map(|b| b.target.clone());
        let name = target.as_ref().map_or(String::new(), |t| t.blob.clone());
        let ok = result.is_ok();
        self.notice = Some(match result {
            Ok(()) => format!("aborted the copy into {name}"),
            Err(e) => format!("abort of {name} failed: {e}"),
        });
        if ok
            && let Some(target) = target
            && let Some(client) = self.client()
            && runtime::can_spawn()
        {
            runtime::spawn_poll(self.tx.clone(), client, target);
        }
    }

    /// Write requests waiting for the app (start, abort).
    pub fn take_writes(&mut self) -> Vec<ConfirmRequest> {
        std::mem::take(&mut self.writes)
    }

    /// Retry the failed images of the mirror job the selected row belongs to.
    fn retry_mirror(&mut self) {
        let Some(key) = self
            .selected_item()
            .filter(|i| matches!(i.kind, SourceKind::Image | SourceKind::MirrorJob))
            .map(|i| i.key.clone())
        else {
            self.notice = Some("select a failed mirror image to retry (r)".into());
            return;
        };
        let Some(no) = self
            .mirrors
            .iter()
            .position(|m| m.status.items().iter().any(|i| i.key == key))
        else {
            return;
        };
        let Some(run) = self.mirrors.get_mut(no) else {
            return;
        };
        let failed = run.status.failed_indices();
        if failed.is_empty() {
            self.notice = Some("no failed images in this mirror job".into());
            return;
        }
        let w = MirrorWrite {
            job: run.job.clone(),
            indices: failed,
            retry: true,
            job_no: Some(no),
            progress: Progress::default(),
            origin: Origin::default(),
        };
        self.writes.push(ConfirmRequest {
            title: "Retry mirror".into(),
            lines: w
                .confirm_lines()
                .into_iter()
                .map(|l| ConfirmLine::new(Tone::Plain, l))
                .collect(),
            prompt: None,
            write: WriteRequest::Mirror(w),
        });
    }

    /// `x` on a pending blob copy: a write request (the app gates and confirms it), pinned to
    /// the copy id shown.
    fn ask_abort(&mut self) {
        let Some(item) = self
            .selected_item()
            .filter(|i| i.kind == SourceKind::AzureBlob)
        else {
            self.notice = Some("abort (x) applies to Azure blob copies".into());
            return;
        };
        let key = item.key.clone();
        let Some(w) = self.blobs.iter().find(|b| b.target.url() == key) else {
            return;
        };
        match &w.last {
            Some(Ok(p)) if p.copy.status == Some(CopyStatus::Pending) => {
                let Some(copy_id) = p.copy.id.clone() else {
                    return;
                };
                let blob = w.target.blob.clone();
                self.writes.push(ConfirmRequest {
                    title: "Abort copy".into(),
                    lines: vec![
                        ConfirmLine::new(
                            Tone::Plain,
                            format!("Abort the pending copy into {blob}?"),
                        ),
                        ConfirmLine::new(
                            Tone::Bad,
                            "The destination blob is left empty (Abort Copy Blob).",
                        ),
                    ],
                    prompt: None,
                    write: WriteRequest::BlobAbort(BlobAbortWrite {
                        target: w.target.clone(),
                        copy_id,
                        origin: Origin::default(),
                    }),
                });
            }
            _ => self.notice = Some(format!("{} has no pending copy to abort", w.target.blob)),
        }
    }

    /// A palette command addressed to this pane (`blob`, `mirror FILE TARGET [flags]`).
    pub fn command(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("blob") => self.modal = Some(Modal::Blob(Box::default())),
            Some("blobcopy") => {
                self.modal = Some(Modal::Blob(Box::new(BlobForm::for_purpose(
                    FormPurpose::StartCopy,
                ))));
            }
            Some("mirror") => {
                let words: Vec<&str> = words.collect();
                let args = match mirror_args(&words) {
                    Ok(a) => a,
                    Err(e) => {
                        self.notice = Some(e);
                        return;
                    }
                };
                let target = match args.target.parse() {
                    Ok(t) => t,
                    Err(e) => {
                        self.notice = Some(format!("bad mirror target: {e}"));
                        return;
                    }
                };
                match MirrorJob::from_file(&args.file, target, args.options()) {
                    Ok(job) => {
                        let w = MirrorWrite {
                            indices: (0..job.plan().len()).collect(),
                            job,
                            retry: false,
                            job_no: None,
                            progress: Progress::default(),
                            origin: Origin::default(),
                        };
                        self.writes.push(ConfirmRequest {
                            title: "Mirror images".into(),
                            lines: w
                                .confirm_lines()
                                .into_iter()
                                .map(|l| ConfirmLine::new(Tone::Plain, l))
                                .collect(),
                            prompt: None,
                            write: WriteRequest::Mirror(w),
                        });
                    }
                    Err(e) => self.notice = Some(format!("cannot mirror: {e}")),
                }
            }
            _ => {}
        }
    }

    /// A key for the pane (only keys the keymap does not bind, or any key while a modal is open).
    pub fn key(&mut self, key: &KeyEvent, gate: &ActionGate) -> bool {
        if let Some(m) = self.modal.take() {
            match m.key(key) {
                modal::Outcome::Keep(m) => self.modal = Some(m),
                modal::Outcome::Cancel => {}
                modal::Outcome::StartCopy(req) => {
                    let lines = req
                        .confirm_lines()
                        .into_iter()
                        .map(|l| ConfirmLine::new(Tone::Plain, l))
                        .collect();
                    self.writes.push(ConfirmRequest {
                        title: "Start copy".into(),
                        lines,
                        prompt: None,
                        write: WriteRequest::BlobCopy(BlobCopyWrite {
                            req,
                            origin: Origin::default(),
                        }),
                    });
                }
                modal::Outcome::Track { url, sas } => {
                    if let Verdict::Denied(why) =
                        gate.check_local(&GatedAction::External("track blob copy".into()))
                    {
                        self.notice = Some(why);
                    } else {
                        self.track_blob(&url, &sas);
                    }
                }
            }
            return true;
        }
        match key.code {
            KeyCode::Char('x') => self.ask_abort(),
            KeyCode::Char('r') => self.retry_mirror(),
            _ => return false,
        }
        true
    }

    /// Forget cluster data (a new connection); tracked blob copies and mirror jobs stay.
    pub fn reset_cluster(&mut self) {
        for key in self.dvs.keys() {
            self.book.forget(SourceKind::DataVolume, key);
        }
        self.dvs.clear();
        self.dv_store = None;
    }

    /// Fold one converted DataVolume into the book (keeping the samples of its live row).
    fn fold_dv(&mut self, dv: &DataVolumeCopy, now: Timestamp) {
        let key = dv.key();
        let mut item = dv.to_item(self.book.get(SourceKind::DataVolume, &key), now);
        // A finished one whose row is not kept (outside the history) keeps the finish time it
        // was first seen with, when CDI gives none (a failure).
        if item.state.is_final()
            && dv.ready_since.is_none()
            && let Some(at) = self.dvs.get(&key).and_then(|e| e.finished)
        {
            item.finished = Some(at);
        }
        self.dvs.converted(&key, &dv.phase, item.finished);
        // A finish older than the history's oldest row is not shown: no row is kept for it.
        if item.state.is_final() && !self.dvs.may_show(item.finished, &key) {
            self.book.forget(SourceKind::DataVolume, &key);
            return;
        }
        self.book.upsert(item);
    }

    /// Keep rows only for the finished DataVolumes the history can show: the newest
    /// [`HISTORY`] that exist, and rows of deleted ones while they are among the shown. The
    /// others are the store's objects until they are among the newest again.
    fn pick_history(&mut self, now: Timestamp, snapshot: Option<&[Arc<DataVolume>]>) {
        if !std::mem::take(&mut self.dvs.history_moved) {
            return;
        }
        let picked = self.dvs.pick_newest(HISTORY);
        let newest: std::collections::HashSet<&str> = picked.iter().map(|k| &**k).collect();
        let mut drop = Vec::new();
        let mut have = std::collections::HashSet::new();
        for (rank, item) in self.book.finished().enumerate() {
            if item.kind != SourceKind::DataVolume {
                continue;
            }
            let exists = self.dvs.get(&item.key).is_some();
            if newest.contains(item.key.as_str()) {
                have.insert(item.key.clone());
            } else if exists || rank >= HISTORY {
                drop.push(item.key.clone());
            }
        }
        let missing: Vec<Arc<DataVolume>> = newest
            .iter()
            .filter(|k| !have.contains(**k))
            .filter_map(|k| self.dv_object(k, snapshot))
            .collect();
        for key in drop {
            self.book.forget(SourceKind::DataVolume, &key);
        }
        for obj in missing {
            if let Ok(dv) = DataVolumeCopy::from_dv(&obj) {
                self.fold_dv(&dv, now);
            }
        }
    }

    /// A DataVolume the model holds no object of: from the snapshot being synced, else from
    /// the store (a conversion made off the UI thread came back).
    fn dv_object(
        &self,
        key: &str,
        snapshot: Option<&[Arc<DataVolume>]>,
    ) -> Option<Arc<DataVolume>> {
        if let Some(s) = snapshot {
            return self.dvs.object(key, s).cloned();
        }
        let (ns, name) = key.split_once('/')?;
        self.dv_store
            .as_ref()?
            .get(&kube::runtime::reflector::ObjectRef::new(name).within(ns))
    }

    /// Fold the DataVolume store in; `now` stamps new samples.
    pub fn sync_dvs(&mut self, dvs: &[Arc<DataVolume>], now: Timestamp) -> bool {
        // Unchanged DataVolumes (same `Arc` or resourceVersion) are skipped before any
        // conversion: with 10,000 of them one import's progress costs one conversion.
        let moves = self.dvs.catch_up(dvs);
        let mut changed = !moves.gone.is_empty();
        for key in &moves.gone {
            self.book.remove(SourceKind::DataVolume, key);
        }
        if moves.moved.len() > BULK && runtime::can_spawn() {
            self.converting += moves.moved.len();
            runtime::spawn_convert(self.tx.clone(), moves.moved);
            self.pick_history(now, Some(dvs));
            return true;
        }
        for obj in moves.moved {
            let Ok(dv) = DataVolumeCopy::from_dv(&obj) else {
                continue;
            };
            self.fold_dv(&dv, now);
            changed = true;
        }
        self.pick_history(now, Some(dvs));
        changed
    }

    /// The blob watch behind a row key, for details.
    pub fn blob(&self, key: &str) -> Option<&BlobCopyWatch> {
        self.blobs.iter().find(|b| b.target.url() == key)
    }

    fn clamp(&mut self) {
        let n = self.visible().len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }
}

/// Move the Copies pane's tracked copies and jobs from the old panes to the new ones (context
/// switch or first connect rebuilds the panes).
pub fn carry_over(old: &mut [Box<dyn Pane>], new: &mut [Box<dyn Pane>]) {
    let Some(mut pane) = find(old).map(|c| std::mem::take(c.copies_pane())) else {
        return;
    };
    pane.reset_cluster();
    if let Some(c) = find(new) {
        *c.copies_pane() = pane;
    }
}

/// The pane among `panes` that tracks copies.
pub fn find(panes: &mut [Box<dyn Pane>]) -> Option<&mut dyn Copies> {
    panes.iter_mut().find_map(|p| p.copies())
}

impl Pane for CopiesPane {
    fn title(&self) -> &'static str {
        "Copies"
    }
    // Not warmed ahead (`Pane::warm_ahead`): its model, 13 MiB for 10,000 DataVolumes, would
    // be held by every session that never opens it; its first switch converts them instead.
    fn commands(&self) -> &'static [&'static str] {
        &["copy", "copies", "blob", "blobcopy", "mirror"]
    }
    fn kind(&self) -> &'static str {
        "datavolumes"
    }
    // Blob copies and mirrors run without CDI; the title says when DataVolumes are not installed.
    fn works_without_kind(&self) -> bool {
        true
    }
    fn reads(&self) -> &'static [&'static str] {
        &["datavolumes"]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        view::COLUMNS.iter().map(|c| (*c, ' ')).collect()
    }
    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        self.kube = stores.client.clone();
        self.dv_store = Some(stores.datavolumes.clone());
        let dvs = stores.datavolumes.state();
        let changed = self.sync_dvs(&dvs, self.fixed_now.unwrap_or_else(Timestamp::now));
        self.clamp();
        changed
    }
    fn tick(&mut self, _now: Instant) -> bool {
        let mut changed = false;
        while let Ok(m) = self.rx.try_recv() {
            self.apply_msg(m);
            changed = true;
        }
        // Ticks come twice a second while copies run: the rows only move with a message.
        if changed {
            self.clamp();
        }
        changed
    }
    fn animating(&self) -> bool {
        self.book.live().next().is_some() || self.converting > 0
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let n = self.visible().len();
        let last = n.saturating_sub(1);
        let page = view::rows_shown(area).max(1);
        self.selected = match action {
            Action::Move(d) => {
                (self.selected as i64 + i64::from(*d)).clamp(0, last as i64) as usize
            }
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => (self.selected + page).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            Action::ClickRow(row) => {
                let first = area.y + 2;
                match row.checked_sub(first) {
                    Some(r) if usize::from(r) < n => usize::from(r),
                    _ => return false,
                }
            }
            _ => return false,
        };
        true
    }
    fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        self.clamp();
    }
    fn filter_text(&self) -> &str {
        &self.filter
    }
    fn selected_key(&self) -> Option<String> {
        self.selected_item().map(row_key)
    }
    fn object_json(&self, key: &str) -> Option<serde_json::Value> {
        let item = self.visible().into_iter().find(|i| row_key(i) == key)?;
        let v = crate::copies::rows::rows_json([item], Timestamp::now());
        let mut obj = v.as_array()?.first()?.clone();
        if let Some(w) = self.blob(&item.key)
            && let Some(Ok(p)) = &w.last
            && let Some(o) = obj.as_object_mut()
        {
            o.insert("copy".into(), p.copy.to_az_json());
        }
        Some(obj)
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let item = self.book.all().into_iter().find(|i| row_key(i) == key)?;
        Some(view::details(self, item, now))
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        view::render(self, frame, area, ctx);
    }
    fn own_input(&mut self) -> Option<&mut dyn OwnInput> {
        Some(self)
    }
    fn copies(&mut self) -> Option<&mut dyn Copies> {
        Some(self)
    }
}

impl Copies for CopiesPane {
    fn track_blob(&mut self, url: &str, sas: &str) {
        CopiesPane::track_blob(self, url, sas);
    }
    fn mirror_confirmed(&mut self, w: &mut MirrorWrite) {
        CopiesPane::mirror_confirmed(self, w);
    }
    fn copy_started(&mut self, result: Result<(BlobTarget, String), String>) {
        CopiesPane::copy_started(self, result);
    }
    fn abort_done(&mut self, key: &str, result: Result<(), String>) {
        CopiesPane::abort_done(self, key, result);
    }
    fn copies_pane(&mut self) -> &mut CopiesPane {
        self
    }
}

impl OwnInput for CopiesPane {
    fn take_write_requests(&mut self) -> Vec<ConfirmRequest> {
        self.take_writes()
    }
    fn pane_command(&mut self, line: &str, _gate: &ActionGate) {
        self.command(line);
    }
    fn raw_key(&mut self, key: &KeyEvent, gate: &ActionGate) -> bool {
        self.key(key, gate)
    }
    fn modal(&self) -> bool {
        self.modal.is_some()
    }
}

#[cfg(test)]
mod tests;
