//! A fake OpenTelemetry collector: `POST /v1/traces` (OTLP/HTTP, protobuf), decoded and kept; or a
//! collector that hangs, or refuses every batch.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use prost::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// Never answers (well past any export timeout).
    Hang,
    /// 503 to every batch.
    Refuse,
}

/// One exported span, flattened.
#[derive(Debug, Clone)]
pub struct ExportedSpan {
    pub service: String,
    pub name: String,
    /// 2 = server, 3 = client.
    pub kind: i32,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: String,
    pub attributes: Vec<(String, String)>,
    /// Whether it failed (status code 2).
    pub error: bool,
}

impl ExportedSpan {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    spans: Vec<ExportedSpan>,
    authorization: Vec<Option<String>>,
    batches: usize,
}

pub struct FakeCollector {
    /// `host:port`, as `server_url` takes it.
    pub address: String,
    state: Arc<Mutex<State>>,
}

impl FakeCollector {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new((state.clone(), behaviour));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
                .route("/v1/traces", web::post().to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { address, state }
    }

    pub fn spans(&self) -> Vec<ExportedSpan> {
        self.state.lock().unwrap().spans.clone()
    }

    pub fn authorization(&self) -> Vec<Option<String>> {
        self.state.lock().unwrap().authorization.clone()
    }

    /// Waits until `done(spans)` holds (spans are exported in batches, some time after they end).
    pub async fn wait_for(&self, done: impl Fn(&[ExportedSpan]) -> bool) -> Vec<ExportedSpan> {
        for _ in 0..100 {
            let spans = self.spans();
            if done(&spans) {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the collector never got the spans: {:#?}", self.spans());
    }
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    data: web::Data<(Arc<Mutex<State>>, Behaviour)>,
) -> HttpResponse {
    let (state, behaviour) = data.get_ref();
    match behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return HttpResponse::Ok().finish();
        }
        Behaviour::Refuse => {
            state.lock().unwrap().batches += 1;
            return HttpResponse::ServiceUnavailable().finish();
        }
        Behaviour::Accept => {}
    }
    assert_eq!(
        request.headers().get("content-type").unwrap(),
        "application/x-protobuf"
    );
    let export = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
    let mut state = state.lock().unwrap();
    state.batches += 1;
    state.authorization.push(
        request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    );
    for resource in export.resource_spans {
        let service = resource
            .resource
            .iter()
            .flat_map(|r| &r.attributes)
            .find(|kv| kv.key == "service.name")
            .and_then(|kv| kv.value.as_ref())
            .map(text)
            .unwrap_or_default();
        for span in resource.scope_spans.into_iter().flat_map(|s| s.spans) {
            state.spans.push(ExportedSpan {
                service: service.clone(),
                name: span.name,
                kind: span.kind,
                trace_id: hex(&span.trace_id),
                span_id: hex(&span.span_id),
                parent_span_id: hex(&span.parent_span_id),
                attributes: span
                    .attributes
                    .iter()
                    .map(|kv| {
                        (
                            kv.key.clone(),
                            kv.value.as_ref().map(text).unwrap_or_default(),
                        )
                    })
                    .collect(),
                error: span.status.is_some_and(|s| s.code == 2),
            });
        }
    }
    HttpResponse::Ok()
        .content_type("application/x-protobuf")
        .finish()
}

fn text(value: &opentelemetry_proto::tonic::common::v1::AnyValue) -> String {
    match &value.value {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::BoolValue(b)) => b.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
