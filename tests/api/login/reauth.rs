//! Skip, `prompt=login`, `max_age` and step-up: when a session is accepted, when Kratos is asked.

use std::time::Duration;

use super::{accepted_body, assert_page, session_cookie};
use crate::support::*;

#[tokio::test]
async fn skip_with_a_session_accepts_even_with_prompt_login() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 10_000);
    let challenge = app.hydra.add_login(LoginSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        auth_query: "max_age=5".into(),
        ..LoginSpec::default()
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn skip_without_a_session_goes_to_kratos() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        ..LoginSpec::default()
    });
    // A cookie whose session Kratos no longer knows: whoami answers 401.
    let response = app.login(&challenge, Some("revoked-session")).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(
        location(&response).starts_with(&format!("{}/self-service/login/browser", app.kratos.url))
    );
    assert_eq!(app.kratos.whoami_calls().len(), 1);
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn skip_with_another_users_session_follows_hydras_forced_login() {
    let app = TestApp::spawn().await;
    let token = app.kratos.add_session(
        IdentitySpec::new("1b4e28ba-2fa1-41d2-883f-0016d3cca427", None),
        1,
        30,
    );
    let challenge = app.hydra.add_login(LoginSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        ..LoginSpec::default()
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(
        to.contains("prompt=login") && !to.contains("login_verifier"),
        "{to}"
    );
}

#[tokio::test]
async fn prompt_login_round_trips_through_a_kratos_refresh() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let first = app.login(&challenge, Some(&token)).await;
    assert_eq!(first.status().as_u16(), 303);
    let to = location(&first);
    assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    assert!(
        app.hydra.accepted_logins().is_empty(),
        "no accept before re-authentication"
    );

    // The browser goes to Kratos, re-authenticates, and is sent back.
    let kratos = app.follow(&to, Some(&cookie)).await;
    assert_eq!(kratos.status().as_u16(), 303);
    let back = location(&kratos);
    let done = app.follow(&back, Some(&cookie)).await;
    assert_eq!(
        done.status().as_u16(),
        303,
        "{}",
        done.text().await.unwrap_or_default()
    );
    assert!(location(&done).contains("login_verifier="));
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn a_refresh_that_did_not_happen_is_not_accepted_and_does_not_loop() {
    let app = TestApp::spawn().await;
    app.kratos.set_lazy_refresh(true);
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let first = app.login(&challenge, Some(&token)).await;
    let kratos = app.follow(&location(&first), Some(&cookie)).await;
    let back = app.follow(&location(&kratos), Some(&cookie)).await;
    let body = assert_page(back, 403, "did not complete").await;
    assert!(body.contains("Sign in again"));
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn a_forged_reauth_token_counts_for_nothing() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let forged = "eyJhbGciOiJIUzI1NiJ9.eyJ0IjowfQ.c2lnbmF0dXJl";
    let response = app
        .get(
            &format!(
                "/login?login_challenge={}&reauth={forged}",
                encode(&challenge)
            ),
            Some(&session_cookie(&token)),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        query_param(&location(&response), "refresh").as_deref(),
        Some("true")
    );
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn a_reauth_token_of_another_challenge_counts_for_nothing() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let spec = LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    };
    let a = app.hydra.add_login(spec.clone());
    let b = app.hydra.add_login(spec);
    let first = app.login(&a, Some(&token)).await;
    let return_to = query_param(&location(&first), "return_to").unwrap();
    let reauth = query_param(&return_to, "reauth").unwrap();
    // Re-authenticate for real, then present a's token with b.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let fresh = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 0);
    let response = app
        .get(
            &format!(
                "/login?login_challenge={}&reauth={}",
                encode(&b),
                encode(&reauth)
            ),
            Some(&session_cookie(&fresh)),
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        query_param(&location(&response), "refresh").as_deref(),
        Some("true")
    );
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn max_age_decides_between_accept_and_refresh() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 120);
    let old = app.hydra.add_login(LoginSpec {
        auth_query: "max_age=60".into(),
        ..LoginSpec::default()
    });
    let response = app.login(&old, Some(&token)).await;
    assert_eq!(
        query_param(&location(&response), "refresh").as_deref(),
        Some("true")
    );
    let fine = app.hydra.add_login(LoginSpec {
        auth_query: "max_age=3600".into(),
        ..LoginSpec::default()
    });
    let response = app.login(&fine, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
}

