//! End to end for the CSR pane: the simulated hub in-process over real HTTP, the real App and
//! Session driven with keys, the screen read from a TestBackend. Approving a client CSR brings
//! the serving CSR, approving that makes the node Ready; bulk approval skips the invalid CSR; a
//! failing CSR needs the typed override; a viewer sees the actions disabled with the reason.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use serde_json::Value;
use shiftdeck::app::App;
use shiftdeck::event_loop::Session;
use shiftdeck_sim::{self as sim, SimHandle, SimOptions, SimUser};
use tui_support::{Screen, command, press, type_text};

const SCREEN: Screen = Screen {
    w: 170,
    h: 45,
    never: &[],
    wait: tui_support::WAIT,
};
const CSR: &str = "certificatesigningrequests.certificates.k8s.io";

fn screen(app: &App) -> String {
    SCREEN.render(app)
}

async fn wait_for(session: &mut Session, what: &str, pred: impl Fn(&str) -> bool) -> String {
    SCREEN.wait_for(session, what, pred).await
}

/// Clear the current filter (Esc), then filter for `text`.
fn filter(session: &mut Session, text: &str) {
    press(session, KeyCode::Esc);
    tui_support::filter(session, text);
}

/// Screen lines mentioning `needle`.
fn lines_with<'a>(s: &'a str, needle: &str) -> Vec<&'a str> {
    s.lines().filter(|l| l.contains(needle)).collect()
}

fn csrs_of(h: &SimHandle, node: &str) -> Vec<Value> {
    let res = sim::resources::by_key(CSR);
    let cn = format!("system:node:{node}");
    h.store
        .list(res, None)
        .0
        .into_iter()
        .map(|o| (*o).clone())
        .filter(|o| {
            o.pointer("/spec/request")
                .and_then(Value::as_str)
                .and_then(|r| shiftdeck::csr::decode::decode_base64(r).ok())
                .is_some_and(|d| d.common_name() == Some(cn.as_str()))
        })
        .collect()
}

fn condition_types(csr: &Value) -> Vec<String> {
    csr.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("type").and_then(Value::as_str).map(str::to_string))
        .collect()
}

