//! Command line: `shiftdeck [tui options]`, `shiftdeck demo`, `shiftdeck sim`, `shiftdeck get`,
//! `shiftdeck create`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::sim::{Faults, Profile, Scale, SimUser};

#[derive(Debug, Parser)]
#[command(
    name = "shiftdeck",
    version,
    about = "A terminal dashboard for OpenShift fleet administrators",
    after_help = "Without a command, opens the TUI on the current kubeconfig context. In the TUI, \
                  press ? for keys and : for commands (:nodes, :ctx, :q).\n\n\
                  Config: $SHIFTDECK_CONFIG, else $XDG_CONFIG_HOME/shiftdeck/config.toml (theme and \
                  key overrides; see config.example.toml).\n\
                  Logs: $XDG_STATE_HOME/shiftdeck/shiftdeck.log (level from $SHIFTDECK_LOG)."
)]
pub struct Cli {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which cluster to talk to.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
}

/// How the TUI looks and behaves.
#[derive(Debug, Args, Clone, Default)]
pub struct UiArgs {
    /// Disable every action (approve, scale, create, migrate, cordon).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Theme name (default, light, high-contrast) or path to a theme TOML file.
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the TUI against an embedded simulated cluster.
    Demo(DemoArgs),
    /// Serve a simulated OpenShift cluster over HTTPS on loopback until interrupted.
    Sim(Box<SimArgs>),
    /// Print what a pane shows, once, for scripts.
    Get(GetArgs),
    /// Create a hosted cluster or node pool (the wizards' CLI form, `hcp` flags).
    Create(crate::wizard::cmd::CreateArgs),
    /// Mirror container images with skopeo, printing one progress line per event.
    Mirror(MirrorArgs),
}

#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// Image list: a MicroShift release-<arch>.json (its .images map) or one reference per line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where to copy: dir:<directory> or docker://<registry host[:port]>[/prefix].
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Registry credentials file passed to skopeo --authfile.
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// Images copied at once.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Verify registry TLS certificates (false for plain-http registries).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub tls_verify: bool,
}

impl MirrorArgs {
    /// The job options these flags ask for.
    pub fn options(&self) -> crate::copies::mirror::MirrorOptions {
        crate::copies::mirror::MirrorOptions {
            authfile: self.authfile.clone(),
            parallel: usize::from(self.parallel),
            tls_verify: self.tls_verify,
            ..Default::default()
        }
    }
}

/// The Copies pane's `:mirror` line: the same arguments as `shiftdeck mirror`.
#[derive(Debug, Parser)]
#[command(name = ":mirror", no_binary_name = true, disable_help_flag = true)]
pub struct MirrorLine {
    #[command(flatten)]
    pub args: MirrorArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Scenario to simulate.
    #[arg(long, value_enum, default_value = "hub")]
    pub profile: Profile,
    /// Simulated time runs this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Faults to inject, as for `shiftdeck sim` (e.g. machine-approver=down: approve new guest
    /// nodes' CSRs yourself; watch-drop=20s: watch the reconnecting state).
    #[arg(long, value_parser = |s: &str| s.parse::<Faults>())]
    pub faults: Option<Faults>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Scenario to simulate.
    #[arg(long, value_enum, default_value = "hub")]
    pub profile: Profile,
    /// Extra objects, e.g. nodes=5000,csrs=20000,hostedclusters=200,nodepools=1000,datavolumes=10000.
    #[arg(long, value_parser = |s: &str| s.parse::<Scale>())]
    pub scale: Option<Scale>,
    /// Simulated time runs this many times faster than real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Seed for the scenario's randomness (same seed, same cluster).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Identity the written kubeconfig authenticates as.
    #[arg(long, value_enum, default_value = "admin")]
    pub user: SimUser,
    /// Faults to inject, e.g. watch-drop=20s,expire-watches=60s,error-rate=0.05,latency=200ms,restart=90s,forbid=nodepools,machine-approver=down.
    #[arg(long, value_parser = |s: &str| s.parse::<Faults>())]
    pub faults: Option<Faults>,
    /// Where to write the kubeconfig (default: a file in the temp directory).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Serve a still cluster: no arriving machines or other scenario activity.
    #[arg(long)]
    pub still: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// What to print.
    #[arg(value_enum)]
    pub what: GetKind,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// `get readiness`: the maintenance report of this infra node instead of the pool rows.
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GetKind {
    Nodes,
    /// Greenboot-style health checks (API, core namespace pods).
    Health,
    /// The cluster overview: identity, counts, boot images, WMCO, health.
    Overview,
    /// Hosted Control Plane prerequisites of the management cluster.
    Preflight,
    /// Live-migration readiness per KubeVirt node pool (`--node NAME`: infra-node maintenance).
    Readiness,
    /// HyperShift node pools (`oc get nodepools -A` columns plus KubeVirt sizing).
    Nodepools,
    /// Machine API MachineSets with OS, ARCH and machines.
    Machinesets,
    /// Certificate signing requests with their checks (also `csr`).
    #[value(alias = "csr")]
    Csrs,
    /// Hosted clusters (`oc get hostedclusters -A` columns plus platform, node pools, nodes).
    #[value(name = "hostedclusters", alias = "hc", alias = "hostedcluster")]
    HostedClusters,
    /// DataVolume imports and the config file's Azure blob copies.
    Copies,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && v > 0.0 && v <= 10_000.0 {
        Ok(v)
    } else {
        Err(format!("speed `{s}` must be above 0 and at most 10000"))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    #[test]
    fn demo_takes_faults_like_sim() {
        let cli = Cli::try_parse_from(["shiftdeck", "demo", "--faults", "machine-approver=down"])
            .expect("parses");
        match cli.command {
            Some(Command::Demo(d)) => {
                assert!(d.faults.is_some_and(|f| f.machine_approver_down));
            }
            other => panic!("not demo: {other:?}"),
        }
        let bad = Cli::try_parse_from(["shiftdeck", "demo", "--faults", "machine-approver=maybe"]);
        let msg = bad.expect_err("refused").to_string();
        assert!(msg.contains("must be `down` or `up`"), "{msg}");
    }
}
