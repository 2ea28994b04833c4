//! Every page in headless Chromium, audited with axe-core against the WCAG 2.0 and 2.1 A and AA
//! rules, in the light and the dark colour scheme and in two languages; and the operator's brand as
//! the browser shows it.
//!
//! axe-core comes from scripts/install-axe.sh (a cache outside the work tree; build.rs passes its
//! path as AXE_MIN_JS). Where it or Chromium is missing the tests are ignored, and under `CI` they
//! fail instead (see build.rs).

use std::path::PathBuf;

use crate::support::browser::*;
use crate::support::*;
use serde_json::{Value, json};

const AXE_MIN_JS: &str = env!("AXE_MIN_JS");
const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/brand");
const SCHEMES: [&str; 2] = ["light", "dark"];
/// The browser's languages (its `Accept-Language`) and the page language they must give.
const ENGLISH: (&str, &str) = ("en-US,en", "en");
const GERMAN: (&str, &str) = ("de-DE,de", "de");

pub(crate) fn axe_source() -> String {
    std::fs::read_to_string(AXE_MIN_JS).unwrap_or_else(|e| {
        panic!("axe-core is not installed at {AXE_MIN_JS} ({e}): run scripts/install-axe.sh")
    })
}

/// Runs axe-core on the page the browser shows; returns the violations, one line per rule and node.
pub(crate) async fn audit(browser: &Browser, axe: &str) -> Vec<String> {
    // The page's CSP allows no script; WebDriver's scripts are not subject to it.
    let loaded = browser
        .execute(&format!("{axe}\n;return typeof window.axe;"), json!([]))
        .await;
    assert_eq!(loaded, "object", "axe-core did not load");
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {
                 runOnly: { type: 'tag', values: arguments[0] },
                 resultTypes: ['violations'],
             }).then(r => done({
                 passes: r.passes.length,
                 violations: r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => ({
                         target: n.target.join(' '), html: n.html, summary: n.failureSummary,
                     })),
                 })),
             })).catch(e => done({ error: String(e) }));",
            json!([WCAG_TAGS]),
        )
        .await;
    assert!(result.get("error").is_none(), "axe-core failed: {result}");
    // A page with nothing to check would pass vacuously.
    assert!(result["passes"].as_u64().unwrap_or(0) > 5, "{result}");
    let mut found = Vec::new();
    for violation in result["violations"].as_array().unwrap() {
        for node in violation["nodes"].as_array().unwrap() {
            found.push(format!(
                "{} ({}): {} at `{}`: {} / {}",
                violation["id"].as_str().unwrap_or_default(),
                violation["impact"].as_str().unwrap_or_default(),
                violation["help"].as_str().unwrap_or_default(),
                node["target"].as_str().unwrap_or_default(),
                node["html"].as_str().unwrap_or_default(),
                node["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " "),
            ));
        }
    }
    found
}

