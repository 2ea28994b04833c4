//! The login decisions, free of I/O: what the authorization request demands, whether the Kratos
//! session satisfies it, what Hydra is told on accept, and when the request is rejected instead.
//! [`plan::plan`] puts them together into the one answer the handler carries out.

pub mod demands;
pub mod plan;
pub mod refusal;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use crate::identity::aal_level;
use crate::identity::{KratosSession, Session};
use crate::subject::{Subject, SubjectSource};
use demands::AuthParams;
use refusal::{Refusal, refuse_interaction};

/// The `login.reauthenticate` policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Reauthenticate {
    /// Accept an existing Kratos session unless the request demands more (prompt=login, max_age, acr_values).
    #[default]
    WhenRequired,
    /// Accept a non-skipped login only right after a fresh Kratos login, as Kratos's own integration does.
    Always,
}

/// How logins are accepted and when a fresh one is asked for: the subject rule and the `login`
/// settings, built once at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    pub subject_source: SubjectSource,
    pub remember: Remember,
    pub reauthenticate: Reauthenticate,
    /// How far Kratos's clock may run behind the bridge's when judging a fresh login, in ms.
    pub clock_skew_ms: i64,
}

/// What the bridge asked Kratos for, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reauth {
    /// Unix milliseconds of the redirect to Kratos; only a login after it counts.
    pub issued_at_ms: i64,
    /// A fresh login was asked for.
    pub refresh: bool,
    /// The assurance level asked for (1 = none beyond the first factor).
    pub aal: u8,
}

/// What Hydra is told on accept (`acceptOAuth2LoginRequest`), only fields every supported Hydra version knows
/// (v2.2/v2.3 refuse unknown ones with 400).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceptLogin {
    pub subject: String,
    pub remember: bool,
    pub remember_for: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_provider_session_id: Option<String>,
    pub context: serde_json::Value,
}

/// The assurance level `acr_values` demands: the lowest level listed (any listed one is acceptable),
/// capped at 2, the highest a Kratos login flow can step up to. `None` when nothing beyond the
/// first factor is demanded.
pub fn required_aal(acr_values: &[String]) -> Option<u8> {
    acr_values
        .iter()
        .filter_map(|v| aal_level(v))
        .min()
        .map(|level| level.min(2))
        .filter(|level| *level >= 2)
}

/// What the session's age and level lead to; who the person is, [`plan::plan`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision<'a> {
    /// Accept the login with this session, the browser's active one.
    Accept(&'a Session),
    /// Send the browser to Kratos's login flow, with `refresh=true` and/or `aal=aal2`.
    Authenticate {
        refresh: bool,
        aal2: bool,
        /// The moment of an earlier round trip after which a login has been seen: that login still
        /// counts as the fresh one, and the next return must show it again (see [`return_token`]).
        since: Option<i64>,
    },
    /// Send the browser to Kratos's registration flow (`prompt=registration` without a session).
    Register,
    /// The browser came back from a re-authentication the bridge asked for without having done it.
    /// Asking again could loop, so the user gets a page with a way to retry.
    ReauthIncomplete,
    /// Reject the login request at Hydra: the application gets the error, the person no page.
    Reject(Refusal),
}

/// Hydra's login request, as the decisions read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// Hydra remembers a login for this browser.
    pub skip: bool,
    /// What the authorization request demands.
    pub params: &'a AuthParams,
    /// The authorization request as the application sent it (Hydra's `request_url`).
    pub url: &'a str,
    /// The subject Hydra remembers for this browser (with `skip`), when it gives one.
    pub remembered: Option<&'a str>,
    /// The subject the application named with `id_token_hint`, when it can be compared
    /// (see [`refusal::hint_subject`]).
    pub hint: Option<&'a str>,
}

/// Everything a login's plan reads: Hydra's request, the browser's Kratos session, what the browser
/// brought back from Kratos, and the policy.
#[derive(Debug, Clone, Copy)]
pub struct LoginFacts<'a> {
    pub request: Request<'a>,
    pub session: &'a KratosSession,
    /// A verified re-authentication token for this challenge, when the browser carries one.
    pub reauth: Option<&'a Reauth>,
    pub policy: &'a LoginPolicy,
    pub now: OffsetDateTime,
}

/// The decision for the session's age and level. A request invalid as a whole is refused whatever
/// the session. With `prompt=none` (OIDC Core 3.1.2.1) nothing is shown, Kratos's pages included:
/// whatever needs the person is an error for the application instead.
pub(crate) fn decide<'a>(facts: &LoginFacts<'a>) -> Decision<'a> {
    let refusal = refuse_interaction(facts.request.params);
    if refusal == Some(Refusal::PromptConflict) {
        return Decision::Reject(Refusal::PromptConflict);
    }
    match (interactive(facts), refusal) {
        (Decision::Accept(session), _) => Decision::Accept(session),
        (_, Some(refusal)) => Decision::Reject(refusal),
        (decision, None) => decision,
    }
}

