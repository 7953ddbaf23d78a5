//! `shiftdeck get hostedclusters`: the rows the pane shows, printed once.

use std::sync::Arc;
use std::time::Instant;

use kube::api::ListParams;
use kube::{Api, Client};

use crate::get::GetError;
use crate::output::OutputFormat;
use crate::panes::hosted::HostedPane;
use crate::panes::hosted::model::{COLUMNS, items};
use crate::watch::dynamic::{Dyn, DynKind, HostedCluster, NodePool, strip_dyn};

async fn list<M: DynKind>(client: &Client, server: &str) -> Result<Vec<Arc<Dyn<M>>>, GetError> {
    let api: Api<Dyn<M>> = Api::all(client.clone());
    match api.list(&ListParams::default()).await {
        Ok(l) => Ok(l
            .items
            .into_iter()
            .map(|mut o| {
                strip_dyn(&mut o);
                Arc::new(o)
            })
            .collect()),
        Err(e) => Err(GetError::listing(
            &format!("{} ({}/{})", M::PLURAL, M::GROUP, M::VERSION),
            server,
            e,
        )),
    }
}

/// List hosted clusters and their node pools and format the rows.
pub async fn hostedclusters(
    client: Client,
    server: &str,
    format: OutputFormat,
) -> Result<String, GetError> {
    let hcs = list::<crate::watch::dynamic::HostedClusterKind>(&client, server).await?;
    let pools = list::<crate::watch::dynamic::NodePoolKind>(&client, server).await?;
    Ok(format_rows(&hcs, &pools, format))
}

/// The pane's rows (default sort) in `format`.
pub fn format_rows(
    hcs: &[Arc<HostedCluster>],
    pools: &[Arc<NodePool>],
    format: OutputFormat,
) -> String {
    let mut pane = HostedPane::default();
    pane.table.sync(&items(hcs, pools), Instant::now());
    let rows: Vec<Vec<String>> = pane.rows().map(|r| r.cells()).collect();
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    match format {
        OutputFormat::Table => crate::output::table(&headers, &rows),
        // Rows of plain strings always serialize; an error would be a bug, shown as such.
        OutputFormat::Json | OutputFormat::Yaml => {
            crate::output::serialize(&crate::output::rows_json(&headers, &rows), format)
                .unwrap_or_else(|e| format!("error: {e}\n"))
        }
    }
}
