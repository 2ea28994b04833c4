//! `GET {apps.path}`: the applications holding the signed-in person's consent; `POST
//! {apps.path}`: withdrawing it, after a confirmation page. Only the person's own subjects
//! (by the login's subject rule) are read or touched, and a posted application must be on their
//! current list.

mod view;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::apps::plan::{
    Listing, Outcome, Report, Revocation, Start, Step, Target, WithdrawPlan, list, report, start,
    withdraw,
};
use domain::apps::{AppClient, Entry, Grant, Subjects, merge};
use domain::params::InputError;
use serde::Deserialize;

use crate::config::join_url;
use crate::error::{AppError, Failure};
use crate::ory::hydra::sessions::ConsentSession;
use crate::pages::Page;
use crate::redirect::Redirect;
use crate::routes::deadline;
use crate::routes::extract::SessionCookie;
use crate::routes::forms;
use crate::routes::params::{self, once};
use crate::routes::state::AppState;
use crate::telemetry::{note, notes};

/// What the page's forms are bound to, with the person's identity id.
const PURPOSE: &str = "apps";
/// Left for rendering the answer once the revocations are done.
const RENDER_MARGIN: Duration = Duration::from_millis(500);

pub async fn show(
    page: Page,
    req: HttpRequest,
    cookie: SessionCookie,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = list_page(&page, &req, &cookie, &state).await;
    answer.map_err(|e| page.fail(e))
}

pub async fn submit(
    page: Page,
    req: HttpRequest,
    payload: web::Payload,
    cookie: SessionCookie,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let answer = posted(&page, &req, payload.into_inner(), &cookie, &state).await;
    answer.map_err(|e| page.fail(e))
}

/// The person, or where they sign in first: the plan's first step, from whoami.
enum Person {
    /// The identity's id, and the subjects its grants may be under.
    Known(String, Subjects),
    SignIn(HttpResponse),
}

async fn person(state: &AppState, cookie: &SessionCookie) -> Result<Person, AppError> {
    let session = state.kratos.whoami(cookie.value()).await?;
    Ok(match start(&session, &state.policies.apps) {
        Start::SignIn { aal2 } => Person::SignIn(sign_in(state, aal2).response()),
        Start::Read {
            identity_id,
            subjects,
        } => Person::Known(identity_id, subjects),
    })
}

/// `{kratos.browser_url}/self-service/login/browser?return_to={base_url}{apps.path}`.
fn sign_in(state: &AppState, aal2: bool) -> Redirect {
    let settings = &state.settings;
    let return_to = join_url(&settings.serve.base_url, &settings.apps.path);
    let mut url = join_url(&settings.kratos.browser_url, "/self-service/login/browser");
    {
        let mut q = url.query_pairs_mut();
        if aal2 {
            q.append_pair("aal", "aal2");
        }
        q.append_pair("return_to", return_to.as_str());
    }
    note("outcome", "apps_sign_in");
    Redirect::from_config(url)
}

/// Hydra's consent session as the plan reads it.
fn grant(session: ConsentSession) -> Grant {
    let client = session.consent_request.client;
    Grant {
        client: AppClient {
            id: client.client_id,
            name: client.client_name,
            logo_uri: client.logo_uri,
            client_uri: client.client_uri,
            policy_uri: client.policy_uri,
            tos_uri: client.tos_uri,
        },
        scopes: session.grant_scope,
        given: session.handled_at,
        remember: session.remember,
        remember_for: u64::try_from(session.remember_for).unwrap_or(0),
    }
}

/// Every application holding a grant of the person's, from every page Hydra has.
async fn entries(state: &AppState, subjects: &Subjects) -> Result<Vec<Entry>, AppError> {
    let mut found = Vec::new();
    for (held, subject) in subjects.each() {
        let sessions = state.hydra.list_consent_sessions(subject).await?;
        found.push((held, sessions.into_iter().map(grant).collect()));
    }
    Ok(merge(&found))
}

async fn list_page(
    page: &Page,
    req: &HttpRequest,
    cookie: &SessionCookie,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let (identity_id, subjects) = match person(state, cookie).await? {
        Person::SignIn(redirect) => return Ok(redirect),
        Person::Known(identity_id, subjects) => (identity_id, subjects),
    };
    let listing = list(entries(state, &subjects).await?, &state.policies.apps);
    note("outcome", "apps_listed");
    view::list(
        page,
        req,
        state,
        &identity_id,
        &listing,
        None,
        StatusCode::OK,
    )
}

/// The page's forms: one application (`client`) or all of them (`all=yes`), and the button.
#[derive(Deserialize)]
struct WithdrawFields {
    #[serde(default, deserialize_with = "once")]
    client: Option<String>,
    #[serde(default, deserialize_with = "once")]
    all: Option<String>,
    #[serde(default, deserialize_with = "once")]
    action: Option<String>,
    #[serde(default, deserialize_with = "once")]
    csrf_token: Option<String>,
}