/// Every demand of the request is checked on every visit, with or without a return token: the
/// token only adds what its round trip asked for (a login after its moment, a level), and it is
/// the only way to meet a demand for a fresh login. It never lifts a demand.
fn interactive<'a>(facts: &LoginFacts<'a>) -> Decision<'a> {
    let params = facts.request.params;
    let (session, authenticated_at, aal) = match facts.session {
        // Without a Kratos session nothing is accepted, whatever Hydra remembers (skip). Coming back
        // from Kratos still without one (a cookie that does not reach the bridge) must not loop.
        // Kratos refuses `aal=aal2` without a session, so a first login starts with the first
        // factor; its return asks for the second factor when the request demands it.
        KratosSession::None => {
            return if facts.reauth.is_some() {
                Decision::ReauthIncomplete
            } else if params.prompt_registration {
                Decision::Register
            } else {
                Decision::Authenticate {
                    refresh: false,
                    aal2: false,
                    since: None,
                }
            };
        }
        // Kratos hides the session until a second factor is given, so its age is unknown: a request
        // that demands a recent login gets a refresh together with the step-up, unless a login after
        // a token's moment is still to be shown (the first factor of this very round trip), which
        // the step-up's return then checks.
        KratosSession::Aal2Required => {
            if facts.reauth.is_some_and(|r| r.aal >= 2) {
                return Decision::ReauthIncomplete;
            }
            let since = facts.reauth.filter(|r| r.refresh).map(|r| r.issued_at_ms);
            return Decision::Authenticate {
                refresh: since.is_none() && demands_refresh(facts, None),
                aal2: true,
                since,
            };
        }
        KratosSession::Active(session) => (&**session, session.authenticated_at, session.aal()),
    };
    let aal_short = required_aal(&params.acr_values).is_some_and(|needed| aal < needed);
    // Hydra remembered this user and the Kratos session is alive: accept, as Kratos's own
    // integration does. Hydra's skip says nothing of acr_values, so a level the session lacks is
    // still asked for.
    if facts.request.skip && !aal_short {
        return Decision::Accept(session);
    }
    let needs_fresh = demands_refresh(facts, authenticated_at);
    let Some(reauth) = facts.reauth else {
        return if needs_fresh || aal_short {
            Decision::Authenticate {
                refresh: needs_fresh,
                aal2: aal_short,
                since: None,
            }
        } else {
            Decision::Accept(session)
        };
    };
    // A small allowance for Kratos's clock running behind the bridge's.
    let after = authenticated_at
        .is_some_and(|t| unix_ms(t) + facts.policy.clock_skew_ms > reauth.issued_at_ms);
    // What this round trip asked for did not happen.
    if (reauth.refresh && !after) || aal < reauth.aal {
        return Decision::ReauthIncomplete;
    }
    // It did; what the request demands beyond it is asked for next, keeping the fresh login.
    let fresh = !needs_fresh || reauth.refresh;
    if fresh && !aal_short {
        Decision::Accept(session)
    } else {
        Decision::Authenticate {
            refresh: !fresh,
            aal2: aal_short,
            since: reauth.refresh.then_some(reauth.issued_at_ms),
        }
    }
}

/// What the return from a redirect to Kratos must show, signed into its `reauth` token: a login
/// after the moment (`since`, else now) when a fresh one is asked for, kept or (from no session)
/// implied, and the level asked for.
pub fn return_token(
    refresh: bool,
    aal2: bool,
    since: Option<i64>,
    session: &KratosSession,
    now: OffsetDateTime,
) -> Reauth {
    Reauth {
        issued_at_ms: since.unwrap_or_else(|| unix_ms(now)),
        // A login from no session is fresh by definition; only a pure step-up keeps the old one.
        refresh: refresh || since.is_some() || *session == KratosSession::None,
        aal: if aal2 { 2 } else { 1 },
    }
}

/// Whether a non-skipped login must be fresh: the policy, `prompt=login`, or `max_age` older than the
/// session (or a session whose age is unknown).
fn demands_refresh(facts: &LoginFacts<'_>, authenticated_at: Option<OffsetDateTime>) -> bool {
    let params = facts.request.params;
    if facts.request.skip {
        return false;
    }
    let too_old = params
        .max_age
        .is_some_and(|max_age| match authenticated_at {
            Some(t) => (facts.now - t).whole_milliseconds() > i128::from(max_age) * 1000,
            None => true,
        });
    facts.policy.reauthenticate == Reauthenticate::Always || params.prompt_login || too_old
}

pub fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// How long Hydra remembers a login (`login.remember`, `login.remember_for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remember {
    pub remember: bool,
    /// Seconds; `None`: as long as the Kratos session lives.
    pub remember_for: Option<u64>,
}

/// The accept body for a session: subject, how long Hydra remembers it, and what the session proves.
pub fn accept_body(
    session: &Session,
    subject: &Subject,
    remember: Remember,
    now: OffsetDateTime,
) -> AcceptLogin {
    // By default Hydra remembers the login exactly as long as the Kratos session lives.
    let remember_for = remember.remember_for.unwrap_or_else(|| {
        session
            .expires_at
            .map(|expires| (expires - now).whole_seconds().max(1) as u64)
            .unwrap_or(0)
    });
    let mut amr: Vec<String> = Vec::new();
    for method in &session.authentication_methods {
        if !method.method.is_empty() && !amr.contains(&method.method) {
            amr.push(method.method.clone());
        }
    }
    let acr = aal_level(&session.authenticator_assurance_level)
        .map(|_| session.authenticator_assurance_level.clone());
    AcceptLogin {
        subject: subject.value.clone(),
        remember: remember.remember,
        remember_for,
        acr,
        amr,
        identity_provider_session_id: Some(session.id.clone()).filter(|id| !id.is_empty()),
        context: serde_json::json!({
            "identity_id": session.identity.id,
            "subject_source": subject.kind.as_str(),
        }),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
