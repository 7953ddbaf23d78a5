//! The bare-metal management ("hub") cluster of seeds 002 and 001: MCE/HyperShift on
//! OpenShift Virtualization with three hosted clusters, x86_64 infra workers, a few ARM64
//! workers and more bare-metal ARM64 machines arriving (their CSRs pending).

use std::time::Duration;

use serde_json::{Value, json};

use super::csrs;
use super::hub_platform as platform;
use super::hypershift::{self, HcPhase};
use super::kubevirt::{self, ChainNames, PoolInfo};
use super::objects::{self, NodeSpec, put_aged};
use crate::SimOptions;
use crate::error::ApiError;
use crate::store::Store;

pub const INFRA_ID: &str = "hub-7x2kq";
pub const MASTERS: usize = 3;
pub const X86_WORKERS: usize = 6;
pub const ARM_WORKERS: usize = 2;
/// Index of the first ARM64 machine that has not joined yet (the arrivals continue from here).
pub const FIRST_ARRIVAL: usize = ARM_WORKERS;

const DAY: u64 = 86_400;

pub fn infra_nodes() -> Vec<String> {
    (0..X86_WORKERS).map(|i| format!("worker-{i}")).collect()
}

pub fn node_ip(i: usize) -> String {
    format!("192.168.111.{}", 20 + i)
}

/// The IP of the `n`th ARM64 machine (joined or arriving).
pub fn arm_ip(n: usize) -> String {
    format!("192.168.111.{}", 60 + n)
}

pub fn arm_name(n: usize) -> String {
    format!("arm64-worker-{n}")
}

const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "openshift",
    "openshift-config",
    "openshift-config-managed",
    "openshift-machine-api",
    "openshift-machine-config-operator",
    "openshift-ingress",
    "openshift-ingress-operator",
    "openshift-cnv",
    "openshift-storage",
    "openshift-lvm-storage",
    "openshift-etcd",
    "openshift-kube-apiserver",
    "openshift-monitoring",
    "openshift-marketplace",
    "openshift-operators",
    "openshift-operator-lifecycle-manager",
    "openshift-console",
    "openshift-dns",
    "openshift-ovn-kubernetes",
    "openshift-service-ca",
    "metallb-system",
    "multicluster-engine",
    "hypershift",
    "local-cluster",
    "open-cluster-management-agent",
    "clusters",
    "clusters-example",
    "clusters-user",
    "clusters-guest",
];

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let s = opts.seed;
    let ts_old = store.clock().ago_rfc3339(Duration::from_secs(120 * DAY));
    for ns in NAMESPACES {
        let lbl = if ns.starts_with("clusters-") {
            json!({"hypershift.openshift.io/hosted-control-plane": "true"})
        } else if ns.starts_with("openshift") || ns.starts_with("kube") {
            json!({"openshift.io/cluster-monitoring": "true"})
        } else {
            json!({})
        };
        put_aged(
            store,
            "namespaces",
            objects::namespace(ns, lbl),
            Duration::from_secs(120 * DAY),
        )?;
    }
    seed_nodes(store, s, &ts_old)?;
    platform::seed_config(store, s)?;
    super::bootimages::seed(store)?;
    platform::seed_storage(store)?;
    platform::seed_operators(store)?;
    super::guest::seed_standalone_operators(
        store,
        &["baremetal", "control-plane-machine-set", "olm"],
        Duration::from_secs(20 * DAY),
    )?;
    platform::seed_operator_pods(store, s)?;
    seed_hosted(store, s)?;
    seed_pending_arrival(store, s)?;
    Ok(())
}

