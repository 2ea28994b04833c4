//! GET /login against fake Hydra and Kratos: every decision branch and every failure mode.

use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::Value;

fn session_cookie(token: &str) -> String {
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

fn accepted_body(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_logins();
    assert_eq!(accepted.len(), 1, "exactly one accept: {accepted:?}");
    assert_eq!(accepted[0].0, challenge);
    accepted[0].1.clone()
}

async fn assert_page(response: reqwest::Response, status: u16, needle: &str) -> String {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    let body = response.text().await.unwrap();
    assert!(body.contains(needle), "page lacks {needle:?}: {body}");
    assert!(
        !body.contains("secret-upstream-body"),
        "upstream body echoed"
    );
    body
}

#[tokio::test]
async fn no_session_redirects_to_kratos_login_without_login_challenge() {
    let app = spawn_app().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, None).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(
        to.starts_with(&format!("{}/self-service/login/browser?", app.kratos.url)),
        "{to}"
    );
    assert_eq!(query_param(&to, "login_challenge"), None);
    assert_eq!(query_param(&to, "refresh"), None);
    let return_to = query_param(&to, "return_to").unwrap();
    assert!(return_to.starts_with(&format!("{}/login?", app.address)));
    assert_eq!(
        query_param(&return_to, "login_challenge").as_deref(),
        Some(challenge.as_str())
    );
    assert!(query_param(&return_to, "reauth").is_some());
    // No cookie: no whoami call is needed, and nothing is accepted.
    assert!(app.kratos.whoami_calls().is_empty());
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn identity_schema_is_passed_to_kratos_and_kept_in_return_to() {
    let app = spawn_app().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app
        .get(
            &format!(
                "/login?login_challenge={}&identity_schema=employee",
                encode(&challenge)
            ),
            None,
        )
        .await;
    let to = location(&response);
    assert_eq!(
        query_param(&to, "identity_schema").as_deref(),
        Some("employee")
    );
    let return_to = query_param(&to, "return_to").unwrap();
    assert_eq!(
        query_param(&return_to, "identity_schema").as_deref(),
        Some("employee")
    );

    for bad in ["a%2Fb", "%3Cscript%3E"] {
        let response = app
            .get(
                &format!(
                    "/login?login_challenge={}&identity_schema={bad}",
                    encode(&challenge)
                ),
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 400);
    }
}

#[tokio::test]
async fn identity_schema_outside_the_configured_list_is_refused() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__KRATOS__IDENTITY_SCHEMAS", "customer,employee")],
    )
    .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let ok = app
        .get(
            &format!(
                "/login?login_challenge={}&identity_schema=customer",
                encode(&challenge)
            ),
            None,
        )
        .await;
    assert_eq!(ok.status().as_u16(), 303);
    let bad = app
        .get(
            &format!(
                "/login?login_challenge={}&identity_schema=admin",
                encode(&challenge)
            ),
            None,
        )
        .await;
    assert_page(bad, 400, "not offered").await;
}

#[tokio::test]
async fn session_is_accepted_with_the_uuid_by_default() {
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 30);
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
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
    )
    .await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
    let body = accepted_body(&app, &challenge);
    assert_eq!(body["subject"], EXTERNAL_ID);
    assert_eq!(body["context"]["identity_id"], IDENTITY_ID);
    assert_eq!(body["context"]["subject_source"], "external_id");
}

#[tokio::test]
async fn external_id_or_id_falls_back_to_the_uuid() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
    )
    .await;
    for external in [None, Some("")] {
        let token = app
            .kratos
            .add_session(IdentitySpec::new(IDENTITY_ID, external), 1, 30);
        let challenge = app.hydra.add_login(LoginSpec::default());
        assert_eq!(
            app.login(&challenge, Some(&token)).await.status().as_u16(),
            303
        );
        let accepted = app.hydra.accepted_logins();
        let (_, body) = accepted.iter().find(|(c, _)| *c == challenge).unwrap();
        assert_eq!(body["subject"], IDENTITY_ID);
    }
}

