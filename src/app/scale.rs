//! The app side of the scale actions on the Node pools and MachineSets panes: `+`/`-`/`=`, the
//! gate (read-only, then RBAC answers fetched by a task), the number input, the confirm step
//! naming the nodes likely to go, the autoscaling min/max edit, and the outcome. No I/O: writes
//! and RBAC questions leave as `Effect`s.

use crossterm::event::KeyEvent;

use super::input::LineInput;
use super::{App, Effect, Overlay};
use crate::action::Action;
use crate::fleet::scale::{
    ScaleError, ScalePlan, autoscaling_patch, plan_machineset_scale, plan_scale,
    validate_autoscaling,
};
use crate::fleet::util::{i64_at, str_at};
use crate::gate::{Access, GatedAction, Verdict};
use crate::panes::fleet::{ScaleKind, ScaleTarget};
use crate::scale_io::{self, ScaleChange, ScaleJob, ScaleStep};

/// Where the scale dialog is.
#[derive(Debug, Clone, PartialEq)]
pub enum ScaleStage {
    /// Typing a node count (`N`, `+N`, `-N`).
    Typing,
    /// Confirming a replica change.
    Confirm(ScalePlan),
    /// Typing autoscaling `min max` (replicas are owned by the autoscaler).
    Autoscaling { min: i64, max: i64 },
    /// Confirming an autoscaling change.
    ConfirmAutoscaling { min: i64, max: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScaleDialog {
    pub target: ScaleTarget,
    pub stage: ScaleStage,
    pub input: LineInput,
    /// Why the last entry was refused.
    pub error: Option<String>,
}

/// Scale state of the app: the open dialog and a key waiting for an RBAC answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleState {
    pub dialog: Option<ScaleDialog>,
    pending: Option<(ScaleStep, Access)>,
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

impl App {
    /// Why scaling on the active pane is disabled, as far as known without asking (status bar).
    pub fn scale_disabled(&self) -> Option<String> {
        let t = self.pane()?.scale_target()?;
        let a = scale_io::access(t.kind, t.namespace(), false);
        match self.gate.check_local(&GatedAction::ClusterWrite(a)) {
            Verdict::Denied(why) => Some(why),
            _ => None,
        }
    }

    /// Gate an access: `true` when allowed; otherwise a notice says why, or the question goes
    /// out and `step` is replayed when the answer comes.
    fn scale_gate(&mut self, access: Access, step: ScaleStep) -> bool {
        match self
            .gate
            .check_local(&GatedAction::ClusterWrite(access.clone()))
        {
            Verdict::Allowed => true,
            Verdict::Denied(why) => {
                self.notify(format!("scaling disabled: {why}"));
                false
            }
            Verdict::Ask => {
                self.notify("checking permissions with the API server…");
                self.scale.pending = Some((step, access.clone()));
                self.effects.push(Effect::CheckScaleAccess(access));
                false
            }
        }
    }

    pub(crate) fn scale_key(&mut self, step: ScaleStep) -> bool {
        if self.doc.is_some() || self.overlay != Overlay::None {
            return false;
        }
        let Some(target) = self.pane().and_then(|p| p.scale_target()) else {
            if self
                .pane()
                .is_some_and(|p| p.kind() != crate::watch::NODES.id)
            {
                self.notify("select a node pool or MachineSet to scale");
            }
            return true;
        };
        let autoscaled =
            target.kind == ScaleKind::NodePool && target.obj.pointer("/spec/autoScaling").is_some();
        let access = scale_io::access(target.kind, target.namespace(), autoscaled);
        if !self.scale_gate(access, step) {
            return true;
        }
        let mut d = ScaleDialog {
            target,
            stage: ScaleStage::Typing,
            input: LineInput::default(),
            error: None,
        };
        match step {
            ScaleStep::Type => {}
            ScaleStep::Up | ScaleStep::Down => {
                let text = if step == ScaleStep::Up { "+" } else { "-" };
                match plan(&d.target, text) {
                    Ok(p) => d.stage = ScaleStage::Confirm(p),
                    Err(e) => {
                        if !self.refused(&mut d, e, false) {
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
        if let Some(d) = &mut self.scale.dialog
            && matches!(d.stage, ScaleStage::Typing | ScaleStage::Autoscaling { .. })
        {
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

    /// Enter in the dialog.
    pub(crate) fn scale_submit(&mut self) {
        let Some(mut d) = self.scale.dialog.take() else {
            self.overlay = Overlay::None;
            return;
        };
        let keep = match d.stage.clone() {
            ScaleStage::Typing => match plan(&d.target, d.input.text()) {
                Ok(p) => {
                    d.stage = ScaleStage::Confirm(p);
                    true
                }
                Err(e) => self.refused(&mut d, e, true),
            },
            ScaleStage::Autoscaling { .. } => {
                let platform = str_at(&d.target.obj, "/spec/platform/type").unwrap_or("");
                match parse_min_max(d.input.text()) {
                    None => d.error = Some("type the new min and max, e.g. `2 5`".into()),
                    Some((min, max)) => match validate_autoscaling(platform, min, max) {
                        Ok(()) => d.stage = ScaleStage::ConfirmAutoscaling { min, max },
                        Err(e) => d.error = Some(e.to_string()),
                    },
                }
                true
            }
            ScaleStage::Confirm(p) => {
                let change = ScaleChange::Replicas {
                    from: p.from,
                    to: p.to,
                    likely_removed: p.likely_removed.clone(),
                };
                self.send_scale(&d.target, change, p.body.clone());
                false
            }
            ScaleStage::ConfirmAutoscaling { min, max } => {
                self.send_scale(
                    &d.target,
                    ScaleChange::Autoscaling { min, max },
                    autoscaling_patch(min, max),
                );
                false
            }
        };
        if keep {
            self.scale.dialog = Some(d);
            self.overlay = Overlay::Scale;
        } else {
            self.overlay = Overlay::None;
        }
    }

    fn send_scale(&mut self, t: &ScaleTarget, change: ScaleChange, body: serde_json::Value) {
        let what = format!("{} {}/{}", t.kind.noun(), t.namespace(), t.name());
        self.notify(match &change {
            ScaleChange::Replicas { from, to, .. } => format!("{what}: scaling {from} → {to}…"),
            ScaleChange::Autoscaling { min, max } => {
                format!("{what}: setting autoscaling min {min}, max {max}…")
            }
        });
        self.effects.push(Effect::Scale(ScaleJob {
            generation: self.conn.generation,
            kind: t.kind,
            namespace: t.namespace().to_string(),
            name: t.name().to_string(),
            change,
            body,
            context: self.conn.context.clone(),
            user: self.user.clone(),
            audit: self.audit_path.clone(),
        }));
    }

    /// A scale outcome or RBAC answer from a task.
    pub(crate) fn on_scale_msg(&mut self, action: Action) -> bool {
        match action {
            Action::ScaleDone(o) if o.generation == self.conn.generation => {
                self.notify(o.message);
                true
            }
            Action::ScaleAccess {
                generation,
                access,
                verdict,
            } if generation == self.conn.generation => {
                if !matches!(verdict, Verdict::Denied(ref w) if w.starts_with("cannot check")) {
                    self.gate.remember(access.clone(), verdict.clone());
                }
                match self.scale.pending.take() {
                    Some((step, a)) if a == access => {
                        if let Verdict::Denied(why) = verdict {
                            self.notify(format!("scaling disabled: {why}"));
                        } else {
                            self.notice = None;
                            return self.scale_key(step);
                        }
                    }
                    other => self.scale.pending = other,
                }
                true
            }
            _ => false,
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
