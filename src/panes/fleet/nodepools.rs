//! The Node pools pane: `oc get nodepools -A` columns plus KubeVirt sizing and the
//! live-migratable badge; while a pool scales, a progress bar and the per-machine pipeline under
//! the table; recently finished scalings stay listed with their total time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::pipeline_view::{self, GUEST_NOTE};
use super::table::{Col, FleetTable, Item};
use crate::action::Action;
use crate::fleet::nodepool::{NodePoolDetails, NodePoolRow};
use crate::fleet::pipeline::{PipelineInputs, scaling_progress};
use crate::fleet::scale::machines_of_pool;
use crate::fleet::scale_target::{ScaleKind, ScaleTarget};
use crate::fleet::tracker::ScalingTracker;
use crate::fleet::util::{TableRow, i64_at, name, namespace};
use crate::panes::{Pane, RenderCtx, Scaling};
use crate::watch::dynamic::NodePool;
use crate::watch::fleet::{self as wf, NODEPOOLS};
use crate::watch::{KindState, Stores};

/// Pane columns: (header, index into `NodePoolRow::cells`, sort key, max width).
pub const COLS: &[Col] = &[
    c("NAMESPACE", 0, 'S', 20, 3),
    c("NAME", 1, 'N', 28, 0),
    c("CLUSTER", 2, 'C', 20, 5),
    c("DESIRED", 3, 'D', 7, 0),
    c("CURRENT", 4, 'U', 7, 0),
    c("AUTOSCALING", 5, 'A', 11, 0),
    c("AUTOREPAIR", 6, 'R', 10, 6),
    c("VERSION", 7, 'V', 10, 0),
    c("UPD-VER", 8, 'E', 7, 4),
    c("UPD-CFG", 9, 'F', 7, 4),
    c("PLATFORM", 11, 'P', 8, 7),
    c("CORES", 12, 'O', 5, 2),
    c("MEMORY", 13, 'M', 6, 2),
    c("ROOT", 14, 'T', 6, 2),
    c("STORAGECLASS", 15, 'L', 14, 8),
    c("LM", 16, 'I', 8, 1),
    c("MESSAGE", 10, 'G', 60, 0),
];

const fn c(header: &'static str, cell: usize, sort_key: char, max: u16, drop: u8) -> Col {
    Col {
        header,
        cell,
        sort_key,
        max,
        drop,
    }
}

/// How long finished scalings stay listed.
pub const KEEP_FINISHED: i64 = 30 * 60;

/// A node pool as the pane keeps it: the store's object (shared, not copied) and what the table
/// and the scaling tracker read from it, derived once per resourceVersion.
struct PoolEntry {
    obj: Arc<NodePool>,
    key: String,
    row: NodePoolRow,
    /// The table's row, made once per resourceVersion and shared with the table.
    item: Arc<Item>,
    /// `spec.replicas` (absent with autoscaling) and `status.replicas`.
    desired: Option<i64>,
    current: i64,
}

impl PoolEntry {
    fn new(obj: &Arc<NodePool>) -> PoolEntry {
        let v = obj.to_value();
        let row = NodePoolRow::new(&v);
        PoolEntry {
            key: format!("{}/{}", namespace(&v), name(&v)),
            item: Arc::new(item(&row)),
            row,
            desired: i64_at(&v, "/spec/replicas"),
            current: i64_at(&v, "/status/replicas").unwrap_or(0),
            obj: Arc::clone(obj),
        }
    }

    fn same_version(&self, obj: &NodePool) -> bool {
        obj.metadata.resource_version.is_some()
            && obj.metadata.resource_version == self.obj.metadata.resource_version
    }
}

pub struct NodePoolsPane {
    pub table: FleetTable,
    /// Sorted by namespace, cluster, name (as `node_pool_rows`).
    pools: Vec<PoolEntry>,
    /// Cluster API Machines (`cluster.x-k8s.io`): what HyperShift creates per pool replica.
    machines: Vec<Value>,
    vms: Vec<Value>,
    vmis: Vec<Value>,
    dvs: Vec<Value>,
    guest_nodes: Vec<Value>,
    tracker: ScalingTracker,
    /// The pools with a scaling pipeline (as JSON, the few that scale), and how many rows are
    /// busy, as of the last sync: rendering must not walk every pool each frame.
    scaling: Vec<Value>,
    busy: usize,
    /// The app's wall clock (`Pane::set_wall_clock`); the real one until the app sets it.
    wall: Option<Timestamp>,
}

