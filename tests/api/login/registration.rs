//! GET /registration: Hydra's prompt=registration, passed to Kratos's registration flow with the schema.

use crate::support::*;

#[tokio::test]
async fn registration_goes_to_kratos_and_back_to_login() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=registration".into(),
        ..LoginSpec::default()
    });
    let response = app
        .get(
            &format!("/registration?login_challenge={}", encode(&challenge)),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(
        to.starts_with(&format!(
            "{}/self-service/registration/browser?",
            app.kratos.url
        )),
        "{to}"
    );
    assert_eq!(query_param(&to, "identity_schema"), None);
    assert_eq!(
        query_param(&to, "login_challenge"),
        None,
        "Kratos must never see the challenge"
    );
    let return_to = query_param(&to, "return_to").unwrap();
    assert!(
        return_to.starts_with(&format!("{}/login?", app.address)),
        "{return_to}"
    );
    assert_eq!(
        query_param(&return_to, "login_challenge").as_deref(),
        Some(challenge.as_str())
    );
    assert!(
        query_param(&return_to, "reauth").is_some(),
        "only a login after the registration counts"
    );
}

#[tokio::test]
async fn the_identity_schema_is_passed_through() {
    let app = TestApp::builder()
        .hydra(HydraVersion::Strict)
        .env("BRIDGE__KRATOS__IDENTITY_SCHEMAS", "customer,employee")
        .spawn()
        .await;
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app
        .get(
            &format!(
                "/registration?login_challenge={}&identity_schema=employee",
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

    let other = app
        .get(
            &format!(
                "/registration?login_challenge={}&identity_schema=admin",
                encode(&challenge)
            ),
            None,
        )
        .await;
    assert_eq!(other.status().as_u16(), 400);
    let bad = app
        .get(
            &format!(
                "/registration?login_challenge={}&identity_schema=a%26b",
                encode(&challenge)
            ),
            None,
        )
        .await;
    assert_eq!(bad.status().as_u16(), 400);
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
        app.get(
            &format!("/registration?login_challenge={}", encode(&expired)),
            None
        )
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
    let challenge = app.hydra.add_login(LoginSpec {
        auth_query: "prompt=registration".into(),
        ..LoginSpec::default()
    });
    let response = app.login(&challenge, None).await;
    let to = location(&response);
    assert!(
        to.starts_with(&format!(
            "{}/self-service/registration/browser?",
            app.kratos.url
        )),
        "{to}"
    );
    // With a session there is nothing to register: the login is accepted.
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 30);
    let response = app.login(&challenge, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
}
