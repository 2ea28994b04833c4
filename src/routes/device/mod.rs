//! Device sign-in (RFC 8628, Hydra v25.4+): `GET /device` asks for the code the device shows,
//! `POST /device` hands it to Hydra, and `GET /device/success` is where the flow ends. The login and
//! consent in between are the usual ones.

pub mod attempts;
pub mod metrics;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::error::AppError;
use crate::i18n::Localizer;
use crate::ory::hydra::HydraError;
use crate::ory::hydra::device::DeviceAccept;
use crate::pages;
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, DeviceFlow, Query};
use crate::routes::forms::{self, Form, Posted};
use crate::routes::language;
use crate::routes::state::AppState;
use crate::telemetry::note;
use attempts::Turn;
use domain::device_code::{self as code, CodeError, MAX_TYPED_CHARS, TypingHint};
use metrics::CodeOutcome;

/// The longest client name the success page shows.
const MAX_NAME_CHARS: usize = 100;
/// The longest client id looked up (Hydra's are UUIDs unless set by hand).
const MAX_CLIENT_ID_BYTES: usize = 255;

#[derive(Template)]
#[template(path = "device.html")]
struct CodePage<'a> {
    t: Localizer<'a>,
    challenge: &'a str,
    csrf_token: &'a str,
    code: &'a str,
    problem: Option<&'a str>,
    /// The message id of the hint under the input.
    hint: &'a str,
    numeric: bool,
    capitals: bool,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "device_success.html")]
struct SuccessPage<'a> {
    t: Localizer<'a>,
    client_name: Option<&'a str>,
}

fn secure(state: &AppState) -> bool {
    state.settings.serve.base_url.scheme() == "https"
}

/// `GET /device?device_challenge=D[&user_code=U]`: the form. Hydra has no GET for a device request,
/// so nothing is asked upstream until a code is entered.
pub async fn show(
    req: HttpRequest,
    challenge: Challenge<DeviceFlow>,
    Query(query): Query,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let challenge = challenge.into_string();
    let max = state.settings.device.max_attempts.get();
    if attempts::turn(attempts::read(&req, &state.signer, &challenge), max) == Turn::Exhausted {
        return Ok(exhausted(&req, &state, None));
    }
    // A link from the device may carry its code; one that cannot be a code is left out. The person
    // still confirms it, so a link someone else sent cannot sign them in unawares (RFC 8628 5.4).
    let prefill = query
        .single("user_code")
        .ok()
        .flatten()
        .and_then(|typed| code::normalise(typed, &state.device.alphabet).ok())
        .unwrap_or_default();
    form(&req, &state, &challenge, &prefill, None, None)
}

