//! Every page in headless Chromium, audited with axe-core against the WCAG 2.0 and 2.1 A and AA
//! rules, in the light and the dark colour scheme and in two languages (`support::axe`); and the
//! operator's brand as the browser shows it.

use super::{acme_consent, acme_logout};
use crate::support::axe::{Step, Visit, audit_all, axe_source};
use crate::support::browser::*;
use crate::support::*;
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/brand");
/// The browser's languages (its `Accept-Language`) and the page language they must give.
const ENGLISH: (&str, &str) = ("en-US,en", "en");
const GERMAN: (&str, &str) = ("de-DE,de", "de");

const SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// The flow pages and the message pages (400, 404, 502, the OAuth2 error page), with debug
/// details shown so that their block is audited too.
async fn audit_every_page(extra_yaml: &str, (languages, lang): (&str, &str)) {
    let axe = axe_source();
    let app = TestApp::builder()
        .config_yaml(&format!("error:\n  show_debug: true\n{extra_yaml}"))
        .spawn()
        .await;
    let consent = app.hydra.add_consent(acme_consent(&app, SCOPES));
    let logout = app.hydra.add_logout(acme_logout());
    let (device, _) = app.hydra.start_device(DeviceSpec {
        user_code: Some("ACDEFGHJ".into()),
        ..DeviceSpec::default()
    });
    app.hydra.add_client("demo-client", "Acme TV");
    let device_path = format!("/device?device_challenge={}", encode(&device));
    let visits = [
        Visit::open("consent", consent_path(&consent)),
        Visit::open("logout", format!("/logout?logout_challenge={logout}")),
        Visit::open("device code entry", device_path.clone()),
        // The form with its problem message.
        Visit::open("device wrong code", device_path)
            .then(Step::Type("input#user_code", "KKKKKKKK"))
            .then(Step::Click("button#continue"))
            .then(Step::WaitFor("#problem")),
        Visit::open("device success", "/device/success?client_id=demo-client"),
        Visit::open(
            "oauth2 error",
            "/error?error=access_denied&error_description=The+resource+owner+denied+the+request",
        ),
        Visit::open("400", "/login?login_challenge=%3Cscript%3E"),
        Visit::open("404", "/nope"),
    ];
    let browser = Browser::start_in(languages).await;
    audit_all(&browser, &axe, &app.address, &visits, lang).await;
    // Hydra down last: the 502 page.
    app.hydra.set_fault(Some(Fault::Status(503)));
    let down = [Visit::open(
        "502",
        "/login?login_challenge=bG9naW4tY2hhbGxlbmdl",
    )];
    audit_all(&browser, &axe, &app.address, &down, lang).await;
    let status = app
        .get("/login?login_challenge=bG9naW4tY2hhbGxlbmdl", None)
        .await
        .status();
    browser.close().await;
    assert_eq!(status.as_u16(), 502, "the 502 page was audited");
}

#[tokio::test]
#[cfg_attr(
    any(browser_missing, axe_missing),
    ignore = "chromium, chromium-driver or axe-core (scripts/install-axe.sh) is not installed"
)]
async fn every_page_passes_the_wcag_aa_audit_in_both_schemes() {
    require_browser();
    audit_every_page("", ENGLISH).await;
}

#[tokio::test]
#[cfg_attr(
    any(browser_missing, axe_missing),
    ignore = "chromium, chromium-driver or axe-core (scripts/install-axe.sh) is not installed"
)]
async fn every_page_in_german_passes_the_wcag_aa_audit_in_both_schemes() {
    require_browser();
    audit_every_page("", GERMAN).await;
}

fn full_brand() -> String {
    format!(
        "brand:\n  product_name: Acme Cloud\n  logo_file: {FIXTURES}/logo.svg\n  \
         primary_color: \"#0b6e4f\"\n  background_color: \"#fdf6e3\"\n  \
         stylesheet_file: {FIXTURES}/extra.css\n"
    )
}

#[tokio::test]
#[cfg_attr(
    any(browser_missing, axe_missing),
    ignore = "chromium, chromium-driver or axe-core (scripts/install-axe.sh) is not installed"
)]
async fn every_branded_page_passes_the_wcag_aa_audit_in_both_schemes() {
    require_browser();
    audit_every_page(&full_brand(), ENGLISH).await;
}

