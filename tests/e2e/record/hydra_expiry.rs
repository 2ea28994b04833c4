//! Requests older than Hydra's `ttl.login_consent_request`: a Hydra of its own whose requests expire
//! after two seconds, with a login, a consent and a logout request left waiting past that.

use std::time::Duration;

use tempfile::TempDir;

use super::hydra::{
    ADMIN, CONSENT, LOGIN, LOGOUT, REJECT_BODY, SCOPE, accept_consent_body, accept_login_body,
    browser, consent_challenge, param, pass_unrecorded, redirect,
};
use super::{Recorder, SQLITE};
use crate::Env;
use crate::browser::AuthRequest;
use crate::ory::{Ory, Server, loopback, pairs, temp_dir};
use crate::stack::Stack;

const TTL: Duration = Duration::from_secs(2);

pub async fn record(env: &Env, stack: &Stack, r: &mut Recorder) {
    let (dir, hydra, public, admin) = start_hasty_hydra(env, stack).await;
    r.replace_server("{hydra_public}", &public);
    r.replace_server(ADMIN, &admin);
    let client = stack
        .create_client_at(&admin, stack.client_body("Demo App", SCOPE))
        .await;
    r.names.add(&client, "{client_id}");
    let authorize = |browser: &reqwest::Client| {
        let url =
            AuthRequest::new(&client, SCOPE)
                .url(stack)
                .replacen(&stack.hydra_public, &public, 1);
        let browser = browser.clone();
        async move { param(&redirect(&browser, &url).await, "login_challenge") }
    };

    // One browser signs in (Hydra remembers it) and starts a logout; another stops at the consent;
    // a third at the login.
    let first = browser();
    pass_unrecorded(r, &first, &authorize(&first).await).await;
    let logout = param(
        &redirect(&first, &format!("{public}/oauth2/sessions/logout")).await,
        "logout_challenge",
    );
    r.names.add(&logout, "{logout_challenge}");
    let second = browser();
    let login = authorize(&second).await;
    let body = accept_login_body();
    let accepted = r.send(LOGIN.accept(&login, &body)).await;
    let consent = consent_challenge(r, &second, &accepted).await;
    let login = authorize(&browser()).await;
    r.names.add(&login, "{login_challenge}");
    tokio::time::sleep(TTL + Duration::from_secs(1)).await;

    // Each request read, accepted and rejected once it is past its lifespan.
    let consent_body = accept_consent_body();
    for (requests, challenge, body) in
        [(&LOGIN, &login, &body), (&CONSENT, &consent, &consent_body)]
    {
        let calls = [
            (
                "get_expired",
                format!("a {} request past its lifespan", requests.kind),
                requests.get(challenge),
            ),
            (
                "accept_expired",
                "accepting it".into(),
                requests.accept(challenge, body),
            ),
            (
                "reject_expired",
                "rejecting it".into(),
                requests.reject(challenge, REJECT_BODY),
            ),
        ];
        for (what, about, call) in calls {
            r.record(&requests.name(what), &about, call).await;
        }
    }
    r.record_all([
        (
            "hydra_logout_get_old",
            "a logout request older than the lifespan of login requests",
            LOGOUT.get(&logout),
        ),
        (
            "hydra_logout_accept_old",
            "accepting it",
            LOGOUT.put("accept", &logout, None),
        ),
    ])
    .await;
    drop(hydra);
    drop(dir);
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
