//! Validators for the rest of `hcp`'s object-shaping flags: node management (`--arch`,
//! `--node-upgrade-type`), networking (`--cluster-cidr`, `--service-cidr`, `--default-dual`,
//! `--network-type`, `--external-dns-domain`), metadata (`--labels`, `--annotations`), OLM,
//! `--pausedUntil`, `--infra-id`, `--etcd-storage-size`, and the two files for disconnected
//! installs (`--additional-trust-bundle`, `--image-content-sources`). Same syntax and defaults as
//! `hcp`; where `hcp` passes bad input on to fail later (or silently), these refuse it.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;
use serde_json::{Value, json};

use super::options::entries;
use super::validate::{self, Checked, Invalid, describe};

fn invalid<T>(msg: impl Into<String>) -> Checked<T> {
    Err(Invalid(msg.into()))
}

/// One of `allowed`, matched case-insensitively and written as listed; empty is `default`.
fn pick(what: &str, s: &str, allowed: &[&str], default: &str) -> Checked<String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(default.to_string());
    }
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(s))
        .map(|a| (*a).to_string())
        .ok_or_else(|| {
            Invalid(format!(
                "{what} must be {}, not {}",
                allowed.join(" or "),
                describe(s)
            ))
        })
}

/// `hcp`'s default `--arch`.
pub const DEFAULT_ARCH: &str = "amd64";
/// Architectures a KubeVirt NodePool may have: the CRD's enum without arm64, which its rule
/// allows only on AWS, Azure, Agent, GCP and None.
pub const KUBEVIRT_ARCHES: [&str; 3] = ["amd64", "ppc64le", "s390x"];

/// `--arch`: the NodePool's processor architecture.
pub fn arch(s: &str) -> Checked<String> {
    if s.trim().eq_ignore_ascii_case("arm64") {
        return invalid(
            "arm64 node pools are not supported on KubeVirt (the NodePool API allows arm64 only on AWS, Azure, Agent, GCP and None): use amd64, ppc64le or s390x",
        );
    }
    pick("the architecture", s, &KUBEVIRT_ARCHES, DEFAULT_ARCH)
}

/// Whether a hosted cluster whose release payload is `payload` (`status.payloadArch`: `Multi`,
/// `AMD64`, …) can run nodes of `arch`, as `hcp create nodepool` checks.
pub fn payload_supports(payload: &str, arch: &str) -> bool {
    payload.is_empty()
        || payload.eq_ignore_ascii_case("multi")
        || payload.eq_ignore_ascii_case(arch)
}

/// `--node-upgrade-type`: Replace (the KubeVirt default) or InPlace.
pub fn upgrade_type(s: &str) -> Checked<String> {
    pick(
        "the node upgrade type",
        s,
        &["Replace", "InPlace"],
        "Replace",
    )
}

/// The network types the HostedCluster API accepts; `hcp`'s default is the first.
pub const NETWORK_TYPES: [&str; 4] = ["OVNKubernetes", "OpenShiftSDN", "Calico", "Other"];

/// `--network-type`.
pub fn network_type(s: &str) -> Checked<String> {
    pick("the network type", s, &NETWORK_TYPES, NETWORK_TYPES[0])
}

/// `--olm-catalog-placement`: management (default) or guest, written lower-case as the API's enum.
pub fn olm_catalog_placement(s: &str) -> Checked<String> {
    pick(
        "the OLM catalog placement",
        s,
        &["management", "guest"],
        "management",
    )
}

/// HyperShift's default networks (`globalconfig`).
pub const DEFAULT_CLUSTER_CIDR: &str = super::build::defaults::CLUSTER_CIDR;
pub const DEFAULT_SERVICE_CIDR: &str = super::build::defaults::SERVICE_CIDR;
/// The IPv6 halves `--default-dual` adds.
pub const DEFAULT_IPV6_CLUSTER_CIDR: &str = "fd01::/48";
pub const DEFAULT_IPV6_SERVICE_CIDR: &str = "fd02::/112";

/// A parsed network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn bits(a: IpAddr) -> (u128, u8) {
    match a {
        IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn mask(prefix: u8, width: u8) -> u128 {
    let all: u128 = if width == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    if prefix == 0 {
        0
    } else {
        all & !((1u128 << (width - prefix)) - 1)
    }
}

impl Cidr {
    fn contains(&self, other: &Cidr) -> bool {
        let ((a, w), (b, wb)) = (bits(self.addr), bits(other.addr));
        w == wb
            && other.prefix >= self.prefix
            && a & mask(self.prefix, w) == b & mask(self.prefix, w)
    }

    fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }
}