fn seed_nodes(store: &Store, s: u64, ts: &str) -> Result<(), ApiError> {
    let age = Duration::from_secs(120 * DAY);
    for i in 0..MASTERS {
        let name = format!("master-{i}");
        let mut n = NodeSpec::rhcos(&name, "amd64", vec!["control-plane", "master"], &node_ip(i));
        n.taints = vec![json!({"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"})];
        n.cpu = 16;
        n.memory_gi = 64;
        put_aged(store, "nodes", objects::node(&n, ts), age)?;
        put_aged(
            store,
            "machines.machine.openshift.io",
            bm_machine(&name, "master", &node_ip(i), true),
            age,
        )?;
        csrs::seed_history(store, s, &name, &node_ip(i), age)?;
    }
    for i in 0..X86_WORKERS {
        let name = format!("worker-{i}");
        let mut n = NodeSpec::rhcos(&name, "amd64", vec!["worker"], &node_ip(MASTERS + i));
        n.cpu = 64;
        n.memory_gi = 256;
        n.extra_labels = json!({
            "cpumanager": "true",
            "kubevirt.io/schedulable": "true",
            "node-role.kubernetes.io/infra": "",
            "cluster.ocs.openshift.io/openshift-storage": "",
            "topology.kubernetes.io/zone": format!("rack-{}", i % 3),
        });
        put_aged(store, "nodes", objects::node(&n, ts), age)?;
        put_aged(
            store,
            "machines.machine.openshift.io",
            bm_machine(&name, "worker", &node_ip(MASTERS + i), true),
            age,
        )?;
        csrs::seed_history(store, s, &name, &node_ip(MASTERS + i), age)?;
    }
    let arm_age = Duration::from_secs(9 * DAY);
    for i in 0..ARM_WORKERS {
        let name = arm_name(i);
        let mut n = NodeSpec::rhcos(&name, "arm64", vec!["worker"], &arm_ip(i));
        n.cpu = 80;
        n.memory_gi = 256;
        let ts = store.clock().ago_rfc3339(arm_age);
        put_aged(store, "nodes", objects::node(&n, &ts), arm_age)?;
        put_aged(
            store,
            "machines.machine.openshift.io",
            bm_machine(&name, "worker", &arm_ip(i), true),
            arm_age,
        )?;
        csrs::seed_history(store, s, &name, &arm_ip(i), arm_age)?;
    }
    let ms = json!({
        "metadata": {"name": format!("{INFRA_ID}-worker-0"), "namespace": "openshift-machine-api",
                     "labels": {"machine.openshift.io/cluster-api-cluster": INFRA_ID}},
        "spec": {
            "replicas": X86_WORKERS,
            "selector": {"matchLabels": {"machine.openshift.io/cluster-api-cluster": INFRA_ID, "machine.openshift.io/cluster-api-machineset": format!("{INFRA_ID}-worker-0")}},
            "template": {
                "metadata": {"labels": {"machine.openshift.io/cluster-api-cluster": INFRA_ID, "machine.openshift.io/cluster-api-machine-role": "worker", "machine.openshift.io/cluster-api-machine-type": "worker", "machine.openshift.io/cluster-api-machineset": format!("{INFRA_ID}-worker-0")}},
                "spec": {"providerSpec": {"value": {"apiVersion": "baremetal.cluster.k8s.io/v1alpha1", "kind": "BareMetalMachineProviderSpec", "image": {"url": "http://192.168.111.1:6181/images/rhcos-418.94.202501221327-0-openstack.x86_64.qcow2", "checksum": "http://192.168.111.1:6181/images/rhcos-418.94.202501221327-0-openstack.x86_64.qcow2/cached.md5sum"}, "userData": {"name": "worker-user-data-managed"}}}}
            }
        },
        "status": {"replicas": X86_WORKERS, "readyReplicas": X86_WORKERS, "availableReplicas": X86_WORKERS, "fullyLabeledReplicas": X86_WORKERS, "observedGeneration": 1}
    });
    // The existing x86 workers are "owned" by the MachineSet through their labels.
    put_aged(store, "machinesets.machine.openshift.io", ms, age)?;
    Ok(())
}

/// A bare-metal Machine in openshift-machine-api (the hub's masters, workers and arrivals).
pub fn bm_machine(name: &str, role: &str, ip: &str, joined: bool) -> Value {
    let mut labels = json!({
        "machine.openshift.io/cluster-api-cluster": INFRA_ID,
        "machine.openshift.io/cluster-api-machine-role": role,
        "machine.openshift.io/cluster-api-machine-type": role,
    });
    if name.starts_with("worker-") {
        labels["machine.openshift.io/cluster-api-machineset"] =
            json!(format!("{INFRA_ID}-worker-0"));
    }
    let mut status = json!({
        "phase": if joined { "Running" } else { "Provisioned" },
        "addresses": [
            {"type": "InternalIP", "address": ip},
            {"type": "Hostname", "address": name},
            {"type": "InternalDNS", "address": name}
        ],
        "lastUpdated": "",
    });
    if joined {
        status["nodeRef"] = json!({"kind": "Node", "name": name});
    }
    json!({
        "metadata": {
            "name": name, "namespace": "openshift-machine-api", "labels": labels,
            "annotations": {"metal3.io/BareMetalHost": format!("openshift-machine-api/{name}"), "machine.openshift.io/instance-state": if joined { "externally provisioned" } else { "provisioned" }}
        },
        "spec": {
            "providerID": format!("baremetalhost:///openshift-machine-api/{name}/{}", hypershift::uuid(3, name)),
            "providerSpec": {"value": {"apiVersion": "baremetal.cluster.k8s.io/v1alpha1", "kind": "BareMetalMachineProviderSpec", "customDeploy": {"method": "install_coreos"}, "userData": {"name": format!("{role}-user-data-managed")}}}
        },
        "status": status
    })
}

