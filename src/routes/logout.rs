//! `GET /logout` and `POST /logout`: end the Hydra session and the Kratos session together.

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::config::LogoutSettings;
use crate::domain::params::{QueryParams, validate_challenge};
use crate::domain::subject::subject_for;
use crate::error::{AppError, within_deadline};
use crate::i18n::{self, Localizer};
use crate::ory::hydra::LogoutRequest;
use crate::ory::kratos::{BrowserLogout, WhoAmI};
use crate::pages;
use crate::redirect::Redirect;
use crate::routes::forms;
use crate::routes::login::session_cookie;
use crate::routes::state::AppState;
use crate::telemetry::note;

const CSRF_PURPOSE: &str = "logout";

/// Whether to ask "Log out of <client>?" first. Not when the client opted out
/// (`skip_logout_consent`, which Hydra only forwards), when the relying party proved the user with a
/// valid `id_token_hint`, or when confirmation is off in config.
pub fn needs_confirmation(request: &LogoutRequest, settings: &LogoutSettings) -> bool {
    let client_skips = request
        .client
        .as_ref()
        .is_some_and(|c| c.skip_logout_consent);
    settings.confirm && !client_skips && !request.rp_initiated
}

fn challenge_from(value: Option<&str>, state: &AppState) -> Result<String, AppError> {
    Ok(validate_challenge(
        "logout_challenge",
        value,
        state.settings.login.challenge_max_bytes,
    )?)
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    within_deadline(&state.settings, show_within(&req, &state)).await
}

async fn show_within(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, AppError> {
    let query = QueryParams::parse(req.query_string());
    let challenge = challenge_from(query.single("logout_challenge")?, state)?;
    let request = state.hydra.get_logout_request(&challenge).await?;
    if !needs_confirmation(&request, &state.settings.logout)
        && !session_of_someone_else(req, state, &request).await?
    {
        return complete(req, state, &challenge).await;
    }
    let csrf = forms::issue_csrf(req, state, CSRF_PURPOSE, &challenge)?;
    let client_name = request
        .client
        .as_ref()
        .map(|c| {
            if c.client_name.is_empty() {
                c.client_id.as_str()
            } else {
                c.client_name.as_str()
            }
        })
        .filter(|name| !name.is_empty());
    let page = LogoutPage {
        t: i18n::localizer(req, &state.i18n),
        client_name,
        challenge: &challenge,
        csrf_token: &csrf.token,
    };
    let mut response = pages::render(StatusCode::OK, &page);
    response.headers_mut().append(SET_COOKIE, csrf.set_cookie);
    Ok(response)
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    t: Localizer<'a>,
    client_name: Option<&'a str>,
    challenge: &'a str,
    csrf_token: &'a str,
}

pub async fn submit(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    within_deadline(&state.settings, submit_within(&req, payload, &state)).await
}

async fn submit_within(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let forms::PostedForm {
        challenge,
        confirmed,
        ..
    } = forms::read_posted_form(
        req,
        payload,
        state,
        CSRF_PURPOSE,
        "logout_challenge",
        ("logout", "cancel"),
    )
    .await?;
    if confirmed {
        return complete(req, state, &challenge).await;
    }
    state.hydra.reject_logout_request(&challenge).await?;
    note("outcome", "logout_cancelled");
    if let Some(url) = &state.settings.logout.cancel_url {
        return Ok(Redirect::from_config(url.clone()).response());
    }
    let home = state.settings.home_url().as_str();
    let t = i18n::localizer(req, &state.i18n);
    Ok(pages::message(
        StatusCode::OK,
        &t,
        &t.text("logout-cancelled-title"),
        &t.text("logout-cancelled-message"),
        None,
        Some((home, &t.text("logout-cancelled-continue"))),
    ))
}

/// Whether the browser is signed in to Kratos as someone other than the logout's subject. A link to
/// someone else's logout must not end this browser's session without asking (forced logout).
async fn session_of_someone_else(
    req: &HttpRequest,
    state: &AppState,
    request: &LogoutRequest,
) -> Result<bool, AppError> {
    let Some(cookie) = session_cookie(req, state.kratos.cookie_name()) else {
        return Ok(false);
    };
    Ok(match state.kratos.whoami(Some(cookie)).await? {
        WhoAmI::NoSession => false,
        // The session's identity is hidden until a second factor; ask rather than guess.
        WhoAmI::Aal2Required => true,
        WhoAmI::Active(session) => {
            let subject = subject_for(
                state.settings.oauth2_provider.subject_source(),
                &session.identity.id,
                session.identity.external_id.as_deref(),
            );
            subject.map_or(true, |s| s.value != request.subject)
        }
    })
}

/// Ends the browser's Kratos session through the admin API, when the browser flow could not.
async fn revoke_server_side(state: &AppState, cookie: Option<&str>) {
    let session = match state.kratos.whoami(cookie).await {
        Ok(WhoAmI::Active(session)) => session,
        Ok(_) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot find the Kratos session to revoke");
            return;
        }
    };
    match state.kratos.revoke_session(&session.id).await {
        Ok(()) => tracing::info!("Kratos session revoked through the admin API"),
        Err(e) => tracing::error!(error = %e, "revoking the Kratos session failed"),
    }
}

/// Accepts the logout at Hydra, then ends the Kratos session in the browser: Kratos's logout URL
/// (opened by the browser, so its token meets its cookie) returns to Hydra's `redirect_to`.
async fn complete(
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
) -> Result<HttpResponse, AppError> {
    let redirect_to = state.hydra.accept_logout_request(challenge).await?;
    let hydra_next = Redirect::from_upstream(&redirect_to)?;
    let cookie = session_cookie(req, state.kratos.cookie_name());
    match state
        .kratos
        .browser_logout(cookie, hydra_next.url().as_str())
        .await
    {
        Ok(BrowserLogout::Url(logout_url)) => {
            note("outcome", "logged_out");
            Ok(Redirect::from_upstream(&logout_url)?.response())
        }
        Ok(BrowserLogout::NoSession) => {
            note("outcome", "logged_out_no_session");
            Ok(hydra_next.response())
        }
        Err(e) => {
            // Hydra's logout must still complete, and the Kratos session must still end: revoke it
            // through the admin API instead (the browser keeps a cookie Kratos no longer honours).
            tracing::error!(error = %e, "Kratos browser logout failed (is Hydra's public URL in \
                Kratos's selfservice.allowed_return_urls?); revoking the session server-side");
            revoke_server_side(state, cookie).await;
            Ok(hydra_next.response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ory::hydra::OAuth2Client;

    fn request(rp: bool, skip: Option<bool>) -> LogoutRequest {
        LogoutRequest {
            challenge: "c".into(),
            subject: "s".into(),
            rp_initiated: rp,
            client: skip.map(|skip| OAuth2Client {
                skip_logout_consent: skip,
                ..OAuth2Client::default()
            }),
        }
    }

    #[test]
    fn confirmation_rules() {
        let on = LogoutSettings {
            confirm: true,
            cancel_url: None,
        };
        let off = LogoutSettings {
            confirm: false,
            cancel_url: None,
        };
        assert!(needs_confirmation(&request(false, None), &on));
        assert!(needs_confirmation(&request(false, Some(false)), &on));
        assert!(!needs_confirmation(&request(false, Some(true)), &on));
        assert!(!needs_confirmation(&request(true, Some(false)), &on));
        assert!(!needs_confirmation(&request(false, None), &off));
    }
}
