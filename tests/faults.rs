//! Faults on the wire: connections closed or cut off mid-body, and which calls are retried.

mod support;

use std::time::{Duration, Instant};

use support::raw::{RawAnswer, RawServer, json_answer, truncated_answer};
use support::*;

fn login_request_json(challenge: &str) -> String {
    serde_json::json!({
        "challenge": challenge, "skip": false, "subject": "",
        "client": { "client_id": "demo-client" },
        "request_url": "https://hydra.test/oauth2/auth?client_id=demo-client&response_type=code",
        "requested_scope": ["openid"], "requested_access_token_audience": []
    })
    .to_string()
}

async fn app_against(hydra_url: &str) -> TestApp {
    spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__HYDRA__ADMIN_URL", hydra_url)],
    )
    .await
}

#[tokio::test]
async fn a_get_whose_connection_drops_is_retried_once() {
    let raw = RawServer::start(|n, _| {
        if n == 0 {
            RawAnswer::Close
        } else {
            RawAnswer::Send(json_answer("200 OK", &login_request_json("YWJj")))
        }
    })
    .await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 303, "answered after one retry");
    assert!(
        location(&response).starts_with(&format!("{}/self-service/login/browser", app.kratos.url))
    );
    assert_eq!(raw.count(), 2);
}

#[tokio::test]
async fn a_get_that_keeps_failing_is_retried_only_once() {
    let raw = RawServer::start(|_, _| RawAnswer::Close).await;
    let app = app_against(&raw.url).await;
    let started = Instant::now();
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 502);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(raw.count(), 2);
}

#[tokio::test]
async fn an_accept_whose_answer_is_lost_is_not_repeated() {
    // Hydra may have accepted: sending it again is harmless to Hydra, but the browser must see one
    // clear failure, not be sent through twice.
    let raw = RawServer::start(|_, line| {
        if line.starts_with("GET") {
            RawAnswer::Send(json_answer("200 OK", &login_request_json("YWJj")))
        } else {
            RawAnswer::Close
        }
    })
    .await;
    let app = app_against(&raw.url).await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let response = app.login("YWJj", Some(&token)).await;
    assert_eq!(response.status().as_u16(), 502);
    let puts = raw
        .requests()
        .iter()
        .filter(|l| l.starts_with("PUT"))
        .count();
    assert_eq!(puts, 1);
}

#[tokio::test]
async fn a_body_cut_off_midway_is_a_502() {
    let raw =
        RawServer::start(|_, _| RawAnswer::Send(truncated_answer(&login_request_json("YWJj"))))
            .await;
    let app = app_against(&raw.url).await;
    let response = app.login("YWJj", None).await;
    assert_eq!(response.status().as_u16(), 502);
    assert!(!response.text().await.unwrap().contains("YWJj"));
    // The service is fine afterwards.
    assert_eq!(app.get("/health/alive", None).await.status().as_u16(), 200);
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"interrupted\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_counted() {
    let app = spawn_app().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.set_fault(Some(Fault::MalformedJson));
    assert_eq!(app.login(&challenge, None).await.status().as_u16(), 502);
    app.hydra.set_fault(Some(Fault::HugeBody));
    assert_eq!(app.login(&challenge, None).await.status().as_u16(), 502);
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"invalid\"} 1"), "{metrics}");
    assert!(metrics.contains("bridge_upstream_body_failures_total{target=\"hydra\",operation=\"get_login_request\",cause=\"too_large\"} 1"), "{metrics}");
}
