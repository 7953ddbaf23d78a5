//! Preflight checks and form models over hand-built cluster facts (no cluster).
#![allow(clippy::unwrap_used)]

use shiftdeck::wizard::facts::{
    ClusterFacts, CsvInfo, Fetched, HostedClusterInfo, ImageSetInfo, IngressInfo, NetworkInfo,
    NodePoolInfo, StorageClassInfo, StorageProfileInfo,
};
use shiftdeck::wizard::form::{ClusterForm, FieldId, FieldKind, NodePoolForm, Step};
use shiftdeck::wizard::preflight::{self, Status};

fn good() -> ClusterFacts {
    let sc = |name: &str, d: bool| StorageClassInfo {
        name: name.into(),
        is_default: d,
        provisioner: "p".into(),
    };
    let sp = |name: &str, modes: &[&str]| StorageProfileInfo {
        name: name.into(),
        access_modes: modes.iter().map(|m| m.to_string()).collect(),
    };
    ClusterFacts {
        openshift_version: Fetched::Present(Some("4.18.1".into())),
        csvs: Fetched::Present(vec![CsvInfo {
            namespace: "openshift-cnv".into(),
            name: "kubevirt-hyperconverged-operator.v4.18.3".into(),
            version: "4.18.3".into(),
            phase: "Succeeded".into(),
        }]),
        ingress: Fetched::Present(Some(IngressInfo {
            wildcard_policy: Some("WildcardsAllowed".into()),
            domain: Some("apps.hub.example.com".into()),
        })),
        storage_classes: Fetched::Present(vec![sc("ceph-rbd", true), sc("lvms-vg1", false)]),
        storage_profiles: Fetched::Present(vec![
            sp("ceph-rbd", &["ReadWriteMany", "ReadWriteOnce"]),
            sp("lvms-vg1", &["ReadWriteOnce"]),
        ]),
        network: Fetched::Present(Some(NetworkInfo {
            network_type: Some("OVNKubernetes".into()),
            mtu: Some(9000),
        })),
        metallbs: Fetched::Present(vec!["metallb".into()]),
        ip_address_pools: Fetched::Present(vec!["metallb-system/metallb".into()]),
        managed_clusters: Fetched::Present(vec!["local-cluster".into(), "spoke1".into()]),
        hypershift_resources: Fetched::Present(vec![
            "hostedclusters".into(),
            "hostedclusters/status".into(),
            "nodepools".into(),
        ]),
        cluster_image_sets: Fetched::Present(vec![
            ImageSetInfo {
                name: "img4.17.12".into(),
                release_image: "quay.io/ocp-release:4.17.12-multi".into(),
            },
            ImageSetInfo {
                name: "img4.18.1".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
            },
        ]),
        network_attachments: Fetched::Present(vec!["clusters/vlan-100".into()]),
        hosted_clusters: Fetched::Present(vec![
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "example".into(),
                platform: "KubeVirt".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
                payload_arch: Some("Multi".into()),
            },
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "s390".into(),
                platform: "KubeVirt".into(),
                release_image: "quay.io/ocp-release:4.18.1-s390x".into(),
                payload_arch: Some("S390X".into()),
            },
            HostedClusterInfo {
                namespace: "clusters".into(),
                name: "aws1".into(),
                platform: "AWS".into(),
                release_image: "quay.io/ocp-release:4.18.1-multi".into(),
                payload_arch: None,
            },
        ]),
        node_pools: Fetched::Present(vec![NodePoolInfo {
            namespace: "clusters".into(),
            name: "example".into(),
            cluster_name: "example".into(),
        }]),
    }
}

fn status(f: &ClusterFacts, id: &str) -> (Status, String, String) {
    let c = preflight::run(f)
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    (c.status, c.seen, c.fix)
}

#[test]
fn all_pass_on_a_good_hub() {
    let checks = preflight::run(&good());
    assert_eq!(checks.len(), 10);
    for c in &checks {
        assert_eq!(c.status, Status::Pass, "{c:?}");
        assert!(c.fix.is_empty());
        assert!(!c.seen.is_empty());
    }
    assert!(preflight::summary(&checks).contains("you can continue"));
}

