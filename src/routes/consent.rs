//! `GET /consent` and `POST /consent`: grant (or deny) what the client asked for, with id_token claims
//! from the Kratos identity behind the subject.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use domain::consent::plan::{
    Answer, Consent, ConsentPage, ConsentPlan, ConsentRefusal, Found, Search, Start, plan, start,
};
use domain::consent::{Client, ConsentFacts, Lookup};
use domain::login::demands::parse_auth_params;

use crate::config::ScopeDescriptions;
use crate::error::{AppError, Failure};
use crate::i18n::Localizer;
use crate::ory::hydra::{ConsentRequest, Reject};
use crate::pages::{self, Page, add_cookie};
use crate::redirect::Redirect;
use crate::routes::extract::{Challenge, ConsentFlow};
use crate::routes::forms::{self, Form, Posted};
use crate::routes::state::AppState;
use crate::telemetry::{note, notes};

/// Hydra's consent request as the plan reads it.
fn facts(request: &ConsentRequest) -> ConsentFacts<'_> {
    let client = &request.client;
    ConsentFacts {
        skip: request.skip,
        client: Client {
            id: &client.client_id,
            name: &client.client_name,
            logo_uri: &client.logo_uri,
            policy_uri: &client.policy_uri,
            tos_uri: &client.tos_uri,
            skip_consent: client.skip_consent,
        },
        prompt_none: parse_auth_params(&request.request_url, &[]).prompt_none,
        subject: &request.subject,
        context: &request.context,
        requested_scope: &request.requested_scope,
        requested_audience: &request.requested_access_token_audience,
    }
}

pub async fn show(
    mut page: Page,
    req: HttpRequest,
    challenge: Challenge<ConsentFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = ask(&mut page, &req, challenge.as_str(), &state).await;
    answer.map_err(|e| page.fail(e))
}

pub async fn submit(
    mut page: Page,
    req: HttpRequest,
    form: Posted<ConsentFlow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = answered(&mut page, &req, form, &state).await;
    answer.map_err(|e| page.fail(e))
}

/// The consent request, in the language it asks for.
async fn fetch(
    page: &mut Page,
    state: &AppState,
    challenge: &str,
) -> Result<ConsentRequest, AppError> {
    let request = state.hydra.get_consent_request(challenge).await?;
    page.prefer(&request.oidc_context.ui_locales);
    Ok(request)
}

async fn ask(
    page: &mut Page,
    req: &HttpRequest,
    challenge: &str,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let request = fetch(page, state, challenge).await?;
    let consent = Consent {
        request: facts(&request),
        answer: None,
    };
    let plan = plan_with_identity(state, &consent).await?;
    act(page, req, state, challenge, &request, plan).await
}

async fn answered(
    page: &mut Page,
    req: &HttpRequest,
    form: Posted<ConsentFlow>,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let Posted {
        challenge,
        confirmed: allow,
        fields: form,
    } = form;
    let request = fetch(page, state, &challenge).await?;
    let answer = if allow {
        Answer::Allow {
            chosen: form.grant_scope.iter().map(String::as_str).collect(),
            remember: form
                .remember
                .as_deref()
                .is_some_and(|v| v == "true" || v == "on"),
        }
    } else {
        Answer::Deny
    };
    let consent = Consent {
        request: facts(&request),
        answer: Some(&answer),
    };
    let plan = plan_with_identity(state, &consent).await?;
    act(page, req, state, &challenge, &request, plan).await
}

/// The plan, with the identity behind the subject looked up first when it needs it.
async fn plan_with_identity(
    state: &AppState,
    consent: &Consent<'_>,
) -> Result<ConsentPlan, AppError> {
    let policy = &state.policies.consent;
    Ok(match start(consent, policy) {
        Start::Planned(plan) => plan,
        Start::LookUp(search) => plan(consent, policy, find(state, &search).await?),
    })
}

/// Asks Kratos the search's ways in turn, until one finds the identity.
async fn find(state: &AppState, search: &Search) -> Result<Found, AppError> {
    let mut found = Found::Nothing;
    for way in search.ways() {
        let answer = match way {
            Lookup::ById(id) => state.kratos.identity_by_id(id).await?,
            Lookup::ByExternalId(external_id) => {
                let answer = state.kratos.identity_by_external_id(external_id).await?;
                if answer.is_none() {
                    tracing::info!(
                        "no identity found by external_id (Kratos before v25.4 cannot look one up)"
                    );
                }
                answer
            }
        };
        found = search.judge(found, answer);
        if matches!(found, Found::Confirmed(_)) {
            break;
        }
    }
    Ok(found)
}

