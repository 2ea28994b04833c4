//! Clients for Hydra's admin API and Kratos's public and admin APIs, on one shared HTTP client.

pub mod hydra;
pub mod kratos;
pub mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue,
};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::config::UpstreamSettings;
use crate::metrics::{BodyFailureLabels, Metrics};

/// One upstream failure that is not an answer the flow understands. Messages never carry URLs
/// (they hold challenges) or bodies (they may hold tokens).
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("{service} {operation}: no answer within the timeout")]
    Timeout {
        service: &'static str,
        operation: &'static str,
    },
    #[error("{service} {operation}: unreachable: {reason}")]
    Unreachable {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: unexpected status {status}")]
    Status {
        service: &'static str,
        operation: &'static str,
        status: u16,
    },
    #[error("{service} {operation}: invalid response body: {reason}")]
    InvalidBody {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: cannot encode the request: {reason}")]
    Encode {
        service: &'static str,
        operation: &'static str,
        reason: String,
    },
    #[error("{service} {operation}: response body over {limit} bytes")]
    TooLarge {
        service: &'static str,
        operation: &'static str,
        limit: usize,
    },
    /// A configured credential no HTTP header can carry. The config check refuses these at load;
    /// this keeps a request from ever going out without them.
    #[error("{service}: the configured {what} cannot be sent as an HTTP header")]
    Credentials { service: &'static str, what: String },
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, UpstreamError::Timeout { .. })
    }
}

/// Where a call goes and what it does, for errors and logs.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub service: &'static str,
    pub operation: &'static str,
}

impl Call {
    pub const fn new(service: &'static str, operation: &'static str) -> Self {
        Self { service, operation }
    }

    pub fn status(self, status: StatusCode) -> UpstreamError {
        UpstreamError::Status {
            service: self.service,
            operation: self.operation,
            status: status.as_u16(),
        }
    }

    pub fn encode(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::Encode {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }

    pub fn invalid_body(self, reason: impl ToString) -> UpstreamError {
        UpstreamError::InvalidBody {
            service: self.service,
            operation: self.operation,
            reason: reason.to_string(),
        }
    }
}

/// The HTTP client for `https://` upstreams: rustls, no redirects followed, pooled keep-alive
/// connections, connect and whole-call timeouts from config. Plain `http://` upstreams, the usual
/// case beside Hydra, go through [`wire`] instead.
pub fn build_tls_client(settings: &UpstreamSettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .timeout(Duration::from_millis(settings.request_timeout_ms))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(USER_AGENT)
        .https_only(true)
        .build()
}

const USER_AGENT: &str = concat!("kratos-hydra-bridge/", env!("CARGO_PKG_VERSION"));

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

/// One configured upstream base URL (Hydra admin, Kratos public, Kratos admin).
#[derive(Debug)]
pub struct Base {
    pub url: url::Url,
    /// Set for `http://`: calls go over [`wire`]. `None` for `https://`, which goes through reqwest.
    wire: Option<wire::Endpoint>,
}

impl Base {
    pub fn new(url: &url::Url) -> Self {
        let wire = (url.scheme() == "http")
            .then(|| wire::Endpoint::new(url))
            .flatten();
        Self {
            url: url.clone(),
            wire,
        }
    }