#[test]
fn each_failure_names_what_was_seen_and_the_fix() {
    let mut f = good();
    f.openshift_version = Fetched::Present(Some("4.13.9".into()));
    assert_eq!(status(&f, "openshift-version").0, Status::Fail);
    f.openshift_version = Fetched::NotServed;
    assert!(
        status(&f, "openshift-version")
            .1
            .contains("not an OpenShift")
    );

    let mut f = good();
    f.csvs = Fetched::Present(vec![]);
    assert_eq!(status(&f, "openshift-virtualization").0, Status::Fail);
    let mut f = good();
    if let Fetched::Present(c) = &mut f.csvs {
        c[0].version = "4.12.0".into();
    }
    assert_eq!(status(&f, "openshift-virtualization").0, Status::Fail);
    if let Fetched::Present(c) = &mut f.csvs {
        c[0].version = "4.18.0".into();
        c[0].phase = "Installing".into();
    }
    let (s, seen, _) = status(&f, "openshift-virtualization");
    assert_eq!(s, Status::Fail);
    assert!(seen.contains("Installing"));

    let mut f = good();
    f.ingress = Fetched::Present(Some(IngressInfo {
        wildcard_policy: None,
        domain: None,
    }));
    let (s, seen, fix) = status(&f, "wildcard-routes");
    assert_eq!(s, Status::Fail);
    assert!(seen.contains("unset"));
    assert_eq!(fix, preflight::WILDCARD_FIX);
    assert!(fix.contains(r#"{wildcardPolicy: "WildcardsAllowed"}"#));

    let mut f = good();
    if let Fetched::Present(s) = &mut f.storage_classes {
        s[0].is_default = false;
    }
    let (s, _, fix) = status(&f, "default-storage-class");
    assert_eq!(s, Status::Fail);
    assert!(fix.contains("oc patch storageclass ceph-rbd"), "{fix}");
    if let Fetched::Present(s) = &mut f.storage_classes {
        s[0].is_default = true;
        s[1].is_default = true;
    }
    assert_eq!(status(&f, "default-storage-class").0, Status::Warn);

    let mut f = good();
    f.storage_profiles = Fetched::Present(vec![]);
    assert_eq!(status(&f, "rwx-storage").0, Status::Warn);

    let mut f = good();
    f.network = Fetched::Present(Some(NetworkInfo {
        network_type: Some("OpenShiftSDN".into()),
        mtu: Some(1400),
    }));
    assert_eq!(status(&f, "ovn-kubernetes").0, Status::Fail);
    let (s, seen, _) = status(&f, "mtu");
    assert_eq!(s, Status::Warn);
    assert!(seen.contains("1400"));

    let mut f = good();
    f.ip_address_pools = Fetched::Present(vec![]);
    assert_eq!(status(&f, "metallb").0, Status::Warn);
    f.metallbs = Fetched::NotServed;
    assert!(status(&f, "metallb").1.contains("not installed"));

    let mut f = good();
    f.managed_clusters = Fetched::Present(vec![]);
    let (s, _, fix) = status(&f, "local-cluster");
    assert_eq!(s, Status::Fail);
    assert!(fix.contains("oc get managedclusters local-cluster"));
    f.managed_clusters = Fetched::NotServed;
    assert!(
        status(&f, "local-cluster")
            .1
            .contains("multicluster engine")
    );

    let mut f = good();
    f.hypershift_resources = Fetched::Present(vec!["hostedclusters".into()]);
    let (s, seen, _) = status(&f, "hypershift-crds");
    assert_eq!(s, Status::Fail);
    assert!(seen.contains("nodepools"));
    f.hypershift_resources = Fetched::NotServed;
    assert_eq!(status(&f, "hypershift-crds").0, Status::Fail);
    let checks = preflight::run(&f);
    assert!(preflight::summary(&checks).contains("blocked"));
}

#[test]
fn forbidden_reads_are_warnings_that_say_cannot_check() {
    let mut f = good();
    f.ingress = Fetched::Forbidden("cannot check: forbidden (no get)".into());
    f.managed_clusters = Fetched::Forbidden("cannot check: forbidden".into());
    let (s, seen, _) = status(&f, "wildcard-routes");
    assert_eq!(s, Status::Warn);
    assert!(seen.starts_with("cannot check: forbidden"));
    assert_eq!(status(&f, "local-cluster").0, Status::Warn);
    assert!(preflight::blocking(&preflight::run(&f)).is_empty());
}

#[test]
fn cluster_form_steps_pick_lists_and_checks() {
    let mut form = ClusterForm::new(good());
    assert!(!form.preflight_blocks());
    // Defaults: hcp's plus the newest ClusterImageSet.
    assert_eq!(form.value(FieldId::Namespace), "clusters");
    assert_eq!(
        form.value(FieldId::ReleaseImage),
        "quay.io/ocp-release:4.18.1-multi"
    );
    assert_eq!(form.value(FieldId::Memory), "4Gi");
    assert_eq!(form.value(FieldId::RootVolumeSize), "32");

    let cluster = form.fields(Step::Cluster);
    let ids: Vec<FieldId> = cluster.iter().map(|f| f.id).collect();
    assert_eq!(ids, Step::Cluster.fields());
    let release = cluster
        .iter()
        .find(|f| f.id == FieldId::ReleaseImage)
        .unwrap();
    match &release.kind {
        FieldKind::Pick { choices, free_text } => {
            assert!(free_text);
            assert_eq!(choices.len(), 2);
        }
        k => panic!("{k:?}"),
    }
    let name = cluster.iter().find(|f| f.id == FieldId::Name).unwrap();
    assert!(name.required && name.error.as_deref().unwrap().contains("required"));
    let bd = cluster
        .iter()
        .find(|f| f.id == FieldId::BaseDomain)
        .unwrap();
    assert!(bd.help.contains("apps.hub.example.com") && bd.help.contains("LoadBalancer"));

    form.set(FieldId::Name, "example");
    assert!(
        form.check(FieldId::Name)
            .unwrap_err()
            .0
            .contains("already exists")
    );
    form.set(FieldId::Name, "spoke1");
    assert!(
        form.check(FieldId::Name)
            .unwrap_err()
            .0
            .contains("managed cluster")
    );
    form.set(FieldId::Name, "clusters");
    assert!(form.check(FieldId::Name).is_err());
    form.set(FieldId::Name, "fresh");
    assert!(form.check(FieldId::Name).is_ok());
    form.set(FieldId::Namespace, "local-cluster");
    assert!(
        form.check(FieldId::Namespace)
            .unwrap_err()
            .0
            .contains("managed cluster")
    );
    form.set(FieldId::Namespace, "clusters");
    form.set(FieldId::EtcdStorageClass, "lvm-storageclass");
    assert!(
        form.check(FieldId::EtcdStorageClass)
            .unwrap_err()
            .0
            .contains("lvms-vg1")
    );
    form.set(FieldId::EtcdStorageClass, "lvms-vg1");
    assert!(form.check(FieldId::EtcdStorageClass).is_ok());

    let np = form.fields(Step::NodePool);
    let sc = np
        .iter()
        .find(|f| f.id == FieldId::RootVolumeStorageClass)
        .unwrap();
    let FieldKind::Pick { choices, .. } = &sc.kind else {
        panic!()
    };
    assert!(
        choices[0].note.contains("RWX: live-migratable") && choices[0].note.contains("default")
    );
    assert!(choices[1].note.contains("not live-migratable"));
    form.set(FieldId::RootVolumeStorageClass, "lvms-vg1");
    assert!(
        form.check(FieldId::RootVolumeStorageClass)
            .unwrap()
            .unwrap()
            .contains("live-migratable")
    );
    form.set(FieldId::AdditionalNetworks, "name:clusters/vlan-200");
    assert!(form.check(FieldId::AdditionalNetworks).is_err());
    form.set(FieldId::AdditionalNetworks, "name:clusters/vlan-100");
    form.set(FieldId::AttachDefaultNetwork, "false");
    assert!(form.check(FieldId::AttachDefaultNetwork).is_ok());
    form.set(FieldId::AdditionalNetworks, "");
    assert!(form.check(FieldId::AttachDefaultNetwork).is_err());
    assert!(!form.step_errors(Step::NodePool).is_empty());
    form.set(FieldId::AttachDefaultNetwork, "true");
    assert!(form.step_errors(Step::NodePool).is_empty());

    form.set(FieldId::InfraNamespace, "clusters-fresh");
    assert!(!form.step_errors(Step::ExternalInfra).is_empty());
    form.set(FieldId::InfraNamespace, "");
    assert!(form.step_errors(Step::ExternalInfra).is_empty());

    // Review needs the pull secret file.
    assert!(form.plan().is_err());
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("ps");
    std::fs::write(&ps, r#"{"auths":{"quay.io":{"auth":"eA=="}}}"#).unwrap();
    form.set(FieldId::PullSecret, ps.to_string_lossy());
    assert!(form.step_errors(Step::Review).is_empty());
    let plan = form.plan().unwrap();
    let hc = &plan.find("HostedCluster").unwrap().object;
    assert_eq!(hc["metadata"]["name"], "fresh");
    assert!(
        hc["spec"]["infraID"]
            .as_str()
            .unwrap()
            .starts_with("fresh-")
    );
}

#[test]
fn multiqueue_warns_below_mtu_9000_and_preflight_blocks() {
    let mut f = good();
    f.network = Fetched::Present(Some(NetworkInfo {
        network_type: Some("OVNKubernetes".into()),
        mtu: Some(1400),
    }));
    f.openshift_version = Fetched::Present(Some("4.12.3".into()));
    let form = ClusterForm::new(f);
    assert!(form.preflight_blocks());
    let w = form.check(FieldId::NetworkMultiqueue).unwrap().unwrap();
    assert!(w.contains("1400"));
}

#[test]
fn nodepool_form_hcp_checks() {
    let mut form = NodePoolForm::new(good());
    assert_eq!(form.value(FieldId::Replicas), "2");
    form.set(FieldId::Cluster, "example");
    form.set(FieldId::Name, "example");
    assert!(
        form.check(FieldId::Name)
            .unwrap_err()
            .0
            .contains("already exists")
    );
    form.set(FieldId::Name, "example-extra-cpu");
    form.set(FieldId::Cores, "4");
    form.set(FieldId::Memory, "6Gi");
    form.set(FieldId::RootVolumeSize, "16");
    let plan = form.plan().unwrap();
    let np = &plan.objects[0].object;
    assert_eq!(
        np["spec"]["release"]["image"],
        "quay.io/ocp-release:4.18.1-multi"
    );
    assert_eq!(np["spec"]["clusterName"], "example");
    assert_eq!(np["spec"]["replicas"], 2);

    form.set(FieldId::Cluster, "aws1");
    assert!(
        form.check(FieldId::Cluster)
            .unwrap_err()
            .0
            .contains("NodePool platform type KubeVirt must be HostedCluster type AWS")
    );
    form.set(FieldId::Cluster, "nope");
    assert!(
        form.check(FieldId::Cluster)
            .unwrap_err()
            .0
            .contains("does not exist")
    );
    form.set(FieldId::Cluster, "s390");
    assert!(
        form.check(FieldId::Cluster)
            .unwrap_err()
            .0
            .contains("S390X")
    );
    // An s390x node pool fits that payload (hcp: Multi or the pool's own architecture).
    form.set(FieldId::Arch, "s390x");
    assert_eq!(form.check(FieldId::Cluster), Ok(None));
    form.set(FieldId::Arch, "amd64");
    form.set(FieldId::Cluster, "example");
    form.set(FieldId::ReleaseImage, "quay.io/ocp-release:4.19.0-multi");
    assert!(
        form.check(FieldId::ReleaseImage)
            .unwrap_err()
            .0
            .contains("newer")
    );
    form.set(FieldId::ReleaseImage, "quay.io/ocp-release:4.14.9-multi");
    assert!(
        form.check(FieldId::ReleaseImage)
            .unwrap_err()
            .0
            .contains("more than 3")
    );
    form.set(FieldId::ReleaseImage, "quay.io/ocp-release:4.15.2-multi");
    assert!(form.check(FieldId::ReleaseImage).unwrap().is_some());
    form.set(FieldId::ReleaseImage, "quay.io/ocp-release:4.17.12-multi");
    assert!(form.check(FieldId::ReleaseImage).unwrap().is_some());
    let fields = form.fields();
    // 14, plus hcp's root-volume access modes, volume mode, cache strategy and host devices,
    // and its arch, auto-repair, upgrade type, drain and volume-detach timeouts.
    assert_eq!(fields.len(), 23);
    assert!(fields.iter().all(|f| f.error.is_none()), "{fields:#?}");
}

#[test]
fn files_are_read_on_set_not_when_fields_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let ps = dir.path().join("ps.json");
    std::fs::write(&ps, r#"{"auths":{"registry.example.com":{"auth":"eA=="}}}"#).unwrap();
    let mut form = ClusterForm::new(good());
    form.set(FieldId::PullSecret, ps.to_string_lossy());
    let w = form.check(FieldId::PullSecret).unwrap().unwrap();
    assert!(
        w.contains("quay.io") && w.contains("registry.example.com"),
        "{w}"
    );
    // The file disappears: showing the fields does not notice (no I/O while rendering)...
    std::fs::remove_file(&ps).unwrap();
    let field = form
        .fields(Step::Cluster)
        .into_iter()
        .find(|f| f.id == FieldId::PullSecret)
        .unwrap();
    assert!(field.error.is_none() && field.warning.is_some());
    // ...until the files are read again.
    form.reread_files();
    assert!(
        form.check(FieldId::PullSecret)
            .unwrap_err()
            .0
            .contains("cannot read")
    );
    // Setting a new path reads it at once.
    std::fs::write(&ps, r#"{"auths":{"quay.io":{"auth":"eA=="}}}"#).unwrap();
    form.set(FieldId::PullSecret, format!("{}", ps.display()));
    assert!(
        form.check(FieldId::PullSecret)
            .unwrap_err()
            .0
            .contains("cannot read")
    );
    form.set(FieldId::PullSecret, "");
    form.set(FieldId::PullSecret, format!("{}", ps.display()));
    assert_eq!(form.check(FieldId::PullSecret), Ok(None));
}
