//! The wizards' I/O, run in spawned tasks by the event loop: read the cluster facts (with the
//! RBAC check for the create), server-side dry run, create with rollback, and the audit-log
//! line of every create. Results come back as [`Msg`]s.

use std::path::PathBuf;

use kube::Client;
use tokio::sync::mpsc;

use crate::gate::{Access, ActionGate, GatedAction, Verdict};
use crate::wizard::build::{Plan, defaults};
use crate::wizard::exec::{self, CreateError, CreateReport, DryRunReport};
use crate::wizard::facts::{self, ClusterFacts};

/// What a facts fetch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Preflight,
    Cluster,
    NodePool,
}

/// Work for the event loop.
#[derive(Debug, Clone)]
pub enum Job {
    Facts(Target),
    DryRun(Box<Plan>),
    Create {
        plan: Box<Plan>,
        /// kubeconfig context, for the audit log.
        context: String,
        /// `HostedCluster ns/name` or `NodePool ns/name`.
        target: String,
    },
}

/// A job's result.
#[derive(Debug, Clone)]
pub enum Msg {
    Facts {
        target: Target,
        facts: Box<ClusterFacts>,
        /// RBAC said no (for the create wizards), with the reason.
        denied: Option<String>,
    },
    DryRun(DryRunReport),
    Created {
        target: String,
        result: Result<CreateReport, CreateError>,
        /// The audit log could not be written.
        audit_error: Option<String>,
    },
}

/// The RBAC question for opening a wizard.
pub fn access(target: Target) -> Option<Access> {
    let resource = match target {
        Target::Preflight => return None,
        Target::Cluster => "hostedclusters",
        Target::NodePool => "nodepools",
    };
    Some(Access {
        verb: "create".into(),
        group: "hypershift.openshift.io".into(),
        resource: resource.into(),
        subresource: None,
        namespace: Some(defaults::NAMESPACE.into()),
        name: None,
    })
}

/// The audited object of a create: the plan's HostedCluster or NodePool (`target` is its
/// `Kind ns/name`, as the wizard names it).
fn created_target(target: &str, plan: &Plan) -> crate::actions::audit::AuditTarget {
    let (kind, key) = target.split_once(' ').unwrap_or((target, ""));
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    let mut t = crate::actions::audit::AuditTarget::new(kind, Some(ns), name, None);
    // Nothing to pin before it exists: the record names what was asked for.
    if t.name.is_empty() {
        t.name = plan
            .objects
            .last()
            .map(|o| o.name.clone())
            .unwrap_or_default();
    }
    t
}

/// Runs jobs against the current connection and collects their results.
pub struct Jobs {
    client: Option<Client>,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// Where creates are recorded (`None`: not recorded; tests point it at a temp file).
    pub audit: Option<PathBuf>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Jobs {
            client: None,
            tx,
            rx,
            audit: crate::actions::audit::default_path(),
        }
    }
}

impl Jobs {
    pub fn set_client(&mut self, client: Client) {
        self.client = Some(client);
    }

    /// Start a job in a task. Without a connection the result says so.
    pub fn spawn(&self, job: Job) {
        let tx = self.tx.clone();
        let Some(client) = self.client.clone() else {
            let _ = tx.send(not_connected(job));
            return;
        };
        let audit = self.audit.clone();
        tokio::spawn(async move {
            let _ = tx.send(run(client, job, audit).await);
        });
    }

    /// The next result. Cancel-safe.
    pub async fn recv(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }
}

fn not_connected(job: Job) -> Msg {
    let why = "not connected to a cluster".to_string();
    match job {
        Job::Facts(target) => Msg::Facts {
            target,
            facts: Box::default(),
            denied: Some(why),
        },
        Job::DryRun(plan) => Msg::DryRun(DryRunReport {
            steps: vec![exec::DryRunStep {
                object: exec_ref(&plan),
                outcome: exec::DryRunOutcome::Rejected(why),
            }],
        }),
        Job::Create { target, plan, .. } => Msg::Created {
            target,
            result: Err(CreateError {
                failed: exec_ref(&plan),
                explanation: why,
                rolled_back: Vec::new(),
                left_behind: Vec::new(),
                status: None,
            }),
            audit_error: None,
        },
    }
}

fn exec_ref(plan: &Plan) -> exec::ObjectRef {
    let first = plan.objects.first();
    exec::ObjectRef {
        kind: first.map(|o| o.kind.clone()).unwrap_or_default(),
        namespace: first.and_then(|o| o.namespace.clone()),
        name: first.map(|o| o.name.clone()).unwrap_or_default(),
    }
}

async fn run(client: Client, job: Job, audit: Option<PathBuf>) -> Msg {
    match job {
        Job::Facts(target) => {
            let denied = match access(target) {
                Some(a) => match ActionGate::new(false)
                    .check(&client, &GatedAction::ClusterWrite(a))
                    .await
                {
                    Verdict::Denied(why) => Some(why),
                    _ => None,
                },
                None => None,
            };
            let facts = if denied.is_some() {
                ClusterFacts::default()
            } else {
                facts::fetch(&client).await
            };
            Msg::Facts {
                target,
                facts: Box::new(facts),
                denied,
            }
        }
        Job::DryRun(plan) => Msg::DryRun(exec::dry_run(&client, &plan).await),
        Job::Create {
            plan,
            context,
            target,
        } => {
            let result = exec::execute(&client, &plan).await;
            let outcome = match &result {
                Ok(r) => format!(
                    "created: {}",
                    r.created
                        .iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Err(e) => format!("failed: {}", e.explanation),
            };
            let object = created_target(&target, &plan);
            let record =
                crate::actions::audit::AuditEntry::new(&context, "create", object, &outcome);
            let audit_error = crate::actions::audit::append_opt(audit.as_deref(), &[record]).await;
            Msg::Created {
                target,
                result,
                audit_error,
            }
        }
    }
}
