//! A fake Kratos: public API (`/sessions/whoami`, `/self-service/login/browser`) and admin health, with the
//! real status codes and JSON shapes (401 without a session, 403 `session_aal2_required`, 400 for a
//! `return_to` outside `allowed_return_urls`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Fault;

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
}

#[derive(Debug, Clone)]
pub struct WhoamiCall {
    pub cookie: Option<String>,
    pub header_names: Vec<String>,
}

struct State {
    cookie_name: String,
    /// A fault for the browser logout endpoint only.
    logout_fault: Option<Fault>,
    identities: HashMap<String, IdentitySpec>,
    /// Emulates Kratos before v25.4: no lookup by external_id.
    no_external_lookup: bool,
    admin_calls: Vec<String>,
    logout_browser_calls: Vec<(Option<String>, Option<String>)>,
    logout_tokens: HashMap<String, String>,
    sessions: HashMap<String, StoredSession>,
    whoami_calls: Vec<WhoamiCall>,
    login_browser_queries: Vec<String>,
    allowed_return_urls: Vec<String>,
    next_login: Option<IdentitySpec>,
    /// Returns from a refresh without re-authenticating (a misbehaving chain).
    lazy_refresh: bool,
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
}

impl Default for State {
    fn default() -> Self {
        Self {
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
            fault: None,
            fault_every: 0,
            calls_seen: 0,
            path_faults: Vec::new(),
            counter: 0,
        }
    }
}

pub struct FakeKratos {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeKratos {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake kratos");
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/health/alive", web::get().to(health))
                .route("/health/ready", web::get().to(health))
                // The admin port's health path (its /health/ready only redirects here).
                .route("/admin/health/ready", web::get().to(health))
                .route("/sessions/whoami", web::get().to(whoami))
                .route("/self-service/login/browser", web::get().to(login_browser))
                .route(
                    "/self-service/logout/browser",
                    web::get().to(logout_browser),
                )
                .route("/self-service/logout", web::get().to(logout_with_token))
                .route(
                    "/admin/identities/by/external/{external_id}",
                    web::get().to(identity_by_external),
                )
                .route("/admin/identities/{id}", web::get().to(identity_by_id))
                .route("/admin/sessions/{id}", web::delete().to(revoke_session))
                .default_service(web::to(not_found))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen fake kratos")
        .run();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}"),
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
        state.counter += 1;
        let n = state.counter;
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
            },
        );
        token
    }

    /// Stores an identity for the admin API.
    pub fn add_identity(&self, identity: IdentitySpec) {
        self.lock().identities.insert(identity.id.clone(), identity);
    }

    pub fn remove_identity(&self, id: &str) {
        self.lock().identities.remove(id);
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

    pub fn revoke(&self, token: &str) {
        self.lock().sessions.remove(token);
    }

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

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.lock().fault = fault;
    }

    pub fn whoami_calls(&self) -> Vec<WhoamiCall> {
        self.lock().whoami_calls.clone()
    }

    pub fn login_browser_queries(&self) -> Vec<String> {
        self.lock().login_browser_queries.clone()
    }

    pub fn session(&self, token: &str) -> Option<StoredSession> {
        self.lock().sessions.get(token).cloned()
    }
}

type Shared = web::Data<Arc<Mutex<State>>>;

fn lock(data: &Shared) -> std::sync::MutexGuard<'_, State> {
    data.lock().unwrap_or_else(|e| e.into_inner())
}

/// Kratos's session cookie name; read before any other lock is taken (the mutex is not re-entrant).
fn cookie_name(data: &Shared) -> String {
    lock(data).cookie_name.clone()
}

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

