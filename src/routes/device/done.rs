//! `GET /device/success`, where Hydra's device flow ends (`urls.device.success?client_id=C`), and the
//! short-lived cookie that lets it name the client. Anyone can make such a link, so the link alone
//! names no client and asks Hydra nothing. The browser whose code Hydra accepted gets a cookie then:
//! signed, it carries the client's id (from Hydra's `redirect_to`) and name, and names the client
//! only on the success page for that same client id, once.

use std::time::Duration;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use domain::device::{shown_name, worth_looking_up};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::cookies::{self, CookiePolicy};
use crate::pages::{self, Page, add_cookie};
use crate::routes::deadline;
use crate::routes::params::{Query, unless_repeated};
use crate::routes::state::AppState;
use crate::signed::{Signer, challenge_digest};
use crate::telemetry::note;

/// The cookie that names the client on the success page.
pub const DONE_COOKIE: &str = "khb_device_done";

const AUDIENCE: &str = "kratos-hydra-bridge/device-done";

/// How long the cookie lives: the sign-in and consent after the code, not much more.
const LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Less time than this for the name's lookup is not worth a call to Hydra.
const MIN_LOOKUP: Duration = Duration::from_millis(5);

#[derive(Debug, Serialize, Deserialize)]
struct DoneClaims {
    aud: String,
    /// SHA-256 of the client id the success link must carry.
    cid: String,
    /// The client's name, as the page shows it.
    name: String,
    exp: u64,
}

impl Signer {
    pub fn sign_device_done(
        &self,
        client_id: &str,
        name: &str,
        now_secs: u64,
        ttl_secs: u64,
    ) -> Option<String> {
        self.sign(&DoneClaims {
            aud: AUDIENCE.into(),
            cid: challenge_digest(client_id),
            name: name.into(),
            exp: now_secs + ttl_secs,
        })
    }

    /// The client's name, when the token is ours, unexpired and for `client_id`.
    pub fn verify_device_done(&self, token: &str, client_id: &str) -> Option<String> {
        self.verify::<DoneClaims>(token, AUDIENCE)
            .filter(|claims| claims.cid == challenge_digest(client_id))
            .map(|claims| claims.name)
    }
}

fn now_secs() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// For a browser whose code Hydra accepted: the cookie naming the client Hydra put in `redirect_to`,
/// when Hydra tells its name in time. The lookup gets a quarter of the request's time, and never
/// more than half of what is left of it: Hydra has accepted the code, so the browser must go on
/// whatever Hydra answers, before the deadline turns the answer into a 504.
pub async fn cookie_for(
    state: &AppState,
    req: &HttpRequest,
    redirect_to: &Url,
) -> Option<Cookie<'static>> {
    let client_id = redirect_to
        .query_pairs()
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned())
        .filter(|id| worth_looking_up(id))?;
    let quarter = state.settings.serve.request_timeout / 4;
    let limit = deadline::remaining(req).map_or(quarter, |left| quarter.min(left / 2));
    if limit < MIN_LOOKUP {
        tracing::warn!("the device success page will not name the client: no time left to ask");
        return None;
    }
    let client = match tokio::time::timeout(limit, state.hydra.get_client(&client_id)).await {
        Ok(Ok(client)) => client?,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the device success page will not name the client");
            return None;
        }
        Err(_) => {
            tracing::warn!("the device success page will not name the client: Hydra took too long");
            return None;
        }
    };
    let name = shown_name(&client.client_name)?;
    let ttl = LIFETIME.min(state.cookies.lifetime()).as_secs();
    let token = state
        .signer
        .sign_device_done(&client_id, &name, now_secs(), ttl)?;
    Some(state.cookies.set_for(DONE_COOKIE, token, LIFETIME))
}

#[derive(Template)]
#[template(path = "device_success.html")]
struct SuccessPage<'a> {
    page: &'a Page,
    client_name: Option<&'a str>,
}

/// `/device/success`'s link.
#[derive(serde::Deserialize)]
pub struct SuccessLink {
    #[serde(default, deserialize_with = "unless_repeated")]
    client_id: Option<String>,
}

/// `GET /device/success[?client_id=C]`: Hydra's `urls.device.success`. Asks nothing upstream and
/// fails only on a query no link of Hydra's has (repeated or over the size limit): the person is
/// signed in on the device whatever happens here.
pub async fn success(
    page: Page,
    req: HttpRequest,
    Query(link): Query<SuccessLink>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let token = cookies::read(&req, DONE_COOKIE);
    let name = match (link.client_id.as_deref(), token.as_deref()) {
        (Some(id), Some(token)) => state.signer.verify_device_done(token, id).inspect(|_| {
            // Signed by the bridge for this browser: a client Hydra knows.
            note("client_id", id);
        }),
        _ => None,
    };
    note("outcome", "device_signed_in");
    let mut response = pages::render(
        StatusCode::OK,
        &SuccessPage {
            page: &page,
            client_name: name.as_deref(),
        },
    );
    if token.is_some() {
        // Once: a reload, or the next person at this browser, gets the plain page.
        clear(&mut response, &state.cookies);
    }
    response
}

fn clear(response: &mut HttpResponse, policy: &CookiePolicy) {
    if let Err(e) = add_cookie(response, &policy.clear(DONE_COOKIE)) {
        tracing::warn!(error = %e, "the device success cookie stays until it expires");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use secrecy::SecretString;

    fn signer() -> Signer {
        Signer::from_keys(&[SecretString::from("k".repeat(32))])
            .unwrap()
            .0
    }

    #[test]
    fn the_name_is_given_for_its_own_client_only_and_not_for_long() {
        let signer = signer();
        let token = signer
            .sign_device_done("tv-app", "Living Room TV", now_secs(), 60)
            .unwrap();
        assert_eq!(
            signer.verify_device_done(&token, "tv-app").as_deref(),
            Some("Living Room TV")
        );
        assert_eq!(signer.verify_device_done(&token, "other-app"), None);
        let old = signer
            .sign_device_done("tv-app", "TV", now_secs() - 120, 60)
            .unwrap();
        assert_eq!(signer.verify_device_done(&old, "tv-app"), None);
        // Another purpose's token is no name.
        let count = signer
            .sign_device_attempts("tv-app", 1, now_secs(), 60)
            .unwrap();
        assert_eq!(signer.verify_device_done(&count, "tv-app"), None);
    }

    proptest! {
        #[test]
        fn forged_tokens_name_nobody(s in "\\PC{0,300}") {
            prop_assert_eq!(signer().verify_device_done(&s, "tv-app"), None);
        }
    }
}
