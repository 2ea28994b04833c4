//! /metrics: Prometheus text with requests, upstream calls, logins and consents.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn metrics_count_requests_upstream_calls_and_outcomes() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    let token = app.signed_in_with_external_id(30);
    app.login_redirects(LoginSpec::default(), &token).await;
    app.login_redirects(LoginSpec::asking("prompt=login"), &token)
        .await;
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let consent = app.hydra.add_consent(ConsentSpec {
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::remembered(EXTERNAL_ID)
    });
    app.consent(&consent).await;
    app.get("/login", None).await;

    let response = app.get("/metrics", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    for line in [
        "bridge_logins_total{subject_source=\"external_id\"} 1",
        "bridge_consents_total{outcome=\"skipped\"} 1",
        "bridge_reauthentications_total{kind=\"refresh\"} 1",
        "bridge_upstream_calls_total{target=\"hydra\",operation=\"get_login_request\",outcome=\"ok\"} 2",
        "bridge_upstream_calls_total{target=\"kratos\",operation=\"whoami\",outcome=\"ok\"} 2",
        "bridge_upstream_calls_total{target=\"hydra\",operation=\"accept_login_request\",outcome=\"ok\"} 1",
        "bridge_http_requests_total{route=\"/login\",method=\"GET\",status=\"303\"} 2",
        "bridge_http_requests_total{route=\"/login\",method=\"GET\",status=\"400\"} 1",
        "bridge_http_requests_total{route=\"/consent\",method=\"GET\",status=\"303\"} 1",
    ] {
        assert!(text.contains(line), "missing {line}:\n{text}");
    }
    assert!(text.contains("bridge_upstream_call_duration_seconds_bucket{le=\"0.001\",target=\"hydra\",operation=\"get_login_request\"}") || text.contains("bridge_upstream_call_duration_seconds_bucket{target=\"hydra\",operation=\"get_login_request\",le="));
}

#[tokio::test]
async fn metrics_can_have_their_own_port() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__METRICS__ADDRESS", "127.0.0.1:0")
        .spawn()
        .await;
    assert_eq!(app.get("/metrics", None).await.status().as_u16(), 404);
    let port = app.metrics_port.expect("a metrics listener");
    let response = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("# TYPE bridge_http_requests counter")
    );
}

#[tokio::test]
async fn upstream_faults_are_counted_by_outcome() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.set_fault(Some(Fault::Status(500)));
    app.login(&challenge, None).await;
    app.hydra.set_fault(Some(Fault::Hang));
    app.login(&challenge, None).await;
    let text = app.metrics().await;
    assert!(text.contains("bridge_upstream_calls_total{target=\"hydra\",operation=\"get_login_request\",outcome=\"http_5xx\"} 1"), "{text}");
    assert!(text.contains("bridge_upstream_calls_total{target=\"hydra\",operation=\"get_login_request\",outcome=\"timeout\"} 1"), "{text}");
}

/// The number of `bridge_http_requests_total` series in a scrape.
async fn request_series(app: &TestApp) -> usize {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| l.starts_with("bridge_http_requests_total{"))
        .count()
}

/// Sends `count` requests, each with a method nobody routes, to a known and an unknown path.
async fn made_up_methods(app: &TestApp, from: usize, count: usize) {
    for i in from..from + count {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        let path = if i % 2 == 0 { "/login" } else { "/nowhere" };
        let response = app
            .client
            .request(method, format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
}

#[tokio::test]
async fn made_up_methods_add_no_series() {
    let app = TestApp::spawn().await;
    request_series(&app).await;
    made_up_methods(&app, 0, 10).await;
    let before = request_series(&app).await;
    made_up_methods(&app, 10, 2_000).await;
    assert_eq!(request_series(&app).await, before);
    let text = app.metrics().await;
    assert!(
        text.contains(
            "bridge_http_requests_total{route=\"/login\",method=\"other\",status=\"405\"} 1005"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "bridge_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1005"
        ),
        "{text}"
    );
    assert!(!text.contains("MADEUP"));
}
