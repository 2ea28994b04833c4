//! Builds the application from settings: shared state, routes, middleware, the listening server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::error::{AppError, Failure};
use crate::metrics::Metrics;
use crate::ory::http::{SetupError, Upstream};
use crate::ory::hydra::HydraClient;
use crate::ory::kratos::KratosClient;
use crate::pages::{self, Page};
use crate::request_metrics;
use crate::routes::brand;
use crate::routes::device::metrics::DeviceMetrics;
use crate::routes::readiness::Readiness;
use crate::routes::state::{AppState, Device};
use crate::routes::{
    apps, consent, deadline, device, error_page, health, login, logout, registration,
};
use crate::signed::Signer;
use crate::telemetry::BridgeRootSpan;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    #[error(transparent)]
    Upstream(#[from] SetupError),
    #[error("cannot generate a signing key: {0}")]
    Random(getrandom::Error),
    #[error("cannot start the server: {0}")]
    Server(std::io::Error),
    #[error("catalog {0}")]
    Catalog(#[from] crate::i18n::CatalogError),
}

pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own listener, when `metrics.address` is set: (server, port).
    metrics_server: Option<(Server, u16)>,
}

/// Headers on every answer: no framing, no sniffing, no referrer, no caching of pages that carry
/// per-user state. Routes that may be cached (the stylesheets) set their own `Cache-Control`, and
/// pages that show an image from elsewhere their own CSP.
fn security_headers(csp: &str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CONTENT_SECURITY_POLICY, csp))
        .add((header::CACHE_CONTROL, "no-store"))
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(pages::STYLESHEET)
}

async fn metrics_endpoint(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}

async fn not_found(page: Page) -> Result<HttpResponse, Failure> {
    Err(page.fail(AppError::NotFound))
}

async fn method_not_allowed(page: Page) -> Result<HttpResponse, Failure> {
    Err(page.fail(AppError::MethodNotAllowed))
}

/// A resource answering GET (add more routes to it), whose other methods get the bridge's 405 page.
fn get<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler))
        .default_service(web::to(method_not_allowed))
}

