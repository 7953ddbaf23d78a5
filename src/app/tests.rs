use super::*;
use crate::config::Config;

#[test]
fn configured_uses_flags_then_config_then_defaults() {
    let mut cfg = Config {
        theme: Some("light".into()),
        ..Default::default()
    };
    cfg.keys.insert("quit".into(), vec!["x".into()]);
    let app = App::configured(&cfg, None, None, false);
    assert_eq!(app.theme.name, "light");
    assert_eq!(app.keymap.first_label("quit").as_deref(), Some("x"));
    let app = App::configured(&cfg, None, Some("high-contrast"), true);
    assert_eq!(app.theme.name, "high-contrast");
    assert!(app.gate.read_only());
    let app = App::configured(&cfg, None, Some("/nonexistent/theme.toml"), false);
    assert_eq!(app.theme, Theme::default());
    let w = app.startup_warning().unwrap();
    assert!(
        w.starts_with("/nonexistent/theme.toml: no such theme")
            && w.ends_with("(using the default theme)"),
        "{w}"
    );
}

fn notice(app: &App) -> Option<&str> {
    app.notice.as_ref().map(|(n, _)| n.as_str())
}

/// Which optional capabilities a pane answers `Some` for, by name.
fn capabilities(p: &mut dyn Pane) -> Vec<&'static str> {
    let mut caps = Vec::new();
    if p.writes().is_some() {
        caps.push("writes");
    }
    assert_eq!(p.writes().is_some(), p.writes_mut().is_some());
    if p.scaling().is_some() {
        caps.push("scaling");
    }
    if p.documents().is_some() {
        caps.push("documents");
    }
    assert_eq!(p.documents().is_some(), p.documents_mut().is_some());
    if p.guests().is_some() {
        caps.push("guests");
    }
    if p.links().is_some() {
        caps.push("links");
    }
    assert_eq!(p.links().is_some(), p.links_mut().is_some());
    if p.own_input().is_some() {
        caps.push("own_input");
    }
    if p.copies().is_some() {
        caps.push("copies");
    }
    if p.maintenance().is_some() {
        caps.push("maintenance");
    }
    caps
}

/// Each capability is answered by the panes that have it, and by no other.
#[test]
fn panes_answer_only_for_their_capabilities() {
    let mut got: Vec<(&'static str, Vec<&'static str>)> = panes()
        .iter_mut()
        .map(|p| (p.title(), capabilities(p.as_mut())))
        .collect();
    got.retain(|(_, caps)| !caps.is_empty());
    assert_eq!(
        got,
        vec![
            ("Overview", vec!["links"]),
            ("Nodes", vec!["documents"]),
            ("CSRs", vec!["writes"]),
            ("Hosted clusters", vec!["documents", "guests"]),
            ("Node pools", vec!["scaling"]),
            ("MachineSets", vec!["scaling"]),
            ("Copies", vec!["own_input", "copies"]),
            ("Maintenance", vec!["maintenance"]),
        ]
    );
}

/// A pane without a capability answers `None`, and the app then says the action does not apply
/// there (scale, open a guest, copy) or leaves a pane-scoped write key without effect.
#[test]
fn an_action_on_a_pane_without_its_capability_does_not_apply() {
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    app.update(Action::Command("co".into()));
    let p = app.panes.get_mut(app.active).expect("a pane");
    assert_eq!(p.title(), "Cluster operators");
    assert!(capabilities(p.as_mut()).is_empty());

    app.update(Action::Scale(crate::scale_io::ScaleStep::Up));
    assert_eq!(
        notice(&app),
        Some("select a node pool or MachineSet to scale")
    );
    assert_eq!(app.overlay, Overlay::None);
    app.update(Action::OpenGuest);
    assert_eq!(
        notice(&app),
        Some("o opens a guest cluster from the Hosted clusters pane (:hc)")
    );
    app.update(Action::Copy);
    assert_eq!(notice(&app), Some("nothing to copy on this row"));
    app.update(Action::Pane(crate::actions::PaneKey::Approve));
    assert!(app.pipeline.confirm.is_none() && app.pipeline.parked.is_none());
    assert!(app.take_effects().is_empty());
    assert_eq!(notice(&app), Some("nothing to copy on this row"));
}

/// Esc while a write waits for its permission answer cancels it: the answer that arrives later
/// opens no dialog over what the user does next (before, it popped up and swallowed keys).
#[test]
fn esc_cancels_a_request_waiting_for_its_permission_answer() {
    use crate::action::TaskResult;
    use crate::actions::csr_approve::CsrWrite;
    use crate::actions::{ConfirmLine, ConfirmRequest, Origin, Tone, WriteRequest};
    let mut app = App::new(Keymap::default(), Theme::default(), false);
    let write = WriteRequest::Csr(CsrWrite {
        decision: crate::csr::approval::Decision::Approve,
        items: vec![],
        auto: false,
        origin: Origin::default(),
    });
    let access = write.access();
    assert!(!access.is_empty(), "approving asks RBAC");
    app.request_write(ConfirmRequest {
        title: "Approve csr-1".into(),
        lines: vec![ConfirmLine::new(Tone::Plain, "csr-1")],
        prompt: None,
        write,
    });
    assert!(app.pipeline.parked.is_some(), "no answer yet: parked");
    app.update(Action::Back);
    assert!(app.pipeline.parked.is_none());
    assert_eq!(notice(&app), Some("cancelled: Approve csr-1"));
    for a in access {
        app.on_task(TaskResult::AccessChecked {
            generation: app.conn.generation,
            access: a,
            verdict: Ok(Verdict::Allowed),
        });
    }
    assert!(app.pipeline.confirm.is_none(), "no dialog after cancelling");
    assert_eq!(app.overlay, Overlay::None);
}
