//! Headless Chromium driven through chromedriver (WebDriver over HTTP), for the tests that look at
//! pages in a real browser. Needs Debian's `chromium` and `chromium-driver`; see build.rs for how
//! tests that need them are ignored where they are missing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// WebDriver's key codes.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The tests are marked ignored at build time when the browser is missing (see build.rs); one that
/// runs anyway (under CI) fails here with what to install.
pub fn require_browser() {
    let present = Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists();
    assert!(
        present,
        "{CHROMIUM} or {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)"
    );
}

pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Where the screenshots the README shows go: `docs/` when `UPDATE_SCREENSHOTS=1`, else
/// `test-artifacts/`, so that a test run leaves the tree unchanged.
pub fn screenshots_dir() -> PathBuf {
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs"))
    } else {
        artifacts_dir()
    }
}

pub struct Browser {
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
    /// A browser in English.
    pub async fn start() -> Self {
        Self::start_in("en-US,en").await
    }

    /// A browser (in English) showing `url`.
    pub async fn open(url: &str) -> Self {
        let browser = Self::start().await;
        browser.goto(url).await;
        browser
    }

    /// A browser whose languages are `languages` (as in its settings: most preferred first), which
    /// it sends as `Accept-Language`.
    pub async fn start_in(languages: &str) -> Self {
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
            _profile: TempDir(profile),
        }
    }

    pub async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
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

    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Sets a cookie for the origin of the page the browser shows (a Kratos session, as Kratos
    /// would have set it on the shared domain).
    pub async fn add_cookie(&self, name: &str, value: &str) {
        let cookie = json!({ "cookie": { "name": name, "value": value, "path": "/" } });
        self.command(reqwest::Method::POST, "/cookie", Some(cookie))
            .await;
    }

    pub async fn title(&self) -> String {
        let title = self.command(reqwest::Method::GET, "/title", None).await;
        title.as_str().unwrap_or_default().to_string()
    }

    pub async fn url(&self) -> String {
        let url = self.command(reqwest::Method::GET, "/url", None).await;
        url.as_str().unwrap_or_default().to_string()
    }

    /// Waits up to five seconds for the browser to reach a URL that starts with `prefix`; the URL
    /// it is at then.
    pub async fn wait_for_url(&self, prefix: &str) -> String {
        let mut url = String::new();
        for _ in 0..50 {
            url = self.url().await;
            if url.starts_with(prefix) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        url
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn is_selected(&self, css: &str) -> bool {
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

    /// Presses and releases one key on whatever has the focus (WebDriver's key codes: `TAB`,
    /// `ENTER`, or a character such as a space).
    pub async fn press(&self, key: &str) {
        let actions = json!({ "actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{ "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }],
        }]});
        self.command(reqwest::Method::POST, "/actions", Some(actions))
            .await;
    }

    /// Waits up to five seconds for an element matching `css`.
    pub async fn wait_for_selector(&self, css: &str) {
        for _ in 0..50 {
            let found = self
                .execute(
                    "return document.querySelector(arguments[0]) !== null",
                    json!([css]),
                )
                .await;
            if found == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {css} on the page");
    }

    /// What has the focus: `#id`, or `name=value` for a field without an id; and whether it shows
    /// a focus ring.
    async fn focused(&self) -> (String, bool) {
        let seen: Value = self
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

    /// Presses Tab until `target` (as `focused` names it) has the focus, checking that each
    /// control on the way shows it. Returns the controls passed, in order.
    pub async fn tab_to(&self, target: &str) -> Vec<String> {
        let mut passed = Vec::new();
        for _ in 0..20 {
            self.press(TAB).await;
            let (now, ring) = self.focused().await;
            assert!(ring, "{now} has the focus but shows no focus ring");
            passed.push(now.clone());
            if now == target {
                return passed;
            }
        }
        panic!("Tab never reached {target}; it went through {passed:?}");
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    /// WebDriver scripts run outside the page's CSP, which allows no script at all.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Like `execute`, for a script that reports by calling its last argument.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// `prefers-color-scheme` as the pages see it, through Chromium's DevTools protocol (chromedriver
    /// passes it on). It holds for the tab across navigations. Starting Chromium with
    /// `--blink-settings=preferredColorScheme=0` (or `--force-dark-mode`) has the same effect.
    pub async fn set_color_scheme(&self, scheme: &str) {
        self.command(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] }
            })),
        )
        .await;
        let matches = self
            .execute(
                "return matchMedia(`(prefers-color-scheme: ${arguments[0]})`).matches",
                json!([scheme]),
            )
            .await;
        assert_eq!(matches, json!(true), "the {scheme} scheme is in effect");
    }

    /// Saves a screenshot of the window in test-artifacts/; with `UPDATE_SCREENSHOTS=1`, also over
    /// the one of that name in docs/, where a page shows it.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts_dir().join(name);
        self.screenshot_to(&path).await;
        let shown = screenshots_dir().join(name);
        if shown != path && shown.exists() {
            std::fs::copy(&path, &shown).unwrap();
        }
        path
    }

    pub async fn screenshot_to(&self, path: &Path) {
        let data = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(path, png).unwrap();
    }

    pub async fn close(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill().await;
    }
}

pub async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting");
}
