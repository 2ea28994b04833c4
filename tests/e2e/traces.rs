//! One sign-in, one trace: Hydra, Kratos and the bridge export to a real Jaeger, and Jaeger's query
//! API shows the bridge's spans between Hydra's and Kratos's.
//!
//! What carries the trace: the browser's hops (Hydra → bridge → Kratos → bridge) are redirects, and
//! a browser sends no `traceparent` of its own. In production an instrumented ingress in front of
//! the three servers adds one; here the test's browser sends the same `traceparent` on every
//! request, as such an ingress would for one sign-in. From there each server continues the trace
//! it is given: the bridge's server spans are children of that `traceparent`, and the bridge's own
//! calls to Hydra's admin API and to Kratos carry the bridge's client span as theirs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::Env;
use crate::browser::{AuthRequest, Person, random};
use crate::flows::{PASSWORD, SCOPES, email, sign_in};
use crate::ory::{Server, free_port, temp_dir};
use crate::stack::{Extra, Stack, Subject};

const BRIDGE: &str = "kratos-hydra-bridge";
const HYDRA: &str = "Ory Hydra";
const KRATOS: &str = "Ory Kratos";
/// The span the ingress would have opened for the sign-in.
const INGRESS_SPAN: &str = "00f067aa0ba902b7";

/// Jaeger v2 (OTLP/HTTP receiver, in-memory storage, query API) on free loopback ports.
struct Jaeger {
    server: Server,
    /// `host:port` of the OTLP/HTTP receiver.
    otlp: String,
    query: String,
    _dir: TempDir,
}

impl Jaeger {
    async fn start(http: &reqwest::Client) -> Self {
        let bin = crate::ory::jaeger().unwrap_or_else(|why| panic!("{why}"));
        let dir = temp_dir("khb-jaeger-");
        let (otlp, query, grpc) = (free_port(), free_port(), free_port());
        // The all-in-one configuration cut down to what the test reads, every port its own; the
        // collector's own metrics listener is off.
        let config = format!(
            "service:\n  extensions: [jaeger_storage, jaeger_query]\n  pipelines:\n    traces:\n      \
             receivers: [otlp]\n      processors: [batch]\n      exporters: [jaeger_storage_exporter]\n  \
             telemetry:\n    metrics:\n      level: none\n    logs:\n      level: warn\n\
             extensions:\n  jaeger_query:\n    storage:\n      traces: memstore\n    http:\n      \
             endpoint: 127.0.0.1:{query}\n    grpc:\n      endpoint: 127.0.0.1:{grpc}\n  \
             jaeger_storage:\n    backends:\n      memstore:\n        memory:\n          max_traces: 10000\n\
             receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:{otlp}\n\
             processors:\n  batch:\n    timeout: 100ms\n\
             exporters:\n  jaeger_storage_exporter:\n    trace_storage: memstore\n"
        );
        let path = dir.path().join("jaeger.yaml");
        std::fs::write(&path, config).expect("jaeger config");
        let server = Server::new(
            "jaeger",
            vec![
                bin.display().to_string(),
                "--config".into(),
                format!("file:{}", path.display()),
            ],
            Vec::new(),
            dir.path().join("jaeger.log"),
        );
        server.start();
        let query = format!("http://127.0.0.1:{query}");
        server
            .wait_ready(http, &format!("{query}/api/services"))
            .await;
        Self {
            server,
            otlp: format!("127.0.0.1:{otlp}"),
            query,
            _dir: dir,
        }
    }

    /// The trace, once `done` holds for it (the servers export in batches, Jaeger stores in batches).
    async fn trace(
        &self,
        http: &reqwest::Client,
        id: &str,
        done: impl Fn(&Trace) -> bool,
    ) -> Trace {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = None;
        while Instant::now() < deadline {
            let r = http
                .get(format!("{}/api/traces/{id}", self.query))
                .send()
                .await
                .expect("jaeger query");
            if r.status().is_success() {
                let trace = Trace::from(&r.json::<Value>().await.expect("JSON"));
                if done(&trace) {
                    return trace;
                }
                last = Some(trace);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!(
            "trace {id} never complete; last seen:\n{:#?}",
            last.map(|t| t.summary())
        );
    }
}

#[derive(Debug, Clone)]
struct Span {
    id: String,
    parent: Option<String>,
    service: String,
    name: String,
}

struct Trace {
    spans: Vec<Span>,
}

impl Trace {
    fn from(answer: &Value) -> Self {
        let data = &answer["data"][0];
        let processes: HashMap<&str, &str> = data["processes"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, p)| (id.as_str(), p["serviceName"].as_str().unwrap_or_default()))
            .collect();
        let spans = data["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| Span {
                id: s["spanID"].as_str().unwrap_or_default().to_string(),
                parent: s["references"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|r| r["refType"] == "CHILD_OF")
                    .and_then(|r| r["spanID"].as_str())
                    .map(str::to_owned),
                service: processes
                    .get(s["processID"].as_str().unwrap_or_default())
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                name: s["operationName"].as_str().unwrap_or_default().to_string(),
            })
            .collect();
        Self { spans }
    }

