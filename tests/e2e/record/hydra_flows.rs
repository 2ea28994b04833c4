//! One browser through Hydra's login and consent: each request read, accepted, refused and read
//! again after the browser used its verifier; then a second authorization Hydra remembers.

use serde_json::json;

use super::hydra::{
    ADMIN, CONSENT, LOGIN, Requests, SCOPE, accept_consent_body, accept_login_body, authorize,
    browser, consent_challenge, follow,
};
use super::{Answer, Call, Recorder};
use crate::browser::AuthRequest;
use crate::oauth::exchange;
use crate::stack::Stack;

/// `challenge`'s request, then one Hydra never issued and one without a challenge.
async fn reads(r: &mut Recorder, requests: &Requests, challenge: &str, about: &str) {
    let calls = [
        ("get", about, requests.get(challenge)),
        (
            "get_unknown",
            "a challenge Hydra never issued",
            requests.get("abc"),
        ),
        (
            "get_missing",
            "no challenge",
            Call::get(ADMIN, requests.path),
        ),
    ];
    for (what, about, call) in calls {
        r.record(&requests.name(what), about, call).await;
    }
}

/// Accepts of `challenge` with bodies Hydra cannot use (`unusable`: what, about, body), then the
/// bridge's `body` for a challenge Hydra never issued.
async fn unusable_accepts(
    r: &mut Recorder,
    requests: &Requests,
    challenge: &str,
    unusable: &[(&str, &str, &str)],
    body: &str,
) {
    for (what, about, bad) in unusable {
        let name = requests.name(&format!("accept_{what}"));
        r.record(&name, about, requests.accept(challenge, bad))
            .await;
    }
    r.record(
        &requests.name("accept_unknown"),
        "accepting a challenge Hydra never issued",
        requests.accept("abc", body),
    )
    .await;
}

/// The bridge's accept, then the same again; returns the second answer.
async fn accept_twice(
    r: &mut Recorder,
    requests: &Requests,
    challenge: &str,
    body: &str,
) -> Answer {
    let accept = || requests.accept(challenge, body);
    r.record(&requests.name("accept"), "the bridge's accept", accept())
        .await;
    r.record(
        &requests.name("accept_again"),
        "the same accept again",
        accept(),
    )
    .await
}

/// The request read and accepted once more after the browser used its verifier.
async fn used(r: &mut Recorder, requests: &Requests, challenge: &str, body: &str) {
    r.record(
        &requests.name("get_used"),
        &format!(
            "the {} request after the browser used its verifier",
            requests.kind
        ),
        requests.get(challenge),
    )
    .await;
    r.record(
        &requests.name("accept_used"),
        "accepting after the browser used the verifier",
        requests.accept(challenge, body),
    )
    .await;
}

/// One browser through login, consent, a second authorization that skips both, and logouts.
pub async fn login_and_consent(stack: &Stack, r: &mut Recorder, client: &str) {
    let browser = browser();
    let request = AuthRequest::new(client, SCOPE);
    let login = authorize(stack, r, &browser, &request).await;
    reads(r, &LOGIN, &login, "a login request, no session at Hydra").await;
    let unusable = [
        (
            "wrong_type",
            "a field of the wrong type",
            r#"{"subject":"u1","remember":"yes"}"#,
        ),
        ("empty_body", "no body at all", ""),
        ("no_subject", "no subject", "{}"),
        ("not_json", "a body that is no JSON", "subject=u1"),
    ];
    let body = accept_login_body();
    unusable_accepts(r, &LOGIN, &login, &unusable, &body).await;
    r.record(
        "hydra_login_accept_missing",
        "accepting without a challenge",
        Call::put(ADMIN, &format!("{}/accept", LOGIN.path), &body),
    )
    .await;
    r.record(
        "hydra_login_accept_unknown_field",
        "an accept body with a field Hydra does not know",
        LOGIN.accept(&login, r#"{"subject":"u1","bogus":1}"#),
    )
    .await;
    let again = accept_twice(r, &LOGIN, &login, &body).await;
    r.record(
        "hydra_login_get_accepted",
        "the login request after the accept",
        LOGIN.get(&login),
    )
    .await;
    let consent = consent_challenge(r, &browser, &again.json).await;
    used(r, &LOGIN, &login, &body).await;

    reads(r, &CONSENT, &consent, "a consent request").await;
    let unusable = [
        (
            "wrong_type",
            "a field of the wrong type",
            r#"{"grant_scope":"openid"}"#,
        ),
        ("empty_body", "no body at all", ""),
        ("not_json", "a body that is no JSON", "grant_scope=openid"),
    ];
    let body = accept_consent_body();
    unusable_accepts(r, &CONSENT, &consent, &unusable, &body).await;
    r.record(
        "hydra_consent_accept_unknown_field",
        "an accept body with a field Hydra does not know",
        CONSENT.accept(&consent, r#"{"grant_scope":["openid"],"bogus":1}"#),
    )
    .await;
    let again = accept_twice(r, &CONSENT, &consent, &body).await;
    let callback = follow(&browser, &again.json).await;
    used(r, &CONSENT, &consent, &body).await;
    let tokens = exchange(
        stack,
        &request,
        &url::Url::parse(&callback).expect("callback"),
    )
    .await;

    // A second authorization in the same browser: Hydra remembers the login and the consent.
    let request = AuthRequest::new(client, SCOPE);
    let login = authorize(stack, r, &browser, &request).await;
    r.record(
        "hydra_login_get_skip",
        "a login request Hydra remembers the subject of",
        LOGIN.get(&login),
    )
    .await;
    let other =
        json!({ "subject": "another-subject", "remember": true, "remember_for": 3600 }).to_string();
    r.record(
        "hydra_login_accept_other_subject",
        "accepting a remembered login with another subject",
        LOGIN.accept(&login, &other),
    )
    .await;
    let accepted = r
        .record(
            "hydra_login_accept_skip",
            "accepting a remembered login with its subject",
            LOGIN.accept(&login, &accept_login_body()),
        )
        .await;
    let consent = consent_challenge(r, &browser, &accepted.json).await;
    r.record(
        "hydra_consent_get_skip",
        "a consent request Hydra remembers",
        CONSENT.get(&consent),
    )
    .await;

    super::hydra_logout::logout(stack, r, &browser, &tokens.id_token).await;
}
