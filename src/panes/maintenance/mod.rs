//! The Maintenance pane: the maintenance report of one infra node (opened with `m` on a node in
//! the Nodes pane): every VMI running there grouped by hosted cluster and node pool, migratable or
//! not with the reason, the guest nodes that would be drained instead, the verdict, and the
//! migrations leaving the node followed to Succeeded/Failed. Actions (cordon, uncordon, migrate
//! one, migrate all) go through the one write pipeline (`actions`).

pub mod view;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Node;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use serde_json::Value;

use super::{Maintenance, Pane, RenderCtx};
use crate::action::Action;
use crate::fleet::util::{TableRow, name, namespace, str_at};
use crate::gate::Verdict;
use crate::migration::guest_pdbs::{GuestPdbReport, GuestTarget, targets};
use crate::migration::inputs::MigrationInputs;
use crate::migration::maintenance::{MaintenanceReport, MaintenanceRow};
use crate::migration::request::MigrationProgress;
use crate::watch::migration_kinds::{HOSTED_CLUSTERS, MAINTENANCE_KINDS, VMIMS, VMIS};
use crate::watch::migration_memo::MigrationMemo;
use crate::watch::{NODES, Stores};

/// Permission of the two kinds of action, as last known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Perms {
    pub cordon: Verdict,
    pub migrate: Verdict,
}

impl Default for Perms {
    fn default() -> Self {
        Perms {
            cordon: Verdict::Ask,
            migrate: Verdict::Ask,
        }
    }
}

#[derive(Default)]
pub struct MaintenancePane {
    /// The infra node shown (None until opened from the Nodes pane).
    node: Option<String>,
    pub(crate) report: Option<MaintenanceReport>,
    pub(crate) migrations: Vec<MigrationProgress>,
    /// `spec.unschedulable` of the node; None when the node is unknown.
    pub(crate) unschedulable: Option<bool>,
    pub(crate) selected: usize,
    pub(crate) filter: String,
    perms: Perms,
    /// Results of this session's writes, newest last.
    log: Vec<(bool, String)>,
    nodes_seen: Vec<(String, bool)>,
    /// The live-migration inputs, narrowed and kept between syncs.
    memo: MigrationMemo,
    /// The guest PDB check last asked for: the node and its targets.
    pdb_asked: Option<(String, Vec<GuestTarget>)>,
    /// When it was asked (guest pods and PDBs change without any hub event, so it is re-asked).
    pdb_asked_at: Option<Instant>,
    /// Its result (None while under way; empty when no guest node is drained).
    pub(crate) guest_pdbs: Option<Vec<GuestPdbReport>>,
}

/// Each node's name and `spec.unschedulable`.
fn unschedulable_of(nodes: &kube::runtime::reflector::Store<Node>) -> Vec<(String, bool)> {
    nodes
        .state()
        .iter()
        .map(|n| {
            (
                n.metadata.name.clone().unwrap_or_default(),
                n.spec
                    .as_ref()
                    .and_then(|s| s.unschedulable)
                    .unwrap_or(false),
            )
        })
        .collect()
}

impl MaintenancePane {
    /// Show `node` from now on.
    pub fn open(&mut self, node: &str) {
        if self.node.as_deref() != Some(node) {
            self.selected = 0;
            self.log.clear();
        }
        self.node = Some(node.to_string());
        // Opening the report (again) checks the guest PDBs again.
        self.pdb_asked = None;
        self.rebuild();
    }

    fn sync_kinds(&mut self, stores: &Stores, changed: Option<&BTreeSet<&'static str>>) -> bool {
        let inputs = self
            .memo
            .catch_up(&stores.migration, &MAINTENANCE_KINDS, changed)
            .any();
        let nodes = changed
            .is_none_or(|c| c.contains(NODES.id))
            .then(|| unschedulable_of(&stores.nodes))
            .filter(|n| *n != self.nodes_seen);
        if !inputs && nodes.is_none() {
            return false;
        }
        if let Some(n) = nodes {
            self.nodes_seen = n;
        }
        self.rebuild();
        true
    }

    fn rebuild(&mut self) {
        self.report = self
            .node
            .as_deref()
            .map(|n| self.memo.inputs().maintenance(n));
        self.migrations = self
            .node
            .as_deref()
            .map(|n| self.memo.inputs().migrations_from(n))
            .unwrap_or_default();
        self.unschedulable = self.node.as_deref().and_then(|n| {
            self.nodes_seen
                .iter()
                .find(|(name, _)| name == n)
                .map(|(_, u)| *u)
        });
        let n = self.rows().len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    /// The visible VMI rows (filtered), in report order.
    pub fn rows(&self) -> Vec<MaintenanceRow> {
        let f = self.filter.to_lowercase();
        self.report
            .as_ref()
            .map(|r| r.rows())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| f.is_empty() || r.cells().iter().any(|c| c.to_lowercase().contains(&f)))
            .collect()
    }

    /// The selected VMI object.
    pub fn selected_vmi(&self) -> Option<&Value> {
        let rows = self.rows();
        let r = rows.get(self.selected)?;
        self.memo
            .inputs()
            .vmis
            .iter()
            .find(|v| name(v) == r.0.name && namespace(v) == r.0.namespace)
    }

    /// The inputs (for planning actions).
    pub fn inputs(&self) -> &MigrationInputs {
        self.memo.inputs()
    }

