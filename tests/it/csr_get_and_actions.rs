//! `shiftdeck get csrs` against the simulated hub (the binary, a kubeconfig file, real HTTP),
//! and the approval task's calm answers for CSRs that are already decided or gone.
#![allow(clippy::unwrap_used)]

use serde_json::{Map, Value};
use shiftdeck::actions::csr_approve::{CsrItem, CsrWrite};
use shiftdeck::actions::{Origin, WriteRequest};
use shiftdeck::csr::approval::Decision;
use shiftdeck::csr::rows::HEADERS;
use shiftdeck_sim::{self as sim, SimOptions};

async fn run(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(args)
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .env_remove("KUBECONFIG")
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_csrs_json_table_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let h = sim::start(SimOptions {
        live: false,
        kubeconfig_out: Some(kc.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let kc = kc.to_str().unwrap();
    let out = run(&["get", "csrs", "-o", "json", "--kubeconfig", kc]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Map<String, Value>> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.len() > 2);
    let keys: Vec<&String> = rows[0].keys().collect();
    let mut want = HEADERS.to_vec();
    want.push("checks");
    assert_eq!(keys, want);
    // Pending first: the valid arrival and the one from the wrong requestor.
    assert_eq!(rows[0]["CONDITION"], "Pending");
    let by_node = |n: &str| rows.iter().find(|r| r["NODE"] == n).unwrap();
    let good = by_node("arm64-worker-2");
    assert_eq!(good["KIND"], "client");
    assert_eq!(good["CHECK"], "✓");
    assert!(good["DEADLINE"].as_str().unwrap().ends_with(" left"));
    let bad = by_node("arm64-worker-legacy");
    assert_eq!(bad["CHECK"], "requestor");
    assert_eq!(bad["REQUESTOR"], "system:serviceaccount:default:builder");
    // Every check, not only the first failure, so a script can audit all of them.
    let checks = bad["checks"].as_array().unwrap();
    assert!(checks.len() >= 10, "{checks:?}");
    let requestor = checks.iter().find(|c| c["id"] == "requestor").unwrap();
    assert_eq!(requestor["status"], "fail");
    assert_eq!(requestor["class"], "never");
    assert!(requestor["message"].as_str().unwrap().contains("builder"));
    assert!(
        checks
            .iter()
            .any(|c| c["status"] == "pass" && c["id"] == "signature")
    );
    // History is there too, issued.
    assert!(
        rows.iter()
            .any(|r| r["CONDITION"] == "Approved,Issued" && r["DEADLINE"] == ""),
        "{rows:?}"
    );

    let out = run(&["get", "csr", "--kubeconfig", kc]).await;
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("NAME") && first.contains("CHECK") && first.contains("DEADLINE"),
        "{text}"
    );
    let out = run(&["get", "csrs", "-o", "yaml", "--kubeconfig", kc]).await;
    let y: Vec<Map<String, Value>> = serde_yaml::from_slice(&out.stdout).unwrap();
    assert_eq!(y.len(), rows.len());
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decided_or_deleted_csrs_are_reported_calmly() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let res = sim::resources::by_key("certificatesigningrequests.certificates.k8s.io");
    let (all, _) = h.store.list(res, None);
    let approved = all
        .iter()
        .find(|c| c.to_string().contains("\"Approved\""))
        .and_then(|c| c.pointer("/metadata/name").and_then(Value::as_str))
        .unwrap()
        .to_string();
    let validation = shiftdeck::csr::checks::Validation {
        kind: shiftdeck::csr::CsrKind::Client,
        node: None,
        checks: vec![],
        renewal: false,
    };
    let api: kube::Api<k8s_openapi::api::certificates::v1::CertificateSigningRequest> =
        kube::Api::all(client.clone());
    let shown = api.get(&approved).await.unwrap();
    let mut gone = shown.clone();
    gone.metadata.name = Some("csr-does-not-exist".into());
    let pinned = [
        CsrItem::pinned(&shown, &validation),
        CsrItem::pinned(&gone, &validation),
    ];
    let item = |name: &str| pinned.iter().find(|i| i.name == name).unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let w = WriteRequest::Csr(CsrWrite {
        decision: Decision::Deny,
        items: vec![item(&approved), item("csr-does-not-exist")],
        auto: false,
        origin: Origin {
            user: "tester".into(),
            context: "hub".into(),
            audit: Some(audit.clone()),
        },
    });
    let report = shiftdeck::actions::run(client, w).await;
    assert_eq!(
        report.outcomes,
        vec![
            (approved.clone(), "already approved".to_string()),
            (
                "csr-does-not-exist".to_string(),
                "deleted meanwhile".to_string()
            ),
        ]
    );
    assert!(
        report.summary.starts_with("denied 0 of 2 CSRs"),
        "{}",
        report.summary
    );
    // Nothing changed in the cluster, and both attempts are audited.
    let after = h.store.get(res, None, &approved).unwrap();
    assert!(!after.to_string().contains("ShiftdeckDeny"));
    let log = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(log.lines().count(), 2);
    assert!(log.contains("\"action\":\"deny\""), "{log}");
    h.shutdown();
}

/// A tiny API server whose first PUT to `/approval` answers 409 Conflict (someone changed the
/// CSR meanwhile); the task must re-read the CSR, re-check it and succeed on the fresh object,
/// naming the approver the server knows (SelfSubjectReview) and pinning the uid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_is_retried_against_the_fresh_object() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use serde_json::json;

    #[derive(Clone)]
    struct Seen {
        gets: Arc<AtomicUsize>,
        puts: Arc<AtomicUsize>,
        last_put: Arc<std::sync::Mutex<Value>>,
        request: Arc<String>,
    }
    fn obj(rv: usize, request: &str) -> Value {
        json!({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": "csr-x", "uid": "uid-x", "resourceVersion": rv.to_string(),
                "creationTimestamp": "2026-11-24T12:00:00Z"},
            "spec": {"request": request, "signerName": shiftdeck::csr::SIGNER_CLIENT,
                "username": shiftdeck::csr::NODE_BOOTSTRAPPER,
                "groups": shiftdeck::csr::NODE_BOOTSTRAPPER_GROUPS,
                "usages": ["digital signature", "client auth"]}})
    }
    type Reply = (StatusCode, [(&'static str, &'static str); 1], String);
    fn reply(code: StatusCode, v: &Value) -> Reply {
        (code, [("content-type", "application/json")], v.to_string())
    }
    async fn get_csr(State(s): State<Seen>) -> Reply {
        let n = s.gets.fetch_add(1, Ordering::SeqCst);
        reply(StatusCode::OK, &obj(n + 1, &s.request))
    }
    async fn no_node() -> Reply {
        reply(
            StatusCode::NOT_FOUND,
            &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": "NotFound", "code": 404, "message": "nodes \"n1\" not found"}),
        )
    }
    async fn whoami() -> Reply {
        reply(
            StatusCode::CREATED,
            &json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
                "status": {"userInfo": {"username": "kube:admin", "groups": ["system:authenticated"]}}}),
        )
    }
    async fn put_approval(State(s): State<Seen>, body: axum::body::Bytes) -> Reply {
        let n = s.puts.fetch_add(1, Ordering::SeqCst);
        let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        *s.last_put.lock().unwrap() = sent.clone();
        if n == 0 {
            return reply(
                StatusCode::CONFLICT,
                &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "reason": "Conflict", "code": 409,
                    "message": "Operation cannot be fulfilled: the object has been modified"}),
            );
        }
        reply(StatusCode::OK, &sent)
    }
    // A real PKCS#10 request for node n1, base64 as in the API's JSON.
    let pem = {
        let mut params = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::OrganizationName, "system:nodes");
        dn.push(rcgen::DnType::CommonName, "system:node:n1");
        params.distinguished_name = dn;
        let key = rcgen::KeyPair::generate().unwrap();
        params.serialize_request(&key).unwrap().pem().unwrap()
    };
    use base64::Engine as _;
    let request = base64::engine::general_purpose::STANDARD.encode(pem);
    let seen = Seen {
        gets: Arc::default(),
        puts: Arc::default(),
        last_put: Arc::default(),
        request: Arc::new(request.clone()),
    };
    let app = Router::new()
        .route(
            "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-x",
            get(get_csr),
        )
        .route(
            "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-x/approval",
            axum::routing::put(put_approval),
        )
        .route(
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            post(whoami),
        )
        .route("/api/v1/nodes/n1", get(no_node))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let yaml = sim::kubeconfig_yaml(&format!("http://{addr}"), None, "t", "mock");
    let source = shiftdeck::kube_conn::Source::from_yaml(&yaml, "mock").unwrap();
    let client = source.connect(None).await.unwrap().client;
    // What the admin saw: no Machine API (the mock serves none), no Node n1 yet.
    let shown: k8s_openapi::api::certificates::v1::CertificateSigningRequest =
        serde_json::from_value(obj(1, &request)).unwrap();
    let nodes: Vec<k8s_openapi::api::core::v1::Node> = Vec::new();
    let validation = shiftdeck::csr::checks::validate(
        &shown,
        &shiftdeck::csr::checks::Inputs {
            nodes: &nodes,
            machines: None,
            now: k8s_openapi::jiff::Timestamp::now(),
        },
    );
    assert!(validation.passed_all() && !validation.identity_confirmed());
    let w = WriteRequest::Csr(CsrWrite {
        decision: Decision::Approve,
        items: vec![CsrItem::pinned(&shown, &validation)],
        auto: false,
        origin: Origin {
            user: "tester".into(),
            context: "mock".into(),
            audit: None,
        },
    });
    let report = shiftdeck::actions::run(client, w).await;
    assert_eq!(
        report.outcomes,
        vec![("csr-x".to_string(), "approved".to_string())]
    );
    assert_eq!(seen.puts.load(Ordering::SeqCst), 2);
    assert_eq!(
        seen.gets.load(Ordering::SeqCst),
        2,
        "re-read after the conflict"
    );
    let put = seen.last_put.lock().unwrap().clone();
    assert_eq!(
        put["metadata"]["resourceVersion"], "2",
        "sent on the fresh object"
    );
    assert_eq!(put["metadata"]["uid"], "uid-x", "the uid precondition");
    let cond = &put["status"]["conditions"][0];
    assert_eq!(cond["type"], "Approved");
    assert_eq!(cond["reason"], "ShiftdeckApprove");
    assert_eq!(cond["message"], "approved by kube:admin via shiftdeck");
}

