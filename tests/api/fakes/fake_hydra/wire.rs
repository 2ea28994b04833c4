//! How Hydra's admin API words its answers, as Hydra v2.3.0 sends them: the error bodies, Go's JSON
//! decoding (strict about unknown fields, lenient about `null`) and its URL rewriting.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// The prefix fosite puts before every `invalid_request` hint.
pub const INVALID_REQUEST: &str = "The request is missing a required parameter, includes an invalid \
parameter value, includes a parameter more than once, or is otherwise malformed.";
/// The prefix of every `request_unauthorized` (expired request) description.
pub const UNAUTHORIZED: &str = "The request could not be authorized.";

/// What Hydra's API answers (not its health or 404/405 pages) carry.
pub const NO_STORE: (&str, &str) = (
    "Cache-Control",
    "private, no-cache, no-store, must-revalidate",
);

/// `{"error": …, "error_description": …}` with Hydra's error `Content-Type` (no charset).
pub fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).expect("a valid status"))
        .insert_header(NO_STORE)
        .content_type("application/json")
        .body(json!({ "error": error, "error_description": description }).to_string())
}

/// A success answer: Hydra's writer adds a charset.
pub fn ok(status: u16, body: &Value) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).expect("a valid status"))
        .insert_header(NO_STORE)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

pub fn invalid_request(hint: &str) -> HttpResponse {
    error(400, "invalid_request", &format!("{INVALID_REQUEST} {hint}"))
}

/// 404 for an unknown, garbled or foreign login or consent challenge (and an unknown logout reject).
pub fn not_found() -> HttpResponse {
    error(404, "Not Found", "Unable to locate the requested resource")
}

/// 404 for a logout challenge no row matches (GET and accept): the database layer's own error.
pub fn no_rows() -> HttpResponse {
    error(404, "Unable to locate the resource", "")
}

/// 401 for a login or consent request older than `ttl.login_consent_request`.
pub fn expired(flow: &str) -> HttpResponse {
    error(
        401,
        "request_unauthorized",
        &format!("{UNAUTHORIZED} The {flow} request has expired, please try again."),
    )
}

/// What the consent endpoints answer for any body they cannot decode.
pub fn unrecognizable() -> HttpResponse {
    error(400, "error", "The error is unrecognizable")
}

/// An admin path no route serves: Hydra's HTML "route not found" page.
pub fn route_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(
            "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n    \
             <title>404 - Route not found</title>\n  </head>\n  <body translate=\"no\">\n    \
             <div id=\"main\">\n      <div class=\"fof\">\n        <h1>Error 404</h1>\n        <p>\n          \
             The requested route does not exist. Make sure you are using the right\n          \
             path, domain, and port.\n        </p>\n      </div>\n    </div>\n  </body>\n</html>\n",
        )
}

/// A known path with another method.
pub fn method_not_allowed(allow: &str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header(("Allow", allow))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body("Method Not Allowed")
}

/// Hydra v25.4+: an admin path no route serves, as Go's router answers it.
pub fn go_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header(NO_STORE)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body("404 page not found\n")
}

/// Hydra v25.4+: a known path with another method, as Go's router answers it.
pub fn go_method_not_allowed(allow: &str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header(NO_STORE)
        .insert_header(("Allow", allow))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .content_type("text/plain; charset=utf-8")
        .body("Method Not Allowed\n")
}

/// The Go type of one field of a request body Hydra decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoType {
    String,
    Bool,
    Int,
    /// `sqlxx.StringSliceJSONFormat` (`amr`).
    StringSlice,
    /// `time.Time`, as an RFC 3339 string.
    Time,
    /// `acceptOAuth2ConsentRequestSession`: `id_token` and `access_token`, each an object.
    ConsentSession,
    /// `json.RawMessage` and the like: any JSON.
    Any,
}

impl GoType {
    fn name(self) -> &'static str {
        match self {
            GoType::String => "string",
            GoType::Bool => "bool",
            GoType::Int => "int",
            GoType::StringSlice => "sqlxx.StringSliceJSONFormat",
            GoType::Time => "sqlxx.NullTime",
            GoType::ConsentSession => "flow.AcceptOAuth2ConsentRequestSession",
            GoType::Any => "json.RawMessage",
        }
    }

    fn accepts(self, value: &Value, strict: bool) -> bool {
        match self {
            GoType::String => value.is_string(),
            GoType::Bool => value.is_boolean(),
            GoType::Int => value.is_i64() || value.is_u64(),
            GoType::StringSlice => value
                .as_array()
                .is_some_and(|a| a.iter().all(|v| v.is_string() || v.is_null())),
            GoType::Time => value
                .as_str()
                .is_some_and(|t| time::OffsetDateTime::parse(t, &Rfc3339).is_ok()),
            GoType::ConsentSession => value.as_object().is_some_and(|s| {
                s.iter().all(|(k, v)| {
                    let known = k == "id_token" || k == "access_token";
                    (known && (v.is_object() || v.is_null())) || (!known && !strict)
                })
            }),
            GoType::Any => true,
        }
    }
}

