//! Every object-shaping `hcp create cluster|nodepool kubevirt` flag that shiftdeck supports, parsed
//! by the real command line, built into objects and validated against the real HyperShift CRD
//! schemas (`../shared/reference/crds`); where `hcp`'s own render tests have a fixture for the
//! flag, the expected values below are the fixture's (openshift/hypershift
//! `cmd/cluster/kubevirt/testdata/..._complex_configuration_flags...yaml` and
//! `product-cli/cmd/nodepool/kubevirt/testdata/..._full_configuration...yaml`).
#![allow(clippy::unwrap_used)]

use crate::crd_support;

use clap::Parser;
use crd_support::crd_dir;
use serde_json::{Value, json};
use shiftdeck::cli::create::{self as cmd, ClusterPlatform, CreateWhat, NodePoolPlatform};
use shiftdeck::cli::{Cli, Command};
use shiftdeck::wizard::build::Plan;
use shiftdeck::wizard::facts::{ClusterFacts, Fetched, StorageClassInfo, StorageProfileInfo};
use shiftdeck::wizard::form::{self, ClusterForm, FieldId, FieldKind, Step};
use shiftdeck::wizard::schema::{self, CrdSchema};

const PULL_SECRET: &str = r#"{"auths":{"quay.io":{"auth":"dXNlcjpzZWNyZXQ="}}}"#;
const RELEASE: &str = "quay.io/openshift-release-dev/ocp-release:4.18.1-multi";

fn schema(file: &str) -> CrdSchema {
    CrdSchema::from_file(&crd_dir().join(file), "v1beta1").unwrap()
}

/// Every HostedCluster and NodePool of the plan passes the CRD schema and CEL rules.
fn assert_valid(plan: &Plan) {
    let hcs = schema("hostedclusters.hypershift.openshift.io.yaml");
    let nps = schema("nodepools.hypershift.openshift.io.yaml");
    let mut checked = 0;
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
            _ => continue,
        };
        checked += 1;
        assert!(errs.is_empty(), "{} invalid: {errs:#?}", o.describe());
    }
    assert!(checked > 0, "nothing validated");
}

/// `shiftdeck create cluster kubevirt <base flags> <extra>` built offline.
fn cluster(extra: &[&str]) -> Result<Plan, form::FieldErrors> {
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("ps.json");
    std::fs::write(&ps, PULL_SECRET).unwrap();
    let mut args = vec![
        "shiftdeck",
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
    ];
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Some(Command::Create(c)) = cli.command else {
        panic!("not create")
    };
    let CreateWhat::Cluster {
        platform: ClusterPlatform::Kubevirt(a),
    } = c.what
    else {
        panic!("not cluster")
    };
    cmd::cluster_form(&a, None).plan()
}

/// `shiftdeck create nodepool kubevirt <base flags> <extra>` built offline.
fn nodepool(extra: &[&str]) -> Result<Plan, form::FieldErrors> {
    let mut args = vec![
        "shiftdeck",
        "create",
        "nodepool",
        "kubevirt",
        "--name",
        "test-nodepool",
        "--cluster-name",
        "test-cluster",
        "--release-image",
        RELEASE,
    ];
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Some(Command::Create(c)) = cli.command else {
        panic!("not create")
    };
    let CreateWhat::Nodepool {
        platform: NodePoolPlatform::Kubevirt(a),
    } = c.what
    else {
        panic!("not nodepool")
    };
    cmd::nodepool_form(&a, ClusterFacts::default()).plan()
}

fn hc(plan: &Plan) -> &Value {
    &plan.find("HostedCluster").unwrap().object["spec"]
}

fn np_kubevirt(plan: &Plan) -> &Value {
    &plan.find("NodePool").unwrap().object["spec"]["platform"]["kubevirt"]
}

fn error_of(r: Result<Plan, form::FieldErrors>, id: FieldId) -> String {
    let errs = r.expect_err("refused");
    errs.iter()
        .find(|(i, _)| *i == id)
        .map(|(_, m)| m.clone())
        .unwrap_or_else(|| panic!("no error for {id:?}: {errs:?}"))
}

