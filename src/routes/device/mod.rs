//! Device sign-in (RFC 8628, Hydra v25.4+): `GET /device` asks for the code the device shows,
//! `POST /device` hands it to Hydra, and `GET /device/success` is where the flow ends. The login and
//! consent in between are the usual ones.

pub mod attempts;
pub mod done;
pub mod limit;
pub mod metrics;

pub use done::success;

use actix_web::cookie::Cookie;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use domain::device::{self as plan, CodePlan, DevicePage, Entered, Problem, Reply};
use domain::device_code::{MAX_TYPED_CHARS, TypingHint};

use crate::error::{AppError, Failure};
use crate::ory::hydra::HydraError;
use crate::ory::hydra::device::DeviceAccept;
use crate::pages::{self, Page, add_cookie};
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, DeviceFlow};
use crate::routes::forms::{self, Form, Posted};
use crate::routes::params::{Query, unless_repeated};
use crate::routes::state::AppState;
use crate::telemetry::note;
use metrics::CodeOutcome;

#[derive(Template)]
#[template(path = "device.html")]
struct CodePage<'a> {
    page: &'a Page,
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

/// `/device`'s link: Hydra puts the code in it when the person scanned it with the device's URL.
#[derive(serde::Deserialize)]
pub struct CodeLink {
    /// A repeated `user_code` is no code: the person types it.
    #[serde(default, deserialize_with = "unless_repeated")]
    user_code: Option<String>,
}

/// `GET /device?device_challenge=D[&user_code=U]`: the form. Hydra has no GET for a device request,
/// so nothing is asked upstream until a code is entered.
pub async fn show(
    page: Page,
    req: HttpRequest,
    challenge: Challenge<DeviceFlow>,
    Query(link): Query<CodeLink>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let challenge = challenge.as_str();
    let wrong = attempts::read(&req, &state.signer, challenge);
    let reply = plan::open(link.user_code.as_deref(), wrong, &state.policies.device);
    answer(&page, &req, &state, challenge, reply).map_err(|e| page.fail(e))
}

pub async fn submit(
    page: Page,
    req: HttpRequest,
    posted: Posted<DeviceFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = hand_over(&page, &req, posted, &state).await;
    answer.map_err(|e| page.fail(e))
}

/// The code typed, to Hydra when it may be one, else the form again.
async fn hand_over(
    page: &Page,
    req: &HttpRequest,
    posted: Posted<DeviceFlow>,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let Posted {
        challenge,
        fields: form_fields,
        ..
    } = posted;
    let typed = form_fields.user_code.as_deref().unwrap_or_default();
    let wrong = attempts::read(req, &state.signer, &challenge);
    let policy = &state.policies.device;
    let code = match plan::enter(typed, wrong, policy) {
        CodePlan::Reply(reply) => return answer(page, req, state, &challenge, reply),
        CodePlan::Submit { code } => code,
    };
    // The service's own count, which a client cannot drop with its cookies: past a budget, Hydra
    // is not asked.
    let client = limit::client_of(req, &state.device.trusted_proxies);
    let taken = match state.device.wrong_codes.take(client) {
        Ok(taken) => taken,
        Err(retry_after) => {
            let reply = plan::held_back(typed, retry_after);
            return answer(page, req, state, &challenge, reply);
        }
    };
    match state.hydra.accept_device_request(&challenge, &code).await {
        Ok(DeviceAccept::Accepted { redirect_to }) => {
            state.device.wrong_codes.give_back(taken);
            let target = Redirect::from_upstream(&redirect_to).inspect_err(|_| {
                state.device.metrics.code(CodeOutcome::Other);
            })?;
            state.device.metrics.code(CodeOutcome::Accepted);
            note("outcome", "device_accepted");
            let named = done::cookie_for(state, req, target.url()).await;
            let mut response = target.response();
            add_cookie(&mut response, &attempts::cleared(&state.cookies))?;
            if let Some(cookie) = &named {
                add_cookie(&mut response, cookie)?;
            }
            Ok(response)
        }
        Ok(DeviceAccept::UnknownCode) => {
            let reply = plan::refused(typed, wrong, policy);
            answer(page, req, state, &challenge, reply)
        }
        Err(e) => {
            // Hydra did not judge the code (down, slow, an odd answer): it was no wrong guess.
            if matches!(e, HydraError::Upstream(_)) {
                state.device.wrong_codes.give_back(taken);
            }
            let outcome = match e {
                HydraError::Expired(_) => CodeOutcome::Expired,
                _ => CodeOutcome::Other,
            };
            state.device.metrics.code(outcome);
            Err(e.into())
        }
    }
}

/// Carries out a reply: counts the code entered (a wrong one in the browser's cookie too), then
/// shows the form or the page that sends the person back to the device.
fn answer(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    reply: Reply,
) -> Result<HttpResponse, AppError> {
    let attempts_cookie = match reply.entered {
        Entered::Nothing => None,
        Entered::TooMany => {
            state.device.metrics.code(CodeOutcome::TooMany);
            None
        }
        Entered::Limited => {
            state.device.metrics.code(CodeOutcome::Limited);
            note("outcome", "device_limited");
            None
        }
        Entered::Wrong(count) => {
            state.device.metrics.code(CodeOutcome::WrongCode);
            note("outcome", "device_wrong_code");
            attempts::cookie(&state.signer, &state.cookies, challenge, count)
        }
    };
    match reply.page {
        DevicePage::Exhausted => exhausted(page, attempts_cookie),
        DevicePage::Form { code, problem } => {
            let t = page.t();
            let mut wait = None;
            let problem = problem.map(|problem| match problem {
                Problem::Missing => t.text("device-code-missing"),
                Problem::Wrong { left } => t.count("device-code-wrong", "tries", left),
                Problem::Busy { retry_after_secs } => {
                    wait = Some(retry_after_secs);
                    let secs = u32::try_from(retry_after_secs).unwrap_or(u32::MAX);
                    t.count("device-code-busy", "seconds", secs)
                }
            });
            let mut response = form(
                page,
                req,
                state,
                challenge,
                &code,
                problem.as_deref(),
                attempts_cookie,
            )?;
            // Held back by the service's limit: 429, and when to come back.
            if let Some(secs) = wait {
                *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
                let value = header::HeaderValue::from(secs);
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
    }
}

/// The code form, with what to fill in and what went wrong last time.
fn form(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    code: &str,
    problem: Option<&str>,
    attempts_cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, AppError> {
    let csrf = forms::issue_csrf(req, state, DeviceFlow::PURPOSE, challenge)?;
    let alphabet = &state.policies.device.alphabet;
    let template = CodePage {
        page,
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
    let mut response = pages::render(StatusCode::OK, &template);
    add_cookie(&mut response, &csrf.cookie)?;
    if let Some(cookie) = &attempts_cookie {
        add_cookie(&mut response, cookie)?;
    }
    Ok(response)
}

/// The page after the last wrong code: only a new code from the device helps now.
fn exhausted(
    page: &Page,
    attempts_cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, AppError> {
    note("outcome", "device_too_many");
    let t = page.t();
    let mut response = page.message(
        StatusCode::TOO_MANY_REQUESTS,
        &t.text("device-too-many-title"),
        &t.text("device-too-many-message"),
        None,
        None,
    );
    if let Some(cookie) = &attempts_cookie {
        add_cookie(&mut response, cookie)?;
    }
    Ok(response)
}
