//! Hydra's admin API as the bridge calls it: login, consent and logout requests (read, accepted,
//! rejected, unknown, without a challenge, with bodies Hydra cannot use, after the browser used the
//! verifier), the device flow's user-code accept, clients and readiness. The flows are real: a
//! browser (a cookie jar) goes through Hydra's public endpoints, and the bridge is never asked.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{Call, Recorder};
use crate::browser::AuthRequest;
use crate::device::device_auth;
use crate::stack::Stack;

pub const ADMIN: &str = "{hydra_admin}";
const DEVICE: &str = "/admin/oauth2/auth/requests/device/accept";
pub const SCOPE: &str = "openid offline_access email profile";
/// The subject the logins are accepted with (the api tests' identity id).
pub const SUBJECT: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";
/// A UUID no logout request has.
pub const NO_SUCH_UUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

/// One kind of request Hydra hands the bridge: where it is read, accepted and rejected, and the
/// parameter that carries its challenge.
pub struct Requests {
    pub kind: &'static str,
    pub path: &'static str,
    param: &'static str,
}

pub const LOGIN: Requests = Requests {
    kind: "login",
    path: "/admin/oauth2/auth/requests/login",
    param: "login_challenge",
};
pub const CONSENT: Requests = Requests {
    kind: "consent",
    path: "/admin/oauth2/auth/requests/consent",
    param: "consent_challenge",
};
pub const LOGOUT: Requests = Requests {
    kind: "logout",
    path: "/admin/oauth2/auth/requests/logout",
    param: "logout_challenge",
};

impl Requests {
    /// The fixture name `hydra_<kind>_<what>`.
    pub fn name(&self, what: &str) -> String {
        format!("hydra_{}_{what}", self.kind)
    }

    pub fn get(&self, challenge: &str) -> Call {
        Call::get(ADMIN, self.path).query(self.param, challenge)
    }

    pub fn accept(&self, challenge: &str, body: &str) -> Call {
        self.put("accept", challenge, Some(body))
    }

    pub fn reject(&self, challenge: &str, body: &str) -> Call {
        self.put("reject", challenge, Some(body))
    }

