//! Rendering of the Maintenance pane: node line, verdict, drained guest nodes, action keys (or
//! why they are disabled), the VMI table, migrations leaving the node (the confirm dialog is the app's one confirm dialog).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::MaintenancePane;
use crate::fleet::util::TableRow;
use crate::gate::Verdict;
use crate::migration::guest_pdbs::{GuestPdbs, PdbVerdict};
use crate::migration::maintenance::MaintenanceRow;
use crate::migration::request::MigrationOutcome;
use crate::panes::RenderCtx;
use crate::theme::Theme;
use crate::watch::KindState;

fn key_hint(theme: &Theme, keys: &str, what: &str, v: &Verdict) -> Vec<Span<'static>> {
    let style = match v {
        Verdict::Allowed => Style::default().fg(theme.fg),
        _ => Style::default().fg(theme.muted),
    };
    vec![
        Span::styled(format!("<{keys}>"), style.add_modifier(Modifier::BOLD)),
        Span::styled(format!(" {what}  "), style),
    ]
}

fn perms_lines(p: &MaintenancePane, theme: &Theme) -> Vec<Line<'static>> {
    let mut spans = Vec::new();
    spans.extend(key_hint(theme, "c/u", "cordon/uncordon", &p.perms.cordon));
    spans.extend(key_hint(theme, "l", "migrate selected", &p.perms.migrate));
    spans.extend(key_hint(
        theme,
        "M",
        "migrate all migratable",
        &p.perms.migrate,
    ));
    let mut reasons: Vec<String> = Vec::new();
    for v in [&p.perms.cordon, &p.perms.migrate] {
        match v {
            Verdict::Denied(why) if !reasons.contains(why) => reasons.push(why.clone()),
            _ => {}
        }
    }
    if p.perms.cordon == Verdict::Ask || p.perms.migrate == Verdict::Ask {
        spans.push(Span::styled(
            "checking permissions…",
            Style::default().fg(theme.muted),
        ));
    }
    let mut out = vec![Line::from(spans)];
    out.extend(
        reasons
            .into_iter()
            .map(|r| Line::styled(format!("disabled: {r}"), Style::default().fg(theme.warn))),
    );
    out
}

/// One line per hosted cluster whose guest PDBs were checked (or could not be).
fn pdb_lines(p: &MaintenancePane, theme: &Theme) -> Vec<Line<'static>> {
    p.guest_pdbs()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let color = if !r.with(PdbVerdict::Blocks).is_empty() {
                theme.error
            } else if !r.with(PdbVerdict::MaySlow).is_empty()
                || !matches!(r.result, GuestPdbs::Checked(_))
            {
                theme.warn
            } else {
                theme.ok
            };
            Line::styled(
                format!("Guest PDBs of {}", r.line()),
                Style::default().fg(color),
            )
        })
        .collect()
}

/// Rows `lines` take when wrapped to `width` (roughly: by characters).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(w) as u16)
        .sum()
}