/// One CIDR. A host address with bits set below the prefix is refused with the network it
/// probably meant (`hcp` would silently use that network).
pub fn cidr(what: &str, s: &str) -> Checked<Cidr> {
    let s = s.trim();
    let example = "e.g. 10.132.0.0/14 or fd01::/48";
    let Some((a, p)) = s.split_once('/') else {
        return invalid(format!(
            "{what} {} is not a CIDR: write address/prefix, {example}",
            describe(s)
        ));
    };
    let addr: IpAddr = a.trim().parse().map_err(|_| {
        Invalid(format!(
            "{what} {}: {} is not an IPv4 or IPv6 address ({example})",
            describe(s),
            describe(a)
        ))
    })?;
    let width = bits(addr).1;
    let prefix: u8 = p
        .trim()
        .parse()
        .ok()
        .filter(|n| *n <= width)
        .ok_or_else(|| {
            Invalid(format!(
                "{what} {}: the prefix length must be a number from 0 to {width}",
                describe(s)
            ))
        })?;
    let (v, _) = bits(addr);
    let net = v & mask(prefix, width);
    if net != v {
        let network = match addr {
            IpAddr::V4(_) => IpAddr::from(u32::try_from(net).unwrap_or_default().to_be_bytes()),
            IpAddr::V6(_) => IpAddr::from(net.to_be_bytes()),
        };
        return invalid(format!(
            "{what} {}: the address has host bits set; the network is {network}/{prefix}",
            describe(s)
        ));
    }
    Ok(Cidr { addr, prefix })
}

