//! `/admin/oauth2/auth/requests/login[/accept|/reject]`.
//!
//! From v2.2 on, a login challenge is the sealed flow itself: Hydra keeps nothing per challenge, so
//! a challenge stays readable and acceptable (each accept minting a new verifier) until it expires,
//! and never answers 410. Hydra v2.1 kept flows in its database and answered 410 once the browser
//! had used the verifier.

use std::collections::HashMap;

use actix_web::HttpResponse;
use serde_json::{Value, json};

use super::common::{Answer, back_to, redirect_to};
use super::flow::{Answering, FlowSpec, unexpired};
use super::wire::{self, GoStruct, HANDLED_LOGIN_REQUEST};
use super::{Flow, HydraVersion, Shared, State};

#[derive(Debug, Clone)]
pub struct LoginSpec {
    pub skip: bool,
    pub subject: String,
    pub client_id: String,
    pub client_name: String,
    pub skip_consent: bool,
    /// Query of the original `/oauth2/auth` request, e.g. `prompt=login&max_age=60`.
    pub auth_query: String,
    pub requested_scope: Vec<String>,
    pub acr_values: Vec<String>,
    /// Send `oidc_context: null` (device flow) instead of an object.
    pub null_oidc_context: bool,
    /// `oidc_context.id_token_hint_claims`: the claims of the `id_token_hint` the application sent.
    pub id_token_hint_claims: Option<Value>,
    /// The client's `subject_type`: `public` or `pairwise`.
    pub subject_type: &'static str,
}

impl Default for LoginSpec {
    fn default() -> Self {
        Self {
            skip: false,
            subject: String::new(),
            client_id: "demo-client".into(),
            client_name: "Demo App".into(),
            skip_consent: false,
            auth_query: String::new(),
            requested_scope: vec!["openid".into(), "profile".into()],
            acr_values: vec![],
            null_oidc_context: false,
            id_token_hint_claims: None,
            subject_type: "public",
        }
    }
}

impl LoginSpec {
    /// A login request for an authorization request with this query (`prompt=login&max_age=60`).
    pub fn asking(auth_query: &str) -> Self {
        Self {
            auth_query: auth_query.into(),
            ..Self::default()
        }
    }

    /// A login request Hydra would skip: it remembers `subject` signed in.
    pub fn remembered(subject: &str, auth_query: &str) -> Self {
        Self {
            skip: true,
            subject: subject.into(),
            ..Self::asking(auth_query)
        }
    }
}

/// `oidc_context` as Hydra fills it from the authorization request: only what the request carried.
fn oidc_context(spec: &LoginSpec) -> Value {
    if spec.null_oidc_context {
        return Value::Null;
    }
    let mut context = serde_json::Map::new();
    if !spec.acr_values.is_empty() {
        context.insert("acr_values".into(), json!(spec.acr_values));
    }
    if let Some(claims) = &spec.id_token_hint_claims {
        context.insert("id_token_hint_claims".into(), claims.clone());
    }
    for (key, value) in url::form_urlencoded::parse(spec.auth_query.as_bytes()) {
        match key.as_ref() {
            "ui_locales" => {
                context.insert(key.into(), json!(value.split(' ').collect::<Vec<_>>()));
            }
            "display" | "login_hint" => {
                context.insert(key.into(), json!(value));
            }
            _ => {}
        }
    }
    Value::Object(context)
}