    /// The request target (path and query) for `path`, which starts with `/` and is encoded.
    pub fn target(&self, path: &str) -> String {
        let mut target = String::with_capacity(self.url.path().len() + path.len());
        target.push_str(self.url.path().trim_end_matches('/'));
        target.push_str(path);
        target
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Safe to send twice: a lost answer to an accept must not turn into a second accept.
    fn idempotent(self) -> bool {
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

    fn wire_bytes(&self) -> Vec<u8> {
        let mut headers: Vec<(&str, &[u8])> = Vec::with_capacity(self.headers.len() + 2);
        headers.push(("User-Agent", USER_AGENT.as_bytes()));
        headers.extend(
            self.headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
        if let Some(cookie) = &self.cookie {
            headers.push(("Cookie", cookie.as_bytes()));
        }
        wire::encode_request(
            self.method.as_str(),
            &self.target,
            self.base
                .wire
                .as_ref()
                .map_or("", |endpoint| endpoint.authority()),
            &headers,
            self.json.as_deref(),
        )
    }

    fn reqwest(&self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let method = match self.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let url = format!(
            "{}{}",
            &self.base.url[..url::Position::BeforePath],
            self.target
        );
        let mut builder = client.request(method, url).headers(self.headers.clone());
        if let Some(cookie) = &self.cookie {
            builder = builder.header(COOKIE, cookie.clone());
        }
        match &self.json {
            Some(body) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone()),
            None if self.method == Method::Put => builder.header(CONTENT_LENGTH, "0"),
            None => builder,
        }
    }
}

/// An upstream answer: its status, and its body (read whole, within the size cap, before the
/// answer is handed over) or why it could not be read.
pub struct Response {
    status: StatusCode,
    body: Result<Vec<u8>, UpstreamError>,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// Why an attempt got no answer, for the retry rule and the error.
enum Failed {
    Timeout,
    /// Nothing was sent.
    Connect(String),
    /// The request may have been sent.
    Other(String),
}

impl Failed {
    fn into_error(self, call: Call) -> UpstreamError {
        match self {
            Failed::Timeout => UpstreamError::Timeout {
                service: call.service,
                operation: call.operation,
            },
            Failed::Connect(reason) | Failed::Other(reason) => UpstreamError::Unreachable {
                service: call.service,
                operation: call.operation,
                reason,
            },
        }
    }
}

/// What every upstream call shares: the TLS client (when an upstream is `https://`), timeouts,
/// the body cap and the metrics.
#[derive(Clone)]
pub struct Upstream {
    tls: Option<reqwest::Client>,
    connect_timeout: Duration,
    request_timeout: Duration,
    pub max_body: usize,
    pub metrics: Arc<Metrics>,
}

/// The outcome label of one attempt, for metrics.
fn outcome(result: &Result<Response, Failed>) -> &'static str {
    match result {
        Ok(r) if r.status.is_success() => "ok",
        Ok(r) if r.status.is_redirection() => "redirect",
        Ok(r) if r.status.is_client_error() => "http_4xx",
        Ok(_) => "http_5xx",
        Err(Failed::Timeout) => "timeout",
        Err(_) => "unreachable",
    }
}

/// Whether a failed attempt may be repeated. Never after a timeout (the deadline is spent). Always
/// when the connection could not be made, since nothing was sent. Otherwise only for idempotent
/// methods: a lost answer to an accept must not turn into a second accept behind the browser's back.
pub fn may_retry(error_is_timeout: bool, error_is_connect: bool, idempotent: bool) -> bool {
    !error_is_timeout && (error_is_connect || idempotent)
}

/// 50–150 ms, so that replicas retrying together do not arrive together.
fn backoff() -> Duration {
    let mut byte = [0u8; 1];
    let spread = getrandom::fill(&mut byte)
        .map(|_| u64::from(byte[0]))
        .unwrap_or(128);
    Duration::from_millis(50 + spread * 100 / 255)
}

/// A reqwest failure without its URL (it holds the challenge), with its causes.
fn reqwest_reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

impl Upstream {
    /// `tls` is needed only when some upstream URL is `https://`.
    pub fn new(
        settings: &UpstreamSettings,
        tls: Option<reqwest::Client>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            tls,
            connect_timeout: Duration::from_millis(settings.connect_timeout_ms),
            request_timeout: Duration::from_millis(settings.request_timeout_ms),
            max_body: settings.max_body_bytes,
            metrics,
        }
    }

    /// Sends a request inside an `upstream` span, counts it, and retries it once on a connection
    /// error where that is safe (see [`may_retry`]).
    pub async fn send(&self, call: Call, request: Request<'_>) -> Result<Response, UpstreamError> {
        let first = self.attempt(call, &request).await;
        let result = match first {
            Err(e)
                if may_retry(
                    matches!(e, Failed::Timeout),
                    matches!(e, Failed::Connect(_)),
                    request.method.idempotent(),
                ) =>
            {
                let wait = backoff();
                // Debug only: a failure is logged once, where it becomes the user's answer.
                tracing::debug!(
                    target_service = call.service,
                    operation = call.operation,
                    error = %e.into_error(call),
                    retry_in_ms = wait.as_millis() as u64,
                    "upstream call failed, retrying once"
                );
                tokio::time::sleep(wait).await;
                self.attempt(call, &request).await
            }
            first => first,
        };
        result.map_err(|e| e.into_error(call))
    }

    async fn attempt(&self, call: Call, request: &Request<'_>) -> Result<Response, Failed> {
        let started = Instant::now();
        let result = match &request.base.wire {
            Some(endpoint) => self.attempt_wire(call, endpoint, request).await,
            None => self.attempt_tls(call, request).await,
        };
        let elapsed = started.elapsed();
        let outcome = outcome(&result);
        self.metrics
            .upstream(call.service, call.operation, outcome, elapsed.as_secs_f64());
        tracing::debug!(
            target_service = call.service,
            operation = call.operation,
            outcome,
            status = result.as_ref().map(|r| r.status.as_u16()).unwrap_or(0),
            elapsed_ms = elapsed.as_millis() as u64,
            "upstream call"
        );
        result
    }

    async fn attempt_wire(
        &self,
        call: Call,
        endpoint: &wire::Endpoint,
        request: &Request<'_>,
    ) -> Result<Response, Failed> {
        let bytes = request.wire_bytes();
        let limits = wire::Limits {
            connect_timeout: self.connect_timeout,
            max_body: self.max_body,
        };
        let head = std::cell::Cell::new(None);
        let exchange = wire::exchange(
            endpoint,
            &bytes,
            request.method.idempotent(),
            &limits,
            &head,
        );
        let status = |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(Ok(answer)) => Ok(Response {
                status: status(answer.status),
                body: answer.body.map_err(|e| self.body_error(call, e)),
            }),
            Ok(Err(wire::Failure::Connect(reason))) => Err(Failed::Connect(reason)),
            // As for https: a connect timeout is a timeout, not retried.
            Ok(Err(wire::Failure::ConnectTimeout)) => Err(Failed::Timeout),
            Ok(Err(wire::Failure::Io(reason))) => Err(Failed::Other(reason)),
            // The head came but the body did not: an answer whose body failed.
            Err(_) => match head.get() {
                Some(code) => Ok(Response {
                    status: status(code),
                    body: Err(Failed::Timeout.into_error(call)),
                }),
                None => Err(Failed::Timeout),
            },
        }
    }

