//! `/admin/oauth2/auth/requests/consent[/accept|/reject]`. Like login challenges, consent
//! challenges are sealed flows from v2.2 on: readable and acceptable until they expire, never 410.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::common::{Answer, back_to};
use super::login::client_json;
use super::wire::{self, ACCEPT_CONSENT_REQUEST, REQUEST_DENIED_ERROR};
use super::{FlowState, HydraVersion, Shared, begin};

#[derive(Debug, Clone)]
pub struct ConsentSpec {
    pub skip: bool,
    pub subject: String,
    pub client_id: String,
    pub client_name: String,
    pub logo_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
    pub skip_consent: bool,
    pub requested_scope: Vec<String>,
    pub audience: Vec<String>,
    /// The `context` field: `None` leaves it out, as Hydra does when the login set none.
    pub context: Option<Value>,
    /// The authorization request's `ui_locales` (space-separated there); empty when it had none.
    pub ui_locales: Vec<String>,
    /// More of the authorization request's query, e.g. `prompt=none`.
    pub auth_query: String,
}

impl Default for ConsentSpec {
    fn default() -> Self {
        Self {
            skip: false,
            subject: String::new(),
            client_id: "demo-client".into(),
            client_name: "Demo App".into(),
            logo_uri: String::new(),
            policy_uri: String::new(),
            tos_uri: String::new(),
            skip_consent: false,
            requested_scope: vec!["openid".into(), "profile".into(), "email".into()],
            audience: vec!["https://api.test".into()],
            context: None,
            ui_locales: vec![],
            auth_query: String::new(),
        }
    }
}

impl ConsentSpec {
    /// A consent request Hydra skips, for `subject`, who consented before; without the context a
    /// login leaves (another login app accepted the login).
    pub fn remembered(subject: &str) -> Self {
        Self {
            skip: true,
            subject: subject.into(),
            ..Self::default()
        }
    }
}

fn client(spec: &ConsentSpec) -> Value {
    let mut client = client_json(
        &spec.client_id,
        &spec.client_name,
        &spec.logo_uri,
        spec.skip_consent,
    );
    client["policy_uri"] = json!(spec.policy_uri);
    client["tos_uri"] = json!(spec.tos_uri);
    client
}

fn consent_request_url(spec: &ConsentSpec) -> String {
    let mut extra: Vec<String> = Vec::new();
    if !spec.ui_locales.is_empty() {
        extra.push(format!("ui_locales={}", spec.ui_locales.join("+")));
    }
    if !spec.auth_query.is_empty() {
        extra.push(spec.auth_query.clone());
    }
    super::auth_request_url(&spec.client_id, &spec.requested_scope, &extra.join("&"))
}

/// `oidc_context` as Hydra carries it over from the login request: only what the authorization
/// request had (every field is `omitempty`).
fn oidc_context(spec: &ConsentSpec) -> Value {
    let mut context = serde_json::Map::new();
    if !spec.ui_locales.is_empty() {
        context.insert("ui_locales".into(), json!(spec.ui_locales));
    }
    Value::Object(context)
}

pub(super) async fn get_consent(req: HttpRequest, data: web::Data<Shared>) -> HttpResponse {
    let challenge = match begin(&req, &data, "consent").await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let Some(flow) = data.lock().consents.get(&challenge).cloned() else {
        return wire::not_found();
    };
    let spec = &flow.spec;
    match flow.state {
        FlowState::Expired => wire::expired("consent"),
        FlowState::Handled => wire::ok(410, &json!({ "redirect_to": consent_request_url(spec) })),
        FlowState::Pending => {
            let mut body = json!({
                "challenge": challenge,
                "requested_scope": spec.requested_scope,
                "requested_access_token_audience": spec.audience,
                "skip": spec.skip,
                "subject": spec.subject,
                "oidc_context": oidc_context(spec),
                "client": super::versioned_client(data.version, client(spec)),
                "request_url": consent_request_url(spec),
                "login_challenge": "8f7e6d5c4b3a29180f1e2d3c4b5a6978",
                "login_session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b",
                "acr": "aal1",
                "amr": ["password"],
                // Present even when the login set none.
                "context": spec.context.clone().unwrap_or(Value::Null)
            });
            if data.version == HydraVersion::Lenient {
                body["consent_request_id"] = json!("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
            }
            wire::ok(200, &body)
        }
    }
}

/// `PUT …/consent/accept` and `…/consent/reject`; a reject is answered with Hydra's own URL too.
pub(super) async fn answer_consent(
    req: HttpRequest,
    body: web::Bytes,
    data: web::Data<Shared>,
) -> HttpResponse {
    let answer = Answer::of(&req);
    let challenge = match begin(&req, &data, "consent").await {
        Ok(challenge) => challenge,
        Err(response) => return response,
    };
    let (target, letter) = match answer {
        Answer::Accept => (&ACCEPT_CONSENT_REQUEST, 'v'),
        Answer::Reject => (&REQUEST_DENIED_ERROR, 'r'),
    };
    // Whatever the failure, the consent endpoints' unhelpful 400.
    let Ok(map) = wire::go_decode(&body, target, data.strict()) else {
        return wire::unrecognizable();
    };
    let Some(flow) = data.lock().consents.get(&challenge).cloned() else {
        return wire::not_found();
    };
    if flow.expired() {
        return wire::expired("consent");
    }
    let n = data.lock().consent_answers.record(answer, &challenge, map);
    let verifier = format!("{letter}{}x{n}", challenge.len());
    back_to(
        &consent_request_url(&flow.spec),
        "consent_verifier",
        &verifier,
    )
}
