//! The fetch layer and model against the simulated cluster, per profile.
#![allow(clippy::unwrap_used)]

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams};
use serde_json::json;
use shiftdeck::overview::bootimages::ArtifactKind;
use shiftdeck::overview::health::CheckStatus;
use shiftdeck::overview::{
    ClusterFlavor, Fetched, OverviewInputs, OverviewModel, Pane, Payload, Presence,
};
use shiftdeck::watch::overview_fetch as fetch;
use shiftdeck::wizard::{facts, preflight};
use shiftdeck_sim::{Faults, Profile, SimHandle, SimOptions};

async fn start(profile: Profile, faults: Faults) -> SimHandle {
    shiftdeck_sim::start(SimOptions {
        profile,
        live: false,
        faults,
        ..SimOptions::default()
    })
    .await
    .unwrap()
}

/// Every item's state: none may be `Failed` (absent kinds are `NotServed`, not errors).
fn failures(i: &OverviewInputs) -> Vec<String> {
    fn f<T>(name: &str, x: &Fetched<T>, out: &mut Vec<String>) {
        if let Fetched::Failed(e) = x {
            out.push(format!("{name}: {e}"));
        }
    }
    let mut out = Vec::new();
    f("cluster_version", &i.cluster_version, &mut out);
    f("infrastructure", &i.infrastructure, &mut out);
    f("network", &i.network, &mut out);
    f("microshift_version", &i.microshift_version, &mut out);
    f("bootimages", &i.bootimages, &mut out);
    f("nodes", &i.nodes, &mut out);
    f("csrs", &i.csrs, &mut out);
    f("machines", &i.machines, &mut out);
    f("hosted_clusters", &i.hosted_clusters, &mut out);
    f("node_pools", &i.node_pools, &mut out);
    f("data_volumes", &i.data_volumes, &mut out);
    f("kubevirt", &i.kubevirt, &mut out);
    f("api_health", &i.api_health, &mut out);
    f("namespaces", &i.namespaces, &mut out);
    f("core_pods", &i.core_pods, &mut out);
    f("any_running_pod", &i.any_running_pod, &mut out);
    f("wmco.csvs", &i.wmco.csvs, &mut out);
    f("wmco.subscriptions", &i.wmco.subscriptions, &mut out);
    f("wmco.install_plans", &i.wmco.install_plans, &mut out);
    f(
        "wmco.cloud_private_key",
        &i.wmco.cloud_private_key,
        &mut out,
    );
    f(
        "wmco.windows_user_data",
        &i.wmco.windows_user_data,
        &mut out,
    );
    f("wmco.pods", &i.wmco.pods, &mut out);
    out
}

#[tokio::test]
async fn microshift_is_detected_and_degrades_quietly() {
    let sim = start(Profile::Microshift, Faults::default()).await;
    let client = sim.client().await.unwrap();
    let inputs = fetch::gather(&client).await;
    assert_eq!(failures(&inputs), Vec::<String>::new());
    for (name, served) in [
        ("cluster_version", inputs.cluster_version.is_served()),
        ("infrastructure", inputs.infrastructure.is_served()),
        ("machines", inputs.machines.is_served()),
        ("hosted_clusters", inputs.hosted_clusters.is_served()),
        ("node_pools", inputs.node_pools.is_served()),
        ("data_volumes", inputs.data_volumes.is_served()),
        ("csvs", inputs.wmco.csvs.is_served()),
        ("kubevirt", inputs.kubevirt.is_served()),
    ] {
        assert!(!served, "{name} should be NotServed on MicroShift");
    }
    assert_eq!(
        inputs.preflight, None,
        "the HCP preflight is not run on MicroShift"
    );
    assert_eq!(inputs.bootimages, Fetched::NotFound);
    assert_eq!(inputs.wmco.cloud_private_key, Fetched::NotFound);

    let m = OverviewModel::build(&inputs);
    assert_eq!(
        m.flavor,
        ClusterFlavor::MicroShift {
            version: Some("4.18.1".into())
        }
    );
    assert_eq!(
        m.panes,
        [
            Pane::Overview,
            Pane::Nodes,
            Pane::Csr,
            Pane::Health,
            Pane::Copy
        ]
    );
    assert!(m.windows.is_none());
    assert_eq!(m.counts.len(), 2, "only nodes and CSRs on MicroShift");
    assert_eq!(m.counts[0].value, "1 (1 ready)");

    // Greenboot-style checks all pass on the seeded MicroShift.
    assert!(m.health.healthy, "{:#?}", m.health);
    let namespaces: Vec<&str> = m
        .health
        .checks
        .iter()
        .filter_map(|c| c.namespace.as_deref())
        .collect();
    for ns in [
        "openshift-ovn-kubernetes",
        "openshift-service-ca",
        "openshift-ingress",
        "openshift-dns",
        "openshift-storage",
        "kube-system",
    ] {
        assert_eq!(namespaces.iter().filter(|n| **n == ns).count(), 3, "{ns}");
    }
    assert!(
        m.health
            .checks
            .iter()
            .all(|c| c.status == CheckStatus::Pass)
    );
    assert_eq!(m.health.checks[0].detail, "/readyz: ok");
    sim.shutdown();
}

