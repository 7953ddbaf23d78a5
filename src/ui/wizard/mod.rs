//! Drawing the creation wizards: the form (`view`), the `:preflight` checks (`preflight_view`)
//! and the loading notice while the wizard's facts are read. The wizards' state is
//! `app::wizards`.

pub mod preflight_view;
pub mod view;

/// Draw the wizard (or its loading notice) over everything but the status bar.
pub fn render_over(
    app: &crate::app::App,
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    a: crate::ui::Areas,
) {
    use crate::app::wizards::WizardState;
    let over = ratatui::layout::Rect {
        height: area.height.saturating_sub(a.status.height),
        ..area
    };
    match app.wizard() {
        WizardState::Closed => {}
        WizardState::Loading(t) => {
            let what = match t {
                crate::app::wizards::jobs::Target::NodePool => "Add node pool (KubeVirt)",
                _ => "Create hosted cluster (KubeVirt)",
            };
            frame.render_widget(ratatui::widgets::Clear, over);
            frame.render_widget(
                ratatui::widgets::Paragraph::new(format!(
                    "{what}: checking permission and reading the management cluster… (Esc: cancel)"
                ))
                .style(app.theme.base())
                .block(ratatui::widgets::Block::bordered().border_style(app.theme.border_style())),
                over,
            );
        }
        WizardState::Open(w) => view::render(&app.theme, w, frame, over),
    }
}