#[test]
fn defaults_are_hcps() {
    let plan = cluster(&[]).unwrap();
    let spec = hc(&plan);
    assert_eq!(spec["controllerAvailabilityPolicy"], "HighlyAvailable");
    assert!(spec.get("infrastructureAvailabilityPolicy").is_none());
    assert!(spec.get("tolerations").is_none());
    assert!(spec["platform"]["kubevirt"].get("storageDriver").is_none());
    let kv = np_kubevirt(&plan);
    assert_eq!(
        kv["rootVolume"],
        json!({"type": "Persistent", "persistent": {"size": "32Gi"}}),
        "no access modes, volume mode or cache strategy unless asked"
    );
    assert!(kv.get("hostDevices").is_none());
    assert_valid(&plan);
}

#[test]
fn availability_policies() {
    let plan = cluster(&[
        "--control-plane-availability-policy",
        "SingleReplica",
        "--infra-availability-policy",
        "HighlyAvailable",
    ])
    .unwrap();
    assert_eq!(hc(&plan)["controllerAvailabilityPolicy"], "SingleReplica");
    assert_eq!(
        hc(&plan)["infrastructureAvailabilityPolicy"],
        "HighlyAvailable"
    );
    assert_valid(&plan);
    let e = error_of(
        cluster(&["--infra-availability-policy", "Triple"]),
        FieldId::InfraAvailability,
    );
    assert!(e.contains("HighlyAvailable or SingleReplica"), "{e}");
}

#[test]
fn storage_and_snapshot_class_mappings_as_in_the_hcp_fixture() {
    let plan = cluster(&[
        "--infra-storage-class-mapping=gp3-csi/gp3",
        "--infra-storage-class-mapping=ocs-storagecluster-ceph-rbd/ceph-rbd",
        "--infra-volumesnapshot-class-mapping=ocs-storagecluster-rbd-snap/rdb-snap",
    ])
    .unwrap();
    assert_eq!(
        hc(&plan)["platform"]["kubevirt"]["storageDriver"],
        json!({"type": "Manual", "manual": {
            "storageClassMapping": [
                {"infraStorageClassName": "gp3-csi", "guestStorageClassName": "gp3"},
                {"infraStorageClassName": "ocs-storagecluster-ceph-rbd", "guestStorageClassName": "ceph-rbd"},
            ],
            "volumeSnapshotClassMapping": [
                {"infraVolumeSnapshotClassName": "ocs-storagecluster-rbd-snap", "guestVolumeSnapshotClassName": "rdb-snap"},
            ],
        }})
    );
    assert_valid(&plan);

    let plan = cluster(&[
        "--infra-storage-class-mapping=ceph-rbd/rbd,group=ceph",
        "--infra-volumesnapshot-class-mapping=rbd-snap/snap, group=ceph",
    ])
    .unwrap();
    let manual = &hc(&plan)["platform"]["kubevirt"]["storageDriver"]["manual"];
    assert_eq!(manual["storageClassMapping"][0]["group"], "ceph");
    assert_eq!(manual["volumeSnapshotClassMapping"][0]["group"], "ceph");
    assert_valid(&plan);

    // A snapshot mapping alone also switches the driver to Manual, as in hcp.
    let plan = cluster(&["--infra-volumesnapshot-class-mapping=a/b"]).unwrap();
    assert_eq!(
        hc(&plan)["platform"]["kubevirt"]["storageDriver"]["type"],
        "Manual"
    );
    assert_valid(&plan);

    let e = error_of(
        cluster(&["--infra-storage-class-mapping=nodash"]),
        FieldId::StorageClassMappings,
    );
    assert!(
        e.contains("<infra storage class>/<guest storage class>"),
        "{e}"
    );
    let e = error_of(
        cluster(&["--infra-volumesnapshot-class-mapping=a/b,grop=x"]),
        FieldId::SnapshotClassMappings,
    );
    assert!(e.contains("the only option is group"), "{e}");
}

