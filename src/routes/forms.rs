//! The bridge's forms as handlers receive them: the body read within its limit, the challenge
//! validated and the CSRF check passed.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;

use super::extract::{ConsentFlow, DeviceFlow, Flow, LogoutFlow, app_state, challenge_of};
use super::state::AppState;
use crate::csrf::{self, CsrfIssue};
use crate::error::AppError;
use domain::params::{InputError, QueryParams};

/// A CSRF token for a form of `purpose` answering `challenge`, and its cookie.
pub fn issue_csrf(
    req: &HttpRequest,
    state: &AppState,
    purpose: &str,
    challenge: &str,
) -> Result<CsrfIssue, AppError> {
    csrf::issue(req, &state.signer, &state.cookies, purpose, challenge)
}

/// The CSRF check of a posted form; a failure is counted.
fn verify_csrf(
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

/// One of the bridge's forms: the flow it answers, what its CSRF token is bound to, and its buttons.
pub trait Form: Flow {
    /// Binds the form's CSRF tokens to this form.
    const PURPOSE: &'static str;
    /// The two values of its `action` field (yes, no); `None` for a form with one button.
    const ACTION: Option<(&'static str, &'static str)>;
}

impl Form for ConsentFlow {
    const PURPOSE: &'static str = "consent";
    const ACTION: Option<(&'static str, &'static str)> = Some(("allow", "deny"));
}
impl Form for LogoutFlow {
    const PURPOSE: &'static str = "logout";
    const ACTION: Option<(&'static str, &'static str)> = Some(("logout", "cancel"));
}
impl Form for DeviceFlow {
    const PURPOSE: &'static str = "device";
    const ACTION: Option<(&'static str, &'static str)> = None;
}

/// One of the bridge's forms, read and checked: the challenge it answers, the user's choice of its
/// two buttons (`true` for a form with one), and the rest of its fields.
pub struct Posted<F> {
    pub challenge: String,
    pub confirmed: bool,
    pub fields: QueryParams,
    form: PhantomData<F>,
}

impl<F: Form + 'static> FromRequest for Posted<F> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move { read_posted(&req, payload).await })
    }
}

/// The form: read within `serve.max_form_bytes`, the challenge validated, the buttons read, then
/// the CSRF check. Nothing reaches Hydra unless all of it holds.
async fn read_posted<F: Form>(req: &HttpRequest, payload: Payload) -> Result<Posted<F>, AppError> {
    let state = app_state(req)?;
    let fields = read_form(req, payload, state.settings.serve.max_form_bytes.get()).await?;
    let challenge = challenge_of::<F>(state, fields.single(F::CHALLENGE)?)?;
    let confirmed = match F::ACTION {
        Some((yes, no)) => fields.choice("action", yes, no)?,
        None => true,
    };
    verify_csrf(
        req,
        state,
        F::PURPOSE,
        &challenge,
        fields.single("csrf_token")?,
    )?;
    Ok(Posted {
        challenge,
        confirmed,
        fields,
        form: PhantomData,
    })
}

/// Reads an `application/x-www-form-urlencoded` body of at most `serve.max_form_bytes`.
async fn read_form(
    req: &HttpRequest,
    mut payload: Payload,
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
