//! CSRF protection for the bridge's forms (consent, logout confirmation, device code): a cookie, a
//! signed token bound to the form's purpose, its challenge and that cookie, and an origin check.

use actix_web::HttpRequest;
use actix_web::cookie::Cookie;
use actix_web::http::header::ORIGIN;
use url::Url;

use crate::cookies::{self, CookiePolicy};
use crate::error::AppError;
use crate::signed::{CsrfFailure, Signer, random_token};

/// The cookie a form's token is bound to.
pub const CSRF_COOKIE: &str = "khb_csrf";

/// A token for one form, and the cookie the browser must hold for it to count.
pub struct CsrfIssue {
    pub token: String,
    pub cookie: Cookie<'static>,
}

/// What the token is bound to: the form's purpose and its challenge, so one form's token never
/// passes for another's.
fn binding(purpose: &str, challenge: &str) -> String {
    format!("{purpose}\n{challenge}")
}

/// Issues a token for a form; reuses the browser's cookie so that several open tabs all stay valid.
pub fn issue(
    req: &HttpRequest,
    signer: &Signer,
    policy: &CookiePolicy,
    purpose: &str,
    challenge: &str,
) -> Result<CsrfIssue, AppError> {
    let existing = cookies::read(req, CSRF_COOKIE)
        .filter(|v| v.len() == 48 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let value = match existing {
        Some(value) => value,
        None => random_token().map_err(|e| AppError::Internal(format!("random: {e}")))?,
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let ttl = policy.lifetime().as_secs();
    let token = signer
        .sign_csrf(&binding(purpose, challenge), &value, now, ttl)
        .ok_or_else(|| AppError::Internal("signing the CSRF token failed".into()))?;
    Ok(CsrfIssue {
        token,
        cookie: policy.set(CSRF_COOKIE, value),
    })
}

/// Checks a posted form: our own origin, then our own token for this purpose, challenge and cookie.
pub fn verify(
    req: &HttpRequest,
    signer: &Signer,
    base_url: &Url,
    purpose: &str,
    challenge: &str,
    token: Option<&str>,
) -> Result<(), CsrfFailure> {
    let origin = req.headers().get(ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if !same_origin(origin, fetch_site, base_url) {
        return Err(CsrfFailure::CrossSite);
    }
    let token = token.ok_or(CsrfFailure::MissingToken)?;
    let cookie = cookies::read(req, CSRF_COOKIE).ok_or(CsrfFailure::MissingCookie)?;
    signer.verify_csrf(token, &binding(purpose, challenge), &cookie)
}

/// Whether a form post comes from our own pages: `Origin` when the browser sends it, else
/// `Sec-Fetch-Site`. Every current browser sends one of them on a form post; a post with neither is
/// refused.
///
/// Browsers send `Origin: null` on every form post from a page with `Referrer-Policy: no-referrer`
/// (ours), so `null` defers to `Sec-Fetch-Site`.
pub fn same_origin(origin: Option<&str>, sec_fetch_site: Option<&str>, base_url: &Url) -> bool {
    if let Some(origin) = origin.map(str::trim).filter(|o| *o != "null") {
        return Url::parse(origin).is_ok_and(|o| o.origin() == base_url.origin());
    }
    sec_fetch_site == Some("same-origin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_checks() {
        let base = Url::parse("https://auth.example.com/prefix").unwrap();
        assert!(same_origin(Some("https://auth.example.com"), None, &base));
        assert!(!same_origin(
            Some("https://evil.example"),
            Some("same-origin"),
            &base
        ));
        assert!(!same_origin(Some("null"), None, &base));
        assert!(same_origin(Some("null"), Some("same-origin"), &base));
        assert!(!same_origin(Some("null"), Some("cross-site"), &base));
        assert!(!same_origin(Some("http://auth.example.com"), None, &base));
        assert!(same_origin(None, Some("same-origin"), &base));
        assert!(!same_origin(None, Some("cross-site"), &base));
        assert!(!same_origin(None, Some("same-site"), &base));
        assert!(!same_origin(None, None, &base));
    }
}
