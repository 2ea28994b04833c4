//! Requests older than Hydra's `ttl.login_consent_request`: a Hydra of its own whose requests expire
//! after two seconds, with a login, a consent and a logout request left waiting past that.

use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::hydra::{
    ADMIN, CONSENT, LOGIN, LOGOUT, SCOPE, accept_consent_body, accept_login_body, browser, follow,
    param, redirect,
};
use super::{Call, Recorder, SQLITE};
use crate::Env;
use crate::browser::AuthRequest;
use crate::ory::{Ory, Server, loopback, pairs, temp_dir};
use crate::stack::Stack;

const TTL: Duration = Duration::from_secs(2);

pub async fn record(env: &Env, stack: &Stack, r: &mut Recorder) {
    let (dir, hydra, public, admin) = start_hasty_hydra(env, stack).await;
    r.replace_server("{hydra_public}", &public);
    r.replace_server(ADMIN, &admin);
    let created: Value = r
        .http
        .post(format!("{admin}/admin/clients"))
        .json(&json!({
            "client_name": "Demo App",
            "redirect_uris": [stack.callback],
            "post_logout_redirect_uris": [format!("{}/logged-out", stack.callback)],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": SCOPE,
            "token_endpoint_auth_method": "none",
        }))
        .send()
        .await
        .expect("client")
        .json()
        .await
        .expect("client JSON");
    let client = created["client_id"]
        .as_str()
        .expect("client_id")
        .to_string();
    r.names.add(&client, "{client_id}");
    let authorize = |browser: &reqwest::Client| {
        let url =
            AuthRequest::new(&client, SCOPE)
                .url(stack)
                .replacen(&stack.hydra_public, &public, 1);
        let browser = browser.clone();
        async move { param(&redirect(&browser, &url).await, "login_challenge") }
    };
    let accept = |path: &str, param: &str, challenge: &str, body: &str| {
        Call::put(ADMIN, &format!("{path}/accept"), body).query(param, challenge)
    };

    // One browser signs in (Hydra remembers it) and starts a logout; another stops at the consent;
    // a third at the login.
    let first = browser();
    let login = authorize(&first).await;
    let body = accept_login_body();
    let answer = send(r, accept(LOGIN, "login_challenge", &login, &body)).await;
    let consent = param(
        &follow(&first, redirect_to(&answer)).await,
        "consent_challenge",
    );
    let answer = send(
        r,
        accept(
            CONSENT,
            "consent_challenge",
            &consent,
            &accept_consent_body(),
        ),
    )
    .await;
    follow(&first, redirect_to(&answer)).await;
    let logout = param(
        &redirect(&first, &format!("{public}/oauth2/sessions/logout")).await,
        "logout_challenge",
    );
    r.names.add(&logout, "{logout_challenge}");
    let second = browser();
    let login = authorize(&second).await;
    let answer = send(r, accept(LOGIN, "login_challenge", &login, &body)).await;
    let consent = param(
        &follow(&second, redirect_to(&answer)).await,
        "consent_challenge",
    );
    r.names.add(&consent, "{consent_challenge}");
    let login = authorize(&browser()).await;
    r.names.add(&login, "{login_challenge}");
    tokio::time::sleep(TTL + Duration::from_secs(1)).await;

    let reject =
        r#"{"error":"access_denied","error_description":"The resource owner denied the request"}"#;
    let get =
        |path: &str, param: &str, challenge: &str| Call::get(ADMIN, path).query(param, challenge);
    let reject_call = |path: &str, param: &str, challenge: &str| {
        Call::put(ADMIN, &format!("{path}/reject"), reject).query(param, challenge)
    };
    let calls = [
        (
            "hydra_login_get_expired",
            "a login request past its lifespan",
            get(LOGIN, "login_challenge", &login),
        ),
        (
            "hydra_login_accept_expired",
            "accepting it",
            accept(LOGIN, "login_challenge", &login, &body),
        ),
        (
            "hydra_login_reject_expired",
            "rejecting it",
            reject_call(LOGIN, "login_challenge", &login),
        ),
        (
            "hydra_consent_get_expired",
            "a consent request past its lifespan",
            get(CONSENT, "consent_challenge", &consent),
        ),
        (
            "hydra_consent_accept_expired",
            "accepting it",
            accept(
                CONSENT,
                "consent_challenge",
                &consent,
                &accept_consent_body(),
            ),
        ),
        (
            "hydra_consent_reject_expired",
            "rejecting it",
            reject_call(CONSENT, "consent_challenge", &consent),
        ),
        (
            "hydra_logout_get_old",
            "a logout request older than the lifespan of login requests",
            get(LOGOUT, "logout_challenge", &logout),
        ),
        (
            "hydra_logout_accept_old",
            "accepting it",
            Call::new(reqwest::Method::PUT, ADMIN, &format!("{LOGOUT}/accept"))
                .query("logout_challenge", &logout),
        ),
    ];
    for (name, about, call) in calls {
        r.record(name, about, call).await;
    }
    drop(hydra);
    drop(dir);
}

fn redirect_to(answer: &Value) -> &str {
    answer["redirect_to"].as_str().expect("redirect_to")
}

/// A call on the way there, not recorded.
async fn send(r: &Recorder, call: Call) -> Value {
    let mut url = url::Url::parse(&format!("{}{}", r.url(call.server), call.path)).expect("URL");
    url.query_pairs_mut().extend_pairs(&call.query);
    let response = r
        .http
        .request(call.method, url)
        .header("content-type", "application/json")
        .body(call.body.unwrap_or_default())
        .send()
        .await
        .expect("Hydra");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("Hydra's JSON")
}

async fn start_hasty_hydra(env: &Env, stack: &Stack) -> (TempDir, Server, String, String) {
    let dir = temp_dir("khb-record-");
    let (pp, public) = loopback();
    let (ap, admin) = loopback();
    let bridge = &stack.bridge;
    let mut env_vars = Ory::Hydra.listen_env(dir.path(), SQLITE, pp, ap);
    env_vars.extend(pairs(&[
        ("URLS_SELF_ISSUER", public.clone()),
        ("URLS_LOGIN", format!("{bridge}/login")),
        ("URLS_CONSENT", format!("{bridge}/consent")),
        ("URLS_LOGOUT", format!("{bridge}/logout")),
        ("URLS_ERROR", format!("{bridge}/error")),
        (
            "URLS_POST_LOGOUT_REDIRECT",
            format!("{}/logged-out", stack.callback),
        ),
        ("URLS_IDENTITY_PROVIDER_URL", stack.kratos_admin.clone()),
        ("TTL_LOGIN_CONSENT_REQUEST", format!("{}s", TTL.as_secs())),
    ]));
    let hydra = Ory::Hydra.server("hydra-hasty", &env.binaries().hydra, env_vars, dir.path());
    hydra.start();
    hydra
        .wait_ready(&stack.http, &Ory::Hydra.ready(&admin))
        .await;
    (dir, hydra, public, admin)
}
