//! Which session counts and which subject is accepted: the cookie, identity schemas, `external_id`.

use super::{accepted_body, assert_identity_schema, assert_sent_to_kratos};
use crate::support::*;

#[tokio::test]
async fn no_session_redirects_to_kratos_login_without_login_challenge() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, None).await;
    let flow_url = app.kratos.login_browser_url();
    let to = assert_sent_to_kratos(&app, &response, &flow_url, &challenge);
    assert_eq!(query_param(&to, "refresh"), None);
    // No cookie: no whoami call is needed, and nothing is accepted.
    assert!(app.kratos.whoami_calls().is_empty());
    assert!(app.hydra.accepted_logins().is_empty());
}

/// `/login` as Hydra's `urls.login` with the `identity_schema` an operator added.
async fn login_with_schema(app: &TestApp, challenge: &str, schema: &str) -> reqwest::Response {
    let path = format!("{}&identity_schema={schema}", login_path(challenge));
    app.get(&path, None).await
}

#[tokio::test]
async fn identity_schema_is_passed_to_kratos_and_kept_in_return_to() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = login_with_schema(&app, &challenge, "employee").await;
    assert_identity_schema(&location(&response), "employee");

    for bad in ["a%2Fb", "%3Cscript%3E"] {
        let response = login_with_schema(&app, &challenge, bad).await;
        assert_eq!(response.status().as_u16(), 400);
    }
}

#[tokio::test]
async fn identity_schema_outside_the_configured_list_is_refused() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__KRATOS__IDENTITY_SCHEMAS", "customer,employee")
        .spawn()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let ok = login_with_schema(&app, &challenge, "customer").await;
    assert_eq!(ok.status().as_u16(), 303);
    let bad = login_with_schema(&app, &challenge, "admin").await;
    assert_page(bad, 400, "not offered").await;
}

#[tokio::test]
async fn session_is_accepted_with_the_uuid_by_default() {
    let app = TestApp::spawn().await;
    let token = app.signed_in_with_external_id(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(
        to.starts_with(fake_hydra::PUBLIC_URL) && to.contains("login_verifier="),
        "{to}"
    );

    let body = accepted_body(&app, &challenge);
    assert_eq!(body["subject"], IDENTITY_ID);
    assert_eq!(body["remember"], true);
    let remember_for = body["remember_for"].as_u64().unwrap();
    assert!(
        (86_000..=86_400).contains(&remember_for),
        "remember_for follows the session: {remember_for}"
    );
    assert_eq!(body["acr"], "aal1");
    assert_eq!(body["amr"], serde_json::json!(["password"]));
    let session = app.kratos.session(&token).unwrap();
    assert_eq!(body["identity_provider_session_id"], session.id);
    assert_eq!(body["context"]["identity_id"], IDENTITY_ID);
    assert_eq!(body["context"]["subject_source"], "id");
    // The challenge reached Hydra intact, `=` padding included.
    assert!(challenge.ends_with('='));
    assert!(
        app.hydra
            .calls()
            .iter()
            .all(|c| c.challenge.as_deref() == Some(challenge.as_str()))
    );
}

#[tokio::test]
async fn env_override_turns_on_external_id_subjects() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    let token = app.signed_in_with_external_id(30);
    let challenge = app.login_redirects(LoginSpec::default(), &token).await;
    let body = accepted_body(&app, &challenge);
    assert_eq!(body["subject"], EXTERNAL_ID);
    assert_eq!(body["context"]["identity_id"], IDENTITY_ID);
    assert_eq!(body["context"]["subject_source"], "external_id");
}

#[tokio::test]
async fn external_id_or_id_falls_back_to_the_uuid() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    for external in [None, Some("")] {
        let token = app
            .kratos
            .add_session(IdentitySpec::new(IDENTITY_ID, external), 1, 30);
        let challenge = app.login_redirects(LoginSpec::default(), &token).await;
        let accepted = app.hydra.accepted_logins();
        let (_, body) = accepted.iter().find(|(c, _)| *c == challenge).unwrap();
        assert_eq!(body["subject"], IDENTITY_ID);
    }
}

#[tokio::test]
async fn subject_source_external_id_refuses_identities_without_one() {
    let app = TestApp::against(HydraVersion::Strict)
        .subject_source("external_id")
        .spawn()
        .await;
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_page(
        app.login(&challenge, Some(&token)).await,
        403,
        "external identifier",
    )
    .await;
    assert!(app.hydra.accepted_logins().is_empty());

    let token = app.signed_in_with_external_id(30);
    let challenge = app.login_redirects(LoginSpec::default(), &token).await;
    assert_eq!(accepted_body(&app, &challenge)["subject"], EXTERNAL_ID);
}

#[tokio::test]
async fn only_the_kratos_session_cookie_is_forwarded() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let cookie = format!("tracking=abc; {}; csrf_token_x=zzz", session_cookie(&token));
    let response = app.get(&login_path(&challenge), Some(&cookie)).await;
    assert_eq!(response.status().as_u16(), 303);
    let calls = app.kratos.whoami_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].cookie.as_deref(),
        Some(session_cookie(&token).as_str())
    );
    assert!(
        !calls[0]
            .header_names
            .iter()
            .any(|h| h == "authorization" || h == "x-session-token")
    );
}

#[tokio::test]
async fn a_custom_session_cookie_name_is_honoured() {
    let app = TestApp::against(HydraVersion::Strict)
        .env(
            "BRIDGE__KRATOS__SESSION_COOKIE_NAME",
            "ory_session_projectslug",
        )
        .spawn()
        .await;
    app.kratos.set_cookie_name("ory_session_projectslug");
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    // The default name no longer counts.
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).starts_with(&app.kratos.login_browser_url()));
    let cookie = format!("ory_session_projectslug={token}");
    let response = app.get(&login_path(&challenge), Some(&cookie)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(
        app.kratos.whoami_calls().last().unwrap().cookie.as_deref(),
        Some(cookie.as_str())
    );
}

#[tokio::test]
async fn an_inactive_identity_has_no_session() {
    let app = TestApp::spawn().await;
    let mut identity = IdentitySpec::new(IDENTITY_ID, None);
    identity.state = "inactive";
    let token = app.kratos.add_session(identity, 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::remembered(IDENTITY_ID, ""));
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).starts_with(&app.kratos.login_browser_url()));
    assert!(app.hydra.accepted_logins().is_empty());
}
