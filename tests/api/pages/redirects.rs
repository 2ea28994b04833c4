//! No open redirects: every Location the bridge emits, on every handler, points where Hydra's answer,
//! Kratos's answer or the config says, whatever the browser puts in the URL or the form.

use crate::support::*;
use serde_json::json;
use url::Url;

/// Parameters an attacker adds to every link, hoping one of them becomes a redirect.
const HOSTILE: &str = "&return_to=https%3A%2F%2Fevil.example%2F&redirect_to=https%3A%2F%2Fevil.example%2F\
&next=https%3A%2F%2Fevil.example%2F&redirect_uri=https%3A%2F%2Fevil.example%2F&url=%2F%2Fevil.example";

/// Where the bridge sends a browser that opens `path` with the hostile parameters added.
async fn location_from(app: &TestApp, path: &str, cookie: Option<&str>) -> String {
    location(&app.get(&format!("{path}{HOSTILE}"), cookie).await)
}

fn origin(url: &str) -> String {
    Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| format!("unparsable: {url}"))
}

#[tokio::test]
async fn every_handler_redirects_only_where_hydra_kratos_or_the_config_say() {
    let cancel = "https://app.test/account";
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGOUT__CANCEL_URL", cancel)
        .spawn()
        .await;
    let allowed = [
        origin(fake_hydra::PUBLIC_URL), // Hydra's redirect_to for login and consent (and rejects)
        origin(&app.hydra.url),         // Hydra's redirect_to for logout (the fake serves it)
        origin(&app.kratos.url),        // kratos.browser_url, and Kratos's logout_url
        origin(cancel),                 // logout.cancel_url
    ];
    let token = app.signed_in(60);
    let cookie = session_cookie(&token);
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, None));
    let mut locations = Vec::new();

    // Login: to Kratos (no session, prompt=login, registration), to Hydra (accepted, restarted).
    for (spec, session) in [
        (LoginSpec::default(), None),
        (LoginSpec::default(), Some(cookie.as_str())),
        (LoginSpec::asking("prompt=login"), Some(cookie.as_str())),
        (LoginSpec::asking("prompt=registration"), None),
    ] {
        let challenge = app.hydra.add_login(spec);
        let to = location_from(&app, &login_path(&challenge), session).await;
        locations.push(("login", to));
        let to = location_from(&app, &registration_path(&challenge), None).await;
        locations.push(("registration", to));
    }
    // Hydra remembered someone else: the request again, prompt=login.
    let other = app.hydra.add_login(LoginSpec {
        skip: true,
        subject: "someone-else".into(),
        ..LoginSpec::default()
    });
    let to = location_from(&app, &login_path(&other), Some(&cookie)).await;
    locations.push(("login, another remembered subject", to));

    // Consent: accepted without a page, rejected (subject mismatch), posted allow and deny.
    let skip = app.hydra.add_consent(ConsentSpec::remembered(IDENTITY_ID));
    let to = location_from(&app, &consent_path(&skip), None).await;
    locations.push(("consent skip", to));
    let other = app.hydra.add_consent(ConsentSpec {
        skip: true,
        subject: "someone-else".into(),
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::default()
    });
    let to = location_from(&app, &consent_path(&other), None).await;
    locations.push(("consent mismatch", to));
    for action in ["allow", "deny"] {
        let challenge = app.hydra.add_consent(ConsentSpec {
            subject: IDENTITY_ID.into(),
            ..ConsentSpec::default()
        });
        let page = app.open_form(&consent_path(&challenge), None).await;
        let body = format!(
            "consent_challenge={}&csrf_token={}&action={action}&grant_scope=email{HOSTILE}",
            encode(&challenge),
            page.csrf_token
        );
        let r = app
            .post_form(&format!("/consent?{}", &HOSTILE[1..]), &page.cookie, body)
            .await;
        locations.push(("consent post", location(&r)));
    }

    // Logout: through Kratos's logout URL, straight to Hydra, and "No" to the configured URL.
    for session in [Some(cookie.as_str()), None] {
        let challenge = app.hydra.add_logout(LogoutSpec {
            subject: IDENTITY_ID.into(),
            ..LogoutSpec::of_client("Acme", true)
        });
        let to = location_from(&app, &logout_path(&challenge), session).await;
        locations.push(("logout", to));
    }
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        ..LogoutSpec::default()
    });
    let page = app.open_form(&logout_path(&challenge), None).await;
    let body = format!(
        "logout_challenge={challenge}&csrf_token={}&action=cancel{HOSTILE}",
        page.csrf_token
    );
    let r = app.post_form("/logout", &page.cookie, body).await;
    locations.push(("logout cancel", location(&r)));

    // Every case above answered with a redirect.
    assert_eq!(locations.len(), 16);
    for (handler, to) in &locations {
        assert!(!to.contains("evil.example"), "{handler} redirected to {to}");
        assert!(
            allowed.contains(&origin(to)),
            "{handler} redirected to {to}, outside {allowed:?}"
        );
    }
}

#[tokio::test]
async fn a_redirect_to_that_is_no_web_address_is_never_followed() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    for hostile in [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>x</script>",
        "//evil.example/",
        "/relative",
    ] {
        app.hydra.answer_accepts_with(Some(hostile));
        let challenge = app.hydra.add_login(LoginSpec::default());
        let response = app.login(&challenge, Some(&token)).await;
        assert_eq!(response.status().as_u16(), 502, "{hostile}");
        assert!(response.headers().get("location").is_none());
    }
}
