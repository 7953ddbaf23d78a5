use clap::Parser;
use color_eyre::Result;
use shiftdeck::cli::{Cli, Command, ConnArgs, GetArgs, GetKind};

#[tokio::main]
async fn main() -> Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sim(args)) => run_sim(*args).await,
        Some(Command::Get(args)) if args.what != GetKind::Nodes => run_get(&cli.conn, args).await,
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

async fn client_for(conn: &ConnArgs) -> Result<kube::Client> {
    let opts = kube::config::KubeConfigOptions {
        context: conn.context.clone(),
        ..Default::default()
    };
    let config = match &conn.kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)?;
            kube::Config::from_custom_kubeconfig(kc, &opts).await?
        }
        None if conn.context.is_some() => kube::Config::from_kubeconfig(&opts).await?,
        None => kube::Config::infer().await?,
    };
    Ok(kube::Client::try_from(config)?)
}

async fn run_get(conn: &ConnArgs, args: GetArgs) -> Result<()> {
    use shiftdeck::overview::{OverviewModel, fetch, report};
    let client = client_for(conn).await?;
    let text = match args.what {
        GetKind::Health => report::render_health(&report::health(&client).await, args.output),
        GetKind::Overview => report::render_overview(
            &OverviewModel::build(&fetch::gather(&client).await),
            args.output,
        ),
        GetKind::Nodes => Err("`get nodes` is not built yet".to_string()),
    }
    .map_err(|e| color_eyre::eyre::eyre!(e))?;
    print!("{text}");
    Ok(())
}