    /// The guest PDB check to run now, if the node or its drained guest nodes changed since the
    /// last one (the app turns it into an `Effect::GuestPdbs`).
    ///
    /// With `refresh_after`, the same check is asked again once that long has passed since the
    /// last one (the shown result stays until the new one arrives).
    pub fn guest_pdb_request(
        &mut self,
        now: Instant,
        refresh_after: Option<Duration>,
    ) -> Option<(String, Vec<GuestTarget>)> {
        let (node, report) = (self.node.clone()?, self.report.as_ref()?);
        let want = (node, targets(report, &self.memo.inputs().hosted_clusters));
        let same = self.pdb_asked.as_ref() == Some(&want);
        let stale = match (refresh_after, self.pdb_asked_at) {
            (Some(after), Some(at)) => now.saturating_duration_since(at) >= after,
            _ => false,
        };
        if same && (!stale || want.1.is_empty()) {
            return None;
        }
        self.pdb_asked = Some(want.clone());
        self.pdb_asked_at = Some(now);
        if want.1.is_empty() {
            self.guest_pdbs = Some(Vec::new());
            return None;
        }
        if !same {
            self.guest_pdbs = None;
        }
        Some(want)
    }

    /// The result of a guest PDB check; ignored unless it answers the latest request.
    pub fn guest_pdbs_checked(
        &mut self,
        node: &str,
        targets: &[GuestTarget],
        reports: Vec<GuestPdbReport>,
    ) -> bool {
        let current = self
            .pdb_asked
            .as_ref()
            .is_some_and(|(n, t)| n == node && t == targets);
        if current {
            self.guest_pdbs = Some(reports);
        }
        current
    }

    /// The guest PDB reports of the shown node (None while the check is under way).
    pub fn guest_pdbs(&self) -> Option<&[GuestPdbReport]> {
        self.guest_pdbs.as_deref()
    }

    /// Whether the node is cordoned (None: unknown).
    pub fn unschedulable(&self) -> Option<bool> {
        self.unschedulable
    }
}

impl Pane for MaintenancePane {
    fn title(&self) -> &'static str {
        "Maintenance"
    }
    fn commands(&self) -> &'static [&'static str] {
        &["maintenance", "maint"]
    }
    fn kind(&self) -> &'static str {
        VMIS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[VMIS.id, VMIMS.id, HOSTED_CLUSTERS.id, NODES.id]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        MaintenanceRow::HEADERS.iter().map(|h| (*h, ' ')).collect()
    }
    sync_by_kinds!();
    fn tick(&mut self, _now: Instant) -> bool {
        false
    }
    fn animating(&self) -> bool {
        false
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        match super::moved_selection(self.selected, self.rows().len(), action, area) {
            Some(s) => {
                self.selected = s;
                true
            }
            None => false,
        }
    }
    fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        self.rebuild();
    }
    fn filter_text(&self) -> &str {
        &self.filter
    }
    fn selected_key(&self) -> Option<String> {
        self.selected_vmi()
            .map(|v| format!("{}/{}", namespace(v), name(v)))
    }
    fn object_json(&self, key: &str) -> Option<Value> {
        self.memo
            .inputs()
            .vmis
            .iter()
            .find(|v| format!("{}/{}", namespace(v), name(v)) == key)
            .cloned()
    }
    fn details(&self, key: &str, _now: Timestamp) -> Option<Vec<Line<'static>>> {
        let v = self.object_json(key)?;
        let mut out = vec![Line::from(format!("VMI {key}"))];
        let lm = crate::migration::readiness::vmi_live_migratable(&v);
        let field = |label: &str, val: String| Line::from(format!("{label:<16}{val}"));
        out.push(field(
            "Node",
            str_at(&v, "/status/nodeName").unwrap_or("-").into(),
        ));
        out.push(field(
            "Phase",
            str_at(&v, "/status/phase").unwrap_or("-").into(),
        ));
        out.push(field(
            "LiveMigratable",
            match &lm {
                Some((true, _, _)) => "True".into(),
                Some((false, r, _)) => format!("False ({r})"),
                None => "(no condition)".into(),
            },
        ));
        if let Some((false, _, m)) = &lm {
            out.push(field("Message", m.clone()));
        }
        out.push(field(
            "Root volume",
            crate::migration::readiness::root_claim(&v),
        ));
        out.push(field(
            "IPs",
            crate::migration::maintenance::vmi_ips(&v).join(", "),
        ));
        if let Some(ms) = v.pointer("/status/migrationState") {
            let p = |k: &str| ms.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
            out.push(field(
                "Last migration",
                format!("{} → {}", p("sourceNode"), p("targetNode")),
            ));
        }
        Some(out)
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        view::render(self, frame, area, ctx);
    }
    fn maintenance(&mut self) -> Option<&mut dyn Maintenance> {
        Some(self)
    }
}

impl Maintenance for MaintenancePane {
    fn open(&mut self, node: &str) {
        MaintenancePane::open(self, node);
    }
    fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }
    fn perms_mut(&mut self) -> &mut Perms {
        &mut self.perms
    }
    fn selected_vmi(&self) -> Option<&Value> {
        MaintenancePane::selected_vmi(self)
    }
    fn inputs(&self) -> &MigrationInputs {
        self.memo.inputs()
    }
    fn log_result(&mut self, ok: bool, summary: String) {
        self.log.push((ok, summary));
    }
    fn guest_pdb_request(
        &mut self,
        now: Instant,
        refresh_after: Option<Duration>,
    ) -> Option<(String, Vec<GuestTarget>)> {
        MaintenancePane::guest_pdb_request(self, now, refresh_after)
    }
    fn guest_pdbs_checked(
        &mut self,
        node: &str,
        targets: &[GuestTarget],
        reports: Vec<GuestPdbReport>,
    ) -> bool {
        MaintenancePane::guest_pdbs_checked(self, node, targets, reports)
    }
}
