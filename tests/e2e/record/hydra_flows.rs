//! One browser through Hydra's login and consent: each request read, accepted, refused and read
//! again after the browser used its verifier; then a second authorization Hydra remembers.

use serde_json::json;

use super::hydra::{
    ADMIN, CONSENT, LOGIN, SCOPE, accept_consent_body, accept_login_body, authorize, browser,
    follow, param,
};
use super::{Call, Recorder};
use crate::browser::AuthRequest;
use crate::oauth::exchange;
use crate::stack::Stack;

/// One browser through login, consent, a second authorization that skips both, and logouts.
pub async fn login_and_consent(stack: &Stack, r: &mut Recorder, client: &str) {
    let browser = browser();
    let request = AuthRequest::new(client, SCOPE);
    let login = authorize(stack, r, &browser, &request).await;
    let get = |c: &str| Call::get(ADMIN, LOGIN).query("login_challenge", c);
    let accept = |c: &str, body: &str| {
        Call::put(ADMIN, &format!("{LOGIN}/accept"), body).query("login_challenge", c)
    };
    r.record(
        "hydra_login_get",
        "a login request, no session at Hydra",
        get(&login),
    )
    .await;
    r.record(
        "hydra_login_get_unknown",
        "a challenge Hydra never issued",
        get("abc"),
    )
    .await;
    r.record(
        "hydra_login_get_missing",
        "no challenge",
        Call::get(ADMIN, LOGIN),
    )
    .await;
    let bad = [
        (
            "hydra_login_accept_wrong_type",
            "a field of the wrong type",
            r#"{"subject":"u1","remember":"yes"}"#,
        ),
        ("hydra_login_accept_empty_body", "no body at all", ""),
        ("hydra_login_accept_no_subject", "no subject", "{}"),
        (
            "hydra_login_accept_not_json",
            "a body that is no JSON",
            "subject=u1",
        ),
    ];
    for (name, about, body) in bad {
        r.record(name, about, accept(&login, body)).await;
    }
    let body = accept_login_body();
    r.record(
        "hydra_login_accept_unknown",
        "accepting a challenge Hydra never issued",
        accept("abc", &body),
    )
    .await;
    r.record(
        "hydra_login_accept_missing",
        "accepting without a challenge",
        Call::put(ADMIN, &format!("{LOGIN}/accept"), &body),
    )
    .await;
    r.record(
        "hydra_login_accept_unknown_field",
        "an accept body with a field Hydra does not know",
        accept(&login, r#"{"subject":"u1","bogus":1}"#),
    )
    .await;
    r.record(
        "hydra_login_accept",
        "the bridge's accept",
        accept(&login, &body),
    )
    .await;
    let again = r
        .record(
            "hydra_login_accept_again",
            "the same accept again",
            accept(&login, &body),
        )
        .await;
    r.record(
        "hydra_login_get_accepted",
        "the login request after the accept",
        get(&login),
    )
    .await;
    let to = follow(
        &browser,
        again.json["redirect_to"].as_str().expect("redirect_to"),
    )
    .await;
    let consent = param(&to, "consent_challenge");
    r.names.add(&consent, "{consent_challenge}");
    r.record(
        "hydra_login_get_used",
        "the login request after the browser used its verifier",
        get(&login),
    )
    .await;
    r.record(
        "hydra_login_accept_used",
        "accepting after the browser used the verifier",
        accept(&login, &body),
    )
    .await;

    let get = |c: &str| Call::get(ADMIN, CONSENT).query("consent_challenge", c);
    let accept = |c: &str, body: &str| {
        Call::put(ADMIN, &format!("{CONSENT}/accept"), body).query("consent_challenge", c)
    };
    r.record("hydra_consent_get", "a consent request", get(&consent))
        .await;
    r.record(
        "hydra_consent_get_unknown",
        "a challenge Hydra never issued",
        get("abc"),
    )
    .await;
    r.record(
        "hydra_consent_get_missing",
        "no challenge",
        Call::get(ADMIN, CONSENT),
    )
    .await;
    let bad = [
        (
            "hydra_consent_accept_wrong_type",
            "a field of the wrong type",
            r#"{"grant_scope":"openid"}"#,
        ),
        ("hydra_consent_accept_empty_body", "no body at all", ""),
        (
            "hydra_consent_accept_not_json",
            "a body that is no JSON",
            "grant_scope=openid",
        ),
    ];
    for (name, about, body) in bad {
        r.record(name, about, accept(&consent, body)).await;
    }
    let body = accept_consent_body();
    r.record(
        "hydra_consent_accept_unknown",
        "accepting a challenge Hydra never issued",
        accept("abc", &body),
    )
    .await;
    r.record(
        "hydra_consent_accept_unknown_field",
        "an accept body with a field Hydra does not know",
        accept(&consent, r#"{"grant_scope":["openid"],"bogus":1}"#),
    )
    .await;
    r.record(
        "hydra_consent_accept",
        "the bridge's accept",
        accept(&consent, &body),
    )
    .await;
    let again = r
        .record(
            "hydra_consent_accept_again",
            "the same accept again",
            accept(&consent, &body),
        )
        .await;
    let callback = follow(
        &browser,
        again.json["redirect_to"].as_str().expect("redirect_to"),
    )
    .await;
    r.record(
        "hydra_consent_get_used",
        "the consent request after the browser used its verifier",
        get(&consent),
    )
    .await;
    r.record(
        "hydra_consent_accept_used",
        "accepting after the browser used the verifier",
        accept(&consent, &body),
    )
    .await;
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
        Call::get(ADMIN, LOGIN).query("login_challenge", &login),
    )
    .await;
    let other =
        json!({ "subject": "another-subject", "remember": true, "remember_for": 3600 }).to_string();
    r.record(
        "hydra_login_accept_other_subject",
        "accepting a remembered login with another subject",
        Call::put(ADMIN, &format!("{LOGIN}/accept"), &other).query("login_challenge", &login),
    )
    .await;
    let accepted = r
        .record(
            "hydra_login_accept_skip",
            "accepting a remembered login with its subject",
            Call::put(ADMIN, &format!("{LOGIN}/accept"), &accept_login_body())
                .query("login_challenge", &login),
        )
        .await;
    let to = follow(
        &browser,
        accepted.json["redirect_to"].as_str().expect("redirect_to"),
    )
    .await;
    let consent = param(&to, "consent_challenge");
    r.names.add(&consent, "{consent_challenge}");
    r.record(
        "hydra_consent_get_skip",
        "a consent request Hydra remembers",
        get(&consent),
    )
    .await;

    super::hydra_logout::logout(stack, r, &browser, &tokens.id_token).await;
}
