//! The KubeVirt object chain behind a HyperShift NodePool replica (facts §4.1): Machine →
//! VirtualMachine → DataVolume `<vm>-rhcos` → PVC → VirtualMachineInstance → guest Node.
//! Shared by the hub seed (final state) and the NodePool controller (step by step).

use serde_json::{Value, json};

use super::objects::{self, OCP_VERSION, hash64, str_at, suffix};

pub const LM_NOT_SHARED: &str =
    "live migration requires that all PVCs must be shared (using ReadWriteMany access mode)";

/// What a NodePool asks for, read defensively from the object (a client may send anything).
#[derive(Clone, Debug, PartialEq)]
pub struct PoolInfo {
    pub namespace: String,
    pub name: String,
    pub cluster: String,
    pub infra_id: String,
    pub cp_namespace: String,
    pub storage_class: String,
    pub access_modes: Vec<String>,
    pub size: String,
    pub cores: u64,
    pub memory: String,
    pub release_image: String,
    pub replicas: i64,
    pub autoscaling: bool,
}

impl PoolInfo {
    pub fn from_objects(np: &Value, hc: Option<&Value>) -> PoolInfo {
        let ns = objects::ns_of(np).to_string();
        let name = objects::name_of(np).to_string();
        let cluster = str_at(np, "/spec/clusterName").unwrap_or(&name).to_string();
        let infra_id = hc
            .and_then(|h| str_at(h, "/spec/infraID"))
            .map(str::to_string)
            .unwrap_or_else(|| format!("{cluster}-{}", suffix(0, &cluster, 5)));
        let pers = np.pointer("/spec/platform/kubevirt/rootVolume/persistent");
        let access_modes: Vec<String> = pers
            .and_then(|p| p.get("accessModes"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let storage_class = pers
            .and_then(|p| p.get("storageClass"))
            .and_then(Value::as_str)
            .unwrap_or("ocs-storagecluster-ceph-rbd")
            .to_string();
        // Without explicit modes CDI takes them from the StorageProfile: RWX for ceph-rbd,
        // RWO for LVMS.
        let access_modes = if access_modes.is_empty() {
            if storage_class.starts_with("lvms") {
                vec!["ReadWriteOnce".to_string()]
            } else {
                vec!["ReadWriteMany".to_string()]
            }
        } else {
            access_modes
        };
        PoolInfo {
            cp_namespace: format!("{ns}-{}", cluster.replace('.', "-")),
            namespace: ns,
            cluster,
            infra_id,
            storage_class,
            access_modes,
            size: pers
                .and_then(|p| p.get("size"))
                .and_then(Value::as_str)
                .unwrap_or("32Gi")
                .to_string(),
            cores: np
                .pointer("/spec/platform/kubevirt/compute/cores")
                .and_then(Value::as_u64)
                .unwrap_or(2),
            memory: str_at(np, "/spec/platform/kubevirt/compute/memory")
                .unwrap_or("8Gi")
                .to_string(),
            release_image: str_at(np, "/spec/release/image")
                .unwrap_or(objects::MULTI_RELEASE_TAG)
                .to_string(),
            replicas: np
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(0),
            autoscaling: np
                .pointer("/spec/autoScaling")
                .is_some_and(|v| !v.is_null()),
            name,
        }
    }

    pub fn live_migratable(&self) -> bool {
        self.access_modes.iter().any(|m| m == "ReadWriteMany")
    }
}

/// Names for the `n`th machine ever created for a pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainNames {
    pub machine: String,
    pub vm: String,
}

impl ChainNames {
    pub fn new(seed: u64, pool: &PoolInfo, n: u64) -> ChainNames {
        let ms_hash = suffix(seed, &format!("ms/{}/{}", pool.namespace, pool.name), 9);
        let sfx = suffix(seed, &format!("m/{}/{}/{n}", pool.namespace, pool.name), 5);
        ChainNames {
            machine: format!("{}-{ms_hash}-{sfx}", pool.name),
            vm: format!("{}-{sfx}", pool.name),
        }
    }

