//! Field validators shared by the wizard forms and the `shiftdeck create` CLI.
//!
//! Each validator takes the text a user typed (or a flag value) and returns the typed value or an
//! [`Invalid`] with a message meant to be shown next to the field. Validators never panic, and
//! the ones that read files never put file contents into their messages.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::secret::Sensitive;

/// Why a field value was rejected, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

pub type Checked<T> = Result<T, Invalid>;

fn invalid<T>(msg: impl Into<String>) -> Checked<T> {
    Err(Invalid(msg.into()))
}

fn re(pattern: &str) -> Regex {
    // The patterns below are literals checked by the unit tests; an invalid one is a bug.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("validator regex compiles")
}

static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
static RELEASE_IMAGE: LazyLock<Regex> = LazyLock::new(|| re(r"^(\w+\S+)$"));
static BASE_DOMAIN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}|[a-zA-Z0-9-]+)$"));
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
    )
});
static LABEL_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));

/// The name reserved for the namespace HostedClusters live in (seed 002 §4.3.1).
pub const RESERVED_CLUSTER_NAME: &str = "clusters";

pub(crate) fn describe(s: &str) -> String {
    // Show what was typed, bounded, so a pasted blob does not flood the screen.
    let shown: String = s.chars().take(64).collect();
    if shown.len() < s.len() {
        format!("\"{shown}…\"")
    } else {
        format!("\"{shown}\"")
    }
}

/// A DNS-1123 label: lower-case letters, digits and `-`, starting and ending with a letter or
/// digit, at most 63 characters.
pub fn dns_label(what: &str, s: &str) -> Checked<String> {
    let s = s.trim();
    if s.is_empty() {
        return invalid(format!("{what} is required"));
    }
    if s.len() > 63 {
        return invalid(format!(
            "{what} must be at most 63 characters (it has {})",
            s.chars().count()
        ));
    }
    if !DNS_LABEL.is_match(s) {
        return invalid(format!(
            "{what} {} is not a valid DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit",
            describe(s)
        ));
    }
    Ok(s.to_string())
}

/// A DNS-1123 subdomain (dot-separated labels, at most 253 characters), e.g. a storage class name.
pub fn dns_subdomain(what: &str, s: &str) -> Checked<String> {
    let s = s.trim();
    if s.is_empty() {
        return invalid(format!("{what} is required"));
    }
    if s.len() > 253 {
        return invalid(format!("{what} must be at most 253 characters"));
    }
    for part in s.split('.') {
        if part.is_empty() || part.len() > 63 || !DNS_LABEL.is_match(part) {
            return invalid(format!(
                "{what} {} is not a valid DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit",
                describe(s)
            ));
        }
    }
    Ok(s.to_string())
}

/// The HostedCluster name: a DNS-1123 label, and not `clusters`.
pub fn cluster_name(s: &str) -> Checked<String> {
    let name = dns_label("the cluster name", s)?;
    if name == RESERVED_CLUSTER_NAME {
        return invalid(
            "the cluster name must not be \"clusters\": that name is reserved for the namespace hosted clusters live in",
        );
    }
    Ok(name)
}

/// The namespace of the HostedCluster (default `clusters`).
pub fn namespace(s: &str) -> Checked<String> {
    dns_label("the namespace", s)
}

/// A NodePool name.
pub fn nodepool_name(s: &str) -> Checked<String> {
    dns_label("the node pool name", s)
}

/// An OCP release image pull spec (CRD: 1–253 characters, must start with a word character and
/// contain no white space).
pub fn release_image(s: &str) -> Checked<String> {
    let s = s.trim();
    if s.is_empty() {
        return invalid(
            "a release image is required (pick a ClusterImageSet or type a pull spec such as quay.io/openshift-release-dev/ocp-release:4.18.1-multi)",
        );
    }
    if s.len() > 253 {
        return invalid("the release image must be at most 253 characters");
    }
    if !RELEASE_IMAGE.is_match(s) {
        return invalid(format!(
            "the release image {} must start with a letter or digit and contain no white space",
            describe(s)
        ));
    }
    Ok(s.to_string())
}

/// An optional base domain (empty = default ingress under the management cluster's apps domain).
pub fn base_domain(s: &str) -> Checked<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 253 || !BASE_DOMAIN.is_match(s) {
        return invalid(format!(
            "the base domain {} must be a DNS name such as hypershift.lab (letters, digits, '-', dot-separated, ending in a top-level domain of two or more letters)",
            describe(s)
        ));
    }
    Ok(Some(s.to_string()))
}

