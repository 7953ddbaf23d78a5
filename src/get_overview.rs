//! `shiftdeck get health` and `shiftdeck get overview`: gather, build, and print once.

use kube::Client;
use serde::Serialize;

use crate::output::OutputError;
use crate::output::{OutputFormat, serialize};
use crate::overview::health::{self, HealthReport};
use crate::overview::{ClusterFlavor, OverviewModel};
use crate::watch::overview_fetch::{self as fetch, Served};

/// What `get health -o json|yaml` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HealthOutput {
    pub cluster: ClusterFlavor,
    #[serde(flatten)]
    pub report: HealthReport,
}

/// Detects the flavor and runs the greenboot-style checks.
pub async fn health(client: &Client) -> HealthOutput {
    let served = Served::discover(client).await;
    let ((cv, ms), data) = futures::join!(
        fetch::gather_flavor(client, &served),
        fetch::gather_health(client)
    );
    let cluster = ClusterFlavor::detect(&cv, &ms);
    let report = health::evaluate(&health::HealthInputs {
        api: &data.api,
        namespaces: &data.namespaces,
        pods: &data.core_pods,
        any_running: &data.any_running,
        expect_pods: cluster.is_microshift(),
    });
    HealthOutput { cluster, report }
}

/// Renders `get health` output.
pub fn render_health(out: &HealthOutput, format: OutputFormat) -> Result<String, OutputError> {
    match format {
        OutputFormat::Table => {
            let (h, rows) = out.report.table();
            Ok(format!(
                "Cluster: {}\n{}Overall: {}\n",
                out.cluster.label(),
                health::format_table(&h, &rows),
                if out.report.healthy {
                    "healthy"
                } else {
                    "unhealthy"
                }
            ))
        }
        f => serialize(out, f),
    }
}

/// Renders `get overview` output.
pub fn render_overview(model: &OverviewModel, format: OutputFormat) -> Result<String, OutputError> {
    match format {
        OutputFormat::Table => Ok(model.lines().join("\n") + "\n"),
        f => serialize(model, f),
    }
}
