//! The fakes against what the real servers answered to the same calls (Hydra v2.3.0, Kratos
//! v1.3.1): status codes, headers and bodies, errors included.

mod hydra;
mod kratos;
// Shared with the recorder in tests/e2e, which uses other parts of it.
#[allow(dead_code)]
mod recorded;
mod replay;
mod v26_hydra;
mod v26_kratos;

use serde_json::Value;

/// One call straight to a fake: status, `Content-Type` and body.
pub async fn call(method: reqwest::Method, url: &str, body: Option<&str>) -> (u16, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

pub fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

pub const INVALID: &str = "The request is missing a required parameter, includes an invalid parameter \
value, includes a parameter more than once, or is otherwise malformed.";

/// A GET with headers, straight to a fake: status, the headers, and the body.
pub async fn get_with(
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

pub fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

pub fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}