/// The sim refuses what the real server and signers refuse: a write naming another incarnation
/// of a CSR (UID precondition), and, at signing, a kubelet CSR whose O is not exactly
/// system:nodes or whose usages are not a kubelet set. SelfSubjectReview names the caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_refuses_stale_uids_and_unsignable_kubelet_csrs() {
    use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
    use kube::Api;
    use kube::api::PostParams;
    use serde_json::json;
    use std::time::{Duration, Instant};

    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    assert_eq!(
        shiftdeck::actions::csr_approve::whoami(&client)
            .await
            .unwrap(),
        "system:admin"
    );
    let api: Api<CertificateSigningRequest> = Api::all(client.clone());
    // A kubelet client request for evil-1 with the subject organisations `orgs`.
    let make = |name: &str, orgs: &[&str], usages: &[&str]| {
        let mut params = rcgen::CertificateParams::default();
        let mut dn = rcgen::DistinguishedName::new();
        for o in orgs {
            dn.push(rcgen::DnType::OrganizationName, *o);
        }
        dn.push(rcgen::DnType::CommonName, "system:node:evil-1");
        params.distinguished_name = dn;
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = params.serialize_request(&key).unwrap().pem().unwrap();
        serde_json::from_value::<CertificateSigningRequest>(json!({
            "metadata": {"name": name},
            "spec": {"request": sim::pki::b64(&pem), "signerName": shiftdeck::csr::SIGNER_CLIENT,
                "usages": usages}
        }))
        .unwrap()
    };
    let approve = |c: &CertificateSigningRequest| {
        let mut v = serde_json::to_value(c).unwrap();
        v["status"] = json!({"conditions": [{"type": "Approved", "status": "True", "reason": "Test", "message": "t"}]});
        v
    };
    let extra_o = api
        .create(
            &PostParams::default(),
            &make(
                "evil-o",
                &["system:nodes", "system:masters"],
                &["digital signature", "client auth"],
            ),
        )
        .await
        .unwrap();
    let bad_usage = api
        .create(
            &PostParams::default(),
            &make(
                "evil-usage",
                &["system:nodes"],
                &["digital signature", "client auth", "server auth"],
            ),
        )
        .await
        .unwrap();

    // A stale uid is a UID precondition failure, whatever the resourceVersion.
    let mut stale = approve(&extra_o);
    stale["metadata"]["uid"] = json!("00000000-dead-beef-0000-000000000000");
    let err = api
        .replace_subresource("approval", "evil-o", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 409);
            assert!(
                s.message.contains("Precondition failed: UID"),
                "{}",
                s.message
            );
        }
        e => panic!("{e}"),
    }

    for c in [&extra_o, &bad_usage] {
        let name = c.metadata.name.clone().unwrap();
        api.replace_subresource("approval", &name, &PostParams::default(), &approve(c))
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    for name in ["evil-o", "evil-usage"] {
        loop {
            let c = api.get(name).await.unwrap();
            let status = c.status.unwrap_or_default();
            assert!(status.certificate.is_none(), "{name} was signed");
            let failed = status
                .conditions
                .unwrap_or_default()
                .into_iter()
                .find(|c| c.type_ == "Failed");
            if let Some(f) = failed {
                assert_eq!(f.reason.as_deref(), Some("SignerValidationFailure"));
                break;
            }
            assert!(Instant::now() < deadline, "{name}: no signer verdict");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    h.shutdown();
}
