//! The wizard core against the simulated hub over real HTTP: preflight, create with the executor,
//! dry run, rollback, a viewer's refusal, and the built binary's `--dry-run -o yaml`.
#![allow(clippy::unwrap_used)]

use crate::crd_support;

use std::time::{Duration, Instant};

use crd_support::crd_dir;
use serde_json::{Value, json};
use shiftdeck::wizard::build::Plan;
use shiftdeck::wizard::exec::{self, DryRunOutcome};
use shiftdeck::wizard::facts;
use shiftdeck::wizard::form::{ClusterForm, FieldId, NodePoolForm};
use shiftdeck::wizard::preflight::{self, Status};
use shiftdeck::wizard::schema::{self, CrdSchema};
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{Profile, SimHandle, SimOptions, SimUser};

const PULL_SECRET: &str = r#"{"auths":{"quay.io":{"auth":"dXNlcjpzM2NyM3QtcHVsbA=="}}}"#;

async fn sim(user: SimUser) -> SimHandle {
    shiftdeck_sim::start(SimOptions {
        profile: Profile::Hub,
        speed: 100.0,
        user,
        ..SimOptions::default()
    })
    .await
    .expect("sim starts")
}

fn exists(h: &SimHandle, key: &str, ns: Option<&str>, name: &str) -> bool {
    h.store.get(by_key(key), ns, name).is_some()
}

struct Files {
    _dir: tempfile::TempDir,
    pull_secret: String,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pull-secret.json");
    std::fs::write(&p, PULL_SECRET).unwrap();
    Files {
        pull_secret: p.to_string_lossy().into_owned(),
        _dir: dir,
    }
}

async fn cluster_plan(client: &kube::Client, name: &str, f: &Files) -> (ClusterForm, Plan) {
    let mut form = ClusterForm::new(facts::fetch(client).await);
    form.set(FieldId::Name, name);
    form.set(FieldId::PullSecret, f.pull_secret.clone());
    form.set(FieldId::Replicas, "2");
    form.set(FieldId::Memory, "6Gi");
    form.set(FieldId::EtcdStorageClass, "lvms-vg1");
    form.set(
        FieldId::RootVolumeStorageClass,
        "ocs-storagecluster-ceph-rbd",
    );
    form.set(FieldId::AdditionalNetworks, "name:clusters/vlan-100");
    let plan = form.plan().unwrap();
    (form, plan)
}

#[tokio::test]
async fn preflight_on_the_hub_profile() {
    let h = sim(SimUser::Admin).await;
    let client = h.client().await.unwrap();
    let facts = facts::fetch(&client).await;
    let checks = preflight::run(&facts);
    let by_id = |id: &str| checks.iter().find(|c| c.id == id).unwrap();
    for id in [
        "openshift-version",
        "openshift-virtualization",
        "wildcard-routes",
        "default-storage-class",
        "rwx-storage",
        "ovn-kubernetes",
        "metallb",
        "local-cluster",
        "hypershift-crds",
    ] {
        assert_eq!(by_id(id).status, Status::Pass, "{:?}", by_id(id));
    }
    // The hub's cluster network MTU is 1400: multiqueue is advised against.
    let mtu = by_id("mtu");
    assert_eq!(mtu.status, Status::Warn);
    assert!(mtu.seen.contains("1400"));
    assert!(by_id("openshift-version").seen.contains("4.18"));
    assert!(
        by_id("default-storage-class")
            .seen
            .contains("ocs-storagecluster-ceph-rbd")
    );
    assert!(preflight::blocking(&checks).is_empty());

    // Pick-list sources.
    assert_eq!(facts.cluster_image_sets.get().unwrap().len(), 3);
    assert_eq!(facts.storage_class_rwx("lvms-vg1"), Some(false));
    assert_eq!(
        facts.storage_class_rwx("ocs-storagecluster-ceph-rbd"),
        Some(true)
    );
    assert!(
        facts
            .network_attachments
            .get()
            .unwrap()
            .contains(&"clusters/vlan-100".to_string())
    );
    h.shutdown();
}

