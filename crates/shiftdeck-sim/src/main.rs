//! `shiftdeck-sim`: the simulated cluster on its own (the same as `shiftdeck sim`).

use clap::Parser;

/// Serve a simulated OpenShift cluster over HTTPS on loopback until interrupted.
#[derive(Debug, Parser)]
#[command(name = "shiftdeck-sim", version)]
struct Cli {
    #[command(flatten)]
    sim: shiftdeck_sim::cli::SimArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("shiftdeck-sim: {e}");
    }
    match shiftdeck_sim::cli::serve(Cli::parse().sim).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shiftdeck-sim: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
