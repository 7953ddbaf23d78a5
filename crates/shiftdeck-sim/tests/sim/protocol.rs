//! The sim's HTTP API against the real kube-rs client: discovery, verbs, selectors, pagination,
//! patches, server-side apply, subresources, watches, reflectors under every fault, auth and
//! error statuses.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::sim_support::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use kube::ResourceExt;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::json;
use shiftdeck_sim::resources::by_key;
use shiftdeck_sim::{ADMIN_TOKEN, SimUser};

fn code(e: &kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

fn nodepools(c: kube::Client) -> Api<DynamicObject> {
    Api::namespaced_with(
        c,
        NS,
        &ar(
            "hypershift.openshift.io",
            "v1beta1",
            "NodePool",
            "nodepools",
        ),
    )
}

fn machinesets(c: kube::Client) -> Api<DynamicObject> {
    Api::namespaced_with(
        c,
        MAPI,
        &ar(
            "machine.openshift.io",
            "v1beta1",
            "MachineSet",
            "machinesets",
        ),
    )
}

fn hostedclusters(c: kube::Client) -> Api<DynamicObject> {
    Api::namespaced_with(
        c,
        NS,
        &ar(
            "hypershift.openshift.io",
            "v1beta1",
            "HostedCluster",
            "hostedclusters",
        ),
    )
}

async fn admin() -> (shiftdeck_sim::SimHandle, kube::Client) {
    let h = start_sim("", SimUser::Admin).await;
    seed(&h);
    let c = h.client().await.expect("client");
    (h, c)
}

#[tokio::test]
async fn discovery_finds_fleet_kinds() {
    let (h, c) = admin().await;
    let d = kube::discovery::Discovery::new(c)
        .run()
        .await
        .expect("discovery");
    let (res, caps) = d
        .resolve_gvk(&GroupVersionKind::gvk(
            "hypershift.openshift.io",
            "v1beta1",
            "NodePool",
        ))
        .expect("nodepools discovered");
    assert_eq!(res.plural, "nodepools");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    assert!(d.has_group("machine.openshift.io"));
    assert!(d.has_group("certificates.k8s.io"));
    // HyperShift's node-pool machines: Cluster API Machines, namespaced, with their short name.
    let (res, caps) = d
        .resolve_gvk(&GroupVersionKind::gvk(
            "cluster.x-k8s.io",
            "v1beta1",
            "Machine",
        ))
        .expect("Cluster API machines discovered");
    assert_eq!(res.plural, "machines");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    // Subresource entries as kubectl needs them.
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let bearer = ("Authorization", auth.as_str());
    let (code, doc) = raw(
        h.addr,
        "GET",
        "/apis/hypershift.openshift.io/v1beta1",
        &[bearer],
        b"",
    )
    .await;
    assert_eq!(code, 200);
    let scale = doc["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == "nodepools/scale")
        .expect("nodepools/scale listed");
    assert_eq!(
        (scale["group"].clone(), scale["kind"].clone()),
        (json!("autoscaling"), json!("Scale"))
    );
    let (_, core) = raw(
        h.addr,
        "GET",
        "/apis/certificates.k8s.io/v1",
        &[bearer],
        b"",
    )
    .await;
    assert!(
        core["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["name"] == "certificatesigningrequests/approval")
    );
    let (code, v) = raw(h.addr, "GET", "/version", &[], b"").await;
    assert_eq!(code, 200);
    assert!(
        v["gitVersion"]
            .as_str()
            .is_some_and(|g| g.starts_with("v1.31"))
    );
    let (code, v) = raw(h.addr, "GET", "/healthz", &[], b"").await;
    assert_eq!((code, v), (200, json!("ok")));
    // Aggregated discovery is not served: the plain list comes back as JSON.
    let (code, v) = raw(
        h.addr,
        "GET",
        "/apis",
        &[
            bearer,
            (
                "Accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
            ),
        ],
        b"",
    )
    .await;
    assert_eq!((code, v["kind"].clone()), (200, json!("APIGroupList")));
    h.shutdown();
}

#[tokio::test]
async fn lists_with_selectors_and_pages() {
    let (h, c) = admin().await;
    for i in 6..40 {
        put(&h, "nodes", node(&format!("worker-{i}"), "arm64", true));
    }
    let nodes: Api<Node> = Api::all(c.clone());
    let names = |l: &kube::api::ObjectList<Node>| -> Vec<String> {
        l.items
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .collect()
    };
    let arm = nodes
        .list(&ListParams::default().labels("kubernetes.io/arch=arm64"))
        .await
        .expect("list");
    assert_eq!(arm.items.len(), 3 + 34);
    let amd = nodes
        .list(&ListParams::default().labels("kubernetes.io/arch==amd64"))
        .await
        .expect("list");
    assert_eq!(names(&amd), vec!["worker-0", "worker-2", "worker-4"]);
    let not_arm = nodes
        .list(&ListParams::default().labels("kubernetes.io/arch!=arm64"))
        .await
        .expect("list");
    assert_eq!(not_arm.items.len(), 3);
    let set = nodes
        .list(&ListParams::default().labels("kubernetes.io/arch in (amd64,s390x),kubernetes.io/os"))
        .await
        .expect("list");
    assert_eq!(set.items.len(), 3);
    let notin = nodes
        .list(&ListParams::default().labels("kubernetes.io/arch notin (amd64),!missing-label"))
        .await
        .expect("list");
    assert_eq!(notin.items.len(), 37);
    let one = nodes
        .list(&ListParams::default().fields("metadata.name=worker-3"))
        .await
        .expect("list");
    assert_eq!(names(&one), vec!["worker-3"]);
    let csrs: Api<CertificateSigningRequest> = Api::all(c.clone());
    let signed = csrs
        .list(
            &ListParams::default()
                .fields("spec.signerName=kubernetes.io/kube-apiserver-client-kubelet"),
        )
        .await
        .expect("list");
    assert_eq!(signed.items.len(), 3);
    let bad = nodes
        .list(&ListParams::default().fields("spec.bogus=x"))
        .await
        .expect_err("bad field");
    assert_eq!(code(&bad), 400);

    // Pagination: pages of 7 add up to the whole, in order, without duplicates.
    let mut seen = Vec::new();
    let mut lp = ListParams::default().limit(7);
    loop {
        let page = nodes.list(&lp).await.expect("page");
        assert!(page.items.len() <= 7);
        seen.extend(names(&page));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => lp = lp.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(seen.len(), 40);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 40);
    let bad = nodes
        .list(&ListParams::default().continue_token("garbage!"))
        .await
        .expect_err("bad token");
    assert_eq!(code(&bad), 400);
    h.shutdown();
}

#[tokio::test]
async fn get_create_dry_run_generate_name_and_conflicts() {
    let (h, c) = admin().await;
    let nodes: Api<Node> = Api::all(c.clone());
    assert_eq!(code(&nodes.get("nope").await.expect_err("404")), 404);
    let n: Node = serde_json::from_value(node("new-node", "arm64", true)).expect("node");
    let created = nodes
        .create(&PostParams::default(), &n)
        .await
        .expect("create");
    assert!(created.metadata.uid.is_some());
    assert_eq!(
        code(
            &nodes
                .create(&PostParams::default(), &n)
                .await
                .expect_err("exists")
        ),
        409
    );

    let mut dry: Node = serde_json::from_value(node("dry-node", "arm64", true)).expect("node");
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    nodes.create(&pp, &dry).await.expect("dry run create");
    assert_eq!(
        code(&nodes.get("dry-node").await.expect_err("not stored")),
        404
    );

    dry.metadata.name = None;
    dry.metadata.generate_name = Some("gen-".into());
    let generated = nodes
        .create(&PostParams::default(), &dry)
        .await
        .expect("generateName");
    let name = generated.metadata.name.expect("named");
    assert!(name.starts_with("gen-") && name.len() > 4, "{name}");

    // A stale resourceVersion is a 409 Conflict; the current one works.
    let mut fresh = nodes.get("worker-1").await.expect("get");
    let stale_rv = fresh.metadata.resource_version.clone();
    fresh
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert("a".into(), "1".into());
    let updated = nodes
        .replace("worker-1", &PostParams::default(), &fresh)
        .await
        .expect("replace");
    assert_ne!(updated.metadata.resource_version, stale_rv);
    fresh
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert("a".into(), "2".into());
    assert_eq!(
        code(
            &nodes
                .replace("worker-1", &PostParams::default(), &fresh)
                .await
                .expect_err("stale")
        ),
        409
    );

    let hcs = hostedclusters(c.clone());
    let bad: DynamicObject = serde_json::from_value(json!({"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "HostedCluster",
        "metadata": {"name": "no-release", "namespace": NS}, "spec": {"platform": {"type": "KubeVirt"}}})).expect("obj");
    let e = hcs
        .create(&PostParams::default(), &bad)
        .await
        .expect_err("invalid");
    assert_eq!(code(&e), 422);
    // As the real CRD: release, pullSecret and services are required.
    assert!(
        format!("{e}").contains("spec.release: Required value"),
        "{e}"
    );
    let nps = nodepools(c.clone());
    let mut np = nodepool("np-no-cluster", Some(1));
    np["spec"].as_object_mut().map(|s| s.remove("clusterName"));
    let e = nps
        .create(
            &PostParams::default(),
            &serde_json::from_value(np).expect("obj"),
        )
        .await
        .expect_err("invalid");
    assert_eq!(code(&e), 422);

    let deleted = nodes
        .delete("new-node", &DeleteParams::default())
        .await
        .expect("delete");
    assert!(deleted.is_left());
    assert_eq!(code(&nodes.get("new-node").await.expect_err("gone")), 404);
    h.shutdown();
}

#[tokio::test]
async fn merge_json_strategic_patches_and_server_side_apply() {
    let (h, c) = admin().await;
    let nodes: Api<Node> = Api::all(c.clone());
    let pp = PatchParams::default();
    let n = nodes
        .patch(
            "worker-0",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"team": "fleet"}}})),
        )
        .await
        .expect("merge");
    assert_eq!(
        n.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("team"))
            .map(String::as_str),
        Some("fleet")
    );
    let jp: json_patch::Patch = serde_json::from_value(
        json!([{"op": "add", "path": "/spec/unschedulable", "value": true}]),
    )
    .expect("patch");
    let n = nodes
        .patch("worker-0", &pp, &Patch::<()>::Json(jp))
        .await
        .expect("json patch");
    assert_eq!(n.spec.and_then(|s| s.unschedulable), Some(true));
    // Strategic: Node taints have no patch strategy, so the list is replaced; conditions (via
    // status) merge by type.
    nodes
        .patch(
            "worker-0",
            &pp,
            &Patch::Strategic(json!({"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}})),
        )
        .await
        .expect("smp");
    let n = nodes
        .patch(
            "worker-0",
            &pp,
            &Patch::Strategic(json!({"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]}})),
        )
        .await
        .expect("smp");
    let taints = n.spec.and_then(|s| s.taints).unwrap_or_default();
    assert_eq!(
        taints.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        ["b"],
        "replaced, not merged by key"
    );
    let n = nodes.patch_status("worker-0", &pp, &Patch::Strategic(json!({"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletDown"}]}}))).await.expect("status smp");
    let conds = n.status.and_then(|s| s.conditions).unwrap_or_default();
    assert_eq!(conds.len(), 2, "merged by type");
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "False")
    );
    // Main-resource writes leave status alone.
    let n = nodes
        .patch(
            "worker-0",
            &pp,
            &Patch::Merge(json!({"status": {"conditions": []}})),
        )
        .await
        .expect("merge");
    assert_eq!(
        n.status.and_then(|s| s.conditions).map(|c| c.len()),
        Some(2)
    );

    // Server-side apply creates, then merges.
    let nps = nodepools(c.clone());
    let ssa = PatchParams::apply("shiftdeck-test").force();
    let mut np = nodepool("np-applied", Some(1));
    np.as_object_mut().map(|o| o.remove("status"));
    let created = nps
        .patch("np-applied", &ssa, &Patch::Apply(np.clone()))
        .await
        .expect("apply create");
    assert_eq!(created.data["spec"]["replicas"], json!(1));
    np["spec"]["replicas"] = json!(3);
    np["metadata"]["labels"] = json!({"applied": "yes"});
    let applied = nps
        .patch("np-applied", &ssa, &Patch::Apply(np))
        .await
        .expect("apply update");
    assert_eq!(applied.data["spec"]["replicas"], json!(3));
    assert_eq!(applied.data["spec"]["clusterName"], json!("hc1"));
    assert_eq!(
        applied.labels().get("applied").map(String::as_str),
        Some("yes")
    );
    let no_manager = nps
        .patch(
            "np-applied",
            &PatchParams::default(),
            &Patch::Apply(
                json!({"apiVersion": "hypershift.openshift.io/v1beta1", "kind": "NodePool"}),
            ),
        )
        .await;
    assert_eq!(code(&no_manager.expect_err("fieldManager required")), 422);
    assert_eq!(
        code(
            &nodes
                .patch("nope", &pp, &Patch::Merge(json!({})))
                .await
                .expect_err("404")
        ),
        404
    );
    h.shutdown();
}

