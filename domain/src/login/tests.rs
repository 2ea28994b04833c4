//! Unit and property tests of the login decisions.

use super::*;
use time::Duration;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

fn active(age_secs: i64, aal: u8) -> KratosSession {
    KratosSession::active_at(Some(now() - Duration::seconds(age_secs)), aal)
}

const POLICY: LoginPolicy = LoginPolicy {
    subject_source: crate::subject::SubjectSource::ExternalIdOrId,
    remember: Remember {
        remember: true,
        remember_for: None,
    },
    reauthenticate: Reauthenticate::WhenRequired,
    clock_skew_ms: 0,
};

const ALWAYS: LoginPolicy = LoginPolicy {
    reauthenticate: Reauthenticate::Always,
    ..POLICY
};

fn facts<'a>(
    skip: bool,
    params: &'a AuthParams,
    session: &'a KratosSession,
    reauth: Option<&'a Reauth>,
) -> LoginFacts<'a> {
    LoginFacts {
        request: Request {
            skip,
            params,
            url: "https://hydra.test/oauth2/auth?client_id=a",
            remembered: None,
            hint: None,
        },
        session,
        reauth,
        policy: &POLICY,
        now: now(),
    }
}

/// Whether the decision accepts the session.
fn accepted(decision: Decision<'_>) -> bool {
    matches!(decision, Decision::Accept(_))
}

const LOGIN: Decision = Decision::Authenticate {
    refresh: false,
    aal2: false,
    since: None,
};
const REFRESH: Decision = Decision::Authenticate {
    refresh: true,
    aal2: false,
    since: None,
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
        assert_eq!(decide(&facts(skip, &p, &KratosSession::None, None)), LOGIN);
    }
}

#[test]
fn skip_with_session_accepts() {
    let p = AuthParams {
        prompt_login: true,
        ..Default::default()
    };
    assert!(accepted(decide(&facts(true, &p, &active(10_000, 1), None))));
}

#[test]
fn single_sign_on_without_demands() {
    let p = AuthParams::default();
    assert!(accepted(decide(&facts(false, &p, &active(10, 1), None))));
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
    assert!(accepted(decide(&facts(false, &p, &active(59, 1), None))));
    let p = AuthParams {
        max_age: Some(0),
        ..Default::default()
    };
    assert_eq!(decide(&facts(false, &p, &active(1, 1), None)), REFRESH);
    let unknown = KratosSession::active_at(None, 1);
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
            aal2: true,
            since: None
        }
    );
    assert!(accepted(decide(&facts(false, &p, &active(1, 2), None))));
    assert_eq!(
        decide(&facts(false, &p, &KratosSession::Aal2Required, None)),
        Decision::Authenticate {
            refresh: false,
            aal2: true,
            since: None
        }
    );
    // Hydra's skip (a remembered login) does not lower the demand.
    assert_eq!(
        decide(&facts(true, &p, &active(1, 1), None)),
        Decision::Authenticate {
            refresh: false,
            aal2: true,
            since: None
        }
    );
    assert!(accepted(decide(&facts(true, &p, &active(1, 2), None))));
}

#[test]
fn always_policy_refreshes_unless_skip() {
    let p = AuthParams::default();
    let mut f = facts(false, &p, &KratosSession::None, None);
    let s = active(1, 1);
    f.session = &s;
    f.policy = &ALWAYS;
    assert_eq!(decide(&f), REFRESH);
    f.request.skip = true;
    assert!(accepted(decide(&f)));
}

#[test]
fn a_step_up_also_refreshes_when_the_request_demands_a_recent_login() {
    let s = KratosSession::Aal2Required;
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
                aal2: true,
                since: None
            }
        );
        assert_eq!(
            decide(&facts(true, &p, &s, None)),
            Decision::Authenticate {
                refresh: false,
                aal2: true,
                since: None
            }
        );
    }
    let plain = AuthParams::default();
    assert_eq!(
        decide(&facts(false, &plain, &s, None)),
        Decision::Authenticate {
            refresh: false,
            aal2: true,
            since: None
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
    let allowance = LoginPolicy {
        clock_skew_ms: 5_000,
        ..POLICY
    };
    f.policy = &allowance;
    assert!(accepted(decide(&f)));
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
    assert!(accepted(decide(&facts(
        false,
        &p,
        &active(10, 1),
        Some(&r)
    ))));
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
        decide(&facts(false, &p, &KratosSession::Aal2Required, Some(&r2))),
        Decision::ReauthIncomplete
    );
    assert!(accepted(decide(&facts(
        false,
        &p,
        &active(10, 2),
        Some(&r2)
    ))));
}

const LOGIN_REQUIRED: Decision = Decision::Reject(Refusal::InteractionNeeded);

fn none(params: AuthParams) -> AuthParams {
    AuthParams {
        prompt_none: true,
        ..params
    }
}

#[test]
fn prompt_none_turns_every_trip_and_page_into_login_required() {
    let plain = none(AuthParams::default());
    // No session, whatever Hydra remembers; a session Kratos hides until a second factor.
    for skip in [true, false] {
        assert_eq!(
            decide(&facts(skip, &plain, &KratosSession::None, None)),
            LOGIN_REQUIRED
        );
        assert_eq!(
            decide(&facts(skip, &plain, &KratosSession::Aal2Required, None)),
            LOGIN_REQUIRED
        );
    }
    // A session too old for max_age, below the level acr_values asks, or a demand that cannot
    // be read (a fresh login).
    for params in [
        AuthParams {
            max_age: Some(60),
            ..plain.clone()
        },
        AuthParams {
            acr_values: vec!["aal2".into()],
            ..plain.clone()
        },
        AuthParams {
            prompt_login: true,
            ..plain.clone()
        },
    ] {
        assert_eq!(
            decide(&facts(false, &params, &active(61, 1), None)),
            LOGIN_REQUIRED,
            "{params:?}"
        );
    }
    // `login.reauthenticate: always`.
    let s = active(1, 1);
    let mut f = facts(false, &plain, &s, None);
    f.policy = &ALWAYS;
    assert_eq!(decide(&f), LOGIN_REQUIRED);
    // A registration without a session.
    let register = AuthParams {
        prompt_registration: true,
        ..plain.clone()
    };
    assert_eq!(
        decide(&facts(false, &register, &KratosSession::None, None)),
        LOGIN_REQUIRED
    );
    // A round trip that did not happen gets no "did not complete" page either.
    let r = Reauth {
        issued_at_ms: unix_ms(now()),
        refresh: true,
        aal: 1,
    };
    assert_eq!(
        decide(&facts(false, &plain, &active(60, 1), Some(&r))),
        LOGIN_REQUIRED
    );
}

#[test]
fn prompt_none_accepts_a_session_that_meets_the_request() {
    let p = none(AuthParams {
        max_age: Some(60),
        acr_values: vec!["aal2".into()],
        ..AuthParams::default()
    });
    for skip in [true, false] {
        assert!(accepted(decide(&facts(skip, &p, &active(30, 2), None))));
    }
}

#[test]
fn prompt_none_beside_another_value_is_an_invalid_request_whatever_the_session() {
    let p = none(AuthParams {
        prompt_conflict: true,
        prompt_login: true,
        ..AuthParams::default()
    });
    for session in [
        KratosSession::None,
        KratosSession::Aal2Required,
        active(1, 2),
    ] {
        for skip in [true, false] {
            assert_eq!(
                decide(&facts(skip, &p, &session, None)),
                Decision::Reject(Refusal::PromptConflict)
            );
        }
    }
}
