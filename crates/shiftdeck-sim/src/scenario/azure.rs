//! An Azure IPI cluster (seeds 000 + 004): x86_64 masters, a worker MachineSet per zone, an
//! ARM64 MachineSet booting a gallery image, a Windows MachineSet managed by WMCO, the
//! `coreos-bootimages` stream, approved CSR history for every node, and the platform pods of the
//! core namespaces with the WMCO operator pod.

use std::time::Duration;

use serde_json::{Value, json};

use super::csrs;
use super::objects::{self, MULTI_RELEASE_IMAGE, NodeSpec, OCP_VERSION, put, put_aged, suffix};
use super::pods::{self, PodSet, RunOn};
use crate::SimOptions;
use crate::error::ApiError;
use crate::store::Store;

pub const INFRA_ID: &str = "azure-5mzx8";
pub const REGION: &str = "eastus";
pub const RG: &str = "azure-5mzx8-rg";
pub const GALLERY: &str = "gallery_azure_5mzx8";
pub const WINDOWS_MS: &str = "winworker";
pub const WINDOWS_BUILD: &str = "10.0.20348";
const DAY: u64 = 86_400;

pub fn windows_node_spec(name: &str, ip: &str) -> NodeSpec {
    let mut s = NodeSpec::rhcos(name, "amd64", vec!["worker"], ip);
    s.os = "windows";
    s.os_image = "Windows Server 2022 Datacenter".to_string();
    s.kernel = "10.0.20348.2849".to_string();
    s.runtime = "containerd://1.7.20".to_string();
    s.kubelet = "v1.31.6-2+1a2b3c4".to_string();
    s.cpu = 4;
    s.memory_gi = 16;
    s.extra_labels = json!({"node.kubernetes.io/windows-build": WINDOWS_BUILD, "node.openshift.io/os_id": "Windows"});
    s.annotations = json!({"windowsmachineconfig.openshift.io/version": "10.18.1-a1b2c3d-1", "windowsmachineconfig.openshift.io/pub-key-hash": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"});
    s.taints = vec![json!({"key": "os", "value": "Windows", "effect": "NoSchedule"})];
    s
}

fn provider_spec(
    vm_size: &str,
    zone: &str,
    image: Value,
    os_type: &str,
    user_data: &str,
    disk: u32,
) -> Value {
    json!({
        "apiVersion": "machine.openshift.io/v1beta1",
        "kind": "AzureMachineProviderSpec",
        "credentialsSecret": {"name": "azure-cloud-credentials", "namespace": "openshift-machine-api"},
        "image": image,
        "location": REGION,
        "managedIdentity": format!("{INFRA_ID}-identity"),
        "networkResourceGroup": RG,
        "osDisk": {"diskSizeGB": disk, "managedDisk": {"storageAccountType": "Premium_LRS"}, "osType": os_type},
        "publicIP": false,
        "resourceGroup": RG,
        "subnet": format!("{INFRA_ID}-worker-subnet"),
        "userDataSecret": {"name": user_data, "namespace": "openshift-machine-api"},
        "vmSize": vm_size,
        "vnet": format!("{INFRA_ID}-vnet"),
        "zone": zone
    })
}

struct SetDef {
    name: String,
    replicas: usize,
    vm_size: &'static str,
    zone: &'static str,
    arch: &'static str,
    windows: bool,
    image: Value,
}

fn machineset(d: &SetDef) -> Value {
    let mut tmpl_labels = json!({
        "machine.openshift.io/cluster-api-cluster": INFRA_ID,
        "machine.openshift.io/cluster-api-machine-role": "worker",
        "machine.openshift.io/cluster-api-machine-type": "worker",
        "machine.openshift.io/cluster-api-machineset": d.name,
    });
    if d.windows {
        tmpl_labels["machine.openshift.io/os-id"] = json!("Windows");
    }
    let (os, ud, disk) = if d.windows {
        ("Windows", "windows-user-data", 128)
    } else {
        ("Linux", "worker-user-data", 128)
    };
    json!({
        "metadata": {
            "name": d.name, "namespace": "openshift-machine-api",
            "labels": {"machine.openshift.io/cluster-api-cluster": INFRA_ID},
            "annotations": {
                "capacity.cluster-autoscaler.kubernetes.io/labels": format!("kubernetes.io/arch={}", d.arch),
                "machine.openshift.io/vCPU": if d.vm_size.contains("D8") { "8" } else { "4" },
                "machine.openshift.io/memoryMb": if d.vm_size.contains("D8") { "32768" } else { "16384" },
                "machine.openshift.io/GPU": "0"
            }
        },
        "spec": {
            "replicas": d.replicas,
            "selector": {"matchLabels": {"machine.openshift.io/cluster-api-cluster": INFRA_ID, "machine.openshift.io/cluster-api-machineset": d.name}},
            "template": {
                "metadata": {"labels": tmpl_labels},
                "spec": {
                    "metadata": {"labels": {"node-role.kubernetes.io/worker": ""}},
                    "lifecycleHooks": {},
                    "providerSpec": {"value": provider_spec(d.vm_size, d.zone, d.image.clone(), os, ud, disk)}
                }
            }
        },
        "status": {"replicas": d.replicas, "readyReplicas": d.replicas, "availableReplicas": d.replicas, "fullyLabeledReplicas": d.replicas, "observedGeneration": 1}
    })
}

fn machine(ms: &Value, d: &SetDef, name: &str, ip: &str) -> Value {
    let mut labels = ms
        .pointer("/spec/template/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels["machine.openshift.io/instance-type"] = json!(d.vm_size);
    labels["machine.openshift.io/region"] = json!(REGION);
    labels["machine.openshift.io/zone"] = json!(d.zone);
    json!({
        "metadata": {
            "name": name, "namespace": "openshift-machine-api", "labels": labels,
            "annotations": {"machine.openshift.io/instance-state": "Running", "capacity.cluster-autoscaler.kubernetes.io/labels": format!("kubernetes.io/arch={}", d.arch)},
            "ownerReferences": [{"apiVersion": "machine.openshift.io/v1beta1", "kind": "MachineSet", "name": d.name, "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {
            "metadata": {"labels": {"node-role.kubernetes.io/worker": ""}},
            "providerID": format!("azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{name}"),
            "providerSpec": ms.pointer("/spec/template/spec/providerSpec").cloned().unwrap_or_else(|| json!({}))
        },
        "status": {
            "phase": "Running",
            "nodeRef": {"kind": "Node", "name": name},
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}, {"type": "InternalDNS", "address": name}],
            "providerStatus": {"vmId": crate::scenario::hypershift::uuid(5, name), "vmState": "Running"}
        }
    })
}

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let s = opts.seed;
    let age = Duration::from_secs(60 * DAY);
    let ts = store.clock().ago_rfc3339(age);
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "openshift-config",
        "openshift-config-managed",
        "openshift-machine-api",
        "openshift-machine-config-operator",
        "openshift-ingress",
        "openshift-ingress-operator",
        "openshift-marketplace",
        "openshift-monitoring",
        "openshift-windows-machine-config-operator",
        "openshift-cloud-controller-manager",
        "openshift-dns",
        "openshift-ovn-kubernetes",
        "openshift-service-ca",
    ] {
        put_aged(store, "namespaces", objects::namespace(ns, json!({})), age)?;
    }
    // Every node with its IP, and which run Linux (Windows nodes run no Linux DaemonSet pods).
    let mut hosts: Vec<(String, String)> = Vec::new();
    let mut linux: Vec<Host> = Vec::new();
    for i in 0..3 {
        let name = format!("{INFRA_ID}-master-{i}");
        let ip = format!("10.0.0.{}", 6 + i);
        hosts.push((name.clone(), ip.clone()));
        linux.push(Host::Master(name.clone()));
        let mut n = NodeSpec::rhcos(&name, "amd64", vec!["control-plane", "master"], &ip);
        n.cpu = 8;
        n.memory_gi = 32;
        n.taints = vec![json!({"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"})];
        n.provider_id = Some(format!(
            "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{name}"
        ));
        n.extra_labels = json!({"node.kubernetes.io/instance-type": "Standard_D8s_v3", "topology.kubernetes.io/region": REGION, "topology.kubernetes.io/zone": format!("{REGION}-{}", i + 1)});
        put_aged(store, "nodes", objects::node(&n, &ts), age)?;
        csrs::seed_history(store, s, &name, &ip, age)?;
    }
    let marketplace = |sku: &str| json!({"offer": "", "publisher": "", "resourceID": format!("/resourceGroups/{RG}/providers/Microsoft.Compute/galleries/{GALLERY}/images/{INFRA_ID}-gen2/versions/{}", "latest"), "sku": sku, "version": ""});
    let mut sets = Vec::new();
    for (z, zone) in [(1, "1"), (2, "2"), (3, "3")] {
        sets.push(SetDef {
            name: format!("{INFRA_ID}-worker-{REGION}{z}"),
            replicas: 1,
            vm_size: "Standard_D4s_v3",
            zone,
            arch: "amd64",
            windows: false,
            image: marketplace(""),
        });
    }
    sets.push(SetDef {
        name: format!("{INFRA_ID}-arm64-worker-{REGION}1"),
        replicas: 2,
        vm_size: "Standard_D8ps_v5",
        zone: "1",
        arch: "arm64",
        windows: false,
        image: json!({"offer": "", "publisher": "", "resourceID": format!("/resourceGroups/{RG}/providers/Microsoft.Compute/galleries/{GALLERY}/images/rhcos-arm64/versions/1.0.0"), "sku": "", "version": ""}),
    });
    sets.push(SetDef {
        name: WINDOWS_MS.to_string(),
        replicas: 2,
        vm_size: "Standard_D4s_v3",
        zone: "2",
        arch: "amd64",
        windows: true,
        image: json!({"offer": "WindowsServer", "publisher": "MicrosoftWindowsServer", "resourceID": "", "sku": "2022-datacenter-smalldisk", "version": "latest"}),
    });
    for d in &sets {
        let ms = machineset(d);
        put_aged(store, "machinesets.machine.openshift.io", ms.clone(), age)?;
        for r in 0..d.replicas {
            let name = format!(
                "{}-{}",
                d.name,
                suffix(s, &format!("openshift-machine-api/{}/{r}", d.name), 5)
            );
            let h = objects::hash64(s, &name);
            let ip = format!("10.0.{}.{}", 128 + h % 64, 4 + (h >> 8) % 250);
            hosts.push((name.clone(), ip.clone()));
            if !d.windows {
                linux.push(Host::Worker(name.clone(), d.arch));
            }
            put_aged(
                store,
                "machines.machine.openshift.io",
                machine(&ms, d, &name, &ip),
                age,
            )?;
            let mut spec = if d.windows {
                windows_node_spec(&name, &ip)
            } else {
                let mut n = NodeSpec::rhcos(&name, d.arch, vec!["worker"], &ip);
                n.cpu = if d.arch == "arm64" { 8 } else { 4 };
                n.memory_gi = if d.arch == "arm64" { 32 } else { 16 };
                n
            };
            spec.provider_id = Some(format!(
                "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{name}"
            ));
            spec.extra_labels = objects::merge(
                spec.extra_labels.clone(),
                json!({
                    "node.kubernetes.io/instance-type": d.vm_size,
                    "topology.kubernetes.io/region": REGION,
                    "topology.kubernetes.io/zone": format!("{REGION}-{}", d.zone),
                }),
            );
            put_aged(store, "nodes", objects::node(&spec, &ts), age)?;
            csrs::seed_history(store, s, &name, &ip, age)?;
        }
    }
    super::guest::seed_standalone_operators(store, &["control-plane-machine-set", "olm"], age)?;
    seed_config(store, &ts)?;
    seed_wmco(store, &ts)?;
    seed_platform_pods(store, s, &hosts, &linux, age)?;
    Ok(())
}

/// A Linux node, for placing pods.
enum Host {
    Master(String),
    Worker(String, &'static str),
}

/// The pods of the core namespaces the health checks read (OVN-Kubernetes, DNS, router, service
/// CA) and the WMCO operator pod, placed as OpenShift places them: DaemonSets on every Linux node,
/// control-plane components on masters, the router on x86_64 workers.
fn seed_platform_pods(
    store: &Store,
    s: u64,
    hosts: &[(String, String)],
    linux: &[Host],
    age: Duration,
) -> Result<(), ApiError> {
    let all_linux: Vec<String> = linux
        .iter()
        .map(|h| match h {
            Host::Master(n) | Host::Worker(n, _) => n.clone(),
        })
        .collect();
    let masters: Vec<String> = linux
        .iter()
        .filter_map(|h| match h {
            Host::Master(n) => Some(n.clone()),
            Host::Worker(..) => None,
        })
        .collect();
    let amd64_workers: Vec<String> = linux
        .iter()
        .filter_map(|h| match h {
            Host::Worker(n, "amd64") => Some(n.clone()),
            _ => None,
        })
        .collect();
    let first = |list: &[String], n: usize| list.iter().take(n).cloned().collect::<Vec<_>>();
    let nodes = pods::Nodes { all: hosts };
    let platform = [
        PodSet {
            namespace: "openshift-ovn-kubernetes",
            name: "ovnkube-node",
            run_on: RunOn::EachOf(all_linux.clone()),
            containers: &[
                "ovn-controller",
                "ovn-acl-logging",
                "kube-rbac-proxy-node",
                "kube-rbac-proxy-ovn-metrics",
                "northd",
                "nbdb",
                "sbdb",
                "ovnkube-controller",
            ],
        },
        PodSet {
            namespace: "openshift-ovn-kubernetes",
            name: "ovnkube-control-plane",
            run_on: RunOn::Replicas(first(&masters, 2)),
            containers: &["kube-rbac-proxy", "ovnkube-cluster-manager"],
        },
        PodSet {
            namespace: "openshift-dns",
            name: "dns-default",
            run_on: RunOn::EachOf(all_linux.clone()),
            containers: &["dns", "kube-rbac-proxy"],
        },
        PodSet {
            namespace: "openshift-dns",
            name: "node-resolver",
            run_on: RunOn::EachOf(all_linux),
            containers: &["dns-node-resolver"],
        },
        PodSet {
            namespace: "openshift-ingress",
            name: "router-default",
            run_on: RunOn::Replicas(first(&amd64_workers, 2)),
            containers: &["router"],
        },
        PodSet {
            namespace: "openshift-service-ca",
            name: "service-ca",
            run_on: RunOn::Replicas(first(&masters, 1)),
            containers: &["service-ca-controller"],
        },
    ];
    let payload = |c: &str| {
        format!(
            "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{}",
            objects::hex(s, c, 64)
        )
    };
    pods::seed_sets(store, s, &nodes, &platform, &payload, age)?;
    let wmco = [PodSet {
        namespace: WMCO_NAMESPACE,
        name: "windows-machine-config-operator",
        run_on: RunOn::Replicas(first(&masters, 1)),
        containers: &["manager"],
    }];
    let wmco_image = |c: &str| {
        format!(
            "registry.redhat.io/openshift4-wincw/windows-machine-config-rhel9-operator@sha256:{}",
            objects::hex(s, &format!("wmco/{c}"), 64)
        )
    };
    pods::seed_sets(store, s, &nodes, &wmco, &wmco_image, age)
}

fn seed_config(store: &Store, ts: &str) -> Result<(), ApiError> {
    put(
        store,
        "infrastructures.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"cloudConfig": {"key": "config", "name": "cloud-provider-config"}, "platformSpec": {"type": "Azure"}},
            "status": {
                "apiServerURL": "https://api.azure.example.com:6443",
                "apiServerInternalURI": "https://api-int.azure.example.com:6443",
                "controlPlaneTopology": "HighlyAvailable", "infrastructureTopology": "HighlyAvailable", "cpuPartitioning": "None",
                "infrastructureName": INFRA_ID, "platform": "Azure",
                "platformStatus": {"type": "Azure", "azure": {"cloudName": "AzurePublicCloud", "networkResourceGroupName": RG, "resourceGroupName": RG, "region": REGION}}
            }
        }),
    )?;
    put(
        store,
        "networks.config.openshift.io",
        json!({
            "metadata": {"name": "cluster"},
            "spec": {"clusterNetwork": [{"cidr": "10.128.0.0/14", "hostPrefix": 23}], "networkType": "OVNKubernetes", "serviceNetwork": ["172.30.0.0/16"]},
            "status": {"clusterNetwork": [{"cidr": "10.128.0.0/14", "hostPrefix": 23}], "networkType": "OVNKubernetes", "serviceNetwork": ["172.30.0.0/16"], "clusterNetworkMTU": 1400}
        }),
    )?;
    put(
        store,
        "clusterversions.config.openshift.io",
        json!({
            "metadata": {"name": "version"},
            "spec": {"channel": "stable-4.18", "clusterID": crate::scenario::hypershift::uuid(2, "azure"), "desiredUpdate": {"version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "architecture": "Multi"}},
            "status": {
                "desired": {"version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "architecture": "Multi", "channels": ["candidate-4.18", "fast-4.18", "stable-4.18"], "url": "https://access.redhat.com/errata/RHSA-2025:0876"},
                "history": [{"state": "Completed", "startedTime": ts, "completionTime": ts, "version": OCP_VERSION, "image": MULTI_RELEASE_IMAGE, "verified": false}],
                "observedGeneration": 2,
                "conditions": [
                    objects::condition("Available", "True", "", &format!("Done applying {OCP_VERSION}"), ts),
                    objects::condition("Failing", "False", "", "", ts),
                    objects::condition("Progressing", "False", "", &format!("Cluster version is {OCP_VERSION}"), ts),
                    objects::condition("ReleaseAccepted", "True", "PayloadLoaded", &format!("Payload loaded version=\"{OCP_VERSION}\" image=\"{MULTI_RELEASE_IMAGE}\" architecture=\"Multi\""), ts)
                ]
            }
        }),
    )?;
    super::bootimages::seed(store)?;
    put(
        store,
        "ingresscontrollers.operator.openshift.io",
        json!({
            "metadata": {"name": "default", "namespace": "openshift-ingress-operator"},
            "spec": {"replicas": 2, "endpointPublishingStrategy": {"type": "LoadBalancerService", "loadBalancer": {"scope": "External"}}},
            "status": {"availableReplicas": 2, "domain": "apps.azure.example.com", "conditions": [objects::condition("Available", "True", "", "The deployment has Available status condition set to True", ts)]}
        }),
    )?;
    Ok(())
}

/// The WMCO namespace.
pub const WMCO_NAMESPACE: &str = "openshift-windows-machine-config-operator";

fn seed_wmco(store: &Store, ts: &str) -> Result<(), ApiError> {
    let ns = WMCO_NAMESPACE;
    let csv_name = "windows-machine-config-operator.v10.18.1";
    put(
        store,
        "clusterserviceversions.operators.coreos.com",
        json!({
            "metadata": {"name": csv_name, "namespace": ns},
            "spec": {"displayName": "Windows Machine Config Operator", "version": "10.18.1", "replaces": "windows-machine-config-operator.v10.17.0", "provider": {"name": "Red Hat"}},
            "status": {"phase": "Succeeded", "reason": "InstallSucceeded", "message": "install strategy completed with no errors", "lastTransitionTime": ts}
        }),
    )?;
    put(
        store,
        "subscriptions.operators.coreos.com",
        json!({
            "metadata": {"name": "windows-machine-config-operator", "namespace": ns},
            "spec": {"channel": "stable", "installPlanApproval": "Automatic", "name": "windows-machine-config-operator", "source": "redhat-operators", "sourceNamespace": "openshift-marketplace"},
            "status": {"currentCSV": csv_name, "installedCSV": csv_name, "state": "AtLatestKnown", "installPlanRef": {"name": "install-wmc8x", "namespace": ns}}
        }),
    )?;
    put(
        store,
        "installplans.operators.coreos.com",
        json!({
            "metadata": {"name": "install-wmc8x", "namespace": ns},
            "spec": {"approval": "Automatic", "approved": true, "clusterServiceVersionNames": [csv_name], "generation": 1},
            "status": {"phase": "Complete"}
        }),
    )?;
    put(
        store,
        "secrets",
        json!({
            "metadata": {"name": "cloud-private-key", "namespace": ns},
            "type": "Opaque",
            "data": {"private-key.pem": crate::pki::b64("-----BEGIN OPENSSH PRIVATE KEY-----\nSIMULATED-PLACEHOLDER-NOT-A-REAL-KEY\n-----END OPENSSH PRIVATE KEY-----\n")}
        }),
    )?;
    put(
        store,
        "secrets",
        json!({
            "metadata": {"name": "windows-user-data", "namespace": "openshift-machine-api"},
            "type": "Opaque",
            "data": {"userData": crate::pki::b64("<powershell>\n# simulated placeholder user data (WMCO)\n</powershell>\n<persist>true</persist>\n")}
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_nodes_are_tainted_and_labelled() {
        let n = objects::node(&windows_node_spec("winworker-abcde", "10.0.1.5"), "t");
        assert_eq!(n["metadata"]["labels"]["kubernetes.io/os"], "windows");
        assert_eq!(
            n["metadata"]["labels"]["node.kubernetes.io/windows-build"],
            WINDOWS_BUILD
        );
        assert_eq!(n["spec"]["taints"][0]["value"], "Windows");
        assert!(
            n["metadata"]["annotations"]["windowsmachineconfig.openshift.io/version"].is_string()
        );
        assert!("winworker-abcde".len() <= 15);
    }
}
