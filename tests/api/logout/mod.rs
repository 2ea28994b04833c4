//! Logging out, GET/POST /logout: confirmation, skips, the Kratos session ending with Hydra's.

mod fail_closed;
mod form;

use crate::support::*;

async fn open_page(app: &TestApp, challenge: &str, session: Option<&str>) -> FormPage {
    let response = app.logout(challenge, session).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
    let page = FormPage::read(response).await;
    assert!(!page.csrf_token.is_empty(), "csrf field");
    page
}

/// Posts the logout form's `action`, with the Kratos session when the browser has one.
async fn post(
    app: &TestApp,
    challenge: &str,
    page: &FormPage,
    action: &str,
    session: Option<&str>,
) -> reqwest::Response {
    let mut cookie = page.cookie.clone();
    if let Some(token) = session {
        cookie = format!("{cookie}; {}", session_cookie(token));
    }
    let body = form_body(&[
        ("logout_challenge", challenge),
        ("csrf_token", &page.csrf_token),
        ("action", action),
    ]);
    app.post_form("/logout", &cookie, body).await
}

fn hydra_logout_url(app: &TestApp) -> String {
    format!("{}/oauth2/sessions/logout?logout_verifier=", app.hydra.url)
}

#[tokio::test]
async fn confirmed_logout_ends_the_kratos_session_then_completes_hydras() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme <Shop>", false)
    });
    let page = open_page(&app, &challenge, Some(&token)).await;
    assert!(
        page.html.contains("Log out of Acme &#60;Shop&#62;?")
            || page.html.contains("Log out of Acme &lt;Shop&gt;?"),
        "{}",
        page.html
    );
    assert!(
        app.hydra.accepted_logouts().is_empty(),
        "nothing happens before the user confirms"
    );

    let response = post(&app, &challenge, &page, "logout", Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.hydra.accepted_logouts(), vec![challenge.clone()]);
    let kratos_logout = location(&response);
    assert!(
        kratos_logout.starts_with(&format!("{}/self-service/logout?", app.kratos.url))
            && query_param(&kratos_logout, "token").is_some(),
        "{kratos_logout}"
    );
    let return_to = query_param(&kratos_logout, "return_to").unwrap();
    assert!(
        return_to.starts_with(&hydra_logout_url(&app)),
        "{return_to}"
    );
    let calls = app.kratos.logout_browser_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].0.as_deref(),
        Some(session_cookie(&token).as_str()),
        "only the session cookie is forwarded"
    );
    assert_eq!(calls[0].1.as_deref(), Some("application/json"));

    // The browser opens Kratos's logout URL: the session ends and it continues to Hydra.
    let done = app
        .follow(&kratos_logout, Some(&session_cookie(&token)))
        .await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(location(&done), return_to);
    assert!(
        app.kratos.session(&token).is_none(),
        "the Kratos session is gone"
    );
}

#[tokio::test]
async fn a_browser_whose_kratos_session_is_already_gone_goes_straight_to_hydra() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", true));
    let response = app.logout(&challenge, Some("revoked-long-ago")).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&hydra_logout_url(&app)));
    assert_eq!(
        app.kratos.logout_browser_calls().len(),
        1,
        "Kratos answered 401, which is not an error"
    );
    assert_eq!(app.hydra.accepted_logouts(), vec![challenge]);
}

#[tokio::test]
async fn without_a_kratos_cookie_kratos_is_not_asked() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", true));
    let response = app.logout(&challenge, None).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&hydra_logout_url(&app)));
    assert!(app.kratos.logout_browser_calls().is_empty());
}

#[tokio::test]
async fn skip_logout_consent_rp_initiated_and_confirm_off_skip_the_page() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let skip = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::of_client("Acme", true)
    });
    let rp = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        rp_initiated: true,
        ..LogoutSpec::of_client("Acme", false)
    });
    for challenge in [&skip, &rp] {
        let response = app.logout(challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 303);
        let to = location(&response);
        assert!(
            to.starts_with(&format!("{}/self-service/logout?", app.kratos.url))
                && query_param(&to, "token").is_some(),
            "{to}"
        );
    }
    assert_eq!(app.hydra.accepted_logouts().len(), 2);

    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGOUT__CONFIRM", "false")
        .spawn()
        .await;
    let challenge = app.hydra.add_logout(LogoutSpec::of_client("Acme", false));
    let response = app.logout(&challenge, None).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(app.hydra.accepted_logouts(), vec![challenge]);
}

#[tokio::test]
async fn op_initiated_logout_has_no_client_to_name() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(LogoutSpec {
        client: None,
        aead_challenge: true,
        ..Default::default()
    });
    let page = open_page(&app, &challenge, None).await;
    assert!(page.html.contains("<h1>Log out?</h1>"));
}
