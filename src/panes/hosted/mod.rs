//! The Hosted clusters pane (`:hc`): `oc get hostedclusters -A` rows plus platform, node pools
//! and guest nodes; details with conditions, history, control-plane pods, endpoints, ingress and
//! why `Partial`; `o` opens the guest cluster with its admin kubeconfig.

pub mod details;
#[cfg(any(test, feature = "testkit"))]
pub mod fixtures;
pub mod model;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use self::model::{COLUMNS, HcItem, HcRow};
use super::cells::{self, CellRow};
use super::filter::Filter;
use super::table::{LiveTable, RowModel};
use super::{Documents, Guests, Pane, RenderCtx};
use crate::action::Action;
use crate::fetched::{Fetch, FetchResult, GuestRef, NamespaceObjects};
use crate::fleet::hosted::kubeconfig_ref;
use crate::fleet::hosted_details::{HostedClusterDetails, control_plane_namespace};
use crate::theme::Theme;
use crate::watch::{HOSTEDCLUSTERS, KindState, NODEPOOLS, Stores};

impl RowModel for HcRow {
    type Obj = HcItem;
    fn from_obj(obj: &HcItem) -> Self {
        HcRow::from_item(obj)
    }
    fn matches(&self, _obj: &HcItem, filter: &Filter) -> bool {
        HcRow::matches(self, filter)
    }
    fn compare(a: &Self, b: &Self, col: usize) -> Ordering {
        model::compare(a, b, col)
    }
}