/// An optional storage class name (empty = the cluster default).
pub fn storage_class(what: &str, s: &str) -> Checked<Option<String>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    dns_subdomain(what, s).map(Some)
}

/// A Kubernetes quantity, e.g. `6Gi`, `4096Mi`, `8G`. Returns the normalised text and its value
/// in bytes.
pub fn quantity(what: &str, s: &str) -> Checked<(String, f64)> {
    let s = s.trim();
    if s.is_empty() {
        return invalid(format!("{what} is required (e.g. 6Gi)"));
    }
    if !QUANTITY.is_match(s) {
        return invalid(format!(
            "{what} {} is not a Kubernetes quantity: a number with an optional suffix such as Mi, Gi, M or G (e.g. 6Gi)",
            describe(s)
        ));
    }
    let idx = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (mut num, mut suffix) = s.split_at(idx);
    if suffix.len() > 1 && (suffix.starts_with('e') || suffix.starts_with('E')) {
        // A decimal exponent such as 1e9 is part of the number.
        num = s;
        suffix = "";
    }
    let base: f64 = match num.parse() {
        Ok(v) => v,
        Err(_) => {
            return invalid(format!("{what} {} is not a number", describe(s)));
        }
    };
    let mult = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        _ => return invalid(format!("{what} {} has an unknown suffix", describe(s))),
    };
    Ok((s.to_string(), base * mult))
}

/// VM memory: a positive quantity (`hcp` default 4Gi).
pub fn memory(s: &str) -> Checked<String> {
    let (text, bytes) = quantity("memory", s)?;
    if bytes < 1024.0 * 1024.0 {
        return invalid(format!(
            "memory {} is too small for a node: give at least 1Mi (typically 6Gi or more)",
            describe(&text)
        ));
    }
    Ok(text)
}

fn integer(what: &str, s: &str) -> Checked<i64> {
    let s = s.trim();
    if s.is_empty() {
        return invalid(format!("{what} is required"));
    }
    s.parse::<i64>()
        .map_err(|_| Invalid(format!("{what} {} is not a whole number", describe(s))))
}

/// Node pool replicas: 0 or more.
pub fn replicas(s: &str) -> Checked<i32> {
    let n = integer("the replica count", s)?;
    if !(0..=i64::from(i32::MAX)).contains(&n) {
        return invalid(format!("the replica count must be 0 or more (got {n})"));
    }
    Ok(n as i32)
}

/// VM cores: 1 or more (`hcp` message).
pub fn cores(s: &str) -> Checked<u32> {
    let n = integer("cores", s)?;
    if n < 1 {
        return invalid(
            "the number of cores inside the machine must be a value greater than or equal to 1",
        );
    }
    u32::try_from(n).map_err(|_| Invalid(format!("cores must be at most {}", u32::MAX)))
}

/// Minimum root volume size in GiB (`hcp` rejects smaller).
pub const MIN_ROOT_VOLUME_GI: u32 = 16;

/// Root volume size in GiB: a whole number, optionally followed by `Gi`, at least 16.
pub fn root_volume_size(s: &str) -> Checked<u32> {
    let t = s.trim();
    let digits = t.strip_suffix("Gi").unwrap_or(t);
    let n = integer("the root volume size", digits).map_err(|_| {
        Invalid(format!(
            "the root volume size {} must be a whole number of GiB (e.g. 32 or 32Gi)",
            describe(t)
        ))
    })?;
    if n < i64::from(MIN_ROOT_VOLUME_GI) {
        return invalid(format!(
            "the root volume size must be at least {MIN_ROOT_VOLUME_GI} GiB (got {n})"
        ));
    }
    u32::try_from(n).map_err(|_| Invalid("the root volume size is too large".into()))
}

/// NodePool `compute.qosClass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QosClass {
    #[default]
    Burstable,
    Guaranteed,
}

impl QosClass {
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Burstable => "Burstable",
            QosClass::Guaranteed => "Guaranteed",
        }
    }
}

pub fn qos_class(s: &str) -> Checked<QosClass> {
    match s.trim() {
        "" | "Burstable" => Ok(QosClass::Burstable),
        "Guaranteed" => Ok(QosClass::Guaranteed),
        other => invalid(format!(
            "QoS class {} is not supported: use Burstable or Guaranteed",
            describe(other)
        )),
    }
}

/// NodePool `networkInterfaceMultiqueue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Multiqueue {
    #[default]
    Enable,
    Disable,
}

impl Multiqueue {
    pub fn as_str(self) -> &'static str {
        match self {
            Multiqueue::Enable => "Enable",
            Multiqueue::Disable => "Disable",
        }
    }
}

