//! What a browser request says about its language, and error pages written in it.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};
use unic_langid::LanguageIdentifier;

use super::state::AppState;
use crate::error::AppError;
use crate::i18n::negotiate::{parse_accept_language, parse_ui_locales};
use crate::i18n::{Catalogs, Localizer};

/// The OIDC `ui_locales` of the Hydra request a page is for, kept with the browser request.
#[derive(Clone)]
struct UiLocales(Vec<LanguageIdentifier>);

/// Remembers the `ui_locales` of the login or consent request this browser request is about, so
/// that its pages, error pages included, are written in that language.
pub fn note_ui_locales(req: &HttpRequest, ui_locales: &[String]) {
    let parsed = parse_ui_locales(ui_locales);
    if !parsed.is_empty() {
        req.extensions_mut().insert(UiLocales(parsed));
    }
}

/// The texts for this request's pages.
pub fn localizer<'c>(req: &HttpRequest, catalogs: &'c Catalogs) -> Localizer<'c> {
    let ui_locales = req
        .extensions()
        .get::<UiLocales>()
        .map(|u| u.0.clone())
        .unwrap_or_default();
    let accepted = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(parse_accept_language)
        .unwrap_or_default();
    catalogs.choose(&ui_locales, &accepted)
}

/// Error pages are made where the request is out of reach (`ResponseError`), in English. This
/// writes them again in the request's language, keeping status, headers and the error itself.
pub async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let page = match (
        res.response()
            .error()
            .and_then(|e| e.as_error::<AppError>()),
        res.request().app_data::<web::Data<AppState>>(),
    ) {
        (Some(error), Some(state)) => {
            let t = localizer(res.request(), &state.i18n);
            // Only pages: a redirect is the same in every language.
            error.page(&t).map(|page| page.into_body())
        }
        _ => None,
    };
    Ok(match page {
        Some(body) => res.map_body(|_, _| body),
        None => res.map_into_boxed_body(),
    })
}
