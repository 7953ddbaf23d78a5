//! Scaling pipeline of a KubeVirt node pool: per machine, Machine → VirtualMachine → root disk
//! DataVolume import → VMI Running on an infra node → guest Node Ready, with step times and stuck
//! detection (facts §4.1, §4.4).
//!
//! Linking: the VM is named after the KubevirtMachine (`Machine.spec.infrastructureRef.name`, or the
//! Machine name when absent, as the sim does); the root DataVolume is `<vm>-rhcos`; the VMI has the
//! VM's name; the guest Node is `Machine.status.nodeRef.name`, else the VM name.

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::scale::machines_of_pool;
use super::util::{arr_at, condition, created, i64_at, name, namespace, str_at, time_at};

/// The pipeline stages, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The CAPI Machine exists.
    Machine,
    /// The KubeVirt VirtualMachine exists.
    VirtualMachine,
    /// The root disk DataVolume finished importing.
    RootDisk,
    /// The VMI runs on an infra node.
    VmiRunning,
    /// The guest Node is Ready.
    NodeReady,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 5] = [
        Stage::Machine,
        Stage::VirtualMachine,
        Stage::RootDisk,
        Stage::VmiRunning,
        Stage::NodeReady,
    ];

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Machine => "Machine",
            Stage::VirtualMachine => "VM",
            Stage::RootDisk => "Disk",
            Stage::VmiRunning => "VMI Running",
            Stage::NodeReady => "Node Ready",
        }
    }

    /// How long reaching this stage typically takes from the previous one; a step is stuck after
    /// [`STUCK_FACTOR`] times this (or times the median of peers that already finished it).
    pub fn typical(self) -> SignedDuration {
        match self {
            Stage::Machine => SignedDuration::from_secs(30),
            Stage::VirtualMachine => SignedDuration::from_mins(1),
            Stage::RootDisk => SignedDuration::from_mins(5),
            Stage::VmiRunning => SignedDuration::from_mins(3),
            Stage::NodeReady => SignedDuration::from_mins(5),
        }
    }
}

/// A step taking this many times longer than typical is flagged as stuck.
pub const STUCK_FACTOR: i32 = 3;

/// One reached (or current) stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The stage.
    pub stage: Stage,
    /// When it was reached (None if reached but the time is unknown, or not reached).
    pub at: Option<Timestamp>,
    /// Whether the stage has been reached.
    pub done: bool,
    /// Extra words: `45.30%`, `on infra-1`, `Failed`.
    pub detail: String,
}

/// The pipeline of one machine.
#[derive(Clone, Debug, PartialEq)]
pub struct MachinePipeline {
    /// Machine name.
    pub machine: String,
    /// VM / VMI name.
    pub vm: String,
    /// Guest node name (expected).
    pub node: String,
    /// One entry per stage in [`Stage::ALL`] order.
    pub steps: Vec<Step>,
    /// Root disk import percentage while importing.
    pub disk_percent: Option<f64>,
    /// Infra node the VMI runs on.
    pub infra_node: Option<String>,
    /// Why the machine is stuck or failed (empty when fine).
    pub problems: Vec<String>,
    /// The Machine is being deleted (scale-down): `metadata.deletionTimestamp` or phase `Deleting`.
    pub deleting: bool,
}

impl MachinePipeline {
    /// The first stage not reached yet (None when the node is Ready).
    pub fn current(&self) -> Option<Stage> {
        self.steps.iter().find(|s| !s.done).map(|s| s.stage)
    }

    /// Whether the guest node is Ready.
    pub fn finished(&self) -> bool {
        self.current().is_none()
    }

    /// Time each reached step took since the previous reached step with a known time.
    pub fn step_durations(&self) -> Vec<(Stage, Option<SignedDuration>)> {
        let mut prev: Option<Timestamp> = None;
        self.steps
            .iter()
            .filter(|s| s.done)
            .map(|s| {
                let d = match (prev, s.at) {
                    (Some(p), Some(t)) => Some(t.duration_since(p)),
                    (None, Some(_)) => Some(SignedDuration::ZERO),
                    _ => None,
                };
                if s.at.is_some() {
                    prev = s.at;
                }
                (s.stage, d)
            })
            .collect()
    }

    /// How long the current stage has been waiting (since the last reached step).
    pub fn waiting_for(&self, now: Timestamp) -> Option<SignedDuration> {
        self.current()?;
        self.steps
            .iter()
            .filter(|s| s.done)
            .filter_map(|s| s.at)
            .max()
            .map(|t| now.duration_since(t))
    }

    /// Total time from Machine creation to the last reached step.
    pub fn total(&self) -> Option<SignedDuration> {
        let first = self.steps.first().and_then(|s| s.at)?;
        let last = self
            .steps
            .iter()
            .filter(|s| s.done)
            .filter_map(|s| s.at)
            .max()?;
        Some(last.duration_since(first))
    }

