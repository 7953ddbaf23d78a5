//! Field validators: good and bad values for every field, and a generated-input sweep over the
//! free-text validators (no panic, a message for every rejection).
#![allow(clippy::unwrap_used)]

use shiftdeck::wizard::validate::{self, Invalid, Multiqueue, QosClass};

fn write(dir: &tempfile::TempDir, name: &str, text: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn msg<T: std::fmt::Debug>(r: Result<T, Invalid>) -> String {
    r.unwrap_err().0
}

#[test]
fn cluster_name() {
    for good in ["example", "a", "guest-2", "x1", &"a".repeat(63)] {
        assert_eq!(validate::cluster_name(good).unwrap(), good);
    }
    assert!(msg(validate::cluster_name("")).contains("required"));
    assert!(msg(validate::cluster_name("clusters")).contains("reserved"));
    assert!(msg(validate::cluster_name(&"a".repeat(64))).contains("63"));
    for bad in ["Example", "-a", "a-", "a.b", "a_b", "ä", "a b"] {
        assert!(
            msg(validate::cluster_name(bad)).contains("DNS-1123 label"),
            "{bad}"
        );
    }
}

#[test]
fn namespace_and_nodepool_name() {
    assert_eq!(validate::namespace("clusters").unwrap(), "clusters");
    assert!(validate::namespace("Clusters").is_err());
    assert!(validate::namespace("").is_err());
    assert_eq!(
        validate::nodepool_name("example-extra-cpu").unwrap(),
        "example-extra-cpu"
    );
    assert!(validate::nodepool_name("extra_cpu").is_err());
}

#[test]
fn release_image() {
    for good in [
        "quay.io/openshift-release-dev/ocp-release:4.18.1-multi",
        "quay.io/openshift-release-dev/ocp-release@sha256:9b1e9c4cd3a2f1e0d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4",
    ] {
        assert!(validate::release_image(good).is_ok());
    }
    assert!(msg(validate::release_image("")).contains("required"));
    assert!(msg(validate::release_image("quay.io/a b")).contains("white space"));
    assert!(msg(validate::release_image("/abs")).contains("start with"));
    assert!(validate::release_image(&"a".repeat(254)).is_err());
}

#[test]
fn base_domain() {
    assert_eq!(validate::base_domain("").unwrap(), None);
    assert_eq!(
        validate::base_domain("hypershift.lab").unwrap().as_deref(),
        Some("hypershift.lab")
    );
    assert!(validate::base_domain("example").unwrap().is_some());
    for bad in ["hypershift.l", "a..b", "a_b.com", ".com", "exa mple.com"] {
        assert!(validate::base_domain(bad).is_err(), "{bad}");
    }
}

#[test]
fn storage_class() {
    assert_eq!(validate::storage_class("sc", "").unwrap(), None);
    assert_eq!(
        validate::storage_class("sc", "ocs-storagecluster-ceph-rbd")
            .unwrap()
            .as_deref(),
        Some("ocs-storagecluster-ceph-rbd")
    );
    assert!(validate::storage_class("sc", "gp3.csi").is_ok());
    assert!(validate::storage_class("sc", "LVM").is_err());
    assert!(validate::storage_class("sc", "a..b").is_err());
}

#[test]
fn numbers_and_quantities() {
    assert_eq!(validate::replicas("2").unwrap(), 2);
    assert_eq!(validate::replicas("0").unwrap(), 0);
    assert!(msg(validate::replicas("-1")).contains("0 or more"));
    assert!(msg(validate::replicas("two")).contains("whole number"));
    assert!(validate::replicas("99999999999").is_err());

    assert_eq!(validate::cores("4").unwrap(), 4);
    assert!(msg(validate::cores("0")).contains("greater than or equal to 1"));
    assert!(validate::cores("1.5").is_err());

    assert_eq!(validate::root_volume_size("32").unwrap(), 32);
    assert_eq!(validate::root_volume_size("16Gi").unwrap(), 16);
    assert!(msg(validate::root_volume_size("15")).contains("at least 16"));
    assert!(validate::root_volume_size("32G").is_err());

    for good in ["6Gi", "4096Mi", "8G", "1.5Gi", "1e9"] {
        assert!(validate::memory(good).is_ok(), "{good}");
    }
    for bad in ["", "6GB", "six", "0", "100", "-4Gi", "Gi"] {
        assert!(validate::memory(bad).is_err(), "{bad}");
    }
}

#[test]
fn enums_and_booleans() {
    assert_eq!(
        validate::qos_class("Guaranteed").unwrap(),
        QosClass::Guaranteed
    );
    assert_eq!(validate::qos_class("").unwrap(), QosClass::Burstable);
    assert!(msg(validate::qos_class("guaranteed")).contains("Burstable or Guaranteed"));
    assert_eq!(
        validate::multiqueue("Disable").unwrap(),
        Multiqueue::Disable
    );
    assert!(validate::multiqueue("on").is_err());
    assert!(validate::boolean("x", "false").is_ok_and(|b| !b));
    assert!(validate::boolean("x", "maybe").is_err());
}

#[test]
fn additional_networks_and_default_network() {
    assert_eq!(
        validate::additional_network("name:my-namespace/my-network").unwrap(),
        "my-namespace/my-network"
    );
    assert_eq!(
        validate::additional_network("clusters/vlan-100").unwrap(),
        "clusters/vlan-100"
    );
    assert!(msg(validate::additional_network("net:a/b")).contains("unknown param"));
    assert!(msg(validate::additional_network("name:vlan-100")).contains("<namespace>/"));
    assert!(validate::additional_network("name:A/b").is_err());
    assert!(validate::additional_network("").is_err());
    assert_eq!(
        validate::additional_networks("name:a/b, name:c/d\n").unwrap(),
        ["a/b", "c/d"]
    );
    assert!(msg(validate::additional_networks("a/b,a/b")).contains("twice"));
    assert!(validate::attach_default_network(false, &[]).is_err());
    assert!(validate::attach_default_network(false, &["a/b".into()]).is_ok());
    assert!(validate::attach_default_network(true, &[]).is_ok());
}

#[test]
fn node_selector() {
    let m = validate::node_selector("topology.kubernetes.io/zone=rack-1,cpumanager=true").unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m["cpumanager"], "true");
    assert!(validate::node_selector("").unwrap().is_empty());
    assert!(validate::node_selector("k=").is_ok());
    for bad in ["k", "=v", "k=v v", "k=v,k=w", "-k=v", "a/b/c=v", "k=-v"] {
        assert!(validate::node_selector(bad).is_err(), "{bad}");
    }
}

