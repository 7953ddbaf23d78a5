//! The app side of the scale actions on the Node pools and MachineSets panes: `+`/`-`/`=`, the
//! number input, the autoscaling min/max edit, and the write request each leads to (its
//! confirm names the nodes likely to go). The request goes through the one write pipeline
//! (`app::writes`: gate, confirm, executor `actions::scale`). No I/O.

use crossterm::event::KeyEvent;

use super::input::LineInput;
use super::{App, Overlay};
use crate::actions::scale::ScaleWrite;
use crate::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
use crate::fleet::scale::{
    ScaleError, ScalePlan, plan_machineset_scale, plan_scale, validate_autoscaling,
};
use crate::fleet::scale_target::{ScaleKind, ScaleTarget};
use crate::fleet::util::{i64_at, str_at};
use crate::gate::Verdict;
use crate::scale_io::{self, ScaleChange, ScaleStep};

/// Where the scale dialog is (its confirm step is the one confirm dialog).
#[derive(Debug, Clone, PartialEq)]
pub enum ScaleStage {
    /// Typing a node count (`N`, `+N`, `-N`).
    Typing,
    /// Typing autoscaling `min max` (replicas are owned by the autoscaler).
    Autoscaling { min: i64, max: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScaleDialog {
    pub target: ScaleTarget,
    pub stage: ScaleStage,
    pub input: LineInput,
    /// Why the last entry was refused.
    pub error: Option<String>,
}

/// Scale state of the app: the open entry dialog.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleState {
    pub dialog: Option<ScaleDialog>,
}

fn plan(t: &ScaleTarget, text: &str) -> Result<ScalePlan, ScaleError> {
    match t.kind {
        ScaleKind::NodePool => plan_scale(&t.obj, text, &t.machines),
        ScaleKind::MachineSet => plan_machineset_scale(&t.obj, text, &t.machines),
    }
}

/// `2 5`, `2,5`, `2-5` or `min=2 max=5` → (2, 5).
pub fn parse_min_max(text: &str) -> Option<(i64, i64)> {
    let nums: Vec<i64> = text
        .split(|c: char| !(c.is_ascii_digit()))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    match nums.as_slice() {
        [a, b] if !text.contains("-") || text.trim_start().starts_with(char::is_numeric) => {
            Some((*a, *b))
        }
        _ => None,
    }
}

/// The write request of a replica change, with the confirm naming the nodes likely to go.
fn replicas_request(t: &ScaleTarget, p: &ScalePlan) -> ConfirmRequest {
    let mut lines = vec![ConfirmLine::new(
        Tone::Plain,
        format!("Scale from {} to {} nodes?", p.from, p.to),
    )];
    if p.to < p.from {
        if t.kind == ScaleKind::MachineSet {
            lines.push(ConfirmLine::new(
                Tone::Bad,
                "Nodes are cordoned and drained before their machines are deleted.",
            ));
        }
        lines.push(ConfirmLine::new(Tone::Plain, "Likely to be removed:"));
        if p.likely_removed.is_empty() {
            lines.push(ConfirmLine::new(Tone::Muted, "  (no machines known)"));
        }
        for m in &p.likely_removed {
            lines.push(ConfirmLine::new(Tone::Bad, format!("  {m}")));
        }
    }
    if let Some(n) = &p.note {
        lines.push(ConfirmLine::new(Tone::Muted, n.clone()));
    }
    lines.push(ConfirmLine::new(
        Tone::Muted,
        "(scale subresource, pinned to this object and its current count)",
    ));
    scale_request(
        t,
        lines,
        ScaleChange::Replicas {
            from: p.from,
            to: p.to,
            likely_removed: p.likely_removed.clone(),
        },
    )
}

fn scale_request(t: &ScaleTarget, lines: Vec<ConfirmLine>, change: ScaleChange) -> ConfirmRequest {
    ConfirmRequest {
        title: format!("Scale {} {}/{}", t.kind.noun(), t.namespace(), t.name()),
        lines,
        prompt: None,
        write: WriteRequest::Scale(ScaleWrite {
            kind: t.kind,
            namespace: t.namespace().to_string(),
            name: t.name().to_string(),
            uid: str_at(&t.obj, "/metadata/uid").map(str::to_string),
            had_replicas: t.obj.pointer("/spec/replicas").is_some(),
            change,
            origin: Origin::default(),
        }),
    }
}

impl App {
    /// Why scaling on the active pane is disabled, as far as known without asking (status bar).
    pub fn scale_disabled(&self) -> Option<String> {
        let t = self.pane()?.scaling()?.scale_target()?;
        let a = scale_io::access(t.kind, t.namespace(), false);
        match self.gate.check_write(&[a]) {
            Verdict::Denied(why) => Some(why),
            _ => None,
        }
    }

    /// Before opening an entry dialog (not a write yet): refuse at once what the gate already
    /// knows is refused, so nobody types a number that cannot be written.
    fn scale_refused(&mut self, t: &ScaleTarget, autoscaling: bool) -> bool {
        let a = scale_io::access(t.kind, t.namespace(), autoscaling);
        match self.gate.check_write(&[a]) {
            Verdict::Denied(why) => {
                self.notify(format!("scaling disabled: {why}"));
                true
            }
            _ => false,
        }
    }

