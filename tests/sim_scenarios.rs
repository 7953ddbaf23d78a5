//! Scenario and controller behaviour, driven through the store (no HTTP).
#![allow(dead_code, unused_imports)]

use std::time::{Duration, Instant};

use serde_json::Value;
use shiftdeck::sim::resources::by_key;
use shiftdeck::sim::store::Store;
use shiftdeck::sim::{Profile, Scale, SimHandle, SimOptions};

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
    shiftdeck::sim::start(o).await.expect("sim starts")
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