#[tokio::test]
async fn subject_source_external_id_refuses_identities_without_one() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__SUBJECT_SOURCE", "external_id")],
    )
    .await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_page(
        app.login(&challenge, Some(&token)).await,
        403,
        "external identifier",
    )
    .await;
    assert!(app.hydra.accepted_logins().is_empty());

    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
    assert_eq!(accepted_body(&app, &challenge)["subject"], EXTERNAL_ID);
}

#[tokio::test]
async fn skip_with_a_session_accepts_even_with_prompt_login() {
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
async fn only_the_kratos_session_cookie_is_forwarded() {
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let cookie = format!("tracking=abc; {}; csrf_token_x=zzz", session_cookie(&token));
    let response = app
        .get(
            &format!("/login?login_challenge={}", encode(&challenge)),
            Some(&cookie),
        )
        .await;
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
async fn prompt_login_round_trips_through_a_kratos_refresh() {
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__LOGIN__REAUTHENTICATE", "always")],
    )
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
async fn a_custom_session_cookie_name_is_honoured() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[(
            "BRIDGE__KRATOS__SESSION_COOKIE_NAME",
            "ory_session_projectslug",
        )],
    )
    .await;
    app.kratos.set_cookie_name("ory_session_projectslug");
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    // The default name no longer counts.
    let response = app.login(&challenge, Some(&token)).await;
    assert!(
        location(&response).starts_with(&format!("{}/self-service/login/browser", app.kratos.url))
    );
    let cookie = format!("ory_session_projectslug={token}");
    let response = app
        .get(
            &format!("/login?login_challenge={}", encode(&challenge)),
            Some(&cookie),
        )
        .await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(
        app.kratos.whoami_calls().last().unwrap().cookie.as_deref(),
        Some(cookie.as_str())
    );
}

#[tokio::test]
async fn an_inactive_identity_has_no_session() {
    let app = spawn_app().await;
    let mut identity = IdentitySpec::new(IDENTITY_ID, None);
    identity.state = "inactive";
    let token = app.kratos.add_session(identity, 1, 30);
    let challenge = app.hydra.add_login(LoginSpec {
        skip: true,
        subject: IDENTITY_ID.into(),
        ..LoginSpec::default()
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert!(
        location(&response).starts_with(&format!("{}/self-service/login/browser", app.kratos.url))
    );
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn a_step_up_does_not_skip_prompt_login() {
    let app = spawn_app().await;
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
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__OAUTH2_PROVIDER__USE_EXTERNAL_ID", "true")],
    )
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
    let app = spawn_app().await;
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

#[tokio::test]
async fn malformed_challenges_get_a_400_page_and_no_upstream_call() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__LOGIN__CHALLENGE_MAX_BYTES", "4096")],
    )
    .await;
    let long = "a".repeat(4097);
    for query in [
        "".to_string(),
        "?login_challenge=".to_string(),
        "?login_challenge=abc%20def".to_string(),
        "?login_challenge=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "?login_challenge=abc&login_challenge=def".to_string(),
        "?login_challenge=abc%2Bdef%2F".to_string(),
        "?login_challenge=%FF%FE".to_string(),
        format!("?login_challenge={long}"),
    ] {
        let response = app.get(&format!("/login{query}"), None).await;
        let body = assert_page(response, 400, "not valid").await;
        assert!(!body.contains("<script>"));
    }
    assert!(app.hydra.calls().is_empty());
    assert!(app.kratos.whoami_calls().is_empty());
}

#[tokio::test]
async fn long_challenges_within_the_default_limit_reach_hydra() {
    let app = spawn_app().await;
    let long = format!("{}==", "x".repeat(60 * 1024));
    let response = app.login(&long, None).await;
    assert_page(response, 404, "not known").await;
    assert_eq!(
        app.hydra.calls()[0].challenge.as_deref(),
        Some(long.as_str())
    );
}

#[tokio::test]
async fn hex_challenges_of_older_hydra_work() {
    let app = spawn_app_with(HydraVersion::V2_1, &[]).await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_eq!(challenge.len(), 32);
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn lenient_hydra_accepts_the_same_body() {
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec {
        null_oidc_context: true,
        ..LoginSpec::default()
    });
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn unknown_challenge_is_a_404_page() {
    let app = spawn_app().await;
    let response = app.login("dW5rbm93bi1jaGFsbGVuZ2U=", None).await;
    assert_page(response, 404, "not known").await;
}

#[tokio::test]
async fn expired_challenge_says_so() {
    let app = spawn_app().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.expire_login(&challenge);
    let response = app.login(&challenge, None).await;
    assert_page(
        response,
        410,
        "expired. Go back to the application and try again",
    )
    .await;
}

#[tokio::test]
async fn handled_challenge_follows_hydras_redirect() {
    // Only Hydra v2.1 answers 410 (later challenges stay readable until they expire).
    let app = spawn_app_with(HydraVersion::V2_1, &[]).await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.handle_login(&challenge);
    let response = app.login(&challenge, None).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&format!("{}/oauth2/auth?", fake_hydra::PUBLIC_URL)));
}