pub fn render(p: &MaintenancePane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let theme = ctx.theme;
    let (Some(node), Some(rep)) = (&p.node, &p.report) else {
        let msg = "No node chosen: select an infra node in the Nodes pane (:nodes) and press m.";
        frame.render_widget(
            Paragraph::new(msg).style(Style::default().fg(theme.muted)),
            area,
        );
        return;
    };
    let sched = match p.unschedulable {
        Some(true) => Span::styled("SchedulingDisabled", Style::default().fg(theme.warn)),
        Some(false) => Span::styled("Schedulable", Style::default().fg(theme.ok)),
        None => Span::styled("node not found", Style::default().fg(theme.error)),
    };
    let total = rep.vmis().count();
    let head = Line::from(vec![
        Span::styled(
            format!("Node {node}"),
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" · "),
        sched,
        Span::raw(format!(" · {total} VMI(s) of hosted clusters")),
    ]);
    let verdict_style = if rep.safe() {
        Style::default().fg(theme.ok)
    } else {
        Style::default().fg(theme.warn)
    };
    let verdict = Line::styled(format!("Verdict: {}", rep.verdict()), verdict_style);
    let drained = rep.drained_guest_nodes();
    let mut guest = vec![Line::styled(
        format!(
            "Guest nodes drained instead of migrated: {}{}",
            if drained.is_empty() {
                "none".to_string()
            } else {
                drained.join(", ")
            },
            match (drained.is_empty(), p.guest_pdbs()) {
                (false, None) => " · checking guest PDBs…",
                _ => "",
            }
        ),
        Style::default().fg(theme.fg),
    )];
    guest.extend(pdb_lines(p, theme));
    let mut mig_lines: Vec<Line> = Vec::new();
    for m in &p.migrations {
        let style = match m.outcome {
            MigrationOutcome::Succeeded => Style::default().fg(theme.ok),
            MigrationOutcome::Failed => Style::default().fg(theme.error),
            MigrationOutcome::InProgress => Style::default().fg(theme.fg),
        };
        mig_lines.push(Line::styled(format!("  {}", m.line()), style));
    }
    for (ok, text) in p.log.iter().rev().take(3) {
        let style = Style::default().fg(if *ok { theme.muted } else { theme.error });
        mig_lines.push(Line::styled(format!("  · {text}"), style));
    }
    let mig_h = if mig_lines.is_empty() {
        0
    } else {
        (mig_lines.len() as u16 + 1).min(area.height / 3)
    };
    let mut top_lines = vec![head, verdict];
    top_lines.extend(guest);
    top_lines.extend(perms_lines(p, theme));
    let top_h = wrapped_height(&top_lines, area.width).min(area.height / 2);
    let rows = p.rows();
    let table_h = (rows.len() as u16 + 1)
        .max(2)
        .min(area.height.saturating_sub(top_h + mig_h).max(2));
    // Table right under the header, migrations right under the table.
    let [top, table_area, mig_area, _] = Layout::vertical([
        Constraint::Length(top_h),
        Constraint::Length(table_h),
        Constraint::Length(mig_h),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(top_lines).wrap(Wrap { trim: true }), top);
    if rows.is_empty() {
        let msg = match ctx.state {
            KindState::NotInstalled => "KubeVirt is not installed on this cluster".to_string(),
            KindState::Loading => "loading VMIs…".to_string(),
            _ if !p.filter.is_empty() => format!("no VMI matches `{}`", p.filter),
            _ => format!("no hosted-cluster VMIs run on {node}"),
        };
        frame.render_widget(
            Paragraph::new(msg).style(Style::default().fg(theme.muted)),
            table_area,
        );
    } else {
        let cells: Vec<Vec<String>> = rows.iter().map(TableRow::cells).collect();
        let widths: Vec<Constraint> = (0..MaintenanceRow::HEADERS.len())
            .map(|i| {
                let w = cells
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .chain([MaintenanceRow::HEADERS[i].len()])
                    .max()
                    .unwrap_or(0);
                Constraint::Length(w as u16)
            })
            .collect();
        let visible = table_area.height.saturating_sub(1) as usize;
        let offset = p.selected.saturating_sub(visible.saturating_sub(1));
        let body: Vec<Row> = rows
            .iter()
            .zip(cells)
            .enumerate()
            .skip(offset)
            .map(|(i, (r, c))| {
                let mut style = Style::default().fg(match r.0.migratable {
                    Some(true) => theme.fg,
                    _ => theme.warn,
                });
                if i == p.selected {
                    style = style.bg(theme.selection).add_modifier(Modifier::BOLD);
                }
                Row::new(c).style(style)
            })
            .collect();
        let header = Row::new(MaintenanceRow::HEADERS.iter().copied()).style(
            Style::default()
                .fg(theme.header)
                .add_modifier(Modifier::BOLD),
        );
        frame.render_widget(
            Table::new(body, widths).header(header).column_spacing(2),
            table_area,
        );
    }
    if mig_h > 0 {
        let mut lines = vec![Line::styled(
            format!("Migrations from {node}:"),
            Style::default().fg(theme.header),
        )];
        lines.extend(mig_lines);
        frame.render_widget(Paragraph::new(lines), mig_area);
    }
}
