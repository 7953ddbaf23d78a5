//! Rendering of the Overview: a title line, then the rows, scrolled so the selection shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::OverviewPane;
use super::rows::{Item, Tone};
use crate::panes::RenderCtx;
use crate::theme::Theme;
use crate::watch::KindState;

/// Lines above the rows.
const CHROME: u16 = 1;

fn rows_area(area: Rect) -> Rect {
    let top = area.height.min(CHROME);
    Rect::new(area.x, area.y + top, area.width, area.height - top)
}

/// First visible row (index into the visible list) so that the selection is on screen.
fn offset(pane: &OverviewPane, height: usize) -> usize {
    let vis = pane.visible();
    let pos = pane
        .selected
        .and_then(|s| vis.iter().position(|(i, _)| *i == s))
        .unwrap_or(0);
    if height == 0 {
        return 0;
    }
    pos.saturating_sub(height - 1)
        .min(vis.len().saturating_sub(height))
}

/// Index into the pane's rows of the row drawn at screen row `y`.
pub fn row_at(pane: &OverviewPane, area: Rect, y: u16) -> Option<usize> {
    let r = rows_area(area);
    if y < r.y || y >= r.y + r.height {
        return None;
    }
    let off = offset(pane, r.height as usize);
    pane.visible()
        .get(off + usize::from(y - r.y))
        .map(|(i, _)| *i)
}

fn tone_style(t: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Heading => t.title_style(),
        Tone::Normal => t.fg(t.fg),
        Tone::Muted => t.fg(t.muted),
        Tone::Ok => t.fg(t.ok),
        Tone::Warn => t.fg(t.warn),
        Tone::Bad => t.fg(t.error).add_modifier(Modifier::BOLD),
    }
}

pub fn render(pane: &OverviewPane, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
    let t = ctx.theme;
    let hint = match pane.selected_item() {
        Some(Item::Link(cmd)) => format!("enter: open :{cmd}"),
        Some(Item::Copy(c)) => format!("c/y: copy {}", c.label),
        None => String::new(),
    };
    let mut title = vec![Span::styled(" Overview ", t.title_style())];
    if !pane.filter.is_empty() {
        title.push(Span::styled(format!(" /{} ", pane.filter), t.fg(t.warn)));
    }
    title.push(Span::styled(format!("  {hint}"), t.fg(t.muted)));
    let head = Rect::new(area.x, area.y, area.width, area.height.min(CHROME));
    frame.render_widget(Paragraph::new(Line::from(title)), head);
    let body = rows_area(area);
    if pane.model.is_none() {
        let msg = match ctx.state {
            KindState::Reconnecting { error, .. } => format!("  cannot read the cluster: {error}"),
            _ => "  reading the cluster…".to_string(),
        };
        frame.render_widget(Paragraph::new(msg).style(t.fg(t.muted)), body);
        return;
    }
    let height = body.height as usize;
    let off = offset(pane, height);
    let lines: Vec<Line> = pane
        .visible()
        .into_iter()
        .skip(off)
        .take(height)
        .map(|(i, r)| {
            let mut style = tone_style(t, r.tone);
            let marker = if pane.selected == Some(i) {
                style = t.selection_style();
                "▶"
            } else if r.selectable() {
                "·"
            } else {
                " "
            };
            Line::from(vec![
                Span::styled(marker, t.fg(t.title)),
                Span::styled(r.text.clone(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).style(t.base()), body);
}
