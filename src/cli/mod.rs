//! Command line: `shiftdeck [tui options]`, `shiftdeck demo`, `shiftdeck sim`, `shiftdeck get`,
//! `shiftdeck create`.

pub mod create;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::OutputFormat;
use shiftdeck_sim::{Faults, Profile};

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

/// Which cluster to talk to: the TUI's options, and those of each command that talks to a cluster
/// (not global, so `sim --help` and `mirror --help` list only their own options).
#[derive(Debug, Args, Clone, Default)]
pub struct ConnArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

impl ConnArgs {
    /// These options, each one not given taken from `outer` (given before the command).
    fn or(self, outer: &ConnArgs) -> ConnArgs {
        ConnArgs {
            kubeconfig: self.kubeconfig.or_else(|| outer.kubeconfig.clone()),
            context: self.context.or_else(|| outer.context.clone()),
        }
    }
}

/// How the TUI looks and behaves (the TUI's and `demo`'s options).
#[derive(Debug, Args, Clone, Default)]
pub struct UiArgs {
    /// Disable every action (approve, scale, create, migrate, cordon).
    #[arg(long)]
    pub read_only: bool,
    /// Theme name (default, light, high-contrast) or path to a theme TOML file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
}

impl Cli {
    /// `conn` and `ui` as the command uses them: the command's own options, else those given
    /// before it (`shiftdeck --context x get nodes` still works).
    pub fn resolved(mut self) -> Self {
        match &mut self.command {
            Some(Command::Get(a)) => self.conn = std::mem::take(&mut a.conn).or(&self.conn),
            Some(Command::Create(a)) => {
                let conn = a.conn_mut();
                self.conn = std::mem::take(conn).or(&self.conn);
                conn.clone_from(&self.conn);
            }
            Some(Command::Demo(d)) => {
                self.ui = UiArgs {
                    read_only: d.ui.read_only || self.ui.read_only,
                    theme: d.ui.theme.take().or(self.ui.theme.take()),
                };
            }
            _ => {}
        }
        self
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the TUI against an embedded simulated cluster.
    Demo(DemoArgs),
    /// Serve a simulated OpenShift cluster over HTTPS on loopback until interrupted.
    Sim(Box<shiftdeck_sim::cli::SimArgs>),
    /// Print what a pane shows, once, for scripts.
    Get(GetArgs),
    /// Create a hosted cluster or node pool (the wizards' CLI form, `hcp` flags).
    Create(create::CreateArgs),
    /// Mirror container images with skopeo, printing one progress line per event.
    Mirror(crate::copies::mirror_args::MirrorArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub ui: UiArgs,
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
pub struct GetArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
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

use shiftdeck_sim::cli::parse_speed;

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

    fn help(path: &[&str]) -> String {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        for name in path {
            cmd = cmd
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("no subcommand {name}"))
                .clone();
        }
        cmd.render_long_help().to_string()
    }

    #[test]
    fn each_command_lists_only_its_own_options() {
        let tui_only = ["--read-only", "--theme"];
        let conn = ["--kubeconfig", "--context"];
        for cmd in [&["sim"][..], &["mirror"]] {
            let h = help(cmd);
            // Whole words: `sim` has `--kubeconfig-out`, which is its own option.
            for o in tui_only.iter().chain(&conn) {
                assert!(
                    !h.split_whitespace().any(|w| w.trim_end_matches(',') == *o),
                    "`{}` help lists {o}:\n{h}",
                    cmd.join(" ")
                );
            }
        }
        let demo = help(&["demo"]);
        assert!(tui_only.iter().all(|o| demo.contains(o)), "{demo}");
        assert!(!conn.iter().any(|o| demo.contains(o)), "{demo}");
        for cmd in [
            &["get"][..],
            &["create", "cluster", "kubevirt"],
            &["create", "nodepool", "kubevirt"],
        ] {
            let h = help(cmd);
            assert!(conn.iter().all(|o| h.contains(o)), "{h}");
            assert!(!tui_only.iter().any(|o| h.contains(o)), "{h}");
        }
        let top = help(&[]);
        assert!(
            tui_only.iter().chain(&conn).all(|o| top.contains(o)),
            "{top}"
        );
    }

    #[test]
    fn options_before_the_command_still_apply() {
        let cli = Cli::try_parse_from(["shiftdeck", "--context", "a", "get", "nodes"])
            .expect("parses")
            .resolved();
        assert_eq!(cli.conn.context.as_deref(), Some("a"));
        let cli = Cli::try_parse_from([
            "shiftdeck",
            "--context",
            "a",
            "get",
            "nodes",
            "--context",
            "b",
        ])
        .expect("parses")
        .resolved();
        assert_eq!(
            cli.conn.context.as_deref(),
            Some("b"),
            "the command's own wins"
        );
        let cli = Cli::try_parse_from(["shiftdeck", "--theme", "light", "demo", "--read-only"])
            .expect("parses")
            .resolved();
        assert_eq!(
            (cli.ui.theme.as_deref(), cli.ui.read_only),
            (Some("light"), true)
        );
        let cli = Cli::try_parse_from([
            "shiftdeck",
            "create",
            "cluster",
            "kubevirt",
            "--name",
            "x",
            "--pull-secret",
            "p",
            "--kubeconfig",
            "/k",
        ])
        .expect("parses")
        .resolved();
        assert_eq!(
            cli.conn.kubeconfig.as_deref(),
            Some(std::path::Path::new("/k"))
        );
    }
}
