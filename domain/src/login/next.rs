//! What the login handler does next: the decision together with everything needed to act on it,
//! so that the handler only carries it out.

use time::OffsetDateTime;

use super::demands::AuthParams;
use super::refusal::{Refusal, refuse_interaction};
use super::{
    AcceptLogin, Decision, LoginFacts, Reauth, Remember, accept_body, decide, required_aal,
    return_token,
};
use crate::identity::KratosSession;
use crate::subject::{Subject, SubjectSource, subject_for};

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

#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Accept the login at Hydra with this body.
    Accept {
        body: Box<AcceptLogin>,
        subject: Subject,
    },
    /// Send the browser to Kratos.
    Kratos(KratosTrip),
    /// The browser came back without the re-authentication it was sent for: a page that offers
    /// this trip as a retry, rather than a redirect that could loop.
    Incomplete(KratosTrip),
    /// The subject must be the external_id, and the identity has none.
    NoExternalId,
    /// Reject the login request at Hydra with this error, and send the browser where Hydra says.
    Reject(Refusal),
}

/// How an accepted login is told to Hydra.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptRules {
    pub subject_source: SubjectSource,
    pub remember: Remember,
}

/// The login decision for `facts`.
pub fn next(facts: &LoginFacts<'_>, rules: &AcceptRules) -> Next {
    let now = facts.now;
    let decision = decide(facts);
    let active = facts.session.active();
    let subject = active.map(|session| {
        let identity = &session.identity;
        subject_for(
            rules.subject_source,
            &identity.id,
            identity.external_id.as_deref(),
        )
    });
    let own = subject.as_ref().and_then(|s| s.as_ref().ok());
    if let Some(refusal) = whose(facts, decision, own.map(|s| s.value.as_str())) {
        return Next::Reject(refusal);
    }
    match decision {
        Decision::Accept => {
            // `decide` accepts only an active session; anything else gets a fresh login.
            let (Some(session), Some(subject)) = (active, subject) else {
                return refuse_interaction(facts.params)
                    .map_or_else(|| Next::Kratos(first_login(facts)), Next::Reject);
            };
            match subject {
                Ok(subject) => Next::Accept {
                    body: Box::new(accept_body(session, &subject, rules.remember, now)),
                    subject,
                },
                // The page that says so is a page too.
                Err(_) if facts.params.prompt_none => Next::Reject(Refusal::InteractionNeeded),
                Err(_) => Next::NoExternalId,
            }
        }
        Decision::Authenticate {
            refresh,
            aal2,
            since,
        } => Next::Kratos(KratosTrip {
            register: false,
            refresh,
            aal2,
            token: return_token(refresh, aal2, since, facts.session, now),
        }),
        Decision::Register => Next::Kratos(KratosTrip {
            register: true,
            refresh: false,
            aal2: false,
            token: return_token(false, false, None, facts.session, now),
        }),
        Decision::ReauthIncomplete => Next::Incomplete(retry(facts)),
        Decision::Reject(refusal) => Next::Reject(refusal),
    }
}

/// The refusals that turn on who the session's person is (`subject`, by the subject rule), made
/// before anything is accepted. A request invalid as a whole is told so first.
fn whose(facts: &LoginFacts<'_>, decision: Decision, subject: Option<&str>) -> Option<Refusal> {
    if decision == Decision::Reject(Refusal::PromptConflict) {
        return None;
    }
    let subject = subject?;
    // Whatever else the request asks: a fresh login at Kratos keeps the person, so going on
    // cannot make them the one the application named.
    if facts.hint.is_some_and(|hint| hint != subject) {
        return Some(Refusal::NotTheHinted);
    }
    // Without prompt=none, Hydra answers the accept of another subject by restarting the request
    // with prompt=login (see `restart_with_login`); with it, no fresh sign-in may be asked for.
    if facts.params.prompt_none && facts.remembered.is_some_and(|r| r != subject) {
        return Some(Refusal::OtherRemembered);
    }
    None
}

/// The `/registration` route's decision (Hydra's `prompt=registration`): Kratos's registration
/// flow, unless the request allows no interaction.
pub fn registration(params: &AuthParams, now: OffsetDateTime) -> Result<KratosTrip, Refusal> {
    match refuse_interaction(params) {
        Some(refusal) => Err(refusal),
        None => Ok(KratosTrip::registration(now)),
    }
}

fn first_login(facts: &LoginFacts<'_>) -> KratosTrip {
    KratosTrip {
        register: false,
        refresh: false,
        aal2: false,
        token: return_token(false, false, None, facts.session, facts.now),
    }
}

/// The retry asks afresh for all the request demands that Kratos can give from here (never
/// `aal=aal2` without a session: Kratos refuses it).
fn retry(facts: &LoginFacts<'_>) -> KratosTrip {
    let session = facts.session;
    let has_session = *session != KratosSession::None;
    let wanted_aal2 = facts.reauth.is_some_and(|r| r.aal >= 2)
        || required_aal(&facts.params.acr_values).is_some();
    let refresh = matches!(session, KratosSession::Active(_));
    let aal2 = (wanted_aal2 && has_session) || *session == KratosSession::Aal2Required;
    KratosTrip {
        register: false,
        refresh,
        aal2,
        token: return_token(true, aal2, None, session, facts.now),
    }
}

#[cfg(test)]
#[path = "next_tests.rs"]
mod tests;
