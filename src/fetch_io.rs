//! Performs the one-shot reads panes ask for ([`Fetch`]): the event loop spawns [`fetch`] and
//! hands the result back to the panes through `panes::Documents::fetched`.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Node;
use kube::{Api, Client, Resource};

use crate::fetched::{Fetch, FetchResult, FetchedNode};
use crate::kube_conn::one_line;

/// Perform `f` with `client`. Never fails as a whole: errors travel in the result, one line each.
pub async fn fetch(client: Client, f: Fetch) -> FetchResult {
    match f {
        Fetch::Namespace { namespace } => {
            FetchResult::Namespace(crate::guest::list_namespace(client, namespace).await)
        }
        Fetch::Node { name } => FetchResult::Node(get_node(client, name).await),
    }
}

/// GET one Node, whole but for `managedFields` (the YAML view shows it; it is redacted there).
async fn get_node(client: Client, name: String) -> FetchedNode {
    let node = Api::<Node>::all(client)
        .get(&name)
        .await
        .map(|mut n| {
            n.meta_mut().managed_fields = None;
            Arc::new(n)
        })
        .map_err(|e| format!("cannot read node {name}: {}", one_line(&e)));
    FetchedNode { name, node }
}