impl Default for NodePoolsPane {
    fn default() -> Self {
        NodePoolsPane {
            table: FleetTable::default(),
            pools: Vec::new(),
            machines: Vec::new(),
            vms: Vec::new(),
            vmis: Vec::new(),
            dvs: Vec::new(),
            guest_nodes: Vec::new(),
            tracker: ScalingTracker::new(SignedDuration::from_secs(KEEP_FINISHED)),
            scaling: Vec::new(),
            busy: 0,
            wall: None,
        }
    }
}

impl NodePoolsPane {
    fn inputs(&self) -> PipelineInputs<'_> {
        PipelineInputs {
            machines: &self.machines,
            vms: &self.vms,
            dvs: &self.dvs,
            vmis: &self.vmis,
            nodes: &self.guest_nodes,
        }
    }

    fn pool(&self, key: &str) -> Option<Value> {
        self.pools
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.obj.to_value())
    }

    /// Catch up with the kinds that moved (`None`: all of them; a kind that did not move
    /// is not looked at, and 10,000 DataVolumes churn while Machines and VMs rarely do).
    fn sync_kinds(
        &mut self,
        stores: &Stores,
        changed: Option<&std::collections::BTreeSet<&'static str>>,
    ) -> bool {
        let moved = |k: &str| changed.is_none_or(|c| c.contains(k));
        let f = &stores.fleet;
        let pools_changed = moved(NODEPOOLS.id) && self.refresh_pools(&f.nodepools);
        let machines_changed = moved(wf::POOL_MACHINES.id)
            && wf::refresh(
                &mut self.machines,
                &f.pool_machines,
                wf::PoolMachine::to_value,
            );
        let mut inputs_changed = machines_changed;
        if moved(wf::VMS.id) {
            inputs_changed |= wf::refresh(&mut self.vms, &f.vms, wf::VirtualMachine::to_value);
        }
        if moved(wf::VMIS.id) {
            inputs_changed |= wf::refresh(
                &mut self.vmis,
                &f.vmis,
                wf::VirtualMachineInstance::to_value,
            );
        }
        // Only the root disks of these Machines' VMs (`<vm>-rhcos`): the pipeline reads no
        // other DataVolume, and a hub may hold 10,000 of them. Each is looked up in its
        // Machine's namespace; only when one is not there are all DataVolumes searched, as the
        // pipeline then takes a disk of that name from any namespace.
        if moved(wf::DVS.id) || machines_changed {
            let refs: Vec<(String, String)> = self
                .machines
                .iter()
                .map(|m| {
                    let vm = crate::fleet::pipeline::vm_name(m);
                    (namespace(m).to_string(), format!("{vm}-rhcos"))
                })
                .collect();
            inputs_changed |= match wf::refresh_named(
                &mut self.dvs,
                &f.dvs,
                crate::copies::dv_resource::DataVolume::to_json,
                &refs,
            ) {
                Some(changed) => changed,
                None => {
                    let disks: std::collections::HashSet<&str> =
                        refs.iter().map(|(_, n)| n.as_str()).collect();
                    wf::refresh_where(
                        &mut self.dvs,
                        &f.dvs,
                        crate::copies::dv_resource::DataVolume::to_json,
                        |d| {
                            d.metadata
                                .name
                                .as_deref()
                                .is_some_and(|n| n.ends_with("-rhcos") && disks.contains(n))
                        },
                    )
                }
            };
        }
        if inputs_changed {
            self.guest_nodes = pipeline_view::nodes_from_machines(&self.machines);
        }
        let now = self.wall.unwrap_or_else(Timestamp::now);
        // Counts move only with pools (a finished scaling changes its row's CURRENT too).
        if pools_changed {
            self.tracker.observe_counts(
                self.pools
                    .iter()
                    .filter_map(|p| Some((p.key.clone(), p.desired?, p.current))),
                now,
            );
        }
        let was_scaling = !self.scaling.is_empty();
        if pools_changed || inputs_changed {
            // Only a pool whose desired count differs from its current one has a pipeline.
            let candidates: Vec<Value> = self
                .pools
                .iter()
                .filter(|p| p.desired.is_some_and(|d| d != p.current))
                .map(|p| p.obj.to_value())
                .collect();
            let inp = self.inputs();
            let scaling: Vec<Value> = candidates
                .into_iter()
                .filter(|p| scaling_progress(p, &inp, now).is_some())
                .collect();
            self.scaling = scaling;
        }
        let mut changed = false;
        if pools_changed {
            let items: Vec<Arc<Item>> = self.pools.iter().map(|p| p.item.clone()).collect();
            self.busy = items.iter().filter(|i| i.busy).count();
            changed |= self.table.set_items(items, COLS);
        }
        // The pipeline section moves with pools, machines, VMs and disks even when rows do
        // not; with no pool scaling it shows nothing that they change.
        changed || ((pools_changed || inputs_changed) && (was_scaling || !self.scaling.is_empty()))
    }

    /// Rows as `shiftdeck get nodepools` prints them.
    pub fn rows(&self) -> Vec<NodePoolRow> {
        self.pools.iter().map(|p| p.row.clone()).collect()
    }

    /// Re-derive the pools whose resourceVersion moved; keep the others. Returns whether any
    /// pool changed, came or went.
    fn refresh_pools(&mut self, store: &kube::runtime::reflector::Store<NodePool>) -> bool {
        let snapshot = store.state();
        // The store hands out the same `Arc` until an object changes: nothing to do when every
        // pool is the one we hold (the store's order is not ours, so match by pointer).
        if snapshot.len() == self.pools.len() {
            let held: std::collections::HashSet<*const NodePool> =
                self.pools.iter().map(|p| Arc::as_ptr(&p.obj)).collect();
            if snapshot.iter().all(|o| held.contains(&Arc::as_ptr(o))) {
                return false;
            }
        }
        let mut old: HashMap<String, PoolEntry> =
            self.pools.drain(..).map(|p| (p.key.clone(), p)).collect();
        let mut next: Vec<PoolEntry> = snapshot
            .iter()
            .map(|o| {
                let key = format!(
                    "{}/{}",
                    o.metadata.namespace.as_deref().unwrap_or_default(),
                    o.metadata.name.as_deref().unwrap_or_default()
                );
                match old.remove(&key) {
                    Some(p) if p.same_version(o) => p,
                    _ => PoolEntry::new(o),
                }
            })
            .collect();
        next.sort_by(|a, b| {
            (&a.row.namespace, &a.row.cluster, &a.row.name).cmp(&(
                &b.row.namespace,
                &b.row.cluster,
                &b.row.name,
            ))
        });
        self.pools = next;
        true
    }

    /// The pipeline section: scaling pools, then recently finished scalings.
    pub fn scaling_lines(&self, ctx: &RenderCtx) -> Vec<Line<'static>> {
        let t = ctx.theme;
        let mut out = Vec::new();
        let inp = self.inputs();
        for p in &self.scaling {
            if let Some(s) = scaling_progress(p, &inp, ctx.now) {
                let key = format!("{}/{}", namespace(p), name(p));
                // A clock injected by tests may be behind the tracker's.
                let since = self
                    .tracker
                    .active(&key)
                    .map(|a| a.since)
                    .filter(|t| *t <= ctx.now);
                out.extend(pipeline_view::scaling_lines(&key, &s, since, ctx.now, t));
            }
        }
        if !out.is_empty() {
            out.push(Line::from(Span::styled(
                format!("  {GUEST_NOTE}"),
                t.fg(t.muted),
            )));
        }
        for f in self
            .tracker
            .recently_finished(ctx.now)
            .into_iter()
            .filter(|f| f.finished <= ctx.now)
        {
            // The line leaves the screen when its keep window ends.
            let shown_for = ctx.now.duration_since(f.finished).as_secs();
            crate::age::note_change_in(KEEP_FINISHED - shown_for + 1);
            out.push(pipeline_view::finished_line(f, ctx.now, t));
        }
        out
    }
}

