//! `shiftdeck get csrs`: the CSR pane's rows (every CSR, pending first, with CHECK and the
//! approval deadline), printed once through the same core (`csr::rows`).

use crate::get::GetError;
use crate::watch::machine::machines_for_checks;
use std::collections::HashMap;

use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};
use serde_json::Value;

use crate::csr::checks::{Inputs, validate_all};
use crate::csr::decode::DecodeCache;
use crate::csr::machines::MachineIndex;
use crate::csr::rows::{HistoryFilter, build_rows, rows_json, table};
use crate::output::OutputFormat;

/// List CSRs, Nodes and (when served) Machines, and format the rows.
pub async fn csrs(client: Client, server: &str, format: OutputFormat) -> Result<String, GetError> {
    let lp = ListParams::default();
    let csrs = Api::<CertificateSigningRequest>::all(client.clone())
        .list(&lp)
        .await
        .map_err(|source| GetError::List {
            what: "CSRs".into(),
            server: server.into(),
            source,
        })?
        .items;
    let nodes = Api::<Node>::all(client.clone())
        .list(&lp)
        .await
        .map_err(|source| GetError::List {
            what: "nodes".into(),
            server: server.into(),
            source,
        })?
        .items;
    let machines = machines_for_checks(&client)
        .await
        .map_err(|e| GetError::Read(format!("{e} on {server}")))?;
    Ok(format_csrs(
        &csrs,
        &nodes,
        machines.as_ref(),
        format,
        Timestamp::now(),
    )?)
}

/// The rows for `csrs` as a table, JSON or YAML.
pub fn format_csrs(
    csrs: &[CertificateSigningRequest],
    nodes: &[Node],
    machines: Option<&MachineIndex>,
    format: OutputFormat,
    now: Timestamp,
) -> Result<String, crate::output::OutputError> {
    // Borrowed: the CSR checks look Nodes up by name without copying them.
    let index: HashMap<&str, &Node> = nodes
        .iter()
        .filter_map(|n| Some((n.metadata.name.as_deref()?, n)))
        .collect();
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
            Ok(crate::output::table(&headers, &cells))
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            crate::output::serialize(&with_checks(&rows, csrs, &vals), format)
        }
    }
}

/// The rows as JSON, each with every check (`id`, `status` pass/fail, `class`, `message`) so a
/// script can audit all of them, not only the first failure.
fn with_checks(
    rows: &[crate::csr::rows::CsrRow],
    csrs: &[CertificateSigningRequest],
    vals: &[crate::csr::checks::Validation],
) -> Value {
    let by_name: HashMap<&str, &crate::csr::checks::Validation> =
        csrs.iter().map(crate::csr::name).zip(vals).collect();
    let mut out = rows_json(rows);
    if let Some(items) = out.as_array_mut() {
        for (obj, row) in items.iter_mut().zip(rows) {
            let checks: Vec<Value> = by_name
                .get(row.name.as_str())
                .map(|v| {
                    v.checks
                        .iter()
                        .map(|c| {
                            serde_json::json!({
                                "id": c.id,
                                "status": if c.passed { "pass" } else { "fail" },
                                "class": c.class,
                                "message": crate::csr::display_safe(&c.reason),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            if let Some(o) = obj.as_object_mut() {
                o.insert("checks".into(), Value::Array(checks));
            }
        }
    }
    out
}
