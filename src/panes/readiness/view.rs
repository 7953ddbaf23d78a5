//! Rendering of the Readiness pane: a summary line, per hosted cluster a total row and its pools,
//! and the selected pool's remedy wrapped below the table.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::ReadinessPane;
use crate::migration::readiness::PoolReadiness;
use crate::panes::RenderCtx;
use crate::theme::Theme;
use crate::watch::KindState;

fn reasons(p: &PoolReadiness) -> String {
    p.reasons
        .iter()
        .map(|(r, n)| format!("{r}×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line of the table.
enum TableLine<'a> {
    /// A hosted cluster's total.
    Cluster(&'a str),
    /// The pool at this index of the shown pools.
    Pool(usize),
}

fn pool_row(pool: &PoolReadiness, selected: bool, theme: &Theme) -> Row<'static> {
    let mut style = Style::default().fg(if pool.all_migratable() {
        theme.fg
    } else {
        theme.warn
    });
    if selected {
        style = style.bg(theme.selection).add_modifier(Modifier::BOLD);
    }
    let mut ratio = pool.ratio();
    if pool.truncated {
        ratio.push_str(" (truncated)");
    }
    Row::new([
        format!("  {}", pool.pool),
        ratio,
        reasons(pool),
        pool.remedies.first().cloned().unwrap_or_default(),
    ])
    .style(style)
}

pub fn render(p: &ReadinessPane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let theme = ctx.theme;
    let pools = p.visible();
    let [summary, table_area, remedy_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(5),
    ])
    .areas(area);
    let (total, ok) = pools
        .iter()
        .fold((0, 0), |(t, m), p| (t + p.total, m + p.migratable));
    let bad_pools = pools.iter().filter(|p| !p.all_migratable()).count();
    frame.render_widget(
        Paragraph::new(format!(
            "Live migration: {ok}/{total} VMs migratable · {} KubeVirt node pool(s), {bad_pools} with non-migratable VMs",
            pools.len()
        ))
        .style(Style::default().fg(theme.fg)),
        summary,
    );
    if pools.is_empty() {
        let msg = match ctx.state {
            KindState::NotInstalled => "HyperShift NodePools are not installed on this cluster",
            KindState::Loading => "loading node pools…",
            _ if !p.filter.is_empty() => "no node pool matches the filter",
            _ => "no KubeVirt node pools",
        };
        frame.render_widget(
            Paragraph::new(msg).style(Style::default().fg(theme.muted)),
            table_area,
        );
        return;
    }
    let mut clusters: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for pool in &pools {
        let e = clusters.entry(pool.cluster.as_str()).or_default();
        e.0 += pool.migratable;
        e.1 += pool.total;
    }
    let header = Row::new(["CLUSTER / NODEPOOL", "MIGRATABLE", "REASONS", "REMEDY"]).style(
        Style::default()
            .fg(theme.header)
            .add_modifier(Modifier::BOLD),
    );
    // The table's lines: a total line per hosted cluster, then its pools. Rows are built
    // only for the lines on screen.
    let mut lines: Vec<TableLine> = Vec::with_capacity(pools.len() + clusters.len());
    let mut selected_line = 0usize;
    for (i, pool) in pools.iter().enumerate() {
        if i == 0 || pools[i - 1].cluster != pool.cluster {
            lines.push(TableLine::Cluster(pool.cluster.as_str()));
        }
        if i == p.selected {
            selected_line = lines.len();
        }
        lines.push(TableLine::Pool(i));
    }
    let visible = table_area.height.saturating_sub(1) as usize;
    let offset = selected_line.saturating_sub(visible.saturating_sub(1));
    let rows: Vec<Row> = lines
        .iter()
        .skip(offset)
        .take(visible)
        .map(|line| match *line {
            TableLine::Cluster(cluster) => {
                let (m, t) = clusters.get(cluster).copied().unwrap_or((0, 0));
                let style = Style::default()
                    .fg(if m == t { theme.ok } else { theme.warn })
                    .add_modifier(Modifier::BOLD);
                Row::new([
                    format!("{cluster} (hosted cluster)"),
                    format!("{m}/{t}"),
                    String::new(),
                    String::new(),
                ])
                .style(style)
            }
            TableLine::Pool(i) => pool_row(pools[i], i == p.selected, theme),
        })
        .collect();
    let widths = [
        Constraint::Length(34),
        Constraint::Length(12),
        Constraint::Length(28),
        Constraint::Min(10),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(2),
        table_area,
    );
    if let Some(sel) = pools.get(p.selected) {
        let text = if sel.remedies.is_empty() {
            format!("{}: every VM can live-migrate; nothing to do.", sel.pool)
        } else {
            format!("{} remedy: {}", sel.pool, sel.remedies.join(" | "))
        };
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(Style::default().fg(theme.fg)),
            remedy_area,
        );
    }
}

/// The details of one pool: counts, reasons, remedies, then one block per non-migratable machine.
pub fn details(p: &PoolReadiness) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(format!("Node pool     {}", p.pool)),
        Line::from(format!("Cluster       {}", p.cluster)),
        Line::from(format!(
            "Migratable    {}{}",
            p.ratio(),
            if p.truncated {
                " (condition message truncated: some machines may be missing)"
            } else {
                ""
            }
        )),
        Line::from(format!("Reasons       {}", reasons(p))),
        Line::from(""),
    ];
    for r in &p.remedies {
        out.extend(wrap(r, 110, "        ", "Remedy: "));
    }
    for m in &p.machines {
        out.push(Line::from(""));
        out.push(Line::from(format!(
            "Machine {}{}",
            m.machine,
            if m.disputed {
                " (the NodePool condition and the VMI disagree)"
            } else {
                ""
            }
        )));
        out.extend(wrap(
            &format!("{}: {}", m.reason, m.message),
            110,
            "              ",
            "  reason      ",
        ));
        out.push(Line::from(format!(
            "  root PVC    {} [{}] class {} (RWX: {})",
            m.pvc,
            m.pvc_access_modes.join(","),
            m.storage_class.as_deref().unwrap_or("-"),
            match m.class_supports_rwx {
                Some(true) => "yes",
                Some(false) => "no",
                None => "no profile",
            }
        )));
    }
    out
}

/// Word-wrap `text` to `width` characters after `first`; continuation lines start with `indent`.
fn wrap(text: &str, width: usize, indent: &str, first: &str) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut cur = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && cur.chars().count() + 1 + word.chars().count() > width {
            out.push(Line::from(std::mem::replace(&mut cur, indent.to_string())));
            empty = true;
        }
        if !empty {
            cur.push(' ');
        }
        cur.push_str(word);
        empty = false;
    }
    if !empty {
        out.push(Line::from(cur));
    }
    out
}
