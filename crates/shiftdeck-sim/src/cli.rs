//! `shiftdeck sim` / `shiftdeck-sim`: serve a simulated cluster until interrupted. The options
//! live here so the main binary and this crate's own binary parse them the same way.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::{Faults, Profile, Scale, SimOptions, SimUser};

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
    /// Keep the sim's CA here (created when missing), so a sim restarted with the same
    /// directory and address is trusted by the kubeconfig the previous one wrote.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

/// A speed factor: above 0 and at most 10,000.
pub fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && v > 0.0 && v <= 10_000.0 {
        Ok(v)
    } else {
        Err(format!("speed `{s}` must be above 0 and at most 10000"))
    }
}

/// Serve until Ctrl-C; prints the URL and where the kubeconfig went.
pub async fn serve(args: SimArgs) -> color_eyre::Result<()> {
    if let Some(dir) = &args.state_dir {
        crate::tls::use_state_dir(dir).map_err(|e| color_eyre::eyre::eyre!(e))?;
    }
    let kubeconfig_out = args.kubeconfig_out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("shiftdeck-sim-{}.kubeconfig", std::process::id()))
    });
    let opts = SimOptions {
        listen: args.listen,
        profile: args.profile,
        scale: args.scale.unwrap_or_default(),
        speed: args.speed,
        seed: args.seed,
        user: args.user,
        faults: args.faults.unwrap_or_default(),
        kubeconfig_out: Some(kubeconfig_out),
        live: !args.still,
    };
    let sim = crate::start(opts).await?;
    println!("server: {}", sim.url);
    if let Some(p) = &sim.kubeconfig_path {
        println!("kubeconfig: {}", p.display());
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown();
    Ok(())
}
