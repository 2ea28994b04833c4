//! A fake Hydra admin API that answers as the real one does: the paths, methods, status codes,
//! headers and JSON shapes of `/admin/oauth2/auth/requests/*`, as recorded from Hydra v26.2.0
//! (`Lenient`) and v2.3.0 (`Strict`, with its strict body decoding), and for v2.1 as its sources
//! read. The checks beside it (`v26_hydra`, `v2_hydra`) hold it to the recordings.

mod common;
mod device;
mod flow;

pub use consent::ConsentSpec;
pub use device::DeviceSpec;
pub use login::LoginSpec;
pub use logout::LogoutSpec;
pub use sessions::GrantSpec;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use serde_json::Value;

use super::Fault;

mod consent;
mod login;
mod logout;
mod sessions;
pub mod wire;

use common::{
    Answers, Shared, auth_request_url, begin, error, health, make_challenge, not_found,
    not_found_body, record, versioned_client,
};
use flow::{answer, get};
use logout::{accept_logout, get_logout, public_logout, reject_logout};

/// Which Hydra release the fake behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HydraVersion {
    /// v2.2/v2.3: unknown JSON fields in accept/reject bodies are refused with 400.
    Strict,
    /// v25.4+ (recorded from v26.2.0): unknown fields are ignored; clients show the device grant's
    /// lifespans; paths no route serves get Go's plain-text 404 and 405.
    Lenient,
    /// v2.1: 32-hex challenges, and a skip accept with another subject is a 400.
    V2_1,
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

/// A login or consent request as Hydra holds it: what was asked, and where it stands.
#[derive(Debug, Clone)]
struct Flow<S> {
    spec: S,
    state: FlowState,
}

impl<S> Flow<S> {
    fn pending(spec: S) -> Self {
        Self {
            spec,
            state: FlowState::Pending,
        }
    }

    fn expired(&self) -> bool {
        matches!(self.state, FlowState::Expired)
    }

    fn mark(flows: &mut HashMap<String, Self>, challenge: &str, state: FlowState) {
        if let Some(flow) = flows.get_mut(challenge) {
            flow.state = state;
        }
    }
}

#[derive(Debug, Clone)]
enum FlowState {
    Pending,
    Expired,
    /// Hydra answers 410: a logout completed, or (v2.1 only) a login or consent whose verifier was used.
    Handled,
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The challenge as Hydra decoded it from the query.
    pub challenge: Option<String>,
    pub authorization: Option<String>,
    /// The W3C trace context the bridge sent, when tracing is on.
    pub traceparent: Option<String>,
}

#[derive(Default)]
struct State {
    logins: HashMap<String, Flow<LoginSpec>>,
    consents: HashMap<String, Flow<ConsentSpec>>,
    logouts: HashMap<String, LogoutFlow>,
    accepted_logouts: Vec<String>,
    rejected_logouts: Vec<String>,
    public_url: String,
    consent_answers: Answers,
    calls: Vec<Recorded>,
    login_answers: Answers,
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
    grants: sessions::Grants,
}

impl State {
    /// A login request, as the fake's user or Hydra's device verification makes one.
    fn add_login(&mut self, version: HydraVersion, spec: LoginSpec) -> String {
        self.counter += 1;
        let challenge = make_challenge(version, self.counter);
        self.logins.insert(challenge.clone(), Flow::pending(spec));
        challenge
    }
}

pub struct FakeHydra {
    pub url: String,
    pub version: HydraVersion,
    state: Arc<Mutex<State>>,
}

pub const PUBLIC_URL: &str = "https://hydra.test";
/// The `id_token_hint` of an application's logout request.
pub const ID_TOKEN_HINT: &str = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";

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
                .service(
                    web::scope("/admin/oauth2/auth/requests")
                        .route("/login", web::get().to(get::<LoginSpec>))
                        .route("/login/accept", web::put().to(answer::<LoginSpec>))
                        .route("/login/reject", web::put().to(answer::<LoginSpec>))
                        .route("/consent", web::get().to(get::<ConsentSpec>))
                        .route("/consent/accept", web::put().to(answer::<ConsentSpec>))
                        .route("/consent/reject", web::put().to(answer::<ConsentSpec>))
                        .route("/logout", web::get().to(get_logout))
                        .route("/logout/accept", web::put().to(accept_logout))
                        .route("/logout/reject", web::put().to(reject_logout))
                        .route("/device/accept", web::put().to(device::accept_device)),
                )
                .route("/oauth2/sessions/logout", web::get().to(public_logout))
                .configure(device::routes)
                .configure(sessions::routes)
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
        self.lock().add_login(self.version, spec)
    }

    /// Registers a consent request and returns its challenge.
    pub fn add_consent(&self, spec: ConsentSpec) -> String {
        let mut state = self.lock();
        state.counter += 1;
        let challenge = make_challenge(self.version, state.counter + 1_000_000);
        state
            .consents
            .insert(challenge.clone(), Flow::pending(spec));
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
        Flow::mark(&mut self.lock().consents, challenge, FlowState::Expired);
    }

    /// Only Hydra v2.1 answers 410 for a consent challenge: later challenges are sealed flows that
    /// stay readable until they expire.
    pub fn handle_consent(&self, challenge: &str) {
        self.assert_v2_1("consent");
        Flow::mark(&mut self.lock().consents, challenge, FlowState::Handled);
    }

    pub fn accepted_consents(&self) -> Vec<(String, Value)> {
        self.lock().consent_answers.accepted.clone()
    }

    pub fn rejected_consents(&self) -> Vec<(String, Value)> {
        self.lock().consent_answers.rejected.clone()
    }

    pub fn expire_login(&self, challenge: &str) {
        Flow::mark(&mut self.lock().logins, challenge, FlowState::Expired);
    }

    /// Only Hydra v2.1 answers 410 for a login challenge (see `handle_consent`).
    pub fn handle_login(&self, challenge: &str) {
        self.assert_v2_1("login");
        Flow::mark(&mut self.lock().logins, challenge, FlowState::Handled);
    }

    fn assert_v2_1(&self, flow: &str) {
        assert_eq!(
            self.version,
            HydraVersion::V2_1,
            "Hydra v2.2+ never answers 410 for a {flow} challenge"
        );
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
        self.lock().login_answers.accepted.clone()
    }

    pub fn rejected_logins(&self) -> Vec<(String, Value)> {
        self.lock().login_answers.rejected.clone()
    }
}

/// How long a hanging fake waits: far beyond any timeout the tests configure.
pub const HANG: Duration = Duration::from_secs(30);