#[tokio::test]
async fn scale_and_approval_subresources() {
    let (h, c) = admin().await;
    let nps = nodepools(c.clone());
    let scale = nps.get_scale("np-fixed").await.expect("get scale");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    let pp = PatchParams::default();
    let s = nps
        .patch_scale(
            "np-fixed",
            &pp,
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect("scale");
    assert_eq!(s.spec.and_then(|s| s.replicas), Some(4));
    assert_eq!(
        nps.get("np-fixed").await.expect("get").data["spec"]["replicas"],
        json!(4)
    );
    let e = nps
        .patch_scale(
            "np-auto",
            &pp,
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect_err("autoscaled");
    assert_eq!(code(&e), 422);
    assert!(format!("{e}").contains("autoScaling"), "{e}");

    let mss = machinesets(c.clone());
    let s = mss
        .patch_scale(
            "ms-arm64",
            &pp,
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .expect("scale ms");
    assert_eq!(s.spec.and_then(|s| s.replicas), Some(3));
    assert_eq!(
        s.status.map(|s| s.selector),
        Some(Some(
            "machine.openshift.io/cluster-api-machineset=ms-arm64".to_string()
        ))
    );
    assert_eq!(
        mss.get("ms-arm64").await.expect("get").data["spec"]["replicas"],
        json!(3)
    );

    let csrs: Api<CertificateSigningRequest> = Api::all(c.clone());
    let approve = json!({"status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Test", "message": "ok"}]}});
    let approved = csrs
        .patch_approval("csr-0", &pp, &Patch::Merge(approve))
        .await
        .expect("approve");
    let conds = approved
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default();
    assert_eq!(
        conds.iter().map(|c| c.type_.as_str()).collect::<Vec<_>>(),
        vec!["Approved"]
    );
    // Approval ignores everything but the decision conditions.
    let sneaky = json!({"spec": {"signerName": "evil"}, "status": {"certificate": "Zm9v", "conditions": [{"type": "Denied", "status": "True"}]}});
    let denied = csrs
        .patch_approval("csr-1", &pp, &Patch::Merge(sneaky))
        .await
        .expect("deny");
    assert_eq!(
        denied.spec.signer_name,
        "kubernetes.io/kube-apiserver-client-kubelet"
    );
    assert!(
        denied
            .status
            .as_ref()
            .and_then(|s| s.certificate.as_ref())
            .is_none()
    );
    let both = json!({"status": {"conditions": [{"type": "Approved", "status": "True"}, {"type": "Denied", "status": "True"}]}});
    assert_eq!(
        code(
            &csrs
                .patch_approval("csr-2", &pp, &Patch::Merge(both))
                .await
                .expect_err("both")
        ),
        422
    );
    // PUT /approval, as `kubectl certificate approve` does.
    let mut cur = csrs.get("csr-2").await.expect("get");
    let st = cur.status.get_or_insert_with(Default::default);
    st.conditions.get_or_insert_with(Vec::new).push(
        serde_json::from_value(
            json!({"type": "Approved", "status": "True", "reason": "KubectlApprove"}),
        )
        .expect("cond"),
    );
    let replaced = csrs
        .replace_subresource("approval", "csr-2", &PostParams::default(), &cur)
        .await
        .expect("put approval");
    assert!(
        replaced
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Approved")
    );
    h.shutdown();
}

