//! Traces (`tracing.provider: otel`): the request spans and the upstream call spans of `tracing`,
//! turned into OpenTelemetry spans by tracing-opentelemetry and exported over OTLP/HTTP by a
//! batch processor on its own thread. Off (the default), none of this is installed.
//!
//! - this module: the pipeline and its shutdown;
//! - [`export`]: what stands between the spans and the collector: the queue bound, the drop count,
//!   what a span may carry, and the HTTP client;
//! - [`spans`]: the server span's parent from `traceparent`, the client spans and the headers they
//!   send, the trace ids of log lines.

mod export;
pub mod spans;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler as SdkSampler, SdkTracerProvider, SpanExporter,
};
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::registry::LookupSpan;

use crate::config::{OtlpExport, Sampler};
pub use export::{ExportClient, SetupError};

/// Whether spans are exported: set once, when the pipeline is installed.
static ON: AtomicBool = AtomicBool::new(false);

/// Whether tracing is on. Everything that traces asks this first, so that off costs one load.
#[inline]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// The tracer provider, to flush and stop at exit.
pub struct Tracing {
    provider: SdkTracerProvider,
}

impl Tracing {
    /// Exports what is still queued, for at most `grace`; spans that do not make it are lost (the
    /// exit must not wait on a collector that hangs).
    pub fn shutdown(self, grace: Duration) {
        if let Err(e) = self.provider.shutdown_with_timeout(grace) {
            tracing::warn!(error = %e, "traces still queued at exit were not all exported");
        }
    }
}

/// The OTLP/HTTP pipeline for `settings`, and the layer that feeds it.
pub fn otlp<S>(settings: &OtlpExport) -> Result<(Tracing, impl Layer<S> + use<S>), SetupError>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(ExportClient::new(settings)?)
        .with_endpoint(settings.endpoint.as_str())
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_timeout(settings.timeout)
        .build()
        .map_err(|e| SetupError(e.to_string()))?;
    Ok(pipeline(settings, exporter))
}

/// The pipeline around any exporter (tests give one that keeps the spans).
pub fn pipeline<S, E>(settings: &OtlpExport, exporter: E) -> (Tracing, impl Layer<S> + use<S, E>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    E: SpanExporter + 'static,
{
    let (exporter, processor) = export::bounded(exporter, settings.max_queue_size);
    let batches = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(settings.max_queue_size)
                .build(),
        )
        .build();
    let mut resource = Resource::builder().with_service_name(settings.service_name.clone());
    if let Some(environment) = &settings.deployment_environment {
        resource = resource.with_attribute(KeyValue::new(
            "deployment.environment.name",
            environment.clone(),
        ));
    }
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor.around(batches))
        .with_sampler(sampler(settings.sampler))
        .with_resource(resource.build())
        .build();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    // Only the two kinds of span go out, with their own fields only: no source locations or
    // threads, and no events (log lines are the log's; an error's text may quote anything).
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_error_fields_to_exceptions(false)
        .with_error_events_to_exceptions(false)
        .with_error_events_to_status(false)
        .with_filter(
            filter_fn(spans::is_exported)
                .with_max_level_hint(tracing::level_filters::LevelFilter::INFO),
        );
    ON.store(true, Ordering::Relaxed);
    (Tracing { provider }, layer)
}

fn sampler(sampler: Sampler) -> SdkSampler {
    let root = if sampler.ratio >= 1.0 {
        SdkSampler::AlwaysOn
    } else if sampler.ratio <= 0.0 {
        SdkSampler::AlwaysOff
    } else {
        SdkSampler::TraceIdRatioBased(sampler.ratio)
    };
    if sampler.parent_based {
        SdkSampler::ParentBased(Box::new(root))
    } else {
        root
    }
}

#[cfg(test)]
mod tests;
