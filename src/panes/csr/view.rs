//! Rendering of the CSR pane table: a summary line saying which CSRs are shown, the rows of the
//! viewport only, ages and countdowns from the render clock (warning colour in the last 15
//! minutes), and the table navigation.

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::CsrPane;
use super::model::COLUMNS;
use crate::action::Action;
use crate::csr::rows::{CsrRow, HistoryFilter, format_age};
use crate::csr::state::{Countdown, CsrState};
use crate::panes::RenderCtx;
use crate::theme::Theme;
use crate::watch::KindState;

/// Rows above the table body: summary line and column headers.
const CHROME: u16 = 2;
const COLUMN_SPACING: u16 = 2;

fn body_height(area: Rect) -> usize {
    area.height.saturating_sub(CHROME) as usize
}

/// Navigation, sorting and clicks.
pub fn handle(pane: &mut CsrPane, action: &Action, area: Rect) -> bool {
    if pane.joining {
        return false;
    }
    let m = &mut pane.model;
    let page = body_height(area).max(1) as i64;
    match action {
        Action::Move(d) => m.move_by(i64::from(*d)),
        Action::PageUp => m.move_by(-page),
        Action::PageDown => m.move_by(page),
        Action::Top => m.select(0),
        Action::Bottom => m.select(usize::MAX),
        Action::SortBy(c) => {
            let Some(i) = COLUMNS.iter().position(|(_, k)| k == c) else {
                return false;
            };
            m.sort = match m.sort {
                Some((col, desc)) if col == i => Some((i, !desc)),
                _ => Some((i, false)),
            };
            m.rebuild_rows();
        }
        Action::SortNext => {
            m.sort = match m.sort {
                None => Some((0, false)),
                Some((c, _)) if c + 1 >= COLUMNS.len() => None,
                Some((c, _)) => Some((c + 1, false)),
            };
            m.rebuild_rows();
        }
        Action::ClickRow(y) => {
            let top = area.y + CHROME;
            if *y < top || *y >= area.y + area.height {
                return false;
            }
            let offset = m.offset(body_height(area));
            m.select(offset + usize::from(*y - top));
        }
        _ => return false,
    }
    true
}

/// The cells of a row with AGE and DEADLINE as of `now`.
const REQUESTOR: usize = 3;
const MIN_REQUESTOR: usize = 9;

/// A requestor shortened to `width` characters: `system:serviceaccount:` becomes `sa:`, then the
/// middle gives way to `…` so the last segment (the account or node name) stays whole.
pub fn fit_requestor(requestor: &str, width: usize) -> String {
    let len = |s: &str| s.chars().count();
    if len(requestor) <= width {
        return requestor.to_string();
    }
    let short = requestor
        .strip_prefix("system:serviceaccount:")
        .map_or_else(|| requestor.to_string(), |rest| format!("sa:{rest}"));
    if len(&short) <= width {
        return short;
    }
    let tail: String = short
        .rfind(':')
        .map_or_else(String::new, |i| short[i..].to_string());
    let keep_head = |n: usize| short.chars().take(n).collect::<String>();
    if !tail.is_empty() && len(&tail) + 2 <= width {
        return format!("{}…{tail}", keep_head(width - len(&tail) - 1));
    }
    format!("{}…", keep_head(width.saturating_sub(1)))
}

pub fn cells_at(row: &CsrRow, now: Timestamp) -> (Vec<String>, Option<Countdown>) {
    let mut cells = row.cells();
    let countdown = match (row.state, row.created) {
        (CsrState::Pending, Some(c)) => Some(Countdown::new(c, now)),
        _ => None,
    };
    if let Some(age) = cells.get_mut(1) {
        *age = format_age(row.created, now);
    }
    if let Some(d) = cells.get_mut(7) {
        *d = countdown.map(|c| c.label()).unwrap_or_default();
    }
    (cells, countdown)
}

fn cell_style(theme: &Theme, row: &CsrRow, col: usize, countdown: Option<Countdown>) -> Style {
    match col {
        5 => Style::default().fg(match row.state {
            CsrState::Pending => theme.warn,
            CsrState::Approved => theme.ok,
            CsrState::Denied | CsrState::Failed => theme.error,
        }),
        6 => Style::default().fg(if row.valid { theme.ok } else { theme.error }),
        7 if countdown.is_some_and(|c| c.is_warning()) => Style::default().fg(theme.warn),
        _ => Style::default(),
    }
}

