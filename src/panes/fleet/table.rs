//! A small table for the fleet panes: rows are re-derived from several stores on every change
//! (a node pool row depends on machines, VMs, disks...), so instead of `LiveTable` (one kind)
//! this keeps only the selection (by key), filter text and sort column.

use std::cmp::Ordering;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

use crate::action::Action;
use crate::theme::Theme;

/// A pane column: header, which cell of the row it shows, its sort key and a width cap.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    pub cell: usize,
    pub sort_key: char,
    pub max: u16,
    /// 0: always shown; otherwise dropped when the table is too wide, highest first.
    pub drop: u8,
}

/// One row: its key (namespace/name), cells and whether it is busy (scaling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub cells: Vec<String>,
    pub busy: bool,
    pub bad: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FleetTable {
    /// Shared with the pane's per-object caches: an unchanged row is neither copied nor
    /// compared cell by cell.
    items: Vec<std::sync::Arc<Item>>,
    /// The widest text of each cell index over all items (which optional columns fit), kept
    /// with the items: measuring 1,000 rows' cells per column per frame was most of a frame.
    cell_widths: Vec<usize>,
    /// Indices into `items`, filtered and sorted.
    order: Vec<usize>,
    selected: usize,
    filter: String,
    sort: Option<(usize, bool)>,
}

fn cmp_cells(a: &str, b: &str) -> Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

impl FleetTable {
    /// Replace the rows, keeping the selected key. Returns whether anything changed.
    pub fn set_items(&mut self, items: Vec<std::sync::Arc<Item>>, cols: &[Col]) -> bool {
        if items == self.items {
            return false;
        }
        let key = self.selected_key();
        self.items = items;
        self.cell_widths.clear();
        for e in &self.items {
            for (i, c) in e.cells.iter().enumerate() {
                if self.cell_widths.len() <= i {
                    self.cell_widths.resize(i + 1, 0);
                }
                self.cell_widths[i] = self.cell_widths[i].max(c.chars().count());
            }
        }
        self.rebuild(cols, key);
        true
    }

    fn rebuild(&mut self, cols: &[Col], keep: Option<String>) {
        let f = self.filter.to_lowercase();
        let mut order: Vec<usize> = (0..self.items.len())
            .filter(|i| {
                f.is_empty()
                    || self.items[*i]
                        .cells
                        .iter()
                        .any(|c| c.to_lowercase().contains(&f))
            })
            .collect();
        if let Some((col, desc)) = self.sort
            && let Some(c) = cols.get(col)
        {
            let cell = |i: usize| self.items[i].cells.get(c.cell).map_or("", String::as_str);
            order.sort_by(|a, b| {
                let o = cmp_cells(cell(*a), cell(*b));
                if desc { o.reverse() } else { o }
            });
        }
        self.order = order;
        self.selected = keep
            .and_then(|k| self.order.iter().position(|i| self.items[*i].key == k))
            .unwrap_or(self.selected)
            .min(self.order.len().saturating_sub(1));
    }