/// Comma- or `;`-separated CIDRs (the CLI joins repeated flags with commas); empty = none given.
pub fn cidrs(what: &str, s: &str) -> Checked<Vec<Cidr>> {
    let mut out: Vec<Cidr> = Vec::new();
    for c in s.split([',', ';']).map(str::trim).filter(|c| !c.is_empty()) {
        let c = cidr(what, c)?;
        if out.contains(&c) {
            return invalid(format!("{what} {c} is given twice"));
        }
        out.push(c);
    }
    if out.len() > 2 || (out.len() == 2 && bits(out[0].addr).1 == bits(out[1].addr).1) {
        return invalid(format!(
            "give one {what} per IP family (one IPv4 and one IPv6 for dual stack), not {}",
            out.iter()
                .map(Cidr::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(out)
}

/// The HostedCluster's cluster and service networks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks {
    pub cluster: Vec<String>,
    pub service: Vec<String>,
}

impl Default for Networks {
    fn default() -> Self {
        Networks {
            cluster: vec![DEFAULT_CLUSTER_CIDR.into()],
            service: vec![DEFAULT_SERVICE_CIDR.into()],
        }
    }
}

/// `--cluster-cidr`, `--service-cidr` and `--default-dual` together: empty lists take HyperShift's
/// IPv4 defaults, `--default-dual` adds the IPv6 defaults and cannot be combined with either list
/// (as `hcp`'s help says); cluster and service networks must not overlap and must be of the same
/// IP families.
pub fn networks(cluster: &str, service: &str, default_dual: bool) -> Checked<Networks> {
    let c = cidrs("the cluster network", cluster)?;
    let s = cidrs("the service network", service)?;
    if default_dual {
        if !c.is_empty() || !s.is_empty() {
            return invalid(
                "--default-dual sets both networks to the dual-stack defaults: leave the cluster and service CIDRs empty, or give both families there instead",
            );
        }
        return Ok(Networks {
            cluster: vec![
                DEFAULT_CLUSTER_CIDR.into(),
                DEFAULT_IPV6_CLUSTER_CIDR.into(),
            ],
            service: vec![
                DEFAULT_SERVICE_CIDR.into(),
                DEFAULT_IPV6_SERVICE_CIDR.into(),
            ],
        });
    }
    let defaults = |v: Vec<Cidr>, d: &str| -> Checked<Vec<Cidr>> {
        if v.is_empty() {
            Ok(vec![cidr("", d)?])
        } else {
            Ok(v)
        }
    };
    let (c, s) = (
        defaults(c, DEFAULT_CLUSTER_CIDR)?,
        defaults(s, DEFAULT_SERVICE_CIDR)?,
    );
    for a in &c {
        if let Some(b) = s.iter().find(|b| a.overlaps(b)) {
            return invalid(format!(
                "the cluster network {a} overlaps the service network {b}: pod and service addresses must not collide"
            ));
        }
    }
    let families = |v: &[Cidr]| {
        let mut f: Vec<u8> = v.iter().map(|c| bits(c.addr).1).collect();
        f.sort_unstable();
        f
    };
    if families(&c) != families(&s) {
        return invalid(format!(
            "the cluster networks ({}) and service networks ({}) must cover the same IP families (both IPv4, both IPv6, or both dual stack)",
            c.iter().map(Cidr::to_string).collect::<Vec<_>>().join(", "),
            s.iter().map(Cidr::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(Networks {
        cluster: c.iter().map(Cidr::to_string).collect(),
        service: s.iter().map(Cidr::to_string).collect(),
    })
}

/// `--external-dns-domain`: a DNS domain; empty = none.
pub fn external_dns_domain(s: &str) -> Checked<Option<String>> {
    let s = s.trim().trim_end_matches('.');
    if s.is_empty() {
        return Ok(None);
    }
    validate::dns_subdomain("the external DNS domain", &s.to_ascii_lowercase()).map(Some)
}

/// `key=value` entries (`--labels`, `--annotations`), one per entry of a `;`-separated field
/// (the CLI joins repeated flags with `;`). `hcp` splits at the first `=` and keeps the last of
/// a repeated key; here a repeated key is refused.
fn key_values(what: &str, s: &str, label_values: bool) -> Checked<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for e in entries(s) {
        let Some((k, v)) = e.split_once('=') else {
            return invalid(format!(
                "{what} {} must be key=value (separate several with ;)",
                describe(e)
            ));
        };
        let k = validate::label_key(k.trim()).map_err(|e| Invalid(format!("{what}: {}", e.0)))?;
        let v = if label_values {
            validate::label_value(&k, v.trim())?
        } else {
            v.to_string()
        };
        if out.insert(k.clone(), v).is_some() {
            return invalid(format!("{what} {k} is given twice"));
        }
    }
    Ok(out)
}

/// `--labels` for the HostedCluster. The label `hcp` itself sets cannot be given.
pub fn labels(s: &str) -> Checked<BTreeMap<String, String>> {
    let l = key_values("label", s, true)?;
    if let Some(k) = l.keys().find(|k| *k == super::build::AUTO_CREATED_LABEL) {
        return invalid(format!(
            "label {k} is set by the create itself (to the infra ID): leave it out"
        ));
    }
    Ok(l)
}

/// `--annotations` for the HostedCluster (values are free text).
pub fn annotations(s: &str) -> Checked<BTreeMap<String, String>> {
    let a = key_values("annotation", s, false)?;
    let total: usize = a.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > 256 * 1024 {
        return invalid("the annotations total more than 256 KiB, the API server's limit");
    }
    Ok(a)
}

/// `--pausedUntil`: `true` (paused until the field is removed) or an RFC 3339 date; empty = not
/// paused. `hcp` accepts exactly these.
pub fn paused_until(s: &str) -> Checked<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s == "true" {
        return Ok(Some(s.into()));
    }
    if s.len() > 35 {
        return invalid(format!(
            "pausedUntil {} is too long for the API (35 characters at most)",
            describe(s)
        ));
    }
    s.parse::<k8s_openapi::jiff::Timestamp>()
        .map(|_| Some(s.to_string()))
        .map_err(|e| {
            Invalid(format!(
                "pausedUntil {} must be true or an RFC 3339 date such as 2026-12-24T18:00:00Z ({e})",
                describe(s)
            ))
        })
}

/// `--infra-id`: empty = generated (`<name>-<5 random>`). It also becomes a label value on every
/// object, so at most 63 characters (the API would accept 253 in `spec.infraID`, then refuse
/// the label).
pub fn infra_id(s: &str) -> Checked<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    validate::dns_label("the infra ID", s).map(Some)
}

/// `--etcd-storage-size`: the managed etcd volume size (default 8Gi, at least 1Gi).
pub fn etcd_storage_size(s: &str) -> Checked<String> {
    if s.trim().is_empty() {
        return Ok(super::build::defaults::ETCD_SIZE.into());
    }
    let (text, bytes) = validate::quantity("the etcd storage size", s)?;
    if bytes < 1024.0 * 1024.0 * 1024.0 {
        return invalid(format!(
            "the etcd storage size {} is too small: give at least 1Gi (the default is 8Gi)",
            describe(&text)
        ));
    }
    Ok(text)
}

/// A CA bundle read from `--additional-trust-bundle`: PEM certificates only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustBundle {
    pub path: String,
    /// The PEM text, as `hcp` puts it into the `user-ca-bundle` ConfigMap (certificates are not
    /// secret: the review shows them).
    pub pem: String,
    pub certificates: usize,
}

/// Read and check a trust bundle: every PEM block a parsable X.509 CERTIFICATE. A private key
/// is refused without echoing it (it would land in a ConfigMap anyone may read).
pub fn trust_bundle_file(path: &str) -> Checked<Option<TrustBundle>> {
    if path.trim().is_empty() {
        return Ok(None);
    }
    let (path, bytes) = validate::read_file("the additional trust bundle", path)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Invalid(format!(
            "the additional trust bundle {path} is not text: give PEM certificates (-----BEGIN CERTIFICATE-----)"
        ))
    })?;
    let blocks = pem::parse_many(text.as_bytes()).map_err(|e| {
        Invalid(format!(
            "the additional trust bundle {path} is not valid PEM: {e}"
        ))
    })?;
    if blocks.is_empty() {
        return invalid(format!(
            "the additional trust bundle {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        ));
    }
    for (i, b) in blocks.iter().enumerate() {
        if b.tag() != "CERTIFICATE" {
            let what = if b.tag().contains("PRIVATE KEY") {
                "a private key, which must never go into the bundle (it is stored in a ConfigMap)"
                    .to_string()
            } else {
                format!("a {} block", b.tag())
            };
            return invalid(format!(
                "the additional trust bundle {path}: block {} is {what}; give CA certificates only",
                i + 1
            ));
        }
        if let Err(e) = x509_parser::parse_x509_certificate(b.contents()) {
            return invalid(format!(
                "the additional trust bundle {path}: certificate {} does not parse as X.509 ({e})",
                i + 1
            ));
        }
    }
    Ok(Some(TrustBundle {
        path,
        pem: text,
        certificates: blocks.len(),
    }))
}

/// One `spec.imageContentSources` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageContentSource {
    pub source: String,
    #[serde(default)]
    pub mirrors: Vec<String>,
}

impl ImageContentSource {
    pub fn to_json(&self) -> Value {
        let mut o = json!({"source": self.source});
        if !self.mirrors.is_empty() {
            o["mirrors"] = json!(self.mirrors);
        }
        o
    }
}

/// Read `--image-content-sources`: a YAML list of `{source, mirrors}` (as `hcp` reads it, and
/// as `oc adm release mirror` prints it). Unknown keys, an empty source and repeated mirrors
/// are refused; the API's limits (255 entries, 255 characters) are checked.
pub fn image_content_sources_file(path: &str) -> Checked<Vec<ImageContentSource>> {
    if path.trim().is_empty() {
        return Ok(Vec::new());
    }
    let (path, bytes) = validate::read_file("the image content sources", path)?;
    let example = "- source: quay.io/openshift-release-dev/ocp-release\n  mirrors:\n  - mirror.example.com:5000/ocp/release";
    let list: Vec<ImageContentSource> = serde_yaml::from_slice(&bytes).map_err(|e| {
        Invalid(format!(
            "the image content sources file {path} is not a YAML list of source/mirrors entries ({e}); it looks like:\n{example}"
        ))
    })?;
    if list.is_empty() {
        return invalid(format!(
            "the image content sources file {path} has no entries"
        ));
    }
    if list.len() > 255 {
        return invalid(format!(
            "the image content sources file {path} has {} entries; the API takes at most 255",
            list.len()
        ));
    }
    for (i, e) in list.iter().enumerate() {
        let n = i + 1;
        if e.source.trim().is_empty() {
            return invalid(format!(
                "the image content sources file {path}: entry {n} has an empty source"
            ));
        }
        if e.mirrors.is_empty() {
            return invalid(format!(
                "the image content sources file {path}: entry {n} ({}) has no mirrors",
                e.source
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for m in std::iter::once(&e.source).chain(&e.mirrors) {
            if m.len() > 255 || m.trim().is_empty() || m.contains(char::is_whitespace) {
                return invalid(format!(
                    "the image content sources file {path}: entry {n} has {}, not a repository (no spaces, at most 255 characters)",
                    describe(m)
                ));
            }
        }
        for m in &e.mirrors {
            if seen.contains(&m.as_str()) {
                return invalid(format!(
                    "the image content sources file {path}: entry {n} lists mirror {m} twice"
                ));
            }
            seen.push(m);
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_default_dual_and_overlaps() {
        assert_eq!(networks("", "", false), Ok(Networks::default()));
        let dual = networks("", "", true).expect("dual");
        assert_eq!(dual.cluster, ["10.132.0.0/14", "fd01::/48"]);
        assert_eq!(dual.service, ["172.31.0.0/16", "fd02::/112"]);
        assert!(networks("10.0.0.0/16", "", true).is_err());
        let n = networks(
            "10.128.0.0/14, fd10::/48",
            "172.30.0.0/16,fd20::/112",
            false,
        )
        .expect("valid");
        assert_eq!(n.cluster, ["10.128.0.0/14", "fd10::/48"]);
        for (c, s, why) in [
            (
                "10.132.0.5/14",
                "",
                "host bits set; the network is 10.132.0.0/14",
            ),
            ("10.0.0.0/33", "", "from 0 to 32"),
            ("banana/8", "", "not an IPv4 or IPv6 address"),
            ("10.0.0.0", "", "not a CIDR"),
            (
                "172.31.0.0/24",
                "",
                "overlaps the service network 172.31.0.0/16",
            ),
            ("10.0.0.0/16,10.1.0.0/16", "", "one IPv4 and one IPv6"),
            ("fd01::/48", "", "same IP families"),
        ] {
            let e = networks(c, s, false).expect_err(c).0;
            assert!(e.contains(why), "{c}: {e}");
        }
    }

    #[test]
    fn enums_normalise_and_refuse() {
        assert_eq!(arch(""), Ok("amd64".into()));
        assert_eq!(arch("S390X"), Ok("s390x".into()));
        assert!(
            arch("arm64")
                .expect_err("arm")
                .0
                .contains("not supported on KubeVirt")
        );
        assert!(arch("riscv").is_err());
        assert_eq!(upgrade_type("inplace"), Ok("InPlace".into()));
        assert_eq!(upgrade_type(""), Ok("Replace".into()));
        assert_eq!(network_type("calico"), Ok("Calico".into()));
        assert_eq!(olm_catalog_placement("Guest"), Ok("guest".into()));
        assert!(olm_catalog_placement("hub").is_err());
        assert!(payload_supports("Multi", "s390x") && payload_supports("AMD64", "amd64"));
        assert!(!payload_supports("AMD64", "s390x"));
    }

    #[test]
    fn paused_until_labels_and_ids() {
        assert_eq!(paused_until("true"), Ok(Some("true".into())));
        assert_eq!(
            paused_until("2026-12-24T18:00:00Z"),
            Ok(Some("2026-12-24T18:00:00Z".into()))
        );
        assert!(
            paused_until("tomorrow")
                .expect_err("x")
                .0
                .contains("RFC 3339")
        );
        assert!(paused_until("2026-12-24").is_err());
        let l = labels("team=infra; env=prod").expect("valid");
        assert_eq!(l.get("env").map(String::as_str), Some("prod"));
        assert!(labels("team").expect_err("x").0.contains("key=value"));
        assert!(labels("a=b;a=c").expect_err("x").0.contains("given twice"));
        assert!(labels("a=has space").is_err());
        assert!(labels("hypershift.openshift.io/auto-created-for-infra=x").is_err());
        let a = annotations("note=a value, with = signs").expect("valid");
        assert_eq!(a["note"], "a value, with = signs");
        assert_eq!(infra_id(""), Ok(None));
        assert!(infra_id("Bad_ID").is_err());
        assert_eq!(etcd_storage_size(""), Ok("8Gi".into()));
        assert_eq!(etcd_storage_size("16Gi"), Ok("16Gi".into()));
        assert!(
            etcd_storage_size("100Mi")
                .expect_err("x")
                .0
                .contains("at least 1Gi")
        );
        assert!(etcd_storage_size("lots").is_err());
        assert_eq!(
            external_dns_domain("Hypershift.Example.com."),
            Ok(Some("hypershift.example.com".into()))
        );
        assert!(external_dns_domain("not a domain").is_err());
    }
}
