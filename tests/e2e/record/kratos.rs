//! Kratos as the bridge calls it (whoami, the browser logout flow, identities by id and by
//! external_id, session revocation, readiness) and the self-service URLs the bridge sends browsers
//! to (login with `refresh`/`aal`, registration with `identity_schema`), as a browser opens them:
//! without `Accept: application/json`. A second Kratos whose whoami demands the highest available
//! assurance level answers the `session_aal2_required` cases.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Call, Recorder};
use crate::Env;
use crate::browser::csrf_token;
use crate::flows::PASSWORD;
use crate::stack::Stack;

pub const PUBLIC: &str = "{kratos_public}";
pub const ADMIN: &str = "{kratos_admin}";
const JSON: (&str, &str) = ("accept", "application/json");
pub const EXTERNAL_ID: &str = "CUST-000123";
const NO_SUCH_UUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

pub fn identity(email: &str, external_id: Option<&str>) -> Value {
    let mut body = json!({
        "schema_id": "customer",
        "traits": { "email": email, "name": { "first": "Ada", "last": "Lovelace" } },
        "verifiable_addresses": [{ "value": email, "via": "email", "verified": true, "status": "completed" }],
        "credentials": { "password": { "config": { "password": PASSWORD } } },
    });
    if let Some(id) = external_id {
        body["external_id"] = json!(id);
    }
    body
}

pub async fn create_identity(http: &reqwest::Client, admin: &str, body: Value) -> String {
    let r = http
        .post(format!("{admin}/admin/identities"))
        .json(&body)
        .send()
        .await
        .expect("create identity");
    let status = r.status();
    let answer: Value = r.json().await.expect("identity JSON");
    assert!(status.is_success(), "create identity: {status} {answer}");
    answer["id"].as_str().expect("identity id").to_string()
}

