//! The Copies pane's form: `:blob` / `:blobcopy` (blob URL or container + SAS, the SAS masked on
//! screen). Starting and aborting a copy are confirmed in the app's one confirm dialog.

pub use crate::copies::start_copy::StartCopyRequest;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
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

/// The pane's own form (its confirmations are the app's one confirm dialog).
pub enum Modal {
    Blob(Box<BlobForm>),
}

/// What a key did to a modal.
pub enum Outcome {
    Keep(Modal),
    Cancel,
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
                        FormPurpose::StartCopy => Outcome::StartCopy(StartCopyRequest {
                            container: f.text(0).trim().to_string(),
                            sas: f.text(1).trim().to_string(),
                            source: f.text(2).trim().to_string(),
                        }),
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
