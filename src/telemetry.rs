//! Logging through `tracing`: JSON or pretty, `RUST_LOG` honoured, one line per request.
//! Request spans name the route and path only: query strings carry challenges and tokens.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Span, Subscriber, span};
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::Layer;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::writer::{MakeWriter, MakeWriterExt};
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry};

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. `RUST_LOG`, when set and valid, wins over `log.level`.
pub fn init(settings: &LogSettings) {
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
    let writer = batched_stdout().with_max_level(tracing::Level::TRACE);
    let format = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(false);
    let format = match settings.format {
        LogFormat::Json => format
            .fmt_fields(JsonMembers)
            .event_format(JsonLine)
            .boxed(),
        LogFormat::Pretty => format.boxed(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(targets)
        .with(env_filter)
        .with(format)
        .try_init();
}

/// How long a log line may wait in memory before it goes out (with the lines that came after it).
const FLUSH_DELAY: Duration = Duration::from_millis(50);
/// Past this much waiting output the writer thread goes at once, without waiting out the delay.
const FLUSH_AT: usize = 64 * 1024;
/// Past this much (stdout is not keeping up), the request that logs the next line writes it all out
/// itself: back-pressure rather than unbounded memory or lost lines.
const HOLD_AT_MOST: usize = 4 * 1024 * 1024;

/// Log lines gather in memory and reach stdout in one write per batch: a background thread writes
/// them [`FLUSH_DELAY`] after the first of a batch (or once [`FLUSH_AT`] bytes wait), so a busy server makes one write syscall for many
/// requests instead of one each. [`flush`] writes out what is waiting (at exit).
struct Batch {
    lines: Mutex<Vec<u8>>,
    waiting: Condvar,
}

/// `None` when no writer thread could start: lines then go out one write each.
static BATCH: OnceLock<Option<Arc<Batch>>> = OnceLock::new();

fn batched_stdout() -> BatchWriter {
    let batch = BATCH.get_or_init(|| {
        let batch = Arc::new(Batch {
            lines: Mutex::new(Vec::new()),
            waiting: Condvar::new(),
        });
        let flusher = batch.clone();
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || flusher.run())
            .ok()
            .map(|_| batch)
    });
    BatchWriter(batch.clone())
}

impl Batch {
    fn run(&self) {
        loop {
            {
                let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
                while lines.is_empty() {
                    lines = self
                        .waiting
                        .wait(lines)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                // The first line of a batch arrived: let more join it, unless it is big already.
                let _ = self
                    .waiting
                    .wait_timeout_while(lines, FLUSH_DELAY, |lines| lines.len() < FLUSH_AT);
            }
            self.write_out();
        }
    }

    /// Takes the waiting lines and writes them, holding stdout so that batches keep their order.
    fn write_out(&self) {
        let mut out = std::io::stdout().lock();
        let lines = std::mem::take(&mut *self.lines.lock().unwrap_or_else(PoisonError::into_inner));
        if !lines.is_empty() {
            let _ = out.write_all(&lines);
            let _ = out.flush();
        }
    }
}

/// Writes out every log line still waiting. Call before the process exits.
pub fn flush() {
    if let Some(Some(batch)) = BATCH.get() {
        batch.write_out();
    }
}

#[derive(Clone)]
struct BatchWriter(Option<Arc<Batch>>);

impl std::io::Write for BatchWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(batch) = &self.0 else {
            return std::io::stdout().write(buf);
        };
        // The request never waits for stdout, unless stdout has fallen far behind.
        let overflowing = {
            let mut lines = batch.lines.lock().unwrap_or_else(PoisonError::into_inner);
            let before = lines.len();
            lines.extend_from_slice(buf);
            if before == 0 || (before < FLUSH_AT && lines.len() >= FLUSH_AT) {
                batch.waiting.notify_one();
            }
            lines.len() >= HOLD_AT_MOST
        };
        if overflowing {
            batch.write_out();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = BatchWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// One JSON object per line: `timestamp`, `level`, the event's fields, and the current span's
/// fields under `span` (with its `name`). Written straight into the line buffer: span fields are
/// kept as ready JSON members ([`JsonMembers`]), so no line decodes and re-encodes them.
pub struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut out: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let now = time::OffsetDateTime::now_utc();
        write!(
            out,
            "{{\"timestamp\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z\",\"level\":\"{}\"",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.microsecond(),
            event.metadata().level()
        )?;
        let mut members = Members {
            out: &mut out,
            first: false,
            result: Ok(()),
        };
        event.record(&mut members);
        members.result?;
        if let Some(span) = ctx.lookup_current() {
            out.write_str(",\"span\":{")?;
            if let Some(fields) = span.extensions().get::<FormattedFields<N>>()
                && !fields.fields.is_empty()
            {
                out.write_str(&fields.fields)?;
                out.write_char(',')?;
            }
            out.write_str("\"name\":")?;
            json_string(&mut out, span.name())?;
            out.write_char('}')?;
        }
        out.write_str("}\n")
    }
}

/// Span fields as JSON members (`"k":v,"k2":v2`), ready to go inside an object.
pub struct JsonMembers;

impl<'w> FormatFields<'w> for JsonMembers {
    fn format_fields<R: RecordFields>(&self, mut out: Writer<'w>, fields: R) -> fmt::Result {
        let mut members = Members {
            out: &mut out,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut members);
        members.result
    }

    fn add_fields(
        &self,
        current: &'w mut FormattedFields<Self>,
        fields: &span::Record<'_>,
    ) -> fmt::Result {
        let first = current.fields.is_empty();
        let mut out = current.as_writer();
        let mut members = Members {
            out: &mut out,
            first,
            result: Ok(()),
        };
        fields.record(&mut members);
        members.result
    }
}

/// Writes each field it visits as a JSON member, after a comma unless it is the first.
struct Members<'a, W: fmt::Write> {
    out: &'a mut W,
    first: bool,
    result: fmt::Result,
}

