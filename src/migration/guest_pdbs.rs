//! Guest PodDisruptionBudgets that could block draining the guest nodes of non-migratable VMIs.
//!
//! Draining an infra node makes CAPK drain the guest node of every VMI that cannot live-migrate
//! (facts §4.1). That drain evicts the guest's pods through the eviction API, which refuses an
//! eviction when a PodDisruptionBudget selecting the pod allows no more disruptions. This module
//! is pure: given a guest's PDBs and pods (as JSON) and the drained guest node names, it says per
//! PDB how many of its pods run there and whether it blocks the drain. The guest is read by
//! `crate::guest::guest_pdbs`, which reports per hosted cluster as a [`GuestPdbReport`].
//!
//! Eviction API rules followed (`pkg/registry/core/pod/storage/eviction.go`): pods that are
//! Succeeded, Failed or Pending, or already being deleted, ignore PDBs; a PDB whose selector does
//! not parse is skipped; a pod selected by more than one PDB cannot be evicted at all; a PDB whose
//! status was never computed refuses evictions. Selector semantics are policy/v1's: `{}` selects
//! every pod of the PDB's namespace, a missing (or null) selector selects none.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::maintenance::MaintenanceReport;
use crate::fetched::GuestRef;
use crate::fleet::hosted::kubeconfig_ref;
use crate::fleet::hosted_details::control_plane_namespace;
use crate::fleet::util::{i64_at, name, namespace, str_at};

/// What a PDB means for the drain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PdbVerdict {
    /// Allows no disruption (or refuses eviction outright) while selected pods run on drained
    /// nodes: the drain waits until the PDB allows it.
    Blocks,
    /// More selected pods run on drained nodes than disruptions allowed: evicted in turns.
    MaySlow,
    /// Nothing to wait for.
    Fine,
}

impl PdbVerdict {
    pub fn word(self) -> &'static str {
        match self {
            PdbVerdict::Blocks => "blocks",
            PdbVerdict::MaySlow => "may slow",
            PdbVerdict::Fine => "fine",
        }
    }
}

/// One PDB of a guest cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdbCheck {
    pub namespace: String,
    pub name: String,
    /// `status.disruptionsAllowed` (None: the status was never computed).
    pub disruptions_allowed: Option<i64>,
    /// Selected, evictable pods on the drained nodes.
    pub on_drained: usize,
    /// Why the verdict is not the plain arithmetic one (bad selector, pod with two PDBs, ...).
    pub note: Option<String>,
    pub verdict: PdbVerdict,
}

impl PdbCheck {
    /// `shop/checkout`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `shop/checkout (0 disruptions allowed, 1 pod on drained nodes)`.
    pub fn describe(&self) -> String {
        let allowed = match self.disruptions_allowed {
            Some(n) => format!("{n} disruption(s) allowed"),
            None => "status not computed".to_string(),
        };
        let mut s = format!(
            "{} ({allowed}, {} pod(s) on drained nodes",
            self.key(),
            self.on_drained
        );
        if let Some(n) = &self.note {
            s.push_str("; ");
            s.push_str(n);
        }
        s.push(')');
        s
    }

    pub fn to_json(&self) -> Value {
        json!({
            "namespace": self.namespace,
            "name": self.name,
            "disruptionsAllowed": self.disruptions_allowed,
            "podsOnDrainedNodes": self.on_drained,
            "verdict": self.verdict.word(),
            "note": self.note,
        })
    }
}

/// A parsed label selector.
#[derive(Debug, PartialEq)]
enum Selector {
    /// Selects nothing (missing selector).
    Nothing,
    /// All requirements must hold (none: everything).
    All(Vec<Requirement>),
}

#[derive(Debug, PartialEq)]
enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

fn strings(v: Option<&Value>) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "values must be strings".to_string())
            })
            .collect(),
        Some(_) => Err("values must be a list".into()),
    }
}

/// Parse `spec.selector` (policy/v1 semantics; invalid selectors are errors).
fn parse_selector(sel: Option<&Value>) -> Result<Selector, String> {
    let obj = match sel {
        None | Some(Value::Null) => return Ok(Selector::Nothing),
        Some(Value::Object(o)) => o,
        Some(_) => return Err("selector is not an object".into()),
    };
    let mut reqs = Vec::new();
    match obj.get("matchLabels") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("matchLabels.{k} is not a string"))?;
                reqs.push(Requirement::Equals(k.clone(), v.to_string()));
            }
        }
        Some(_) => return Err("matchLabels is not a map".into()),
    }
    let exprs = match obj.get("matchExpressions") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err("matchExpressions is not a list".into()),
    };
    for e in exprs {
        let key = e
            .get("key")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .ok_or("matchExpressions entry without a key")?
            .to_string();
        let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
        let values = strings(e.get("values")).map_err(|w| format!("{key}: {w}"))?;
        reqs.push(match op {
            "In" | "NotIn" if values.is_empty() => {
                return Err(format!("{key} {op} needs values"));
            }
            "In" => Requirement::In(key, values),
            "NotIn" => Requirement::NotIn(key, values),
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                return Err(format!("{key} {op} takes no values"));
            }
            "Exists" => Requirement::Exists(key),
            "DoesNotExist" => Requirement::DoesNotExist(key),
            other => return Err(format!("unknown operator `{other}` for {key}")),
        });
    }
    Ok(Selector::All(reqs))
}

