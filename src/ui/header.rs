//! Header (context, server, version, platform, connection state) and the pane tabs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::watch::KindState;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let sep = || Span::styled(" │ ", t.border_style());
    let (state_text, color) = if app.conn.error.is_some() {
        ("● disconnected".to_string(), t.error)
    } else {
        match app.pane_state() {
            KindState::Live => ("● live".into(), t.ok),
            KindState::Loading => ("◌ loading".into(), t.muted),
            KindState::Reconnecting { attempt, .. } => {
                (format!("◌ reconnecting #{attempt}"), t.warn)
            }
            KindState::Forbidden(_) => ("● forbidden".into(), t.error),
            // Copies on MicroShift or Azure (no CDI) still has live blob copies and mirrors.
            KindState::NotInstalled if app.pane().is_some_and(|p| p.works_without_kind()) => {
                ("● live".into(), t.ok)
            }
            // Name the kind, so the admin knows what is missing.
            KindState::NotInstalled => {
                let kind = app.pane().map(|p| p.kind()).unwrap_or_default();
                let plural = kind.split('.').next().unwrap_or(kind);
                (format!("○ {plural} not installed"), t.muted)
            }
        }
    };
    let mut spans = vec![
        Span::styled(" shiftdeck", t.title_style()),
        sep(),
        Span::styled("ctx ", t.fg(t.muted)),
        Span::styled(app.conn.context.clone(), t.header_style()),
    ];
    // Inside guest clusters: the breadcrumb back to the management cluster.
    for g in &app.nested {
        spans.push(Span::styled(" › ", t.fg(t.muted)));
        spans.push(Span::styled(g.clone(), t.header_style()));
    }
    spans.extend([sep(), Span::styled(app.conn.server.clone(), t.fg(t.fg))]);
    let info = &app.conn.info;
    if info.version.is_some() || info.platform.is_some() {
        spans.push(sep());
        let v = [info.version.as_deref(), info.platform.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        spans.push(Span::styled(v, t.fg(t.fg)));
        if info.stale {
            spans.push(Span::styled(" (stale)", t.fg(t.muted)));
        }
    }
    spans.push(sep());
    spans.push(Span::styled(state_text, Style::default().fg(color)));
    if app.autoapprove {
        spans.push(sep());
        spans.push(Span::styled(
            "AUTO-APPROVE ON",
            Style::default().fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    if app.gate.read_only() {
        spans.push(sep());
        spans.push(Span::styled(
            "READ-ONLY",
            Style::default().fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
}

pub fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let tabs: Vec<(&str, &str)> = app
        .panes
        .iter()
        .map(|p| (p.title(), p.commands().first().copied().unwrap_or_default()))
        .collect();
    let labels = tab_labels(&tabs, app.active, area.width as usize);
    let mut spans = vec![Span::raw(" ")];
    for (i, label) in labels {
        let style = match i {
            Some(i) if i == app.active => t.selection_style().fg(t.title),
            Some(_) => t.fg(t.muted),
            None => t.fg(t.muted),
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

type LabelStyle = dyn Fn(&str, &str) -> String;

/// Tab labels that fit `width`: full (`Nodes :nodes`), then titles only, then commands only,
/// then a window of commands around the active tab with `‹n`/`n›` counts of what is hidden.
/// `None` marks an overflow marker.
pub fn tab_labels(
    tabs: &[(&str, &str)],
    active: usize,
    width: usize,
) -> Vec<(Option<usize>, String)> {
    let fits =
        |labels: &[String]| labels.iter().map(|l| l.chars().count() + 1).sum::<usize>() < width;
    let styles: [&LabelStyle; 3] = [
        &|title, cmd| format!(" {title} :{cmd} "),
        &|title, _| format!(" {title} "),
        &|_, cmd| format!(" :{cmd} "),
    ];
    for style in styles {
        let labels: Vec<String> = tabs.iter().map(|(t, c)| style(t, c)).collect();
        if fits(&labels) {
            return labels
                .into_iter()
                .enumerate()
                .map(|(i, l)| (Some(i), l))
                .collect();
        }
    }
    // Grow a window around the active tab, leaving room for both markers.
    let short: Vec<String> = tabs.iter().map(|(_, c)| format!(" :{c} ")).collect();
    let active = active.min(tabs.len().saturating_sub(1));
    let (mut lo, mut hi) = (active, active + 1);
    let cost = |lo: usize, hi: usize| {
        let body: usize = short[lo..hi].iter().map(|l| l.chars().count() + 1).sum();
        let markers = if lo > 0 { 4 } else { 0 } + if hi < short.len() { 4 } else { 0 };
        1 + body + markers
    };
    loop {
        let grew = if hi < short.len() && cost(lo, hi + 1) <= width {
            hi += 1;
            true
        } else if lo > 0 && cost(lo - 1, hi) <= width {
            lo -= 1;
            true
        } else {
            false
        };
        if !grew {
            break;
        }
    }
    let mut out = Vec::new();
    if lo > 0 {
        out.push((None, format!("‹{lo}")));
    }
    out.extend((lo..hi.min(short.len())).map(|i| (Some(i), short[i].clone())));
    if hi < short.len() {
        out.push((None, format!("{}›", short.len() - hi)));
    }
    out
}

#[cfg(test)]
mod tab_tests {
    use super::tab_labels;

    const TABS: [(&str, &str); 4] = [
        ("Overview", "overview"),
        ("Nodes", "nodes"),
        ("Hosted clusters", "hc"),
        ("Node pools", "np"),
    ];

    fn text(labels: &[(Option<usize>, String)]) -> String {
        labels
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn full_labels_when_wide() {
        let l = tab_labels(&TABS, 0, 200);
        assert_eq!(l.len(), 4);
        assert_eq!(l[2].1, " Hosted clusters :hc ");
    }

    #[test]
    fn titles_then_commands_as_width_shrinks() {
        assert_eq!(
            text(&tab_labels(&TABS, 0, 52)),
            " Overview | Nodes | Hosted clusters | Node pools "
        );
        assert_eq!(
            text(&tab_labels(&TABS, 0, 35)),
            " :overview | :nodes | :hc | :np "
        );
    }

    #[test]
    fn narrow_windows_around_the_active_tab() {
        let l = tab_labels(&TABS, 3, 20);
        assert_eq!(
            l.last().map(|(i, _)| *i),
            Some(Some(3)),
            "active tab stays visible: {l:?}"
        );
        assert!(l[0].0.is_none() && l[0].1.starts_with('‹'), "{l:?}");
        let w: usize = 1 + l.iter().map(|(_, s)| s.chars().count() + 1).sum::<usize>();
        assert!(w <= 20, "width {w}: {l:?}");
    }
}
