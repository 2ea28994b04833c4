//! The brand's routes: the middleware that hands its header values to every page, and the brand
//! stylesheet and logo (prepared at start in [`crate::brand`]).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

pub use crate::brand::{LOGO_PATH, STYLESHEET_PATH};
use crate::error::AppError;
use crate::routes::state::AppState;

/// Middleware: makes the brand the pages' while the request is handled.
pub async fn scope(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let page = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.brand.page().clone())
        .unwrap_or_default();
    crate::pages::with_brand(page, next.call(req)).await
}

/// `GET /assets/brand.css`: the configured colours, then the operator's stylesheet.
pub async fn stylesheet(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    match state.brand.stylesheet() {
        Some(css) => Ok(HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(css.clone())),
        None => Err(AppError::NotFound),
    }
}

/// `GET /assets/logo`: the configured logo file.
pub async fn logo(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    match state.brand.logo() {
        Some((bytes, content_type)) => Ok(HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes.clone())),
        None => Err(AppError::NotFound),
    }
}
