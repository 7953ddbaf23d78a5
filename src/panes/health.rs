//! The Health pane (`:health`): the greenboot-style checks of [`crate::overview::health`], each
//! PASS/FAIL with the pods concerned. Reads the overview poller's snapshot (every ~20 s); Enter
//! opens a check with every pod it names.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::action::Action;
use crate::overview::health::{self, CheckStatus, HealthCheck, HealthInputs, HealthReport};
use crate::overview::{ClusterFlavor, OverviewInputs};
use crate::panes::{Pane, RenderCtx};
use crate::watch::overview_poll::KIND;
use crate::watch::{KindState, Stores};

#[derive(Default)]
pub struct HealthPane {
    inputs: Option<Arc<OverviewInputs>>,
    report: Option<HealthReport>,
    selected: usize,
    filter: String,
}

/// The report for a snapshot (MicroShift expects pods in every core namespace).
pub fn report(inputs: &OverviewInputs) -> HealthReport {
    let flavor = ClusterFlavor::detect(&inputs.cluster_version, &inputs.microshift_version);
    health::evaluate(&HealthInputs {
        api: &inputs.api_health,
        namespaces: &inputs.namespaces,
        pods: &inputs.core_pods,
        any_running: &inputs.any_running_pod,
        expect_pods: flavor.is_microshift(),
    })
}

fn key(c: &HealthCheck) -> String {
    match &c.namespace {
        Some(ns) => format!("{}/{ns}", c.id),
        None => c.id.to_string(),
    }
}

impl HealthPane {
    pub fn report(&self) -> Option<&HealthReport> {
        self.report.as_ref()
    }

    fn visible(&self) -> Vec<&HealthCheck> {
        let f = self.filter.to_lowercase();
        self.report
            .iter()
            .flat_map(|r| r.checks.iter())
            .filter(|c| {
                f.is_empty()
                    || format!("{} {} {}", c.status.label(), c.title, key(c))
                        .to_lowercase()
                        .contains(&f)
            })
            .collect()
    }

    fn check(&self, k: &str) -> Option<&HealthCheck> {
        self.report
            .as_ref()
            .and_then(|r| r.checks.iter().find(|c| key(c) == k))
    }
}

impl Pane for HealthPane {
    fn title(&self) -> &'static str {
        "Health"
    }

    fn commands(&self) -> &'static [&'static str] {
        &["health"]
    }

    fn kind(&self) -> &'static str {
        KIND
    }

    fn reads(&self) -> &'static [&'static str] {
        &[KIND]
    }

    fn columns(&self) -> Vec<(&'static str, char)> {
        Vec::new()
    }

    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        let latest = stores.overview.borrow().clone();
        let same = match (&latest, &self.inputs) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if same {
            return false;
        }
        self.report = latest.as_deref().map(report);
        self.inputs = latest;
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        true
    }

    fn tick(&mut self, _now: Instant) -> bool {
        false
    }

    fn animating(&self) -> bool {
        false
    }

    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        let n = self.visible().len() as i64;
        let page = i64::from(area.height.max(2) - 1);
        let delta = match action {
            Action::Move(d) => i64::from(*d),
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => -n,
            Action::Bottom => n,
            Action::ClickRow(y) => {
                let row = i64::from(*y) - i64::from(area.y) - 2;
                if row < 0 || row >= n {
                    return false;
                }
                row - self.selected as i64
            }
            _ => return false,
        };
        let next = (self.selected as i64 + delta).clamp(0, (n - 1).max(0)) as usize;
        let changed = next != self.selected;
        self.selected = next;
        changed
    }

    fn set_filter(&mut self, text: &str) {
        self.filter = text.to_string();
        self.selected = 0;
    }

    fn filter_text(&self) -> &str {
        &self.filter
    }

    fn selected_key(&self) -> Option<String> {
        self.visible().get(self.selected).map(|c| key(c))
    }

    fn object_json(&self, key: &str) -> Option<serde_json::Value> {
        self.check(key).and_then(|c| serde_json::to_value(c).ok())
    }

    fn details(&self, key: &str, _now: Timestamp) -> Option<Vec<Line<'static>>> {
        let c = self.check(key)?;
        let mut out = vec![
            Line::raw(format!("Check:     {}", c.title)),
            Line::raw(format!("Status:    {}", c.status.label())),
            Line::raw(format!(
                "Namespace: {}",
                c.namespace.as_deref().unwrap_or("-")
            )),
            Line::raw(format!("Detail:    {}", c.detail)),
            Line::raw(""),
        ];
        if c.pods.is_empty() {
            out.push(Line::raw("Pods concerned: none"));
        } else {
            out.push(Line::raw(format!("Pods concerned ({}):", c.pods.len())));
            out.extend(c.pods.iter().map(|p| Line::raw(format!("  {p}"))));
        }
        Some(out)
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        let t = ctx.theme;
        let Some(r) = &self.report else {
            let msg = match ctx.state {
                KindState::Reconnecting { error, .. } => {
                    format!(" cannot read the cluster: {error}")
                }
                _ => " reading the cluster…".to_string(),
            };
            frame.render_widget(Paragraph::new(msg).style(t.fg(t.muted)), area);
            return;
        };
        let (verdict, color) = if r.healthy {
            ("healthy: all checks pass", t.ok)
        } else {
            (
                "unhealthy: some checks fail or cannot be evaluated",
                t.error,
            )
        };
        let mut lines = vec![
            Line::from(vec![
                Span::styled(" Health ", t.title_style()),
                Span::styled(verdict, t.fg(color).add_modifier(Modifier::BOLD)),
                Span::styled(
                    "  (greenboot checks through the API; enter: pods)",
                    t.fg(t.muted),
                ),
            ]),
            Line::styled(
                format!(
                    " {:<8} {:<28} {:<26} DETAIL",
                    "STATUS", "CHECK", "NAMESPACE"
                ),
                t.header_style(),
            ),
        ];
        let height = area.height.saturating_sub(2) as usize;
        let off = self.selected.saturating_sub(height.saturating_sub(1));
        for (i, c) in self
            .visible()
            .into_iter()
            .enumerate()
            .skip(off)
            .take(height)
        {
            let color = match c.status {
                CheckStatus::Pass => t.ok,
                CheckStatus::Fail => t.error,
                CheckStatus::Skipped => t.muted,
                CheckStatus::Unknown => t.warn,
            };
            let mut detail = c.detail.clone();
            if c.status == CheckStatus::Fail && !c.pods.is_empty() {
                detail = format!("{detail} [{}]", c.pods.join(", "));
            }
            let text = format!(
                " {:<28} {:<26} {detail}",
                c.title,
                c.namespace.as_deref().unwrap_or("-")
            );
            let row_style = if i == self.selected {
                t.selection_style()
            } else {
                t.fg(t.fg)
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<8}", c.status.label()), t.fg(color)),
                Span::styled(text, row_style),
            ]));
        }
        frame.render_widget(Paragraph::new(lines).style(t.base()), area);
    }
}
