//! The one place where failures become HTTP answers: a status and a page, rendered once on the
//! request's [`Page`] (its language and brand), and logged once.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::ory::http::UpstreamError;
use crate::ory::hydra::HydraError;
use crate::pages::Page;
use crate::redirect::{InvalidTarget, Redirect};
use domain::params::InputError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadInput(#[from] InputError),
    #[error(transparent)]
    Hydra(#[from] HydraError),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    BadRedirect(#[from] InvalidTarget),
    #[error("the identity has no external_id and the subject must be one")]
    NoExternalId,
    /// The browser returned from a re-authentication without having done it.
    #[error("re-authentication did not complete")]
    ReauthIncomplete { retry: Redirect },
    /// Neither Kratos's browser logout nor the admin API ended the Kratos session: the logout
    /// fails closed, and `retry` starts it again.
    #[error(
        "logout failed, the Kratos session lives on: Kratos's browser logout failed ({browser}; is \
         Hydra's public URL in Kratos's selfservice.allowed_return_urls?) and so did revoking the \
         session through Kratos's admin API ({revocation}; is kratos.admin_token right?)"
    )]
    StillSignedIn {
        browser: String,
        revocation: String,
        /// This logout's own URL, from the start.
        retry: String,
    },
    #[error("CSRF check failed: {0}")]
    Csrf(#[from] crate::signed::CsrfFailure),
    #[error("the request body is not a form")]
    UnsupportedMediaType,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("no answer within serve.request_timeout_ms")]
    Deadline,
    #[error("no such page")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn log(&self, status: StatusCode) {
        if status.is_server_error() {
            tracing::error!(error = %self, status = status.as_u16(), "request failed");
        } else if matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ) {
            // What every scan of the address space gets: worth a line, not a warning.
            tracing::info!(error = %self, status = status.as_u16(), "request refused");
        } else {
            tracing::warn!(error = %self, status = status.as_u16(), "request refused");
        }
    }
}

fn gateway_status(e: &UpstreamError) -> StatusCode {
    if e.is_timeout() {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::BAD_GATEWAY
    }
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadInput(_) => StatusCode::BAD_REQUEST,
            AppError::Hydra(HydraError::NotFound(_)) | AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Hydra(HydraError::Expired(_)) => StatusCode::GONE,
            AppError::Hydra(HydraError::AlreadyHandled { .. }) => StatusCode::SEE_OTHER,
            AppError::Hydra(HydraError::Refused { .. })
            | AppError::BadRedirect(_)
            | AppError::StillSignedIn { .. } => StatusCode::BAD_GATEWAY,
            AppError::Hydra(HydraError::Upstream(e)) | AppError::Upstream(e) => gateway_status(e),
            AppError::Deadline => StatusCode::GATEWAY_TIMEOUT,
            AppError::NoExternalId | AppError::Csrf(_) => StatusCode::FORBIDDEN,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::ReauthIncomplete { .. } => StatusCode::FORBIDDEN,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The answer to this error on `page`: its page, or where Hydra says the browser belongs for
    /// a request handled already. Logged here, once.
    pub fn respond(&self, page: &Page) -> HttpResponse {
        match self {
            // A handled flow is not a failure: Hydra says where the browser belongs.
            AppError::Hydra(HydraError::AlreadyHandled { flow, redirect_to }) => {
                match Redirect::from_upstream(redirect_to) {
                    Ok(target) => {
                        tracing::info!(flow, "request already handled, following Hydra's redirect");
                        return target.response();
                    }
                    Err(_) if redirect_to.starts_with('/') => {
                        tracing::info!(flow, "request already completed");
                    }
                    Err(e) => {
                        let error = AppError::BadRedirect(e);
                        error.log(error.status_code());
                    }
                }
            }
            _ => self.log(self.status_code()),
        }
        self.page(page)
            .unwrap_or_else(|| HttpResponse::new(self.status_code()))
    }

    /// The page for this error, or `None` when the answer is a redirect.
    fn page(&self, on: &Page) -> Option<HttpResponse> {
        let status = self.status_code();
        let t = on.t();
        let page = |title: &str, message: &str| {
            Some(on.message(status, &t.text(title), &t.text(message), None, None))
        };
        match self {
            AppError::Hydra(HydraError::AlreadyHandled { flow, redirect_to }) => {
                match Redirect::from_upstream(redirect_to) {
                    Ok(_) => None,
                    // A finished logout opened again (back button, reload): Hydra names the
                    // request's own path, relative to its public URL, which the bridge does not know.
                    Err(_) if redirect_to.starts_with('/') => Some(already_completed(flow, on)),
                    Err(e) => AppError::BadRedirect(e).page(on),
                }
            }
            AppError::BadInput(e) => Some(on.message(
                status,
                &t.text("error-bad-link-title"),
                &t.text("error-bad-link-message"),
                Some(&e.to_string()),
                None,
            )),
            AppError::Hydra(HydraError::NotFound(flow)) => Some(on.message(
                status,
                &t.text("error-unknown-request-title"),
                &t.with("error-unknown-request-message", "flow", flow),
                None,
                None,
            )),
            AppError::Hydra(HydraError::Expired(flow)) => Some(on.message(
                status,
                &t.text("error-expired-title"),
                &t.with("error-expired-message", "flow", flow),
                None,
                None,
            )),
            AppError::NoExternalId => {
                page("error-no-external-id-title", "error-no-external-id-message")
            }
            AppError::ReauthIncomplete { retry } => Some(on.message(
                status,
                &t.text("error-reauth-title"),
                &t.text("error-reauth-message"),
                None,
                Some((retry.url().as_str(), &t.text("error-reauth-retry"))),
            )),
            AppError::StillSignedIn { retry, .. } => Some(on.message(
                status,
                &t.text("logout-failed-title"),
                &t.text("logout-failed-message"),
                None,
                Some((retry, &t.text("logout-failed-retry"))),
            )),
            AppError::Csrf(_) => page("error-form-expired-title", "error-form-expired-message"),
            AppError::UnsupportedMediaType | AppError::PayloadTooLarge => page(
                "error-form-unreadable-title",
                "error-form-unreadable-message",
            ),
            AppError::NotFound => page("error-not-found-title", "error-not-found-message"),
            AppError::MethodNotAllowed => page("error-method-title", "error-method-message"),
            AppError::Deadline => page("error-timeout-title", "error-timeout-message"),
            AppError::Hydra(HydraError::Upstream(e)) | AppError::Upstream(e) if e.is_timeout() => {
                page("error-timeout-title", "error-timeout-message")
            }
            AppError::Internal(_) => page("error-internal-title", "error-internal-message"),
            _ => page("error-unavailable-title", "error-unavailable-message"),
        }
    }
}

/// The page for a flow that was completed earlier: nothing is left to do.
fn already_completed(flow: &str, page: &Page) -> HttpResponse {
    let t = page.t();
    if flow == "logout" {
        page.message(
            StatusCode::OK,
            &t.text("logout-done-title"),
            &t.text("logout-done-message"),
            None,
            None,
        )
    } else {
        page.message(
            StatusCode::GONE,
            &t.text("error-completed-title"),
            &t.text("error-completed-message"),
            None,
            None,
        )
    }
}

/// A request that failed, and the page it is answered on: what handlers and extractors return, so
/// that the error page is rendered once, in the request's language and with its brand.
#[derive(Debug)]
pub struct Failure {
    error: AppError,
    page: Page,
}

impl Failure {
    pub fn new(error: AppError, page: Page) -> Self {
        Self { error, page }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for Failure {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.error.respond(&self.page)
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
