//! Property tests of the login decisions: safety, the demands a redirect carries, and convergence.

use super::plan::{LoginPlan, plan, restart_with_login};
use super::*;
use crate::subject::{SubjectSource, subject_for};
use proptest::prelude::*;
use time::Duration;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

/// The policy: the subject rule given, Hydra remembering logins as long as the session lives.
fn policy(subject_source: SubjectSource, always: bool) -> LoginPolicy {
    LoginPolicy {
        subject_source,
        remember: Remember {
            remember: true,
            remember_for: None,
        },
        reauthenticate: if always {
            Reauthenticate::Always
        } else {
            Reauthenticate::WhenRequired
        },
        clock_skew_ms: 0,
    }
}

/// Hydra's request with these demands; Hydra remembers nobody and the application names nobody.
fn request(skip: bool, params: &AuthParams) -> Request<'_> {
    Request {
        skip,
        params,
        url: "https://hydra.test/oauth2/auth?client_id=a&state=s",
        remembered: None,
        hint: None,
    }
}

fn session_state() -> impl Strategy<Value = KratosSession> {
    prop_oneof![
        Just(KratosSession::None),
        Just(KratosSession::Aal2Required),
        (proptest::option::of(-100_000i64..100_000), 0u8..4).prop_map(|(age, aal)| {
            KratosSession::active_at(age.map(|a| now() - Duration::seconds(a)), aal)
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
                ..AuthParams::default()
            },
        )
}

/// One round trip through Kratos, modelled: the login it was asked for, done at `at`.
/// `hidden_at` is when the first factor of a session Kratos hides (`Aal2Required`) was given.
fn kratos_does(
    asked_refresh: bool,
    asked_aal2: bool,
    session: &KratosSession,
    hidden_at: OffsetDateTime,
    second_factor_hidden: bool,
    at: OffsetDateTime,
) -> KratosSession {
    match session {
        // Kratos refuses `aal=aal2` without a session; the property below checks it is never asked.
        KratosSession::None if second_factor_hidden => KratosSession::Aal2Required,
        KratosSession::None => KratosSession::active_at(Some(at), 1),
        KratosSession::Aal2Required => {
            KratosSession::active_at(Some(if asked_refresh { at } else { hidden_at }), 2)
        }
        KratosSession::Active(s) => KratosSession::active_at(
            if asked_refresh {
                Some(at)
            } else {
                s.authenticated_at
            },
            if asked_aal2 { 2 } else { s.aal().max(1) },
        ),
    }
}

fn token() -> impl Strategy<Value = Option<Reauth>> {
    proptest::option::of((-50i64..500, any::<bool>(), 1u8..3)).prop_map(|t| {
        t.map(|(age, refresh, aal)| Reauth {
            issued_at_ms: unix_ms(now() - Duration::seconds(age)),
            refresh,
            aal,
        })
    })
}

const IDENTITY_ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";

/// A session as whoami shows it, authenticated `age` seconds before `now()`.
fn kratos_session(external_id: Option<&str>, aal: u8, age: i64) -> Session {
    let at = now() - Duration::seconds(age);
    let at = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    serde_json::from_value(serde_json::json!({
        "id": "s1",
        "authenticated_at": at,
        "expires_at": "2027-01-15T09:00:00Z",
        "authenticator_assurance_level": format!("aal{aal}"),
        "identity": { "id": IDENTITY_ID, "external_id": external_id }
    }))
    .unwrap()
}

/// Someone Hydra may remember or an application may name: the identity by either of its
/// identifiers, or another person.
fn someone() -> impl Strategy<Value = Option<&'static str>> {
    proptest::option::of(prop_oneof![
        Just(IDENTITY_ID),
        Just("CUST-1"),
        Just("someone-else")
    ])
}

fn source() -> impl Strategy<Value = SubjectSource> {
    prop_oneof![
        Just(SubjectSource::Id),
        Just(SubjectSource::ExternalId),
        Just(SubjectSource::ExternalIdOrId)
    ]
}

