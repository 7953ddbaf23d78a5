//! `shiftdeck sim`: an embedded, protocol-faithful simulated OpenShift cluster served over real
//! HTTPS on loopback. `demo`, the tests and the benchmarks all talk to it through real clients.
//!
//! Layout: `store` holds objects and the event history; `server` speaks the Kubernetes API over
//! HTTPS; `tls` holds the process-wide serving CA and certificate; `scenario` seeds a profile's
//! objects; `controllers` make the cluster live (CSRs, node pools, machine sets, hosted clusters,
//! migrations, guest clusters).

pub mod cli;
pub mod clock;
pub mod controllers;
pub mod error;
pub mod options;
pub mod pki;
pub mod resources;
pub mod scenario;
pub mod schema;
pub mod server;
pub mod store;
pub mod strategy;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod time;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use options::{Faults, Profile, Scale, SimOptions, SimUser};

use clock::SimClock;
use store::Store;

/// Bearer tokens the sim accepts, one per `--user`.
pub const ADMIN_TOKEN: &str = "sim-admin-token-not-a-secret";
pub const VIEWER_TOKEN: &str = "sim-viewer-token-not-a-secret";

/// A running simulated cluster. Dropping it does not stop it; call `shutdown`.
pub struct SimHandle {
    pub addr: SocketAddr,
    pub url: String,
    pub token: String,
    /// PEM of the CA that signed the serving certificate (shared by every sim in the process).
    pub ca_pem: String,
    pub profile: Profile,
    pub store: Arc<Store>,
    pub kubeconfig_path: Option<PathBuf>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl SimHandle {
    /// The kubeconfig YAML for this sim: the `https://` URL, the sim CA as
    /// `certificate-authority-data`, a bearer token and a context named after the profile.
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig_yaml(
            &self.url,
            Some(&pki::b64(&self.ca_pem)),
            &self.token,
            self.profile.context_name(),
        )
    }

    /// A kube-rs client for this sim, configured exactly as a user's kubeconfig would be.
    pub async fn client(&self) -> Result<kube::Client, kube::Error> {
        let kc: kube::config::Kubeconfig = serde_yaml::from_str(&self.kubeconfig_yaml())
            .map_err(|e| kube::Error::Service(Box::new(e)))?;
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .map_err(kube::Error::InferKubeconfig)?;
        kube::Client::try_from(config)
    }

    /// Stop serving and stop the controllers.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    pub fn cancellation(&self) -> tokio_util::sync::CancellationToken {
        self.shutdown.clone()
    }
}

/// A kubeconfig with one cluster, user and context. `ca_data` is base64 PEM
/// (`certificate-authority-data`); without it clients fall back to the system roots.
pub fn kubeconfig_yaml(url: &str, ca_data: Option<&str>, token: &str, context: &str) -> String {
    let ca = ca_data
        .map(|d| format!("\n    certificate-authority-data: {d}"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {context}\n  cluster:\n    server: {url}{ca}\ncontexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}-user\n    namespace: default\ncurrent-context: {context}\nusers:\n- name: {context}-user\n  user:\n    token: {token}\npreferences: {{}}\n"
    )
}

/// Start a simulated cluster: seed the profile, start its controllers and serve HTTPS.
/// Returns once the listener is bound, so the URL is usable immediately.
pub async fn start(opts: SimOptions) -> color_eyre::Result<SimHandle> {
    let clock = SimClock::new(opts.speed);
    let store = Arc::new(Store::new(clock, store::DEFAULT_HISTORY));
    scenario::seed(&store, &opts)?;
    let shutdown = tokio_util::sync::CancellationToken::new();
    let tls = tls::shared().map_err(|e| color_eyre::eyre::eyre!("sim TLS setup: {e}"))?;
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    let addr = listener.local_addr()?;
    // The serving certificate covers loopback only; a wildcard listener is reached through it.
    let url = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            format!("https://127.0.0.1:{}", addr.port())
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => format!("https://[::1]:{}", addr.port()),
        _ => format!("https://{addr}"),
    };
    let token = match opts.user {
        SimUser::Admin => ADMIN_TOKEN,
        SimUser::Viewer => VIEWER_TOKEN,
    }
    .to_string();
    server::serve(
        listener,
        tls.acceptor(),
        store.clone(),
        opts.clone(),
        shutdown.clone(),
    );
    controllers::spawn(store.clone(), opts.clone(), shutdown.clone());
    let kubeconfig_path = match &opts.kubeconfig_out {
        Some(p) => {
            std::fs::write(
                p,
                kubeconfig_yaml(
                    &url,
                    Some(&tls.ca_data()),
                    &token,
                    opts.profile.context_name(),
                ),
            )?;
            Some(p.clone())
        }
        None => None,
    };
    Ok(SimHandle {
        addr,
        url,
        token,
        ca_pem: tls.ca_pem.clone(),
        profile: opts.profile,
        store,
        kubeconfig_path,
        shutdown,
    })
}
