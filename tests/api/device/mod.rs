//! Device sign-in (RFC 8628, `/device`): the code form, Hydra's answers, the service's limit on
//! wrong codes, the success page, the log.
//!
//! The helpers here drive the code form as a browser does.

mod form;
mod hydra;
mod limit;
mod logs;
mod success;

use crate::support::{TestApp, encode};

pub fn device_path(challenge: &str) -> String {
    format!("/device?device_challenge={}", encode(challenge))
}

pub fn code_form(challenge: &str, token: &str, code: &str) -> String {
    format!(
        "device_challenge={}&csrf_token={}&user_code={}",
        encode(challenge),
        encode(token),
        encode(code)
    )
}

/// The `khb_device` cookie an answer sets, as `name=value` (empty value when it clears it).
pub fn attempts_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("khb_device="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

pub fn accept_calls(app: &TestApp) -> usize {
    app.hydra
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/device/accept"))
        .count()
}

/// Posts `code` from a freshly opened form, carrying `extra_cookie` (the attempts cookie) too.
pub async fn post_code(
    app: &TestApp,
    challenge: &str,
    code: &str,
    extra_cookie: Option<&str>,
) -> reqwest::Response {
    let page = app.open_form(&device_path(challenge), None).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let cookie = match extra_cookie {
        Some(extra) => format!("{}; {extra}", page.cookie),
        None => page.cookie.clone(),
    };
    app.post_form(
        "/device",
        &cookie,
        code_form(challenge, &page.csrf_token, code),
    )
    .await
}

/// The form again, saying the code did not work: its HTML.
pub async fn assert_wrong_code(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("That code did not work"), "{html}");
    html
}
