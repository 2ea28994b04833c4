//! The consent page's language in a real browser: headless Chromium, set to a language the way a
//! person sets theirs, driven through chromedriver as in `tests/browser.rs`. Needs Debian's
//! `chromium` and `chromium-driver`; reported as ignored where they are missing, failing under `CI`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;
use base64::Engine;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

fn require_browser() {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    assert!(
        present,
        "{CHROMIUM} or {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)"
    );
}

struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    profile: PathBuf,
}

impl Browser {
    /// A browser whose languages are `languages` (as in its settings: most preferred first).
    async fn start(languages: &str) -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("khb-chromium-lang-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&profile).unwrap();
        let first = languages.split(',').next().unwrap_or("en");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--window-size=900,1000",
                    format!("--lang={first}"),
                    format!("--accept-lang={languages}"),
                    format!("--user-data-dir={}", profile.display())
                ],
                "prefs": { "intl.accept_languages": languages }
            }
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("create a WebDriver session")
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Self {
            driver,
            base,
            session,
            http,
            profile,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {path}: {answer}");
        }
        answer["value"].clone()
    }

    /// Opens `url` and answers what the person sees: the title, the document's language, the
    /// heading and the buttons.
    async fn open(&self, url: &str) -> (String, String, String, String) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
        let script = "return [document.title, document.documentElement.lang, \
            document.querySelector('h1').textContent.trim(), \
            Array.from(document.querySelectorAll('button')).map(b => b.textContent.trim()).join('|')];";
        let seen = self
            .command(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({ "script": script, "args": [] })),
            )
            .await;
        let text = |i: usize| seen[i].as_str().unwrap_or_default().to_string();
        (text(0), text(1), text(2), text(3))
    }

    async fn screenshot(&self, name: &str) {
        let data = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-artifacts"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    async fn close(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A consent page for the browser to open, with the request's `ui_locales`.
fn consent_url(app: &TestApp, ui_locales: &[&str]) -> String {
    app.kratos
        .add_identity(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let challenge = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: "Acme Shop".into(),
        context: Some(json!({ "identity_id": IDENTITY_ID })),
        ui_locales: ui_locales.iter().map(|s| s.to_string()).collect(),
        ..ConsentSpec::default()
    });
    format!(
        "{}/consent?consent_challenge={}",
        app.address,
        encode(&challenge)
    )
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn the_consent_page_speaks_the_persons_language() {
    require_browser();
    let app = spawn_app().await;

    // An English browser, and an application that asked for German.
    let browser = Browser::start("en-US,en").await;
    let (title, lang, heading, buttons) = browser.open(&consent_url(&app, &["de"])).await;
    browser.screenshot("consent-page-de.png").await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Acme Shop autorisieren", "de")
    );
    assert_eq!(heading, "Acme Shop möchte auf Ihr Konto zugreifen");
    assert_eq!(buttons, "Ablehnen|Erlauben");
    // Without ui_locales, the browser's English.
    let (title, lang, heading, buttons) = browser.open(&consent_url(&app, &[])).await;
    browser.close().await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Authorize Acme Shop", "en")
    );
    assert_eq!(heading, "Acme Shop wants to access your account");
    assert_eq!(buttons, "Deny|Allow");

    // A French browser.
    let browser = Browser::start("fr-FR,fr").await;
    let (title, lang, heading, buttons) = browser.open(&consent_url(&app, &[])).await;
    browser.screenshot("consent-page-fr.png").await;
    browser.close().await;
    assert_eq!(
        (title.as_str(), lang.as_str()),
        ("Autoriser Acme Shop", "fr")
    );
    assert_eq!(heading, "Acme Shop souhaite accéder à votre compte");
    assert_eq!(buttons, "Refuser|Autoriser");

    // A browser in a language without a catalog: the default, English.
    let browser = Browser::start("it-IT,it").await;
    let (_, lang, heading, _) = browser.open(&consent_url(&app, &[])).await;
    browser.close().await;
    assert_eq!(lang, "en");
    assert_eq!(heading, "Acme Shop wants to access your account");
}