    pub fn dv(&self) -> String {
        format!("{}-rhcos", self.vm)
    }
}

/// The pod-network IP a VMI gets (10.128.0.0/14 of the management cluster).
pub fn vm_ip(vm: &str) -> String {
    let h = hash64(42, vm);
    format!(
        "10.{}.{}.{}",
        128 + (h % 4),
        (h >> 8) % 256,
        2 + (h >> 16) % 250
    )
}

fn chain_labels(pool: &PoolInfo, vm: &str) -> Value {
    json!({
        "hypershift.openshift.io/nodepool-name": pool.name,
        "hypershift.openshift.io/infra-id": pool.infra_id,
        "kubevirt.io/vm": vm,
        "name": vm,
        "cluster.x-k8s.io/role": "worker",
        "cluster.x-k8s.io/cluster-name": pool.infra_id,
    })
}

/// Where HyperShift's node-pool machines live: Cluster API Machines (`cluster.x-k8s.io`).
pub const POOL_MACHINES: &str = "machines.cluster.x-k8s.io";

/// A node pool replica's Cluster API Machine ([`POOL_MACHINES`]) in the control-plane namespace.
pub fn machine(
    pool: &PoolInfo,
    names: &ChainNames,
    phase: &str,
    ip: Option<&str>,
    node_ready: bool,
    ts: &str,
) -> Value {
    // The bootstrap (ignition) Secret exists from the start; the infrastructure is ready once
    // the VM has an address.
    let mut status = json!({"phase": phase, "lastUpdated": ts,
        "bootstrapReady": true, "infrastructureReady": ip.is_some()});
    if let Some(ip) = ip {
        status["addresses"] = json!([
            {"type": "Hostname", "address": names.vm},
            {"type": "InternalIP", "address": ip},
            {"type": "ExternalIP", "address": ip},
            {"type": "InternalDNS", "address": names.vm},
        ]);
    }
    if node_ready {
        status["nodeRef"] = json!({"kind": "Node", "name": names.vm, "apiVersion": "v1"});
    }
    let ready = if node_ready { "True" } else { "False" };
    status["conditions"] = json!([
        {"type": "Ready", "status": ready, "lastTransitionTime": ts,
         "reason": if node_ready { "AsExpected" } else { "WaitingForInfrastructure" }},
        {"type": "InfrastructureReady", "status": if ip.is_some() { "True" } else { "False" }, "lastTransitionTime": ts},
        {"type": "NodeHealthy", "status": ready, "lastTransitionTime": ts,
         "reason": if node_ready { "AsExpected" } else { "WaitingForNodeRef" }},
    ]);
    json!({
        "metadata": {
            "name": names.machine,
            "namespace": pool.cp_namespace,
            "labels": {
                "cluster.x-k8s.io/cluster-name": pool.infra_id,
                "cluster.x-k8s.io/deployment-name": pool.name,
                "cluster.x-k8s.io/set-name": names.machine.rsplit_once('-').map_or(names.machine.as_str(), |(a, _)| a),
                "hypershift.openshift.io/nodepool-name": pool.name,
            },
            "annotations": {
                "hypershift.openshift.io/nodePool": format!("{}/{}", pool.namespace, pool.name),
            },
            // The Cluster API Machine controller's finalizer: a deleted Machine stays Deleting
            // until its VM is torn down (the finalizers controller).
            "finalizers": [super::objects::CAPI_MACHINE_FINALIZER]
        },
        "spec": {
            "clusterName": pool.infra_id,
            "providerID": format!("kubevirt://{}", names.vm),
            "version": format!("{OCP_VERSION}"),
            "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha1", "kind": "KubevirtMachine", "name": names.vm, "namespace": pool.cp_namespace},
            "bootstrap": {"dataSecretName": format!("user-data-{}-{}", pool.name, suffix(1, &pool.name, 8))}
        },
        "status": status
    })
}

pub fn virtual_machine(pool: &PoolInfo, vm: &str, printable: &str, ready: bool, ts: &str) -> Value {
    let r = if ready { "True" } else { "False" };
    json!({
        "metadata": {
            "name": vm,
            "namespace": pool.cp_namespace,
            "labels": chain_labels(pool, vm),
            "annotations": {"kubevirt.io/latest-observed-api-version": "v1", "kubevirt.io/storage-observed-api-version": "v1"}
        },
        "spec": {
            "runStrategy": "Always",
            "dataVolumeTemplates": [{
                "metadata": {"name": format!("{vm}-rhcos"), "labels": {"hypershift.openshift.io/is-kubevirt-rhcos": "true"}},
                "spec": {
                    "source": {"registry": {"url": "docker://quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:4c2a0d7e1f8b5a3c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c", "pullMethod": "node"}},
                    "storage": {"accessModes": pool.access_modes, "resources": {"requests": {"storage": pool.size}}, "storageClassName": pool.storage_class}
                }
            }],
            "template": {
                "metadata": {"labels": chain_labels(pool, vm)},
                "spec": {
                    "domain": {
                        "cpu": {"cores": pool.cores},
                        "memory": {"guest": pool.memory},
                        "devices": {
                            "disks": [{"name": "rhcos", "disk": {"bus": "virtio"}}, {"name": "cloudinitvolume", "disk": {"bus": "virtio"}}],
                            "interfaces": [{"name": "default", "bridge": {}}],
                            "networkInterfaceMultiqueue": true
                        }
                    },
                    "evictionStrategy": "External",
                    "networks": [{"name": "default", "pod": {}}],
                    "volumes": [
                        {"name": "rhcos", "dataVolume": {"name": format!("{vm}-rhcos")}},
                        {"name": "cloudinitvolume", "cloudInitConfigDrive": {"secretRef": {"name": format!("{vm}-userdata")}}}
                    ]
                }
            }
        },
        "status": {
            "printableStatus": printable,
            "ready": ready,
            "created": printable != "Provisioning",
            "conditions": [{"type": "Ready", "status": r, "lastProbeTime": null, "lastTransitionTime": ts}],
            "volumeSnapshotStatuses": [{"name": "rhcos", "enabled": false, "reason": "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass"}]
        }
    })
}

