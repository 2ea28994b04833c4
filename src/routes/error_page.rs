//! `GET /error`: Hydra's `urls.error`. Explains an OAuth2 error in words; never shows debug text
//! unless `error.show_debug` is on.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::domain::params::QueryParams;
use crate::pages::{self, MessagePage};
use crate::routes::extract::Query;
use crate::routes::state::AppState;

/// The longest piece of an error parameter shown; the rest is cut.
const MAX_FIELD: usize = 1000;

/// A sentence a person understands, for the OAuth2 and OIDC error codes Hydra forwards.
pub fn explain(code: &str) -> &'static str {
    match code {
        "access_denied" => "The request was denied, by you or by the service.",
        "invalid_request" => "The application sent a request that could not be handled.",
        "invalid_client" | "unauthorized_client" => {
            "The application is not allowed to sign you in this way."
        }
        "invalid_scope" => "The application asked for permissions it may not have.",
        "unsupported_response_type"
        | "unsupported_grant_type"
        | "request_not_supported"
        | "request_uri_not_supported"
        | "registration_not_supported" => {
            "The application asked for a way of signing in that is not supported."
        }
        "invalid_request_uri" | "invalid_request_object" => {
            "The application sent an invalid request object."
        }
        "login_required" => "You need to sign in again.",
        "consent_required" => "Your permission is needed to continue.",
        "interaction_required" => "This sign-in needs you to take part in it.",
        "account_selection_required" => "Please choose an account to continue.",
        "request_unauthorized" => "This sign-in request has expired or is not allowed.",
        "request_forbidden" => "This request is not allowed.",
        "invalid_grant" | "invalid_token" => {
            "The sign-in could not be confirmed. Please start again."
        }
        "server_error" => "The sign-in service ran into a problem.",
        "temporarily_unavailable" => {
            "The sign-in service is temporarily unavailable. Please try again later."
        }
        _ => "Something prevented the sign-in from completing.",
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

/// The first value of a parameter; repeated ones are tolerated here, as this page only displays.
fn first<'a>(query: &'a QueryParams, name: &'static str) -> Option<&'a str> {
    query
        .all(name)
        .into_iter()
        .next()
        .map(clip)
        .filter(|v| !v.is_empty())
}

pub async fn show(Query(query): Query, state: web::Data<AppState>) -> HttpResponse {
    let code = first(&query, "error");
    let description = first(&query, "error_description");
    let hint = first(&query, "error_hint");
    let debug = first(&query, "error_debug").filter(|_| state.settings.error.show_debug);
    // Hydra folds the hint into the description; older formats send it apart.
    let detail = match (description, hint) {
        (Some(d), Some(h)) if !d.contains(h) => Some(format!("{d} {h}")),
        (Some(d), _) => Some(d.to_owned()),
        (None, Some(h)) => Some(h.to_owned()),
        (None, None) => None,
    };
    let status = status_for(code.unwrap_or(""));
    crate::telemetry::note("outcome", code.unwrap_or("no_code"));
    pages::render(
        status,
        &MessagePage {
            title: "Sign-in could not be completed",
            message: explain(code.unwrap_or("")),
            detail: detail.as_deref(),
            link: Some((state.settings.home_url().as_str(), "Back to the start")),
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
    fn clip_respects_char_boundaries() {
        let s = "é".repeat(800);
        assert!(clip(&s).len() <= MAX_FIELD);
        assert_eq!(clip("short"), "short");
    }
}