/// A client as the admin API shows it (sanitized: no secret).
pub(super) fn client_json(id: &str, name: &str, logo_uri: &str, skip_consent: bool) -> Value {
    json!({
        "client_id": id,
        "client_name": name,
        "redirect_uris": ["https://app.test/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "openid offline_access email profile",
        "audience": [],
        "owner": "",
        "policy_uri": "",
        "allowed_cors_origins": [],
        "tos_uri": "",
        "client_uri": "",
        "logo_uri": logo_uri,
        "contacts": [],
        "client_secret_expires_at": 0,
        "subject_type": "public",
        "jwks": {},
        "token_endpoint_auth_method": "none",
        "userinfo_signed_response_alg": "none",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00.123456Z",
        "post_logout_redirect_uris": ["https://app.test/callback/logged-out"],
        "metadata": {},
        "skip_consent": skip_consent,
        "skip_logout_consent": null,
        "authorization_code_grant_access_token_lifespan": null,
        "authorization_code_grant_id_token_lifespan": null,
        "authorization_code_grant_refresh_token_lifespan": null,
        "client_credentials_grant_access_token_lifespan": null,
        "implicit_grant_access_token_lifespan": null,
        "implicit_grant_id_token_lifespan": null,
        "jwt_bearer_grant_access_token_lifespan": null,
        "refresh_token_grant_id_token_lifespan": null,
        "refresh_token_grant_access_token_lifespan": null,
        "refresh_token_grant_refresh_token_lifespan": null
    })
}

/// A verifier for the n-th answer about a challenge: each accept or reject mints a new one.
fn verifier(challenge: &str, n: usize) -> String {
    let tail: String = challenge.chars().rev().take(32).collect();
    format!("{}{n}", tail.replace(['=', '-', '_'], "x"))
}

impl FlowSpec for LoginSpec {
    const NAME: &'static str = "login";
    const ACCEPT: &'static GoStruct = &HANDLED_LOGIN_REQUEST;

    fn request_url(&self) -> String {
        super::auth_request_url(&self.client_id, &self.requested_scope, &self.auth_query)
    }

    fn show(&self, challenge: &str, data: &Shared) -> HttpResponse {
        let mut client = super::versioned_client(
            data.version,
            client_json(&self.client_id, &self.client_name, "", self.skip_consent),
        );
        client["subject_type"] = json!(self.subject_type);
        wire::ok(
            200,
            &json!({
                "challenge": challenge,
                "requested_scope": self.requested_scope,
                "requested_access_token_audience": [],
                "skip": self.skip,
                "subject": self.subject,
                "oidc_context": oidc_context(self),
                "client": client,
                "request_url": self.request_url(),
                "session_id": "c3f1b9a6-5d2e-4e7f-8a1b-2c3d4e5f6a7b"
            }),
        )
    }

    /// Hydra's order: the challenge parameter, the body, the subject (of an accept), then the
    /// request itself. A reject is answered with Hydra's own URL too: Hydra sends the error on to
    /// the client itself.
    fn answer(answering: Answering, data: &Shared) -> HttpResponse {
        let Answering {
            answer,
            challenge,
            body,
        } = answering;
        let map = match body {
            Ok(map) => map,
            Err(e) => {
                return wire::invalid_request(&format!("Unable to decode body because: {e}"));
            }
        };
        let subject = map
            .get("subject")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if answer == Answer::Accept && subject.is_empty() {
            return wire::invalid_request("Field 'subject' must not be empty.");
        }
        let spec = match unexpired::<Self>(data, &challenge) {
            Ok(spec) => spec,
            Err(response) => return *response,
        };
        // Hydra compares with the remembered subject whenever there is one (only with skip, here).
        let other_subject =
            answer == Answer::Accept && !spec.subject.is_empty() && subject != spec.subject;
        if other_subject && data.version == HydraVersion::V2_1 {
            return wire::invalid_request(
                "Field 'subject' does not match subject from previous authentication.",
            );
        }
        let (n, hostile) = {
            let mut state = data.lock();
            let n = state.login_answers.record(answer, &challenge, map);
            (n, state.hostile_redirect.clone())
        };
        if other_subject {
            // v2.2+: not an error; the flow restarts with a forced login and no verifier.
            return redirect_to(&wire::set_query(&spec.request_url(), "prompt", "login"));
        }
        match hostile {
            Some(hostile) if answer == Answer::Accept => redirect_to(&hostile),
            _ => back_to(
                &spec.request_url(),
                "login_verifier",
                &verifier(&challenge, n),
            ),
        }
    }

    fn flows(state: &State) -> &HashMap<String, Flow<Self>> {
        &state.logins
    }
}