pub fn data_volume(pool: &PoolInfo, vm: &str, phase: &str, progress: &str, ts: &str) -> Value {
    let ready = if phase == "Succeeded" {
        "True"
    } else {
        "False"
    };
    let running = if phase == "ImportInProgress" {
        "True"
    } else {
        "False"
    };
    json!({
        "metadata": {
            "name": format!("{vm}-rhcos"),
            "namespace": pool.cp_namespace,
            "labels": {"hypershift.openshift.io/is-kubevirt-rhcos": "true", "kubevirt.io/created-by": hash64(5, vm).to_string()},
            "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": vm, "controller": true, "blockOwnerDeletion": true, "uid": super::hypershift::uuid(6, vm)}]
        },
        "spec": {
            "source": {"registry": {"url": "docker://quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:4c2a0d7e1f8b5a3c6d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c", "pullMethod": "node"}},
            "storage": {"accessModes": pool.access_modes, "resources": {"requests": {"storage": pool.size}}, "storageClassName": pool.storage_class}
        },
        "status": {
            "claimName": format!("{vm}-rhcos"),
            "phase": phase,
            "progress": progress,
            "restartCount": 0,
            "conditions": [
                {"type": "Bound", "status": if phase == "ImportScheduled" || phase.is_empty() { "False" } else { "True" }, "lastHeartbeatTime": ts, "lastTransitionTime": ts, "reason": "Bound", "message": format!("PVC {vm}-rhcos Bound")},
                {"type": "Ready", "status": ready, "lastHeartbeatTime": ts, "lastTransitionTime": ts},
                {"type": "Running", "status": running, "lastHeartbeatTime": ts, "lastTransitionTime": ts, "reason": if phase == "Succeeded" { "Completed" } else { "Pending" }}
            ]
        }
    })
}

/// `"12.50%"` style progress for step `i` of `n` (CDI formats with two decimals, `"100.0%"` at the end).
pub fn progress(i: u32, n: u32) -> String {
    if i == 0 {
        "N/A".to_string()
    } else if i >= n {
        "100.0%".to_string()
    } else {
        format!("{:.2}%", f64::from(i) * 100.0 / f64::from(n))
    }
}

pub fn pvc(pool: &PoolInfo, vm: &str, bound: bool, ts: &str) -> Value {
    let name = format!("{vm}-rhcos");
    let mut status = json!({"phase": if bound { "Bound" } else { "Pending" }});
    if bound {
        status["accessModes"] = json!(pool.access_modes);
        status["capacity"] = json!({"storage": pool.size});
    }
    json!({
        "metadata": {
            "name": name,
            "namespace": pool.cp_namespace,
            "labels": {"app": "containerized-data-importer", "hypershift.openshift.io/is-kubevirt-rhcos": "true"},
            "annotations": {"cdi.kubevirt.io/storage.import.endpoint": "docker://quay.io/openshift-release-dev/ocp-v4.0-art-dev", "pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": provisioner(&pool.storage_class), "cdi.kubevirt.io/createdAt": ts},
            "ownerReferences": [{"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume", "name": name, "controller": true, "blockOwnerDeletion": true, "uid": super::hypershift::uuid(7, vm)}]
        },
        "spec": {
            "accessModes": pool.access_modes,
            "resources": {"requests": {"storage": pool.size}},
            "storageClassName": pool.storage_class,
            "volumeMode": "Block",
            "volumeName": format!("pvc-{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", hash64(8, vm) as u32, hash64(9, vm) as u16, hash64(10, vm) as u16 & 0xfff, hash64(11, vm) as u16 & 0xfff, hash64(12, vm) & 0xffff_ffff_ffff)
        },
        "status": status
    })
}