async fn computed(browser: &Browser, css: &str, property: &str) -> String {
    let value = browser
        .execute(
            "const e = document.querySelector(arguments[0]);
             return e ? getComputedStyle(e).getPropertyValue(arguments[1]) : null;",
            json!([css, property]),
        )
        .await;
    value
        .as_str()
        .unwrap_or_else(|| panic!("no {css}"))
        .trim()
        .to_string()
}

/// Each `(selector, property, value)`, as the browser computes it.
async fn assert_computed(browser: &Browser, expected: &[(&str, &str, &str)]) {
    for (css, property, value) in expected {
        let computed = computed(browser, css, property).await;
        assert_eq!(computed, *value, "{css} {property}");
    }
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn the_brand_shows_in_the_browser_in_both_schemes() {
    require_browser();
    let app = TestApp::against(HydraVersion::Strict)
        .config_yaml(&full_brand())
        .spawn()
        .await;
    let challenge = app.hydra.add_consent(acme_consent(&app, SCOPES));
    let browser = Browser::start().await;
    let consent = app.url(&consent_path(&challenge));

    browser.set_color_scheme("light").await;
    browser.goto(&consent).await;
    assert_eq!(browser.title().await, "Authorize Acme Shop – Acme Cloud");
    let header: Value = browser
        .execute(
            "const logo = document.querySelector('header.brand img.brand-logo');
             return {
                 name: document.querySelector('header.brand .brand-name').textContent,
                 loaded: logo.complete, width: logo.naturalWidth, alt: logo.getAttribute('alt'),
             };",
            json!([]),
        )
        .await;
    assert_eq!(header["name"], "Acme Cloud");
    assert_eq!(header["loaded"], true, "{header}");
    assert!(
        header["width"].as_u64().unwrap_or(0) > 0,
        "the logo loaded: {header}"
    );
    assert_computed(
        &browser,
        &[
            // The configured colours, through brand.css.
            ("button#allow", "background-color", "rgb(11, 110, 79)"),
            ("button#allow", "color", "rgb(255, 255, 255)"),
            ("body", "background-color", "rgb(253, 246, 227)"),
            // The operator's stylesheet, after the built-in one.
            (".card", "border-top-width", "4px"),
            (".card", "border-top-color", "rgb(11, 110, 79)"),
        ],
    )
    .await;
    // A keyboard user sees where the focus is.
    browser
        .execute("document.querySelector('button#allow').focus()", json!([]))
        .await;
    assert_computed(
        &browser,
        &[
            ("button#allow", "outline-style", "solid"),
            ("button#allow", "outline-width", "3px"),
        ],
    )
    .await;
    browser
        .execute("document.activeElement.blur()", json!([]))
        .await;
    browser
        .screenshot_to(&screenshots_dir().join("consent-en.png"))
        .await;

    // The same page for an application that asked for German.
    let german = app.hydra.add_consent(ConsentSpec {
        ui_locales: vec!["de".into()],
        ..acme_consent(&app, SCOPES)
    });
    browser.goto(&app.url(&consent_path(&german))).await;
    assert_eq!(browser.title().await, "Acme Shop autorisieren – Acme Cloud");
    browser
        .screenshot_to(&screenshots_dir().join("consent-de.png"))
        .await;

    browser.set_color_scheme("dark").await;
    browser.goto(&consent).await;
    // The button keeps the brand's colour; the page keeps the dark scheme's background.
    assert_computed(
        &browser,
        &[
            ("button#allow", "background-color", "rgb(11, 110, 79)"),
            ("body", "background-color", "rgb(18, 21, 28)"),
        ],
    )
    .await;
    // The primary colour as text is lightened until it reads on the dark card.
    let secondary = computed(&browser, "button.secondary", "color").await;
    assert_ne!(secondary, "rgb(11, 110, 79)");
    browser
        .screenshot_to(&screenshots_dir().join("consent-dark.png"))
        .await;
    browser.close().await;
}
