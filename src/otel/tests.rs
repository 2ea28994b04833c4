use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use tracing::field::Empty;
use tracing_subscriber::Registry;
use tracing_subscriber::layer::SubscriberExt;
use url::Url;

use super::*;
use crate::config::{OtlpExport, Sampler};

/// Keeps what it is given; `fail` refuses every batch, `stall` holds each export that long.
#[derive(Debug, Clone, Default)]
struct Kept {
    spans: Arc<Mutex<Vec<SpanData>>>,
    fail: bool,
    stall: Option<Duration>,
}

impl SpanExporter for Kept {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if let Some(stall) = self.stall {
            std::thread::sleep(stall);
        }
        if self.fail {
            return Err(OTelSdkError::InternalFailure("refused".into()));
        }
        self.spans.lock().unwrap().extend(batch);
        Ok(())
    }
}

fn settings(max_queue_size: usize, ratio: f64) -> OtlpExport {
    OtlpExport {
        endpoint: Url::parse("http://127.0.0.1:1/v1/traces").unwrap(),
        authorization: None,
        service_name: "test".into(),
        deployment_environment: None,
        sampler: Sampler {
            parent_based: true,
            ratio,
        },
        timeout: Duration::from_secs(1),
        max_queue_size,
    }
}

/// Runs `f` with the pipeline installed for this thread, then flushes; returns the spans exported.
fn traced(exporter: Kept, max_queue_size: usize, f: impl FnOnce()) -> Vec<SpanData> {
    let (tracing, layer) =
        pipeline::<Registry, _>(&settings(max_queue_size, 1.0), exporter.clone());
    let subscriber = Registry::default().with(layer);
    tracing::subscriber::with_default(subscriber, f);
    tracing.shutdown(Duration::from_secs(5));
    exporter.spans.lock().unwrap().clone()
}

fn request_span(path: &str) -> tracing::Span {
    tracing::info_span!(
        target: spans::REQUEST_TARGET,
        "request",
        method = "GET",
        route = "/login",
        path = path,
        request_id = "r-1",
        outcome = Empty,
        subject_source = Empty,
        client_id = Empty,
    )
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.as_str().into_owned())
}

#[test]
fn a_request_and_its_upstream_call_become_a_server_and_a_client_span() {
    let exported = traced(Kept::default(), 64, || {
        let span = request_span("/login");
        let mut headers = actix_web::http::header::HeaderMap::new();
        headers.insert(
            actix_web::http::header::HeaderName::from_static("traceparent"),
            actix_web::http::header::HeaderValue::from_static(
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
        );
        spans::server_started(&span, &headers, "GET", Some("/login"));
        let _entered = span.enter();
        crate::telemetry::notes([("outcome", "accepted"), ("subject_source", "external_id")]);
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:4445/kratos/admin/identities/by/external/CUST-1?x=secret"
                .parse()
                .unwrap(),
        );
        let client = spans::client(
            "kratos",
            "get_identity_by_external_id",
            &request,
            // A base with a path: the template goes under it.
            Some(("/kratos", "/admin/identities/by/external/{external_id}")),
            false,
        );
        spans::inject(&client, request.headers_mut());
        let traceparent = request.headers()["traceparent"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            traceparent.starts_with("00-0af7651916cd43dd8448eb211c80319c-"),
            "{traceparent}"
        );
        spans::client_ended(&client, Ok(404));
        drop(client);
        spans::server_ended(&span, 302);
    });
    assert_eq!(exported.len(), 2, "{exported:#?}");
    let (client, server) = (&exported[0], &exported[1]);
    assert_eq!(server.name, "GET /login");
    assert_eq!(server.span_kind, SpanKind::Server);
    assert_eq!(
        server.span_context.trace_id().to_string(),
        "0af7651916cd43dd8448eb211c80319c"
    );
    assert_eq!(server.parent_span_id.to_string(), "b7ad6b7169203331");
    assert_eq!(attribute(server, "http.route").as_deref(), Some("/login"));
    assert_eq!(
        attribute(server, "http.response.status_code").as_deref(),
        Some("302")
    );
    assert_eq!(attribute(server, "outcome").as_deref(), Some("accepted"));
    assert_eq!(
        attribute(server, "subject_source").as_deref(),
        Some("external_id")
    );
    assert!(
        attribute(server, "path").is_none(),
        "the raw path stays in the log"
    );
    assert_eq!(client.name, "kratos get_identity_by_external_id");
    assert_eq!(client.span_kind, SpanKind::Client);
    assert_eq!(client.parent_span_id, server.span_context.span_id());
    assert_eq!(
        attribute(client, "url.full").as_deref(),
        Some("http://127.0.0.1:4445/kratos/admin/identities/by/external/%7Bexternal_id%7D")
    );
    assert_eq!(attribute(client, "server.port").as_deref(), Some("4445"));
    assert_eq!(
        attribute(client, "http.response.status_code").as_deref(),
        Some("404")
    );
    assert!(matches!(client.status, Status::Error { .. }));
    let all = format!("{exported:?}");
    for secret in ["CUST-1", "secret"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}

#[test]
fn only_the_two_kinds_of_span_and_no_events_go_out() {
    let exported = traced(Kept::default(), 64, || {
        let other = tracing::info_span!("page", subject = "someone");
        let _entered = other.enter();
        let span = request_span("/login");
        let _entered = span.enter();
        tracing::warn!(subject = "someone", "a log line");
        let health =
            tracing::info_span!(target: spans::UNTRACED_TARGET, "request", route = "/health/ready");
        let _entered = health.enter();
    });
    assert_eq!(exported.len(), 1, "{exported:#?}");
    assert!(exported[0].events.is_empty());
    assert!(!format!("{exported:?}").contains("someone"));
}

#[test]
fn calls_from_no_traced_request_make_no_span_and_send_no_traceparent() {
    traced(Kept::default(), 64, || {
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:4445/health/ready".parse().unwrap(),
        );
        let client = spans::client("hydra", "health_ready", &request, None, false);
        assert!(client.is_none());
        spans::inject(&client, request.headers_mut());
        assert!(request.headers().get("traceparent").is_none());
    });
}

