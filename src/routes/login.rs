//! `GET /login?login_challenge=C`: turns the browser's Kratos session into an accepted Hydra login.

use actix_web::http::header::COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use time::OffsetDateTime;
use url::Url;

use crate::config::join_url;
use crate::domain::login::demands::parse_auth_params;
use crate::domain::login::{
    Decision, LoginFacts, SessionState, aal_level, accept_body, decide, required_aal,
    restart_with_login, return_token,
};
use crate::domain::params::{QueryParams, validate_challenge, validate_identity_schema};
use crate::domain::subject::subject_for;
use crate::error::{AppError, within_deadline};
use crate::metrics::{ReauthLabels, SubjectLabels};
use crate::ory::hydra::{HydraError, Reject};
use crate::ory::kratos::{WhoAmI, find_cookie};
use crate::redirect::Redirect;
use crate::routes::state::AppState;
use crate::signed::Reauth;
use crate::telemetry::note;

/// Query parameter carrying the signed re-authentication token through Kratos and back.
pub const REAUTH_PARAM: &str = "reauth";

pub async fn login(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    within_deadline(&state.settings, handle(&req, &state)).await
}

async fn handle(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, AppError> {
    let query = QueryParams::parse(req.query_string());
    let settings = &state.settings;
    let challenge = validate_challenge(
        "login_challenge",
        query.single("login_challenge")?,
        settings.login.challenge_max_bytes,
    )?;
    let identity_schema = validate_identity_schema(
        query.single("identity_schema")?,
        &settings.kratos.identity_schemas,
    )?;
    // A token that fails verification is as good as none: the decision then starts afresh.
    let reauth = query
        .single(REAUTH_PARAM)?
        .and_then(|token| state.signer.verify_reauth(token, &challenge));

    let login_request = state.hydra.get_login_request(&challenge).await?;
    // Its error pages ("Sign-in did not complete") in the language the application asked for.
    crate::i18n::note_ui_locales(req, &login_request.oidc_context.ui_locales);
    let cookie = session_cookie(req, state.kratos.cookie_name());
    let whoami = state.kratos.whoami(cookie).await?;

    let session_state = match &whoami {
        WhoAmI::NoSession => SessionState::None,
        WhoAmI::Aal2Required => SessionState::Aal2Required,
        WhoAmI::Active(s) => SessionState::Active {
            authenticated_at: s.authenticated_at,
            aal: aal_level(&s.authenticator_assurance_level).unwrap_or(1),
        },
    };
    let params = parse_auth_params(
        &login_request.request_url,
        &login_request.oidc_context.acr_values,
    );
    let now = OffsetDateTime::now_utc();
    let decision = decide(&LoginFacts {
        skip: login_request.skip,
        params: &params,
        session: &session_state,
        reauth: reauth.as_ref(),
        policy: settings.login.reauthenticate,
        now,
        clock_skew_ms: settings.login.clock_skew_secs as i64 * 1000,
    });
    tracing::debug!(skip = login_request.skip, ?decision, "login decision");

    match (decision, whoami) {
        (Decision::Accept, WhoAmI::Active(session)) => {
            let subject = subject_for(
                settings.oauth2_provider.subject_source(),
                &session.identity.id,
                session.identity.external_id.as_deref(),
            )
            .map_err(|_| AppError::NoExternalId)?;
            note("subject_source", subject.kind.as_str());
            note("client_id", &login_request.client.client_id);
            note(
                "outcome",
                if login_request.skip {
                    "accepted_skip"
                } else {
                    "accepted"
                },
            );
            let body = accept_body(&session, &subject, &settings.login, now);
            let redirect_to = match state.hydra.accept_login_request(&challenge, &body).await {
                Ok(redirect_to) => redirect_to,
                // Hydra v2.1 holds another subject for this request and refuses ours.
                Err(HydraError::Refused { status: 400, .. })
                    if !login_request.subject.is_empty()
                        && login_request.subject != subject.value =>
                {
                    return another_subject(state, &challenge, &login_request.request_url).await;
                }
                Err(e) => return Err(e.into()),
            };
            let target = Redirect::from_upstream(&redirect_to)?;
            state
                .metrics
                .logins
                .get_or_create(&SubjectLabels {
                    subject_source: subject.kind.as_str(),
                })
                .inc();
            Ok(target.response())
        }
        (
            Decision::Authenticate {
                refresh,
                aal2,
                since,
            },
            _,
        ) => {
            let target = KratosLogin {
                register: false,
                refresh,
                aal2,
                token: return_token(refresh, aal2, since, &session_state, now),
                identity_schema: identity_schema.as_deref(),
            };
            let url = kratos_login_url(state, &challenge, &target)?;
            let kind = if aal2 {
                "aal2"
            } else if refresh {
                "refresh"
            } else {
                "login"
            };
            state
                .metrics
                .reauthentications
                .get_or_create(&ReauthLabels { kind })
                .inc();
            note("outcome", kind);
            Ok(Redirect::from_config(url).response())
        }
        (Decision::Register, _) => {
            let target = KratosLogin {
                register: true,
                refresh: false,
                aal2: false,
                token: return_token(false, false, None, &session_state, now),
                identity_schema: identity_schema.as_deref(),
            };
            let url = kratos_login_url(state, &challenge, &target)?;
            note("outcome", "registration");
            Ok(Redirect::from_config(url).response())
        }
        (Decision::ReauthIncomplete, _) => {
            // The retry asks afresh for all the request demands that Kratos can give from here
            // (never `aal=aal2` without a session: Kratos refuses it).
            let has_session = session_state != SessionState::None;
            let wanted_aal2 =
                reauth.is_some_and(|r| r.aal >= 2) || required_aal(&params.acr_values).is_some();
            let refresh = matches!(session_state, SessionState::Active { .. });
            let aal2 = (wanted_aal2 && has_session) || session_state == SessionState::Aal2Required;
            let retry = KratosLogin {
                register: false,
                refresh,
                aal2,
                token: return_token(true, aal2, None, &session_state, now),
                identity_schema: identity_schema.as_deref(),
            };
            let url = kratos_login_url(state, &challenge, &retry)?;
            Err(AppError::ReauthIncomplete {
                retry: Redirect::from_config(url),
            })
        }
        (Decision::Accept, _) => Err(AppError::Internal(
            "login accepted without an active session".into(),
        )),
    }
}

/// Hydra remembers another person for this browser than the Kratos session's (v2.1 refuses the
/// accept): the authorization request starts again with `prompt=login`, so that the person can go
/// on with a fresh sign-in; where that cannot work, the application gets `login_required`.
async fn another_subject(
    state: &AppState,
    challenge: &str,
    request_url: &str,
) -> Result<HttpResponse, AppError> {
    if let Some(url) = restart_with_login(request_url) {
        note("outcome", "restarted_other_subject");
        return Ok(Redirect::from_upstream(url.as_str())?.response());
    }
    let reject = Reject {
        error: "login_required".into(),
        error_description: "Another account is signed in than the one remembered for this \
                            browser; the sign-in must start again."
            .into(),
        status_code: None,
    };
    let redirect_to = state.hydra.reject_login_request(challenge, &reject).await?;
    note("outcome", "rejected_other_subject");
    Ok(Redirect::from_upstream(&redirect_to)?.response())
}

/// The browser's Kratos session cookie, looked up in every `Cookie` header it sent.
pub fn session_cookie<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|h| h.to_str().ok())
        .find_map(|h| find_cookie(h, name))
}