proptest! {
    /// Under prompt=none the plan is never a Kratos trip nor a page (nor a restart, which asks for
    /// a fresh sign-in): whatever the session, the demands, the policy or a token, the login is
    /// accepted or rejected at Hydra, and `none` beside another value is an invalid request. Nobody
    /// is accepted as another person than the hint names, nor than Hydra remembers. Without a
    /// hint, what Hydra remembers changes nothing unless it is another person than the session's:
    /// then the request starts again with `prompt=login`, or is rejected where it cannot.
    #[test]
    fn under_prompt_none_the_plan_is_never_a_kratos_trip_nor_a_page(
        (kind, external, aal, age) in (0u8..3, proptest::option::of(prop_oneof![Just("CUST-1"), Just("")]), 0u8..4, -100i64..100_000),
        (p, prompt_none, conflict) in (params(), any::<bool>(), any::<bool>()),
        (skip, always, reauth, source) in (any::<bool>(), any::<bool>(), token(), source()),
        (remembered, hint) in (someone(), someone()),
    ) {
        let p = AuthParams { prompt_none, prompt_conflict: prompt_none && conflict, ..p };
        let s = kratos_session(external, aal, age);
        let own = subject_for(source, &s.identity.id, s.identity.external_id.as_deref()).ok().map(|s| s.value);
        let state = match kind {
            0 => KratosSession::None,
            1 => KratosSession::Aal2Required,
            _ => KratosSession::Active(Box::new(s)),
        };
        let policy = policy(source, always);
        let f = LoginFacts { request: Request { remembered, hint, ..request(skip, &p) }, session: &state,
            reauth: reauth.as_ref(), policy: &policy, now: now() };
        let (d, n) = (decide(&f), plan(&f));
        if p.prompt_conflict {
            prop_assert_eq!(d, Decision::Reject(Refusal::PromptConflict));
            prop_assert_eq!(&n, &LoginPlan::Reject(Refusal::PromptConflict));
        }
        if prompt_none {
            prop_assert!(matches!(d, Decision::Accept(_) | Decision::Reject(_)), "{:?}", d);
            prop_assert!(matches!(n, LoginPlan::Accept { .. } | LoginPlan::Reject(_)), "{:?}", n);
        }
        if let LoginPlan::Accept { body, .. } = &n {
            prop_assert!(hint.is_none_or(|h| h == body.subject), "accepted {} for the hint {:?}", body.subject, hint);
            prop_assert!(remembered.is_none_or(|r| r == body.subject), "accepted {} for {:?}", body.subject, remembered);
        }
        if hint.is_none() && !p.prompt_conflict {
            let before = LoginFacts { request: Request { remembered: None, ..f.request }, ..f };
            let another = remembered.is_some_and(|r| kind == 2 && own.as_deref().is_some_and(|own| own != r));
            if another {
                prop_assert!(matches!(n, LoginPlan::Restart(_) | LoginPlan::Reject(Refusal::OtherRemembered)), "{:?}", n);
                prop_assert_eq!(matches!(n, LoginPlan::Restart(_)), !prompt_none);
            } else {
                prop_assert_eq!(n, plan(&before));
            }
        }
    }

    /// Safety: nothing is accepted without a usable Kratos session. A non-skipped login is accepted
    /// only when the session meets every demand of the request (a level, a login recent enough, a
    /// fresh one), whatever token the browser carries: a token (from a first login, a registration,
    /// a step-up) adds its own conditions and is the only proof of a fresh login, but never lifts a
    /// demand.
    #[test]
    fn never_accepts_what_the_request_forbids(skip in any::<bool>(), p in params(), s in session_state(),
                                              always in any::<bool>(), reauth in token()) {
        let policy = policy(SubjectSource::Id, always);
        let f = LoginFacts { request: request(skip, &p), session: &s, reauth: reauth.as_ref(), policy: &policy, now: now() };
        let d = decide(&f);
        if matches!(d, Decision::Accept(_)) {
            let Some(session) = s.active() else { return Err(TestCaseError::fail("accepted without a session")) };
            let (authenticated_at, aal) = (&session.authenticated_at, &session.aal());
            if !skip {
                let fresh_after_token = reauth.is_some_and(|r| r.refresh && authenticated_at.is_some_and(|t| unix_ms(t) > r.issued_at_ms));
                prop_assert!(required_aal(&p.acr_values).is_none_or(|n| *aal >= n), "level below acr_values");
                if always || p.prompt_login {
                    prop_assert!(fresh_after_token, "no fresh login");
                }
                if let Some(m) = p.max_age {
                    prop_assert!(fresh_after_token || authenticated_at.is_some_and(|t| (now() - t).whole_seconds() <= m as i64), "too old for max_age");
                }
                if let Some(r) = &reauth {
                    prop_assert!(*aal >= r.aal);
                    if r.refresh { prop_assert!(fresh_after_token); }
                }
            }
        }
    }

    /// A redirect to Kratos asks for everything the request demands that Kratos can give from where
    /// the session is: a fresh login whenever one is demanded and not yet shown, the second factor
    /// whenever a session exists below the level demanded (never without a session: Kratos refuses
    /// it, the first factor comes first), and its return token keeps a fresh login already shown.
    #[test]
    fn redirects_carry_what_the_request_demands(skip in any::<bool>(), p in params(), s in session_state(),
                                                always in any::<bool>(), reauth in token()) {
        let policy = policy(SubjectSource::Id, always);
        let f = LoginFacts { request: request(skip, &p), session: &s, reauth: reauth.as_ref(), policy: &policy, now: now() };
        if let Decision::Authenticate { refresh, aal2, since } = decide(&f) {
            let next = return_token(refresh, aal2, since, &s, now());
            let age_ok = match &s {
                KratosSession::Active(session) if session.authenticated_at.is_some() => p.max_age.is_none_or(|m| session.authenticated_at.is_some_and(|t| (now() - t).whole_milliseconds() <= i128::from(m) * 1000)),
                _ => p.max_age.is_none(),
            };
            let demanded = !skip && (always || p.prompt_login || !age_ok);
            if demanded {
                prop_assert!(next.refresh, "{:?} {:?} skip={} always={}", s, p, skip, always);
            }
            if let Some(r) = reauth.filter(|r| r.refresh && s != KratosSession::None) {
                prop_assert_eq!((next.refresh, next.issued_at_ms), (true, r.issued_at_ms), "a fresh login already shown is kept");
            }
            match &s {
                KratosSession::None => prop_assert!(!aal2, "aal2 asked without a session"),
                KratosSession::Aal2Required => prop_assert!(aal2),
                KratosSession::Active(session) => {
                    if !skip && required_aal(&p.acr_values).is_some_and(|n| session.aal() < n) {
                        prop_assert!(aal2);
                    }
                }
            }
        }
    }

    /// A restart keeps the request as it was, on the same host, with exactly one `prompt`: the
    /// values asked for and `login`. A request that allows no interaction, already asked for a
    /// login, or carries a request object is never restarted.
    #[test]
    fn a_restart_changes_only_the_prompt(params in proptest::collection::vec((
        prop_oneof![Just("prompt".to_string()), Just("request".to_string()), Just("request_uri".to_string()), "[a-z_]{1,8}"],
        prop_oneof![Just("none".to_string()), Just("login".to_string()), Just("consent".to_string()),
                    Just("consent select_account".to_string()), Just("consent login".to_string()),
                    Just(" none ".to_string()), Just(String::new()), "\\PC{0,12}"],
    ), 0..6)) {
        let mut url = url::Url::parse("https://hydra.test/oauth2/auth").unwrap();
        url.query_pairs_mut().extend_pairs(params.iter());
        let asked: Vec<&str> = params.iter().filter(|(k, _)| k == "prompt")
            .flat_map(|(_, v)| v.split(' ').filter(|p| !p.is_empty())).collect();
        let refused = params.iter().any(|(k, _)| k == "request" || k == "request_uri")
            || asked.iter().any(|p| *p == "none" || *p == "login");
        let restart = restart_with_login(url.as_str());
        prop_assert_eq!(restart.is_none(), refused, "{}", url);
        if let Some(restart) = restart {
            prop_assert_eq!(restart.host_str(), Some("hydra.test"));
            prop_assert_eq!(restart.path(), "/oauth2/auth");
            let prompts: Vec<String> = restart.query_pairs().filter(|(k, _)| k == "prompt").map(|(_, v)| v.into_owned()).collect();
            let expected = asked.iter().copied().chain(["login"]).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(prompts, vec![expected]);
            let others = |u: &url::Url| u.query_pairs().filter(|(k, _)| k != "prompt").map(|(k, v)| (k.into_owned(), v.into_owned())).collect::<Vec<_>>();
            prop_assert_eq!(others(&restart), others(&url));
        }
    }

    /// Liveness: a browser that does at Kratos whatever it is asked gets its login accepted within
    /// three round trips (first factor, second factor, a refresh when a pure step-up took longer
    /// than `max_age`), and never lands on the "did not complete" page.
    #[test]
    fn doing_what_was_asked_converges(p in params(), s in session_state(), always in any::<bool>(),
                                      second_factor_hidden in any::<bool>(), minutes in 0i64..40) {
        let policy = policy(SubjectSource::Id, always);
        let mut session = s.clone();
        // A session Kratos already hides had its first factor long ago.
        let mut hidden_at = now() - Duration::hours(3);
        let mut at = now();
        let mut reauth: Option<Reauth> = None;
        let mut rounds = 0;
        loop {
            let f = LoginFacts { request: request(false, &p), session: &session, reauth: reauth.as_ref(), policy: &policy, now: at };
            let (refresh, aal2, since) = match decide(&f) {
                Decision::Accept(_) => break,
                Decision::Authenticate { refresh, aal2, since } => (refresh, aal2, since),
                Decision::Register => (false, false, None),
                Decision::ReauthIncomplete => return Err(TestCaseError::fail(format!("did not complete after {rounds} rounds: {session:?} {reauth:?}"))),
                Decision::Reject(refusal) => return Err(TestCaseError::fail(format!("{refusal:?} without prompt=none"))),
            };
            prop_assert!(!(aal2 && session == KratosSession::None), "aal2 asked without a session");
            rounds += 1;
            prop_assert!(rounds <= 3, "no convergence: {:?} {:?}", session, p);
            let token = return_token(refresh, aal2, since, &session, at);
            // The person takes a while at Kratos.
            let done = at + Duration::seconds(20 + 60 * minutes);
            if session == KratosSession::None {
                hidden_at = done;
            }
            session = kratos_does(refresh, aal2, &session, hidden_at, second_factor_hidden, done);
            at = done + Duration::seconds(1);
            reauth = Some(token);
        }
    }
}
