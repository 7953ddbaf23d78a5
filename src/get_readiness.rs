//! `shiftdeck get readiness [--node NAME]`: live-migration readiness per node pool, or the
//! maintenance report of one infra node, through the same models the TUI shows.

use kube::Client;
use serde_json::{Value, json};

use crate::fleet::util::{TableRow, rows_json};
use crate::get::GetError;
use crate::migration::guest_pdbs::{GuestPdbReport, targets};
use crate::migration::inputs::MigrationInputs;
use crate::output::OutputError;
use crate::output::OutputFormat;
use crate::watch::migration_kinds::list_all;

/// List the live-migration kinds once and format the readiness rows or the node's report.
pub async fn readiness(
    client: &Client,
    node: Option<&str>,
    format: OutputFormat,
) -> Result<String, GetError> {
    if let Some(n) = node {
        let api: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client.clone());
        match api.get_opt(n).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(GetError::NoSuchNode(n.to_string())),
            Err(source) => {
                return Err(GetError::ReadNode {
                    node: n.to_string(),
                    source,
                });
            }
        }
    }
    let inputs = MigrationInputs::from_lists(list_all(client).await.map_err(GetError::Read)?);
    let pdbs = match node {
        Some(n) => {
            let targets = targets(&inputs.maintenance(n), &inputs.hosted_clusters);
            crate::guest::guest_pdbs(client.clone(), targets).await
        }
        None => Vec::new(),
    };
    Ok(format_readiness(&inputs, node, &pdbs, format)?)
}

/// Pure formatting: table with the view's headers; json/yaml an array of objects keyed by them.
/// With a node, the table ends with the verdict line and json/yaml is
/// `{node, verdict, safe, drainedGuestNodes, guestPDBs, vmis: [...]}`, where `guestPDBs` has one
/// entry per hosted cluster with drained guest nodes (`pdbs` from [`crate::guest::guest_pdbs`]).
pub fn format_readiness(
    inputs: &MigrationInputs,
    node: Option<&str>,
    pdbs: &[GuestPdbReport],
    format: OutputFormat,
) -> Result<String, OutputError> {
    let Some(node) = node else {
        let rows = inputs.readiness_rows();
        return render(format, rows_json(&rows), || {
            let cells: Vec<Vec<String>> = rows.iter().map(TableRow::cells).collect();
            crate::output::table(crate::migration::readiness::ReadinessRow::HEADERS, &cells)
        });
    };
    let rep = inputs.maintenance(node);
    let rows = rep.rows();
    let obj = json!({
        "node": node,
        "verdict": rep.verdict(),
        "safe": rep.safe(),
        "drainedGuestNodes": rep.drained_guest_nodes(),
        "guestPDBs": pdbs.iter().map(GuestPdbReport::to_json).collect::<Vec<_>>(),
        "vmis": rows_json(&rows),
    });
    render(format, obj, || {
        let cells: Vec<Vec<String>> = rows.iter().map(TableRow::cells).collect();
        let mut out = crate::output::table(
            crate::migration::maintenance::MaintenanceRow::HEADERS,
            &cells,
        );
        out.push_str(&format!("\n{node}: {}\n", rep.verdict()));
        if pdbs.is_empty() {
            out.push_str("guest PDBs: none to check (no guest node is drained)\n");
        }
        for r in pdbs {
            out.push_str(&format!("guest PDBs of {}\n", r.line()));
        }
        out
    })
}

fn render(
    format: OutputFormat,
    v: Value,
    table: impl FnOnce() -> String,
) -> Result<String, OutputError> {
    match format {
        OutputFormat::Table => Ok(table()),
        OutputFormat::Json | OutputFormat::Yaml => crate::output::serialize(&v, format),
    }
}
