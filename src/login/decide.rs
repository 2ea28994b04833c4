//! The login decisions, free of I/O: what the authorization request demands, whether the Kratos
//! session satisfies it, and what Hydra is told on accept.

use time::OffsetDateTime;

use super::params::AuthParams;
use crate::config::{LoginSettings, Reauthenticate};
use crate::subject::Subject;
use crate::tokens::Reauth;
use crate::upstream::hydra::AcceptLogin;
use crate::upstream::kratos::Session;

/// `aal1` → 1, … ; anything else is not an assurance level.
pub fn aal_level(value: &str) -> Option<u8> {
    match value {
        "aal0" => Some(0),
        "aal1" => Some(1),
        "aal2" => Some(2),
        "aal3" => Some(3),
        _ => None,
    }
}

/// The assurance level `acr_values` demands: the lowest level listed (any listed one is acceptable),
/// capped at 2, the highest a Kratos login flow can step up to. `None` when no level is asked for.
pub fn required_aal(acr_values: &[String]) -> Option<u8> {
    acr_values
        .iter()
        .filter_map(|v| aal_level(v))
        .min()
        .map(|level| level.min(2))
        .filter(|level| *level >= 2)
}

/// The browser's Kratos session as the decision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    None,
    /// A session exists but Kratos refuses it until a second factor is given.
    Aal2Required,
    Active {
        authenticated_at: Option<OffsetDateTime>,
        aal: u8,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accept the login with the session's identity.
    Accept,
    /// Send the browser to Kratos's login flow.
    Authenticate { refresh: bool, aal2: bool },
    /// Send the browser to Kratos's registration flow (`prompt=registration` without a session).
    Register,
    /// The browser came back from a re-authentication the bridge asked for without having done it.
    /// Asking again could loop, so the user gets a page with a way to retry.
    ReauthIncomplete,
}

pub struct LoginFacts<'a> {
    pub skip: bool,
    pub params: &'a AuthParams,
    pub session: &'a SessionState,
    /// A verified re-authentication token for this challenge, when the browser carries one.
    pub reauth: Option<&'a Reauth>,
    pub policy: Reauthenticate,
    pub now: OffsetDateTime,
    /// How far Kratos's clock may run behind the bridge's when judging a fresh login.
    pub clock_skew_ms: i64,
}

pub fn decide(facts: &LoginFacts<'_>) -> Decision {
    let (authenticated_at, aal) = match facts.session {
        // Without a Kratos session nothing is accepted, whatever Hydra remembers (skip). Coming back
        // from Kratos still without one (a cookie that does not reach the bridge) must not loop.
        SessionState::None => {
            return if facts.reauth.is_some() {
                Decision::ReauthIncomplete
            } else if facts.params.prompt_registration {
                Decision::Register
            } else {
                Decision::Authenticate {
                    refresh: false,
                    aal2: false,
                }
            };
        }
        // Kratos hides the session until a second factor is given, so its age is unknown: a request
        // that demands a recent login gets a refresh together with the step-up.
        SessionState::Aal2Required => {
            return if facts.reauth.is_some_and(|r| r.aal >= 2) {
                Decision::ReauthIncomplete
            } else {
                Decision::Authenticate {
                    refresh: demands_refresh(facts, None),
                    aal2: true,
                }
            };
        }
        SessionState::Active {
            authenticated_at,
            aal,
        } => (*authenticated_at, *aal),
    };
    // Hydra remembered this user and the Kratos session is alive: accept, as Kratos's own integration does.
    if facts.skip {
        return Decision::Accept;
    }
    if let Some(reauth) = facts.reauth {
        // A small allowance for Kratos's clock running behind the bridge's.
        let fresh = !reauth.refresh
            || authenticated_at
                .is_some_and(|t| unix_ms(t) + facts.clock_skew_ms > reauth.issued_at_ms);
        return if fresh && aal >= reauth.aal {
            Decision::Accept
        } else {
            Decision::ReauthIncomplete
        };
    }
    let refresh = demands_refresh(facts, authenticated_at);
    let aal2 = required_aal(&facts.params.acr_values).is_some_and(|needed| aal < needed);
    if refresh || aal2 {
        Decision::Authenticate { refresh, aal2 }
    } else {
        Decision::Accept
    }
}

