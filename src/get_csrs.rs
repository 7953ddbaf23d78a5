//! `shiftdeck get csrs`: the CSR pane's rows (every CSR, pending first, with CHECK and the
//! approval deadline), printed once through the same core (`csr::rows`).

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::csr::checks::{Inputs, validate_all};
use crate::csr::decode::DecodeCache;
use crate::csr::rows::{HistoryFilter, build_rows, rows_json, table};
use crate::kube_conn::one_line;
use crate::panes::csr::model::NodeIndex;
use crate::watch::machine::{Machine, strip_machine};
use crate::watch::{MACHINES, kind};

/// List CSRs, Nodes and (when served) Machines, and format the rows.
pub async fn csrs(client: Client, server: &str, format: OutputFormat) -> Result<String, String> {
    let lp = ListParams::default();
    let csrs = Api::<CertificateSigningRequest>::all(client.clone())
        .list(&lp)
        .await
        .map_err(|e| format!("cannot list CSRs on {server}: {}", one_line(&e)))?
        .items;
    let nodes = Api::<Node>::all(client.clone())
        .list(&lp)
        .await
        .map_err(|e| format!("cannot list nodes on {server}: {}", one_line(&e)))?
        .items;
    let machines: Option<Vec<Value>> = match kind::installed(&client, &MACHINES).await {
        Ok(true) => Some(
            Api::<Machine>::all(client)
                .list(&lp)
                .await
                .map_err(|e| format!("cannot list machines on {server}: {}", one_line(&e)))?
                .items
                .into_iter()
                .map(|mut m| {
                    strip_machine(&mut m);
                    m.to_value()
                })
                .collect(),
        ),
        Ok(false) => None,
        Err(e) => {
            return Err(format!(
                "cannot discover machines on {server}: {}",
                one_line(&e)
            ));
        }
    };
    format_csrs(&csrs, &nodes, machines.as_deref(), format, Timestamp::now())
}

/// The rows for `csrs` as a table, JSON or YAML.
pub fn format_csrs(
    csrs: &[CertificateSigningRequest],
    nodes: &[Node],
    machines: Option<&[Value]>,
    format: OutputFormat,
    now: Timestamp,
) -> Result<String, String> {
    let index = NodeIndex(
        nodes
            .iter()
            .filter_map(|n| Some((n.metadata.name.clone()?, Arc::new(n.clone()))))
            .collect::<HashMap<_, _>>(),
    );
    let inputs = Inputs {
        nodes: &index,
        machines,
        now,
    };
    let vals = validate_all(csrs, &mut DecodeCache::new(), &inputs);
    let rows = build_rows(csrs.iter().zip(&vals), HistoryFilter::All, now);
    match format {
        OutputFormat::Table => {
            let (headers, cells) = table(&rows);
            Ok(crate::get::table(&headers, &cells))
        }
        OutputFormat::Json => serde_json::to_string_pretty(&rows_json(&rows))
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        OutputFormat::Yaml => serde_yaml::to_string(&rows_json(&rows)).map_err(|e| e.to_string()),
    }
}
