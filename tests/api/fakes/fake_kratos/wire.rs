//! How Kratos words its answers: herodot error bodies, its cookies, and the self-service rule that an
//! error is JSON only for a client that asked for JSON, and otherwise a redirect to the error UI.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// The CSRF cookie Kratos sets on every self-service answer.
const CSRF_COOKIE: &str =
    "csrf_token_21bf23e61204fb4143d020db5bbad15d61077c810ad1d70a51b055ed34f4d658";

/// `{"error": {...}}` with Kratos's error `Content-Type` (no charset).
pub fn error(status: u16, body: Value) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).expect("a valid status"))
        .insert_header((
            "Cache-Control",
            "private, no-cache, no-store, must-revalidate",
        ))
        .content_type("application/json")
        .body(json!({ "error": body }).to_string())
}

/// A success answer: Kratos's writer adds a charset.
pub fn ok(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            "Cache-Control",
            "private, no-cache, no-store, must-revalidate",
        ))
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

/// 404 for an identity or session no row matches (also for an identity id that is no UUID).
pub fn no_rows() -> HttpResponse {
    error(
        404,
        json!({ "code": 404, "status": "Not Found", "message": "Unable to locate the resource" }),
    )
}

/// 404 from the router: a path no route serves.
pub fn page_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body("404 page not found")
}

/// 307 to where a route lives on the other port (or under `/admin`).
pub fn temporary_redirect(location: &str) -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header(("Location", location))
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<a href=\"{location}\">Temporary Redirect</a>.\n\n"
        ))
}

/// Whoami without a usable session (no cookie, unknown, expired, revoked, inactive identity).
pub fn no_session_credentials() -> HttpResponse {
    error(
        401,
        json!({ "code": 401, "status": "Unauthorized",
            "reason": "No valid session credentials found in the request.",
            "message": "The request could not be authorized" }),
    )
}

pub fn session_inactive() -> Value {
    json!({ "id": "session_inactive", "code": 401, "status": "Unauthorized",
        "reason": "No active session was found in this request.",
        "message": "request does not have a valid authentication session" })
}

pub fn return_to_forbidden(return_to: &str) -> Value {
    json!({ "id": "self_service_flow_return_to_forbidden", "code": 400, "status": "Bad Request",
        "reason": format!("Requested return_to URL \"{return_to}\" is not allowed."),
        "message": "The request was malformed or contained invalid parameters" })
}

pub fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// A self-service answer: the CSRF cookie, and `Vary: Cookie`.
pub fn self_service(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header(("Cache-Control", "private, no-cache, no-store, must-revalidate"))
        .insert_header(("Vary", "Cookie"))
        .append_header((
            "Set-Cookie",
            format!("{CSRF_COOKIE}=9ycooed8giXFiKdhnFwXOfCnmQec5bxyujsRLPaNbHM=; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"),
        ));
    builder
}

/// 303 See Other with Go's little HTML body, and the cookie to set (if any) after the CSRF one.
pub fn see_other(location: &str, cookie: Option<String>) -> HttpResponse {
    let mut builder = self_service(StatusCode::SEE_OTHER);
    builder
        .insert_header(("Location", location))
        .content_type("text/html; charset=utf-8");
    if let Some(cookie) = cookie {
        builder.append_header(("Set-Cookie", cookie));
    }
    builder.body(format!(
        "<a href=\"{}\">See Other</a>.\n\n",
        html_escape(location)
    ))
}

/// Go's `html.EscapeString`.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&#39;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
}

/// A self-service error: JSON for a client that asked for it, else the browser goes to the error UI.
pub fn self_service_error(req: &HttpRequest, public_url: &str, body: Value) -> HttpResponse {
    if wants_json(req) {
        let status = body["code"].as_u64().unwrap_or(500) as u16;
        return self_service(StatusCode::from_u16(status).expect("a valid status"))
            .content_type("application/json")
            .body(json!({ "error": body }).to_string());
    }
    see_other(
        &format!("{public_url}/ui/error?id=39af3945-4f46-4ee6-a112-7f61b1dfdb1f"),
        None,
    )
}

/// The session cookie as Kratos sets it after a sign-in.
pub fn session_cookie(name: &str, value: &str, lifespan_secs: i64) -> String {
    // Kratos's Max-Age is the remaining lifespan, a second short of it by the time it is written.
    let max_age = lifespan_secs - 1;
    let expires = http_date(OffsetDateTime::now_utc() + time::Duration::seconds(max_age));
    format!("{name}={value}; Path=/; Expires={expires}; Max-Age={max_age}; HttpOnly; SameSite=Lax")
}

/// The cookie that ends the session in the browser: a new value, expired.
pub fn cleared_session_cookie(name: &str) -> String {
    format!(
        "{name}=MTc2NDI4NjUxOXxjbGVhcmVk; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax"
    )
}

fn http_date(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&format).expect("an HTTP date")
}
