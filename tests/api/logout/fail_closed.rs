//! A logout fails closed: when neither Kratos's browser logout nor the admin API ended the Kratos
//! session, the person is told they are still signed in and offered to try again; the browser goes
//! neither to Hydra nor to the client, and the log names both failures.

use super::{hydra_logout_url, open_page, post};
use crate::support::*;

/// The real trigger: Kratos refuses the `return_to` (Hydra's URL not among its allowed return
/// URLs), and the admin API refuses the bridge's token.
fn break_both(kratos: &FakeKratos) {
    kratos.set_logout_fault(Some(Fault::Status(400)));
    kratos.fault_on("/admin/sessions/", Some(Fault::Status(401)));
}

/// The person's logout at Acme, which skips the confirmation.
fn skipping_logout(hydra: &FakeHydra) -> String {
    hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme", true)
    })
}

#[tokio::test]
async fn a_logout_that_ends_no_session_says_so_and_sends_the_browser_nowhere() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    break_both(&app.kratos);
    let challenge = skipping_logout(&app.hydra);
    let response = app.logout(&challenge, Some(&token)).await;
    assert_eq!(response.status(), 502);
    assert!(response.headers().get("location").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("You are still signed in"), "{html}");
    assert!(html.contains("Try again to log out"), "{html}");
    assert!(html.contains("Error 502"), "{html}");
    let retry = format!("href=\"{}\"", app.url(&logout_path(&challenge)));
    assert!(unescape(&html).contains(&retry), "{html}");
    assert!(!html.contains(&app.hydra.url), "no way on to Hydra: {html}");
    assert!(app.kratos.session(&token).is_some(), "the session lives on");
    assert!(
        app.kratos
            .admin_calls()
            .iter()
            .any(|c| c.starts_with("DELETE /admin/sessions/")),
        "the admin API was tried"
    );

    // Once Kratos works again, the same link logs out: Hydra's logout was never completed.
    app.kratos.set_logout_fault(None);
    app.kratos.fault_on("/", None);
    let again = app.logout(&challenge, Some(&token)).await;
    assert_eq!(again.status(), 303);
    let kratos_logout = location(&again);
    let done = app
        .follow(&kratos_logout, Some(&session_cookie(&token)))
        .await;
    assert!(location(&done).starts_with(&hydra_logout_url(&app)));
    assert!(app.kratos.session(&token).is_none());
}

#[tokio::test]
async fn a_session_whose_id_cannot_be_read_is_not_taken_for_ended() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    app.kratos.set_logout_fault(Some(Fault::Status(500)));
    // The session waits for a second factor: whoami hides its id, so it cannot be revoked.
    app.kratos.require_aal2(&token);
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme", false)
    });
    let page = open_page(&app, &challenge, Some(&token)).await;
    let response = post(&app, &challenge, &page, "logout", Some(&token)).await;
    assert_eq!(response.status(), 502);
    assert!(response.headers().get("location").is_none());
    assert!(app.kratos.session(&token).is_some());
}

#[tokio::test]
async fn one_path_that_ends_the_session_is_enough() {
    // The browser logout fails, the admin API works: on to Hydra.
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    app.kratos.set_logout_fault(Some(Fault::Status(400)));
    let challenge = skipping_logout(&app.hydra);
    let response = app.logout(&challenge, Some(&token)).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with(&hydra_logout_url(&app)));
    assert!(app.kratos.session(&token).is_none());
    // The admin API fails, but the browser logout works: to Kratos's logout URL.
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    app.kratos
        .fault_on("/admin/sessions/", Some(Fault::Status(401)));
    let challenge = skipping_logout(&app.hydra);
    let response = app.logout(&challenge, Some(&token)).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with(&format!("{}/self-service/logout?", app.kratos.url)));
}

#[tokio::test]
async fn the_log_line_names_both_failures() {
    let (app, running) = TestApp::builder().spawn_binary().await;
    let token = app.signed_in(60);
    break_both(&app.kratos);
    let challenge = skipping_logout(&app.hydra);
    let response = app.logout(&challenge, Some(&token)).await;
    assert_eq!(response.status(), 502);
    running.terminate();
    let (_, log) = running.wait().await;
    let line = log
        .iter()
        .find(|l| l.contains("logout failed"))
        .unwrap_or_else(|| panic!("a line for the failed logout: {log:?}"));
    let line: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(line["level"], "ERROR", "{line}");
    let error = line["error"].as_str().unwrap();
    assert!(
        error.contains("create_browser_logout_flow: unexpected status 400"),
        "{error}"
    );
    assert!(
        error.contains("disable_session: unexpected status 401"),
        "{error}"
    );
    assert_eq!(line["span"]["outcome"], "logout_failed", "{line}");
}