impl Selector {
    fn matches(&self, pod: &Value) -> bool {
        let labels = pod.pointer("/metadata/labels").and_then(Value::as_object);
        let get = |k: &str| labels.and_then(|m| m.get(k)).and_then(Value::as_str);
        match self {
            Selector::Nothing => false,
            Selector::All(reqs) => reqs.iter().all(|r| match r {
                Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
                Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
                Requirement::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
                Requirement::Exists(k) => get(k).is_some(),
                Requirement::DoesNotExist(k) => get(k).is_none(),
            }),
        }
    }
}

/// Whether the eviction API checks PDBs for this pod (not terminal, not Pending, not deleting).
fn evictable(pod: &Value) -> bool {
    !matches!(
        str_at(pod, "/status/phase"),
        Some("Succeeded" | "Failed" | "Pending")
    ) && pod.pointer("/metadata/deletionTimestamp").is_none()
}

/// Check every PDB against the evictable pods on `drained` nodes. Sorted: blocking first, then
/// slowing, then fine; by namespace/name within each. Objects without a name are ignored.
pub fn check_pdbs(pdbs: &[Value], pods: &[Value], drained: &[String]) -> Vec<PdbCheck> {
    let drained: BTreeSet<&str> = drained.iter().map(String::as_str).collect();
    let pods: Vec<&Value> = pods
        .iter()
        .filter(|p| str_at(p, "/spec/nodeName").is_some_and(|n| drained.contains(n)))
        .filter(|p| evictable(p) && !name(p).is_empty())
        .collect();
    let parsed: Vec<(&Value, Result<Selector, String>)> = pdbs
        .iter()
        .filter(|p| !name(p).is_empty())
        .map(|p| (p, parse_selector(p.pointer("/spec/selector"))))
        .collect();
    // Pods on drained nodes -> the PDBs selecting them (the eviction API refuses when > 1).
    let mut selected: Vec<Vec<&Value>> = vec![Vec::new(); parsed.len()];
    let mut pdbs_of: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, (pdb, sel)) in parsed.iter().enumerate() {
        let Ok(sel) = sel else { continue };
        for p in pods
            .iter()
            .filter(|p| namespace(p) == namespace(pdb) && sel.matches(p))
        {
            selected[i].push(p);
            *pdbs_of.entry((namespace(p), name(p))).or_default() += 1;
        }
    }
    let mut out: Vec<PdbCheck> = parsed
        .iter()
        .zip(&selected)
        .map(|((pdb, sel), pods)| {
            let allowed = i64_at(pdb, "/status/disruptionsAllowed");
            let on_drained = pods.len();
            let shared: Vec<&str> = pods
                .iter()
                .filter(|p| {
                    pdbs_of
                        .get(&(namespace(p), name(p)))
                        .is_some_and(|n| *n > 1)
                })
                .map(|p| name(p))
                .collect();
            let mut note = match sel {
                Err(e) => Some(format!("invalid selector ignored by evictions: {e}")),
                Ok(_) if allowed.is_none() && on_drained > 0 => {
                    Some("status not computed yet: evictions are refused".into())
                }
                Ok(_) => None,
            };
            let usable = allowed.unwrap_or(0).max(0);
            let verdict = if on_drained == 0 {
                PdbVerdict::Fine
            } else if !shared.is_empty() {
                note = Some(format!(
                    "{} selected by more than one PDB: evictions are refused",
                    shared.join(", ")
                ));
                PdbVerdict::Blocks
            } else if usable == 0 {
                PdbVerdict::Blocks
            } else if on_drained as i64 > usable {
                PdbVerdict::MaySlow
            } else {
                PdbVerdict::Fine
            };
            PdbCheck {
                namespace: namespace(pdb).to_string(),
                name: name(pdb).to_string(),
                disruptions_allowed: allowed,
                on_drained,
                note,
                verdict,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.verdict, &a.namespace, &a.name).cmp(&(b.verdict, &b.namespace, &b.name)));
    out
}

/// A hosted cluster whose guest nodes would be drained, and how to reach its guest API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestTarget {
    /// `clusters/user` (or the best guess of the owner when no HostedCluster matches).
    pub cluster: String,
    /// Its admin kubeconfig Secret, or why there is none.
    pub guest: Result<GuestRef, String>,
    /// Guest node names to be drained, sorted.
    pub nodes: Vec<String>,
}