impl CellRow for HcRow {
    fn cells(&self, _now: Timestamp) -> Vec<String> {
        HcRow::cells(self)
    }
    fn color(&self, col: usize, theme: &Theme) -> Option<Color> {
        let r = &self.row;
        match col {
            4 => Some(match r.progress.as_str() {
                "Completed" => theme.ok,
                "Partial" => theme.warn,
                _ => theme.muted,
            }),
            5 => Some(if r.available == "True" {
                theme.ok
            } else {
                theme.error
            }),
            10 if r.nodes_ready < r.nodes_desired => Some(theme.warn),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct HostedPane {
    pub table: LiveTable<HcRow>,
    /// Pods and services of control-plane namespaces, by namespace, as last read.
    fetched: HashMap<String, NamespaceObjects>,
    cache: model::ItemCache,
}

impl HostedPane {
    /// Rows in display order (filtered and sorted).
    pub fn rows(&self) -> impl Iterator<Item = &HcRow> {
        (0..self.table.len()).filter_map(|i| self.table.visible(i).map(|e| &e.row))
    }

    fn summary(&self, theme: &Theme) -> Line<'static> {
        let rows: Vec<&HcRow> = self.table.live_rows().collect();
        let completed = rows
            .iter()
            .filter(|r| r.row.progress == "Completed")
            .count();
        let partial = rows.iter().filter(|r| r.row.progress == "Partial").count();
        let unavailable = rows.iter().filter(|r| r.row.available != "True").count();
        let mut extra = Vec::new();
        if completed > 0 {
            extra.push(Span::styled(
                format!("Completed {completed}"),
                theme.fg(theme.ok),
            ));
        }
        if partial > 0 {
            extra.push(Span::styled(
                format!("Partial {partial}"),
                theme.fg(theme.warn),
            ));
        }
        if unavailable > 0 {
            extra.push(Span::styled(
                format!("Unavailable {unavailable}"),
                Style::default().fg(theme.error),
            ));
        }
        if !rows.is_empty() {
            extra.push(Span::styled(
                "Enter open guest cluster · d details".to_string(),
                theme.fg(theme.muted),
            ));
        }
        cells::summary("Hosted clusters", &self.table, extra, theme)
    }
}

impl Pane for HostedPane {
    fn title(&self) -> &'static str {
        "Hosted clusters"
    }
    fn warm_ahead(&self) -> bool {
        true
    }
    fn commands(&self) -> &'static [&'static str] {
        &["hc", "hostedclusters", "hostedcluster"]
    }
    fn kind(&self) -> &'static str {
        HOSTEDCLUSTERS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[HOSTEDCLUSTERS.id, NODEPOOLS.id]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLUMNS.to_vec()
    }
    fn kind_state(&mut self, kind: &'static str, state: &KindState) -> bool {
        if kind != NODEPOOLS.id {
            return false;
        }
        // Counts from pools that could not be read are not 0: say why. While reconnecting
        // whatever was known stays (the last list, or "unknown" before the first one).
        let why = match state {
            KindState::Live => None,
            KindState::Forbidden(_) => Some("forbidden".to_string()),
            KindState::Reconnecting { .. } => return false,
            KindState::Loading | KindState::NotInstalled => Some("unknown".to_string()),
        };
        self.cache.set_pools_unreadable(why)
    }
    fn sync(&mut self, stores: &Stores, now: Instant) -> bool {
        let items = model::items_cached(
            &mut self.cache,
            &stores.hostedclusters.state(),
            &stores.nodepools.state(),
        );
        self.table.sync(&items, now)
    }
    fn tick(&mut self, now: Instant) -> bool {
        self.table.tick(now)
    }
    fn animating(&self) -> bool {
        self.table.animating()
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let keys: Vec<char> = COLUMNS.iter().map(|c| c.1).collect();
        self.table.handle(action, cells::rows_area(area), &keys)
    }
    fn set_filter(&mut self, text: &str) {
        self.table.set_filter(text);
    }
    fn filter_text(&self) -> &str {
        self.table.filter().text()
    }
    fn selected_key(&self) -> Option<String> {
        self.table.selected_entry().map(|e| e.key.clone())
    }
    fn select_key(&mut self, key: &str) -> bool {
        self.table.select_key(key)
    }
    fn object_json(&self, key: &str) -> Option<serde_json::Value> {
        Some(self.table.get(key)?.obj.hc_value())
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let item = &self.table.get(key)?.obj;
        let hc = item.hc_value();
        let cp = control_plane_namespace(&hc);
        let fetched = self.fetched.get(&cp);
        let (pods, services) = fetched.map_or((&[][..], &[][..]), |f| {
            (f.pods.as_slice(), f.services.as_slice())
        });
        let mut d = HostedClusterDetails::new(&hc, &item.pool_values(), pods, services);
        d.row.pools_unreadable = item.pools_unreadable.clone();
        if fetched.is_none() {
            // Without the services the ingress verdict would be a guess.
            d.partial_reasons.retain(|r| !r.starts_with("waiting for"));
        }
        Some(details::lines(&d, fetched, now))
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        let headers: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        let summary = self.summary(ctx.theme);
        cells::render(
            &self.table,
            &headers,
            summary,
            "hosted clusters",
            frame,
            area,
            ctx,
        );
    }
    fn documents(&self) -> Option<&dyn Documents> {
        Some(self)
    }
    fn documents_mut(&mut self) -> Option<&mut dyn Documents> {
        Some(self)
    }
    fn guests(&self) -> Option<&dyn Guests> {
        Some(self)
    }
}

impl Documents for HostedPane {
    fn details_fetch(&self, key: &str) -> Option<Fetch> {
        let item = &self.table.get(key)?.obj;
        Some(Fetch::Namespace {
            namespace: control_plane_namespace(&item.hc_value()),
        })
    }
    fn fetched(&mut self, data: &FetchResult) -> bool {
        let FetchResult::Namespace(objects) = data else {
            return false;
        };
        self.fetched
            .insert(objects.namespace.clone(), objects.clone());
        true
    }
}

impl Guests for HostedPane {
    fn guest(&self, key: &str) -> Result<GuestRef, String> {
        let Some(e) = self.table.get(key) else {
            return Err(format!("no hosted cluster {key}"));
        };
        let label = format!("{}/{}", e.row.row.namespace, e.row.row.name);
        match kubeconfig_ref(&e.obj.hc_value()) {
            Some(r) => Ok(GuestRef {
                namespace: r.namespace,
                name: e.row.row.name.clone(),
                secret: r.secret,
            }),
            None => Err(format!(
                "{label} has not published an admin kubeconfig yet (status.kubeconfig)"
            )),
        }
    }
}

#[cfg(test)]
mod tests;
