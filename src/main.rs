use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use kratos_hydra_bridge::config::{Redacted, Settings};
use kratos_hydra_bridge::startup::{Application, stop_on_signal};
use kratos_hydra_bridge::telemetry;

/// Login, consent and logout app for Ory Hydra, backed by Ory Kratos sessions.
#[derive(Parser)]
#[command(name = "kratos-hydra-bridge", version, about)]
struct Cli {
    /// Path to the YAML config file.
    #[arg(long, env = "BRIDGE_CONFIG", value_name = "PATH")]
    config: PathBuf,
    /// Validate the config (file and BRIDGE__* overrides) and exit.
    #[arg(long)]
    check_config: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.config, std::env::vars()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("kratos-hydra-bridge: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.check_config {
        println!("config {} is valid", cli.config.display());
        return ExitCode::SUCCESS;
    }
    telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kratos-hydra-bridge: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        tracing::info!(settings = %Redacted(&settings), "starting");
        let address = settings.address();
        let app = match Application::build(settings) {
            Ok(app) => app,
            Err(e) => {
                tracing::error!(error = %e, "startup failed");
                eprintln!("kratos-hydra-bridge: {e}");
                return ExitCode::FAILURE;
            }
        };
        let host = address
            .rsplit_once(':')
            .map_or(address.as_str(), |(h, _)| h);
        tracing::info!(address = %format!("{host}:{}", app.port()), "listening");
        tokio::spawn(stop_on_signal(app.handle()));
        match app.run_until_stopped().await {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                tracing::error!(error = %e, "server failed");
                ExitCode::FAILURE
            }
        }
    })
}