    /// Whether something is wrong.
    pub fn stuck(&self) -> bool {
        !self.problems.is_empty()
    }
}

/// The object named `n`, preferring namespace `ns` (the control-plane namespace); any namespace
/// otherwise (VMs on an external infra cluster live in its infra namespace).
/// The VM a Machine runs on: `spec.infrastructureRef.name`, else the Machine's own name (its
/// root disk is the DataVolume `<vm>-rhcos`).
pub fn vm_name(machine: &Value) -> &str {
    str_at(machine, "/spec/infrastructureRef/name").unwrap_or_else(|| name(machine))
}

fn find<'a>(list: &'a [Value], ns: &str, n: &str) -> Option<&'a Value> {
    list.iter()
        .find(|o| name(o) == n && namespace(o) == ns)
        .or_else(|| list.iter().find(|o| name(o) == n))
}

/// Parses a CDI progress string (`"45.30%"`, `"100.0%"`, `"N/A"`).
pub fn parse_progress(p: &str) -> Option<f64> {
    p.trim().strip_suffix('%')?.trim().parse().ok()
}

fn condition_true_at(obj: &Value, t: &str) -> Option<Option<Timestamp>> {
    let c = condition(obj, t)?;
    (c.get("status").and_then(Value::as_str) == Some("True"))
        .then(|| c.get("lastTransitionTime").and_then(Value::as_str))
        .map(|s| s.and_then(super::util::parse_time))
}

fn vmi_running_at(vmi: &Value) -> Option<Timestamp> {
    arr_at(vmi, "/status/phaseTransitionTimestamps")
        .iter()
        .find(|p| p.get("phase").and_then(Value::as_str) == Some("Running"))
        .and_then(|p| time_at(p, "/phaseTransitionTimestamp"))
        .or_else(|| condition_true_at(vmi, "Ready").flatten())
}

const VM_ERRORS: &[&str] = &[
    "ErrorUnschedulable",
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrorPvcNotFound",
    "DataVolumeError",
    "CrashLoopBackOff",
];

/// Objects a pipeline is computed from (all lists may hold other objects; they are matched by name).
#[derive(Clone, Copy, Debug)]
pub struct PipelineInputs<'a> {
    /// CAPI Machines.
    pub machines: &'a [Value],
    /// KubeVirt VirtualMachines.
    pub vms: &'a [Value],
    /// CDI DataVolumes.
    pub dvs: &'a [Value],
    /// KubeVirt VirtualMachineInstances.
    pub vmis: &'a [Value],
    /// Guest cluster Nodes.
    pub nodes: &'a [Value],
}

/// Builds the pipeline of one Machine (problems from hard failures only; see [`flag_slow`]).
pub fn machine_pipeline(machine: &Value, inp: &PipelineInputs<'_>) -> MachinePipeline {
    let vm_name = vm_name(machine).to_string();
    let node_name = str_at(machine, "/status/nodeRef/name")
        .unwrap_or(&vm_name)
        .to_string();
    let ns = namespace(machine);
    let vm = find(inp.vms, ns, &vm_name);
    let dv = find(inp.dvs, ns, &format!("{vm_name}-rhcos"));
    let vmi = find(inp.vmis, ns, &vm_name);
    let node = find(inp.nodes, "", &node_name);
    let mut problems = Vec::new();

    if str_at(machine, "/status/phase") == Some("Failed") {
        let msg = str_at(machine, "/status/failureMessage").unwrap_or("");
        problems.push(
            format!("Machine failed: {msg}")
                .trim_end_matches([':', ' '])
                .to_string(),
        );
    }
    let mut vm_detail = String::new();
    if let Some(ps) = vm.and_then(|v| str_at(v, "/status/printableStatus")) {
        vm_detail = ps.to_string();
        if VM_ERRORS.contains(&ps) {
            problems.push(format!("VM {vm_name} is {ps}"));
        }
    }
    let dv_phase = dv.and_then(|d| str_at(d, "/status/phase")).unwrap_or("");
    let disk_percent = dv
        .and_then(|d| str_at(d, "/status/progress"))
        .and_then(parse_progress);
    let restarts = dv
        .and_then(|d| i64_at(d, "/status/restartCount"))
        .unwrap_or(0);
    if dv_phase == "Failed" {
        problems.push(format!("DataVolume {vm_name}-rhcos failed"));
    }
    if restarts >= 3 {
        problems.push(format!(
            "DataVolume {vm_name}-rhcos import restarted {restarts} times"
        ));
    }
    let dv_done = dv_phase == "Succeeded";
    let dv_at = dv
        .filter(|_| dv_done)
        .and_then(|d| condition_true_at(d, "Ready").flatten());
    let vmi_phase = vmi.and_then(|v| str_at(v, "/status/phase")).unwrap_or("");
    if vmi_phase == "Failed" {
        problems.push(format!("VMI {vm_name} failed"));
    }
    let infra_node = vmi
        .and_then(|v| str_at(v, "/status/nodeName"))
        .map(str::to_string);
    let node_ready = node.and_then(|n| condition_true_at(n, "Ready"));

    let steps = vec![
        Step {
            stage: Stage::Machine,
            at: created(machine),
            done: true,
            detail: str_at(machine, "/status/phase").unwrap_or("").to_string(),
        },
        Step {
            stage: Stage::VirtualMachine,
            at: vm.and_then(created),
            done: vm.is_some(),
            detail: vm_detail,
        },
        Step {
            stage: Stage::RootDisk,
            at: dv_at,
            done: dv_done,
            detail: {
                let base = match (dv_phase, disk_percent) {
                    ("", _) => String::new(),
                    (p, Some(pc)) if !dv_done => format!("{p} {pc:.1}%"),
                    (p, _) => p.to_string(),
                };
                match restarts {
                    0 => base,
                    1 => format!("{base} (1 restart)"),
                    n => format!("{base} ({n} restarts)"),
                }
            },
        },
        Step {
            stage: Stage::VmiRunning,
            at: vmi.and_then(vmi_running_at),
            done: vmi_phase == "Running",
            detail: match (&infra_node, vmi_phase) {
                (Some(n), "Running") => format!("on {n}"),
                (_, p) => p.to_string(),
            },
        },
        Step {
            stage: Stage::NodeReady,
            at: node_ready.flatten(),
            done: node_ready.is_some(),
            detail: if node.is_some() && node_ready.is_none() {
                "NotReady".into()
            } else {
                String::new()
            },
        },
    ];
    MachinePipeline {
        machine: name(machine).to_string(),
        vm: vm_name,
        node: node_name,
        steps,
        disk_percent: disk_percent.filter(|_| !dv_done),
        infra_node,
        problems,
        deleting: machine.pointer("/metadata/deletionTimestamp").is_some()
            || str_at(machine, "/status/phase") == Some("Deleting"),
    }
}

