//! Tests of the restart with `prompt=login` when Hydra remembers another person than the session's.

use super::super::*;
use super::{NONE, POLICY, REQUEST_URL, named, now, session};
use crate::login::demands::AuthParams;
use crate::login::{LoginFacts, Request};

/// The plan for a session while Hydra remembers `remembered`, for the authorization request `url`.
fn remembering(
    params: &AuthParams,
    session: &KratosSession,
    remembered: &str,
    url: &str,
) -> LoginPlan {
    plan(&LoginFacts {
        request: Request {
            skip: true,
            params,
            url,
            remembered: Some(remembered),
            hint: None,
        },
        session,
        reauth: None,
        policy: &POLICY,
        now: now(),
    })
}

#[test]
fn another_remembered_person_restarts_the_request_with_prompt_login_before_any_accept() {
    let s = session(Some("CUST-1"), "aal1");
    let LoginPlan::Restart(url) = named(&AuthParams::default(), &s, Some("CUST-2"), None) else {
        panic!("not restarted")
    };
    assert_eq!(
        url.as_str(),
        "https://hydra.test/oauth2/auth?client_id=a&state=s&prompt=login"
    );
    // Also where the session falls short of the request: no trip to Kratos for a person Hydra
    // would not take.
    let step_up = AuthParams {
        acr_values: vec!["aal2".into()],
        ..AuthParams::default()
    };
    assert!(matches!(
        named(&step_up, &s, Some("CUST-2"), None),
        LoginPlan::Restart(_)
    ));
    // The person Hydra remembers is accepted.
    assert!(matches!(
        named(&AuthParams::default(), &s, Some("CUST-1"), None),
        LoginPlan::Accept { .. }
    ));
}

#[test]
fn a_request_that_cannot_restart_is_login_required() {
    let s = session(Some("CUST-1"), "aal1");
    for url in [
        // A request object's `prompt` would win over the query's.
        "https://hydra.test/oauth2/auth?client_id=a&request=e30.e30.",
        "https://hydra.test/oauth2/auth?client_id=a&prompt=login",
        "/oauth2/auth?client_id=a",
    ] {
        assert_eq!(
            remembering(&AuthParams::default(), &s, "CUST-2", url),
            LoginPlan::Reject(Refusal::OtherRemembered),
            "{url}"
        );
    }
    // Under prompt=none, even where the URL would allow it.
    assert_eq!(
        remembering(&NONE, &s, "CUST-2", REQUEST_URL),
        LoginPlan::Reject(Refusal::OtherRemembered)
    );
}

#[test]
fn who_the_person_is_is_checked_only_once_kratos_shows_them() {
    // Without a session, or one hidden behind the second factor, the person signs in first.
    for hidden in [KratosSession::None, KratosSession::Aal2Required] {
        assert!(matches!(
            named(&AuthParams::default(), &hidden, Some("CUST-2"), None),
            LoginPlan::Kratos(_)
        ));
    }
    // The application's hint is told first.
    let s = session(Some("CUST-1"), "aal1");
    assert_eq!(
        named(&AuthParams::default(), &s, Some("CUST-2"), Some("CUST-3")),
        LoginPlan::Reject(Refusal::NotTheHinted)
    );
}

#[test]
fn another_subject_restarts_the_request_with_prompt_login() {
    let url = restart_with_login(
        "https://hydra.test/oauth2/auth?client_id=a&prompt=consent&state=s%20t&max_age=60",
    )
    .unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(get("prompt"), vec!["consent login"]);
    assert_eq!(get("state"), vec!["s t"]);
    assert_eq!(get("max_age"), vec!["60"]);
    assert_eq!(url.host_str(), Some("hydra.test"));
    for refused in [
        "https://hydra.test/oauth2/auth?client_id=a&prompt=none",
        "https://hydra.test/oauth2/auth?client_id=a&prompt=login",
        "https://hydra.test/oauth2/auth?client_id=a&request=e30.e30.",
        "https://hydra.test/oauth2/auth?client_id=a&request_uri=urn:x",
        "/oauth2/auth?client_id=a",
        "javascript:alert(1)",
    ] {
        assert_eq!(restart_with_login(refused), None, "{refused}");
    }
}
