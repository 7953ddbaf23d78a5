//! The creation executor: server-side dry run of a [`Plan`], and creation in the plan's fixed
//! order with rollback. If any step fails, every object this run created is deleted again (in
//! reverse order) and the failure is explained in words, so nothing is left half-made.

use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};

use super::build::{Plan, PlannedObject};
use super::facts::ar;

/// Field manager recorded on created objects.
pub const FIELD_MANAGER: &str = "shiftdeck";

/// A created (or dry-run) object: `Kind ns/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    fn of(o: &PlannedObject) -> Self {
        ObjectRef {
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// What happened to one object of a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DryRunOutcome {
    /// The server accepted it (nothing was stored).
    Accepted,
    /// Exists already and is only created if missing (the Namespace).
    Exists,
    /// Not sent: its namespace does not exist yet, so the server cannot check it before the
    /// namespace is created.
    Skipped(String),
    /// The server refused it; the message says why in words.
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunStep {
    pub object: ObjectRef,
    pub outcome: DryRunOutcome,
}

/// The result of [`dry_run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunReport {
    pub steps: Vec<DryRunStep>,
}

impl DryRunReport {
    pub fn ok(&self) -> bool {
        self.steps
            .iter()
            .all(|s| !matches!(s.outcome, DryRunOutcome::Rejected(_)))
    }
}

/// What a successful [`execute`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateReport {
    /// Created by this run, in order.
    pub created: Vec<ObjectRef>,
    /// Already present and left alone (the Namespace).
    pub existed: Vec<ObjectRef>,
}

/// Why [`execute`] failed, and what the rollback did.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{explanation}")]
pub struct CreateError {
    /// The object whose creation failed.
    pub failed: ObjectRef,
    /// The failure in words, including the rollback's outcome.
    pub explanation: String,
    /// Objects this run created and then deleted again.
    pub rolled_back: Vec<ObjectRef>,
    /// Objects the rollback could not delete (left on the cluster), with the reason.
    pub left_behind: Vec<(ObjectRef, String)>,
    /// The HTTP status, if the server answered.
    pub status: Option<u16>,
}

fn resource_of(kind: &str, api_version: &str) -> ApiResource {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let plural = match kind {
        "Namespace" => "namespaces".to_string(),
        "Secret" => "secrets".to_string(),
        "ConfigMap" => "configmaps".to_string(),
        "HostedCluster" => "hostedclusters".to_string(),
        "NodePool" => "nodepools".to_string(),
        other => format!("{}s", other.to_lowercase()),
    };
    ar(group, version, kind, &plural)
}

fn api_for(client: &Client, o: &PlannedObject) -> Api<DynamicObject> {
    let api_version = o
        .object
        .get("apiVersion")
        .and_then(|v| v.as_str())
        .unwrap_or("v1");
    let r = resource_of(&o.kind, api_version);
    match &o.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &r),
        None => Api::all_with(client.clone(), &r),
    }
}

/// Explain a failed call on `o` in words.
pub fn explain(err: &kube::Error, verb: &str, o: &ObjectRef) -> String {
    match err {
        kube::Error::Api(s) => match s.code {
            403 => format!(
                "the cluster refused to {verb} {o}: this user is not allowed to (403 Forbidden: {}). Ask a cluster administrator for permission to {verb} {} there, or use a kubeconfig with that permission.",
                s.message, o.kind
            ),
            401 => format!(
                "the cluster did not accept the credentials while trying to {verb} {o} (401 Unauthorized): log in again"
            ),
            409 if o.kind == "ConfigMap"
                && o.name == crate::wizard::build::TRUST_BUNDLE_CONFIGMAP =>
            {
                format!(
                    "{o} already exists ({}): the namespace's trust bundle belongs to another hosted cluster and is not overwritten; create the cluster in another namespace, or leave the additional trust bundle empty and add your CA certificates to that ConfigMap",
                    s.message
                )
            }
            409 => format!("{o} already exists ({}): pick another name", s.message),
            422 => format!("the cluster rejected {o} as invalid (422): {}", s.message),
            404 => format!(
                "{o} could not be {verb}d because something it needs does not exist (404: {}); is the namespace there and is HyperShift installed?",
                s.message
            ),
            code => format!("the cluster failed to {verb} {o} ({code}: {})", s.message),
        },
        other => format!(
            "could not {verb} {o}: the cluster could not be reached or answered oddly ({other})"
        ),
    }
}

