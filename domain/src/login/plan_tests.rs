//! Tests of what the login handler is told to do.

use super::*;
use crate::login::demands::AuthParams;
use crate::login::{LoginPolicy, Reauthenticate, Remember, Request};
use crate::subject::{SubjectKind, SubjectSource};
use proptest::prelude::*;
use serde_json::json;

pub(super) fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

pub(super) fn session(external_id: Option<&str>, aal: &str) -> KratosSession {
    KratosSession::Active(
        serde_json::from_value(json!({
            "id": "s1",
            "authenticated_at": "2027-01-15T07:50:00Z",
            "expires_at": "2027-01-15T08:30:00Z",
            "authenticator_assurance_level": aal,
            "authentication_methods": [{ "method": "password" }, { "method": "password" }],
            "identity": { "id": "9f425a8d-7efc-4768-8f23-7647a74fdf13", "external_id": external_id }
        }))
        .unwrap(),
    )
}

pub(super) const POLICY: LoginPolicy = LoginPolicy {
    subject_source: SubjectSource::ExternalIdOrId,
    remember: Remember {
        remember: true,
        remember_for: None,
    },
    reauthenticate: Reauthenticate::WhenRequired,
    clock_skew_ms: 0,
};

/// The authorization request whose demands are `params`.
pub(super) const REQUEST_URL: &str = "https://hydra.test/oauth2/auth?client_id=a&state=s";

fn run(
    params: &AuthParams,
    session: &KratosSession,
    reauth: Option<&Reauth>,
    policy: &LoginPolicy,
) -> LoginPlan {
    let facts = LoginFacts {
        request: Request {
            skip: false,
            params,
            url: REQUEST_URL,
            remembered: None,
            hint: None,
        },
        session,
        reauth,
        policy,
        now: now(),
    };
    plan(&facts)
}

#[test]
fn an_accept_carries_the_body_for_the_sessions_subject() {
    let s = session(Some("CUST-1"), "aal1");
    let LoginPlan::Accept { body, source } = run(&AuthParams::default(), &s, None, &POLICY) else {
        panic!("not accepted");
    };
    assert_eq!(source, SubjectKind::ExternalId);
    assert_eq!(body.subject, "CUST-1");
    assert!(body.remember);
    // Until the session expires, 30 minutes from now.
    assert_eq!(body.remember_for, 1800);
    assert_eq!(body.acr.as_deref(), Some("aal1"));
    assert_eq!(body.amr, vec!["password"]);
    assert_eq!(body.identity_provider_session_id.as_deref(), Some("s1"));
    assert_eq!(
        body.context["identity_id"],
        "9f425a8d-7efc-4768-8f23-7647a74fdf13"
    );
}

#[test]
fn an_identity_without_the_required_external_id_is_not_accepted() {
    let s = session(None, "aal1");
    let rules = LoginPolicy {
        subject_source: SubjectSource::ExternalId,
        ..POLICY
    };
    assert_eq!(
        run(&AuthParams::default(), &s, None, &rules),
        LoginPlan::NoExternalId
    );
}

#[test]
fn no_session_goes_to_kratos_and_registration_when_asked() {
    let login = run(&AuthParams::default(), &KratosSession::None, None, &POLICY);
    let LoginPlan::Kratos(trip) = login else {
        panic!("{login:?}")
    };
    assert_eq!(
        (trip.register, trip.refresh, trip.aal2),
        (false, false, false)
    );
    assert_eq!(trip.kind(), "login");
    // A login from no session is fresh by definition.
    assert!(trip.token.refresh);
    let register = AuthParams {
        prompt_registration: true,
        ..AuthParams::default()
    };
    assert_eq!(
        run(&register, &KratosSession::None, None, &POLICY),
        LoginPlan::Kratos(KratosTrip::registration(now()))
    );
}

