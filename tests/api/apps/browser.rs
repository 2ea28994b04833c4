//! The connected-apps pages in headless Chromium: the WCAG AA audit in both colour schemes and two
//! languages, withdrawing by keyboard alone, and the screenshots the README shows.

use serde_json::json;

use super::*;
use crate::support::axe::{Step, Visit, audit_all, axe_source};
use crate::support::browser::*;

/// Four applications, one of them allowed before the identifier changed; the person's session.
async fn signed_in(languages: &str) -> (TestApp, Browser) {
    let app = bridge().spawn().await;
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
    let token = app.signed_in_with_external_id(60);
    let browser = Browser::start_in(languages).await;
    browser.goto(&app.url("/health/alive")).await;
    browser.add_cookie(fake_kratos::COOKIE_NAME, &token).await;
    (app, browser)
}

/// The list, the confirmation and the result, audited in both schemes.
async fn audit_the_pages(languages: &str, lang: &str) {
    let axe = axe_source();
    let (app, browser) = signed_in(languages).await;
    let visits = [
        Visit::open("list", "/apps").then(Step::WaitFor("#withdraw-all")),
        Visit::open("confirm", "/apps")
            .then(Step::Click("#withdraw-1"))
            .then(Step::WaitFor("#confirm")),
        Visit::open("withdrawn", "/apps")
            .then(Step::Click("#withdraw-1"))
            .then(Step::Click("#confirm"))
            .then(Step::WaitFor("#back")),
    ];
    audit_all(&browser, &axe, &app.address, &visits, lang).await;
    browser.close().await;
    assert_eq!(app.hydra.revocations().len(), 2, "one withdrawn per scheme");
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
    browser.goto(&app.url("/apps")).await;
    // Acme Blog comes first: Tab to its button, Enter, and confirm on the next page.
    browser.tab_to("#withdraw-1").await;
    browser.press(ENTER).await;
    browser.wait_for_selector("#confirm").await;
    let passed = browser.tab_to("#confirm").await;
    assert!(
        passed.iter().any(|c| c == "#cancel"),
        "Keep access is reachable too: {passed:?}"
    );
    browser.press(ENTER).await;
    let revoked = wait_for(|| app.hydra.revocations().into_iter().next()).await;
    browser.wait_for_selector("#back").await;
    browser.close().await;
    assert_eq!(revoked, (EXTERNAL_ID.to_string(), "blog".to_string()));
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
    browser.goto(&app.url("/apps")).await;
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
        .screenshot_to(&screenshots_dir().join("apps-en.png"))
        .await;
    browser.click("#withdraw-2").await;
    browser.wait_for_selector("#confirm").await;
    assert_eq!(browser.title().await, "Withdraw access");
    browser
        .screenshot_to(&screenshots_dir().join("apps-confirm-en.png"))
        .await;
    browser.close().await;
    assert!(app.hydra.revocations().is_empty(), "asking changes nothing");
}
