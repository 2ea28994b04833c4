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
/// `subject_source` (id / external_id) or `client_id`, recorded on the request's span (which
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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::Registry;

    /// Runs `f` under a JSON subscriber and returns the lines it logged, each parsed.
    fn logged(f: impl FnOnce()) -> Vec<serde_json::Value> {
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let subscriber = Registry::default().with(format_layer(
            LogFormat::Json,
            move || Sink(sink.clone()),
            false,
        ));
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_carries_the_event_and_its_span() {
        let lines = logged(|| {
            let span = tracing::info_span!(
                "request",
                path = "/login",
                n = 3u64,
                late = tracing::field::Empty
            );
            let _entered = span.enter();
            span.record("late", "yes");
            tracing::info!(status = 302u64, ok = true, ratio = 0.5, "request");
            tracing::warn!(error = %"x", "outside nothing");
        });
        assert_eq!(lines.len(), 2);
        let line = &lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(
            (line["status"].as_u64(), line["ok"].as_bool()),
            (Some(302), Some(true))
        );
        assert_eq!(line["ratio"], 0.5);
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["path"], "/login");
        assert_eq!(line["span"]["n"], 3);
        assert_eq!(line["span"]["late"], "yes");
        let ts = line["timestamp"].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).is_ok(),
            "{ts}"
        );
        assert_eq!(lines[1]["level"], "WARN");
    }

    #[test]
    fn notes_land_on_the_span_that_declares_them() {
        let lines = logged(|| {
            let span = tracing::info_span!("request", outcome = Empty, client_id = Empty);
            let _entered = span.enter();
            note("outcome", "accepted");
            note("not_declared", "x");
            tracing::info!("request");
        });
        assert_eq!(lines[0]["span"]["outcome"], "accepted");
        assert!(lines[0]["span"].get("client_id").is_none(), "{}", lines[0]);
        assert!(
            !lines[0].to_string().contains("not_declared"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn notes_recorded_together_all_land_and_undeclared_ones_are_dropped() {
        let lines = logged(|| {
            // `path` comes first: the slot an undeclared name takes points at it, and must stay
            // empty-handed.
            let span = tracing::info_span!(
                "request",
                path = "/login",
                outcome = Empty,
                subject_source = Empty,
                client_id = Empty
            );
            let _entered = span.enter();
            notes([
                ("subject_source", "external_id"),
                ("not_declared", "x"),
                ("client_id", "app \"1\""),
                ("outcome", "accepted"),
            ]);
            tracing::info!("first");
            note("outcome", "accepted_skip");
            tracing::info!("second");
        });
        let span = &lines[0]["span"];
        assert_eq!(span["path"], "/login", "{}", lines[0]);
        assert_eq!(span["subject_source"], "external_id");
        assert_eq!(span["client_id"], "app \"1\"");
        assert_eq!(span["outcome"], "accepted");
        assert!(
            !lines[0].to_string().contains("not_declared")
                && !lines[0].to_string().contains("\"x\""),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1]["span"]["outcome"], "accepted_skip",
            "the later note wins"
        );
        assert_eq!(lines[1]["span"]["client_id"], "app \"1\"");
    }

    #[test]
    fn notes_outside_any_span_are_dropped() {
        let lines = logged(|| {
            notes([("outcome", "accepted"), ("client_id", "app")]);
            tracing::info!("started");
        });
        assert!(lines[0].get("span").is_none(), "{}", lines[0]);
        assert!(!lines[0].to_string().contains("accepted"), "{}", lines[0]);
    }

    #[test]
    fn a_line_outside_any_span_has_no_span() {
        let lines = logged(|| tracing::info!("started"));
        assert_eq!(lines[0]["message"], "started");
        assert!(lines[0].get("span").is_none());
    }

    proptest! {
        /// Whatever a value holds (quotes, backslashes, control characters, any Unicode), the line
        /// stays one valid JSON object and gives the value back unchanged.
        #[test]
        fn any_value_survives_the_line(value in any::<String>(), shown in any::<String>()) {
            let lines = logged(|| {
                let span = tracing::info_span!("request", path = %value);
                let _entered = span.enter();
                tracing::info!(client_id = value.as_str(), shown = ?shown, "{}", value);
            });
            prop_assert_eq!(lines.len(), 1);
            prop_assert_eq!(lines[0]["client_id"].as_str(), Some(value.as_str()));
            prop_assert_eq!(lines[0]["message"].as_str(), Some(value.as_str()));
            prop_assert_eq!(lines[0]["span"]["path"].as_str(), Some(value.as_str()));
            let debug = format!("{shown:?}");
            prop_assert_eq!(lines[0]["shown"].as_str(), Some(debug.as_str()));
        }
    }
}
