//! The I/O behind the Hosted clusters pane: one-shot reads for its details and opening a guest
//! cluster from its admin kubeconfig Secret. The kubeconfig stays in memory: it is never written,
//! logged or shown, and error messages never quote it.

use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use kube::api::ListParams;
use kube::{Api, Client, Resource};
use serde_json::{Value, json};

use crate::fetched::{GuestRef, NamespaceObjects};
use crate::fleet::hosted::admin_kubeconfig;
use crate::kube_conn::{Connection, Source, one_line};

async fn list_values<K>(api: Api<K>, lp: &ListParams) -> Result<Vec<Value>, kube::Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    let list = api.list(lp).await?;
    Ok(list
        .items
        .into_iter()
        .map(|mut o| {
            o.meta_mut().managed_fields = None;
            serde_json::to_value(o).unwrap_or(Value::Null)
        })
        .collect())
}

/// List the pods and services of `namespace`.
pub async fn list_namespace(client: Client, namespace: String) -> NamespaceObjects {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    let services: Api<Service> = Api::namespaced(client, &namespace);
    let all = ListParams::default();
    let (p, s) = tokio::join!(list_values(pods, &all), list_values(services, &all));
    match (p, s) {
        (Ok(pods), Ok(services)) => NamespaceObjects {
            namespace,
            pods,
            services,
            error: None,
        },
        (Err(e), _) | (_, Err(e)) => NamespaceObjects {
            error: Some(format!("pods/services in {namespace}: {}", one_line(&e))),
            namespace,
            pods: Vec::new(),
            services: Vec::new(),
        },
    }
}

/// Why a hosted cluster's guest API could not be opened. No variant carries the kubeconfig or
/// a parse error that could quote it.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    #[error(
        "cannot read the admin kubeconfig secret {secret}: {}",
        one_line(source)
    )]
    ReadSecret { secret: String, source: kube::Error },
    #[error("unreadable secret {0}")]
    Unreadable(String),
    #[error(transparent)]
    Kubeconfig(#[from] crate::fleet::hosted::KubeconfigError),
    #[error("secret {0} does not hold a valid kubeconfig")]
    NotKubeconfig(String),
    #[error("the admin kubeconfig of {0} has no usable current context")]
    NoContext(String),
}

/// Read the admin kubeconfig Secret with `client` and build a connection to the guest API.
/// Returns the guest's `Source` (kept in memory to reconnect) and the connection.
pub async fn open(client: Client, g: &GuestRef) -> Result<(Source, Connection), GuestError> {
    let label = g.label();
    let where_ = format!("{}/{}", g.namespace, g.secret);
    let api: Api<Secret> = Api::namespaced(client, &g.namespace);
    let secret = api
        .get(&g.secret)
        .await
        .map_err(|source| GuestError::ReadSecret {
            secret: where_.clone(),
            source,
        })?;
    let secret =
        serde_json::to_value(&secret).map_err(|_| GuestError::Unreadable(where_.clone()))?;
    let hc = json!({
        "metadata": {"namespace": g.namespace, "name": g.name},
        "status": {"kubeconfig": {"name": g.secret}},
    });
    let kc = admin_kubeconfig(&hc, &secret)?;
    // Parse errors may quote the text: say only where it came from.
    let kubeconfig = kube::config::Kubeconfig::from_yaml(kc.expose())
        .map_err(|_| GuestError::NotKubeconfig(where_.clone()))?;
    let source = Source::Kubeconfig {
        kubeconfig: Box::new(kubeconfig),
        label: format!("guest {label}"),
    };
    let conn = source
        .connect(None)
        .await
        .map_err(|_| GuestError::NoContext(label))?;
    Ok((source, conn))
}

/// How long one guest cluster may take to answer the PDB check.
pub const GUEST_PDB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// For each hosted cluster with drained guest nodes: open its guest API with its admin
/// kubeconfig (read with `client`, kept in memory), list its policy/v1 PodDisruptionBudgets and
/// the pods on the drained nodes, and check them. Clusters are checked concurrently.
pub async fn guest_pdbs(
    client: Client,
    targets: Vec<crate::migration::guest_pdbs::GuestTarget>,
) -> Vec<crate::migration::guest_pdbs::GuestPdbReport> {
    use crate::migration::guest_pdbs::GuestPdbReport;
    let checks = targets.into_iter().map(|t| {
        let client = client.clone();
        async move {
            let result =
                match tokio::time::timeout(GUEST_PDB_TIMEOUT, check_guest(client, &t)).await {
                    Ok(r) => r,
                    Err(_) => crate::migration::guest_pdbs::GuestPdbs::Unreachable(format!(
                        "no answer within {} s",
                        GUEST_PDB_TIMEOUT.as_secs()
                    )),
                };
            GuestPdbReport {
                cluster: t.cluster,
                nodes: t.nodes,
                result,
            }
        }
    });
    futures::future::join_all(checks).await
}

async fn check_guest(
    client: Client,
    t: &crate::migration::guest_pdbs::GuestTarget,
) -> crate::migration::guest_pdbs::GuestPdbs {
    use crate::migration::guest_pdbs::{GuestPdbs, check_pdbs};
    use k8s_openapi::api::policy::v1::PodDisruptionBudget;
    let g = match &t.guest {
        Ok(g) => g,
        Err(why) => return GuestPdbs::NoKubeconfig(why.clone()),
    };
    let conn = match open(client, g).await {
        Ok((_, conn)) => conn,
        Err(why) => return GuestPdbs::NoKubeconfig(why.to_string()),
    };
    let pdbs = match list_values(
        Api::<PodDisruptionBudget>::all(conn.client.clone()),
        &ListParams::default(),
    )
    .await
    {
        Ok(p) => p,
        Err(e) => {
            return GuestPdbs::Unreachable(format!(
                "cannot list PodDisruptionBudgets at {}: {}",
                conn.server,
                one_line(&e)
            ));
        }
    };
    let mut pods = Vec::new();
    for node in &t.nodes {
        let api: Api<Pod> = Api::all(conn.client.clone());
        let lp = ListParams::default().fields(&format!("spec.nodeName={node}"));
        match list_values(api, &lp).await {
            Ok(on_node) => pods.extend(on_node),
            Err(e) => {
                return GuestPdbs::Unreachable(format!(
                    "cannot list the pods on {node}: {}",
                    one_line(&e)
                ));
            }
        }
    }
    GuestPdbs::Checked(check_pdbs(&pdbs, &pods, &t.nodes))
}
