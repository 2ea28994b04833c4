//! The pages by keyboard alone in headless Chromium: every control is reached with Tab, shows
//! where the focus is, and works with Space and Enter.

use serde_json::json;

use super::{acme_consent, acme_logout};
use crate::support::browser::*;
use crate::support::*;

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn consent_works_by_keyboard_alone() {
    require_browser();
    let app = TestApp::spawn().await;
    let challenge = app
        .hydra
        .add_consent(acme_consent(&app, &["openid", "profile", "email"]));
    let browser = Browser::open(&app.url(&consent_path(&challenge))).await;

    // Untick "profile" with Space, then Tab on to "Allow" and press Enter.
    browser.tab_to("grant_scope=profile").await;
    browser.press(" ").await;
    assert!(
        !browser
            .is_selected("input[name=grant_scope][value=profile]")
            .await
    );
    let rest = browser.tab_to("#allow").await;
    assert!(
        rest.iter().any(|c| c == "action=deny"),
        "Deny is reachable too: {rest:?}"
    );
    browser.press(ENTER).await;

    let accepted = wait_for(|| app.hydra.accepted_consents().into_iter().next()).await;
    browser.close().await;
    assert_eq!(accepted.0, challenge);
    assert_eq!(accepted.1["grant_scope"], json!(["openid", "email"]));
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn logout_confirmation_works_by_keyboard_alone() {
    require_browser();
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_logout(acme_logout());
    let browser = Browser::open(&app.url(&logout_path(&challenge))).await;
    let passed = browser.tab_to("#logout").await;
    assert!(
        passed.iter().any(|c| c == "#cancel"),
        "Cancel is reachable too: {passed:?}"
    );
    browser.press(ENTER).await;
    let accepted = wait_for(|| app.hydra.accepted_logouts().into_iter().next()).await;
    browser.close().await;
    assert_eq!(accepted, challenge);
}
