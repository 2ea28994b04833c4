//! Server-rendered pages. Templates are compiled into the binary and escape every value.

use std::future::Future;
use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use askama::Template;

use crate::i18n::Localizer;

/// The stylesheet every page links; served from the binary.
pub const STYLESHEET: &str = include_str!("../templates/style.css");

/// What the page frame (base.html) shows of the operator's brand; every page reads it as the
/// runtime value `brand`.
#[derive(Debug, Default)]
pub struct PageBrand {
    pub product_name: Option<String>,
    /// The logo's `src`: the configured URL, or the bridge's own path to the file.
    pub logo_src: Option<String>,
    /// The brand stylesheet's `href`, when there is anything in it.
    pub stylesheet_href: Option<String>,
}

tokio::task_local! {
    static PAGE_BRAND: Arc<PageBrand>;
}

/// Runs `work` (the handling of one request) with `brand` on every page rendered in it, error
/// pages included, which are rendered where no request or state is at hand.
pub async fn with_brand<T>(brand: Arc<PageBrand>, work: impl Future<Output = T>) -> T {
    PAGE_BRAND.scope(brand, work).await
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    /// The texts of the person's language; every page has one, for `<html lang>` too.
    pub t: Localizer<'a>,
    pub title: &'a str,
    pub message: &'a str,
    pub detail: Option<&'a str>,
    /// A link onward: (href, label). The href comes from config or from the bridge itself.
    pub link: Option<(&'a str, &'a str)>,
    pub status: u16,
    /// An OAuth2 error code, shown beside the status.
    pub code: Option<&'a str>,
    /// Debug text, shown only when `error.show_debug` is on.
    pub debug: Option<&'a str>,
}

/// Adds a `Set-Cookie` to an answer; the bridge's cookies are always sendable, but should one not
/// be, the answer fails rather than go out without it.
pub fn add_cookie(
    response: &mut HttpResponse,
    cookie: &actix_web::cookie::Cookie<'_>,
) -> Result<(), crate::error::AppError> {
    response
        .add_cookie(cookie)
        .map_err(|e| crate::error::AppError::Internal(format!("cookie {}: {e}", cookie.name())))
}

/// Renders a page with the given status. Rendering cannot fail for these templates, but should it,
/// the user still gets a plain page rather than an empty answer.
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    // The brand reaches the shared page frame (base.html) as a runtime value, so that no page's
    // own fields need to carry it.
    let brand = PAGE_BRAND.try_with(Arc::clone).unwrap_or_default();
    let brand: &dyn std::any::Any = &brand;
    let body = page
        .render_with_values(&("brand", brand))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "page rendering failed");
            "<!doctype html><title>Error</title><p>Something went wrong.</p>".to_string()
        });
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(body)
}

pub fn message(
    status: StatusCode,
    t: &Localizer,
    title: &str,
    message: &str,
    detail: Option<&str>,
    link: Option<(&str, &str)>,
) -> HttpResponse {
    render(
        status,
        &MessagePage {
            t: *t,
            title,
            message,
            detail,
            link,
            status: status.as_u16(),
            code: None,
            debug: None,
        },
    )
}
