//! Sim server benchmark: LIST latency over HTTPS (the kube-rs client trusting the sim CA) with
//! 5,000 realistic nodes, and watch fan-out to 10 concurrent watchers. Run with
//! `cargo bench --bench sim`; prints a plain summary.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{SimOptions, SimUser};

const NODES: usize = 5_000;
const LISTS: usize = 40;
const WATCHERS: usize = 10;
const MODIFICATIONS: usize = 20_000;

fn node(i: usize) -> Value {
    let name = format!("worker-{i:05}.hub.example.com");
    let arch = if i.is_multiple_of(3) {
        "arm64"
    } else {
        "amd64"
    };
    let zone = format!("zone-{}", i % 3);
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": arch, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/worker": "", "node.openshift.io/os_id": "rhcos",
                "topology.kubernetes.io/region": "eu-west", "topology.kubernetes.io/zone": zone,
                "hypershift.openshift.io/nodePool": format!("np-{}", i % 20)
            },
            "annotations": {
                "machine.openshift.io/machine": format!("openshift-machine-api/hub-{i:05}"),
                "machineconfiguration.openshift.io/currentConfig": "rendered-worker-4b1c1f0f1d6e2e8f3a9b7c5d2e1f0a9b",
                "machineconfiguration.openshift.io/desiredConfig": "rendered-worker-4b1c1f0f1d6e2e8f3a9b7c5d2e1f0a9b",
                "machineconfiguration.openshift.io/state": "Done",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                "k8s.ovn.org/node-subnets": "{\"default\":[\"10.128.4.0/23\"]}"
            }
        },
        "spec": {"providerID": format!("kubevirt://clusters-hc1/{name}"), "podCIDR": "10.128.4.0/23"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": format!("10.0.{}.{}", i / 250, i % 250)}, {"type": "Hostname", "address": name}],
            "allocatable": {"cpu": "15500m", "ephemeral-storage": "115470533646", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "63418208Ki", "pods": "250"},
            "capacity": {"cpu": "16", "ephemeral-storage": "125293548Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "65617760Ki", "pods": "250"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                {"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [
                {"names": ["quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:1f6e3b7c9d2a4e5f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f"], "sizeBytes": 1_234_567_890},
                {"names": ["quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:2a7f4c8d0e3b5f6a9b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d9e1f3a"], "sizeBytes": 567_890_123},
                {"names": ["quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:3b8e5d9f1a4c6e7b0c3d5f7a9b1c2e4f6a8b0d2e4f6a8c0e2b4d6f8a0c2e4b6d", "registry.redhat.io/openshift4/ose-kube-rbac-proxy:v4.19"], "sizeBytes": 456_789_012}
            ],
            "nodeInfo": {"architecture": arch, "bootID": "6f1c9a0e-3b2d-4c5e-8f7a-1b2c3d4e5f60", "containerRuntimeVersion": "cri-o://1.31.5-3.rhaos4.18.git1234567.el9",
                "kernelVersion": "5.14.0-427.50.1.el9_4.x86_64", "kubeProxyVersion": "", "kubeletVersion": "v1.31.6", "machineID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "operatingSystem": "linux", "osImage": "Red Hat Enterprise Linux CoreOS 419.94.202505151234-0", "systemUUID": "6f1c9a0e-3b2d-4c5e-8f7a-1b2c3d4e5f60"}
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn get_bytes(client: &kube::Client, uri: &str) -> Bytes {
    let req = hyper::Request::get(uri)
        .body(kube::client::Body::empty())
        .expect("request");
    let resp = client.send(req).await.expect("response");
    assert!(resp.status().is_success(), "{uri}: {}", resp.status());
    resp.into_body().collect().await.expect("body").to_bytes()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let opts = SimOptions {
        live: false,
        user: SimUser::Admin,
        ..Default::default()
    };
    let sim = shiftdeck_sim::start(opts).await.expect("sim starts");
    let res = by_key("nodes");
    for i in 0..NODES {
        sim.store.create(res, node(i), false).expect("seed node");
    }
    let client = sim.client().await.expect("client");

    // LIST of all nodes.
    let body = get_bytes(&client, "/api/v1/nodes").await;
    let bytes_per_list = body.len();
    let mut times = Vec::with_capacity(LISTS);
    for _ in 0..LISTS {
        let t = Instant::now();
        let body = get_bytes(&client, "/api/v1/nodes").await;
        times.push(t.elapsed());
        assert_eq!(body.len(), bytes_per_list);
    }
    times.sort();
    let p50 = percentile(&times, 0.5);
    let p95 = percentile(&times, 0.95);

    // Watch fan-out: 10 watchers from now, then MODIFICATIONS changes.
    let rv = sim.store.current_rv();
    let watchers = spawn_watchers(&client, rv).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let store = sim.store.clone();
    let start = Instant::now();
    let writer = tokio::task::spawn_blocking(move || {
        for i in 0..MODIFICATIONS {
            let name = format!("worker-{:05}.hub.example.com", i % NODES);
            store
                .mutate(res, None, &name, false, |o| {
                    o["metadata"]["labels"]["bench/round"] = json!(i.to_string());
                    Ok(())
                })
                .expect("modify");
        }
        Instant::now()
    });
    let writes_done = writer.await.expect("writer");
    let mut last = start;
    let mut total = 0;
    for w in watchers {
        let (events, at) = w.await.expect("watcher");
        total += events;
        last = last.max(at);
    }
    let elapsed = last - start;
    let write_secs = (writes_done - start).as_secs_f64();
    println!(
        "sim benchmark ({NODES} nodes, {:.1} KiB per node)",
        bytes_per_list as f64 / NODES as f64 / 1024.0
    );
    println!(
        "  LIST /api/v1/nodes ({:.1} MiB): p50 {:.1} ms, p95 {:.1} ms over {LISTS} requests",
        bytes_per_list as f64 / 1024.0 / 1024.0,
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
    println!(
        "  watch fan-out: {MODIFICATIONS} modifications to {WATCHERS} watchers, {total} events delivered in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "    = {:.0} events/s per watcher, {:.0} events/s in total (store wrote {:.0} changes/s)",
        MODIFICATIONS as f64 / elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        MODIFICATIONS as f64 / write_secs
    );
    // Replay: 10 new watchers resume from before the burst and get it all from history, so
    // the rate is the server's delivery rate, not the writer's.
    let start = Instant::now();
    let watchers = spawn_watchers(&client, rv).await;
    let mut last = start;
    let mut total = 0;
    for w in watchers {
        let (events, at) = w.await.expect("watcher");
        total += events;
        last = last.max(at);
    }
    let elapsed = last - start;
    println!(
        "  watch replay: {WATCHERS} watchers resuming {MODIFICATIONS} events from history, {total} delivered in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "    = {:.0} events/s per watcher, {:.0} events/s in total",
        MODIFICATIONS as f64 / elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    sim.shutdown();
}

/// WATCHERS raw watch streams from `rv`, each counting events until it has MODIFICATIONS.
async fn spawn_watchers(
    client: &kube::Client,
    rv: u64,
) -> Vec<tokio::task::JoinHandle<(usize, Instant)>> {
    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let uri = format!("/api/v1/nodes?watch=true&resourceVersion={rv}&timeoutSeconds=600");
        let req = hyper::Request::get(uri)
            .body(kube::client::Body::empty())
            .expect("request");
        let resp = client.send(req).await.expect("watch");
        let mut body = resp.into_body();
        watchers.push(tokio::spawn(async move {
            let mut events = 0usize;
            while events < MODIFICATIONS {
                match body.frame().await {
                    Some(Ok(f)) => {
                        if let Some(d) = f.data_ref() {
                            events += d.iter().filter(|b| **b == b'\n').count();
                        }
                    }
                    _ => break,
                }
            }
            (events, Instant::now())
        }));
    }
    watchers
}
