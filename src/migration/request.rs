//! Live-migration requests: the `VirtualMachineInstanceMigration` body, the decision which VMIs a
//! "migrate all" may touch (refusing non-migratable ones), and the progress of a migration
//! (facts §4.3).

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::maintenance::migrating;
use super::readiness::vmi_live_migratable;
use crate::fleet::util::{name, namespace, str_at, time_at};

/// Label KubeVirt uses to tie migrations to their VMI (`MigrationSelectorLabel`).
pub const VMI_NAME_LABEL: &str = "kubevirt.io/vmi-name";

/// Why a VMI may not be migrated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// `LiveMigratable=False`.
    #[error("{vmi} cannot live-migrate ({reason}): {message}")]
    NotMigratable {
        /// VMI name.
        vmi: String,
        /// Condition reason.
        reason: String,
        /// Condition message.
        message: String,
    },
    /// No `LiveMigratable` condition.
    #[error("{0} has no LiveMigratable condition; refusing to migrate it")]
    Unknown(String),
    /// Not Running.
    #[error("{0} is not running (phase {1})")]
    NotRunning(String, String),
    /// A migration is already under way.
    #[error("{0} is already migrating")]
    AlreadyMigrating(String),
}

/// Checks one VMI; `Ok(())` when a migration may be requested. `active` holds existing
/// VirtualMachineInstanceMigrations (any), used to spot an unfinished one for this VMI.
pub fn check_migratable(vmi: &Value, active: &[Value]) -> Result<(), Refusal> {
    let n = name(vmi).to_string();
    let phase = str_at(vmi, "/status/phase").unwrap_or("");
    if phase != "Running" {
        return Err(Refusal::NotRunning(n, phase.to_string()));
    }
    let pending = active.iter().any(|m| {
        namespace(m) == namespace(vmi)
            && str_at(m, "/spec/vmiName") == Some(n.as_str())
            && !MigrationProgress::of(m).finished()
    });
    if migrating(vmi) || pending {
        return Err(Refusal::AlreadyMigrating(n));
    }
    match vmi_live_migratable(vmi) {
        Some((true, _, _)) => Ok(()),
        Some((false, reason, message)) => Err(Refusal::NotMigratable {
            vmi: n,
            reason,
            message,
        }),
        None => Err(Refusal::Unknown(n)),
    }
}

/// The migration object to create for a VMI (POST to
/// `/apis/kubevirt.io/v1/namespaces/<ns>/virtualmachineinstancemigrations`).
pub fn migration_body(vmi: &Value) -> Value {
    let n = name(vmi);
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstanceMigration",
        "metadata": {
            "generateName": format!("{n}-migration-"),
            "namespace": namespace(vmi),
            "labels": {VMI_NAME_LABEL: n}
        },
        "spec": {"vmiName": n}
    })
}

/// The outcome of planning "migrate all".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MigratePlan {
    /// Bodies to create, one per allowed VMI (sorted by VMI name).
    pub requests: Vec<Value>,
    /// VMIs left alone, with the reason.
    pub refused: Vec<Refusal>,
}

/// Decides which VMIs on `node` a "migrate all" may touch; non-migratable, non-running and
/// already-migrating VMIs are refused, never sent.
pub fn plan_migrate_all(node: &str, vmis: &[Value], active: &[Value]) -> MigratePlan {
    let mut on: Vec<&Value> = vmis
        .iter()
        .filter(|v| str_at(v, "/status/nodeName") == Some(node))
        .collect();
    on.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    let mut plan = MigratePlan::default();
    for v in on {
        match check_migratable(v, active) {
            Ok(()) => plan.requests.push(migration_body(v)),
            Err(r) => plan.refused.push(r),
        }
    }
    plan
}

/// Where a migration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationOutcome {
    /// Not finished (`Pending`, `Scheduling`, `Running`...).
    InProgress,
    /// `Succeeded`.
    Succeeded,
    /// `Failed`.
    Failed,
}

/// A migration's progress for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationProgress {
    /// Migration object name.
    pub name: String,
    /// `spec.vmiName`.
    pub vmi: String,
    /// `status.phase` (empty before the controller sees it).
    pub phase: String,
    /// Outcome.
    pub outcome: MigrationOutcome,
    /// `status.migrationState.sourceNode`.
    pub source: Option<String>,
    /// `status.migrationState.targetNode`.
    pub target: Option<String>,
    /// `startTimestamp`.
    pub started: Option<Timestamp>,
    /// `endTimestamp`.
    pub ended: Option<Timestamp>,
    /// `failureReason`.
    pub failure: Option<String>,
}

