//! Scenario and controller behaviour, driven through the store (no HTTP).
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::store::Store;
use shiftdeck_sim::{Profile, Scale, SimHandle, SimOptions};

fn opts(profile: Profile, live: bool) -> SimOptions {
    SimOptions {
        profile,
        live,
        speed: 200.0,
        seed: 7,
        ..SimOptions::default()
    }
}

async fn start(o: SimOptions) -> SimHandle {
    shiftdeck_sim::start(o).await.expect("sim starts")
}

fn list(store: &Store, key: &str, ns: Option<&str>) -> Vec<Value> {
    store
        .list(by_key(key), ns)
        .0
        .into_iter()
        .map(|v| (*v).clone())
        .collect()
}

fn names(store: &Store, key: &str, ns: Option<&str>) -> Vec<String> {
    list(store, key, ns)
        .iter()
        .map(|o| {
            o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn cond<'a>(o: &'a Value, t: &str) -> Option<&'a Value> {
    o["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == t)
}

/// Poll `f` until it returns Some, for up to `secs` seconds of wall time.
async fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_seed_has_expected_objects() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = &h.store;
    let nodes = list(s, "nodes", None);
    assert!(
        nodes
            .iter()
            .any(|n| n["metadata"]["labels"]["kubernetes.io/arch"] == "arm64")
    );
    assert!(nodes.iter().any(|n| n["metadata"]["name"] == "master-0"));
    let hcs = names(
        s,
        "hostedclusters.hypershift.openshift.io",
        Some("clusters"),
    );
    assert_eq!(hcs, vec!["example", "guest", "user"]);
    let user_np = s
        .get(
            by_key("nodepools.hypershift.openshift.io"),
            Some("clusters"),
            "user-np",
        )
        .expect("user-np");
    let lm = cond(&user_np, "KubeVirtNodesLiveMigratable").expect("lm condition");
    assert_eq!(lm["status"], "False");
    let msg = lm["message"].as_str().unwrap();
    assert!(
        msg.starts_with("3 of 3 machines are not live migratable\nMachine user-np-"),
        "{msg}"
    );
    assert_eq!(msg.lines().count(), 4);
    let vmis = list(
        s,
        "virtualmachineinstances.kubevirt.io",
        Some("clusters-example"),
    );
    assert_eq!(vmis.len(), 2);
    assert!(
        vmis.iter()
            .all(|v| cond(v, "LiveMigratable").unwrap()["status"] == "True")
    );
    let dvs = list(s, "datavolumes.cdi.kubevirt.io", Some("clusters-user"));
    assert!(dvs.iter().all(|d| d["status"]["progress"] == "100.0%"));
    let guest = s
        .get(
            by_key("hostedclusters.hypershift.openshift.io"),
            Some("clusters"),
            "guest",
        )
        .unwrap();
    assert_eq!(guest["status"]["version"]["history"][0]["state"], "Partial");
    let pending: Vec<Value> = list(s, "certificatesigningrequests.certificates.k8s.io", None)
        .into_iter()
        .filter(|c| c["status"]["conditions"].is_null())
        .collect();
    assert!(!pending.is_empty());
    assert!(
        s.get(
            by_key("ingresscontrollers.operator.openshift.io"),
            Some("openshift-ingress-operator"),
            "default"
        )
        .is_some()
    );
    h.shutdown();
}

const CSR: &str = "certificatesigningrequests.certificates.k8s.io";
const NP: &str = "nodepools.hypershift.openshift.io";
const HC: &str = "hostedclusters.hypershift.openshift.io";
const VMIS: &str = "virtualmachineinstances.kubevirt.io";
const MACHINES: &str = "machines.machine.openshift.io";
/// HyperShift's node-pool machines (Cluster API).
const POOL_MACHINES: &str = "machines.cluster.x-k8s.io";
const MS: &str = "machinesets.machine.openshift.io";

fn approve(store: &Store, name: &str) {
    store
        .mutate_retry(by_key(CSR), None, name, false, |o| {
            o["status"]["conditions"] = serde_json::json!([{
                "type": "Approved", "status": "True", "reason": "KubectlApprove",
                "message": "This CSR was approved by kubectl certificate approve."
            }]);
            Ok(())
        })
        .expect("approve");
}

fn pending_csr(store: &Store, username: &str, node: &str) -> Option<String> {
    list(store, CSR, None)
        .into_iter()
        .filter(|c| c["status"]["conditions"].is_null())
        .filter(|c| c["spec"]["username"] == username)
        .find(|c| {
            let req = c["spec"]["request"].as_str().unwrap_or_default();
            shiftdeck_sim::pki::parse_request(req)
                .and_then(|p| p.common_name)
                .is_some_and(|cn| cn == format!("system:node:{node}"))
        })
        .map(|c| c["metadata"]["name"].as_str().unwrap().to_string())
}

fn node_ready(store: &Store, name: &str) -> Option<bool> {
    let n = store.get(by_key("nodes"), None, name)?;
    Some(cond(&n, "Ready").is_some_and(|c| c["status"] == "True"))
}

const BOOTSTRAPPER: &str =
    "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_client_then_serving_csr_joins_an_arm64_node() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let node = "arm64-worker-2";
    let client = pending_csr(&s, BOOTSTRAPPER, node).expect("pending client CSR");
    let seeded = s.get(by_key(CSR), None, &client).unwrap();
    assert_eq!(
        seeded["spec"]["signerName"],
        "kubernetes.io/kube-apiserver-client-kubelet"
    );
    approve(&s, &client);
    wait_for(60, "client certificate", || {
        let c = s.get(by_key(CSR), None, &client)?;
        let cert = c["status"]["certificate"].as_str()?;
        let parsed = shiftdeck_sim::pki::parse_certificate(cert)?;
        (parsed.common_name.as_deref() == Some("system:node:arm64-worker-2")).then_some(())
    })
    .await;
    let n = wait_for(60, "node", || s.get(by_key("nodes"), None, node)).await;
    assert_eq!(n["metadata"]["labels"]["kubernetes.io/arch"], "arm64");
    assert_eq!(node_ready(&s, node), Some(false));
    let serving = wait_for(60, "serving CSR", || {
        pending_csr(&s, &format!("system:node:{node}"), node)
    })
    .await;
    let sc = s.get(by_key(CSR), None, &serving).unwrap();
    assert_eq!(sc["spec"]["signerName"], "kubernetes.io/kubelet-serving");
    let sans = shiftdeck_sim::pki::parse_request(sc["spec"]["request"].as_str().unwrap()).unwrap();
    assert_eq!(sans.ip_addresses.len(), 1);
    assert_eq!(sans.dns_names, vec![node.to_string()]);
    approve(&s, &serving);
    wait_for(60, "node ready", || node_ready(&s, node).filter(|r| *r)).await;
    // Denied CSRs are never issued.
    let bad = list(&s, CSR, None)
        .into_iter()
        .find(|c| c["spec"]["username"] == "system:serviceaccount:default:builder")
        .expect("a wrongly requested CSR");
    let bad_name = bad["metadata"]["name"].as_str().unwrap().to_string();
    s.mutate_retry(by_key(CSR), None, &bad_name, false, |o| {
        o["status"]["conditions"] =
            serde_json::json!([{"type": "Denied", "status": "True", "reason": "KubectlDeny"}]);
        Ok(())
    })
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(s.get(by_key(CSR), None, &bad_name).unwrap()["status"]["certificate"].is_null());
    h.shutdown();
}

