//! Pages in a real browser: headless Chromium driven through chromedriver (WebDriver over HTTP).
//! Needs Debian's `chromium` and `chromium-driver`; CI installs both. Elsewhere the tests are
//! reported as ignored when they are missing, and fail when `CI` is set.

use super::{acme_consent, acme_logout};
use crate::support::browser::*;
use crate::support::*;
use serde_json::json;

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn consent_page_submits_allow_with_an_unticked_scope() {
    require_browser();
    let app = TestApp::spawn().await;
    let spec = acme_consent(&app, &["openid", "profile", "email", "offline_access"]);
    let challenge = app.hydra.add_consent(spec);

    let browser = Browser::open(&app.url(&consent_path(&challenge))).await;
    assert!(
        browser
            .is_selected("input[name=grant_scope][value=profile]")
            .await
    );
    browser.screenshot("consent-page.png").await;

    browser
        .click("input[name=grant_scope][value=profile]")
        .await;
    assert!(
        !browser
            .is_selected("input[name=grant_scope][value=profile]")
            .await
    );
    browser.click("button#allow").await;

    let accepted = wait_for(|| app.hydra.accepted_consents().into_iter().next()).await;
    browser.close().await;
    assert_eq!(accepted.0, challenge);
    assert_eq!(
        accepted.1["grant_scope"],
        json!(["openid", "email", "offline_access"])
    );
    let id_token = accepted.1["session"]["id_token"].as_object().unwrap();
    assert_eq!(id_token["email"], "ada@example.com");
    assert!(!id_token.contains_key("name"), "profile was unticked");
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn logout_confirmation_lands_on_hydras_redirect() {
    require_browser();
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(acme_logout());
    let browser = Browser::open(&app.url(&logout_path(&challenge))).await;
    assert_eq!(browser.title().await, "Log out");
    browser.screenshot("logout-page.png").await;
    browser.click("button#logout").await;
    wait_for(|| (!app.hydra.accepted_logouts().is_empty()).then_some(())).await;
    // The browser followed the bridge's redirect to Hydra's public logout endpoint.
    let hydra = format!("{}/oauth2/sessions/logout?logout_verifier=", app.hydra.url);
    let url = browser.wait_for_url(&hydra).await;
    let title = browser.title().await;
    browser.close().await;
    assert!(url.starts_with(&hydra), "{url}");
    assert_eq!(title, "Logged out");
    assert_eq!(app.hydra.accepted_logouts(), vec![challenge]);
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn error_page_renders_in_the_browser() {
    require_browser();
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    browser
        .goto(&app.url("/login?login_challenge=%3Cscript%3E"))
        .await;
    let title = browser.title().await;
    browser.screenshot("error-page.png").await;
    browser.close().await;
    assert_eq!(title, "This link is not valid");
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn device_code_typed_in_the_browser_leads_to_the_login() {
    require_browser();
    let app = TestApp::spawn().await;
    app.hydra.set_login_url(&format!("{}/login", app.address));
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let browser = Browser::start().await;
    browser
        .goto(&app.url(&format!("/device?device_challenge={}", encode(&challenge))))
        .await;
    assert_eq!(browser.title().await, "Connect a device");
    // Typed as people do, in two groups.
    let typed = format!("{} {}", &code[..4], &code[4..]);
    browser.type_into("input#user_code", &typed).await;
    browser.screenshot("device-page.png").await;
    browser.click("button#continue").await;
    // The bridge sends the browser to Hydra, Hydra to the bridge's login, the login to Kratos,
    // and Kratos (no session) to its login UI.
    let kratos_ui = format!("{}/ui/login?flow=", app.kratos.url);
    let url = browser.wait_for_url(&kratos_ui).await;
    browser.close().await;
    assert!(url.starts_with(&kratos_ui), "{url}");
    let kratos_login = app.kratos.login_browser_queries();
    let return_to = kratos_login
        .last()
        .and_then(|q| query_param(&format!("http://kratos.invalid/?{q}"), "return_to"))
        .unwrap_or_default();
    assert!(
        return_to.starts_with(&format!("{}/login?login_challenge=", app.address)),
        "{return_to}"
    );
    assert_eq!(
        app.hydra.accepted_devices(),
        vec![(challenge, json!({ "user_code": code }))]
    );
}
