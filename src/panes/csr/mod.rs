//! The CSR pane (`:csr`): pending node CSRs first with their checks and approval deadline,
//! history a key away, the joining-nodes pipeline, and approve / deny / approve-all behind a
//! confirm dialog. The core (decode, checks, rows, approval policy) is `crate::csr`.

pub mod details;
pub mod joining_view;
pub mod model;
pub mod view;

use std::time::Instant;

use k8s_openapi::jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use self::model::{COLUMNS, CsrModel};
use super::filter::Filter;
use super::{Pane, RenderCtx, Writes};
use crate::action::Action;
use crate::actions::csr_approve::{CsrItem, CsrWrite, approval_access, signer_access};
use crate::actions::{
    ConfirmLine, ConfirmRequest, Origin, PaneKey, PaneRequest, Tone, WriteRequest,
};
use crate::csr::approval::{
    Decision, bulk_approvable, needs_override, needs_typed_node_name, override_allowed,
};
use crate::csr::checks::{Check, CheckClass, Validation};
use crate::csr::rows::HistoryFilter;
use crate::csr::state::{CsrState, csr_state};
use crate::csr::{SIGNER_CLIENT, SIGNER_SERVING, display_safe};
use crate::gate::Access;
use crate::watch::{CSRS, KindState, MACHINES, NODES, Stores};

pub struct CsrPane {
    pub model: CsrModel,
    /// Showing the joining-nodes view instead of the table.
    pub joining: bool,
}

impl Default for CsrPane {
    fn default() -> Self {
        CsrPane {
            model: CsrModel::new(),
            joining: false,
        }
    }
}

/// Check lines for a confirm dialog.
fn check_lines(v: &Validation) -> Vec<ConfirmLine> {
    v.checks
        .iter()
        .map(|c| {
            let (mark, tone) = if c.passed {
                ("✓", Tone::Good)
            } else {
                ("✗", Tone::Bad)
            };
            ConfirmLine::new(
                tone,
                display_safe(&format!("  {mark} {}: {}", c.title, c.reason)),
            )
        })
        .collect()
}

impl CsrPane {
    /// Whether a catch-up that `changed` the model changed what is on screen: Nodes alone
    /// show only in the joining view.
    fn shown(&self, changed: bool) -> bool {
        changed && (self.joining || !self.model.only_nodes_changed())
    }

    fn single(&self, decision: Decision) -> PaneRequest {
        let Some(row) = self.model.selected_row() else {
            return PaneRequest::Notice("no CSR selected".into());
        };
        let Some((csr, v)) = self.model.get(&row.name) else {
            return PaneRequest::Notice(format!("{} is gone", row.name));
        };
        let name = display_safe(&row.name);
        let verb = match decision {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        };
        if csr_state(csr) != CsrState::Pending {
            return PaneRequest::Notice(format!(
                "{name} is already {}: nothing to {verb}",
                row.condition
            ));
        }
        // Over cluster-machine-approver's pending-CSR brake, even a passing CSR needs a human's
        // typed confirmation.
        let mut v = v.clone();
        if decision == Decision::Approve && self.model.limit.exceeded() {
            v.checks.push(Check {
                id: "pending-limit",
                title: "Pending-CSR limit",
                passed: false,
                reason: self.model.limit.reason(),
                class: CheckClass::Override,
            });
        }
        let v = &v;
        if decision == Decision::Approve && !override_allowed(v) {
            let ids: Vec<&str> = v.never_failures().map(|c| c.id).collect();
            let why = if ids.is_empty() {
                "no node name in the request".to_string()
            } else {
                format!("failed: {}", ids.join(", "))
            };
            return PaneRequest::Notice(format!(
                "{name} can never be approved ({why}); Enter shows why, d denies it"
            ));
        }
        let node = v.node.as_deref().map(display_safe);
        let mut lines = vec![
            ConfirmLine::new(
                Tone::Plain,
                format!(
                    "{} CSR {name} ({}) for node {}",
                    if decision == Decision::Approve {
                        "Approve"
                    } else {
                        "Deny"
                    },
                    v.kind.short(),
                    node.as_deref().unwrap_or("<unknown>")
                ),
            ),
            ConfirmLine::new(
                Tone::Muted,
                format!(
                    "requested by {}   uid {}",
                    display_safe(&row.requestor),
                    display_safe(csr.metadata.uid.as_deref().unwrap_or("?"))
                ),
            ),
            ConfirmLine::new(Tone::Plain, format!("Checks: {}", v.summary())),
        ];
        lines.extend(check_lines(v));
        let target = node.clone().unwrap_or_else(|| "<node>".into());
        let prompt = match decision {
            Decision::Deny => None,
            Decision::Approve if needs_override(v) => {
                lines.push(ConfirmLine::new(
                    Tone::Bad,
                    format!("Overriding: {}", v.failed_ids().join(", ")),
                ));
                Some(format!(
                    "Checks failed. Type the node name `{target}` to override:"
                ))
            }
            Decision::Approve if needs_typed_node_name(v) => {
                lines.push(ConfirmLine::new(
                    Tone::Bad,
                    "Overriding: no Machine vouches for this node (no Machine API)",
                ));
                Some(format!(
                    "Nothing but the request vouches for this node. Type the node name `{target}` to confirm:"
                ))
            }
            Decision::Approve => None,
        };
        lines.push(ConfirmLine::new(
            Tone::Muted,
            "At submit the CSR is read again: if it was replaced or changed, nothing is approved.",
        ));
        PaneRequest::Confirm(Box::new(ConfirmRequest {
            title: format!(
                "{} {name}",
                if decision == Decision::Approve {
                    "Approve"
                } else {
                    "Deny"
                }
            ),
            lines,
            prompt,
            write: WriteRequest::Csr(CsrWrite {
                decision,
                items: vec![CsrItem::pinned(csr, v)],
                auto: false,
                origin: Origin::default(),
            }),
        }))
    }

