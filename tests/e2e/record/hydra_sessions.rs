//! A subject's consent sessions as the connected-apps page reads and revokes them: listed (one
//! page, page by page, none), revoked for one client and for all, and the calls Hydra refuses.
//! The subject is the one `hydra_flows` consented with; one more consent to the same client gives
//! two sessions that look alike, so that the order Hydra lists them in does not matter.

use reqwest::Method;

use super::hydra::{ADMIN, SCOPE, SUBJECT, browser, param, pass_unrecorded, redirect};
use super::{Call, Recorder};
use crate::browser::AuthRequest;
use crate::stack::Stack;

pub const SESSIONS: &str = "/admin/oauth2/auth/sessions/consent";

/// One more consent of the subject to `client`, remembered as the bridge remembers it; nothing of
/// it is recorded.
async fn consent_again(stack: &Stack, r: &Recorder, client: &str) {
    let browser = browser();
    // prompt=consent: a consent Hydra skips would be stored as skipped, and never listed.
    let request = AuthRequest::new(client, SCOPE).with("prompt", "consent");
    let login = param(
        &redirect(&browser, &request.url(stack)).await,
        "login_challenge",
    );
    pass_unrecorded(r, &browser, &login).await;
}

/// The `page_token` of the `rel="next"` part of a `Link` header.
fn next_token(link: &str) -> Option<String> {
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let target = part.split_once('<')?.1.split_once('>')?.0;
            let query = target.split_once('?')?.1;
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "page_token")
                .map(|(_, v)| v.into_owned())
        })
}

pub async fn record(stack: &Stack, r: &mut Recorder) {
    let client = find_client(stack).await;
    let list = || Call::get(ADMIN, SESSIONS).query("subject", SUBJECT);
    r.record(
        "hydra_consent_sessions_list_one",
        "the subject's consent sessions: one remembered consent",
        list(),
    )
    .await;
    consent_again(stack, r, &client).await;
    r.record(
        "hydra_consent_sessions_list",
        "two consent sessions of one client, on one page",
        list(),
    )
    .await;
    let first = r
        .record(
            "hydra_consent_sessions_list_page_1",
            "one per page: the first page links to the next",
            list().query("page_size", "1"),
        )
        .await;
    let link = first
        .headers
        .get("link")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let token = next_token(&link).unwrap_or_else(|| panic!("no next page in {link:?}"));
    r.names.add(&token, "{page_token}");
    r.record(
        "hydra_consent_sessions_list_page_2",
        "the next page, the last: its link names only the first",
        list().query("page_size", "1").query("page_token", &token),
    )
    .await;
    r.record(
        "hydra_consent_sessions_list_none",
        "a subject without consent sessions",
        Call::get(ADMIN, SESSIONS).query("subject", "nobody-at-all"),
    )
    .await;
    r.record(
        "hydra_consent_sessions_list_missing",
        "no subject",
        Call::get(ADMIN, SESSIONS),
    )
    .await;
    let delete = || Call::new(Method::DELETE, ADMIN, SESSIONS);
    r.record(
        "hydra_consent_sessions_revoke_missing",
        "a revocation without a subject",
        delete().query("client", &client),
    )
    .await;
    r.record(
        "hydra_consent_sessions_revoke_client_and_all",
        "a client and all=true together",
        delete()
            .query("subject", SUBJECT)
            .query("client", &client)
            .query("all", "true"),
    )
    .await;
    r.record(
        "hydra_consent_sessions_revoke",
        "the subject's consent sessions of one client",
        delete().query("subject", SUBJECT).query("client", &client),
    )
    .await;
    r.record(
        "hydra_consent_sessions_list_revoked",
        "the list after the revocation",
        list(),
    )
    .await;
    r.record(
        "hydra_consent_sessions_revoke_again",
        "the same revocation again: nothing is left",
        delete().query("subject", SUBJECT).query("client", &client),
    )
    .await;
    consent_again(stack, r, &client).await;
    r.record(
        "hydra_consent_sessions_revoke_all",
        "every consent session of the subject",
        delete().query("subject", SUBJECT).query("all", "true"),
    )
    .await;
    r.record(
        "hydra_consent_sessions_list_all_revoked",
        "the list after revoking all",
        list(),
    )
    .await;
}

/// The id of the client named "Demo App" (`hydra::record` made it; the recorder knows it only by
/// its placeholder).
async fn find_client(stack: &Stack) -> String {
    let clients = stack
        .get_json(&format!("{}/admin/clients", stack.hydra_admin))
        .await;
    clients
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["client_name"] == "Demo App")
        .and_then(|c| c["client_id"].as_str())
        .expect("the Demo App client")
        .to_string()
}