fn median(mut v: Vec<SignedDuration>) -> Option<SignedDuration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

/// Adds a "slow" problem to pipelines whose current step has waited more than [`STUCK_FACTOR`]
/// times the typical time: the median time peers took for that step when some finished it, else
/// [`Stage::typical`] (never less than the typical time).
pub fn flag_slow(pipes: &mut [MachinePipeline], now: Timestamp) {
    for stage in Stage::ALL {
        let peers: Vec<SignedDuration> = pipes
            .iter()
            .flat_map(MachinePipeline::step_durations)
            .filter(|(s, d)| *s == stage && d.is_some_and(|d| d > SignedDuration::ZERO))
            .filter_map(|(_, d)| d)
            .collect();
        let typical = median(peers)
            .unwrap_or_else(|| stage.typical())
            .max(stage.typical());
        let limit = typical * STUCK_FACTOR;
        for p in pipes.iter_mut().filter(|p| p.current() == Some(stage)) {
            if let Some(w) = p.waiting_for(now)
                && w > limit
            {
                p.problems.push(format!(
                    "waiting for {} for {} (typically {})",
                    stage.label(),
                    crate::age::human_duration(w),
                    crate::age::human_duration(typical)
                ));
            }
        }
    }
}

/// A node pool's scaling in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingProgress {
    /// `spec.replicas`.
    pub desired: i64,
    /// `status.replicas`.
    pub current: i64,
    /// Machines being deleted, then machines not finished yet (stuck first, then oldest first),
    /// then finished ones.
    pub machines: Vec<MachinePipeline>,
}

impl ScalingProgress {
    /// `current/desired` as a fraction in 0..=1 (1 when desired is 0).
    pub fn fraction(&self) -> f64 {
        if self.desired <= 0 {
            1.0
        } else {
            (self.current as f64 / self.desired as f64).clamp(0.0, 1.0)
        }
    }
}

/// The scaling progress of a pool while `spec.replicas` ≠ `status.replicas`; `None` otherwise.
pub fn scaling_progress(
    pool: &Value,
    inp: &PipelineInputs<'_>,
    now: Timestamp,
) -> Option<ScalingProgress> {
    let desired = i64_at(pool, "/spec/replicas")?;
    let current = i64_at(pool, "/status/replicas").unwrap_or(0);
    if desired == current {
        return None;
    }
    let mut machines: Vec<MachinePipeline> = machines_of_pool(pool, inp.machines)
        .into_iter()
        .map(|m| machine_pipeline(m, inp))
        .collect();
    flag_slow(&mut machines, now);
    machines.sort_by_key(|p| {
        (
            !p.deleting,
            p.finished(),
            !p.stuck(),
            p.steps.first().and_then(|s| s.at),
            p.machine.clone(),
        )
    });
    Some(ScalingProgress {
        desired,
        current,
        machines,
    })
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