    fn approve_all(&self) -> PaneRequest {
        if self.model.limit.exceeded() {
            return PaneRequest::Notice(format!(
                "approve all is off: {}",
                self.model.limit.reason()
            ));
        }
        let bulk = bulk_approvable(self.model.pairs());
        if bulk.items.is_empty() {
            let pending = self.model.pending_count();
            return PaneRequest::Notice(if pending == 0 {
                "no pending CSRs".into()
            } else {
                format!(
                    "nothing to approve: all {pending} pending CSRs fail a check or need their node name typed (a)"
                )
            });
        }
        let mut lines = vec![
            ConfirmLine::new(
                Tone::Plain,
                format!(
                    "Approve {} pending CSR{} that pass{} every check, client first:",
                    bulk.items.len(),
                    if bulk.items.len() == 1 { "" } else { "s" },
                    if bulk.items.len() == 1 { "es" } else { "" },
                ),
            ),
            ConfirmLine::new(
                Tone::Good,
                format!("  client: {}   serving: {}", bulk.clients, bulk.serving),
            ),
            ConfirmLine::new(Tone::Plain, "Per node:"),
        ];
        for (node, n) in &bulk.per_node {
            lines.push(ConfirmLine::new(
                Tone::Plain,
                format!("  {}: {n}", display_safe(node)),
            ));
        }
        if !bulk.skipped.is_empty() {
            lines.push(ConfirmLine::new(
                Tone::Bad,
                format!(
                    "Skipped ({} failing a check or without a Machine vouching; approve them one by one): {}",
                    bulk.skipped.len(),
                    display_safe(&bulk.skipped.join(", "))
                ),
            ));
        }
        let items = bulk
            .items
            .iter()
            .filter_map(|i| {
                let (c, v) = self.model.get(&i.name)?;
                Some(CsrItem::pinned(c, v))
            })
            .collect();
        PaneRequest::Confirm(Box::new(ConfirmRequest {
            title: "Approve all passing CSRs".into(),
            lines,
            prompt: None,
            write: WriteRequest::Csr(CsrWrite {
                decision: Decision::Approve,
                items,
                auto: false,
                origin: Origin::default(),
            }),
        }))
    }
}