#[tokio::test]
async fn watch_streams_changes() {
    let (h, c) = admin().await;
    let nodes: Api<Node> = Api::all(c.clone());
    let mut stream = nodes
        .watch(
            &WatchParams::default().labels("kubernetes.io/arch=arm64"),
            "0",
        )
        .await
        .expect("watch")
        .boxed();
    let mut added = 0;
    while added < 3 {
        match tokio::time::timeout(Duration::from_secs(30), stream.try_next()).await {
            Ok(Ok(Some(WatchEvent::Added(_)))) => added += 1,
            other => panic!("expected the initial ADDED events, got {other:?}"),
        }
    }
    put(&h, "nodes", node("late-arm", "arm64", true));
    put(&h, "nodes", node("late-amd", "amd64", true));
    h.store
        .mutate_retry(by_key("nodes"), None, "late-arm", false, |o| {
            o["metadata"]["labels"]["x"] = json!("y");
            Ok(())
        })
        .expect("mutate");
    // Leaving the selection reads as DELETED.
    h.store
        .mutate_retry(by_key("nodes"), None, "worker-1", false, |o| {
            o["metadata"]["labels"]["kubernetes.io/arch"] = json!("amd64");
            Ok(())
        })
        .expect("mutate");
    let mut got = Vec::new();
    while got.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(30), stream.try_next())
            .await
            .expect("event in time")
            .expect("ok")
            .expect("open");
        match ev {
            WatchEvent::Added(n) => {
                got.push(format!("ADDED {}", n.metadata.name.unwrap_or_default()))
            }
            WatchEvent::Modified(n) => {
                got.push(format!("MODIFIED {}", n.metadata.name.unwrap_or_default()))
            }
            WatchEvent::Deleted(n) => {
                got.push(format!("DELETED {}", n.metadata.name.unwrap_or_default()))
            }
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("watch error {e:?}"),
        }
    }
    assert_eq!(
        got,
        vec!["ADDED late-arm", "MODIFIED late-arm", "DELETED worker-1"]
    );

    // Resuming from an rv that history no longer has: HTTP 200 and an ERROR event with 410.
    let rv = h.store.current_rv();
    h.store.expire_history();
    put(&h, "nodes", node("after-expiry", "arm64", true));
    let mut s = nodes
        .watch(&WatchParams::default(), &(rv - 1).to_string())
        .await
        .expect("watch")
        .boxed();
    match tokio::time::timeout(Duration::from_secs(30), s.try_next()).await {
        Ok(Ok(Some(WatchEvent::Error(e)))) => {
            assert_eq!((e.code, e.reason.as_str()), (410, "Expired"))
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
    // Bookmarks and timeoutSeconds.
    let wp = WatchParams::default().timeout(8);
    let mut s = nodes
        .watch(&wp, &h.store.current_rv().to_string())
        .await
        .expect("watch")
        .boxed();
    let mut bookmarks = 0;
    let ended = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(ev)) = s.try_next().await {
            if let WatchEvent::Bookmark(b) = ev {
                assert!(!b.metadata.resource_version.is_empty());
                bookmarks += 1;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the watch ends after timeoutSeconds");
    assert!(bookmarks >= 1);
    h.shutdown();
}

/// A reflector over nodes ends complete and correct while `faults` are injected.
async fn reflector_converges(faults: &str, streaming: bool) {
    let h = start_sim(faults, SimUser::Admin).await;
    for i in 0..30 {
        put(&h, "nodes", node(&format!("n-{i}"), "arm64", true));
    }
    let c = h.client().await.expect("client");
    let api: Api<Node> = Api::all(c);
    let (reader, writer) = reflector::store::<Node>();
    let cfg = if streaming {
        watcher::Config::default().streaming_lists()
    } else {
        watcher::Config::default()
    };
    let stream = reflector(writer, watcher(api, cfg).default_backoff()).applied_objects();
    let task = tokio::spawn(stream.for_each(|_| async {}));
    let store = h.store.clone();
    let res = by_key("nodes");
    // Changes spread over a few fault periods: modify, create, delete.
    for round in 0..25 {
        for i in 0..3 {
            let name = format!("n-{}", (round * 3 + i) % 30);
            let _ = store.mutate_retry(res, None, &name, false, |o| {
                o["metadata"]["labels"]["round"] = json!(round.to_string());
                Ok(())
            });
        }
        put(&h, "nodes", node(&format!("extra-{round}"), "amd64", true));
        if round % 3 == 0 {
            let _ = store.delete(res, None, &format!("extra-{round}"), false);
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let want = || -> BTreeMap<String, String> {
        store
            .list(res, None)
            .0
            .iter()
            .map(|o| {
                (
                    o["metadata"]["name"].as_str().unwrap_or("").to_string(),
                    o["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    let have = || -> BTreeMap<String, String> {
        reader
            .state()
            .iter()
            .map(|n| {
                (
                    n.metadata.name.clone().unwrap_or_default(),
                    n.metadata.resource_version.clone().unwrap_or_default(),
                )
            })
            .collect()
    };
    let ok = eventually(180, || want() == have()).await;
    assert!(
        ok,
        "faults {faults}: reflector diverged: want {} objects, have {}",
        want().len(),
        have().len()
    );
    task.abort();
    h.shutdown();
}

#[tokio::test]
async fn reflector_survives_watch_drops() {
    reflector_converges("watch-drop=700ms", false).await;
}

#[tokio::test]
async fn reflector_relists_after_expired_watches() {
    reflector_converges("expire-watches=1s,watch-drop=1500ms", false).await;
}

#[tokio::test]
async fn reflector_survives_error_rate() {
    reflector_converges("error-rate=0.3", false).await;
}

#[tokio::test]
async fn reflector_survives_latency() {
    reflector_converges("latency=150ms", true).await;
}

#[tokio::test]
async fn reflector_survives_restarts() {
    reflector_converges("restart=2s", false).await;
}

#[tokio::test]
async fn reflector_with_streaming_lists_survives_drops() {
    reflector_converges("watch-drop=1s", true).await;
}

#[tokio::test]
async fn forbidden_resource_reports_403_to_the_watcher() {
    let h = start_sim("forbid=nodes", SimUser::Admin).await;
    seed(&h);
    let c = h.client().await.expect("client");
    let api: Api<Node> = Api::all(c.clone());
    let mut stream = watcher(api, watcher::Config::default()).boxed();
    let e = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match stream.next().await {
                Some(Err(e)) => return e,
                Some(Ok(watcher::Event::Init)) => {}
                other => panic!("expected only Init before the error, got {other:?}"),
            }
        }
    })
    .await
    .expect("the error arrives in time");
    assert!(format!("{e:?}").contains("403"), "{e:?}");
    // Other kinds still work.
    let csrs: Api<CertificateSigningRequest> = Api::all(c);
    assert_eq!(
        csrs.list(&ListParams::default())
            .await
            .expect("csrs")
            .items
            .len(),
        3
    );
    h.shutdown();
}

fn ssar(verb: &str, resource: &str, group: &str) -> SelfSubjectAccessReview {
    SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                resource: Some(resource.into()),
                group: Some(group.into()),
                namespace: Some(NS.into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn viewer_reads_but_cannot_write() {
    let h = start_sim("", SimUser::Viewer).await;
    seed(&h);
    let c = h.client().await.expect("viewer client");
    let nodes: Api<Node> = Api::all(c.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .len(),
        6
    );
    let n: Node = serde_json::from_value(node("viewer-node", "arm64", true)).expect("node");
    assert_eq!(
        code(
            &nodes
                .create(&PostParams::default(), &n)
                .await
                .expect_err("create")
        ),
        403
    );
    let pp = PatchParams::default();
    assert_eq!(
        code(
            &nodes
                .patch("worker-0", &pp, &Patch::Merge(json!({})))
                .await
                .expect_err("patch")
        ),
        403
    );
    let nps = nodepools(c.clone());
    nps.get_scale("np-fixed")
        .await
        .expect("reading scale is fine");
    assert_eq!(
        code(
            &nps.patch_scale(
                "np-fixed",
                &pp,
                &Patch::Merge(json!({"spec": {"replicas": 1}}))
            )
            .await
            .expect_err("scale")
        ),
        403
    );
    let csrs: Api<CertificateSigningRequest> = Api::all(c.clone());
    let approve = json!({"status": {"conditions": [{"type": "Approved", "status": "True"}]}});
    assert_eq!(
        code(
            &csrs
                .patch_approval("csr-0", &pp, &Patch::Merge(approve))
                .await
                .expect_err("approve")
        ),
        403
    );
    assert_eq!(
        code(
            &nodes
                .delete("worker-0", &DeleteParams::default())
                .await
                .expect_err("delete")
        ),
        403
    );

    let reviews: Api<SelfSubjectAccessReview> = Api::all(c.clone());
    let r = reviews
        .create(
            &PostParams::default(),
            &ssar("create", "nodepools", "hypershift.openshift.io"),
        )
        .await
        .expect("ssar");
    assert!(!r.status.expect("status").allowed);
    let r = reviews
        .create(
            &PostParams::default(),
            &ssar("list", "nodepools", "hypershift.openshift.io"),
        )
        .await
        .expect("ssar");
    assert!(r.status.expect("status").allowed);
    // The admin token always works, whatever user the kubeconfig carries.
    let (code_, _) = raw(
        h.addr,
        "POST",
        "/api/v1/nodes",
        &[
            ("Authorization", &format!("Bearer {ADMIN_TOKEN}")),
            ("Content-Type", "application/json"),
        ],
        serde_json::to_vec(&node("admin-node", "arm64", true))
            .expect("json")
            .as_slice(),
    )
    .await;
    assert_eq!(code_, 201);
    h.shutdown();
}

#[tokio::test]
async fn admin_review_and_forbid_fault() {
    let h = start_sim("forbid=nodepools", SimUser::Admin).await;
    seed(&h);
    let c = h.client().await.expect("client");
    let reviews: Api<SelfSubjectAccessReview> = Api::all(c.clone());
    let r = reviews
        .create(
            &PostParams::default(),
            &ssar("patch", "certificatesigningrequests", "certificates.k8s.io"),
        )
        .await
        .expect("ssar");
    assert!(r.status.expect("status").allowed);
    let r = reviews
        .create(
            &PostParams::default(),
            &ssar("list", "nodepools", "hypershift.openshift.io"),
        )
        .await
        .expect("ssar");
    assert!(!r.status.expect("status").allowed);
    assert_eq!(
        code(
            &nodepools(c)
                .list(&ListParams::default())
                .await
                .expect_err("forbidden")
        ),
        403
    );
    h.shutdown();
}

#[tokio::test]
async fn missing_token_is_unauthorized_except_public_endpoints() {
    let (h, _c) = admin().await;
    assert!(h.url.starts_with("https://127.0.0.1:"), "{}", h.url);
    for path in ["/api/v1/nodes", "/api", "/apis", "/openapi/v2"] {
        let (code_, v) = raw(h.addr, "GET", path, &[], b"").await;
        assert_eq!(
            (code_, v["kind"].clone(), v["reason"].clone()),
            (401, json!("Status"), json!("Unauthorized")),
            "{path}"
        );
    }
    let (code_, _) = raw(
        h.addr,
        "POST",
        "/api/v1/nodes",
        &[("Content-Type", "application/json")],
        serde_json::to_vec(&node("anon-node", "arm64", true))
            .expect("json")
            .as_slice(),
    )
    .await;
    assert_eq!(code_, 401);
    assert!(h.store.get(by_key("nodes"), None, "anon-node").is_none());
    for path in ["/healthz", "/readyz", "/livez", "/version"] {
        let (code_, _) = raw(h.addr, "GET", path, &[], b"").await;
        assert_eq!(code_, 200, "{path}");
    }
    // A kube client whose kubeconfig carries no token is refused too.
    let kc = h
        .kubeconfig_yaml()
        .replace(&format!("token: {}", h.token), "{}");
    let kc: kube::config::Kubeconfig = serde_yaml::from_str(&kc).expect("kubeconfig");
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("config");
    let anon = kube::Client::try_from(cfg).expect("client");
    let err = Api::<Node>::all(anon)
        .list(&ListParams::default())
        .await
        .expect_err("unauthorized");
    assert_eq!(code(&err), 401);
    h.shutdown();
}

#[tokio::test]
async fn bad_requests_get_proper_statuses_and_the_server_carries_on() {
    let (h, c) = admin().await;
    let a = h.addr;
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let json_ct = ("Content-Type", "application/json");
    let (code_, v) = raw(
        a,
        "GET",
        "/api/v1/nodes",
        &[("Authorization", "Bearer wrong")],
        b"",
    )
    .await;
    assert_eq!((code_, v["reason"].clone()), (401, json!("Unauthorized")));
    let (code_, v) = raw(
        a,
        "POST",
        "/api/v1/nodes",
        &[("Authorization", &auth), json_ct],
        b"{not json",
    )
    .await;
    assert_eq!((code_, v["kind"].clone()), (400, json!("Status")));
    let (code_, _) = raw(
        a,
        "GET",
        "/api/v1/nodes?labelSelector=a%20in%20b",
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(code_, 400);
    let (code_, _) = raw(
        a,
        "PATCH",
        "/api/v1/nodes/worker-0",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json-patch+json"),
        ],
        b"{\"op\":1}",
    )
    .await;
    assert_eq!(code_, 400);
    let (code_, _) = raw(
        a,
        "PATCH",
        "/api/v1/nodes/worker-0",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json-patch+json"),
        ],
        br#"[{"op":"remove","path":"/nope/x"}]"#,
    )
    .await;
    assert_eq!(code_, 422);
    let (code_, _) = raw(
        a,
        "PATCH",
        "/api/v1/nodes/worker-0",
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        b"x",
    )
    .await;
    assert_eq!(code_, 415);
    let (code_, v) = raw(
        a,
        "GET",
        "/apis/example.com/v1/widgets",
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!((code_, v["reason"].clone()), (404, json!("NotFound")));
    let (code_, _) = raw(
        a,
        "PUT",
        "/api/v1/nodes",
        &[("Authorization", &auth), json_ct],
        b"{}",
    )
    .await;
    assert_eq!(code_, 405);
    let mut huge = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","namespace":"default"},"data":{"x":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
    huge.extend_from_slice(b"\"}}");
    let (code_, v) = raw(
        a,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        &[("Authorization", &auth), json_ct],
        &huge,
    )
    .await;
    assert_eq!((code_, v["code"].clone()), (413, json!(413)));
    let (code_, _) = raw(
        a,
        "POST",
        "/api/v1/namespaces/nope/configmaps",
        &[("Authorization", &auth), json_ct],
        br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#,
    )
    .await;
    assert_eq!(code_, 404);
    // Still serving, through the real client too.
    let nodes: Api<Node> = Api::all(c);
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .len(),
        6
    );
    h.shutdown();
}

#[tokio::test]
async fn tables_and_partial_metadata() {
    let (h, _c) = admin().await;
    let accept = (
        "Accept",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    );
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let bearer = ("Authorization", auth.as_str());
    let (code_, t) = raw(
        h.addr,
        "GET",
        "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools",
        &[bearer, accept],
        b"",
    )
    .await;
    assert_eq!((code_, t["kind"].clone()), (200, json!("Table")));
    let cols: Vec<String> = t["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["name"].as_str().unwrap_or("").to_uppercase())
        .collect();
    assert_eq!(
        cols.join(" "),
        "NAME CLUSTER DESIRED NODES CURRENT NODES AUTOSCALING AUTOREPAIR VERSION UPDATINGVERSION UPDATINGCONFIG MESSAGE"
    );
    let auto = t["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["cells"][0] == "np-auto")
        .expect("row");
    assert_eq!(auto["cells"][4], json!("True"));
    assert_eq!(auto["object"]["kind"], json!("PartialObjectMetadata"));
    let (_, t) = raw(
        h.addr,
        "GET",
        "/api/v1/nodes?includeObject=Object",
        &[bearer, accept],
        b"",
    )
    .await;
    let row = &t["rows"][5];
    assert_eq!(
        (row["cells"][0].clone(), row["cells"][1].clone()),
        (json!("worker-5"), json!("NotReady"))
    );
    assert_eq!(row["object"]["kind"], json!("Node"));
    let (_, l) = raw(
        h.addr,
        "GET",
        "/api/v1/nodes",
        &[
            bearer,
            (
                "Accept",
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
            ),
        ],
        b"",
    )
    .await;
    assert_eq!(l["kind"], json!("PartialObjectMetadataList"));
    assert!(l["items"][0].get("status").is_none());
    h.shutdown();
}

#[tokio::test]
async fn metadata_watcher_reflects_partial_objects() {
    let (h, c) = admin().await;
    let api: Api<kube::core::PartialObjectMeta<Node>> = Api::all(c);
    let (reader, writer) = reflector::store();
    let stream = reflector(
        writer,
        watcher(api, watcher::Config::default()).default_backoff(),
    )
    .applied_objects();
    let task = tokio::spawn(stream.for_each(|_| async {}));
    assert!(
        eventually(60, || reader.state().len() == 6).await,
        "initial list"
    );
    put(&h, "nodes", node("meta-node", "arm64", true));
    h.store
        .delete(by_key("nodes"), None, "worker-0", false)
        .expect("delete");
    let names = || -> Vec<String> {
        let mut v: Vec<String> = reader
            .state()
            .iter()
            .filter_map(|m| m.metadata.name.clone())
            .collect();
        v.sort();
        v
    };
    assert!(
        eventually(60, || names().contains(&"meta-node".to_string())
            && !names().contains(&"worker-0".to_string()))
        .await,
        "{:?}",
        names()
    );
    assert!(reader.state().iter().all(|m| {
        m.metadata
            .labels
            .as_ref()
            .is_some_and(|l| l.contains_key("kubernetes.io/arch"))
    }));
    task.abort();
    h.shutdown();
}

/// Groups the API server builds in; every other group discovery lists is served by a CRD.
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "certificates.k8s.io",
    "storage.k8s.io",
    "policy",
    "apiextensions.k8s.io",
    "authorization.k8s.io",
    "authentication.k8s.io",
];

#[tokio::test]
async fn crds_describe_every_custom_kind_discovery_lists() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::discovery::{Discovery, Scope};
    // Not wiped: the CRDs are part of what the profile seeds.
    let h = shiftdeck_sim::start(shiftdeck_sim::SimOptions {
        live: false,
        ..Default::default()
    })
    .await
    .expect("sim starts");
    let c = h.client().await.expect("client");
    let crds: Api<CustomResourceDefinition> = Api::all(c.clone());
    let listed = crds.list(&ListParams::default()).await.expect("list CRDs");
    let by_name: BTreeMap<String, CustomResourceDefinition> = listed
        .items
        .into_iter()
        .map(|crd| (crd.name_any(), crd))
        .collect();
    let discovery = Discovery::new(c.clone()).run().await.expect("discovery");
    let mut custom = Vec::new();
    for group in discovery.groups() {
        for (ar, caps) in group.recommended_resources() {
            let name = format!("{}.{}", ar.plural, ar.group);
            if BUILT_IN_GROUPS.contains(&ar.group.as_str()) {
                assert!(!by_name.contains_key(&name), "built-in {name} has a CRD");
                continue;
            }
            custom.push(name.clone());
            let crd = by_name
                .get(&name)
                .unwrap_or_else(|| panic!("discovery lists {name} but no CRD does"));
            let spec = &crd.spec;
            assert_eq!(spec.group, ar.group, "{name}");
            assert_eq!(spec.names.kind, ar.kind, "{name}");
            assert_eq!(spec.names.plural, ar.plural, "{name}");
            assert_eq!(
                spec.names.list_kind.as_deref(),
                Some(format!("{}List", ar.kind).as_str())
            );
            let scope = match caps.scope {
                Scope::Namespaced => "Namespaced",
                Scope::Cluster => "Cluster",
            };
            assert_eq!(spec.scope, scope, "{name}");
            assert_eq!(spec.versions.len(), 1, "{name}");
            let v = &spec.versions[0];
            assert_eq!(v.name, ar.version, "{name}");
            assert!(v.served && v.storage, "{name}");
            let schema = v
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
                .unwrap_or_else(|| panic!("{name} has no openAPIV3Schema"));
            assert_eq!(schema.x_kubernetes_preserve_unknown_fields, Some(true));
            let has_sub = |s: &str| caps.subresources.iter().any(|(sar, _)| sar.plural == s);
            let subs = v.subresources.as_ref();
            assert_eq!(
                subs.is_some_and(|s| s.status.is_some()),
                has_sub("status"),
                "{name} status subresource"
            );
            assert_eq!(
                subs.is_some_and(|s| s.scale.is_some()),
                has_sub("scale"),
                "{name} scale subresource"
            );
            let established = crd
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                });
            assert!(established, "{name} is not Established");
        }
    }
    custom.sort();
    let mut crd_names: Vec<String> = by_name.keys().cloned().collect();
    crd_names.sort();
    assert_eq!(crd_names, custom, "CRDs and discovery disagree");
    for want in [
        "hostedclusters.hypershift.openshift.io",
        "nodepools.hypershift.openshift.io",
        "machinesets.machine.openshift.io",
        "virtualmachines.kubevirt.io",
        "datavolumes.cdi.kubevirt.io",
        "clusterversions.config.openshift.io",
    ] {
        assert!(crd_names.iter().any(|n| n == want), "missing {want}");
    }
    // By name, with the details a client reads from it.
    let np = crds
        .get("nodepools.hypershift.openshift.io")
        .await
        .expect("get CRD");
    let v = &np.spec.versions[0];
    let scale = v
        .subresources
        .as_ref()
        .and_then(|s| s.scale.as_ref())
        .expect("scale subresource");
    assert_eq!(scale.spec_replicas_path, ".spec.replicas");
    assert_eq!(
        scale.label_selector_path.as_deref(),
        Some(".status.selector")
    );
    let cols: Vec<&str> = v
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(cols[..3], ["Cluster", "Desired Nodes", "Current Nodes"]);
    assert_eq!(
        np.spec.names.short_names,
        Some(vec!["np".to_string(), "nps".to_string()])
    );
    h.shutdown();

    // MicroShift serves none of the OpenShift custom kinds, so it has no such CRDs.
    let m = shiftdeck_sim::start(shiftdeck_sim::SimOptions {
        live: false,
        profile: shiftdeck_sim::Profile::Microshift,
        ..Default::default()
    })
    .await
    .expect("microshift sim starts");
    let mc = m.client().await.expect("client");
    let none = Api::<CustomResourceDefinition>::all(mc)
        .list(&ListParams::default())
        .await
        .expect("list CRDs");
    assert!(none.items.is_empty(), "{:?}", none.items.len());
    m.shutdown();
}

#[tokio::test]
async fn creating_an_existing_object_is_409_already_exists() {
    let (h, c) = admin().await;
    let np: DynamicObject =
        serde_json::from_value(nodepool("np-fixed", Some(2))).expect("nodepool");
    let err = nodepools(c.clone())
        .create(&PostParams::default(), &np)
        .await
        .expect_err("np-fixed exists");
    let kube::Error::Api(status) = err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(status.code, 409);
    assert_eq!(status.reason, "AlreadyExists");
    assert!(status.is_failure(), "{status:?}");
    assert_eq!(
        status.message,
        "nodepools.hypershift.openshift.io \"np-fixed\" already exists"
    );
    let details = status.details.as_ref().expect("details");
    assert_eq!(details.name, "np-fixed");
    assert_eq!(details.group, "hypershift.openshift.io");
    assert_eq!(details.kind, "nodepools");
    // Cluster-scoped and core kinds alike.
    let ns: k8s_openapi::api::core::v1::Namespace =
        serde_json::from_value(json!({"metadata": {"name": NS}})).expect("ns");
    let err = Api::<k8s_openapi::api::core::v1::Namespace>::all(c)
        .create(&PostParams::default(), &ns)
        .await
        .expect_err("namespace exists");
    let kube::Error::Api(status) = err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(
        (status.code, status.reason.as_str()),
        (409, "AlreadyExists")
    );
    h.shutdown();
}
