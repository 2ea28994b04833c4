//! `/admin/oauth2/auth/requests/consent[/accept|/reject]`. Like login challenges, consent
//! challenges are sealed flows from v2.2 on: readable and acceptable until they expire, never 410.

use std::collections::HashMap;

use actix_web::HttpResponse;
use serde_json::{Value, json};

use super::common::{Answer, back_to};
use super::flow::{Answering, FlowSpec, unexpired};
use super::login::client_json;
use super::wire::{self, ACCEPT_CONSENT_REQUEST, GoStruct};
use super::{Flow, HydraVersion, Shared, State};

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

/// `oidc_context` as Hydra carries it over from the login request: only what the authorization
/// request had (every field is `omitempty`).
fn oidc_context(spec: &ConsentSpec) -> Value {
    let mut context = serde_json::Map::new();
    if !spec.ui_locales.is_empty() {
        context.insert("ui_locales".into(), json!(spec.ui_locales));
    }
    Value::Object(context)
}

impl FlowSpec for ConsentSpec {
    const NAME: &'static str = "consent";
    const ACCEPT: &'static GoStruct = &ACCEPT_CONSENT_REQUEST;

    /// The authorization request, with its `ui_locales` and the rest of its query.
    fn request_url(&self) -> String {
        let mut extra: Vec<String> = Vec::new();
        if !self.ui_locales.is_empty() {
            extra.push(format!("ui_locales={}", self.ui_locales.join("+")));
        }
        if !self.auth_query.is_empty() {
            extra.push(self.auth_query.clone());
        }
        super::auth_request_url(&self.client_id, &self.requested_scope, &extra.join("&"))
    }

    fn show(&self, challenge: &str, data: &Shared) -> HttpResponse {
        let mut body = json!({
            "challenge": challenge,
            "requested_scope": self.requested_scope,
            "requested_access_token_audience": self.audience,
            "skip": self.skip,
            "subject": self.subject,
            "oidc_context": oidc_context(self),
            "client": super::versioned_client(data.version, client(self)),
            "request_url": self.request_url(),
            "login_challenge": "8f7e6d5c4b3a29180f1e2d3c4b5a6978",
            "login_session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b",
            "acr": "aal1",
            "amr": ["password"],
            // Present even when the login set none.
            "context": self.context.clone().unwrap_or(Value::Null)
        });
        if data.version == HydraVersion::Lenient {
            body["consent_request_id"] = json!("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        }
        wire::ok(200, &body)
    }

    /// A reject is answered with Hydra's own URL too.
    fn answer(answering: Answering, data: &Shared) -> HttpResponse {
        // Whatever the failure, the consent endpoints' unhelpful 400.
        let Ok(map) = answering.body else {
            return wire::unrecognizable();
        };
        let challenge = answering.challenge;
        let spec = match unexpired::<Self>(data, &challenge) {
            Ok(spec) => spec,
            Err(response) => return *response,
        };
        let n = data
            .lock()
            .consent_answers
            .record(answering.answer, &challenge, map);
        let letter = match answering.answer {
            Answer::Accept => 'v',
            Answer::Reject => 'r',
        };
        let verifier = format!("{letter}{}x{n}", challenge.len());
        back_to(&spec.request_url(), "consent_verifier", &verifier)
    }

    fn flows(state: &State) -> &HashMap<String, Flow<Self>> {
        &state.consents
    }
}
