//! The login's plan: the decision together with everything needed to act on it, so that the
//! handler only carries it out.

use time::OffsetDateTime;
use url::Url;

use super::demands::AuthParams;
use super::refusal::{Refusal, refuse_interaction};
use super::{
    AcceptLogin, Decision, LoginFacts, Reauth, accept_body, decide, required_aal, return_token,
};
use crate::identity::{KratosSession, Session};
use crate::subject::{MissingExternalId, SubjectKind, subject_for};

/// A redirect to Kratos: which flow, what Kratos must do there, and what the return must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KratosTrip {
    /// The registration flow instead of the login flow.
    pub register: bool,
    /// A fresh login (`refresh=true`).
    pub refresh: bool,
    /// The second factor (`aal=aal2`).
    pub aal2: bool,
    /// Signed into the return URL's `reauth` parameter.
    pub token: Reauth,
}

impl KratosTrip {
    /// A registration (`prompt=registration`): only a login after `now` counts on return, where
    /// every demand of the request is checked again.
    pub fn registration(now: OffsetDateTime) -> Self {
        Self {
            register: true,
            refresh: false,
            aal2: false,
            token: return_token(false, false, None, &KratosSession::None, now),
        }
    }

    /// What the trip is, for the log and `bridge_reauthentications_total`.
    pub fn kind(&self) -> &'static str {
        if self.register {
            "registration"
        } else if self.aal2 {
            "aal2"
        } else if self.refresh {
            "refresh"
        } else {
            "login"
        }
    }
}

/// What the login handler does, with everything it needs to do it.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginPlan {
    /// Accept the login at Hydra with this body, whose subject came from `source`.
    Accept {
        body: Box<AcceptLogin>,
        source: SubjectKind,
    },
    /// Send the browser to Kratos.
    Kratos(KratosTrip),
    /// The browser came back without the re-authentication it was sent for: a page that offers
    /// this trip as a retry, rather than a redirect that could loop.
    Incomplete(KratosTrip),
    /// The subject must be the external_id, and the identity has none: a page that says so.
    NoExternalId,
    /// Reject the login request at Hydra with this error, and send the browser where Hydra says.
    Reject(Refusal),
    /// Hydra remembers another person for this browser than the session's: the authorization
    /// request starts again here, with `prompt=login`, so that the person signs in afresh.
    Restart(Url),
}

/// The plan for `facts`. The person's subject is decided here, once: for the checks against what
/// Hydra remembers and what the application named, and for the accept.
pub fn plan(facts: &LoginFacts<'_>) -> LoginPlan {
    let now = facts.now;
    let decision = decide(facts);
    // A request invalid as a whole is told so first.
    if decision == Decision::Reject(Refusal::PromptConflict) {
        return LoginPlan::Reject(Refusal::PromptConflict);
    }
    let subject_of = |session: &Session| {
        let identity = &session.identity;
        subject_for(
            facts.policy.subject_source,
            &identity.id,
            identity.external_id.as_deref(),
        )
    };
    if let Some(Ok(own)) = facts.session.active().map(subject_of)
        && let Some(plan) = whose(facts, &own.value)
    {
        return plan;
    }
    match decision {
        Decision::Accept(session) => match subject_of(session) {
            Ok(subject) => LoginPlan::Accept {
                body: Box::new(accept_body(session, &subject, facts.policy.remember, now)),
                source: subject.kind,
            },
            // The page that says so is a page too.
            Err(MissingExternalId) if facts.request.params.prompt_none => {
                LoginPlan::Reject(Refusal::InteractionNeeded)
            }
            Err(MissingExternalId) => LoginPlan::NoExternalId,
        },
        Decision::Authenticate {
            refresh,
            aal2,
            since,
        } => LoginPlan::Kratos(KratosTrip {
            register: false,
            refresh,
            aal2,
            token: return_token(refresh, aal2, since, facts.session, now),
        }),
        Decision::Register => LoginPlan::Kratos(KratosTrip {
            register: true,
            refresh: false,
            aal2: false,
            token: return_token(false, false, None, facts.session, now),
        }),
        Decision::ReauthIncomplete => LoginPlan::Incomplete(retry(facts)),
        Decision::Reject(refusal) => LoginPlan::Reject(refusal),
    }
}

