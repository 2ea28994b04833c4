//! The login challenge: malformed, long, of older and lenient Hydra, unknown, expired, handled.

use super::accepted_body;
use crate::support::*;

#[tokio::test]
async fn malformed_challenges_get_a_400_page_and_no_upstream_call() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGIN__CHALLENGE_MAX_BYTES", "4096")
        .spawn()
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
    let app = TestApp::spawn().await;
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
    let app = TestApp::against(HydraVersion::V2_1).spawn().await;
    let token = app.signed_in(30);
    let challenge = app.hydra.add_login(LoginSpec::default());
    assert_eq!(challenge.len(), 32);
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn lenient_hydra_accepts_the_same_body() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(30);
    let spec = LoginSpec {
        null_oidc_context: true,
        ..LoginSpec::default()
    };
    let challenge = app.login_redirects(spec, &token).await;
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn unknown_challenge_is_a_404_page() {
    let app = TestApp::spawn().await;
    let response = app.login("dW5rbm93bi1jaGFsbGVuZ2U=", None).await;
    assert_page(response, 404, "not known").await;
}

#[tokio::test]
async fn expired_challenge_says_so() {
    let app = TestApp::spawn().await;
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
    let app = TestApp::against(HydraVersion::V2_1).spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    app.hydra.handle_login(&challenge);
    let response = app.login(&challenge, None).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&format!("{}/oauth2/auth?", fake_hydra::PUBLIC_URL)));
}

#[tokio::test]
async fn a_query_over_the_form_limit_or_with_a_repeated_parameter_is_a_400_page() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGIN__CHALLENGE_MAX_BYTES", "4096")
        .env("BRIDGE__SERVE__MAX_FORM_BYTES", "8192")
        .spawn()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let padding = "a".repeat(8192);
    for query in [
        format!("login_challenge={}&x={padding}", encode(&challenge)),
        format!(
            "login_challenge={}&identity_schema=a&identity_schema=b",
            encode(&challenge)
        ),
        format!("login_challenge={}&reauth=a&reauth=b", encode(&challenge)),
    ] {
        let response = app.get(&format!("/login?{query}"), None).await;
        assert_page(response, 400, "not valid").await;
    }
    assert!(app.hydra.calls().is_empty());
    // Within the limit, and with parameters the bridge does not know, the link works.
    let query = format!(
        "login_challenge={}&x={}",
        encode(&challenge),
        &padding[..1024]
    );
    let response = app.get(&format!("/login?{query}"), None).await;
    assert_eq!(response.status().as_u16(), 303);
}
