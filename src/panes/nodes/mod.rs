//! The Nodes pane: model (pure rows and summary), view (table rendering), details.

pub mod details;
#[cfg(any(test, feature = "testkit"))]
pub mod fixtures;
pub mod model;
pub mod view;

#[cfg(test)]
mod pane_tests;

use std::cmp::Ordering;
use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use self::details::Source;
use self::model::{COLUMNS, NodeRow, Summary};
use super::filter::Filter;
use super::table::{LiveTable, RowModel};
use super::{Documents, Pane, RenderCtx};
use crate::action::Action;
use crate::fetched::{Fetch, FetchResult};
use crate::watch::{NODES, Stores};

impl RowModel for NodeRow {
    type Obj = Node;
    fn from_obj(obj: &Node) -> Self {
        NodeRow::from_node(obj)
    }
    fn matches(&self, obj: &Node, filter: &Filter) -> bool {
        NodeRow::matches(self, obj, filter)
    }
    fn compare(a: &Self, b: &Self, col: usize) -> Ordering {
        model::compare(a, b, col)
    }
}

/// The Nodes view model: the live table and its summary. Public for benchmarks:
/// `NodesView::apply(&snapshot, now)` after feeding a `Writer<Node>`, then `App::render`.
#[derive(Default)]
pub struct NodesView {
    pub table: LiveTable<NodeRow>,
    pub summary: Summary,
}

impl NodesView {
    /// Bring rows, index and summary up to date with a store snapshot. Returns whether the
    /// screen changed: the summary, or the rows in the viewport.
    pub fn apply(&mut self, snapshot: &[Arc<Node>], now: Instant) -> bool {
        if !self.table.sync(snapshot, now) {
            return false;
        }
        let summary = Summary::from_rows(self.table.live_rows());
        let summary_changed = summary != self.summary;
        self.summary = summary;
        summary_changed || self.table.shown_changed()
    }

    /// Rows in display order (filtered and sorted), as `get nodes` prints them.
    pub fn rows(&self) -> impl Iterator<Item = &NodeRow> {
        (0..self.table.len()).filter_map(|i| self.table.visible(i).map(|e| &e.row))
    }
}

#[derive(Default)]
pub struct NodesPane {
    pub view: NodesView,
    /// The whole live object of the node whose details or YAML are open (the store holds lean
    /// copies): one at a time, replaced when another node's view opens.
    full: Option<FullNode>,
}

/// What the GETs of one node's whole object returned so far.
#[derive(Debug, Clone)]
struct FullNode {
    name: String,
    /// The last object read.
    node: Option<Arc<Node>>,
    /// Why the last GET failed, if it did.
    error: Option<String>,
}

impl NodesPane {
    /// The node the views of `key` show (the whole object once read, else the cached one),
    /// and where it stands.
    fn doc_node<'a>(&'a self, key: &str, cached: &'a Node) -> (&'a Node, Source<'a>) {
        match self.full.as_ref().filter(|f| f.name == key) {
            Some(f) => {
                let node = f.node.as_deref().unwrap_or(cached);
                match (&f.error, &f.node) {
                    (Some(e), _) => (node, Source::Failed(e)),
                    (None, Some(_)) => (node, Source::Full),
                    (None, None) => (node, Source::Loading),
                }
            }
            None => (cached, Source::Loading),
        }
    }

    fn fetch(&self, key: &str) -> Option<Fetch> {
        self.view.table.get(key).map(|e| Fetch::Node {
            name: e
                .obj
                .metadata
                .name
                .clone()
                .unwrap_or_else(|| key.to_string()),
        })
    }
}

impl Pane for NodesPane {
    fn title(&self) -> &'static str {
        "Nodes"
    }
    fn commands(&self) -> &'static [&'static str] {
        &["nodes", "no", "node"]
    }
    fn kind(&self) -> &'static str {
        NODES.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[NODES.id]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLUMNS.iter().map(|c| (c.header, c.sort_key)).collect()
    }
    fn sync(&mut self, stores: &Stores, now: Instant) -> bool {
        self.view.apply(&stores.nodes.state(), now)
    }
    fn tick(&mut self, now: Instant) -> bool {
        self.view.table.tick(now) && self.view.table.shown_changed()
    }
    fn animating(&self) -> bool {
        self.view.table.animating()
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let keys: Vec<char> = COLUMNS.iter().map(|c| c.sort_key).collect();
        self.view.table.handle(action, view::rows_area(area), &keys)
    }
    fn set_filter(&mut self, text: &str) {
        self.view.table.set_filter(text);
    }
    fn filter_text(&self) -> &str {
        self.view.table.filter().text()
    }
    fn selected_key(&self) -> Option<String> {
        self.view.table.selected_entry().map(|e| e.key.clone())
    }
    fn object_json(&self, key: &str) -> Option<serde_json::Value> {
        let e = self.view.table.get(key)?;
        serde_json::to_value(self.doc_node(key, &e.obj).0).ok()
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let e = self.view.table.get(key)?;
        let (node, source) = self.doc_node(key, &e.obj);
        Some(details::lines(node, &e.row, now, source))
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        view::render(&self.view, frame, area, ctx);
    }
    fn documents(&self) -> Option<&dyn Documents> {
        Some(self)
    }
    fn documents_mut(&mut self) -> Option<&mut dyn Documents> {
        Some(self)
    }
}

impl Documents for NodesPane {
    fn yaml_note(&self, key: &str) -> Option<String> {
        let e = self.view.table.get(key)?;
        details::note(self.doc_node(key, &e.obj).1)
    }
    fn details_fetch(&self, key: &str) -> Option<Fetch> {
        self.fetch(key)
    }
    fn yaml_fetch(&self, key: &str) -> Option<Fetch> {
        self.fetch(key)
    }
    fn doc_opened(&mut self, key: &str) {
        self.full = Some(FullNode {
            name: key.to_string(),
            node: None,
            error: None,
        });
    }
    fn fetched(&mut self, data: &FetchResult) -> bool {
        let FetchResult::Node(got) = data else {
            return false;
        };
        // A read for a view since closed or replaced is dropped.
        let Some(full) = self.full.as_mut().filter(|f| f.name == got.name) else {
            return false;
        };
        match &got.node {
            Ok(n) => {
                full.node = Some(n.clone());
                full.error = None;
            }
            Err(e) => full.error = Some(e.clone()),
        }
        true
    }
}
