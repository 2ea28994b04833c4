//! The brand's routes: the brand stylesheet and logo (prepared at start in [`crate::brand`]).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub use crate::brand::{LOGO_PATH, STYLESHEET_PATH};
use crate::error::{AppError, Failure};
use crate::pages::Page;
use crate::routes::state::AppState;

/// `GET /assets/brand.css`: the configured colours, then the operator's stylesheet.
pub async fn stylesheet(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    match state.brand.stylesheet() {
        Some(css) => Ok(HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(css.clone())),
        None => Err(Page::of(&req).fail(AppError::NotFound)),
    }
}

/// `GET /assets/logo`: the configured logo file.
pub async fn logo(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Failure> {
    match state.brand.logo() {
        Some((bytes, content_type)) => Ok(HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes.clone())),
        None => Err(Page::of(&req).fail(AppError::NotFound)),
    }
}
