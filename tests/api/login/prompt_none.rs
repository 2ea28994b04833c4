//! `prompt=none` (OIDC Core 3.1.2.1): no page and no trip to Kratos. Whatever needs the person is
//! `login_required` for the application, and `none` beside another prompt value `invalid_request`.

use super::{assert_rejected, description, request_object};
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn a_revoked_kratos_session_is_login_required_though_hydra_remembers_the_person() {
    let app = TestApp::spawn().await;
    // A cookie whose session Kratos no longer knows (whoami 401), and no cookie at all.
    for cookie in [Some("revoked-session"), None] {
        let challenge = app
            .hydra
            .add_login(LoginSpec::remembered(IDENTITY_ID, "prompt=none"));
        let response = app.login(&challenge, cookie).await;
        let body = assert_rejected(&app, &response, &challenge, "login_required");
        assert!(description(&body).contains("prompt=none"), "{body}");
    }
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn every_trip_to_kratos_becomes_login_required() {
    let app = TestApp::spawn().await;
    let session = app.signed_in(600);
    let hidden = app.signed_in(600);
    app.kratos.require_aal2(&hidden);
    let essential = json!({ "id_token": { "acr": { "essential": true, "values": ["aal2"] } } });
    let object = request_object(&json!({ "prompt": "none", "max_age": 0 }));
    let cases = [
        // 403 session_aal2_required.
        (
            "aal2 required",
            &hidden,
            LoginSpec::remembered(IDENTITY_ID, "prompt=none"),
        ),
        (
            "max_age",
            &session,
            LoginSpec::asking("prompt=none&max_age=60"),
        ),
        (
            "acr_values",
            &session,
            LoginSpec {
                acr_values: vec!["aal2".into()],
                ..LoginSpec::remembered(IDENTITY_ID, "prompt=none")
            },
        ),
        (
            "essential acr claim",
            &session,
            LoginSpec::asking(&format!(
                "prompt=none&claims={}",
                encode(&essential.to_string())
            )),
        ),
        (
            "request object",
            &session,
            LoginSpec::asking(&format!("request={object}")),
        ),
        // Demands that cannot be read ask for a fresh login, which cannot be had.
        (
            "request_uri",
            &session,
            LoginSpec::asking("prompt=none&request_uri=https%3A%2F%2Fapp.test%2Fr%2F1"),
        ),
    ];
    for (case, token, spec) in cases {
        let challenge = app.hydra.add_login(spec);
        let response = app.login(&challenge, Some(token)).await;
        assert_eq!(response.status().as_u16(), 303, "{case}");
        assert_rejected(&app, &response, &challenge, "login_required");
    }
    assert!(app.hydra.accepted_logins().is_empty());
    // Without prompt=none the same request goes to Kratos.
    let challenge = app.hydra.add_login(LoginSpec::asking("max_age=60"));
    let to = location(&app.login(&challenge, Some(&session)).await);
    assert!(to.starts_with(&app.kratos.url), "{to}");
}

#[tokio::test]
async fn pages_become_login_required_too() {
    for (key, value) in [
        // Would ask Kratos for a fresh login.
        ("BRIDGE__LOGIN__REAUTHENTICATE", "always"),
        // The strict subject rule's "no external identifier" page.
        ("BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE", "external_id"),
    ] {
        let app = TestApp::against(HydraVersion::Strict)
            .env(key, value)
            .spawn()
            .await;
        let token = app.signed_in(5);
        let challenge = app.hydra.add_login(LoginSpec::asking("prompt=none"));
        let response = app.login(&challenge, Some(&token)).await;
        assert_rejected(&app, &response, &challenge, "login_required");
    }
}

#[tokio::test]
async fn another_person_than_hydra_remembers_is_login_required_before_any_accept() {
    for version in [
        HydraVersion::Strict,
        HydraVersion::Lenient,
        HydraVersion::V2_1,
    ] {
        let app = TestApp::against(version).spawn().await;
        let token = app
            .kratos
            .add_session(IdentitySpec::new(OTHER_IDENTITY, None), 1, 600);
        let challenge = app
            .hydra
            .add_login(LoginSpec::remembered(IDENTITY_ID, "prompt=none"));
        let response = app.login(&challenge, Some(&token)).await;
        let body = assert_rejected(&app, &response, &challenge, "login_required");
        assert!(
            description(&body).contains("remembered"),
            "{version:?}: {body}"
        );
        assert!(app.hydra.accepted_logins().is_empty(), "{version:?}");
    }
}

#[tokio::test]
async fn a_session_that_meets_the_request_is_accepted_without_a_page() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 2, 30);
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::remembered(IDENTITY_ID, "prompt=none&max_age=60")
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("login_verifier="));
    assert!(app.hydra.rejected_logins().is_empty());
    assert_eq!(app.hydra.accepted_logins()[0].1["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn none_beside_another_prompt_value_is_an_invalid_request() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(30);
    for query in [
        "prompt=none+login",
        "prompt=none%20consent",
        "prompt=select_account+none",
        "prompt=none+registration",
        "prompt=create+none",
    ] {
        for session in [Some(token.as_str()), None] {
            let challenge = app
                .hydra
                .add_login(LoginSpec::remembered(IDENTITY_ID, query));
            let response = app.login(&challenge, session).await;
            assert_rejected(&app, &response, &challenge, "invalid_request");
        }
    }
    // Hydra's `urls.registration`, which it uses for prompt=registration.
    let challenge = app
        .hydra
        .add_login(LoginSpec::asking("prompt=registration+none"));
    let response = app.get(&registration_path(&challenge), None).await;
    assert_rejected(&app, &response, &challenge, "invalid_request");
    assert!(app.hydra.accepted_logins().is_empty());
}