#[tokio::test]
async fn dry_run_creates_nothing_then_create_completes() {
    let h = sim(SimUser::Admin).await;
    let client = h.client().await.unwrap();
    let f = files();
    let (_form, plan) = cluster_plan(&client, "wiz1", &f).await;

    let report = exec::dry_run(&client, &plan).await;
    assert!(report.ok(), "{report:#?}");
    assert_eq!(report.steps[0].outcome, DryRunOutcome::Exists);
    assert!(
        report.steps[1..]
            .iter()
            .all(|s| s.outcome == DryRunOutcome::Accepted)
    );
    assert!(!exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        Some("clusters"),
        "wiz1"
    ));
    assert!(!exists(
        &h,
        "nodepools.hypershift.openshift.io",
        Some("clusters"),
        "wiz1"
    ));
    assert!(!exists(&h, "secrets", Some("clusters"), "wiz1-pull-secret"));
    assert!(!exists(
        &h,
        "secrets",
        Some("clusters"),
        "wiz1-etcd-encryption-key"
    ));

    let created = exec::execute(&client, &plan).await.unwrap();
    let names: Vec<String> = created.created.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "Secret clusters/wiz1-pull-secret",
            "Secret clusters/wiz1-etcd-encryption-key",
            "HostedCluster clusters/wiz1",
            "NodePool clusters/wiz1",
        ]
    );
    assert_eq!(created.existed.len(), 1, "namespace clusters existed");
    let secret = h
        .store
        .get(by_key("secrets"), Some("clusters"), "wiz1-pull-secret")
        .unwrap();
    use base64::Engine;
    let stored = base64::engine::general_purpose::STANDARD
        .decode(secret["data"][".dockerconfigjson"].as_str().unwrap())
        .unwrap();
    assert_eq!(stored, PULL_SECRET.as_bytes());

    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let hc = h
            .store
            .get(
                by_key("hostedclusters.hypershift.openshift.io"),
                Some("clusters"),
                "wiz1",
            )
            .unwrap();
        if hc.pointer("/status/version/history/0/state") == Some(&json!("Completed")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "HostedCluster wiz1 did not complete: {:#}",
            hc.pointer("/status").cloned().unwrap_or(Value::Null)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Now the name is taken: the form says so.
    let form = ClusterForm::new(facts::fetch(&client).await);
    let mut form = form;
    form.set(FieldId::Name, "wiz1");
    assert!(
        form.check(FieldId::Name)
            .unwrap_err()
            .0
            .contains("already exists")
    );

    // Add a node pool to it through the node-pool form and the executor.
    let mut np = NodePoolForm::new(facts::fetch(&client).await);
    np.set(FieldId::Cluster, "wiz1");
    np.set(FieldId::Name, "wiz1-extra-cpu");
    np.set(FieldId::Cores, "4");
    np.set(FieldId::Memory, "6Gi");
    np.set(FieldId::RootVolumeSize, "16");
    let plan = np.plan().unwrap();
    assert!(exec::dry_run(&client, &plan).await.ok());
    exec::execute(&client, &plan).await.unwrap();
    let pool = h
        .store
        .get(
            by_key("nodepools.hypershift.openshift.io"),
            Some("clusters"),
            "wiz1-extra-cpu",
        )
        .unwrap();
    assert_eq!(pool["spec"]["clusterName"], "wiz1");
    assert_eq!(pool["spec"]["platform"]["kubevirt"]["compute"]["cores"], 4);
    h.shutdown();
}

