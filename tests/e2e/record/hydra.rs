//! Hydra's admin API as the bridge calls it: login, consent and logout requests (read, accepted,
//! rejected, unknown, without a challenge, with bodies Hydra cannot use, after the browser used the
//! verifier), the device flow's user-code accept, clients and readiness. The flows are real: a
//! browser (a cookie jar) goes through Hydra's public endpoints, and the bridge is never asked.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{Call, Recorder};
use crate::browser::AuthRequest;
use crate::stack::Stack;

pub const ADMIN: &str = "{hydra_admin}";
pub const LOGIN: &str = "/admin/oauth2/auth/requests/login";
pub const CONSENT: &str = "/admin/oauth2/auth/requests/consent";
pub const LOGOUT: &str = "/admin/oauth2/auth/requests/logout";
const DEVICE: &str = "/admin/oauth2/auth/requests/device/accept";
pub const SCOPE: &str = "openid offline_access email profile";
/// The subject the logins are accepted with (the api tests' identity id).
pub const SUBJECT: &str = "9f425a8d-7efc-4768-8f23-7647a74fdf13";
/// A UUID no logout request has.
pub const NO_SUCH_UUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

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

const REJECT_BODY: &str =
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
pub async fn follow(browser: &reqwest::Client, redirect_to: &str) -> String {
    redirect(browser, redirect_to).await
}

pub async fn record(stack: &Stack, r: &mut Recorder) {
    r.names.add(SUBJECT, "{subject}");
    r.record(
        "hydra_health_ready",
        "Hydra admin readiness",
        Call::get(ADMIN, "/health/ready"),
    )
    .await;
    r.record(
        "hydra_route_not_found",
        "an admin path no route serves",
        Call::get(ADMIN, "/admin/nonexistent"),
    )
    .await;
    r.record(
        "hydra_method_not_allowed",
        "POST where only GET is served",
        Call::new(Method::POST, ADMIN, LOGIN).query("login_challenge", "abc"),
    )
    .await;
    r.record(
        "hydra_method_not_allowed_put",
        "GET where only PUT is served",
        Call::get(ADMIN, &format!("{LOGIN}/accept")).query("login_challenge", "abc"),
    )
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
        Call::get(ADMIN, LOGIN).query("login_challenge", &login),
    )
    .await;
    let reject = |c: &str, body: &str| {
        Call::put(ADMIN, &format!("{LOGIN}/reject"), body).query("login_challenge", c)
    };
    r.record(
        "hydra_login_reject_wrong_type",
        "a reject body with a field of the wrong type",
        reject(&login, r#"{"error":1}"#),
    )
    .await;
    r.record(
        "hydra_login_reject_empty_body",
        "a reject without a body",
        reject(&login, ""),
    )
    .await;
    r.record(
        "hydra_login_reject_unknown_field",
        "a reject body with a field Hydra does not know",
        reject(&login, r#"{"error":"access_denied","bogus":1}"#),
    )
    .await;
    r.record(
        "hydra_login_reject_unknown",
        "rejecting a challenge Hydra never issued",
        reject("abc", REJECT_BODY),
    )
    .await;
    r.record(
        "hydra_login_reject",
        "the bridge's reject",
        reject(&login, REJECT_BODY),
    )
    .await;
    r.record(
        "hydra_login_reject_again",
        "the same reject again",
        reject(&login, REJECT_BODY),
    )
    .await;

    let browser = self::browser();
    let login = authorize(stack, r, &browser, &AuthRequest::new(client, SCOPE)).await;
    let accepted = r
        .record(
            "hydra_login_accept_fresh",
            "accepting a login in another browser",
            Call::put(ADMIN, &format!("{LOGIN}/accept"), &accept_login_body())
                .query("login_challenge", &login),
        )
        .await;
    let to = follow(
        &browser,
        accepted.json["redirect_to"].as_str().expect("redirect_to"),
    )
    .await;
    let consent = param(&to, "consent_challenge");
    r.names.add(&consent, "{consent_challenge}");
    let reject = |c: &str, body: &str| {
        Call::put(ADMIN, &format!("{CONSENT}/reject"), body).query("consent_challenge", c)
    };
    r.record(
        "hydra_consent_reject_wrong_type",
        "a reject body with a field of the wrong type",
        reject(&consent, r#"{"error":1}"#),
    )
    .await;
    r.record(
        "hydra_consent_reject_empty_body",
        "a reject without a body",
        reject(&consent, ""),
    )
    .await;
    r.record(
        "hydra_consent_reject_unknown",
        "rejecting a challenge Hydra never issued",
        reject("abc", REJECT_BODY),
    )
    .await;
    r.record(
        "hydra_consent_reject",
        "the bridge's reject",
        reject(&consent, REJECT_BODY),
    )
    .await;
    r.record(
        "hydra_consent_reject_again",
        "the same reject again",
        reject(&consent, REJECT_BODY),
    )
    .await;
}

/// The device flow: a device asks for a code, the browser opens Hydra's verification URL.
async fn device(stack: &Stack, r: &mut Recorder) {
    let created = stack
        .admin_post(
            &format!("{}/admin/clients", stack.hydra_admin),
            json!({
                "client_name": "Living Room TV",
                "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
                "scope": "openid offline_access",
                "token_endpoint_auth_method": "none",
            }),
        )
        .await;
    let client = created["client_id"]
        .as_str()
        .expect("client_id")
        .to_string();
    r.names.add(&client, "{device_client_id}");
    let path = format!("/admin/clients/{client}");
    r.record(
        "hydra_client_get_device",
        "a device client",
        Call::get(ADMIN, &path),
    )
    .await;
    let answer: serde_json::Value = stack
        .http
        .post(format!("{}/oauth2/device/auth", stack.hydra_public))
        .form(&[
            ("client_id", client.as_str()),
            ("scope", "openid offline_access"),
        ])
        .send()
        .await
        .expect("device authorization")
        .json()
        .await
        .expect("device authorization JSON");
    let user_code = answer["user_code"].as_str().expect("user_code").to_string();
    r.names.add(&user_code, "{user_code}");
    let browser = browser();
    let verify = answer["verification_uri"]
        .as_str()
        .expect("verification_uri");
    let to = redirect(&browser, verify).await;
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