pub fn multiqueue(s: &str) -> Checked<Multiqueue> {
    match s.trim() {
        "" | "Enable" => Ok(Multiqueue::Enable),
        "Disable" => Ok(Multiqueue::Disable),
        other => invalid(format!(
            "network multiqueue {} must be Enable or Disable",
            describe(other)
        )),
    }
}

/// A boolean field: true/false (also yes/no).
pub fn boolean(what: &str, s: &str) -> Checked<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" => Ok(true),
        "false" | "no" | "n" => Ok(false),
        _ => invalid(format!(
            "{what} must be true or false (got {})",
            describe(s)
        )),
    }
}

/// One additional network: `name:<namespace>/<nad-name>` (the `hcp` flag syntax) or just
/// `<namespace>/<nad-name>`. Returns `<namespace>/<nad-name>`.
pub fn additional_network(s: &str) -> Checked<String> {
    let s = s.trim();
    if s.is_empty() {
        return invalid("params may not be empty: use name:<namespace>/<network-name>");
    }
    let value = match s.split_once(':') {
        Some(("name", v)) => v,
        Some((k, _)) => {
            return invalid(format!(
                "unknown param(s): {}: the only accepted param is name, as in name:<namespace>/<network-name>",
                describe(k)
            ));
        }
        None => s,
    };
    let Some((ns, name)) = value.split_once('/') else {
        return invalid(format!(
            "additional network {} must be <namespace>/<network-name> of a NetworkAttachmentDefinition",
            describe(s)
        ));
    };
    let ns = dns_label("the network's namespace", ns)?;
    let name = dns_subdomain("the network name", name)?;
    Ok(format!("{ns}/{name}"))
}

/// A list of additional networks separated by commas, spaces or new lines.
pub fn additional_networks(s: &str) -> Checked<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in s.split([',', ' ', '\n']).filter(|p| !p.trim().is_empty()) {
        let net = additional_network(item)?;
        if out.contains(&net) {
            return invalid(format!("additional network {net} is listed twice"));
        }
        out.push(net);
    }
    if out.len() > 20 {
        return invalid("at most 20 additional networks are allowed");
    }
    Ok(out)
}

/// `attachDefaultNetwork: false` needs at least one additional network (`hcp` message).
pub fn attach_default_network(attach: bool, additional: &[String]) -> Checked<bool> {
    if !attach && additional.is_empty() {
        return invalid(
            "missing additional network: when attach default network is false configuring an additional network is mandatory",
        );
    }
    Ok(attach)
}

pub(crate) fn label_key(k: &str) -> Checked<String> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        dns_subdomain("the label key prefix", p)?;
    }
    if name.is_empty() || name.len() > 63 || !LABEL_NAME.is_match(name) {
        return invalid(format!(
            "label key {} is not valid: a name of up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS prefix and '/'",
            describe(k)
        ));
    }
    Ok(k.to_string())
}

pub(crate) fn label_value(k: &str, v: &str) -> Checked<String> {
    if !v.is_empty() && (v.len() > 63 || !LABEL_NAME.is_match(v)) {
        return invalid(format!(
            "the value of label {k} {} is not valid: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            describe(v)
        ));
    }
    Ok(v.to_string())
}

/// The VM node selector: `key=value[,key2=value2]`.
pub fn node_selector(s: &str) -> Checked<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in s
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((k, v)) = pair.split_once('=') else {
            return invalid(format!(
                "node selector entry {} must be key=value",
                describe(pair)
            ));
        };
        let k = label_key(k.trim())?;
        let v = label_value(&k, v.trim())?;
        if out.insert(k.clone(), v).is_some() {
            return invalid(format!("node selector key {k} is given twice"));
        }
    }
    Ok(out)
}

pub(crate) fn read_file(what: &str, path: &str) -> Checked<(String, Vec<u8>)> {
    let p = path.trim();
    if p.is_empty() {
        return invalid(format!("{what} is required: give the path to the file"));
    }
    let expanded = match p.strip_prefix("~/") {
        Some(rest) => dirs::home_dir()
            .map(|h| h.join(rest))
            .unwrap_or_else(|| Path::new(p).to_path_buf()),
        None => Path::new(p).to_path_buf(),
    };
    match std::fs::read(&expanded) {
        Ok(b) => Ok((p.to_string(), b)),
        Err(e) => invalid(format!(
            "cannot read {what} file {}: {e}",
            expanded.display()
        )),
    }
}

/// A pull secret read from a file: `.dockerconfigjson` JSON with an `auths` object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullSecret {
    pub path: String,
    /// Registries named in `auths` (not secret; shown in the review).
    pub registries: Vec<String>,
    pub contents: Sensitive,
}

