//! The per-kind check rules behind [`super::checks::validate`]: cluster-machine-approver's
//! `authorizeCSR` (pkg/controller/csr_check.go) and the kubelet signers' own checks, stricter
//! only where the README's rules table says why.

use std::collections::BTreeSet;
use std::net::IpAddr;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::SignedDuration;
use serde_json::Value;

use super::decode::DecodedRequest;
use super::machines::{MachineIndex, node_ref};
use super::validation::{Check, Inputs, check, fmt_signed};
use super::{
    AUTHENTICATED_GROUP, NODE_BOOTSTRAPPER, NODE_BOOTSTRAPPER_GROUPS, NODES_GROUP, created,
    is_valid_node_name, node_name_from, parse_time,
};

pub(super) struct Ctx<'a> {
    pub(super) csr: &'a CertificateSigningRequest,
    pub(super) d: &'a DecodedRequest,
    pub(super) node: Option<&'a str>,
    pub(super) username: &'a str,
    pub(super) groups: &'a [String],
    pub(super) inputs: &'a Inputs<'a>,
}

const DIGITAL_SIGNATURE: &str = "digital signature";
const KEY_ENCIPHERMENT: &str = "key encipherment";
const CLIENT_AUTH: &str = "client auth";
const SERVER_AUTH: &str = "server auth";
/// The kubelet client signer's usage sets (`ValidateKubeletClientCSR`): compared as sets.
const CLIENT_USAGES: [&[&str]; 2] = [
    &[CLIENT_AUTH, DIGITAL_SIGNATURE],
    &[CLIENT_AUTH, DIGITAL_SIGNATURE, KEY_ENCIPHERMENT],
];
/// Groups of a node's own credentials (a client certificate with O = system:nodes).
const NODE_GROUPS: [&str; 2] = [NODES_GROUP, AUTHENTICATED_GROUP];
const MACHINE_WINDOW_BEFORE: SignedDuration = SignedDuration::from_secs(10);
const MACHINE_WINDOW_AFTER: SignedDuration = SignedDuration::from_secs(2 * 3600);

