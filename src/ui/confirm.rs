//! Draws the one confirm dialog ([`crate::app::confirm::ConfirmDialog`]): a title, body lines
//! with tones, and the text field when the write asks for one. The dialog never grows past the
//! screen: the prompt, the confirm line and the field stay at the bottom, and a body taller than
//! the room left scrolls with ↑/↓ and PgUp/PgDn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::actions::Tone;
use crate::app::confirm::ConfirmDialog;
use crate::text::wrap::wrap_words;
use crate::theme::Theme;

pub fn render(d: &ConfirmDialog, theme: &Theme, frame: &mut Frame, area: Rect) {
    let tone = |t: Tone| match t {
        Tone::Plain => theme.fg(theme.fg),
        Tone::Good => theme.fg(theme.ok),
        Tone::Bad => theme.fg(theme.error),
        Tone::Muted => theme.fg(theme.muted),
    };
    let width = area.width.saturating_sub(4).clamp(20, 96);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    // Wrapped here, so the heights below are exact.
    let wrapped = |text: &str, style: Style| -> Vec<Line<'static>> {
        wrap_words(text, inner_w)
            .into_iter()
            .map(|l| Line::styled(l, style))
            .collect()
    };
    let body: Vec<Line> = d
        .req
        .lines
        .iter()
        .flat_map(|l| wrapped(&l.text, tone(l.tone)))
        .collect();
    // What must stay visible: the prompt, the last refusal and the confirm line.
    let mut fixed: Vec<Line> = Vec::new();
    if let Some(p) = &d.req.prompt {
        fixed.push(Line::raw(""));
        fixed.extend(wrapped(p, theme.fg(theme.warn)));
    }
    if let Some(e) = &d.error {
        fixed.extend(wrapped(e, theme.fg(theme.error)));
    }
    let field_h: u16 = if d.has_prompt() { 3 } else { 0 };
    let rows = |lines: &[Line]| -> u16 { u16::try_from(lines.len()).unwrap_or(u16::MAX) };
    let (body_h, fixed_h) = (rows(&body), rows(&fixed) + 1);
    let height = body_h
        .saturating_add(fixed_h + field_h + 2)
        .min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.fg(theme.warn))
        .title(Span::styled(
            format!(" {} ", d.req.title),
            theme.title_style(),
        ))
        .style(theme.base());
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [body_area, fixed_area, field] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(fixed_h),
        Constraint::Length(field_h),
    ])
    .areas(inner);
    let max_scroll = body_h.saturating_sub(body_area.height);
    // The confirm line: with a scroll position when the body does not fit.
    let scroll = d.scroll.get().min(max_scroll);
    d.scroll.set(scroll);
    d.page.set(body_area.height.saturating_sub(1).max(1));
    frame.render_widget(
        Paragraph::new(body).scroll((scroll, 0)).style(theme.base()),
        body_area,
    );
    // Without a field, y/n answer too (a typed prompt takes every letter).
    let mut hint = if d.has_prompt() {
        vec![
            Span::styled("enter", theme.header_style()),
            Span::styled(" confirm   ", theme.fg(theme.muted)),
            Span::styled("esc", theme.header_style()),
            Span::styled(" cancel", theme.fg(theme.muted)),
        ]
    } else {
        vec![
            Span::styled("y/Enter", theme.header_style()),
            Span::styled(": confirm   ", theme.fg(theme.muted)),
            Span::styled("n/Esc", theme.header_style()),
            Span::styled(": cancel", theme.fg(theme.muted)),
        ]
    };
    if max_scroll > 0 {
        let last = (scroll + body_area.height).min(body_h);
        let (keys, pos) = if inner_w >= 70 {
            (
                "   ↑/↓ PgUp/PgDn",
                format!(" scroll: lines {}–{last} of {body_h}", scroll + 1),
            )
        } else {
            ("  ↑/↓", format!(" {}–{last}/{body_h}", scroll + 1))
        };
        hint.push(Span::styled(keys, theme.header_style()));
        hint.push(Span::styled(pos, theme.fg(theme.muted)));
    }
    fixed.push(Line::from(hint));
    frame.render_widget(Paragraph::new(fixed).style(theme.base()), fixed_area);
    if d.has_prompt() {
        let mut text = d.text.clone();
        text.set_block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border_style()),
        );
        text.set_style(theme.fg(theme.fg));
        frame.render_widget(&text, field);
    }
}