impl Application {
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let address = settings.address();
        let listener =
            TcpListener::bind(&address).map_err(|source| StartupError::Bind { address, source })?;
        Self::from_listener(settings, listener)
    }

    pub fn from_listener(settings: Settings, listener: TcpListener) -> Result<Self, StartupError> {
        let port = listener.local_addr().map_err(StartupError::Server)?.port();
        let (signer, generated) =
            Signer::from_keys(&settings.secrets.signing_keys).map_err(StartupError::Random)?;
        if generated {
            tracing::warn!(
                "secrets.signing_keys is empty: using a random key; re-authentication links will not \
                 survive a restart or work across replicas"
            );
        }
        let budgets = settings.device.budgets();
        let days_to_guess = settings.device.minutes_to_guess() / (24 * 60);
        if days_to_guess < 365 {
            tracing::warn!(
                wrong_codes_per_minute = budgets.global,
                days_to_guess = u64::try_from(days_to_guess).unwrap_or(u64::MAX),
                "device.wrong_codes_per_minute lets a device code be guessed within a year \
                 (with 1,000 codes waiting; each replica counts on its own)"
            );
        }
        let mut metrics = Metrics::new();
        let device_metrics = DeviceMetrics::register(&mut metrics);
        let metrics = Arc::new(metrics);
        let upstream = Upstream::new(&settings.upstream, metrics.clone())?;
        let brand = crate::brand::Brand::new(&settings);
        let pages = Arc::new(pages::Frame::new(
            settings.ui.catalogs()?,
            brand.page().clone(),
        ));
        let state = web::Data::new(AppState {
            hydra: HydraClient::new(upstream.clone(), &settings.hydra)?,
            kratos: KratosClient::new(upstream, &settings.kratos)?,
            signer,
            cookies: crate::cookies::CookiePolicy::new(&settings.serve),
            device: Device {
                metrics: device_metrics,
                wrong_codes: device::limit::WrongCodes::new(
                    budgets,
                    settings.device.tracked_clients,
                ),
                trusted_proxies: settings
                    .serve
                    .trusted_proxies
                    .iter()
                    .map(|p| p.net())
                    .collect(),
            },
            readiness: Readiness::new(settings.health.ready_cache),
            metrics: metrics.clone(),
            pages,
            brand,
            policies: settings.policies(),
            settings: settings.clone(),
        });
        let csp = state.brand.csp().to_string();
        let metrics_on_main_port = settings.metrics.enabled && settings.metrics.address.is_none();
        let apps_path = settings.apps.enabled.then(|| settings.apps.path.clone());
        // Requests are counted only when someone can read the counts.
        let request_metrics = settings
            .metrics
            .enabled
            .then(|| web::Data::from(metrics.clone()));
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(security_headers(&csp))
                .wrap(from_fn(request_metrics::record))
                .wrap(TracingLogger::<BridgeRootSpan>::new())
                .app_data(state.clone())
                .service(get("/login", login::login).wrap(from_fn(deadline::within)))
                .service(
                    get("/consent", consent::show)
                        .route(web::post().to(consent::submit))
                        .wrap(from_fn(deadline::within)),
                )
                .service(
                    get("/logout", logout::show)
                        .route(web::post().to(logout::submit))
                        .wrap(from_fn(deadline::within)),
                )
                .service(
                    get("/registration", registration::register).wrap(from_fn(deadline::within)),
                )
                .service(
                    get("/device", device::show)
                        .route(web::post().to(device::submit))
                        .wrap(from_fn(deadline::within)),
                )
                .service(get("/device/success", device::success))
                .service(get("/error", error_page::show))
                .service(get("/health/alive", health::alive))
                .service(get("/health/ready", health::ready))
                .service(get("/assets/style.css", stylesheet))
                .service(get(brand::STYLESHEET_PATH, brand::stylesheet))
                .service(get(brand::LOGO_PATH, brand::logo))
                .configure(|cfg| {
                    if let Some(path) = &apps_path {
                        cfg.service(
                            get(path, apps::show)
                                .route(web::post().to(apps::submit))
                                .wrap(from_fn(deadline::within)),
                        );
                    }
                    if let Some(metrics) = &request_metrics {
                        cfg.app_data(metrics.clone());
                    }
                    if metrics_on_main_port {
                        cfg.service(get("/metrics", metrics_endpoint));
                    }
                })
                .default_service(web::to(not_found))
        })
        .disable_signals()
        .shutdown_timeout(settings.serve.shutdown_timeout.as_secs())
        .listen(listener)
        .map_err(StartupError::Server)?;
        if settings.serve.workers > 0 {
            server = server.workers(settings.serve.workers);
        }
        let metrics_server = match (&settings.metrics.address, settings.metrics.enabled) {
            (Some(address), true) => Some(metrics_listener(address, metrics)?),
            _ => None,
        };
        Ok(Self {
            port,
            server: server.run(),
            metrics_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    /// Handles to stop every listener.
    pub fn handles(&self) -> Vec<ServerHandle> {
        let mut handles = vec![self.server.handle()];
        handles.extend(self.metrics_server.as_ref().map(|(s, _)| s.handle()));
        handles
    }

    /// Serves until stopped; a graceful stop lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics_server {
            Some((metrics, _)) => {
                let (main, metrics) = tokio::join!(self.server, metrics);
                main.and(metrics)
            }
            None => self.server.await,
        }
    }
}

/// A listener that serves only `/metrics`, for scraping on a port browsers never reach.
fn metrics_listener(address: &str, metrics: Arc<Metrics>) -> Result<(Server, u16), StartupError> {
    let listener = TcpListener::bind(address).map_err(|source| StartupError::Bind {
        address: address.to_string(),
        source,
    })?;
    let port = listener.local_addr().map_err(StartupError::Server)?.port();
    let server = HttpServer::new(move || {
        let metrics = metrics.clone();
        App::new().route(
            "/metrics",
            web::get().to(move || {
                let body = metrics.render();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
                        .body(body)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(StartupError::Server)?
    .run();
    Ok((server, port))
}

/// On SIGTERM or SIGINT: stop accepting, let in-flight requests finish, then return when the
/// signal came (the shutdown grace period counts from there).
pub async fn stop_on_signal(handles: Vec<ServerHandle>) -> std::time::Instant {
    wait_for_signal().await;
    let signalled = std::time::Instant::now();
    tracing::info!("shutdown signal received, finishing in-flight requests");
    for handle in handles {
        handle.stop(true).await;
    }
    signalled
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