/// One finished NodePool replica: Machine, VM, DataVolume, PVC and a running VMI.
pub fn seed_chain(
    store: &Store,
    pool: &PoolInfo,
    names: &ChainNames,
    node: &str,
    age: Duration,
) -> Result<(), ApiError> {
    let ts = store.clock().ago_rfc3339(age);
    let ip = kubevirt::vm_ip(&names.vm);
    put_aged(
        store,
        kubevirt::POOL_MACHINES,
        kubevirt::machine(pool, names, "Running", Some(&ip), true, &ts),
        age,
    )?;
    put_aged(
        store,
        "virtualmachines.kubevirt.io",
        kubevirt::virtual_machine(pool, &names.vm, "Running", true, &ts),
        age,
    )?;
    // The root disk import took a few minutes after the DataVolume was created (Ready then).
    let import = Duration::from_secs(180 + crate::scenario::objects::hash64(3, &names.vm) % 180);
    let imported = store.clock().ago_rfc3339(age.saturating_sub(import));
    put_aged(
        store,
        "datavolumes.cdi.kubevirt.io",
        kubevirt::data_volume(pool, &names.vm, "Succeeded", "100.0%", &imported),
        age,
    )?;
    put_aged(
        store,
        "persistentvolumeclaims",
        kubevirt::pvc(pool, &names.vm, true, &ts),
        age,
    )?;
    put_aged(
        store,
        "virtualmachineinstances.kubevirt.io",
        kubevirt::vmi(pool, &names.vm, "Running", Some(node), &ts),
        age,
    )?;
    put_aged(
        store,
        "pods",
        kubevirt::launcher_pod(pool, &names.vm, node, "0", &ts),
        age,
    )?;
    Ok(())
}

pub fn pick_infra_node(vm: &str) -> String {
    let nodes = infra_nodes();
    let i = (objects::hash64(0, vm) % nodes.len() as u64) as usize;
    nodes[i].clone()
}