async fn act(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    request: &ConsentRequest,
    plan: ConsentPlan,
) -> Result<HttpResponse, AppError> {
    match plan {
        ConsentPlan::Accept { body, granted } => {
            let redirect_to = state.hydra.accept_consent_request(challenge, &body).await?;
            let target = Redirect::from_upstream(&redirect_to)?;
            // Counted once Hydra took it.
            state.metrics.consent(granted.as_str());
            notes([
                ("outcome", granted.as_str()),
                ("client_id", &request.client.client_id),
            ]);
            Ok(target.response())
        }
        ConsentPlan::Page(consent) => render_page(page, req, state, challenge, &consent),
        ConsentPlan::Reject(refusal) => reject(state, challenge, refusal).await,
    }
}

/// Rejects the consent request with an OAuth2 error the application gets, without a page.
async fn reject(
    state: &AppState,
    challenge: &str,
    refusal: ConsentRefusal,
) -> Result<HttpResponse, AppError> {
    if let ConsentRefusal::Unconfirmed { found_one } = refusal {
        let reason = if found_one {
            "subject_mismatch"
        } else {
            "identity_not_found"
        };
        tracing::warn!(
            reason,
            "rejecting consent: the identity behind the subject could not be confirmed"
        );
    }
    let body = Reject {
        error: refusal.error().into(),
        error_description: refusal.description().into(),
        status_code: None,
    };
    let redirect_to = state.hydra.reject_consent_request(challenge, &body).await?;
    let target = Redirect::from_upstream(&redirect_to)?;
    state.metrics.consent(refusal.as_str());
    note("outcome", refusal.as_str());
    Ok(target.response())
}

struct ScopeView<'a> {
    name: &'a str,
    description: String,
    /// `openid` is what signing in means: granted whenever requested, no checkbox.
    fixed: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentTemplate<'a> {
    page: &'a Page,
    client_name: &'a str,
    logo: Option<&'a str>,
    policy: Option<&'a str>,
    terms: Option<&'a str>,
    account: &'a str,
    scopes: Vec<ScopeView<'a>>,
    challenge: &'a str,
    csrf_token: &'a str,
    remember_checked: bool,
}

fn render_page(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    challenge: &str,
    consent: &ConsentPage,
) -> Result<HttpResponse, AppError> {
    let t = page.t();
    let csrf = forms::issue_csrf(req, state, ConsentFlow::PURPOSE, challenge)?;
    let descriptions = &state.policies.scope_descriptions;
    let scopes = consent
        .scopes
        .iter()
        .map(|scope| ScopeView {
            name: &scope.name,
            description: scope_description(&scope.name, descriptions, &t),
            fixed: scope.fixed,
        })
        .collect();
    let logo = consent.logo.as_deref();
    let template = ConsentTemplate {
        page,
        client_name: &consent.client_name,
        logo,
        policy: consent.policy.as_deref(),
        terms: consent.terms.as_deref(),
        account: &consent.account,
        scopes,
        challenge,
        csrf_token: &csrf.token,
        remember_checked: consent.remember,
    };
    let mut response = pages::render(StatusCode::OK, &template);
    state.brand.allow_page_image(&mut response, logo);
    add_cookie(&mut response, &csrf.cookie)?;
    Ok(response)
}

/// A readable description for a scope in `t`'s language: configured (for that language, else for
/// the default language), built in, or a generic one.
pub fn scope_description(scope: &str, descriptions: &ScopeDescriptions, t: &Localizer) -> String {
    if let Some(text) = descriptions
        .configured
        .get(scope)
        .and_then(|c| c.get(t.lang(), &descriptions.default_lang))
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
    use crate::config::LocalizedText;

    #[test]
    fn scope_descriptions_in_the_pages_language() {
        let catalogs = crate::i18n::Catalogs::load(None, "en").unwrap();
        let de = catalogs.choose(&["de".parse().unwrap()], &[]);
        let en = catalogs.default_localizer();
        let configured = [
            ("email".into(), LocalizedText::All("Work address".into())),
            (
                "customer".into(),
                LocalizedText::PerLanguage([("de".into(), "Ihre Kundennummer".into())].into()),
            ),
        ]
        .into();
        let descriptions = ScopeDescriptions {
            configured,
            default_lang: "en".into(),
        };
        let describe = |scope, t| scope_description(scope, &descriptions, t);
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
