//! Parser for the `KubeVirtNodesLiveMigratable` condition (facts §2.6).
//!
//! Shape when False: `"<N> of <M> machines are not live migratable\n"` then one line per machine,
//! `Machine <name>: <Reason>: <message>` (or `Machine <name>: <Reason>` without a message), grouped
//! by reason; a reason block may end with `... too many similar errors` and the whole message with
//! `... message truncated`. When True the message is `All is well`.

use serde_json::Value;

use super::util::condition;

/// Condition type on NodePools and HostedClusters.
pub const LM_CONDITION: &str = "KubeVirtNodesLiveMigratable";

/// VMI `LiveMigratable` reasons KubeVirt declares (vendored `types.go`, facts §4.2).
pub const KNOWN_REASONS: &[&str] = &[
    "DisksNotLiveMigratable",
    "InterfaceNotLiveMigratable",
    "HotplugNotLiveMigratable",
    "CPUModeLiveMigratable",
    "VirtIOFSNotLiveMigratable",
    "HostDeviceNotLiveMigratable",
    "SEVNotLiveMigratable",
    "SecureExecutionNotLiveMigratable",
    "TDXNotLiveMigratable",
    "NoTSCFrequencyNotLiveMigratable",
    "HypervPassthroughNotLiveMigratable",
    "PersistentReservationNotLiveMigratable",
    "DecentralizedNotLiveMigratable",
    "NotMigratable",
];

/// Markers HyperShift appends when it shortens the message.
const MARKERS: [&str; 2] = ["... message truncated", "... too many similar errors"];

/// One machine line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LmMachine {
    /// KubevirtMachine name (= VM = VMI name).
    pub machine: String,
    /// VMI reason, e.g. `DisksNotLiveMigratable`.
    pub reason: String,
    /// Message (CAPK prefixes `<machine> is not a live migratable machine: `), may be empty.
    pub message: String,
    /// Whether `reason` is one of [`KNOWN_REASONS`].
    pub known_reason: bool,
    /// The line was cut by the 3000-character cap (`... message truncated` glued to its end), so
    /// the message (or even the reason) is incomplete.
    pub cut: bool,
}

/// The parsed condition message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LmReport {
    /// `N` of the header (machines not migratable), when the header parsed.
    pub not_migratable: Option<u32>,
    /// `M` of the header (all machines).
    pub total: Option<u32>,
    /// One row per machine line, in message order.
    pub machines: Vec<LmMachine>,
    /// Fewer machine lines than `N`, or a truncation marker was present.
    pub truncated: bool,
    /// Lines that were neither header, machine line nor marker (kept for display).
    pub unparsed: Vec<String>,
}

fn parse_header(line: &str) -> Option<(u32, u32)> {
    let rest = line
        .trim()
        .strip_suffix("machines are not live migratable")?;
    let (n, m) = rest.trim().split_once(" of ")?;
    Some((n.trim().parse().ok()?, m.trim().parse().ok()?))
}

fn parse_machine(line: &str) -> Option<LmMachine> {
    let rest = line.strip_prefix("Machine ")?;
    let (machine, rest) = rest.split_once(": ")?;
    let (reason, message) = match rest.split_once(": ") {
        Some((r, m)) => (r, m),
        None => (rest, ""),
    };
    let reason = reason.trim();
    if machine.is_empty() || machine.contains(' ') || reason.is_empty() || reason.contains(' ') {
        return None;
    }
    Some(LmMachine {
        machine: machine.to_string(),
        reason: reason.to_string(),
        message: message.trim().to_string(),
        known_reason: KNOWN_REASONS.contains(&reason),
        cut: false,
    })
}

/// Parses a `KubeVirtNodesLiveMigratable` message. Never fails: unrecognised lines go to
/// [`LmReport::unparsed`].
pub fn parse_lm_message(message: &str) -> LmReport {
    let mut r = LmReport::default();
    for line in message
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
    {
        // The whole-message cap cuts mid-line and appends the marker right after the cut.
        let glued = MARKERS
            .iter()
            .filter_map(|m| {
                line.rfind(m)
                    .filter(|i| *i > 0 && line[*i..].trim_end() == *m)
            })
            .min();
        let (line, cut) = match glued {
            Some(i) => {
                r.truncated = true;
                (&line[..i], true)
            }
            None => (line, false),
        };
        if r.total.is_none()
            && r.machines.is_empty()
            && let Some((n, m)) = parse_header(line)
        {
            r.not_migratable = Some(n);
            r.total = Some(m);
        } else if let Some(mut m) = parse_machine(line) {
            m.cut = cut;
            r.machines.push(m);
        } else if cut {
            // A cut "Machine ..." line too short to parse: nothing usable.
        } else if line.starts_with("...") {
            r.truncated = true;
        } else {
            r.unparsed.push(line.to_string());
        }
    }
    if let Some(n) = r.not_migratable
        && (r.machines.len() as u64) < u64::from(n)
    {
        r.truncated = true;
    }
    r
}

