//! A fake Hydra admin API that answers as the real one does: the paths, methods, status codes and
//! JSON shapes of `/admin/oauth2/auth/requests/*`, including strict body decoding (v2.2/v2.3).

mod device;

pub use device::{DeviceSpec, HIGH_ALPHABET};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::{Value, json};

use super::Fault;

/// Which Hydra release the fake behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HydraVersion {
    /// v2.2/v2.3: unknown JSON fields in accept/reject bodies are refused with 400.
    Strict,
    /// v25.4+: unknown fields are ignored.
    Lenient,
    /// v2.1: 32-hex challenges, and a skip accept with another subject is a 400.
    V2_1,
}

/// Fields accepted by `acceptOAuth2LoginRequest` in every version.
const LOGIN_ACCEPT_FIELDS: &[&str] = &[
    "subject",
    "remember",
    "remember_for",
    "extend_session_lifespan",
    "acr",
    "amr",
    "context",
    "force_subject_identifier",
    "identity_provider_session_id",
];
/// Fields accepted by `acceptOAuth2ConsentRequest` in v2.2/v2.3 (`handled_at` was dropped in v25.4).
const CONSENT_ACCEPT_FIELDS: &[&str] = &[
    "grant_scope",
    "grant_access_token_audience",
    "remember",
    "remember_for",
    "session",
    "context",
    "handled_at",
];
const REJECT_FIELDS: &[&str] = &[
    "error",
    "error_description",
    "error_hint",
    "error_debug",
    "status_code",
];

#[derive(Debug, Clone)]
pub struct LoginSpec {
    pub skip: bool,
    pub subject: String,
    pub client_id: String,
    pub client_name: String,
    pub skip_consent: bool,
    /// Query of the original `/oauth2/auth` request, e.g. `prompt=login&max_age=60`.
    pub auth_query: String,
    pub requested_scope: Vec<String>,
    pub acr_values: Vec<String>,
    /// Send `oidc_context: null` (device flow) instead of an object.
    pub null_oidc_context: bool,
}

