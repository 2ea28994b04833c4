//! The pages by keyboard alone in headless Chromium: every control is reached with Tab, shows
//! where the focus is, and works with Space and Enter.

use serde_json::{Value, json};

use crate::support::browser::*;
use crate::support::*;

/// What has the focus: `#id`, or `name=value` for a field without an id; and whether it shows a
/// focus ring.
async fn focused(browser: &Browser) -> (String, bool) {
    let seen: Value = browser
        .execute(
            "const e = document.activeElement;
             const style = getComputedStyle(e);
             return [e.id ? '#' + e.id : (e.name || e.tagName) + '=' + (e.value || ''),
                     style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2];",
            json!([]),
        )
        .await;
    (
        seen[0].as_str().unwrap_or_default().to_string(),
        seen[1].as_bool().unwrap_or(false),
    )
}

/// Presses Tab until `target` has the focus, checking that each control on the way shows it.
/// Returns the controls passed, in order.
pub(crate) async fn tab_to(browser: &Browser, target: &str) -> Vec<String> {
    let mut passed = Vec::new();
    for _ in 0..20 {
        browser.press(TAB).await;
        let (now, ring) = focused(browser).await;
        assert!(ring, "{now} has the focus but shows no focus ring");
        passed.push(now.clone());
        if now == target {
            return passed;
        }
    }
    panic!("Tab never reached {target}; it went through {passed:?}");
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn consent_works_by_keyboard_alone() {
    require_browser();
    let app = spawn_app().await;
    let mut identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    identity.traits =
        json!({ "email": "ada@example.com", "name": { "first": "Ada", "last": "Lovelace" } });
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: "Acme Shop".into(),
        requested_scope: vec!["openid".into(), "profile".into(), "email".into()],
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::default()
    });
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/consent?consent_challenge={}",
            app.address,
            encode(&challenge)
        ))
        .await;

    // Untick "profile" with Space, then Tab on to "Allow" and press Enter.
    tab_to(&browser, "grant_scope=profile").await;
    browser.press(" ").await;
    assert!(
        !browser
            .is_selected("input[name=grant_scope][value=profile]")
            .await
    );
    let rest = tab_to(&browser, "#allow").await;
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
    let app = spawn_app().await;
    let challenge = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        client: Some(("demo-client".into(), "Acme Shop".into(), false)),
        ..LogoutSpec::default()
    });
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/logout?logout_challenge={challenge}",
            app.address
        ))
        .await;
    let passed = tab_to(&browser, "#logout").await;
    assert!(
        passed.iter().any(|c| c == "#cancel"),
        "Cancel is reachable too: {passed:?}"
    );
    browser.press(ENTER).await;
    let accepted = wait_for(|| app.hydra.accepted_logouts().into_iter().next()).await;
    browser.close().await;
    assert_eq!(accepted, challenge);
}