#[tokio::test]
async fn hub_is_openshift_multi_arch_with_counts() {
    let sim = start(Profile::Hub, Faults::default()).await;
    let client = sim.client().await.unwrap();
    let inputs = fetch::gather(&client).await;
    assert_eq!(failures(&inputs), Vec::<String>::new());
    let m = OverviewModel::build(&inputs);
    assert!(matches!(m.flavor, ClusterFlavor::OpenShift { .. }));
    assert_eq!(m.flavor.label(), "OpenShift 4.18.1");
    assert_eq!(m.payload, Payload::Multi);
    assert!(m.payload.next_step().is_none());
    assert_eq!(m.identity.platform.as_deref(), Some("BareMetal"));
    assert_eq!(m.identity.infrastructure_name.as_deref(), Some("hub-7x2kq"));
    assert_eq!(m.identity.network_type.as_deref(), Some("OVNKubernetes"));
    assert_eq!(m.identity.channel.as_deref(), Some("stable-4.18"));

    let row = |pane: Pane| m.counts.iter().find(|c| c.pane == pane).unwrap().clone();
    let nodes = row(Pane::Nodes);
    assert_eq!(nodes.value, "11 (11 ready)");
    assert_eq!(
        nodes.detail,
        "amd64/linux 9 (9 ready), arm64/linux 2 (2 ready)"
    );
    // One arriving ARM64 machine's client CSR (valid) and one with the wrong requestor.
    let csr = row(Pane::Csr);
    assert_eq!(csr.value, "2");
    assert_eq!(csr.detail, "1 of 2 fail the checks");
    let hc = row(Pane::HostedClusters);
    assert_eq!(hc.value, "3");
    assert_eq!(hc.detail, "2 Completed, 1 Partial");
    assert!(hc.attention);
    assert_eq!(row(Pane::NodePools).value, "0");
    assert_eq!(row(Pane::Copy).value, "0");
    // The preflight count is the `:preflight` checks' failures (the same reads and checks).
    let checks = preflight::run(&facts::fetch(&client).await);
    assert_eq!(inputs.preflight.as_deref(), Some(checks.as_slice()));
    let pf = row(Pane::Preflight);
    assert_eq!(pf.value, preflight::blocking(&checks).len().to_string());
    assert!(
        pf.detail.contains("HCP-on-KubeVirt checks"),
        "{}",
        pf.detail
    );
    assert!(
        !pf.detail.contains("HyperShift not installed"),
        "{}",
        pf.detail
    );
    assert_eq!(inputs.kubevirt, Fetched::Present(()));
    let all: Vec<Pane> = Pane::ALL
        .into_iter()
        .filter(|p| *p != Pane::Windows)
        .collect();
    assert_eq!(m.panes, all, "the hub serves every kind");
    assert!(!m.panes.contains(&Pane::Windows));
    // The hub runs OVN-Kubernetes, DNS, ingress and service CA pods: those namespaces pass;
    // core namespaces without pods (kube-system, openshift-storage here) are skipped outside
    // MicroShift.
    assert!(m.health.healthy, "{:#?}", m.health);
    let started = &m.health.checks[1];
    assert_eq!(started.id, "pods-started");
    assert!(
        started.detail.contains("core pods running"),
        "{}",
        started.detail
    );
    let per_ns: Vec<(&str, CheckStatus)> = m
        .health
        .checks
        .iter()
        .filter_map(|c| Some((c.namespace.as_deref()?, c.status)))
        .collect();
    for ns in [
        "openshift-ovn-kubernetes",
        "openshift-dns",
        "openshift-ingress",
        "openshift-service-ca",
    ] {
        assert!(
            per_ns
                .iter()
                .any(|(n, st)| *n == ns && *st == CheckStatus::Pass),
            "{ns}: {per_ns:?}"
        );
    }
    assert!(
        per_ns
            .iter()
            .all(|(_, st)| matches!(st, CheckStatus::Pass | CheckStatus::Skipped)),
        "{per_ns:?}"
    );
    // Boot images from the hub's coreos-bootimages stream: both architectures, complete
    // (the ARM64 ISO/PXE artifacts are what the bare-metal arrivals boot from).
    let b = m.boot_images.as_ref().unwrap();
    assert_eq!(b.stream.as_deref(), Some("rhcos-4.18"));
    assert!(b.missing_architectures.is_empty());
    for arch in ["aarch64", "x86_64"] {
        let a = b.arch(arch).unwrap();
        assert_eq!(
            a.release.as_deref(),
            Some("418.94.202501221327-0"),
            "{arch}"
        );
        assert!(a.missing().is_empty(), "{arch}: {:?}", a.missing());
        for kind in [
            ArtifactKind::AzureVhd,
            ArtifactKind::MetalIso,
            ArtifactKind::PxeKernel,
            ArtifactKind::PxeInitramfs,
            ArtifactKind::PxeRootfs,
        ] {
            let url = a.artifact(kind).unwrap().url.clone().unwrap();
            assert!(url.starts_with("https://") && url.contains(arch), "{url}");
        }
    }
    sim.shutdown();
}