    /// `action` is `accept` or `reject`; `None` sends no body at all (the bridge's logout calls).
    pub fn put(&self, action: &str, challenge: &str, body: Option<&str>) -> Call {
        let call = Call::new(Method::PUT, ADMIN, &format!("{}/{action}", self.path))
            .query(self.param, challenge);
        match body {
            Some(body) => call.body(body),
            None => call,
        }
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("browser")
}

/// Opens `url` and returns where it redirects to.
pub async fn redirect(browser: &reqwest::Client, url: &str) -> String {
    let r = browser.get(url).send().await.expect("browser GET");
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    location.unwrap_or_else(|| panic!("GET {url}: {status} without a redirect"))
}

pub fn param(url: &str, name: &str) -> String {
    let url = url::Url::parse(url).expect("a URL");
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// The bridge's accept body: the subject, remembered, with what the session said.
pub fn accept_login_body() -> String {
    json!({
        "subject": SUBJECT,
        "remember": true,
        "remember_for": 3600,
        "acr": "aal1",
        "amr": ["password"],
        "identity_provider_session_id": "5e1d6b0c-0000-4000-8000-000000000001",
        "context": { "identity_id": SUBJECT }
    })
    .to_string()
}

pub fn accept_consent_body() -> String {
    json!({
        "grant_scope": ["openid", "offline_access", "email", "profile"],
        "grant_access_token_audience": [],
        "remember": true,
        "remember_for": 3600,
        "session": { "id_token": { "email": "ada@example.com" }, "access_token": {} }
    })
    .to_string()
}

pub const REJECT_BODY: &str =
    r#"{"error":"access_denied","error_description":"The resource owner denied the request"}"#;

/// Starts an authorization in `browser`; returns the login challenge.
pub async fn authorize(
    stack: &Stack,
    r: &mut Recorder,
    browser: &reqwest::Client,
    request: &AuthRequest,
) -> String {
    let to = redirect(browser, &request.url(stack)).await;
    let challenge = param(&to, "login_challenge");
    r.names.add(&challenge, "{login_challenge}");
    challenge
}

/// Follows an accept's `redirect_to`; returns where Hydra sends the browser next.
pub async fn follow(browser: &reqwest::Client, accepted: &Value) -> String {
    let to = accepted["redirect_to"].as_str().expect("redirect_to");
    redirect(browser, to).await
}

/// Follows an accepted login to the consent request Hydra makes of it; its challenge is named in
/// the fixtures from now on.
pub async fn consent_challenge(
    r: &mut Recorder,
    browser: &reqwest::Client,
    accepted: &Value,
) -> String {
    let challenge = param(&follow(browser, accepted).await, CONSENT.param);
    r.names.add(&challenge, "{consent_challenge}");
    challenge
}

/// Accepts `login` and then its consent as the bridge does, unrecorded; returns where the browser
/// ends up (the client's callback).
pub async fn pass_unrecorded(r: &Recorder, browser: &reqwest::Client, login: &str) -> String {
    let accepted = r.send(LOGIN.accept(login, &accept_login_body())).await;
    let consent = param(&follow(browser, &accepted).await, CONSENT.param);
    let accepted = r
        .send(CONSENT.accept(&consent, &accept_consent_body()))
        .await;
    follow(browser, &accepted).await
}

pub async fn record(stack: &Stack, r: &mut Recorder) {
    r.names.add(SUBJECT, "{subject}");
    r.record_all([
        (
            "hydra_health_ready",
            "Hydra admin readiness",
            Call::get(ADMIN, "/health/ready"),
        ),
        (
            "hydra_route_not_found",
            "an admin path no route serves",
            Call::get(ADMIN, "/admin/nonexistent"),
        ),
        (
            "hydra_method_not_allowed",
            "POST where only GET is served",
            Call::new(Method::POST, ADMIN, LOGIN.path).query("login_challenge", "abc"),
        ),
        (
            "hydra_method_not_allowed_put",
            "GET where only PUT is served",
            Call::get(ADMIN, &format!("{}/accept", LOGIN.path)).query("login_challenge", "abc"),
        ),
    ])
    .await;
    let client = stack.create_client("Demo App", SCOPE).await;
    r.names.add(&client, "{client_id}");
    r.record(
        "hydra_client_get_unknown",
        "an unknown client id",
        Call::get(ADMIN, "/admin/clients/no-such-client"),
    )
    .await;

    super::hydra_flows::login_and_consent(stack, r, &client).await;
    rejects(stack, r, &client).await;
    device(stack, r).await;
}

/// Rejects of `challenge`: bodies Hydra cannot use (the wrong type, none, then `unusable`), a
/// challenge it never issued, the bridge's reject and the same again.
async fn record_rejects(
    r: &mut Recorder,
    requests: &Requests,
    challenge: &str,
    unusable: &[(&str, &str, &str)],
) {
    let mut calls = vec![
        (
            "reject_wrong_type",
            "a reject body with a field of the wrong type",
            requests.reject(challenge, r#"{"error":1}"#),
        ),
        (
            "reject_empty_body",
            "a reject without a body",
            requests.reject(challenge, ""),
        ),
    ];
    calls.extend(
        unusable
            .iter()
            .map(|(what, about, body)| (*what, *about, requests.reject(challenge, body))),
    );
    calls.extend([
        (
            "reject_unknown",
            "rejecting a challenge Hydra never issued",
            requests.reject("abc", REJECT_BODY),
        ),
        (
            "reject",
            "the bridge's reject",
            requests.reject(challenge, REJECT_BODY),
        ),
        (
            "reject_again",
            "the same reject again",
            requests.reject(challenge, REJECT_BODY),
        ),
    ]);
    for (what, about, call) in calls {
        r.record(&requests.name(what), about, call).await;
    }
}

/// Rejected logins and consents.
async fn rejects(stack: &Stack, r: &mut Recorder, client: &str) {
    let browser = browser();
    let request = AuthRequest::new(client, SCOPE)
        .with("ui_locales", "de-AT fr")
        .with("acr_values", "aal2 aal1")
        .with("login_hint", "ada@example.com");
    let login = authorize(stack, r, &browser, &request).await;
    r.record(
        "hydra_login_get_oidc_context",
        "a login request with ui_locales, acr_values and login_hint",
        LOGIN.get(&login),
    )
    .await;
    let unknown_field = (
        "reject_unknown_field",
        "a reject body with a field Hydra does not know",
        r#"{"error":"access_denied","bogus":1}"#,
    );
    record_rejects(r, &LOGIN, &login, &[unknown_field]).await;

    let browser = self::browser();
    let login = authorize(stack, r, &browser, &AuthRequest::new(client, SCOPE)).await;
    let accepted = r
        .record(
            "hydra_login_accept_fresh",
            "accepting a login in another browser",
            LOGIN.accept(&login, &accept_login_body()),
        )
        .await;
    let consent = consent_challenge(r, &browser, &accepted.json).await;
    record_rejects(r, &CONSENT, &consent, &[]).await;
}

/// The device flow: a device asks for a code, the browser opens Hydra's verification URL.
async fn device(stack: &Stack, r: &mut Recorder) {
    let scope = "openid offline_access";
    let client = stack.create_device_client("Living Room TV", scope).await;
    r.names.add(&client, "{device_client_id}");
    let path = format!("/admin/clients/{client}");
    r.record(
        "hydra_client_get_device",
        "a device client",
        Call::get(ADMIN, &path),
    )
    .await;
    let answer = device_auth(stack, &client, scope).await;
    let user_code = answer.user_code;
    r.names.add(&user_code, "{user_code}");
    let to = redirect(&browser(), &answer.verification_uri).await;
    let challenge = param(&to, "device_challenge");
    r.names.add(&challenge, "{device_challenge}");
    let code = json!({ "user_code": user_code }).to_string();
    let accept = |c: &str, body: &str| Call::put(ADMIN, DEVICE, body).query("device_challenge", c);
    r.record(
        "hydra_device_accept_missing",
        "no device challenge",
        Call::put(ADMIN, DEVICE, &code),
    )
    .await;
    r.record(
        "hydra_device_accept_unknown",
        "a device challenge Hydra never issued",
        accept("abc", &code),
    )
    .await;
    r.record(
        "hydra_device_accept_wrong_code",
        "a user code Hydra never issued",
        accept(&challenge, r#"{"user_code":"wrongcod"}"#),
    )
    .await;
    r.record(
        "hydra_device_accept_empty_code",
        "an empty user code",
        accept(&challenge, r#"{"user_code":""}"#),
    )
    .await;
    r.record(
        "hydra_device_accept_empty_body",
        "no body at all",
        accept(&challenge, ""),
    )
    .await;
    r.record(
        "hydra_device_accept_challenge_alias",
        "the challenge as `challenge`, the alias the login and consent endpoints read",
        Call::put(ADMIN, DEVICE, &code).query("challenge", &challenge),
    )
    .await;
    r.record(
        "hydra_device_accept",
        "the right user code",
        accept(&challenge, &code),
    )
    .await;
    r.record(
        "hydra_device_accept_again",
        "the same user code again",
        accept(&challenge, &code),
    )
    .await;
}
