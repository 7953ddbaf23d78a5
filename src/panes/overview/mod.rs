//! The Overview pane (`:overview`, `:ov`), the screen the TUI opens on: identity and multi-arch
//! verdict, counts linking to their panes, Windows (WMCO) health, boot images per architecture
//! with copyable URLs and commands, and the health verdict.
//!
//! Data: the overview poller's snapshot (`Stores::overview`, every ~20 s) with the nodes taken
//! from the live Nodes store when it has any. The model is rebuilt in `sync`, never in `render`.

mod fingerprint;
pub mod rows;
pub mod view;

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use self::rows::{Item, Row};
use crate::action::Action;
use crate::csr::decode::DecodeCache;
use crate::overview::bootimages::CopyItem;
use crate::overview::{Fetched, OverviewInputs, OverviewModel};
use crate::panes::{Links, Pane, RenderCtx};
use crate::watch::Stores;
use crate::watch::overview_poll::KIND;

#[derive(Default)]
pub struct OverviewPane {
    /// The poller's snapshot the model was built from.
    base: Option<Arc<OverviewInputs>>,
    /// What the model saw of the live nodes (see [`fingerprint`]).
    nodes_seen: (usize, u64),
    fingerprint: fingerprint::NodeFingerprint,
    model: Option<OverviewModel>,
    rows: Vec<Row>,
    /// Index into `rows` of the selected row (always a selectable one, when any exists).
    selected: Option<usize>,
    available: Vec<&'static str>,
    filter: String,
    cache: DecodeCache,
}

impl OverviewPane {
    /// The model, once the first read arrived.
    pub fn model(&self) -> Option<&OverviewModel> {
        self.model.as_ref()
    }

    /// Rows currently shown (after the filter).
    pub fn visible(&self) -> Vec<(usize, &Row)> {
        let f = self.filter.to_lowercase();
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| f.is_empty() || r.text.to_lowercase().contains(&f))
            .collect()
    }

    /// The selected row's item.
    pub fn selected_item(&self) -> Option<&Item> {
        self.selected
            .and_then(|i| self.rows.get(i))
            .and_then(|r| r.item.as_ref())
    }

    /// Builds the model from `inputs`. They are not kept: laid over with the live stores they
    /// hold every Node and CSR, and kept while the pane is off screen they held on to versions
    /// the stores had long replaced (a second copy of the nodes after a minute of churn).
    fn rebuild(&mut self, inputs: &OverviewInputs) {
        let model = OverviewModel::build_with_cache(inputs, &mut self.cache);
        self.model = Some(model);
        self.rebuild_rows();
    }

    /// The rows of the model (after the panes that can be linked to changed).
    fn rebuild_rows(&mut self) {
        let Some(model) = &self.model else {
            return;
        };
        let old = self.selected_item().cloned();
        self.rows = rows::build(model, &self.available);
        // Keep the same item selected across refreshes when it is still there.
        self.selected = old
            .and_then(|o| self.rows.iter().position(|r| r.item.as_ref() == Some(&o)))
            .or_else(|| self.selectable().first().copied());
    }

    /// Indexes of the selectable rows shown.
    fn selectable(&self) -> Vec<usize> {
        self.visible()
            .into_iter()
            .filter(|(_, r)| r.selectable())
            .map(|(i, _)| i)
            .collect()
    }

    fn move_by(&mut self, delta: i64) -> bool {
        let sel = self.selectable();
        if sel.is_empty() {
            return false;
        }
        let cur = self
            .selected
            .and_then(|s| sel.iter().position(|i| *i == s))
            .unwrap_or(0) as i64;
        let max = sel.len() as i64 - 1;
        let next = (cur + delta).clamp(0, max) as usize;
        let new = sel.get(next).copied();
        let changed = new != self.selected;
        self.selected = new;
        changed
    }
}