pub fn render(pane: &CsrPane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let theme = ctx.theme;
    let m = &pane.model;
    let now = ctx.now;
    let [summary_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(summary_line(pane, ctx)), summary_area);

    if m.is_empty() {
        let msg = match ctx.state {
            KindState::Loading => "Loading certificate signing requests…".to_string(),
            KindState::Forbidden(e) => format!("You may not list CSRs: {e}"),
            KindState::NotInstalled => "This cluster does not serve CSRs.".into(),
            KindState::Reconnecting { .. } => "Waiting for the API server…".into(),
            KindState::Live if !m.filter.is_empty() => {
                format!("No CSRs match `{}`.", m.filter.text())
            }
            KindState::Live if m.history == HistoryFilter::PendingOnly => {
                "No pending CSRs (h shows all).".into()
            }
            KindState::Live => "No CSRs.".into(),
        };
        let [_, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(table_area);
        frame.render_widget(Paragraph::new(msg).style(theme.fg(theme.muted)), body);
    }

    let height = body_height(area);
    let offset = m.offset(height);
    let visible: Vec<(usize, &CsrRow)> = (offset..offset + height)
        .filter_map(|i| m.row(i).map(|r| (i, r)))
        .collect();
    let cells: Vec<(Vec<String>, Option<Countdown>)> =
        visible.iter().map(|(_, r)| cells_at(r, now)).collect();
    let header_cells: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (h, _))| match m.sort {
            Some((c, desc)) if c == i => format!("{h}{}", if desc { "↓" } else { "↑" }),
            _ => (*h).to_string(),
        })
        .collect();
    let mut cells = cells;
    let natural: Vec<usize> = (0..COLUMNS.len())
        .map(|c| {
            cells
                .iter()
                .map(|(r, _)| r.get(c).map_or(0, |s| s.chars().count()))
                .chain([header_cells[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // REQUESTOR is long (service accounts): it gives way first, shortened so that the account's
    // own name (`node-bootstrapper`, the node) stays readable.
    let fixed: usize = natural
        .iter()
        .enumerate()
        .filter(|(c, _)| *c != REQUESTOR)
        .map(|(_, w)| w + usize::from(COLUMN_SPACING))
        .sum();
    let room = usize::from(table_area.width)
        .saturating_sub(fixed)
        .max(MIN_REQUESTOR);
    let requestor_width = natural[REQUESTOR].min(room);
    for (row, _) in &mut cells {
        if let Some(r) = row.get_mut(REQUESTOR) {
            *r = fit_requestor(r, requestor_width);
        }
    }
    let widths: Vec<Constraint> = natural
        .iter()
        .enumerate()
        .map(|(c, w)| {
            let w = if c == REQUESTOR { requestor_width } else { *w };
            Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX))
        })
        .collect();
    let rows: Vec<Row> = visible
        .iter()
        .zip(cells)
        .map(|((i, r), (cells, countdown))| {
            let spans = cells
                .into_iter()
                .enumerate()
                .map(|(c, t)| Span::styled(t, cell_style(theme, r, c, countdown)));
            let mut style = Style::default().fg(theme.fg);
            if *i == m.selected {
                style = style.patch(theme.selection_style());
            }
            Row::new(spans).style(style)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header_cells).style(theme.header_style()))
        .column_spacing(COLUMN_SPACING);
    frame.render_widget(table, table_area);
}

fn summary_line<'a>(pane: &CsrPane, ctx: &RenderCtx) -> Line<'a> {
    let theme = ctx.theme;
    let m = &pane.model;
    let sep = || Span::styled("  │  ", theme.fg(theme.border));
    let pending = m.pending_count();
    let mut spans = vec![
        Span::styled(
            match m.history {
                HistoryFilter::PendingOnly => "CSRs — pending only".to_string(),
                HistoryFilter::All => "CSRs — all".to_string(),
            },
            theme.title_style(),
        ),
        Span::raw("  "),
        Span::styled(
            format!("{pending} pending of {}", m.total()),
            Style::default().fg(if pending > 0 { theme.warn } else { theme.ok }),
        ),
    ];
    if m.auto {
        spans.push(sep());
        spans.push(Span::styled("auto-approve ON", theme.fg(theme.warn)));
    }
    if !m.filter.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(
            format!("/{}  ({} shown)", m.filter.text(), m.len()),
            theme.fg(theme.title),
        ));
    }
    spans.push(sep());
    spans.push(Span::styled(
        format!(
            "a approve · d deny · A approve all · h {} · J joining",
            match m.history {
                HistoryFilter::PendingOnly => "all",
                HistoryFilter::All => "pending only",
            }
        ),
        theme.fg(theme.muted),
    ));
    Line::from(spans)
}