/// A password login through Kratos's JSON API, as its UI's script does; returns the session
/// cookie's value.
pub async fn sign_in(public: &str, email: &str) -> String {
    let browser = super::hydra::browser();
    let flow: Value = browser
        .get(format!("{public}/self-service/login/browser"))
        .header(JSON.0, JSON.1)
        .send()
        .await
        .expect("login flow")
        .json()
        .await
        .expect("login flow JSON");
    let id = flow["id"].as_str().expect("flow id");
    let r = browser
        .post(format!("{public}/self-service/login?flow={id}"))
        .header(JSON.0, JSON.1)
        .json(&json!({ "method": "password", "identifier": email, "password": PASSWORD, "csrf_token": csrf_token(&flow) }))
        .send()
        .await
        .expect("login submit");
    // 422 when Kratos wants a second factor next: the session exists already, at aal1.
    let status = r.status();
    assert!(status == 200 || status == 422, "password login: {status}");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("ory_kratos_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string());
    cookie.expect("a session cookie")
}

pub fn cookie(value: &str) -> (String, String) {
    ("cookie".into(), format!("ory_kratos_session={value}"))
}

pub fn with(call: Call, headers: &[(String, String)]) -> Call {
    headers.iter().fold(call, |c, (k, v)| c.header(k, v))
}

/// The bridge's whoami.
pub fn whoami() -> Call {
    Call::get(PUBLIC, "/sessions/whoami").accept_json()
}

/// Where the bridge sends the browser to log in, with a login challenge.
pub fn bridge_login(stack: &Stack) -> String {
    format!("{}/login?login_challenge=abc", stack.bridge)
}

/// The bridge's browser logout flow, returning to Hydra's logout.
pub fn logout_flow(stack: &Stack) -> Call {
    let back = format!(
        "{}/oauth2/sessions/logout?logout_verifier=abc",
        stack.hydra_public
    );
    Call::get(PUBLIC, "/self-service/logout/browser")
        .query("return_to", &back)
        .accept_json()
}

/// `sign_in` at the Kratos whose public API is at `public`; the cookie is named in the fixtures.
pub async fn signed_in(r: &mut Recorder, public: &str, email: &str) -> String {
    let session = sign_in(public, email).await;
    r.names.add(&session, "{session_cookie}");
    session
}

/// The session id behind a cookie, named in the fixtures.
async fn session_id(r: &mut Recorder, cookie_value: &str) -> String {
    let (k, v) = cookie(cookie_value);
    let session: Value = r
        .http
        .get(format!("{}/sessions/whoami", r.url(PUBLIC)))
        .header(k, v)
        .send()
        .await
        .expect("whoami")
        .json()
        .await
        .expect("session JSON");
    let id = session["id"].as_str().expect("session id").to_string();
    r.names.add(&id, "{session_id}");
    id
}

pub async fn record(env: &Env, stack: &Stack, r: &mut Recorder) {
    r.record_all([
        (
            "kratos_health_ready_public",
            "readiness on the public port",
            Call::get(PUBLIC, "/health/ready"),
        ),
        (
            "kratos_health_ready_admin",
            "readiness on the admin port",
            Call::get(ADMIN, "/admin/health/ready"),
        ),
        (
            "kratos_health_ready_admin_unprefixed",
            "readiness on the admin port without /admin",
            Call::get(ADMIN, "/health/ready"),
        ),
    ])
    .await;

    let ada = create_identity(
        &r.http,
        &stack.kratos_admin,
        identity("ada@example.com", Some(EXTERNAL_ID)),
    )
    .await;
    r.names.add(&ada, "{identity_id}");
    let grace = create_identity(
        &r.http,
        &stack.kratos_admin,
        identity("grace@example.com", None),
    )
    .await;
    r.names.add(&grace, "{other_identity_id}");
    let by_id = |id: &str| Call::get(ADMIN, &format!("/admin/identities/{id}"));
    let by_external = |id: &str| Call::get(ADMIN, &format!("/admin/identities/by/external/{id}"));
    r.record(
        "kratos_identity_get",
        "an identity with an external_id",
        by_id(&ada),
    )
    .await;
    r.record(
        "kratos_identity_get_no_external_id",
        "an identity without one",
        by_id(&grace),
    )
    .await;
    r.record(
        "kratos_identity_get_unknown",
        "an id no identity has",
        by_id(NO_SUCH_UUID),
    )
    .await;
    r.record(
        "kratos_identity_get_malformed",
        "an id that is no UUID",
        by_id("not-a-uuid"),
    )
    .await;
    r.record(
        "kratos_identity_by_external",
        "the identity with this external_id",
        by_external(EXTERNAL_ID),
    )
    .await;
    r.record(
        "kratos_identity_by_external_unknown",
        "an external_id no identity has",
        by_external("CUST-999999"),
    )
    .await;
    r.record(
        "kratos_identity_on_public_port",
        "the admin API asked on the public port",
        Call::get(PUBLIC, &format!("/admin/identities/{ada}")),
    )
    .await;

    let session = signed_in(r, &stack.kratos_public, "ada@example.com").await;
    session_id(r, &session).await;
    let ada_cookie = [cookie(&session)];
    r.record(
        "kratos_whoami",
        "the bridge's whoami with a session cookie",
        with(whoami(), &ada_cookie),
    )
    .await;
    r.record(
        "kratos_whoami_no_cookie",
        "whoami without a cookie",
        whoami(),
    )
    .await;
    r.record(
        "kratos_whoami_bad_cookie",
        "whoami with a cookie that is no session",
        with(whoami(), &[cookie("not-a-session")]),
    )
    .await;

    super::kratos_browser::self_service(stack, r, &ada_cookie).await;
    super::kratos_browser::logout(stack, r, &session).await;
    revoke(stack, r).await;
    super::kratos_aal2::aal2(env, stack, r).await;
}

async fn revoke(stack: &Stack, r: &mut Recorder) {
    let session = signed_in(r, &stack.kratos_public, "grace@example.com").await;
    let id = session_id(r, &session).await;
    let delete = |id: &str| Call::new(Method::DELETE, ADMIN, &format!("/admin/sessions/{id}"));
    r.record("kratos_session_revoke", "revoking a session", delete(&id))
        .await;
    r.record(
        "kratos_session_revoke_again",
        "revoking it again",
        delete(&id),
    )
    .await;
    r.record(
        "kratos_session_revoke_unknown",
        "an id no session has",
        delete(NO_SUCH_UUID),
    )
    .await;
    r.record(
        "kratos_session_revoke_malformed",
        "an id that is no UUID",
        delete("not-a-uuid"),
    )
    .await;
    r.record(
        "kratos_whoami_revoked",
        "whoami with a revoked session",
        with(whoami(), &[cookie(&session)]),
    )
    .await;
}