fn pool_vmis(store: &Store, ns: &str, pool: &str) -> Vec<Value> {
    list(store, VMIS, Some(ns))
        .into_iter()
        .filter(|v| v["metadata"]["labels"]["hypershift.openshift.io/nodepool-name"] == pool)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodepool_scale_up_builds_the_chain_and_scale_down_removes_it() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let pool = "example-extra-cpu";
    assert!(pool_vmis(&s, "clusters-example", pool).is_empty());
    s.mutate_retry(by_key(NP), Some("clusters"), pool, true, |o| {
        o["spec"]["replicas"] = serde_json::json!(2);
        Ok(())
    })
    .unwrap();
    wait_for(120, "2 ready replicas", || {
        let np = s.get(by_key(NP), Some("clusters"), pool)?;
        (np["status"]["replicas"] == 2).then_some(())
    })
    .await;
    let vmis = pool_vmis(&s, "clusters-example", pool);
    assert_eq!(vmis.len(), 2);
    for v in &vmis {
        assert_eq!(v["status"]["phase"], "Running");
        assert!(
            v["status"]["nodeName"]
                .as_str()
                .unwrap()
                .starts_with("worker-")
        );
        let vm = v["metadata"]["name"].as_str().unwrap();
        let dv = s
            .get(
                by_key("datavolumes.cdi.kubevirt.io"),
                Some("clusters-example"),
                &format!("{vm}-rhcos"),
            )
            .expect("dv");
        assert_eq!(dv["status"]["phase"], "Succeeded");
        assert_eq!(dv["status"]["progress"], "100.0%");
        assert!(
            s.get(
                by_key("persistentvolumeclaims"),
                Some("clusters-example"),
                &format!("{vm}-rhcos")
            )
            .is_some()
        );
        assert!(
            s.get(
                by_key("virtualmachines.kubevirt.io"),
                Some("clusters-example"),
                vm
            )
            .is_some()
        );
    }
    let events = list(&s, "events", Some("clusters-example"));
    assert!(events.iter().any(|e| e["reason"] == "ImportSucceeded"));
    let np = s.get(by_key(NP), Some("clusters"), pool).unwrap();
    assert_eq!(cond(&np, "Ready").unwrap()["status"], "True");
    assert_eq!(
        cond(&np, "KubeVirtNodesLiveMigratable").unwrap()["status"],
        "True"
    );
    s.mutate_retry(by_key(NP), Some("clusters"), pool, true, |o| {
        o["spec"]["replicas"] = serde_json::json!(1);
        Ok(())
    })
    .unwrap();
    wait_for(60, "scale down", || {
        let machines: Vec<Value> = list(&s, POOL_MACHINES, Some("clusters-example"))
            .into_iter()
            .filter(|m| m["metadata"]["labels"]["hypershift.openshift.io/nodepool-name"] == pool)
            .collect();
        (machines.len() == 1 && pool_vmis(&s, "clusters-example", pool).len() == 1).then_some(())
    })
    .await;
    wait_for(30, "status 1", || {
        let np = s.get(by_key(NP), Some("clusters"), pool)?;
        (np["status"]["replicas"] == 1).then_some(())
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machineset_scale_up_joins_through_csrs() {
    let h = start(opts(Profile::Azure, false)).await;
    let s = h.store.clone();
    let ms = "azure-5mzx8-arm64-worker-eastus1";
    s.mutate_retry(by_key(MS), Some("openshift-machine-api"), ms, true, |o| {
        o["spec"]["replicas"] = serde_json::json!(3);
        Ok(())
    })
    .unwrap();
    let machine = wait_for(60, "new machine", || {
        list(&s, MACHINES, Some("openshift-machine-api"))
            .into_iter()
            .filter(|m| {
                m["metadata"]["labels"]["machine.openshift.io/cluster-api-machineset"] == ms
            })
            .find(|m| m["status"]["nodeRef"].is_null())
    })
    .await;
    let name = machine["metadata"]["name"].as_str().unwrap().to_string();
    let client = wait_for(60, "client CSR", || pending_csr(&s, BOOTSTRAPPER, &name)).await;
    let m = s
        .get(by_key(MACHINES), Some("openshift-machine-api"), &name)
        .unwrap();
    assert_eq!(m["status"]["phase"], "Provisioned");
    assert!(
        m["status"]["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"] == "InternalDNS" && a["address"] == name.as_str())
    );
    approve(&s, &client);
    let serving = wait_for(60, "serving CSR", || {
        pending_csr(&s, &format!("system:node:{name}"), &name)
    })
    .await;
    approve(&s, &serving);
    wait_for(60, "ready replicas", || {
        let o = s.get(by_key(MS), Some("openshift-machine-api"), ms)?;
        (o["status"]["readyReplicas"] == 3 && o["status"]["replicas"] == 3).then_some(())
    })
    .await;
    let node = s.get(by_key("nodes"), None, &name).unwrap();
    assert_eq!(node["metadata"]["labels"]["kubernetes.io/arch"], "arm64");
    assert_eq!(
        s.get(by_key(MACHINES), Some("openshift-machine-api"), &name)
            .unwrap()["status"]["phase"],
        "Running"
    );
    s.mutate_retry(by_key(MS), Some("openshift-machine-api"), ms, true, |o| {
        o["spec"]["replicas"] = serde_json::json!(2);
        Ok(())
    })
    .unwrap();
    wait_for(60, "scale down", || {
        let o = s.get(by_key(MS), Some("openshift-machine-api"), ms)?;
        (o["status"]["replicas"] == 2).then_some(())
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_hostedcluster_completes_with_kubeconfig() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let hc = serde_json::json!({
        "metadata": {"name": "fresh", "namespace": "clusters"},
        "spec": {
            "release": {"image": "quay.io/openshift-release-dev/ocp-release:4.18.1-multi"},
            "pullSecret": {"name": "fresh-pull-secret"},
            "platform": {"type": "KubeVirt", "kubevirt": {"baseDomainPassthrough": true}},
            "dns": {"baseDomain": ""},
            "networking": {"networkType": "OVNKubernetes"},
            "etcd": {"managementType": "Managed", "managed": {"storage": {"type": "PersistentVolume"}}},
            "services": []
        }
    });
    s.create(by_key(HC), hc, false).unwrap();
    let done = wait_for(120, "Completed", || {
        let o = s.get(by_key(HC), Some("clusters"), "fresh")?;
        (o["status"]["version"]["history"][0]["state"] == "Completed").then_some(o)
    })
    .await;
    assert!(done["status"]["version"]["history"][0]["completionTime"].is_string());
    assert_eq!(cond(&done, "Available").unwrap()["status"], "True");
    assert_eq!(
        done["status"]["kubeconfig"]["name"],
        "fresh-admin-kubeconfig"
    );
    assert_eq!(done["status"]["controlPlaneEndpoint"]["port"], 6443);
    assert!(
        s.get(by_key("namespaces"), None, "clusters-fresh")
            .is_some()
    );
    assert!(!list(&s, "pods", Some("clusters-fresh")).is_empty());
    let secret = s
        .get(
            by_key("secrets"),
            Some("clusters"),
            "fresh-admin-kubeconfig",
        )
        .expect("secret");
    let kc = shiftdeck_sim::pki::unb64(secret["data"]["kubeconfig"].as_str().unwrap()).unwrap();
    assert!(kc.contains("kind: Config"));
    h.shutdown();
}

fn migrate(store: &Store, ns: &str, name: &str, vmi: &str) {
    store
        .create(
            by_key("virtualmachineinstancemigrations.kubevirt.io"),
            serde_json::json!({"metadata": {"name": name, "namespace": ns}, "spec": {"vmiName": vmi}}),
            false,
        )
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_succeed_for_rwx_and_fail_for_rwo() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let ok_vmi = pool_vmis(&s, "clusters-example", "example")[0].clone();
    let ok_name = ok_vmi["metadata"]["name"].as_str().unwrap().to_string();
    let source = ok_vmi["status"]["nodeName"].as_str().unwrap().to_string();
    migrate(&s, "clusters-example", "mig-ok", &ok_name);
    let bad_vmi = pool_vmis(&s, "clusters-user", "user-np")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    migrate(&s, "clusters-user", "mig-bad", &bad_vmi);
    let vmim = by_key("virtualmachineinstancemigrations.kubevirt.io");
    let ok = wait_for(60, "migration succeeded", || {
        let m = s.get(vmim, Some("clusters-example"), "mig-ok")?;
        (m["status"]["phase"] == "Succeeded").then_some(m)
    })
    .await;
    assert_eq!(
        ok["status"]["migrationState"]["sourceNode"],
        source.as_str()
    );
    let target = ok["status"]["migrationState"]["targetNode"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(target, source);
    let moved = s
        .get(by_key(VMIS), Some("clusters-example"), &ok_name)
        .unwrap();
    assert_eq!(moved["status"]["nodeName"], target.as_str());
    let bad = wait_for(60, "migration failed", || {
        let m = s.get(vmim, Some("clusters-user"), "mig-bad")?;
        (m["status"]["phase"] == "Failed").then_some(m)
    })
    .await;
    let reason = bad["status"]["migrationState"]["failureReason"]
        .as_str()
        .unwrap();
    assert!(reason.contains("DisksNotLiveMigratable"), "{reason}");
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn available_hosted_clusters_get_guest_apis_with_nodes() {
    // The machine-approver is down, so the new node's CSRs wait for the admin (this test).
    let mut o = opts(Profile::Hub, false);
    o.faults = "machine-approver=down".parse().unwrap();
    let h = start(o).await;
    let s = h.store.clone();
    let g = wait_for(60, "guest example", || {
        let g = shiftdeck_sim::controllers::guest::guest(&s, "clusters", "example")?;
        (g.store.count(by_key("nodes")) == 2).then_some(g)
    })
    .await;
    let vmis: Vec<String> = pool_vmis(&s, "clusters-example", "example")
        .iter()
        .map(|v| v["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let mut guest_nodes = names(&g.store, "nodes", None);
    guest_nodes.sort();
    let mut want = vmis.clone();
    want.sort();
    assert_eq!(guest_nodes, want);
    assert!(
        g.store
            .count(by_key("clusteroperators.config.openshift.io"))
            >= 30
    );
    let secret = s
        .get(
            by_key("secrets"),
            Some("clusters"),
            "example-admin-kubeconfig",
        )
        .unwrap();
    let kc = shiftdeck_sim::pki::unb64(secret["data"]["kubeconfig"].as_str().unwrap()).unwrap();
    assert!(kc.contains(&g.url), "{kc}");
    assert!(g.url.starts_with("https://"), "{}", g.url);
    // Drill-down: the Secret's kubeconfig reaches the guest API over TLS (sim CA, admin token).
    let kc: kube::config::Kubeconfig = serde_yaml::from_str(&kc).unwrap();
    assert!(
        kc.clusters[0]
            .cluster
            .as_ref()
            .unwrap()
            .certificate_authority_data
            .is_some()
    );
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let gc = kube::Client::try_from(cfg).unwrap();
    let nodes = kube::Api::<k8s_openapi::api::core::v1::Node>::all(gc.clone())
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(nodes.items.len(), 2);
    let user = wait_for(60, "guest user", || {
        let g = shiftdeck_sim::controllers::guest::guest(&s, "clusters", "user")?;
        (g.store.count(by_key("nodes")) == 3).then_some(g)
    })
    .await;
    let storage = user
        .store
        .get(
            by_key("clusteroperators.config.openshift.io"),
            None,
            "storage",
        )
        .unwrap();
    assert_eq!(cond(&storage, "Degraded").unwrap()["status"], "True");
    // The Partial custom-domain cluster is not served.
    assert!(shiftdeck_sim::controllers::guest::guest(&s, "clusters", "guest").is_none());
    // Scaling a pool adds guest nodes, which join through the guest's CSRs: a client CSR
    // from the node-bootstrapper, then (once issued) a serving CSR from the node. Both are
    // listed and approved through the guest's kubeconfig.
    let before: Vec<String> = names(&g.store, CSR, None);
    s.mutate_retry(by_key(NP), Some("clusters"), "example", true, |o| {
        o["spec"]["replicas"] = serde_json::json!(3);
        Ok(())
    })
    .unwrap();
    let new_vm = wait_for(120, "the new replica's VMI running", || {
        pool_vmis(&s, "clusters-example", "example")
            .iter()
            .filter(|v| v["status"]["phase"] == "Running")
            .map(|v| v["metadata"]["name"].as_str().unwrap().to_string())
            .find(|v| !want.contains(v))
    })
    .await;
    let csrs = kube::Api::<k8s_openapi::api::certificates::v1::CertificateSigningRequest>::all(gc);
    let pending_for = |signer: &'static str| {
        let csrs = csrs.clone();
        let before = before.clone();
        let new_vm = new_vm.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(120);
            loop {
                let list = csrs.list(&Default::default()).await.unwrap();
                let found = list.items.into_iter().find(|c| {
                    let name = c.metadata.name.clone().unwrap_or_default();
                    let pending = c
                        .status
                        .as_ref()
                        .and_then(|st| st.conditions.as_ref())
                        .is_none_or(|cs| cs.is_empty());
                    let cn = shiftdeck_sim::pki::parse_request(&shiftdeck_sim::pki::b64(
                        std::str::from_utf8(&c.spec.request.0).unwrap_or_default(),
                    ))
                    .and_then(|p| p.common_name);
                    !before.contains(&name)
                        && pending
                        && c.spec.signer_name == signer
                        && cn.as_deref() == Some(&format!("system:node:{new_vm}"))
                });
                if let Some(c) = found {
                    return c;
                }
                assert!(
                    Instant::now() < deadline,
                    "no pending {signer} CSR for {new_vm}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let approve = |name: String| {
        let csrs = csrs.clone();
        async move {
            let body = serde_json::json!({"status": {"conditions": [{"type": "Approved", "status": "True",
                "reason": "AdminApprove", "message": "approved through the guest kubeconfig"}]}});
            csrs.patch_approval(&name, &Default::default(), &kube::api::Patch::Merge(body))
                .await
                .unwrap();
        }
    };
    let client = pending_for("kubernetes.io/kube-apiserver-client-kubelet").await;
    assert_eq!(client.spec.username.as_deref(), Some(BOOTSTRAPPER));
    // No Node before the client certificate is issued.
    assert!(g.store.get(by_key("nodes"), None, &new_vm).is_none());
    approve(client.metadata.name.clone().unwrap()).await;
    let serving = pending_for("kubernetes.io/kubelet-serving").await;
    assert_eq!(
        serving.spec.username.as_deref(),
        Some(format!("system:node:{new_vm}").as_str())
    );
    let node = g.store.get(by_key("nodes"), None, &new_vm).unwrap();
    assert_eq!(cond(&node, "Ready").unwrap()["status"], "False");
    // The hub Machine has no nodeRef while its guest Node is not Ready.
    assert!(machine_node_ref(&s, "clusters-example", &new_vm).is_none());
    // What the admin sees in the control plane: the approver crash-looping.
    let approver = list(&s, "pods", Some("clusters-example"))
        .into_iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("machine-approver-"))
        })
        .expect("machine-approver pod");
    assert_eq!(cond(&approver, "Ready").unwrap()["status"], "False");
    approve(serving.metadata.name.clone().unwrap()).await;
    wait_for(120, "third guest node ready", || {
        let nodes = list(&g.store, "nodes", None);
        (nodes.len() == 3
            && nodes
                .iter()
                .all(|n| cond(n, "Ready").unwrap()["status"] == "True"))
        .then_some(())
    })
    .await;
    wait_for(60, "the Machine's nodeRef", || {
        machine_node_ref(&s, "clusters-example", &new_vm)
    })
    .await;
    h.shutdown();
}

/// The nodeRef of the Machine whose VM is `vm`.
fn machine_node_ref(s: &Store, cp: &str, vm: &str) -> Option<String> {
    list(s, POOL_MACHINES, Some(cp))
        .into_iter()
        .find(|m| m["spec"]["infrastructureRef"]["name"] == vm)
        .and_then(|m| m["status"]["nodeRef"]["name"].as_str().map(str::to_string))
}

/// HyperShift's machine-approver approves the new machine's client and then serving CSR by
/// itself; the Node turns Ready and the Machine gets its nodeRef without anyone approving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_approver_lets_new_guest_nodes_join() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let g = wait_for(60, "guest example", || {
        let g = shiftdeck_sim::controllers::guest::guest(&s, "clusters", "example")?;
        (g.store.count(by_key("nodes")) == 2).then_some(g)
    })
    .await;
    let before = names(&g.store, "nodes", None);
    // A CSR for a node no machine backs stays pending: the approver never denies, never guesses.
    shiftdeck_sim::scenario::csrs::post_client(&g.store, 9, "stranger-node", None).unwrap();
    s.mutate_retry(by_key(NP), Some("clusters"), "example", true, |o| {
        o["spec"]["replicas"] = serde_json::json!(3);
        Ok(())
    })
    .unwrap();
    let new_vm = wait_for(120, "a third guest node Ready", || {
        list(&g.store, "nodes", None)
            .into_iter()
            .filter(|n| cond(n, "Ready").is_some_and(|c| c["status"] == "True"))
            .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
            .find(|n| !before.contains(n))
    })
    .await;
    let csrs = list(&g.store, CSR, None);
    let mine: Vec<&Value> = csrs
        .iter()
        .filter(|c| {
            shiftdeck_sim::pki::parse_request(c["spec"]["request"].as_str().unwrap_or_default())
                .and_then(|p| p.common_name)
                .as_deref()
                == Some(&format!("system:node:{new_vm}"))
        })
        .collect();
    let signers: BTreeSet<&str> = mine
        .iter()
        .filter_map(|c| c["spec"]["signerName"].as_str())
        .collect();
    assert_eq!(signers.len(), 2, "client and serving: {mine:?}");
    for c in &mine {
        assert_eq!(
            c["status"]["conditions"][0]["reason"], "NodeCSRApprove",
            "{c}"
        );
    }
    wait_for(60, "the Machine's nodeRef", || {
        machine_node_ref(&s, "clusters-example", &new_vm)
    })
    .await;
    let stranger = csrs
        .iter()
        .filter(|c| {
            shiftdeck_sim::pki::parse_request(c["spec"]["request"].as_str().unwrap_or_default())
                .and_then(|p| p.common_name)
                .as_deref()
                == Some("system:node:stranger-node")
        })
        .collect::<Vec<_>>();
    assert_eq!(stranger.len(), 1);
    assert!(
        stranger[0]["status"]["conditions"].is_null(),
        "{}",
        stranger[0]
    );
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_seeds_thousands_of_objects_quickly() {
    let mut o = opts(Profile::Hub, false);
    o.scale = "nodes=5000,csrs=20000,hostedclusters=20,nodepools=40,datavolumes=200"
        .parse::<Scale>()
        .unwrap();
    let t = Instant::now();
    let h = start(o).await;
    let took = t.elapsed();
    eprintln!("seeded hub + scale in {took:?}");
    let s = &h.store;
    assert!(s.count(by_key("nodes")) >= 5000);
    assert!(s.count(by_key(CSR)) >= 20000);
    assert!(s.count(by_key(HC)) >= 23);
    assert!(s.count(by_key(NP)) >= 44);
    assert!(s.count(by_key("datavolumes.cdi.kubevirt.io")) >= 200);
    let node = s.get(by_key("nodes"), None, "arm64-node-00003").unwrap();
    let size = serde_json::to_string(&*node).unwrap().len();
    assert!((2500..6000).contains(&size), "node size {size}");
    // Generous bound for a loaded 2-core debug build; typical is well under 2 s.
    assert!(took < Duration::from_secs(30));
    // Status-only scale clusters get no guest API; the two Available seed clusters do.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let guests: Vec<String> = shiftdeck_sim::controllers::guest::guests(&h.store)
        .iter()
        .map(|g| format!("{}/{}", g.namespace, g.name))
        .collect();
    assert!(guests.len() <= 2, "guest APIs served: {guests:?}");
    h.shutdown();
}

fn fingerprint(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "nodes",
        CSR,
        MACHINES,
        POOL_MACHINES,
        VMIS,
        "pods",
        "secrets",
        NP,
    ] {
        for o in list(store, key, None) {
            out.push(format!(
                "{key}/{}/{}/{}/{}",
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or(""),
                o["spec"]["username"].as_str().unwrap_or(""),
                o["status"]["nodeName"].as_str().unwrap_or("")
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_gives_identical_objects() {
    let a = start(opts(Profile::Hub, false)).await;
    let b = start(opts(Profile::Hub, false)).await;
    assert_eq!(fingerprint(&a.store), fingerprint(&b.store));
    let mut o = opts(Profile::Hub, false);
    o.seed = 8;
    let c = start(o).await;
    assert_ne!(fingerprint(&a.store), fingerprint(&c.store));
    for h in [a, b, c] {
        h.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_and_microshift_seeds() {
    let az = start(opts(Profile::Azure, false)).await;
    let s = &az.store;
    let win: Vec<Value> = list(s, "nodes", None)
        .into_iter()
        .filter(|n| n["metadata"]["labels"]["kubernetes.io/os"] == "windows")
        .collect();
    assert_eq!(win.len(), 2);
    assert_eq!(win[0]["spec"]["taints"][0]["key"], "os");
    let cm = s
        .get(
            by_key("configmaps"),
            Some("openshift-machine-config-operator"),
            "coreos-bootimages",
        )
        .unwrap();
    let stream: Value = serde_json::from_str(cm["data"]["stream"].as_str().unwrap()).unwrap();
    let url = stream["architectures"]["aarch64"]["rhel-coreos-extensions"]["azure-disk"]["url"]
        .as_str()
        .unwrap();
    assert_eq!(
        url,
        "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"
    );
    let arm = s
        .get(
            by_key(MS),
            Some("openshift-machine-api"),
            "azure-5mzx8-arm64-worker-eastus1",
        )
        .unwrap();
    assert_eq!(
        arm["spec"]["template"]["spec"]["providerSpec"]["value"]["vmSize"],
        "Standard_D8ps_v5"
    );
    az.shutdown();
    let ms = start(opts(Profile::Microshift, false)).await;
    let s = &ms.store;
    assert_eq!(s.count(by_key("nodes")), 1);
    let v = s
        .get(
            by_key("configmaps"),
            Some("kube-public"),
            "microshift-version",
        )
        .unwrap();
    assert_eq!(v["data"]["version"], "4.18.1");
    assert!(list(s, "pods", Some("openshift-storage")).len() >= 3);
    ms.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_hub_keeps_arm64_machines_arriving() {
    let mut o = opts(Profile::Hub, true);
    o.speed = 400.0;
    let h = start(o).await;
    let s = h.store.clone();
    wait_for(60, "a new arrival's client CSR", || {
        pending_csr(&s, BOOTSTRAPPER, "arm64-worker-3")
    })
    .await;
    wait_for(60, "extra-cpu scaled", || {
        let np = s.get(by_key(NP), Some("clusters"), "example-extra-cpu")?;
        (np["spec"]["replicas"] == 2).then_some(())
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_seeding_breakdown_by_kind() {
    for spec in ["nodes=5000", "csrs=20000"] {
        let mut o = opts(Profile::Microshift, false);
        o.scale = spec.parse::<Scale>().unwrap();
        let t = Instant::now();
        let h = start(o).await;
        eprintln!("{spec}: {:?}", t.elapsed());
        h.shutdown();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_kubelet_posts_a_new_csr_after_an_hour() {
    let mut o = opts(Profile::Hub, false);
    o.speed = 3000.0;
    let h = start(o).await;
    let s = h.store.clone();
    let count = |s: &Store| {
        list(s, CSR, None)
            .into_iter()
            .filter(|c| {
                c["status"]["conditions"].is_null() && c["spec"]["username"] == BOOTSTRAPPER
            })
            .filter(|c| {
                shiftdeck_sim::pki::parse_request(c["spec"]["request"].as_str().unwrap_or_default())
                    .and_then(|p| p.common_name)
                    .as_deref()
                    == Some("system:node:arm64-worker-2")
            })
            .count()
    };
    assert_eq!(count(&s), 1);
    // One simulated hour is 1.2 s here; the old CSR stays, a new one joins it.
    wait_for(60, "a reposted client CSR", || {
        (count(&s) >= 2).then_some(())
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_created_nodepool_gets_status_and_chain_and_hc_delete_cleans_up() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let np = serde_json::json!({
        "metadata": {"name": "user-extra", "namespace": "clusters"},
        "spec": {
            "clusterName": "user", "replicas": 1,
            "release": {"image": "quay.io/openshift-release-dev/ocp-release:4.18.1-multi"},
            "management": {"upgradeType": "Replace"},
            "platform": {"type": "KubeVirt", "kubevirt": {"rootVolume": {"type": "Persistent", "persistent": {"size": "32Gi", "storageClass": "lvms-vg1"}}}}
        }
    });
    s.create(by_key(NP), np, false).unwrap();
    let done = wait_for(120, "new pool ready", || {
        let np = s.get(by_key(NP), Some("clusters"), "user-extra")?;
        (np["status"]["replicas"] == 1).then_some(np)
    })
    .await;
    assert_eq!(
        cond(&done, "KubeVirtNodesLiveMigratable").unwrap()["status"],
        "False"
    );
    assert_eq!(pool_vmis(&s, "clusters-user", "user-extra").len(), 1);
    let hc = s.get(by_key(HC), Some("clusters"), "user").unwrap();
    let lm = cond(&hc, "KubeVirtNodesLiveMigratable").unwrap();
    assert!(
        lm["message"]
            .as_str()
            .unwrap()
            .contains("user-extra, user-np"),
        "{lm}"
    );
    // A malformed pool a client created must not take the controller down.
    s.create(
        by_key(NP),
        serde_json::json!({"metadata": {"name": "junk", "namespace": "clusters"}, "spec": {"replicas": "many", "platform": 7}, "status": "odd"}),
        false,
    )
    .unwrap();
    s.delete(by_key(HC), Some("clusters"), "user", false)
        .unwrap();
    wait_for(60, "cleanup", || {
        (s.get(by_key("namespaces"), None, "clusters-user").is_none()
            && s.get(by_key(NP), Some("clusters"), "user-np").is_none()
            && list(&s, VMIS, Some("clusters-user")).is_empty())
        .then_some(())
    })
    .await;
    // Controllers still work afterwards.
    s.mutate_retry(
        by_key(NP),
        Some("clusters"),
        "example-extra-cpu",
        true,
        |o| {
            o["spec"]["replicas"] = serde_json::json!(1);
            Ok(())
        },
    )
    .unwrap();
    wait_for(120, "extra-cpu ready", || {
        let np = s.get(by_key(NP), Some("clusters"), "example-extra-cpu")?;
        (np["status"]["replicas"] == 1).then_some(())
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_domain_cluster_completes_once_metallb_serves_its_apps_lb() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let svc = s
        .get(by_key("services"), Some("clusters-guest"), "guest-apps")
        .unwrap();
    assert!(svc["status"]["loadBalancer"]["ingress"].is_null());
    s.create(
        by_key("ipaddresspools.metallb.io"),
        serde_json::json!({"metadata": {"name": "guest-apps", "namespace": "metallb-system"},
                           "spec": {"addresses": ["192.168.111.230-192.168.111.239"], "autoAssign": false}}),
        false,
    )
    .unwrap();
    wait_for(60, "apps LB address", || {
        let svc = s.get(by_key("services"), Some("clusters-guest"), "guest-apps")?;
        (svc["status"]["loadBalancer"]["ingress"][0]["ip"] == "192.168.111.230").then_some(())
    })
    .await;
    let hc = wait_for(60, "guest Completed", || {
        let hc = s.get(by_key(HC), Some("clusters"), "guest")?;
        (hc["status"]["version"]["history"][0]["state"] == "Completed").then_some(hc)
    })
    .await;
    assert_eq!(cond(&hc, "Available").unwrap()["status"], "True");
    wait_for(60, "guest API for guest", || {
        shiftdeck_sim::controllers::guest::guest(&s, "clusters", "guest")
    })
    .await;
    h.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_client_objects_do_not_stop_controllers() {
    let h = start(opts(Profile::Hub, false)).await;
    let s = h.store.clone();
    let junk = |key: &str, obj: Value| {
        s.create(by_key(key), obj, false).unwrap();
    };
    junk(
        CSR,
        serde_json::json!({"metadata": {"name": "junk-csr"}, "spec": {"request": 7, "usages": "all", "signerName": "kubernetes.io/kube-apiserver-client-kubelet"},
        "status": {"conditions": [{"type": "Approved", "status": "True"}, "garbage"]}}),
    );
    junk(
        CSR,
        serde_json::json!({"metadata": {"name": "junk-csr-2"}, "spec": {"request": shiftdeck_sim::pki::b64("not pem"), "signerName": "kubernetes.io/kubelet-serving"},
        "status": {"conditions": [{"type": "Approved", "status": "True"}]}}),
    );
    junk(
        "virtualmachineinstancemigrations.kubevirt.io",
        serde_json::json!({"metadata": {"name": "junk", "namespace": "clusters-example", "labels": "x"}, "spec": {"vmiName": 5}, "status": []}),
    );
    junk(
        HC,
        serde_json::json!({"metadata": {"name": "junk", "namespace": "clusters"}, "spec": "x", "status": "y"}),
    );
    junk(
        MS,
        serde_json::json!({"metadata": {"name": "junk", "namespace": "openshift-machine-api"},
        "spec": {"replicas": 1, "template": {"metadata": {"labels": "oops"}, "spec": 3}}, "status": 9}),
    );
    junk(
        "ipaddresspools.metallb.io",
        serde_json::json!({"metadata": {"name": "junk", "namespace": "metallb-system"}, "spec": {"addresses": [1, "zzz", "10.0.0.0/99"]}}),
    );
    junk(
        "services",
        serde_json::json!({"metadata": {"name": "junk-lb", "namespace": "default", "annotations": 4}, "spec": {"type": "LoadBalancer"}, "status": "?"}),
    );
    // The Failed condition on the unparsable serving CSR shows the signer is still alive.
    wait_for(60, "signer marks junk failed", || {
        let c = s.get(by_key(CSR), None, "junk-csr-2")?;
        cond(&c, "Failed").map(|_| ())
    })
    .await;
    // The CSR flow, migrations and hosted-cluster provisioning still work.
    let client = pending_csr(&s, BOOTSTRAPPER, "arm64-worker-2").unwrap();
    approve(&s, &client);
    wait_for(60, "node", || {
        s.get(by_key("nodes"), None, "arm64-worker-2")
    })
    .await;
    let vmi = pool_vmis(&s, "clusters-example", "example")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    migrate(&s, "clusters-example", "after-junk", &vmi);
    wait_for(60, "migration", || {
        let m = s.get(
            by_key("virtualmachineinstancemigrations.kubevirt.io"),
            Some("clusters-example"),
            "after-junk",
        )?;
        (m["status"]["phase"] == "Succeeded").then_some(())
    })
    .await;
    wait_for(60, "junk machineset still reconciled", || {
        let m = s.get(by_key(MS), Some("openshift-machine-api"), "junk")?;
        (m["status"]["replicas"] == 1).then_some(())
    })
    .await;
    h.shutdown();
}

/// Seeded root disks were imported over a few minutes (the Copies pane's ELAPSED), not instantly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_imports_took_minutes() {
    let h = start(opts(Profile::Hub, false)).await;
    let dvs = list(&h.store, "datavolumes.cdi.kubevirt.io", None);
    assert!(!dvs.is_empty());
    for dv in &dvs {
        let created = dv["metadata"]["creationTimestamp"].as_str().unwrap();
        let ready = cond(dv, "Ready").unwrap()["lastTransitionTime"]
            .as_str()
            .unwrap();
        let at = |t: &str| shiftdeck_sim::time::parse(t).unwrap();
        let secs = at(ready).duration_since(at(created)).as_secs();
        assert!((180..360).contains(&secs), "{secs}s for {dv}");
    }
    h.shutdown();
}
