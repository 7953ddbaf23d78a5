//! Drawing the wizard: a full-screen overlay with the step list on the left and the current
//! step on the right (fields with help and verdicts, preflight summary, or the review YAML and
//! dry-run results). Pure: reads the [`Wizard`] only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::preflight_view;
use crate::app::wizards::wizard::{Form, Phase, Wizard};
use crate::theme::Theme;
use crate::wizard::exec::DryRunOutcome;
use crate::wizard::form::{Field, FieldKind};

pub fn render(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_style())
        .title(Span::styled(
            format!(" {} ", w.title()),
            theme.title_style(),
        ))
        .style(theme.base());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [main, footer] = Layout::vertical([Constraint::Min(0), Constraint::Length(2)]).areas(inner);
    let [steps, body] = Layout::horizontal([
        Constraint::Length(42.min(main.width / 3)),
        Constraint::Min(0),
    ])
    .areas(main);
    render_steps(theme, w, frame, steps);
    if w.is_preflight() {
        render_preflight(theme, w, frame, body);
    } else if w.is_review() {
        render_review(theme, w, frame, body);
    } else {
        render_fields(theme, w, frame, body);
    }
    render_footer(theme, w, frame, footer);
}

fn render_steps(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    // Long titles wrap under themselves instead of running into the border.
    let text_w = usize::from(area.width.saturating_sub(1));
    let mut lines: Vec<Line> = Vec::new();
    for (i, title) in w.pages().iter().enumerate() {
        let (mark, style) = if i == w.page {
            ("▶", theme.selection_style().add_modifier(Modifier::BOLD))
        } else if i < w.page {
            ("✓", theme.fg(theme.ok))
        } else {
            (" ", theme.fg(theme.muted))
        };
        let lead = format!(" {mark} {}. ", i + 1);
        let indent = " ".repeat(lead.chars().count());
        let room = text_w.saturating_sub(indent.len()).max(8);
        for (j, part) in crate::text::wrap::wrap_words(title, room)
            .into_iter()
            .enumerate()
        {
            let head = if j == 0 {
                lead.as_str()
            } else {
                indent.as_str()
            };
            lines.push(Line::styled(format!("{head}{part}"), style));
        }
    }
    let block = Block::default()
        .borders(Borders::RIGHT)
        .border_style(theme.border_style());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_preflight(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    let Form::Cluster(f) = &w.form else {
        return;
    };
    let mut lines = preflight_view::lines(theme, &f.preflight);
    if !w.blocked.is_empty() {
        lines.insert(
            1,
            Line::styled(
                "Enter: cannot continue while a check fails (each failure's fix is below).",
                theme.fg(theme.error).add_modifier(Modifier::BOLD),
            ),
        );
    }
    if f.preflight_blocks() {
        lines.insert(
            1,
            Line::styled(
                "Failures block creation (fix them, then reopen :create); warnings do not.",
                theme.fg(theme.error),
            ),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(w.scroll).unwrap_or(u16::MAX), 0)),
        pad(area),
    );
}

fn pad(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(2),
        ..area
    }
}

/// How a field's value reads when not being edited.
fn shown_value(f: &Field, choice: usize, focused: bool) -> Vec<Span<'static>> {
    match &f.kind {
        FieldKind::Toggle => {
            let on = f.value.trim() == "true";
            vec![Span::raw(if on { "[x] true" } else { "[ ] false" })]
        }
        FieldKind::Pick { choices, .. } => {
            let note = choices
                .iter()
                .find(|c| c.value == f.value)
                .map(|c| {
                    let label = if c.label != c.value {
                        format!(" {}", c.label)
                    } else {
                        String::new()
                    };
                    match c.note.as_str() {
                        "" => label,
                        n => format!("{label} ({n})"),
                    }
                })
                .unwrap_or_default();
            let value = if f.value.is_empty() {
                "(default)".to_string()
            } else {
                f.value.clone()
            };
            let arrows = if choices.is_empty() { "" } else { "◀ " };
            let end = if choices.is_empty() { "" } else { " ▶" };
            vec![
                Span::raw(format!("{arrows}{value}{end}")),
                Span::styled(note, Style::default().add_modifier(Modifier::DIM)),
            ]
        }
        FieldKind::MultiPick { choices } if !choices.is_empty() => {
            let picked: Vec<&str> = f.value.split(',').map(str::trim).collect();
            choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mark = if picked.contains(&c.value.as_str()) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let text = format!("{mark} {} ", c.value);
                    if focused && i == choice {
                        Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))
                    } else {
                        Span::raw(text)
                    }
                })
                .collect()
        }
        _ if f.value.is_empty() => vec![Span::styled(
            "(empty)",
            Style::default().add_modifier(Modifier::DIM),
        )],
        _ => vec![Span::raw(f.value.clone())],
    }
}

