//! The Copies pane's modals: the `:blob` form (blob URL + SAS, the SAS masked on screen) and the
//! confirmations before starting (`:blobcopy`) and aborting a blob copy.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_textarea::TextArea;

use crate::theme::Theme;

/// What a blob form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormPurpose {
    /// `:blob`: track an existing copy (blob URL, SAS).
    Track,
    /// `:blobcopy`: start a boot image copy (container URL, SAS, optional source).
    StartCopy,
}

/// Single-line fields; Tab moves between them, Enter goes to the next or submits, Esc cancels.
/// The SAS field (index 1) is masked on screen.
pub struct BlobForm {
    pub purpose: FormPurpose,
    pub fields: Vec<(&'static str, TextArea<'static>)>,
    pub focus: usize,
}

impl BlobForm {
    pub fn new() -> Self {
        Self::for_purpose(FormPurpose::Track)
    }

    pub fn for_purpose(purpose: FormPurpose) -> Self {
        let field = |placeholder: &str| {
            let mut t = TextArea::default();
            t.set_placeholder_text(placeholder);
            t
        };
        let mut sas = field("sv=…&se=…&sp=… (hidden)");
        sas.set_mask_char('•');
        let fields = match purpose {
            FormPurpose::Track => vec![
                (
                    "Blob URL",
                    field("https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB"),
                ),
                ("SAS token (hidden)", sas),
            ],
            FormPurpose::StartCopy => vec![
                (
                    "Destination container URL",
                    field("https://ACCOUNT.blob.core.windows.net/CONTAINER"),
                ),
                ("SAS token (hidden)", sas),
                (
                    "Source URL (empty: the cluster's coreos-bootimages aarch64 VHD)",
                    field(
                        "https://rhcos.blob.core.windows.net/imagebucket/rhcos-…-azure.aarch64.vhd",
                    ),
                ),
            ],
        };
        BlobForm {
            purpose,
            fields,
            focus: 0,
        }
    }

    fn text(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|(_, t)| t.lines().join(""))
            .unwrap_or_default()
    }
}

impl Default for BlobForm {
    fn default() -> Self {
        Self::new()
    }
}

pub enum Modal {
    Blob(Box<BlobForm>),
    ConfirmAbort {
        key: String,
        blob: String,
    },
    /// The filled `:blobcopy` form, waiting for `y`: a copy writes into the storage account.
    ConfirmStart(StartCopyRequest),
}

/// A boot image copy to start, as the form gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartCopyRequest {
    pub container: String,
    pub sas: String,
    /// Empty: the cluster's `coreos-bootimages` aarch64 VHD.
    pub source: String,
}

/// What a key did to a modal.
pub enum Outcome {
    Keep(Modal),
    Cancel,
    Abort(String),
    Track {
        url: String,
        sas: String,
    },
    /// Confirmed: start this copy.
    StartCopy(StartCopyRequest),
}

impl Modal {
    pub fn key(self, key: &KeyEvent) -> Outcome {
        match self {
            Modal::ConfirmAbort { key: k, blob } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::Abort(k),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Outcome::Cancel,
                _ => Outcome::Keep(Modal::ConfirmAbort { key: k, blob }),
            },
            Modal::ConfirmStart(req) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Outcome::StartCopy(req),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Outcome::Cancel,
                _ => Outcome::Keep(Modal::ConfirmStart(req)),
            },
            Modal::Blob(mut f) => {
                let n = f.fields.len();
                match key.code {
                    KeyCode::Esc => Outcome::Cancel,
                    KeyCode::Tab | KeyCode::Down => {
                        f.focus = (f.focus + 1) % n;
                        Outcome::Keep(Modal::Blob(f))
                    }
                    KeyCode::BackTab | KeyCode::Up => {
                        f.focus = (f.focus + n - 1) % n;
                        Outcome::Keep(Modal::Blob(f))
                    }
                    KeyCode::Enter if f.focus + 1 < n => {
                        f.focus += 1;
                        Outcome::Keep(Modal::Blob(f))
                    }
                    KeyCode::Enter => match f.purpose {
                        FormPurpose::Track => Outcome::Track {
                            url: f.text(0),
                            sas: f.text(1),
                        },
                        FormPurpose::StartCopy => {
                            Outcome::Keep(Modal::ConfirmStart(StartCopyRequest {
                                container: f.text(0).trim().to_string(),
                                sas: f.text(1).trim().to_string(),
                                source: f.text(2).trim().to_string(),
                            }))
                        }
                    },
                    _ => {
                        if let Some((_, t)) = f.fields.get_mut(f.focus) {
                            t.input(*key);
                        }
                        Outcome::Keep(Modal::Blob(f))
                    }
                }
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        match self {
            Modal::ConfirmAbort { blob, .. } => {
                let r = centered(area, 90, 6);
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
                frame.render_widget(
                    Paragraph::new(text)
                        .block(block)
                        .style(theme.base())
                        .wrap(ratatui::widgets::Wrap { trim: true }),
                    r,
                );
            }
            Modal::ConfirmStart(req) => {
                let r = centered(area, 100, 8);
                frame.render_widget(Clear, r);
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(theme.warn))
                    .title(Span::styled(" Start copy ", theme.title_style()));
                let source = if req.source.is_empty() {
                    "the cluster's coreos-bootimages aarch64 VHD".to_string()
                } else {
                    crate::redact::in_text(&req.source)
                };
                let bold = Style::default().add_modifier(Modifier::BOLD);
                let text = vec![
                    Line::from("Start a server-side Copy Blob into the storage account?"),
                    Line::from(format!(
                        "  into  {} (SAS given, hidden)",
                        crate::redact::in_text(&req.container)
                    )),
                    Line::from(format!("  from  {source}")),
                    Line::from("An existing blob of the same name is overwritten."),
                    Line::from(vec![
                        Span::styled("y", bold.fg(theme.warn)),
                        Span::raw(" start   "),
                        Span::styled("n", bold),
                        Span::raw("/esc cancel"),
                    ]),
                ];
                frame.render_widget(
                    Paragraph::new(text)
                        .block(block)
                        .style(theme.base())
                        .wrap(ratatui::widgets::Wrap { trim: false }),
                    r,
                );
            }
            Modal::Blob(f) => {
                let h = 2 * f.fields.len() as u16 + 3;
                let r = centered(area, 90, h);
                frame.render_widget(Clear, r);
                let title = match f.purpose {
                    FormPurpose::Track => " Track an Azure blob copy ",
                    FormPurpose::StartCopy => " Start an ARM64 boot image copy ",
                };
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border_style())
                    .title(Span::styled(title, theme.title_style()));
                let inner = block.inner(r);
                frame.render_widget(block, r);
                let rows = Layout::vertical(vec![Constraint::Length(1); 2 * f.fields.len() + 1])
                    .split(inner);
                for (i, (label, t)) in f.fields.iter().enumerate() {
                    let st = if i == f.focus {
                        theme.header_style()
                    } else {
                        theme.fg(theme.muted)
                    };
                    if let (Some(l), Some(a)) = (rows.get(2 * i), rows.get(2 * i + 1)) {
                        frame.render_widget(Paragraph::new(Span::styled(*label, st)), *l);
                        frame.render_widget(t, *a);
                    }
                }
                if let Some(help) = rows.last() {
                    frame.render_widget(
                        Paragraph::new(Span::styled(
                            "tab switch field · enter next/submit · esc cancel",
                            theme.fg(theme.muted),
                        )),
                        *help,
                    );
                }
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
