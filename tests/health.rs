//! /health/alive needs nothing; /health/ready needs Hydra admin and Kratos to answer.

mod support;

use support::*;

#[tokio::test]
async fn alive_answers_without_upstreams() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__HYDRA__ADMIN_URL", &closed_port_url())],
    )
    .await;
    let response = app.get("/health/alive", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_when_hydra_and_kratos_answer() {
    let app = spawn_app().await;
    let response = app.get("/health/ready", None).await;
    assert_eq!(response.status().as_u16(), 200);
    let paths: Vec<String> = app.hydra.calls().iter().map(|c| c.path.clone()).collect();
    assert_eq!(paths, vec!["/health/ready".to_string()]);
}

#[tokio::test]
async fn not_ready_when_hydra_is_down() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__HYDRA__ADMIN_URL", &closed_port_url())],
    )
    .await;
    let response = app.get("/health/ready", None).await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(body["errors"]["hydra_admin"].is_string());
    assert!(body["errors"].get("kratos_public").is_none());
}

#[tokio::test]
async fn not_ready_when_kratos_fails() {
    let app = spawn_app().await;
    app.kratos.set_fault(Some(Fault::Status(500)));
    let response = app.get("/health/ready", None).await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["errors"]["kratos_public"].is_string());
    assert!(body["errors"]["kratos_admin"].is_string());
}
