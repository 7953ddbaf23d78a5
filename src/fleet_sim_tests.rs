//! The view models over the simulated cluster's seeded objects (hub and azure profiles): the
//! shapes the panes will really see.

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::fleet::hosted::{self, HostedClusterRow};
use crate::fleet::hosted_details::HostedClusterDetails;
use crate::fleet::machineset::machine_set_rows;
use crate::fleet::nodepool::NodePoolRow;
use crate::fleet::pipeline::{PipelineInputs, machine_pipeline};
use crate::fleet::scale::machines_of_pool;
use crate::fleet::util::TableRow;
use crate::migration::maintenance::{MaintenanceReport, infra_nodes};
use crate::migration::readiness::{ReadinessInputs, pool_readiness};
use crate::migration::request::plan_migrate_all;
use crate::migration::storage::StorageCatalog;
use shiftdeck_sim::clock::SimClock;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::store::{DEFAULT_HISTORY, Store};
use shiftdeck_sim::{Profile, SimOptions};

struct Sim(Store);

impl Sim {
    fn new(profile: Profile) -> Self {
        let store = Store::new(SimClock::new(1.0), DEFAULT_HISTORY);
        let opts = SimOptions {
            profile,
            live: false,
            ..SimOptions::default()
        };
        shiftdeck_sim::scenario::seed(&store, &opts).expect("seed");
        Sim(store)
    }

    fn list(&self, key: &str) -> Vec<Value> {
        self.0
            .list(by_key(key), None)
            .0
            .iter()
            .map(|v| (**v).clone())
            .collect()
    }
}

const HC: &str = "hostedclusters.hypershift.openshift.io";
const NP: &str = "nodepools.hypershift.openshift.io";

#[test]
fn hub_hosted_clusters_and_pools() {
    let sim = Sim::new(Profile::Hub);
    let (hcs, pools) = (sim.list(HC), sim.list(NP));
    let rows = hosted::hosted_cluster_rows(&hcs, &pools);
    let by = |n: &str| rows.iter().find(|r| r.name == n).expect(n).clone();
    let example: HostedClusterRow = by("example");
    assert_eq!(
        (example.progress.as_str(), example.available.as_str()),
        ("Completed", "True")
    );
    assert_eq!(example.kubeconfig, "example-admin-kubeconfig");
    assert!(!example.version.is_empty());
    assert_eq!(example.node_pools, 2);
    let guest = by("guest");
    assert_eq!(guest.progress, "Partial");

    let guest_hc = hcs
        .iter()
        .find(|h| crate::fleet::util::name(h) == "guest")
        .expect("guest hc");
    let det = HostedClusterDetails::new(guest_hc, &pools, &sim.list("pods"), &sim.list("services"));
    assert_eq!(det.control_plane_namespace, "clusters-guest");
    assert!(det.pods.total > 0);
    assert_eq!(det.apps.service.as_deref(), Some("guest-apps"));
    assert_eq!(
        det.apps.wildcard_dns.as_deref(),
        Some("*.apps.guest.hypershift.lab")
    );
    assert!(
        det.partial_reasons
            .iter()
            .any(|r| r.contains("address pool `guest-apps`")),
        "{:?}",
        det.partial_reasons
    );

    let user_hc = hcs
        .iter()
        .find(|h| crate::fleet::util::name(h) == "user")
        .expect("user hc");
    let msg =
        crate::fleet::util::condition_field(user_hc, "KubeVirtNodesLiveMigratable", "message")
            .unwrap_or("");
    assert_eq!(
        crate::fleet::lm_message::hc_non_migratable_pools(msg),
        ["user-np"]
    );

    let np_rows: Vec<NodePoolRow> = pools.iter().map(NodePoolRow::new).collect();
    let user = np_rows
        .iter()
        .find(|r| r.name == "user-np")
        .expect("user-np");
    assert_eq!(
        user.cells()[12..],
        ["4", "16Gi", "32Gi", "lvms-vg1", "no 3/3"]
    );
    let ex = np_rows
        .iter()
        .find(|r| r.name == "example")
        .expect("example");
    assert_eq!(ex.live_migratable.badge(), "yes");
}

