//! The Cluster operators pane (`:co`): `oc get clusteroperators` (NAME VERSION AVAILABLE
//! PROGRESSING DEGRADED SINCE MESSAGE), unhealthy operators coloured. Most useful inside a guest
//! cluster opened from the Hosted clusters pane.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::cells::{self, CellRow};
use super::filter::Filter;
use super::table::{LiveTable, RowModel};
use super::{Pane, RenderCtx};
use crate::action::Action;
use crate::fleet::util::{arr_at, condition_field, time_at};
use crate::panes::nodes::model::age;
use crate::theme::Theme;
use crate::watch::CLUSTEROPERATORS;
use crate::watch::Stores;
use crate::watch::dynamic::ClusterOperator;

pub const COLUMNS: &[(&str, char)] = &[
    ("NAME", 'N'),
    ("VERSION", 'V'),
    ("AVAILABLE", 'A'),
    ("PROGRESSING", 'P'),
    ("DEGRADED", 'D'),
    ("SINCE", 'S'),
    ("MESSAGE", 'M'),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoRow {
    pub name: String,
    /// `status.versions[name=operator].version`.
    pub version: String,
    pub available: String,
    pub progressing: String,
    pub degraded: String,
    /// `Available` lastTransitionTime.
    pub since: Option<Timestamp>,
    /// `Degraded` message (oc's wide column); when not degraded, the message of a False
    /// `Available` or a True `Progressing`.
    pub message: String,
    pub labels: BTreeMap<String, String>,
}

impl CoRow {
    pub fn from_value(co: &Value) -> CoRow {
        let s = |t: &str, f: &str| condition_field(co, t, f).unwrap_or("").to_string();
        let (available, progressing, degraded) = (
            s("Available", "status"),
            s("Progressing", "status"),
            s("Degraded", "status"),
        );
        let message = if degraded == "True" {
            s("Degraded", "message")
        } else if available != "True" {
            s("Available", "message")
        } else if progressing == "True" {
            s("Progressing", "message")
        } else {
            String::new()
        };
        let since = arr_at(co, "/status/conditions")
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some("Available"))
            .and_then(|c| time_at(c, "/lastTransitionTime"));
        CoRow {
            name: crate::fleet::util::name(co).to_string(),
            version: arr_at(co, "/status/versions")
                .iter()
                .find(|v| v.get("name").and_then(Value::as_str) == Some("operator"))
                .and_then(|v| v.get("version"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            available,
            progressing,
            degraded,
            since,
            message: message.replace('\n', " "),
            labels: co
                .pointer("/metadata/labels")
                .and_then(|l| serde_json::from_value(l.clone()).ok())
                .unwrap_or_default(),
        }
    }

    pub fn healthy(&self) -> bool {
        self.available == "True" && self.degraded != "True"
    }

    pub fn cells(&self, now: Timestamp) -> Vec<String> {
        vec![
            self.name.clone(),
            self.version.clone(),
            self.available.clone(),
            self.progressing.clone(),
            self.degraded.clone(),
            self.since.map_or_else(String::new, |t| age(t, now)),
            self.message.clone(),
        ]
    }
}

impl RowModel for CoRow {
    type Obj = ClusterOperator;
    fn from_obj(obj: &ClusterOperator) -> Self {
        CoRow::from_value(&obj.to_value())
    }
    fn matches(&self, _obj: &ClusterOperator, filter: &Filter) -> bool {
        filter.matches(&self.name, &self.labels)
    }
    fn compare(a: &Self, b: &Self, col: usize) -> Ordering {
        let primary = match col {
            1 => a.version.cmp(&b.version),
            2 => a.available.cmp(&b.available),
            3 => a.progressing.cmp(&b.progressing),
            4 => a.degraded.cmp(&b.degraded),
            5 => b.since.cmp(&a.since),
            6 => a.message.cmp(&b.message),
            _ => Ordering::Equal,
        };
        primary.then_with(|| a.name.cmp(&b.name))
    }
}

impl CellRow for CoRow {
    fn cells(&self, now: Timestamp) -> Vec<String> {
        CoRow::cells(self, now)
    }
    fn color(&self, col: usize, theme: &Theme) -> Option<Color> {
        match col {
            2 if self.available != "True" => Some(theme.error),
            3 if self.progressing == "True" => Some(theme.warn),
            4 if self.degraded == "True" => Some(theme.error),
            0 if !self.healthy() => Some(theme.error),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct OperatorsPane {
    pub table: LiveTable<CoRow>,
}

impl Pane for OperatorsPane {
    fn title(&self) -> &'static str {
        "Cluster operators"
    }
    fn commands(&self) -> &'static [&'static str] {
        &["co", "clusteroperators", "clusteroperator"]
    }
    fn kind(&self) -> &'static str {
        CLUSTEROPERATORS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[CLUSTEROPERATORS.id]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLUMNS.to_vec()
    }
    fn sync(&mut self, stores: &Stores, now: Instant) -> bool {
        self.table.sync(&stores.clusteroperators.state(), now)
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
    fn object_json(&self, key: &str) -> Option<Value> {
        Some(self.table.get(key)?.obj.to_value())
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let e = self.table.get(key)?;
        let co = e.obj.to_value();
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut out = vec![Line::from(Span::styled(
            format!("{}  {}", e.row.name, e.row.version),
            bold,
        ))];
        out.push(Line::raw(""));
        out.push(Line::from(Span::styled("Conditions", bold)));
        for c in arr_at(&co, "/status/conditions") {
            let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (t, st) = (f("type"), f("status"));
            let bad = match t.as_str() {
                "Degraded" => st == "True",
                "Available" | "Upgradeable" => st != "True",
                _ => false,
            };
            let since = time_at(c, "/lastTransitionTime")
                .map(|x| format!(" for {}", age(x, now)))
                .unwrap_or_default();
            out.push(Line::from(vec![
                Span::styled(format!("  {t:<16}"), bold),
                Span::styled(
                    format!("{st:<8}"),
                    Style::default().fg(if bad { Color::Red } else { Color::Green }),
                ),
                Span::raw(format!(
                    "{since}  {}: {}",
                    f("reason"),
                    f("message").replace('\n', " ")
                )),
            ]));
        }
        out.push(Line::raw(""));
        out.push(Line::from(Span::styled("Versions", bold)));
        for v in arr_at(&co, "/status/versions") {
            let f = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            out.push(Line::raw(format!("  {:<24}{}", f("name"), f("version"))));
        }
        Some(out)
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        let theme = ctx.theme;
        let rows: Vec<&CoRow> = self.table.live_rows().collect();
        let bad = rows.iter().filter(|r| !r.healthy()).count();
        let progressing = rows.iter().filter(|r| r.progressing == "True").count();
        let mut extra = vec![Span::styled(
            format!("Healthy {}/{}", rows.len() - bad, rows.len()),
            theme.fg(if bad == 0 { theme.ok } else { theme.error }),
        )];
        if progressing > 0 {
            extra.push(Span::styled(
                format!("Progressing {progressing}"),
                theme.fg(theme.warn),
            ));
        }
        let summary = cells::summary("Cluster operators", &self.table, extra, theme);
        let headers: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        cells::render(
            &self.table,
            &headers,
            summary,
            "cluster operators",
            frame,
            area,
            ctx,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn co(name: &str, avail: &str, progressing: &str, degraded: &str, msg: &str) -> Value {
        json!({"metadata": {"name": name, "resourceVersion": "1"},
               "status": {"versions": [{"name": "raw-internal", "version": "x"},
                                       {"name": "operator", "version": "4.18.1"}],
                          "conditions": [
                {"type": "Available", "status": avail, "message": "avail msg",
                 "lastTransitionTime": "2023-11-14T20:13:20Z"},
                {"type": "Progressing", "status": progressing, "message": "progress msg"},
                {"type": "Degraded", "status": degraded, "message": msg}]}})
    }

    #[test]
    fn rows_like_oc_get_clusteroperators() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let ok = CoRow::from_value(&co("dns", "True", "False", "False", ""));
        assert_eq!(
            ok.cells(now),
            ["dns", "4.18.1", "True", "False", "False", "120m", ""]
        );
        assert!(ok.healthy());
        let bad = CoRow::from_value(&co("storage", "True", "False", "True", "a\nb"));
        assert_eq!(bad.message, "a b");
        assert!(!bad.healthy());
        let down = CoRow::from_value(&co("console", "False", "True", "False", ""));
        assert_eq!(down.message, "avail msg");
        let busy = CoRow::from_value(&co("ingress", "True", "True", "False", ""));
        assert_eq!(busy.message, "progress msg");
        let empty = CoRow::from_value(&json!({"metadata": {"name": "x"}}));
        assert_eq!(empty.cells(now), ["x", "", "", "", "", "", ""]);
    }
}
