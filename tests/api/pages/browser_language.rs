//! The consent page's language in a real browser: headless Chromium, set to a language the way a
//! person sets theirs, driven through chromedriver (`support/browser.rs`). Needs Debian's
//! `chromium` and `chromium-driver`; reported as ignored where they are missing, failing under `CI`.

use serde_json::json;

use super::acme_consent;
use crate::support::browser::*;
use crate::support::*;

/// Opens `url` and answers what the person sees: the title, the document's language, the heading
/// and the buttons.
async fn open(browser: &Browser, url: &str) -> (String, String, String, String) {
    browser.goto(url).await;
    let script = "return [document.title, document.documentElement.lang, \
        document.querySelector('h1').textContent.trim(), \
        Array.from(document.querySelectorAll('button')).map(b => b.textContent.trim()).join('|')];";
    let seen = browser.execute(script, json!([])).await;
    let text = |i: usize| seen[i].as_str().unwrap_or_default().to_string();
    (text(0), text(1), text(2), text(3))
}

/// A consent page for the browser to open, with the request's `ui_locales`.
fn consent_url(app: &TestApp, ui_locales: &[&str]) -> String {
    let challenge = app.hydra.add_consent(ConsentSpec {
        ui_locales: ui_locales.iter().map(|s| s.to_string()).collect(),
        ..acme_consent(app, &["openid", "profile", "email"])
    });
    app.url(&consent_path(&challenge))
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn the_consent_page_speaks_the_persons_language() {
    require_browser();
    let app = TestApp::spawn().await;

    // An English browser, and an application that asked for German.
    let browser = Browser::start_in("en-US,en").await;
    let (title, lang, heading, buttons) = open(&browser, &consent_url(&app, &["de"])).await;
    browser.screenshot("consent-page-de.png").await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Acme Shop autorisieren", "de")
    );
    assert_eq!(heading, "Acme Shop möchte auf Ihr Konto zugreifen");
    assert_eq!(buttons, "Ablehnen|Erlauben");
    // Without ui_locales, the browser's English.
    let (title, lang, heading, buttons) = open(&browser, &consent_url(&app, &[])).await;
    browser.close().await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Authorize Acme Shop", "en")
    );
    assert_eq!(heading, "Acme Shop wants to access your account");
    assert_eq!(buttons, "Deny|Allow");

    // A French browser.
    let browser = Browser::start_in("fr-FR,fr").await;
    let (title, lang, heading, buttons) = open(&browser, &consent_url(&app, &[])).await;
    browser.screenshot("consent-page-fr.png").await;
    browser.close().await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Autoriser Acme Shop", "fr")
    );
    assert_eq!(heading, "Acme Shop souhaite accéder à votre compte");
    assert_eq!(buttons, "Refuser|Autoriser");

    // A browser in a language without a catalog: the default, English.
    let browser = Browser::start_in("it-IT,it").await;
    let (_, lang, heading, _) = open(&browser, &consent_url(&app, &[])).await;
    browser.close().await;
    assert_eq!(lang, "en");
    assert_eq!(heading, "Acme Shop wants to access your account");
}