#[test]
fn hub_pipeline_readiness_and_maintenance() {
    let sim = Sim::new(Profile::Hub);
    let pools = sim.list(NP);
    let user = pools
        .iter()
        .find(|p| crate::fleet::util::name(p) == "user-np")
        .expect("user-np");
    // Node-pool machines are Cluster API Machines; the Machine API holds none of them.
    let machines = sim.list("machines.cluster.x-k8s.io");
    assert!(
        sim.list("machines.machine.openshift.io")
            .iter()
            .all(|m| !crate::fleet::util::namespace(m).starts_with("clusters-")),
        "a node-pool machine in machine.openshift.io"
    );
    let (vms, dvs, vmis) = (
        sim.list("virtualmachines.kubevirt.io"),
        sim.list("datavolumes.cdi.kubevirt.io"),
        sim.list("virtualmachineinstances.kubevirt.io"),
    );
    // Guest nodes live in the guest clusters; without them the pipeline stops at VMI Running.
    let chain = PipelineInputs {
        machines: &machines,
        vms: &vms,
        dvs: &dvs,
        vmis: &vmis,
        nodes: &[],
    };
    let mine = machines_of_pool(user, &machines);
    assert_eq!(mine.len(), 3);
    for m in mine {
        let p = machine_pipeline(m, &chain);
        assert_eq!(
            p.current(),
            Some(crate::fleet::pipeline::Stage::NodeReady),
            "{p:?}"
        );
        assert!(p.infra_node.is_some());
        assert!(p.problems.is_empty());
    }

    let storage = StorageCatalog::new(
        &sim.list("storageclasses.storage.k8s.io"),
        &sim.list("storageprofiles.cdi.kubevirt.io"),
    );
    let pvcs = sim.list("persistentvolumeclaims");
    let inp = ReadinessInputs {
        vmis: &vmis,
        pvcs: &pvcs,
        storage: &storage,
    };
    let r = pool_readiness(user, &inp);
    assert_eq!(r.ratio(), "0/3");
    assert!(
        r.machines
            .iter()
            .all(|m| m.storage_class.as_deref() == Some("lvms-vg1") && !m.disputed)
    );
    assert_eq!(
        r.remedies,
        [
            "root volumes use RWO class `lvms-vg1`: create a new node pool with an RWX root volume storage \
          class such as `ocs-storagecluster-ceph-rbd` (access mode ReadWriteMany), then move workloads"
        ]
    );

    let hcs = sim.list(HC);
    let nodes = infra_nodes(&vmis);
    assert!(nodes.len() > 1, "{nodes:?}");
    for node in nodes {
        let rep = MaintenanceReport::new(&node, &vmis, &hcs);
        for v in rep.vmis() {
            assert!(
                ["example", "user", "guest"].contains(&v.cluster.as_str()),
                "{v:?}"
            );
            assert_eq!(v.will_restart(), v.pool == "user-np", "{v:?}");
        }
        let plan = plan_migrate_all(&node, &vmis, &[]);
        assert_eq!(plan.requests.len() + plan.refused.len(), rep.vmis().count());
        assert_eq!(plan.refused.len(), rep.drained_guest_nodes().len());
    }
}

#[test]
fn azure_machinesets() {
    let sim = Sim::new(Profile::Azure);
    let rows = machine_set_rows(
        &sim.list("machinesets.machine.openshift.io"),
        &sim.list("machines.machine.openshift.io"),
        &sim.list("nodes"),
        Timestamp::now(),
    );
    let arm = rows
        .iter()
        .find(|r| r.name.contains("arm64"))
        .expect("arm64 set");
    assert_eq!((arm.os.as_str(), arm.arch.as_str()), ("Linux", "arm64"));
    assert_eq!(arm.machines.len(), 2);
    let win: Vec<_> = rows.iter().filter(|r| r.os == "Windows").collect();
    assert_eq!(win.len(), 1);
    assert_eq!(win[0].arch, "amd64");
    assert!(rows.iter().all(|r| r.desired == r.current));
}

/// The live-migration panes read NodePools and HostedClusters narrowed (`narrow_pool`, one
/// condition of 17 kept; `CLUSTER_FIELDS`): on the sim's hub objects (the real CRDs' shapes)
/// every readiness row, cluster summary, maintenance report and guest target is what the
/// whole objects give.
#[test]
fn live_migration_views_read_the_same_from_narrowed_pools_and_clusters() {
    use crate::migration::inputs::MigrationInputs;
    use crate::watch::dynamic::{HostedCluster, NodePool};
    use crate::watch::migration_kinds::{CLUSTER_FIELDS, narrow_pool};

    let sim = Sim::new(Profile::Hub);
    let narrow_pools: Vec<Value> = sim
        .list(NP)
        .into_iter()
        .map(|v| narrow_pool(&NodePool::from_value(v).expect("pool")))
        .collect();
    let narrow_hcs: Vec<Value> = sim
        .list(HC)
        .into_iter()
        .map(|v| {
            HostedCluster::from_value(v)
                .expect("cluster")
                .narrow_value(CLUSTER_FIELDS)
        })
        .collect();
    let whole = MigrationInputs {
        vmis: sim.list("virtualmachineinstances.kubevirt.io"),
        migrations: Vec::new(),
        pvcs: sim.list("persistentvolumeclaims"),
        storage_classes: sim.list("storageclasses.storage.k8s.io"),
        storage_profiles: sim.list("storageprofiles.cdi.kubevirt.io"),
        node_pools: sim.list(NP),
        hosted_clusters: sim.list(HC),
    };
    let narrowed = MigrationInputs {
        node_pools: narrow_pools,
        hosted_clusters: narrow_hcs,
        ..whole.clone()
    };
    let rows = whole.readiness_rows();
    assert!(rows.len() >= 2, "{rows:?}");
    assert_eq!(narrowed.readiness_rows(), rows);
    assert_eq!(narrowed.clusters(), whole.clusters());
    let nodes = infra_nodes(&whole.vmis);
    assert!(!nodes.is_empty());
    for node in nodes {
        let (a, b) = (whole.maintenance(&node), narrowed.maintenance(&node));
        assert_eq!(a, b);
        assert_eq!(
            crate::migration::guest_pdbs::targets(&a, &whole.hosted_clusters),
            crate::migration::guest_pdbs::targets(&b, &narrowed.hosted_clusters)
        );
    }
}
