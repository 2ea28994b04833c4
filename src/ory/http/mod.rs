//! Every Hydra and Kratos call goes through reqwest: HTTP/1.1, rustls with the Mozilla roots for
//! `https://`, pooled clients per upstream base (Hydra admin, Kratos public, Kratos admin) and
//! runtime. What is this project's own around it:
//!
//! - this module: the clients built from `upstream.*`, the upstream bases, admin headers, paths;
//! - [`send`]: one call: its deadline, the retry, the body cap, metrics and the error mapping;
//! - [`failure`]: the retry rule, and how reqwest's errors and odd answers are sorted for it;
//! - [`error`]: the one error type.

mod error;
mod failure;
mod send;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method};
use secrecy::{ExposeSecret, SecretString};

pub use error::{Call, ErrorKind, UpstreamError};
pub use send::Response;

use crate::config::UpstreamSettings;
use crate::metrics::Metrics;

/// Idle connections kept per upstream; beyond this a finished connection is closed.
const MAX_IDLE_PER_HOST: usize = 64;

/// Idle connections older than this are closed rather than reused (servers drop idle ones too).
const IDLE_FOR: Duration = Duration::from_secs(60);

/// What every upstream call shares: the timeouts, the body cap, the metrics, and the client that
/// repeats a call.
#[derive(Clone)]
pub struct Upstream {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body: usize,
    metrics: Arc<Metrics>,
    /// Keeps no connection: the one repeat of a call always goes out on a new one.
    fresh: Client,
    /// Trusted instead of the Mozilla roots (tests only).
    root: Option<reqwest::Certificate>,
}

/// Why a Hydra or Kratos client cannot be built from its settings: a configured credential no
/// HTTP header can carry. The config check refuses these at load; this keeps a request from ever
/// going out without them.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot use the configured credentials: {service}: the configured {what} cannot be sent as an \
     HTTP header"
)]
pub struct SetupError {
    service: &'static str,
    what: String,
}

impl Upstream {
    pub fn new(settings: &UpstreamSettings, metrics: Arc<Metrics>) -> Result<Self, reqwest::Error> {
        Ok(Self {
            fresh: client(settings.connect_timeout, None, 0)?,
            connect_timeout: settings.connect_timeout,
            request_timeout: settings.request_timeout,
            max_body: settings.max_body_bytes,
            metrics,
            root: None,
        })
    }

    /// An upstream base; every request to it carries `headers`. Its pools are made as calls need
    /// them, built as `fresh` was: a client that cannot be built stopped the start in `new`.
    pub fn base(&self, url: &url::Url, headers: HeaderMap) -> Base {
        let mut url = url.clone();
        url.set_query(None);
        url.set_fragment(None);
        Base {
            prefix: url.path().trim_end_matches('/').to_string(),
            url: url.as_str().trim_end_matches('/').to_string(),
            headers,
            pools: Mutex::default(),
        }
    }

    /// The calling runtime's pool for `base`.
    fn pooled(&self, base: &Base) -> Result<Client, reqwest::Error> {
        let runtime = tokio::runtime::Handle::try_current().ok().map(|h| h.id());
        let mut pools = base.pools.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, client)) = pools.iter().find(|(id, _)| *id == runtime) {
            return Ok(client.clone());
        }
        let client = client(self.connect_timeout, self.root.as_ref(), MAX_IDLE_PER_HOST)?;
        pools.push((runtime, client.clone()));
        Ok(client)
    }
}

/// A client: HTTP/1.1 only, never through a proxy (`HTTP_PROXY` and the like are ignored), no
/// redirect followed, no retry of its own, `max_idle` idle connections per host.
fn client(
    connect_timeout: Duration,
    root: Option<&reqwest::Certificate>,
    max_idle: usize,
) -> Result<Client, reqwest::Error> {
    let mut builder = Client::builder()
        .http1_only()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .user_agent(concat!("kratos-hydra-bridge/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(IDLE_FOR)
        .pool_max_idle_per_host(max_idle);
    if let Some(root) = root {
        builder = builder
            .tls_built_in_root_certs(false)
            .add_root_certificate(root.clone());
    }
    builder.build()
}

/// One configured upstream base URL and its connection pools. Deliberately not `Debug`: its
/// headers carry credentials.
pub struct Base {
    /// The URL without a trailing `/`: calls add their path.
    url: String,
    /// Its path (empty, or e.g. `/kratos`), which a trace's path template goes under.
    prefix: String,
    headers: HeaderMap,
    /// One pool per runtime (each of the server's workers is one): a connection's task runs on the
    /// runtime that opened it, and only that runtime's look at its sockets tells whether a pooled
    /// connection received something while idle (see `send`). Emptied when an answer leaves a
    /// connection unfit for another request (see [`failure::framing_error`]): reqwest cannot close
    /// that one connection, so the pools go.
    pools: Mutex<Vec<(Option<tokio::runtime::Id>, Client)>>,
}

impl Base {
    /// The URL for `path`, which starts with `/` and is encoded (a query may follow).
    pub fn target(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

/// One upstream request. Deliberately not `Debug`: its target and cookie carry secrets.
pub struct Request<'a> {
    method: Method,
    base: &'a Base,
    target: String,
    cookie: Option<HeaderValue>,
    json: Option<Vec<u8>>,
    /// Safe to send a second time after the first may have reached the upstream.
    repeatable: bool,
    /// The path as traces show it, when the real one holds an identifier (`/admin/identities/{id}`).
    template: Option<&'static str>,
}

impl<'a> Request<'a> {
    /// A request to `target` (from [`Base::target`]); GET and DELETE are repeatable.
    pub fn new(method: Method, base: &'a Base, target: String) -> Self {
        Self {
            repeatable: matches!(method, Method::GET | Method::DELETE),
            method,
            base,
            target,
            cookie: None,
            json: None,
            template: None,
        }
    }

    /// The path as traces show it instead of the real one, which holds an identifier.
    pub fn template(mut self, template: &'static str) -> Self {
        self.template = Some(template);
        self
    }

    pub fn cookie(mut self, cookie: HeaderValue) -> Self {
        self.cookie = Some(cookie);
        self
    }

    pub fn json(mut self, body: Vec<u8>) -> Self {
        self.json = Some(body);
        self
    }

    /// For a call the upstream answers the same when it comes twice (see the callers for why).
    pub fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }
}

/// Default headers for an admin API: JSON, plus the configured bearer token and extra headers.
/// Values are marked sensitive so that no debug output of a request shows them. A value that
/// cannot be sent is an error, never left out.
pub fn admin_headers(
    service: &'static str,
    token: Option<&SecretString>,
    extra: &BTreeMap<String, SecretString>,
) -> Result<HeaderMap, SetupError> {
    let refused = |what: String| SetupError { service, what };
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

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tls_tests;
