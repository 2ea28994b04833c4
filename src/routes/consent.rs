//! `GET /consent` and `POST /consent`: grant (or deny) what the client asked for, with id_token claims
//! from the Kratos identity behind the subject.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::config::LocalizedText;
use crate::error::AppError;
use crate::i18n::Localizer;
use crate::ory::hydra::{AcceptConsent, ConsentRequest, ConsentSession, Reject};
use crate::ory::kratos::Identity;
use crate::pages;
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, ConsentFlow};
use crate::routes::forms::{self, Form, Posted};
use crate::routes::language;
use crate::routes::state::AppState;
use crate::telemetry::{note, notes};
use domain::claims::build_claims;
use domain::consent::{
    ConsentFacts, Lookup, Step, confirms, grant_scopes, lookup_plan, needs_identity, step,
};
use domain::login::demands::parse_auth_params;

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
        if confirms(&identity, source, &request.subject) {
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

/// Rejects the consent request with an OAuth2 `error` the application gets, without a page.
async fn reject(
    state: &AppState,
    challenge: &str,
    error: &'static str,
    description: &str,
) -> Result<HttpResponse, AppError> {
    let body = Reject {
        error: error.into(),
        error_description: description.into(),
        status_code: None,
    };
    let redirect_to = state.hydra.reject_consent_request(challenge, &body).await?;
    let target = Redirect::from_upstream(&redirect_to)?;
    state.metrics.consent(error);
    note("outcome", error);
    Ok(target.response())
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
    notes([
        ("outcome", outcome),
        ("client_id", &request.client.client_id),
    ]);
    Ok(target.response())
}

pub async fn show(
    req: HttpRequest,
    challenge: Challenge<ConsentFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (req, state, challenge) = (&req, state.get_ref(), challenge.into_string());
    let request = state.hydra.get_consent_request(&challenge).await?;
    language::note_ui_locales(req, &request.oidc_context.ui_locales);
    let facts = ConsentFacts {
        skip: request.skip,
        skip_consent: request.client.skip_consent,
        client_id: &request.client.client_id,
        prompt_none: parse_auth_params(&request.request_url, &[]).prompt_none,
    };
    let auto = match step(&facts, &state.settings.consent.trusted_clients) {
        Step::Grant(reason) => Some(reason),
        Step::Ask => None,
        Step::Reject { error, description } => {
            return reject(state, &challenge, error, description).await;
        }
    };
    let lookup = needs_identity(
        auto,
        &request.context,
        &request.requested_scope,
        &request.client.client_id,
        &state.settings.claims,
    );
    let identity = if lookup {
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
    t: Localizer<'a>,
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
    let t = language::localizer(req, &state.i18n);
    let csrf = forms::issue_csrf(req, state, ConsentFlow::PURPOSE, challenge)?;
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
            description: scope_description(
                s,
                &settings.consent.scope_descriptions,
                &t,
                &settings.ui.default_locale,
            ),
            fixed: s == "openid",
        })
        .collect();
    let page = ConsentPage {
        t,
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
    form: Posted<ConsentFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let state = state.get_ref();
    let Posted {
        challenge,
        confirmed: allow,
        fields: form,
        ..
    } = form;
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

/// A readable description for a scope in `t`'s language: configured (for that language, else for
/// `default_lang`), built in, or a generic one.
pub fn scope_description(
    scope: &str,
    configured: &BTreeMap<String, LocalizedText>,
    t: &Localizer,
    default_lang: &str,
) -> String {
    if let Some(text) = configured
        .get(scope)
        .and_then(|c| c.get(t.lang(), default_lang))
    {
        return text.to_owned();
    }
    match scope {
        "openid" | "profile" | "email" | "phone" | "address" | "offline_access" => {
            t.text(&format!("scope-{scope}"))
        }
        other => t.with("scope-other", "scope", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_descriptions_in_the_pages_language() {
        let catalogs = crate::i18n::Catalogs::load(None, "en").unwrap();
        let de = catalogs.choose(&["de".parse().unwrap()], &[]);
        let en = catalogs.default_localizer();
        let configured: BTreeMap<String, LocalizedText> = [
            ("email".into(), LocalizedText::All("Work address".into())),
            (
                "customer".into(),
                LocalizedText::PerLanguage([("de".into(), "Ihre Kundennummer".into())].into()),
            ),
        ]
        .into();
        let describe = |scope, t| scope_description(scope, &configured, t, "en");
        assert_eq!(describe("email", &de), "Work address");
        assert_eq!(describe("customer", &de), "Ihre Kundennummer");
        assert_eq!(describe("customer", &en), "Access to “customer”");
        assert_eq!(
            describe("profile", &de),
            "Ihr Name und grundlegende Profilangaben"
        );
        assert_eq!(describe("admin", &de), "Zugriff auf „admin“");
        assert_eq!(describe("openid", &en), "Sign you in with your account");
    }
}
