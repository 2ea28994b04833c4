//! The consent page and its answers: what it shows, allow with a subset, remember, deny.

use super::{consent_for, customer, customer_page, only_accept, only_reject, open_page, submit};
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn the_page_shows_client_scopes_and_escapes_everything() {
    let app = TestApp::spawn().await;
    let mut identity = customer();
    identity.traits = json!({ "email": "<b>ada</b>@example.com" });
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(ConsentSpec {
        client_name: "<script>alert('x')</script>Shop".into(),
        logo_uri: "javascript:alert(1)".into(),
        requested_scope: vec![
            "openid".into(),
            "email".into(),
            "offline_access".into(),
            "weird\"><i>".into(),
        ],
        ..consent_for(IDENTITY_ID)
    });
    let page = open_page(&app, &challenge).await;
    assert!(!page.html.contains("<script>alert"));
    assert!(
        page.html.contains("&#60;script&#62;") || page.html.contains("&lt;script&gt;"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<b>ada</b>"));
    assert!(!page.html.contains("\"><i>"));
    assert!(!page.html.contains("javascript:"));
    assert!(page.html.contains("Your email address"));
    assert!(page.html.contains("stay signed in"));
    assert!(page.html.contains("Remember this decision"));
    assert!(app.hydra.accepted_consents().is_empty());
}

#[tokio::test]
async fn allow_with_a_subset_grants_only_that_subset_and_its_claims() {
    let app = TestApp::spawn().await;
    let (challenge, page) = customer_page(&app).await;
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("consent_verifier="));
    let body = only_accept(&app, &challenge);
    assert_eq!(body["grant_scope"], json!(["openid", "email"]));
    assert_eq!(
        body["grant_access_token_audience"],
        json!(["https://api.test"])
    );
    assert_eq!(body["remember"], false);
    let id_token = body["session"]["id_token"].as_object().unwrap();
    assert!(id_token.contains_key("email"));
    assert!(
        !id_token.contains_key("name"),
        "profile was not granted: {id_token:?}"
    );
}

#[tokio::test]
async fn a_forged_extra_scope_is_never_granted() {
    let app = TestApp::spawn().await;
    let (challenge, page) = customer_page(&app).await;
    let response = submit(
        &app,
        &challenge,
        &page,
        "allow",
        &["profile", "admin", "offline_access", "profile"],
        false,
    )
    .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        only_accept(&app, &challenge)["grant_scope"],
        json!(["openid", "profile"])
    );
}

#[tokio::test]
async fn remember_uses_the_configured_lifetime() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__CONSENT__REMEMBER_FOR", "3600")
        .spawn()
        .await;
    let (challenge, page) = customer_page(&app).await;
    submit(
        &app,
        &challenge,
        &page,
        "allow",
        &["profile", "email"],
        true,
    )
    .await;
    let body = only_accept(&app, &challenge);
    assert_eq!(body["remember"], true);
    assert_eq!(body["remember_for"], 3600);
}

#[tokio::test]
async fn deny_rejects_with_access_denied() {
    let app = TestApp::spawn().await;
    let (challenge, page) = customer_page(&app).await;
    let response = submit(&app, &challenge, &page, "deny", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 303);
    // Hydra answers a reject with its own URL (and a verifier); it tells the client itself.
    let to = location(&response);
    assert!(
        to.starts_with("https://hydra.test/oauth2/auth?") && to.contains("consent_verifier="),
        "{to}"
    );
    assert_eq!(only_reject(&app, &challenge)["error"], "access_denied");
}

#[tokio::test]
async fn the_page_links_the_clients_policy_and_terms_when_they_are_web_links() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let challenge = app.hydra.add_consent(ConsentSpec {
        policy_uri: "https://shop.example/privacy?a=1&b=2".into(),
        tos_uri: "javascript:alert(1)".into(),
        ui_locales: vec!["de".into()],
        ..consent_for(IDENTITY_ID)
    });
    let page = open_page(&app, &challenge).await;
    assert!(
        page.html.contains(
            r#"<a href="https://shop.example/privacy?a=1&#38;b=2" rel="noopener noreferrer">Datenschutzerklärung</a>"#
        ) || page.html.contains(
            r#"<a href="https://shop.example/privacy?a=1&amp;b=2" rel="noopener noreferrer">Datenschutzerklärung</a>"#
        ),
        "{}",
        page.html
    );
    assert!(!page.html.contains("javascript:"));
    assert!(!page.html.contains("Nutzungsbedingungen"));

    let (_, without) = customer_page(&app).await;
    assert!(!without.html.contains("app-links"), "{}", without.html);
}
