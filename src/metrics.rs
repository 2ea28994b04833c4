//! Prometheus metrics: requests, upstream calls, and the outcomes of logins and consents.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The matched route pattern, or `unmatched`.
    pub route: String,
    /// `GET`, `POST` or `other` (see `request_metrics::method_label`).
    pub method: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub target: &'static str,
    pub operation: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BodyFailureLabels {
    pub target: &'static str,
    pub operation: &'static str,
    pub cause: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub target: &'static str,
    pub operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SubjectLabels {
    pub subject_source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReauthLabels {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DroppedSpanLabels {
    /// `queue_full` (the exporter fell behind) or `export_failed` (the collector refused a batch
    /// or did not answer in time).
    pub reason: &'static str,
}

/// Spans the trace exporter gave up on. One for the process, as the exporter is: every
/// [`Metrics`] shows it.
fn dropped_spans() -> &'static Family<DroppedSpanLabels, Counter> {
    static DROPPED: std::sync::LazyLock<Family<DroppedSpanLabels, Counter>> =
        std::sync::LazyLock::new(Family::default);
    &DROPPED
}

pub fn count_dropped_spans(reason: &'static str, spans: u64) {
    dropped_spans()
        .get_or_create(&DroppedSpanLabels { reason })
        .inc_by(spans);
}

fn latency_histogram() -> Histogram {
    // 1 ms to ~16 s: loopback round trips up to the longest sensible timeout.
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 16.0,
    ])
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<RequestLabels, Histogram, fn() -> Histogram>,
    pub upstream_calls: Family<UpstreamLabels, Counter>,
    pub upstream_seconds: Family<OperationLabels, Histogram, fn() -> Histogram>,
    pub upstream_body_failures: Family<BodyFailureLabels, Counter>,
    pub logins: Family<SubjectLabels, Counter>,
    pub consents: Family<OutcomeLabels, Counter>,
    pub csrf_failures: Counter,
    pub reauthentications: Family<ReauthLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("bridge");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds =
            Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        let upstream_calls = Family::<UpstreamLabels, Counter>::default();
        let upstream_seconds =
            Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        let upstream_body_failures = Family::<BodyFailureLabels, Counter>::default();
        let logins = Family::<SubjectLabels, Counter>::default();
        let consents = Family::<OutcomeLabels, Counter>::default();
        let csrf_failures = Counter::default();
        let reauthentications = Family::<ReauthLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            request_seconds.clone(),
        );
        registry.register(
            "upstream_calls",
            "Calls to Hydra and Kratos by target, operation and outcome",
            upstream_calls.clone(),
        );
        registry.register(
            "upstream_call_duration_seconds",
            "Latency of calls to Hydra and Kratos (the whole exchange, body included)",
            upstream_seconds.clone(),
        );
        registry.register(
            "upstream_body_failures",
            "Upstream answers whose body could not be used: too_large, invalid (malformed, truncated, wrong shape), timeout or interrupted",
            upstream_body_failures.clone(),
        );
        registry.register(
            "logins",
            "Accepted logins by the source of the subject (id or external_id)",
            logins.clone(),
        );
        registry.register(
            "consents",
            "Consent outcomes: skipped, skip_consent_client, trusted, granted, denied, rejected, consent_required",
            consents.clone(),
        );
        registry.register(
            "csrf_failures",
            "Form posts refused by the CSRF check",
            csrf_failures.clone(),
        );
        registry.register(
            "reauthentications",
            "Browsers sent to Kratos by kind: login, refresh, aal2",
            reauthentications.clone(),
        );
        registry.register(
            "trace_spans_dropped",
            "Spans not exported: queue_full (the exporter fell behind) or export_failed (the collector refused or did not answer)",
            dropped_spans().clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            upstream_calls,
            upstream_seconds,
            upstream_body_failures,
            logins,
            consents,
            csrf_failures,
            reauthentications,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    pub fn upstream(
        &self,
        target: &'static str,
        operation: &'static str,
        outcome: &'static str,
        seconds: f64,
    ) {
        self.upstream_calls
            .get_or_create(&UpstreamLabels {
                target,
                operation,
                outcome,
            })
            .inc();
        self.upstream_seconds
            .get_or_create(&OperationLabels { target, operation })
            .observe(seconds);
    }

    pub fn consent(&self, outcome: &'static str) {
        self.consents
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// For metric families that live beside the feature that counts them (see `routes::device::metrics`).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::new();
        m.upstream("hydra", "get_login_request", "ok", 0.002);
        m.consent("granted");
        m.logins
            .get_or_create(&SubjectLabels {
                subject_source: "external_id",
            })
            .inc();
        let text = m.render();
        assert!(text.contains("bridge_upstream_calls_total{target=\"hydra\",operation=\"get_login_request\",outcome=\"ok\"} 1"), "{text}");
        assert!(text.contains("bridge_consents_total{outcome=\"granted\"} 1"));
        assert!(text.contains("bridge_logins_total{subject_source=\"external_id\"} 1"));
        assert!(text.contains("bridge_upstream_call_duration_seconds_bucket"));
        assert!(text.ends_with("# EOF\n"));
    }
}