#[tokio::test]
async fn forbidden_items_are_a_state_not_an_error() {
    let faults: Faults = "forbid=nodepools".parse().unwrap();
    let sim = start(Profile::Hub, faults).await;
    let client = sim.client().await.unwrap();
    let inputs = fetch::gather(&client).await;
    assert!(
        matches!(inputs.node_pools, Fetched::Forbidden(_)),
        "{:?}",
        inputs.node_pools
    );
    assert!(inputs.hosted_clusters.is_present());
    let m = OverviewModel::build(&inputs);
    let np = m.counts.iter().find(|c| c.pane == Pane::NodePools).unwrap();
    assert_eq!(np.value, "forbidden");
    assert!(m.payload.is_multi());
    sim.shutdown();
}

#[tokio::test]
async fn azure_boot_images_windows_and_wmco() {
    let sim = start(Profile::Azure, Faults::default()).await;
    let client = sim.client().await.unwrap();
    let inputs = fetch::gather(&client).await;
    assert_eq!(failures(&inputs), Vec::<String>::new());
    let m = OverviewModel::build(&inputs);
    assert_eq!(m.identity.platform.as_deref(), Some("Azure"));
    assert!(m.payload.is_multi());
    // No HyperShift or KubeVirt here (discovery): their panes are not listed. Copies stays
    // (Azure blob copies of boot images).
    assert_eq!(inputs.kubevirt, Fetched::NotServed);
    assert_eq!(
        m.panes,
        [
            Pane::Overview,
            Pane::Nodes,
            Pane::Csr,
            Pane::MachineSets,
            Pane::Operators,
            Pane::Health,
            Pane::Copy,
            Pane::Preflight,
            Pane::Windows
        ]
    );
    // The preflight runs and says what an HCP host would need, without raising attention.
    let pf = m.counts.iter().find(|c| c.pane == Pane::Preflight).unwrap();
    assert_ne!(pf.value, "0");
    assert!(
        pf.detail.starts_with("HyperShift not installed; "),
        "{}",
        pf.detail
    );
    let checks = preflight::run(&facts::fetch(&client).await);
    assert_eq!(pf.value, preflight::blocking(&checks).len().to_string());
    assert!(!pf.attention);
    // The platform pods of the core namespaces run: health has no false failure.
    assert!(m.health.healthy, "{:#?}", m.health);
    for ns in [
        "openshift-ovn-kubernetes",
        "openshift-dns",
        "openshift-ingress",
        "openshift-service-ca",
    ] {
        assert!(
            m.health
                .checks
                .iter()
                .filter(|c| c.namespace.as_deref() == Some(ns))
                .all(|c| c.status == CheckStatus::Pass),
            "{ns}"
        );
    }

    let b = m.boot_images.as_ref().unwrap();
    let arm = b.arch("aarch64").unwrap();
    assert_eq!(
        arm.artifact(ArtifactKind::AzureVhd).unwrap().url.as_deref(),
        Some(
            "https://rhcos.blob.core.windows.net/imagebucket/rhcos-418.94.202501221327-0-azure.aarch64.vhd"
        )
    );
    assert!(arm.missing().is_empty());
    assert!(b.missing_architectures.is_empty());

    let windows: Vec<_> = m.nodes.iter().filter(|n| n.os == "windows").collect();
    assert_eq!(windows.len(), 2);
    assert!(windows.iter().all(|n| n.no_metrics));
    assert!(
        m.nodes
            .iter()
            .filter(|n| n.os == "linux")
            .all(|n| !n.no_metrics)
    );

    let w = m.windows.clone().unwrap();
    assert!(w.installed);
    assert_eq!(w.csv_phase.as_deref(), Some("Succeeded"));
    assert_eq!(w.version.as_deref(), Some("10.18.1"));
    assert_eq!(w.channel.as_deref(), Some("stable"));
    assert_eq!(w.install_plan_approval.as_deref(), Some("Automatic"));
    assert!(w.pending_install_plans.is_empty());
    assert_eq!(w.cloud_private_key, Presence::Present);
    assert_eq!(w.windows_user_data, Presence::Present);
    assert_eq!((w.nodes_on_version, w.windows_nodes), (2, 2));
    // The operator pod runs: WMCO is healthy.
    let op = w.operator_pods.as_ref().unwrap();
    assert_eq!(op.len(), 1, "{op:?}");
    assert!(w.healthy(), "{:#?}", w);
    let text = serde_json::to_string(&m).unwrap();
    assert!(
        !text.contains("PRIVATE KEY") && !text.contains("powershell"),
        "secret contents must never reach the model"
    );

    // Without its operator pod, WMCO needs attention and the view says so.
    let pods: Api<Pod> =
        Api::namespaced(client.clone(), "openshift-windows-machine-config-operator");
    for p in pods.list(&ListParams::default()).await.unwrap() {
        let name = p.metadata.name.unwrap();
        pods.delete(&name, &DeleteParams::default()).await.unwrap();
    }
    let m = OverviewModel::build(&fetch::gather(&client).await);
    let w = m.windows.unwrap();
    assert_eq!(w.operator_pods, Some(vec![]));
    assert!(!w.healthy());
    assert!(w.lines().join("\n").contains("Operator pods: none found"));
    sim.shutdown();
}

