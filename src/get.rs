//! `shiftdeck get nodes`: the rows the Nodes pane shows, printed once, through the same view model.

use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use kube::{Api, Client};

use crate::kube_conn::one_line;
use crate::output::{OutputError, OutputFormat, render_rows};
use crate::panes::nodes::NodesView;
use crate::panes::nodes::model::COLUMNS;
use crate::watch::kind::strip_node;

/// Why a `shiftdeck get` printed nothing. `main` turns it into one line.
#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error("cannot list {what} on {server}: {}", one_line(source))]
    List {
        what: String,
        server: String,
        source: kube::Error,
    },
    /// A list whose server the caller does not know (`get copies`).
    #[error("cannot list {what}: {}", one_line(source))]
    ListAll {
        what: &'static str,
        source: kube::Error,
    },
    #[error("{what} are not installed on {server} (the API is not served)")]
    NotServed { what: String, server: String },
    #[error("cannot read node {node}: {}", one_line(source))]
    ReadNode { node: String, source: kube::Error },
    #[error("no node `{0}` on this cluster")]
    NoSuchNode(String),
    /// A read of the watch layer's (several kinds at once) failed; its own one-line message.
    #[error("{0}")]
    Read(String),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl GetError {
    /// The list of `what` failed: a 404 means the API is not served.
    pub fn listing(what: &str, server: &str, e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) if s.code == 404 => GetError::NotServed {
                what: what.into(),
                server: server.into(),
            },
            source => GetError::List {
                what: what.into(),
                server: server.into(),
                source,
            },
        }
    }
}

/// List nodes and format them.
pub async fn nodes(client: Client, server: &str, format: OutputFormat) -> Result<String, GetError> {
    let api: Api<Node> = Api::all(client);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|source| GetError::List {
            what: "nodes".into(),
            server: server.into(),
            source,
        })?;
    let snapshot: Vec<Arc<Node>> = list
        .items
        .into_iter()
        .map(|mut n| {
            strip_node(&mut n);
            Arc::new(n)
        })
        .collect();
    let mut view = NodesView::default();
    view.apply(&snapshot, Instant::now());
    Ok(format_nodes(&view, format, Timestamp::now())?)
}

/// The visible rows as cells, in display order.
pub fn cells(view: &NodesView, now: Timestamp) -> Vec<Vec<String>> {
    view.rows()
        .map(|r| (0..COLUMNS.len()).map(|c| r.cell(c, now)).collect())
        .collect()
}

pub fn format_nodes(
    view: &NodesView,
    format: OutputFormat,
    now: Timestamp,
) -> Result<String, OutputError> {
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
    render_rows(&headers, &cells(view, now), format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panes::nodes::fixtures::{NodeSpec, node};
    use serde_json::{Map, Value};

    fn view() -> (NodesView, Timestamp) {
        let t0 = Timestamp::from_second(1_700_000_000).unwrap();
        let nodes = [
            node(&NodeSpec {
                name: "worker-0",
                arch: "arm64",
                ..Default::default()
            }),
            node(&NodeSpec {
                name: "win-0",
                os: "windows",
                taints: 1,
                ip: "10.0.0.11",
                ..Default::default()
            }),
        ];
        let snap: Vec<Arc<Node>> = nodes.into_iter().map(Arc::new).collect();
        let mut v = NodesView::default();
        v.apply(&snap, Instant::now());
        (
            v,
            t0 + k8s_openapi::jiff::SignedDuration::from_hours(24 * 3),
        )
    }

    #[test]
    fn json_is_keyed_by_headers_in_display_order() {
        let (v, now) = view();
        let out = format_nodes(&v, OutputFormat::Json, now).unwrap();
        let parsed: Vec<Map<String, Value>> = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0]["NAME"], "win-0");
        assert_eq!(parsed[0]["OS"], "windows 10.0.20348");
        assert_eq!(parsed[1]["ARCH"], "arm64");
        assert_eq!(parsed[1]["AGE"], "3d");
        let keys: Vec<&String> = parsed[1].keys().collect();
        assert_eq!(keys, COLUMNS.iter().map(|c| c.header).collect::<Vec<_>>());
    }

    #[test]
    fn yaml_and_table() {
        let (v, now) = view();
        let y = format_nodes(&v, OutputFormat::Yaml, now).unwrap();
        let parsed: Vec<Map<String, Value>> = serde_yaml::from_str(&y).unwrap();
        assert_eq!(parsed[1]["NAME"], "worker-0");
        let t = format_nodes(&v, OutputFormat::Table, now).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("NAME       STATUS   ROLES    AGE   VERSION"),
            "{t}"
        );
        assert!(
            lines[2].starts_with("worker-0   Ready    worker   3d    v1.31.6"),
            "{t}"
        );
    }
}
