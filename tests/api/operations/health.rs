//! /health/alive needs nothing; /health/ready needs Hydra admin and Kratos to answer.

use crate::support::*;

/// Not ready: the answer's text.
async fn unavailable(response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 503);
    response.text().await.unwrap()
}

#[tokio::test]
async fn alive_answers_without_upstreams() {
    let app = TestApp::builder().hydra_unreachable().spawn().await;
    let response = app.get("/health/alive", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_when_hydra_and_kratos_answer() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/ready", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let paths: Vec<String> = app.hydra.calls().iter().map(|c| c.path.clone()).collect();
    assert_eq!(paths, vec!["/health/ready".to_string()]);
}

#[tokio::test]
async fn not_ready_when_hydra_is_down() {
    let app = TestApp::builder().hydra_unreachable().spawn().await;
    let response = app.get("/health/ready", None).await;
    let text = unavailable(response).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        serde_json::json!({ "status": "unavailable", "failing": ["hydra_admin"] })
    );
    // Why it failed is for the log, not for whoever asks.
    for text_of_the_error in [
        "unreachable",
        "refused",
        "127.0.0.1",
        "health_ready",
        "error",
    ] {
        assert!(!text.contains(text_of_the_error), "{text}");
    }
}

#[tokio::test]
async fn not_ready_when_kratos_fails() {
    let app = TestApp::spawn().await;
    app.kratos.set_fault(Some(Fault::Status(500)));
    let response = app.get("/health/ready", None).await;
    let text = unavailable(response).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        serde_json::json!({ "status": "unavailable", "failing": ["kratos_public", "kratos_admin"] })
    );
    for text_of_the_error in ["500", "unexpected", "secret-upstream-body"] {
        assert!(!text.contains(text_of_the_error), "{text}");
    }
}

fn ready_checks(app: &TestApp) -> usize {
    app.hydra
        .calls()
        .iter()
        .filter(|c| c.path == "/health/ready")
        .count()
}

#[tokio::test]
async fn concurrent_readiness_calls_make_one_upstream_check() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__HEALTH__READY_CACHE_MS", "60000")
        .spawn()
        .await;
    // A slow Hydra: every call arrives while the first check is still out.
    app.hydra
        .set_fault(Some(Fault::Delay(std::time::Duration::from_millis(300))));
    let calls = (0..100).map(|_| app.get("/health/ready", None));
    for response in futures_util::future::join_all(calls).await {
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(ready_checks(&app), 1);
    // Within the cache time the result is reused.
    app.get("/health/ready", None).await;
    assert_eq!(ready_checks(&app), 1);
}

#[tokio::test]
async fn without_a_cache_time_each_call_checks() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__HEALTH__READY_CACHE_MS", "0")
        .spawn()
        .await;
    for _ in 0..3 {
        assert_eq!(app.get("/health/ready", None).await.status().as_u16(), 200);
    }
    assert_eq!(ready_checks(&app), 3);
}
