//! Hydra's logout requests: one Hydra starts itself (no client), read and rejected; one the
//! application starts with its id_token, accepted and completed by the browser.

use super::hydra::{ADMIN, LOGOUT, NO_SUCH_UUID, follow, param, redirect};
use super::{Call, Recorder};
use crate::stack::Stack;

/// Logouts in the browser that signed in: one Hydra starts itself (no client), rejected; one the
/// application starts with its id_token, accepted and completed.
pub async fn logout(stack: &Stack, r: &mut Recorder, browser: &reqwest::Client, id_token: &str) {
    let public_logout = format!("{}/oauth2/sessions/logout", stack.hydra_public);
    let to = redirect(browser, &public_logout).await;
    let challenge = param(&to, "logout_challenge");
    r.names.add(&challenge, "{logout_challenge}");
    // The bridge's logout accepts and rejects carry no body.
    let get = |c: &str| LOGOUT.get(c);
    let accept = |c: &str| LOGOUT.put("accept", c, None);
    let reject = |c: &str| LOGOUT.put("reject", c, None);
    r.record(
        "hydra_logout_get",
        "a logout Hydra started itself (no id_token_hint)",
        get(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_get_unknown",
        "a logout challenge Hydra never issued",
        get(NO_SUCH_UUID),
    )
    .await;
    r.record(
        "hydra_logout_get_garbled",
        "a logout challenge that is no UUID",
        get("abc"),
    )
    .await;
    r.record(
        "hydra_logout_get_missing",
        "no challenge",
        Call::get(ADMIN, LOGOUT.path),
    )
    .await;
    r.record(
        "hydra_logout_reject_unknown",
        "rejecting a logout Hydra never issued",
        reject(NO_SUCH_UUID),
    )
    .await;
    r.record(
        "hydra_logout_accept_unknown",
        "accepting a logout Hydra never issued",
        accept(NO_SUCH_UUID),
    )
    .await;
    r.record(
        "hydra_logout_reject",
        "the bridge's reject (no body)",
        reject(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_get_rejected",
        "the logout request after the reject",
        get(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_reject_again",
        "the same reject again",
        reject(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_accept_rejected",
        "accepting a rejected logout",
        accept(&challenge),
    )
    .await;

    let mut url = url::Url::parse(&public_logout).expect("URL");
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair(
            "post_logout_redirect_uri",
            &format!("{}/logged-out", stack.callback),
        )
        .append_pair("state", "bye-state");
    r.names.add(id_token, "{id_token}");
    let to = redirect(browser, url.as_str()).await;
    let challenge = param(&to, "logout_challenge");
    r.names.add(&challenge, "{logout_challenge}");
    r.record(
        "hydra_logout_get_rp",
        "a logout the application started (id_token_hint)",
        get(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_accept",
        "the bridge's accept (no body)",
        accept(&challenge),
    )
    .await;
    let again = r
        .record(
            "hydra_logout_accept_again",
            "the same accept again",
            accept(&challenge),
        )
        .await;
    let done = follow(browser, &again.json).await;
    assert!(done.contains("/logged-out"), "the logout completed: {done}");
    r.record(
        "hydra_logout_get_done",
        "the logout request once the browser completed it",
        get(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_accept_done",
        "accepting a completed logout",
        accept(&challenge),
    )
    .await;
    r.record(
        "hydra_logout_reject_done",
        "rejecting a completed logout",
        reject(&challenge),
    )
    .await;
}
