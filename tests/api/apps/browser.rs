//! The connected-apps pages in headless Chromium: the WCAG AA audit in both colour schemes and two
//! languages, withdrawing by keyboard alone, and the screenshots the README shows.

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::accessibility::{audit, axe_source, wait_for_selector};
use crate::keyboard::tab_to;
use crate::support::browser::*;

/// Four applications, one of them allowed before the identifier changed; the person's session.
async fn signed_in(languages: &str) -> (TestApp, Browser) {
    let app = app_with(&[]).await;
    let mut shop = GrantSpec::new(EXTERNAL_ID, "shop", "Acme Shop");
    shop.client_uri = "https://shop.example".into();
    shop.policy_uri = "https://shop.example/privacy".into();
    shop.tos_uri = "https://shop.example/terms".into();
    app.hydra.add_grant(shop);
    let mut blog = GrantSpec::new(EXTERNAL_ID, "blog", "Acme Blog");
    blog.scopes = vec!["openid".into(), "email".into()];
    blog.remember_for = 0;
    app.hydra.add_grant(blog);
    let mut news = GrantSpec::new(EXTERNAL_ID, "news", "Daily News");
    news.remember = false;
    news.scopes = vec!["openid".into(), "profile".into()];
    app.hydra.add_grant(news);
    app.hydra
        .add_grant(GrantSpec::new(IDENTITY_ID, "wiki", "Team Wiki"));
    let token = app
        .kratos
        .add_session(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)), 1, 60);
    let browser = Browser::start_in(languages).await;
    browser.goto(&format!("{}/health/alive", app.address)).await;
    browser.add_cookie(fake_kratos::COOKIE_NAME, &token).await;
    (app, browser)
}

/// The list, the confirmation and the result, audited in both schemes.
async fn audit_the_pages(languages: &str, lang: &str) {
    let axe = axe_source();
    let (app, browser) = signed_in(languages).await;
    let list = format!("{}/apps", app.address);
    let mut failures = Vec::new();
    for scheme in ["light", "dark"] {
        browser.set_color_scheme(scheme).await;
        let steps: [(&str, &[&str], &str); 3] = [
            ("list", &[], "#withdraw-all"),
            ("confirm", &["#withdraw-1"], "#confirm"),
            ("withdrawn", &["#withdraw-1", "#confirm"], "#back"),
        ];
        for (name, clicks, shown) in steps {
            browser.goto(&list).await;
            for selector in clicks {
                wait_for_selector(&browser, selector).await;
                browser.click(selector).await;
            }
            wait_for_selector(&browser, shown).await;
            let shown_lang = browser
                .execute("return document.documentElement.lang", json!([]))
                .await;
            assert_eq!(shown_lang, lang, "{name}");
            for violation in audit(&browser, &axe).await {
                failures.push(format!("{name} [{scheme}]: {violation}"));
            }
        }
    }
    browser.close().await;
    assert_eq!(app.hydra.revocations().len(), 2, "one withdrawn per scheme");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
#[cfg_attr(
    any(browser_missing, axe_missing),
    ignore = "chromium, chromium-driver or axe-core (scripts/install-axe.sh) is not installed"
)]
async fn the_pages_pass_the_wcag_aa_audit_in_both_schemes() {
    require_browser();
    audit_the_pages("en-US,en", "en").await;
}

#[tokio::test]
#[cfg_attr(
    any(browser_missing, axe_missing),
    ignore = "chromium, chromium-driver or axe-core (scripts/install-axe.sh) is not installed"
)]
async fn the_pages_in_german_pass_the_wcag_aa_audit_in_both_schemes() {
    require_browser();
    audit_the_pages("de-DE,de", "de").await;
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn withdrawing_works_by_keyboard_alone() {
    require_browser();
    let (app, browser) = signed_in("en-US,en").await;
    browser.goto(&format!("{}/apps", app.address)).await;
    // Acme Blog comes first: Tab to its button, Enter, and confirm on the next page.
    tab_to(&browser, "#withdraw-1").await;
    browser.press(ENTER).await;
    wait_for_selector(&browser, "#confirm").await;
    let passed = tab_to(&browser, "#confirm").await;
    assert!(
        passed.iter().any(|c| c == "#cancel"),
        "Keep access is reachable too: {passed:?}"
    );
    browser.press(ENTER).await;
    let revoked = wait_for(|| app.hydra.revocations().into_iter().next()).await;
    wait_for_selector(&browser, "#back").await;
    browser.close().await;
    assert_eq!(revoked, (EXTERNAL_ID.to_string(), "blog".to_string()));
}

/// `docs/` (the README shows them) when `UPDATE_SCREENSHOTS=1`, else `test-artifacts/`.
fn screenshots() -> PathBuf {
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs"))
    } else {
        artifacts_dir()
    }
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn the_page_in_the_browser() {
    require_browser();
    let (app, browser) = signed_in("en-US,en").await;
    browser.set_color_scheme("light").await;
    browser.goto(&format!("{}/apps", app.address)).await;
    assert_eq!(browser.title().await, "Connected apps");
    let names = browser
        .execute(
            "return [...document.querySelectorAll('.app h2')].map(h => h.textContent)",
            json!([]),
        )
        .await;
    assert_eq!(
        names,
        json!(["Acme Blog", "Acme Shop", "Daily News", "Team Wiki"])
    );
    browser
        .screenshot_to(&screenshots().join("apps-en.png"))
        .await;
    browser.click("#withdraw-2").await;
    wait_for_selector(&browser, "#confirm").await;
    assert_eq!(browser.title().await, "Withdraw access");
    browser
        .screenshot_to(&screenshots().join("apps-confirm-en.png"))
        .await;
    browser.close().await;
    assert!(app.hydra.revocations().is_empty(), "asking changes nothing");
}
