//! Pages in a real browser: headless Chromium driven through chromedriver (WebDriver over HTTP).
//! Needs Debian's `chromium` and `chromium-driver`; CI installs both. Elsewhere the tests are
//! reported as ignored when they are missing, and fail when `CI` is set.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;
use base64::Engine;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The tests are marked ignored at build time when the browser is missing (see build.rs); one that
/// runs anyway (under CI) fails here with what to install.
fn require_browser() {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    assert!(
        present,
        "{CHROMIUM} or {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)"
    );
}

fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    async fn start() -> Self {
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
            std::env::temp_dir().join(format!("khb-chromium-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&profile).unwrap();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--window-size=900,1000",
                    format!("--user-data-dir={}", profile.display())
                ]
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
            _profile: TempDir(profile),
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

    async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn is_selected(&self, css: &str) -> bool {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::GET,
            &format!("/element/{element}/selected"),
            None,
        )
        .await
        .as_bool()
        .unwrap()
    }

    async fn screenshot(&self, name: &str) -> PathBuf {
        let data = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let path = artifacts_dir().join(name);
        std::fs::write(&path, png).unwrap();
        path
    }

    async fn close(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill().await;
    }
}

async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting");
}

#[tokio::test]
#[cfg_attr(
    browser_missing,
    ignore = "chromium and chromium-driver are not installed"
)]
async fn consent_page_submits_allow_with_an_unticked_scope() {
    require_browser();
    let app = spawn_app().await;
    let mut identity = IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID));
    identity.traits =
        json!({ "email": "ada@example.com", "name": { "first": "Ada", "last": "Lovelace" } });
    app.kratos.add_identity(identity);
    let challenge = app.hydra.add_consent(ConsentSpec {
        subject: IDENTITY_ID.into(),
        client_name: "Acme Shop".into(),
        requested_scope: vec![
            "openid".into(),
            "profile".into(),
            "email".into(),
            "offline_access".into(),
        ],
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
    assert_eq!(
        browser.command(reqwest::Method::GET, "/title", None).await,
        "Log out"
    );
    browser.screenshot("logout-page.png").await;
    browser.click("button#logout").await;
    wait_for(|| (!app.hydra.accepted_logouts().is_empty()).then_some(())).await;
    // The browser followed the bridge's redirect to Hydra's public logout endpoint.
    let mut url = String::new();
    for _ in 0..50 {
        url = browser
            .command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_string();
        if url.starts_with(&format!(
            "{}/oauth2/sessions/logout?logout_verifier=",
            app.hydra.url
        )) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let title = browser.command(reqwest::Method::GET, "/title", None).await;
    browser.close().await;
    assert!(
        url.starts_with(&format!(
            "{}/oauth2/sessions/logout?logout_verifier=",
            app.hydra.url
        )),
        "{url}"
    );
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
    let app = spawn_app().await;
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/login?login_challenge=%3Cscript%3E",
            app.address
        ))
        .await;
    let title = browser.command(reqwest::Method::GET, "/title", None).await;
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
    let app = spawn_app_with(HydraVersion::Lenient, &[]).await;
    app.hydra.set_login_url(&format!("{}/login", app.address));
    let (challenge, code) = app.hydra.start_device(DeviceSpec::default());
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/device?device_challenge={}",
            app.address,
            encode(&challenge)
        ))
        .await;
    assert_eq!(
        browser.command(reqwest::Method::GET, "/title", None).await,
        "Connect a device"
    );
    // Typed as people do, in two groups.
    let field = browser.find("input#user_code").await;
    let typed = format!("{} {}", &code[..4], &code[4..]);
    browser
        .command(
            reqwest::Method::POST,
            &format!("/element/{field}/value"),
            Some(json!({ "text": typed })),
        )
        .await;
    browser.screenshot("device-page.png").await;
    browser.click("button#continue").await;
    // The bridge sends the browser to Hydra, Hydra to the bridge's login, the login to Kratos,
    // and Kratos (no session) to its login UI.
    let kratos_ui = format!("{}/ui/login?flow=", app.kratos.url);
    let mut url = String::new();
    for _ in 0..50 {
        url = browser
            .command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string();
        if url.starts_with(&kratos_ui) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