impl<W: fmt::Write> Members<'_, W> {
    fn member(&mut self, field: &Field, value: impl FnOnce(&mut W) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        self.result = (|| {
            if !std::mem::take(&mut self.first) {
                self.out.write_char(',')?;
            }
            json_string(self.out, field.name())?;
            self.out.write_char(':')?;
            value(self.out)
        })();
    }
}

impl<W: fmt::Write> Visit for Members<'_, W> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.member(field, |out| json_string(out, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, |out| write!(out, "{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if value.is_finite() {
            self.member(field, |out| write!(out, "{value}"));
        } else {
            self.member(field, |out| json_string(out, &value.to_string()));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.member(field, |out| {
            out.write_char('"')?;
            write!(Escaped(out), "{value}")?;
            out.write_char('"')
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.member(field, |out| {
            out.write_char('"')?;
            write!(Escaped(out), "{value:?}")?;
            out.write_char('"')
        });
    }
}

fn json_string<W: fmt::Write + ?Sized>(out: &mut W, value: &str) -> fmt::Result {
    out.write_char('"')?;
    Escaped(out).write_str(value)?;
    out.write_char('"')
}

/// Escapes what it is given for the inside of a JSON string (RFC 8259 §7).
struct Escaped<'a, W: fmt::Write + ?Sized>(&'a mut W);

impl<W: fmt::Write + ?Sized> fmt::Write for Escaped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut plain = 0;
        for (i, c) in s.char_indices() {
            let escape = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                c if (c as u32) < 0x20 => "",
                _ => continue,
            };
            self.0.write_str(&s[plain..i])?;
            if escape.is_empty() {
                write!(self.0, "\\u{:04x}", c as u32)?;
            } else {
                self.0.write_str(escape)?;
            }
            plain = i + c.len_utf8();
        }
        self.0.write_str(&s[plain..])
    }
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
    with_notes(&Span::current(), |notes| {
        let slot = match field {
            "outcome" => &mut notes.outcome,
            "subject_source" => &mut notes.subject_source,
            "client_id" => &mut notes.client_id,
            _ => return,
        };
        *slot = Some(value.to_string());
    });
}

fn take_notes(span: &Span) -> Notes {
    with_notes(span, std::mem::take).unwrap_or_default()
}

/// Runs `f` on the notes kept beside `span` (made empty on first use); `None` when the span is not
/// recorded (disabled, or no registry behind the subscriber).
fn with_notes<R>(span: &Span, f: impl FnOnce(&mut Notes) -> R) -> Option<R> {
    span.with_subscriber(|(id, dispatch)| {
        let span = dispatch.downcast_ref::<Registry>()?.span(id)?;
        let mut extensions = span.extensions_mut();
        if extensions.get_mut::<Notes>().is_none() {
            extensions.insert(Notes::default());
        }
        extensions.get_mut::<Notes>().map(f)
    })
    .flatten()
}

/// Root span per request: method, route pattern, path without query, request id; status and latency
/// recorded at the end, with one `request` event.
pub struct BridgeRootSpan;

const MAX_LOGGED_PATH: usize = 128;
/// Methods are ASCII tokens of any length; a made-up one of kilobytes must not fill the log.
const MAX_LOGGED_METHOD: usize = 24;

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
        tracing::info_span!(
            "request",
            method = %method,
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
                let elapsed_ms = request
                    .extensions()
                    .get::<StartedAt>()
                    .map(|s| s.0.elapsed().as_secs_f64() * 1000.0)
                    .unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::{Arc, Mutex};

    /// Runs `f` under a JSON subscriber and returns the lines it logged, each parsed.
    fn logged(f: impl FnOnce()) -> Vec<serde_json::Value> {
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Sink(sink.clone()))
            .with_max_level(tracing::Level::TRACE)
            .fmt_fields(JsonMembers)
            .event_format(JsonLine)
            .finish();
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