    fn named<'a>(&'a self, service: &'a str, name: &'a str) -> impl Iterator<Item = &'a Span> {
        self.spans
            .iter()
            .filter(move |s| s.service == service && s.name == name)
    }

    fn children<'a>(&'a self, parent: &'a Span) -> impl Iterator<Item = &'a Span> {
        self.spans
            .iter()
            .filter(move |s| s.parent.as_deref() == Some(parent.id.as_str()))
    }

    /// Some `page` span of the bridge has a `call` child, which has a child span of `server`.
    fn continued(&self, page: &str, call: &str, server: &str) -> bool {
        self.named(BRIDGE, page).any(|page| {
            self.children(page)
                .filter(|c| c.service == BRIDGE && c.name == call)
                .any(|call| self.children(call).any(|s| s.service == server))
        })
    }

    fn summary(&self) -> Vec<String> {
        self.spans
            .iter()
            .map(|s| format!("{} [{}] {} <- {:?}", s.id, s.service, s.name, s.parent))
            .collect()
    }
}

fn traced_by(trace_id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = format!("00-{trace_id}-{INGRESS_SPAN}-01");
    headers.insert(
        "traceparent",
        HeaderValue::from_str(&value).expect("header"),
    );
    headers
}

/// A new customer signs in to `client` through the ingress's `trace_id`.
async fn sign_in_traced(stack: &Stack, client: &str, label: &str, trace_id: &str) {
    let address = email(label);
    stack
        .create_identity("customer", &address, PASSWORD, json!({}))
        .await;
    let mut person = Person::with_headers(stack, traced_by(trace_id));
    let request = AuthRequest::new(client, "openid email");
    let tokens = sign_in(&mut person, &request, &address).await;
    assert!(!tokens.access_token.is_empty());
}

pub async fn one_sign_in_is_one_trace_through_hydra_the_bridge_and_kratos(env: &Env) {
    let http = reqwest::Client::new();
    let jaeger = Jaeger::start(&http).await;
    let otlp = jaeger.otlp.as_str();
    // Hydra and Kratos as their own configuration reads it; the bridge with the same keys.
    let ory = [
        ("TRACING_PROVIDER", "otel"),
        ("TRACING_PROVIDERS_OTLP_SERVER_URL", otlp),
        ("TRACING_PROVIDERS_OTLP_INSECURE", "true"),
        ("TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO", "1"),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ];
    let bridge = [
        ("BRIDGE__TRACING__PROVIDER", "otel"),
        ("BRIDGE__TRACING__PROVIDERS__OTLP__SERVER_URL", otlp),
        ("BRIDGE__TRACING__PROVIDERS__OTLP__INSECURE", "true"),
        (
            "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
            "1",
        ),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ];
    let extra = Extra {
        hydra: &ory,
        kratos: &ory,
        bridge: &bridge,
    };
    let stack =
        Stack::start_extra(env.binaries(), env.versions, Subject::ExternalIdOrId, extra).await;
    let client = stack.create_client("traced", SCOPES).await;
    let trace_id = random();
    sign_in_traced(&stack, &client, "traced", &trace_id).await;

    let wanted = [
        ("GET /login", "hydra get_login_request", HYDRA),
        ("GET /login", "kratos whoami", KRATOS),
        ("GET /login", "hydra accept_login_request", HYDRA),
        ("GET /consent", "hydra get_consent_request", HYDRA),
        ("POST /consent", "hydra accept_consent_request", HYDRA),
    ];
    let trace = jaeger
        .trace(&http, &trace_id, |t| {
            wanted
                .iter()
                .all(|(page, call, server)| t.continued(page, call, server))
        })
        .await;
    // Every request of the sign-in came with the ingress's span as its parent, the bridge's too.
    for page in ["GET /login", "GET /consent", "POST /consent"] {
        assert!(
            trace
                .named(BRIDGE, page)
                .all(|s| s.parent.as_deref() == Some(INGRESS_SPAN)),
            "{page}: {:#?}",
            trace.summary()
        );
    }
    // Every call the bridge made has the server it called below it.
    for span in trace
        .spans
        .iter()
        .filter(|s| s.service == BRIDGE && s.parent.as_deref() != Some(INGRESS_SPAN))
    {
        let server = if span.name.starts_with("hydra ") {
            HYDRA
        } else {
            KRATOS
        };
        assert!(
            trace.children(span).any(|c| c.service == server),
            "{} has no {server} span below it: {:#?}",
            span.name,
            trace.summary()
        );
    }

    // With the collector gone, a sign-in still works.
    jaeger.server.stop();
    sign_in_traced(&stack, &client, "untraced", &random()).await;
}
