//! The bridge's forms as handlers receive them: the body read within its limit, the challenge
//! validated and the CSRF check passed.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use super::state::AppState;
use crate::csrf::{self, CsrfIssue};
use crate::domain::params::{InputError, QueryParams, validate_challenge};
use crate::error::AppError;

/// A CSRF token for a form of `purpose` answering `challenge`, and its cookie.
pub fn issue_csrf(
    req: &HttpRequest,
    state: &AppState,
    purpose: &str,
    challenge: &str,
) -> Result<CsrfIssue, AppError> {
    csrf::issue(
        req,
        &state.signer,
        &state.settings.serve,
        purpose,
        challenge,
    )
}

/// The CSRF check of a posted form; a failure is counted.
pub fn verify_csrf(
    req: &HttpRequest,
    state: &AppState,
    purpose: &str,
    challenge: &str,
    token: Option<&str>,
) -> Result<(), AppError> {
    csrf::verify(
        req,
        &state.signer,
        &state.settings.serve.base_url,
        purpose,
        challenge,
        token,
    )
    .map_err(|failure| {
        state.metrics.csrf_failures.inc();
        AppError::Csrf(failure)
    })
}

/// One of the bridge's forms, read and checked: the challenge it answers, the user's choice of its
/// two buttons, and the rest of its fields.
pub struct PostedForm {
    pub challenge: String,
    pub confirmed: bool,
    pub fields: QueryParams,
}

/// The form of a page that answers `challenge_field`, with an `action` of `yes` or `no`: read within
/// `serve.max_form_bytes`, the challenge validated, then the CSRF check for `purpose`. Nothing reaches
/// Hydra unless all of it holds.
pub async fn read_posted_form(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    purpose: &str,
    challenge_field: &'static str,
    (yes, no): (&str, &str),
) -> Result<PostedForm, AppError> {
    let fields = read_form(req, payload, state.settings.serve.max_form_bytes).await?;
    let challenge = validate_challenge(
        challenge_field,
        fields.single(challenge_field)?,
        state.settings.login.challenge_max_bytes,
    )?;
    let confirmed = fields.choice("action", yes, no)?;
    verify_csrf(
        req,
        state,
        purpose,
        &challenge,
        fields.single("csrf_token")?,
    )?;
    Ok(PostedForm {
        challenge,
        confirmed,
        fields,
    })
}

/// Reads an `application/x-www-form-urlencoded` body of at most `serve.max_form_bytes`.
pub async fn read_form(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<QueryParams, AppError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(AppError::UnsupportedMediaType);
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadInput(InputError::Malformed("form")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = std::str::from_utf8(&body)
        .map_err(|_| AppError::BadInput(InputError::Malformed("form")))?;
    Ok(QueryParams::parse(body))
}