#[test]
fn tolerations_as_in_the_hcp_fixture() {
    let plan = cluster(&[
        "--toleration=key=key1,value=value1,effect=noSchedule",
        "--toleration",
        "key=key2,value=value2,effect=NoSchedule",
        "--toleration",
        "key=node.kubernetes.io/unreachable,operator=exists,effect=NoExecute,tolerationSeconds=300",
    ])
    .unwrap();
    assert_eq!(
        hc(&plan)["tolerations"],
        json!([
            {"effect": "NoSchedule", "key": "key1", "value": "value1"},
            {"effect": "NoSchedule", "key": "key2", "value": "value2"},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ])
    );
    assert_valid(&plan);
    let e = error_of(
        cluster(&["--toleration", "key=a,effect=Sometimes"]),
        FieldId::Tolerations,
    );
    assert!(e.contains("effect must be"), "{e}");
}

#[test]
fn root_volume_options_and_host_devices_as_in_the_hcp_fixture() {
    let flags = [
        "--cores=4",
        "--memory=8Gi",
        "--root-volume-size=64",
        "--root-volume-storage-class=fast-storage",
        "--root-volume-access-modes=ReadWriteOnce",
        "--root-volume-volume-mode=Block",
        "--root-volume-cache-strategy=None",
        "--network-multiqueue=Enable",
        "--qos-class=Guaranteed",
        "--additional-network=name:default/nad1",
        "--attach-default-network=false",
        "--vm-node-selector=role=kubevirt,size=large",
        "--host-device-name=testdevice,count:1",
    ];
    let fixture = json!({
        "additionalNetworks": [{"name": "default/nad1"}],
        "attachDefaultNetwork": false,
        "compute": {"cores": 4, "memory": "8Gi", "qosClass": "Guaranteed"},
        "hostDevices": [{"count": 1, "deviceName": "testdevice"}],
        "networkInterfaceMultiqueue": "Enable",
        "nodeSelector": {"role": "kubevirt", "size": "large"},
        "rootVolume": {
            "cacheStrategy": {"type": "None"},
            "persistent": {
                "accessModes": ["ReadWriteOnce"],
                "size": "64Gi",
                "storageClass": "fast-storage",
                "volumeMode": "Block",
            },
            "type": "Persistent",
        },
    });
    let plan = nodepool(&flags).unwrap();
    assert_eq!(np_kubevirt(&plan), &fixture);
    assert_valid(&plan);
    // The same flags on `create cluster` shape its default node pool the same way.
    let plan = cluster(&flags).unwrap();
    assert_eq!(np_kubevirt(&plan), &fixture);
    assert_valid(&plan);

    let plan = nodepool(&[
        "--root-volume-access-modes",
        "ReadWriteMany",
        "--root-volume-cache-strategy",
        "PVC",
        "--host-device-name",
        "nvidia-a10,count:2",
        "--host-device-name",
        "nic-vf,count:1",
    ])
    .unwrap();
    let kv = np_kubevirt(&plan);
    assert_eq!(
        kv["rootVolume"]["persistent"]["accessModes"],
        json!(["ReadWriteMany"])
    );
    assert_eq!(kv["rootVolume"]["cacheStrategy"], json!({"type": "PVC"}));
    assert_eq!(
        kv["hostDevices"],
        json!([{"deviceName": "nvidia-a10", "count": 2}, {"deviceName": "nic-vf", "count": 1}])
    );
    assert_valid(&plan);
}

#[test]
fn bad_root_volume_options_and_host_devices_are_refused() {
    let e = error_of(
        nodepool(&["--host-device-name", "nvidia-a10"]),
        FieldId::HostDevices,
    );
    assert!(
        e.contains("has no count: write nvidia-a10,count:1"),
        "hcp would drop it silently: {e}"
    );
    for (flags, id, why) in [
        (
            ["--root-volume-access-modes", "RWX"],
            FieldId::RootVolumeAccessModes,
            "unknown access mode",
        ),
        (
            ["--root-volume-volume-mode", "Raw"],
            FieldId::RootVolumeVolumeMode,
            "Filesystem or Block",
        ),
        (
            ["--root-volume-cache-strategy", "Disk"],
            FieldId::RootVolumeCacheStrategy,
            "None or PVC",
        ),
        (
            ["--host-device-name", "gpu,count:0"],
            FieldId::HostDevices,
            "1 or more",
        ),
    ] {
        let e = error_of(nodepool(&flags), id);
        assert!(e.contains(why), "{flags:?}: {e}");
    }
}

