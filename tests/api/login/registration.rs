//! GET /registration: Hydra's prompt=registration, passed to Kratos's registration flow with the schema.

use super::{assert_identity_schema, assert_sent_to_kratos};
use crate::support::*;

#[tokio::test]
async fn registration_goes_to_kratos_and_back_to_login() {
    let app = TestApp::spawn().await;
    let challenge = app
        .hydra
        .add_login(LoginSpec::asking("prompt=registration"));
    let response = app.get(&registration_path(&challenge), None).await;
    let flow_url = app.kratos.registration_browser_url();
    let to = assert_sent_to_kratos(&app, &response, &flow_url, &challenge);
    assert_eq!(query_param(&to, "identity_schema"), None);
}

#[tokio::test]
async fn the_identity_schema_is_passed_through() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__KRATOS__IDENTITY_SCHEMAS", "customer,employee")
        .spawn()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app
        .get(
            &format!("{}&identity_schema=employee", registration_path(&challenge)),
            None,
        )
        .await;
    assert_identity_schema(&location(&response), "employee");
    for refused in ["admin", "a%26b"] {
        let path = format!(
            "{}&identity_schema={refused}",
            registration_path(&challenge)
        );
        assert_eq!(
            app.get(&path, None).await.status().as_u16(),
            400,
            "{refused}"
        );
    }
}

#[tokio::test]
async fn unknown_or_missing_challenges_get_pages() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/registration", None).await.status().as_u16(), 400);
    assert_eq!(
        app.get("/registration?login_challenge=dW5rbm93bg%3D%3D", None)
            .await
            .status()
            .as_u16(),
        404
    );
    let expired = app.hydra.add_login(LoginSpec::default());
    app.hydra.expire_login(&expired);
    assert_eq!(
        app.get(&registration_path(&expired), None)
            .await
            .status()
            .as_u16(),
        410
    );
}

#[tokio::test]
async fn prompt_registration_reaching_login_goes_to_registration() {
    // Hydra sends prompt=registration to urls.registration, which defaults to urls.login.
    let app = TestApp::spawn().await;
    let challenge = app
        .hydra
        .add_login(LoginSpec::asking("prompt=registration"));
    let response = app.login(&challenge, None).await;
    let to = location(&response);
    assert!(
        to.starts_with(&format!("{}?", app.kratos.registration_browser_url())),
        "{to}"
    );
    // With a session there is nothing to register: the login is accepted.
    let token = app.signed_in(30);
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
}
