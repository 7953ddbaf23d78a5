//! `--scale`: the scaled CSRs carry requests that name their own node, and churn keeps every
//! scaled kind moving (watchers see events within a bounded time at high `--speed`), the same
//! way for the same `--seed`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, WatchEvent, WatchParams,
};
use serde_json::Value;
use shiftdeck_sim::controllers::churn::{Churn, ChurnKind};
use shiftdeck_sim::pki;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::scenario::scale::{scale_node_ip, scale_node_name};
use shiftdeck_sim::store::Store;
use shiftdeck_sim::{Profile, SimHandle, SimOptions};

const BOOTSTRAPPER: &str =
    "system:serviceaccount:openshift-machine-config-operator:node-bootstrapper";
const CLIENT: &str = "kubernetes.io/kube-apiserver-client-kubelet";
const SERVING: &str = "kubernetes.io/kubelet-serving";

async fn start(profile: Profile, live: bool, speed: f64, seed: u64, scale: &str) -> SimHandle {
    shiftdeck_sim::start(SimOptions {
        profile,
        live,
        speed,
        seed,
        scale: scale.parse().expect("scale"),
        ..Default::default()
    })
    .await
    .expect("sim starts")
}

fn is_scaled_node(node: &str) -> bool {
    node.starts_with("x86-node-") || node.starts_with("arm64-node-")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_csrs_name_the_node_their_requestor_names() {
    let h = start(Profile::Microshift, false, 1.0, 11, "nodes=100,csrs=400").await;
    let c = h.client().await.expect("client");
    let csrs = Api::<CertificateSigningRequest>::all(c.clone())
        .list(&ListParams::default())
        .await
        .expect("list CSRs");
    let node_ips: BTreeMap<String, String> = h
        .store
        .list(by_key("nodes"), None)
        .0
        .iter()
        .filter_map(|n| {
            let name = n["metadata"]["name"].as_str()?.to_string();
            let ip = n["status"]["addresses"]
                .as_array()?
                .iter()
                .find(|a| a["type"] == "InternalIP")?["address"]
                .as_str()?
                .to_string();
            Some((name, ip))
        })
        .collect();
    let mut requests = BTreeSet::new();
    let mut per_node: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for csr in &csrs.items {
        let pem = std::str::from_utf8(&csr.spec.request.0).expect("PEM text");
        let req = pki::parse_csr_pem(pem).expect("a PKCS#10 request");
        let cn = req.common_name.clone().unwrap_or_default();
        let Some(node) = cn.strip_prefix("system:node:") else {
            continue;
        };
        if !is_scaled_node(node) {
            continue;
        }
        assert!(requests.insert(pem.to_string()), "request reused");
        assert_eq!(req.organizations, ["system:nodes"], "{cn}");
        let user = csr.spec.username.as_deref().unwrap_or_default();
        match csr.spec.signer_name.as_str() {
            CLIENT => {
                assert_eq!(user, BOOTSTRAPPER, "{cn}");
                assert!(req.dns_names.is_empty() && req.ip_addresses.is_empty());
            }
            SERVING => {
                // The serving CSR's requestor is the node itself: same name as the CN.
                assert_eq!(user, cn, "requestor and CN differ");
                assert_eq!(req.dns_names, [node.to_string()]);
                let i: usize = node
                    .rsplit('-')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("scaled node index");
                assert_eq!(scale_node_name(i), node);
                let ip: IpAddr = scale_node_ip(i).parse().expect("ip");
                assert_eq!(req.ip_addresses, [ip], "{cn}");
                if let Some(node_ip) = node_ips.get(node) {
                    assert_eq!(&ip.to_string(), node_ip, "SAN is not {node}'s address");
                }
            }
            other => panic!("unexpected signer {other}"),
        }
        if let Some(cert) = csr.status.as_ref().and_then(|s| s.certificate.as_ref()) {
            let cert_b64 = pki::b64(std::str::from_utf8(&cert.0).expect("PEM"));
            let issued = pki::parse_certificate(&cert_b64).expect("certificate");
            assert_eq!(issued.common_name.as_deref(), Some(cn.as_str()));
            assert_eq!(issued.ip_addresses, req.ip_addresses);
        }
        per_node
            .entry(node.to_string())
            .or_default()
            .push(csr.spec.signer_name.clone());
    }
    assert_eq!(requests.len(), 400);
    assert_eq!(per_node.len(), 200);
    for (node, mut signers) in per_node {
        signers.sort();
        assert_eq!(signers, [CLIENT, SERVING], "{node}");
    }
    h.shutdown();
}

fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// Watch `api` from now until `want` matches an event; panics after `secs`.
async fn expect_event(
    api: Api<DynamicObject>,
    what: &str,
    secs: u64,
    want: impl Fn(&str, &DynamicObject) -> bool,
) {
    let rv = api
        .list_metadata(&ListParams::default().limit(1))
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("list resourceVersion");
    let found = tokio::time::timeout(Duration::from_secs(secs), async {
        let mut rv = rv;
        loop {
            let stream = api
                .watch(&WatchParams::default().timeout(20), &rv)
                .await
                .expect("watch");
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                let (kind, obj) = match ev.expect("watch event") {
                    WatchEvent::Added(o) => ("ADDED", o),
                    WatchEvent::Modified(o) => ("MODIFIED", o),
                    WatchEvent::Deleted(o) => ("DELETED", o),
                    WatchEvent::Bookmark(b) => {
                        rv = b.metadata.resource_version;
                        continue;
                    }
                    WatchEvent::Error(e) => panic!("watch error {e:?}"),
                };
                if let Some(v) = obj.metadata.resource_version.clone() {
                    rv = v;
                }
                if want(kind, &obj) {
                    return;
                }
            }
        }
    })
    .await;
    assert!(found.is_ok(), "no churn event for {what} within {secs} s");
}