fn status_of(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

fn to_dynamic(o: &PlannedObject) -> Result<DynamicObject, String> {
    serde_json::from_value(o.object.clone())
        .map_err(|e| format!("{} could not be encoded: {e}", o.describe()))
}

async fn exists(api: &Api<DynamicObject>, name: &str) -> Result<bool, kube::Error> {
    api.get_opt(name).await.map(|o| o.is_some())
}

/// Send every object with `dryRun=All`. Nothing is stored. Objects in a namespace that the
/// plan would create are skipped (the server cannot check them before it exists).
pub async fn dry_run(client: &Client, plan: &Plan) -> DryRunReport {
    let mut steps = Vec::new();
    let mut missing_ns: Option<String> = None;
    let pp = PostParams {
        dry_run: true,
        field_manager: Some(FIELD_MANAGER.into()),
    };
    for o in &plan.objects {
        let r = ObjectRef::of(o);
        let api = api_for(client, o);
        if o.if_missing {
            match exists(&api, &o.name).await {
                Ok(true) => {
                    steps.push(DryRunStep {
                        object: r,
                        outcome: DryRunOutcome::Exists,
                    });
                    continue;
                }
                Ok(false) if o.kind == "Namespace" => missing_ns = Some(o.name.clone()),
                Ok(false) => {}
                Err(e) => {
                    let msg = explain(&e, "read", &r);
                    steps.push(DryRunStep {
                        object: r,
                        outcome: DryRunOutcome::Rejected(msg),
                    });
                    continue;
                }
            }
        } else if o.namespace.is_some() && o.namespace == missing_ns {
            steps.push(DryRunStep {
                object: r,
                outcome: DryRunOutcome::Skipped(format!(
                    "namespace {} does not exist yet; it is created first",
                    o.namespace.as_deref().unwrap_or_default()
                )),
            });
            continue;
        }
        let outcome = match to_dynamic(o) {
            Err(m) => DryRunOutcome::Rejected(m),
            Ok(d) => match api.create(&pp, &d).await {
                Ok(_) => DryRunOutcome::Accepted,
                Err(e) => DryRunOutcome::Rejected(explain(&e, "create", &r)),
            },
        };
        steps.push(DryRunStep { object: r, outcome });
    }
    DryRunReport { steps }
}

/// Create the plan's objects in order. On the first failure, delete what this run created (in
/// reverse order) and return the explanation.
pub async fn execute(client: &Client, plan: &Plan) -> Result<CreateReport, CreateError> {
    let pp = PostParams {
        dry_run: false,
        field_manager: Some(FIELD_MANAGER.into()),
    };
    let mut created: Vec<&PlannedObject> = Vec::new();
    let mut existed = Vec::new();
    for o in &plan.objects {
        let r = ObjectRef::of(o);
        let api = api_for(client, o);
        let result: Result<(), (String, Option<u16>)> = async {
            if o.if_missing {
                match exists(&api, &o.name).await {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(e) => return Err((explain(&e, "read", &r), status_of(&e))),
                }
            }
            let d = to_dynamic(o).map_err(|m| (m, None))?;
            api.create(&pp, &d)
                .await
                .map(|_| false)
                .map_err(|e| (explain(&e, "create", &r), status_of(&e)))
        }
        .await
        .map(|was_there| {
            if was_there {
                existed.push(r.clone());
            } else {
                created.push(o);
            }
        });
        if let Err((why, status)) = result {
            let (rolled_back, left_behind) = rollback(client, &created).await;
            let mut explanation = format!("creating {r} failed: {why}");
            if rolled_back.is_empty() && left_behind.is_empty() {
                explanation.push_str(" Nothing had been created yet.");
            } else {
                let names: Vec<String> = rolled_back.iter().map(ToString::to_string).collect();
                if !names.is_empty() {
                    explanation.push_str(&format!(
                        " Rolled back: deleted {} created by this run ({}).",
                        names.len(),
                        names.join(", ")
                    ));
                }
                if !left_behind.is_empty() {
                    let lb: Vec<String> = left_behind
                        .iter()
                        .map(|(o, e)| format!("{o} ({e})"))
                        .collect();
                    explanation.push_str(&format!(
                        " Could not delete, remove by hand: {}.",
                        lb.join(", ")
                    ));
                }
            }
            return Err(CreateError {
                failed: r,
                explanation,
                rolled_back,
                left_behind,
                status,
            });
        }
    }
    Ok(CreateReport {
        created: created.iter().map(|o| ObjectRef::of(o)).collect(),
        existed,
    })
}

/// Delete `created` in reverse order; a 404 counts as deleted.
async fn rollback(
    client: &Client,
    created: &[&PlannedObject],
) -> (Vec<ObjectRef>, Vec<(ObjectRef, String)>) {
    let mut done = Vec::new();
    let mut left = Vec::new();
    for o in created.iter().rev() {
        let r = ObjectRef::of(o);
        match api_for(client, o)
            .delete(&o.name, &DeleteParams::background())
            .await
        {
            Ok(_) => done.push(r),
            Err(kube::Error::Api(s)) if s.code == 404 => done.push(r),
            Err(e) => {
                let why = explain(&e, "delete", &r);
                left.push((r, why));
            }
        }
    }
    (done, left)
}
