//! The cookies the bridge sets and reads, through actix-web's cookie support. Its own (the form's
//! CSRF cookie, the device code count) are all `Path=/`, `HttpOnly`, `SameSite=Lax`, `Secure`
//! behind https, and live as long as a form.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use crate::config::ServeSettings;

/// How the bridge's own cookies are set; fixed at start from `serve.base_url` and
/// `serve.form_ttl_secs`.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    secure: bool,
    lifetime: std::time::Duration,
}

impl CookiePolicy {
    pub fn new(serve: &ServeSettings) -> Self {
        Self {
            secure: serve.base_url.scheme() == "https",
            lifetime: serve.form_ttl,
        }
    }

    /// How long the cookies (and the forms they belong to) live.
    pub fn lifetime(&self) -> std::time::Duration {
        self.lifetime
    }

    /// The cookie `name` holding `value`, for as long as a form lives.
    pub fn set(&self, name: &'static str, value: String) -> Cookie<'static> {
        self.build(name, value, self.lifetime)
    }

    /// The cookie `name` holding `value` for `lifetime`, at most as long as a form lives.
    pub fn set_for(
        &self,
        name: &'static str,
        value: String,
        lifetime: std::time::Duration,
    ) -> Cookie<'static> {
        self.build(name, value, lifetime.min(self.lifetime))
    }

    /// The cookie that removes `name` from the browser.
    pub fn clear(&self, name: &'static str) -> Cookie<'static> {
        self.build(name, String::new(), std::time::Duration::ZERO)
    }

    fn build(
        &self,
        name: &'static str,
        value: String,
        max_age: std::time::Duration,
    ) -> Cookie<'static> {
        let max_age = actix_web::cookie::time::Duration::try_from(max_age)
            .unwrap_or(actix_web::cookie::time::Duration::MAX);
        Cookie::build(name, value)
            .path("/")
            .max_age(max_age)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish()
    }
}

/// The value of the browser's cookie `name`, when it sent one that is not empty.
pub fn read(req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// The browser's cookie `name` exactly as it was sent (not percent-decoded), for passing it on.
pub fn read_raw(req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie_raw(name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::time::Duration;

    fn policy(base_url: &str, ttl: u64) -> CookiePolicy {
        CookiePolicy {
            secure: base_url.starts_with("https:"),
            lifetime: Duration::from_secs(ttl),
        }
    }

    #[test]
    fn set_and_cleared_cookies_carry_every_attribute() {
        let set = policy("https://auth.example", 600).set("khb_x", "v1".into());
        let text = set.to_string();
        assert!(text.starts_with("khb_x=v1; "), "{text}");
        for attribute in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=600",
        ] {
            assert!(
                text.split("; ").any(|a| a == attribute),
                "{text} lacks {attribute}"
            );
        }
        let cleared = policy("http://127.0.0.1", 600).clear("khb_x").to_string();
        assert!(cleared.starts_with("khb_x=; "), "{cleared}");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(!cleared.contains("Secure"), "{cleared}");
    }

    #[test]
    fn only_the_named_non_empty_cookie_is_read() {
        let req = TestRequest::default()
            .append_header((
                "cookie",
                "a=1; ory_kratos_session=MTY3%3D; ory_kratos_session_x=2",
            ))
            .append_header(("cookie", "empty="))
            .to_http_request();
        assert_eq!(
            read_raw(&req, "ory_kratos_session").as_deref(),
            Some("MTY3%3D")
        );
        assert_eq!(read(&req, "ory_kratos_session").as_deref(), Some("MTY3="));
        assert_eq!(read(&req, "a").as_deref(), Some("1"));
        assert_eq!(read(&req, "b"), None);
        assert_eq!(read(&req, "empty"), None);
        assert_eq!(read_raw(&req, "empty"), None);
    }
}
