//! `--scale nodes=N,csrs=N,hostedclusters=N,nodepools=N,datavolumes=N`: extra objects of
//! realistic size on top of a profile. Built from a few templates (one real CSR/certificate pair
//! per kind, one Node per architecture) and patched per object, so 5,000 nodes and 20,000 CSRs
//! seed in well under a second or two even in a debug build.

use std::time::Duration;

use serde_json::{Value, json};

use super::csrs::{self, CSR};
use super::hypershift::{self, HcPhase};
use super::kubevirt::{self, PoolInfo};
use super::objects::{self, NodeSpec, hash64, put, put_aged};
use crate::SimOptions;
use crate::error::ApiError;
use crate::pki::{self, CsrKind};
use crate::resources::by_key;
use crate::store::Store;

/// Namespace of the scaled DataVolumes (`vm-NNNNN-rhcos`).
pub const SCALE_DV_NS: &str = "scale-datavolumes";

pub fn scale_dv_name(i: usize) -> String {
    format!("vm-{i:05}-rhcos")
}

/// Every 4th scaled node is ARM64.
pub fn scale_node_is_arm(i: usize) -> bool {
    i % 4 == 3
}

pub fn scale_node_name(i: usize) -> String {
    if scale_node_is_arm(i) {
        format!("arm64-node-{i:05}")
    } else {
        format!("x86-node-{i:05}")
    }
}

fn served(opts: &SimOptions, key: &str) -> bool {
    by_key(key).served_in(opts.profile)
}

pub fn seed(store: &Store, opts: &SimOptions) -> Result<(), ApiError> {
    let sc = &opts.scale;
    if sc.nodes > 0 {
        seed_nodes(store, opts.seed, sc.nodes)?;
    }
    if sc.csrs > 0 {
        seed_csrs(store, opts.seed, sc.csrs)?;
    }
    let mut clusters = Vec::new();
    if sc.hostedclusters > 0 && served(opts, "hostedclusters.hypershift.openshift.io") {
        clusters = seed_hostedclusters(store, opts.seed, sc.hostedclusters)?;
    }
    if sc.nodepools > 0 && served(opts, "nodepools.hypershift.openshift.io") {
        seed_nodepools(store, opts.seed, sc.nodepools, &clusters)?;
    }
    if sc.datavolumes > 0 && served(opts, "datavolumes.cdi.kubevirt.io") {
        seed_datavolumes(store, opts.seed, sc.datavolumes)?;
    }
    Ok(())
}

