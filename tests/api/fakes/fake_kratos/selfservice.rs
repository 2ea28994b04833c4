//! The public port: whoami and the browser flows. A browser flow the user would complete in the
//! self-service UI is reduced to its outcome: a new session cookie and a 303 to `return_to`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use time::OffsetDateTime;

use super::wire::{self, see_other, self_service_error, wants_json};
use super::{Shared, StoredSession, WhoamiCall, cookie_value, lock, session_json};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/alive", web::get().to(super::admin::health))
        .route("/health/ready", web::get().to(super::admin::health))
        .route("/sessions/whoami", web::get().to(whoami))
        .route("/self-service/login/browser", web::get().to(login_browser))
        .route(
            "/self-service/registration/browser",
            web::get().to(registration_browser),
        )
        .route(
            "/self-service/logout/browser",
            web::get().to(logout_browser),
        )
        .route("/self-service/logout", web::get().to(logout_with_token))
        // The admin API on the public port: Kratos points at the admin port.
        .route("/admin/identities/{tail:.*}", web::to(to_admin_port))
        .default_service(web::to(|| async { wire::page_not_found() }));
}

async fn to_admin_port(req: HttpRequest, data: Shared) -> HttpResponse {
    let admin = lock(&data).admin_url.clone();
    wire::temporary_redirect(&format!("{admin}{}", req.path()))
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// A browser flow's `return_to`: the UI's start page when none is given. Kratos refuses one outside
/// its allowed URLs with this error.
fn return_to(
    data: &Shared,
    params: &HashMap<String, String>,
    public: &str,
) -> Result<String, serde_json::Value> {
    let given = params.get("return_to");
    let return_to = given.cloned().unwrap_or_else(|| format!("{public}/ui/"));
    if !lock(data).return_to_allowed(given.map(String::as_str).unwrap_or("")) {
        return Err(wire::return_to_forbidden(&return_to));
    }
    Ok(return_to)
}

/// The browser's session cookie when it stands for an active session.
fn active_cookie(req: &HttpRequest, data: &Shared) -> Option<String> {
    match browser_session(req, data) {
        (Some(token), Some(_)) => Some(token),
        _ => None,
    }
}

/// The browser's session cookie and the active session it stands for.
fn browser_session(req: &HttpRequest, data: &Shared) -> (Option<String>, Option<StoredSession>) {
    let state = lock(data);
    let token = cookie_value(req, &state.cookie_name);
    let session = state.active_session(token.as_deref());
    (token, session)
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
    if let Some(r) = super::super::fault_response(fault).await {
        return r;
    }
    // Only the cookie: an `X-Session-Token` carries an API session token, which no cookie value is.
    let (_, session) = browser_session(&req, &data);
    let Some(session) = session else {
        let mut response = wire::no_session_credentials();
        response
            .headers_mut()
            .insert(actix_web::http::header::VARY, "Cookie".parse().unwrap());
        return response;
    };
    let public = lock(&data).public_url.clone();
    if session.aal2_required {
        let to = format!("{public}/self-service/login/browser?aal=aal2");
        let body = json!({
            "error": {
                "id": "session_aal2_required", "code": 403, "status": "Forbidden",
                "reason": "An active session was found but it does not fulfill the requested Authenticator Assurance Level. Please verify yourself with a second factor to resolve this issue.",
                "details": { "redirect_browser_to": to },
                "message": "Session does not fulfill the requested Authenticator Assurance Level"
            },
            "redirect_browser_to": to
        });
        return HttpResponse::Forbidden()
            .insert_header((
                "Cache-Control",
                "private, no-cache, no-store, must-revalidate",
            ))
            .insert_header(("Vary", "Cookie"))
            .content_type("application/json")
            .body(body.to_string());
    }
    let mut response = wire::ok(&session_json(&session, &public));
    let headers = response.headers_mut();
    headers.insert(actix_web::http::header::VARY, "Cookie".parse().unwrap());
    headers.insert(
        "x-kratos-authenticated-identity-id".parse().unwrap(),
        session.identity.id.parse().unwrap(),
    );
    response
}

/// `GET /self-service/login/browser`. With a session and neither `refresh` nor `aal`, straight back
/// to `return_to` (even when whoami would want a second factor). Otherwise the user signs in.
async fn login_browser(req: HttpRequest, data: Shared) -> HttpResponse {
    let params = query(&req);
    let (public, lazy) = {
        let mut state = lock(&data);
        state
            .login_browser_queries
            .push(req.query_string().to_owned());
        (state.public_url.clone(), state.lazy_refresh)
    };
    if params.contains_key("login_challenge") {
        // Kratos would run the Hydra flow itself (subject = UUID); the bridge must never ask for it.
        return self_service_error(
            &req,
            &public,
            json!({ "id": "invalid_configuration", "code": 500, "status": "Internal Server Error",
                "reason": "refusing to parse login_challenge query parameter because oauth2_provider.url is invalid or unset",
                "message": "Invalid configuration" }),
        );
    }
    let return_to = match return_to(&data, &params, &public) {
        Ok(return_to) => return_to,
        Err(refused) => return self_service_error(&req, &public, refused),
    };
    let refresh = params.get("refresh").is_some_and(|v| v == "true");
    let aal2 = params.get("aal").is_some_and(|v| v == "aal2");
    let (token, existing) = browser_session(&req, &data);
    if aal2 && existing.is_none() {
        return self_service_error(
            &req,
            &public,
            json!({ "id": "session_aal1_required", "code": 401, "status": "Unauthorized",
                "reason": "You can not requested a higher AAL (AAL2/AAL3) without an active session.",
                "message": "aal2 and aal3 can only be requested if a session exists already" }),
        );
    }
    if existing.is_some() && ((!refresh && !aal2) || lazy) {
        return see_other(&return_to, None);
    }
    let login_form = format!("{public}/ui/login?flow=56841e6f-347d-4486-a2c6-224ac69be536");
    // The user completes the form.
    let mut state = lock(&data);
    if state.forms_left {
        return see_other(&login_form, None);
    }
    let (token, mut session) = match (token, existing) {
        (Some(t), Some(s)) => (t, s),
        _ => {
            let Some(identity) = state.next_login.clone() else {
                // Nobody is set to sign in: the browser stays at the UI's form.
                return see_other(&login_form, None);
            };
            let n = state.next_id();
            let token = format!("MTc2NDI4NjUxOXxzZXNzaW9uLXRva2VuLXfreshlogin{n}");
            let session = StoredSession {
                id: format!("7a2c9d1e-0000-4000-8000-{n:012}"),
                identity,
                aal: 1,
                authenticated_at: OffsetDateTime::now_utc(),
                aal2_required: false,
                methods: vec![],
                lifespan_secs: 86_400,
                active: true,
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
    let cookie = wire::session_cookie(&state.cookie_name, &token, session.lifespan_secs);
    state.sessions.insert(token, session);
    see_other(&return_to, Some(cookie))
}

/// `GET /self-service/registration/browser`: to the registration form, or straight back with a
/// session.
async fn registration_browser(req: HttpRequest, data: Shared) -> HttpResponse {
    let params = query(&req);
    let (public, schemas) = {
        let state = lock(&data);
        (state.public_url.clone(), state.schemas.clone())
    };
    let return_to = match return_to(&data, &params, &public) {
        Ok(return_to) => return_to,
        Err(refused) => return self_service_error(&req, &public, refused),
    };
    if browser_session(&req, &data).1.is_some() {
        if wants_json(&req) {
            return self_service_error(
                &req,
                &public,
                json!({ "id": "session_already_available", "code": 400, "status": "Bad Request",
                    "reason": "A valid session was detected and thus registration is not possible.",
                    "message": "you are already logged in" }),
            );
        }
        return see_other(&return_to, None);
    }
    if let Some(schema) = params.get("identity_schema")
        && !schemas.contains(schema)
    {
        return self_service_error(
            &req,
            &public,
            json!({ "code": 400, "status": "Bad Request",
                "reason": format!("Requested identity schema \"{schema}\" does not exist."),
                "message": "The request was malformed or contained invalid parameters" }),
        );
    }
    see_other(
        &format!("{public}/ui/registration?flow=78a17625-6ba9-43bc-af6b-ec6e83d73de3"),
        None,
    )
}

/// `GET /self-service/logout/browser`: a logout URL for the browser, bound to its session.
async fn logout_browser(req: HttpRequest, data: Shared) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let fault = {
        let mut state = lock(&data);
        state
            .logout_browser_calls
            .push((header("cookie"), header("accept")));
        state
            .logout_fault
            .clone()
            .or_else(|| state.next_fault(req.path()))
    };
    if let Some(r) = super::super::fault_response(fault).await {
        return r;
    }
    let params = query(&req);
    let return_to = params.get("return_to").cloned().unwrap_or_default();
    let public = lock(&data).public_url.clone();
    let Some(token) = active_cookie(&req, &data) else {
        return self_service_error(&req, &public, wire::session_inactive());
    };
    if !lock(&data).return_to_allowed(&return_to) {
        return self_service_error(&req, &public, wire::return_to_forbidden(&return_to));
    }
    let logout_token = {
        let mut state = lock(&data);
        let known = state
            .logout_tokens
            .iter()
            .find(|(_, t)| **t == token)
            .map(|(k, _)| k.clone());
        known.unwrap_or_else(|| {
            let n = state.next_id();
            let fresh = format!("ory_lo_xgQdX35OyEONRB6a5d2wkDGE2US{n:05}");
            state.logout_tokens.insert(fresh.clone(), token);
            fresh
        })
    };
    // Go's query encoding: keys sorted, so return_to comes before token.
    let mut url = url::Url::parse(&format!("{public}/self-service/logout")).unwrap();
    if !return_to.is_empty() {
        url.query_pairs_mut().append_pair("return_to", &return_to);
    }
    url.query_pairs_mut().append_pair("token", &logout_token);
    wire::self_service(StatusCode::OK)
        .content_type("application/json; charset=utf-8")
        .body(json!({ "logout_url": url.as_str(), "logout_token": logout_token }).to_string())
}

/// `GET /self-service/logout?token=…`: the browser ends its session; the token must match its cookie.
async fn logout_with_token(req: HttpRequest, data: Shared) -> HttpResponse {
    let params = query(&req);
    let public = lock(&data).public_url.clone();
    let Some(token) = active_cookie(&req, &data) else {
        return self_service_error(&req, &public, wire::session_inactive());
    };
    let mut state = lock(&data);
    let bound = params
        .get("token")
        .and_then(|t| state.logout_tokens.get(t))
        .is_some_and(|t| *t == token);
    if !bound {
        drop(state);
        return self_service_error(
            &req,
            &public,
            json!({ "code": 403, "status": "Forbidden",
                "reason": "Unable to log out because the logout token in the URL query does not match the session cookie.",
                "message": "The requested action was forbidden" }),
        );
    }
    if let Some(session) = state.sessions.get_mut(&token) {
        session.active = false;
    }
    let cleared = wire::cleared_session_cookie(&state.cookie_name);
    drop(state);
    if wants_json(&req) {
        return wire::self_service(StatusCode::NO_CONTENT)
            .append_header(("Set-Cookie", cleared))
            .finish();
    }
    let to = params
        .get("return_to")
        .cloned()
        .unwrap_or_else(|| format!("{public}/ui/login"));
    see_other(&to, Some(cleared))
}
