//! `GET` and `DELETE /admin/oauth2/auth/sessions/consent`: a subject's consent sessions, listed a
//! page at a time with Hydra v26.2.0's `Link` header (keyset pagination, `page_size` 100 by
//! default and at most 500) and revoked for one client or all of them, as recorded.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::common::interrupt;
use super::login::client_json;
use super::{FakeHydra, Shared, record, versioned_client, wire};

/// A consent session the fake keeps, as the consent page's accept leaves it.
#[derive(Debug, Clone)]
pub struct GrantSpec {
    pub subject: String,
    pub client_id: String,
    pub client_name: String,
    pub logo_uri: String,
    pub client_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
    pub scopes: Vec<String>,
    pub remember: bool,
    pub remember_for: u64,
    /// RFC 3339.
    pub handled_at: String,
    /// Hydra's login session the consent was given in; empty once it ended.
    pub login_session_id: String,
    /// More of the authorization request's query, e.g. `prompt=consent`.
    pub auth_query: String,
}

impl GrantSpec {
    pub fn new(subject: &str, client_id: &str, client_name: &str) -> Self {
        Self {
            subject: subject.into(),
            client_id: client_id.into(),
            client_name: client_name.into(),
            logo_uri: String::new(),
            client_uri: String::new(),
            policy_uri: String::new(),
            tos_uri: String::new(),
            scopes: ["openid", "offline_access", "email", "profile"]
                .map(String::from)
                .to_vec(),
            remember: true,
            remember_for: 3600,
            handled_at: "2026-03-14T09:26:53.589793Z".into(),
            login_session_id: String::new(),
            auth_query: String::new(),
        }
    }
}

#[derive(Default)]
pub(super) struct Grants {
    kept: Vec<(u64, GrantSpec)>,
    /// (subject, client or `*` for all=true) of every revocation Hydra carried out.
    revoked: Vec<(String, String)>,
    /// Subjects whose revocations fail with a 503.
    failing: Vec<String>,
    counter: u64,
}

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(SESSIONS, web::get().to(list))
        .route(SESSIONS, web::delete().to(revoke));
}

const SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";
const DEFAULT_SIZE: usize = 100;
const MAX_SIZE: usize = 500;

impl FakeHydra {
    /// A consent session Hydra keeps (the person allowed the client on the consent page).
    pub fn add_grant(&self, spec: GrantSpec) {
        let mut state = self.lock();
        state.grants.counter += 1;
        let n = state.grants.counter;
        state.grants.kept.push((n, spec));
    }

    /// The consent sessions still kept, as (subject, client id).
    pub fn grants(&self) -> Vec<(String, String)> {
        let state = self.lock();
        let kept = state.grants.kept.iter();
        kept.map(|(_, g)| (g.subject.clone(), g.client_id.clone()))
            .collect()
    }

    /// Every revocation carried out: (subject, client id, or `*` for all of the subject's).
    pub fn revocations(&self) -> Vec<(String, String)> {
        self.lock().grants.revoked.clone()
    }

    /// The client is deleted: Hydra deletes its consent sessions with it.
    pub fn delete_client(&self, client_id: &str) {
        self.lock()
            .grants
            .kept
            .retain(|(_, g)| g.client_id != client_id);
    }

    /// Revocations for this subject fail with a 503 from now on.
    pub fn fail_revocations_of(&self, subject: &str) {
        self.lock().grants.failing.push(subject.into());
    }
}

