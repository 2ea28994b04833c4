//! A logout fails closed: when neither Kratos's browser logout nor the admin API ended the Kratos
//! session, the person is told they are still signed in and offered to try again; the browser goes
//! neither to Hydra nor to the client, and the log names both failures.

use super::{client, hydra_logout_url, session_cookie};
use crate::support::binary::start;
use crate::support::*;

/// The real trigger: Kratos refuses the `return_to` (Hydra's URL not among its allowed return
/// URLs), and the admin API refuses the bridge's token.
fn break_both(kratos: &FakeKratos) {
    kratos.set_logout_fault(Some(Fault::Status(400)));
    kratos.fault_on("/admin/sessions/", Some(Fault::Status(401)));
}

fn skipping_logout(app: &TestApp) -> String {
    app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        client: client("Acme", true),
        ..Default::default()
    })
}

#[tokio::test]
async fn a_logout_that_ends_no_session_says_so_and_sends_the_browser_nowhere() {
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    break_both(&app.kratos);
    let challenge = skipping_logout(&app);
    let path = format!("/logout?logout_challenge={}", encode(&challenge));
    let response = app.get(&path, Some(&session_cookie(&token))).await;
    assert_eq!(response.status(), 502);
    assert!(response.headers().get("location").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("You are still signed in"), "{html}");
    assert!(html.contains("Try again to log out"), "{html}");
    let retry = format!("href=\"{}{path}\"", app.address);
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
    let again = app.get(&path, Some(&session_cookie(&token))).await;
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
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    app.kratos.set_logout_fault(Some(Fault::Status(500)));
    // The session waits for a second factor: whoami hides its id, so it cannot be revoked.
    app.kratos.require_aal2(&token);
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        client: client("Acme", false),
        ..Default::default()
    });
    let page = super::open_page(&app, &challenge, Some(&token)).await;
    let response = super::post(&app, &challenge, &page, "logout", Some(&token)).await;
    assert_eq!(response.status(), 502);
    assert!(response.headers().get("location").is_none());
    assert!(app.kratos.session(&token).is_some());
}

#[tokio::test]
async fn one_path_that_ends_the_session_is_enough() {
    // The browser logout fails, the admin API works: on to Hydra.
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    app.kratos.set_logout_fault(Some(Fault::Status(400)));
    let challenge = skipping_logout(&app);
    let path = format!("/logout?logout_challenge={}", encode(&challenge));
    let response = app.get(&path, Some(&session_cookie(&token))).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with(&hydra_logout_url(&app)));
    assert!(app.kratos.session(&token).is_none());
    // The admin API fails, but the browser logout works: to Kratos's logout URL.
    let app = spawn_app().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    app.kratos
        .fault_on("/admin/sessions/", Some(Fault::Status(401)));
    let challenge = skipping_logout(&app);
    let path = format!("/logout?logout_challenge={}", encode(&challenge));
    let response = app.get(&path, Some(&session_cookie(&token))).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with(&format!("{}/self-service/logout?", app.kratos.url)));
}

#[tokio::test]
async fn the_log_line_names_both_failures() {
    let hydra = FakeHydra::start(HydraVersion::Lenient).await;
    let kratos = FakeKratos::start().await;
    let config = write_config(&base_config(&hydra.url, &kratos, "http://127.0.0.1:3000"));
    let running = start(&config, &[]).await;
    let token = kratos.add_session(IdentitySpec::new(IDENTITY_ID, None), 1, 60);
    break_both(&kratos);
    let challenge = hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        client: client("Acme", true),
        ..Default::default()
    });
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "http://127.0.0.1:{}/logout?logout_challenge={}",
            running.port,
            encode(&challenge)
        ))
        .header("cookie", session_cookie(&token))
        .send()
        .await
        .unwrap();
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
