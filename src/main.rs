use clap::Parser;
use color_eyre::Result;
use shiftdeck::cli::{Cli, Command, GetKind};

#[tokio::main]
async fn main() -> Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sim(args)) => run_sim(*args).await,
        Some(Command::Create(args)) => {
            std::process::exit(shiftdeck::wizard::cmd::run_create(&cli.conn, args).await)
        }
        Some(Command::Get(args)) if args.what == GetKind::Preflight => std::process::exit(
            shiftdeck::wizard::cmd::run_get_preflight(&cli.conn, args.output).await,
        ),
        _ => {
            eprintln!("shiftdeck: the TUI is not built yet");
            std::process::exit(1);
        }
    }
}

async fn run_sim(args: shiftdeck::cli::SimArgs) -> Result<()> {
    let kubeconfig_out = args.kubeconfig_out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("shiftdeck-sim-{}.kubeconfig", std::process::id()))
    });
    let opts = shiftdeck::sim::SimOptions {
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
    let sim = shiftdeck::sim::start(opts).await?;
    println!("server: {}", sim.url);
    if let Some(p) = &sim.kubeconfig_path {
        println!("kubeconfig: {}", p.display());
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown();
    Ok(())
}
