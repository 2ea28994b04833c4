//! A fake Hydra admin API that answers as the real one does: the paths, methods, status codes,
//! headers and JSON shapes of `/admin/oauth2/auth/requests/*`, including strict body decoding
//! (v2.2/v2.3), as recorded from Hydra v2.3.0 (and, for v2.1 and v25.4, as their sources read).

mod device;

pub use device::DeviceSpec;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::{Value, json};

use super::Fault;

mod consent;
mod login;
mod logout;
pub mod wire;

use consent::{accept_consent, get_consent, reject_consent};
use login::{accept_login, get_login, reject_login};
use logout::{accept_logout, get_logout, public_logout, reject_logout};

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
    /// The authorization request's `ui_locales` (space-separated there); empty when it had none.
    pub ui_locales: Vec<String>,
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
            ui_locales: vec![],
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
    /// `Handled` once the browser used the verifier.
    state: FlowState,
    accepted: bool,
    rejected: bool,
    verifier: String,
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
    /// Hydra answers 410: a logout completed, or (v2.1 only) a login or consent whose verifier was used.
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
        let verifier = format!("a77d4a57-2ecf-4274-ba6f-{:012x}", state.counter);
        state.logouts.insert(
            challenge.clone(),
            LogoutFlow {
                spec,
                state: FlowState::Pending,
                accepted: false,
                rejected: false,
                verifier,
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

    /// Only Hydra v2.1 answers 410 for a consent challenge: later challenges are sealed flows that
    /// stay readable until they expire.
    pub fn handle_consent(&self, challenge: &str) {
        assert_eq!(
            self.version,
            HydraVersion::V2_1,
            "Hydra v2.2+ never answers 410 for a consent challenge"
        );
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

    /// Only Hydra v2.1 answers 410 for a login challenge (see `handle_consent`).
    pub fn handle_login(&self, challenge: &str) {
        assert_eq!(
            self.version,
            HydraVersion::V2_1,
            "Hydra v2.2+ never answers 410 for a login challenge"
        );
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

/// Hydra's error body (see `wire` for the ones Hydra sends).
fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    wire::error(status, error, description)
}

/// 404 for an unknown login or consent challenge.
fn not_found_body() -> HttpResponse {
    wire::not_found()
}

/// No route matched: a known path with another method is a 405, anything else Hydra's 404 page.
async fn not_found(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    let flow_path = path
        .strip_prefix("/admin/oauth2/auth/requests/")
        .map(|rest| rest.split('/').collect::<Vec<_>>());
    match flow_path.as_deref() {
        Some(["login" | "consent" | "logout"]) => wire::method_not_allowed("GET, OPTIONS"),
        Some(["login" | "consent" | "logout", "accept" | "reject"]) => {
            wire::method_not_allowed("OPTIONS, PUT")
        }
        _ => wire::route_not_found(),
    }
}

async fn health(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    record(&data, &req, None);
    if let Some(r) = apply_fault(&data).await {
        return r;
    }
    // Hydra's health answers carry no Cache-Control, unlike its API answers.
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
            .or_else(|| super::periodic_fault(state.fault_every, state.calls_seen))
    };
    super::fault_response(fault).await
}

fn record(data: &Shared, req: &HttpRequest, challenge: Option<String>) {
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
async fn begin(req: &HttpRequest, data: &Shared, flow: &str) -> Result<String, HttpResponse> {
    let challenge = challenge_param(req, flow);
    record(data, req, challenge.clone());
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

/// How long a hanging fake waits: far beyond any timeout the tests configure.
pub const HANG: Duration = Duration::from_secs(30);
