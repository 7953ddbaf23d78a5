//! A table pane drawn from plain text cells: a summary line, then the visible rows of a
//! [`LiveTable`] with the sort indicator, flashes, struck-through deleted rows, per-cell colours and
//! a state message when empty. Used by the panes whose rows come from the `fleet` view models.

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::RenderCtx;
use super::table::{Flash, LiveTable, RowModel};
use crate::theme::Theme;
use crate::watch::KindState;

/// Rows above the table body: summary line and column headers.
const CHROME: u16 = 2;
const COLUMN_SPACING: u16 = 2;

/// A row that renders as text cells.
pub trait CellRow: RowModel {
    fn cells(&self, now: Timestamp) -> Vec<String>;
    /// A colour for cell `col`, if it has one.
    fn color(&self, _col: usize, _theme: &Theme) -> Option<Color> {
        None
    }
}

/// Where the table's rows are drawn inside the pane's `area`.
pub fn rows_area(area: Rect) -> Rect {
    let top = area.height.min(CHROME);
    Rect::new(area.x, area.y + top, area.width, area.height - top)
}

/// The message shown instead of rows, for a kind called `what` (plural).
pub fn empty_message(state: &KindState, what: &str, filter: &str) -> String {
    match state {
        KindState::Loading => format!("Loading {what}…"),
        KindState::Forbidden(e) => format!("You may not list {what}: {e}"),
        KindState::NotInstalled => {
            let mut w = what.to_string();
            if let Some(first) = w.get(..1).map(str::to_uppercase) {
                w.replace_range(..1, &first);
            }
            format!("{w} are not installed on this cluster (no such API).")
        }
        KindState::Reconnecting { .. } => "Waiting for the API server…".into(),
        KindState::Live if !filter.is_empty() => format!("No {what} match `{filter}`."),
        KindState::Live => format!("No {what}."),
    }
}

/// Shrink the widest columns (never below 4) until they fit `avail`.
fn fit(widths: &mut [u16], avail: u16) {
    let mut total: u32 = widths.iter().map(|w| u32::from(*w)).sum();
    while total > u32::from(avail) {
        let Some(i) = (0..widths.len())
            .filter(|i| widths[*i] > 4)
            .max_by_key(|i| widths[*i])
        else {
            return;
        };
        widths[i] -= 1;
        total -= 1;
    }
}

/// Draw `summary`, then the table (or `what`'s empty message).
pub fn render<R: CellRow>(
    table: &LiveTable<R>,
    headers: &[&str],
    summary: Line<'static>,
    what: &str,
    frame: &mut Frame,
    area: Rect,
    ctx: &RenderCtx,
) {
    let theme = ctx.theme;
    let [summary_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(summary), summary_area);
    if table.is_empty() {
        let msg = empty_message(ctx.state, what, table.filter().text());
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
    let cells: Vec<Vec<String>> = visible.iter().map(|(_, e)| e.row.cells(ctx.now)).collect();
    let header_cells: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == sort.col {
                format!("{h}{}", if sort.descending { "↓" } else { "↑" })
            } else {
                (*h).to_string()
            }
        })
        .collect();
    let mut widths: Vec<u16> = (0..headers.len())
        .map(|c| {
            let w = cells
                .iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .chain([header_cells[c].chars().count()])
                .max()
                .unwrap_or(0);
            u16::try_from(w).unwrap_or(u16::MAX)
        })
        .collect();
    let spacing = COLUMN_SPACING * (headers.len().max(1) as u16 - 1);
    fit(&mut widths, table_area.width.saturating_sub(spacing));
    let widths: Vec<Constraint> = widths.into_iter().map(Constraint::Length).collect();
    let rows: Vec<Row> = visible
        .iter()
        .zip(cells)
        .map(|((i, e), cells)| {
            let row_cells =
                cells
                    .into_iter()
                    .enumerate()
                    .map(|(c, text)| match e.row.color(c, theme) {
                        Some(color) => Span::styled(text, Style::default().fg(color)),
                        None => Span::raw(text),
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

/// `Title N  │  /filter (M shown)` and then `extra` spans.
pub fn summary<R: RowModel>(
    title: &str,
    table: &LiveTable<R>,
    extra: Vec<Span<'static>>,
    theme: &Theme,
) -> Line<'static> {
    let sep = || Span::styled("  │  ", theme.fg(theme.border));
    let total = table.live_rows().count();
    let mut spans = vec![Span::styled(
        format!("{title} {total}"),
        theme.title_style(),
    )];
    let filter = table.filter();
    if !filter.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(
            format!("/{} ({} shown)", filter.text(), table.len()),
            theme.fg(theme.title),
        ));
    }
    for s in extra {
        spans.push(sep());
        spans.push(s);
    }
    Line::from(spans)
}
