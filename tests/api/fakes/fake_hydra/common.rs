//! What every endpoint shares: the server's data, call recording, faults, the API key check and
//! reading the challenge; the challenges Hydra mints, and its error and fallback answers.

use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use serde_json::{Map, Value, json};

use super::{HydraVersion, PUBLIC_URL, Recorded, State, wire};

pub(super) struct Shared {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) version: HydraVersion,
}

impl Shared {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hydra before v25.4 refuses unknown fields in the bodies it decodes.
    pub(super) fn strict(&self) -> bool {
        self.version != HydraVersion::Lenient
    }
}

/// Which of a login's or consent's two endpoints was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Accept,
    Reject,
}

impl Answer {
    pub(super) fn of(req: &HttpRequest) -> Self {
        if req.path().ends_with("/accept") {
            Answer::Accept
        } else {
            Answer::Reject
        }
    }
}

/// The bodies the bridge sent to a flow's accept and reject endpoints, in order.
#[derive(Default)]
pub(super) struct Answers {
    pub(super) accepted: Vec<(String, Value)>,
    pub(super) rejected: Vec<(String, Value)>,
}

impl Answers {
    /// Keeps one; returns how many of its kind there are now, which makes each verifier new.
    pub(super) fn record(
        &mut self,
        answer: Answer,
        challenge: &str,
        body: Map<String, Value>,
    ) -> usize {
        let list = match answer {
            Answer::Accept => &mut self.accepted,
            Answer::Reject => &mut self.rejected,
        };
        list.push((challenge.to_string(), Value::Object(body)));
        list.len()
    }
}

/// Hydra's answer to an accept or a reject: its own authorization URL with a new verifier (after a
/// reject, Hydra itself sends the error on to the client).
pub(super) fn back_to(request_url: &str, key: &str, verifier: &str) -> HttpResponse {
    redirect_to(&wire::set_query(request_url, key, verifier))
}

pub(super) fn redirect_to(url: &str) -> HttpResponse {
    wire::ok(200, &json!({ "redirect_to": url }))
}

/// Real challenges: v2.2+ padded base64url of a sealed flow, ~1 kB and more; v2.1 32 hex characters.
pub(super) fn make_challenge(version: HydraVersion, n: u64) -> String {
    if version == HydraVersion::V2_1 {
        return format!("{:032x}", 0xabcdef_u128 * 1_000_003 + u128::from(n));
    }
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let bytes: Vec<u8> = (0..1100)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    // 1100 % 3 == 2: one `=` of padding, as in Hydra's redirects (`%3D`).
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

/// Hydra's error body (see `wire` for the ones Hydra sends).
pub(super) fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    wire::error(status, error, description)
}

/// 404 for an unknown login or consent challenge.
pub(super) fn not_found_body() -> HttpResponse {
    wire::not_found()
}

/// No route matched: a known path with another method is a 405, anything else Hydra's 404 page
/// (v2's HTML page; v25.4+ answer as Go's router does).
pub(super) async fn not_found(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let path = req.path();
    let flow_path = path
        .strip_prefix("/admin/oauth2/auth/requests/")
        .map(|rest| rest.split('/').collect::<Vec<_>>());
    let v2 = data.version != HydraVersion::Lenient;
    match flow_path.as_deref() {
        Some(["login" | "consent" | "logout"]) if v2 => wire::method_not_allowed("GET, OPTIONS"),
        Some(["login" | "consent" | "logout"]) => wire::go_method_not_allowed("GET, HEAD"),
        Some(["login" | "consent" | "logout", "accept" | "reject"]) if v2 => {
            wire::method_not_allowed("OPTIONS, PUT")
        }
        Some(["login" | "consent" | "logout", "accept" | "reject"] | ["device", "accept"]) => {
            wire::go_method_not_allowed("PUT")
        }
        _ if v2 => wire::route_not_found(),
        _ => wire::go_not_found(),
    }
}

