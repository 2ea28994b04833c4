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
        /// Whatever an upstream answers, a redirect is only ever to an absolute http(s) URL with a
        /// host, and to exactly the host it named.
        #[test]
        fn only_absolute_web_urls_become_redirects(raw in "\\PC{0,80}", host in "[a-z]{1,10}\\.[a-z]{2,3}") {
            if let Ok(r) = Redirect::from_upstream(&raw) {
                prop_assert!(matches!(r.url().scheme(), "http" | "https"));
                prop_assert!(r.url().host_str().is_some_and(|h| !h.is_empty()));
            }
            let good = format!("https://{host}/cb?code=1");
            let r = Redirect::from_upstream(&good).unwrap();
            prop_assert_eq!(r.url().host_str(), Some(host.as_str()));
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
