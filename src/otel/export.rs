//! Between the spans and the collector. The SDK's batch processor holds spans in a bounded queue
//! and exports them from a thread of its own, so a sign-in never waits on the collector; but it
//! tells no one when it drops a span. [`Gate`] therefore keeps its own count of the spans
//! waiting, refuses (and counts) one that would overflow the queue before the processor sees it,
//! and [`Counted`] counts the batches a collector refused or never answered. Both counts are
//! `bridge_trace_spans_dropped_total` in `/metrics`.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::ExposeSecret;

use crate::config::OtlpExport;
use crate::metrics::count_dropped_spans;

/// Why tracing could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the trace exporter: {0}")]
pub struct SetupError(pub String);

/// Spans handed to the batch processor and not yet given to the exporter.
#[derive(Debug)]
struct Queue {
    waiting: AtomicUsize,
    limit: usize,
}

/// The exporter, counted, and the gate to put around the batch processor that feeds it.
pub(super) fn bounded<E: SpanExporter>(exporter: E, limit: usize) -> (Counted<E>, Bound) {
    let queue = Arc::new(Queue {
        waiting: AtomicUsize::new(0),
        limit,
    });
    (
        Counted {
            inner: exporter,
            queue: queue.clone(),
        },
        Bound { queue },
    )
}

/// A gate waiting for the processor it stands before.
pub(super) struct Bound {
    queue: Arc<Queue>,
}

impl Bound {
    pub(super) fn around<P: SpanProcessor>(self, inner: P) -> Gate<P> {
        Gate {
            inner,
            queue: self.queue,
        }
    }
}

/// Shapes each ended span for export (see [`super::spans::shape`]), and lets it into the
/// processor's queue only while there is room.
#[derive(Debug)]
pub struct Gate<P> {
    inner: P,
    queue: Arc<Queue>,
}

impl<P: SpanProcessor> SpanProcessor for Gate<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        // The processor's own queue has `limit` places and its thread takes spans out of it
        // before they reach the exporter: counting until the exporter has them, this count is
        // never below what the queue holds, so the processor never drops a span unseen.
        if self.queue.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue.limit {
            self.queue.waiting.fetch_sub(1, Ordering::AcqRel);
            count_dropped_spans("queue_full", 1);
            return;
        }
        super::spans::shape(&mut span);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The exporter, with the batches it could not deliver counted.
#[derive(Debug)]
pub struct Counted<E> {
    inner: E,
    queue: Arc<Queue>,
}

impl<E: SpanExporter> SpanExporter for Counted<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        self.queue.waiting.fetch_sub(spans, Ordering::AcqRel);
        let result = self.inner.export(batch).await;
        if result.is_err() {
            count_dropped_spans("export_failed", spans as u64);
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The collector's answer is read up to this much (it is a few bytes when all is well).
const MAX_ANSWER: u64 = 64 * 1024;

/// The exporter's HTTP client: reqwest's blocking client, on the batch processor's thread. Like
/// the Hydra and Kratos client it uses no proxy and follows no redirect. `Authorization`, when
/// configured, replaces any the `OTEL_EXPORTER_OTLP_*HEADERS` variables would add: the settings
/// win over the variables. Not `Debug` beyond its name: it holds that credential.
pub struct ExportClient {
    client: reqwest::blocking::Client,
    authorization: Option<HeaderValue>,
}

impl std::fmt::Debug for ExportClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExportClient")
    }
}

impl ExportClient {
    pub fn new(settings: &OtlpExport) -> Result<Self, SetupError> {
        let timeout = settings.timeout;
        // The blocking client runs a runtime of its own, which cannot be started from within one.
        let client = std::thread::spawn(move || {
            reqwest::blocking::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("kratos-hydra-bridge/", env!("CARGO_PKG_VERSION")))
                .build()
        })
        .join()
        .map_err(|_| SetupError("the HTTP client could not be built".into()))?
        .map_err(|e| SetupError(e.to_string()))?;
        let authorization = match &settings.authorization {
            None => None,
            Some(secret) => {
                let mut value = HeaderValue::from_str(secret.expose_secret()).map_err(|_| {
                    SetupError("tracing.providers.otlp.authorization_header is not a header".into())
                })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        Ok(Self {
            client,
            authorization,
        })
    }

    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let mut outgoing = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body.to_vec())
            .build()?;
        if let Some(authorization) = &self.authorization {
            outgoing
                .headers_mut()
                .insert(AUTHORIZATION, authorization.clone());
        }
        let response = self.client.execute(outgoing)?;
        let status = response.status();
        let mut answer = Vec::new();
        response.take(MAX_ANSWER).read_to_end(&mut answer)?;
        Ok(Response::builder()
            .status(status)
            .body(Bytes::from(answer))?)
    }
}

impl HttpClient for ExportClient {
    fn send_bytes<'a, 'b>(
        &'a self,
        request: Request<Bytes>,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'b>>
    where
        'a: 'b,
        Self: 'b,
    {
        // The batch processor's thread waits on this future: blocking here is what it expects.
        Box::pin(std::future::ready(self.send(request)))
    }
}
