//! The details and YAML views of one object: lines built when opened, when the store changes and
//! when an age or countdown in them moves on; never per frame. YAML is always redacted.

use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::panes::Pane;
use crate::redact::redact;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocMode {
    Details,
    Yaml,
}

#[derive(Debug, Clone)]
pub struct DocView {
    pub mode: DocMode,
    pub pane: usize,
    pub key: String,
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
    /// The object is not in the store: deleted (the last known content stays on screen) or,
    /// when never `seen`, not arrived yet (just created).
    pub gone: bool,
    pub seen: bool,
    /// When the lines read differently with the clock alone (an age, a countdown): a tick
    /// rebuilds them then. `None`: they hold until the object changes.
    pub changes_at: Option<Instant>,
}

impl DocView {
    pub fn open(mode: DocMode, pane: usize, key: String) -> DocView {
        DocView {
            mode,
            pane,
            key,
            lines: Vec::new(),
            scroll: 0,
            gone: false,
            seen: false,
            changes_at: None,
        }
    }

    /// Rebuild the lines from the pane's current object, as of `now` (`instant` on the
    /// monotonic clock).
    pub fn refresh(&mut self, pane: &dyn Pane, theme: &Theme, now: Timestamp, instant: Instant) {
        let (lines, wait) = crate::age::changes_of(|| self.build(pane, theme, now));
        self.changes_at = wait.map(|w| instant + w);
        self.apply(lines);
    }

    fn build(&self, pane: &dyn Pane, theme: &Theme, now: Timestamp) -> Option<Vec<Line<'static>>> {
        match self.mode {
            DocMode::Details => pane.details(&self.key, now),
            DocMode::Yaml => pane.object_json(&self.key).map(|o| {
                let mut lines = yaml_lines(&o, theme);
                if let Some(note) = pane.documents().and_then(|d| d.yaml_note(&self.key)) {
                    let style = Style::default().fg(theme.muted);
                    lines.insert(0, Line::styled(format!("# {note}"), style));
                }
                lines
            }),
        }
    }

    fn apply(&mut self, lines: Option<Vec<Line<'static>>>) {
        match lines {
            Some(l) => {
                self.lines = l;
                self.gone = false;
                self.seen = true;
            }
            None => self.gone = true,
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    pub fn scroll_by(&mut self, delta: i64) {
        let max = self.lines.len().saturating_sub(1) as i64;
        self.scroll = (self.scroll as i64 + delta).clamp(0, max.max(0)) as usize;
    }
}

/// Redacted YAML with keys coloured.
pub fn yaml_lines(obj: &serde_json::Value, theme: &Theme) -> Vec<Line<'static>> {
    let text = serde_yaml::to_string(&redact(obj))
        .unwrap_or_else(|e| format!("# cannot render YAML: {e}"));
    text.lines()
        .map(|l| {
            let trimmed = l.trim_start_matches([' ', '-']);
            match trimmed.find(':') {
                Some(i) if !trimmed.starts_with(['"', '\'']) => {
                    let split = l.len() - trimmed.len() + i;
                    Line::from(vec![
                        Span::styled(l[..split].to_string(), Style::default().fg(theme.header)),
                        Span::styled(l[split..].to_string(), Style::default().fg(theme.fg)),
                    ])
                }
                _ => Line::styled(l.to_string(), Style::default().fg(theme.fg)),
            }
        })
        .collect()
}
