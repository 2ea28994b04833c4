//! How many wrong user codes this browser entered for one device request, kept in a signed cookie
//! bound to the request's challenge (the service keeps no state). The limit itself is the domain's
//! (`domain::device::turn`).
//!
//! A browser that drops the cookie starts counting from zero again: this count gives a person the
//! "tries left" text and sends them back to the device after a few wrong codes. What stops guessing
//! is the service's own count, which no client can drop (`limit`).

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;
use serde::{Deserialize, Serialize};

use crate::cookies::{self, CookiePolicy};
use crate::signed::{Signer, challenge_digest};

/// The cookie that carries the count.
pub const ATTEMPTS_COOKIE: &str = "khb_device";

const AUDIENCE: &str = "kratos-hydra-bridge/device-attempts";

#[derive(Debug, Serialize, Deserialize)]
struct AttemptClaims {
    aud: String,
    /// SHA-256 of the device challenge the count belongs to.
    ch: String,
    /// Wrong codes so far.
    n: u32,
    exp: u64,
}

impl Signer {
    pub fn sign_device_attempts(
        &self,
        challenge: &str,
        wrong: u32,
        now_secs: u64,
        ttl_secs: u64,
    ) -> Option<String> {
        self.sign(&AttemptClaims {
            aud: AUDIENCE.into(),
            ch: challenge_digest(challenge),
            n: wrong,
            exp: now_secs + ttl_secs,
        })
    }

    /// The count for `challenge`; 0 for no cookie, an expired or forged one, or another request's.
    pub fn verify_device_attempts(&self, token: &str, challenge: &str) -> u32 {
        self.verify::<AttemptClaims>(token, AUDIENCE)
            .filter(|claims| claims.ch == challenge_digest(challenge))
            .map_or(0, |claims| claims.n)
    }
}

/// The wrong codes this browser entered for `challenge`.
pub fn read(req: &HttpRequest, signer: &Signer, challenge: &str) -> u32 {
    cookies::read(req, ATTEMPTS_COOKIE)
        .map_or(0, |token| signer.verify_device_attempts(&token, challenge))
}

/// The cookie that records `wrong` for `challenge`, for as long as a form lives.
pub fn cookie(
    signer: &Signer,
    policy: &CookiePolicy,
    challenge: &str,
    wrong: u32,
) -> Option<Cookie<'static>> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let token = signer.sign_device_attempts(challenge, wrong, now, policy.lifetime().as_secs())?;
    Some(policy.set(ATTEMPTS_COOKIE, token))
}

/// The cookie that removes the count (the code was accepted).
pub fn cleared(policy: &CookiePolicy) -> Cookie<'static> {
    policy.clear(ATTEMPTS_COOKIE)
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

    fn now() -> u64 {
        time::OffsetDateTime::now_utc().unix_timestamp() as u64
    }

    #[test]
    fn count_is_bound_to_the_challenge_and_expires() {
        let signer = signer();
        let token = signer.sign_device_attempts("ch-1", 3, now(), 60).unwrap();
        assert_eq!(signer.verify_device_attempts(&token, "ch-1"), 3);
        assert_eq!(signer.verify_device_attempts(&token, "ch-2"), 0);
        let old = signer
            .sign_device_attempts("ch-1", 3, now() - 120, 60)
            .unwrap();
        assert_eq!(signer.verify_device_attempts(&old, "ch-1"), 0);
        // A form token is not a count.
        let csrf = signer.sign_csrf("ch-1", "cookie", now(), 60).unwrap();
        assert_eq!(signer.verify_device_attempts(&csrf, "ch-1"), 0);
    }

    #[test]
    fn cookie_shape() {
        let serve: crate::config::ServeSettings = serde_json::from_value(serde_json::json!({
            "base_url": "https://auth.example",
            "form_ttl_secs": 600,
        }))
        .unwrap();
        let policy = CookiePolicy::new(&serve);
        let value = cookie(&signer(), &policy, "c", 1).unwrap();
        assert_eq!(value.name(), ATTEMPTS_COOKIE);
        assert!(value.value().starts_with("ey"), "{value}");
        assert_eq!(value.max_age(), Some(time::Duration::seconds(600)));
        assert_eq!(value.secure(), Some(true));
        let cleared = cleared(&policy);
        assert_eq!(
            (cleared.value(), cleared.max_age()),
            ("", Some(time::Duration::ZERO))
        );
    }

    proptest! {
        /// A count survives its round trip through the cookie, for its own challenge only.
        #[test]
        fn counts_round_trip(n in 0u32..1000, a in "[A-Za-z0-9_-]{1,40}", b in "[A-Za-z0-9_-]{1,40}") {
            let signer = signer();
            let token = signer.sign_device_attempts(&a, n, now(), 60).unwrap();
            prop_assert_eq!(signer.verify_device_attempts(&token, &a), n);
            if a != b {
                prop_assert_eq!(signer.verify_device_attempts(&token, &b), 0);
            }
        }

        #[test]
        fn forged_counts_are_zero(s in "\\PC{0,300}") {
            prop_assert_eq!(signer().verify_device_attempts(&s, "c"), 0);
        }
    }
}
