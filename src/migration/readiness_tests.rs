use serde_json::{Value, json};

use super::*;
use crate::fleet::lm_message::LM_CONDITION;

const NS: &str = "clusters-user";
const SEED_MSG: &str = "3 of 3 machines are not live migratable\n\
Machine user-np-ngst4-gw2hz: DisksNotLiveMigratable: user-np-ngst4-gw2hz is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-gw2hz-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n\
Machine user-np-ngst4-npq7x: DisksNotLiveMigratable: user-np-ngst4-npq7x is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-npq7x-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n\
Machine user-np-ngst4-q5nkb: DisksNotLiveMigratable: user-np-ngst4-q5nkb is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-q5nkb-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n";
const MACHINES: [&str; 3] = [
    "user-np-ngst4-gw2hz",
    "user-np-ngst4-npq7x",
    "user-np-ngst4-q5nkb",
];

pub(crate) fn pool(name: &str, status: &str, msg: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "clusters"},
           "spec": {"clusterName": "user", "replicas": 3, "platform": {"type": "KubeVirt", "kubevirt": {
               "rootVolume": {"persistent": {"size": "32Gi", "storageClass": "lvms-vg1"}}}}},
           "status": {"replicas": 3, "conditions": [{"type": LM_CONDITION, "status": status, "message": msg}]}})
}

pub(crate) fn vmi(name: &str, pool: &str, node: &str, migratable: bool) -> Value {
    let cond = if migratable {
        json!({"type": "LiveMigratable", "status": "True"})
    } else {
        json!({"type": "LiveMigratable", "status": "False", "reason": "DisksNotLiveMigratable",
               "message": format!("cannot migrate VMI: PVC {name}-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)")})
    };
    json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
           "metadata": {"name": name, "namespace": NS, "labels": {
               NODEPOOL_NAME_LABEL: pool, "hypershift.openshift.io/infra-id": "user-x1b2c",
               "cluster.x-k8s.io/cluster-name": "user-x1b2c"}},
           "spec": {"volumes": [{"name": "rhcos", "dataVolume": {"name": format!("{name}-rhcos")}}]},
           "status": {"phase": "Running", "nodeName": node, "conditions": [cond]}})
}

fn pvc(name: &str, class: &str, mode: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": NS},
           "spec": {"accessModes": [mode], "storageClassName": class}})
}

fn profile(name: &str, modes: &[&str]) -> Value {
    json!({"metadata": {"name": name}, "status": {"storageClass": name, "claimPropertySets": [{"accessModes": modes}]}})
}

fn sc(name: &str) -> Value {
    json!({"metadata": {"name": name}, "provisioner": "x"})
}

pub(crate) fn storage() -> StorageCatalog {
    StorageCatalog::new(
        &[sc("lvms-vg1"), sc("ocs-storagecluster-ceph-rbd")],
        &[
            profile("lvms-vg1", &["ReadWriteOnce"]),
            profile(
                "ocs-storagecluster-ceph-rbd",
                &["ReadWriteMany", "ReadWriteOnce"],
            ),
        ],
    )
}

#[test]
fn seed_pool_is_not_migratable_and_remedy_names_the_rwx_class() {
    let vmis: Vec<Value> = MACHINES
        .iter()
        .map(|m| vmi(m, "user-np", "infra-1", false))
        .collect();
    let pvcs: Vec<Value> = MACHINES
        .iter()
        .map(|m| pvc(&format!("{m}-rhcos"), "lvms-vg1", "ReadWriteOnce"))
        .collect();
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &pvcs,
        storage: &st,
    };
    let r = pool_readiness(&pool("user-np", "False", SEED_MSG), &inp);
    assert_eq!((r.ratio().as_str(), r.truncated), ("0/3", false));
    assert_eq!(r.reasons.get("DisksNotLiveMigratable"), Some(&3));
    let m = &r.machines[0];
    assert_eq!(
        (m.vmi_migratable, m.pvc.as_str(), m.storage_class.as_deref()),
        (Some(false), "user-np-ngst4-gw2hz-rhcos", Some("lvms-vg1"))
    );
    assert_eq!(m.pvc_access_modes, ["ReadWriteOnce"]);
    assert_eq!(m.class_supports_rwx, Some(false));
    assert!(!m.disputed);
    assert_eq!(
        r.remedies,
        [
            "root volumes use RWO class `lvms-vg1`: create a new node pool with an RWX root volume storage class such as \
         `ocs-storagecluster-ceph-rbd` (access mode ReadWriteMany), then move workloads"
        ]
    );
    let row = ReadinessRow(r).cells();
    assert_eq!(
        row[..4],
        [
            "clusters/user-np",
            "user",
            "0/3",
            "DisksNotLiveMigratable×3"
        ]
    );
}

