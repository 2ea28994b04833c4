//! The logout form: cancellation, CSRF, Hydra's answers and links for someone else.

use super::{hydra_logout_url, open_page, post};
use crate::support::*;

#[tokio::test]
async fn no_rejects_and_keeps_the_session() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", false));
    let page = open_page(&app, &challenge, Some(&token)).await;
    let response = post(&app, &challenge, &page, "cancel", Some(&token)).await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("You are still signed in"));
    assert!(
        !html.contains("Error 200"),
        "no error status on a page that is none: {html}"
    );
    assert!(
        html.contains(&format!("href=\"{}/\"", app.address)),
        "links home: {html}"
    );
    assert_eq!(app.hydra.rejected_logouts(), vec![challenge]);
    assert!(app.hydra.accepted_logouts().is_empty());
    assert!(app.kratos.session(&token).is_some());
}

#[tokio::test]
async fn no_goes_to_the_configured_cancel_url() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGOUT__CANCEL_URL", "https://app.test/account")
        .spawn()
        .await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", false));
    let page = open_page(&app, &challenge, None).await;
    let response = post(&app, &challenge, &page, "cancel", None).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "https://app.test/account");
}

#[tokio::test]
async fn the_form_needs_its_token_and_cookie() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", false));
    let page = open_page(&app, &challenge, None).await;
    let forged = FormPage {
        csrf_token: "eyJhbGciOiJIUzI1NiJ9.e30.x".into(),
        ..page.clone()
    };
    assert_eq!(
        post(&app, &challenge, &forged, "logout", None)
            .await
            .status()
            .as_u16(),
        403
    );
    let no_cookie = FormPage {
        cookie: "x=y".into(),
        ..page.clone()
    };
    assert_eq!(
        post(&app, &challenge, &no_cookie, "logout", None)
            .await
            .status()
            .as_u16(),
        403
    );
    assert!(app.hydra.accepted_logouts().is_empty() && app.hydra.rejected_logouts().is_empty());
}

#[tokio::test]
async fn a_consent_token_does_not_pass_for_a_logout_form() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", false));
    let page = open_page(&app, &challenge, None).await;
    // The logout form's token and cookie, posted to the consent form for the same challenge string.
    let body = format!(
        "consent_challenge={}&csrf_token={}&action=allow",
        encode(&challenge),
        page.csrf_token
    );
    let headers = [("cookie", page.cookie.as_str())];
    let response = app.post_form_with_headers("/consent", &headers, body).await;
    assert_eq!(response.status().as_u16(), 403);
}

#[tokio::test]
async fn hydra_answers_map_to_pages() {
    let app = TestApp::spawn().await;
    let unknown = app
        .get(
            "/logout?logout_challenge=3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            None,
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
    let expired = app.hydra.add_logout(LogoutSpec {
        aead_challenge: true,
        ..Default::default()
    });
    app.hydra.expire_logout(&expired);
    let response = app.logout(&expired, None).await;
    assert_eq!(response.status().as_u16(), 410);
    // An accepted logout the browser has not completed yet is still open: accepted again, with the
    // same verifier.
    let done = app.hydra.add_logout(LogoutSpec::of_client("Acme", true));
    let first = app.logout(&done, None).await;
    assert_eq!(first.status().as_u16(), 303);
    let verifier_url = location(&first);
    assert!(
        verifier_url.starts_with(&hydra_logout_url(&app)),
        "{verifier_url}"
    );
    let again = app.logout(&done, None).await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(location(&again), verifier_url);
    // Once the browser has completed it at Hydra, Hydra answers 410 with the request's own URL,
    // which is relative ("/oauth2/sessions/logout"): the person is told they are signed out.
    assert_eq!(app.follow(&verifier_url, None).await.status().as_u16(), 200);
    let completed = app.logout(&done, None).await;
    assert_eq!(completed.status().as_u16(), 200);
    assert!(completed.headers().get("location").is_none());
    assert!(
        completed
            .text()
            .await
            .unwrap()
            .contains("You are signed out")
    );
    for bad in ["", "?logout_challenge=", "?logout_challenge=%3Cscript%3E"] {
        assert_eq!(
            app.get(&format!("/logout{bad}"), None)
                .await
                .status()
                .as_u16(),
            400,
            "{bad}"
        );
    }
    let live = app.hydra.add_logout(LogoutSpec::default());
    app.hydra.set_fault(Some(Fault::Status(503)));
    assert_eq!(app.logout(&live, None).await.status().as_u16(), 502);
}

#[tokio::test]
async fn a_kratos_that_refuses_the_browser_logout_still_ends_the_session() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    app.kratos.set_logout_fault(Some(Fault::Status(400)));
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme", true)
    });
    let response = app.logout(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&hydra_logout_url(&app)));
    assert!(
        app.kratos.session(&token).is_none(),
        "revoked through the admin API"
    );
    assert!(
        app.kratos
            .admin_calls()
            .iter()
            .any(|c| c.starts_with("DELETE /admin/sessions/"))
    );
}

#[tokio::test]
async fn a_logout_link_for_someone_else_does_not_log_this_browser_out_unasked() {
    let app = TestApp::spawn().await;
    // The victim's browser is signed in as IDENTITY_ID; the link is the attacker's own logout.
    let token = app.signed_in(60);
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: OTHER_IDENTITY.into(),
        rp_initiated: true,
        ..LogoutSpec::of_client("Acme", true)
    });
    let page = open_page(&app, &challenge, Some(&token)).await;
    assert!(page.html.contains("Log out of Acme?"));
    assert!(app.hydra.accepted_logouts().is_empty());
    assert!(app.kratos.session(&token).is_some());
}
