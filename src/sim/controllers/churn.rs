//! Steady background churn for `--scale` clusters: a few node heartbeats per second, so
//! watchers of big lists see a realistic trickle of MODIFIED events.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::sim::resources::by_key;
use crate::sim::scenario::objects;
use crate::sim::scenario::scale::scale_node_name;
use crate::sim::store::Store;

pub async fn run(store: Arc<Store>, nodes: usize, shutdown: CancellationToken) {
    if nodes == 0 {
        return;
    }
    let mut i: usize = 0;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
        i = (i + 7919) % nodes;
        let name = scale_node_name(i);
        let now = store.clock().now_rfc3339();
        let _ = store.mutate(by_key("nodes"), None, &name, false, |n| {
            let ready = objects::condition_status(n, "Ready") == Some("True");
            objects::set_node_ready(n, ready, &now);
            Ok(())
        });
    }
}