fn params(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

fn param(params: &[(String, String)], name: &str) -> String {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// What every call does first: record it, apply the faults and check the API key.
async fn begin(req: &HttpRequest, data: &Shared) -> Option<HttpResponse> {
    record(data, req, None);
    interrupt(data, req).await
}

/// A page token as Hydra's look: long, opaque, base64url with its padding.
fn token(after: u64) -> String {
    format!("pT{after:040x}Zq==")
}

fn read_token(token: &str) -> Option<u64> {
    let hex = token.strip_prefix("pT")?.strip_suffix("Zq==")?;
    u64::from_str_radix(hex, 16).ok()
}

/// `<path?…>; rel="…"`: the request's query with the page's size and token, sorted by key and
/// form-encoded as Go's `url.Values.Encode` writes it.
fn link(req: &HttpRequest, rel: &str, size: usize, token: &str) -> String {
    let mut pairs: Vec<(String, String)> = params(req)
        .into_iter()
        .filter(|(k, _)| k != "page_size" && k != "page_token")
        .collect();
    pairs.push(("page_size".into(), size.to_string()));
    pairs.push(("page_token".into(), token.into()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("<{}?{query}>; rel=\"{rel}\"", req.path())
}

fn session_json(data: &Shared, n: u64, grant: &GrantSpec) -> Value {
    let mut client = client_json(&grant.client_id, &grant.client_name, &grant.logo_uri, false);
    client["client_uri"] = json!(grant.client_uri);
    client["policy_uri"] = json!(grant.policy_uri);
    client["tos_uri"] = json!(grant.tos_uri);
    let id = format!("c0ffee{n:026x}");
    let context = json!({ "identity_id": grant.subject });
    json!({
        "consent_request_id": id,
        "context": context,
        "grant_access_token_audience": [],
        "grant_scope": grant.scopes,
        "handled_at": grant.handled_at,
        "remember": grant.remember,
        "remember_for": grant.remember_for,
        "session": { "access_token": {}, "id_token": { "email": "ada@example.com" } },
        "consent_request": {
            "acr": "aal1",
            "amr": ["password"],
            "challenge": "",
            "client": versioned_client(data.version, client),
            "consent_request_id": id,
            "context": context,
            "login_challenge": format!("{:032x}", n + 0xabc),
            "login_session_id": grant.login_session_id,
            "oidc_context": {},
            "request_url": super::auth_request_url(&grant.client_id, &grant.scopes, &grant.auth_query),
            "requested_access_token_audience": [],
            "requested_scope": grant.scopes,
            "skip": false,
            "subject": grant.subject,
        }
    })
}

async fn list(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    if let Some(r) = begin(&req, &data).await {
        return r;
    }
    let params = params(&req);
    let subject = param(&params, "subject");
    if subject.is_empty() {
        return wire::invalid_request(
            "Query parameter 'subject' is not defined but should have been.",
        );
    }
    let size = param(&params, "page_size")
        .parse::<usize>()
        .ok()
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_SIZE)
        .min(MAX_SIZE);
    let asked = param(&params, "page_token");
    let after = if asked.is_empty() {
        0
    } else {
        match read_token(&asked) {
            Some(after) => after,
            None => return wire::invalid_request("Unable to parse pagination parameters."),
        }
    };
    let (page, more): (Vec<(u64, GrantSpec)>, bool) = {
        let state = data.lock();
        let mine: Vec<&(u64, GrantSpec)> = state
            .grants
            .kept
            .iter()
            .filter(|(n, g)| g.subject == subject && *n > after)
            .collect();
        let more = mine.len() > size;
        (mine.into_iter().take(size).cloned().collect(), more)
    };
    if page.is_empty() {
        // Hydra answers "none found" before it paginates: no Link header.
        return wire::ok(200, &json!([]));
    }
    let body: Vec<Value> = page
        .iter()
        .map(|(n, g)| session_json(&data, *n, g))
        .collect();
    let mut links = vec![link(&req, "first", size, &token_first())];
    if more {
        let last = page.last().map_or(0, |(n, _)| *n);
        links.push(link(&req, "next", size, &token(last)));
    }
    let mut response = wire::ok(200, &json!(body));
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&links.join(",")) {
        response
            .headers_mut()
            .insert(actix_web::http::header::LINK, value);
    }
    response
}

/// The first page's token: Hydra encrypts an empty key.
fn token_first() -> String {
    token(0)
}

async fn revoke(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    if let Some(r) = begin(&req, &data).await {
        return r;
    }
    let params = params(&req);
    let subject = param(&params, "subject");
    let client = param(&params, "client");
    let all = param(&params, "all") == "true";
    let consent_request_id = param(&params, "consent_request_id");
    let valid = consent_request_id.is_empty() && !subject.is_empty() && (client.is_empty() == all);
    if !valid {
        return wire::invalid_request("Invalid combination of query parameters.");
    }
    let mut state = data.lock();
    if state.grants.failing.contains(&subject) {
        return HttpResponse::ServiceUnavailable()
            .content_type("application/json")
            .body(r#"{"error":"server_error","error_description":"database unavailable"}"#);
    }
    state
        .grants
        .kept
        .retain(|(_, g)| g.subject != subject || (!all && g.client_id != client));
    let which = if all { "*".to_string() } else { client };
    state.grants.revoked.push((subject, which));
    HttpResponse::NoContent().finish()
}
