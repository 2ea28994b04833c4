//! What the authorization request demands of a login, wherever it is written: in the query, in an
//! OIDC request object, or in `acr_values`; and that every round trip through Kratos ends with all
//! of it met.

use crate::support::*;
use base64::Engine;
use serde_json::{Value, json};

fn session_cookie(token: &str) -> String {
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

/// A signed request object as an application sends it (Hydra verified the signature already).
fn request_object(claims: &Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(json!({ "alg": "RS256", "kid": "k1" }).to_string()),
        b64.encode(claims.to_string())
    )
}

fn kratos_login(app: &TestApp, to: &str) -> bool {
    to.starts_with(&format!("{}/self-service/login/browser", app.kratos.url))
}

#[tokio::test]
async fn demands_inside_a_request_object_are_honoured() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 600);
    for claims in [
        json!({ "prompt": "login", "client_id": "demo-client" }),
        json!({ "max_age": 0 }),
        json!({ "max_age": 60 }),
    ] {
        let challenge = app.hydra.add_login(LoginSpec {
            auth_query: format!("request={}", request_object(&claims)),
            ..LoginSpec::default()
        });
        let response = app.login(&challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 303);
        let to = location(&response);
        assert!(kratos_login(&app, &to), "{claims}: {to}");
        assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    }
    // An object that asks for nothing more lets single sign-on happen, even over the query's words.
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: format!(
            "prompt=login&request={}",
            request_object(&json!({ "prompt": "consent", "max_age": 3600 }))
        ),
        ..LoginSpec::default()
    });
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(app.hydra.accepted_logins().len(), 1);
}

#[tokio::test]
async fn a_demand_that_cannot_be_read_asks_for_a_fresh_login() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 5);
    let cookie = session_cookie(&token);
    for query in [
        "request_uri=https%3A%2F%2Fapp.test%2Frequests%2F1",
        "request=eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn",
        "request=garbage",
    ] {
        let challenge = app.hydra.add_login(LoginSpec {
            auth_query: query.into(),
            ..LoginSpec::default()
        });
        let response = app.login(&challenge, Some(&token)).await;
        let to = location(&response);
        assert_eq!(
            query_param(&to, "refresh").as_deref(),
            Some("true"),
            "{query}"
        );
        // The fresh login is accepted on return: the person is not stuck.
        let kratos = app.follow(&to, Some(&cookie)).await;
        let done = app.follow(&location(&kratos), Some(&cookie)).await;
        assert!(location(&done).contains("login_verifier="), "{query}");
    }
}

#[tokio::test]
async fn a_first_login_meets_an_aal2_demand_before_it_is_accepted() {
    let app = TestApp::spawn().await;
    app.kratos
        .set_next_login(IdentitySpec::new(IDENTITY_ID, None));
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::default()
    });
    // Kratos refuses aal=aal2 without a session: the first factor comes first.
    let first = app.login(&challenge, None).await;
    let to = location(&first);
    assert!(
        kratos_login(&app, &to) && query_param(&to, "aal").is_none(),
        "{to}"
    );
    let kratos = app.follow(&to, None).await;
    let cookie =
        set_cookie_named(&kratos, "ory_kratos_session").expect("Kratos set its session cookie");
    let back = app.follow(&location(&kratos), Some(&cookie)).await;
    assert_eq!(back.status().as_u16(), 303);
    let to = location(&back);
    assert!(
        app.hydra.accepted_logins().is_empty(),
        "accepted at aal1: {to}"
    );
    assert!(kratos_login(&app, &to), "{to}");
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    // The second factor, and the login is accepted at the level asked for.
    let kratos = app.follow(&to, Some(&cookie)).await;
    let done = app.follow(&location(&kratos), Some(&cookie)).await;
    assert!(location(&done).contains("login_verifier="));
    let accepted = app.hydra.accepted_logins();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].1["acr"], "aal2");
}

#[tokio::test]
async fn a_registration_token_does_not_lift_an_aal2_demand() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 600);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::default()
    });
    let registration = app
        .get(
            &format!("/registration?login_challenge={}", encode(&challenge)),
            Some(&cookie),
        )
        .await;
    let return_to = query_param(&location(&registration), "return_to").unwrap();
    // Instead of registering, the person refreshes with the password alone and comes back with the
    // registration's token.
    let refresh = format!(
        "{}/self-service/login/browser?refresh=true&return_to={}",
        app.kratos.url,
        encode(&return_to)
    );
    let kratos = app.follow(&refresh, Some(&cookie)).await;
    assert_eq!(location(&kratos), return_to);
    let back = app.follow(&return_to, Some(&cookie)).await;
    assert_eq!(back.status().as_u16(), 303);
    assert!(
        app.hydra.accepted_logins().is_empty(),
        "accepted at aal1: {}",
        location(&back)
    );
    assert_eq!(
        query_param(&location(&back), "aal").as_deref(),
        Some("aal2")
    );
}
