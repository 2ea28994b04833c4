//! Builds the application from settings: shared state, routes, middleware, the listening server.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::error::AppError;
use crate::telemetry::BridgeRootSpan;
use crate::tokens::Signer;
use crate::upstream::build_http_client;
use crate::upstream::hydra::HydraClient;
use crate::upstream::kratos::KratosClient;
use crate::{consent, error_page, health, login, logout, pages, registration};

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    pub settings: Settings,
    pub hydra: HydraClient,
    pub kratos: KratosClient,
    pub signer: Signer,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    #[error("cannot generate a signing key: {0}")]
    Random(getrandom::Error),
    #[error("cannot start the server: {0}")]
    Server(std::io::Error),
}

pub struct Application {
    port: u16,
    server: Server,
}

/// Headers on every answer: no framing, no sniffing, no referrer, no caching of pages that carry
/// per-user state. Routes that may be cached (the stylesheet) set their own `Cache-Control`.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
             base-uri 'none'; frame-ancestors 'none'",
        ))
        .add((header::CACHE_CONTROL, "no-store"))
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(pages::STYLESHEET)
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
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
        let http = build_http_client(&settings.upstream)?;
        let (signer, generated) =
            Signer::from_keys(&settings.secrets.signing_keys).map_err(StartupError::Random)?;
        if generated {
            tracing::warn!(
                "secrets.signing_keys is empty: using a random key; re-authentication links will not \
                 survive a restart or work across replicas"
            );
        }
        let max_body = settings.upstream.max_body_bytes;
        let state = web::Data::new(AppState {
            hydra: HydraClient::new(http.clone(), &settings.hydra, max_body),
            kratos: KratosClient::new(http, &settings.kratos, max_body),
            signer,
            settings: settings.clone(),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(security_headers())
                .wrap(TracingLogger::<BridgeRootSpan>::new())
                .app_data(state.clone())
                .service(get("/login", login::login))
                .service(get("/consent", consent::show).route(web::post().to(consent::submit)))
                .service(get("/logout", logout::show).route(web::post().to(logout::submit)))
                .service(get("/registration", registration::register))
                .service(get("/error", error_page::show))
                .service(get("/health/alive", health::alive))
                .service(get("/health/ready", health::ready))
                .service(get("/assets/style.css", stylesheet))
                .default_service(web::to(not_found))
        })
        .disable_signals()
        .shutdown_timeout(settings.serve.shutdown_timeout_secs)
        .listen(listener)
        .map_err(StartupError::Server)?;
        if settings.serve.workers > 0 {
            server = server.workers(settings.serve.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped; a graceful stop lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// On SIGTERM or SIGINT: stop accepting, let in-flight requests finish, then return.
pub async fn stop_on_signal(handle: ServerHandle) {
    wait_for_signal().await;
    tracing::info!("shutdown signal received, finishing in-flight requests");
    handle.stop(true).await;
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
