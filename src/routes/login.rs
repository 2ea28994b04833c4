//! `GET /login?login_challenge=C`: turns the browser's Kratos session into an accepted Hydra login.

use actix_web::{HttpResponse, web};
use domain::login::demands::{AuthParams, parse_auth_params};
use domain::login::plan::{KratosTrip, LoginPlan, plan};
use domain::login::refusal::{Refusal, hint_subject};
use domain::login::{LoginFacts, Request};
use time::OffsetDateTime;
use url::Url;

use crate::config::join_url;
use crate::error::{AppError, Failure};
use crate::metrics::{ReauthLabels, SubjectLabels};
use crate::ory::hydra::{LoginRequest, Reject};
use crate::pages::Page;
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, IdentitySchema, LoginFlow, SessionCookie};
use crate::routes::params::{Query, once};
use crate::routes::state::AppState;
use crate::telemetry::{note, notes};

/// Query parameter carrying the signed re-authentication token through Kratos and back.
pub const REAUTH_PARAM: &str = "reauth";

/// Hydra's login request as the plan reads it; `params` are its demands.
fn request<'a>(login_request: &'a LoginRequest, params: &'a AuthParams) -> Request<'a> {
    Request {
        skip: login_request.skip,
        params,
        url: &login_request.request_url,
        remembered: Some(login_request.subject.as_str()).filter(|s| !s.is_empty()),
        hint: hint_subject(
            &login_request.oidc_context.id_token_hint_claims,
            &login_request.client.subject_type,
        ),
    }
}

/// What `/login`'s link carries besides the challenge: the token of a trip through Kratos, when the
/// browser comes back from one.
#[derive(serde::Deserialize)]
pub struct ReturnLink {
    #[serde(default, deserialize_with = "once")]
    reauth: Option<String>,
}

pub async fn login(
    mut page: Page,
    challenge: Challenge<LoginFlow>,
    IdentitySchema(identity_schema): IdentitySchema,
    Query(link): Query<ReturnLink>,
    cookie: SessionCookie,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let schema = identity_schema.as_deref();
    let answer = sign_in(&mut page, challenge.as_str(), schema, link, &cookie, &state).await;
    answer.map_err(|e| page.fail(e))
}

async fn sign_in(
    page: &mut Page,
    challenge: &str,
    schema: Option<&str>,
    link: ReturnLink,
    cookie: &SessionCookie,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    // A token that fails verification is as good as none: the plan then starts afresh.
    let reauth = link
        .reauth
        .and_then(|token| state.signer.verify_reauth(&token, challenge));

    // Fetch.
    let login_request = state.hydra.get_login_request(challenge).await?;
    // Its error pages ("Sign-in did not complete") in the language the application asked for.
    page.prefer(&login_request.oidc_context.ui_locales);
    let session = state.kratos.whoami(cookie.value()).await?;

    // Plan.
    let params = parse_auth_params(
        &login_request.request_url,
        &login_request.oidc_context.acr_values,
    );
    let plan = plan(&LoginFacts {
        request: request(&login_request, &params),
        session: &session,
        reauth: reauth.as_ref(),
        policy: &state.policies.login,
        now: OffsetDateTime::now_utc(),
    });
    // The plan itself is not logged, at any level: it holds the subject, the identity's claims and
    // the application's authorization request. The outcome is noted on the request span below.

    // Act.
    match plan {
        LoginPlan::Accept { body, source } => {
            let outcome = if login_request.skip {
                "accepted_skip"
            } else {
                "accepted"
            };
            notes([
                ("subject_source", source.as_str()),
                ("client_id", &login_request.client.client_id),
                ("outcome", outcome),
            ]);
            let redirect_to = state.hydra.accept_login_request(challenge, &body).await?;
            let target = Redirect::from_upstream(&redirect_to)?;
            state
                .metrics
                .logins
                .get_or_create(&SubjectLabels {
                    subject_source: source.as_str(),
                })
                .inc();
            Ok(target.response())
        }
        LoginPlan::Kratos(trip) => {
            let url = kratos_login_url(state, challenge, &trip, schema)?;
            let kind = trip.kind();
            if !trip.register {
                state
                    .metrics
                    .reauthentications
                    .get_or_create(&ReauthLabels { kind })
                    .inc();
            }
            note("outcome", kind);
            Ok(Redirect::from_config(url).response())
        }
        LoginPlan::Incomplete(retry) => {
            let url = kratos_login_url(state, challenge, &retry, schema)?;
            Err(AppError::ReauthIncomplete {
                retry: Redirect::from_config(url),
            })
        }
        LoginPlan::NoExternalId => Err(AppError::NoExternalId),
        LoginPlan::Reject(refusal) => reject(state, challenge, refusal).await,
        // Hydra's own URL: the authorization request it was handed, with prompt=login.
        LoginPlan::Restart(url) => {
            note("outcome", "restarted_other_subject");
            Ok(Redirect::from_upstream(url.as_str())?.response())
        }
    }
}

/// Rejects the login request at Hydra, which sends the error on to the application.
pub(crate) async fn reject(
    state: &AppState,
    challenge: &str,
    refusal: Refusal,
) -> Result<HttpResponse, AppError> {
    let body = Reject {
        error: refusal.error().into(),
        error_description: refusal.description().into(),
        status_code: None,
    };
    let redirect_to = state.hydra.reject_login_request(challenge, &body).await?;
    note("outcome", refusal.as_str());
    Ok(Redirect::from_upstream(&redirect_to)?.response())
}

/// `{kratos.browser_url}/self-service/{login|registration}/browser?…&return_to={base_url}/login?login_challenge=C&reauth=T`.
/// `login_challenge` is never passed to Kratos: it would then accept the Hydra flow itself, with the UUID.
pub(crate) fn kratos_login_url(
    state: &AppState,
    challenge: &str,
    trip: &KratosTrip,
    identity_schema: Option<&str>,
) -> Result<Url, AppError> {
    let settings = &state.settings;
    let token = state
        .signer
        .sign_reauth(challenge, &trip.token, settings.login.reauth_ttl.as_secs())
        .ok_or_else(|| AppError::Internal("signing the re-authentication token failed".into()))?;

    let mut return_to = join_url(&settings.serve.base_url, "/login");
    {
        let mut q = return_to.query_pairs_mut();
        q.append_pair("login_challenge", challenge);
        if let Some(schema) = identity_schema {
            q.append_pair("identity_schema", schema);
        }
        q.append_pair(REAUTH_PARAM, &token);
    }

    let flow = if trip.register {
        "/self-service/registration/browser"
    } else {
        "/self-service/login/browser"
    };
    let mut url = join_url(&settings.kratos.browser_url, flow);
    {
        let mut q = url.query_pairs_mut();
        if trip.refresh {
            q.append_pair("refresh", "true");
        }
        if trip.aal2 {
            q.append_pair("aal", "aal2");
        } else if let Some(schema) = identity_schema {
            // Kratos honours identity_schema only for first-factor logins.
            q.append_pair("identity_schema", schema);
        }
        q.append_pair("return_to", return_to.as_str());
    }
    Ok(url)
}
