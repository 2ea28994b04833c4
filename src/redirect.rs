//! Every `Location` the bridge emits is built here, from one of two origins: a URL an upstream
//! (Hydra or Kratos) answered with, or a URL derived from the configuration. Nothing a browser sends
//! can become a redirect target.

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect(Url);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the upstream answered with a redirect target that is not an absolute http(s) URL")]
pub struct InvalidTarget;

impl Redirect {
    /// A `redirect_to` from Hydra's answer (or a URL Kratos answered with).
    pub fn from_upstream(raw: &str) -> Result<Self, InvalidTarget> {
        let url = Url::parse(raw).map_err(|_| InvalidTarget)?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(InvalidTarget);
        }
        Ok(Self(url))
    }

    /// A URL built on one of the configured base URLs.
    pub fn from_config(url: Url) -> Self {
        Self(url)
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// 303 See Other: the next request is a GET, whatever method led here.
    pub fn response(&self) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((LOCATION, self.0.as_str()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever an upstream answers, only an absolute http(s) URL with a host becomes a redirect,
        /// and to exactly the host it named.
        #[test]
        fn only_absolute_web_urls_become_redirects(
            scheme in prop_oneof![Just("https"), Just("http"), Just("javascript"), Just("data"), Just("ftp"), Just("")],
            slashes in prop_oneof![Just("://"), Just(":"), Just("//"), Just(":///")],
            host in prop_oneof![Just(String::new()), "[a-z]{1,10}\\.[a-z]{2,3}"],
            rest in "[a-zA-Z0-9/?=&%.-]{0,30}",
        ) {
            let raw = format!("{scheme}{slashes}{host}/{rest}");
            let result = Redirect::from_upstream(&raw);
            if !matches!(scheme, "http" | "https") {
                prop_assert!(result.is_err(), "{} became a redirect", raw);
            } else if slashes == "://" && !host.is_empty() {
                let r = result.expect("a plain web URL is a redirect");
                prop_assert_eq!(r.url().host_str(), Some(host.as_str()));
            } else if let Ok(r) = result {
                // Browsers read `https:///x` and `https:x` as https://x/; so does the parser here.
                prop_assert!(r.url().host_str().is_some_and(|h| !h.is_empty()));
            }
        }

        /// Whatever follows a scheme (or stands without one), a redirect is only ever an http(s) URL
        /// with a host, and only where the text named that scheme.
        #[test]
        fn arbitrary_text_becomes_only_web_redirects(
            prefix in prop_oneof![Just("http://"), Just("https://"), Just("HTTPS://"), Just(""), Just("javascript:"), Just("file://")],
            (rest, plain_host) in prop_oneof![
                "\\PC{0,80}".prop_map(|r| (r, false)),
                "[a-z]{1,10}\\.[a-z]{2,3}(/[a-zA-Z0-9/?=&.-]{0,20})?".prop_map(|r| (r, true)),
            ],
        ) {
            let raw = format!("{prefix}{rest}");
            let result = Redirect::from_upstream(&raw);
            if let Ok(r) = &result {
                prop_assert!(matches!(r.url().scheme(), "http" | "https"), "{}", raw);
                prop_assert!(r.url().host_str().is_some_and(|h| !h.is_empty()), "{}", raw);
                // The URL parser drops leading spaces; nothing else makes a web URL of other text.
                prop_assert!(raw.trim_start().to_ascii_lowercase().starts_with("http"), "{}", raw);
            }
            if plain_host && prefix.to_ascii_lowercase().starts_with("http") {
                // A plain web address is a redirect, to the host it names.
                let host = rest.split('/').next().unwrap_or_default();
                prop_assert_eq!(result.map(|r| r.url().host_str().map(str::to_owned)), Ok(Some(host.to_owned())));
            }
        }
    }

    #[test]
    fn upstream_targets_must_be_absolute_http() {
        assert!(Redirect::from_upstream("https://app.example/cb?code=1").is_ok());
        for bad in [
            "/relative",
            "javascript:alert(1)",
            "data:text/html,x",
            "",
            "https://",
            "//evil.example",
        ] {
            assert_eq!(Redirect::from_upstream(bad), Err(InvalidTarget), "{bad}");
        }
    }
}