fn seed_hosted(store: &Store, s: u64) -> Result<(), ApiError> {
    let infra = infra_nodes();
    let clusters: [(&str, Option<&str>, HcPhase, u64); 3] = [
        ("example", None, HcPhase::Completed, 35 * DAY),
        ("user", None, HcPhase::Completed, 12 * DAY),
        ("guest", Some("hypershift.lab"), HcPhase::Partial, 3 * 3600),
    ];
    for (name, domain, phase, age_s) in clusters {
        let age = Duration::from_secs(age_s);
        let started = store.clock().ago_rfc3339(age);
        let done = store
            .clock()
            .ago_rfc3339(age.saturating_sub(Duration::from_secs(14 * 60)));
        let mut hc = hypershift::hosted_cluster(s, "clusters", name, domain);
        hypershift::set_hc_status(&mut hc, phase, &done, &started);
        put_aged(
            store,
            "hostedclusters.hypershift.openshift.io",
            hc.clone(),
            age,
        )?;
        for sec in hypershift::cluster_secrets("clusters", name) {
            put_aged(store, "secrets", sec, age)?;
        }
        put_aged(
            store,
            "secrets",
            hypershift::kubeconfig_secret(
                "clusters",
                name,
                &hypershift::placeholder_kubeconfig(&hc),
            ),
            age,
        )?;
        let cp = hypershift::cp_namespace("clusters", name);
        for p in hypershift::control_plane_pods(s, &cp, &infra, name == "guest", &started) {
            put_aged(store, "pods", p, age)?;
        }
        let api_ip = format!("192.168.111.{}", 200 + objects::hash64(s, name) % 10);
        for svc in hypershift::control_plane_services(&cp, name, &api_ip) {
            put_aged(store, "services", svc, age)?;
        }
        if name == "guest" {
            // The apps load balancer exists but asks MetalLB for an address pool that does not
            // exist (yet), so it has no address and no wildcard DNS points at it: the cluster
            // stays Partial (seed 002 §4.3.5). Creating IPAddressPool `guest-apps` fixes it.
            put_aged(
                store,
                "services",
                json!({
                    "metadata": {"name": "guest-apps", "namespace": cp, "labels": {"app": "guest"}, "annotations": {"metallb.universe.tf/address-pool": "guest-apps"}},
                    "spec": {"type": "LoadBalancer", "selector": {"kubevirt.io": "virt-launcher"},
                             "ports": [{"name": "https-443", "port": 443, "protocol": "TCP", "targetPort": 31443}, {"name": "http-80", "port": 80, "protocol": "TCP", "targetPort": 31080}],
                             "clusterIP": "172.30.88.14"},
                    "status": {"loadBalancer": {}}
                }),
                age,
            )?;
        }
    }
    // NodePools: (name, cluster, replicas, storage class, access mode, cores, memory)
    let pools: [(&str, &str, i64, &str, &str, u64, &str); 4] = [
        (
            "example",
            "example",
            2,
            "ocs-storagecluster-ceph-rbd",
            "ReadWriteMany",
            2,
            "8Gi",
        ),
        (
            "example-extra-cpu",
            "example",
            0,
            "ocs-storagecluster-ceph-rbd",
            "ReadWriteMany",
            6,
            "8Gi",
        ),
        ("user-np", "user", 3, "lvms-vg1", "ReadWriteOnce", 4, "16Gi"),
        (
            "guest",
            "guest",
            2,
            "ocs-storagecluster-ceph-rbd",
            "ReadWriteMany",
            2,
            "8Gi",
        ),
    ];
    for (np_name, cluster, replicas, sc, mode, cores, mem) in pools {
        let hc = store.get(
            crate::resources::by_key("hostedclusters.hypershift.openshift.io"),
            Some("clusters"),
            cluster,
        );
        let age = match cluster {
            "example" => Duration::from_secs(35 * DAY - 600),
            "user" => Duration::from_secs(12 * DAY - 600),
            _ => Duration::from_secs(3 * 3600 - 600),
        };
        let mut np =
            hypershift::node_pool("clusters", np_name, cluster, replicas, sc, mode, cores, mem);
        let pool = PoolInfo::from_objects(&np, hc.as_deref());
        let mut vms = Vec::new();
        for n in 0..replicas as u64 {
            let names = ChainNames::new(s, &pool, n);
            let node = pick_infra_node(&names.vm);
            seed_chain(store, &pool, &names, &node, age)?;
            let _ = &infra;
            vms.push(names.vm);
        }
        let ts = store.clock().ago_rfc3339(age);
        hypershift::set_np_status(&mut np, &pool, &vms, vms.len(), &ts);
        put_aged(store, "nodepools.hypershift.openshift.io", np, age)?;
    }
    let (all_pools, _) = store.list(
        crate::resources::by_key("nodepools.hypershift.openshift.io"),
        Some("clusters"),
    );
    for name in ["example", "user", "guest"] {
        let bad = hypershift::non_migratable_pools(&all_pools, name);
        let ts = store.clock().ago_rfc3339(Duration::from_secs(3 * 3600));
        let _ = store.mutate(
            crate::resources::by_key("hostedclusters.hypershift.openshift.io"),
            Some("clusters"),
            name,
            false,
            |hc| {
                hypershift::set_hc_lm_condition(hc, &bad, &ts);
                Ok(())
            },
        );
    }
    Ok(())
}

/// The next bare-metal ARM64 machine has booted and posted its client CSR; plus one stale,
/// wrongly requested CSR nobody approved.
fn seed_pending_arrival(store: &Store, s: u64) -> Result<(), ApiError> {
    let name = arm_name(FIRST_ARRIVAL);
    let age = Duration::from_secs(6 * 60);
    put_aged(
        store,
        "machines.machine.openshift.io",
        bm_machine(&name, "worker", &arm_ip(FIRST_ARRIVAL), false),
        age,
    )?;
    let csr = csrs::post_client(store, s, &name, None)?;
    store.backdate(
        crate::resources::by_key(csrs::CSR),
        None,
        &csr,
        &store.clock().ago_rfc3339(Duration::from_secs(5 * 60)),
    );
    let bad = csrs::post_client(
        store,
        s,
        "arm64-worker-legacy",
        Some(csrs::BadCsr::WrongRequestor),
    )?;
    store.backdate(
        crate::resources::by_key(csrs::CSR),
        None,
        &bad,
        &store.clock().ago_rfc3339(Duration::from_secs(3 * 3600)),
    );
    Ok(())
}
