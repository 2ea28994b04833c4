//! Consents accepted without a page: skip, skip-consent and trusted clients.

use super::{accepted_without_page, consent_for, customer, skipped};
use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn skip_accepts_everything_requested_without_a_page() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let body = accepted_without_page(&app, skipped(consent_for(IDENTITY_ID))).await;
    assert_eq!(body["grant_scope"], json!(["openid", "profile", "email"]));
    assert_eq!(
        body["grant_access_token_audience"],
        json!(["https://api.test"])
    );
    assert_eq!(body["remember"], false);
    let id_token = &body["session"]["id_token"];
    assert_eq!(id_token["email"], "ada@example.com");
    assert_eq!(id_token["email_verified"], true);
    assert_eq!(id_token["name"], "Ada Lovelace");
    assert!(id_token.get("sub").is_none());
    // The context carried the id: one lookup by id, none by subject.
    assert_eq!(
        app.kratos.admin_calls(),
        vec![format!("/admin/identities/{IDENTITY_ID}")]
    );
}

#[tokio::test]
async fn no_kratos_call_when_nothing_granted_needs_the_identity() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let spec = ConsentSpec {
        requested_scope: vec!["openid".into(), "offline_access".into()],
        ..consent_for(IDENTITY_ID)
    };
    let body = accepted_without_page(&app, skipped(spec)).await;
    assert_eq!(body["grant_scope"], json!(["openid", "offline_access"]));
    assert_eq!(body["session"]["id_token"], json!({}));
    assert!(
        app.kratos.admin_calls().is_empty(),
        "the context named the identity, no claims needed"
    );
    // Without the context the subject must still be checked against an identity.
    let without = app.hydra.add_consent(ConsentSpec {
        requested_scope: vec!["openid".into()],
        ..ConsentSpec::remembered(IDENTITY_ID)
    });
    app.consent(&without).await;
    assert_eq!(app.kratos.admin_calls().len(), 1);
}

#[tokio::test]
async fn skip_consent_clients_are_accepted_without_a_page() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let spec = ConsentSpec {
        skip_consent: true,
        ..consent_for(IDENTITY_ID)
    };
    let body = accepted_without_page(&app, spec).await;
    assert_eq!(body["grant_scope"], json!(["openid", "profile", "email"]));
}

#[tokio::test]
async fn trusted_clients_are_accepted_without_a_page() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__CONSENT__TRUSTED_CLIENTS", "other,first-party")
        .spawn()
        .await;
    app.kratos.add_identity(customer());
    let spec = ConsentSpec {
        client_id: "first-party".into(),
        ..consent_for(IDENTITY_ID)
    };
    accepted_without_page(&app, spec).await;
}