impl WithdrawFields {
    fn target(&self) -> Result<Target, InputError> {
        match (self.client.as_deref(), self.all.as_deref()) {
            (Some(client), None) if !client.is_empty() => Ok(Target::One(client.to_owned())),
            (Some(_), None) => Err(InputError::Empty("client")),
            (None, Some("yes")) => Ok(Target::All),
            (None, Some(_)) => Err(InputError::BadCharacters("all")),
            (Some(_), Some(_)) => Err(InputError::Unreadable {
                name: "client".into(),
                problem: "is given with `all`".into(),
            }),
            (None, None) => Err(InputError::Missing("client")),
        }
    }

    fn step(&self) -> Result<Step, InputError> {
        match self.action.as_deref() {
            Some("ask") => Ok(Step::Ask),
            Some("confirm") => Ok(Step::Confirm),
            Some("cancel") => Ok(Step::Cancel),
            Some(_) => Err(InputError::BadCharacters("action")),
            None => Err(InputError::Missing("action")),
        }
    }
}

async fn posted(
    page: &Page,
    req: &HttpRequest,
    payload: actix_web::dev::Payload,
    cookie: &SessionCookie,
    state: &AppState,
) -> Result<HttpResponse, AppError> {
    let limit = state.settings.serve.max_form_bytes.get();
    let body = forms::read_body(req, payload, limit).await?;
    let fields: WithdrawFields = params::decode(&body)?;
    let (target, step) = (fields.target()?, fields.step()?);
    let (identity_id, subjects) = match person(state, cookie).await? {
        Person::SignIn(redirect) => return Ok(redirect),
        Person::Known(identity_id, subjects) => (identity_id, subjects),
    };
    let token = fields.csrf_token.as_deref();
    if let Err(e) = forms::verify_csrf(req, state, PURPOSE, &identity_id, token) {
        tracing::warn!(error = %e, "connected apps: a form that is not the person's own");
        note("outcome", "apps_form_refused");
        return Ok(view::refused(page, state));
    }
    let entries = entries(state, &subjects).await?;
    match withdraw(&target, step, &entries, &subjects) {
        WithdrawPlan::Back => Ok(view::back(state).response()),
        WithdrawPlan::NotOnList => {
            note("outcome", "apps_not_on_list");
            let note_id = "apps-not-on-list";
            let listing = list(entries, &state.policies.apps);
            let status = StatusCode::CONFLICT;
            view::list(
                page,
                req,
                state,
                &identity_id,
                &listing,
                Some(note_id),
                status,
            )
        }
        WithdrawPlan::Nothing => {
            let listing = Listing {
                shown: Vec::new(),
                more: 0,
            };
            let status = StatusCode::CONFLICT;
            let note_id = Some("apps-nothing");
            view::list(page, req, state, &identity_id, &listing, note_id, status)
        }
        WithdrawPlan::Confirm { entries, all } => {
            view::confirm(page, req, state, &identity_id, &entries, all)
        }
        WithdrawPlan::Revoke {
            revocations,
            entries,
            all,
        } => {
            let budget = deadline::remaining(req);
            let results = revoke(state, revocations, budget).await;
            let report = report(&entries, &results);
            log(&report, all);
            Ok(view::done(page, state, &report, all))
        }
    }
}

/// Sends each revocation in turn while time is left before the answer is due: one that fails, or
/// that there was no time for, leaves its applications with access, and the page says which.
async fn revoke(
    state: &AppState,
    revocations: Vec<Revocation>,
    budget: Option<Duration>,
) -> Vec<(Revocation, bool)> {
    let due = budget.map(|b| tokio::time::Instant::now() + b.saturating_sub(RENDER_MARGIN));
    let mut results = Vec::new();
    for revocation in revocations {
        let call = state
            .hydra
            .revoke_consent_sessions(&revocation.subject, revocation.client.as_deref());
        let answered = match due {
            Some(due) => tokio::time::timeout_at(due, call).await.ok(),
            None => Some(call.await),
        };
        let ok = match answered {
            Some(Ok(())) => true,
            Some(Err(e)) => {
                tracing::error!(error = %e, held = ?revocation.held, "withdrawing consent failed");
                false
            }
            None => {
                tracing::error!(held = ?revocation.held, "withdrawing consent: no time left to confirm it");
                false
            }
        };
        results.push((revocation, ok));
    }
    results
}

fn log(report: &Report, all: bool) {
    let outcome = match report.outcome() {
        Outcome::Done => "apps_withdrawn",
        Outcome::Partly => "apps_withdrawn_partly",
        Outcome::Failed => "apps_withdraw_failed",
    };
    let withdrawn: Vec<&str> = report
        .withdrawn
        .iter()
        .map(|e| e.client_id.as_str())
        .collect();
    let kept: Vec<&str> = report.kept.iter().map(|e| e.client_id.as_str()).collect();
    match (all, report.withdrawn.first().or(report.kept.first())) {
        (false, Some(entry)) => notes([("outcome", outcome), ("client_id", &entry.client_id)]),
        _ => note("outcome", outcome),
    }
    tracing::info!(all, ?withdrawn, ?kept, "consent withdrawn by the person");
}
