//! A fake Kratos with the public API (whoami, the browser login, registration and logout flows) on
//! one port and the admin API (identities, sessions, health) on another, answering as Kratos
//! v26.2.0 did (recorded; the checks beside it, `v26_kratos` and `v1_kratos`, hold it to that): the
//! status codes, redirects, cookies and JSON shapes, including its errors (401 without a session,
//! 403 `session_aal2_required`, JSON errors only for `Accept: application/json` and a redirect to
//! the error UI otherwise). Where the person would complete a form in the self-service UI, the fake
//! completes it for them, unless told to leave the forms alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpServer, web};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Fault;

mod admin;
mod selfservice;
mod shapes;
mod wire;

pub use shapes::identity_json;
use shapes::session_json;

pub const COOKIE_NAME: &str = "ory_kratos_session";

#[derive(Debug, Clone)]
pub struct IdentitySpec {
    pub id: String,
    pub external_id: Option<String>,
    pub schema_id: String,
    pub traits: Value,
    pub metadata_public: Value,
    pub state: &'static str,
}

impl IdentitySpec {
    pub fn new(id: &str, external_id: Option<&str>) -> Self {
        Self {
            id: id.into(),
            external_id: external_id.map(str::to_owned),
            schema_id: "customer".into(),
            traits: json!({ "email": "ada@example.com", "name": { "first": "Ada", "last": "Lovelace" } }),
            metadata_public: Value::Null,
            state: "active",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoredSession {
    pub id: String,
    pub identity: IdentitySpec,
    pub aal: u8,
    pub authenticated_at: OffsetDateTime,
    /// whoami answers 403 `session_aal2_required` (the identity has a second factor, the session not).
    pub aal2_required: bool,
    pub methods: Vec<String>,
    pub lifespan_secs: i64,
    /// False once logged out or revoked: Kratos keeps the session, inactive.
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct WhoamiCall {
    pub cookie: Option<String>,
    pub header_names: Vec<String>,
}

struct State {
    public_url: String,
    admin_url: String,
    cookie_name: String,
    /// A fault for the browser logout endpoint only.
    logout_fault: Option<Fault>,
    identities: HashMap<String, IdentitySpec>,
    /// Emulates Kratos before v25.4: no lookup by external_id.
    no_external_lookup: bool,
    admin_calls: Vec<String>,
    logout_browser_calls: Vec<(Option<String>, Option<String>)>,
    /// Logout token -> the session cookie it belongs to (one token per session).
    logout_tokens: HashMap<String, String>,
    sessions: HashMap<String, StoredSession>,
    whoami_calls: Vec<WhoamiCall>,
    login_browser_queries: Vec<String>,
    allowed_return_urls: Vec<String>,
    next_login: Option<IdentitySpec>,
    /// Returns from a refresh without re-authenticating (a misbehaving chain).
    lazy_refresh: bool,
    /// Nobody completes a form: every flow the UI would show stays there.
    forms_left: bool,
    /// The identity schemas Kratos has.
    schemas: Vec<String>,
    fault: Option<Fault>,
    fault_every: usize,
    calls_seen: usize,
    /// Faults for calls whose path starts with a prefix.
    path_faults: Vec<(String, Fault)>,
    counter: u64,
}

impl State {
    /// The fault for this call: one set for its path, the fixed one, else the periodic one.
    fn next_fault(&mut self, path: &str) -> Option<Fault> {
        self.calls_seen += 1;
        self.path_faults
            .iter()
            .find(|(prefix, _)| super::path_matches(prefix, path))
            .map(|(_, fault)| fault.clone())
            .or_else(|| self.fault.clone())
            .or_else(|| super::periodic_fault(self.fault_every, self.calls_seen))
    }

    /// The active session a cookie value stands for.
    fn active_session(&self, token: Option<&str>) -> Option<StoredSession> {
        self.sessions
            .get(token?)
            .filter(|s| s.active && s.identity.state == "active")
            .cloned()
    }

    fn return_to_allowed(&self, return_to: &str) -> bool {
        return_to.is_empty()
            || self
                .allowed_return_urls
                .iter()
                .any(|a| return_to.starts_with(a.as_str()))
    }

    fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }
}

impl Default for State {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            admin_url: String::new(),
            cookie_name: COOKIE_NAME.into(),
            logout_fault: None,
            identities: HashMap::new(),
            no_external_lookup: false,
            admin_calls: Vec::new(),
            logout_browser_calls: Vec::new(),
            logout_tokens: HashMap::new(),
            sessions: HashMap::new(),
            whoami_calls: Vec::new(),
            login_browser_queries: Vec::new(),
            allowed_return_urls: Vec::new(),
            next_login: None,
            lazy_refresh: false,
            forms_left: false,
            schemas: vec!["customer".into(), "employee".into()],
            fault: None,
            fault_every: 0,
            calls_seen: 0,
            path_faults: Vec::new(),
            counter: 0,
        }
    }
}

pub struct FakeKratos {
    /// The public API (and the browser's Kratos).
    pub url: String,
    /// The admin API.
    pub admin_url: String,
    state: Arc<Mutex<State>>,
}

fn listen(name: &str) -> (std::net::TcpListener, String) {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{name}: {e}"));
    let port = listener.local_addr().expect("bound").port();
    (listener, format!("http://127.0.0.1:{port}"))
}

impl FakeKratos {
    pub async fn start() -> Self {
        let (public_listener, url) = listen("bind fake kratos public");
        let (admin_listener, admin_url) = listen("bind fake kratos admin");
        let state = Arc::new(Mutex::new(State {
            public_url: url.clone(),
            admin_url: admin_url.clone(),
            ..State::default()
        }));
        let data = web::Data::new(state.clone());
        let public_data = data.clone();
        let public = HttpServer::new(move || {
            App::new()
                .app_data(public_data.clone())
                .configure(selfservice::routes)
        })
        .workers(1)
        .disable_signals()
        .listen(public_listener)
        .expect("listen fake kratos public")
        .run();
        let admin =
            HttpServer::new(move || App::new().app_data(data.clone()).configure(admin::routes))
                .workers(1)
                .disable_signals()
                .listen(admin_listener)
                .expect("listen fake kratos admin")
                .run();
        tokio::spawn(public);
        tokio::spawn(admin);
        Self {
            url,
            admin_url,
            state,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a session for `identity`, authenticated `age_secs` ago at the given AAL; returns the
    /// cookie value.
    pub fn add_session(&self, identity: IdentitySpec, aal: u8, age_secs: i64) -> String {
        let mut state = self.lock();
        let n = state.next_id();
        let token = format!("MTc2NDI4NjUxOXxzZXNzaW9uLXRva2VuLXtestsession{n}");
        state.sessions.insert(
            token.clone(),
            StoredSession {
                id: format!("5e1d6b0c-0000-4000-8000-{n:012}"),
                identity,
                aal,
                authenticated_at: OffsetDateTime::now_utc() - time::Duration::seconds(age_secs),
                aal2_required: false,
                methods: if aal >= 2 {
                    vec!["password".into(), "totp".into()]
                } else {
                    vec!["password".into()]
                },
                lifespan_secs: 86_400,
                active: true,
            },
        );
        token
    }

    /// Stores an identity for the admin API.
    pub fn add_identity(&self, identity: IdentitySpec) {
        self.lock().identities.insert(identity.id.clone(), identity);
    }

    pub fn disable_external_lookup(&self) {
        self.lock().no_external_lookup = true;
    }

    /// (Cookie, Accept) of each `/self-service/logout/browser` call.
    pub fn logout_browser_calls(&self) -> Vec<(Option<String>, Option<String>)> {
        self.lock().logout_browser_calls.clone()
    }

    /// Paths of admin API calls, in order.
    pub fn admin_calls(&self) -> Vec<String> {
        self.lock().admin_calls.clone()
    }

    /// Kratos's `session.cookie.name`.
    pub fn set_cookie_name(&self, name: &str) {
        self.lock().cookie_name = name.into();
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

    /// Every n-th call fails (503 or a malformed body); 0 turns it off.
    pub fn fail_every(&self, n: usize) {
        self.lock().fault_every = n;
    }

    pub fn set_logout_fault(&self, fault: Option<Fault>) {
        self.lock().logout_fault = fault;
    }

    pub fn require_aal2(&self, token: &str) {
        if let Some(s) = self.lock().sessions.get_mut(token) {
            s.aal2_required = true;
        }
    }

    /// Where the bridge sends a browser to sign in: Kratos's browser login flow.
    pub fn login_browser_url(&self) -> String {
        format!("{}/self-service/login/browser", self.url)
    }

    /// Where the bridge sends a browser to register: Kratos's browser registration flow.
    pub fn registration_browser_url(&self) -> String {
        format!("{}/self-service/registration/browser", self.url)
    }

    /// A `return_to` Kratos follows: one under this prefix (`selfservice.allowed_return_urls`).
    pub fn allow_return_url(&self, prefix: &str) {
        self.lock().allowed_return_urls.push(prefix.into());
    }

    /// Who logs in when the browser reaches the login flow without a session.
    pub fn set_next_login(&self, identity: IdentitySpec) {
        self.lock().next_login = Some(identity);
    }

    pub fn set_lazy_refresh(&self, lazy: bool) {
        self.lock().lazy_refresh = lazy;
    }

    /// From now on nobody completes a form: the browser stays at the UI's login or registration
    /// form, as a real Kratos leaves it (the fake otherwise plays the person at the form).
    pub fn leave_forms(&self) {
        self.lock().forms_left = true;
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.lock().fault = fault;
    }

    pub fn whoami_calls(&self) -> Vec<WhoamiCall> {
        self.lock().whoami_calls.clone()
    }

    pub fn login_browser_queries(&self) -> Vec<String> {
        self.lock().login_browser_queries.clone()
    }

    /// The session for this cookie while it is active (not logged out, not revoked).
    pub fn session(&self, token: &str) -> Option<StoredSession> {
        self.lock().active_session(Some(token))
    }
}

type Shared = web::Data<Arc<Mutex<State>>>;

fn lock(data: &Shared) -> std::sync::MutexGuard<'_, State> {
    data.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn cookie_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .filter_map(|h| h.to_str().ok())
        .find_map(|h| {
            h.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                (k == name).then(|| v.to_string())
            })
        })
}
