//! Signed, short-lived tokens the bridge hands to the browser and reads back: HS256 JWTs bound to a
//! challenge. Keys rotate: the first configured key signs, every key verifies.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use domain::login::Reauth;

/// Audience of the re-authentication token, so a token minted for one purpose never passes for another.
const REAUTH_AUDIENCE: &str = "kratos-hydra-bridge/reauth";

pub struct Signer {
    signing: EncodingKey,
    verifying: Vec<DecodingKey>,
}

impl Signer {
    /// Uses the configured keys, or a random one when none is configured (returned flag is `true`).
    pub fn from_keys(keys: &[SecretString]) -> Result<(Self, bool), getrandom::Error> {
        let (raw, generated): (Vec<Vec<u8>>, bool) = if keys.is_empty() {
            let mut key = vec![0u8; 32];
            getrandom::fill(&mut key)?;
            (vec![key], true)
        } else {
            (
                keys.iter()
                    .map(|k| k.expose_secret().as_bytes().to_vec())
                    .collect(),
                false,
            )
        };
        let signing = EncodingKey::from_secret(&raw[0]);
        let verifying = raw.iter().map(|k| DecodingKey::from_secret(k)).collect();
        Ok((Self { signing, verifying }, generated))
    }

    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Option<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.signing).ok()
    }

    pub(crate) fn verify<T: for<'de> Deserialize<'de>>(
        &self,
        token: &str,
        audience: &str,
    ) -> Option<T> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "aud"]);
        self.verifying
            .iter()
            .find_map(|key| jsonwebtoken::decode::<T>(token, key, &validation).ok())
            .map(|data| data.claims)
    }

    /// Mints the token carried through Kratos when the bridge asks for re-authentication.
    pub fn sign_reauth(&self, challenge: &str, reauth: &Reauth, ttl_secs: u64) -> Option<String> {
        let claims = ReauthClaims {
            aud: REAUTH_AUDIENCE.into(),
            ch: challenge_digest(challenge),
            t: reauth.issued_at_ms,
            refresh: reauth.refresh,
            aal: reauth.aal,
            exp: (reauth.issued_at_ms / 1000) as u64 + ttl_secs,
        };
        self.sign(&claims)
    }

    /// Reads a re-authentication token back; `None` unless it is ours, unexpired and for this challenge.
    pub fn verify_reauth(&self, token: &str, challenge: &str) -> Option<Reauth> {
        let claims: ReauthClaims = self.verify(token, REAUTH_AUDIENCE)?;
        (claims.ch == challenge_digest(challenge)).then_some(Reauth {
            issued_at_ms: claims.t,
            refresh: claims.refresh,
            aal: claims.aal,
        })
    }
}

/// Audience of consent-form CSRF tokens.
const CSRF_AUDIENCE: &str = "kratos-hydra-bridge/consent-csrf";

#[derive(Debug, Serialize, Deserialize)]
struct CsrfClaims {
    aud: String,
    /// SHA-256 of the challenge the form answers.
    ch: String,
    /// SHA-256 of the browser's CSRF cookie: the token is worthless without that cookie.
    ck: String,
    exp: u64,
}

impl Signer {
    /// A form token bound to the challenge and to the browser's CSRF cookie value.
    pub fn sign_csrf(
        &self,
        challenge: &str,
        cookie: &str,
        now_secs: u64,
        ttl_secs: u64,
    ) -> Option<String> {
        self.sign(&CsrfClaims {
            aud: CSRF_AUDIENCE.into(),
            ch: challenge_digest(challenge),
            ck: challenge_digest(cookie),
            exp: now_secs + ttl_secs,
        })
    }