pub fn identity_json(identity: &IdentitySpec) -> Value {
    // Kratos keeps a verifiable address per email trait marked as one; verified here.
    let addresses: Vec<Value> = identity.traits.get("email").and_then(Value::as_str).map(|email| json!({
        "id": "0b9f6a3e-1111-4000-8000-000000000001", "value": email.to_lowercase(), "verified": true,
        "via": "email", "status": "completed", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
    })).into_iter().collect();
    let mut json = json!({
        "id": identity.id,
        "schema_id": identity.schema_id,
        "schema_url": format!("http://kratos.test/schemas/{}", identity.schema_id),
        "state": identity.state,
        "state_changed_at": "2026-01-01T00:00:00Z",
        "traits": identity.traits,
        "verifiable_addresses": addresses,
        "recovery_addresses": [],
        "metadata_public": identity.metadata_public,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T03:04:05Z",
        "organization_id": null
    });
    // Kratos omits external_id when it is not set.
    if let Some(ext) = &identity.external_id {
        json["external_id"] = json!(ext);
    }
    json
}

fn session_json(s: &StoredSession) -> Value {
    let identity = identity_json(&s.identity);
    let methods: Vec<Value> = s
        .methods
        .iter()
        .map(|m| json!({ "method": m, "aal": if m == "totp" { "aal2" } else { "aal1" }, "completed_at": ts(s.authenticated_at) }))
        .collect();
    json!({
        "id": s.id,
        "active": true,
        "expires_at": ts(s.authenticated_at + time::Duration::seconds(s.lifespan_secs)),
        "authenticated_at": ts(s.authenticated_at),
        "authenticator_assurance_level": format!("aal{}", s.aal),
        "authentication_methods": methods,
        "issued_at": ts(s.authenticated_at),
        "identity": identity,
        "devices": [{ "id": "d1", "ip_address": "127.0.0.1", "user_agent": "test", "location": "" }]
    })
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

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({ "error": {
        "code": 401, "status": "Unauthorized",
        "reason": "No valid session credentials found in the request.",
        "message": "The request could not be authorized"
    }}))
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "error": { "code": 404, "status": "Not Found", "message": "The requested resource could not be found" }}))
}

