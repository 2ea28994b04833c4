//! What the authorization request demands of a login, wherever it is written: in the query, in an
//! OIDC request object, or in `acr_values`; and that every round trip through Kratos ends with all
//! of it met.

use super::{accepted_body, assert_accepted, login_via_kratos, request_object};
use crate::support::*;
use serde_json::json;

fn kratos_login(app: &TestApp, to: &str) -> bool {
    to.starts_with(&app.kratos.login_browser_url())
}

#[tokio::test]
async fn demands_inside_a_request_object_are_honoured() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(600);
    for claims in [
        json!({ "prompt": "login", "client_id": "demo-client" }),
        json!({ "max_age": 0 }),
        json!({ "max_age": 60 }),
    ] {
        let challenge = app.hydra.add_login(LoginSpec::asking(&format!(
            "request={}",
            request_object(&claims)
        )));
        let response = app.login(&challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 303);
        let to = location(&response);
        assert!(kratos_login(&app, &to), "{claims}: {to}");
        assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    }
    // An object that asks for nothing more lets single sign-on happen, even over the query's words.
    let object = request_object(&json!({ "prompt": "consent", "max_age": 3600 }));
    let challenge = app
        .hydra
        .add_login(LoginSpec::asking(&format!("prompt=login&request={object}")));
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(app.hydra.accepted_logins().len(), 1);
}

#[tokio::test]
async fn a_demand_that_cannot_be_read_asks_for_a_fresh_login() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(5);
    for query in [
        "request_uri=https%3A%2F%2Fapp.test%2Frequests%2F1",
        "request=eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn",
        "request=garbage",
    ] {
        let challenge = app.hydra.add_login(LoginSpec::asking(query));
        let (to, done) = login_via_kratos(&app, &challenge, &token).await;
        assert_eq!(
            query_param(&to, "refresh").as_deref(),
            Some("true"),
            "{query}"
        );
        // The fresh login is accepted on return: the person is not stuck.
        assert_accepted(done, &app, &challenge).await;
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
    let (cookie, back) = app.sign_in_via_kratos(&to).await;
    assert_eq!(back.status().as_u16(), 303);
    let to = location(&back);
    assert!(
        app.hydra.accepted_logins().is_empty(),
        "accepted at aal1: {to}"
    );
    assert!(kratos_login(&app, &to), "{to}");
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    // The second factor, and the login is accepted at the level asked for.
    let done = app.via_kratos(&to, Some(&cookie)).await;
    assert_accepted(done, &app, &challenge).await;
    assert_eq!(accepted_body(&app, &challenge)["acr"], "aal2");
}

#[tokio::test]
async fn a_registration_token_does_not_lift_an_aal2_demand() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(600);
    let cookie = session_cookie(&token);
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::default()
    });
    let registration = app.get(&registration_path(&challenge), Some(&cookie)).await;
    let return_to = query_param(&location(&registration), "return_to").unwrap();
    // Instead of registering, the person refreshes with the password alone and comes back with the
    // registration's token.
    let refresh = format!(
        "{}?refresh=true&return_to={}",
        app.kratos.login_browser_url(),
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