    /// Why a CSRF token was refused, or `Ok` when it is ours, unexpired, for this challenge and cookie.
    pub fn verify_csrf(
        &self,
        token: &str,
        challenge: &str,
        cookie: &str,
    ) -> Result<(), CsrfFailure> {
        let claims: CsrfClaims = self
            .verify(token, CSRF_AUDIENCE)
            .ok_or(CsrfFailure::InvalidToken)?;
        if claims.ch != challenge_digest(challenge) {
            return Err(CsrfFailure::WrongChallenge);
        }
        if claims.ck != challenge_digest(cookie) {
            return Err(CsrfFailure::WrongCookie);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CsrfFailure {
    #[error("the form token is missing")]
    MissingToken,
    #[error("the CSRF cookie is missing")]
    MissingCookie,
    #[error("the form token is invalid or expired")]
    InvalidToken,
    #[error("the form token belongs to another request")]
    WrongChallenge,
    #[error("the form token does not match this browser's cookie")]
    WrongCookie,
    #[error("the form was posted from another site")]
    CrossSite,
}

/// A fresh random value for the CSRF cookie.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Serialize, Deserialize)]
struct ReauthClaims {
    aud: String,
    /// SHA-256 of the challenge: binds the token without carrying the 1 kB challenge twice.
    ch: String,
    t: i64,
    refresh: bool,
    aal: u8,
    exp: u64,
}

pub(crate) fn challenge_digest(challenge: &str) -> String {
    Sha256::digest(challenge.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(s: &str) -> SecretString {
        SecretString::from(s.repeat(32))
    }

    fn now_ms() -> i64 {
        (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }

    #[test]
    fn round_trip_bound_to_challenge() {
        let (signer, generated) = Signer::from_keys(&[key("a")]).unwrap();
        assert!(!generated);
        let r = Reauth {
            issued_at_ms: now_ms(),
            refresh: true,
            aal: 2,
        };
        let token = signer.sign_reauth("challenge-1", &r, 60).unwrap();
        assert_eq!(signer.verify_reauth(&token, "challenge-1"), Some(r));
        assert_eq!(signer.verify_reauth(&token, "challenge-2"), None);
    }

    #[test]
    fn rotation_verifies_with_old_keys_only_when_listed() {
        let (old, _) = Signer::from_keys(&[key("a")]).unwrap();
        let r = Reauth {
            issued_at_ms: now_ms(),
            refresh: true,
            aal: 1,
        };
        let token = old.sign_reauth("c", &r, 60).unwrap();
        let (rotated, _) = Signer::from_keys(&[key("b"), key("a")]).unwrap();
        assert_eq!(rotated.verify_reauth(&token, "c"), Some(r));
        let (other, _) = Signer::from_keys(&[key("b")]).unwrap();
        assert_eq!(other.verify_reauth(&token, "c"), None);
    }

    #[test]
    fn expired_tokens_refused() {
        let (signer, _) = Signer::from_keys(&[key("a")]).unwrap();
        let r = Reauth {
            issued_at_ms: now_ms() - 120_000,
            refresh: true,
            aal: 1,
        };
        let token = signer.sign_reauth("c", &r, 60).unwrap();
        assert_eq!(signer.verify_reauth(&token, "c"), None);
    }

    #[test]
    fn generated_key_when_none_configured() {
        let (signer, generated) = Signer::from_keys(&[]).unwrap();
        assert!(generated);
        let r = Reauth {
            issued_at_ms: now_ms(),
            refresh: false,
            aal: 2,
        };
        let token = signer.sign_reauth("c", &r, 60).unwrap();
        assert_eq!(signer.verify_reauth(&token, "c"), Some(r));
    }

    #[test]
    fn csrf_bound_to_challenge_cookie_and_time() {
        let (signer, _) = Signer::from_keys(&[key("a")]).unwrap();
        let now = (now_ms() / 1000) as u64;
        let token = signer.sign_csrf("ch", "cookie", now, 60).unwrap();
        assert_eq!(signer.verify_csrf(&token, "ch", "cookie"), Ok(()));
        assert_eq!(
            signer.verify_csrf(&token, "other", "cookie"),
            Err(CsrfFailure::WrongChallenge)
        );
        assert_eq!(
            signer.verify_csrf(&token, "ch", "other"),
            Err(CsrfFailure::WrongCookie)
        );
        let old = signer.sign_csrf("ch", "cookie", now - 120, 60).unwrap();
        assert_eq!(
            signer.verify_csrf(&old, "ch", "cookie"),
            Err(CsrfFailure::InvalidToken)
        );
        // A re-authentication token is not a CSRF token.
        let r = Reauth {
            issued_at_ms: now_ms(),
            refresh: true,
            aal: 1,
        };
        let reauth = signer.sign_reauth("ch", &r, 60).unwrap();
        assert_eq!(
            signer.verify_csrf(&reauth, "ch", "cookie"),
            Err(CsrfFailure::InvalidToken)
        );
    }

    proptest! {
        #[test]
        fn forged_csrf_tokens_never_verify(s in "\\PC{0,300}") {
            let (signer, _) = Signer::from_keys(&[key("k")]).unwrap();
            prop_assert!(signer.verify_csrf(&s, "c", "cookie").is_err());
        }

        /// No string that the signer did not mint verifies, and tampering with a real token breaks it.
        #[test]
        fn forged_or_tampered_tokens_never_verify(s in "\\PC{0,300}", flip in 0usize..400) {
            let (signer, _) = Signer::from_keys(&[key("k")]).unwrap();
            prop_assert_eq!(signer.verify_reauth(&s, "c"), None);
            let r = Reauth { issued_at_ms: now_ms(), refresh: true, aal: 1 };
            let token = signer.sign_reauth("c", &r, 60).unwrap();
            let mut bytes = token.into_bytes();
            let i = flip % bytes.len();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            if let Some(v) = signer.verify_reauth(&tampered, "c") {
                // Only base64 padding-bit flips may survive, and then the claims are unchanged.
                prop_assert_eq!(v, r);
            }
        }
    }
}
