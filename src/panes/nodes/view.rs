//! Rendering of the Nodes pane: summary line, table of the visible rows only, sort indicator,
//! flashes; and the navigation shared with the table layout (click mapping, paging).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::NodesView;
use super::model::{COLUMNS, Readiness};
use crate::panes::RenderCtx;
use crate::panes::table::Flash;
use crate::watch::KindState;

/// Rows above the table body: summary line and column headers.
const CHROME: u16 = 2;
const COLUMN_SPACING: u16 = 2;
/// Columns given up first when the table is too wide: ROLES, OS, NAME, VERSION.
const SHRINK_FIRST: [usize; 4] = [2, 6, 0, 4];

/// Shrink column widths to fit `avail`: the widest of ROLES, OS, NAME and VERSION first, down to
/// their minimum widths, then any column. STATUS and AGE keep their text as long as possible.
pub fn fit_widths(widths: &mut [u16], avail: u16) {
    let mins: Vec<u16> = COLUMNS.iter().map(|c| c.min_width).collect();
    let mut total: u32 = widths.iter().map(|w| u32::from(*w)).sum();
    while total > u32::from(avail) {
        let pick = |cands: &mut dyn Iterator<Item = usize>| {
            cands
                .filter(|i| widths[*i] > mins.get(*i).copied().unwrap_or(0))
                .max_by_key(|i| widths[*i] - mins.get(*i).copied().unwrap_or(0))
        };
        let i = pick(&mut SHRINK_FIRST.into_iter()).or_else(|| {
            (0..widths.len())
                .filter(|i| widths[*i] > 1)
                .max_by_key(|i| widths[*i])
        });
        let Some(i) = i else {
            return;
        };
        widths[i] -= 1;
        total -= 1;
    }
}

/// Where the table's rows are drawn inside the pane's `area` (below summary and headers).
pub fn rows_area(area: Rect) -> Rect {
    let top = area.height.min(CHROME);
    Rect::new(area.x, area.y + top, area.width, area.height - top)
}

pub fn render(view: &NodesView, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let theme = ctx.theme;
    let [summary_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(summary_line(view, ctx)), summary_area);

    let table = &view.table;
    if table.is_empty() {
        let msg = match ctx.state {
            KindState::Loading => "Loading nodes…".to_string(),
            KindState::Forbidden(e) => format!("You may not list nodes: {e}"),
            KindState::NotInstalled => "This cluster does not serve nodes.".into(),
            KindState::Reconnecting { .. } => "Waiting for the API server…".into(),
            KindState::Live if !table.filter().is_empty() => {
                format!("No nodes match `{}`.", table.filter().text())
            }
            KindState::Live => "No nodes.".into(),
        };
        let [_, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(table_area);
        frame.render_widget(Paragraph::new(msg).style(theme.fg(theme.muted)), body);
    }

    let height = usize::from(rows_area(area).height);
    let offset = table.offset(height);
    let sort = table.sort();
    let visible: Vec<_> = (offset..offset + height)
        .filter_map(|i| table.visible(i).map(|e| (i, e)))
        .collect();
    let cells: Vec<Vec<String>> = visible
        .iter()
        .map(|(_, e)| (0..COLUMNS.len()).map(|c| e.row.cell(c, ctx.now)).collect())
        .collect();

    let header_cells: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == sort.col {
                format!("{}{}", c.header, if sort.descending { "↓" } else { "↑" })
            } else {
                c.header.to_string()
            }
        })
        .collect();
    let mut widths: Vec<u16> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let w = cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([header_cells[c].chars().count(), usize::from(col.min_width)])
                .max()
                .unwrap_or(0);
            u16::try_from(w).unwrap_or(u16::MAX)
        })
        .collect();
    let spacing = COLUMN_SPACING * (COLUMNS.len() as u16 - 1);
    fit_widths(&mut widths, table_area.width.saturating_sub(spacing));
    let widths: Vec<Constraint> = widths.into_iter().map(Constraint::Length).collect();

    let rows: Vec<Row> = visible
        .iter()
        .zip(cells)
        .map(|((i, e), cells)| {
            let status_color = match (e.row.readiness, e.row.unschedulable) {
                (Readiness::Ready, false) => theme.ok,
                (Readiness::Ready, true) => theme.warn,
                (Readiness::NotReady, _) => theme.error,
                (Readiness::Unknown, _) => theme.warn,
            };
            let row_cells = cells.into_iter().enumerate().map(|(c, text)| {
                if c == 1 {
                    Span::styled(text, Style::default().fg(status_color))
                } else if c == 8 && e.row.taints > 0 {
                    Span::styled(text, Style::default().fg(theme.warn))
                } else {
                    Span::raw(text)
                }
            });
            let mut style = Style::default().fg(theme.fg);
            if let Some((flash, _)) = e.flash {
                style = style.bg(match flash {
                    Flash::Added => theme.flash_added,
                    Flash::Changed => theme.flash_changed,
                    Flash::Deleted => theme.flash_deleted,
                });
            }
            if e.deleted_at.is_some() {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            if *i == table.selected() {
                style = style.patch(theme.selection_style());
            }
            Row::new(row_cells).style(style)
        })
        .collect();

    let header = Row::new(header_cells).style(theme.header_style());
    let widget = Table::new(rows, widths)
        .header(header)
        .column_spacing(COLUMN_SPACING);
    frame.render_widget(widget, table_area);
}

fn summary_line<'a>(view: &NodesView, ctx: &RenderCtx) -> Line<'a> {
    let theme = ctx.theme;
    let s = &view.summary;
    let sep = || Span::styled("  │  ", theme.fg(theme.border));
    let mut spans = vec![Span::styled(
        format!("Nodes {}", s.total),
        theme.title_style(),
    )];
    // The filter first: on a narrow screen it is what must stay visible.
    let filter = view.table.filter();
    if !filter.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(
            format!("/{} ({} shown)", filter.text(), view.table.len()),
            theme.fg(theme.title),
        ));
    }
    spans.push(sep());
    let ready_color = if s.ready == s.total {
        theme.ok
    } else {
        theme.warn
    };
    spans.push(Span::styled(
        s.readiness_text(),
        Style::default().fg(ready_color),
    ));
    if !s.platforms.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(s.platforms_text(), theme.fg(theme.fg)));
    }
    Line::from(spans)
}
