//! The one place where failures become HTTP answers: a status and a page, logged once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::domain::params::InputError;
use crate::ory::http::UpstreamError;
use crate::ory::hydra::HydraError;
use crate::pages;
use crate::redirect::{InvalidTarget, Redirect};

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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadInput(_) => StatusCode::BAD_REQUEST,
            AppError::Hydra(HydraError::NotFound(_)) | AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Hydra(HydraError::Expired(_)) => StatusCode::GONE,
            AppError::Hydra(HydraError::AlreadyHandled { .. }) => StatusCode::SEE_OTHER,
            AppError::Hydra(HydraError::Refused { .. }) | AppError::BadRedirect(_) => {
                StatusCode::BAD_GATEWAY
            }
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

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        // A handled flow is not a failure: Hydra says where the browser belongs.
        if let AppError::Hydra(HydraError::AlreadyHandled { flow, redirect_to }) = self {
            match Redirect::from_upstream(redirect_to) {
                Ok(target) => {
                    tracing::info!(flow, "request already handled, following Hydra's redirect");
                    return target.response();
                }
                // A finished logout opened again (back button, reload): Hydra names the request's
                // own path, relative to its public URL, which the bridge does not know.
                Err(_) if redirect_to.starts_with('/') => {
                    tracing::info!(flow, "request already completed");
                    return already_completed(flow);
                }
                Err(e) => return AppError::BadRedirect(e).error_response(),
            }
        }
        self.log(status);
        match self {
            AppError::BadInput(e) => pages::message(
                status,
                "This link is not valid",
                "The sign-in link is incomplete or damaged. Go back to the application and start again.",
                Some(&e.to_string()),
                None,
            ),
            AppError::Hydra(HydraError::NotFound(flow)) => pages::message(
                status,
                "Unknown request",
                &format!(
                    "This {flow} request is not known. Go back to the application and start again."
                ),
                None,
                None,
            ),
            AppError::Hydra(HydraError::Expired(flow)) => pages::message(
                status,
                "This request has expired",
                &format!("This {flow} request expired. Go back to the application and try again."),
                None,
                None,
            ),
            AppError::NoExternalId => pages::message(
                status,
                "Account not ready for this application",
                "Your account has no external identifier yet, which this application requires. \
                 Please contact support.",
                None,
                None,
            ),
            AppError::ReauthIncomplete { retry } => pages::message(
                status,
                "Sign-in did not complete",
                "This application asked you to confirm your sign-in, and it was not confirmed.",
                None,
                Some((retry.url().as_str(), "Sign in again")),
            ),
            AppError::Csrf(_) => pages::message(
                status,
                "This form has expired",
                "For your security this form can no longer be used. Go back to the application and \
                 start again.",
                None,
                None,
            ),
            AppError::UnsupportedMediaType | AppError::PayloadTooLarge => pages::message(
                status,
                "This form could not be read",
                "The form sent to this page was not one it accepts. Go back to the application and start again.",
                None,
                None,
            ),
            AppError::NotFound => pages::message(
                status,
                "Page not found",
                "There is nothing at this address.",
                None,
                None,
            ),
            AppError::MethodNotAllowed => pages::message(
                status,
                "Method not allowed",
                "This page cannot be used that way.",
                None,
                None,
            ),
            AppError::Deadline => pages::message(
                status,
                "Sign-in is taking too long",
                "A service the sign-in depends on did not answer in time. Please try again in a moment.",
                None,
                None,
            ),
            AppError::Hydra(HydraError::Upstream(e)) | AppError::Upstream(e) if e.is_timeout() => {
                pages::message(
                    status,
                    "Sign-in is taking too long",
                    "A service the sign-in depends on did not answer in time. Please try again in a moment.",
                    None,
                    None,
                )
            }
            AppError::Internal(_) => pages::message(
                status,
                "Something went wrong",
                "An unexpected error occurred. Please try again.",
                None,
                None,
            ),
            _ => pages::message(
                status,
                "Sign-in is unavailable",
                "A service the sign-in depends on is not working right now. Please try again in a moment.",
                None,
                None,
            ),
        }
    }
}

/// The page for a flow that was completed earlier: nothing is left to do.
fn already_completed(flow: &str) -> HttpResponse {
    if flow == "logout" {
        pages::message(
            StatusCode::OK,
            "You are signed out",
            "This sign-out is already complete. You can close this page.",
            None,
            None,
        )
    } else {
        pages::message(
            StatusCode::GONE,
            "This request is already complete",
            "Go back to the application and start again if you need to.",
            None,
            None,
        )
    }
}
