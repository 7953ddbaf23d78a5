//! The redaction corpus: credentials in every shape an admin's cluster holds them (kubeconfigs in
//! YAML and JSON, `kind: "Config"` quoted, base64 of a kubeconfig, docker configs and dockercfg
//! `auth` entries, PEM private keys, bearer tokens, JWTs, passwords in URLs, last-applied
//! copies), under neutral names, in Secrets, ConfigMaps, annotations and custom-resource
//! fields. First the pure redaction of each object, in YAML and JSON; then end to end: the
//! corpus written into the sim's objects, every view that shows them (rows, details, the whole
//! YAML) under the `never:` screen check, and `get -o json/yaml/table` from the binary.
#![allow(clippy::unwrap_used)]

use crate::tui_support;

use crossterm::event::KeyCode;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use shiftdeck::copies::dv_resource::DataVolume;
use shiftdeck::redact::redact;
use shiftdeck_sim::{self as sim, SimOptions};
use tui_support::{Screen, command, filter, press, pump};

/// The secret part of each corpus entry: none may ever be shown.
const MARKERS: &[&str] = &[
    "CORPUSKCFGYAMLTOKEN1",
    "CORPUSKCFGQUOTEDKEY2",
    "CORPUSKCFGJSONTOKEN3",
    "Q09SUFVTRE9DS0VSQVVUSDQ6eA",
    "Q09SUFVTRE9DS0VSQ0ZHNTp5",
    "CORPUSPEMKEYBODY6",
    "CORPUSBEARER7",
    "CORPUSJWTSIGNATURE8",
    "CORPUSURLPASS9",
    "YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmln",
    "CORPUSLASTAPPLIED11",
    "CORPUSLASTSECRET12",
];

/// `(neutral name, value)`: each value carries one marker.
fn corpus() -> Vec<(&'static str, String)> {
    vec![
        (
            "notes",
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://api.example:6443\nusers:\n- name: u\n  user:\n    token: CORPUSKCFGYAMLTOKEN1\n".into(),
        ),
        (
            "setup",
            "apiVersion: \"v1\"\n\"kind\": \"Config\"\nusers:\n- name: \"u\"\n  user:\n    \"client-key-data\": \"CORPUSKCFGQUOTEDKEY2\"\n".into(),
        ),
        (
            "blob",
            json!({"apiVersion": "v1", "kind": "Config",
                   "clusters": [{"name": "c", "cluster": {"server": "https://api.example:6443"}}],
                   "users": [{"name": "u", "user": {"token": "CORPUSKCFGJSONTOKEN3"}}]})
            .to_string(),
        ),
        (
            "registry",
            json!({"auths": {"quay.io": {"auth": "Q09SUFVTRE9DS0VSQVVUSDQ6eA=="}}}).to_string(),
        ),
        (
            "legacy",
            json!({"registry.example.com": {"auth": "Q09SUFVTRE9DS0VSQ0ZHNTp5", "email": "a@example.com"}})
                .to_string(),
        ),
        (
            "material",
            "-----BEGIN EC PRIVATE KEY-----\nCORPUSPEMKEYBODY6\n-----END EC PRIVATE KEY-----\n".into(),
        ),
        ("header", "Bearer CORPUSBEARER7-abcdef0123456789".into()),
        (
            "session",
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDT1JQVVMifQ.CORPUSJWTSIGNATURE8".into(),
        ),
        (
            "endpoint",
            "https://admin:CORPUSURLPASS9@registry.example.com/v2/".into(),
        ),
        (
            "encoded",
            "YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCmNsdXN0ZXJzOgotIG5hbWU6IGMKICBjbHVzdGVyOgogICAgc2VydmVyOiBodHRwczovL2FwaS5leGFtcGxlOjY0NDMKdXNlcnM6Ci0gbmFtZTogdQogIHVzZXI6CiAgICB0b2tlbjogQ09SUFVTQjY0S0NGRzEwCg==".into(),
        ),
    ]
}