/// The URL of the authorization request a login or consent request was made for, as a client with
/// PKCE sends it (Hydra keeps the request's own order); `extra` adds parameters or replaces these.
pub(super) fn auth_request_url(client_id: &str, scopes: &[String], extra: &str) -> String {
    let scope = scopes.join("+");
    let usual = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", "https%3A%2F%2Fapp.test%2Fcallback"),
        ("scope", &scope),
        ("state", "abcdefgh"),
        ("nonce", "n0nce0123456789"),
        (
            "code_challenge",
            "pkce0123456789abcdefghijklmnopqrstuvwxyzABC",
        ),
        ("code_challenge_method", "S256"),
    ];
    let replaced: Vec<String> = url::form_urlencoded::parse(extra.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let mut query: Vec<String> = usual
        .iter()
        .filter(|(k, _)| !replaced.iter().any(|r| r == k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !extra.is_empty() {
        query.push(extra.to_string());
    }
    format!("{PUBLIC_URL}/oauth2/auth?{}", query.join("&"))
}

/// A client as this Hydra shows it: v25.4+ add the device grant's lifespans.
pub(super) fn versioned_client(version: HydraVersion, mut client: Value) -> Value {
    if version == HydraVersion::Lenient {
        for grant in ["access_token", "id_token", "refresh_token"] {
            client[format!("device_authorization_grant_{grant}_lifespan")] = Value::Null;
        }
    }
    client
}

pub(super) async fn health(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    record(&data, &req, None);
    if let Some(r) = apply_fault(&data).await {
        return r;
    }
    // Hydra v2.3.0's health answers carried no Cache-Control (v26.2.0's do; no client cares).
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(json!({ "status": "ok" }).to_string())
}

/// Applies the configured fault, if any, before the real handling.
async fn apply_fault(data: &Shared) -> Option<HttpResponse> {
    let fault = {
        let mut state = data.lock();
        state.calls_seen += 1;
        state
            .fault
            .clone()
            .or_else(|| super::super::periodic_fault(state.fault_every, state.calls_seen))
    };
    super::super::fault_response(fault).await
}

/// The fault set for this call's path, else the one for every call.
async fn apply_faults(data: &Shared, req: &HttpRequest) -> Option<HttpResponse> {
    let path_fault = data
        .lock()
        .path_faults
        .iter()
        .find(|(prefix, _)| super::super::path_matches(prefix, req.path()))
        .map(|(_, f)| f.clone());
    if let Some(r) = super::super::fault_response(path_fault).await {
        return Some(r);
    }
    apply_fault(data).await
}

/// What answers a recorded admin call before its handler does: a fault set for it, else the
/// refusal of a wrong API key.
pub(super) async fn interrupt(data: &Shared, req: &HttpRequest) -> Option<HttpResponse> {
    if let Some(r) = apply_faults(data, req).await {
        return Some(r);
    }
    check_auth(data, req)
}

pub(super) fn record(data: &Shared, req: &HttpRequest, challenge: Option<String>) {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let traceparent = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    data.lock().calls.push(Recorded {
        method: req.method().to_string(),
        path: req.path().to_string(),
        challenge,
        authorization,
        traceparent,
    });
}

/// `login_challenge`, or its alias `challenge`, as Hydra reads it.
fn challenge_param(req: &HttpRequest, flow: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let named = format!("{flow}_challenge");
    pairs
        .iter()
        .find(|(k, _)| *k == named)
        .or_else(|| pairs.iter().find(|(k, _)| k == "challenge"))
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// What every admin flow endpoint does first: record the call, apply the fault, check the API key and
/// read the challenge. Login and consent answer a missing challenge with 400; logout has no such
/// check in Hydra: no row matches the empty challenge, a 404.
pub(super) async fn begin(
    req: &HttpRequest,
    data: &Shared,
    flow: &str,
) -> Result<String, HttpResponse> {
    let challenge = challenge_param(req, flow);
    record(data, req, challenge.clone());
    if let Some(r) = interrupt(data, req).await {
        return Err(r);
    }
    challenge.ok_or_else(|| match flow {
        "logout" if req.path().ends_with("/reject") => wire::not_found(),
        "logout" => wire::no_rows(),
        _ => wire::invalid_request(
            "Query parameter 'challenge' is not defined but should have been.",
        ),
    })
}

fn check_auth(data: &Shared, req: &HttpRequest) -> Option<HttpResponse> {
    let required = data.lock().required_bearer.clone()?;
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if given == Some(format!("Bearer {required}").as_str()) {
        None
    } else {
        Some(wire::error(
            401,
            "Unauthorized",
            "Access credentials are invalid",
        ))
    }
}
