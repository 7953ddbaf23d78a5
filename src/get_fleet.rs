//! `shiftdeck get nodepools|machinesets`: the rows the Node pools and MachineSets panes show,
//! through the same view models (`oc get nodepools -A` / `oc get machinesets -A` columns plus
//! the extras), as a table, JSON or YAML (arrays of objects keyed by the headers).

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};
use serde_json::Value;

use crate::fleet::machineset::machine_set_rows;
use crate::fleet::nodepool::node_pool_rows;
use crate::fleet::util::{TableRow, rows_json, table};
use crate::get::GetError;
use crate::output::{OutputError, OutputFormat};
use crate::watch::fleet::{self as wf, FleetMachine, MachineSet, NodePool};

async fn list<K>(client: &Client, what: &str, server: &str) -> Result<Vec<K>, GetError>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::all(client.clone());
    api.list(&ListParams::default())
        .await
        .map(|l| l.items)
        .map_err(|e| GetError::listing(what, server, e))
}

fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by(|a, b| {
        let k = |v: &Value| {
            (
                crate::fleet::util::namespace(v).to_string(),
                crate::fleet::util::name(v).to_string(),
            )
        };
        k(a).cmp(&k(b))
    });
    v
}

/// Print rows in `format`.
pub fn format_rows<T: TableRow>(rows: &[T], format: OutputFormat) -> Result<String, OutputError> {
    match format {
        OutputFormat::Table => {
            let (headers, cells) = table(rows);
            Ok(crate::output::table(&headers, &cells))
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            crate::output::serialize(&rows_json(rows), format)
        }
    }
}

pub async fn nodepools(
    client: Client,
    server: &str,
    format: OutputFormat,
) -> Result<String, GetError> {
    let pools: Vec<NodePool> = list(&client, "NodePools", server).await?;
    let values = sorted(
        pools
            .into_iter()
            .map(|mut p| {
                wf::strip_nodepool(&mut p);
                p.to_value()
            })
            .collect(),
    );
    Ok(format_rows(&node_pool_rows(&values), format)?)
}

pub async fn machinesets(
    client: Client,
    server: &str,
    format: OutputFormat,
) -> Result<String, GetError> {
    let sets: Vec<MachineSet> = list(&client, "MachineSets", server).await?;
    let machines: Vec<FleetMachine> = list(&client, "Machines", server).await.unwrap_or_default();
    let nodes: Vec<Value> = Api::<Node>::all(client)
        .list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .iter()
                .filter_map(|n| serde_json::to_value(n).ok())
                .collect()
        })
        .unwrap_or_default();
    let sets = sorted(sets.iter().map(MachineSet::to_value).collect());
    let machines: Vec<Value> = machines.iter().map(FleetMachine::to_value).collect();
    Ok(format_rows(
        &machine_set_rows(&sets, &machines, &nodes, Timestamp::now()),
        format,
    )?)
}