impl MigrationProgress {
    /// Reads a VirtualMachineInstanceMigration.
    pub fn of(m: &Value) -> Self {
        let ms = |k: &str| str_at(m, &format!("/status/migrationState/{k}")).map(str::to_string);
        let phase = str_at(m, "/status/phase").unwrap_or("").to_string();
        let outcome = match phase.as_str() {
            "Succeeded" => MigrationOutcome::Succeeded,
            "Failed" => MigrationOutcome::Failed,
            _ => MigrationOutcome::InProgress,
        };
        MigrationProgress {
            name: name(m).to_string(),
            vmi: str_at(m, "/spec/vmiName").unwrap_or("").to_string(),
            outcome,
            source: ms("sourceNode"),
            target: ms("targetNode"),
            started: time_at(m, "/status/migrationState/startTimestamp"),
            ended: time_at(m, "/status/migrationState/endTimestamp"),
            failure: ms("failureReason"),
            phase,
        }
    }

    /// Succeeded or Failed.
    pub fn finished(&self) -> bool {
        self.outcome != MigrationOutcome::InProgress
    }

    /// One line: `vmi: infra-1 → infra-2 Running`, `... Failed: <reason>`.
    pub fn line(&self) -> String {
        let route = match (&self.source, &self.target) {
            (Some(s), Some(t)) => format!("{s} → {t}"),
            (Some(s), None) => format!("{s} → ?"),
            _ => "?".into(),
        };
        let phase = if self.phase.is_empty() {
            "Pending"
        } else {
            &self.phase
        };
        match (&self.failure, self.outcome) {
            (Some(f), MigrationOutcome::Failed) => format!("{}: {route} {phase}: {f}", self.vmi),
            _ => format!("{}: {route} {phase}", self.vmi),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::readiness::tests::vmi;

    fn vmim(vmi: &str, phase: &str) -> Value {
        json!({"metadata": {"name": format!("{vmi}-migration-abcde"), "namespace": "clusters-user"},
               "spec": {"vmiName": vmi},
               "status": {"phase": phase, "migrationState": {
                   "sourceNode": "infra-1", "targetNode": "infra-2",
                   "startTimestamp": "2026-01-01T00:00:00Z"}}})
    }

    #[test]
    fn body_is_a_minimal_migration() {
        let v = vmi("user-np-a", "user-np", "infra-1", true);
        assert_eq!(
            migration_body(&v),
            json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
                   "metadata": {"generateName": "user-np-a-migration-", "namespace": "clusters-user",
                                "labels": {"kubevirt.io/vmi-name": "user-np-a"}},
                   "spec": {"vmiName": "user-np-a"}})
        );
    }

    #[test]
    fn migrate_all_refuses_what_cannot_move() {
        let mut stopped = vmi("d", "p", "infra-1", true);
        stopped["status"]["phase"] = json!("Succeeded");
        let mut bare = vmi("e", "p", "infra-1", true);
        bare["status"]["conditions"] = json!([]);
        let vmis = vec![
            vmi("c", "p", "infra-1", false),
            vmi("a", "p", "infra-1", true),
            vmi("b", "p", "infra-1", true),
            vmi("z", "p", "infra-2", true),
            stopped,
            bare,
        ];
        let active = [vmim("b", "Running")];
        let plan = plan_migrate_all("infra-1", &vmis, &active);
        let names: Vec<_> = plan
            .requests
            .iter()
            .map(|r| r["spec"]["vmiName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a"]);
        let refused: Vec<String> = plan.refused.iter().map(ToString::to_string).collect();
        assert_eq!(refused.len(), 4);
        assert_eq!(refused[0], "b is already migrating");
        assert!(
            refused[1]
                .starts_with("c cannot live-migrate (DisksNotLiveMigratable): cannot migrate VMI")
        );
        assert_eq!(refused[2], "d is not running (phase Succeeded)");
        assert_eq!(
            refused[3],
            "e has no LiveMigratable condition; refusing to migrate it"
        );
        // A finished migration does not block a new one.
        assert!(check_migratable(&vmis[2], &[vmim("b", "Succeeded")]).is_ok());
    }

    #[test]
    fn progress_phases() {
        let p = MigrationProgress::of(&vmim("a", "Running"));
        assert_eq!(
            (p.outcome, p.finished()),
            (MigrationOutcome::InProgress, false)
        );
        assert_eq!(p.line(), "a: infra-1 → infra-2 Running");
        let mut f = vmim("a", "Failed");
        f["status"]["migrationState"]["failureReason"] = json!("target pod unschedulable");
        let p = MigrationProgress::of(&f);
        assert_eq!(p.outcome, MigrationOutcome::Failed);
        assert_eq!(
            p.line(),
            "a: infra-1 → infra-2 Failed: target pod unschedulable"
        );
        let s = MigrationProgress::of(&vmim("a", "Succeeded"));
        assert!(s.finished());
        let fresh =
            MigrationProgress::of(&json!({"metadata": {"name": "m"}, "spec": {"vmiName": "a"}}));
        assert_eq!(fresh.line(), "a: ? Pending");
        assert!(p.started.is_some());
    }
}
