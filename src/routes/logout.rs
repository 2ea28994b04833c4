//! `GET /logout` and `POST /logout`: end the Hydra session and the Kratos session together.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use domain::logout::LogoutFacts;
use domain::logout::ending::{
    self, AfterBrowserLogout, Ending, Revocation, after_browser_logout, after_revocation,
};
use domain::logout::plan::{Logout, LogoutPlan, Start, plan, start};

use crate::error::{AppError, Failure};
use crate::ory::hydra::LogoutRequest;
use crate::ory::kratos::{BrowserLogout, KratosSession};
use crate::pages::{self, Page, add_cookie};
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, LogoutFlow, SessionCookie};
use crate::routes::forms::{self, Form, Posted};
use crate::routes::state::AppState;
use crate::telemetry::note;

/// Hydra's logout request as the plan reads it.
fn facts(request: &LogoutRequest) -> LogoutFacts<'_> {
    let client = request.client.as_ref();
    LogoutFacts {
        rp_initiated: request.rp_initiated,
        client_skips: client.is_some_and(|c| c.skip_logout_consent),
        client_name: client.map(|c| {
            if c.client_name.is_empty() {
                c.client_id.as_str()
            } else {
                c.client_name.as_str()
            }
        }),
        subject: &request.subject,
    }
}

pub async fn show(
    page: Page,
    req: HttpRequest,
    challenge: Challenge<LogoutFlow>,
    cookie: SessionCookie,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = async {
        let request = state.hydra.get_logout_request(challenge.as_str()).await?;
        let logout = Logout::Requested(facts(&request));
        let plan = plan_with_session(&state, &logout, cookie.value()).await?;
        act(
            &page,
            &req,
            &state,
            challenge.as_str(),
            cookie.value(),
            plan,
        )
        .await
    };
    answer.await.map_err(|e: AppError| page.fail(e))
}

pub async fn submit(
    page: Page,
    req: HttpRequest,
    form: Posted<LogoutFlow>,
    cookie: SessionCookie,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = async {
        let logout = Logout::Answered {
            log_out: form.confirmed,
        };
        let plan = plan_with_session(&state, &logout, cookie.value()).await?;
        act(&page, &req, &state, &form.challenge, cookie.value(), plan).await
    };
    answer.await.map_err(|e: AppError| page.fail(e))
}

/// The plan, with the browser's Kratos session read first when it needs it (without a cookie
/// there is none, and nothing is asked).
async fn plan_with_session(
    state: &AppState,
    logout: &Logout<'_>,
    cookie: Option<&str>,
) -> Result<LogoutPlan, AppError> {
    let policy = &state.policies.logout;
    Ok(match start(logout, policy) {
        Start::Planned(plan) => plan,
        Start::ReadSession => plan(logout, policy, &state.kratos.whoami(cookie).await?),
    })
}

async fn act(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    cookie: Option<&str>,
    plan: LogoutPlan,
) -> Result<HttpResponse, AppError> {
    match plan {
        LogoutPlan::LogOut => complete(cookie, state, challenge).await,
        LogoutPlan::Confirm { client_name } => {
            let csrf = forms::issue_csrf(req, state, LogoutFlow::PURPOSE, challenge)?;
            let template = LogoutPage {
                page,
                client_name: client_name.as_deref(),
                challenge,
                csrf_token: &csrf.token,
            };
            let mut response = pages::render(StatusCode::OK, &template);
            add_cookie(&mut response, &csrf.cookie)?;
            Ok(response)
        }
        LogoutPlan::Stay { to } => {
            state.hydra.reject_logout_request(challenge).await?;
            note("outcome", "logout_cancelled");
            if let Some(url) = to {
                return Ok(Redirect::from_config(url).response());
            }
            let home = state.settings.home_url().as_str();
            let t = page.t();
            Ok(page.message(
                StatusCode::OK,
                &t.text("logout-cancelled-title"),
                &t.text("logout-cancelled-message"),
                None,
                Some((home, &t.text("logout-cancelled-continue"))),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage<'a> {
    page: &'a Page,
    client_name: Option<&'a str>,
    challenge: &'a str,
    csrf_token: &'a str,
}

/// Ends the browser's Kratos session through the admin API, when the browser flow could not.
async fn revoke_server_side(state: &AppState, cookie: Option<&str>) -> Revocation {
    let session = match state.kratos.whoami(cookie).await {
        Ok(KratosSession::Active(session)) => session,
        Ok(KratosSession::None) => return Revocation::NoSession,
        Ok(KratosSession::Aal2Required) => {
            return Revocation::Failed(
                "the session waits for a second factor, so its id cannot be read".into(),
            );
        }
        Err(e) => return Revocation::Failed(format!("cannot find the session to revoke: {e}")),
    };
    match state.kratos.revoke_session(&session.id).await {
        Ok(()) => Revocation::Revoked,
        Err(e) => Revocation::Failed(e.to_string()),
    }
}

/// Accepts the logout at Hydra (which says where the browser goes next), then ends the Kratos
/// session in the browser: Kratos's logout URL (opened by the browser, so its token meets its
/// cookie) returns to Hydra's `redirect_to`. Should that fail, the admin API revokes the session;
/// should that fail too, the logout fails closed ([`ending`]).
async fn complete(
    cookie: Option<&str>,
    state: &AppState,
    challenge: &str,
) -> Result<HttpResponse, AppError> {
    let redirect_to = state.hydra.accept_logout_request(challenge).await?;
    let hydra_next = Redirect::from_upstream(&redirect_to)?;
    let answer = match state
        .kratos
        .browser_logout(cookie, hydra_next.url().as_str())
        .await
    {
        Ok(BrowserLogout::Url(url)) => ending::BrowserLogout::Url(url),
        Ok(BrowserLogout::NoSession) => ending::BrowserLogout::NoSession,
        Err(e) => ending::BrowserLogout::Failed(e.to_string()),
    };
    let ending = match after_browser_logout(answer) {
        AfterBrowserLogout::Finish(ending) => ending,
        AfterBrowserLogout::Revoke { browser_failure } => {
            let revocation = revoke_server_side(state, cookie).await;
            after_revocation(browser_failure, revocation)
        }
    };
    match ending {
        Ending::ThroughKratos { logout_url } => {
            note("outcome", "logged_out");
            Ok(Redirect::from_upstream(&logout_url)?.response())
        }
        Ending::NoSession => {
            note("outcome", "logged_out_no_session");
            Ok(hydra_next.response())
        }
        Ending::Revoked { browser_failure } => {
            tracing::warn!(
                error = %browser_failure,
                "Kratos browser logout failed (is Hydra's public URL in Kratos's \
                 selfservice.allowed_return_urls?); the session was revoked through the admin API"
            );
            note("outcome", "logged_out_revoked");
            Ok(hydra_next.response())
        }
        // No redirect: neither Hydra's logout nor the client hears of a logout that did not happen.
        Ending::StillSignedIn {
            browser_failure,
            revocation_failure,
        } => {
            note("outcome", "logout_failed");
            Err(AppError::StillSignedIn {
                browser: browser_failure,
                revocation: revocation_failure,
                retry: retry_url(state, challenge),
            })
        }
    }
}

/// Where "Try again" goes when a logout failed closed: this logout, from the start.
fn retry_url(state: &AppState, challenge: &str) -> String {
    let mut url = crate::config::join_url(&state.settings.serve.base_url, "logout");
    url.query_pairs_mut()
        .append_pair("logout_challenge", challenge);
    url.into()
}
