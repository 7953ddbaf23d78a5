//! The Copies pane's modals: the `:blob` form (blob URL + SAS, the SAS masked on screen) and the
//! confirmation before aborting a blob copy.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_textarea::TextArea;

use crate::theme::Theme;

/// Two single-line fields; Tab moves between them, Enter submits, Esc cancels.
pub struct BlobForm {
    pub url: TextArea<'static>,
    pub sas: TextArea<'static>,
    /// 0: URL, 1: SAS.
    pub focus: usize,
}

impl BlobForm {
    pub fn new() -> Self {
        let mut url = TextArea::default();
        url.set_placeholder_text("https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB");
        let mut sas = TextArea::default();
        sas.set_mask_char('•');
        sas.set_placeholder_text("sv=…&se=…&sp=… (hidden)");
        BlobForm { url, sas, focus: 0 }
    }

    fn text(t: &TextArea) -> String {
        t.lines().join("")
    }
}

impl Default for BlobForm {
    fn default() -> Self {
        Self::new()
    }
}

pub enum Modal {
    Blob(Box<BlobForm>),
    ConfirmAbort { key: String, blob: String },
}

/// What a key did to a modal.
pub enum Outcome {
    Keep(Modal),
    Cancel,
    Abort(String),
    Track { url: String, sas: String },
}

impl Modal {
    pub fn key(self, key: &KeyEvent) -> Outcome {
        match self {
            Modal::ConfirmAbort { key: k, blob } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Abort(k),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Outcome::Cancel,
                _ => Outcome::Keep(Modal::ConfirmAbort { key: k, blob }),
            },
            Modal::Blob(mut f) => match key.code {
                KeyCode::Esc => Outcome::Cancel,
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                    f.focus = 1 - f.focus;
                    Outcome::Keep(Modal::Blob(f))
                }
                KeyCode::Enter if f.focus == 0 => {
                    f.focus = 1;
                    Outcome::Keep(Modal::Blob(f))
                }
                KeyCode::Enter => Outcome::Track {
                    url: BlobForm::text(&f.url),
                    sas: BlobForm::text(&f.sas),
                },
                _ => {
                    if f.focus == 0 {
                        f.url.input(*key);
                    } else {
                        f.sas.input(*key);
                    }
                    Outcome::Keep(Modal::Blob(f))
                }
            },
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        match self {
            Modal::ConfirmAbort { blob, .. } => {
                let r = centered(area, 64, 5);
                frame.render_widget(Clear, r);
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(theme.warn))
                    .title(Span::styled(" Abort copy ", theme.title_style()));
                let text = vec![
                    Line::from(format!("Abort the pending copy into {blob}?")),
                    Line::from(vec![
                        Span::styled(
                            "y",
                            Style::default()
                                .fg(theme.error)
                                .add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(" abort   "),
                        Span::styled("n", Style::default().add_modifier(Modifier::BOLD)),
                        Span::raw("/esc keep copying"),
                    ]),
                ];
                frame.render_widget(Paragraph::new(text).block(block).style(theme.base()), r);
            }
            Modal::Blob(f) => {
                let r = centered(area, 80, 9);
                frame.render_widget(Clear, r);
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border_style())
                    .title(Span::styled(
                        " Track an Azure blob copy ",
                        theme.title_style(),
                    ));
                let inner = block.inner(r);
                frame.render_widget(block, r);
                let [l1, f1, l2, f2, help] =
                    Layout::vertical([Constraint::Length(1); 5]).areas(inner);
                let label = |s: &'static str, on: bool| {
                    let st = if on {
                        theme.header_style()
                    } else {
                        theme.fg(theme.muted)
                    };
                    Paragraph::new(Span::styled(s, st))
                };
                frame.render_widget(label("Blob URL", f.focus == 0), l1);
                frame.render_widget(&f.url, f1);
                frame.render_widget(label("SAS token (hidden)", f.focus == 1), l2);
                frame.render_widget(&f.sas, f2);
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        "tab switch field · enter next/track · esc cancel",
                        theme.fg(theme.muted),
                    )),
                    help,
                );
            }
        }
    }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