/// A Go struct as `encoding/json` with `DisallowUnknownFields` sees it. All of them are in Hydra's
/// `flow` package, which Go's messages name for a body that is not an object.
pub struct GoStruct {
    /// `HandledLoginRequest`, as in Go's messages.
    pub name: &'static str,
    pub fields: &'static [(&'static str, GoType)],
}

pub const HANDLED_LOGIN_REQUEST: GoStruct = GoStruct {
    name: "HandledLoginRequest",
    fields: &[
        ("subject", GoType::String),
        ("remember", GoType::Bool),
        ("remember_for", GoType::Int),
        ("extend_session_lifespan", GoType::Bool),
        ("acr", GoType::String),
        ("amr", GoType::StringSlice),
        ("context", GoType::Any),
        ("force_subject_identifier", GoType::String),
        ("identity_provider_session_id", GoType::String),
    ],
};

pub const ACCEPT_CONSENT_REQUEST: GoStruct = GoStruct {
    name: "AcceptOAuth2ConsentRequest",
    fields: &[
        ("grant_scope", GoType::StringSlice),
        ("grant_access_token_audience", GoType::StringSlice),
        ("remember", GoType::Bool),
        ("remember_for", GoType::Int),
        ("session", GoType::ConsentSession),
        ("context", GoType::Any),
        // Dropped in v25.4, whose decoding ignores unknown fields anyway.
        ("handled_at", GoType::Time),
    ],
};

pub const REQUEST_DENIED_ERROR: GoStruct = GoStruct {
    name: "RequestDeniedError",
    fields: &[
        ("error", GoType::String),
        ("error_description", GoType::String),
        ("error_hint", GoType::String),
        ("error_debug", GoType::String),
        ("status_code", GoType::Int),
    ],
};

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// Decodes a body as Go does: `null` (and a `null` field) is the zero value, an empty body is `EOF`,
/// a wrong type names the Go field, and with `strict` an unknown field is refused. The error is
/// Go's message, which Hydra puts after "Unable to decode body because: ".
pub fn go_decode(
    body: &[u8],
    target: &GoStruct,
    strict: bool,
) -> Result<serde_json::Map<String, Value>, String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err("EOF".into());
    }
    let value: Value = serde_json::from_str(trimmed).map_err(|e| {
        let first = trimmed.chars().next().unwrap_or(' ');
        if e.is_eof() {
            "unexpected EOF".to_string()
        } else if !"{[\"tfn-0123456789".contains(first) {
            format!("invalid character '{first}' looking for beginning of value")
        } else if first == '{' {
            let second = trimmed[1..].trim_start().chars().next().unwrap_or(' ');
            format!("invalid character '{second}' looking for beginning of object key string")
        } else {
            format!("invalid character in JSON: {e}")
        }
    })?;
    let map = match value {
        Value::Null => serde_json::Map::new(),
        Value::Object(map) => map,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type flow.{}",
                json_kind(&other),
                target.name
            ));
        }
    };
    for (key, value) in &map {
        match target.fields.iter().find(|(name, _)| name == key) {
            None if strict => return Err(format!("json: unknown field '{key}'")),
            None => {}
            Some(_) if value.is_null() => {}
            Some((name, ty)) if !ty.accepts(value, strict) => {
                let what = match (ty, value) {
                    (GoType::Int, Value::Number(n)) => format!("number {n}"),
                    _ => json_kind(value).to_string(),
                };
                return Err(format!(
                    "json: cannot unmarshal {what} into Go struct field {}.{name} of type {}",
                    target.name,
                    ty.name()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(map)
}

/// `urlx.SetQuery`: sets `key` (replacing any value it had) and re-encodes the query the way Go's
/// `url.Values.Encode` does, sorted by key.
pub fn set_query(url: &str, key: &str, value: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != key)
        .collect();
    pairs.push((key.to_string(), value.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}