async fn session_for(h: &SimHandle, read_only: bool, audit: Option<std::path::PathBuf>) -> Session {
    let mut app = tui_support::app(read_only);
    app.user = "e2e-admin".into();
    app.audit_path = audit;
    let mut session = SCREEN.open(&h.kubeconfig_yaml(), app);
    command(&mut session, "csr");
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_client_then_serving_and_the_node_becomes_ready() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let h = sim::start(SimOptions {
        speed: 20.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = session_for(&h, false, Some(audit.clone())).await;
    wait_for(
        &mut session,
        "the pending client CSR of arm64-worker-2",
        |s| {
            s.contains("● live")
                && s.contains("CSRs — pending only")
                && s.contains("arm64-worker-2")
        },
    )
    .await;
    filter(&mut session, "arm64-worker-2");
    // RBAC answers arrive from a task; until then `a` says it is checking.
    let s = open_dialog(&mut session, 'a', "Approve csr-").await;
    assert!(
        s.contains("for node arm64-worker-2") && s.contains("all 13 checks passed"),
        "{s}"
    );
    assert!(
        !s.contains("Type `arm64-worker-2`"),
        "no override needed: {s}"
    );
    press(&mut session, KeyCode::Enter);

    // The kubelet posts its serving CSR once the client certificate is issued.
    let s = wait_for(&mut session, "the serving CSR", |s| {
        lines_with(s, "arm64-worker-2")
            .iter()
            .any(|l| l.contains("serving") && l.contains("Pending"))
    })
    .await;
    assert!(
        lines_with(&s, "arm64-worker-2")
            .iter()
            .all(|l| !l.contains("client")),
        "the approved client CSR left the pending-only view: {s}"
    );
    press(&mut session, KeyCode::Char('a'));
    let s = screen(&session.app);
    assert!(s.contains("(serving) for node arm64-worker-2"), "{s}");
    press(&mut session, KeyCode::Enter);
    wait_for(&mut session, "no pending CSR for arm64-worker-2", |s| {
        s.contains("No CSRs match") || lines_with(s, "arm64-worker-2").len() <= 1
    })
    .await;

    // History shows both, approved.
    press(&mut session, KeyCode::Char('h'));
    let s = wait_for(&mut session, "history", |s| {
        lines_with(s, "arm64-worker-2")
            .iter()
            .filter(|l| l.contains("Approved"))
            .count()
            >= 2
    })
    .await;
    assert!(s.contains("CSRs — all"), "{s}");

    // Joining view: the node went through the whole pipeline.
    press(&mut session, KeyCode::Char('J'));
    wait_for(
        &mut session,
        "arm64-worker-2 Ready in the joining view",
        |s| {
            lines_with(s, "arm64-worker-2")
                .iter()
                .any(|l| l.contains("Ready") && l.contains('✓'))
        },
    )
    .await;
    press(&mut session, KeyCode::Char('J'));

    // The Nodes pane shows it Ready.
    command(&mut session, "nodes");
    filter(&mut session, "arm64-worker-2");
    wait_for(&mut session, "node arm64-worker-2 Ready", |s| {
        lines_with(s, "arm64-worker-2")
            .iter()
            .any(|l| l.contains(" Ready ") && !l.contains("NotReady"))
    })
    .await;

    // Both decisions are in the audit log, by our user, with their checks.
    let log = std::fs::read_to_string(&audit).unwrap();
    let recs: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2, "{log}");
    for (r, kind) in recs.iter().zip(["client", "serving"]) {
        assert_eq!(r["action"], "approve");
        // The identity the API server knows (SelfSubjectReview), not $USER.
        assert_eq!(r["user"], "system:admin");
        assert_eq!(r["local_user"], "e2e-admin");
        assert!(r["uid"].as_str().is_some_and(|u| !u.is_empty()), "{r}");
        assert_eq!(r["context"], "hub");
        assert_eq!(r["node"], "arm64-worker-2");
        assert_eq!(r["kind"], kind);
        assert_eq!(r["outcome"], "approved");
        assert_eq!(r["override"], false);
    }
    // The cluster has the condition shiftdeck wrote.
    let approved: Vec<Value> = csrs_of(&h, "arm64-worker-2")
        .into_iter()
        .filter(|c| condition_types(c).contains(&"Approved".to_string()))
        .collect();
    assert!(approved.len() >= 2);
    let cond = approved[0]
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|c| c["type"] == "Approved"))
        .cloned()
        .unwrap();
    assert_eq!(cond["reason"], "ShiftdeckApprove");
    assert!(
        cond["message"]
            .as_str()
            .unwrap()
            .contains("approved by system:admin via shiftdeck"),
        "{cond}"
    );
    h.shutdown();
}

/// Wait until the RBAC answers are in (the `A` dialog opens).
async fn open_dialog(session: &mut Session, key: char, title: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        press(session, KeyCode::Char(key));
        let s = screen(&session.app);
        if s.contains(title) {
            return s;
        }
        assert!(Instant::now() < deadline, "no `{title}` dialog: {s}");
        let _ = tokio::time::timeout(Duration::from_millis(300), session.next()).await;
    }
}

