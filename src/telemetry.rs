//! Logging through `tracing`: JSON (tracing-subscriber's formatter) or pretty, `RUST_LOG` honoured,
//! one line per request. Lines leave through tracing-appender's writer thread, so a request never
//! waits on stdout. Request spans name the route and path only: query strings carry challenges and
//! tokens.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing::field::{Empty, Field, Value};
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, LogSettings, OtlpExport};
use crate::otel;

/// Log lines waiting for the writer thread at most (a burst of requests is far fewer).
const QUEUED_LINES: usize = 4096;
/// Bytes of log lines gathered into one write.
const WRITE_BUFFER: usize = 64 * 1024;

/// Keeps the log writer thread and the trace exporter; dropping it writes out every line still
/// waiting. Hold it until the process exits.
pub struct LogGuard {
    tracing: Option<otel::Tracing>,
    _writer: WorkerGuard,
}

impl LogGuard {
    /// Exports the spans still queued, for at most `grace` (see [`otel::Tracing::shutdown`]).
    pub fn shutdown_tracing(&mut self, grace: std::time::Duration) {
        if let Some(tracing) = self.tracing.take() {
            tracing.shutdown(grace);
        }
    }
}

/// Installs the global subscriber, with the trace exporter when `traces` is given. `RUST_LOG`,
/// when set and valid, wins over `log.level`.
pub fn init(
    settings: &LogSettings,
    traces: Option<&OtlpExport>,
) -> Result<LogGuard, otel::SetupError> {
    let directives = std::env::var("RUST_LOG")
        .ok()
        .filter(|d| EnvFilter::try_new(d).is_ok())
        .unwrap_or_else(|| settings.level.clone());
    // Plain `target=level` directives (the usual kind) need no per-span bookkeeping; `EnvFilter`
    // takes a lock on every span enter and exit, so it is kept for directives that filter on spans.
    let (targets, env_filter) = match directives.parse::<Targets>() {
        Ok(targets) => (Some(targets), None),
        Err(_) => (
            None,
            Some(EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"))),
        ),
    };
    // Not lossy: when stdout falls far behind, the request that logs waits rather than a line
    // being dropped. The queue's slots are allocated up front: the default of 128,000 lines would
    // hold 4 MiB of an idle process's memory.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("log-writer")
        // The writer thread flushes once it has taken every waiting line; the buffer makes that
        // one write for all of them (stdout alone writes at every newline).
        .finish(std::io::BufWriter::with_capacity(
            WRITE_BUFFER,
            std::io::stdout(),
        ));
    let Some(traces) = traces else {
        // A second init (tests) keeps the first subscriber.
        let _ = tracing_subscriber::registry()
            .with(targets)
            .with(env_filter)
            .with(format_layer(settings.format, writer, false))
            .try_init();
        return Ok(LogGuard {
            tracing: None,
            _writer: guard,
        });
    };
    // The log's filter applies to the log only: the spans a trace needs exist whatever the level.
    let (tracing, otel_layer) = otel::otlp(traces)?;
    let log = format_layer(settings.format, writer, true);
    let log = match (targets, env_filter) {
        (Some(targets), _) => log.with_filter(targets).boxed(),
        (None, Some(env_filter)) => log.with_filter(env_filter).boxed(),
        (None, None) => log,
    };
    let _ = tracing_subscriber::registry()
        .with(otel_layer)
        .with(log)
        .try_init();
    Ok(LogGuard {
        tracing: Some(tracing),
        _writer: guard,
    })
}

/// JSON: one object per line with `timestamp`, `level`, the event's fields (`message` among them)
/// and the current span's fields under `span` (with its `name`); with `trace_ids`, also the
/// `trace_id` and `span_id` of the exported span the line was written in (none outside one).
fn format_layer<S, W>(
    format: LogFormat,
    writer: W,
    trace_ids: bool,
) -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(false);
    match format {
        LogFormat::Json if trace_ids => {
            let lines = tracing_subscriber::fmt::format()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_target(false);
            layer.json().event_format(WithTraceIds(lines)).boxed()
        }
        LogFormat::Json => layer
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
        LogFormat::Pretty => layer.boxed(),
    }
}