pub fn provisioner(sc: &str) -> &'static str {
    if sc.starts_with("lvms") {
        "topolvm.io"
    } else if sc.contains("cephfs") {
        "openshift-storage.cephfs.csi.ceph.com"
    } else {
        "openshift-storage.rbd.csi.ceph.com"
    }
}

/// The VMI LiveMigratable message KubeVirt writes for a non-shared PVC.
pub fn not_migratable_message(pvc: &str) -> String {
    format!("cannot migrate VMI: PVC {pvc} is not shared, {LM_NOT_SHARED}")
}

pub fn vmi(pool: &PoolInfo, vm: &str, phase: &str, node: Option<&str>, ts: &str) -> Value {
    let ip = vm_ip(vm);
    let mut labels = chain_labels(pool, vm);
    if let Some(n) = node {
        labels["kubevirt.io/nodeName"] = json!(n);
    }
    let running = phase == "Running";
    let lm = if pool.live_migratable() {
        json!({"type": "LiveMigratable", "status": "True", "lastProbeTime": null, "lastTransitionTime": null})
    } else {
        json!({"type": "LiveMigratable", "status": "False", "lastProbeTime": null, "lastTransitionTime": null,
               "reason": "DisksNotLiveMigratable", "message": not_migratable_message(&format!("{vm}-rhcos"))})
    };
    let mut status = json!({
        "phase": phase,
        "guestOSInfo": if running { json!({"id": "rhcos", "name": "Red Hat Enterprise Linux CoreOS", "version": "4.18", "kernelRelease": objects::KERNEL_RHCOS}) } else { json!({}) },
        "qosClass": "Burstable",
        "migrationMethod": "BlockMigration",
        "conditions": [
            {"type": "Ready", "status": if running { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": ts},
            lm,
            {"type": "StorageLiveMigratable", "status": if pool.live_migratable() { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": null}
        ],
        "activePods": {}
    });
    if let Some(n) = node {
        status["nodeName"] = json!(n);
        status["activePods"] = json!({format!("{:08x}-{:04x}-4000-8000-{:012x}", hash64(13, vm) as u32, hash64(14, vm) as u16, hash64(15, vm) & 0xffff_ffff_ffff): n});
    }
    if running {
        status["interfaces"] = json!([{"name": "default", "interfaceName": "eth0", "ipAddress": ip, "ipAddresses": [ip], "mac": format!("02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", hash64(16, vm) as u8, hash64(17, vm) as u8, hash64(18, vm) as u8, hash64(19, vm) as u8, hash64(20, vm) as u8), "infoSource": "domain, guest-agent"}]);
    }
    json!({
        "metadata": {
            "name": vm,
            "namespace": pool.cp_namespace,
            "labels": labels,
            "annotations": {"kubevirt.io/allow-pod-bridge-network-live-migration": "", "kubevirt.io/latest-observed-api-version": "v1"},
            "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": vm, "controller": true, "blockOwnerDeletion": true, "uid": super::hypershift::uuid(6, vm)}]
        },
        "spec": {
            "domain": {"cpu": {"cores": pool.cores}, "memory": {"guest": pool.memory}, "devices": {"disks": [{"name": "rhcos", "disk": {"bus": "virtio"}}]}},
            "evictionStrategy": "External",
            "networks": [{"name": "default", "pod": {}}],
            "volumes": [{"name": "rhcos", "dataVolume": {"name": format!("{vm}-rhcos")}}]
        },
        "status": status
    })
}

/// The virt-launcher pod that runs a VMI on an infra node (`kubevirt.io=virt-launcher`).
pub fn launcher_pod(pool: &PoolInfo, vm: &str, node: &str, tag: &str, ts: &str) -> Value {
    let name = format!(
        "virt-launcher-{vm}-{}",
        suffix(3, &format!("{vm}/{tag}"), 5)
    );
    let img = "registry.redhat.io/container-native-virtualization/virt-launcher-rhel9@sha256:7d2f0c4e9b1a3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
    let mut p = objects::pod(
        &pool.cp_namespace,
        &name,
        node,
        &vm_ip(vm),
        &[("compute", img), ("guest-console-log", img)],
        true,
        ts,
    );
    p["metadata"]["labels"] = objects::merge(
        chain_labels(pool, vm),
        json!({
            "kubevirt.io": "virt-launcher",
            "kubevirt.io/created-by": super::hypershift::uuid(6, vm),
            "vm.kubevirt.io/name": vm,
        }),
    );
    p["metadata"]["annotations"] =
        json!({"kubevirt.io/domain": vm, "kubevirt.io/migrationTransportUnix": "true"});
    p["metadata"]["ownerReferences"] = json!([{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "name": vm, "controller": true, "blockOwnerDeletion": true, "uid": super::hypershift::uuid(21, vm)}]);
    p
}

/// The NodePool `KubeVirtNodesLiveMigratable` condition (facts §2.6): status, reason, message.
/// `vms` are the pool's KubevirtMachine (= VM) names; `migratable` says whether they are.
pub fn pool_lm_condition(vms: &[String], migratable: bool) -> (&'static str, &'static str, String) {
    if vms.is_empty() {
        return ("False", "NotFound", "No Machines are created".to_string());
    }
    if migratable {
        return ("True", "AsExpected", "All is well".to_string());
    }
    let mut lines: Vec<String> = vms
        .iter()
        .map(|vm| {
            format!(
                "Machine {vm}: DisksNotLiveMigratable: {vm} is not a live migratable machine: {}\n",
                not_migratable_message(&format!("{vm}-rhcos"))
            )
        })
        .collect();
    lines.sort();
    let mut msg = format!(
        "{} of {} machines are not live migratable\n",
        vms.len(),
        vms.len()
    );
    let mut block = String::new();
    for l in lines {
        if block.len() + l.len() > 1000 {
            block.push_str("... too many similar errors\n");
            break;
        }
        block.push_str(&l);
    }
    msg.push_str(&block);
    if msg.len() > 3000 {
        msg.truncate(3000);
        msg.push_str("... message truncated\n");
    }
    ("False", "DisksNotLiveMigratable", msg)
}

/// A guest cluster Node for a running VM.
pub fn guest_node(pool_name: &str, vm: &str, ready: bool, ts: &str) -> Value {
    let mut spec = objects::NodeSpec::rhcos(vm, "amd64", vec!["worker"], &vm_ip(vm));
    spec.ready = ready;
    spec.cpu = 2;
    spec.memory_gi = 8;
    spec.provider_id = Some(format!("kubevirt://{vm}"));
    spec.extra_labels = json!({
        "hypershift.openshift.io/nodePool": pool_name,
        "node.kubernetes.io/instance-type": "kubevirt",
        "topology.kubernetes.io/region": "kubevirt",
    });
    objects::node(&spec, ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(sc: &str) -> PoolInfo {
        let np = json!({"metadata": {"name": "user-np", "namespace": "clusters"},
            "spec": {"clusterName": "user", "replicas": 3,
                     "platform": {"kubevirt": {"rootVolume": {"persistent": {"storageClass": sc, "size": "32Gi"}}}}}});
        PoolInfo::from_objects(&np, None)
    }

    #[test]
    fn pool_info_reads_defensively() {
        let p = PoolInfo::from_objects(&json!({"spec": "garbage"}), None);
        assert_eq!(p.replicas, 0);
        let p = pool("lvms-vg1");
        assert_eq!(p.cp_namespace, "clusters-user");
        assert!(!p.live_migratable());
        assert!(pool("ocs-storagecluster-ceph-rbd").live_migratable());
    }

    #[test]
    fn lm_message_format() {
        let vms = vec!["user-np-b2c4d".to_string(), "user-np-a1b2c".to_string()];
        let (s, r, m) = pool_lm_condition(&vms, false);
        assert_eq!((s, r), ("False", "DisksNotLiveMigratable"));
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(lines[0], "2 of 2 machines are not live migratable");
        assert_eq!(
            lines[1],
            "Machine user-np-a1b2c: DisksNotLiveMigratable: user-np-a1b2c is not a live migratable machine: cannot migrate VMI: PVC user-np-a1b2c-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)"
        );
        assert_eq!(pool_lm_condition(&vms, true).2, "All is well");
    }

    #[test]
    fn progress_strings() {
        assert_eq!(progress(0, 8), "N/A");
        assert_eq!(progress(1, 8), "12.50%");
        assert_eq!(progress(8, 8), "100.0%");
    }

    #[test]
    fn chain_names_are_capi_like() {
        let p = pool("lvms-vg1");
        let n = ChainNames::new(1, &p, 0);
        assert!(n.machine.starts_with("user-np-"));
        assert_eq!(n.machine.len(), "user-np-".len() + 9 + 1 + 5);
        assert!(n.machine.ends_with(&n.vm["user-np-".len()..]));
        assert_eq!(n.dv(), format!("{}-rhcos", n.vm));
    }
}
