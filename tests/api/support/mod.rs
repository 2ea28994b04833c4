//! The test bed: the real bridge on a loopback port, in front of fake Hydra and Kratos servers.

pub mod binary;
pub mod browser;
pub mod closing;
pub mod collector;
pub mod device_form;
pub mod fake_hydra;
pub mod fake_kratos;
pub mod raw;
pub mod scripted;

use std::time::Duration;

use actix_web::HttpResponse;
use kratos_hydra_bridge::config::Settings;
use kratos_hydra_bridge::startup::Application;

pub use fake_hydra::{
    ConsentSpec, DeviceSpec, FakeHydra, GrantSpec, HydraVersion, LoginSpec, LogoutSpec,
};
pub use fake_kratos::{FakeKratos, IdentitySpec};

/// What a fake does instead of answering properly.
#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16),
    /// Never answers within any configured timeout.
    Hang,
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// 200 with valid JSON of the wrong shape.
    WrongShape,
    /// 200 with a body far over the bridge's cap.
    HugeBody,
    /// A redirect, which the bridge must not follow.
    Redirect,
    /// Answers properly, but only after this long.
    Delay(Duration),
}

/// `/a/b` matches only `/a/b`; `/a/` matches everything below `/a/`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    path == pattern || (pattern.ends_with('/') && path.starts_with(pattern))
}

/// Every `every`-th call (counting from 1) fails, in turn with a 503, a malformed body and a hang;
/// 0 = never.
pub fn periodic_fault(every: usize, seen: usize) -> Option<Fault> {
    if every == 0 || !seen.is_multiple_of(every) {
        return None;
    }
    Some(match (seen / every) % 3 {
        0 => Fault::Status(503),
        1 => Fault::MalformedJson,
        _ => Fault::Hang,
    })
}

pub async fn fault_response(fault: Option<Fault>) -> Option<HttpResponse> {
    Some(match fault? {
        Fault::Status(s) => HttpResponse::build(actix_web::http::StatusCode::from_u16(s).unwrap())
            .content_type("text/html")
            .body("<h1>upstream exploded</h1> secret-upstream-body"),
        Fault::Hang => {
            tokio::time::sleep(fake_hydra::HANG).await;
            HttpResponse::Ok().json(serde_json::json!({}))
        }
        Fault::MalformedJson => HttpResponse::Ok()
            .content_type("application/json")
            .body("{\"challenge\": \"abc\", \"skip"),
        Fault::WrongShape => HttpResponse::Ok().json(serde_json::json!({ "unexpected": true })),
        Fault::HugeBody => HttpResponse::Ok()
            .content_type("application/json")
            .body(format!("{{\"x\":\"{}\"}}", "a".repeat(3 * 1024 * 1024))),
        Fault::Redirect => HttpResponse::Found()
            .insert_header(("Location", "http://127.0.0.1:9/elsewhere"))
            .finish(),
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            return None;
        }
    })
}

pub const IDENTITY_ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";
pub const EXTERNAL_ID: &str = "CUST-000123";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub hydra: FakeHydra,
    pub kratos: FakeKratos,
    /// A client that never follows redirects, so each hop can be checked.
    pub client: reqwest::Client,
    /// The separate metrics listener's port, when `metrics.address` is set.
    pub metrics_port: Option<u16>,
}

/// A temporary config file, removed when the returned path is dropped.
pub fn write_config(contents: &str) -> tempfile::TempPath {
    let mut file = tempfile::Builder::new()
        .prefix("khb-test-")
        .suffix(".yaml")
        .tempfile()
        .expect("create config");
    std::io::Write::write_all(&mut file, contents.as_bytes()).expect("write config");
    file.into_temp_path()
}

/// The bridge's config for a Hydra admin URL and a fake Kratos (its public and admin ports).
pub fn base_config(hydra: &str, kratos: &FakeKratos, base_url: &str) -> String {
    let (public, admin) = (&kratos.url, &kratos.admin_url);
    format!(
        "serve:\n  host: 127.0.0.1\n  port: 0\n  base_url: {base_url}\n  workers: 2\n\
         hydra:\n  admin_url: {hydra}\n\
         kratos:\n  public_url: {public}\n  admin_url: {admin}\n  browser_url: {public}\n\
         secrets:\n  signing_keys: [\"test-signing-key-0123456789abcdef0123456789\"]\n\
         upstream:\n  connect_timeout_ms: 500\n  request_timeout_ms: 1500\n"
    )
}