/// A bootstrap client CSR named `name` for `node`, as the node-bootstrapper posts it, with the
/// subject organisations `orgs`.
fn bootstrap_csr(name: &str, node: &str, org: &str) -> Value {
    let pem = sim::pki::csr_pem(&format!("system:node:{node}"), Some(org), &[], &[]).unwrap();
    serde_json::json!({
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {
            "request": sim::pki::b64(&pem),
            "signerName": shiftdeck::csr::SIGNER_CLIENT,
            "username": shiftdeck::csr::NODE_BOOTSTRAPPER,
            "groups": shiftdeck::csr::NODE_BOOTSTRAPPER_GROUPS,
            "usages": ["digital signature", "client auth"],
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_approvable_overrides_by_node_name_and_a_swapped_csr_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let res = sim::resources::by_key(CSR);
    // No Machine has this node: the `machine` check fails, a judgment call (override).
    h.store
        .create(
            res,
            bootstrap_csr("zz-swap", "edge-7", "system:nodes"),
            false,
        )
        .unwrap();
    let mut session = session_for(&h, false, Some(audit.clone())).await;
    let s = wait_for(&mut session, "three pending CSRs", |s| {
        s.contains("3 pending of") && s.contains("arm64-worker-legacy") && s.contains("zz-swap")
    })
    .await;
    assert!(
        lines_with(&s, "arm64-worker-legacy")[0].contains("requestor"),
        "CHECK names the failed check: {s}"
    );

    let s = open_dialog(&mut session, 'A', "Approve all passing CSRs").await;
    assert!(s.contains("client: 1   serving: 0"), "{s}");
    assert!(s.contains("arm64-worker-2: 1"), "{s}");
    assert!(s.contains("Skipped (2 failing a check or without a"), "{s}");
    press(&mut session, KeyCode::Enter);
    wait_for(&mut session, "two pending CSRs left", |s| {
        s.contains("2 pending of")
    })
    .await;
    let bad = csrs_of(&h, "arm64-worker-legacy");
    assert_eq!(bad.len(), 1);
    assert!(condition_types(&bad[0]).is_empty(), "bulk skipped it");

    // The wrong requestor can never be approved: no dialog, not even with a typed name.
    filter(&mut session, "arm64-worker-legacy");
    press(&mut session, KeyCode::Char('a'));
    let s = screen(&session.app);
    assert!(!s.contains("Approve csr-"), "{s}");
    assert!(s.contains("can never be approved"), "{s}");

    // The overridable one: `approve` alone does not confirm, the node name does.
    filter(&mut session, "zz-swap");
    let s = open_dialog(&mut session, 'a', "Approve zz-swap").await;
    assert!(
        s.contains("Checks failed. Type the node name `edge-7` to override")
            && s.contains("Overriding: machine"),
        "{s}"
    );
    type_text(&mut session, "approve");
    press(&mut session, KeyCode::Enter);
    assert!(screen(&session.app).contains("does not confirm"));
    press(&mut session, KeyCode::Esc);

    // Swap: with the dialog open, zz-swap is deleted and re-created as a system:masters request.
    let s = open_dialog(&mut session, 'a', "Approve zz-swap").await;
    let old_uid = h.store.get(res, None, "zz-swap").unwrap()["metadata"]["uid"].clone();
    assert!(
        s.contains(old_uid.as_str().unwrap()),
        "the dialog shows the uid: {s}"
    );
    h.store.delete(res, None, "zz-swap", false).unwrap();
    h.store
        .create(
            res,
            bootstrap_csr("zz-swap", "edge-7", "system:masters"),
            false,
        )
        .unwrap();
    type_text(&mut session, "edge-7");
    press(&mut session, KeyCode::Enter);
    let s = wait_for(&mut session, "the refusal", |s| s.contains("refused")).await;
    assert!(s.contains("deleted and re-created"), "{s}");
    let swapped = h.store.get(res, None, "zz-swap").unwrap();
    assert!(
        condition_types(&swapped).is_empty(),
        "nothing approved: {swapped}"
    );

    // Put the harmless one back and override it by name.
    h.store.delete(res, None, "zz-swap", false).unwrap();
    h.store
        .create(
            res,
            bootstrap_csr("zz-swap", "edge-7", "system:nodes"),
            false,
        )
        .unwrap();
    wait_for(&mut session, "the new zz-swap", |s| s.contains("zz-swap")).await;
    // The old row is still on screen: let the view catch up with the new object (views catch up
    // at most every DATA_SYNC), so the dialog opens on the object the server now holds.
    let caught_up = tokio::time::Instant::now() + shiftdeck::event_loop::DATA_SYNC * 2;
    while let Some(left) = caught_up.checked_duration_since(tokio::time::Instant::now()) {
        let _ = tokio::time::timeout(left, session.next()).await;
    }
    open_dialog(&mut session, 'a', "Approve zz-swap").await;
    type_text(&mut session, "edge-7");
    press(&mut session, KeyCode::Enter);
    wait_for(&mut session, "the override approval", |s| {
        s.contains("zz-swap: approved")
    })
    .await;
    let c = h.store.get(res, None, "zz-swap").unwrap();
    let cond = c
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|c| c["type"] == "Approved"))
        .cloned()
        .unwrap();
    let msg = cond["message"].as_str().unwrap();
    assert!(
        msg.contains("approved by system:admin via shiftdeck")
            && msg.contains("override: failed checks: machine"),
        "{cond}"
    );

    let log = std::fs::read_to_string(&audit).unwrap();
    let recs: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 3, "bulk, refused swap, override: {log}");
    let refused = &recs[1];
    assert_eq!(
        refused["uid"], old_uid,
        "the record names the CSR that was checked"
    );
    assert!(
        refused["outcome"].as_str().unwrap().starts_with("refused"),
        "{refused}"
    );
    let over = &recs[2];
    assert_eq!(over["node"], "edge-7");
    assert_eq!(over["user"], "system:admin");
    assert_eq!(over["override"], true);
    assert_eq!(over["failed_checks"][0], "machine");
    assert_eq!(over["uid"], c["metadata"]["uid"]);
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_and_read_only_see_actions_disabled_with_the_reason() {
    let h = sim::start(SimOptions {
        live: false,
        user: SimUser::Viewer,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = session_for(&h, false, None).await;
    let s = wait_for(&mut session, "the RBAC reason", |s| {
        s.contains("actions disabled: RBAC: you may not") && s.contains("arm64-worker-2")
    })
    .await;
    assert!(s.contains("arm64-worker-2"), "{s}");
    press(&mut session, KeyCode::Char('a'));
    let s = screen(&session.app);
    assert!(!s.contains("Approve csr-"), "{s}");
    assert!(s.contains("action disabled: RBAC"), "{s}");
    command(&mut session, "autoapprove on");
    let s = screen(&session.app);
    assert!(!s.contains("AUTO-APPROVE ON"), "{s}");
    assert!(condition_types(&csrs_of(&h, "arm64-worker-2")[0]).is_empty());
    h.shutdown();

    let admin = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = session_for(&admin, true, None).await;
    let s = wait_for(&mut session, "the read-only reason", |s| {
        s.contains("arm64-worker-2") && s.contains("actions disabled: read-only mode")
    })
    .await;
    assert!(s.contains("READ-ONLY"), "{s}");
    press(&mut session, KeyCode::Char('A'));
    let s = screen(&session.app);
    assert!(!s.contains("Approve all"), "{s}");
    admin.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoapprove_takes_arriving_valid_csrs_only() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let h = sim::start(SimOptions {
        speed: 20.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut session = session_for(&h, false, Some(audit.clone())).await;
    wait_for(&mut session, "the CSR list", |s| {
        s.contains("● live") && s.contains("arm64-worker-legacy")
    })
    .await;
    // Turning it on needs the RBAC answers; retry until the header says so.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !screen(&session.app).contains("AUTO-APPROVE ON") {
        assert!(Instant::now() < deadline, "{}", screen(&session.app));
        command(&mut session, "autoapprove on");
        let _ = tokio::time::timeout(Duration::from_millis(300), session.next()).await;
    }
    let auto_records = |audit: &std::path::Path| -> Vec<Value> {
        std::fs::read_to_string(audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .filter(|r: &Value| r["action"] == "auto-approve")
            .collect()
    };
    // Machines keep arriving: both CSRs of one of them get approved without a key press.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let recs = auto_records(&audit);
        let serving = recs.iter().any(|r| r["kind"] == "serving");
        if serving {
            break;
        }
        assert!(Instant::now() < deadline, "no auto-approval: {recs:?}");
        let _ = tokio::time::timeout(Duration::from_millis(300), session.next()).await;
        session.run_effects();
    }
    let recs = auto_records(&audit);
    for r in &recs {
        assert_eq!(r["failed_checks"], serde_json::json!([]), "{r}");
        assert_eq!(r["override"], false);
    }
    // The invalid CSR from before is untouched, and nothing pending before was taken.
    assert!(condition_types(&csrs_of(&h, "arm64-worker-legacy")[0]).is_empty());
    assert!(
        condition_types(&csrs_of(&h, "arm64-worker-2")[0]).is_empty(),
        "the backlog waits for a human"
    );
    command(&mut session, "autoapprove off");
    assert!(!screen(&session.app).contains("AUTO-APPROVE ON"));
    h.shutdown();
}
