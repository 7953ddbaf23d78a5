//! The rest of `hcp create cluster|nodepool kubevirt`'s object-shaping flags, run through the real
//! binary (`shiftdeck create … --dry-run -o yaml`, no cluster): every HostedCluster and NodePool
//! printed passes the real HyperShift CRD schemas and CEL rules (`../shared/reference/crds`), and
//! each flag lands in the field and with the value `hcp` writes (openshift/hypershift
//! `cmd/cluster/core/create.go` `prototypeResources` and `defaultNodePool`,
//! `cmd/cluster/kubevirt/create.go`, `cmd/nodepool/core/create.go`). Bad values fail with exit
//! code 2 and a message naming the flag.
#![allow(clippy::unwrap_used)]

use crate::crd_support;

use std::process::Command;

use crd_support::crd_dir;
use serde::Deserialize;
use serde_json::{Value, json};
use shiftdeck::wizard::schema::{self, CrdSchema};

const PULL_SECRET: &str = r#"{"auths":{"quay.io":{"auth":"dXNlcjpzZWNyZXQ="}}}"#;
const RELEASE: &str = "quay.io/openshift-release-dev/ocp-release:4.18.1-multi";

struct Run {
    ok: bool,
    objects: Vec<Value>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_shiftdeck"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let objects = if out.status.success() {
        serde_yaml::Deserializer::from_str(&stdout)
            .map(|d| serde_json::to_value(serde_yaml::Value::deserialize(d).unwrap()).unwrap())
            .filter(|v| !v.is_null())
            .collect()
    } else {
        Vec::new()
    };
    Run {
        ok: out.status.success(),
        objects,
        stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `shiftdeck create cluster kubevirt --dry-run -o yaml` with the base flags and `extra`.
fn cluster(dir: &tempfile::TempDir, extra: &[&str]) -> Run {
    let ps = dir.path().join("ps.json");
    std::fs::write(&ps, PULL_SECRET).unwrap();
    let mut args = vec![
        "create",
        "cluster",
        "kubevirt",
        "--name",
        "test1",
        "--node-pool-replicas",
        "2",
        "--release-image",
        RELEASE,
        "--pull-secret",
        ps.to_str().unwrap(),
        "--dry-run",
        "-o",
        "yaml",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn nodepool(extra: &[&str]) -> Run {
    let mut args = vec![
        "create",
        "nodepool",
        "kubevirt",
        "--name",
        "test-nodepool",
        "--cluster-name",
        "test-cluster",
        "--release-image",
        RELEASE,
        "--dry-run",
        "-o",
        "yaml",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn schema(file: &str) -> CrdSchema {
    CrdSchema::from_file(&crd_dir().join(file), "v1beta1").unwrap()
}

/// The run succeeded and its HostedCluster and NodePool pass the CRD schemas and CEL rules.
fn valid(r: &Run) -> &Run {
    assert!(r.ok, "refused:\n{}", r.stderr);
    let hcs = schema("hostedclusters.hypershift.openshift.io.yaml");
    let nps = schema("nodepools.hypershift.openshift.io.yaml");
    let mut checked = 0;
    for o in &r.objects {
        let errs = match o["kind"].as_str() {
            Some("HostedCluster") => {
                let mut e = hcs.validate(o);
                e.extend(schema::hostedcluster_cel(o));
                e
            }
            Some("NodePool") => {
                let mut e = nps.validate(o);
                e.extend(schema::nodepool_cel(o));
                e
            }
            _ => continue,
        };
        checked += 1;
        assert!(errs.is_empty(), "{} invalid: {errs:#?}", o["kind"]);
    }
    assert!(checked > 0, "nothing validated:\n{}", r.stdout);
    r
}

fn find<'a>(r: &'a Run, kind: &str) -> &'a Value {
    r.objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in:\n{}", r.stdout))
}

fn hc(r: &Run) -> &Value {
    &find(r, "HostedCluster")["spec"]
}

fn np(r: &Run) -> &Value {
    &find(r, "NodePool")["spec"]
}

/// Exit code 2 and a message that names `flag` and says `why`.
fn refused(r: &Run, flag: &str, why: &str) {
    assert!(!r.ok, "accepted:\n{}", r.stdout);
    assert!(
        r.stderr.contains(flag) && r.stderr.contains(why),
        "expected {flag}: …{why}… in:\n{}",
        r.stderr
    );
}

#[test]
fn defaults_are_hcps() {
    let dir = tempfile::tempdir().unwrap();
    let r = cluster(&dir, &[]);
    valid(&r);
    let spec = hc(&r);
    assert_eq!(
        spec["networking"],
        json!({"networkType": "OVNKubernetes",
               "clusterNetwork": [{"cidr": "10.132.0.0/14"}],
               "serviceNetwork": [{"cidr": "172.31.0.0/16"}]})
    );
    assert_eq!(spec["fips"], false);
    assert_eq!(spec["olmCatalogPlacement"], "management");
    assert_eq!(
        spec["etcd"]["managed"]["storage"]["persistentVolume"]["size"],
        "8Gi"
    );
    assert_eq!(spec["configuration"], json!({}));
    for absent in [
        "pausedUntil",
        "nodeSelector",
        "additionalTrustBundle",
        "imageContentSources",
    ] {
        assert!(spec.get(absent).is_none(), "{absent} written by default");
    }
    assert_eq!(
        spec["services"][0]["servicePublishingStrategy"]["type"],
        "LoadBalancer"
    );
    let infra = spec["infraID"].as_str().unwrap();
    assert!(
        regex::Regex::new("^test1-[a-z0-9]{5}$")
            .unwrap()
            .is_match(infra),
        "{infra}"
    );
    let meta = &find(&r, "HostedCluster")["metadata"];
    assert!(meta.get("annotations").is_none());
    let pool = np(&r);
    assert_eq!(pool["arch"], "amd64");
    assert_eq!(
        pool["management"],
        json!({"upgradeType": "Replace", "autoRepair": false})
    );
    assert_eq!(pool["nodeDrainTimeout"], "0s");
    assert_eq!(pool["nodeVolumeDetachTimeout"], "0s");
    assert!(pool.get("pausedUntil").is_none());
    assert!(r.objects.iter().all(|o| o["kind"] != "ConfigMap"));
}

#[test]
fn node_management_flags_on_both_commands() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--arch=s390x",
        "--auto-repair",
        "--node-upgrade-type=inplace",
        "--node-drain-timeout=90s",
        "--node-volume-detach-timeout=1.5h",
    ];
    for r in [cluster(&dir, &flags), nodepool(&flags)] {
        valid(&r);
        let pool = np(&r);
        assert_eq!(pool["arch"], "s390x");
        assert_eq!(
            pool["management"],
            json!({"upgradeType": "InPlace", "autoRepair": true})
        );
        // metav1.Duration prints Go's Duration.String().
        assert_eq!(pool["nodeDrainTimeout"], "1m30s");
        assert_eq!(pool["nodeVolumeDetachTimeout"], "1h30m0s");
    }
    let r = nodepool(&["--auto-repair=false", "--arch", "ppc64le"]);
    valid(&r);
    assert_eq!(np(&r)["management"]["autoRepair"], false);
    assert_eq!(np(&r)["arch"], "ppc64le");

    refused(
        &nodepool(&["--arch", "arm64"]),
        "--arch",
        "not supported on KubeVirt",
    );
    refused(
        &nodepool(&["--arch", "riscv64"]),
        "--arch",
        "amd64 or ppc64le or s390x",
    );
    refused(
        &nodepool(&["--node-upgrade-type", "Rolling"]),
        "--node-upgrade-type",
        "Replace or InPlace",
    );
    refused(
        &cluster(&dir, &["--node-drain-timeout", "10"]),
        "--node-drain-timeout",
        "needs a unit",
    );
    refused(
        &nodepool(&["--node-volume-detach-timeout", "2d"]),
        "--node-volume-detach-timeout",
        "unknown unit",
    );
    refused(
        &nodepool(&["--auto-repair=maybe"]),
        "--auto-repair",
        "true or false",
    );
}

#[test]
fn networking_flags() {
    let dir = tempfile::tempdir().unwrap();
    let r = cluster(
        &dir,
        &[
            "--network-type=Other",
            "--cluster-cidr=10.128.0.0/14",
            "--cluster-cidr=fd10::/48",
            "--service-cidr=172.30.0.0/16",
            "--service-cidr=fd20::/112",
        ],
    );
    valid(&r);
    assert_eq!(
        hc(&r)["networking"],
        json!({"networkType": "Other",
               "clusterNetwork": [{"cidr": "10.128.0.0/14"}, {"cidr": "fd10::/48"}],
               "serviceNetwork": [{"cidr": "172.30.0.0/16"}, {"cidr": "fd20::/112"}]})
    );

    // --default-dual: HyperShift's globalconfig defaults for both families.
    let r = cluster(&dir, &["--default-dual"]);
    valid(&r);
    assert_eq!(
        hc(&r)["networking"]["clusterNetwork"],
        json!([{"cidr": "10.132.0.0/14"}, {"cidr": "fd01::/48"}])
    );
    assert_eq!(
        hc(&r)["networking"]["serviceNetwork"],
        json!([{"cidr": "172.31.0.0/16"}, {"cidr": "fd02::/112"}])
    );

    let r = cluster(&dir, &["--external-dns-domain=hcp.example.com"]);
    valid(&r);
    assert_eq!(
        hc(&r)["services"][0],
        json!({"service": "APIServer", "servicePublishingStrategy": {"type": "Route"}})
    );

    refused(
        &cluster(&dir, &["--default-dual", "--cluster-cidr=10.0.0.0/16"]),
        "--default-dual",
        "leave the cluster and service CIDRs empty",
    );
    refused(
        &cluster(&dir, &["--cluster-cidr=10.132.0.1/14"]),
        "--cluster-cidr",
        "the network is 10.132.0.0/14",
    );
    refused(
        &cluster(&dir, &["--service-cidr=172.31.0.0/33"]),
        "--service-cidr",
        "prefix length",
    );
    refused(
        &cluster(&dir, &["--cluster-cidr=172.31.0.0/20"]),
        "--service-cidr",
        "overlaps",
    );
    refused(
        &cluster(&dir, &["--network-type=Flannel"]),
        "--network-type",
        "OVNKubernetes or OpenShiftSDN or Calico or Other",
    );
    refused(
        &cluster(&dir, &["--external-dns-domain=not a domain"]),
        "--external-dns-domain",
        "external DNS domain",
    );
}

#[test]
fn metadata_security_olm_and_pause_flags() {
    let dir = tempfile::tempdir().unwrap();
    let r = cluster(
        &dir,
        &[
            "--fips",
            "--infra-id=my-infra",
            "--node-selector=role=cp,disk=fast",
            "--labels=team=infra",
            "--labels",
            "env=prod",
            "--annotations=note=hosted, by shiftdeck",
            "--olm-catalog-placement=Guest",
            "--olm-disable-default-sources",
            "--pausedUntil=2026-12-24T18:00:00Z",
            "--etcd-storage-size=16Gi",
        ],
    );
    valid(&r);
    let spec = hc(&r);
    assert_eq!(spec["fips"], true);
    assert_eq!(spec["infraID"], "my-infra");
    assert_eq!(spec["nodeSelector"], json!({"role": "cp", "disk": "fast"}));
    assert_eq!(spec["olmCatalogPlacement"], "guest");
    assert_eq!(
        spec["configuration"],
        json!({"operatorhub": {"disableAllDefaultSources": true}})
    );
    assert_eq!(spec["pausedUntil"], "2026-12-24T18:00:00Z");
    assert_eq!(
        spec["etcd"]["managed"]["storage"]["persistentVolume"]["size"],
        "16Gi"
    );
    let meta = &find(&r, "HostedCluster")["metadata"];
    assert_eq!(
        meta["labels"],
        json!({"team": "infra", "env": "prod",
               "hypershift.openshift.io/auto-created-for-infra": "my-infra"})
    );
    assert_eq!(meta["annotations"], json!({"note": "hosted, by shiftdeck"}));
    // hcp pauses the default node pool with the cluster, and labels every object with the ID.
    assert_eq!(np(&r)["pausedUntil"], "2026-12-24T18:00:00Z");
    for o in &r.objects {
        assert_eq!(
            o["metadata"]["labels"]["hypershift.openshift.io/auto-created-for-infra"], "my-infra",
            "{}",
            o["kind"]
        );
    }
    let r = cluster(&dir, &["--pausedUntil", "true"]);
    valid(&r);
    assert_eq!(hc(&r)["pausedUntil"], "true");

    refused(
        &cluster(&dir, &["--pausedUntil", "next week"]),
        "--pausedUntil",
        "RFC 3339",
    );
    refused(
        &cluster(&dir, &["--infra-id", "My_Infra"]),
        "--infra-id",
        "infra ID",
    );
    refused(
        &cluster(&dir, &["--labels", "team"]),
        "--labels",
        "key=value",
    );
    refused(
        &cluster(&dir, &["--annotations", "bad key=x"]),
        "--annotations",
        "not valid",
    );
    refused(
        &cluster(&dir, &["--node-selector", "role"]),
        "--node-selector",
        "key=value",
    );
    refused(
        &cluster(&dir, &["--olm-catalog-placement", "hub"]),
        "--olm-catalog-placement",
        "management or guest",
    );
    refused(
        &cluster(&dir, &["--etcd-storage-size", "512Mi"]),
        "--etcd-storage-size",
        "at least 1Gi",
    );
    refused(&cluster(&dir, &["--fips=maybe"]), "--fips", "true or false");
}

fn ca_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["mirror.example.com".into()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn trust_bundle_and_image_content_sources_for_disconnected_installs() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    let pem = format!("{}{}", ca_pem(), ca_pem());
    std::fs::write(&bundle, &pem).unwrap();
    let ics = dir.path().join("ics.yaml");
    std::fs::write(
        &ics,
        "- source: quay.io/openshift-release-dev/ocp-release\n  mirrors:\n  - mirror.example.com:5000/ocp/release\n- mirrors:\n  - mirror.example.com:5000/ocp/art\n  source: quay.io/openshift-release-dev/ocp-v4.0-art-dev\n",
    )
    .unwrap();
    let r = cluster(
        &dir,
        &[
            "--additional-trust-bundle",
            bundle.to_str().unwrap(),
            "--image-content-sources",
            ics.to_str().unwrap(),
        ],
    );
    valid(&r);
    assert_eq!(
        hc(&r)["additionalTrustBundle"],
        json!({"name": "user-ca-bundle"})
    );
    assert_eq!(
        hc(&r)["imageContentSources"],
        json!([
            {"source": "quay.io/openshift-release-dev/ocp-release", "mirrors": ["mirror.example.com:5000/ocp/release"]},
            {"source": "quay.io/openshift-release-dev/ocp-v4.0-art-dev", "mirrors": ["mirror.example.com:5000/ocp/art"]},
        ])
    );
    let cm = find(&r, "ConfigMap");
    assert_eq!(cm["metadata"]["name"], "user-ca-bundle");
    assert_eq!(cm["metadata"]["namespace"], "clusters");
    // CA certificates are public: the ConfigMap carries them as given (and the review shows them).
    assert_eq!(cm["data"]["ca-bundle.crt"], pem.as_str());
    let kinds: Vec<&str> = r
        .objects
        .iter()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert_eq!(
        &kinds[..2],
        ["Namespace", "ConfigMap"],
        "the namespace first"
    );
    // The pull secret stays redacted next to it.
    assert!(!r.stdout.contains("dXNlcjpzZWNyZXQ="), "{}", r.stdout);

    let key = dir.path().join("key.pem");
    let k = rcgen::KeyPair::generate().unwrap().serialize_pem();
    std::fs::write(&key, format!("{}{k}", ca_pem())).unwrap();
    let r = cluster(&dir, &["--additional-trust-bundle", key.to_str().unwrap()]);
    refused(&r, "--additional-trust-bundle", "private key");
    let secret_line = k.lines().nth(1).unwrap();
    assert!(!r.stderr.contains(secret_line), "the key was echoed");

    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "hello").unwrap();
    refused(
        &cluster(&dir, &["--additional-trust-bundle", junk.to_str().unwrap()]),
        "--additional-trust-bundle",
        "no PEM certificate",
    );
    for (text, why) in [
        ("source: a\nmirrors: [b]\n", "not a YAML list"),
        ("- source: a\n  mirror: [b]\n", "unknown field"),
        ("- source: a\n", "has no mirrors"),
        ("- source: \"\"\n  mirrors: [b]\n", "empty source"),
        ("- source: a\n  mirrors: [b, b]\n", "twice"),
    ] {
        std::fs::write(&ics, text).unwrap();
        refused(
            &cluster(&dir, &["--image-content-sources", ics.to_str().unwrap()]),
            "--image-content-sources",
            why,
        );
    }
    refused(
        &cluster(&dir, &["--image-content-sources", "/nonexistent/ics.yaml"]),
        "--image-content-sources",
        "cannot read",
    );
}

