//! The spans that are exported, and what they may carry.
//!
//! Two kinds only: `request` (one per request, made in `telemetry::BridgeRootSpan`) becomes the
//! server span, `upstream` (one per attempt of a Hydra or Kratos call, in `ory::http::send`) a
//! client span. Before export [`shape`] names them and keeps only [`EXPORTED`] attributes: a
//! field added to either span later stays in the log and out of the traces until it is listed
//! there. None of them may hold personal data or secrets (a subject, an external_id, a
//! challenge, a verifier, a cookie, a user code, a token).

use std::borrow::Cow;

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, Value};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SpanData;
use tracing::Span;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The target of request spans (the module that makes them, as `tracing` would name it).
pub const REQUEST_TARGET: &str = "kratos_hydra_bridge::telemetry";
/// The target of request spans that are never exported, as Hydra and Kratos trace neither their
/// health checks nor their metrics: probes every few seconds would bury the sign-ins.
pub const UNTRACED_TARGET: &str = "kratos_hydra_bridge::telemetry::untraced";
const UPSTREAM_TARGET: &str = "kratos_hydra_bridge::otel::spans";

/// Routes whose requests make no span.
pub fn untraced(route: &str) -> bool {
    matches!(route, "/health/alive" | "/health/ready" | "/metrics")
}

/// The attributes an exported span may carry.
const EXPORTED: &[&str] = &[
    // Both kinds.
    "http.request.method",
    "http.response.status_code",
    "error.type",
    // The server span: the route (never the path, which an unmatched request fills with anything)
    // and the notes the flows record (outcome, subject_source and client_id are closed lists or
    // an OAuth2 client's id).
    "http.route",
    "request_id",
    "outcome",
    "subject_source",
    "client_id",
    // The client span.
    "url.full",
    "server.address",
    "server.port",
    "peer.service",
    "operation",
    "http.request.resend_count",
];

/// Whether the OpenTelemetry layer sees a span or event: the two kinds of span only.
pub fn is_exported(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.is_span()
        && match metadata.name() {
            "request" => metadata.target() == REQUEST_TARGET,
            "upstream" => metadata.target() == UPSTREAM_TARGET,
            _ => false,
        }
}

fn propagator() -> &'static TraceContextPropagator {
    static PROPAGATOR: std::sync::LazyLock<TraceContextPropagator> =
        std::sync::LazyLock::new(TraceContextPropagator::new);
    &PROPAGATOR
}

/// The server span's parent from the request's `traceparent` and `tracestate` (an ingress's, or
/// a browser's), and its method and route.
pub fn server_started(
    span: &Span,
    headers: &actix_web::http::header::HeaderMap,
    method: &str,
    route: Option<&str>,
) {
    let parent = propagator().extract(&ActixHeaders(headers));
    // Fails only when the layer does not see the span, and then there is nothing to trace.
    let _ = span.set_parent(parent);
    span.set_attribute("http.request.method", method.to_string());
    if let Some(route) = route {
        span.set_attribute("http.route", route.to_string());
    }
}

/// The status of the answer; a server error marks the span failed.
pub fn server_ended(span: &Span, status: u16) {
    span.set_attribute("http.response.status_code", i64::from(status));
    if status >= 500 {
        span.set_status(Status::error(""));
    }
}

/// A client span for one attempt of an upstream call, or none when the calling request is not
/// traced (tracing off, a health check, a call from no request).
pub fn client(
    service: &'static str,
    operation: &'static str,
    request: &reqwest::Request,
    template: Option<(&str, &str)>,
    resend: bool,
) -> Span {
    if !super::on() || !Context::current().span().span_context().is_valid() {
        return Span::none();
    }
    let url = request.url();
    // Without the query (challenges), and with the template where the path holds an identifier.
    let mut full = url.clone();
    full.set_query(None);
    full.set_fragment(None);
    if let Some((prefix, template)) = template {
        full.set_path(&format!("{prefix}{template}"));
    }
    let span = tracing::info_span!(
        target: UPSTREAM_TARGET,
        "upstream",
        "http.request.method" = request.method().as_str(),
        "url.full" = full.as_str(),
        "server.address" = url.host_str().unwrap_or_default(),
        "server.port" = url.port_or_known_default().map(i64::from),
        "peer.service" = service,
        operation,
        "http.request.resend_count" = resend.then_some(1i64),
        "http.response.status_code" = Empty,
        "error.type" = Empty,
    );
    span
}

/// `traceparent` and `tracestate` of `span` on the request, so that the upstream's own span
/// becomes its child. Nothing when there is no span.
pub fn inject(span: &Span, headers: &mut reqwest::header::HeaderMap) {
    if span.is_none() {
        return;
    }
    let cx = span.context();
    propagator().inject_context(&cx, &mut opentelemetry_http::HeaderInjector(headers));
}

/// The answer's status, or why there was none (`timeout`, `unreachable`, `protocol`); an error
/// status or no answer marks the span failed.
pub fn client_ended(span: &Span, outcome: Result<u16, &'static str>) {
    if span.is_none() {
        return;
    }
    match outcome {
        Ok(status) => {
            span.record("http.response.status_code", i64::from(status));
            if status >= 400 {
                span.record("error.type", status.to_string().as_str());
                span.set_status(Status::error(""));
            }
        }
        Err(kind) => {
            span.record("error.type", kind);
            span.set_status(Status::error(""));
        }
    }
}

/// Names, kind and attributes of an ended span, as it leaves: `GET /login` (server) or
/// `hydra get_login_request` (client); [`EXPORTED`] attributes only, no events or links.
pub fn shape(span: &mut SpanData) {
    let text = |key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.as_str().into_owned())
    };
    match span.name.as_ref() {
        "request" => {
            let method = text("http.request.method").unwrap_or_default();
            span.name = Cow::Owned(match text("http.route") {
                Some(route) => format!("{method} {route}"),
                None => method,
            });
            span.span_kind = SpanKind::Server;
        }
        "upstream" => {
            let service = text("peer.service").unwrap_or_default();
            let operation = text("operation").unwrap_or_default();
            span.name = Cow::Owned(format!("{service} {operation}"));
            span.span_kind = SpanKind::Client;
        }
        _ => {}
    }
    span.attributes
        .retain(|kv| EXPORTED.contains(&kv.key.as_str()) && !matches!(kv.value, Value::Array(_)));
    span.events = Default::default();
    span.links = Default::default();
}

/// The ids of the span a log line is written in, when tracing is on and that span is exported.
pub fn current_ids() -> Option<(String, String)> {
    let cx = Context::current();
    let span = cx.span();
    let context = span.span_context();
    context.is_valid().then(|| {
        (
            context.trace_id().to_string(),
            context.span_id().to_string(),
        )
    })
}

/// actix-web's header map, read by the propagator.
struct ActixHeaders<'a>(&'a actix_web::http::header::HeaderMap);

impl Extractor for ActixHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}
