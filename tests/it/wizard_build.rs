//! Builders: the seed's example invocations produce what `hcp` creates (facts §3) and validate
//! against the real CRD schemas from `../shared/reference/crds`.
#![allow(clippy::unwrap_used)]

use crate::crd_support;

use std::collections::BTreeMap;

use crd_support::crd_dir;
use serde_json::{Value, json};
use shiftdeck::wizard::build::{
    self, ClusterSpec, ExternalInfra, NodePoolSettings, NodePoolSpec, Plan,
};
use shiftdeck::wizard::schema::{self, CrdSchema};
use shiftdeck::wizard::secret::Sensitive;
use shiftdeck::wizard::validate::{self, Multiqueue, QosClass};

const PULL_SECRET: &str =
    r#"{"auths":{"quay.io":{"auth":"dXNlcjpzZWNyZXQtdG9rZW4=","email":"a@b.c"}}}"#;
const RELEASE: &str = "quay.io/openshift-release-dev/ocp-release:4.18.1-multi";

fn hc_schema() -> CrdSchema {
    CrdSchema::from_file(
        &crd_dir().join("hostedclusters.hypershift.openshift.io.yaml"),
        "v1beta1",
    )
    .unwrap()
}

fn np_schema() -> CrdSchema {
    CrdSchema::from_file(
        &crd_dir().join("nodepools.hypershift.openshift.io.yaml"),
        "v1beta1",
    )
    .unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// `hcp create cluster kubevirt --name example --node-pool-replicas 2 --pull-secret ps
///  --memory 6Gi --cores 2 --etcd-storage-class=lvm-storageclass` (seed 002 §4.3.3.1).
fn example_spec(dir: &tempfile::TempDir) -> ClusterSpec {
    ClusterSpec {
        name: validate::cluster_name("example").unwrap(),
        namespace: "clusters".into(),
        release_image: RELEASE.into(),
        pull_secret: validate::pull_secret_file(&write(dir, "ps.json", PULL_SECRET)).unwrap(),
        ssh_key: None,
        base_domain: None,
        etcd_storage_class: Some("lvm-storageclass".into()),
        node_pool: NodePoolSettings {
            replicas: 2,
            memory: validate::memory("6Gi").unwrap(),
            cores: 2,
            ..NodePoolSettings::default()
        },
        infra: None,
        infra_id: "example-sffhb".into(),
        etcd_encryption_key: Sensitive::new(vec![7u8; 32]),
        options: Default::default(),
    }
}

fn assert_valid(plan: &Plan) {
    let (hcs, nps) = (hc_schema(), np_schema());
    for o in &plan.objects {
        let errs = match o.kind.as_str() {
            "HostedCluster" => {
                let mut e = hcs.validate(&o.object);
                e.extend(schema::hostedcluster_cel(&o.object));
                e
            }
            "NodePool" => {
                let mut e = nps.validate(&o.object);
                e.extend(schema::nodepool_cel(&o.object));
                e
            }
            _ => vec![],
        };
        assert!(errs.is_empty(), "{} invalid: {errs:#?}", o.describe());
    }
}

fn kinds(plan: &Plan) -> Vec<(String, String)> {
    plan.objects
        .iter()
        .map(|o| (o.kind.clone(), o.name.clone()))
        .collect()
}

#[test]
fn seed_example_matches_hcp() {
    let dir = tempfile::tempdir().unwrap();
    let plan = build::build_cluster(&example_spec(&dir));
    assert_eq!(
        kinds(&plan),
        [
            ("Namespace", "clusters"),
            ("Secret", "example-pull-secret"),
            ("Secret", "example-etcd-encryption-key"),
            ("HostedCluster", "example"),
            ("NodePool", "example"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let hc = &plan.find("HostedCluster").unwrap().object;
    assert_eq!(hc["spec"]["release"]["image"], RELEASE);
    assert_eq!(hc["spec"]["pullSecret"]["name"], "example-pull-secret");
    assert_eq!(hc["spec"]["sshKey"], json!({}));
    assert_eq!(hc["spec"]["infraID"], "example-sffhb");
    assert_eq!(
        hc["spec"]["etcd"],
        json!({"managementType": "Managed", "managed": {"storage": {"type": "PersistentVolume",
            "persistentVolume": {"size": "8Gi", "storageClassName": "lvm-storageclass"}}}})
    );
    assert_eq!(hc["spec"]["dns"]["baseDomain"], "");
    assert_eq!(
        hc["spec"]["platform"],
        json!({"type": "KubeVirt", "kubevirt": {"baseDomainPassthrough": true}})
    );
    let services: Vec<(&str, &str)> = hc["spec"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap(),
                s["servicePublishingStrategy"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("APIServer", "LoadBalancer"),
            ("Ignition", "Route"),
            ("Konnectivity", "Route"),
            ("OAuthServer", "Route")
        ]
    );
    assert_eq!(
        hc["spec"]["secretEncryption"],
        json!({"type": "aescbc", "aescbc": {"activeKey": {"name": "example-etcd-encryption-key"}}})
    );
    assert_eq!(
        hc["spec"]["controllerAvailabilityPolicy"],
        "HighlyAvailable"
    );
    assert_eq!(hc["spec"]["networking"]["networkType"], "OVNKubernetes");
    assert_eq!(
        hc["metadata"]["labels"]["hypershift.openshift.io/auto-created-for-infra"],
        "example-sffhb"
    );

    let np = &plan.find("NodePool").unwrap().object;
    assert_eq!(np["spec"]["clusterName"], "example");
    assert_eq!(np["spec"]["replicas"], 2);
    assert_eq!(np["spec"]["release"]["image"], RELEASE);
    assert_eq!(np["spec"]["arch"], "amd64");
    assert_eq!(
        np["spec"]["management"],
        json!({"upgradeType": "Replace", "autoRepair": false})
    );
    assert_eq!(
        np["spec"]["platform"],
        json!({"type": "KubeVirt", "kubevirt": {
            "rootVolume": {"type": "Persistent", "persistent": {"size": "32Gi"}},
            "compute": {"memory": "6Gi", "cores": 2},
            "attachDefaultNetwork": true,
            "networkInterfaceMultiqueue": "Enable",
        }})
    );

    let pull = plan
        .objects
        .iter()
        .find(|o| o.name == "example-pull-secret")
        .unwrap();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(pull.object["data"][".dockerconfigjson"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, PULL_SECRET.as_bytes());
    assert_eq!(
        pull.object["metadata"]["labels"]["hypershift.openshift.io/safe-to-delete-with-cluster"],
        "true"
    );
    assert!(pull.object.get("type").is_none(), "hcp sets no type");
    let key = plan
        .objects
        .iter()
        .find(|o| o.name == "example-etcd-encryption-key")
        .unwrap();
    assert_eq!(key.object["type"], "Opaque");
    assert_valid(&plan);
}

#[test]
fn redacted_output_hides_every_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    let plan = build::build_cluster(&example_spec(&dir));
    let yaml = plan.to_yaml_redacted().unwrap();
    let json = plan.to_json_redacted().to_string();
    let debug = format!("{plan:?}");
    for out in [&yaml, &json, &debug] {
        assert!(
            !out.contains("dXNlcjpzZWNyZXQtdG9rZW4"),
            "secret leaked: {out}"
        );
        assert!(!out.contains("BwcHBwcH"), "etcd key leaked");
        assert!(out.contains("<redacted>"));
    }
    let docs: Vec<Value> = yaml
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_yaml::from_str(d).unwrap())
        .collect();
    assert_eq!(docs.len(), 5);
}

#[test]
fn seed_variants_additional_networks_qos_selector_external_infra() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: infra\n  cluster:\n    server: https://api.infra.example.com:6443\nusers:\n- name: u\n  user:\n    token: t0ps3cret\ncontexts:\n- name: c\n  context:\n    cluster: infra\n    user: u\ncurrent-context: c\n";
    let mut spec = example_spec(&dir);
    spec.node_pool.additional_networks =
        validate::additional_networks("name:my-namespace/my-network,name:clusters/vlan-100")
            .unwrap();
    spec.node_pool.attach_default_network = false;
    spec.node_pool.qos_class = QosClass::Guaranteed;
    spec.node_pool.vm_node_selector =
        validate::node_selector("topology.kubernetes.io/zone=rack-1,cpumanager=true").unwrap();
    spec.node_pool.multiqueue = Multiqueue::Disable;
    spec.node_pool.root_volume_storage_class = Some("ocs-storagecluster-ceph-rbd".into());
    spec.node_pool.root_volume_access_modes = vec!["ReadWriteMany".into()];
    spec.infra = Some(ExternalInfra {
        kubeconfig: validate::infra_kubeconfig_file(&write(&dir, "infra.kubeconfig", kubeconfig))
            .unwrap(),
        namespace: "clusters-example".into(),
    });
    spec.base_domain = Some("hypershift.lab".into());
    spec.ssh_key = validate::ssh_key_file(&write(
        &dir,
        "id.pub",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host\n",
    ))
    .unwrap();
    let plan = build::build_cluster(&spec);
    assert_eq!(
        kinds(&plan)
            .iter()
            .map(|k| k.1.as_str())
            .collect::<Vec<_>>(),
        [
            "clusters",
            "example-pull-secret",
            "example-ssh-key",
            "example-infra-credentials",
            "example-etcd-encryption-key",
            "example",
            "example"
        ]
    );
    let hc = &plan.find("HostedCluster").unwrap().object;
    assert_eq!(hc["spec"]["sshKey"]["name"], "example-ssh-key");
    assert_eq!(hc["spec"]["dns"]["baseDomain"], "hypershift.lab");
    assert_eq!(
        hc["spec"]["platform"]["kubevirt"],
        json!({"credentials": {"infraKubeConfigSecret": {"name": "example-infra-credentials", "key": "kubeconfig"},
                               "infraNamespace": "clusters-example"}})
    );
    let kv = &plan.find("NodePool").unwrap().object["spec"]["platform"]["kubevirt"];
    assert_eq!(
        kv["additionalNetworks"],
        json!([{"name": "my-namespace/my-network"}, {"name": "clusters/vlan-100"}])
    );
    assert_eq!(kv["attachDefaultNetwork"], false);
    assert_eq!(kv["compute"]["qosClass"], "Guaranteed");
    assert!(kv.get("networkInterfaceMultiqueue").is_none());
    let want: BTreeMap<&str, &str> = [
        ("topology.kubernetes.io/zone", "rack-1"),
        ("cpumanager", "true"),
    ]
    .into();
    assert_eq!(kv["nodeSelector"], json!(want));
    assert_eq!(
        kv["rootVolume"]["persistent"],
        json!({"size": "32Gi", "storageClass": "ocs-storagecluster-ceph-rbd", "accessModes": ["ReadWriteMany"]})
    );
    let yaml = plan.to_yaml_redacted().unwrap();
    assert!(!yaml.contains("t0ps3cret"));
    assert_valid(&plan);
}

#[test]
fn add_nodepool_seed_example() {
    // hcp create nodepool kubevirt --cluster-name example --name example-extra-cpu
    //   --node-count 2 --memory 6Gi --cores 4 --root-volume-size 16
    let plan = build::build_nodepool(&NodePoolSpec {
        name: validate::nodepool_name("example-extra-cpu").unwrap(),
        namespace: "clusters".into(),
        cluster_name: "example".into(),
        release_image: RELEASE.into(),
        settings: NodePoolSettings {
            replicas: validate::replicas("2").unwrap(),
            memory: validate::memory("6Gi").unwrap(),
            cores: validate::cores("4").unwrap(),
            root_volume_gi: validate::root_volume_size("16").unwrap(),
            ..NodePoolSettings::default()
        },
    });
    assert_eq!(plan.objects.len(), 1);
    let np = &plan.objects[0].object;
    assert_eq!(np["metadata"]["name"], "example-extra-cpu");
    assert_eq!(np["spec"]["clusterName"], "example");
    assert_eq!(np["spec"]["replicas"], 2);
    assert_eq!(
        np["spec"]["platform"]["kubevirt"]["compute"],
        json!({"memory": "6Gi", "cores": 4})
    );
    assert_eq!(
        np["spec"]["platform"]["kubevirt"]["rootVolume"]["persistent"]["size"],
        "16Gi"
    );
    assert_valid(&plan);
}

#[test]
fn schema_catches_what_the_crd_forbids() {
    let dir = tempfile::tempdir().unwrap();
    let plan = build::build_cluster(&example_spec(&dir));
    let hcs = hc_schema();
    let mut hc = plan.find("HostedCluster").unwrap().object.clone();
    hc["spec"]["services"].as_array_mut().unwrap().truncate(3);
    hc["spec"]["platform"]["type"] = json!("VSphere");
    hc["spec"]["release"]["image"] = json!(" bad image");
    hc["spec"]["etcd"]["managed"]["storage"]["type"] = json!("EmptyDir");
    hc["spec"]["bogusField"] = json!(1);
    hc["spec"]["pullSecret"] = json!(null);
    let mut errs = hcs.validate(&hc);
    errs.extend(schema::hostedcluster_cel(&hc));
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let has = |p: &str| text.iter().any(|t| t.starts_with(p));
    assert!(has("spec.platform.type"), "{text:#?}");
    assert!(has("spec.etcd.managed.storage.type"), "{text:#?}");
    assert!(has("spec.bogusField"), "{text:#?}");
    assert!(has("spec.pullSecret"), "{text:#?}");
    assert!(has("spec.services"), "{text:#?}");
    assert!(has("spec.release.image"), "{text:#?}");
    let mut without_release = plan.find("HostedCluster").unwrap().object.clone();
    without_release["spec"]
        .as_object_mut()
        .unwrap()
        .remove("release");
    assert!(
        hcs.validate(&without_release)
            .iter()
            .any(|e| e.path == "spec.release" && e.message == "Required value")
    );

    let nps = np_schema();
    let mut np = plan.find("NodePool").unwrap().object.clone();
    np["spec"]["platform"]["kubevirt"]["compute"]["qosClass"] = json!("BestEffort");
    np["spec"]["platform"]["kubevirt"]["compute"]["cores"] = json!(0);
    np["spec"]["platform"]["kubevirt"]["networkInterfaceMultiqueue"] = json!("On");
    np["spec"]["clusterName"] = json!("Example_1");
    np["spec"]["autoScaling"] = json!({"min": 0, "max": 2});
    np["spec"]["management"]
        .as_object_mut()
        .unwrap()
        .remove("upgradeType");
    let mut errs = nps.validate(&np);
    errs.extend(schema::nodepool_cel(&np));
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let has = |p: &str| text.iter().any(|t| t.starts_with(p));
    assert!(has("spec.platform.kubevirt.compute.qosClass"), "{text:#?}");
    assert!(has("spec.platform.kubevirt.compute.cores"), "{text:#?}");
    assert!(
        has("spec.platform.kubevirt.networkInterfaceMultiqueue"),
        "{text:#?}"
    );
    assert!(has("spec.clusterName"), "{text:#?}");
    assert!(has("spec.management.upgradeType"), "{text:#?}");
    assert!(
        text.iter()
            .any(|t| t.contains("Both replicas or autoScaling should not be set")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t.contains("Scale-from-zero")),
        "{text:#?}"
    );
}