impl Pane for CsrPane {
    fn title(&self) -> &'static str {
        "CSRs"
    }
    fn warm_ahead(&self) -> bool {
        true
    }
    fn warm_ready(&self, stores: &Stores) -> bool {
        stores.csr_prevalidated.filled()
    }
    fn commands(&self) -> &'static [&'static str] {
        &["csr", "csrs", "certificatesigningrequests"]
    }
    fn kind(&self) -> &'static str {
        CSRS.id
    }
    fn reads(&self) -> &'static [&'static str] {
        &[CSRS.id, NODES.id, MACHINES.id]
    }
    fn columns(&self) -> Vec<(&'static str, char)> {
        COLUMNS.to_vec()
    }
    fn sync(&mut self, stores: &Stores, _now: Instant) -> bool {
        self.model.use_predecoded(stores.csr_predecoded.clone());
        self.model.use_prevalidated(stores.csr_prevalidated.clone());
        let changed = self.model.apply(
            stores.csrs.state(),
            &stores.nodes.state(),
            &stores.machines.state(),
            Timestamp::now(),
        );
        self.shown(changed)
    }
    fn sync_changed(
        &mut self,
        stores: &Stores,
        now: Instant,
        changed: &std::collections::BTreeSet<&'static str>,
    ) -> bool {
        if changed.contains(CSRS.id) || self.model.priming() {
            return self.sync(stores, now);
        }
        // Only Nodes or Machines moved (heartbeats): the 20,000 CSRs need no look, only the
        // pending ones that read what moved.
        let changed = self.model.apply_deps(
            &stores.nodes.state(),
            &stores.machines.state(),
            Timestamp::now(),
        );
        self.shown(changed)
    }
    fn background(&self) -> bool {
        // Auto-approval acts on arrivals whatever pane is shown.
        self.model.auto
    }
    fn tick(&mut self, _now: Instant) -> bool {
        // Ages and countdowns are drawn from the render clock; nothing to expire.
        false
    }
    fn animating(&self) -> bool {
        false
    }
    fn handle(&mut self, action: &Action, area: Rect) -> bool {
        view::handle(self, action, area)
    }
    fn set_filter(&mut self, text: &str) {
        self.model.filter = Filter::parse(text);
        self.model.selected = 0;
        self.model.rebuild_rows();
    }
    fn filter_text(&self) -> &str {
        self.model.filter.text()
    }
    fn selected_key(&self) -> Option<String> {
        self.model.selected_row().map(|r| r.name.clone())
    }
    fn object_json(&self, key: &str) -> Option<serde_json::Value> {
        let (c, _) = self.model.get(key)?;
        let mut v = serde_json::to_value(c.as_ref()).ok()?;
        let forgotten = c
            .status
            .as_ref()
            .and_then(|s| s.certificate.as_ref())
            .is_some_and(|b| crate::csr::state::certificate_forgotten(&b.0));
        if forgotten && let Some(status) = v.get_mut("status").and_then(|s| s.as_object_mut()) {
            status.insert(
                "certificate".into(),
                serde_json::Value::String(format!(
                    "(issued; not kept by shiftdeck: oc get csr {key} -o jsonpath='{{.status.certificate}}')"
                )),
            );
        }
        Some(v)
    }
    fn details(&self, key: &str, now: Timestamp) -> Option<Vec<Line<'static>>> {
        let (c, v) = self.model.get(key)?;
        if csr_state(c) == CsrState::Pending {
            return Some(details::lines(c, v, now));
        }
        // A decided CSR's row keeps a summary: its details show every check, made now.
        let full = self.model.validate_now(c, now);
        Some(details::lines(c, &full, now))
    }
    fn render(&self, frame: &mut Frame, area: Rect, ctx: &RenderCtx) {
        if self.joining {
            joining_view::render(self, frame, area, ctx);
        } else {
            view::render(self, frame, area, ctx);
        }
    }
    fn kind_state(&mut self, kind: &'static str, state: &KindState) -> bool {
        if kind == CSRS.id {
            self.model.set_live(*state == KindState::Live);
            true
        } else if kind == MACHINES.id {
            self.model.machines_installed = match state {
                KindState::NotInstalled => Some(false),
                KindState::Live => Some(true),
                _ => self.model.machines_installed,
            };
            true
        } else {
            false
        }
    }
    fn writes(&self) -> Option<&dyn Writes> {
        Some(self)
    }
    fn writes_mut(&mut self) -> Option<&mut dyn Writes> {
        Some(self)
    }
}

impl Writes for CsrPane {
    fn pane_key(&mut self, key: PaneKey, _now: Timestamp) -> Option<PaneRequest> {
        match key {
            PaneKey::Approve => Some(self.single(Decision::Approve)),
            PaneKey::Deny => Some(self.single(Decision::Deny)),
            PaneKey::ApproveAll => Some(self.approve_all()),
            PaneKey::ToggleHistory => {
                self.model.history = match self.model.history {
                    HistoryFilter::PendingOnly => HistoryFilter::All,
                    HistoryFilter::All => HistoryFilter::PendingOnly,
                };
                self.model.rebuild_rows();
                None
            }
            PaneKey::Joining => {
                self.joining = !self.joining;
                None
            }
            PaneKey::AutoApprove(on) => {
                self.model.set_auto(on);
                None
            }
        }
    }
    fn take_auto_writes(&mut self) -> Vec<WriteRequest> {
        let names = self.model.take_auto_approvals();
        let items: Vec<CsrItem> = names
            .iter()
            .filter_map(|n| {
                let (c, v) = self.model.get(n)?;
                Some(CsrItem::pinned(c, v))
            })
            .collect();
        if items.is_empty() {
            return Vec::new();
        }
        vec![WriteRequest::Csr(CsrWrite {
            decision: Decision::Approve,
            items,
            auto: true,
            origin: Origin::default(),
        })]
    }
    fn write_access(&self) -> Vec<Access> {
        vec![
            approval_access(),
            signer_access(SIGNER_CLIENT),
            signer_access(SIGNER_SERVING),
        ]
    }
}

#[cfg(test)]
mod tests;
