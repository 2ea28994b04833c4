//! Server-rendered pages. Templates are compiled into the binary and escape every value; each
//! takes the request's [`Page`] (language, brand), from which the shared frame (base.html) is drawn.

mod page;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use askama::Template;

pub use page::{Frame, Page};

/// The stylesheet every page links; served from the binary.
pub const STYLESHEET: &str = include_str!("../../templates/style.css");

/// What the page frame (base.html) shows of the operator's brand, prepared at start.
#[derive(Debug, Clone)]
pub struct PageBrand {
    /// The bridge's own stylesheet's `href`: root-relative under `serve.base_url`'s path, so that
    /// it works from a page at any depth (an error page for `/a/b/c` included).
    pub base_stylesheet_href: String,
    pub product_name: Option<String>,
    /// The logo's `src`: the configured URL, or the bridge's own path to the file.
    pub logo_src: Option<String>,
    /// The brand stylesheet's `href`, when there is anything in it.
    pub stylesheet_href: Option<String>,
}

impl Default for PageBrand {
    /// No brand, and the stylesheet where a bridge at the root of its host serves it.
    fn default() -> Self {
        Self {
            base_stylesheet_href: "/assets/style.css".into(),
            product_name: None,
            logo_src: None,
            stylesheet_href: None,
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    /// The request's language and brand; every template has it.
    pub page: &'a Page,
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

/// Renders a page with the given status. Rendering cannot fail for these templates, but should it,
/// the person still gets a plain page rather than an empty answer.
pub fn render(status: StatusCode, template: &impl Template) -> HttpResponse {
    let body = template.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "page rendering failed");
        "<!doctype html><title>Error</title><p>Something went wrong.</p>".to_string()
    });
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(body)
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