impl Default for LoginSpec {
    fn default() -> Self {
        Self {
            skip: false,
            subject: String::new(),
            client_id: "demo-client".into(),
            client_name: "Demo App".into(),
            skip_consent: false,
            auth_query: String::new(),
            requested_scope: vec!["openid".into(), "profile".into()],
            acr_values: vec![],
            null_oidc_context: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConsentSpec {
    pub skip: bool,
    pub subject: String,
    pub client_id: String,
    pub client_name: String,
    pub logo_uri: String,
    pub skip_consent: bool,
    pub requested_scope: Vec<String>,
    pub audience: Vec<String>,
    /// The `context` field: `None` leaves it out, as Hydra does when the login set none.
    pub context: Option<Value>,
}

impl Default for ConsentSpec {
    fn default() -> Self {
        Self {
            skip: false,
            subject: String::new(),
            client_id: "demo-client".into(),
            client_name: "Demo App".into(),
            logo_uri: String::new(),
            skip_consent: false,
            requested_scope: vec!["openid".into(), "profile".into(), "email".into()],
            audience: vec!["https://api.test".into()],
            context: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LogoutSpec {
    pub subject: String,
    pub rp_initiated: bool,
    /// `None`: an OP-initiated logout, for which Hydra sends `client: null`.
    pub client: Option<(String, String, bool)>,
    /// Hydra's unreleased stateless challenge instead of the released UUID.
    pub aead_challenge: bool,
}

#[derive(Debug, Clone)]
struct LogoutFlow {
    spec: LogoutSpec,
    state: FlowState,
}

#[derive(Debug, Clone)]
struct ConsentFlow {
    spec: ConsentSpec,
    state: FlowState,
}

#[derive(Debug, Clone)]
enum FlowState {
    Pending,
    Expired,
    Handled,
}

#[derive(Debug, Clone)]
struct LoginFlow {
    spec: LoginSpec,
    state: FlowState,
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The challenge as Hydra decoded it from the query.
    pub challenge: Option<String>,
    pub authorization: Option<String>,
    pub body: Option<Value>,
}

#[derive(Default)]
struct State {
    logins: HashMap<String, LoginFlow>,
    consents: HashMap<String, ConsentFlow>,
    logouts: HashMap<String, LogoutFlow>,
    accepted_logouts: Vec<String>,
    rejected_logouts: Vec<String>,
    public_url: String,
    accepted_consents: Vec<(String, Value)>,
    rejected_consents: Vec<(String, Value)>,
    calls: Vec<Recorded>,
    accepted_logins: Vec<(String, Value)>,
    rejected_logins: Vec<(String, Value)>,
    fault: Option<Fault>,
    fault_every: usize,
    calls_seen: usize,
    /// Faults for calls whose path starts with a prefix.
    path_faults: Vec<(String, Fault)>,
    /// Answer accepts with a `redirect_to` no browser should be sent to.
    hostile_redirect: Option<String>,
    required_bearer: Option<String>,
    counter: u64,
    device: device::Devices,
}

pub struct FakeHydra {
    pub url: String,
    pub version: HydraVersion,
    state: Arc<Mutex<State>>,
}

pub const PUBLIC_URL: &str = "https://hydra.test";

impl FakeHydra {
    pub async fn start(version: HydraVersion) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new(Shared {
            state: state.clone(),
            version,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake hydra");
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .route("/health/alive", web::get().to(health))
                .route("/health/ready", web::get().to(health))
                .route(
                    "/admin/oauth2/auth/requests/login",
                    web::get().to(get_login),
                )
                .route(
                    "/admin/oauth2/auth/requests/login/accept",
                    web::put().to(accept_login),
                )
                .route(
                    "/admin/oauth2/auth/requests/login/reject",
                    web::put().to(reject_login),
                )
                .route(
                    "/admin/oauth2/auth/requests/consent",
                    web::get().to(get_consent),
                )
                .route(
                    "/admin/oauth2/auth/requests/consent/accept",
                    web::put().to(accept_consent),
                )
                .route(
                    "/admin/oauth2/auth/requests/consent/reject",
                    web::put().to(reject_consent),
                )
                .route(
                    "/admin/oauth2/auth/requests/logout",
                    web::get().to(get_logout),
                )
                .route(
                    "/admin/oauth2/auth/requests/logout/accept",
                    web::put().to(accept_logout),
                )
                .route(
                    "/admin/oauth2/auth/requests/logout/reject",
                    web::put().to(reject_logout),
                )
                .route("/oauth2/sessions/logout", web::get().to(public_logout))
                .configure(device::routes)
                .default_service(web::to(not_found))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen fake hydra")
        .run();
        tokio::spawn(server);
        let url = format!("http://127.0.0.1:{port}");
        state.lock().unwrap().public_url = url.clone();
        Self {
            url,
            version,
            state,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a login request and returns its challenge, shaped like the real ones.
    pub fn add_login(&self, spec: LoginSpec) -> String {
        let mut state = self.lock();
        state.counter += 1;
        let challenge = make_challenge(self.version, state.counter);
        state.logins.insert(
            challenge.clone(),
            LoginFlow {
                spec,
                state: FlowState::Pending,
            },
        );
        challenge
    }

    /// Registers a consent request and returns its challenge.
    pub fn add_consent(&self, spec: ConsentSpec) -> String {
        let mut state = self.lock();
        state.counter += 1;
        let challenge = make_challenge(self.version, state.counter + 1_000_000);
        state.consents.insert(
            challenge.clone(),
            ConsentFlow {
                spec,
                state: FlowState::Pending,
            },
        );
        challenge
    }

    /// Registers a logout request; released Hydra uses UUID challenges.
    pub fn add_logout(&self, spec: LogoutSpec) -> String {
        let mut state = self.lock();
        state.counter += 1;
        let challenge = if spec.aead_challenge {
            make_challenge(HydraVersion::Strict, state.counter + 2_000_000)
        } else {
            format!("3f2504e0-4f89-41d3-9a0c-{:012x}", state.counter)
        };
        state.logouts.insert(
            challenge.clone(),
            LogoutFlow {
                spec,
                state: FlowState::Pending,
            },
        );
        challenge
    }

    /// Only the stateless challenges of newer Hydra expire (401); released Hydra's do not.
    pub fn expire_logout(&self, challenge: &str) {
        if let Some(flow) = self.lock().logouts.get_mut(challenge) {
            assert!(
                flow.spec.aead_challenge,
                "released Hydra's logout requests do not expire"
            );
            flow.state = FlowState::Expired;
        }
    }

    pub fn accepted_logouts(&self) -> Vec<String> {
        self.lock().accepted_logouts.clone()
    }

    pub fn rejected_logouts(&self) -> Vec<String> {
        self.lock().rejected_logouts.clone()
    }

    pub fn expire_consent(&self, challenge: &str) {
        if let Some(flow) = self.lock().consents.get_mut(challenge) {
            flow.state = FlowState::Expired;
        }
    }

    pub fn handle_consent(&self, challenge: &str) {
        if let Some(flow) = self.lock().consents.get_mut(challenge) {
            flow.state = FlowState::Handled;
        }
    }

    pub fn accepted_consents(&self) -> Vec<(String, Value)> {
        self.lock().accepted_consents.clone()
    }

    pub fn rejected_consents(&self) -> Vec<(String, Value)> {
        self.lock().rejected_consents.clone()
    }

    pub fn expire_login(&self, challenge: &str) {
        if let Some(flow) = self.lock().logins.get_mut(challenge) {
            flow.state = FlowState::Expired;
        }
    }

    pub fn handle_login(&self, challenge: &str) {
        if let Some(flow) = self.lock().logins.get_mut(challenge) {
            flow.state = FlowState::Handled;
        }
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.lock().fault = fault;
    }

    /// A fault for the calls to `path` only (a trailing `/` matches everything below it); `None`
    /// clears them all.
    pub fn fault_on(&self, prefix: &str, fault: Option<Fault>) {
        let mut state = self.lock();
        match fault {
            Some(f) => state.path_faults.push((prefix.into(), f)),
            None => state.path_faults.clear(),
        }
    }

    /// Makes every accept answer with this `redirect_to`.
    pub fn answer_accepts_with(&self, redirect_to: Option<&str>) {
        self.lock().hostile_redirect = redirect_to.map(str::to_owned);
    }

    /// Every n-th call fails (503 or a malformed body); 0 turns it off.
    pub fn fail_every(&self, n: usize) {
        self.lock().fault_every = n;
    }

    pub fn require_bearer(&self, token: &str) {
        self.lock().required_bearer = Some(token.into());
    }

    pub fn calls(&self) -> Vec<Recorded> {
        self.lock().calls.clone()
    }

    pub fn accepted_logins(&self) -> Vec<(String, Value)> {
        self.lock().accepted_logins.clone()
    }

    pub fn rejected_logins(&self) -> Vec<(String, Value)> {
        self.lock().rejected_logins.clone()
    }
}

struct Shared {
    state: Arc<Mutex<State>>,
    version: HydraVersion,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Real challenges: v2.2+ padded base64url of a sealed flow, ~1 kB and more; v2.1 32 hex characters.
fn make_challenge(version: HydraVersion, n: u64) -> String {
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

fn request_url(spec: &LoginSpec) -> String {
    let mut url = format!(
        "{PUBLIC_URL}/oauth2/auth?client_id={}&response_type=code&scope={}&state=abcdefgh",
        spec.client_id,
        spec.requested_scope.join("+")
    );
    if !spec.auth_query.is_empty() {
        url.push('&');
        url.push_str(&spec.auth_query);
    }
    url
}

fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({ "error": error, "error_description": description }))
}

fn not_found_body() -> HttpResponse {
    error(404, "Not Found", "Unable to locate the requested resource")
}

async fn not_found() -> HttpResponse {
    not_found_body()
}

async fn health(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    record(&data, &req, None, None);
    if let Some(r) = apply_fault(&data).await {
        return r;
    }
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Applies the configured fault, if any, before the real handling.
async fn apply_fault(data: &Shared) -> Option<HttpResponse> {
    let fault = {
        let mut state = data.lock();
        state.calls_seen += 1;
        state
            .fault
            .clone()
            .or_else(|| super::periodic_fault(state.fault_every, state.calls_seen))
    };
    super::fault_response(fault).await
}

fn record(data: &Shared, req: &HttpRequest, challenge: Option<String>, body: Option<Value>) {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    data.lock().calls.push(Recorded {
        method: req.method().to_string(),
        path: req.path().to_string(),
        challenge,
        authorization,
        body,
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
/// check in Hydra and answers 404.
async fn begin(
    req: &HttpRequest,
    data: &Shared,
    flow: &str,
    body: Option<&[u8]>,
) -> Result<String, HttpResponse> {
    let challenge = challenge_param(req, flow);
    let parsed = body.and_then(|b| serde_json::from_slice(b).ok());
    record(data, req, challenge.clone(), parsed);
    let path_fault = data
        .lock()
        .path_faults
        .iter()
        .find(|(prefix, _)| super::path_matches(prefix, req.path()))
        .map(|(_, f)| f.clone());
    if let Some(r) = super::fault_response(path_fault).await {
        return Err(r);
    }
    if let Some(r) = apply_fault(data).await {
        return Err(r);
    }
    if let Some(r) = check_auth(data, req) {
        return Err(r);
    }
    challenge.ok_or_else(|| {
        if flow == "logout" {
            not_found_body()
        } else {
            error(
                400,
                "invalid_request",
                "The request is missing a required parameter, includes an invalid parameter value, \
                 includes a parameter more than once, or is otherwise malformed. Query parameter \
                 'challenge' is not defined but should have been.",
            )
        }
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
        Some(error(401, "Unauthorized", "Access credentials are invalid"))
    }
}

async fn get_login(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "login", None).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let Some(flow) = data.lock().logins.get(&challenge).cloned() else {
        return not_found_body();
    };
    let spec = &flow.spec;
    match flow.state {
        FlowState::Expired => error(
            401,
            "request_unauthorized",
            "The request could not be authorized. The login request has expired, please try again.",
        ),
        FlowState::Handled => {
            HttpResponse::Gone().json(json!({ "redirect_to": request_url(spec) }))
        }
        FlowState::Pending => {
            let oidc_context = if spec.null_oidc_context {
                Value::Null
            } else {
                json!({ "acr_values": spec.acr_values, "ui_locales": [], "id_token_hint_claims": {} })
            };
            HttpResponse::Ok().json(json!({
                "challenge": challenge,
                "skip": spec.skip,
                "subject": spec.subject,
                "client": {
                    "client_id": spec.client_id,
                    "client_name": spec.client_name,
                    "logo_uri": "",
                    "redirect_uris": ["https://app.test/callback"],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "scope": "openid profile email offline_access",
                    "skip_consent": spec.skip_consent,
                    "skip_logout_consent": null,
                    "token_endpoint_auth_method": "client_secret_basic",
                    "created_at": "2026-11-01T10:00:00Z",
                    "metadata": {}
                },
                "request_url": request_url(spec),
                "requested_scope": spec.requested_scope,
                "requested_access_token_audience": [],
                "oidc_context": oidc_context,
                "session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b"
            }))
        }
    }
}

/// Decodes a JSON body the way the emulated version does: always 400 on an empty or malformed body or
/// a wrong type; 400 on unknown fields in the strict versions.
fn decode_body(
    version: HydraVersion,
    body: &[u8],
    allowed: &[&str],
) -> Result<serde_json::Map<String, Value>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("Unable to decode body because: {e}"))?;
    let Value::Object(map) = value else {
        return Err("Unable to decode body because: json: cannot unmarshal into Go value".into());
    };
    if version != HydraVersion::Lenient
        && let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str()))
    {
        return Err(format!(
            "Unable to decode body because: json: unknown field \"{unknown}\""
        ));
    }
    Ok(map)
}

fn check_types(map: &serde_json::Map<String, Value>) -> Result<(), String> {
    for (key, value) in map {
        let ok = match key.as_str() {
            "subject"
            | "acr"
            | "force_subject_identifier"
            | "identity_provider_session_id"
            | "error"
            | "error_description"
            | "error_hint"
            | "error_debug" => value.is_string(),
            "remember" | "extend_session_lifespan" => value.is_boolean(),
            "remember_for" | "status_code" => value.is_i64() || value.is_u64(),
            "amr" => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            _ => true,
        };
        if !ok {
            return Err(format!(
                "Unable to decode body because: json: cannot unmarshal field \"{key}\""
            ));
        }
    }
    Ok(())
}

async fn accept_login(req: HttpRequest, body: web::Bytes, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "login", Some(&body)).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let map = match decode_body(data.version, &body, LOGIN_ACCEPT_FIELDS)
        .and_then(|m| check_types(&m).map(|_| m))
    {
        Ok(map) => map,
        Err(e) => return error(400, "invalid_request", &e),
    };
    let Some(flow) = data.lock().logins.get(&challenge).cloned() else {
        return not_found_body();
    };
    if let FlowState::Expired = flow.state {
        return error(
            401,
            "request_unauthorized",
            "The login request has expired, please try again.",
        );
    }
    let subject = map
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if subject.is_empty() {
        return error(400, "invalid_request", "Field 'subject' must not be empty.");
    }
    let spec = &flow.spec;
    if spec.skip && subject != spec.subject {
        if data.version == HydraVersion::V2_1 {
            return error(
                400,
                "invalid_request",
                "Field 'subject' does not match subject from previous authentication.",
            );
        }
        // v2.2+: not an error; the flow restarts with a forced login and no verifier.
        data.lock()
            .accepted_logins
            .push((challenge.clone(), Value::Object(map)));
        return HttpResponse::Ok()
            .json(json!({ "redirect_to": format!("{}&prompt=login", request_url(spec)) }));
    }
    data.lock()
        .accepted_logins
        .push((challenge.clone(), Value::Object(map)));
    if let Some(hostile) = data.lock().hostile_redirect.clone() {
        return HttpResponse::Ok().json(json!({ "redirect_to": hostile }));
    }
    let verifier: String = challenge.chars().rev().take(32).collect();
    HttpResponse::Ok().json(json!({
        "redirect_to": format!("{}&login_verifier={}", request_url(spec), verifier.replace(['=', '-', '_'], "x"))
    }))
}

async fn reject_login(req: HttpRequest, body: web::Bytes, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "login", Some(&body)).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let map = match decode_body(data.version, &body, REJECT_FIELDS)
        .and_then(|m| check_types(&m).map(|_| m))
    {
        Ok(map) => map,
        Err(e) => return error(400, "invalid_request", &e),
    };
    let Some(flow) = data.lock().logins.get(&challenge).cloned() else {
        return not_found_body();
    };
    if let FlowState::Expired = flow.state {
        return error(
            401,
            "request_unauthorized",
            "The login request has expired, please try again.",
        );
    }
    data.lock()
        .rejected_logins
        .push((challenge, Value::Object(map.clone())));
    let err = map
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("login request denied");
    HttpResponse::Ok().json(json!({
        "redirect_to": format!("https://app.test/callback?error={err}&state=abcdefgh&client={}", flow.spec.client_id)
    }))
}

/// How long a hanging fake waits: far beyond any timeout the tests configure.
pub const HANG: Duration = Duration::from_secs(30);

fn consent_request_url(spec: &ConsentSpec) -> String {
    format!(
        "{PUBLIC_URL}/oauth2/auth?client_id={}&response_type=code&scope={}&state=abcdefgh",
        spec.client_id,
        spec.requested_scope.join("+")
    )
}

async fn get_consent(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "consent", None).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let Some(flow) = data.lock().consents.get(&challenge).cloned() else {
        return not_found_body();
    };
    let spec = &flow.spec;
    match flow.state {
        FlowState::Expired => error(
            401,
            "request_unauthorized",
            "The request could not be authorized. The consent request has expired, please try again.",
        ),
        FlowState::Handled => {
            HttpResponse::Gone().json(json!({ "redirect_to": consent_request_url(spec) }))
        }
        FlowState::Pending => {
            let mut body = json!({
                "challenge": challenge,
                "consent_request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "skip": spec.skip,
                "subject": spec.subject,
                "client": {
                    "client_id": spec.client_id,
                    "client_name": spec.client_name,
                    "logo_uri": spec.logo_uri,
                    "redirect_uris": ["https://app.test/callback"],
                    "scope": "openid profile email phone address offline_access customer",
                    "skip_consent": spec.skip_consent,
                    "skip_logout_consent": null,
                    "metadata": {}
                },
                "request_url": consent_request_url(spec),
                "requested_scope": spec.requested_scope,
                "requested_access_token_audience": spec.audience,
                "oidc_context": { "acr_values": [], "ui_locales": [] },
                "login_challenge": "8f7e6d5c4b3a29180f1e2d3c4b5a6978",
                "login_session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b",
                "acr": "aal1",
                "amr": ["password"]
            });
            if let Some(context) = &spec.context {
                body["context"] = context.clone();
            }
            HttpResponse::Ok().json(body)
        }
    }
}

fn check_consent_types(map: &serde_json::Map<String, Value>) -> Result<(), String> {
    for (key, value) in map {
        let ok = match key.as_str() {
            "grant_scope" | "grant_access_token_audience" => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "remember" => value.is_boolean(),
            "remember_for" => value.is_i64() || value.is_u64(),
            "session" => value.as_object().is_some_and(|s| {
                s.keys().all(|k| k == "id_token" || k == "access_token")
                    && s.values().all(|v| v.is_object() || v.is_null())
            }),
            _ => true,
        };
        if !ok {
            // Hydra's consent endpoints answer decode failures with this unhelpful body.
            return Err(format!("field {key}"));
        }
    }
    Ok(())
}

async fn accept_consent(
    req: HttpRequest,
    body: web::Bytes,
    data: web::Data<Shared>,
) -> HttpResponse {
    let challenge = match begin(&req, &data, "consent", Some(&body)).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let allowed: Vec<&str> = CONSENT_ACCEPT_FIELDS
        .iter()
        .copied()
        .filter(|f| *f != "handled_at" || data.version != HydraVersion::Lenient)
        .collect();
    let map = match decode_body(data.version, &body, &allowed)
        .and_then(|m| check_consent_types(&m).map(|_| m))
    {
        Ok(map) => map,
        Err(_) => return error(400, "error", "The error is unrecognizable"),
    };
    let Some(flow) = data.lock().consents.get(&challenge).cloned() else {
        return not_found_body();
    };
    if let FlowState::Expired = flow.state {
        return error(
            401,
            "request_unauthorized",
            "The consent request has expired, please try again.",
        );
    }
    data.lock()
        .accepted_consents
        .push((challenge.clone(), Value::Object(map)));
    HttpResponse::Ok().json(json!({
        "redirect_to": format!("{}&consent_verifier=v{}", consent_request_url(&flow.spec), challenge.len())
    }))
}

async fn reject_consent(
    req: HttpRequest,
    body: web::Bytes,
    data: web::Data<Shared>,
) -> HttpResponse {
    let challenge = match begin(&req, &data, "consent", Some(&body)).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let map = match decode_body(data.version, &body, REJECT_FIELDS)
        .and_then(|m| check_types(&m).map(|_| m))
    {
        Ok(map) => map,
        Err(_) => return error(400, "error", "The error is unrecognizable"),
    };
    let Some(flow) = data.lock().consents.get(&challenge).cloned() else {
        return not_found_body();
    };
    if let FlowState::Expired = flow.state {
        return error(
            401,
            "request_unauthorized",
            "The consent request has expired, please try again.",
        );
    }
    data.lock()
        .rejected_consents
        .push((challenge, Value::Object(map.clone())));
    let err = map
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("consent request denied");
    HttpResponse::Ok().json(json!({
        "redirect_to": format!("https://app.test/callback?error={err}&state=abcdefgh&client={}", flow.spec.client_id)
    }))
}

fn logout_request_url(public: &str) -> String {
    format!("{public}/oauth2/sessions/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.test%2Fbye")
}

async fn get_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout", None).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let (flow, public) = {
        let state = data.lock();
        (
            state.logouts.get(&challenge).cloned(),
            state.public_url.clone(),
        )
    };
    let Some(flow) = flow else {
        return not_found_body();
    };
    match flow.state {
        FlowState::Expired => error(
            401,
            "request_unauthorized",
            "The logout request has expired, please try the flow again.",
        ),
        FlowState::Handled => {
            HttpResponse::Gone().json(json!({ "redirect_to": logout_request_url(&public) }))
        }
        FlowState::Pending => {
            let client = match &flow.spec.client {
                Some((id, name, skip)) => json!({
                    "client_id": id, "client_name": name, "skip_logout_consent": skip,
                    "redirect_uris": ["https://app.test/callback"], "post_logout_redirect_uris": ["https://app.test/bye"]
                }),
                None => Value::Null,
            };
            HttpResponse::Ok().json(json!({
                "challenge": challenge,
                "subject": flow.spec.subject,
                "sid": "b8f1c6f0-7d5e-4c2a-9f3b-1a2b3c4d5e6f",
                "request_url": logout_request_url(&public),
                "rp_initiated": flow.spec.rp_initiated,
                "client": client,
                "expires_at": "2026-11-21T22:00:00Z",
                "requested_at": "2026-11-21T21:00:00Z"
            }))
        }
    }
}

async fn accept_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout", None).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let mut state = data.lock();
    let public = state.public_url.clone();
    let Some(flow) = state.logouts.get_mut(&challenge) else {
        return not_found_body();
    };
    if let FlowState::Expired = flow.state {
        return error(
            401,
            "request_unauthorized",
            "The logout request has expired, please try the flow again.",
        );
    }
    // Released Hydra (UUID challenges) answers a completed logout with 410; the stateless challenges
    // of newer Hydra stay decodable after accept.
    if !flow.spec.aead_challenge {
        flow.state = FlowState::Handled;
    }
    state.accepted_logouts.push(challenge.clone());
    HttpResponse::Ok().json(json!({
        "redirect_to": format!("{public}/oauth2/sessions/logout?logout_verifier=v{}", challenge.len())
    }))
}

async fn reject_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout", None).await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let mut state = data.lock();
    if state.logouts.remove(&challenge).is_none() {
        return not_found_body();
    }
    state.rejected_logouts.push(challenge);
    HttpResponse::NoContent().finish()
}

/// Hydra's public logout endpoint, where the browser completes the logout.
async fn public_logout() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html")
        .body("<!doctype html><title>Logged out</title><p>Logged out of Hydra.</p>")
}
