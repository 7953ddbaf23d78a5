use std::process::ExitCode;

use clap::Parser;
use shiftdeck::app::App;
use shiftdeck::cli::{Cli, Command, ConnArgs, DemoArgs, GetArgs, GetKind, UiArgs};
use shiftdeck::config;
use shiftdeck::event_loop::Session;
use shiftdeck::kube_conn::Source;

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("shiftdeck: {e}");
    }
    let cli = Cli::parse().resolved();
    let _log = shiftdeck::logging::init();
    let result = match cli.command {
        Some(Command::Sim(args)) => shiftdeck_sim::cli::serve(*args)
            .await
            .map(|()| None)
            .map_err(|e| format!("{e:#}")),
        Some(Command::Get(args)) => run_get(&cli.conn, args).await.map(|()| None),
        Some(Command::Demo(args)) => run_demo(&cli.ui, args).await,
        Some(Command::Create(args)) => {
            return exit_code(shiftdeck::cli::create::run_create(&cli.conn, args).await);
        }
        Some(Command::Mirror(args)) => {
            return exit_code(shiftdeck::copies::mirror_cmd::run(&args).await);
        }
        None => run_tui(&cli.conn, &cli.ui).await,
    };
    match result {
        Ok(None) => ExitCode::SUCCESS,
        // The TUI was ended by a signal (the terminal is restored by then): the shell's code.
        Ok(Some(code)) => {
            tracing::info!(code, "ended by a signal");
            ExitCode::from(code)
        }
        Err(e) => {
            tracing::error!(error = %e, "exiting");
            eprintln!("shiftdeck: {}", e.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

/// Exit codes of the script-facing commands: 0 ok, 1 something failed, 2 bad input.
fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

async fn run_get(conn: &ConnArgs, args: GetArgs) -> Result<(), String> {
    // Preflight builds its own client and prints its own report.
    if args.what == GetKind::Preflight {
        let code = shiftdeck::cli::create::run_get_preflight(conn, args.output).await;
        return if code == 0 {
            Ok(())
        } else {
            Err("preflight checks failed".into())
        };
    }
    let source = Source::discover(conn.kubeconfig.as_deref()).map_err(|e| e.to_string())?;
    let c = source
        .connect(conn.context.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let out = get_output(&c, &args).await.map_err(|e| e.to_string())?;
    // A last screen for credentials in any cell (URL passwords, SAS signatures, tokens, keys).
    print!("{}", shiftdeck::redact::in_text(&out));
    Ok(())
}

/// What `get` prints; errors are typed until `run_get` prints them as one line.
async fn get_output(
    c: &shiftdeck::kube_conn::Connection,
    args: &GetArgs,
) -> Result<String, shiftdeck::get::GetError> {
    Ok(match args.what {
        GetKind::Nodes => shiftdeck::get::nodes(c.client.clone(), &c.server, args.output).await?,
        GetKind::Health => {
            let report = shiftdeck::get_overview::health(&c.client).await;
            shiftdeck::get_overview::render_health(&report, args.output)?
        }
        GetKind::Overview => {
            let inputs = shiftdeck::watch::overview_fetch::gather(&c.client).await;
            let model = shiftdeck::overview::OverviewModel::build(&inputs);
            shiftdeck::get_overview::render_overview(&model, args.output)?
        }
        GetKind::HostedClusters => {
            shiftdeck::get_hosted::hostedclusters(c.client.clone(), &c.server, args.output).await?
        }
        GetKind::Readiness => {
            shiftdeck::get_readiness::readiness(
                &c.client.clone(),
                args.node.as_deref(),
                args.output,
            )
            .await?
        }
        GetKind::Nodepools => {
            shiftdeck::get_fleet::nodepools(c.client.clone(), &c.server, args.output).await?
        }
        GetKind::Machinesets => {
            shiftdeck::get_fleet::machinesets(c.client.clone(), &c.server, args.output).await?
        }
        GetKind::Copies => {
            let (cfg, _) = config::load_or_default();
            shiftdeck::get_copies::copies(&c.client, &cfg.copies_azure, args.output).await?
        }
        GetKind::Preflight => unreachable!("handled by run_get"),
        GetKind::Csrs => {
            shiftdeck::get_csrs::csrs(c.client.clone(), &c.server, args.output).await?
        }
    })
}

/// The app as configured: config file, `--theme` and `--read-only`.
fn build_app(ui: &UiArgs) -> App {
    let (cfg, warning) = config::load_or_default();
    let app = App::configured(&cfg, warning, ui.theme.as_deref(), ui.read_only);
    if let Some(w) = &app.startup_warning() {
        tracing::warn!("{w}");
    }
    app
}

async fn run_ui(
    source: Source,
    context: Option<String>,
    ui: &UiArgs,
    extra_copies: &[(String, String)],
) -> Result<Option<u8>, String> {
    // Fail fast with one line on an unknown context, before touching the terminal.
    source
        .resolve_context(context.as_deref())
        .map_err(|e| e.to_string())?;
    let mut app = build_app(ui);
    let (cfg, _) = config::load_or_default();
    let mut copies: Vec<(String, String)> = cfg
        .copies_azure
        .iter()
        .map(|c| (c.url.clone(), c.sas.clone()))
        .collect();
    copies.extend_from_slice(extra_copies);
    app.track_blob_copies(&copies);
    let mut session = Session::new(app, source);
    session.connect(context);
    // Before raw mode: a signal that arrives from now on restores the terminal.
    let mut signals = shiftdeck::signals::Terminating::install()
        .map_err(|e| format!("cannot listen for signals: {e}"))?;
    let mut terminal =
        shiftdeck::tui::init().map_err(|e| format!("cannot start the terminal UI: {e}"))?;
    let r = tokio::select! {
        r = shiftdeck::event_loop::run(&mut session, &mut terminal) => r.map(|()| None),
        code = signals.recv() => Ok(Some(code)),
    };
    shiftdeck::tui::restore();
    r.map_err(|e| format!("{e}"))
}

async fn run_tui(conn: &ConnArgs, ui: &UiArgs) -> Result<Option<u8>, String> {
    let source = Source::discover(conn.kubeconfig.as_deref()).map_err(|e| e.to_string())?;
    run_ui(source, conn.context.clone(), ui, &[]).await
}

async fn run_demo(ui: &UiArgs, args: DemoArgs) -> Result<Option<u8>, String> {
    let opts = shiftdeck_sim::SimOptions {
        profile: args.profile,
        speed: args.speed,
        faults: args.faults.unwrap_or_default(),
        ..Default::default()
    };
    let sim = shiftdeck_sim::start(opts)
        .await
        .map_err(|e| format!("cannot start the simulated cluster: {e}"))?;
    let source = Source::from_yaml(&sim.kubeconfig_yaml(), "demo").map_err(|e| e.to_string())?;
    // Slow Azure blob copies for the Copies pane, tracked like any configured copy.
    let (blobs, blob_copies) =
        match shiftdeck::copies::fake_blob::start_fake_blob_service(args.speed).await {
            Ok((_, h)) => {
                let copies = shiftdeck::copies::fake_blob::demo_tracked_copies(&h);
                (Some(h), copies)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the fake blob service");
                (None, Vec::new())
            }
        };
    let r = run_ui(source, None, ui, &blob_copies).await;
    drop(blobs);
    sim.shutdown();
    r
}
