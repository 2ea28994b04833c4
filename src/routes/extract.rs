//! What handlers read from a request's query and cookies, as actix extractors: a flow's challenge,
//! the identity schema, the Kratos session cookie. Each refuses with the [`AppError`] that becomes
//! the 400 page, on the request's [`Page`].

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::params::{self, once};
use super::state::AppState;
use crate::error::{AppError, Failure};
use crate::pages::Page;
use domain::params::{validate_challenge, validate_identity_schema};

/// A flow whose requests carry a Hydra challenge.
pub trait Flow {
    /// The parameter (query or form field) that carries the challenge.
    const CHALLENGE: &'static str;
    /// The flow's link (its query), as far as the challenge goes.
    type Link: DeserializeOwned + Carries;
}

/// What holds a flow's challenge, under the flow's own name.
pub trait Carries {
    fn challenge(&self) -> Option<&str>;
}

pub struct LoginFlow;
pub struct ConsentFlow;
pub struct LogoutFlow;
pub struct DeviceFlow;

/// Declares a flow: its challenge parameter, and the link struct that reads it.
macro_rules! flow {
    ($flow:ident, $link:ident, $name:ident) => {
        #[derive(Deserialize)]
        pub struct $link {
            #[serde(default, deserialize_with = "once")]
            $name: Option<String>,
        }

        impl Carries for $link {
            fn challenge(&self) -> Option<&str> {
                self.$name.as_deref()
            }
        }

        impl Flow for $flow {
            const CHALLENGE: &'static str = stringify!($name);
            type Link = $link;
        }
    };
}

flow!(LoginFlow, LoginLink, login_challenge);
flow!(ConsentFlow, ConsentLink, consent_challenge);
flow!(LogoutFlow, LogoutLink, logout_challenge);
flow!(DeviceFlow, DeviceLink, device_challenge);

/// What an extractor read, or its failure on the request's page.
pub fn on_page<T>(
    req: &HttpRequest,
    read: impl FnOnce() -> Result<T, AppError>,
) -> Result<T, Failure> {
    read().map_err(|e| Page::of(req).fail(e))
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

/// The challenge of flow `F` from the query.
pub struct Challenge<F> {
    value: String,
    flow: PhantomData<F>,
}

impl<F> Challenge<F> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<F: Flow> FromRequest for Challenge<F> {
    type Error = Failure;
    type Future = Ready<Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(on_page(req, || {
            let link: F::Link = params::query(req)?;
            Ok(Challenge {
                value: challenge_of::<F>(app_state(req)?, link.challenge())?,
                flow: PhantomData,
            })
        }))
    }
}

/// The query's `identity_schema` (Hydra's `prompt=registration`), checked against the syntax and
/// `kratos.identity_schemas`; `None` when absent or empty.
pub struct IdentitySchema(pub Option<String>);

#[derive(Deserialize)]
struct SchemaLink {
    #[serde(default, deserialize_with = "once")]
    identity_schema: Option<String>,
}

impl FromRequest for IdentitySchema {
    type Error = Failure;
    type Future = Ready<Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(on_page(req, || {
            let link: SchemaLink = params::query(req)?;
            Ok(IdentitySchema(validate_identity_schema(
                link.identity_schema.as_deref(),
                &app_state(req)?.settings.kratos.identity_schemas,
            )?))
        }))
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
    type Error = Failure;
    type Future = Ready<Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(on_page(req, || {
            let state = app_state(req)?;
            Ok(SessionCookie(crate::cookies::read_raw(
                req,
                state.kratos.cookie_name(),
            )))
        }))
    }
}
