//! The bridge's forms as handlers receive them: the body read within its limit, the challenge
//! validated and the CSRF check passed.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpMessage, HttpRequest, mime};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::extract::{ConsentFlow, DeviceFlow, Flow, LogoutFlow, app_state, challenge_of};
use super::params::{self, once};
use super::state::AppState;
use crate::csrf::{self, CsrfIssue};
use crate::error::{AppError, Failure};
use crate::pages::Page;
use domain::params::InputError;

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
pub(crate) fn verify_csrf(
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

/// One of the bridge's forms: the flow it answers, what its CSRF token is bound to, its buttons and
/// its fields.
pub trait Form: Flow {
    /// Binds the form's CSRF tokens to this form.
    const PURPOSE: &'static str;
    /// The two values of its `action` field (yes, no); `None` for a form with one button.
    const ACTION: Option<(&'static str, &'static str)>;
    /// Every field of the form.
    type Fields: DeserializeOwned + Posts;
}

/// What every form of the bridge posts besides its own fields.
pub trait Posts {
    fn challenge(&self) -> Option<&str>;
    fn csrf_token(&self) -> Option<&str>;
    /// The button pressed, for a form with two.
    fn action(&self) -> Option<&str> {
        None
    }
}

/// The consent form: the scopes left ticked, and whether to remember the decision.
#[derive(Deserialize)]
pub struct ConsentFields {
    #[serde(default, deserialize_with = "once")]
    consent_challenge: Option<String>,
    #[serde(default, deserialize_with = "once")]
    csrf_token: Option<String>,
    #[serde(default, deserialize_with = "once")]
    action: Option<String>,
    #[serde(default)]
    pub grant_scope: Vec<String>,
    #[serde(default, deserialize_with = "once")]
    pub remember: Option<String>,
}

/// The logout confirmation: log out or stay.
#[derive(Deserialize)]
pub struct LogoutFields {
    #[serde(default, deserialize_with = "once")]
    logout_challenge: Option<String>,
    #[serde(default, deserialize_with = "once")]
    csrf_token: Option<String>,
    #[serde(default, deserialize_with = "once")]
    action: Option<String>,
}

/// The device form: the code the person typed.
#[derive(Deserialize)]
pub struct DeviceFields {
    #[serde(default, deserialize_with = "once")]
    device_challenge: Option<String>,
    #[serde(default, deserialize_with = "once")]
    csrf_token: Option<String>,
    #[serde(default, deserialize_with = "once")]
    pub user_code: Option<String>,
}

impl Posts for ConsentFields {
    fn challenge(&self) -> Option<&str> {
        self.consent_challenge.as_deref()
    }
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
    fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }
}

impl Posts for LogoutFields {
    fn challenge(&self) -> Option<&str> {
        self.logout_challenge.as_deref()
    }
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
    fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }
}

impl Posts for DeviceFields {
    fn challenge(&self) -> Option<&str> {
        self.device_challenge.as_deref()
    }
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

impl Form for ConsentFlow {
    const PURPOSE: &'static str = "consent";
    const ACTION: Option<(&'static str, &'static str)> = Some(("allow", "deny"));
    type Fields = ConsentFields;
}
impl Form for LogoutFlow {
    const PURPOSE: &'static str = "logout";
    const ACTION: Option<(&'static str, &'static str)> = Some(("logout", "cancel"));
    type Fields = LogoutFields;
}
impl Form for DeviceFlow {
    const PURPOSE: &'static str = "device";
    const ACTION: Option<(&'static str, &'static str)> = None;
    type Fields = DeviceFields;
}

/// One of the bridge's forms, read and checked: the challenge it answers, the user's choice of its
/// two buttons (`true` for a form with one), and its fields.
pub struct Posted<F: Form> {
    pub challenge: String,
    pub confirmed: bool,
    pub fields: F::Fields,
}

impl<F: Form + 'static> FromRequest for Posted<F> {
    type Error = Failure;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Failure>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            read_posted(&req, payload)
                .await
                .map_err(|e| Page::of(&req).fail(e))
        })
    }
}

/// The form: read within `serve.max_form_bytes`, the challenge validated, the buttons read, then
/// the CSRF check. Nothing reaches Hydra unless all of it holds.
async fn read_posted<F: Form>(req: &HttpRequest, payload: Payload) -> Result<Posted<F>, AppError> {
    let state = app_state(req)?;
    let body = read_body(req, payload, state.settings.serve.max_form_bytes.get()).await?;
    let fields: F::Fields = params::decode(&body)?;
    let challenge = challenge_of::<F>(state, fields.challenge())?;
    let confirmed = match F::ACTION {
        Some((yes, _)) if fields.action() == Some(yes) => true,
        Some((_, no)) if fields.action() == Some(no) => false,
        Some(_) if fields.action().is_none() => return Err(InputError::Missing("action").into()),
        Some(_) => return Err(InputError::BadCharacters("action").into()),
        None => true,
    };
    verify_csrf(req, state, F::PURPOSE, &challenge, fields.csrf_token())?;
    Ok(Posted {
        challenge,
        confirmed,
        fields,
    })
}

/// The body of an `application/x-www-form-urlencoded` post, of at most `limit` bytes, as text.
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Bytes, AppError> {
    let is_form = req.mime_type().ok().flatten().is_some_and(|m| {
        m.type_() == mime::APPLICATION && m.subtype() == mime::WWW_FORM_URLENCODED
    });
    if !is_form {
        return Err(AppError::UnsupportedMediaType);
    }
    let unreadable = || AppError::BadInput(InputError::Malformed("form"));
    let body = web::Payload::from_request(req, &mut { payload })
        .await
        .map_err(|_| unreadable())?
        .to_bytes_limited(limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
        .map_err(|_| unreadable())?;
    // Every field of the bridge's forms is text.
    std::str::from_utf8(&body).map_err(|_| unreadable())?;
    Ok(body)
}