/// kubectl's last-applied copies: of a ConfigMap holding a kubeconfig, and of a Secret.
fn last_applied() -> Vec<String> {
    vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
               "data": {"cfg": "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: CORPUSLASTAPPLIED11\n"}})
        .to_string(),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
               "stringData": {"value": "CORPUSLASTSECRET12"}})
        .to_string(),
    ]
}

fn annotations() -> serde_json::Map<String, Value> {
    let mut a: serde_json::Map<String, Value> = corpus()
        .into_iter()
        .map(|(k, v)| (format!("example.com/{k}"), Value::String(v)))
        .collect();
    let la = last_applied();
    a.insert(
        "kubectl.kubernetes.io/last-applied-configuration".into(),
        Value::String(la[0].clone()),
    );
    a.insert(
        "example.com/applied-secret".into(),
        Value::String(la[1].clone()),
    );
    a
}

fn assert_clean(what: &str, obj: &Value) {
    let r = redact(obj);
    let yaml = serde_yaml::to_string(&r).unwrap();
    let json = serde_json::to_string_pretty(&r).unwrap();
    for m in MARKERS {
        assert!(!yaml.contains(m), "{what}: {m} shown in YAML:\n{yaml}");
        assert!(!json.contains(m), "{what}: {m} shown in JSON:\n{json}");
    }
}

#[test]
fn every_corpus_entry_is_redacted_wherever_it_sits() {
    let data: serde_json::Map<String, Value> = corpus()
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    let with_la = |kind: &str| {
        json!({"apiVersion": "v1", "kind": kind,
               "metadata": {"name": "n", "namespace": "ns", "annotations": annotations()},
               "data": data})
    };
    assert_clean("ConfigMap data and annotations", &with_la("ConfigMap"));
    assert_clean("Secret stringData", &{
        let mut s = with_la("Secret");
        s["stringData"] = s["data"].clone();
        s
    });
    assert_clean(
        "custom resource fields",
        &json!({"apiVersion": "example.com/v1", "kind": "Widget",
                "metadata": {"name": "w"},
                "spec": {"nested": [{"value": data.clone()}],
                         // A dockercfg entry as an object under neutral keys.
                         "mirror": {"registry.example.com": {"auth": "Q09SUFVTRE9DS0VSQ0ZHNTp5"}},
                         "list": data.values().cloned().collect::<Vec<_>>()}}),
    );
    // What stays: ordinary text, certificates, URLs without passwords.
    let plain = json!({"kind": "ConfigMap", "data": {
        "url": "https://registry.example.com/v2/",
        "user-only": "https://admin@registry.example.com/",
        "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "note": "bearer tokens are rotated daily",
        "config": "{\"replicas\": 3}"}});
    assert_eq!(redact(&plain), plain);
    // A URL keeps its user and host; only the password goes.
    let r = redact(&json!({"u": "https://admin:CORPUSURLPASS9@registry.example.com/v2/"}));
    assert_eq!(r["u"], "https://admin:<redacted>@registry.example.com/v2/");
}

const SCREEN: Screen = Screen {
    w: 200,
    h: 60,
    never: MARKERS,
    wait: tui_support::WAIT,
};

/// Page through the open YAML or details view to its end, every page under the never check.
async fn read_to_end(session: &mut shiftdeck::event_loop::Session) {
    for _ in 0..25 {
        pump(session).await;
        SCREEN.render(&session.app);
        press(session, KeyCode::PageDown);
    }
    SCREEN.render(&session.app);
}

