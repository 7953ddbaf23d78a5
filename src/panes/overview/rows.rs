//! The Overview as rows: pure (model, panes available) -> lines, some of them selectable (a count
//! that links to its pane, a URL or command to copy).

use crate::overview::bootimages::{ArtifactKind, CopyItem};
use crate::overview::identity::TO_MULTI_ARCH_COMMAND;
use crate::overview::{OverviewModel, Pane};

/// How a row is coloured (the view maps tones to theme roles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Heading,
    Normal,
    Muted,
    Ok,
    Warn,
    Bad,
}

/// What Enter / the copy key do on a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// Open this pane (its canonical palette command).
    Link(&'static str),
    /// Copy this text (with a label for the status bar).
    Copy(CopyItem),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub text: String,
    pub tone: Tone,
    pub item: Option<Item>,
}

impl Row {
    fn new(text: impl Into<String>, tone: Tone) -> Row {
        Row {
            text: text.into(),
            tone,
            item: None,
        }
    }

    fn with(mut self, item: Option<Item>) -> Row {
        self.item = item;
        self
    }

    pub fn selectable(&self) -> bool {
        self.item.is_some()
    }
}

/// A link to `pane` when a pane with that command is shown, else none.
fn link(pane: Pane, available: &[&'static str]) -> Option<Item> {
    available
        .iter()
        .find(|c| Pane::from_command(c) == Some(pane))
        .map(|c| Item::Link(c))
}

fn copy(label: String, text: String) -> Option<Item> {
    Some(Item::Copy(CopyItem { label, text }))
}

/// Every row of the overview. `available`: palette commands of the panes shown.
pub fn build(model: &OverviewModel, available: &[&'static str]) -> Vec<Row> {
    let mut out = Vec::new();
    identity(model, &mut out);
    out.push(Row::new("", Tone::Normal));
    counts(model, available, &mut out);
    if let Some(w) = &model.windows {
        out.push(Row::new("", Tone::Normal));
        windows(w, &mut out);
    }
    if !model.flavor.is_microshift() {
        out.push(Row::new("", Tone::Normal));
        boot_images(model, &mut out);
    }
    out.push(Row::new("", Tone::Normal));
    health(model, available, &mut out);
    out
}

fn identity(model: &OverviewModel, out: &mut Vec<Row>) {
    out.push(Row::new(
        format!("Cluster  {}", model.flavor.label()),
        Tone::Heading,
    ));
    if !matches!(
        model.flavor,
        crate::overview::ClusterFlavor::OpenShift { .. }
    ) {
        return;
    }
    for (k, v) in model.identity.fields() {
        out.push(Row::new(format!("  {k:<18} {v}"), Tone::Normal));
    }
    let multi = model.payload.is_multi();
    out.push(Row::new(
        format!("  {:<18} {}", "Payload", model.payload.summary()),
        if multi { Tone::Ok } else { Tone::Warn },
    ));
    if let Some(step) = model.payload.next_step() {
        out.push(
            Row::new(format!("  {:<18} {step}", "Next step"), Tone::Warn).with(copy(
                "multi-arch migration command".to_string(),
                TO_MULTI_ARCH_COMMAND.to_string(),
            )),
        );
    }
    for n in &model.identity.notes {
        out.push(Row::new(format!("  note: {n}"), Tone::Muted));
    }
}

fn counts(model: &OverviewModel, available: &[&'static str], out: &mut Vec<Row>) {
    out.push(Row::new("Counts", Tone::Heading));
    for c in &model.counts {
        let target = link(c.pane, available);
        let arrow = match &target {
            Some(Item::Link(cmd)) => format!("  → :{cmd}"),
            _ => String::new(),
        };
        out.push(
            Row::new(
                format!("  {:<18} {:<14} {}{arrow}", c.label, c.value, c.detail),
                if c.attention {
                    Tone::Warn
                } else {
                    Tone::Normal
                },
            )
            .with(target),
        );
    }
    if model.nodes.iter().any(|n| n.no_metrics) {
        out.push(Row::new(
            "  Windows nodes: no metrics (not available for Windows)",
            Tone::Muted,
        ));
    }
}

fn windows(w: &crate::overview::WmcoHealth, out: &mut Vec<Row>) {
    let ok = w.installed && w.healthy() && w.nodes_on_version == w.windows_nodes;
    out.push(Row::new("Windows", Tone::Heading));
    for (i, l) in w.lines().into_iter().enumerate() {
        let tone = match i {
            0 if ok => Tone::Ok,
            0 => Tone::Warn,
            _ => Tone::Normal,
        };
        out.push(Row::new(format!("  {l}"), tone));
    }
}

fn boot_images(model: &OverviewModel, out: &mut Vec<Row>) {
    let b = match &model.boot_images {
        Ok(b) => b,
        Err(e) => {
            out.push(Row::new("Boot images", Tone::Heading));
            out.push(Row::new(format!("  {e}"), Tone::Muted));
            return;
        }
    };
    let mut lines = b.lines().into_iter();
    if let Some(head) = lines.next() {
        out.push(Row::new(head, Tone::Heading));
    }
    for a in &b.architectures {
        out.push(Row::new(
            format!(
                "  {}: release {}",
                a.arch,
                a.release.as_deref().unwrap_or("unknown")
            ),
            Tone::Normal,
        ));
        for art in &a.artifacts {
            let item = match &art.url {
                Some(url) => copy(format!("{} {} URL", a.arch, art.kind.label()), url.clone()),
                None => copy(
                    format!("{} {} URL command", a.arch, art.kind.label()),
                    art.command(),
                ),
            };
            let tone = if art.url.is_some() {
                Tone::Normal
            } else {
                Tone::Warn
            };
            out.push(
                Row::new(
                    format!(
                        "    {:<14} {}",
                        art.kind.label(),
                        art.url
                            .clone()
                            .unwrap_or_else(|| format!("missing: {}", art.jq_path))
                    ),
                    tone,
                )
                .with(item),
            );
        }
        if a.artifact(ArtifactKind::AzureVhd).is_some() {
            for c in a
                .copy_items()
                .into_iter()
                .filter(|c| c.label.contains(" az ") || c.label.contains("blob name"))
            {
                // The command itself, as it will be copied (the selected row shows it in full).
                let what = if c.label.contains("blob name") {
                    "blob name cmd"
                } else if c.label.contains("status") {
                    "copy status"
                } else {
                    "az copy"
                };
                let text = format!("    {what:<14} {}", c.text);
                out.push(Row::new(text, Tone::Muted).with(Some(Item::Copy(c))));
            }
        }
    }
    for m in &b.missing_architectures {
        out.push(Row::new(
            format!("  {m}: not in the stream (no boot images for {m})"),
            Tone::Warn,
        ));
    }
}

fn health(model: &OverviewModel, available: &[&'static str], out: &mut Vec<Row>) {
    let (text, tone) = if model.health.healthy {
        ("Health   all checks pass", Tone::Ok)
    } else {
        ("Health   some checks fail", Tone::Bad)
    };
    let target = link(Pane::Health, available);
    let arrow = if target.is_some() {
        "  → :health"
    } else {
        ""
    };
    out.push(Row::new(format!("{text}{arrow}"), tone).with(target));
    for c in model.health.failures() {
        out.push(Row::new(
            format!(
                "  FAIL {}{}: {}",
                c.title,
                c.namespace
                    .as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default(),
                c.detail
            ),
            Tone::Bad,
        ));
    }
}
