//! The scale dialog: type a node count, or edit the autoscaling min/max when the autoscaler
//! owns the count. What it leads to is confirmed in the one confirm dialog (`ui::confirm`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::scale::{ScaleDialog, ScaleStage, replicas};

/// The dialog's lines (pure, for tests and rendering).
pub fn lines(app: &App, d: &ScaleDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    let what = format!(
        "{} {}/{}",
        d.target.kind.noun(),
        d.target.namespace(),
        d.target.name()
    );
    let mut out = vec![
        Line::from(Span::styled(what, t.title_style())),
        Line::raw(""),
    ];
    let input = |label: &str| {
        Line::from(vec![
            Span::styled(format!("{label} "), t.header_style()),
            Span::styled(d.input.text().to_string(), t.fg(t.fg)),
            Span::styled("█", t.fg(t.muted)),
        ])
    };
    match &d.stage {
        ScaleStage::Typing => {
            let cur = replicas(&d.target).map_or("?".into(), |r| r.to_string());
            out.push(Line::raw(format!("Now {cur} nodes. Type N, +N or -N.")));
            out.push(input("nodes:"));
            out.push(Line::raw(""));
            out.push(Line::styled("enter next · esc cancel", t.fg(t.muted)));
        }
        ScaleStage::Autoscaling { min, max } => {
            out.push(Line::styled(
                format!(
                    "Autoscaling is on (min {min}, max {max}): replicas cannot be scaled by hand."
                ),
                t.fg(t.warn),
            ));
            out.push(Line::raw("Edit the autoscaling range instead (min max):"));
            out.push(input("min max:"));
            out.push(Line::raw(""));
            out.push(Line::styled("enter next · esc cancel", t.fg(t.muted)));
        }
    }
    if let Some(e) = &d.error {
        out.push(Line::styled(e.clone(), t.fg(t.error)));
    }
    out
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(d) = &app.scale.dialog else {
        return;
    };
    let lines = lines(app, d);
    let h = (lines.len() as u16 + 2).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(72.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border_style())
        .title(Span::styled(" Scale ", app.theme.title_style()))
        .style(app.theme.base());
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}