/// The wizard offers every one of these flags as a field, on the step where an admin looks for
/// it, with `hcp`'s default, and shows the same refusals next to the field.
#[test]
fn the_wizard_offers_the_same_fields_defaults_and_refusals() {
    use shiftdeck::wizard::facts::ClusterFacts;
    use shiftdeck::wizard::form::{ClusterForm, FieldId, NodePoolForm, Step};
    let f = ClusterForm::new(ClusterFacts::default());
    let on = |step: Step| -> Vec<(FieldId, String)> {
        f.fields(step)
            .into_iter()
            .map(|x| (x.id, x.value))
            .collect()
    };
    let expect = |step: Step, want: &[(FieldId, &str)]| {
        let got = on(step);
        for (id, v) in want {
            assert!(
                got.iter().any(|(g, gv)| g == id && gv == v),
                "{step:?}: {id:?} = {v:?} missing in {got:?}"
            );
        }
    };
    expect(Step::Cluster, &[(FieldId::EtcdStorageSize, "8Gi")]);
    expect(
        Step::NodePool,
        &[
            (FieldId::Arch, "amd64"),
            (FieldId::AutoRepair, "false"),
            (FieldId::NodeUpgradeType, "Replace"),
            (FieldId::NodeDrainTimeout, "0s"),
            (FieldId::NodeVolumeDetachTimeout, "0s"),
        ],
    );
    expect(
        Step::Networking,
        &[
            (FieldId::NetworkType, "OVNKubernetes"),
            (FieldId::ClusterCidr, ""),
            (FieldId::ServiceCidr, ""),
            (FieldId::DefaultDual, "false"),
            (FieldId::ExternalDnsDomain, ""),
        ],
    );
    expect(
        Step::Advanced,
        &[
            (FieldId::Fips, "false"),
            (FieldId::InfraId, ""),
            (FieldId::ControlPlaneNodeSelector, ""),
            (FieldId::Labels, ""),
            (FieldId::Annotations, ""),
            (FieldId::OlmCatalogPlacement, "management"),
            (FieldId::OlmDisableDefaultSources, "false"),
            (FieldId::PausedUntil, ""),
            (FieldId::AdditionalTrustBundle, ""),
            (FieldId::ImageContentSources, ""),
        ],
    );
    let np = NodePoolForm::new(ClusterFacts::default());
    let ids: Vec<FieldId> = np.fields().iter().map(|x| x.id).collect();
    for id in [
        FieldId::Arch,
        FieldId::AutoRepair,
        FieldId::NodeUpgradeType,
        FieldId::NodeDrainTimeout,
        FieldId::NodeVolumeDetachTimeout,
    ] {
        assert!(ids.contains(&id), "{id:?} missing from the node pool form");
    }

    let mut f = ClusterForm::new(ClusterFacts::default());
    for (id, bad, why) in [
        (FieldId::NodeDrainTimeout, "ten minutes", "not a duration"),
        (
            FieldId::ClusterCidr,
            "10.0.0.1/8",
            "the network is 10.0.0.0/8",
        ),
        (FieldId::PausedUntil, "soon", "RFC 3339"),
        (FieldId::Labels, "team", "key=value"),
        (FieldId::Arch, "arm64", "not supported on KubeVirt"),
        (
            FieldId::AdditionalTrustBundle,
            "/nonexistent/ca.pem",
            "cannot read",
        ),
    ] {
        f.set(id, bad);
        let e = f.check(id).expect_err(bad).0;
        assert!(e.contains(why), "{id:?} {bad}: {e}");
        f.set(id, "");
    }
    f.set(FieldId::DefaultDual, "true");
    f.set(FieldId::ServiceCidr, "172.30.0.0/16");
    let e = f
        .check(FieldId::DefaultDual)
        .expect_err("dual with a CIDR")
        .0;
    assert!(
        e.contains("leave the cluster and service CIDRs empty"),
        "{e}"
    );
}
