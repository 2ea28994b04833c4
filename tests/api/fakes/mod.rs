//! The fake Hydra and Kratos, raw socket servers, and the checks of the fakes against real answers.
//!
//! `fake_hydra` and `fake_kratos` answer as the real servers do; `collector` takes the traces the
//! binary exports over OTLP/HTTP; `raw`, `closing` and `scripted` are servers on a raw socket for
//! what no HTTP framework sends. The checks hold the fakes against what the real servers answered
//! to the same calls: status codes, headers, bodies, errors included.
//!
//! - `v26_hydra`, `v26_kratos`: every call the bridge makes (and every self-service URL it sends
//!   browsers to), as recorded from Hydra and Kratos v26.2.0 into `tests/fixtures/ory/v26.2.0/`.
//!   Each recording is replayed against the fake, put in the state the real server was in; the
//!   status, `Content-Type`, `Location`/`Allow`, the cookies set, the keys and types of the JSON
//!   and its values (error ids and messages) must be the same. A recording no check replays fails
//!   them too.
//! - `v2_hydra`, `v1_kratos`: what Hydra v2.3.0 (`HydraVersion::Strict`) and Kratos v1.3.1 answered,
//!   written down by hand; the fake Kratos follows v26.2.0 where the two differ.
//!
//! ## Recording again
//!
//! With the servers built (`scripts/install-ory.sh`), `cargo test --test e2e -- --ignored record`
//! starts them (`tests/e2e/record/`), drives real flows, and writes the folder anew, one file per
//! call. What changes from run to run is written as a placeholder: the servers' addresses
//! (`{hydra_admin}`, `{kratos_public}`, `{ui}`...), the values the flows made (`{login_challenge}`,
//! `{identity_id}`, `{session_cookie}`...), and any other `{uuid}`, `{time}`, `{token}` (a
//! generated secret; it matches anything in a comparison). Two runs write the same files, so
//! `git diff` shows what a release changed. Then `cargo test --test api -- fakes` lists every answer
//! the fakes give otherwise: fix the fake, not the recording. A new recording needs its line in
//! `v26_hydra` or `v26_kratos`; for another release, the recorder writes into the folder of the
//! release `tests/e2e/ory.rs` calls current, and `replay::VERSION` names the folder read.

pub mod closing;
pub mod collector;
pub mod fake_hydra;
pub mod fake_kratos;
pub mod raw;
pub mod scripted;

// Shared with the recorder in tests/e2e, which uses other parts of it.
#[allow(dead_code)]
mod recorded;
mod replay;
mod v1_kratos;
mod v26_hydra;
mod v26_kratos;
mod v2_hydra;

use std::time::Duration;

use actix_web::HttpResponse;
use serde_json::Value;

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

/// An upstream answering badly in every way a fake can, each with the status of the page a browser
/// gets then: a gateway error, or a timeout.
pub const UPSTREAM_FAULTS: [(Fault, u16); 7] = [
    (Fault::Status(500), 502),
    (Fault::Status(503), 502),
    (Fault::MalformedJson, 502),
    (Fault::WrongShape, 502),
    (Fault::HugeBody, 502),
    (Fault::Redirect, 502),
    (Fault::Hang, 504),
];

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