fn field<'a>(o: &'a DynamicObject, ptr: &str) -> Option<&'a Value> {
    o.data.pointer(ptr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_reaches_watchers_of_every_scaled_kind() {
    let h = start(
        Profile::Hub,
        true,
        1000.0,
        5,
        "csrs=100,hostedclusters=10,nodepools=30,datavolumes=100",
    )
    .await;
    let c = h.client().await.expect("client");
    let csrs = Api::<DynamicObject>::all_with(
        c.clone(),
        &ar(
            "certificates.k8s.io",
            "v1",
            "CertificateSigningRequest",
            "certificatesigningrequests",
        ),
    );
    let hcs = Api::<DynamicObject>::namespaced_with(
        c.clone(),
        "clusters-scale",
        &ar(
            "hypershift.openshift.io",
            "v1beta1",
            "HostedCluster",
            "hostedclusters",
        ),
    );
    let nps = Api::<DynamicObject>::namespaced_with(
        c.clone(),
        "clusters-scale",
        &ar(
            "hypershift.openshift.io",
            "v1beta1",
            "NodePool",
            "nodepools",
        ),
    );
    let dvs = Api::<DynamicObject>::namespaced_with(
        c.clone(),
        "scale-datavolumes",
        &ar("cdi.kubevirt.io", "v1beta1", "DataVolume", "datavolumes"),
    );
    let started = std::time::Instant::now();
    tokio::join!(
        // New pending kubelet CSRs for scaled nodes (not the hub's arriving ARM64 machines).
        expect_event(csrs, "CSRs", 30, |kind, o| {
            let node = field(o, "/spec/request")
                .and_then(Value::as_str)
                .and_then(pki::parse_request)
                .and_then(|p| p.common_name)
                .and_then(|cn| cn.strip_prefix("system:node:").map(str::to_string))
                .unwrap_or_default();
            kind == "ADDED" && is_scaled_node(&node) && field(o, "/status/conditions").is_none()
        }),
        // Scaled clusters start or finish upgrades.
        expect_event(hcs, "hosted clusters", 30, |kind, o| {
            kind == "MODIFIED"
                && o.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("hc-"))
                && field(o, "/status/version/history/0/state").is_some()
        }),
        // Scaled pools move their replicas.
        expect_event(nps, "node pools", 30, |kind, o| {
            kind == "MODIFIED" && field(o, "/status/replicas").is_some()
        }),
        // Imports progress.
        expect_event(dvs, "data volumes", 30, |kind, o| {
            kind == "MODIFIED" && field(o, "/status/progress").is_some()
        }),
    );
    eprintln!("every churned kind seen within {:?}", started.elapsed());
    h.shutdown();
}

/// What churn changed, without timestamps (which follow the wall clock).
fn fingerprint(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "certificatesigningrequests.certificates.k8s.io",
        "hostedclusters.hypershift.openshift.io",
        "nodepools.hypershift.openshift.io",
        "datavolumes.cdi.kubevirt.io",
    ] {
        for o in store.list(by_key(key), None).0 {
            let conds: Vec<String> = o["status"]["conditions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| format!("{}={}", c["type"], c["status"]))
                        .collect()
                })
                .unwrap_or_default();
            let cn = o["spec"]["request"]
                .as_str()
                .and_then(pki::parse_request)
                .and_then(|p| p.common_name)
                .unwrap_or_default();
            out.push(format!(
                "{key}/{}/{} {cn} {} {} {} {} {}",
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or(""),
                o["status"]["phase"],
                o["status"]["progress"],
                o["status"]["replicas"],
                o["status"]["version"]["history"][0]["state"],
                conds.join(",")
            ));
        }
    }
    out.sort();
    out
}

async fn churned(seed: u64) -> Vec<String> {
    let opts = SimOptions {
        profile: Profile::Hub,
        live: false,
        seed,
        scale: "csrs=50,hostedclusters=8,nodepools=20,datavolumes=60"
            .parse()
            .expect("scale"),
        ..Default::default()
    };
    let h = shiftdeck_sim::start(opts.clone()).await.expect("sim");
    let mut churn = Churn::new(&opts);
    for _ in 0..150 {
        for kind in [
            ChurnKind::Csrs,
            ChurnKind::HostedClusters,
            ChurnKind::NodePools,
            ChurnKind::DataVolumes,
        ] {
            assert!(churn.rate(kind) > 0.0, "{kind:?} not churned");
            churn.step(&h.store, kind);
        }
    }
    let fp = fingerprint(&h.store);
    h.shutdown();
    fp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_is_the_same_for_the_same_seed() {
    let a = churned(21).await;
    let b = churned(21).await;
    assert_eq!(a, b);
    let c = churned(22).await;
    assert_ne!(a, c);
}
