//! Screen composition: header, tabs, banner, body (pane or document), status bar, overlays.
//! Everything here takes `&App` and draws; nothing changes state.

pub mod banner;
pub mod confirm;
pub mod header;
pub mod overlays;
pub mod scale_dialog;
pub mod status;
pub mod wizard;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::App;
use crate::app::doc::DocMode;
pub use crate::app::layout::{Areas, layout};
use crate::panes::RenderCtx;

/// Smallest usable screen; below it only a notice is drawn.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let theme = &app.theme;
    frame.render_widget(Block::default().style(theme.base()), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, area);
        return;
    }
    let a = layout(app, area);
    header::render(app, frame, a.header);
    header::render_tabs(app, frame, a.tabs);
    banner::render(app, frame, a.banner);
    match &app.doc {
        Some(doc) => render_doc(app, doc, frame, a.body),
        None => {
            if let Some(p) = app.pane() {
                let ctx = RenderCtx {
                    theme,
                    now: app.now,
                    instant: app.instant,
                    state: app.pane_state(),
                };
                p.render(frame, a.body, &ctx);
            }
        }
    }
    if let Some(v) = app.preflight_view() {
        frame.render_widget(ratatui::widgets::Clear, a.body);
        wizard::preflight_view::render(theme, v, frame, a.body);
    }
    wizard::render_over(app, frame, area, a);
    status::render(app, frame, a.status);
    overlays::render(app, frame, area, a);
    crate::text::scrub_buffer(frame.buffer_mut());
}

fn render_doc(app: &App, doc: &crate::app::doc::DocView, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let kind = app.pane().map_or("", |p| p.title());
    let mode = match doc.mode {
        DocMode::Details => "details",
        DocMode::Yaml => "yaml",
    };
    let mut title = vec![Span::styled(
        format!(" {kind} / {} — {mode} ", doc.key),
        theme.title_style(),
    )];
    if doc.gone && doc.seen {
        title.push(Span::styled(" deleted ", Style::default().fg(theme.error)));
    } else if doc.gone {
        title.push(Span::styled(
            " waiting for the watch to deliver it… ",
            Style::default().fg(theme.warn),
        ));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border_style())
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let end = (doc.scroll + inner.height as usize).min(doc.lines.len());
    let lines: Vec<Line> = doc.lines.get(doc.scroll..end).unwrap_or(&[]).to_vec();
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let msg = format!(
        "Terminal too small ({}×{}): need {MIN_WIDTH}×{MIN_HEIGHT}",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(msg)
            .style(Style::default().fg(app.theme.warn))
            .wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}
