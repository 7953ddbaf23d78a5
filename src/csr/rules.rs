//! The per-kind check rules behind [`super::checks::validate`] (reference §5.2).

use std::net::IpAddr;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::jiff::SignedDuration;
use serde_json::Value;

use super::checks::{Check, Inputs, check, fmt_signed};
use super::decode::DecodedRequest;
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
    pub(super) fn is_renewal(&self) -> bool {
        self.node.is_some() && node_name_from(self.username) == self.node
    }

    /// Approved already (issued or not): checks of "not joined yet" describe the moment of
    /// approval, so the Node and nodeRef that followed are not failures.
    fn was_approved(&self) -> bool {
        matches!(
            super::rows::csr_state(self.csr),
            super::rows::CsrState::Approved | super::rows::CsrState::Failed
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

    fn usages_check(&self, out: &mut Vec<Check>, allowed: &[&[&str]], words: &str) {
        // Compared as sorted lists, so a duplicated usage fails like in cluster-machine-approver.
        let mut usages: Vec<&str> = self
            .csr
            .spec
            .usages
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        usages.sort_unstable();
        let ok = allowed.contains(&usages.as_slice());
        let list = usages.join(", ");
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