#[tokio::test]
async fn hydra_faults_give_gateway_pages_in_time() {
    let app = spawn_app().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    for (fault, status) in [
        (Fault::Status(500), 502),
        (Fault::Status(503), 502),
        (Fault::MalformedJson, 502),
        (Fault::WrongShape, 502),
        (Fault::HugeBody, 502),
        (Fault::Redirect, 502),
        (Fault::Hang, 504),
    ] {
        app.hydra.set_fault(Some(fault.clone()));
        let started = Instant::now();
        let response = app.login(&challenge, None).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{fault:?} took {:?}",
            started.elapsed()
        );
        assert_page(response, status, "").await;
    }
    // The service is healthy afterwards.
    app.hydra.set_fault(None);
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
}

#[tokio::test]
async fn slow_upstreams_add_up_to_one_deadline() {
    // Each call is within its own timeout (1.5 s); together they pass the request's deadline.
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__SERVE__REQUEST_TIMEOUT_MS", "1200")],
    )
    .await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra
        .set_fault(Some(Fault::Delay(Duration::from_millis(800))));
    app.kratos
        .set_fault(Some(Fault::Delay(Duration::from_millis(800))));
    let started = Instant::now();
    let response = app.login(&challenge, Some(&token)).await;
    let elapsed = started.elapsed();
    // The deadline (1.2 s) cuts the second call short; three calls would take 2.4 s, and a deadline
    // checked only between calls would answer after the second, at 1.6 s.
    assert!(
        elapsed < Duration::from_millis(1550),
        "answered after {elapsed:?}"
    );
    assert_page(response, 504, "taking too long").await;
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn hydra_unreachable_is_a_502_page() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__HYDRA__ADMIN_URL", &closed_port_url())],
    )
    .await;
    let response = app.login("YWJjZGVm", None).await;
    assert_page(response, 502, "not working right now").await;
}

#[tokio::test]
async fn kratos_faults_give_gateway_pages_and_no_accept() {
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    for (fault, status) in [
        (Fault::Status(500), 502),
        (Fault::Status(403), 502),
        (Fault::MalformedJson, 502),
        (Fault::WrongShape, 502),
        (Fault::Redirect, 502),
        (Fault::Hang, 504),
    ] {
        let challenge = app.hydra.add_login(LoginSpec::default());
        app.kratos.set_fault(Some(fault.clone()));
        let response = app.login(&challenge, Some(&token)).await;
        assert_page(response, status, "").await;
    }
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn hydra_admin_token_is_sent_as_bearer() {
    let app = spawn_app_with(
        HydraVersion::Strict,
        &[("BRIDGE__HYDRA__ADMIN_TOKEN", "ory_pat_test_token")],
    )
    .await;
    app.hydra.require_bearer("ory_pat_test_token");
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_eq!(
        app.login(&challenge, Some(&token)).await.status().as_u16(),
        303
    );
    assert!(
        app.hydra
            .calls()
            .iter()
            .all(|c| c.authorization.as_deref() == Some("Bearer ory_pat_test_token"))
    );
}

#[tokio::test]
async fn a_wrong_admin_token_is_not_mistaken_for_an_expired_request() {
    let app = spawn_app().await;
    app.hydra.require_bearer("expected");
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_page(app.login(&challenge, None).await, 502, "").await;
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_get_pages() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/login?login_challenge=abc", app.address))
        .send()
        .await
        .unwrap();
    assert_page(response, 405, "Method not allowed").await;
    assert_page(app.get("/nope", None).await, 404, "Page not found").await;
}
