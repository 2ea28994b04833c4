//! A Kratos like the stack's, but whose whoami wants the highest assurance level the identity has
//! (the email code makes that aal2): the `session_aal2_required` answers.

use serde_json::json;
use tempfile::TempDir;

use super::kratos::{
    ADMIN, EXTERNAL_ID, PUBLIC, bridge_login, cookie, create_identity, identity, logout_flow,
    signed_in, whoami, with,
};
use super::{Call, Recorder, SQLITE};
use crate::Env;
use crate::ory::{Ory, Server, identity_schemas, loopback, pairs, temp_dir};
use crate::stack::Stack;

/// A Kratos like the stack's, but whose whoami wants the highest assurance level the identity has
/// (the email code makes that aal2).
pub async fn aal2(env: &Env, stack: &Stack, r: &mut Recorder) {
    let (dir, kratos, public, admin) = start_demanding_kratos(env, stack).await;
    r.replace_server(PUBLIC, &public);
    r.replace_server(ADMIN, &admin);
    let ada = create_identity(
        &r.http,
        &admin,
        identity("ada@example.com", Some(EXTERNAL_ID)),
    )
    .await;
    r.names.add(&ada, "{identity_id}");
    let session = signed_in(r, &public, "ada@example.com").await;
    let ada = [cookie(&session)];
    r.record(
        "kratos_whoami_aal2_required",
        "whoami of a password session when a second factor is available",
        with(whoami(), &ada),
    )
    .await;
    let back = bridge_login(stack);
    let login = || Call::get(PUBLIC, "/self-service/login/browser");
    r.record(
        "kratos_login_browser_session_aal2_required",
        "a login with that session",
        with(login().query("return_to", &back), &ada),
    )
    .await;
    r.record(
        "kratos_login_browser_aal2_session_aal2_required",
        "a second factor for that session",
        with(login().query("aal", "aal2").query("return_to", &back), &ada),
    )
    .await;
    r.record(
        "kratos_logout_browser_aal2_required",
        "the browser logout of that session",
        with(logout_flow(stack), &ada),
    )
    .await;
    drop(kratos);
    drop(dir);
}

async fn start_demanding_kratos(env: &Env, stack: &Stack) -> (TempDir, Server, String, String) {
    let dir = temp_dir("khb-record-");
    let (pp, public) = loopback();
    let (ap, admin) = loopback();
    let mut env_vars = Ory::Kratos.listen_env(dir.path(), SQLITE, pp, ap);
    env_vars.extend(pairs(&[
        ("IDENTITY_SCHEMAS", identity_schemas()),
        (
            "SELFSERVICE_ALLOWED_RETURN_URLS",
            json!([
                format!("{}/", stack.bridge),
                format!("{}/oauth2/sessions/logout", stack.hydra_public)
            ])
            .to_string(),
        ),
        (
            "COURIER_SMTP_CONNECTION_URI",
            "smtp://127.0.0.1:1/?disable_starttls=true".into(),
        ),
        ("SESSION_WHOAMI_REQUIRED_AAL", "highest_available".into()),
    ]));
    let kratos = Ory::Kratos.server("kratos-aal2", &env.binaries().kratos, env_vars, dir.path());
    kratos.start();
    kratos
        .wait_ready(&stack.http, &Ory::Kratos.ready(&admin))
        .await;
    (dir, kratos, public, admin)
}