fn render_fields(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    let area = pad(area);
    let fields = w.fields();
    let mut lines: Vec<Line> = Vec::new();
    let mut editor_at: Option<u16> = None;
    // The focused field's lines (label to last verdict), kept on screen whatever its kind.
    let mut focus_lines: Option<(usize, usize)> = None;
    for (i, f) in fields.iter().enumerate() {
        let focused = i == w.focus;
        let start = lines.len();
        let label_style = if focused {
            theme.selection_style().add_modifier(Modifier::BOLD)
        } else {
            theme.header_style()
        };
        let req = if f.required { "*" } else { " " };
        let mut line = vec![Span::styled(
            format!("{:<30}", format!("{}{req}", f.label)),
            label_style,
        )];
        let editable_text = matches!(
            f.kind,
            FieldKind::Text
                | FieldKind::Path
                | FieldKind::Number
                | FieldKind::Pick {
                    free_text: true,
                    ..
                }
        ) || matches!(&f.kind, FieldKind::MultiPick { choices } if choices.is_empty());
        let free_pick = focused
            && matches!(
                f.kind,
                FieldKind::Pick {
                    free_text: true,
                    ..
                }
            );
        if focused && editable_text {
            editor_at = Some(lines.len() as u16);
        } else {
            line.extend(shown_value(f, w.choice, focused));
        }
        lines.push(Line::from(line));
        if focused && matches!(&f.kind, FieldKind::MultiPick { choices } if !choices.is_empty()) {
            lines.push(Line::styled(
                "  ←/→: move between networks   Space: attach / detach",
                theme.fg(theme.muted),
            ));
        }
        if free_pick {
            let mut l = vec![Span::styled(
                format!("{:<30}", "  ←/→ choose:"),
                theme.fg(theme.muted),
            )];
            l.extend(shown_value(f, w.choice, focused));
            lines.push(Line::from(l));
        }
        if focused {
            for h in wrap_text(&f.help, area.width.saturating_sub(4) as usize) {
                lines.push(Line::styled(format!("  {h}"), theme.fg(theme.muted)));
            }
        }
        let width = area.width.saturating_sub(6) as usize;
        if let Some(e) = &f.error
            && (focused || !f.value.is_empty())
        {
            push_wrapped(&mut lines, "  ✗ ", e, width, theme.fg(theme.error));
        }
        if let Some(wn) = &f.warning {
            push_wrapped(&mut lines, "  ! ", wn, width, theme.fg(theme.warn));
        }
        if focused {
            focus_lines = Some((start, lines.len()));
        }
    }
    if !w.blocked.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Cannot continue until these are fixed:",
            theme.fg(theme.error).add_modifier(Modifier::BOLD),
        ));
        for b in &w.blocked {
            push_wrapped(
                &mut lines,
                "  • ",
                b,
                area.width.saturating_sub(6) as usize,
                theme.fg(theme.error),
            );
        }
    }
    // Keep the focused field on screen.
    let first = first_line(focus_lines, area.height);
    let visible: Vec<Line> = lines.iter().skip(first).cloned().collect();
    frame.render_widget(Paragraph::new(visible).style(theme.base()), area);
    if let Some(row) = editor_at
        && row as usize >= first
    {
        let y = area.y + row - first as u16;
        if y < area.y + area.height && area.width > 31 {
            let r = Rect {
                x: area.x + 30,
                y,
                width: area.width.saturating_sub(30),
                height: 1,
            };
            let mut ed = w.editor.clone();
            ed.set_cursor_line_style(Style::default());
            ed.set_style(theme.fg(theme.fg).add_modifier(Modifier::UNDERLINED));
            frame.render_widget(&ed, r);
        }
    }
}

/// The first line to draw so that the focused field's block `(start, end)` is on screen: its
/// end when it fits below, else its start.
fn first_line(focus: Option<(usize, usize)>, height: u16) -> usize {
    let h = usize::from(height.max(1));
    match focus {
        Some((_, end)) if end <= h => 0,
        Some((start, end)) => (end - h).min(start),
        None => 0,
    }
}

