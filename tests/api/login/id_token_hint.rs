//! `id_token_hint`: nobody is signed in as another person than the one the application named,
//! with or without `prompt=none`.

use super::{assert_rejected, description};
use crate::support::*;
use serde_json::{Value, json};

/// Hydra's `oidc_context.id_token_hint_claims` for an id_token it issued to `sub`.
fn hint(sub: &str) -> Option<Value> {
    Some(json!({
        "sub": sub,
        "iss": fake_hydra::PUBLIC_URL,
        "aud": ["demo-client"],
        "iat": 1_800_000_000,
        "exp": 1_800_003_600,
        "sid": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b"
    }))
}

fn hinted(sub: &str, query: &str) -> LoginSpec {
    LoginSpec {
        auth_query: query.into(),
        id_token_hint_claims: hint(sub),
        ..LoginSpec::default()
    }
}

fn accepted_subject(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_logins();
    let (_, body) = accepted
        .iter()
        .find(|(c, _)| c == challenge)
        .expect("accepted");
    body["subject"].clone()
}

#[tokio::test]
async fn a_hint_naming_another_person_is_login_required_with_or_without_prompt_none() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    for query in ["", "prompt=none", "prompt=login", "max_age=0"] {
        let challenge = app.hydra.add_login(hinted(OTHER_IDENTITY, query));
        let response = app.login(&challenge, Some(&token)).await;
        let body = assert_rejected(&app, &response, &challenge, "login_required");
        assert!(
            description(&body).contains("not the one the application named"),
            "{query}: {body}"
        );
    }
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn the_hint_is_compared_with_the_subject_the_rule_gives() {
    let app = TestApp::spawn().await;
    let token = app.signed_in_with_external_id(60);
    let challenge = app.hydra.add_login(hinted(IDENTITY_ID, "prompt=none"));
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(accepted_subject(&app, &challenge), IDENTITY_ID);

    // With external_id subjects the UUID names the same identity, but not the subject Hydra issued.
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    let token = app.signed_in_with_external_id(60);
    let challenge = app.hydra.add_login(hinted(EXTERNAL_ID, ""));
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(accepted_subject(&app, &challenge), EXTERNAL_ID);
    let challenge = app.hydra.add_login(hinted(IDENTITY_ID, ""));
    let response = app.login(&challenge, Some(&token)).await;
    assert_rejected(&app, &response, &challenge, "login_required");
}

#[tokio::test]
async fn a_pairwise_clients_hint_is_left_to_hydra() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    // Hydra obfuscated the sub per client; it compares it itself when it issues the token.
    let challenge = app.hydra.add_login(LoginSpec {
        subject_type: "pairwise",
        ..hinted(
            "6f1d0c4a9b8e7d2c5f3a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c",
            "",
        )
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(accepted_subject(&app, &challenge), IDENTITY_ID);
}

#[tokio::test]
async fn without_a_session_the_person_signs_in_first_and_the_hint_is_checked_on_return() {
    let app = TestApp::spawn().await;
    for (who, named) in [(OTHER_IDENTITY, false), (IDENTITY_ID, true)] {
        app.kratos.set_next_login(IdentitySpec::new(who, None));
        let challenge = app.hydra.add_login(hinted(IDENTITY_ID, ""));
        let first = app.login(&challenge, None).await;
        let to = location(&first);
        assert!(to.starts_with(&app.kratos.login_browser_url()), "{to}");
        let (_, back) = app.sign_in_via_kratos(&to).await;
        if named {
            assert!(location(&back).contains("login_verifier="), "{who}");
            assert_eq!(accepted_subject(&app, &challenge), IDENTITY_ID);
        } else {
            assert_rejected(&app, &back, &challenge, "login_required");
        }
    }
    // Under prompt=none there is no sign-in to go to.
    let challenge = app.hydra.add_login(hinted(IDENTITY_ID, "prompt=none"));
    let response = app.login(&challenge, None).await;
    assert_rejected(&app, &response, &challenge, "login_required");
}