#[test]
fn a_step_up_carries_its_level() {
    let s = session(Some("CUST-1"), "aal1");
    let params = AuthParams {
        acr_values: vec!["aal2".into()],
        ..AuthParams::default()
    };
    let LoginPlan::Kratos(trip) = run(&params, &s, None, &POLICY) else {
        panic!("no step-up")
    };
    assert!(trip.aal2 && !trip.refresh);
    assert_eq!(trip.kind(), "aal2");
    assert_eq!(trip.token.aal, 2);
}

#[test]
fn an_incomplete_second_factor_offers_the_step_up_again() {
    let asked = Reauth {
        issued_at_ms: 1_800_000_000_000,
        refresh: false,
        aal: 2,
    };
    let next = run(
        &AuthParams::default(),
        &KratosSession::Aal2Required,
        Some(&asked),
        &POLICY,
    );
    let LoginPlan::Incomplete(retry) = next else {
        panic!("{next:?}")
    };
    assert!(retry.aal2 && !retry.refresh && !retry.register);
    assert!(retry.token.refresh, "a retry asks for a login after now");
}

/// The plan for a browser whose person Hydra may remember (`remembered`, with skip) and the
/// application may name (`hint`).
pub(super) fn named(
    params: &AuthParams,
    session: &KratosSession,
    remembered: Option<&str>,
    hint: Option<&str>,
) -> LoginPlan {
    let facts = LoginFacts {
        request: Request {
            skip: remembered.is_some(),
            params,
            url: REQUEST_URL,
            remembered,
            hint,
        },
        session,
        reauth: None,
        policy: &POLICY,
        now: now(),
    };
    plan(&facts)
}

/// The subject the plan accepts, when it accepts.
fn accepted_subject(plan: &LoginPlan) -> Option<&str> {
    match plan {
        LoginPlan::Accept { body, .. } => Some(body.subject.as_str()),
        _ => None,
    }
}

pub(super) const NONE: AuthParams = AuthParams {
    prompt_login: false,
    prompt_registration: false,
    prompt_none: true,
    prompt_conflict: false,
    max_age: None,
    acr_values: Vec::new(),
};

#[test]
fn nobody_is_signed_in_as_someone_the_hint_does_not_name() {
    let s = session(Some("CUST-1"), "aal1");
    let plain = AuthParams::default();
    let refresh = AuthParams {
        prompt_login: true,
        ..AuthParams::default()
    };
    for params in [&plain, &refresh, &NONE] {
        for remembered in [None, Some("CUST-1")] {
            // The rule gives the external_id: the UUID names the same identity, yet another subject.
            for hint in ["CUST-2", "9f425a8d-7efc-4768-8f23-7647a74fdf13", ""] {
                assert_eq!(
                    named(params, &s, remembered, Some(hint)),
                    LoginPlan::Reject(Refusal::NotTheHinted),
                    "{params:?} {remembered:?} {hint}"
                );
            }
        }
    }
    assert_eq!(
        accepted_subject(&named(&NONE, &s, None, Some("CUST-1"))),
        Some("CUST-1"),
        "the named person is accepted"
    );
    // Without a session the person signs in first; the hint is checked on return.
    assert!(matches!(
        named(&plain, &KratosSession::None, None, Some("CUST-2")),
        LoginPlan::Kratos(_)
    ));
    assert_eq!(
        named(&NONE, &KratosSession::None, None, Some("CUST-2")),
        LoginPlan::Reject(Refusal::InteractionNeeded)
    );
    // A request invalid as a whole is told so first.
    let conflict = AuthParams {
        prompt_conflict: true,
        ..NONE
    };
    assert_eq!(
        named(&conflict, &s, None, Some("CUST-2")),
        LoginPlan::Reject(Refusal::PromptConflict)
    );
}

#[test]
fn under_prompt_none_another_remembered_person_is_login_required_before_any_accept() {
    let s = session(Some("CUST-1"), "aal1");
    assert_eq!(
        named(&NONE, &s, Some("CUST-2"), None),
        LoginPlan::Reject(Refusal::OtherRemembered)
    );
    assert_eq!(
        accepted_subject(&named(&NONE, &s, Some("CUST-1"), None)),
        Some("CUST-1")
    );
}