#[tokio::test]
async fn a_failing_step_rolls_back_everything_this_run_created() {
    let h = sim(SimUser::Admin).await;
    let client = h.client().await.unwrap();
    let f = files();
    let (_form, mut plan) = cluster_plan(&client, "wiz2", &f).await;
    // Invalid on purpose: replicas must be an integer, so the API server answers 422 (the real
    // CRD sets no minimum, so a negative count would be stored).
    plan.find_mut("NodePool").unwrap().object["spec"]["replicas"] = json!("two");

    let dry = exec::dry_run(&client, &plan).await;
    assert!(!dry.ok());
    assert!(matches!(
        &dry.steps.last().unwrap().outcome,
        DryRunOutcome::Rejected(m) if m.contains("422")
    ));

    let err = exec::execute(&client, &plan).await.unwrap_err();
    assert_eq!(err.status, Some(422));
    assert_eq!(err.failed.to_string(), "NodePool clusters/wiz2");
    assert!(err.explanation.contains("rejected"), "{}", err.explanation);
    assert!(
        err.explanation.contains("Rolled back"),
        "{}",
        err.explanation
    );
    let rolled: Vec<String> = err.rolled_back.iter().map(ToString::to_string).collect();
    assert_eq!(
        rolled,
        [
            "HostedCluster clusters/wiz2",
            "Secret clusters/wiz2-etcd-encryption-key",
            "Secret clusters/wiz2-pull-secret",
        ]
    );
    assert!(err.left_behind.is_empty());
    // The HostedCluster holds HyperShift's finalizer: it is Terminating while the operator
    // tears it down (a few simulated seconds), then gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        Some("clusters"),
        "wiz2",
    ) && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        Some("clusters"),
        "wiz2"
    ));
    assert!(!exists(&h, "secrets", Some("clusters"), "wiz2-pull-secret"));
    assert!(!exists(
        &h,
        "secrets",
        Some("clusters"),
        "wiz2-etcd-encryption-key"
    ));
    // The namespace existed before: it is kept.
    assert!(exists(&h, "namespaces", None, "clusters"));
    h.shutdown();
}

#[tokio::test]
async fn a_new_namespace_is_rolled_back_too() {
    let h = sim(SimUser::Admin).await;
    let client = h.client().await.unwrap();
    let f = files();
    let mut form = ClusterForm::new(facts::fetch(&client).await);
    form.set(FieldId::Name, "wiz3");
    form.set(FieldId::Namespace, "team-a");
    form.set(FieldId::PullSecret, f.pull_secret.clone());
    let mut plan = form.plan().unwrap();
    let dry = exec::dry_run(&client, &plan).await;
    assert_eq!(dry.steps[0].outcome, DryRunOutcome::Accepted);
    assert!(matches!(dry.steps[1].outcome, DryRunOutcome::Skipped(_)));
    // Drop the release image: the sim rejects the HostedCluster (422).
    plan.find_mut("HostedCluster").unwrap().object["spec"]["release"]["image"] = json!("");
    let err = exec::execute(&client, &plan).await.unwrap_err();
    assert_eq!(err.failed.kind, "HostedCluster");
    assert_eq!(
        err.rolled_back.last().unwrap().to_string(),
        "Namespace team-a"
    );
    assert!(!exists(&h, "namespaces", None, "team-a"));
    assert!(!exists(&h, "secrets", Some("team-a"), "wiz3-pull-secret"));
    h.shutdown();
}

#[tokio::test]
async fn a_viewer_gets_a_clear_refusal_and_nothing_is_created() {
    let h = sim(SimUser::Viewer).await;
    let client = h.client().await.unwrap();
    let f = files();
    let facts = facts::fetch(&client).await;
    assert!(preflight::blocking(&preflight::run(&facts)).is_empty());
    let (_form, plan) = cluster_plan(&client, "wiz4", &f).await;
    let dry = exec::dry_run(&client, &plan).await;
    assert!(!dry.ok());
    let err = exec::execute(&client, &plan).await.unwrap_err();
    assert_eq!(err.status, Some(403));
    assert_eq!(err.failed.to_string(), "Secret clusters/wiz4-pull-secret");
    assert!(
        err.explanation.contains("not allowed") && err.explanation.contains("403 Forbidden"),
        "{}",
        err.explanation
    );
    assert!(err.explanation.contains("Nothing had been created yet"));
    assert!(err.rolled_back.is_empty());
    assert!(!exists(&h, "secrets", Some("clusters"), "wiz4-pull-secret"));
    h.shutdown();
}

fn crd(name: &str) -> CrdSchema {
    CrdSchema::from_file(&crd_dir().join(name), "v1beta1").unwrap()
}

