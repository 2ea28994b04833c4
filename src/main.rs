use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use kratos_hydra_bridge::config::{Redacted, Settings, UpstreamSettings};
use kratos_hydra_bridge::metrics::Metrics;
use kratos_hydra_bridge::ory::http::{Call, Request, Upstream};
use kratos_hydra_bridge::startup::{Application, stop_on_signal};
use kratos_hydra_bridge::telemetry;
use reqwest::Method;
use reqwest::header::HeaderMap;

/// Login, consent and logout app for Ory Hydra, backed by Ory Kratos sessions.
#[derive(Parser)]
#[command(name = "kratos-hydra-bridge", version, about)]
struct Cli {
    /// Path to the YAML config file.
    #[arg(
        long,
        env = "BRIDGE_CONFIG",
        value_name = "PATH",
        required_unless_present = "probe"
    )]
    config: Option<PathBuf>,
    /// Validate the config (file and BRIDGE__* overrides) and exit.
    #[arg(long)]
    check_config: bool,
    /// GET this URL and exit 0 on a 2xx answer, 1 otherwise: a health check for images without a
    /// shell. Without a URL: this instance's own /health/alive, from the config's host and port.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "", conflicts_with = "check_config")]
    probe: Option<String>,
}

/// `http://{host}:{port}/health/alive` of the configured listener (a wildcard host means loopback).
fn own_health_url(settings: &Settings) -> String {
    let host = match settings.serve.host.as_str() {
        "0.0.0.0" | "" => "127.0.0.1",
        "::" | "[::]" => "[::1]",
        other => other,
    };
    format!("http://{host}:{}/health/alive", settings.serve.port)
}

fn probe(url: &str) -> ExitCode {
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(async {
                let settings = UpstreamSettings {
                    connect_timeout: Duration::from_secs(3),
                    request_timeout: Duration::from_secs(3),
                    max_body_bytes: 64 * 1024,
                };
                let upstream = Upstream::new(&settings, Arc::new(Metrics::new()))
                    .map_err(|e| e.to_string())?;
                let url = url::Url::parse(url).map_err(|e| e.to_string())?;
                let mut origin = url.clone();
                origin.set_path("");
                let base = upstream.base(&origin, HeaderMap::new());
                let target = base.target(&url[url::Position::BeforePath..]);
                let request = Request::new(Method::GET, &base, target);
                let response = upstream
                    .send(Call::new("bridge", "probe"), request)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(response.status())
            })
        });
    match result {
        Ok(status) if status.is_success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("kratos-hydra-bridge: probe answered {status}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("kratos-hydra-bridge: probe failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(url) = cli.probe.as_deref().filter(|u| !u.is_empty()) {
        return probe(url);
    }
    let Some(config) = cli.config else {
        eprintln!("kratos-hydra-bridge: --config PATH (or BRIDGE_CONFIG) is required");
        return ExitCode::from(2);
    };
    let settings = match Settings::load(&config, std::env::vars()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("kratos-hydra-bridge: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.probe.is_some() {
        return probe(&own_health_url(&settings));
    }
    if cli.check_config {
        println!("config {} is valid", config.display());
        return ExitCode::SUCCESS;
    }
    let mut log_guard = match telemetry::init(&settings.log, settings.tracing.export.as_ref()) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("kratos-hydra-bridge: {e}");
            return ExitCode::FAILURE;
        }
    };
    let grace = settings.serve.shutdown_timeout;
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
    let (code, signalled) = runtime.block_on(async move {
        tracing::info!(settings = %Redacted(&settings), "starting");
        if let Some(export) = &settings.tracing.export {
            // The endpoint without any credentials a variable's URL may hold.
            let mut endpoint = export.endpoint.clone();
            let _ = endpoint.set_username("");
            let _ = endpoint.set_password(None);
            tracing::info!(
                endpoint = %endpoint,
                service_name = %export.service_name,
                sampling_ratio = export.sampler.ratio,
                parent_based = export.sampler.parent_based,
                "exporting traces"
            );
        }
        let address = settings.address();
        let app = match Application::build(settings) {
            Ok(app) => app,
            Err(e) => {
                tracing::error!(error = %e, "startup failed");
                eprintln!("kratos-hydra-bridge: {e}");
                return (ExitCode::FAILURE, None);
            }
        };
        let host = address
            .rsplit_once(':')
            .map_or(address.as_str(), |(h, _)| h);
        tracing::info!(address = %format!("{host}:{}", app.port()), "listening");
        if let Some(port) = app.metrics_port() {
            tracing::info!(port, "metrics listening");
        }
        let stopper = tokio::spawn(stop_on_signal(app.handles()));
        let code = match app.run_until_stopped().await {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                tracing::error!(error = %e, "server failed");
                ExitCode::FAILURE
            }
        };
        // After a signal the stopper is done as soon as the server is; else there was none.
        let signalled = tokio::time::timeout(std::time::Duration::from_millis(200), stopper)
            .await
            .ok()
            .and_then(Result::ok);
        (code, signalled)
    });
    // Whatever the runtime logs while it winds down goes out too.
    drop(runtime);
    // Spans still queued go out within what is left of the shutdown grace period.
    let left = signalled.map_or(grace, |at| grace.saturating_sub(at.elapsed()));
    log_guard.shutdown_tracing(left);
    drop(log_guard);
    code
}