impl Ctx<'_> {
    /// `system:node:<name>` renewing its own client certificate.
    pub(super) fn is_renewal(&self) -> bool {
        self.node.is_some() && node_name_from(self.username) == self.node
    }

    /// Approved already (issued or not): checks of "not joined yet" describe the moment of
    /// approval, so the Node and nodeRef that followed are not failures.
    fn was_approved(&self) -> bool {
        matches!(
            super::state::csr_state(self.csr),
            super::state::CsrState::Approved | super::state::CsrState::Failed
        )
    }

    pub(super) fn client(&self, out: &mut Vec<Check>) {
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
            self.groups_check(out, &NODE_GROUPS, "the node's own groups");
        } else {
            self.groups_check(
                out,
                &NODE_BOOTSTRAPPER_GROUPS,
                "the node-bootstrapper's groups",
            );
        }
        self.cn_check(out);
        self.o_check(out);
        self.client_usages_check(out);
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
            // The Node an approved bootstrap CSR let join is expected, not a failure of its history.
            (false, true) if self.was_approved() => check(
                "node-absent",
                "New node",
                true,
                format!("Node {node} joined after this CSR was approved"),
            ),
            (false, true) => check(
                "node-absent",
                "New node",
                false,
                format!(
                    "Node {node} already exists: a bootstrap request for an existing node is never approved; \
                     if the machine was really reinstalled, delete its stale Node first"
                ),
            ),
            (true, true) => check("node-exists", "Node exists", true, format!("renewal by existing Node {node}")),
            (true, false) => check(
                "node-exists",
                "Node exists",
                false,
                format!("renewal requested by {} but no Node {node} exists", self.username),
            ),
        });
        if let Some(machines) = self.inputs.machines {
            self.client_machine(out, machines, node, renewal);
        }
    }

    fn client_machine(
        &self,
        out: &mut Vec<Check>,
        machines: &MachineIndex,
        node: &str,
        renewal: bool,
    ) {
        if renewal {
            let found = machines.with_node_ref(node);
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
        // FindMatchingMachineFromInternalDNS: an InternalDNS address that is the node name
        // (case and one trailing dot aside).
        let found = machines.with_internal_dns(node);
        let Some(m) = found else {
            out.push(check(
                "machine",
                "Machine",
                false,
                format!("no Machine has InternalDNS address {node}"),
            ));
            return;
        };
        let mname = machine_name(m);
        out.push(check(
            "machine",
            "Machine",
            true,
            format!("Machine {mname} has InternalDNS address {node}"),
        ));
        out.push(match node_ref(m) {
            None => check(
                "machine-noderef",
                "Machine not yet a node",
                true,
                format!("Machine {mname} has no nodeRef yet"),
            ),
            Some(r) if self.was_approved() => check(
                "machine-noderef",
                "Machine not yet a node",
                true,
                format!("Machine {mname} got nodeRef {r} after this CSR was approved"),
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

    pub(super) fn serving(&self, out: &mut Vec<Check>) {
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
        self.groups_check(out, &NODE_GROUPS, "the node's own groups");
        self.cn_check(out);
        self.o_check(out);
        self.serving_usages_check(out);
        out.push(self.san_types_check());
        let Some(node) = self.node else {
            return;
        };
        // SANs are vouched for by the Machine whose nodeRef is the node (never by the Node's own
        // status.addresses, which its kubelet writes). Without the Machine API nothing vouches:
        // the approval then needs the node name typed (see `Validation::identity_confirmed`).
        let Some(machines) = self.inputs.machines else {
            return;
        };
        let Some(m) = machines.with_node_ref(node) else {
            out.push(check(
                "machine",
                "Machine",
                false,
                format!("no Machine has nodeRef {node}, so nothing vouches for the SANs"),
            ));
            return;
        };
        out.push(check(
            "machine",
            "Machine",
            true,
            format!("Machine {} has nodeRef {node}", machine_name(m)),
        ));
        out.push(sans_check(
            self.d,
            &super::machines::addresses(m),
            machine_name(m),
        ));
    }

    /// The exact group set: cluster-machine-approver compares the bootstrapper's as a set; a node's
    /// credentials carry exactly these two.
    fn groups_check(&self, out: &mut Vec<Check>, required: &[&str], whose: &str) {
        let have: BTreeSet<&str> = self.groups.iter().map(String::as_str).collect();
        let want: BTreeSet<&str> = required.iter().copied().collect();
        let missing: Vec<&str> = want.difference(&have).copied().collect();
        let extra: Vec<&str> = have.difference(&want).copied().collect();
        out.push(if missing.is_empty() && extra.is_empty() {
            check(
                "groups",
                "Requestor groups",
                true,
                format!("exactly {whose}"),
            )
        } else {
            let mut why = Vec::new();
            if !missing.is_empty() {
                why.push(format!("missing {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                why.push(format!("unexpected {}", extra.join(", ")));
            }
            check(
                "groups",
                "Requestor groups",
                false,
                format!(
                    "{}; expected exactly {}",
                    why.join("; "),
                    required.join(", ")
                ),
            )
        });
    }

    fn o_check(&self, out: &mut Vec<Check>) {
        let ok = self.d.organizations == [NODES_GROUP];
        out.push(check(
            "subject-o",
            "Organization",
            ok,
            if ok {
                "O is exactly system:nodes".to_string()
            } else {
                format!(
                    "O is {:?}; expected exactly [\"system:nodes\"]",
                    self.d.organizations
                )
            },
        ));
    }

    fn cn_check(&self, out: &mut Vec<Check>) {
        let cns = &self.d.common_names;
        out.push(match cns.as_slice() {
            [] => check("subject-cn", "Common name", false, "the request has no CN"),
            [cn] => match node_name_from(cn) {
                Some(n) if is_valid_node_name(n) => {
                    check("subject-cn", "Common name", true, format!("CN is {cn}"))
                }
                Some(n) => check(
                    "subject-cn",
                    "Common name",
                    false,
                    format!("{n:?} is not a valid node name (DNS-1123 subdomain)"),
                ),
                None => check(
                    "subject-cn",
                    "Common name",
                    false,
                    format!("CN {cn:?} is not system:node:<name>"),
                ),
            },
            many => check(
                "subject-cn",
                "Common name",
                false,
                format!("several CNs: {}", many.join(", ")),
            ),
        });
    }

    fn usages(&self) -> Vec<&str> {
        self.csr
            .spec
            .usages
            .iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// The kubelet client signer's rule: the usage set is {client auth, digital signature}, plus
    /// key encipherment optionally.
    fn client_usages_check(&self, out: &mut Vec<Check>) {
        let usages = self.usages();
        let set: BTreeSet<&str> = usages.iter().copied().collect();
        let ok = CLIENT_USAGES
            .iter()
            .any(|a| a.iter().copied().collect::<BTreeSet<_>>() == set);
        out.push(usages_result(
            ok,
            &usages,
            "exactly client auth + digital signature (key encipherment allowed)",
        ));
    }

    /// cluster-machine-approver's rule (2 or 3 usages including digital signature and server
    /// auth), and nothing outside digital signature, key encipherment, server auth, client auth.
    fn serving_usages_check(&self, out: &mut Vec<Check>) {
        let usages = self.usages();
        let set: BTreeSet<&str> = usages.iter().copied().collect();
        let known = [
            DIGITAL_SIGNATURE,
            KEY_ENCIPHERMENT,
            SERVER_AUTH,
            CLIENT_AUTH,
        ];
        let ok = matches!(usages.len(), 2 | 3)
            && set.contains(DIGITAL_SIGNATURE)
            && set.contains(SERVER_AUTH)
            && set.iter().all(|u| known.contains(u));
        out.push(usages_result(
            ok,
            &usages,
            "server auth + digital signature, with at most one of key encipherment or client auth",
        ));
    }

    /// The kubelet serving signer refuses email and URI SANs and needs a DNS or IP SAN.
    fn san_types_check(&self) -> Check {
        let d = self.d;
        let odd: Vec<String> = d.email_sans.iter().chain(&d.uri_sans).cloned().collect();
        if !odd.is_empty() {
            check(
                "san-types",
                "SAN types",
                false,
                format!(
                    "email or URI SANs are never signed for a kubelet: {}",
                    odd.join(", ")
                ),
            )
        } else if d.dns_sans.is_empty() && d.ip_sans.is_empty() {
            check(
                "san-types",
                "SAN types",
                false,
                "no DNS or IP SAN: a serving certificate names the node's addresses",
            )
        } else {
            check("san-types", "SAN types", true, "DNS and IP SANs only")
        }
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

fn usages_result(ok: bool, usages: &[&str], words: &str) -> Check {
    let mut sorted = usages.to_vec();
    sorted.sort_unstable();
    let list = sorted.join(", ");
    if ok {
        check("usages", "Key usages", true, list)
    } else {
        check(
            "usages",
            "Key usages",
            false,
            format!("usages are [{list}]; expected {words}"),
        )
    }
}

/// authorizeServingCertWithMachine: every DNS SAN is one of the Machine's InternalDNS,
/// ExternalDNS or Hostname addresses (case-insensitive, the address's trailing dot ignored),
/// every IP SAN one of its InternalIP or ExternalIP addresses.
fn sans_check(d: &DecodedRequest, addrs: &[(&str, &str)], machine: &str) -> Check {
    let mut bad: Vec<String> = Vec::new();
    for dns in d.dns_sans.iter().filter(|s| !s.is_empty()) {
        let ok = addrs.iter().any(|(t, a)| {
            matches!(*t, "InternalDNS" | "ExternalDNS" | "Hostname")
                && a.strip_suffix('.').unwrap_or(a).eq_ignore_ascii_case(dns)
        });
        if !ok {
            bad.push(dns.clone());
        }
    }
    for ip in &d.ip_sans {
        let ok = addrs.iter().any(|(t, a)| {
            matches!(*t, "InternalIP" | "ExternalIP") && a.parse::<IpAddr>().ok() == Some(*ip)
        });
        if !ok {
            bad.push(ip.to_string());
        }
    }
    if bad.is_empty() {
        let n = d.dns_sans.len() + d.ip_sans.len();
        check(
            "sans-match",
            "SANs are the Machine's addresses",
            true,
            format!("all {n} SAN(s) are addresses of Machine {machine}"),
        )
    } else {
        check(
            "sans-match",
            "SANs are the Machine's addresses",
            false,
            format!(
                "not among Machine {machine}'s addresses: {}",
                bad.join(", ")
            ),
        )
    }
}

fn machine_name(m: &Value) -> &str {
    m.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
}
