//! `GET /consent` and `POST /consent`: grant (or deny) what the client asked for, with id_token claims
//! from the Kratos identity behind the subject.

pub mod decide;

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::challenge::{QueryParams, validate_challenge};
use crate::claims::{build_claims, claims_need_identity};
use crate::csrf;
use crate::error::{AppError, within_deadline};
use crate::pages;
use crate::redirect::Redirect;
use crate::startup::AppState;
use crate::subject::subject_for;
use crate::telemetry::note;
use crate::upstream::hydra::{AcceptConsent, ConsentRequest, ConsentSession, Reject};
use crate::upstream::kratos::Identity;
use decide::{
    Lookup, auto_accept, context_identity_id, grant_scopes, lookup_plan, scope_description,
};

/// Binds consent form tokens to this form.
const CSRF_PURPOSE: &str = "consent";

enum Resolved {
    Found(Box<Identity>),
    /// No identity answers to the subject (deleted, or an external_id lookup Kratos cannot do).
    NotFound,
    /// An identity was found but its mapped subject is not the request's, or it is inactive.
    Mismatch,
}

/// Finds the identity behind the consent request and checks it maps to the request's subject.
async fn resolve_identity(
    state: &AppState,
    request: &ConsentRequest,
) -> Result<Resolved, AppError> {
    let source = state.settings.oauth2_provider.subject_source();
    let mut mismatch = false;
    for lookup in lookup_plan(&request.context, &request.subject, source) {
        let found = match &lookup {
            Lookup::ById(id) => state.kratos.identity_by_id(id).await?,
            Lookup::ByExternalId(external_id) => {
                state.kratos.identity_by_external_id(external_id).await?
            }
        };
        let Some(identity) = found else {
            if matches!(lookup, Lookup::ByExternalId(_)) {
                tracing::info!(
                    "no identity found by external_id (Kratos before v25.4 cannot look one up)"
                );
            }
            continue;
        };
        let mapped = subject_for(source, &identity.id, identity.external_id.as_deref());
        if identity.is_active() && mapped.is_ok_and(|s| s.value == request.subject) {
            return Ok(Resolved::Found(Box::new(identity)));
        }
        mismatch = true;
    }
    Ok(if mismatch {
        Resolved::Mismatch
    } else {
        Resolved::NotFound
    })
}

/// Rejects a consent whose identity cannot be confirmed: claims are never built for someone else.
async fn reject_unconfirmed(
    state: &AppState,
    challenge: &str,
    why: &Resolved,
) -> Result<HttpResponse, AppError> {
    let reason = if matches!(why, Resolved::Mismatch) {
        "subject_mismatch"
    } else {
        "identity_not_found"
    };
    tracing::warn!(
        reason,
        "rejecting consent: the identity behind the subject could not be confirmed"
    );
    state.metrics.consent("rejected");
    note("outcome", "rejected");
    let body = Reject {
        error: "access_denied".into(),
        error_description: "The account behind this request could not be confirmed.".into(),
        status_code: None,
    };
    let redirect_to = state.hydra.reject_consent_request(challenge, &body).await?;
    Ok(Redirect::from_upstream(&redirect_to)?.response())
}

/// Accepts with the claims `identity` releases for `granted`; with no identity (none needed) no claims.
async fn accept(
    state: &AppState,
    challenge: &str,
    request: &ConsentRequest,
    identity: Option<&Identity>,
    granted: Vec<String>,
    remember: bool,
    outcome: &'static str,
) -> Result<HttpResponse, AppError> {
    let settings = &state.settings;
    let claims = identity
        .map(|identity| {
            build_claims(
                identity,
                &granted,
                &request.client.client_id,
                &settings.claims,
            )
        })
        .unwrap_or_default();
    let body = AcceptConsent {
        grant_scope: granted,
        grant_access_token_audience: request.requested_access_token_audience.clone(),
        remember,
        remember_for: if remember {
            settings.consent.remember_for
        } else {
            0
        },
        session: ConsentSession {
            id_token: claims.id_token,
            access_token: claims.access_token,
        },
    };
    let redirect_to = state.hydra.accept_consent_request(challenge, &body).await?;
    let target = Redirect::from_upstream(&redirect_to)?;
    // Counted once Hydra took it.
    state.metrics.consent(outcome);
    note("outcome", outcome);
    note("client_id", &request.client.client_id);
    Ok(target.response())
}

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    within_deadline(&state.settings, show_within(&req, &state)).await
}