/// The code form, with what to fill in and what went wrong last time.
fn form(
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    code: &str,
    problem: Option<&str>,
    attempts_cookie: Option<HeaderValue>,
) -> Result<HttpResponse, AppError> {
    let csrf = forms::issue_csrf(req, state, DeviceFlow::PURPOSE, challenge)?;
    let alphabet = &state.device.alphabet;
    let page = CodePage {
        t: language::localizer(req, &state.i18n),
        challenge,
        csrf_token: &csrf.token,
        code,
        problem,
        hint: match alphabet.hint() {
            TypingHint::Digits => "device-hint-digits",
            TypingHint::CaseSensitive => "device-hint-case-sensitive",
            TypingHint::AnyCase => "device-hint-any-case",
        },
        numeric: alphabet.digits_only(),
        capitals: alphabet.capitals_only(),
        max_chars: MAX_TYPED_CHARS,
    };
    let mut response = pages::render(StatusCode::OK, &page);
    response.headers_mut().append(SET_COOKIE, csrf.set_cookie);
    if let Some(cookie) = attempts_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The page after the last wrong code: only a new code from the device helps now.
fn exhausted(
    req: &HttpRequest,
    state: &AppState,
    attempts_cookie: Option<HeaderValue>,
) -> HttpResponse {
    note("outcome", "device_too_many");
    let t = language::localizer(req, &state.i18n);
    let mut response = pages::message(
        StatusCode::TOO_MANY_REQUESTS,
        &t,
        &t.text("device-too-many-title"),
        &t.text("device-too-many-message"),
        None,
        None,
    );
    if let Some(cookie) = attempts_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

pub async fn submit(
    req: HttpRequest,
    posted: Posted<DeviceFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (req, state) = (&req, state.get_ref());
    let Posted {
        challenge,
        fields: form_fields,
        ..
    } = posted;
    let typed = form_fields.single("user_code")?.unwrap_or_default();
    let max = state.settings.device.max_attempts.get();
    let wrong = attempts::read(req, &state.signer, &challenge);
    if attempts::turn(wrong, max) == Turn::Exhausted {
        state.device.metrics.code(CodeOutcome::TooMany);
        return Ok(exhausted(req, state, None));
    }
    let code = match code::normalise(typed, &state.device.alphabet) {
        Ok(code) => code,
        Err(CodeError::Empty) => {
            let problem = language::localizer(req, &state.i18n).text("device-code-missing");
            return form(req, state, &challenge, "", Some(&problem), None);
        }
        // Not one of Hydra's codes: wrong without asking Hydra.
        Err(CodeError::TooLong | CodeError::NotInAlphabet) => {
            return wrong_code(req, state, &challenge, typed, wrong);
        }
    };
    match state.hydra.accept_device_request(&challenge, &code).await {
        Ok(DeviceAccept::Accepted { redirect_to }) => {
            let target = Redirect::from_upstream(&redirect_to).inspect_err(|_| {
                state.device.metrics.code(CodeOutcome::Other);
            })?;
            state.device.metrics.code(CodeOutcome::Accepted);
            note("outcome", "device_accepted");
            let mut response = target.response();
            if let Some(cleared) = attempts::cleared(secure(state)) {
                response.headers_mut().append(SET_COOKIE, cleared);
            }
            Ok(response)
        }
        Ok(DeviceAccept::UnknownCode) => wrong_code(req, state, &challenge, typed, wrong),
        Err(e) => {
            let outcome = match e {
                HydraError::Expired(_) => CodeOutcome::Expired,
                _ => CodeOutcome::Other,
            };
            state.device.metrics.code(outcome);
            Err(e.into())
        }
    }
}

/// Counts one more wrong code for this browser, then shows the form again or, at the limit, the
/// page that sends the person back to the device.
fn wrong_code(
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    typed: &str,
    wrong: u32,
) -> Result<HttpResponse, AppError> {
    state.device.metrics.code(CodeOutcome::WrongCode);
    note("outcome", "device_wrong_code");
    let wrong = attempts::after_wrong(wrong);
    let max = state.settings.device.max_attempts.get();
    let cookie = attempts::cookie(
        &state.signer,
        challenge,
        wrong,
        state.settings.serve.form_ttl_secs,
        secure(state),
    );
    if attempts::turn(wrong, max) == Turn::Exhausted {
        return Ok(exhausted(req, state, cookie));
    }
    let left = max - wrong;
    let problem = language::localizer(req, &state.i18n).count("device-code-wrong", "tries", left);
    // What was typed goes back into the field so that a slip can be fixed, unless it is long junk.
    let again = if typed.chars().count() <= MAX_TYPED_CHARS {
        typed
    } else {
        ""
    };
    form(req, state, challenge, again, Some(&problem), cookie)
}

/// Client ids worth asking Hydra about: short and printable (U+FFFD stands for bytes that were
/// not UTF-8).
fn plausible_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_BYTES
        && !id.chars().any(|c| c.is_control() || c == '\u{FFFD}')
}

/// The client's name for the success page, or `None` when it cannot be had quickly. This page
/// never fails: the person is signed in whatever Hydra answers now.
async fn client_name(state: &AppState, client_id: &str) -> Option<String> {
    let limit = Duration::from_millis(state.settings.serve.request_timeout_ms);
    let client = match tokio::time::timeout(limit, state.hydra.get_client(client_id)).await {
        // Noted only once Hydra knows it: the query's value is anyone's to choose.
        Ok(Ok(Some(client))) => {
            note("client_id", &client.client_id);
            client
        }
        Ok(Ok(None)) => return None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "device success page without the client's name");
            return None;
        }
        Err(_) => {
            tracing::warn!("device success page without the client's name: Hydra took too long");
            return None;
        }
    };
    let name = client.client_name.trim();
    if name.is_empty() {
        return None;
    }
    let mut bounded: String = name.chars().take(MAX_NAME_CHARS).collect();
    if name.chars().nth(MAX_NAME_CHARS).is_some() {
        bounded.push('…');
    }
    Some(bounded)
}

/// `GET /device/success[?client_id=C]`: Hydra's `urls.device.success`.
pub async fn success(
    req: HttpRequest,
    Query(query): Query,
    state: web::Data<AppState>,
) -> HttpResponse {
    let client_id = query
        .single("client_id")
        .ok()
        .flatten()
        .filter(|id| plausible_client_id(id));
    let name = match client_id {
        Some(id) => client_name(&state, id).await,
        None => None,
    };
    note("outcome", "device_signed_in");
    pages::render(
        StatusCode::OK,
        &SuccessPage {
            t: language::localizer(&req, &state.i18n),
            client_name: name.as_deref(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_worth_a_lookup() {
        assert!(plausible_client_id("demo-client"));
        assert!(plausible_client_id("3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
        assert!(
            plausible_client_id("../admin"),
            "encode_path keeps it on its level"
        );
        assert!(!plausible_client_id(""));
        assert!(!plausible_client_id("a\nb"));
        assert!(!plausible_client_id("a\u{FFFD}"));
        assert!(!plausible_client_id(&"a".repeat(256)));
    }
}