/// Whether a non-skipped login must be fresh: the policy, `prompt=login`, or `max_age` older than the
/// session (or a session whose age is unknown).
fn demands_refresh(facts: &LoginFacts<'_>, authenticated_at: Option<OffsetDateTime>) -> bool {
    if facts.skip {
        return false;
    }
    let too_old = facts
        .params
        .max_age
        .is_some_and(|max_age| match authenticated_at {
            Some(t) => (facts.now - t).whole_milliseconds() > i128::from(max_age) * 1000,
            None => true,
        });
    facts.policy == Reauthenticate::Always || facts.params.prompt_login || too_old
}

pub fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The accept body for a session: subject, how long Hydra remembers it, and what the session proves.
pub fn accept_body(
    session: &Session,
    subject: &Subject,
    settings: &LoginSettings,
    now: OffsetDateTime,
) -> AcceptLogin {
    // By default Hydra remembers the login exactly as long as the Kratos session lives.
    let remember_for = settings.remember_for.unwrap_or_else(|| {
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
        remember: settings.remember,
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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::Duration;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    fn active(age_secs: i64, aal: u8) -> SessionState {
        SessionState::Active {
            authenticated_at: Some(now() - Duration::seconds(age_secs)),
            aal,
        }
    }

    fn facts<'a>(
        skip: bool,
        params: &'a AuthParams,
        session: &'a SessionState,
        reauth: Option<&'a Reauth>,
    ) -> LoginFacts<'a> {
        LoginFacts {
            skip,
            params,
            session,
            reauth,
            policy: Reauthenticate::WhenRequired,
            now: now(),
            clock_skew_ms: 0,
        }
    }

    const LOGIN: Decision = Decision::Authenticate {
        refresh: false,
        aal2: false,
    };
    const REFRESH: Decision = Decision::Authenticate {
        refresh: true,
        aal2: false,
    };

    #[test]
    fn required_aal_is_the_lowest_acceptable() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(required_aal(&v(&["aal2"])), Some(2));
        assert_eq!(required_aal(&v(&["aal1", "aal2"])), None);
        assert_eq!(required_aal(&v(&["aal3"])), Some(2));
        assert_eq!(required_aal(&v(&["urn:x", "aal2"])), Some(2));
        assert_eq!(required_aal(&v(&["urn:x"])), None);
    }

    #[test]
    fn no_session_always_logs_in_even_with_skip() {
        let p = AuthParams::default();
        for skip in [true, false] {
            assert_eq!(decide(&facts(skip, &p, &SessionState::None, None)), LOGIN);
        }
    }

    #[test]
    fn skip_with_session_accepts() {
        let p = AuthParams {
            prompt_login: true,
            ..Default::default()
        };
        assert_eq!(
            decide(&facts(true, &p, &active(10_000, 1), None)),
            Decision::Accept
        );
    }

    #[test]
    fn single_sign_on_without_demands() {
        let p = AuthParams::default();
        assert_eq!(
            decide(&facts(false, &p, &active(10, 1), None)),
            Decision::Accept
        );
    }

    #[test]
    fn prompt_login_and_max_age_refresh() {
        let p = AuthParams {
            prompt_login: true,
            ..Default::default()
        };
        assert_eq!(decide(&facts(false, &p, &active(1, 1), None)), REFRESH);
        let p = AuthParams {
            max_age: Some(60),
            ..Default::default()
        };
        assert_eq!(decide(&facts(false, &p, &active(61, 1), None)), REFRESH);
        assert_eq!(
            decide(&facts(false, &p, &active(59, 1), None)),
            Decision::Accept
        );
        let p = AuthParams {
            max_age: Some(0),
            ..Default::default()
        };
        assert_eq!(decide(&facts(false, &p, &active(1, 1), None)), REFRESH);
        let unknown = SessionState::Active {
            authenticated_at: None,
            aal: 1,
        };
        let p = AuthParams {
            max_age: Some(600),
            ..Default::default()
        };
        assert_eq!(decide(&facts(false, &p, &unknown, None)), REFRESH);
    }

    #[test]
    fn acr_aal2_steps_up() {
        let p = AuthParams {
            acr_values: vec!["aal2".into()],
            ..Default::default()
        };
        assert_eq!(
            decide(&facts(false, &p, &active(1, 1), None)),
            Decision::Authenticate {
                refresh: false,
                aal2: true
            }
        );
        assert_eq!(
            decide(&facts(false, &p, &active(1, 2), None)),
            Decision::Accept
        );
        assert_eq!(
            decide(&facts(false, &p, &SessionState::Aal2Required, None)),
            Decision::Authenticate {
                refresh: false,
                aal2: true
            }
        );
    }

    #[test]
    fn always_policy_refreshes_unless_skip() {
        let p = AuthParams::default();
        let mut f = facts(false, &p, &SessionState::None, None);
        let s = active(1, 1);
        f.session = &s;
        f.policy = Reauthenticate::Always;
        assert_eq!(decide(&f), REFRESH);
        f.skip = true;
        assert_eq!(decide(&f), Decision::Accept);
    }

    #[test]
    fn a_step_up_also_refreshes_when_the_request_demands_a_recent_login() {
        let s = SessionState::Aal2Required;
        for p in [
            AuthParams {
                prompt_login: true,
                ..Default::default()
            },
            AuthParams {
                max_age: Some(3600),
                ..Default::default()
            },
        ] {
            assert_eq!(
                decide(&facts(false, &p, &s, None)),
                Decision::Authenticate {
                    refresh: true,
                    aal2: true
                }
            );
            assert_eq!(
                decide(&facts(true, &p, &s, None)),
                Decision::Authenticate {
                    refresh: false,
                    aal2: true
                }
            );
        }
        let plain = AuthParams::default();
        assert_eq!(
            decide(&facts(false, &plain, &s, None)),
            Decision::Authenticate {
                refresh: false,
                aal2: true
            }
        );
    }

    #[test]
    fn clock_skew_allowance() {
        let p = AuthParams {
            prompt_login: true,
            ..Default::default()
        };
        let r = Reauth {
            issued_at_ms: unix_ms(now()),
            refresh: true,
            aal: 1,
        };
        let just_before = active(2, 1);
        let mut f = facts(false, &p, &just_before, Some(&r));
        assert_eq!(decide(&f), Decision::ReauthIncomplete);
        f.clock_skew_ms = 5_000;
        assert_eq!(decide(&f), Decision::Accept);
    }

    #[test]
    fn reauth_token_accepts_only_fresh_sessions() {
        let p = AuthParams {
            prompt_login: true,
            ..Default::default()
        };
        let r = Reauth {
            issued_at_ms: unix_ms(now() - Duration::seconds(30)),
            refresh: true,
            aal: 1,
        };
        assert_eq!(
            decide(&facts(false, &p, &active(10, 1), Some(&r))),
            Decision::Accept
        );
        assert_eq!(
            decide(&facts(false, &p, &active(31, 1), Some(&r))),
            Decision::ReauthIncomplete
        );
        let r2 = Reauth { aal: 2, ..r };
        assert_eq!(
            decide(&facts(false, &p, &active(10, 1), Some(&r2))),
            Decision::ReauthIncomplete
        );
        assert_eq!(
            decide(&facts(false, &p, &SessionState::Aal2Required, Some(&r2))),
            Decision::ReauthIncomplete
        );
        assert_eq!(
            decide(&facts(false, &p, &active(10, 2), Some(&r2))),
            Decision::Accept
        );
    }

    fn session_state() -> impl Strategy<Value = SessionState> {
        prop_oneof![
            Just(SessionState::None),
            Just(SessionState::Aal2Required),
            (proptest::option::of(-100_000i64..100_000), 0u8..4).prop_map(|(age, aal)| {
                SessionState::Active {
                    authenticated_at: age.map(|a| now() - Duration::seconds(a)),
                    aal,
                }
            }),
        ]
    }

    fn params() -> impl Strategy<Value = AuthParams> {
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u64..200_000),
            proptest::collection::vec(
                prop_oneof![Just("aal1"), Just("aal2"), Just("aal3"), Just("x")],
                0..3,
            ),
        )
            .prop_map(
                |(prompt_login, prompt_registration, max_age, acr)| AuthParams {
                    prompt_login,
                    prompt_registration,
                    max_age,
                    acr_values: acr.into_iter().map(String::from).collect(),
                },
            )
    }

    proptest! {
        /// Safety: nothing is accepted without a usable Kratos session; a non-skipped login that demands
        /// re-authentication is accepted only with a token whose demands the session now meets.
        #[test]
        fn never_accepts_what_the_request_forbids(skip in any::<bool>(), p in params(), s in session_state(),
                                                  always in any::<bool>(), token_age in proptest::option::of(-50i64..500),
                                                  token_refresh in any::<bool>(), token_aal in 1u8..3) {
            let reauth = token_age.map(|a| Reauth { issued_at_ms: unix_ms(now() - Duration::seconds(a)), refresh: token_refresh, aal: token_aal });
            let f = LoginFacts { skip, params: &p, session: &s, reauth: reauth.as_ref(),
                policy: if always { Reauthenticate::Always } else { Reauthenticate::WhenRequired }, now: now(), clock_skew_ms: 0 };
            let d = decide(&f);
            if d == Decision::Accept {
                let SessionState::Active { authenticated_at, aal } = &s else { return Err(TestCaseError::fail("accepted without a session")) };
                if !skip {
                    match &reauth {
                        Some(r) => {
                            prop_assert!(*aal >= r.aal);
                            if r.refresh { prop_assert!(authenticated_at.is_some_and(|t| unix_ms(t) > r.issued_at_ms)); }
                        }
                        None => {
                            prop_assert!(!always && !p.prompt_login);
                            prop_assert!(required_aal(&p.acr_values).is_none_or(|n| *aal >= n));
                            if let Some(m) = p.max_age {
                                prop_assert!(authenticated_at.is_some_and(|t| (now() - t).whole_seconds() <= m as i64));
                            }
                        }
                    }
                }
            }
        }

        /// A redirect to Kratos asks for everything the request demands: whenever a non-skipped login
        /// must be recent, the redirect refreshes (or starts from no session, which is fresh anyway).
        #[test]
        fn redirects_ask_for_a_fresh_login_when_one_is_demanded(skip in any::<bool>(), p in params(), s in session_state(), always in any::<bool>()) {
            let policy = if always { Reauthenticate::Always } else { Reauthenticate::WhenRequired };
            let f = LoginFacts { skip, params: &p, session: &s, reauth: None, policy, now: now(), clock_skew_ms: 0 };
            if let Decision::Authenticate { refresh, aal2 } = decide(&f) {
                let age_ok = match &s {
                    SessionState::Active { authenticated_at: Some(t), .. } => p.max_age.is_none_or(|m| (now() - *t).whole_milliseconds() <= i128::from(m) * 1000),
                    _ => p.max_age.is_none(),
                };
                let demanded = !skip && (always || p.prompt_login || !age_ok);
                if demanded && s != SessionState::None {
                    prop_assert!(refresh, "{:?} {:?} skip={} always={}", s, p, skip, always);
                }
                if s == SessionState::Aal2Required {
                    prop_assert!(aal2);
                }
            }
        }

        /// Liveness: after the bridge sends the browser to Kratos, a session that did what was asked
        /// is accepted on return, so the flow converges instead of looping.
        #[test]
        fn completing_what_was_asked_is_accepted(p in params(), s in session_state(), always in any::<bool>()) {
            let policy = if always { Reauthenticate::Always } else { Reauthenticate::WhenRequired };
            let f = LoginFacts { skip: false, params: &p, session: &s, reauth: None, policy, now: now(), clock_skew_ms: 0 };
            if let Decision::Authenticate { refresh, aal2 } = decide(&f) {
                let asked = Reauth { issued_at_ms: unix_ms(now()), refresh: refresh || s == SessionState::None, aal: if aal2 { 2 } else { 1 } };
                let later = now() + Duration::seconds(20);
                let done = SessionState::Active { authenticated_at: Some(later), aal: asked.aal.max(1) };
                let back = LoginFacts { skip: false, params: &p, session: &done, reauth: Some(&asked), policy, now: later, clock_skew_ms: 0 };
                prop_assert_eq!(decide(&back), Decision::Accept);
            }
        }
    }
}
