//! Liveness (no upstream) and readiness (Hydra admin and Kratos answer their health endpoints).
//!
//! Anyone can call `/health/ready`, and each check costs three upstream calls, so checks never
//! multiply (see [`Readiness`](super::readiness::Readiness)). The answer names the failing upstreams only; why they failed goes
//! to the log.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::readiness::Failing;
use super::state::AppState;

pub async fn alive() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// One check of the three upstreams, logging why each failing one failed.
async fn check(state: &AppState) -> Failing {
    let (hydra, kratos_public, kratos_admin) = tokio::join!(
        state.hydra.ready(),
        state.kratos.public_ready(),
        state.kratos.admin_ready()
    );
    let mut failing = Vec::new();
    for (name, result) in [
        ("hydra_admin", hydra),
        ("kratos_public", kratos_public),
        ("kratos_admin", kratos_admin),
    ] {
        if let Err(error) = result {
            tracing::warn!(upstream = name, %error, "not ready");
            failing.push(name);
        }
    }
    failing
}

pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let failing = state.readiness.get(|| check(&state)).await;
    if failing.is_empty() {
        HttpResponse::Ok().json(json!({ "status": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "failing": failing }))
    }
}
