//! [`Page`]: what every page of one request shares (the person's language, the operator's brand),
//! made once per request by its actix extractor and handed to every template and error page.

use std::fmt;
use std::future::{Ready, ready};
use std::sync::{Arc, LazyLock};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use unic_langid::LanguageIdentifier;

use super::{MessagePage, PageBrand, render};
use crate::error::{AppError, Failure};
use crate::i18n::negotiate::{parse_accept_language, parse_ui_locales};
use crate::i18n::{Catalogs, Lang, Localizer};
use crate::routes::state::AppState;

/// What pages take from the settings, prepared once at start: the catalogs and the brand's part of
/// the page frame.
pub struct Frame {
    catalogs: Catalogs,
    brand: PageBrand,
}

impl Frame {
    pub fn new(catalogs: Catalogs, brand: PageBrand) -> Self {
        Self { catalogs, brand }
    }
}

/// The shipped catalogs and no brand: for a request that reaches no application state.
static BARE: LazyLock<Arc<Frame>> =
    LazyLock::new(|| Arc::new(Frame::new(Catalogs::shipped(), PageBrand::default())));

/// What every page of one request shares: its language and the brand. The language is the one
/// the browser asks for (`Accept-Language`), else `ui.default_locale`, until a handler that read
/// the login or consent request calls [`prefer`](Self::prefer) with its `ui_locales`.
#[derive(Clone)]
pub struct Page {
    frame: Arc<Frame>,
    /// The browser's languages, most preferred first (bounded, see `i18n::negotiate`).
    accepted: Arc<[LanguageIdentifier]>,
    lang: Lang,
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page").field("lang", &self.lang()).finish()
    }
}

impl Page {
    /// The page for a browser that sent `accept_language` (the header's value, if any).
    pub fn new(frame: Arc<Frame>, accept_language: Option<&str>) -> Self {
        let accepted: Arc<[LanguageIdentifier]> = accept_language
            .map(parse_accept_language)
            .unwrap_or_default()
            .into();
        let lang = frame.catalogs.pick(&[], &accepted);
        Self {
            frame,
            accepted,
            lang,
        }
    }

    /// The page of `req`: made on first use, then the same for every extractor and middleware
    /// that asks. A handler's own copy changes only through [`prefer`](Self::prefer).
    pub fn of(req: &HttpRequest) -> Self {
        if let Some(page) = req.extensions().get::<Page>() {
            return page.clone();
        }
        let frame = req
            .app_data::<web::Data<AppState>>()
            .map_or_else(|| BARE.clone(), |state| state.pages.clone());
        let accept_language = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let page = Page::new(frame, accept_language);
        req.extensions_mut().insert(page.clone());
        page
    }

    /// Writes the page in the first of the request's OIDC `ui_locales` there is a catalog for,
    /// before the browser's languages; nothing changes when there is none.
    pub fn prefer(&mut self, ui_locales: &[String]) {
        let wanted = parse_ui_locales(ui_locales);
        if !wanted.is_empty() {
            self.lang = self.frame.catalogs.pick(&wanted, &self.accepted);
        }
    }

    /// The texts of the page's language.
    pub fn t(&self) -> Localizer<'_> {
        self.frame.catalogs.localizer(self.lang)
    }

    /// The language's tag, for `<html lang>`.
    pub fn lang(&self) -> &str {
        self.t().lang()
    }

    /// What the page frame shows of the operator's brand.
    pub fn brand(&self) -> &PageBrand {
        &self.frame.brand
    }

    /// `error` answered on this page.
    pub fn fail(&self, error: impl Into<AppError>) -> Failure {
        Failure::new(error.into(), self.clone())
    }

    /// A page that says one thing, with an optional detail and a link onward: (href, label).
    pub fn message(
        &self,
        status: StatusCode,
        title: &str,
        message: &str,
        detail: Option<&str>,
        link: Option<(&str, &str)>,
    ) -> HttpResponse {
        render(
            status,
            &MessagePage {
                page: self,
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
}

impl FromRequest for Page {
    type Error = Failure;
    type Future = Ready<Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Page::of(req)))
    }
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