/// Facts of a hub with an RWX class (the default) and an RWO-only one.
fn hub_facts() -> ClusterFacts {
    let sc = |name: &str, d: bool| StorageClassInfo {
        name: name.into(),
        is_default: d,
        provisioner: "p".into(),
    };
    let sp = |name: &str, modes: &[&str]| StorageProfileInfo {
        name: name.into(),
        access_modes: modes.iter().map(|m| m.to_string()).collect(),
    };
    ClusterFacts {
        storage_classes: Fetched::Present(vec![sc("ceph-rbd", true), sc("lvms-vg1", false)]),
        storage_profiles: Fetched::Present(vec![
            sp("ceph-rbd", &["ReadWriteMany", "ReadWriteOnce"]),
            sp("lvms-vg1", &["ReadWriteOnce"]),
        ]),
        ..ClusterFacts::default()
    }
}

/// The wizard offers the same choices, with hcp's defaults, and says when the storage class
/// cannot give ReadWriteMany.
#[test]
fn wizard_offers_the_new_choices_and_warns_about_rwx() {
    let mut f = ClusterForm::new(hub_facts());
    let ids = |step| -> Vec<FieldId> { f.fields(step).iter().map(|x| x.id).collect() };
    let cluster_ids = ids(Step::Cluster);
    for id in [
        FieldId::ControlPlaneAvailability,
        FieldId::InfraAvailability,
        FieldId::Tolerations,
    ] {
        assert!(cluster_ids.contains(&id), "{id:?} missing: {cluster_ids:?}");
    }
    let infra_ids = ids(Step::ExternalInfra);
    assert!(infra_ids.contains(&FieldId::StorageClassMappings));
    assert!(infra_ids.contains(&FieldId::SnapshotClassMappings));
    let node_ids = ids(Step::NodePool);
    for id in [
        FieldId::RootVolumeAccessModes,
        FieldId::RootVolumeVolumeMode,
        FieldId::RootVolumeCacheStrategy,
        FieldId::HostDevices,
    ] {
        assert!(node_ids.contains(&id), "{id:?} missing: {node_ids:?}");
    }
    assert_eq!(
        f.value(FieldId::RootVolumeAccessModes),
        "",
        "hcp default: unset"
    );
    assert_eq!(
        f.value(FieldId::ControlPlaneAvailability),
        "HighlyAvailable"
    );
    let choices = |f: &ClusterForm| {
        let node = f.fields(Step::NodePool);
        match &node
            .iter()
            .find(|x| x.id == FieldId::RootVolumeAccessModes)
            .unwrap()
            .kind
        {
            FieldKind::MultiPick { choices } => choices
                .iter()
                .map(|c| (c.value.clone(), c.note.clone()))
                .collect::<Vec<_>>(),
            other => panic!("not a multi-pick: {other:?}"),
        }
    };
    let c = choices(&f);
    let values: Vec<&str> = c.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(
        values,
        [
            "ReadWriteOnce",
            "ReadWriteMany",
            "ReadOnly",
            "ReadWriteOncePod"
        ]
    );
    assert_eq!(
        c[1].1, "live-migratable",
        "the default class ceph-rbd is RWX"
    );

    f.set(FieldId::RootVolumeAccessModes, "ReadWriteMany");
    assert_eq!(f.check(FieldId::RootVolumeAccessModes), Ok(None));
    f.set(FieldId::RootVolumeStorageClass, "lvms-vg1");
    let w = f.check(FieldId::RootVolumeAccessModes).unwrap().unwrap();
    assert!(w.contains("lvms-vg1 cannot give ReadWriteMany"), "{w}");
    assert_eq!(choices(&f)[1].1, "lvms-vg1 cannot give RWX");

    // A mapping of an infra class the hub does not have is refused; an RWO one is warned about.
    f.set(FieldId::StorageClassMappings, "nope/guest");
    let e = f.check(FieldId::StorageClassMappings).unwrap_err().0;
    assert!(e.contains("no storage class nope"), "{e}");
    f.set(FieldId::StorageClassMappings, "ceph-rbd/rbd; lvms-vg1/lvm");
    let w = f.check(FieldId::StorageClassMappings).unwrap().unwrap();
    assert!(w.contains("lvms-vg1 has no ReadWriteMany"), "{w}");
}
