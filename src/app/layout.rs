//! Where everything goes on the screen, and the banner text that decides whether the banner row
//! is there. Pure; shared by `ui::render` and by the app's paging and click mapping.

use ratatui::layout::{Constraint, Layout, Rect};

use super::App;
use crate::watch::KindState;

/// Where everything goes. Pure, shared by render and by click mapping in `update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    pub banner: Rect,
    pub body: Rect,
    pub status: Rect,
}

/// The screen split for `area`: a banner row only when there is a banner.
pub fn layout(app: &App, area: Rect) -> Areas {
    let banner_h = u16::from(banner_text(app).is_some());
    let [header, tabs, banner, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        tabs,
        banner,
        body,
        status,
    }
}

/// The banner text, if there is anything to say.
pub fn banner_text(app: &App) -> Option<String> {
    if let Some(e) = &app.conn.error {
        return Some(format!("⚠ {e}"));
    }
    let state = app
        .pane()
        .and_then(|p| app.states.get(p.kind()).map(|s| (p.title(), s)));
    match state {
        Some((_, KindState::Reconnecting { attempt, error })) => Some(format!(
            "⚠ retrying {} (attempt {attempt}): {error}",
            app.conn.server
        )),
        Some((title, KindState::Forbidden(e))) => Some(format!("⚠ {title}: forbidden: {e}")),
        _ => app.startup_warning.as_ref().map(|w| format!("⚠ {w}")),
    }
}
