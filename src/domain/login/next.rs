//! What the login handler does next: the decision together with everything needed to act on it,
//! so that the handler only carries it out.

use time::OffsetDateTime;

use super::{
    AcceptLogin, Decision, LoginFacts, Reauth, Remember, SessionState, accept_body, decide,
    required_aal, return_token,
};
use crate::domain::identity::Browser;
use crate::domain::subject::{Subject, SubjectSource, subject_for};

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
            token: return_token(false, false, None, &SessionState::None, now),
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
}

/// How an accepted login is told to Hydra.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptRules {
    pub subject_source: SubjectSource,
    pub remember: Remember,
}

/// The login decision for `facts`, whose `session` must be `SessionState::of(browser)`.
pub fn next(facts: &LoginFacts<'_>, browser: Browser<'_>, rules: &AcceptRules) -> Next {
    let now = facts.now;
    match decide(facts) {
        Decision::Accept => {
            // `decide` accepts only an active session; anything else gets a fresh login.
            let Browser::Active(session) = browser else {
                return Next::Kratos(first_login(facts));
            };
            let identity = &session.identity;
            match subject_for(
                rules.subject_source,
                &identity.id,
                identity.external_id.as_deref(),
            ) {
                Ok(subject) => Next::Accept {
                    body: Box::new(accept_body(session, &subject, rules.remember, now)),
                    subject,
                },
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
    let has_session = *session != SessionState::None;
    let wanted_aal2 = facts.reauth.is_some_and(|r| r.aal >= 2)
        || required_aal(&facts.params.acr_values).is_some();
    let refresh = matches!(session, SessionState::Active { .. });
    let aal2 = (wanted_aal2 && has_session) || *session == SessionState::Aal2Required;
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