fn dropped(reason: &str) -> u64 {
    let text = crate::metrics::Metrics::new().render();
    let wanted = format!("bridge_trace_spans_dropped_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&wanted))
        .map_or(0, |n| n.parse().unwrap())
}

#[test]
fn a_full_queue_drops_spans_and_counts_them_and_never_waits() {
    let before = dropped("queue_full");
    let exporter = Kept {
        stall: Some(Duration::from_millis(300)),
        ..Kept::default()
    };
    let (tracing, layer) = pipeline::<Registry, _>(&settings(4, 1.0), exporter.clone());
    let subscriber = Registry::default().with(layer);
    let started = std::time::Instant::now();
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..50 {
            drop(request_span("/login").entered());
        }
    });
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "spans waited on the exporter: {:?}",
        started.elapsed()
    );
    tracing.shutdown(Duration::from_secs(5));
    let exported = exporter.spans.lock().unwrap().len() as u64;
    let counted = dropped("queue_full") - before;
    // Four waiting, and one batch (at most the queue's size) in the exporter's hands.
    assert!(exported <= 8, "{exported} exported past a queue of 4");
    assert_eq!(exported + counted, 50, "every span exported or counted");
}

#[test]
fn batches_the_collector_refuses_are_counted() {
    let before = dropped("export_failed");
    let exporter = Kept {
        fail: true,
        ..Kept::default()
    };
    traced(exporter, 64, || {
        for _ in 0..3 {
            drop(request_span("/login").entered());
        }
    });
    assert!(dropped("export_failed") - before >= 3);
}

#[test]
fn unsampled_traces_are_not_exported_and_say_so_downstream() {
    let exporter = Kept::default();
    let (tracing, layer) = pipeline::<Registry, _>(&settings(64, 0.0), exporter.clone());
    let subscriber = Registry::default().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let span = request_span("/login");
        let _entered = span.enter();
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:4445/x".parse().unwrap(),
        );
        let client = spans::client("hydra", "x", &request, None, false);
        spans::inject(&client, request.headers_mut());
        let traceparent = request.headers()["traceparent"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(traceparent.ends_with("-00"), "{traceparent}");
    });
    tracing.shutdown(Duration::from_secs(5));
    assert!(exporter.spans.lock().unwrap().is_empty());
}
