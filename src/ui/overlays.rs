//! Popups over the body: help (generated from the keymap), command palette, context picker.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Areas, confirm};
use crate::app::commands;
use crate::app::{App, Overlay};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

fn popup<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border_style())
        .title(Span::styled(format!(" {title} "), app.theme.title_style()))
        .style(app.theme.base())
}

pub fn render(app: &App, frame: &mut Frame, area: Rect, areas: Areas) {
    match app.overlay {
        Overlay::None | Overlay::Filter => {}
        Overlay::Help => help(app, frame, areas.body),
        Overlay::Palette => palette(app, frame, area),
        Overlay::Contexts(sel) => contexts(app, frame, areas.body, sel),
        Overlay::Scale => super::scale_dialog::render(app, frame, areas.body),
        Overlay::Confirm => {
            if let Some(d) = &app.pipeline.confirm {
                confirm::render(d, &app.theme, frame, areas.body);
            }
        }
    }
}

/// Help lines: bound keys from the keymap, the pane's sort keys, palette commands.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let row = |k: String, d: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<17} "), t.header_style()),
            Span::styled(d, t.fg(t.fg)),
        ])
    };
    let mut out = vec![Line::styled("Keys", t.title_style())];
    for (keys, desc) in app.keymap.help_rows() {
        if !keys.is_empty() {
            out.push(row(keys, desc.to_string()));
        }
    }
    out.push(row("wheel / click".into(), "Scroll / select a row".into()));
    if let Some(p) = app.pane() {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("Sort {} (again: reverse)", p.title()),
            t.title_style(),
        ));
        let cols: Vec<String> = p
            .columns()
            .iter()
            .map(|(h, k)| format!("{k} {h}"))
            .collect();
        for chunk in cols.chunks(3) {
            out.push(Line::styled(format!("  {}", chunk.join("   ")), t.fg(t.fg)));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Commands", t.title_style()));
    for c in commands::all(&app.panes) {
        let names = std::iter::once(c.name.clone())
            .chain(c.aliases.iter().cloned())
            .map(|n| format!(":{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        out.push(row(names, c.help.clone()));
    }
    out
}

fn help(app: &App, frame: &mut Frame, body: Rect) {
    let lines = help_lines(app);
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let r = centered(body, 72, h);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(popup(app, "Help — ? or esc to close")),
        r,
    );
}

fn palette(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let matches = commands::matching(&app.panes, app.input.text());
    let h = u16::try_from(matches.len() + 3).unwrap_or(u16::MAX);
    let [_, top] = Layout::vertical([Constraint::Length(2), Constraint::Length(h)]).areas(area);
    let r = centered(top, 60, h);
    frame.render_widget(Clear, r);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", t.title_style()),
        Span::styled(app.input.text().to_string(), t.fg(t.fg)),
        Span::styled("█", t.fg(t.muted)),
    ])];
    for c in &matches {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<10}", c.name), t.header_style()),
            Span::styled(c.help.clone(), t.fg(t.muted)),
        ]));
    }
    if matches.is_empty() {
        lines.push(Line::styled("  no such command", t.fg(t.error)));
    }
    frame.render_widget(
        Paragraph::new(lines).block(popup(app, "Command — tab completes")),
        r,
    );
}

fn contexts(app: &App, frame: &mut Frame, body: Rect, sel: usize) {
    let t = &app.theme;
    let h = u16::try_from(app.contexts.len() + 2).unwrap_or(u16::MAX);
    let r = centered(body, 50, h);
    frame.render_widget(Clear, r);
    let inner_h = r.height.saturating_sub(2) as usize;
    let offset = (sel + 1).saturating_sub(inner_h);
    let lines: Vec<Line> = app
        .contexts
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_h)
        .map(|(i, c)| {
            let mark = if *c == app.conn.context { "● " } else { "  " };
            let style = if i == sel {
                t.selection_style()
            } else {
                t.fg(t.fg)
            };
            Line::styled(format!("{mark}{c}"), style)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(popup(app, "Contexts — enter switches")),
        r,
    );
}