fn run_get(kubeconfig: &std::path::Path, kind: &str, out: &str) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(["--kubeconfig"])
        .arg(kubeconfig)
        .args(["get", kind, "-o", out])
        .env("XDG_CONFIG_HOME", kubeconfig.parent().unwrap())
        .env("XDG_STATE_HOME", kubeconfig.parent().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "get {kind} -o {out} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_never_shows_in_any_view_or_get_output() {
    let h = sim::start(SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = h.client().await.unwrap();
    let ann = json!({"metadata": {"annotations": annotations()}});
    // A node (its YAML view reads the whole object), a hosted cluster (a custom resource).
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(client.clone());
    let node = nodes.list(&Default::default()).await.unwrap().items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    nodes
        .patch(&node, &PatchParams::default(), &Patch::Merge(&ann))
        .await
        .unwrap();
    let hc_res = ApiResource {
        group: "hypershift.openshift.io".into(),
        version: "v1beta1".into(),
        api_version: "hypershift.openshift.io/v1beta1".into(),
        kind: "HostedCluster".into(),
        plural: "hostedclusters".into(),
    };
    let hcs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "clusters", &hc_res);
    hcs.patch("example", &PatchParams::default(), &Patch::Merge(&ann))
        .await
        .unwrap();
    // A DataVolume importing from a URL with a password (Copies pane, its details, get copies).
    let dvs: Api<DataVolume> = Api::namespaced(client.clone(), "clusters");
    let dv: DataVolume = serde_json::from_value(json!({
        "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
        "metadata": {"name": "corpus-import", "namespace": "clusters", "annotations": annotations()},
        "spec": {"source": {"http": {"url": "https://admin:CORPUSURLPASS9@images.example.com/rhcos.qcow2"}},
                 "storage": {"resources": {"requests": {"storage": "1Gi"}}}}}))
    .unwrap();
    dvs.create(&PostParams::default(), &dv).await.unwrap();

    let mut session = SCREEN.open(&h.kubeconfig_yaml(), tui_support::app(true));
    command(&mut session, "nodes");
    SCREEN
        .wait_for(&mut session, "the node", |s| s.contains(&node))
        .await;
    filter(&mut session, &node);
    for key in ['d', 'y'] {
        press(&mut session, KeyCode::Char(key));
        SCREEN
            .wait_for(&mut session, "the whole node", |s| {
                !s.contains("loading full object")
                    && (key == 'd' || s.contains("example.com/notes") && s.contains("<redacted>"))
            })
            .await;
        read_to_end(&mut session).await;
        press(&mut session, KeyCode::Esc);
    }
    command(&mut session, "hc");
    SCREEN
        .wait_for(&mut session, "hosted clusters", |s| s.contains("example"))
        .await;
    filter(&mut session, "example");
    for key in ['d', 'y'] {
        press(&mut session, KeyCode::Char(key));
        if key == 'y' {
            // The annotations are on screen, redacted (so the never check had them to see).
            SCREEN
                .wait_for(&mut session, "the redacted annotations", |s| {
                    s.contains("example.com/notes") && s.contains("<redacted>")
                })
                .await;
        }
        read_to_end(&mut session).await;
        press(&mut session, KeyCode::Esc);
    }
    command(&mut session, "copy");
    let s = SCREEN
        .wait_for(&mut session, "the corpus import", |s| {
            s.contains("corpus-import")
        })
        .await;
    assert!(s.contains("images.example.com"), "{s}");
    filter(&mut session, "corpus-import");
    for key in ['d', 'y'] {
        press(&mut session, KeyCode::Char(key));
        read_to_end(&mut session).await;
        press(&mut session, KeyCode::Esc);
    }

    // `get` from the binary, in every format.
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, h.kubeconfig_yaml()).unwrap();
    let copies = run_get(&kc, "copies", "json");
    assert!(copies.contains("images.example.com"), "{copies}");
    for kind in ["nodes", "hostedclusters", "copies"] {
        for out in ["json", "yaml", "table"] {
            let text = run_get(&kc, kind, out);
            for m in MARKERS {
                assert!(!text.contains(m), "get {kind} -o {out} shows {m}:\n{text}");
            }
        }
    }
    h.shutdown();
}
