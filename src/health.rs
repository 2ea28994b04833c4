//! Liveness (no upstream) and readiness (Hydra admin and Kratos answer their health endpoints).

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::startup::AppState;

pub async fn alive() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let (hydra, kratos_public, kratos_admin) = tokio::join!(
        state.hydra.ready(),
        state.kratos.public_ready(),
        state.kratos.admin_ready()
    );
    let mut errors = serde_json::Map::new();
    for (name, result) in [
        ("hydra_admin", hydra),
        ("kratos_public", kratos_public),
        ("kratos_admin", kratos_admin),
    ] {
        if let Err(e) = result {
            errors.insert(name.into(), json!(e.to_string()));
        }
    }
    if errors.is_empty() {
        HttpResponse::Ok().json(json!({ "status": "ok" }))
    } else {
        tracing::warn!(?errors, "not ready");
        HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "errors": errors }))
    }
}