#[test]
fn under_prompt_none_no_external_id_is_login_required_not_a_page() {
    let s = session(None, "aal1");
    let rules = LoginPolicy {
        subject_source: SubjectSource::ExternalId,
        ..POLICY
    };
    assert_eq!(
        run(&NONE, &s, None, &rules),
        LoginPlan::Reject(Refusal::InteractionNeeded)
    );
}

#[test]
fn a_registration_needs_interaction() {
    assert_eq!(
        registration(&AuthParams::default(), now()),
        RegistrationPlan::Kratos(KratosTrip::registration(now()))
    );
    assert_eq!(
        registration(&NONE, now()),
        RegistrationPlan::Reject(Refusal::InteractionNeeded)
    );
    let conflict = AuthParams {
        prompt_registration: true,
        prompt_conflict: true,
        ..NONE
    };
    assert_eq!(
        registration(&conflict, now()),
        RegistrationPlan::Reject(Refusal::PromptConflict)
    );
}

fn browser_kind() -> impl Strategy<Value = u8> {
    0u8..3
}

proptest! {
    /// Only an active session is ever accepted, and only for its own subject: the identity's own
    /// id or its own non-empty external_id, as the subject rule gives it. No trip asks Kratos for
    /// `aal=aal2` without a session.
    #[test]
    fn accepts_only_the_sessions_own_subject(kind in browser_kind(), external in proptest::option::of("[A-Z0-9-]{0,8}"),
                                              aal in "aal[0-3]", prompt_login in any::<bool>(), acr in any::<bool>(),
                                              registration in any::<bool>(), max_age in proptest::option::of(0u64..10_000),
                                              token in proptest::option::of((any::<bool>(), 1u8..3)),
                                              source in prop_oneof![Just(SubjectSource::Id), Just(SubjectSource::ExternalId), Just(SubjectSource::ExternalIdOrId)]) {
        let reauth = token.map(|(refresh, aal)| Reauth { issued_at_ms: 1_799_999_000_000, refresh, aal });
        let s = session(external.as_deref(), &aal);
        let identity = s.active().unwrap().identity.clone();
        let browser = match kind {
            0 => &KratosSession::None,
            1 => &KratosSession::Aal2Required,
            _ => &s,
        };
        let params = AuthParams {
            prompt_login,
            prompt_registration: registration,
            max_age,
            acr_values: if acr { vec!["aal2".into()] } else { vec![] },
            ..AuthParams::default()
        };
        let policy = LoginPolicy { subject_source: source, ..POLICY };
        match run(&params, browser, reauth.as_ref(), &policy) {
            LoginPlan::Accept { body, source } => {
                prop_assert!(matches!(browser, KratosSession::Active(_)));
                let expected = subject_for(policy.subject_source, &identity.id, identity.external_id.as_deref()).unwrap();
                prop_assert_eq!((&body.subject, source), (&expected.value, expected.kind));
                // The subject is always the identity's own id or its own non-empty external_id.
                let external = identity.external_id.as_deref().filter(|e| !e.is_empty());
                prop_assert!(body.subject == identity.id || Some(body.subject.as_str()) == external);
            }
            LoginPlan::Kratos(trip) | LoginPlan::Incomplete(trip) => {
                prop_assert!(!(trip.aal2 && matches!(browser, &KratosSession::None)), "aal2 without a session");
            }
            LoginPlan::NoExternalId => prop_assert!(source == SubjectSource::ExternalId && identity.external_id.as_deref().is_none_or(str::is_empty)),
            LoginPlan::Reject(refusal) => prop_assert!(false, "{:?} without prompt=none or a hint", refusal),
            LoginPlan::Restart(url) => prop_assert!(false, "restarted at {} though Hydra remembers nobody", url),
        }
    }
}

#[cfg(test)]
#[path = "restart_tests.rs"]
mod restart;
