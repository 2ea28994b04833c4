//! `prompt=none` at the consent step: where the page would be shown, the application gets
//! `consent_required` instead; what is granted without a page still is.

use super::{consent_for, customer, skipped};
use crate::support::*;
use base64::Engine;
use serde_json::{Value, json};

/// Hydra answers a reject with its own URL, and sends the error on to the application itself.
fn to_hydra(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let to = location(response);
    assert!(
        to.starts_with(&format!("{}/oauth2/auth?", fake_hydra::PUBLIC_URL))
            && to.contains("consent_verifier="),
        "{to}"
    );
    to
}

/// How Hydra was answered about `challenge`: `("accept" | "reject", body)`, exactly once.
fn answer(app: &TestApp, challenge: &str) -> (&'static str, Value) {
    let pick = |answers: Vec<(String, Value)>| -> Vec<Value> {
        answers
            .into_iter()
            .filter(|(c, _)| c == challenge)
            .map(|(_, body)| body)
            .collect()
    };
    let accepted = pick(app.hydra.accepted_consents());
    let rejected = pick(app.hydra.rejected_consents());
    match (accepted.as_slice(), rejected.as_slice()) {
        ([body], []) => ("accept", body.clone()),
        ([], [body]) => ("reject", body.clone()),
        _ => panic!("not one answer: {accepted:?} {rejected:?}"),
    }
}

#[tokio::test]
async fn the_page_becomes_consent_required() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let object = format!(
        "{}.{}.",
        b64.encode(json!({ "alg": "none" }).to_string()),
        b64.encode(json!({ "prompt": "none" }).to_string())
    );
    for query in [
        "prompt=none".to_string(),
        format!("prompt=consent&request={object}"),
    ] {
        let challenge = app.hydra.add_consent(ConsentSpec {
            auth_query: query.clone(),
            ..consent_for(IDENTITY_ID)
        });
        let response = app.consent(&challenge).await;
        let to = to_hydra(&response);
        assert!(!to.starts_with(&app.kratos.url), "{to}");
        let (answer, body) = answer(&app, &challenge);
        assert_eq!(answer, "reject");
        assert_eq!(body["error"], "consent_required", "{query}");
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains("prompt=none"), "{body}");
    }
    // Nobody's identity was looked up for a page that is not shown.
    assert!(app.kratos.admin_calls().is_empty());

    // Without prompt=none, the page.
    let challenge = app.hydra.add_consent(consent_for(IDENTITY_ID));
    assert_eq!(app.consent(&challenge).await.status().as_u16(), 200);
}

#[tokio::test]
async fn what_needs_no_page_is_still_granted() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__CONSENT__TRUSTED_CLIENTS", "first-party")
        .spawn()
        .await;
    app.kratos.add_identity(customer());
    for spec in [
        skipped(consent_for(IDENTITY_ID)),
        ConsentSpec {
            skip_consent: true,
            ..consent_for(IDENTITY_ID)
        },
        ConsentSpec {
            client_id: "first-party".into(),
            ..consent_for(IDENTITY_ID)
        },
    ] {
        let challenge = app.hydra.add_consent(ConsentSpec {
            auth_query: "prompt=none".into(),
            ..spec
        });
        to_hydra(&app.consent(&challenge).await);
        let (answer, body) = answer(&app, &challenge);
        assert_eq!(answer, "accept", "{body}");
        assert_eq!(body["grant_scope"], json!(["openid", "profile", "email"]));
    }
}