impl Pane for OverviewPane {
    fn title(&self) -> &'static str {
        "Overview"
    }

    fn commands(&self) -> &'static [&'static str] {
        &["overview", "ov"]
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    fn reads(&self) -> &'static [&'static str] {
        &[KIND, "nodes"]
    }

    fn columns(&self) -> Vec<(&'static str, char)> {
        Vec::new()
    }

    /// The poller's snapshot, with the live Nodes store laid over it. When other kinds get
    /// reflectors (CSRs, HostedClusters, NodePools...), lay their stores over the snapshot here
    /// the same way and add their ids to `reads()`.
    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        let latest = stores.overview.borrow().clone();
        let fresh = match (&latest, &self.base) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
            (a, b) => a.is_some() != b.is_some(),
        };
        let nodes = stores.nodes.state();
        let seen = self.fingerprint.of(&nodes);
        if !fresh && seen == self.nodes_seen {
            return false;
        }
        self.base = latest.clone();
        self.nodes_seen = seen;
        let Some(base) = latest else {
            return true;
        };
        // The poller leaves Nodes and CSRs in the live stores (which are newer anyway).
        let csrs = stores.csrs.state();
        if nodes.is_empty() && csrs.is_empty() {
            self.rebuild(&base);
        } else {
            let mut i = (*base).clone();
            if !nodes.is_empty() {
                i.nodes = Fetched::Present(nodes);
            }
            if !csrs.is_empty() {
                i.csrs = Fetched::Present(csrs);
            }
            self.rebuild(&i);
        }
        true
    }

    fn tick(&mut self, _now: Instant) -> bool {
        false
    }

    fn animating(&self) -> bool {
        false
    }

    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let page = i64::from(area.height.max(2) / 2);
        match action {
            Action::Move(d) => self.move_by(i64::from(*d)),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.move_by(i64::MIN / 2),
            Action::Bottom => self.move_by(i64::MAX / 2),
            Action::ClickRow(y) => {
                let idx = view::row_at(self, area, *y);
                match idx {
                    Some(i) if self.rows.get(i).is_some_and(Row::selectable) => {
                        self.selected = Some(i);
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        let sel = self.selectable();
        if !self.selected.is_some_and(|s| sel.contains(&s)) {
            self.selected = sel.first().copied();
        }
    }

    fn filter_text(&self) -> &str {
        &self.filter
    }

    fn selected_key(&self) -> Option<String> {
        None
    }

    fn object_json(&self, _key: &str) -> Option<serde_json::Value> {
        None
    }

    fn details(&self, _key: &str, _now: Timestamp) -> Option<Vec<Line<'static>>> {
        None
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        view::render(self, frame, area, ctx);
    }
    fn links(&self) -> Option<&dyn Links> {
        Some(self)
    }
    fn links_mut(&mut self) -> Option<&mut dyn Links> {
        Some(self)
    }
}

impl Links for OverviewPane {
    fn remap(&self, action: &Action) -> Option<Action> {
        match (action, self.selected_item()) {
            (Action::Details, Some(Item::Link(cmd))) => Some(Action::Command((*cmd).to_string())),
            (Action::Details | Action::Yaml, Some(Item::Copy(_))) => Some(Action::Copy),
            // Nothing else here has details or YAML.
            (Action::Details | Action::Yaml, _) => Some(Action::Copy),
            // `c` is cordon on the Nodes pane and copy here; the Overview has no nodes to cordon.
            (Action::Migration(crate::migration::actions::MigAction::Cordon), _) => {
                Some(Action::Copy)
            }
            _ => None,
        }
    }
    fn copy_item(&self) -> Option<CopyItem> {
        match self.selected_item() {
            Some(Item::Copy(c)) => Some(c.clone()),
            _ => None,
        }
    }
    fn set_available(&mut self, commands: &[&'static str]) {
        if self.available != commands {
            self.available = commands.to_vec();
            self.rebuild_rows();
        }
    }
}

#[cfg(test)]
mod tests;