async fn show_within(req: &HttpRequest, state: &AppState) -> Result<HttpResponse, AppError> {
    let query = QueryParams::parse(req.query_string());
    let challenge = validate_challenge(
        "consent_challenge",
        query.single("consent_challenge")?,
        state.settings.login.challenge_max_bytes,
    )?;
    let request = state.hydra.get_consent_request(&challenge).await?;
    let auto = auto_accept(&request, &state.settings.consent.trusted_clients);
    // When nothing granted needs the identity, and the bridge's own login step named it in the
    // context (Hydra binds that context to this subject), there is nothing to look up.
    let needs_identity = auto.is_none()
        || context_identity_id(&request.context).is_none()
        || claims_need_identity(
            &request.requested_scope,
            &request.client.client_id,
            &state.settings.claims,
        );
    let identity = if needs_identity {
        match resolve_identity(state, &request).await? {
            Resolved::Found(identity) => Some(identity),
            other => return reject_unconfirmed(state, &challenge, &other).await,
        }
    } else {
        None
    };
    if let Some(reason) = auto {
        // Hydra never seeds a future skip from a skipped consent; trusted clients need no memory.
        let granted = request.requested_scope.clone();
        return accept(
            state,
            &challenge,
            &request,
            identity.as_deref(),
            granted,
            false,
            reason.as_str(),
        )
        .await;
    }
    let Some(identity) = identity else {
        return Err(AppError::Internal(
            "consent page without an identity".into(),
        ));
    };
    render_page(req, state, &challenge, &request, &identity)
}

struct ScopeView {
    name: String,
    description: String,
    /// `openid` is what signing in means: granted whenever requested, no checkbox.
    fixed: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    client_name: &'a str,
    logo: Option<&'a str>,
    account: &'a str,
    scopes: Vec<ScopeView>,
    challenge: &'a str,
    csrf_token: &'a str,
    remember_checked: bool,
}

/// How the user recognises the account: the email trait, else the external_id, else the id.
fn account_label(identity: &Identity) -> &str {
    identity
        .traits
        .get("email")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .or(identity.external_id.as_deref().filter(|s| !s.is_empty()))
        .unwrap_or(&identity.id)
}

fn render_page(
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    request: &ConsentRequest,
    identity: &Identity,
) -> Result<HttpResponse, AppError> {
    let settings = &state.settings;
    let csrf = csrf::issue(req, state, CSRF_PURPOSE, challenge)?;
    let client = &request.client;
    let client_name = if client.client_name.is_empty() {
        &client.client_id
    } else {
        &client.client_name
    };
    // https only: the page's CSP allows the logo's origin and no other images from elsewhere.
    let logo = url::Url::parse(&client.logo_uri)
        .ok()
        .filter(|u| u.scheme() == "https")
        .map(|_| client.logo_uri.as_str());
    let scopes = request
        .requested_scope
        .iter()
        .map(|s| ScopeView {
            name: s.clone(),
            description: scope_description(s, &settings.consent.scope_descriptions),
            fixed: s == "openid",
        })
        .collect();
    let page = ConsentPage {
        client_name,
        logo,
        account: account_label(identity),
        scopes,
        challenge,
        csrf_token: &csrf.token,
        remember_checked: settings.consent.remember_by_default,
    };
    let mut response = pages::render(StatusCode::OK, &page);
    crate::brand::allow_page_image(&mut response, settings, logo);
    response.headers_mut().append(SET_COOKIE, csrf.set_cookie);
    Ok(response)
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
    let csrf::PostedForm {
        challenge,
        confirmed: allow,
        fields: form,
    } = csrf::read_posted_form(
        req,
        payload,
        state,
        CSRF_PURPOSE,
        "consent_challenge",
        ("allow", "deny"),
    )
    .await?;
    let request = state.hydra.get_consent_request(&challenge).await?;
    if !allow {
        state.metrics.consent("denied");
        note("outcome", "denied");
        let body = Reject {
            error: "access_denied".into(),
            error_description: "The resource owner denied the request".into(),
            status_code: None,
        };
        let redirect_to = state
            .hydra
            .reject_consent_request(&challenge, &body)
            .await?;
        return Ok(Redirect::from_upstream(&redirect_to)?.response());
    }
    let identity = match resolve_identity(state, &request).await? {
        Resolved::Found(identity) => identity,
        other => return reject_unconfirmed(state, &challenge, &other).await,
    };
    let mut chosen = form.all("grant_scope");
    // openid has no checkbox: it is what signing in means.
    chosen.push("openid");
    let granted = grant_scopes(&chosen, &request.requested_scope);
    let remember = form
        .single("remember")?
        .is_some_and(|v| v == "true" || v == "on");
    accept(
        state,
        &challenge,
        &request,
        Some(&identity),
        granted,
        remember,
        "granted",
    )
    .await
}