#[test]
fn rwx_capable_class_used_with_rwo_gets_access_mode_remedy() {
    let vmis = [vmi(MACHINES[0], "user-np", "infra-1", false)];
    let pvcs = [pvc(
        &format!("{}-rhcos", MACHINES[0]),
        "ocs-storagecluster-ceph-rbd",
        "ReadWriteOnce",
    )];
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &pvcs,
        storage: &st,
    };
    let msg = format!(
        "1 of 1 machines are not live migratable\nMachine {}: DisksNotLiveMigratable: x\n",
        MACHINES[0]
    );
    let r = pool_readiness(&pool("user-np", "False", &msg), &inp);
    assert!(r.remedies[0].starts_with("root volumes use ReadWriteOnce on class `ocs-storagecluster-ceph-rbd`, which offers ReadWriteMany"), "{:?}", r.remedies);
}

#[test]
fn no_rwx_storage_at_all() {
    let st = StorageCatalog::new(
        &[sc("lvms-vg1")],
        &[profile("lvms-vg1", &["ReadWriteOnce"])],
    );
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&pool("user-np", "False", SEED_MSG), &inp);
    // Without VMIs the counts come from the condition header.
    assert_eq!(r.ratio(), "0/3");
    assert_eq!(r.machines.len(), 3);
    assert!(
        r.remedies[0].contains("no storage class here offers ReadWriteMany"),
        "{:?}",
        r.remedies
    );
}

#[test]
fn condition_rows_of_other_pools_are_dropped_and_disputes_flagged() {
    // The condition lists all machines of the namespace; one belongs to another pool, one VMI
    // has become migratable since.
    let vmis = [
        vmi(MACHINES[0], "user-np", "infra-1", true),
        vmi(MACHINES[1], "user-np", "infra-1", false),
        vmi(MACHINES[2], "other-np", "infra-1", false),
    ];
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&pool("user-np", "False", SEED_MSG), &inp);
    let names: Vec<_> = r
        .machines
        .iter()
        .map(|m| (m.machine.as_str(), m.disputed))
        .collect();
    assert_eq!(names, [(MACHINES[0], true), (MACHINES[1], false)]);
    assert_eq!(r.ratio(), "1/2");
    assert_eq!(r.reasons.get("DisksNotLiveMigratable"), Some(&1));
}

#[test]
fn healthy_pool_and_unlisted_vmi() {
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let ok = pool_readiness(&pool("user-np", "True", "All is well"), &inp);
    assert!(ok.all_migratable());
    assert_eq!(ok.ratio(), "3/3");
    assert!(ok.remedies.is_empty());
    // The condition says all is well but a VMI says otherwise: shown, disputed.
    let vmis = [
        vmi(MACHINES[0], "user-np", "infra-1", false),
        vmi(MACHINES[1], "user-np", "infra-1", true),
    ];
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&pool("user-np", "True", "All is well"), &inp);
    assert_eq!(r.ratio(), "1/2");
    assert!(r.machines[0].disputed);
}

