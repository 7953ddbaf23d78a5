//! Named validation checks for node CSRs, after cluster-machine-approver's logic (reference §5.2),
//! stricter where a human approves: a CSR shiftdeck calls valid passes every check below.
//!
//! Check ids are stable (used in the CHECK column, the audit log and tests):
//!
//! | id | kinds | what |
//! |---|---|---|
//! | `signer` | all | signer is the kubelet client or serving signer |
//! | `decode` | all | `spec.request` is a PEM PKCS#10 request |
//! | `signature` | all | the request's self-signature verifies |
//! | `requestor` | client, serving | who asked (bootstrapper / the node itself) |
//! | `groups` | client, serving | the requestor's groups |
//! | `subject-cn` | client, serving | CN is `system:node:<name>` |
//! | `subject-o` | client, serving | O is `system:nodes` |
//! | `usages` | client, serving | exact key usages |
//! | `no-sans` | client | no SANs |
//! | `node-absent` | client | no Node of that name yet (or a renewal by that node) |
//! | `machine` | client (Machine API) | a Machine has that name as InternalDNS/Hostname |
//! | `machine-noderef` | client (Machine API) | that Machine has no nodeRef yet |
//! | `machine-window` | client (Machine API) | CSR created in machine creation −10 s … +2 h |
//! | `node-exists` | serving | the Node exists |
//! | `sans-match` | serving | every SAN is one of the Node's (or its Machine's) addresses |
//!
//! `validate` decodes the request and verifies its signature: cache results per CSR resourceVersion
//! (and Node/Machine store changes) rather than calling it on every frame.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use super::decode::{DecodeError, DecodedRequest, decode_csr};
use super::{
    AUTHENTICATED_GROUP, CsrKind, NODE_BOOTSTRAPPER, NODE_BOOTSTRAPPER_GROUPS, NODES_GROUP,
    created, node_name_from, parse_time,
};

/// Looks Nodes up by name (implemented for maps by name and `Vec<Node>`).
pub trait NodeLookup {
    /// The Node called `name`, if it exists.
    fn node(&self, name: &str) -> Option<&Node>;
}

impl NodeLookup for BTreeMap<String, Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.get(name)
    }
}

impl NodeLookup for HashMap<String, Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.get(name)
    }
}

impl NodeLookup for Vec<Node> {
    fn node(&self, name: &str) -> Option<&Node> {
        self.iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
    }
}

/// Everything the checks look at besides the CSR.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// Nodes by name.
    pub nodes: &'a dyn NodeLookup,
    /// `machine.openshift.io/v1beta1` Machines as JSON; `None` when the cluster has no Machine API
    /// (the Machine checks are then left out and the admin must confirm the node's identity).
    pub machines: Option<&'a [Value]>,
    /// The current time (for countdowns and policies built on the validation).
    pub now: Timestamp,
}

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable short id, e.g. `groups`.
    pub id: &'static str,
    /// Human title, e.g. "Requestor groups".
    pub title: &'static str,
    /// Whether the check passed.
    pub passed: bool,
    /// Plain-words reason, for passing and failing checks alike.
    pub reason: String,
}

/// The outcome of all checks for one CSR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// What the CSR is for.
    #[serde(serialize_with = "ser_kind")]
    pub kind: CsrKind,
    /// Node name from the CN (or, failing that, from a `system:node:` requestor).
    pub node: Option<String>,
    /// Checks in display order.
    pub checks: Vec<Check>,
    /// A client CSR requested by `system:node:<name>` for that same node (certificate renewal).
    pub renewal: bool,
}

fn ser_kind<S: serde::Serializer>(k: &CsrKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&k.short())
}

impl Validation {
    /// True when there is at least one check and every check passed.
    pub fn passed_all(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    /// The first failed check, in display order.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.passed)
    }

