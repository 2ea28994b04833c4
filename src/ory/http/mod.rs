//! The one HTTP client every Hydra and Kratos call goes through: hyper-util's pooled HTTP/1.1
//! client, rustls for `https://`.
//!
//! - [`client`]: sending a call: the retry rule, the timeout, the body cap, metrics and the error
//!   mapping, the same for every upstream and scheme;
//! - [`connect`]: opening connections, and checking a pooled one before a request goes out on it;
//! - [`error`]: the one error type;
//! - [`failure`]: the retry rule, and how failures and odd answers are sorted for it.

mod client;
mod connect;
mod error;
mod failure;

use std::collections::BTreeMap;

use hyper::Uri;
use hyper::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use hyper::http::uri::{Authority, Scheme};
use secrecy::{ExposeSecret, SecretString};

pub use client::{Response, Upstream};
pub use error::{Call, UpstreamError};

/// Default headers for an admin API: JSON, plus the configured bearer token and extra headers.
/// Values are marked sensitive so that no debug output of a request shows them. A value that
/// cannot be sent is an error, never left out.
pub fn admin_headers(
    service: &'static str,
    token: Option<&SecretString>,
    extra: &BTreeMap<String, SecretString>,
) -> Result<HeaderMap, UpstreamError> {
    let refused = |what: String| UpstreamError::Credentials { service, what };
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in extra {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| refused(format!("header name `{name}`")))?;
        let mut value = HeaderValue::from_str(value.expose_secret())
            .map_err(|_| refused(format!("value of header `{name}`")))?;
        value.set_sensitive(true);
        headers.insert(header, value);
    }
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| refused("admin_token".into()))?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    Ok(headers)
}

/// One configured upstream base URL (Hydra admin, Kratos public, Kratos admin), taken apart once:
/// calls only add their path.
#[derive(Debug)]
pub struct Base {
    scheme: Scheme,
    authority: Authority,
    /// What `Host` carries: the host, and the port when the URL names one.
    host: HeaderValue,
    /// The base URL's path without its trailing `/`.
    path: String,
}

/// A base URL that cannot be taken apart (config validation refuses these, so never in practice).
#[derive(Debug, thiserror::Error)]
#[error("not a usable upstream base URL: {0}")]
pub struct InvalidBase(String);

/// Why a Hydra or Kratos client cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Base(#[from] InvalidBase),
    #[error("cannot use the configured credentials: {0}")]
    Credentials(#[from] UpstreamError),
}

impl Base {
    pub fn new(url: &url::Url) -> Result<Self, InvalidBase> {
        let invalid = |e: &dyn std::fmt::Display| InvalidBase(e.to_string());
        let host = url.host_str().ok_or_else(|| invalid(&"no host"))?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(Self {
            scheme: Scheme::try_from(url.scheme()).map_err(|e| invalid(&e))?,
            authority: Authority::try_from(authority.as_str()).map_err(|e| invalid(&e))?,
            host: HeaderValue::try_from(authority).map_err(|e| invalid(&e))?,
            path: url.path().trim_end_matches('/').to_string(),
        })
    }

    /// The request target (path and query) for `path`, which starts with `/` and is encoded.
    pub fn target(&self, path: &str) -> String {
        let mut target = String::with_capacity(self.path.len() + path.len() + 64);
        target.push_str(&self.path);
        target.push_str(path);
        target
    }

    fn uri(&self, target: &str) -> Result<Uri, hyper::http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(target)
            .build()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Delete,
}

impl Method {
    /// Safe to send twice: a lost answer to an accept must not turn into a second accept.
    pub fn idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Delete)
    }
}

/// One upstream request. Deliberately not `Debug`: its headers and target carry secrets.
pub struct Request<'a> {
    method: Method,
    base: &'a Base,
    /// Path and query, percent-encoded, base path included.
    target: String,
    headers: &'a HeaderMap,
    cookie: Option<HeaderValue>,
    json: Option<Vec<u8>>,
}

impl<'a> Request<'a> {
    pub fn new(method: Method, base: &'a Base, target: String, headers: &'a HeaderMap) -> Self {
        Self {
            method,
            base,
            target,
            headers,
            cookie: None,
            json: None,
        }
    }

    pub fn cookie(mut self, cookie: HeaderValue) -> Self {
        self.cookie = Some(cookie);
        self
    }

    pub fn json(mut self, body: Vec<u8>) -> Self {
        self.json = Some(body);
        self
    }
}

/// What a path segment may not hold unencoded (the URL standard's path-segment set, plus `\\`,
/// which http URLs treat as `/`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// `/a/b/c` from segments, each percent-encoded so that none can add or remove a level. `None`
/// when a segment is `.` or `..`: URL parsers (and servers) resolve those even encoded, so no path
/// can name such a resource.
pub fn encode_path(segments: &[&str]) -> Option<String> {
    let mut path = String::new();
    for segment in segments {
        if matches!(*segment, "." | "..") {
            return None;
        }
        path.push('/');
        path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
    }
    Some(path)
}

pub use domain::identity::null_as_default;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_that_cannot_be_sent_are_an_error_not_left_out() {
        let token = SecretString::from("ory_pat_x".to_string());
        let headers = admin_headers("hydra", Some(&token), &BTreeMap::new()).unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer ory_pat_x");
        let bad = SecretString::from("ory_pat_x\n".to_string());
        assert!(admin_headers("hydra", Some(&bad), &BTreeMap::new()).is_err());
        let extra = BTreeMap::from([("X-Key".to_string(), bad)]);
        assert!(admin_headers("kratos", None, &extra).is_err());
    }

    #[test]
    fn paths_keep_every_segment_on_its_level() {
        assert_eq!(
            encode_path(&["admin", "identities", "by", "external", "a/b?c#d e%"]).as_deref(),
            Some("/admin/identities/by/external/a%2Fb%3Fc%23d%20e%25")
        );
        assert_eq!(encode_path(&["admin", "identities", ".."]), None);
        assert_eq!(encode_path(&["admin", "identities", "."]), None);
        assert_eq!(
            encode_path(&["admin", "identities", "..."]).as_deref(),
            Some("/admin/identities/...")
        );
    }

    #[test]
    fn a_base_keeps_its_path_and_names_its_host() {
        let base = Base::new(&"http://hydra:4445/prefix/".parse().unwrap()).unwrap();
        assert_eq!(base.target("/admin/x?c=1"), "/prefix/admin/x?c=1");
        assert_eq!(base.host, "hydra:4445");
        let uri = base.uri(&base.target("/admin/x?c=1")).unwrap();
        assert_eq!(uri.to_string(), "http://hydra:4445/prefix/admin/x?c=1");
        let base = Base::new(&"https://kratos.example".parse().unwrap()).unwrap();
        assert_eq!(base.target("/sessions/whoami"), "/sessions/whoami");
        assert_eq!(base.host, "kratos.example");
        let base = Base::new(&"http://[::1]:4433/".parse().unwrap()).unwrap();
        assert_eq!(base.host, "[::1]:4433");
        assert_eq!(base.uri("/a").unwrap().host(), Some("[::1]"));
    }
}