    fn body_error(&self, call: Call, e: wire::BodyFailure) -> UpstreamError {
        match e {
            wire::BodyFailure::TooLarge => UpstreamError::TooLarge {
                service: call.service,
                operation: call.operation,
                limit: self.max_body,
            },
            wire::BodyFailure::Interrupted(reason) => UpstreamError::Unreachable {
                service: call.service,
                operation: call.operation,
                reason,
            },
            wire::BodyFailure::Invalid(reason) => call.invalid_body(reason),
        }
    }

    async fn attempt_tls(&self, call: Call, request: &Request<'_>) -> Result<Response, Failed> {
        let Some(client) = &self.tls else {
            return Err(Failed::Connect("no TLS client configured".into()));
        };
        let response = request.reqwest(client).send().await.map_err(|e| {
            if e.is_timeout() {
                Failed::Timeout
            } else if e.is_connect() {
                Failed::Connect(reqwest_reason(e))
            } else {
                Failed::Other(reqwest_reason(e))
            }
        })?;
        let status = response.status();
        let body = self.collect(call, response).await;
        Ok(Response { status, body })
    }

    async fn collect(
        &self,
        call: Call,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, UpstreamError> {
        let limit = self.max_body;
        let too_large = || UpstreamError::TooLarge {
            service: call.service,
            operation: call.operation,
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) if e.is_timeout() => return Err(Failed::Timeout.into_error(call)),
                Err(e) => return Err(Failed::Other(reqwest_reason(e)).into_error(call)),
            }
        }
    }

    /// The body, within the size limit; a larger one is an error, never a truncated parse.
    pub fn read_body(&self, call: Call, response: Response) -> Result<Vec<u8>, UpstreamError> {
        response
            .body
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    /// Decodes a JSON body.
    pub fn read_json<T: DeserializeOwned>(
        &self,
        call: Call,
        response: Response,
    ) -> Result<T, UpstreamError> {
        let body = self.read_body(call, response)?;
        serde_json::from_slice(&body)
            .map_err(|e| call.invalid_body(e))
            .inspect_err(|e| self.count_body_failure(call, e))
    }

    /// Answers whose headers arrived but whose body could not be used (the call itself counted "ok").
    fn count_body_failure(&self, call: Call, error: &UpstreamError) {
        let cause = match error {
            UpstreamError::TooLarge { .. } => "too_large",
            UpstreamError::InvalidBody { .. } => "invalid",
            UpstreamError::Timeout { .. } => "timeout",
            _ => "interrupted",
        };
        self.metrics
            .upstream_body_failures
            .get_or_create(&BodyFailureLabels {
                target: call.service,
                operation: call.operation,
                cause,
            })
            .inc();
    }

    /// `GET {base}/health/ready`: ready when it answers 200.
    pub async fn check_ready(
        &self,
        call: Call,
        base: &Base,
        path: &str,
        headers: &HeaderMap,
    ) -> Result<(), UpstreamError> {
        let request = Request::new(Method::Get, base, base.target(path), headers);
        let response = self.send(call, request).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(call.status(response.status()))
        }
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

/// Deserializes `null` or a missing field as the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

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
    fn retries_only_where_safe() {
        // timeout, connect, idempotent
        assert!(
            !may_retry(true, false, true),
            "a timeout already spent the deadline"
        );
        assert!(
            may_retry(false, true, false),
            "nothing was sent: even an accept may go again"
        );
        assert!(may_retry(false, false, true), "a GET may go again");
        assert!(
            !may_retry(false, false, false),
            "an accept whose answer was lost must not repeat"
        );
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
    fn backoff_is_jittered_within_bounds() {
        for _ in 0..50 {
            let d = backoff();
            assert!((50..=150).contains(&(d.as_millis() as u64)));
        }
    }
}