    pub fn set_filter(&mut self, text: &str, cols: &[Col]) {
        self.filter = text.to_string();
        let key = self.selected_key();
        self.rebuild(cols, key);
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn selected_key(&self) -> Option<String> {
        self.order
            .get(self.selected)
            .and_then(|i| self.items.get(*i))
            .map(|e| e.key.clone())
    }

    /// Select the row of `key` if it is shown; whether it was.
    pub fn select_key(&mut self, key: &str) -> bool {
        let items = &self.items;
        match self
            .order
            .iter()
            .position(|i| items.get(*i).is_some_and(|e| e.key == key))
        {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }

    /// Navigation and sorting; `rows` is the area of the table body.
    pub fn handle(&mut self, action: &Action, rows: Rect, cols: &[Col]) -> bool {
        let n = self.order.len() as i64;
        let page = i64::from(rows.height.max(2) - 1);
        let sel = self.selected as i64;
        let to = match action {
            Action::Move(d) => sel + i64::from(*d),
            Action::PageUp => sel - page,
            Action::PageDown => sel + page,
            Action::Top => 0,
            Action::Bottom => n - 1,
            Action::ClickRow(y) if *y >= rows.y && *y < rows.y + rows.height => {
                i64::from(*y - rows.y) + self.offset(usize::from(rows.height)) as i64
            }
            Action::SortBy(k) => {
                let Some(col) = cols.iter().position(|c| c.sort_key == *k) else {
                    return false;
                };
                self.sort = Some(match self.sort {
                    Some((c, d)) if c == col => (col, !d),
                    _ => (col, false),
                });
                let key = self.selected_key();
                self.rebuild(cols, key);
                return true;
            }
            Action::SortNext => {
                let next = self.sort.map_or(0, |(c, _)| (c + 1) % cols.len().max(1));
                self.sort = Some((next, false));
                let key = self.selected_key();
                self.rebuild(cols, key);
                return true;
            }
            _ => return false,
        };
        self.selected = to.clamp(0, (n - 1).max(0)) as usize;
        true
    }

    /// First visible row index for a body of `height` rows.
    pub fn offset(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        self.selected.saturating_sub(height - 1)
    }

    /// Draw header and rows in `area`, dropping optional columns that do not fit.
    pub fn render(&self, frame: &mut Frame, area: Rect, all: &[Col], theme: &Theme) {
        let natural = |c: &Col| {
            self.cell_widths
                .get(c.cell)
                .copied()
                .unwrap_or(0)
                .max(c.header.chars().count() + 1)
                .min(usize::from(c.max))
        };
        let mut keep: Vec<&Col> = all.iter().collect();
        loop {
            let total: usize = keep.iter().map(|c| natural(c) + 2).sum();
            if total <= usize::from(area.width) + 2 {
                break;
            }
            let Some(i) = (0..keep.len())
                .filter(|i| keep[*i].drop > 0)
                .max_by_key(|i| keep[*i].drop)
            else {
                break;
            };
            keep.remove(i);
        }
        let cols: Vec<Col> = keep.into_iter().copied().collect();
        let cols = cols.as_slice();
        let sort_header = self.sort.and_then(|(s, _)| all.get(s)).map(|c| c.header);
        let height = usize::from(area.height.saturating_sub(1));
        let offset = self.offset(height);
        let shown: Vec<(usize, &Item)> = self
            .order
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .filter_map(|(pos, i)| self.items.get(*i).map(|e| (pos, e.as_ref())))
            .collect();
        let headers: Vec<String> = cols
            .iter()
            .map(|c| match self.sort {
                Some((_, d)) if sort_header == Some(c.header) => {
                    format!("{}{}", c.header, if d { "↓" } else { "↑" })
                }
                _ => c.header.to_string(),
            })
            .collect();
        let widths: Vec<Constraint> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = shown
                    .iter()
                    .map(|(_, e)| e.cells.get(c.cell).map_or(0, |s| s.chars().count()))
                    .chain([headers[i].chars().count()])
                    .max()
                    .unwrap_or(0);
                let w = u16::try_from(w).unwrap_or(u16::MAX).min(c.max);
                if i + 1 == cols.len() {
                    Constraint::Fill(1)
                } else {
                    Constraint::Length(w)
                }
            })
            .collect();
        let rows: Vec<Row> = shown
            .iter()
            .map(|(pos, e)| {
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| e.cells.get(c.cell).cloned().unwrap_or_default())
                    .collect();
                let mut style = if e.bad {
                    theme.fg(theme.error)
                } else if e.busy {
                    theme.fg(theme.warn)
                } else {
                    theme.fg(theme.fg)
                };
                if *pos == self.selected {
                    style = style.patch(theme.selection_style());
                }
                Row::new(cells).style(style)
            })
            .collect();
        let table = Table::new(rows, widths)
            .header(Row::new(headers).style(theme.header_style()))
            .column_spacing(2);
        frame.render_widget(table, area);
        if self.order.is_empty() && area.height > 1 {
            let r = Rect::new(area.x, area.y + 1, area.width, 1);
            let msg = if self.filter.is_empty() {
                "None.".to_string()
            } else {
                format!("Nothing matches `{}`.", self.filter)
            };
            frame.render_widget(
                Paragraph::new(Line::from(msg))
                    .style(Style::default().patch(theme.fg(theme.muted))),
                r,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Col] = &[
        Col {
            header: "NAME",
            cell: 0,
            sort_key: 'N',
            max: 20,
            drop: 0,
        },
        Col {
            header: "DESIRED",
            cell: 1,
            sort_key: 'D',
            max: 7,
            drop: 0,
        },
    ];

    fn item(name: &str, n: &str) -> std::sync::Arc<Item> {
        std::sync::Arc::new(Item {
            key: format!("ns/{name}"),
            cells: vec![name.into(), n.into()],
            busy: false,
            bad: false,
        })
    }

    #[test]
    fn keeps_the_selected_key_across_updates_filters_and_numeric_sorts() {
        let mut t = FleetTable::default();
        assert!(t.set_items(vec![item("a", "10"), item("b", "9"), item("c", "2")], COLS));
        let rows = Rect::new(0, 0, 10, 10);
        t.handle(&Action::Move(1), rows, COLS);
        assert_eq!(t.selected_key().as_deref(), Some("ns/b"));
        // Sorted by DESIRED numerically (2, 9, 10), the selection follows b.
        t.handle(&Action::SortBy('D'), rows, COLS);
        assert_eq!(t.selected_key().as_deref(), Some("ns/b"));
        t.handle(&Action::Top, rows, COLS);
        assert_eq!(t.selected_key().as_deref(), Some("ns/c"));
        // An unchanged update is not a change; a new row before keeps the selection.
        assert!(!t.set_items(vec![item("a", "10"), item("b", "9"), item("c", "2")], COLS));
        assert!(t.set_items(
            vec![
                item("0", "1"),
                item("a", "10"),
                item("b", "9"),
                item("c", "2")
            ],
            COLS
        ));
        assert_eq!(t.selected_key().as_deref(), Some("ns/c"));
        t.set_filter("A", COLS);
        assert_eq!(t.len(), 1);
        assert_eq!(t.selected_key().as_deref(), Some("ns/a"));
        t.set_filter("zzz", COLS);
        assert!(t.is_empty());
        assert_eq!(t.selected_key(), None);
    }
}