    pub(crate) fn scale_key(&mut self, step: ScaleStep) -> bool {
        if self.doc.is_some() || self.overlay != Overlay::None {
            return false;
        }
        let Some(target) = self
            .pane()
            .and_then(|p| p.scaling())
            .and_then(|s| s.scale_target())
        else {
            if self
                .pane()
                .is_some_and(|p| p.kind() != crate::watch::NODES.id)
            {
                self.notify("select a node pool or MachineSet to scale");
            }
            return true;
        };
        let mut d = ScaleDialog {
            target,
            stage: ScaleStage::Typing,
            input: LineInput::default(),
            error: None,
        };
        match step {
            ScaleStep::Type => {
                let autoscaled = d.target.kind == ScaleKind::NodePool
                    && d.target.obj.pointer("/spec/autoScaling").is_some();
                if self.scale_refused(&d.target, autoscaled) {
                    return true;
                }
            }
            ScaleStep::Up | ScaleStep::Down => {
                let text = if step == ScaleStep::Up { "+" } else { "-" };
                match plan(&d.target, text) {
                    Ok(p) => {
                        self.request_write(replicas_request(&d.target, &p));
                        return true;
                    }
                    Err(e) => {
                        if !self.refused(&mut d, e, false) {
                            return true;
                        }
                        if self.scale_refused(&d.target, true) {
                            return true;
                        }
                    }
                }
            }
        }
        self.scale.dialog = Some(d);
        self.overlay = Overlay::Scale;
        true
    }

    /// A refused plan: autoscaling turns the dialog into the min/max edit (node pools); other
    /// errors are shown in the dialog when typing (`in_dialog`), else as a notice. Returns
    /// whether the dialog should (stay) open.
    fn refused(&mut self, d: &mut ScaleDialog, e: ScaleError, in_dialog: bool) -> bool {
        match (e, d.target.kind) {
            (ScaleError::Autoscaling { min, max }, ScaleKind::NodePool) => {
                d.stage = ScaleStage::Autoscaling { min, max };
                d.input = LineInput::with_text(&format!("{min} {max}"));
                d.error = None;
                true
            }
            (e @ ScaleError::Autoscaling { .. }, ScaleKind::MachineSet) => {
                self.notify(format!(
                    "{e} (a MachineAutoscaler owns this MachineSet: edit it instead)"
                ));
                false
            }
            (e, _) if in_dialog => {
                d.error = Some(e.to_string());
                true
            }
            (e, _) => {
                self.notify(e.to_string());
                false
            }
        }
    }

    pub(crate) fn scale_input(&mut self, key: &KeyEvent) {
        if let Some(d) = &mut self.scale.dialog {
            d.input.key(key);
            d.error = None;
        }
    }

    pub(crate) fn scale_back(&mut self) {
        if self.scale.dialog.take().is_some() {
            self.notify("scale cancelled");
        }
        self.overlay = Overlay::None;
    }

    /// Enter in the dialog: a valid entry becomes a write request (gate, then confirm).
    pub(crate) fn scale_submit(&mut self) {
        let Some(mut d) = self.scale.dialog.take() else {
            self.overlay = Overlay::None;
            return;
        };
        self.overlay = Overlay::None;
        let request = match d.stage.clone() {
            ScaleStage::Typing => match plan(&d.target, d.input.text()) {
                Ok(p) => Some(replicas_request(&d.target, &p)),
                Err(e) => {
                    if !self.refused(&mut d, e, true) {
                        return;
                    }
                    None
                }
            },
            ScaleStage::Autoscaling { .. } => {
                let platform = str_at(&d.target.obj, "/spec/platform/type").unwrap_or("");
                match parse_min_max(d.input.text()) {
                    None => {
                        d.error = Some("type the new min and max, e.g. `2 5`".into());
                        None
                    }
                    Some((min, max)) => match validate_autoscaling(platform, min, max) {
                        Ok(()) => Some(scale_request(
                            &d.target,
                            vec![
                                ConfirmLine::new(
                                    Tone::Plain,
                                    format!("Set autoscaling to min {min}, max {max}?"),
                                ),
                                ConfirmLine::new(
                                    Tone::Muted,
                                    "(patch spec.autoScaling, pinned to this object)",
                                ),
                            ],
                            ScaleChange::Autoscaling { min, max },
                        )),
                        Err(e) => {
                            d.error = Some(e.to_string());
                            None
                        }
                    },
                }
            }
        };
        match request {
            Some(r) => self.request_write(r),
            None => {
                self.scale.dialog = Some(d);
                self.overlay = Overlay::Scale;
            }
        }
    }
}

/// Current `spec.replicas` of a target (for the dialog).
pub fn replicas(t: &ScaleTarget) -> Option<i64> {
    i64_at(&t.obj, "/spec/replicas")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_parsing() {
        assert_eq!(parse_min_max("2 5"), Some((2, 5)));
        assert_eq!(parse_min_max("min=1, max=3"), Some((1, 3)));
        assert_eq!(parse_min_max("2"), None);
        assert_eq!(parse_min_max("x y"), None);
        assert_eq!(parse_min_max("-1 3"), None);
    }
}
