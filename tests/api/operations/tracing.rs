//! Traces: the binary exporting to a fake OTLP collector. A sign-in's spans, their parents and
//! the `traceparent` sent on; what they may not carry; a collector that is down; the shutdown.

use std::time::{Duration, Instant};

use crate::fakes::collector::{Behaviour, ExportedSpan, FakeCollector};
use crate::support::binary::{MINIMAL_CONFIG, Running, refused_check};
use crate::support::*;

const INCOMING_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_SPAN: &str = "00f067aa0ba902b7";

fn tracing_yaml(server_url: &str) -> String {
    format!(
        "tracing:\n  provider: otel\n  service_name: bridge-under-test\n  providers:\n    otlp:\n      \
         server_url: {server_url}\n      insecure: true\n      authorization_header: Bearer collector-secret-42\n"
    )
}

/// The bridge binary in front of fresh fakes, exporting to `server_url`; `env` for the binary.
async fn bridge(server_url: &str, env: &[(&str, &str)]) -> (TestApp, Running) {
    let mut builder = TestApp::builder()
        .use_external_id()
        .config_yaml(&tracing_yaml(server_url));
    for (key, value) in env {
        builder = builder.env(key, value);
    }
    builder.spawn_binary().await
}

/// One login through the fakes, with a `traceparent` as an instrumented ingress sends it: the
/// login's challenge and the Kratos session's token.
async fn login(app: &TestApp) -> (String, String) {
    let session = app.signed_in_with_external_id(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app
        .client
        .get(app.url(&login_path(&challenge)))
        .header("cookie", session_cookie(&session))
        .header(
            "traceparent",
            format!("00-{INCOMING_TRACE}-{INCOMING_SPAN}-01"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    (challenge, session)
}

fn named<'a>(spans: &'a [ExportedSpan], name: &str) -> Vec<&'a ExportedSpan> {
    spans.iter().filter(|s| s.name == name).collect()
}

#[tokio::test]
async fn a_sign_in_is_one_trace_that_carries_no_personal_data() {
    let collector = FakeCollector::start(Behaviour::Accept).await;
    // A long schedule: the spans reach the collector through the flush at shutdown.
    let (app, running) = bridge(&collector.address, &[("OTEL_BSP_SCHEDULE_DELAY", "60000")]).await;
    let (login_challenge, session) = login(&app).await;

    // The consent page, without a context: the identity is looked up by its external_id.
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let consent = app.hydra.add_consent(ConsentSpec {
        subject: EXTERNAL_ID.into(),
        ..ConsentSpec::default()
    });
    let page = app.open_form(&consent_path(&consent), None).await;
    assert_eq!(page.status, 200);
    let (cookie, csrf_token) = (page.cookie, page.csrf_token);
    let body = form_body(&[
        ("consent_challenge", consent.as_str()),
        ("csrf_token", &csrf_token),
        ("action", "allow"),
        ("grant_scope", "openid"),
    ]);
    let submitted = app.post_form("/consent", &cookie, body).await;
    assert_eq!(submitted.status().as_u16(), 303);
    assert!(
        collector.spans().is_empty(),
        "nothing exported before the schedule"
    );
    running.terminate();
    let (code, log) = running.wait().await;
    assert_eq!(code, Some(0), "{log:#?}");
    let spans = collector
        .wait_for(|spans| named(spans, "POST /consent").len() == 1)
        .await;

    // The login joins the incoming trace; its calls are its children, and Hydra was told so.
    let login = named(&spans, "GET /login")[0];
    assert_eq!(
        (login.kind, login.service.as_str()),
        (2, "bridge-under-test")
    );
    assert_eq!(login.trace_id, INCOMING_TRACE);
    assert_eq!(login.parent_span_id, INCOMING_SPAN);
    assert_eq!(login.attribute("http.route"), Some("/login"));
    assert_eq!(login.attribute("http.response.status_code"), Some("303"));
    assert_eq!(login.attribute("outcome"), Some("accepted"));
    assert!(!login.error);
    for call in [
        "hydra get_login_request",
        "kratos whoami",
        "hydra accept_login_request",
    ] {
        let child = named(&spans, call);
        assert_eq!(child.len(), 1, "{call}: {spans:#?}");
        assert_eq!(child[0].kind, 3);
        assert_eq!(child[0].parent_span_id, login.span_id, "{call}");
        assert_eq!(child[0].trace_id, INCOMING_TRACE, "{call}");
    }
    let get = named(&spans, "hydra get_login_request")[0];
    assert_eq!(get.attribute("http.response.status_code"), Some("200"));
    assert_eq!(get.attribute("server.address"), Some("127.0.0.1"));
    let sent: Vec<_> = app
        .hydra
        .calls()
        .into_iter()
        .filter_map(|c| c.traceparent)
        .collect();
    let expected = format!("00-{INCOMING_TRACE}-{}-01", get.span_id);
    assert!(sent.contains(&expected), "{expected} not in {sent:?}");
    // The consent page (a trace of its own: no traceparent came with it) and its lookup.
    for (page, call) in [
        ("GET /consent", "kratos get_identity_by_external_id"),
        ("POST /consent", "hydra accept_consent_request"),
    ] {
        let server = named(&spans, page)[0];
        let child = named(&spans, call);
        assert!(
            child.iter().any(|c| c.parent_span_id == server.span_id),
            "{call} under {page}: {spans:#?}"
        );
    }
    assert_eq!(
        collector.authorization()[0].as_deref(),
        Some("Bearer collector-secret-42")
    );

    // No attribute holds a subject, an identifier, a challenge, a cookie, a token or a secret.
    let forbidden = [
        IDENTITY_ID,
        EXTERNAL_ID,
        &login_challenge,
        &consent,
        &session,
        &csrf_token,
        cookie.split_once('=').unwrap().1,
        "collector-secret-42",
    ];
    for span in &spans {
        for (key, value) in &span.attributes {
            for secret in forbidden {
                assert!(
                    !value.contains(secret) && !key.contains(secret),
                    "{key}={value} of {} holds {secret}",
                    span.name
                );
            }
        }
    }
    // The log lines of the login carry its trace; the collector's credential is in none.
    let line = log
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["message"] == "request" && l["span"]["route"] == "/login")
        .expect("the login's request line");
    assert_eq!(line["trace_id"], INCOMING_TRACE);
    assert_eq!(line["span_id"], login.span_id.as_str());
    assert!(!log.iter().any(|l| l.contains("collector-secret-42")));
}

