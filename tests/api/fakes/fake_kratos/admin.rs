//! The admin port: identities, sessions and health, all under `/admin` (other paths are redirected
//! there, as Kratos does).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::wire;
use super::{Shared, identity_json, lock};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    // Kratos v1.3 redirected `/health/*` on the admin port under `/admin`; v26.2 answers both.
    cfg.route("/admin/health/alive", web::get().to(health))
        .route("/admin/health/ready", web::get().to(health))
        .route("/health/alive", web::get().to(health))
        .route("/health/ready", web::get().to(health))
        .route(
            "/admin/identities/by/external/{external_id}",
            web::get().to(identity_by_external),
        )
        .route("/admin/identities/{id}", web::get().to(identity_by_id))
        .route("/admin/sessions/{id}", web::delete().to(revoke_session))
        .default_service(web::to(elsewhere));
}

/// A path outside `/admin` is redirected under it; an unknown `/admin` path is the router's 404.
async fn elsewhere(req: HttpRequest) -> HttpResponse {
    if req.path().starts_with("/admin/") {
        wire::page_not_found()
    } else {
        wire::temporary_redirect(&format!("/admin{}", req.path()))
    }
}

pub(super) async fn health(data: Shared) -> HttpResponse {
    let fault = lock(&data).fault.clone();
    if let Some(r) = super::super::fault_response(fault).await {
        return r;
    }
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(json!({ "status": "ok" }).to_string())
}

/// Records an admin call and applies the fault set for it.
async fn begin(req: &HttpRequest, data: &Shared, call: String) -> Option<HttpResponse> {
    let fault = {
        let mut state = lock(data);
        state.admin_calls.push(call);
        state.next_fault(req.path())
    };
    super::super::fault_response(fault).await
}

fn is_uuid(id: &str) -> bool {
    uuid_error(id).is_none()
}

/// Go's `uuid.FromString` message for what is not a UUID.
fn uuid_error(id: &str) -> Option<String> {
    if id.len() != 36 {
        return Some(format!(
            "uuid: incorrect UUID length {} in string \"{id}\"",
            id.len()
        ));
    }
    let well_formed = id.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    });
    (!well_formed).then(|| format!("uuid: incorrect UUID format in string \"{id}\""))
}

/// `GET /admin/identities/{id}`: an id that is no UUID finds no row either.
async fn identity_by_id(req: HttpRequest, path: web::Path<String>, data: Shared) -> HttpResponse {
    if let Some(r) = begin(&req, &data, req.path().to_owned()).await {
        return r;
    }
    let id = path.into_inner();
    if !is_uuid(&id) {
        return wire::no_rows();
    }
    let state = lock(&data);
    match state.identities.get(&id) {
        Some(identity) => wire::ok(&identity_json(identity, true, &state.public_url)),
        None => wire::no_rows(),
    }
}

/// `GET /admin/identities/by/external/{external_id}` (Kratos v25.4+).
async fn identity_by_external(
    req: HttpRequest,
    path: web::Path<String>,
    data: Shared,
) -> HttpResponse {
    if let Some(r) = begin(&req, &data, req.path().to_owned()).await {
        return r;
    }
    if lock(&data).no_external_lookup {
        // Kratos before v25.4 has no such route.
        return wire::page_not_found();
    }
    let external_id = path.into_inner();
    if external_id.is_empty() {
        return wire::error(
            400,
            json!({ "code": 400, "status": "Bad Request", "reason": "The external ID must not be empty.",
                "message": "The request was malformed or contained invalid parameters" }),
        );
    }
    let found = lock(&data)
        .identities
        .values()
        .find(|i| i.external_id.as_deref() == Some(external_id.as_str()))
        .cloned();
    match found {
        Some(identity) => {
            let public = lock(&data).public_url.clone();
            wire::ok(&identity_json(&identity, true, &public))
        }
        None => wire::no_rows(),
    }
}

/// `DELETE /admin/sessions/{id}`: 204, also for a session already ended (Kratos keeps it,
/// inactive); 404 for an unknown one, 400 for an id that is no UUID.
async fn revoke_session(req: HttpRequest, path: web::Path<String>, data: Shared) -> HttpResponse {
    if let Some(r) = begin(&req, &data, format!("DELETE {}", req.path())).await {
        return r;
    }
    let id = path.into_inner();
    if let Some(message) = uuid_error(&id) {
        return wire::error(
            400,
            json!({ "code": 400, "status": "Bad Request", "message": message }),
        );
    }
    let mut state = lock(&data);
    match state.sessions.values_mut().find(|s| s.id == id) {
        Some(session) => {
            session.active = false;
            HttpResponse::build(StatusCode::NO_CONTENT)
                .insert_header((
                    "Cache-Control",
                    "private, no-cache, no-store, must-revalidate",
                ))
                .content_type("application/json; charset=utf-8")
                .finish()
        }
        None => wire::no_rows(),
    }
}
