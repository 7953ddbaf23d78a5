//! The Readiness pane (`:readiness`, `:lm`): live-migration readiness per hosted cluster and
//! KubeVirt node pool: migratable n/m, reasons grouped, the remedy in words, and per machine the
//! cross-checked root volume (access mode, storage class, RWX support) in the details view.

pub mod view;

use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use serde_json::Value;

use super::{Pane, RenderCtx};
use crate::action::Action;
use crate::fleet::util::TableRow;
use crate::migration::inputs::MigrationInputs;
use crate::migration::readiness::{PoolReadiness, ReadinessRow};
use crate::watch::Stores;
use crate::watch::migration_kinds::{
    NODE_POOLS, PVCS, READINESS_KINDS, STORAGE_CLASSES, STORAGE_PROFILES, VMIS,
};

#[derive(Default)]
pub struct ReadinessPane {
    /// The inputs the rows were made from, as compact JSON: when a change leaves them as they
    /// were (another condition of a pool), there are no new rows and no redraw. A string, not
    /// the trees: about 1.5 MB at 1,000 pools instead of 9 MB.
    seen: String,
    /// The store's pools, for the YAML view: read when it opens, so a pane off screen pins no
    /// old snapshot of them.
    pools: Option<kube::runtime::reflector::Store<crate::watch::dynamic::NodePool>>,
    pub(crate) rows: Vec<ReadinessRow>,
    pub(crate) selected: usize,
    pub(crate) filter: String,
}

impl ReadinessPane {
    /// The pool rows shown (filtered), sorted by cluster then pool.
    pub fn visible(&self) -> Vec<&PoolReadiness> {
        let f = self.filter.to_lowercase();
        let mut v: Vec<&PoolReadiness> = self
            .rows
            .iter()
            .filter(|r| f.is_empty() || r.cells().iter().any(|c| c.to_lowercase().contains(&f)))
            .map(|r| &r.0)
            .collect();
        v.sort_by(|a, b| (&a.cluster, &a.pool).cmp(&(&b.cluster, &b.pool)));
        v
    }

    /// Feed a snapshot (tests, `sync`). Returns whether anything changed.
    pub fn apply(&mut self, inputs: MigrationInputs) -> bool {
        let seen = serde_json::to_string(&inputs).unwrap_or_default();
        if seen == self.seen && !self.rows.is_empty() {
            return false;
        }
        self.rows = inputs.readiness_rows();
        self.seen = seen;
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        true
    }

    /// The whole pool (the rows read a narrowed copy), from the store.
    fn pool_obj(&self, key: &str) -> Option<Value> {
        let (ns, name) = key.split_once('/')?;
        self.pools
            .as_ref()?
            .get(&kube::runtime::reflector::ObjectRef::new(name).within(ns))
            .map(|p| p.to_value())
    }
}

impl Pane for ReadinessPane {
    fn title(&self) -> &'static str {
        "Readiness"
    }
    fn commands(&self) -> &'static [&'static str] {
        &["readiness", "lm"]
    }
    fn kind(&self) -> &'static str {
        NODE_POOLS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            NODE_POOLS.id,
            VMIS.id,
            PVCS.id,
            STORAGE_CLASSES.id,
            STORAGE_PROFILES.id,
        ]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        ReadinessRow::HEADERS.iter().map(|h| (*h, ' ')).collect()
    }
    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        self.pools = Some(stores.migration.nodepools.clone());
        self.apply(MigrationInputs::from_stores_of(
            &stores.migration,
            &READINESS_KINDS,
        ))
    }
    fn tick(&mut self, _now: Instant) -> bool {
        false
    }
    fn animating(&self) -> bool {
        false
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        match super::moved_selection(self.selected, self.visible().len(), action, area) {
            Some(s) => {
                self.selected = s;
                true
            }
            None => false,
        }
    }
    fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
    }
    fn filter_text(&self) -> &str {
        &self.filter
    }
    fn selected_key(&self) -> Option<String> {
        self.visible().get(self.selected).map(|p| p.pool.clone())
    }
    fn object_json(&self, key: &str) -> Option<Value> {
        self.pool_obj(key)
    }
    fn details(&self, key: &str, _now: Timestamp) -> Option<Vec<Line<'static>>> {
        let p = self.rows.iter().find(|r| r.0.pool == key)?;
        Some(view::details(&p.0))
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        view::render(self, frame, area, ctx);
    }
}