fn seed_nodes(store: &Store, seed: u64, n: usize) -> Result<(), ApiError> {
    let ts = store.clock().ago_rfc3339(Duration::from_secs(40 * 86_400));
    let template = |arch: &'static str| {
        let mut s = NodeSpec::rhcos("template", arch, vec!["worker"], "10.0.0.1");
        s.cpu = 32;
        s.memory_gi = 128;
        let mut node = objects::node(&s, &ts);
        objects::set_heartbeats(&mut node, &store.clock().now_rfc3339());
        // Real nodes list a few dozen cached images: that is most of a node's 3-4 KB.
        if let Some(imgs) = node
            .pointer_mut("/status/images")
            .and_then(Value::as_array_mut)
        {
            for k in 0..8u64 {
                imgs.push(json!({"names": [format!("quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{}", objects::hex(k, arch, 64))], "sizeBytes": 400_000_000 + k * 7_777_777}));
            }
        }
        node
    };
    let amd = template("amd64");
    let arm = template("arm64");
    let nodes = by_key("nodes");
    for i in 0..n {
        let name = scale_node_name(i);
        let mut node = if scale_node_is_arm(i) {
            arm.clone()
        } else {
            amd.clone()
        };
        let h = hash64(seed, &name);
        let ip = scale_node_ip(i);
        node["metadata"]["name"] = json!(name);
        node["metadata"]["labels"]["kubernetes.io/hostname"] = json!(name);
        node["metadata"]["labels"]["topology.kubernetes.io/zone"] =
            json!(format!("zone-{}", h % 3));
        node["status"]["addresses"] =
            json!([{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]);
        node["status"]["nodeInfo"]["machineID"] =
            json!(format!("{h:016x}{:016x}", hash64(seed ^ 1, &name)));
        if h.is_multiple_of(50) {
            objects::set_node_ready(&mut node, false, &ts);
        }
        match store.create_backdated(nodes, node, &ts) {
            Ok(_) | Err(ApiError { code: 409, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The InternalIP of scaled node `i` (unique up to 12.5 million nodes).
pub fn scale_node_ip(i: usize) -> String {
    format!(
        "10.{}.{}.{}",
        20 + (i / 62_500) % 200,
        (i / 250) % 250,
        2 + i % 250
    )
}

/// Scaled CSR `i`: the node it is for and whether it is the client or the serving one (each
/// node posts a client CSR, then a serving one).
pub fn scale_csr_node(i: usize) -> (String, CsrKind) {
    let kind = if i.is_multiple_of(2) {
        CsrKind::Client
    } else {
        CsrKind::Serving
    };
    (scale_node_name(i / 2), kind)
}

/// Whether scaled CSR `i` is approved and issued (most), still pending or denied.
fn scale_csr_state(i: usize) -> &'static str {
    match i % 100 {
        0..=3 => "pending",
        4 => "denied",
        _ => "issued",
    }
}

/// `spec.request` and, when issued, `status.certificate` (both base64 PEM).
type CsrMaterial = (String, Option<String>);

/// `spec.request` (and `status.certificate` when issued) of scaled CSR `i`: a request of its
/// own whose subject names its node (and, for serving CSRs, the node's name and address as
/// SANs), signed with the shared bulk key; issued ones get a certificate from the sim CA.
fn scale_csr_material(i: usize) -> Result<CsrMaterial, String> {
    let (node, kind) = scale_csr_node(i);
    let ips: Vec<std::net::IpAddr> = match kind {
        CsrKind::Client => Vec::new(),
        CsrKind::Serving => vec![
            scale_node_ip(i / 2)
                .parse()
                .map_err(|e| format!("scale node ip: {e}"))?,
        ],
    };
    let pem = pki::bulk_node_csr_pem(&node, kind, std::slice::from_ref(&node), &ips)?;
    let request = pki::b64(&pem);
    let certificate = if scale_csr_state(i) == "issued" {
        let us: Vec<String> = objects::usages(kind)
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Some(pki::sign_request(&request, &us, None)?)
    } else {
        None
    };
    Ok((request, certificate))
}

/// Build every scaled CSR's key material, spread over the available cores (signing is the
/// expensive part of seeding 20,000 CSRs).
fn scale_csr_materials(n: usize) -> Result<Vec<CsrMaterial>, ApiError> {
    let workers = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = n.div_ceil(workers).max(1);
    let parts: Vec<Result<Vec<CsrMaterial>, String>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                sc.spawn(move || {
                    (start..(start + chunk).min(n))
                        .map(scale_csr_material)
                        .collect::<Result<Vec<_>, String>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("CSR material worker panicked".to_string()))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(n);
    for p in parts {
        out.extend(p.map_err(ApiError::internal)?);
    }
    Ok(out)
}

fn seed_csrs(store: &Store, seed: u64, n: usize) -> Result<(), ApiError> {
    let ip: std::net::IpAddr = "10.20.0.2".parse().map_err(|_| ApiError::internal("ip"))?;
    let client = csrs::issue("x86-node-00000", CsrKind::Client, &[])?;
    let serving = csrs::issue("x86-node-00000", CsrKind::Serving, &[ip])?;
    let csr = by_key(CSR);
    // One template per kind, patched per object: building JSON is the expensive part after the
    // key material, which is made up front on every core.
    let t_client =
        csrs::approved_object("template", "x86-node-00000", CsrKind::Client, &client, "");
    let t_serving =
        csrs::approved_object("template", "x86-node-00000", CsrKind::Serving, &serving, "");
    let materials = scale_csr_materials(n)?;
    let now = store.clock().now();
    for (i, (request, certificate)) in materials.into_iter().enumerate() {
        let (node, kind) = scale_csr_node(i);
        let secs = 60 + (hash64(seed, &format!("age/{i}")) % (30 * 86_400));
        let ts = crate::time::rfc3339_secs(crate::time::before(
            now,
            std::time::Duration::from_secs(secs),
        ));
        let name = csrs::csr_name(store, seed, &format!("scale/{i}"));
        let mut obj = if kind == CsrKind::Client {
            t_client.clone()
        } else {
            t_serving.clone()
        };
        obj["metadata"]["name"] = json!(name);
        obj["spec"]["request"] = json!(request);
        if kind == CsrKind::Serving {
            obj["spec"]["username"] = json!(format!("system:node:{node}"));
        }
        match scale_csr_state(i) {
            "pending" => obj["status"] = json!({}),
            "denied" => {
                obj["status"] = json!({"conditions": [{"type": "Denied", "status": "True", "reason": "KubectlDeny", "message": "This CSR was denied by kubectl certificate deny.", "lastUpdateTime": ts, "lastTransitionTime": ts}]});
            }
            _ => {
                obj["status"]["conditions"][0]["lastUpdateTime"] = json!(ts);
                obj["status"]["conditions"][0]["lastTransitionTime"] = json!(ts);
                obj["status"]["certificate"] = json!(certificate.unwrap_or_default());
            }
        }
        match store.create_backdated(csr, obj, &ts) {
            Ok(_) => {}
            Err(ApiError { code: 409, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn seed_hostedclusters(store: &Store, seed: u64, n: usize) -> Result<Vec<String>, ApiError> {
    put(
        store,
        "namespaces",
        objects::namespace("clusters-scale", json!({})),
    )?;
    let mut names = Vec::new();
    for i in 0..n {
        let name = scale_hc_name(i);
        let age = Duration::from_secs(3600 + hash64(seed, &name) % (60 * 86_400));
        let started = store.clock().ago_rfc3339(age);
        let mut hc = hypershift::hosted_cluster(seed, "clusters-scale", &name, None);
        let phase = if i % 10 == 9 {
            HcPhase::Partial
        } else {
            HcPhase::Completed
        };
        hypershift::set_hc_status(&mut hc, phase, &started, &started);
        put(
            store,
            "namespaces",
            objects::namespace(
                &hypershift::cp_namespace("clusters-scale", &name),
                json!({"hypershift.openshift.io/hosted-control-plane": "true"}),
            ),
        )?;
        // Scale clusters are status-only: no guest API is started for them.
        hc["metadata"]["labels"]["sim.shiftdeck.io/scale"] = json!("true");
        put_aged(store, "hostedclusters.hypershift.openshift.io", hc, age)?;
        names.push(name);
    }
    Ok(names)
}

/// The clusters scaled node pools belong to: the scaled hosted clusters when there are any,
/// otherwise `clusters/example`. Returns (namespace, cluster names).
pub fn scale_pool_clusters(hostedclusters: usize) -> (&'static str, Vec<String>) {
    if hostedclusters == 0 {
        ("clusters", vec!["example".to_string()])
    } else {
        (
            "clusters-scale",
            (0..hostedclusters).map(scale_hc_name).collect(),
        )
    }
}

pub fn scale_hc_name(i: usize) -> String {
    format!("hc-{i:04}")
}

/// Namespace-less name of scaled node pool `i` over `clusters` (`scale_pool_clusters`).
/// Scaled node pool `i` over `clusters` (`scale_pool_clusters`): (cluster, pool name).
pub fn scale_nodepool(i: usize, clusters: &[String]) -> (&str, String) {
    let cluster = clusters
        .get(i % clusters.len().max(1))
        .map_or("example", String::as_str);
    (cluster, format!("{cluster}-np-{i:04}"))
}

/// The first `n` machine names of scaled pool `name`.
pub fn scale_pool_machines(seed: u64, name: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|k| {
            format!(
                "{name}-{}",
                objects::suffix(seed, &format!("{name}/{k}"), 5)
            )
        })
        .collect()
}

fn seed_nodepools(store: &Store, seed: u64, n: usize, clusters: &[String]) -> Result<(), ApiError> {
    let (ns, clusters) = scale_pool_clusters(clusters.len());
    if store.get(by_key("namespaces"), None, ns).is_none() {
        put(store, "namespaces", objects::namespace(ns, json!({})))?;
    }
    for i in 0..n {
        let (cluster, name) = scale_nodepool(i, &clusters);
        let (sc, mode) = if i % 3 == 2 {
            ("lvms-vg1", "ReadWriteOnce")
        } else {
            ("ocs-storagecluster-ceph-rbd", "ReadWriteMany")
        };
        let replicas = (hash64(seed, &name) % 4) as i64;
        let mut np = hypershift::node_pool(ns, &name, cluster, replicas, sc, mode, 4, "16Gi");
        // Scale pools are status-only: their machines are not simulated, so autoscaling-style
        // status is reported and the NodePool controller leaves them alone.
        np["spec"]["autoScaling"] = json!({"min": replicas.max(1), "max": replicas.max(1) + 2});
        np["spec"].as_object_mut().map(|m| m.remove("replicas"));
        let pool = PoolInfo::from_objects(&np, None);
        let vms = scale_pool_machines(seed, &name, replicas.max(0) as usize);
        let ts = store.clock().ago_rfc3339(Duration::from_secs(86_400));
        hypershift::set_np_status(&mut np, &pool, &vms, vms.len(), &ts);
        put(store, "nodepools.hypershift.openshift.io", np)?;
    }
    Ok(())
}

fn seed_datavolumes(store: &Store, seed: u64, n: usize) -> Result<(), ApiError> {
    let ns = SCALE_DV_NS;
    put(store, "namespaces", objects::namespace(ns, json!({})))?;
    let np = hypershift::node_pool(
        ns,
        "scale",
        "scale",
        0,
        "ocs-storagecluster-ceph-rbd",
        "ReadWriteMany",
        2,
        "8Gi",
    );
    let mut pool = PoolInfo::from_objects(&np, None);
    pool.cp_namespace = ns.to_string();
    let ts = store.clock().ago_rfc3339(Duration::from_secs(3600));
    for i in 0..n {
        let vm = format!("vm-{i:05}");
        let h = hash64(seed, &vm);
        let (phase, progress) = match h % 10 {
            0 => ("ImportScheduled", "N/A".to_string()),
            1 | 2 => (
                "ImportInProgress",
                format!("{:.2}%", (h % 10_000) as f64 / 100.0),
            ),
            3 => ("Failed", "N/A".to_string()),
            _ => ("Succeeded", "100.0%".to_string()),
        };
        put(
            store,
            "datavolumes.cdi.kubevirt.io",
            kubevirt::data_volume(&pool, &vm, phase, &progress, &ts),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_node_names_mix_arches() {
        assert_eq!(scale_node_name(0), "x86-node-00000");
        assert_eq!(scale_node_name(3), "arm64-node-00003");
        let arm = (0..1000).filter(|i| scale_node_is_arm(*i)).count();
        assert_eq!(arm, 250);
    }
}
