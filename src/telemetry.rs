//! Logging through `tracing`: JSON or pretty, `RUST_LOG` honoured, one line per request.
//! Request spans name the route and path only: query strings carry challenges and tokens.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{HttpMessage, web};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Registry};
use tracing_subscriber::fmt::writer::MakeWriterExt;

use crate::config::{LogFormat, LogSettings};
use crate::metrics::RequestLabels;
use crate::startup::AppState;

/// Installs the global subscriber. `RUST_LOG`, when set, wins over `log.level`.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = std::io::stdout.with_max_level(tracing::Level::TRACE);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    // A second init (tests) keeps the first subscriber.
    let _ = match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

struct StartedAt(Instant);

/// What the flow noted about one request, kept beside its span until the request's line is written.
/// (Recording them as span fields would re-encode the span's JSON on every note.)
#[derive(Default)]
struct Notes {
    outcome: Option<String>,
    subject_source: Option<String>,
    client_id: Option<String>,
}

/// What a flow did, for the request's log line: `outcome` (accepted, refresh, granted, …),
/// `subject_source` (id / external_id) or `client_id`. A no-op when the request is not logged.
pub fn note(field: &'static str, value: &str) {
    Span::current().with_subscriber(|(id, dispatch)| {
        let Some(span) = dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(id))
        else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if extensions.get_mut::<Notes>().is_none() {
            extensions.insert(Notes::default());
        }
        if let Some(notes) = extensions.get_mut::<Notes>() {
            let slot = match field {
                "outcome" => &mut notes.outcome,
                "subject_source" => &mut notes.subject_source,
                _ => &mut notes.client_id,
            };
            *slot = Some(value.to_string());
        }
    });
}

fn take_notes(span: &Span) -> Notes {
    span.with_subscriber(|(id, dispatch)| {
        dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(id))
            .and_then(|span| span.extensions_mut().remove::<Notes>())
    })
    .flatten()
    .unwrap_or_default()
}

/// Root span per request: method, route pattern, path without query, request id; status and latency
/// recorded at the end, with one `request` event.
pub struct BridgeRootSpan;

const MAX_LOGGED_PATH: usize = 128;

impl RootSpanBuilder for BridgeRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(StartedAt(Instant::now()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let mut path = request.path().to_string();
        if path.len() > MAX_LOGGED_PATH {
            let mut cut = MAX_LOGGED_PATH;
            while !path.is_char_boundary(cut) {
                cut -= 1;
            }
            path.truncate(cut);
        }
        // The flows fill in what happened, so that one line per request tells the whole story.
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            path = %path,
            request_id = %request_id,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let notes = take_notes(&span);
        let _entered = span.enter();
        match outcome {
            Ok(response) => {
                let request = response.request();
                let elapsed = request
                    .extensions()
                    .get::<StartedAt>()
                    .map(|s| s.0.elapsed().as_secs_f64())
                    .unwrap_or_default();
                let elapsed_ms = elapsed * 1000.0;
                if let Some(state) = request.app_data::<web::Data<AppState>>() {
                    let labels = RequestLabels {
                        route: request
                            .match_pattern()
                            .unwrap_or_else(|| "unmatched".into()),
                        method: request.method().to_string(),
                        status: response.status().as_u16(),
                    };
                    state.metrics.requests.get_or_create(&labels).inc();
                    state
                        .metrics
                        .request_seconds
                        .get_or_create(&labels)
                        .observe(elapsed);
                }
                tracing::info!(
                    status = response.status().as_u16(),
                    elapsed_ms = format!("{elapsed_ms:.2}"),
                    outcome = notes.outcome,
                    subject_source = notes.subject_source,
                    client_id = notes.client_id,
                    "request"
                );
            }
            Err(error) => {
                tracing::error!(
                    status = error.as_response_error().status_code().as_u16(),
                    "request failed"
                );
            }
        }
    }
}