#[test]
fn other_reasons_have_their_own_remedies() {
    let mut p = pool(
        "gpu",
        "False",
        "1 of 1 machines are not live migratable\nMachine g-1: HostDeviceNotLiveMigratable: has host devices\n",
    );
    p["spec"]["platform"]["kubevirt"]["hostDevices"] = json!([{"deviceName": "nvidia.com/GA102"}]);
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&p, &inp);
    assert!(
        r.remedies[0].contains("host devices through (nvidia.com/GA102)"),
        "{:?}",
        r.remedies
    );
    let q = pool(
        "odd",
        "False",
        "1 of 1 machines are not live migratable\nMachine o-1: BrandNewReason: because\n",
    );
    assert_eq!(
        pool_readiness(&q, &inp).remedies,
        ["KubeVirt reports BrandNewReason: because"]
    );
}

#[test]
fn cluster_readiness_sums_pools() {
    let hc = json!({"metadata": {"name": "user", "namespace": "clusters"}});
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let pools = [
        pool("user-np", "False", SEED_MSG),
        pool("user-ok", "True", "All is well"),
    ];
    let c = ClusterReadiness::new(&hc, &pools, &inp);
    assert_eq!((c.migratable, c.total), (3, 6));
    assert_eq!(
        c.summary(),
        "3/6 VMs can live-migrate (DisksNotLiveMigratable ×3)"
    );
    let rem = c.remedies();
    assert_eq!(rem.len(), 1);
    assert!(
        rem[0].starts_with("clusters/user-np: root volumes use RWO class `lvms-vg1`"),
        "{rem:?}"
    );
    let c = ClusterReadiness::new(&hc, &pools[1..], &inp);
    assert_eq!(c.summary(), "all 3 VMs can live-migrate");
}

#[test]
fn vm_namespace_external_infra() {
    let mut p = pool("user-np", "True", "");
    assert_eq!(vm_namespace(&p), "clusters-user");
    p["status"]["platform"] = json!({"kubeVirt": {"credentials": {"infraNamespace": "guest-vms"}}});
    assert_eq!(vm_namespace(&p), "guest-vms");
    assert_eq!(root_claim(&json!({"metadata": {"name": "v"}})), "v-rhcos");
}

#[test]
fn cut_condition_line_takes_the_vmi_reason() {
    let msg = format!(
        "2 of 2 machines are not live migratable\nMachine {}: Disk... message truncated\n",
        MACHINES[0]
    );
    let vmis = [
        vmi(MACHINES[0], "user-np", "infra-1", false),
        vmi(MACHINES[1], "user-np", "infra-1", false),
    ];
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&pool("user-np", "False", &msg), &inp);
    assert!(r.truncated);
    assert_eq!(r.machines.len(), 2);
    assert_eq!(r.machines[0].reason, "DisksNotLiveMigratable");
    assert!(r.machines[0].message.starts_with("cannot migrate VMI: PVC"));
    // The second machine was not listed (truncated): not a dispute.
    assert!(!r.machines[1].disputed);
    assert_eq!(r.ratio(), "0/2");
    assert_eq!(ReadinessRow(r).cells()[2], "0/2 (truncated)");
}

#[test]
fn no_machines_state_counts_nothing() {
    let mut p = pool("user-np", "False", "No Machines are created");
    p["status"]["conditions"][0]["reason"] = json!("NotFound");
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let r = pool_readiness(&p, &inp);
    assert_eq!(r.ratio(), "0/0");
    assert!(r.all_migratable());
    assert!(r.remedies.is_empty());
}

#[test]
fn readiness_rows_skip_other_platforms() {
    let st = storage();
    let inp = ReadinessInputs {
        vmis: &[],
        pvcs: &[],
        storage: &st,
    };
    let aws = json!({"metadata": {"name": "aws", "namespace": "clusters"},
                     "spec": {"clusterName": "x", "platform": {"type": "AWS"}}});
    let rows = readiness_rows(
        &[
            pool("z-np", "True", "All is well"),
            aws,
            pool("a-np", "False", SEED_MSG),
        ],
        &inp,
    );
    let names: Vec<_> = rows.iter().map(|r| r.0.pool.as_str()).collect();
    assert_eq!(names, ["clusters/a-np", "clusters/z-np"]);
    let j = crate::fleet::util::rows_json(&rows);
    assert_eq!(j[1]["MIGRATABLE"], "3/3");
}
