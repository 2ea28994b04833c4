//! `GET /error`: Hydra's `urls.error`. Explains an OAuth2 error in words; never shows debug text
//! unless `error.show_debug` is on.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::pages::{self, MessagePage, Page};
use crate::routes::params::{Query, first};
use crate::routes::state::AppState;

/// The longest piece of an error parameter shown; the rest is cut.
const MAX_FIELD: usize = 1000;

/// The OAuth2 and OIDC error codes the page knows, as the log names them.
const KNOWN_CODES: &[&str] = &[
    "access_denied",
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "invalid_scope",
    "unsupported_response_type",
    "unsupported_grant_type",
    "request_not_supported",
    "request_uri_not_supported",
    "registration_not_supported",
    "invalid_request_uri",
    "invalid_request_object",
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
    "request_unauthorized",
    "request_forbidden",
    "invalid_grant",
    "invalid_token",
    "server_error",
    "temporarily_unavailable",
];

/// The code as the log line carries it: a known one, else `other`. The link is anyone's to write,
/// so nothing of it reaches the log unchecked.
pub fn logged_code(code: &str) -> &'static str {
    KNOWN_CODES
        .iter()
        .find(|known| **known == code)
        .copied()
        .unwrap_or("other")
}

/// The message id of a sentence a person understands, for the OAuth2 and OIDC error codes Hydra
/// forwards.
pub fn explain(code: &str) -> &'static str {
    match code {
        "access_denied" => "oauth-access_denied",
        "invalid_request" => "oauth-invalid_request",
        "invalid_client" | "unauthorized_client" => "oauth-invalid_client",
        "invalid_scope" => "oauth-invalid_scope",
        "unsupported_response_type"
        | "unsupported_grant_type"
        | "request_not_supported"
        | "request_uri_not_supported"
        | "registration_not_supported" => "oauth-unsupported",
        "invalid_request_uri" | "invalid_request_object" => "oauth-invalid_request_object",
        "login_required" => "oauth-login_required",
        "consent_required" => "oauth-consent_required",
        "interaction_required" => "oauth-interaction_required",
        "account_selection_required" => "oauth-account_selection_required",
        "request_unauthorized" => "oauth-request_unauthorized",
        "request_forbidden" => "oauth-request_forbidden",
        "invalid_grant" | "invalid_token" => "oauth-invalid_grant",
        "server_error" => "oauth-server_error",
        "temporarily_unavailable" => "oauth-temporarily_unavailable",
        _ => "oauth-other",
    }
}

fn status_for(code: &str) -> StatusCode {
    match code {
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn clip(value: &str) -> &str {
    if value.len() <= MAX_FIELD {
        return value;
    }
    let mut cut = MAX_FIELD;
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    &value[..cut]
}

/// What Hydra puts in the link to this page. A repeated parameter is tolerated here, as this page
/// only displays: the first value is shown.
#[derive(serde::Deserialize)]
pub struct ErrorLink {
    #[serde(default, deserialize_with = "first")]
    error: Option<String>,
    #[serde(default, deserialize_with = "first")]
    error_description: Option<String>,
    #[serde(default, deserialize_with = "first")]
    error_hint: Option<String>,
    #[serde(default, deserialize_with = "first")]
    error_debug: Option<String>,
}

/// A parameter's value as shown: cut to [`MAX_FIELD`], and none when empty.
fn shown(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(clip).filter(|v| !v.is_empty())
}

pub async fn show(
    page: Page,
    Query(link): Query<ErrorLink>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let code = shown(&link.error);
    let description = shown(&link.error_description);
    let hint = shown(&link.error_hint);
    let debug = shown(&link.error_debug).filter(|_| state.settings.error.show_debug);
    // Hydra folds the hint into the description; older formats send it apart.
    let detail = match (description, hint) {
        (Some(d), Some(h)) if !d.contains(h) => Some(format!("{d} {h}")),
        (Some(d), _) => Some(d.to_owned()),
        (None, Some(h)) => Some(h.to_owned()),
        (None, None) => None,
    };
    let status = status_for(code.unwrap_or(""));
    match code {
        Some(code) => crate::telemetry::notes([
            ("outcome", "oauth_error"),
            ("oauth_error", logged_code(code)),
        ]),
        None => crate::telemetry::note("outcome", "no_code"),
    }
    let t = page.t();
    pages::render(
        status,
        &MessagePage {
            page: &page,
            title: &t.text("oauth-title"),
            message: &t.text(explain(code.unwrap_or(""))),
            detail: detail.as_deref(),
            link: Some((state.settings.home_url().as_str(), &t.text("oauth-home"))),
            status: status.as_u16(),
            code,
            debug,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_have_their_own_sentence() {
        let generic = explain("nope");
        for code in [
            "access_denied",
            "invalid_request",
            "invalid_scope",
            "login_required",
            "server_error",
        ] {
            assert_ne!(explain(code), generic, "{code}");
        }
    }

    #[test]
    fn only_known_codes_reach_the_log() {
        for code in KNOWN_CODES {
            assert_eq!(logged_code(code), *code);
            // Each known code has its sentence, or shares the generic one on purpose.
            let _ = explain(code);
        }
        for text in [
            "",
            "nope",
            "access_denied ",
            "ACCESS_DENIED",
            "x\"y",
            "a\nb",
        ] {
            assert_eq!(logged_code(text), "other", "{text:?}");
        }
        // Every code with its own sentence is a known one.
        for code in [
            "login_required",
            "server_error",
            "invalid_grant",
            "invalid_token",
        ] {
            assert_ne!(explain(code), "oauth-other");
            assert_eq!(logged_code(code), code);
        }
    }

    #[test]
    fn clip_respects_char_boundaries() {
        let s = "é".repeat(800);
        assert!(clip(&s).len() <= MAX_FIELD);
        assert_eq!(clip("short"), "short");
    }
}