/// A JSON line with the trace's ids added last.
struct WithTraceIds<F>(F);

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let Some((trace_id, span_id)) = otel::spans::current_ids() else {
            return self.0.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_suffix("}\n") {
            Some(object) => writeln!(
                writer,
                "{object},\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"}}"
            ),
            None => writer.write_str(&line),
        }
    }
}

struct StartedAt(Instant);

/// What a flow did, for the request's log line: `outcome` (accepted, refresh, granted, …),
/// `subject_source` (id / external_id), `client_id` or `oauth_error` (the error page's code),
/// recorded on the request's span (which
/// declares them). A no-op for any other field, or when the request is not logged.
pub fn note(field: &'static str, value: &str) {
    notes([(field, value)]);
}

/// Several notes in one record: the JSON formatter reads back and rewrites all of a span's fields
/// on every record, so a flow that knows three things at once records them together.
pub fn notes<const N: usize>(notes: [(&'static str, &str); N]) {
    let span = Span::current();
    let Some(metadata) = span.metadata() else {
        return;
    };
    let declared = metadata.fields();
    let Some(placeholder) = declared.iter().next() else {
        return;
    };
    let found: [Option<Field>; N] = notes.map(|(name, _)| declared.field(name));
    // A name the span does not declare takes a slot with no value, which records nothing.
    let values: [(&Field, Option<&dyn Value>); N] = std::array::from_fn(|i| match &found[i] {
        Some(field) => (field, Some(&notes[i].1 as &dyn Value)),
        None => (&placeholder, None),
    });
    span.record_all(&declared.value_set(&values));
}

/// Root span per request: method, route pattern, path without query, request id; status and latency
/// recorded at the end, with one `request` event.
pub struct BridgeRootSpan;

const MAX_LOGGED_PATH: usize = 128;
/// Methods are ASCII tokens of any length; a made-up one of kilobytes must not fill the log.
const MAX_LOGGED_METHOD: usize = 24;

/// A request span under `target`: the untraced routes' spans have a target of their own, which
/// the trace exporter never sees (targets are fixed where a span is declared).
macro_rules! request_span {
    ($target:expr, $method:expr, $route:expr, $path:expr, $request_id:expr) => {
        tracing::info_span!(
            target: $target,
            "request",
            method = %$method,
            route = %$route,
            path = %$path,
            request_id = %$request_id,
            outcome = Empty,
            subject_source = Empty,
            client_id = Empty,
            oauth_error = Empty,
        )
    };
}

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
        let method = request.method().as_str();
        let method = method.get(..MAX_LOGGED_METHOD).unwrap_or(method);
        // The flows fill in what happened, so that one line per request tells the whole story.
        if !otel::on() {
            return request_span!(otel::spans::REQUEST_TARGET, method, route, path, request_id);
        }
        if otel::spans::untraced(&route) {
            return request_span!(
                otel::spans::UNTRACED_TARGET,
                method,
                route,
                path,
                request_id
            );
        }
        let span = request_span!(otel::spans::REQUEST_TARGET, method, route, path, request_id);
        let matched = (route != "unmatched").then_some(route.as_str());
        otel::spans::server_started(&span, request.headers(), method, matched);
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let _entered = span.enter();
        if otel::on() {
            let status = match outcome {
                Ok(response) => response.status().as_u16(),
                Err(error) => error.as_response_error().status_code().as_u16(),
            };
            otel::spans::server_ended(&span, status);
        }
        match outcome {
            Ok(response) => {
                let request = response.request();
                let elapsed_ms = request
                    .extensions()
                    .get::<StartedAt>()
                    .map(|s| s.0.elapsed().as_secs_f64() * 1000.0)
                    .unwrap_or_default();
                tracing::info!(
                    status = response.status().as_u16(),
                    elapsed_ms = format!("{elapsed_ms:.2}"),
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

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
