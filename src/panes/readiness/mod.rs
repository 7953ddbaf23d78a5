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
use crate::migration::readiness::{PoolReadiness, ReadinessRow};
use crate::watch::Stores;
use crate::watch::migration_kinds::{
    NODE_POOLS, PVCS, READINESS_KINDS, STORAGE_CLASSES, STORAGE_PROFILES, VMIS,
};
use crate::watch::migration_memo::MigrationMemo;

#[derive(Default)]
pub struct ReadinessPane {
    /// The inputs, narrowed and kept between syncs: when a change leaves them as they were
    /// (another condition of a pool), there are no new rows and no redraw.
    memo: MigrationMemo,
    /// The store's pools, for the YAML view: read when it opens, so a pane off screen pins no
    /// old snapshot of them.
    pools: Option<kube::runtime::reflector::Store<crate::watch::dynamic::NodePool>>,
    pub(crate) rows: Vec<ReadinessRow>,
    /// Indexes into `rows` of the rows shown, in order.
    shown: Vec<usize>,
    pub(crate) selected: usize,
    pub(crate) filter: String,
}

impl ReadinessPane {
    /// The pool rows shown (filtered), sorted by cluster then pool.
    pub fn visible(&self) -> Vec<&PoolReadiness> {
        self.shown
            .iter()
            .filter_map(|i| self.rows.get(*i))
            .map(|r| &r.0)
            .collect()
    }

    /// Sort and filter again: after the rows or the filter changed, not on every frame or key.
    fn reshow(&mut self) {
        let f = self.filter.to_lowercase();
        let rows = &self.rows;
        let mut shown: Vec<usize> = (0..rows.len())
            .filter(|i| {
                f.is_empty()
                    || rows[*i]
                        .cells()
                        .iter()
                        .any(|c| c.to_lowercase().contains(&f))
            })
            .collect();
        shown.sort_by(|a, b| {
            let (a, b) = (&rows[*a].0, &rows[*b].0);
            (&a.cluster, &a.pool).cmp(&(&b.cluster, &b.pool))
        });
        self.shown = shown;
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    fn sync_kinds(
        &mut self,
        stores: &Stores,
        changed: Option<&std::collections::BTreeSet<&'static str>>,
    ) -> bool {
        self.pools = Some(stores.migration.nodepools.clone());
        let changes = self
            .memo
            .catch_up(&stores.migration, &READINESS_KINDS, changed);
        if !changes.any() {
            return false;
        }
        match changes.only_in(NODE_POOLS.id) {
            // Churn moves a few pools a second: their rows alone are made again.
            Some(keys) => self.update_pools(keys),
            None => self.rows = self.memo.inputs().readiness_rows(),
        }
        self.reshow();
        true
    }

    /// Make the rows of the pools at `keys` (`namespace/name`) again, the others as they are:
    /// a pool's row reads only that pool besides the VMIs, PVCs and storage, which did not
    /// change. Rows stay sorted by pool.
    fn update_pools(&mut self, keys: &std::collections::BTreeSet<String>) {
        self.rows.retain(|r| !keys.contains(&r.0.pool));
        let pools = keys.iter().filter_map(|k| self.memo.get(NODE_POOLS.id, k));
        for row in self.memo.inputs().readiness_rows_of(pools) {
            let at = self.rows.partition_point(|r| r.0.pool < row.0.pool);
            self.rows.insert(at, row);
        }
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
    sync_by_kinds!();
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
        self.reshow();
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

#[cfg(test)]
mod tests;
