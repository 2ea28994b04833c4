//! What handlers read from a request's query and cookies, as actix extractors: a flow's challenge,
//! the identity schema, the Kratos session cookie, the query itself. Each refuses with the
//! [`AppError`] that becomes the 400 page.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::state::AppState;
use crate::error::AppError;
use domain::params::{QueryParams, validate_challenge, validate_identity_schema};

/// A flow whose requests carry a Hydra challenge.
pub trait Flow {
    /// The parameter (query or form field) that carries the challenge.
    const CHALLENGE: &'static str;
}

pub struct LoginFlow;
pub struct ConsentFlow;
pub struct LogoutFlow;
pub struct DeviceFlow;

impl Flow for LoginFlow {
    const CHALLENGE: &'static str = "login_challenge";
}
impl Flow for ConsentFlow {
    const CHALLENGE: &'static str = "consent_challenge";
}
impl Flow for LogoutFlow {
    const CHALLENGE: &'static str = "logout_challenge";
}
impl Flow for DeviceFlow {
    const CHALLENGE: &'static str = "device_challenge";
}

/// The shared state; every app the bridge builds has it.
pub fn app_state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("no application state".into()))
}

/// `F`'s challenge from `value`, checked before anything is sent upstream.
pub fn challenge_of<F: Flow>(state: &AppState, value: Option<&str>) -> Result<String, AppError> {
    Ok(validate_challenge(
        F::CHALLENGE,
        value,
        state.settings.login.challenge_max_bytes,
    )?)
}

/// The query string, parsed; a repeated key is refused when it is read.
pub struct Query(pub QueryParams);

impl FromRequest for Query {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Query(QueryParams::parse(req.query_string()))))
    }
}

/// The challenge of flow `F` from the query.
pub struct Challenge<F> {
    value: String,
    flow: PhantomData<F>,
}

impl<F> Challenge<F> {
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn into_string(self) -> String {
        self.value
    }
}

impl<F: Flow> FromRequest for Challenge<F> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let state = app_state(req)?;
            let query = QueryParams::parse(req.query_string());
            Ok(Challenge {
                value: challenge_of::<F>(state, query.single(F::CHALLENGE)?)?,
                flow: PhantomData,
            })
        })())
    }
}

/// The query's `identity_schema` (Hydra's `prompt=registration`), checked against the syntax and
/// `kratos.identity_schemas`; `None` when absent or empty.
pub struct IdentitySchema(pub Option<String>);

impl FromRequest for IdentitySchema {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let state = app_state(req)?;
            let query = QueryParams::parse(req.query_string());
            Ok(IdentitySchema(validate_identity_schema(
                query.single("identity_schema")?,
                &state.settings.kratos.identity_schemas,
            )?))
        })())
    }
}

/// The browser's Kratos session cookie, the only cookie forwarded to Kratos: its value as sent.
pub struct SessionCookie(Option<String>);

impl SessionCookie {
    pub fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl FromRequest for SessionCookie {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            app_state(req).map(|state| {
                SessionCookie(crate::cookies::read_raw(req, state.kratos.cookie_name()))
            }),
        )
    }
}