/// What turns on who the session's person is (`subject`, by the subject rule), decided before
/// anything is accepted or asked of Kratos.
fn whose(facts: &LoginFacts<'_>, subject: &str) -> Option<LoginPlan> {
    let request = &facts.request;
    // Whatever else the request asks: a fresh login at Kratos keeps the person, so going on
    // cannot make them the one the application named.
    if request.hint.is_some_and(|hint| hint != subject) {
        return Some(LoginPlan::Reject(Refusal::NotTheHinted));
    }
    // Hydra accepts no other subject than the one it remembers for this request: v2.1 refuses the
    // accept, later versions restart the request. The bridge restarts it itself, for every
    // version, where a fresh sign-in may be asked for.
    if request.remembered.is_some_and(|r| r != subject) {
        let restart = refuse_interaction(request.params)
            .is_none()
            .then(|| restart_with_login(request.url))
            .flatten();
        return Some(restart.map_or(
            LoginPlan::Reject(Refusal::OtherRemembered),
            LoginPlan::Restart,
        ));
    }
    None
}

/// What the `/registration` route (Hydra's `prompt=registration`) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationPlan {
    /// Kratos's registration flow.
    Kratos(KratosTrip),
    /// The request allows no interaction: rejected at Hydra.
    Reject(Refusal),
}

/// The `/registration` route's plan: Kratos's registration flow, unless the request allows no
/// interaction.
pub fn registration(params: &AuthParams, now: OffsetDateTime) -> RegistrationPlan {
    match refuse_interaction(params) {
        Some(refusal) => RegistrationPlan::Reject(refusal),
        None => RegistrationPlan::Kratos(KratosTrip::registration(now)),
    }
}

/// The retry asks afresh for all the request demands that Kratos can give from here (never
/// `aal=aal2` without a session: Kratos refuses it).
fn retry(facts: &LoginFacts<'_>) -> KratosTrip {
    let session = facts.session;
    let has_session = *session != KratosSession::None;
    let wanted_aal2 = facts.reauth.is_some_and(|r| r.aal >= 2)
        || required_aal(&facts.request.params.acr_values).is_some();
    let refresh = matches!(session, KratosSession::Active(_));
    let aal2 = (wanted_aal2 && has_session) || *session == KratosSession::Aal2Required;
    KratosTrip {
        register: false,
        refresh,
        aal2,
        token: return_token(true, aal2, None, session, facts.now),
    }
}

/// Where to send the browser when Hydra holds another subject for this request than the session's
/// (Hydra v2.1 refuses such an accept with 400; newer versions restart the request themselves): to
/// the authorization request again with `prompt=login`, as Hydra documents, so that Hydra sets its
/// remembered login aside and the person signs in afresh. `None` when that could not help or could
/// loop: the request allows no interaction (`prompt=none`), already had `prompt=login`, or carries
/// a request object (whose `prompt` wins over the query's); or Hydra's URL is no absolute http(s)
/// URL. The login is then rejected with `login_required`.
pub fn restart_with_login(request_url: &str) -> Option<Url> {
    let mut url = Url::parse(request_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    let mut pairs = Vec::new();
    let mut prompt: Vec<String> = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "request" | "request_uri" => return None,
            "prompt" => prompt.extend(
                value
                    .split(' ')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            ),
            _ => pairs.push((key.into_owned(), value.into_owned())),
        }
    }
    if prompt.iter().any(|p| p == "none" || p == "login") {
        return None;
    }
    prompt.push("login".into());
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("prompt", &prompt.join(" "));
    Some(url)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