    /// Ids of the failed checks, in display order.
    pub fn failed_ids(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id)
            .collect()
    }

    /// Whether the node's identity is confirmed by something other than the CSR's own claims:
    /// for a client CSR, a passing `machine` check (Machine API) or a renewal by the node itself;
    /// for a serving CSR, the requestor is the node (authenticated by its client certificate) and the
    /// Node exists. Without it a human must confirm the identity (see `approval::auto_approve`).
    pub fn identity_confirmed(&self) -> bool {
        let passed = |id: &str| self.checks.iter().any(|c| c.id == id && c.passed);
        match self.kind {
            CsrKind::Client => (self.renewal && passed("node-absent")) || passed("machine"),
            CsrKind::Serving => passed("requestor") && passed("node-exists"),
            CsrKind::Other(_) => false,
        }
    }

    /// One-line summary: `all 12 checks passed` or `failed: groups, usages`.
    pub fn summary(&self) -> String {
        if self.passed_all() {
            format!("all {} checks passed", self.checks.len())
        } else {
            format!("failed: {}", self.failed_ids().join(", "))
        }
    }
}

fn check(id: &'static str, title: &'static str, passed: bool, reason: impl Into<String>) -> Check {
    Check {
        id,
        title,
        passed,
        reason: reason.into(),
    }
}

/// Decodes and validates one CSR.
pub fn validate(csr: &CertificateSigningRequest, inputs: &Inputs<'_>) -> Validation {
    validate_decoded(csr, &decode_csr(csr), inputs)
}

/// Validates a CSR whose request was already decoded (so the details view can reuse the decode).
pub fn validate_decoded(
    csr: &CertificateSigningRequest,
    decoded: &Result<DecodedRequest, DecodeError>,
    inputs: &Inputs<'_>,
) -> Validation {
    let kind = CsrKind::of(csr);
    let username = csr.spec.username.as_deref().unwrap_or_default();
    let node = decoded
        .as_ref()
        .ok()
        .and_then(|d| d.common_name())
        .and_then(node_name_from)
        .or_else(|| node_name_from(username))
        .map(str::to_string);
    let mut checks = Vec::new();
    checks.push(match &kind {
        CsrKind::Other(s) => check(
            "signer",
            "Kubelet signer",
            false,
            format!(
                "signer {s} is not a kubelet client or serving signer; shiftdeck never approves it"
            ),
        ),
        k => check(
            "signer",
            "Kubelet signer",
            true,
            format!("{} ({})", csr.spec.signer_name, k.short()),
        ),
    });
    let d = match decoded {
        Ok(d) => {
            checks.push(check(
                "decode",
                "Request decodes",
                true,
                "spec.request is a PEM PKCS#10 certificate request",
            ));
            d
        }
        Err(e) => {
            checks.push(check("decode", "Request decodes", false, e.to_string()));
            return Validation {
                kind,
                node,
                checks,
                renewal: false,
            };
        }
    };
    checks.push(if d.signature_valid {
        check(
            "signature",
            "Self-signature",
            true,
            "signed by the key it asks a certificate for",
        )
    } else {
        check(
            "signature",
            "Self-signature",
            false,
            format!(
                "the request's signature does not verify: {}",
                d.signature_error
            ),
        )
    });
    let ctx = Ctx {
        csr,
        d,
        node: node.as_deref(),
        username,
        groups: csr.spec.groups.as_deref().unwrap_or_default(),
        inputs,
    };
    let renewal = kind == CsrKind::Client && ctx.is_renewal();
    match kind {
        CsrKind::Client => ctx.client(&mut checks),
        CsrKind::Serving => ctx.serving(&mut checks),
        CsrKind::Other(_) => {}
    }
    Validation {
        kind,
        node,
        checks,
        renewal,
    }
}

struct Ctx<'a> {
    csr: &'a CertificateSigningRequest,
    d: &'a DecodedRequest,
    node: Option<&'a str>,
    username: &'a str,
    groups: &'a [String],
    inputs: &'a Inputs<'a>,
}