/// Pool names from the HostedCluster-level message (`... found on the following NodePool(s)
/// attached to this Hosted Cluster: np1, np2. It is recommended ...`); empty when absent.
pub fn hc_non_migratable_pools(message: &str) -> Vec<String> {
    const KEY: &str = "attached to this Hosted Cluster:";
    let Some(i) = message.find(KEY) else {
        return Vec::new();
    };
    let rest = &message[i + KEY.len()..];
    let list = rest.split(". ").next().unwrap_or(rest);
    list.trim()
        .trim_end_matches('.')
        .trim_matches(['<', '>'])
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The live-migratable state of a NodePool or HostedCluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LmState {
    /// No condition (not KubeVirt, no machines yet, or an old operator).
    Unknown,
    /// `True`: all VMs can live-migrate.
    Migratable,
    /// `False` because there is nothing to judge: reason `NotFound` ("No Machines are created") or
    /// `AsExpected` ("NodePool set to no replicas"); the message as is.
    NoMachines(String),
    /// `False`, with the parsed message.
    NotMigratable(LmReport),
    /// `Unknown` status or another value; the message as is.
    Other(String),
}

impl LmState {
    /// Reads the condition of a NodePool or HostedCluster.
    pub fn of(obj: &Value) -> Self {
        let Some(c) = condition(obj, LM_CONDITION) else {
            return LmState::Unknown;
        };
        let msg = c.get("message").and_then(Value::as_str).unwrap_or("");
        match c.get("status").and_then(Value::as_str) {
            Some("True") => LmState::Migratable,
            Some("False")
                if matches!(
                    c.get("reason").and_then(Value::as_str),
                    Some("NotFound" | "AsExpected")
                ) =>
            {
                LmState::NoMachines(msg.to_string())
            }
            Some("False") => LmState::NotMigratable(parse_lm_message(msg)),
            _ => LmState::Other(msg.to_string()),
        }
    }

    /// A short badge: `yes`, `no 3/3`, `no`, `-` (no machines), `?`, or empty when unknown.
    pub fn badge(&self) -> String {
        match self {
            LmState::Unknown => String::new(),
            LmState::Migratable => "yes".into(),
            LmState::NoMachines(_) => "-".into(),
            LmState::NotMigratable(r) => match (r.not_migratable, r.total) {
                (Some(n), Some(m)) => format!("no {n}/{m}"),
                _ => "no".into(),
            },
            LmState::Other(_) => "?".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Seed 002 (§ live migration), verbatim.
    pub(crate) const SEED: &str = "3 of 3 machines are not live migratable\n\
Machine user-np-ngst4-gw2hz: DisksNotLiveMigratable: user-np-ngst4-gw2hz is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-gw2hz-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n\
Machine user-np-ngst4-npq7x: DisksNotLiveMigratable: user-np-ngst4-npq7x is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-npq7x-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n\
Machine user-np-ngst4-q5nkb: DisksNotLiveMigratable: user-np-ngst4-q5nkb is not a live migratable machine: cannot migrate VMI: PVC user-np-ngst4-q5nkb-rhcos is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)\n";

    #[test]
    fn seed_message() {
        let r = parse_lm_message(SEED);
        assert_eq!(
            (r.not_migratable, r.total, r.truncated),
            (Some(3), Some(3), false)
        );
        assert!(r.unparsed.is_empty());
        let names: Vec<_> = r.machines.iter().map(|m| m.machine.as_str()).collect();
        assert_eq!(
            names,
            [
                "user-np-ngst4-gw2hz",
                "user-np-ngst4-npq7x",
                "user-np-ngst4-q5nkb"
            ]
        );
        let m = &r.machines[0];
        assert_eq!(m.reason, "DisksNotLiveMigratable");
        assert!(m.known_reason);
        assert_eq!(
            m.message,
            "user-np-ngst4-gw2hz is not a live migratable machine: cannot migrate VMI: PVC \
             user-np-ngst4-gw2hz-rhcos is not shared, live migration requires that all PVCs must \
             be shared (using ReadWriteMany access mode)"
        );
    }

    #[test]
    fn truncated_and_unknown_reasons() {
        let msg = "5 of 6 machines are not live migratable\n\
Machine a-1: DisksNotLiveMigratable: x\n\
Machine a-2: FancyNewReason\n\
... too many similar errors\n\
... message truncated\n";
        let r = parse_lm_message(msg);
        assert!(r.truncated);
        assert_eq!(r.machines.len(), 2);
        assert_eq!(
            (
                r.machines[1].reason.as_str(),
                r.machines[1].message.as_str()
            ),
            ("FancyNewReason", "")
        );
        assert!(!r.machines[1].known_reason);
        // Fewer lines than N without a marker also counts as truncated.
        let short = parse_lm_message(
            "2 of 2 machines are not live migratable\nMachine a: NotMigratable: m",
        );
        assert!(short.truncated);
    }

    #[test]
    fn line_cut_by_the_message_cap() {
        let msg = "40 of 40 machines are not live migratable\n\
Machine a-1: DisksNotLiveMigratable: a-1 is not a live migratable machine: cannot migrate\n\
Machine a-2: DisksNotLiveMigratable: a-2 is not a li... message truncated\n";
        let r = parse_lm_message(msg);
        assert!(r.truncated);
        assert!(r.unparsed.is_empty(), "{:?}", r.unparsed);
        assert_eq!(r.machines.len(), 2);
        assert!(!r.machines[0].cut);
        assert!(r.machines[1].cut);
        assert_eq!(r.machines[1].message, "a-2 is not a li");
        // "... " inside a message is not a marker.
        let r = parse_lm_message(
            "1 of 1 machines are not live migratable\nMachine a-1: R: wait... then fail\n",
        );
        assert!(!r.truncated && !r.machines[0].cut);
        assert_eq!(r.machines[0].message, "wait... then fail");
        let r = parse_lm_message(
            "3 of 3 machines are not live migratable\nMachine a-1: R: x... y... message truncated\n",
        );
        assert_eq!(r.machines[0].message, "x... y");
        let r = parse_lm_message(
            "2 of 2 machines are not live migratable\nMachine a-1: Disk... message truncated\n",
        );
        assert_eq!(
            (r.machines[0].reason.as_str(), r.machines[0].cut),
            ("Disk", true)
        );
        let r = parse_lm_message(
            "2 of 2 machines are not live migratable\nMach... message truncated\n",
        );
        assert!(r.machines.is_empty() && r.unparsed.is_empty() && r.truncated);
    }

    #[test]
    fn garbage_is_kept_not_fatal() {
        let r =
            parse_lm_message("something odd\nMachine : : :\nMachine has spaces in: R: m\n\u{0}");
        assert_eq!((r.not_migratable, r.total), (None, None));
        assert!(r.machines.is_empty());
        assert_eq!(r.unparsed.len(), 4);
        assert!(!r.truncated);
        assert_eq!(parse_lm_message(""), LmReport::default());
        assert_eq!(
            parse_lm_message("x of 3 machines are not live migratable").total,
            None
        );
    }

    #[test]
    fn hosted_cluster_message_names_pools() {
        let msg = "Non-live-migratable node(s) have been found on the following NodePool(s) attached to this Hosted Cluster: np1, user-np. It is recommended to use storage with the ReadWriteMany access mode.";
        assert_eq!(hc_non_migratable_pools(msg), ["np1", "user-np"]);
        assert_eq!(
            hc_non_migratable_pools("... attached to this Hosted Cluster: <np1, np2>"),
            ["np1", "np2"]
        );
        assert!(hc_non_migratable_pools("All is well").is_empty());
    }

    #[test]
    fn state_and_badge() {
        let np = |status: &str, msg: &str| {
            json!({"status": {"conditions": [
            {"type": LM_CONDITION, "status": status, "message": msg}]}})
        };
        assert_eq!(LmState::of(&np("True", "All is well")), LmState::Migratable);
        assert_eq!(LmState::of(&np("True", "All is well")).badge(), "yes");
        assert_eq!(LmState::of(&np("False", SEED)).badge(), "no 3/3");
        assert_eq!(LmState::of(&np("False", "weird")).badge(), "no");
        assert_eq!(LmState::of(&np("Unknown", "")).badge(), "?");
        let none = json!({"status": {"conditions": [{"type": LM_CONDITION, "status": "False",
            "reason": "NotFound", "message": "No Machines are created"}]}});
        assert_eq!(
            LmState::of(&none),
            LmState::NoMachines("No Machines are created".into())
        );
        assert_eq!(LmState::of(&none).badge(), "-");
        assert_eq!(LmState::of(&json!({})).badge(), "");
    }
}