#[tokio::test]
async fn always_reauthenticate_refreshes_non_skipped_logins() {
    let app = TestApp::builder()
        .hydra(HydraVersion::Strict)
        .env("BRIDGE__LOGIN__REAUTHENTICATE", "always")
        .spawn()
        .await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 5);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(
        query_param(&location(&response), "refresh").as_deref(),
        Some("true")
    );
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn acr_values_aal2_steps_up_and_reports_the_new_level() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::default()
    });
    let first = app.login(&challenge, Some(&token)).await;
    let to = location(&first);
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    let kratos = app.follow(&to, Some(&cookie)).await;
    let done = app.follow(&location(&kratos), Some(&cookie)).await;
    assert_eq!(done.status().as_u16(), 303);
    let body = accepted_body(&app, &challenge);
    assert_eq!(body["acr"], "aal2");
    assert_eq!(body["amr"], serde_json::json!(["password", "totp"]));
}

#[tokio::test]
async fn whoami_aal2_required_sends_the_browser_to_step_up() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    app.kratos.require_aal2(&token);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(to.starts_with(&format!("{}/self-service/login/browser", app.kratos.url)));
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    let kratos = app.follow(&to, Some(&session_cookie(&token))).await;
    let done = app
        .follow(&location(&kratos), Some(&session_cookie(&token)))
        .await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(accepted_body(&app, &challenge)["acr"], "aal2");
}

#[tokio::test]
async fn a_step_up_does_not_skip_prompt_login() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 7_200);
    app.kratos.require_aal2(&token);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let first = app.login(&challenge, Some(&token)).await;
    let to = location(&first);
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    let kratos = app.follow(&to, Some(&cookie)).await;
    let done = app.follow(&location(&kratos), Some(&cookie)).await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(accepted_body(&app, &challenge)["acr"], "aal2");
}

#[tokio::test]
async fn full_chain_from_no_session_to_hydra() {
    let app = TestApp::builder()
        .hydra(HydraVersion::Strict)
        .env("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")
        .spawn()
        .await;
    app.kratos
        .set_next_login(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=login".into(),
        ..LoginSpec::default()
    });
    let first = app.login(&challenge, None).await;
    let kratos = app.follow(&location(&first), None).await;
    assert_eq!(
        kratos.status().as_u16(),
        303,
        "Kratos accepted the return_to"
    );
    let cookie =
        set_cookie_named(&kratos, fake_kratos::COOKIE_NAME).expect("Kratos set its session cookie");
    // Logged in just now: prompt=login is satisfied without a second round.
    let done = app.follow(&location(&kratos), Some(&cookie)).await;
    assert_eq!(done.status().as_u16(), 303);
    assert!(location(&done).contains("login_verifier="));
    assert_eq!(accepted_body(&app, &challenge)["subject"], EXTERNAL_ID);
    assert!(
        app.kratos
            .login_browser_queries()
            .iter()
            .all(|q| !q.contains("login_challenge="))
    );
}

#[tokio::test]
async fn a_session_cookie_kratos_never_sees_does_not_loop() {
    // Kratos has a session, but the cookie does not reach the bridge (cookie domain misconfigured).
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let first = app.login(&challenge, None).await;
    let kratos = app
        .follow(&location(&first), Some(&session_cookie(&token)))
        .await;
    assert_eq!(kratos.status().as_u16(), 303);
    let back = app.follow(&location(&kratos), None).await;
    assert_page(back, 403, "did not complete").await;
}
