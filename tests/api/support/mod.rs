//! The test bed: the real bridge on a loopback port, in front of a fake Hydra and a fake Kratos
//! of its own. `use crate::support::*;` brings all a test needs:
//!
//! - `TestApp::builder()`, or `TestApp::against(version)` for another Hydra release, with what the
//!   test changes (`BRIDGE__…` overrides, YAML), then `.spawn()`; `TestApp::spawn()` for the
//!   defaults (`app.rs`);
//! - the fakes' state, set and read through `app.hydra` and `app.kratos` (`crate::fakes`);
//! - what a browser does, as helpers on `TestApp` (`app.login`, `app.consent`, `app.via_kratos`,
//!   `app.open_form`, …, in `requests.rs`), and the checks every page passes (`checks.rs`);
//! - the binary as a child process (`binary.rs`), Chromium through WebDriver (`browser.rs`) and
//!   the accessibility audit in it (`axe.rs`).

mod app;
pub mod axe;
pub mod binary;
pub mod browser;
mod checks;
mod requests;

pub use crate::fakes::{Fault, UPSTREAM_FAULTS, fake_hydra, fake_kratos};

pub use app::{TestApp, TestAppBuilder};
pub use checks::{assert_page, assert_page_headers, header_value};
pub use fake_hydra::{
    ConsentSpec, DeviceSpec, FakeHydra, GrantSpec, HydraVersion, LoginSpec, LogoutSpec,
};
pub use fake_kratos::{FakeKratos, IdentitySpec};
pub use requests::{FormPage, form_body};

/// The person the tests sign in, and the `external_id` their identity has when a test gives it one.
pub const IDENTITY_ID: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";
pub const EXTERNAL_ID: &str = "CUST-000123";
/// Someone else.
pub const OTHER_IDENTITY: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

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

/// A URL on which nothing listens: connection refused.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// `name=token` for the Kratos session cookie, under its default name.
pub fn session_cookie(token: &str) -> String {
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

/// The bridge's pages for the challenges Hydra sends browsers with; a test appends more query.
pub fn login_path(challenge: &str) -> String {
    format!("/login?login_challenge={}", encode(challenge))
}

pub fn registration_path(challenge: &str) -> String {
    format!("/registration?login_challenge={}", encode(challenge))
}

pub fn consent_path(challenge: &str) -> String {
    format!("/consent?consent_challenge={}", encode(challenge))
}

pub fn logout_path(challenge: &str) -> String {
    format!("/logout?logout_challenge={}", encode(challenge))
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