/// Read and check a pull secret file. Messages name the problem but never quote the contents.
pub fn pull_secret_file(path: &str) -> Checked<PullSecret> {
    let (path, bytes) = read_file("the pull secret", path)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Invalid(format!(
            "the pull secret file {path} is not valid JSON (error at line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let Some(auths) = v.get("auths").and_then(serde_json::Value::as_object) else {
        return invalid(format!(
            "the pull secret file {path} has no \"auths\" object: download the pull secret from console.redhat.com (it looks like {{\"auths\": {{\"quay.io\": {{\"auth\": …}}}}}})"
        ));
    };
    if auths.is_empty() {
        return invalid(format!(
            "the pull secret file {path} has an empty \"auths\" object: it must hold credentials for at least one registry"
        ));
    }
    if let Some((reg, _)) = auths.iter().find(|(_, a)| !a.is_object()) {
        return invalid(format!(
            "the pull secret file {path}: the entry for registry {reg} is not an object"
        ));
    }
    Ok(PullSecret {
        path,
        registries: auths.keys().cloned().collect(),
        contents: Sensitive::new(bytes),
    })
}

/// An SSH public key read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshPublicKey {
    pub path: String,
    pub key: String,
}

const SSH_KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Read and check an optional SSH public key file (empty path = none).
pub fn ssh_key_file(path: &str) -> Checked<Option<SshPublicKey>> {
    if path.trim().is_empty() {
        return Ok(None);
    }
    let (path, bytes) = read_file("the SSH public key", path)?;
    let Ok(text) = String::from_utf8(bytes) else {
        return invalid(format!("the SSH public key file {path} is not text"));
    };
    let key = text.trim().to_string();
    if key.contains("PRIVATE KEY") {
        return invalid(format!(
            "{path} holds a private key: give the public key file (usually ending in .pub)"
        ));
    }
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(blob)) = (parts.next(), parts.next()) else {
        return invalid(format!(
            "the SSH public key file {path} must hold one key like \"ssh-ed25519 AAAA… comment\""
        ));
    };
    use base64::Engine;
    if !SSH_KEY_TYPES.contains(&kind)
        || key.lines().count() != 1
        || base64::engine::general_purpose::STANDARD
            .decode(blob)
            .is_err()
    {
        return invalid(format!(
            "the SSH public key file {path} must hold one OpenSSH public key (ssh-rsa, ssh-ed25519 or ecdsa-sha2-*)"
        ));
    }
    Ok(Some(SshPublicKey { path, key }))
}

/// A kubeconfig for an external infrastructure cluster, read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfraKubeconfig {
    pub path: String,
    pub contents: Sensitive,
}

/// Read and check an infra kubeconfig file: it must parse as a kubeconfig naming a cluster.
pub fn infra_kubeconfig_file(path: &str) -> Checked<InfraKubeconfig> {
    let (path, bytes) = read_file("the infrastructure kubeconfig", path)?;
    let kc: kube::config::Kubeconfig = serde_yaml::from_slice(&bytes).map_err(|_| {
        Invalid(format!(
            "the infrastructure kubeconfig file {path} is not a kubeconfig (YAML with clusters, users and contexts)"
        ))
    })?;
    if kc.clusters.is_empty() {
        return invalid(format!(
            "the infrastructure kubeconfig file {path} names no cluster"
        ));
    }
    Ok(InfraKubeconfig {
        path,
        contents: Sensitive::new(bytes),
    })
}

/// External infrastructure: kubeconfig and namespace come together or not at all (`hcp`
/// messages).
pub fn infra_pair(kubeconfig: &str, namespace: &str) -> Checked<Option<(String, String)>> {
    match (kubeconfig.trim().is_empty(), namespace.trim().is_empty()) {
        (true, true) => Ok(None),
        (true, false) => {
            invalid("external infra cluster namespace was provided but a kubeconfig is missing")
        }
        (false, true) => invalid(
            "external infra cluster kubeconfig was provided but an infra namespace is missing",
        ),
        (false, false) => {
            let ns = dns_label("the infra namespace", namespace)?;
            Ok(Some((kubeconfig.trim().to_string(), ns)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(memory("6Gi"), Ok("6Gi".to_string()));
        assert!(quantity("m", "1e9").is_ok());
        assert!(memory("0").is_err());
        assert!(memory("6GB").is_err());
        assert_eq!(
            quantity("m", "1.5Gi").map(|q| q.1),
            Ok(1.5 * 1024f64.powi(3))
        );
    }
}