/// Where in Kratos to send the browser, and what to ask for there.
pub(crate) struct KratosLogin<'a> {
    /// The registration flow instead of the login flow.
    pub register: bool,
    pub refresh: bool,
    pub aal2: bool,
    /// What the return must show (signed into its `reauth` parameter).
    pub token: Reauth,
    pub identity_schema: Option<&'a str>,
}

/// `{kratos.browser_url}/self-service/{login|registration}/browser?…&return_to={base_url}/login?login_challenge=C&reauth=T`.
/// `login_challenge` is never passed to Kratos: it would then accept the Hydra flow itself, with the UUID.
pub(crate) fn kratos_login_url(
    state: &AppState,
    challenge: &str,
    target: &KratosLogin<'_>,
) -> Result<Url, AppError> {
    let settings = &state.settings;
    let token = state
        .signer
        .sign_reauth(challenge, &target.token, settings.login.reauth_ttl_secs)
        .ok_or_else(|| AppError::Internal("signing the re-authentication token failed".into()))?;

    let mut return_to = join_url(&settings.serve.base_url, "/login");
    {
        let mut q = return_to.query_pairs_mut();
        q.append_pair("login_challenge", challenge);
        if let Some(schema) = target.identity_schema {
            q.append_pair("identity_schema", schema);
        }
        q.append_pair(REAUTH_PARAM, &token);
    }

    let flow = if target.register {
        "/self-service/registration/browser"
    } else {
        "/self-service/login/browser"
    };
    let mut url = join_url(&settings.kratos.browser_url, flow);
    {
        let mut q = url.query_pairs_mut();
        if target.refresh {
            q.append_pair("refresh", "true");
        }
        if target.aal2 {
            q.append_pair("aal", "aal2");
        } else if let Some(schema) = target.identity_schema {
            // Kratos honours identity_schema only for first-factor logins.
            q.append_pair("identity_schema", schema);
        }
        q.append_pair("return_to", return_to.as_str());
    }
    Ok(url)
}