#[test]
fn infra_pair() {
    assert_eq!(validate::infra_pair("", "").unwrap(), None);
    assert!(msg(validate::infra_pair("", "clusters-example")).contains("kubeconfig is missing"));
    assert!(msg(validate::infra_pair("/k", "")).contains("infra namespace is missing"));
    assert!(validate::infra_pair("/k", "Bad_NS").is_err());
    assert!(
        validate::infra_pair("/k", "clusters-example")
            .unwrap()
            .is_some()
    );
}

#[test]
fn pull_secret_file_is_checked_and_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        &dir,
        "ps",
        br#"{"auths":{"quay.io":{"auth":"c2VjcmV0LXZhbHVl"},"registry.redhat.io":{"auth":"eA=="}}}"#,
    );
    let ps = validate::pull_secret_file(&good).unwrap();
    assert_eq!(ps.registries, ["quay.io", "registry.redhat.io"]);
    assert!(!format!("{ps:?}").contains("c2VjcmV0LXZhbHVl"));

    let cases: [(&str, &[u8], &str); 5] = [
        ("notjson", b"auths: c2VjcmV0LXZhbHVl", "not valid JSON"),
        ("noauths", br#"{"c2VjcmV0LXZhbHVl": 1}"#, "no \"auths\""),
        ("empty", br#"{"auths":{}}"#, "empty"),
        (
            "badentry",
            br#"{"auths":{"quay.io":"c2VjcmV0LXZhbHVl"}}"#,
            "not an object",
        ),
        ("garbage", b"\xff\xfe{\"auths\"", "not valid JSON"),
    ];
    for (name, body, want) in cases {
        let m = msg(validate::pull_secret_file(&write(&dir, name, body)));
        assert!(m.contains(want), "{name}: {m}");
        assert!(!m.contains("c2VjcmV0LXZhbHVl"), "{name} leaked: {m}");
    }
    assert!(msg(validate::pull_secret_file("/nonexistent/ps.json")).contains("cannot read"));
    assert!(msg(validate::pull_secret_file("")).contains("required"));
}

#[test]
fn ssh_key_and_infra_kubeconfig_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        &dir,
        "id.pub",
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me\n",
    );
    assert!(validate::ssh_key_file(&good).unwrap().is_some());
    assert_eq!(validate::ssh_key_file("").unwrap(), None);
    let private = write(&dir, "id", b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
    assert!(msg(validate::ssh_key_file(&private)).contains("private key"));
    let junk = write(&dir, "junk.pub", b"hello world");
    assert!(validate::ssh_key_file(&junk).is_err());

    let kc = write(
        &dir,
        "kc",
        b"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://x:6443\n",
    );
    assert!(validate::infra_kubeconfig_file(&kc).is_ok());
    let no_clusters = write(&dir, "kc2", b"apiVersion: v1\nkind: Config\n");
    assert!(msg(validate::infra_kubeconfig_file(&no_clusters)).contains("no cluster"));
    let not_yaml = write(&dir, "kc3", b"{{{ token: s3cr3t");
    let m = msg(validate::infra_kubeconfig_file(&not_yaml));
    assert!(
        m.contains("not a kubeconfig") && !m.contains("s3cr3t"),
        "{m}"
    );
}

