use serde_json::{Value, json};

use super::*;
use crate::migration::readiness::tests::vmi;

fn other_cluster_vmi(name: &str, node: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "clusters-prod",
                        "labels": {"hypershift.openshift.io/nodePool": "clusters/prod-workers",
                                   "cluster.x-k8s.io/cluster-name": "prod-abcde"}},
           "status": {"phase": "Running", "nodeName": node,
                      "conditions": [{"type": "LiveMigratable", "status": "True"}]}})
}

fn hcs() -> Vec<Value> {
    vec![
        json!({"metadata": {"name": "user", "namespace": "clusters"}, "spec": {"infraID": "user-x1b2c"}}),
        json!({"metadata": {"name": "prod", "namespace": "clusters"}, "spec": {"infraID": "prod-abcde"}}),
    ]
}

#[test]
fn groups_by_cluster_and_pool_with_verdict() {
    let vmis = vec![
        vmi("user-np-b", "user-np", "infra-1", false),
        vmi("user-np-a", "user-np", "infra-1", true),
        vmi("user-np-c", "user-np", "infra-2", false),
        other_cluster_vmi("prod-workers-1", "infra-1"),
    ];
    let r = MaintenanceReport::new("infra-1", &vmis, &hcs());
    let keys: Vec<_> = r.groups.keys().cloned().collect();
    assert_eq!(
        keys,
        [
            ("prod".to_string(), "prod-workers".to_string()),
            ("user".to_string(), "user-np".to_string())
        ]
    );
    let user = &r.groups[&("user".to_string(), "user-np".to_string())];
    assert_eq!(
        user.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["user-np-a", "user-np-b"]
    );
    assert!(!r.safe());
    assert_eq!(r.drained_guest_nodes(), ["user-np-b"]);
    assert_eq!(
        r.verdict(),
        "1 VMs will restart: user-np-b (user/user-np: DisksNotLiveMigratable); their guest nodes are drained first"
    );
    let rows: Vec<Vec<String>> = r.rows().iter().map(TableRow::cells).collect();
    assert_eq!(
        rows[2],
        [
            "user",
            "user-np",
            "user-np-b",
            "no",
            "DisksNotLiveMigratable",
            "user-np-b"
        ]
    );
    assert_eq!(rows[1], ["user", "user-np", "user-np-a", "yes", "", ""]);
}

#[test]
fn safe_and_empty_nodes() {
    let vmis = vec![
        vmi("user-np-a", "user-np", "infra-1", true),
        other_cluster_vmi("p-1", "infra-1"),
    ];
    let r = MaintenanceReport::new("infra-1", &vmis, &hcs());
    assert_eq!(r.verdict(), "safe: all 2 VMs can live-migrate");
    assert!(r.drained_guest_nodes().is_empty());
    let empty = MaintenanceReport::new("infra-9", &vmis, &hcs());
    assert_eq!(
        empty.verdict(),
        "safe: no hosted-cluster VMs run on infra-9"
    );
    assert_eq!(infra_nodes(&vmis), ["infra-1"]);
}

#[test]
fn owners_without_hosted_clusters_and_missing_condition() {
    let bare = json!({"metadata": {"name": "x-1", "namespace": "clusters-lab"},
                      "status": {"nodeName": "infra-1", "phase": "Running",
                                 "interfaces": [{"ipAddress": "10.128.2.7"}]}});
    let r = MaintenanceReport::new("infra-1", std::slice::from_ref(&bare), &[]);
    let v = r.vmis().next().unwrap();
    assert_eq!((v.cluster.as_str(), v.pool.as_str()), ("lab", "(unknown)"));
    assert_eq!(v.migratable, None);
    assert!(v.will_restart());
    assert!(
        r.verdict()
            .starts_with("1 VMs will restart: x-1 (lab/(unknown): NoLiveMigratableCondition)")
    );
    assert_eq!(vmi_ips(&bare), ["10.128.2.7"]);
    // The owning VM's labels name the pool.
    let mut owned = bare.clone();
    owned["metadata"]["ownerReferences"] = json!([{"kind": "VirtualMachine", "name": "vm-x"}]);
    let vm = json!({"metadata": {"name": "vm-x", "namespace": "clusters-lab",
                                 "labels": {"hypershift.openshift.io/nodepool-name": "lab-np"}}});
    let r = MaintenanceReport::with_vms("infra-1", &[owned], &[vm], &[]);
    assert_eq!(r.vmis().next().unwrap().pool, "lab-np");
    // Owner found through the infra-id label even in an external infra namespace.
    let mut ext = other_cluster_vmi("p-2", "infra-1");
    ext["metadata"]["namespace"] = json!("guest-vms");
    assert_eq!(owning_cluster(&ext, &hcs()), "prod");
}

#[test]
fn migration_in_progress_detection() {
    let mut v = vmi("a", "p", "infra-1", true);
    assert!(!migrating(&v));
    v["status"]["migrationState"] = json!({"sourceNode": "infra-1", "targetNode": "infra-2"});
    assert!(migrating(&v));
    v["status"]["migrationState"]["completed"] = json!(true);
    assert!(!migrating(&v));
}