#[test]
fn binary_dry_run_prints_valid_redacted_yaml_without_a_cluster() {
    let f = files();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args([
            "--kubeconfig",
            "/nonexistent/kubeconfig",
            "create",
            "cluster",
            "kubevirt",
            "--name",
            "example",
            "--node-pool-replicas",
            "2",
            "--pull-secret",
            &f.pull_secret,
            "--memory",
            "6Gi",
            "--cores",
            "2",
            "--etcd-storage-class=lvm-storageclass",
            "--release-image",
            "quay.io/openshift-release-dev/ocp-release:4.18.1-multi",
            "--qos-class",
            "Guaranteed",
            "--additional-network",
            "name:my-namespace/my-network",
            "--vm-node-selector",
            "cpumanager=true",
            "--dry-run",
            "-o",
            "yaml",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr: {stderr}\nstdout: {stdout}");
    assert!(!stdout.contains("czNjcjN0"), "pull secret leaked");
    let docs: Vec<Value> = stdout
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).unwrap())
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["Namespace", "Secret", "Secret", "HostedCluster", "NodePool"]
    );
    assert_eq!(docs[1]["data"][".dockerconfigjson"], "<redacted>");
    let hc = &docs[3];
    let mut errs = crd("hostedclusters.hypershift.openshift.io.yaml").validate(hc);
    errs.extend(schema::hostedcluster_cel(hc));
    let np = &docs[4];
    errs.extend(crd("nodepools.hypershift.openshift.io.yaml").validate(np));
    errs.extend(schema::nodepool_cel(np));
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(
        np["spec"]["platform"]["kubevirt"]["compute"]["qosClass"],
        "Guaranteed"
    );

    // Bad input: a message per flag, exit code 2, nothing printed on stdout.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args([
            "create",
            "cluster",
            "kubevirt",
            "--name",
            "Bad_Name",
            "--pull-secret",
            "/nonexistent/ps",
            "--release-image",
            "quay.io/x:1",
            "--cores",
            "0",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--name") && stderr.contains("--cores") && stderr.contains("--pull-secret"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn binary_get_preflight_against_the_sim() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let h = shiftdeck_sim::start(SimOptions {
        profile: Profile::Hub,
        kubeconfig_out: Some(kc.clone()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let kc_arg = kc.to_string_lossy().into_owned();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(["--kubeconfig", &kc_arg, "get", "preflight", "-o", "json"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let mtu = rows.iter().find(|r| r["CHECK"] == "mtu").unwrap();
    assert_eq!(mtu["STATUS"], "warn");
    assert!(
        rows.iter()
            .all(|r| r.get("SEEN").is_some() && r.get("FIX").is_some())
    );
    h.shutdown();
}

#[tokio::test]
async fn forbidden_kinds_cannot_be_checked_and_missing_kinds_are_not_installed() {
    let h = shiftdeck_sim::start(SimOptions {
        profile: Profile::Hub,
        faults: shiftdeck_sim::Faults {
            forbid: vec!["ingresscontrollers".into(), "managedclusters".into()],
            ..Default::default()
        },
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let facts = facts::fetch(&h.client().await.unwrap()).await;
    assert!(matches!(facts.ingress, facts::Fetched::Forbidden(_)));
    let checks = preflight::run(&facts);
    let wildcard = checks.iter().find(|c| c.id == "wildcard-routes").unwrap();
    assert_eq!(wildcard.status, Status::Warn);
    assert!(
        wildcard.seen.starts_with("cannot check: forbidden"),
        "{wildcard:?}"
    );
    let local = checks.iter().find(|c| c.id == "local-cluster").unwrap();
    assert_eq!(local.status, Status::Warn);
    h.shutdown();

    // MicroShift serves none of the OpenShift/HyperShift kinds: "not installed", not errors.
    let h = shiftdeck_sim::start(SimOptions {
        profile: Profile::Microshift,
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let facts = facts::fetch(&h.client().await.unwrap()).await;
    assert_eq!(facts.hypershift_resources, facts::Fetched::NotServed);
    assert_eq!(facts.openshift_version, facts::Fetched::NotServed);
    let checks = preflight::run(&facts);
    let status = |id: &str| checks.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(status("openshift-version"), Status::Fail);
    assert_eq!(status("hypershift-crds"), Status::Fail);
    assert_eq!(status("local-cluster"), Status::Fail);
    let form = ClusterForm::new(facts);
    assert!(form.preflight_blocks());
    let why = form
        .can_advance(shiftdeck::wizard::form::Step::Preflight)
        .unwrap_err();
    assert!(
        why.contains("blocked") && why.contains("not an OpenShift cluster"),
        "{why}"
    );
    h.shutdown();
}

async fn run_bin(args: &[&str]) -> (Option<i32>, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(args)
        .output()
        .await
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn binary_create_cluster_and_nodepool_against_the_sim() {
    let dir = tempfile::tempdir().unwrap();
    let f = files();
    for (user, name) in [(SimUser::Admin, "admin"), (SimUser::Viewer, "viewer")] {
        let kc = dir.path().join(format!("{name}.kubeconfig"));
        let h = shiftdeck_sim::start(SimOptions {
            profile: Profile::Hub,
            user,
            kubeconfig_out: Some(kc.clone()),
            ..SimOptions::default()
        })
        .await
        .unwrap();
        let kc = kc.to_string_lossy().into_owned();
        let create = [
            "--kubeconfig",
            &kc,
            "create",
            "cluster",
            "kubevirt",
            "--name",
            "cli1",
            "--node-pool-replicas",
            "2",
            "--pull-secret",
            &f.pull_secret,
            "--memory",
            "6Gi",
            "--etcd-storage-class",
            "lvms-vg1",
        ];
        let (code, stdout, stderr) = run_bin(&create).await;
        if user == SimUser::Viewer {
            assert_eq!(code, Some(1), "{stdout}\n{stderr}");
            assert!(
                stderr.contains("403 Forbidden") && stderr.contains("not allowed"),
                "{stderr}"
            );
            assert!(!exists(&h, "secrets", Some("clusters"), "cli1-pull-secret"));
            h.shutdown();
            continue;
        }
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("HostedCluster clusters/cli1 created"),
            "{stdout}"
        );
        assert!(exists(
            &h,
            "nodepools.hypershift.openshift.io",
            Some("clusters"),
            "cli1"
        ));
        // The same name again is refused by the validators, before anything is sent.
        let (code, _, stderr) = run_bin(&create).await;
        assert_eq!(code, Some(2));
        assert!(
            stderr.contains("--name: hostedcluster clusters/cli1 already exists"),
            "{stderr}"
        );

        let np = [
            "--kubeconfig",
            &kc,
            "create",
            "nodepool",
            "kubevirt",
            "--cluster-name",
            "cli1",
            "--name",
            "cli1-extra-cpu",
            "--node-count",
            "2",
            "--memory",
            "6Gi",
            "--cores",
            "4",
            "--root-volume-size",
            "16",
        ];
        let mut dry: Vec<&str> = np.to_vec();
        dry.extend(["--dry-run", "-o", "json"]);
        let (code, stdout, stderr) = run_bin(&dry).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stderr.contains("NodePool clusters/cli1-extra-cpu accepted"),
            "{stderr}"
        );
        let list: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(list["items"][0]["spec"]["replicas"], 2);
        assert!(!exists(
            &h,
            "nodepools.hypershift.openshift.io",
            Some("clusters"),
            "cli1-extra-cpu"
        ));
        let (code, stdout, stderr) = run_bin(&np).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stdout.contains("NodePool clusters/cli1-extra-cpu created"));
        let pool = h
            .store
            .get(
                by_key("nodepools.hypershift.openshift.io"),
                Some("clusters"),
                "cli1-extra-cpu",
            )
            .unwrap();
        assert_eq!(
            pool["spec"]["release"]["image"],
            "quay.io/openshift-release-dev/ocp-release:4.18.1-multi"
        );
        h.shutdown();
    }
}

/// Every field the later hcp flags add goes through the sim's server-side validation (the
/// HostedCluster and NodePool schemas checked against the real CRDs) and is created; a second
/// cluster with a trust bundle in the same namespace stops at the existing `user-ca-bundle`
/// (never overwritten) and rolls back what it created.
#[tokio::test]
async fn every_later_hcp_field_is_created_and_the_trust_bundle_is_never_overwritten() {
    let h = sim(SimUser::Admin).await;
    let client = h.client().await.unwrap();
    let f = files();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    let ca = || {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["mirror.example.com".into()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    };
    let pem = ca();
    std::fs::write(&bundle, &pem).unwrap();
    let ics = dir.path().join("ics.yaml");
    std::fs::write(
        &ics,
        "- source: quay.io/openshift-release-dev/ocp-release\n  mirrors: [mirror.example.com:5000/ocp/release]\n",
    )
    .unwrap();
    let full = |name: &str, facts: facts::ClusterFacts| {
        let mut form = ClusterForm::new(facts);
        for (id, v) in [
            (FieldId::Name, name.to_string()),
            (FieldId::PullSecret, f.pull_secret.clone()),
            (FieldId::Replicas, "1".into()),
            (FieldId::EtcdStorageSize, "16Gi".into()),
            (FieldId::NetworkType, "OVNKubernetes".into()),
            (FieldId::DefaultDual, "true".into()),
            (FieldId::ExternalDnsDomain, "hcp.example.com".into()),
            (FieldId::Fips, "true".into()),
            (FieldId::InfraId, format!("{name}-infra")),
            (
                FieldId::ControlPlaneNodeSelector,
                "node-role.kubernetes.io/infra=".into(),
            ),
            (FieldId::Labels, "team=infra".into()),
            (FieldId::Annotations, "note=made by a test".into()),
            (FieldId::OlmCatalogPlacement, "guest".into()),
            (FieldId::OlmDisableDefaultSources, "true".into()),
            (FieldId::PausedUntil, "true".into()),
            (
                FieldId::AdditionalTrustBundle,
                bundle.to_string_lossy().into_owned(),
            ),
            (
                FieldId::ImageContentSources,
                ics.to_string_lossy().into_owned(),
            ),
            (FieldId::Arch, "amd64".into()),
            (FieldId::AutoRepair, "true".into()),
            (FieldId::NodeUpgradeType, "InPlace".into()),
            (FieldId::NodeDrainTimeout, "30m".into()),
            (FieldId::NodeVolumeDetachTimeout, "5m".into()),
        ] {
            form.set(id, v);
        }
        form.plan().unwrap_or_else(|e| panic!("{e:?}"))
    };
    let plan = full("full1", facts::fetch(&client).await);
    let report = exec::dry_run(&client, &plan).await;
    assert!(report.ok(), "{:#?}", report.steps);
    exec::execute(&client, &plan).await.unwrap();
    let hc = h
        .store
        .get(
            by_key("hostedclusters.hypershift.openshift.io"),
            Some("clusters"),
            "full1",
        )
        .unwrap();
    assert_eq!(
        hc["spec"]["additionalTrustBundle"]["name"],
        "user-ca-bundle"
    );
    assert_eq!(hc["spec"]["fips"], true);
    assert_eq!(hc["spec"]["pausedUntil"], "true");
    let np = h
        .store
        .get(
            by_key("nodepools.hypershift.openshift.io"),
            Some("clusters"),
            "full1",
        )
        .unwrap();
    assert_eq!(np["spec"]["nodeDrainTimeout"], "30m0s");
    assert_eq!(np["spec"]["management"]["upgradeType"], "InPlace");
    let cm = h
        .store
        .get(by_key("configmaps"), Some("clusters"), "user-ca-bundle")
        .unwrap();
    assert_eq!(cm["data"]["ca-bundle.crt"], pem.as_str());

    // A second cluster with its own bundle in the same namespace: refused, nothing overwritten.
    std::fs::write(&bundle, ca()).unwrap();
    let plan = full("full2", facts::fetch(&client).await);
    let err = exec::execute(&client, &plan).await.unwrap_err();
    assert!(
        err.explanation.contains("is not overwritten"),
        "{}",
        err.explanation
    );
    assert!(!exists(
        &h,
        "hostedclusters.hypershift.openshift.io",
        Some("clusters"),
        "full2"
    ));
    let cm = h
        .store
        .get(by_key("configmaps"), Some("clusters"), "user-ca-bundle")
        .unwrap();
    assert_eq!(cm["data"]["ca-bundle.crt"], pem.as_str(), "untouched");
    h.shutdown();
}