/// The hosted clusters with guest nodes drained by maintenance of `report`'s node, sorted.
pub fn targets(report: &MaintenanceReport, hcs: &[Value]) -> Vec<GuestTarget> {
    let mut by: BTreeMap<String, GuestTarget> = BTreeMap::new();
    for v in report.vmis().filter(|v| v.will_restart()) {
        let hc = hcs
            .iter()
            .find(|hc| {
                control_plane_namespace(hc) == v.namespace
                    || str_at(hc, "/spec/platform/kubevirt/credentials/infraNamespace")
                        == Some(v.namespace.as_str())
            })
            .or_else(|| hcs.iter().find(|hc| name(hc) == v.cluster));
        let (cluster, guest) = match hc {
            Some(hc) => {
                let cluster = format!("{}/{}", namespace(hc), name(hc));
                let guest = kubeconfig_ref(hc)
                    .map(|r| GuestRef {
                        namespace: r.namespace,
                        name: name(hc).to_string(),
                        secret: r.secret,
                    })
                    .ok_or_else(|| {
                        format!(
                            "{cluster} has not published an admin kubeconfig (status.kubeconfig)"
                        )
                    });
                (cluster, guest)
            }
            None => (
                v.cluster.clone(),
                Err(format!(
                    "no HostedCluster found for VMIs in {}",
                    v.namespace
                )),
            ),
        };
        by.entry(cluster.clone())
            .or_insert_with(|| GuestTarget {
                cluster,
                guest,
                nodes: Vec::new(),
            })
            .nodes
            .push(v.guest_node().to_string());
    }
    by.into_values()
        .map(|mut t| {
            t.nodes.sort();
            t.nodes.dedup();
            t
        })
        .collect()
}

/// What was found in one guest cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestPdbs {
    /// The guest answered: every PDB, blocking ones first.
    Checked(Vec<PdbCheck>),
    /// The guest API did not answer or refused the lists (the reason in words).
    Unreachable(String),
    /// No admin kubeconfig to open it with (the reason in words).
    NoKubeconfig(String),
}

/// The PDB check of one hosted cluster's guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestPdbReport {
    pub cluster: String,
    pub nodes: Vec<String>,
    pub result: GuestPdbs,
}

impl GuestPdbReport {
    /// Checked PDBs with the given verdict.
    pub fn with(&self, v: PdbVerdict) -> Vec<&PdbCheck> {
        match &self.result {
            GuestPdbs::Checked(l) => l.iter().filter(|c| c.verdict == v).collect(),
            _ => Vec::new(),
        }
    }

    /// One line: `clusters/user (user-np-a): blocks: shop/checkout (...); 2 fine`.
    pub fn line(&self) -> String {
        let head = format!("{} ({})", self.cluster, self.nodes.join(", "));
        match &self.result {
            GuestPdbs::Unreachable(why) => format!("{head}: not checked, guest unreachable: {why}"),
            GuestPdbs::NoKubeconfig(why) => format!("{head}: not checked, no kubeconfig: {why}"),
            GuestPdbs::Checked(l) if l.is_empty() => format!("{head}: no PDBs"),
            GuestPdbs::Checked(l) => {
                let mut parts = Vec::new();
                for v in [PdbVerdict::Blocks, PdbVerdict::MaySlow] {
                    let these: Vec<String> = self.with(v).iter().map(|c| c.describe()).collect();
                    if !these.is_empty() {
                        parts.push(format!("{}: {}", v.word(), these.join(", ")));
                    }
                }
                let fine = l.iter().filter(|c| c.verdict == PdbVerdict::Fine).count();
                if fine > 0 {
                    parts.push(format!("{fine} fine"));
                }
                format!("{head}: {}", parts.join("; "))
            }
        }
    }

    pub fn to_json(&self) -> Value {
        let (status, reason, pdbs) = match &self.result {
            GuestPdbs::Checked(l) => ("checked", None, l.iter().map(PdbCheck::to_json).collect()),
            GuestPdbs::Unreachable(w) => ("unreachable", Some(w.as_str()), Vec::new()),
            GuestPdbs::NoKubeconfig(w) => ("no kubeconfig", Some(w.as_str()), Vec::new()),
        };
        json!({
            "cluster": self.cluster,
            "drainedNodes": self.nodes,
            "status": status,
            "reason": reason,
            "pdbs": pdbs,
        })
    }
}

/// Whether any checked PDB blocks the drain.
pub fn any_blocks(reports: &[GuestPdbReport]) -> bool {
    reports
        .iter()
        .any(|r| !r.with(PdbVerdict::Blocks).is_empty())
}

#[cfg(test)]
#[path = "guest_pdbs_tests.rs"]
mod tests;