/// A page to audit: its name, its path, and what the browser does there first.
enum Visit {
    Open(&'static str, String),
    /// The device page after a wrong code: the form with its problem message.
    WrongDeviceCode(&'static str, String),
}

async fn show(browser: &Browser, address: &str, visit: &Visit) -> &'static str {
    match visit {
        Visit::Open(name, path) => {
            browser.goto(&format!("{address}{path}")).await;
            name
        }
        Visit::WrongDeviceCode(name, path) => {
            browser.goto(&format!("{address}{path}")).await;
            browser.type_into("input#user_code", "KKKKKKKK").await;
            browser.click("button#continue").await;
            wait_for_selector(browser, "#problem").await;
            name
        }
    }
}

pub(crate) async fn wait_for_selector(browser: &Browser, css: &str) {
    for _ in 0..50 {
        let found = browser
            .execute(
                "return document.querySelector(arguments[0]) !== null",
                json!([css]),
            )
            .await;
        if found == json!(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no {css} on the page");
}

/// Audits each page in both schemes, checking it is written in `lang`; panics listing every
/// violation.
async fn audit_all(browser: &Browser, axe: &str, address: &str, visits: &[Visit], lang: &str) {
    let mut failures = Vec::new();
    for scheme in SCHEMES {
        browser.set_color_scheme(scheme).await;
        for visit in visits {
            let name = show(browser, address, visit).await;
            let shown = browser
                .execute("return document.documentElement.lang", json!([]))
                .await;
            assert_eq!(shown, lang, "{name} is not in the browser's language");
            for violation in audit(browser, axe).await {
                failures.push(format!("{name} [{scheme}]: {violation}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} accessibility violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn consent_spec(client_name: &str) -> ConsentSpec {
    ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: client_name.into(),
        requested_scope: vec![
            "openid".into(),
            "profile".into(),
            "email".into(),
            "offline_access".into(),
        ],
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ..ConsentSpec::default()
    }
}

fn add_identity(app: &TestApp) {
    let mut identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    identity.traits =
        json!({ "email": "ada@example.com", "name": { "first": "Ada", "last": "Lovelace" } });
    app.kratos.add_identity(identity);
}

/// The flow pages and the message pages (400, 404, 502, the OAuth2 error page), with debug
/// details shown so that their block is audited too.
async fn audit_every_page(extra_yaml: &str, (languages, lang): (&str, &str)) {
    let axe = axe_source();
    let app = spawn_app_full(
        HydraVersion::Lenient,
        &[],
        &format!("error:\n  show_debug: true\n{extra_yaml}"),
    )
    .await;
    add_identity(&app);
    let consent = app.hydra.add_consent(consent_spec("Acme Shop"));
    let logout = app.hydra.add_logout(LogoutSpec {
        subject: IDENTITY_ID.into(),
        client: Some(("demo-client".into(), "Acme Shop".into(), false)),
        ..LogoutSpec::default()
    });
    let (device, _) = app.hydra.start_device(DeviceSpec {
        user_code: Some("ACDEFGHJ".into()),
        ..DeviceSpec::default()
    });
    app.hydra.add_client("demo-client", "Acme TV");
    let device_path = format!("/device?device_challenge={}", encode(&device));
    let visits = [
        Visit::Open(
            "consent",
            format!("/consent?consent_challenge={}", encode(&consent)),
        ),
        Visit::Open("logout", format!("/logout?logout_challenge={logout}")),
        Visit::Open("device code entry", device_path.clone()),
        Visit::WrongDeviceCode("device wrong code", device_path),
        Visit::Open(
            "device success",
            "/device/success?client_id=demo-client".into(),
        ),
        Visit::Open(
            "oauth2 error",
            "/error?error=access_denied&error_description=The+resource+owner+denied+the+request"
                .into(),
        ),
        Visit::Open("400", "/login?login_challenge=%3Cscript%3E".into()),
        Visit::Open("404", "/nope".into()),
    ];
    let browser = Browser::start_in(languages).await;
    audit_all(&browser, &axe, &app.address, &visits, lang).await;
    // Hydra down last: the 502 page.
    app.hydra.set_fault(Some(Fault::Status(503)));
    let down = [Visit::Open(
        "502",
        "/login?login_challenge=bG9naW4tY2hhbGxlbmdl".into(),
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

/// Where the branded consent page's screenshots go: `docs/` (the README shows them) when
/// `UPDATE_SCREENSHOTS=1`, else `test-artifacts/`, so that a test run leaves the tree unchanged.
fn docs_dir() -> PathBuf {
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
async fn the_brand_shows_in_the_browser_in_both_schemes() {
    require_browser();
    let app = spawn_app_full(HydraVersion::Strict, &[], &full_brand()).await;
    add_identity(&app);
    let challenge = app.hydra.add_consent(consent_spec("Acme Shop"));
    let browser = Browser::start().await;
    let consent = format!(
        "{}/consent?consent_challenge={}",
        app.address,
        encode(&challenge)
    );

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
    // The configured colours, through brand.css.
    assert_eq!(
        computed(&browser, "button#allow", "background-color").await,
        "rgb(11, 110, 79)"
    );
    assert_eq!(
        computed(&browser, "button#allow", "color").await,
        "rgb(255, 255, 255)"
    );
    assert_eq!(
        computed(&browser, "body", "background-color").await,
        "rgb(253, 246, 227)"
    );
    // The operator's stylesheet, after the built-in one.
    assert_eq!(computed(&browser, ".card", "border-top-width").await, "4px");
    assert_eq!(
        computed(&browser, ".card", "border-top-color").await,
        "rgb(11, 110, 79)"
    );
    // A keyboard user sees where the focus is.
    browser
        .execute("document.querySelector('button#allow').focus()", json!([]))
        .await;
    assert_eq!(
        computed(&browser, "button#allow", "outline-style").await,
        "solid"
    );
    assert_eq!(
        computed(&browser, "button#allow", "outline-width").await,
        "3px"
    );
    browser
        .execute("document.activeElement.blur()", json!([]))
        .await;
    browser
        .screenshot_to(&docs_dir().join("consent-en.png"))
        .await;

    // The same page for an application that asked for German.
    let german = app.hydra.add_consent(ConsentSpec {
        ui_locales: vec!["de".into()],
        ..consent_spec("Acme Shop")
    });
    browser
        .goto(&format!(
            "{}/consent?consent_challenge={}",
            app.address,
            encode(&german)
        ))
        .await;
    assert_eq!(browser.title().await, "Acme Shop autorisieren – Acme Cloud");
    browser
        .screenshot_to(&docs_dir().join("consent-de.png"))
        .await;

    browser.set_color_scheme("dark").await;
    browser.goto(&consent).await;
    // The button keeps the brand's colour; the page keeps the dark scheme's background.
    assert_eq!(
        computed(&browser, "button#allow", "background-color").await,
        "rgb(11, 110, 79)"
    );
    assert_eq!(
        computed(&browser, "body", "background-color").await,
        "rgb(18, 21, 28)"
    );
    // The primary colour as text is lightened until it reads on the dark card.
    let secondary = computed(&browser, "button.secondary", "color").await;
    assert_ne!(secondary, "rgb(11, 110, 79)");
    browser
        .screenshot_to(&docs_dir().join("consent-dark.png"))
        .await;
    browser.close().await;
}