async fn dropped(app: &TestApp, reason: &str) -> u64 {
    let text = app.metrics().await;
    let wanted = format!("bridge_trace_spans_dropped_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&wanted))
        .map_or(0, |n| n.parse().unwrap())
}

/// A collector that hangs, refuses, or is not there: sign-ins take no longer, and what could not
/// be exported is counted.
#[tokio::test]
async fn a_collector_that_is_down_slows_no_sign_in_and_drops_are_counted() {
    let hanging = FakeCollector::start(Behaviour::Hang).await;
    let refusing = FakeCollector::start(Behaviour::Refuse).await;
    let closed = closed_port_url().trim_start_matches("http://").to_string();
    for (server_url, reason) in [
        (hanging.address.as_str(), "queue_full"),
        (refusing.address.as_str(), "export_failed"),
        (closed.as_str(), "export_failed"),
    ] {
        let env = [
            ("OTEL_BSP_SCHEDULE_DELAY", "20"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "8"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2000"),
        ];
        let (app, running) = bridge(server_url, &env).await;
        let mut slowest = Duration::ZERO;
        for _ in 0..40 {
            let started = Instant::now();
            login(&app).await;
            slowest = slowest.max(started.elapsed());
        }
        // Well under the 2 s export timeout a blocked sign-in would wait for; a loaded machine
        // adds its own delays.
        assert!(
            slowest < Duration::from_millis(1500),
            "{server_url}: a sign-in took {slowest:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while dropped(&app, reason).await == 0 {
            assert!(
                Instant::now() < deadline,
                "{server_url}: no {reason} drop counted"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        running.terminate();
        running.wait().await;
    }
}

/// The spans still queued get what is left of `serve.shutdown_timeout_secs`, and no more: a
/// collector that hangs does not hold the exit.
#[tokio::test]
async fn the_exit_waits_for_no_hanging_collector_beyond_the_grace_period() {
    let hanging = FakeCollector::start(Behaviour::Hang).await;
    let env = [
        ("OTEL_BSP_SCHEDULE_DELAY", "60000"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
        ("BRIDGE__SERVE__SHUTDOWN_TIMEOUT_SECS", "2"),
    ];
    let (app, running) = bridge(&hanging.address, &env).await;
    login(&app).await;
    let started = Instant::now();
    running.terminate();
    let (code, log) = running.wait().await;
    let took = started.elapsed();
    assert_eq!(code, Some(0), "{log:#?}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(4),
        "exited after {took:?}"
    );
}

#[tokio::test]
async fn check_config_names_bad_tracing_settings() {
    let base = MINIMAL_CONFIG;
    // (YAML, environment, what the refusal must name)
    type Case<'a> = (String, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (
            format!("{base}{}", tracing_yaml("http://jaeger:4318")),
            &[],
            "tracing.providers.otlp.server_url",
        ),
        (
            format!("{base}tracing:\n  provider: zipkin\n"),
            &[],
            "tracing.provider",
        ),
        (
            format!("{base}{}", tracing_yaml("jaeger:4318")),
            &[(
                "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
                "2",
            )],
            "BRIDGE__TRACING__PROVIDERS__OTLP__SAMPLING__SAMPLING_RATIO",
        ),
        (
            format!("{base}{}", tracing_yaml("jaeger:4318")),
            &[("OTEL_TRACES_SAMPLER", "sometimes")],
            "OTEL_TRACES_SAMPLER",
        ),
    ];
    for (yaml, env, named) in cases {
        let stderr = refused_check(&yaml, env, named).await;
        assert!(!stderr.contains("collector-secret-42"), "{stderr}");
    }
}