/// The fakes as the releases users run answer (Hydra v25.4+, as recorded from v26.2.0).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(HydraVersion::Lenient, &[]).await
}

/// Starts the fakes and the bridge; `env` are `BRIDGE__*` overrides applied over the base config.
pub async fn spawn_app_with(version: HydraVersion, env: &[(&str, &str)]) -> TestApp {
    spawn_app_full(version, env, "").await
}

/// Like `spawn_app_with`, with YAML appended to the base config (sections it does not already have).
pub async fn spawn_app_full(
    version: HydraVersion,
    env: &[(&str, &str)],
    extra_yaml: &str,
) -> TestApp {
    let hydra = FakeHydra::start(version).await;
    let kratos = FakeKratos::start().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind app");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    kratos.allow_return_url(&format!("{address}/"));
    // Logout returns to Hydra's public logout endpoint (the fake serves it itself).
    kratos.allow_return_url(&format!("{}/oauth2/sessions/logout", hydra.url));
    let config_path = write_config(&format!(
        "{}{extra_yaml}",
        base_config(&hydra.url, &kratos, &address)
    ));
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    let settings = Settings::load(&config_path, env).expect("test config loads");
    let app = Application::from_listener(settings, listener).expect("app builds");
    let metrics_port = app.metrics_port();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    TestApp {
        address,
        port,
        hydra,
        kratos,
        client,
        metrics_port,
    }
}

/// A URL on which nothing listens: connection refused.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A page with a form, as a browser holds it: the status, the CSRF cookie (`name=value`, when set),
/// the form's token (when there is a form) and the HTML.
pub struct FormPage {
    pub status: u16,
    pub cookie: String,
    pub csrf_token: String,
    pub html: String,
}

impl TestApp {
    /// GETs a page that may carry a form.
    pub async fn open_form(&self, path_and_query: &str, cookie: Option<&str>) -> FormPage {
        let response = self.get(path_and_query, cookie).await;
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_string();
        let html = response.text().await.unwrap();
        let csrf_token = form_field(&html, "csrf_token").unwrap_or_default();
        FormPage {
            status,
            cookie,
            csrf_token,
            html,
        }
    }

    /// Posts an urlencoded `body` as the browser would from the bridge's own page: its origin and
    /// the form's cookie. `path_and_query` may carry a query of its own.
    pub async fn post_form(
        &self,
        path_and_query: &str,
        cookie: &str,
        body: String,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path_and_query))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .header("origin", &self.address)
            .body(body)
            .send()
            .await
            .expect("every browser is answered")
    }

    pub async fn get(&self, path_and_query: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{}", self.address, path_and_query));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("request to the bridge")
    }

    /// `GET /login?login_challenge=C` with the given Kratos session cookie value.
    pub async fn login(&self, challenge: &str, session: Option<&str>) -> reqwest::Response {
        let cookie = session.map(|s| format!("{}={s}", fake_kratos::COOKIE_NAME));
        self.get(
            &format!("/login?login_challenge={}", encode(challenge)),
            cookie.as_deref(),
        )
        .await
    }

    /// Follows an absolute URL the bridge redirected to (the fake Kratos or the bridge itself).
    pub async fn follow(&self, url: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.expect("follow redirect")
    }
}

pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_string()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The named cookie among all a response sets, as `name=value` (Kratos also sets its CSRF cookie).
pub fn set_cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .filter_map(|h| h.split(';').next())
        .find(|pair| pair.split_once('=').is_some_and(|(n, _)| n == name))
        .map(str::to_owned)
}

/// The value of a hidden form field in a page.
pub fn form_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Decodes the few HTML entities the templates produce in attribute values.
pub fn unescape(s: &str) -> String {
    s.replace("&#61;", "=")
        .replace("&#x3d;", "=")
        .replace("&#43;", "+")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