#[tokio::test]
async fn forbidden_secrets_are_not_reported_present() {
    let faults: Faults = "forbid=secrets".parse().unwrap();
    let sim = start(Profile::Azure, faults).await;
    let client = sim.client().await.unwrap();
    let inputs = fetch::gather(&client).await;
    assert!(
        matches!(inputs.wmco.cloud_private_key, Fetched::Forbidden(_)),
        "{:?}",
        inputs.wmco.cloud_private_key
    );
    let w = OverviewModel::build(&inputs).windows.unwrap();
    assert_eq!(w.windows_user_data, Presence::Forbidden);
    assert!(!w.healthy());
    sim.shutdown();
}

#[tokio::test]
async fn single_arch_payload_says_what_to_do_next() {
    let sim = start(Profile::Hub, Faults::default()).await;
    // Turn the hub's ClusterVersion into a single-arch (amd64) payload.
    sim.store
        .mutate_retry(
            shiftdeck_sim::resources::by_key("clusterversions.config.openshift.io"),
            None,
            "version",
            false,
            |cv| {
                if let Some(d) = cv["status"]["desired"].as_object_mut() {
                    d.remove("architecture");
                }
                for c in cv["status"]["conditions"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                {
                    if c["type"] == "ReleaseAccepted" {
                        c["message"] =
                            json!("Payload loaded version=\"4.18.1\" image=\"quay.io/x\"");
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    let client = sim.client().await.unwrap();
    let m = OverviewModel::build(&fetch::gather(&client).await);
    assert_eq!(
        m.payload,
        Payload::Single {
            arch: Some("amd64".into())
        }
    );
    let lines = m.identity_lines().join("\n");
    assert!(lines.contains("single-arch payload (amd64)"), "{lines}");
    assert!(lines.contains("oc adm upgrade --to-multi-arch"), "{lines}");
    sim.shutdown();
}