const CLIENT_USAGES: [&[&str]; 2] = [
    &["client auth", "digital signature"],
    &["client auth", "digital signature", "key encipherment"],
];
const SERVING_USAGES: [&[&str]; 2] = [
    &["digital signature", "server auth"],
    &["digital signature", "key encipherment", "server auth"],
];
const MACHINE_WINDOW_BEFORE: SignedDuration = SignedDuration::from_secs(10);
const MACHINE_WINDOW_AFTER: SignedDuration = SignedDuration::from_secs(2 * 3600);

impl Ctx<'_> {
    /// `system:node:<name>` renewing its own client certificate.
    fn is_renewal(&self) -> bool {
        self.node.is_some() && node_name_from(self.username) == self.node
    }

    fn client(&self, out: &mut Vec<Check>) {
        let renewal = self.is_renewal();
        out.push(if self.username == NODE_BOOTSTRAPPER {
            check("requestor", "Requestor", true, "the node-bootstrapper service account (new node)")
        } else if renewal {
            check("requestor", "Requestor", true, format!("{} itself (renewal)", self.username))
        } else {
            check(
                "requestor",
                "Requestor",
                false,
                format!(
                    "requested by {:?}; expected the node-bootstrapper service account or the node itself",
                    self.username
                ),
            )
        });
        if renewal {
            self.groups_check(out, &[NODES_GROUP, AUTHENTICATED_GROUP]);
        } else {
            self.groups_check(out, &NODE_BOOTSTRAPPER_GROUPS);
        }
        self.cn_check(out);
        let o_ok = self.d.organizations == [NODES_GROUP];
        out.push(check(
            "subject-o",
            "Organization",
            o_ok,
            if o_ok {
                "O is system:nodes".to_string()
            } else {
                format!(
                    "O is {:?}; expected exactly system:nodes",
                    self.d.organizations
                )
            },
        ));
        self.usages_check(out, &CLIENT_USAGES, "client auth + digital signature");
        out.push(if self.d.has_sans() {
            check(
                "no-sans",
                "No SANs",
                false,
                format!(
                    "a client certificate must not carry SANs; found {}",
                    self.san_list()
                ),
            )
        } else {
            check("no-sans", "No SANs", true, "no SANs")
        });
        let Some(node) = self.node else {
            out.push(check(
                "node-absent",
                "New node",
                false,
                "no node name in the CN",
            ));
            return;
        };
        let exists = self.inputs.nodes.node(node).is_some();
        out.push(match (renewal, exists) {
            (false, false) => check("node-absent", "New node", true, format!("no Node {node} exists yet")),
            (false, true) => check(
                "node-absent",
                "New node",
                false,
                format!("Node {node} already exists; only the node itself may renew its client certificate"),
            ),
            (true, true) => check("node-absent", "New node", true, format!("renewal by existing Node {node}")),
            (true, false) => check(
                "node-absent",
                "New node",
                false,
                format!("renewal requested by {} but no Node {node} exists", self.username),
            ),
        });
        if let Some(machines) = self.inputs.machines {
            self.client_machine(out, machines, node, renewal);
        }
    }

    fn client_machine(&self, out: &mut Vec<Check>, machines: &[Value], node: &str, renewal: bool) {
        if renewal {
            let found = machines.iter().find(|m| node_ref(m) == Some(node));
            out.push(match found {
                Some(m) => check(
                    "machine",
                    "Machine",
                    true,
                    format!("Machine {} has nodeRef {node}", machine_name(m)),
                ),
                None => check(
                    "machine",
                    "Machine",
                    false,
                    format!("no Machine has nodeRef {node}"),
                ),
            });
            return;
        }
        let found = machines.iter().find(|m| {
            machine_addresses(m)
                .iter()
                .any(|(t, a)| matches!(*t, "InternalDNS" | "Hostname") && dns_eq(a, node))
        });
        let Some(m) = found else {
            out.push(check(
                "machine",
                "Machine",
                false,
                format!("no Machine has InternalDNS or Hostname address {node}"),
            ));
            return;
        };
        let mname = machine_name(m);
        out.push(check(
            "machine",
            "Machine",
            true,
            format!("Machine {mname} has address {node}"),
        ));
        out.push(match node_ref(m) {
            None => check(
                "machine-noderef",
                "Machine not yet a node",
                true,
                format!("Machine {mname} has no nodeRef yet"),
            ),
            Some(r) => check(
                "machine-noderef",
                "Machine not yet a node",
                false,
                format!("Machine {mname} already has nodeRef {r}"),
            ),
        });
        let mcreated = m
            .pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str)
            .and_then(parse_time);
        out.push(match (mcreated, created(self.csr)) {
            (Some(mc), Some(cc)) => {
                let ok = cc > mc - MACHINE_WINDOW_BEFORE && cc < mc + MACHINE_WINDOW_AFTER;
                let offset = cc.duration_since(mc);
                check(
                    "machine-window",
                    "Created in the Machine's window",
                    ok,
                    format!(
                        "CSR created {} after Machine {mname}{}",
                        fmt_signed(offset),
                        if ok {
                            ""
                        } else {
                            "; expected between -10s and +2h"
                        }
                    ),
                )
            }
            _ => check(
                "machine-window",
                "Created in the Machine's window",
                false,
                "missing creation time on the CSR or the Machine",
            ),
        });
    }

    fn serving(&self, out: &mut Vec<Check>) {
        let cn = self.d.common_name().unwrap_or_default();
        out.push(match node_name_from(self.username) {
            None => check(
                "requestor",
                "Requestor",
                false,
                format!("requested by {:?}; a serving certificate must be requested by system:node:<name>", self.username),
            ),
            Some(_) if self.username != cn => check(
                "requestor",
                "Requestor",
                false,
                format!("requested by {} but the CN is {cn:?}", self.username),
            ),
            Some(_) => check("requestor", "Requestor", true, format!("{} (the node named in the CN)", self.username)),
        });
        self.groups_check(out, &[NODES_GROUP, AUTHENTICATED_GROUP]);
        self.cn_check(out);
        let o_ok = self.d.organizations.iter().any(|o| o == NODES_GROUP);
        out.push(check(
            "subject-o",
            "Organization",
            o_ok,
            if o_ok {
                "O includes system:nodes".to_string()
            } else {
                format!("O is {:?}; expected system:nodes", self.d.organizations)
            },
        ));
        self.usages_check(out, &SERVING_USAGES, "server auth + digital signature");
        let node_obj = self.node.and_then(|n| self.inputs.nodes.node(n));
        out.push(match (self.node, node_obj) {
            (Some(n), Some(_)) => check(
                "node-exists",
                "Node exists",
                true,
                format!("Node {n} exists"),
            ),
            (Some(n), None) => check(
                "node-exists",
                "Node exists",
                false,
                format!("no Node {n} exists"),
            ),
            (None, _) => check(
                "node-exists",
                "Node exists",
                false,
                "no node name in the CN",
            ),
        });
        let mut addrs: Vec<(String, String)> = node_obj
            .and_then(|n| n.status.as_ref())
            .and_then(|s| s.addresses.as_ref())
            .map(|a| {
                a.iter()
                    .map(|a| (a.type_.clone(), a.address.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if let (Some(machines), Some(n)) = (self.inputs.machines, self.node) {
            for m in machines.iter().filter(|m| node_ref(m) == Some(n)) {
                addrs.extend(
                    machine_addresses(m)
                        .into_iter()
                        .map(|(t, a)| (t.to_string(), a.to_string())),
                );
            }
        }
        out.push(sans_check(self.d, &addrs));
    }

    fn groups_check(&self, out: &mut Vec<Check>, required: &[&str]) {
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| !self.groups.iter().any(|g| g == r))
            .collect();
        out.push(if missing.is_empty() {
            check(
                "groups",
                "Requestor groups",
                true,
                format!("includes {}", required.join(", ")),
            )
        } else {
            check(
                "groups",
                "Requestor groups",
                false,
                format!("missing group(s): {}", missing.join(", ")),
            )
        });
    }

    fn cn_check(&self, out: &mut Vec<Check>) {
        let cns = &self.d.common_names;
        out.push(match cns.as_slice() {
            [] => check("subject-cn", "Common name", false, "the request has no CN"),
            [cn] if node_name_from(cn).is_some() => {
                check("subject-cn", "Common name", true, format!("CN is {cn}"))
            }
            [cn] => check(
                "subject-cn",
                "Common name",
                false,
                format!("CN {cn:?} is not system:node:<name>"),
            ),
            many => check(
                "subject-cn",
                "Common name",
                false,
                format!("several CNs: {}", many.join(", ")),
            ),
        });
    }

    fn usages_check(&self, out: &mut Vec<Check>, allowed: &[&[&str]], words: &str) {
        let usages: BTreeSet<&str> = self
            .csr
            .spec
            .usages
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let ok = allowed
            .iter()
            .any(|set| set.len() == usages.len() && set.iter().all(|u| usages.contains(u)));
        let list = usages.iter().copied().collect::<Vec<_>>().join(", ");
        out.push(if ok {
            check("usages", "Key usages", true, list)
        } else {
            check(
                "usages",
                "Key usages",
                false,
                format!(
                    "usages are [{list}]; expected {words} (key encipherment allowed), nothing else"
                ),
            )
        });
    }

    fn san_list(&self) -> String {
        let d = self.d;
        d.dns_sans
            .iter()
            .cloned()
            .chain(d.ip_sans.iter().map(IpAddr::to_string))
            .chain(d.email_sans.iter().cloned())
            .chain(d.uri_sans.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn sans_check(d: &DecodedRequest, addrs: &[(String, String)]) -> Check {
    let mut bad: Vec<String> = Vec::new();
    for dns in &d.dns_sans {
        let ok = addrs.iter().any(|(t, a)| {
            matches!(t.as_str(), "InternalDNS" | "ExternalDNS" | "Hostname") && dns_eq(a, dns)
        });
        if !ok {
            bad.push(dns.clone());
        }
    }
    for ip in &d.ip_sans {
        let ok = addrs.iter().any(|(t, a)| {
            matches!(t.as_str(), "InternalIP" | "ExternalIP")
                && a.parse::<IpAddr>().ok() == Some(*ip)
        });
        if !ok {
            bad.push(ip.to_string());
        }
    }
    bad.extend(d.email_sans.iter().cloned());
    bad.extend(d.uri_sans.iter().cloned());
    if bad.is_empty() {
        let n = d.dns_sans.len() + d.ip_sans.len();
        check(
            "sans-match",
            "SANs are the node's addresses",
            true,
            format!("all {n} SAN(s) are the node's addresses"),
        )
    } else {
        check(
            "sans-match",
            "SANs are the node's addresses",
            false,
            format!("not among the node's addresses: {}", bad.join(", ")),
        )
    }
}

/// Case-insensitive DNS name equality ignoring one trailing dot.
fn dns_eq(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

fn node_ref(m: &Value) -> Option<&str> {
    m.pointer("/status/nodeRef/name").and_then(Value::as_str)
}

fn machine_name(m: &Value) -> &str {
    m.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
}

fn machine_addresses(m: &Value) -> Vec<(&str, &str)> {
    m.pointer("/status/addresses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| Some((x.get("type")?.as_str()?, x.get("address")?.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// `+1h2m3s` / `-5s` style.
pub(crate) fn fmt_signed(d: SignedDuration) -> String {
    let s = d.as_secs();
    let sign = if s < 0 { "-" } else { "+" };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, (a / 60) % 60, a % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{sign}{m}m{sec}s")
    } else {
        format!("{sign}{sec}s")
    }
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
