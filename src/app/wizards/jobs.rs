//! The wizards' reads, run in spawned tasks by the event loop: the cluster facts and the
//! server-side dry run (the create's permission is the app's one gate, asked ahead).
//! Results come back as [`Msg`]s. The create itself is a write of the one write pipeline
//! (`actions::create`).

use kube::Client;
use tokio::sync::mpsc;

use crate::actions::create::create_access;
use crate::gate::Access;
use crate::wizard::build::Plan;
use crate::wizard::exec::{self, DryRunReport};
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
}

/// A job's result.
#[derive(Debug, Clone)]
pub enum Msg {
    Facts {
        target: Target,
        facts: Box<ClusterFacts>,
        /// Why the facts could not be read (not connected), if so.
        denied: Option<String>,
    },
    DryRun(DryRunReport),
}

/// The RBAC question for opening a wizard (the one its create needs).
pub fn access(target: Target) -> Option<Access> {
    match target {
        Target::Preflight => None,
        Target::Cluster => Some(create_access("hostedclusters")),
        Target::NodePool => Some(create_access("nodepools")),
    }
}

/// Runs jobs against the current connection and collects their results.
pub struct Jobs {
    client: Option<Client>,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Jobs {
            client: None,
            tx,
            rx,
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
        tokio::spawn(async move {
            let _ = tx.send(run(client, job).await);
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

async fn run(client: Client, job: Job) -> Msg {
    match job {
        Job::Facts(target) => Msg::Facts {
            target,
            facts: Box::new(facts::fetch(&client).await),
            denied: None,
        },
        Job::DryRun(plan) => Msg::DryRun(exec::dry_run(&client, &plan).await),
    }
}