/// `text` wrapped to `width`, the first line after `mark`, the rest indented to match.
fn push_wrapped(lines: &mut Vec<Line>, mark: &str, text: &str, width: usize, style: Style) {
    let indent = " ".repeat(mark.chars().count());
    for (i, l) in wrap_text(text, width).into_iter().enumerate() {
        let lead = if i == 0 { mark } else { indent.as_str() };
        lines.push(Line::styled(format!("{lead}{l}"), style));
    }
}

fn wrap_text(s: &str, width: usize) -> Vec<String> {
    let width = width.max(20);
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn render_review(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    let area = pad(area);
    let mut result: Vec<Line> = Vec::new();
    if let Some(r) = &w.dry_run {
        let head = if r.ok() {
            Line::styled(
                "Dry run: the server accepts every object",
                theme.fg(theme.ok),
            )
        } else {
            Line::styled("Dry run: the server rejects:", theme.fg(theme.error))
        };
        result.push(head);
        for s in &r.steps {
            let (mark, text, style) = match &s.outcome {
                DryRunOutcome::Accepted => ("✓", "accepted".to_string(), theme.fg(theme.ok)),
                DryRunOutcome::Exists => ("✓", "exists".to_string(), theme.fg(theme.ok)),
                DryRunOutcome::Skipped(w) => ("–", format!("skipped: {w}"), theme.fg(theme.muted)),
                DryRunOutcome::Rejected(w) => ("✗", w.clone(), theme.fg(theme.error)),
            };
            result.push(Line::styled(
                format!("  {mark} {}: {text}", s.object),
                style,
            ));
        }
    }
    if let Some(f) = &w.failure {
        result.push(Line::styled(
            "Create failed:",
            theme.fg(theme.error).add_modifier(Modifier::BOLD),
        ));
        for l in wrap_text(f, area.width.saturating_sub(4) as usize) {
            result.push(Line::styled(format!("  {l}"), theme.fg(theme.error)));
        }
    }
    let res_h = (result.len() as u16).min(area.height / 2);
    let [yaml, res] = Layout::vertical([Constraint::Min(0), Constraint::Length(res_h)]).areas(area);
    let lines: Vec<Line> = w
        .review_lines()
        .into_iter()
        .skip(w.scroll)
        .map(|l| {
            if l.starts_with("# ") {
                Line::styled(l, theme.title_style())
            } else {
                Line::raw(l)
            }
        })
        .collect();
    let block = Block::default()
        .borders(Borders::BOTTOM)
        .border_style(theme.border_style())
        .title(Span::styled(
            "Objects to create (secrets redacted) — ↑/↓ scroll",
            theme.header_style(),
        ));
    frame.render_widget(Paragraph::new(lines).block(block), yaml);
    frame.render_widget(Paragraph::new(result).wrap(Wrap { trim: false }), res);
}

fn render_footer(theme: &Theme, w: &Wizard, frame: &mut Frame, area: Rect) {
    // Each hint has a short form for narrow terminals (80 columns), so no key is cut off.
    let (long, short, style) = match w.phase {
        Phase::ConfirmCancel => (
            "Discard this wizard and what you typed? y: discard   n/Esc: keep editing".to_string(),
            "Discard what you typed? y: discard  n/Esc: keep editing".to_string(),
            theme.fg(theme.warn).add_modifier(Modifier::BOLD),
        ),
        Phase::DryRunning => (
            "Dry run: sending every object with dryRun=All…".to_string(),
            "Dry run…".to_string(),
            theme.fg(theme.muted),
        ),
        Phase::Creating => (
            format!("Creating {}…", w.target()),
            "Creating…".to_string(),
            theme.fg(theme.muted),
        ),
        Phase::Editing if w.is_review() => (
            "d: server-side dry run   c/Enter: create   ↑/↓ PgUp/PgDn: scroll   Ctrl-B: back   Esc: cancel"
                .to_string(),
            "d: dry run  c: create  ↑/↓ PgUp/PgDn: scroll  ^B: back  Esc: cancel".to_string(),
            theme.fg(theme.muted),
        ),
        Phase::Editing => (
            "Tab/Shift-Tab: field   ←/→: choose   Space: toggle   Enter: continue   Ctrl-B: back   Esc: cancel"
                .to_string(),
            "Tab/S-Tab field  ←/→ choose  Space toggle  Enter next  ^B back  Esc cancel"
                .to_string(),
            theme.fg(theme.muted),
        ),
    };
    let text = if long.chars().count() <= usize::from(area.width) {
        long
    } else {
        short
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border_style());
    frame.render_widget(Paragraph::new(Line::styled(text, style)).block(block), area);
}
