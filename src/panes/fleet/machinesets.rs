//! The MachineSets pane: `oc get machinesets` columns plus OS (Windows label), ARCH and the
//! machines with their phase and node.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::table::{Col, FleetTable, Item};
use crate::action::Action;
use crate::fleet::machineset::{MachineSetRow, machine_set_rows};
use crate::fleet::scale_target::{ScaleKind, ScaleTarget};
use crate::fleet::util::{TableRow, name, namespace};
use crate::panes::{Pane, RenderCtx, Scaling};
use crate::watch::fleet::{self as wf, MACHINESETS};
use crate::watch::{KindState, Stores};

/// Pane columns (index into `MachineSetRow::cells`).
pub const COLS: &[Col] = &[
    c("NAME", 0, 'N', 48, 0),
    c("DESIRED", 1, 'D', 7, 0),
    c("CURRENT", 2, 'C', 7, 0),
    c("READY", 3, 'R', 5, 0),
    c("AVAILABLE", 4, 'V', 9, 0),
    c("AGE", 5, 'A', 6, 1),
    c("OS", 6, 'O', 8, 0),
    c("ARCH", 7, 'H', 6, 0),
    c("MACHINES", 8, 'M', 80, 0),
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

#[derive(Default)]
pub struct MachineSetsPane {
    pub table: FleetTable,
    sets: Vec<Value>,
    machines: Vec<Value>,
    nodes: Vec<Value>,
    /// The app's wall clock (`Pane::set_wall_clock`); the real one until the app sets it.
    wall: Option<Timestamp>,
}

fn key(v: &Value) -> String {
    format!("{}/{}", namespace(v), name(v))
}

impl MachineSetsPane {
    pub fn rows(&self, now: Timestamp) -> Vec<MachineSetRow> {
        machine_set_rows(&self.sets, &self.machines, &self.nodes, now)
    }
    fn set(&self, k: &str) -> Option<&Value> {
        self.sets.iter().find(|s| key(s) == k)
    }
    fn items(&self, now: Timestamp) -> Vec<Item> {
        self.rows(now)
            .iter()
            .map(|r| Item {
                key: format!("{}/{}", r.namespace, r.name),
                busy: r.desired != r.current || r.desired != r.ready,
                bad: r.machines.iter().any(|m| m.phase == "Failed"),
                cells: r.cells(),
            })
            .collect()
    }
}

/// The nodes that machines point at, reduced to what the rows read (name and arch label):
/// serialising every node of a large cluster on each node event would dominate the loop.
fn referenced_nodes(
    machines: &[Value],
    nodes: &[std::sync::Arc<k8s_openapi::api::core::v1::Node>],
) -> Vec<Value> {
    let wanted: std::collections::HashSet<&str> = machines
        .iter()
        .filter_map(|m| m.pointer("/status/nodeRef/name").and_then(Value::as_str))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    nodes
        .iter()
        .filter(|n| {
            n.metadata
                .name
                .as_deref()
                .is_some_and(|n| wanted.contains(n))
        })
        .map(|n| {
            let arch = n
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/arch"));
            serde_json::json!({
                "metadata": {
                    "name": n.metadata.name,
                    "labels": {"kubernetes.io/arch": arch},
                }
            })
        })
        .collect()
}

impl Pane for MachineSetsPane {
    fn title(&self) -> &'static str {
        "MachineSets"
    }
    fn commands(&self) -> &'static [&'static str] {
        &["ms", "machinesets"]
    }
    fn kind(&self) -> &'static str {
        MACHINESETS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[
            MACHINESETS.id,
            wf::FLEET_MACHINES.id,
            crate::watch::NODES.id,
        ]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLS.iter().map(|c| (c.header, c.sort_key)).collect()
    }
    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        wf::refresh(
            &mut self.sets,
            &stores.fleet.machinesets,
            wf::MachineSet::to_value,
        );
        wf::refresh(
            &mut self.machines,
            &stores.fleet.machines,
            wf::FleetMachine::to_value,
        );
        self.nodes = referenced_nodes(&self.machines, &stores.nodes.state());
        let items = self.items(self.wall.unwrap_or_else(Timestamp::now));
        self.table
            .set_items(items.into_iter().map(Arc::new).collect(), COLS)
    }
    fn set_wall_clock(&mut self, now: Timestamp) {
        self.wall = Some(now);
    }
    fn tick(&mut self, _now: Instant) -> bool {
        // Ages move on.
        let items = self.items(self.wall.unwrap_or_else(Timestamp::now));
        self.table
            .set_items(items.into_iter().map(Arc::new).collect(), COLS)
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
    fn object_json(&self, key: &str) -> Option<Value> {
        self.set(key).cloned()
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let ms = self.set(key)?;
        let row = MachineSetRow::new(ms, &self.machines, &self.nodes, now);
        let mut out: Vec<Line<'static>> = MachineSetRow::HEADERS
            .iter()
            .zip(row.cells())
            .take(MachineSetRow::HEADERS.len() - 1)
            .map(|(h, v)| Line::raw(format!("  {h:<12}{v}")))
            .collect();
        out.push(Line::raw(format!("  {:<12}{}", "NAMESPACE", row.namespace)));
        out.push(Line::raw(""));
        out.push(Line::raw("Machines"));
        out.push(Line::raw(format!(
            "  {:<48}{:<14}{:<10}NODE",
            "NAME", "PHASE", "ARCH"
        )));
        if row.machines.is_empty() {
            out.push(Line::raw("  none"));
        }
        for m in &row.machines {
            out.push(Line::raw(format!(
                "  {:<48}{:<14}{:<10}{}",
                m.name,
                m.phase,
                m.arch.as_deref().unwrap_or(""),
                m.node.as_deref().unwrap_or("<none>")
            )));
        }
        Some(out)
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        let t = ctx.theme;
        let [sum, tbl] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let summary = format!(
            "{} MachineSets · {} machines · +/- scale · = set count",
            self.sets.len(),
            self.machines
                .iter()
                .filter(|m| crate::fleet::util::label(
                    m,
                    crate::fleet::machineset::MACHINESET_LABEL
                )
                .is_some())
                .count()
        );
        frame.render_widget(Paragraph::new(summary).style(t.fg(t.muted)), sum);
        if self.table.is_empty() && self.table.filter().is_empty() {
            let msg = match ctx.state {
                KindState::Loading => "Loading MachineSets…".to_string(),
                KindState::Forbidden(e) => format!("You may not list MachineSets: {e}"),
                KindState::NotInstalled => {
                    "MachineSets are not installed here (no Machine API): nothing to show.".into()
                }
                KindState::Reconnecting { .. } => "Waiting for the API server…".into(),
                KindState::Live => "No MachineSets.".into(),
            };
            frame.render_widget(Paragraph::new(msg).style(t.fg(t.muted)), tbl);
            return;
        }
        self.table.render(frame, tbl, COLS, t);
    }
    fn scaling(&self) -> Option<&dyn Scaling> {
        Some(self)
    }
}

impl Scaling for MachineSetsPane {
    fn scale_target(&self) -> Option<ScaleTarget> {
        let k = self.table.selected_key()?;
        Some(ScaleTarget {
            kind: ScaleKind::MachineSet,
            obj: self.set(&k)?.clone(),
            machines: self.machines.clone(),
        })
    }
}
