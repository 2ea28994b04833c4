//! `/admin/oauth2/auth/requests/logout[/accept|/reject]` and the public `/oauth2/sessions/logout`.
//!
//! Released Hydra keeps logout requests in its database under UUID challenges: accept marks the
//! row accepted (its verifier is the same each time), reject marks it rejected (then GET answers
//! 404, while a later accept revives it), and only once the browser has used the verifier does GET
//! answer 410, with the request's own relative URL. Unknown rows are the database layer's 404.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::wire::{self, UNAUTHORIZED};
use super::{FlowState, LogoutFlow, Shared, begin};

#[derive(Debug, Clone, Default)]
pub struct LogoutSpec {
    pub subject: String,
    pub rp_initiated: bool,
    /// `None`: an OP-initiated logout, for which Hydra sends `client: null`.
    pub client: Option<(String, String, bool)>,
    /// Hydra's unreleased stateless challenge instead of the released UUID.
    pub aead_challenge: bool,
}

impl LogoutSpec {
    /// A logout request of the application `demo-client`, called `name`, registered with
    /// `skip_logout_consent` or not.
    pub fn of_client(name: &str, skip_logout_consent: bool) -> Self {
        Self {
            client: Some(("demo-client".into(), name.into(), skip_logout_consent)),
            ..Self::default()
        }
    }
}

/// The request URL as Hydra stores it: the public request's path and query, no origin.
fn logout_request_url(flow: &LogoutFlow) -> String {
    if flow.spec.rp_initiated {
        format!(
            "/oauth2/sessions/logout?id_token_hint={}\
             &post_logout_redirect_uri=https%3A%2F%2Fapp.test%2Fcallback%2Flogged-out&state=bye-state",
            super::ID_TOKEN_HINT
        )
    } else {
        "/oauth2/sessions/logout".into()
    }
}

fn expired() -> HttpResponse {
    wire::error(
        401,
        "request_unauthorized",
        &format!("{UNAUTHORIZED} The logout request has expired, please try the flow again."),
    )
}

pub(super) async fn get_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout").await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let Some(flow) = data.lock().logouts.get(&challenge).cloned() else {
        return wire::no_rows();
    };
    if flow.rejected {
        return wire::no_rows();
    }
    match flow.state {
        FlowState::Expired => expired(),
        FlowState::Handled => wire::ok(410, &json!({ "redirect_to": logout_request_url(&flow) })),
        FlowState::Pending => {
            let client = match &flow.spec.client {
                Some((id, name, skip)) => {
                    let mut client = super::login::client_json(id, name, "", false);
                    // Unset (`null`) unless the client was registered with it.
                    client["skip_logout_consent"] = if *skip { json!(true) } else { Value::Null };
                    super::versioned_client(data.version, client)
                }
                None => Value::Null,
            };
            // Hydra stores times only for the logouts it starts itself.
            let (requested_at, expires_at) = if flow.spec.rp_initiated {
                (Value::Null, Value::Null)
            } else {
                (json!("2026-11-21T21:00:00Z"), json!("2026-11-21T21:30:00Z"))
            };
            wire::ok(
                200,
                &json!({
                    "challenge": challenge,
                    "subject": flow.spec.subject,
                    "sid": "b8f1c6f0-7d5e-4c2a-9f3b-1a2b3c4d5e6f",
                    "request_url": logout_request_url(&flow),
                    "rp_initiated": flow.spec.rp_initiated,
                    "expires_at": expires_at,
                    "requested_at": requested_at,
                    "client": client
                }),
            )
        }
    }
}

/// Takes no body (Hydra ignores one) and answers with the flow's one verifier.
pub(super) async fn accept_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout").await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let mut state = data.lock();
    let public = state.public_url.clone();
    let Some(flow) = state.logouts.get_mut(&challenge) else {
        return wire::no_rows();
    };
    if let FlowState::Expired = flow.state {
        return expired();
    }
    flow.accepted = true;
    flow.rejected = false;
    let verifier = flow.verifier.clone();
    state.accepted_logouts.push(challenge.clone());
    wire::ok(
        200,
        &json!({
            "redirect_to": format!("{public}/oauth2/sessions/logout?logout_verifier={verifier}")
        }),
    )
}

pub(super) async fn reject_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "logout").await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let mut state = data.lock();
    let Some(flow) = state.logouts.get_mut(&challenge) else {
        return wire::not_found();
    };
    flow.rejected = true;
    flow.accepted = false;
    state.rejected_logouts.push(challenge);
    HttpResponse::NoContent()
        .insert_header(wire::NO_STORE)
        .finish()
}

/// Hydra's public logout endpoint, where the browser completes the logout with the verifier.
/// Hydra then redirects to the client's post-logout URL; with no client to go to, the fake shows a
/// page instead. A verifier that is unknown, not accepted or already used goes to the error URL.
pub(super) async fn public_logout(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let verifier = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "logout_verifier")
        .map(|(_, v)| v.into_owned());
    let completed = verifier.is_some_and(|verifier| {
        let mut state = data.lock();
        state
            .logouts
            .values_mut()
            .find(|f| f.verifier == verifier && f.accepted)
            .filter(|f| matches!(f.state, FlowState::Pending))
            .map(|f| {
                // The stateless challenges of newer Hydra stay readable after the logout.
                if !f.spec.aead_challenge {
                    f.state = FlowState::Handled;
                }
            })
            .is_some()
    });
    if !completed {
        return HttpResponse::Found()
            .insert_header((
                "Location",
                "https://app.test/error?error=Not+Found&error_description=Unable+to+locate+the+requested+resource",
            ))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("text/html")
        .body("<!doctype html><title>Logged out</title><p>Logged out of Hydra.</p>")
}