fn item(row: &NodePoolRow) -> Item {
    Item {
        key: format!("{}/{}", row.namespace, row.name),
        busy: row.desired.is_some() && row.desired != row.current,
        bad: false,
        cells: row.cells(),
    }
}

impl Pane for NodePoolsPane {
    fn title(&self) -> &'static str {
        "Node pools"
    }
    fn warm_ahead(&self) -> bool {
        true
    }
    fn commands(&self) -> &'static [&'static str] {
        &["np", "nodepools"]
    }
    fn kind(&self) -> &'static str {
        NODEPOOLS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            NODEPOOLS.id,
            wf::POOL_MACHINES.id,
            wf::VMS.id,
            wf::VMIS.id,
            wf::DVS.id,
        ]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLS.iter().map(|c| (c.header, c.sort_key)).collect()
    }
    sync_by_kinds!();
    fn set_wall_clock(&mut self, now: Timestamp) {
        self.wall = Some(now);
    }
    fn tick(&mut self, _now: Instant) -> bool {
        false
    }
    fn animating(&self) -> bool {
        false
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let rows = Rect::new(
            area.x,
            area.y + 2,
            area.width,
            area.height.saturating_sub(2),
        );
        self.table.handle(action, rows, COLS)
    }
    fn set_filter(&mut self, text: &str) {
        self.table.set_filter(text, COLS);
    }
    fn filter_text(&self) -> &str {
        self.table.filter()
    }
    fn selected_key(&self) -> Option<String> {
        self.table.selected_key()
    }
    fn select_key(&mut self, key: &str) -> bool {
        self.table.select_key(key)
    }
    fn object_json(&self, key: &str) -> Option<Value> {
        self.pool(key)
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let pool = self.pool(key)?;
        let d = NodePoolDetails::new(&pool, &self.inputs(), now);
        let theme = crate::theme::Theme::default();
        let mut out: Vec<Line<'static>> = NodePoolRow::HEADERS
            .iter()
            .zip(d.row.cells())
            .map(|(h, v)| Line::raw(format!("  {h:<18}{v}")))
            .collect();
        out.push(Line::raw(""));
        out.push(Line::raw("Conditions"));
        for c in &d.conditions {
            out.extend(super::condition_lines::condition_lines(c, now, &theme));
        }
        out.push(Line::raw(""));
        out.push(Line::raw("Machines"));
        let machines = machines_of_pool(&pool, &self.machines);
        if machines.is_empty() {
            out.push(Line::raw("  none"));
        }
        for m in machines {
            let p = crate::fleet::pipeline::machine_pipeline(m, &self.inputs());
            out.extend(pipeline_view::machine_lines(&p, now, &theme));
        }
        if let Some(s) = &d.scaling {
            out.push(Line::raw(""));
            out.extend(pipeline_view::scaling_lines(key, s, None, now, &theme));
        }
        out.push(Line::raw(format!("  {GUEST_NOTE}")));
        Some(out)
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        let t = ctx.theme;
        let section = self.scaling_lines(ctx);
        let scaling = self.busy;
        let summary = format!(
            "{} node pools · {} scaling · +/- scale · = set count",
            self.pools.len(),
            scaling
        );
        let sec_h = if section.is_empty() {
            0
        } else {
            (section.len() as u16 + 1).min(area.height / 2)
        };
        let [sum, tbl, sec] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(sec_h),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(summary).style(t.fg(t.muted)), sum);
        if self.table.is_empty() && self.table.filter().is_empty() {
            let msg = match ctx.state {
                KindState::Loading => "Loading node pools…".to_string(),
                KindState::Forbidden(e) => format!("You may not list node pools: {e}"),
                KindState::NotInstalled => {
                    "NodePools are not installed here (no HyperShift): nothing to show.".into()
                }
                KindState::Reconnecting { .. } => "Waiting for the API server…".into(),
                KindState::Live => "No node pools.".into(),
            };
            frame.render_widget(Paragraph::new(msg).style(t.fg(t.muted)), tbl);
            return;
        }
        self.table.render(frame, tbl, COLS, t);
        if sec_h > 0 {
            let mut lines = vec![Line::from(Span::styled("Scaling", t.title_style()))];
            lines.extend(section);
            frame.render_widget(Paragraph::new(lines), sec);
        }
    }
    fn scaling(&self) -> Option<&dyn Scaling> {
        Some(self)
    }
}

impl Scaling for NodePoolsPane {
    fn scale_target(&self) -> Option<ScaleTarget> {
        let key = self.table.selected_key()?;
        Some(ScaleTarget {
            kind: ScaleKind::NodePool,
            obj: self.pool(&key)?,
            machines: self.machines.clone(),
        })
    }
}

#[cfg(test)]
#[path = "nodepools_tests.rs"]
mod tests;