async fn health(data: Shared) -> HttpResponse {
    let fault = lock(&data).fault.clone();
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn whoami(req: HttpRequest, data: Shared) -> HttpResponse {
    let cookie = req
        .headers()
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let header_names = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    let fault = {
        let mut state = lock(&data);
        state.whoami_calls.push(WhoamiCall {
            cookie,
            header_names,
        });
        state.next_fault(req.path())
    };
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    let token = req
        .headers()
        .get("x-session-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| cookie_value(&req, &cookie_name(&data)));
    let Some(session) = token.and_then(|t| lock(&data).sessions.get(&t).cloned()) else {
        return unauthorized();
    };
    // Kratos answers 401 for the sessions of an inactive identity.
    if session.identity.state != "active" {
        return unauthorized();
    }
    if session.aal2_required {
        return HttpResponse::Forbidden().json(json!({
            "error": {
                "id": "session_aal2_required", "code": 403, "status": "Forbidden",
                "reason": "An active session was found but it does not fulfil the Authenticator Assurance Level, implying that the session must first be upgraded to AAL2.",
                "message": "Session does not fulfil the requested Authenticator Assurance Level",
                "details": { "redirect_browser_to": "http://kratos.test/self-service/login/browser?aal=aal2" }
            },
            "redirect_browser_to": "http://kratos.test/self-service/login/browser?aal=aal2"
        }));
    }
    HttpResponse::Ok()
        .insert_header((
            "X-Kratos-Authenticated-Identity-Id",
            session.identity.id.clone(),
        ))
        .json(session_json(&session))
}

fn flow_error(id: &str, reason: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": { "id": id, "code": 400, "status": "Bad Request", "reason": reason, "message": "The request was malformed or contained invalid parameters" }}))
}

/// The browser login flow, reduced to its outcome: a user who completes it gets a fresh session
/// and is sent to `return_to`.
async fn login_browser(req: HttpRequest, data: Shared) -> HttpResponse {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect();
    lock(&data)
        .login_browser_queries
        .push(req.query_string().to_owned());
    if params.contains_key("login_challenge") {
        // Kratos would then run the Hydra flow itself (subject = UUID); the bridge must never do this.
        return HttpResponse::InternalServerError().json(
            json!({ "error": { "code": 500, "message": "oauth2_provider.url is not configured" }}),
        );
    }
    let return_to = params.get("return_to").cloned().unwrap_or_default();
    let allowed = lock(&data).allowed_return_urls.clone();
    if !return_to.is_empty() && !allowed.iter().any(|a| return_to.starts_with(a.as_str())) {
        return flow_error(
            "self_service_flow_return_to_forbidden",
            "Requested return_to URL is not allowed.",
        );
    }
    let refresh = params.get("refresh").is_some_and(|v| v == "true");
    let aal2 = params.get("aal").is_some_and(|v| v == "aal2");
    let existing = cookie_value(&req, &cookie_name(&data))
        .and_then(|t| lock(&data).sessions.get(&t).cloned().map(|s| (t, s)));
    if aal2 && existing.is_none() {
        return flow_error(
            "session_aal1_required",
            "You can not requested a higher AAL (AAL2/AAL3) without an active session.",
        );
    }
    let lazy = lock(&data).lazy_refresh;
    if let Some((token, session)) = &existing
        && ((!refresh && !aal2 && !session.aal2_required) || lazy)
    {
        let _ = (token, session);
        return HttpResponse::SeeOther()
            .insert_header(("Location", return_to))
            .finish();
    }
    // The user completes the form.
    let mut state = lock(&data);
    let (token, mut session) = match existing {
        Some((t, s)) => (t, s),
        None => {
            let Some(identity) = state.next_login.clone() else {
                return HttpResponse::Ok()
                    .content_type("text/html")
                    .body("<form>login form</form>");
            };
            state.counter += 1;
            let token = format!(
                "MTc2NDI4NjUxOXxzZXNzaW9uLXRva2VuLXfreshlogin{}",
                state.counter
            );
            let session = StoredSession {
                id: format!("7a2c9d1e-0000-4000-8000-{:012}", state.counter),
                identity,
                aal: 1,
                authenticated_at: OffsetDateTime::now_utc(),
                aal2_required: false,
                methods: vec![],
                lifespan_secs: 86_400,
            };
            (token, session)
        }
    };
    session.authenticated_at = OffsetDateTime::now_utc();
    session.methods = vec!["password".into()];
    if aal2 || session.aal2_required {
        session.aal = 2;
        session.aal2_required = false;
        session.methods.push("totp".into());
    }
    state.sessions.insert(token.clone(), session);
    HttpResponse::SeeOther()
        .insert_header(("Location", return_to))
        .insert_header((
            "Set-Cookie",
            format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax",
                state.cookie_name
            ),
        ))
        .finish()
}

async fn identity_by_id(req: HttpRequest, path: web::Path<String>, data: Shared) -> HttpResponse {
    let fault = {
        let mut state = lock(&data);
        state.admin_calls.push(req.path().to_owned());
        state.next_fault(req.path())
    };
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    let id = path.into_inner();
    let is_uuid = id.len() == 36 && id.chars().filter(|c| *c == '-').count() == 4;
    if !is_uuid {
        return not_found().await;
    }
    match lock(&data).identities.get(&id) {
        Some(identity) => HttpResponse::Ok().json(identity_json(identity)),
        None => HttpResponse::NotFound().json(json!({ "error": { "code": 404, "status": "Not Found", "reason": "Unable to locate the resource", "message": "The requested resource could not be found" }})),
    }
}

async fn identity_by_external(
    req: HttpRequest,
    path: web::Path<String>,
    data: Shared,
) -> HttpResponse {
    let (fault, unsupported) = {
        let mut state = lock(&data);
        state.admin_calls.push(req.path().to_owned());
        (state.next_fault(req.path()), state.no_external_lookup)
    };
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    if unsupported {
        // Kratos before v25.4 has no such route.
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body("404 page not found");
    }
    let external_id = path.into_inner();
    if external_id.is_empty() {
        return flow_error("bad_request", "external ID is required");
    }
    let found = lock(&data)
        .identities
        .values()
        .find(|i| i.external_id.as_deref() == Some(external_id.as_str()))
        .cloned();
    match found {
        Some(identity) => HttpResponse::Ok().json(identity_json(&identity)),
        None => HttpResponse::NotFound().json(json!({ "error": { "code": 404, "status": "Not Found", "message": "The requested resource could not be found" }})),
    }
}

/// `GET /self-service/logout/browser`: a logout URL for the browser, bound to its session.
async fn logout_browser(req: HttpRequest, data: Shared) -> HttpResponse {
    let cookie = req
        .headers()
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let fault = {
        let mut state = lock(&data);
        state.logout_browser_calls.push((cookie, accept.clone()));
        state
            .logout_fault
            .clone()
            .or_else(|| state.next_fault(req.path()))
    };
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    let json_request = accept
        .as_deref()
        .is_some_and(|a| a.contains("application/json"));
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect();
    let token = cookie_value(&req, &cookie_name(&data));
    let session = token
        .as_ref()
        .and_then(|t| lock(&data).sessions.get(t).cloned());
    if session.is_none() {
        if !json_request {
            // Without Accept: application/json, Kratos answers errors by redirecting to its error UI.
            return HttpResponse::SeeOther()
                .insert_header(("Location", "http://kratos.test/error?id=x"))
                .finish();
        }
        return unauthorized();
    }
    let return_to = params.get("return_to").cloned().unwrap_or_default();
    let allowed = lock(&data).allowed_return_urls.clone();
    if !return_to.is_empty() && !allowed.iter().any(|a| return_to.starts_with(a.as_str())) {
        return flow_error(
            "self_service_flow_return_to_forbidden",
            "Requested return_to URL is not allowed.",
        );
    }
    let logout_token = format!("lt{}", token.as_deref().unwrap_or("").len() * 7919);
    lock(&data)
        .logout_tokens
        .insert(logout_token.clone(), token.unwrap_or_default());
    let host = req.connection_info().host().to_owned();
    let mut url = url::Url::parse(&format!("http://{host}/self-service/logout")).unwrap();
    url.query_pairs_mut().append_pair("token", &logout_token);
    if !return_to.is_empty() {
        url.query_pairs_mut().append_pair("return_to", &return_to);
    }
    HttpResponse::Ok().json(json!({ "logout_url": url.as_str(), "logout_token": logout_token }))
}

/// `GET /self-service/logout?token=…`: the browser ends its session; the token must match its cookie.
async fn logout_with_token(req: HttpRequest, data: Shared) -> HttpResponse {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect();
    let cookie = cookie_value(&req, &cookie_name(&data));
    let mut state = lock(&data);
    let bound = params
        .get("token")
        .and_then(|t| state.logout_tokens.get(t))
        .cloned();
    match (bound, cookie) {
        (Some(session), Some(cookie)) if session == cookie => {
            state.sessions.remove(&session);
            let to = params.get("return_to").cloned().unwrap_or_else(|| "http://kratos.test/".into());
            HttpResponse::SeeOther()
                .insert_header(("Location", to))
                .insert_header(("Set-Cookie", format!("{}=; Path=/; Max-Age=0", state.cookie_name)))
                .finish()
        }
        _ => HttpResponse::Forbidden().json(json!({ "error": { "code": 403, "status": "Forbidden", "reason": "Unable to log out because the logout token in the URL query does not match the session cookie." }})),
    }
}

/// `DELETE /admin/sessions/{id}`: 204, 404 for an unknown session, 400 for a malformed id.
async fn revoke_session(req: HttpRequest, path: web::Path<String>, data: Shared) -> HttpResponse {
    let fault = {
        let mut state = lock(&data);
        state.admin_calls.push(format!("DELETE {}", req.path()));
        state.next_fault(req.path())
    };
    if let Some(r) = super::fault_response(fault).await {
        return r;
    }
    let id = path.into_inner();
    if id.len() != 36 {
        return flow_error("bad_request", "the session id must be a UUID");
    }
    let mut state = lock(&data);
    let token = state
        .sessions
        .iter()
        .find(|(_, s)| s.id == id)
        .map(|(t, _)| t.clone());
    match token {
        Some(token) => {
            state.sessions.remove(&token);
            HttpResponse::NoContent().finish()
        }
        None => HttpResponse::NotFound().json(json!({ "error": { "code": 404, "status": "Not Found", "message": "The requested resource could not be found" }})),
    }
}