/// Deterministic pseudo-random strings over an alphabet rich in edge cases.
fn generated(n: usize) -> Vec<String> {
    const ALPHABET: &[&str] = &[
        "a", "z", "0", "9", "-", ".", "_", "/", ":", "=", ",", " ", "\n", "\t", "A", "Z", "Gi",
        "Mi", "e", "E", "+", "é", "日", "\u{0}", "\\", "\"", "*", "name:", "..", "--", "🙂",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = (next() % 80) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn free_text_validators_never_panic_and_always_explain() {
    type V = fn(&str) -> Result<(), Invalid>;
    let validators: &[(&str, V)] = &[
        ("cluster_name", |s| validate::cluster_name(s).map(drop)),
        ("namespace", |s| validate::namespace(s).map(drop)),
        ("nodepool_name", |s| validate::nodepool_name(s).map(drop)),
        ("release_image", |s| validate::release_image(s).map(drop)),
        ("base_domain", |s| validate::base_domain(s).map(drop)),
        ("storage_class", |s| {
            validate::storage_class("sc", s).map(drop)
        }),
        ("memory", |s| validate::memory(s).map(drop)),
        ("replicas", |s| validate::replicas(s).map(drop)),
        ("cores", |s| validate::cores(s).map(drop)),
        ("root_volume_size", |s| {
            validate::root_volume_size(s).map(drop)
        }),
        ("qos_class", |s| validate::qos_class(s).map(drop)),
        ("multiqueue", |s| validate::multiqueue(s).map(drop)),
        ("additional_networks", |s| {
            validate::additional_networks(s).map(drop)
        }),
        ("node_selector", |s| validate::node_selector(s).map(drop)),
        ("infra_pair", |s| validate::infra_pair("/k", s).map(drop)),
    ];
    let inputs = generated(3000);
    let mut rejected = 0;
    let mut accepted = 0;
    for (name, v) in validators {
        for s in &inputs {
            match v(s) {
                Ok(()) => accepted += 1,
                Err(Invalid(m)) => {
                    rejected += 1;
                    assert!(
                        !m.trim().is_empty(),
                        "{name} rejected {s:?} without a message"
                    );
                    assert!(
                        m.chars().count() < 600,
                        "{name}: message too long for {s:?}"
                    );
                }
            }
        }
    }
    assert!(rejected > 0 && accepted > 0, "{rejected} {accepted}");
    // Accepted names really are DNS labels.
    for s in &inputs {
        if let Ok(n) = validate::cluster_name(s) {
            assert!(
                n.len() <= 63
                    && n.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
    }
}
