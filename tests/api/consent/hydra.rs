//! Hydra's answers to consent calls, mapped to pages, and the accept body of each Hydra version.

use super::{
    CUSTOMER_CLAIMS, consent_for, customer, customer_page, only_accept, open_page, submit,
};
use crate::support::*;

#[tokio::test]
async fn hydra_answers_map_to_pages() {
    let app = TestApp::spawn().await;
    app.kratos.add_identity(customer());
    let unknown = app
        .get("/consent?consent_challenge=dW5rbm93bg%3D%3D", None)
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    let expired = app.hydra.add_consent(consent_for(IDENTITY_ID));
    app.hydra.expire_consent(&expired);
    let response = app.consent(&expired).await;
    assert_eq!(response.status().as_u16(), 410);
    assert!(response.text().await.unwrap().contains("expired"));
    // Only Hydra v2.1 answers 410 (later challenges stay readable until they expire).
    let v2_1 = TestApp::against(HydraVersion::V2_1).spawn().await;
    let handled = v2_1.hydra.add_consent(consent_for(IDENTITY_ID));
    v2_1.hydra.handle_consent(&handled);
    let response = v2_1.consent(&handled).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with("https://hydra.test/oauth2/auth"));
    for bad in [
        "",
        "?consent_challenge=",
        "?consent_challenge=a%20b",
        "?consent_challenge=a&consent_challenge=b",
    ] {
        assert_eq!(
            app.get(&format!("/consent{bad}"), None)
                .await
                .status()
                .as_u16(),
            400,
            "{bad}"
        );
    }
    let live = app.hydra.add_consent(consent_for(IDENTITY_ID));
    app.hydra.set_fault(Some(Fault::Status(500)));
    assert_eq!(app.consent(&live).await.status().as_u16(), 502);
    app.hydra.set_fault(None);
    app.kratos.set_fault(Some(Fault::Hang));
    assert_eq!(app.consent(&live).await.status().as_u16(), 504);
}

#[tokio::test]
async fn a_post_for_an_expired_request_gets_the_expired_page() {
    let app = TestApp::spawn().await;
    let (challenge, page) = customer_page(&app).await;
    app.hydra.expire_consent(&challenge);
    let response = submit(&app, &challenge, &page, "allow", &["email"], false).await;
    assert_eq!(response.status().as_u16(), 410);
}

#[tokio::test]
async fn strict_and_lenient_hydra_both_take_the_accept_body() {
    for version in [
        HydraVersion::Strict,
        HydraVersion::Lenient,
        HydraVersion::V2_1,
    ] {
        let app = TestApp::against(version)
            .config_yaml(CUSTOMER_CLAIMS)
            .spawn()
            .await;
        app.kratos.add_identity(customer());
        let challenge = app.hydra.add_consent(ConsentSpec {
            requested_scope: vec!["openid".into(), "email".into(), "customer".into()],
            ..consent_for(IDENTITY_ID)
        });
        let page = open_page(&app, &challenge).await;
        let response = submit(
            &app,
            &challenge,
            &page,
            "allow",
            &["email", "customer"],
            true,
        )
        .await;
        assert_eq!(response.status().as_u16(), 303, "{version:?}");
        only_accept(&app, &challenge);
    }
}
